-- SPDX-License-Identifier: MIT
-- The kstack results database.  This file is the only definition of the
-- schema: it is embedded into the kstack binary at build time and run on
-- every new database.  Any change to it bumps user_version below; kstack
-- refuses a database of another version (an older one is replayed again:
-- version 2 added run_params and runs.is_default; version 3 the memory
-- bases, the savings view and its lookup tables, crash comms, replicates,
-- the counters of page-table and TLB work, reclaim, refaults and admission,
-- and the per-task tables and their views).
--
-- Every column carries a comment (the test report_schema_comments checks
-- it).  Units: "pages" are pages of the run's page_size, "kb" KiB, times ns
-- of the trace clock unless named otherwise.  64-bit unsigned values
-- (seeds, trace ids) that may exceed 2^63 are stored as the signed integer
-- of the same bits.
PRAGMA user_version = 3;

-- One row per trace, found again by its identity (kst_info.id, 16 hex digits).
-- The row key gives the insertion order that tables and charts follow.
CREATE TABLE traces (
	key			INTEGER PRIMARY KEY,	-- row key: insertion order
	id			TEXT NOT NULL UNIQUE,	-- the trace's identity, 16 hex digits
	label			TEXT NOT NULL,		-- workload name the tables show
	host			TEXT NOT NULL,		-- machine it was recorded on
	kernel			TEXT NOT NULL,		-- kernel release (uname -r)
	arch			TEXT NOT NULL,		-- machine architecture
	collector		TEXT NOT NULL,		-- program and version that wrote it
	options			TEXT NOT NULL,		-- collector's command line or synth
							-- parameters
	clock			TEXT NOT NULL,		-- "mono" (recorded) or "synthetic"
	format_version		INTEGER NOT NULL,	-- trace format version of the file
	ncpus			INTEGER NOT NULL,	-- CPUs of the traced machine
	page_size		INTEGER NOT NULL,	-- bytes
	thread_size		INTEGER NOT NULL,	-- bytes of a kernel stack (THREAD_SIZE)
	depth_source		INTEGER NOT NULL,	-- how depths were measured: a code of
							-- depth_sources
	start_ns		INTEGER NOT NULL,	-- trace clock at start
	end_ns			INTEGER NOT NULL,	-- trace clock at stop
	nr_kernel_stack_start_kb INTEGER NOT NULL,	-- the kernel's nr_kernel_stack at
							-- start; -1 unknown
	nr_kernel_stack_end_kb	INTEGER NOT NULL,	-- the same at stop; -1 unknown
	ram_kb			INTEGER NOT NULL,	-- the machine's RAM; 0 unknown
	nr_events		INTEGER NOT NULL,	-- events in the file
	lost_events		INTEGER NOT NULL,	-- events lost, all sources, all CPUs
	truncated		INTEGER NOT NULL,	-- 1: recording was interrupted
	synth_seed		INTEGER NOT NULL,	-- synthetic traces: generator seed; else 0
	path			TEXT NOT NULL		-- where it was read from (informational)
);

-- One row per (trace, configuration).  Every counter of engine.h's
-- KS_COUNTERS is a column of the same name (a unit test checks it).
CREATE TABLE runs (
	key			INTEGER PRIMARY KEY,	-- row key
	trace			INTEGER NOT NULL REFERENCES traces(key) ON DELETE CASCADE,
							-- the trace replayed
	policy			TEXT NOT NULL,		-- policy name ("rfc")
	params			TEXT NOT NULL,		-- canonical spec: every key, sorted
	is_default		INTEGER NOT NULL,	-- 1: the policy at its defaults on
							-- this trace's machine
	engine_version		TEXT NOT NULL,		-- KS_ENGINE_VERSION that computed it
	seed			INTEGER NOT NULL,	-- seed of its failure injection (also
							-- in params); replicates differ in it
	complete		INTEGER NOT NULL,	-- 0: the trace was truncated
	wall_ns			INTEGER NOT NULL,	-- replay time (informational)
	page_size		INTEGER NOT NULL,	-- bytes, as the run modelled it
	thread_size		INTEGER NOT NULL,	-- bytes, as the run modelled it
	ncpus			INTEGER NOT NULL,	-- CPUs modelled
	start_ns		INTEGER NOT NULL,	-- trace clock at start
	end_ns			INTEGER NOT NULL,	-- trace clock at the end of the replay
	events			INTEGER NOT NULL,	-- events replayed
	switches		INTEGER NOT NULL,	-- context switches
	tasks_end		INTEGER NOT NULL,	-- live tasks (stacks) at the end
	tasks_peak		INTEGER NOT NULL,	-- most live tasks at once
	forks			INTEGER NOT NULL,	-- tasks created
	exits			INTEGER NOT NULL,	-- stacks released
	stack_pages_end		INTEGER NOT NULL,	-- pages mapped to live stacks at the end
	stack_pages_peak	INTEGER NOT NULL,	-- most pages mapped to stacks at once
	kernel_stack_kb_end	INTEGER NOT NULL,	-- the kernel's nr_kernel_stack at the end
	dyn_faults_kb_end	INTEGER NOT NULL,	-- the kernel's nr_dynamic_stacks_faults
							-- at the end
	pool_pages_end		INTEGER NOT NULL,	-- pages in per-CPU pools and reserves at
							-- the end
	pool_pages_peak		INTEGER NOT NULL,	-- most pages in per-CPU pools and
							-- reserves at once
	global_pages_end	INTEGER NOT NULL,	-- pages in the global pool at the end
	cache_pages_end		INTEGER NOT NULL,	-- pages of cached (freed) stacks at the end
	extra_pages		INTEGER NOT NULL,	-- fixed overhead pages (arm64 sync stacks)
	faults			INTEGER NOT NULL,	-- stack page faults (growth events)
	fault_pages		INTEGER NOT NULL,	-- pages mapped by stack faults
	pool_hits		INTEGER NOT NULL,	-- pages taken from a per-CPU pool
	fallback_hits		INTEGER NOT NULL,	-- pages taken from a fallback (global
							-- pool, reserve)
	lock_acquisitions	INTEGER NOT NULL,	-- acquisitions of the global pool lock
	refills			INTEGER NOT NULL,	-- pool refill operations
	refill_pages		INTEGER NOT NULL,	-- pages allocated by refills
	refill_failures		INTEGER NOT NULL,	-- refill allocations that failed
	refill_latency_ns	INTEGER NOT NULL,	-- summed refill request-to-run latency
	charges			INTEGER NOT NULL,	-- pages charged to a memcg
	inherited_pages		INTEGER NOT NULL,	-- grown pages a fork inherited from a
							-- cached stack
	alloc_attempts		INTEGER NOT NULL,	-- page allocations attempted
	alloc_failures		INTEGER NOT NULL,	-- page allocations that failed (injected)
	crashes			INTEGER NOT NULL,	-- would-be crashes (all; the first 64 are
							-- in crashes)
	overflows		INTEGER NOT NULL,	-- tasks whose HWM exceeds the stack size
	leaked_pages		INTEGER NOT NULL,	-- pages lost by modelled kernel bugs
	maps			INTEGER NOT NULL,	-- page-table map operations (pages)
	unmaps			INTEGER NOT NULL,	-- page-table unmap operations (pages)
	tlb_flushes		INTEGER NOT NULL,	-- TLB flushes
	kfaults			INTEGER NOT NULL,	-- kernel-mode page faults seen
	sync_exceptions		INTEGER NOT NULL,	-- arm64 kernel synchronous exceptions
	copy_bytes		INTEGER NOT NULL,	-- bytes copied from the arm64 sync stack
	downgrades		INTEGER NOT NULL,	-- faults moved back to the task stack
							-- (FRED/IST)
	entries			INTEGER NOT NULL,	-- kernel entries from user mode seen
	waits			INTEGER NOT NULL,	-- allocations that had to sleep
	wait_ns			INTEGER NOT NULL,	-- modelled time asleep for pages
	lost_events		INTEGER NOT NULL,	-- events lost while recording (the
							-- trace's)
	-- page-table and TLB work, reclaim, refaults, admission (version 3)
	pte_writes		INTEGER NOT NULL,	-- PTE writes: maps, unmaps, A-bit clears
	abit_checks		INTEGER NOT NULL,	-- accessed-bit checks of stack PTEs
	switch_alloc_pages	INTEGER NOT NULL,	-- pages mapped as a task switched in
	switch_free_pages	INTEGER NOT NULL,	-- pages unmapped as a task switched out
	reclaimed_pages		INTEGER NOT NULL,	-- pages reclaimed from live tasks' stacks
	reclaim_passes		INTEGER NOT NULL,	-- periodic reclaim passes (shrinker, gc)
	tlb_local_flushes	INTEGER NOT NULL,	-- tlb_flushes = local + shootdowns
	tlb_shootdowns		INTEGER NOT NULL,	-- TLB flushes that reach other CPUs
	ipis			INTEGER NOT NULL,	-- IPIs sent by shootdowns
	refaults		INTEGER NOT NULL,	-- reclaimed pages needed again
	refault_delay_ns	INTEGER NOT NULL,	-- summed reclaim-to-refault time
	refault_delay_max_ns	INTEGER NOT NULL,	-- longest reclaim-to-refault time
	admission_waits		INTEGER NOT NULL,	-- switch-ins that waited for pages
	admission_wait_ns	INTEGER NOT NULL,	-- modelled time tasks waited to run
	asleep_page_ns		INTEGER NOT NULL,	-- page-ns; / (end_ns - start_ns) = mean
	total_pages_peak	INTEGER NOT NULL,	-- most pages held at once by stacks,
							-- every pool and cached stacks together
							-- (the peak of the sum)
	stack_pages_mean	REAL NOT NULL,		-- time-weighted mean of stack pages
	pool_pages_mean		REAL NOT NULL,		-- time-weighted mean of per-CPU pool and
							-- reserve pages
	total_pages_mean	REAL NOT NULL,		-- time-weighted mean of stacks + every
							-- pool + cached stacks
	UNIQUE (trace, policy, params, engine_version, seed)
);

-- Every parameter of a run, defaults applied and "auto" resolved: runs.params
-- one key at a time, so that reports select and group runs in SQL.
CREATE TABLE run_params (
	run			INTEGER NOT NULL REFERENCES runs(key) ON DELETE CASCADE,
							-- the run
	key			TEXT NOT NULL,		-- parameter name ("pool")
	value			TEXT NOT NULL,		-- canonical, as in runs.params
	is_default		INTEGER NOT NULL,	-- 1: the value the policy named alone
							-- takes on this trace's machine
	PRIMARY KEY (run, key)
) WITHOUT ROWID;

-- Memory over time, decimated by the engine (at most KS_MAX_SAMPLES a run).
CREATE TABLE samples (
	run			INTEGER NOT NULL REFERENCES runs(key) ON DELETE CASCADE,
							-- the run
	seq			INTEGER NOT NULL,	-- point number, in time order
	time			INTEGER NOT NULL,	-- ns, trace clock
	stack_pages		INTEGER NOT NULL,	-- pages mapped to live stacks
	pool_pages		INTEGER NOT NULL,	-- pages in per-CPU and global pools
	cache_pages		INTEGER NOT NULL,	-- pages of cached (freed) stacks
	kernel_stack_kb		INTEGER NOT NULL,	-- the kernel's nr_kernel_stack
	tasks			INTEGER NOT NULL,	-- live tasks
	crashes			INTEGER NOT NULL,	-- would-be crashes so far (cumulative)
	PRIMARY KEY (run, seq)
) WITHOUT ROWID;

-- Would-be crashes kept in detail (all are counted in runs.crashes).
CREATE TABLE crashes (
	run			INTEGER NOT NULL REFERENCES runs(key) ON DELETE CASCADE,
							-- the run
	seq			INTEGER NOT NULL,	-- 0 is the first crash of the run
	time			INTEGER NOT NULL,	-- ns, trace clock
	cpu			INTEGER NOT NULL,	-- the CPU, as the trace numbers it
	tid			INTEGER NOT NULL,	-- the task whose stack fault failed
	pages			INTEGER NOT NULL,	-- pages the fault still needed
	reason			INTEGER NOT NULL,	-- why: a code of crash_reasons
	comm			TEXT NOT NULL,		-- the task's name ("" if the trace never
							-- named it)
	PRIMARY KEY (run, seq)
) WITHOUT ROWID;

-- Lifetime stack high-water marks: bucket i holds tasks whose HWM lies in
-- (2^(i-1) KiB, 2^i KiB]; bucket 0 is <= 1 KiB.  kb = 2^i.
CREATE TABLE hwm_hist (
	run			INTEGER NOT NULL REFERENCES runs(key) ON DELETE CASCADE,
							-- the run
	bucket			INTEGER NOT NULL,	-- i
	kb			INTEGER NOT NULL,	-- upper bound of the bucket, 2^i KiB
	tasks			INTEGER NOT NULL,	-- tasks seen with such a HWM
	PRIMARY KEY (run, bucket)
) WITHOUT ROWID;

-- The codes of traces.depth_source (enum kst_depth_source).
CREATE TABLE depth_sources (
	code			INTEGER PRIMARY KEY,	-- the stored value
	name			TEXT NOT NULL UNIQUE,	-- short name
	meaning			TEXT NOT NULL		-- how the trace measured stack depth
);
INSERT INTO depth_sources VALUES
	(0, 'none', 'lifecycle only: no depth; policies that need it refuse the trace'),
	(1, 'exact', 'BPF high-water-mark scan of each stack'),
	(2, 'lower', 'perf stack-pointer samples: a lower bound'),
	(3, 'synthetic', 'generated: exact by construction');

-- The codes of crashes.reason (enum ks_crash_reason).
CREATE TABLE crash_reasons (
	code			INTEGER PRIMARY KEY,	-- the stored value
	name			TEXT NOT NULL UNIQUE,	-- short name
	meaning			TEXT NOT NULL		-- what the kernel would have hit
);
INSERT INTO crash_reasons VALUES
	(0, 'pool_empty', 'a stack fault found no page in any pool'),
	(1, 'pte_present', 'the RFC mapping loop remapped a present page (quirk_nr_pages)'),
	(2, 'overflow', 'the stack grew to its base (guard page)'),
	(3, 'starved', 'a task could not be switched in: no page for its stack (admission)');

-- The memory bases: how a figure is taken over the trace.
CREATE TABLE bases (
	basis			TEXT PRIMARY KEY,	-- 'end', 'peak' or 'mean'
	position		INTEGER NOT NULL UNIQUE,	-- the order tables show them in
	meaning			TEXT NOT NULL		-- what the figure is
);
INSERT INTO bases VALUES
	('end', 1, 'when the trace ends: a census, as the RFC''s figures are'),
	('peak', 2, 'the largest at any moment; stacks + pools: the peak of their sum'),
	('mean', 3, 'time-weighted mean over the trace');

-- Each run's memory on each basis (KiB): its stacks, and its stacks plus
-- every pool (per-CPU, reserves, global), its cached stacks and fixed
-- overhead.  The same pools on every basis; on the peak basis total_kb is
-- the peak of the sum, never a sum of peaks.
CREATE VIEW run_memory AS
SELECT
	r.key AS run,						-- runs.key
	b.basis AS basis,					-- bases.basis
	(CASE b.basis WHEN 'end' THEN r.stack_pages_end
		      WHEN 'peak' THEN r.stack_pages_peak
		      ELSE r.stack_pages_mean END)
		* r.page_size / 1024.0 AS stack_kb,		-- pages mapped to stacks
	(CASE b.basis WHEN 'end' THEN r.stack_pages_end + r.pool_pages_end
				      + r.global_pages_end + r.cache_pages_end
		      WHEN 'peak' THEN r.total_pages_peak
		      ELSE r.total_pages_mean END + r.extra_pages)
		* r.page_size / 1024.0 AS total_kb		-- stacks + pools + cache + fixed
FROM runs r CROSS JOIN bases b;

-- The answer, one row per run and basis: what kstack report prints.
-- Regular is the trace's static run at its defaults (same engine version)
-- on the same basis, so static shows 0 savings on every basis; NULL when
-- the trace has no such run.  Each side of Savings+pool counts its own
-- pools and cached stacks (static's cache too).
CREATE VIEW savings AS
SELECT
	m.run AS run,						-- runs.key
	t.id AS trace_id,					-- traces.id
	t.label AS label,					-- traces.label
	r.policy AS policy,					-- runs.policy
	r.params AS params,					-- runs.params
	r.is_default AS is_default,				-- runs.is_default
	m.basis AS basis,					-- 'end', 'peak', 'mean'
	s.stack_kb AS regular_kb,				-- static's stacks (KiB)
	m.stack_kb AS dynamic_kb,				-- this run's stacks (KiB)
	m.total_kb - m.stack_kb AS pool_kb,			-- its pools, cache, fixed
	100.0 * (s.stack_kb - m.stack_kb) / s.stack_kb
		AS savings_pct,					-- 1 - dynamic/regular, %
	100.0 * (s.total_kb - m.total_kb) / s.total_kb
		AS savings_with_pool_pct,			-- the same with each side's
								-- pools and cache, %
	CASE WHEN t.ram_kb > 0 THEN 100.0 * m.stack_kb / t.ram_kb END
		AS dynamic_ram_pct,				-- dynamic_kb as % of RAM;
								-- NULL: RAM unknown
	CASE WHEN t.ram_kb > 0 THEN 100.0 * (s.total_kb - m.total_kb) / t.ram_kb END
		AS saved_ram_pct,				-- the saving with pools as %
								-- of RAM; NULL: RAM unknown
	r.crashes AS crashes					-- would-be crashes: memory
								-- after the first is no saving
FROM run_memory m
JOIN runs r ON r.key = m.run
JOIN traces t ON t.key = r.trace
LEFT JOIN run_memory s ON s.basis = m.basis AND s.run = (
	SELECT b.key FROM runs b WHERE b.trace = r.trace AND b.policy = 'static'
	AND b.is_default = 1 AND b.engine_version = r.engine_version ORDER BY b.key LIMIT 1);

-- Per-task facts (tasks/tasks.h), computed once per trace at replay whatever
-- the policy.  A task is one life of a tid.  Times are ns of the trace's
-- clock, sizes bytes.  Every per-task answer of the report is a view below.

-- The traces that have their task rows (written whole, in one transaction).
CREATE TABLE task_traces (
	trace			INTEGER PRIMARY KEY REFERENCES traces(key) ON DELETE CASCADE,
							-- the trace (traces.key)
	workload_pid		INTEGER,		-- the recorded command; NULL: none
	tasks			INTEGER NOT NULL,	-- its rows in tasks
	live_peak		INTEGER NOT NULL	-- most tasks alive at once
);

-- One row per task.  NULL: not known or does not apply.
CREATE TABLE tasks (
	trace			INTEGER NOT NULL REFERENCES traces(key) ON DELETE CASCADE,
							-- the trace (traces.key)
	seq			INTEGER NOT NULL,	-- order the trace first named it
	tid			INTEGER NOT NULL,	-- its thread id
	tgid			INTEGER,		-- NULL: never recorded
	comm			TEXT NOT NULL,		-- its last name ('': never named)
	class			TEXT NOT NULL,		-- 'kthread', 'kworker' or 'user'
	in_workload		INTEGER,		-- 1, 0; NULL: no recorded command
	born_ns			INTEGER,		-- NULL: alive when first named
	died_ns			INTEGER,		-- NULL: alive at the end
	life_start_ns		INTEGER NOT NULL,	-- born_ns, else the trace's start
	life_end_ns		INTEGER NOT NULL,	-- died_ns, else the trace's end
	hwm_first		INTEGER NOT NULL,	-- first HWM observed; 0: none
	hwm_first_ns		INTEGER,		-- when hwm_first was observed
	hwm_final		INTEGER NOT NULL,	-- highest HWM observed
	hwm_exit		INTEGER,		-- HWM of the exit scan
	rise_first_ns		INTEGER,		-- NULL: never rose
	rise_last_ns		INTEGER,		-- the last rise: hwm_final first seen
	rises			INTEGER NOT NULL,	-- times its HWM rose above hwm_first
	rises_late		INTEGER NOT NULL,	-- after the first second of its life
	pages			INTEGER NOT NULL,	-- pages of hwm_final
	pages_late_1s		INTEGER NOT NULL,	-- first touched after 1 s of life
	pages_late_10pct	INTEGER NOT NULL,	-- ... after the first 10% of its life
	cross4k_ns		INTEGER,		-- when its HWM was first seen past 4K
	cross8k_ns		INTEGER,		-- ... 8K
	asleep_ns		INTEGER NOT NULL,	-- asleep at a known depth
	asleep_kib_s		REAL NOT NULL,		-- depth x time asleep, KiB x s
	PRIMARY KEY (trace, seq)
) WITHOUT ROWID;

-- Time asleep by the depth bucket of the switch-out (the buckets with time only).
CREATE TABLE task_asleep (
	trace			INTEGER NOT NULL REFERENCES traces(key) ON DELETE CASCADE,
							-- the trace (traces.key)
	seq			INTEGER NOT NULL,	-- the task: tasks(trace, seq)
	bucket_kb		INTEGER NOT NULL,	-- upper bound; 0: above THREAD_SIZE
	asleep_ns		INTEGER NOT NULL,	-- time asleep at such a depth
	kib_s			REAL NOT NULL,		-- depth x time asleep, KiB x s
	PRIMARY KEY (trace, seq, bucket_kb)
) WITHOUT ROWID;

-- The kernel's stack histogram buckets (kstack_1k ... of /proc/vmstat):
-- upper bounds in KiB; a trace uses those up to its THREAD_SIZE, and 0,
-- "above".
CREATE TABLE depth_buckets (
	kb			INTEGER PRIMARY KEY	-- upper bound, KiB; 0: above THREAD_SIZE
);
INSERT INTO depth_buckets (kb) VALUES (1), (2), (4), (8), (16), (32), (64), (128), (256),
	(512), (1024), (0);

-- The classes of the answers, in the reports' order; 'all' is every class.
CREATE TABLE task_classes (
	class			TEXT PRIMARY KEY,	-- tasks.class, or 'all'
	ord			INTEGER NOT NULL	-- its place in the reports
);
INSERT INTO task_classes (class, ord) VALUES ('kthread', 1), ('kworker', 2), ('user', 3),
	('all', 4);

-- Every task once per scope it is in: 'system' (every task of its trace)
-- and, when the trace names its recorded command, 'workload' (the
-- command's fork tree) or 'other' (everything else).
CREATE VIEW task_scopes AS
SELECT
	'system' AS scope,				-- every task of its trace
	k.*						-- the task's row of tasks
FROM tasks k
UNION ALL
SELECT
	CASE k.in_workload WHEN 1 THEN 'workload' ELSE 'other' END,
							-- scope: the command's fork tree, or not
	k.*						-- the task's row of tasks
FROM tasks k WHERE k.in_workload IS NOT NULL;

-- Each (trace, scope) with every class, and with every bucket of its trace.
CREATE VIEW task_groups AS
SELECT
	p.trace AS trace,				-- traces.key
	p.scope AS scope,				-- 'system', 'workload' or 'other'
	c.class AS class,				-- task_classes.class
	c.ord AS ord					-- task_classes.ord
FROM (SELECT DISTINCT trace, scope FROM task_scopes) p JOIN task_classes c;
CREATE VIEW task_cells AS
SELECT
	g.trace AS trace,				-- traces.key
	g.scope AS scope,				-- 'system', 'workload' or 'other'
	g.class AS class,				-- task_classes.class
	g.ord AS ord,					-- task_classes.ord
	b.kb AS bucket_kb				-- depth_buckets.kb of the trace
FROM task_groups g JOIN traces t ON t.key = g.trace
JOIN depth_buckets b ON b.kb = 0 OR b.kb * 1024 <= t.thread_size;

-- The bucket of each task's final HWM and of its exit scan's.
CREATE VIEW task_buckets AS
SELECT
	k.trace AS trace,				-- tasks.trace
	k.seq AS seq,					-- tasks.seq
	coalesce((SELECT min(b.kb) FROM depth_buckets b WHERE b.kb > 0
		AND b.kb * 1024 <= t.thread_size AND k.hwm_final <= b.kb * 1024), 0)
		AS hwm_kb,				-- the bucket of hwm_final
	CASE WHEN k.hwm_exit IS NOT NULL THEN
		coalesce((SELECT min(b.kb) FROM depth_buckets b WHERE b.kb > 0
			AND b.kb * 1024 <= t.thread_size AND k.hwm_exit <= b.kb * 1024), 0)
	END AS exit_kb					-- bucket of hwm_exit; NULL: no exit scan
FROM tasks k JOIN traces t ON t.key = k.trace;

-- 1. Depth distribution: tasks by the bucket of their lifetime HWM: every
-- task (tasks), those alive at the end (alive_end) and those that died
-- (exited).  exited is the kernel's way, what /proc/vmstat's kstack_*
-- counters count: each task once, when it exits, by its lifetime HWM (the
-- kernel measures it late in do_exit; the trace's last sighting is the
-- task's final switch-out, just after).  exit_scan counts the same tasks by
-- the scan at the exit tracepoint, earlier in do_exit: a lower bound.
CREATE VIEW depth_distribution AS
WITH counted AS (
	SELECT s.trace, s.scope, c.class, d.hwm_kb, d.exit_kb, s.died_ns
	FROM task_scopes s JOIN task_buckets d ON d.trace = s.trace AND d.seq = s.seq
	JOIN task_classes c ON c.class IN (s.class, 'all'))
SELECT
	x.trace AS trace,				-- traces.key
	x.scope AS scope,				-- 'system', 'workload' or 'other'
	x.class AS class,				-- a class of task_classes, or 'all'
	x.bucket_kb AS bucket_kb,			-- upper bound, KiB; 0: above THREAD_SIZE
	coalesce(g.tasks, 0) AS tasks,			-- tasks with their lifetime HWM in it
	coalesce(g.alive_end, 0) AS alive_end,		-- ... of them alive at the end
	coalesce(g.exited, 0) AS exited,		-- ... of them that exited
	coalesce(e.exit_scan, 0) AS exit_scan		-- exited tasks by their exit scan's HWM
FROM task_cells x
LEFT JOIN (
	SELECT trace, scope, class, hwm_kb,
		count(*) AS tasks,			-- the cell's tasks
		sum(died_ns IS NULL) AS alive_end,	-- ... alive at the end
		sum(died_ns IS NOT NULL) AS exited	-- ... that exited
	FROM counted GROUP BY trace, scope, class, hwm_kb) g
	ON g.trace = x.trace AND g.scope = x.scope AND g.class = x.class
	AND g.hwm_kb = x.bucket_kb
LEFT JOIN (
	SELECT trace, scope, class, exit_kb,
		count(*) AS exit_scan			-- exited tasks with their scan in the cell
	FROM counted WHERE exit_kb IS NOT NULL AND died_ns IS NOT NULL
	GROUP BY trace, scope, class, exit_kb) e
	ON e.trace = x.trace AND e.scope = x.scope AND e.class = x.class
	AND e.exit_kb = x.bucket_kb;

-- 2. Depth while asleep: time asleep and depth x time (KiB x s) by the
-- bucket of the depth the task slept at, by class.
CREATE VIEW asleep_depth AS
SELECT
	x.trace AS trace,				-- traces.key
	x.scope AS scope,				-- 'system', 'workload' or 'other'
	x.class AS class,				-- a class of task_classes, or 'all'
	x.bucket_kb AS bucket_kb,			-- the depth's bucket: upper bound, KiB;
							-- 0: above THREAD_SIZE
	coalesce(g.asleep_ns, 0) / 1e9 AS asleep_s,	-- time asleep at such a depth, s
	coalesce(g.kib_s, 0.0) AS kib_s			-- depth x time asleep, KiB x s
FROM task_cells x
LEFT JOIN (
	SELECT s.trace, s.scope, c.class, a.bucket_kb,
		sum(a.asleep_ns) AS asleep_ns,		-- the cell's time asleep, ns
		sum(a.kib_s) AS kib_s			-- ... x depth, KiB x s
	FROM task_scopes s JOIN task_classes c ON c.class IN (s.class, 'all')
	JOIN task_asleep a ON a.trace = s.trace AND a.seq = s.seq
	GROUP BY s.trace, s.scope, c.class, a.bucket_kb) g
	ON g.trace = x.trace AND g.scope = x.scope AND g.class = x.class
	AND g.bucket_kb = x.bucket_kb;

-- ... and the time-weighted mean depth of a sleeping task (KiB x s / s).
CREATE VIEW asleep_mean AS
SELECT
	x.trace AS trace,				-- traces.key
	x.scope AS scope,				-- 'system', 'workload' or 'other'
	x.class AS class,				-- a class of task_classes, or 'all'
	coalesce(g.tasks, 0) AS tasks,			-- tasks asleep at a known depth
	coalesce(g.asleep_ns, 0) / 1e9 AS asleep_s,	-- their time asleep, s
	coalesce(g.kib_s, 0.0) AS kib_s,		-- depth x time asleep, KiB x s
	CASE WHEN g.asleep_ns > 0 THEN g.kib_s / (g.asleep_ns / 1e9) END
		AS mean_kib				-- mean depth asleep, KiB; NULL: none
FROM task_groups x
LEFT JOIN (
	SELECT s.trace, s.scope, c.class,
		sum(s.asleep_ns > 0) AS tasks,		-- the group's tasks that slept
		sum(s.asleep_ns) AS asleep_ns,		-- ... their time asleep, ns
		sum(s.asleep_kib_s) AS kib_s		-- ... x depth, KiB x s
	FROM task_scopes s JOIN task_classes c ON c.class IN (s.class, 'all')
	GROUP BY s.trace, s.scope, c.class) g
	ON g.trace = x.trace AND g.scope = x.scope AND g.class = x.class;

-- 3. The latch, per task with a HWM: its life as the trace saw it, whether
-- its HWM rose after the first second or the first 10% of that life, the
-- delay from its first HWM to its final one, and its pages first touched
-- late.
CREATE VIEW task_latch AS
SELECT
	s.trace AS trace,				-- traces.key
	s.scope AS scope,				-- 'system', 'workload' or 'other'
	s.seq AS seq,					-- tasks.seq
	s.tid AS tid,					-- tasks.tid
	s.comm AS comm,					-- tasks.comm
	s.class AS class,				-- tasks.class
	s.life_end_ns - s.life_start_ns AS life_ns,	-- its life as the trace saw it, ns
	s.rises AS rises,				-- times its HWM rose above its first
	s.rises_late AS rises_late,			-- ... after its first second
	coalesce(s.rise_last_ns > s.life_start_ns + 1000000000, 0)
		AS late_1s,				-- 1: its HWM last rose after 1 s of life
	coalesce(s.rise_last_ns >
		s.life_start_ns + (s.life_end_ns - s.life_start_ns) / 10, 0)
		AS late_10pct,				-- 1: ... after the first 10% of its life
	coalesce(s.rise_last_ns - s.hwm_first_ns, 0)
		AS delay_ns,				-- first HWM to final one, ns; 0: never rose
	s.pages AS pages,				-- pages of its final HWM
	s.pages_late_1s AS pages_late_1s,		-- ... first touched after its first second
	s.pages_late_10pct AS pages_late_10pct		-- ... after the first 10% of its life
FROM task_scopes s WHERE s.hwm_first > 0;

-- ... summed over the tasks that lived at least 1 s (kstack report --latch
-- takes another minimum with --min-life).
CREATE VIEW latch AS
SELECT
	trace,						-- traces.key
	scope,						-- 'system', 'workload' or 'other'
	count(*) AS tasks,				-- tasks with a HWM that lived 1 s or more
	sum(rises > 0) AS rose,				-- ... whose HWM rose after its first
	sum(late_1s) AS rose_after_1s,			-- ... last rose after their first second
	sum(rises_late) AS rises_after_1s,		-- rises after a task's first second
	sum(late_10pct) AS rose_after_10pct,		-- ... after the first 10% of their life
	sum(pages) AS pages,				-- pages of their final HWMs
	sum(pages_late_1s) AS pages_late_1s,		-- ... first touched after 1 s of life
	sum(pages_late_10pct) AS pages_late_10pct	-- ... after the first 10% of it
FROM task_latch WHERE life_ns >= 1000000000 GROUP BY trace, scope;

-- ... and the delay from the first HWM to the final one, by decade: upto_ms
-- 0 (never rose), 1, 10, ... 100000, and -1 beyond.
CREATE VIEW latch_delay AS
SELECT
	trace,						-- traces.key
	scope,						-- 'system', 'workload' or 'other'
	CASE WHEN delay_ns = 0 THEN 0 WHEN delay_ns <= 1000000 THEN 1
		WHEN delay_ns <= 10000000 THEN 10 WHEN delay_ns <= 100000000 THEN 100
		WHEN delay_ns <= 1000000000 THEN 1000 WHEN delay_ns <= 10000000000 THEN 10000
		WHEN delay_ns <= 100000000000 THEN 100000 ELSE -1 END
		AS upto_ms,				-- upper bound of the decade, ms;
							-- 0: never rose, -1: above 100 s
	count(*) AS tasks				-- tasks of 1 s or more in the decade
FROM task_latch WHERE life_ns >= 1000000000 GROUP BY trace, scope, upto_ms;

-- 4. Attribution: the processes (comm, tgid) whose tasks went past 4 KiB,
-- with their tasks, those past 4K and 8K, the excursions (the sighting: a
-- switch-out, an exit scan, the stop snapshot, at which a task's HWM first
-- went past 4K, 8K) and the pages above the first 4 KiB.
CREATE VIEW attribution AS
SELECT
	s.trace AS trace,				-- traces.key
	s.scope AS scope,				-- 'system', 'workload' or 'other'
	s.comm AS comm,					-- tasks.comm
	s.tgid AS tgid,					-- tasks.tgid: the process
	count(*) AS tasks,				-- its tasks
	sum(s.hwm_final > 4096) AS past_4k,		-- ... whose HWM went past 4 KiB
	sum(s.hwm_final > 8192) AS past_8k,		-- ... past 8 KiB
	count(s.cross4k_ns) AS excursions_4k,		-- ... seen going past 4 KiB
	count(s.cross8k_ns) AS excursions_8k,		-- ... seen going past 8 KiB
	sum(CASE WHEN s.hwm_final > 4096
		THEN (s.hwm_final - 4096 + t.page_size - 1) / t.page_size ELSE 0 END)
		AS pages_above_4k,			-- pages of their HWMs above the first 4 KiB
	max(s.hwm_final) AS hwm_max			-- the highest HWM of its tasks
FROM task_scopes s JOIN traces t ON t.key = s.trace
GROUP BY s.trace, s.scope, s.comm, s.tgid HAVING sum(s.hwm_final > 4096) > 0;

-- ... and by name alone: how many processes of that name went past 4K.
CREATE VIEW attribution_comm AS
SELECT
	trace,						-- traces.key
	scope,						-- 'system', 'workload' or 'other'
	comm,						-- tasks.comm
	count(*) AS processes,				-- processes of that name past 4 KiB
	sum(tasks) AS tasks,				-- their tasks
	sum(past_4k) AS past_4k,			-- ... whose HWM went past 4 KiB
	sum(past_8k) AS past_8k,			-- ... past 8 KiB
	sum(excursions_4k) AS excursions_4k,		-- ... seen going past 4 KiB
	sum(excursions_8k) AS excursions_8k,		-- ... seen going past 8 KiB
	sum(pages_above_4k) AS pages_above_4k,		-- pages of their HWMs above 4 KiB
	max(hwm_max) AS hwm_max				-- the highest HWM of its tasks
FROM attribution GROUP BY trace, scope, comm;

-- 5. The tail: tasks whose HWM reached 8K, 12K, 14K, those a static 8K or
-- 12K stack would not hold, and the smallest free space any stack kept
-- (THREAD_SIZE - the highest HWM) with that task.
CREATE VIEW tail AS
SELECT
	s.trace AS trace,				-- traces.key
	s.scope AS scope,				-- 'system', 'workload' or 'other'
	count(*) AS tasks,				-- the scope's tasks
	sum(s.hwm_final >= 8192) AS ge_8k,		-- ... whose HWM reached 8 KiB
	sum(s.hwm_final >= 12288) AS ge_12k,		-- ... 12 KiB
	sum(s.hwm_final >= 14336) AS ge_14k,		-- ... 14 KiB
	sum(s.hwm_final > 8192) AS over_8k,		-- ... a static 8K stack would not hold
	sum(s.hwm_final > 12288) AS over_12k,		-- ... nor a 12K one
	max(s.hwm_final) AS hwm_max,			-- the highest HWM, bytes
	t.thread_size - max(s.hwm_final) AS min_free,	-- THREAD_SIZE - hwm_max, bytes
	s.comm AS deepest_comm,				-- the task with hwm_max: its name
	s.tid AS deepest_tid				-- ... and tid
FROM task_scopes s JOIN traces t ON t.key = s.trace GROUP BY s.trace, s.scope;

-- ... and the tasks a static 8K stack would not hold (over_12k: nor 12K).
CREATE VIEW tail_overflow AS
SELECT
	s.trace AS trace,				-- traces.key
	s.scope AS scope,				-- 'system', 'workload' or 'other'
	s.seq AS seq,					-- tasks.seq
	s.tid AS tid,					-- tasks.tid
	s.tgid AS tgid,					-- tasks.tgid
	s.comm AS comm,					-- tasks.comm
	s.class AS class,				-- tasks.class
	s.hwm_final AS hwm_final,			-- its HWM, bytes: above 8 KiB
	s.hwm_final > 12288 AS over_12k,		-- 1: nor would a 12K stack hold it
	t.thread_size - s.hwm_final AS free		-- its stack's space never used, bytes
FROM task_scopes s JOIN traces t ON t.key = s.trace WHERE s.hwm_final > 8192;

-- 6. Census: tasks by class, alive at the start (not born in the trace) and
-- at the end, born and died; their fixed stacks at the start and the end
-- (THREAD_SIZE each), in KiB, and those at the end as a share of RAM (NULL
-- when the trace does not know its RAM).
CREATE VIEW census AS
SELECT
	x.trace AS trace,				-- traces.key
	x.scope AS scope,				-- 'system', 'workload' or 'other'
	x.class AS class,				-- a class of task_classes, or 'all'
	coalesce(g.tasks, 0) AS tasks,			-- its tasks
	coalesce(g.alive_start, 0) AS alive_start,	-- ... alive at the start
	coalesce(g.alive_end, 0) AS alive_end,		-- ... alive at the end
	coalesce(g.born, 0) AS born,			-- ... born in the trace
	coalesce(g.died, 0) AS died,			-- ... that died in it
	coalesce(g.alive_start, 0) * t.thread_size / 1024
		AS stack_kb_start,			-- fixed stacks at the start, KiB
	coalesce(g.alive_end, 0) * t.thread_size / 1024
		AS stack_kb_end,			-- ... at the end, KiB
	CASE WHEN t.ram_kb > 0
		THEN 100.0 * coalesce(g.alive_end, 0) * t.thread_size / 1024 / t.ram_kb
	END AS stack_pct_ram				-- stack_kb_end as % of RAM; NULL: unknown
FROM task_groups x JOIN traces t ON t.key = x.trace
LEFT JOIN (
	SELECT s.trace, s.scope, c.class,
		count(*) AS tasks,			-- the group's tasks
		sum(s.born_ns IS NULL) AS alive_start,	-- ... not born in the trace
		sum(s.died_ns IS NULL) AS alive_end,	-- ... that did not die in it
		sum(s.born_ns IS NOT NULL) AS born,	-- ... born in it
		sum(s.died_ns IS NOT NULL) AS died	-- ... that died in it
	FROM task_scopes s JOIN task_classes c ON c.class IN (s.class, 'all')
	GROUP BY s.trace, s.scope, c.class) g
	ON g.trace = x.trace AND g.scope = x.scope AND g.class = x.class;
