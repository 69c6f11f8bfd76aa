-- SPDX-License-Identifier: MIT
-- The kstack results database.  This file is the only definition of the
-- schema: it is embedded into the kstack binary at build time and run on
-- every new database.  Any change to it bumps user_version below; kstack
-- refuses a database of another version (an older one is replayed again:
-- version 2 added run_params and runs.is_default; version 3 the counters of
-- page-table and TLB work, reclaim, refaults and admission, and the per-task
-- tables and their views).
--
-- 64-bit unsigned values (seeds, trace ids) that may exceed 2^63 are
-- stored as the signed integer of the same bits.
PRAGMA user_version = 3;

-- One row per trace, found again by its identity (kst_info.id, 16 hex digits).
-- The row key gives the insertion order that tables and charts follow.
CREATE TABLE traces (
	key			INTEGER PRIMARY KEY,
	id			TEXT NOT NULL UNIQUE,
	label			TEXT NOT NULL,
	host			TEXT NOT NULL,
	kernel			TEXT NOT NULL,
	arch			TEXT NOT NULL,
	collector		TEXT NOT NULL,
	options			TEXT NOT NULL,
	clock			TEXT NOT NULL,
	format_version		INTEGER NOT NULL,
	ncpus			INTEGER NOT NULL,
	page_size		INTEGER NOT NULL,
	thread_size		INTEGER NOT NULL,
	depth_source		INTEGER NOT NULL,	-- enum kst_depth_source
	start_ns		INTEGER NOT NULL,
	end_ns			INTEGER NOT NULL,
	nr_kernel_stack_start_kb INTEGER NOT NULL,	-- -1 unknown
	nr_kernel_stack_end_kb	INTEGER NOT NULL,	-- -1 unknown
	ram_kb			INTEGER NOT NULL,	-- 0 unknown
	nr_events		INTEGER NOT NULL,
	lost_events		INTEGER NOT NULL,	-- all sources, all CPUs
	truncated		INTEGER NOT NULL,	-- 1: recording was interrupted
	synth_seed		INTEGER NOT NULL,
	path			TEXT NOT NULL		-- informational
);

-- One row per (trace, configuration).  Every counter of engine.h's
-- KS_COUNTERS is a column of the same name (a unit test checks it).
CREATE TABLE runs (
	key			INTEGER PRIMARY KEY,
	trace			INTEGER NOT NULL REFERENCES traces(key) ON DELETE CASCADE,
	policy			TEXT NOT NULL,
	params			TEXT NOT NULL,		-- canonical spec
	is_default		INTEGER NOT NULL,	-- 1: the policy at its defaults on
							-- this trace's machine
	engine_version		TEXT NOT NULL,
	seed			INTEGER NOT NULL,
	complete		INTEGER NOT NULL,	-- 0: the trace was truncated
	wall_ns			INTEGER NOT NULL,	-- informational
	page_size		INTEGER NOT NULL,
	thread_size		INTEGER NOT NULL,
	ncpus			INTEGER NOT NULL,
	start_ns		INTEGER NOT NULL,
	end_ns			INTEGER NOT NULL,
	events			INTEGER NOT NULL,
	switches		INTEGER NOT NULL,
	tasks_end		INTEGER NOT NULL,
	tasks_peak		INTEGER NOT NULL,
	forks			INTEGER NOT NULL,
	exits			INTEGER NOT NULL,
	stack_pages_end		INTEGER NOT NULL,
	stack_pages_peak	INTEGER NOT NULL,
	kernel_stack_kb_end	INTEGER NOT NULL,
	dyn_faults_kb_end	INTEGER NOT NULL,
	pool_pages_end		INTEGER NOT NULL,
	pool_pages_peak		INTEGER NOT NULL,
	global_pages_end	INTEGER NOT NULL,
	cache_pages_end		INTEGER NOT NULL,
	extra_pages		INTEGER NOT NULL,
	faults			INTEGER NOT NULL,
	fault_pages		INTEGER NOT NULL,
	pool_hits		INTEGER NOT NULL,
	fallback_hits		INTEGER NOT NULL,
	lock_acquisitions	INTEGER NOT NULL,
	refills			INTEGER NOT NULL,
	refill_pages		INTEGER NOT NULL,
	refill_failures		INTEGER NOT NULL,
	refill_latency_ns	INTEGER NOT NULL,
	charges			INTEGER NOT NULL,
	inherited_pages		INTEGER NOT NULL,
	alloc_attempts		INTEGER NOT NULL,
	alloc_failures		INTEGER NOT NULL,
	crashes			INTEGER NOT NULL,
	overflows		INTEGER NOT NULL,
	leaked_pages		INTEGER NOT NULL,
	maps			INTEGER NOT NULL,
	unmaps			INTEGER NOT NULL,
	tlb_flushes		INTEGER NOT NULL,
	kfaults			INTEGER NOT NULL,
	sync_exceptions		INTEGER NOT NULL,
	copy_bytes		INTEGER NOT NULL,
	downgrades		INTEGER NOT NULL,
	entries			INTEGER NOT NULL,
	waits			INTEGER NOT NULL,
	wait_ns			INTEGER NOT NULL,
	lost_events		INTEGER NOT NULL,
	-- page-table and TLB work, reclaim, refaults, admission (version 3)
	pte_writes		INTEGER NOT NULL,
	abit_checks		INTEGER NOT NULL,
	switch_alloc_pages	INTEGER NOT NULL,
	switch_free_pages	INTEGER NOT NULL,
	reclaimed_pages		INTEGER NOT NULL,
	reclaim_passes		INTEGER NOT NULL,
	tlb_local_flushes	INTEGER NOT NULL,	-- tlb_flushes = local + shootdowns
	tlb_shootdowns		INTEGER NOT NULL,
	ipis			INTEGER NOT NULL,
	refaults		INTEGER NOT NULL,
	refault_delay_ns	INTEGER NOT NULL,
	refault_delay_max_ns	INTEGER NOT NULL,
	admission_waits		INTEGER NOT NULL,
	admission_wait_ns	INTEGER NOT NULL,
	asleep_page_ns		INTEGER NOT NULL,	-- page-ns; / (end_ns - start_ns) = mean
	stack_pages_mean	REAL NOT NULL,
	pool_pages_mean		REAL NOT NULL,
	UNIQUE (trace, policy, params, engine_version, seed)
);

-- Every parameter of a run, defaults applied and "auto" resolved: runs.params
-- one key at a time, so that reports select and group runs in SQL.
CREATE TABLE run_params (
	run			INTEGER NOT NULL REFERENCES runs(key) ON DELETE CASCADE,
	key			TEXT NOT NULL,
	value			TEXT NOT NULL,		-- canonical, as in runs.params
	is_default		INTEGER NOT NULL,	-- 1: the value the policy named alone
							-- takes on this trace's machine
	PRIMARY KEY (run, key)
) WITHOUT ROWID;

-- Memory over time, decimated by the engine (at most KS_MAX_SAMPLES a run).
CREATE TABLE samples (
	run			INTEGER NOT NULL REFERENCES runs(key) ON DELETE CASCADE,
	seq			INTEGER NOT NULL,
	time			INTEGER NOT NULL,	-- ns, trace clock
	stack_pages		INTEGER NOT NULL,
	pool_pages		INTEGER NOT NULL,
	kernel_stack_kb		INTEGER NOT NULL,
	tasks			INTEGER NOT NULL,
	crashes			INTEGER NOT NULL,	-- cumulative
	PRIMARY KEY (run, seq)
) WITHOUT ROWID;

-- Would-be crashes kept in detail (all are counted in runs.crashes).
CREATE TABLE crashes (
	run			INTEGER NOT NULL REFERENCES runs(key) ON DELETE CASCADE,
	seq			INTEGER NOT NULL,
	time			INTEGER NOT NULL,
	cpu			INTEGER NOT NULL,
	tid			INTEGER NOT NULL,
	pages			INTEGER NOT NULL,
	reason			INTEGER NOT NULL,	-- enum ks_crash_reason (3: starved)
	PRIMARY KEY (run, seq)
) WITHOUT ROWID;

-- Lifetime stack high-water marks: bucket i holds tasks whose HWM lies in
-- (2^(i-1) KiB, 2^i KiB]; bucket 0 is <= 1 KiB.  kb = 2^i.
CREATE TABLE hwm_hist (
	run			INTEGER NOT NULL REFERENCES runs(key) ON DELETE CASCADE,
	bucket			INTEGER NOT NULL,
	kb			INTEGER NOT NULL,
	tasks			INTEGER NOT NULL,
	PRIMARY KEY (run, bucket)
) WITHOUT ROWID;

-- Per-task facts (tasks/tasks.h), computed once per trace at replay whatever
-- the policy.  A task is one life of a tid.  Times are ns of the trace's
-- clock, sizes bytes.  Every per-task answer of the report is a view below.

-- The traces that have their task rows (written whole, in one transaction).
CREATE TABLE task_traces (
	trace			INTEGER PRIMARY KEY REFERENCES traces(key) ON DELETE CASCADE,
	workload_pid		INTEGER,		-- the recorded command; NULL: none
	tasks			INTEGER NOT NULL,
	live_peak		INTEGER NOT NULL	-- most tasks alive at once
);

-- One row per task.  NULL: not known or does not apply.
CREATE TABLE tasks (
	trace			INTEGER NOT NULL REFERENCES traces(key) ON DELETE CASCADE,
	seq			INTEGER NOT NULL,	-- order the trace first named it
	tid			INTEGER NOT NULL,
	tgid			INTEGER,		-- NULL: never recorded
	comm			TEXT NOT NULL,		-- its last name ('': never named)
	class			TEXT NOT NULL,		-- 'kthread', 'kworker' or 'user'
	in_workload		INTEGER,		-- 1, 0; NULL: no recorded command
	born_ns			INTEGER,		-- NULL: alive when first named
	died_ns			INTEGER,		-- NULL: alive at the end
	life_start_ns		INTEGER NOT NULL,	-- born_ns, else the trace's start
	life_end_ns		INTEGER NOT NULL,	-- died_ns, else the trace's end
	hwm_first		INTEGER NOT NULL,	-- first HWM observed; 0: none
	hwm_first_ns		INTEGER,
	hwm_final		INTEGER NOT NULL,	-- highest HWM observed
	hwm_exit		INTEGER,		-- HWM of the exit scan
	rise_first_ns		INTEGER,		-- NULL: never rose
	rise_last_ns		INTEGER,
	rises			INTEGER NOT NULL,
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
	seq			INTEGER NOT NULL,	-- the task: tasks(trace, seq)
	bucket_kb		INTEGER NOT NULL,	-- upper bound; 0: above THREAD_SIZE
	asleep_ns		INTEGER NOT NULL,
	kib_s			REAL NOT NULL,
	PRIMARY KEY (trace, seq, bucket_kb)
) WITHOUT ROWID;

-- The kernel's stack histogram buckets (kstack_1k ... of /proc/vmstat):
-- upper bounds in KiB; a trace uses those up to its THREAD_SIZE, and 0,
-- "above".
CREATE TABLE depth_buckets (kb INTEGER PRIMARY KEY);
INSERT INTO depth_buckets (kb) VALUES (1), (2), (4), (8), (16), (32), (64), (128), (256),
	(512), (1024), (0);

-- The classes of the answers, in the reports' order; 'all' is every class.
CREATE TABLE task_classes (class TEXT PRIMARY KEY, ord INTEGER NOT NULL);
INSERT INTO task_classes (class, ord) VALUES ('kthread', 1), ('kworker', 2), ('user', 3),
	('all', 4);

-- Every task once per scope it is in: 'system' (every task of its trace)
-- and, when the trace names its recorded command, 'workload' (the
-- command's fork tree) or 'other' (everything else).
CREATE VIEW task_scopes AS
	SELECT 'system' AS scope, k.* FROM tasks k
	UNION ALL
	SELECT CASE k.in_workload WHEN 1 THEN 'workload' ELSE 'other' END, k.*
	FROM tasks k WHERE k.in_workload IS NOT NULL;

-- Each (trace, scope) with every class, and with every bucket of its trace.
CREATE VIEW task_groups AS
	SELECT p.trace, p.scope, c.class, c.ord
	FROM (SELECT DISTINCT trace, scope FROM task_scopes) p JOIN task_classes c;
CREATE VIEW task_cells AS
	SELECT g.trace, g.scope, g.class, g.ord, b.kb AS bucket_kb
	FROM task_groups g JOIN traces t ON t.key = g.trace
	JOIN depth_buckets b ON b.kb = 0 OR b.kb * 1024 <= t.thread_size;

-- The bucket of each task's final HWM and of its exit scan's.
CREATE VIEW task_buckets AS
	SELECT k.trace, k.seq,
		coalesce((SELECT min(b.kb) FROM depth_buckets b WHERE b.kb > 0
			AND b.kb * 1024 <= t.thread_size AND k.hwm_final <= b.kb * 1024), 0)
			AS hwm_kb,
		CASE WHEN k.hwm_exit IS NOT NULL THEN
			coalesce((SELECT min(b.kb) FROM depth_buckets b WHERE b.kb > 0
				AND b.kb * 1024 <= t.thread_size AND k.hwm_exit <= b.kb * 1024), 0)
		END AS exit_kb
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
	SELECT x.trace, x.scope, x.class, x.bucket_kb, coalesce(g.tasks, 0) AS tasks,
		coalesce(g.alive_end, 0) AS alive_end, coalesce(g.exited, 0) AS exited,
		coalesce(e.exit_scan, 0) AS exit_scan
	FROM task_cells x
	LEFT JOIN (SELECT trace, scope, class, hwm_kb, count(*) AS tasks,
			sum(died_ns IS NULL) AS alive_end, sum(died_ns IS NOT NULL) AS exited
		FROM counted GROUP BY trace, scope, class, hwm_kb) g
		ON g.trace = x.trace AND g.scope = x.scope AND g.class = x.class
		AND g.hwm_kb = x.bucket_kb
	LEFT JOIN (SELECT trace, scope, class, exit_kb, count(*) AS exit_scan
		FROM counted WHERE exit_kb IS NOT NULL AND died_ns IS NOT NULL
		GROUP BY trace, scope, class, exit_kb) e
		ON e.trace = x.trace AND e.scope = x.scope AND e.class = x.class
		AND e.exit_kb = x.bucket_kb;

-- 2. Depth while asleep: time asleep and depth x time (KiB x s) by the
-- bucket of the depth the task slept at, by class.
CREATE VIEW asleep_depth AS
	SELECT x.trace, x.scope, x.class, x.bucket_kb,
		coalesce(g.asleep_ns, 0) / 1e9 AS asleep_s, coalesce(g.kib_s, 0.0) AS kib_s
	FROM task_cells x
	LEFT JOIN (SELECT s.trace, s.scope, c.class, a.bucket_kb, sum(a.asleep_ns) AS asleep_ns,
			sum(a.kib_s) AS kib_s
		FROM task_scopes s JOIN task_classes c ON c.class IN (s.class, 'all')
		JOIN task_asleep a ON a.trace = s.trace AND a.seq = s.seq
		GROUP BY s.trace, s.scope, c.class, a.bucket_kb) g
		ON g.trace = x.trace AND g.scope = x.scope AND g.class = x.class
		AND g.bucket_kb = x.bucket_kb;

-- ... and the time-weighted mean depth of a sleeping task (KiB x s / s).
CREATE VIEW asleep_mean AS
	SELECT x.trace, x.scope, x.class, coalesce(g.tasks, 0) AS tasks,
		coalesce(g.asleep_ns, 0) / 1e9 AS asleep_s, coalesce(g.kib_s, 0.0) AS kib_s,
		CASE WHEN g.asleep_ns > 0 THEN g.kib_s / (g.asleep_ns / 1e9) END AS mean_kib
	FROM task_groups x
	LEFT JOIN (SELECT s.trace, s.scope, c.class, sum(s.asleep_ns > 0) AS tasks,
			sum(s.asleep_ns) AS asleep_ns, sum(s.asleep_kib_s) AS kib_s
		FROM task_scopes s JOIN task_classes c ON c.class IN (s.class, 'all')
		GROUP BY s.trace, s.scope, c.class) g
		ON g.trace = x.trace AND g.scope = x.scope AND g.class = x.class;

-- 3. The latch, per task with a HWM: its life as the trace saw it, whether
-- its HWM rose after the first second or the first 10% of that life, the
-- delay from its first HWM to its final one, and its pages first touched
-- late.
CREATE VIEW task_latch AS
	SELECT s.trace, s.scope, s.seq, s.tid, s.comm, s.class,
		s.life_end_ns - s.life_start_ns AS life_ns, s.rises, s.rises_late,
		coalesce(s.rise_last_ns > s.life_start_ns + 1000000000, 0) AS late_1s,
		coalesce(s.rise_last_ns >
			s.life_start_ns + (s.life_end_ns - s.life_start_ns) / 10, 0)
			AS late_10pct,
		coalesce(s.rise_last_ns - s.hwm_first_ns, 0) AS delay_ns,
		s.pages, s.pages_late_1s, s.pages_late_10pct
	FROM task_scopes s WHERE s.hwm_first > 0;

-- ... summed over the tasks that lived at least 1 s (kstack report --latch
-- takes another minimum with --min-life).
CREATE VIEW latch AS
	SELECT trace, scope, count(*) AS tasks, sum(rises > 0) AS rose,
		sum(late_1s) AS rose_after_1s, sum(rises_late) AS rises_after_1s,
		sum(late_10pct) AS rose_after_10pct, sum(pages) AS pages,
		sum(pages_late_1s) AS pages_late_1s, sum(pages_late_10pct) AS pages_late_10pct
	FROM task_latch WHERE life_ns >= 1000000000 GROUP BY trace, scope;

-- ... and the delay from the first HWM to the final one, by decade: upto_ms
-- 0 (never rose), 1, 10, ... 100000, and -1 beyond.
CREATE VIEW latch_delay AS
	SELECT trace, scope, CASE WHEN delay_ns = 0 THEN 0 WHEN delay_ns <= 1000000 THEN 1
		WHEN delay_ns <= 10000000 THEN 10 WHEN delay_ns <= 100000000 THEN 100
		WHEN delay_ns <= 1000000000 THEN 1000 WHEN delay_ns <= 10000000000 THEN 10000
		WHEN delay_ns <= 100000000000 THEN 100000 ELSE -1 END AS upto_ms, count(*) AS tasks
	FROM task_latch WHERE life_ns >= 1000000000 GROUP BY trace, scope, upto_ms;

-- 4. Attribution: the processes (comm, tgid) whose tasks went past 4 KiB,
-- with their tasks, those past 4K and 8K, the excursions (the sighting: a
-- switch-out, an exit scan, the stop snapshot, at which a task's HWM first
-- went past 4K, 8K) and the pages above the first 4 KiB.
CREATE VIEW attribution AS
	SELECT s.trace, s.scope, s.comm, s.tgid, count(*) AS tasks,
		sum(s.hwm_final > 4096) AS past_4k, sum(s.hwm_final > 8192) AS past_8k,
		count(s.cross4k_ns) AS excursions_4k, count(s.cross8k_ns) AS excursions_8k,
		sum(CASE WHEN s.hwm_final > 4096
			THEN (s.hwm_final - 4096 + t.page_size - 1) / t.page_size ELSE 0 END)
			AS pages_above_4k,
		max(s.hwm_final) AS hwm_max
	FROM task_scopes s JOIN traces t ON t.key = s.trace
	GROUP BY s.trace, s.scope, s.comm, s.tgid HAVING sum(s.hwm_final > 4096) > 0;

-- ... and by name alone: how many processes of that name went past 4K.
CREATE VIEW attribution_comm AS
	SELECT trace, scope, comm, count(*) AS processes, sum(tasks) AS tasks,
		sum(past_4k) AS past_4k, sum(past_8k) AS past_8k,
		sum(excursions_4k) AS excursions_4k, sum(excursions_8k) AS excursions_8k,
		sum(pages_above_4k) AS pages_above_4k, max(hwm_max) AS hwm_max
	FROM attribution GROUP BY trace, scope, comm;

-- 5. The tail: tasks whose HWM reached 8K, 12K, 14K, those a static 8K or
-- 12K stack would not hold, and the smallest free space any stack kept
-- (THREAD_SIZE - the highest HWM) with that task.
CREATE VIEW tail AS
	SELECT s.trace, s.scope, count(*) AS tasks, sum(s.hwm_final >= 8192) AS ge_8k,
		sum(s.hwm_final >= 12288) AS ge_12k, sum(s.hwm_final >= 14336) AS ge_14k,
		sum(s.hwm_final > 8192) AS over_8k, sum(s.hwm_final > 12288) AS over_12k,
		max(s.hwm_final) AS hwm_max, t.thread_size - max(s.hwm_final) AS min_free,
		s.comm AS deepest_comm, s.tid AS deepest_tid
	FROM task_scopes s JOIN traces t ON t.key = s.trace GROUP BY s.trace, s.scope;

-- ... and the tasks a static 8K stack would not hold (over_12k: nor 12K).
CREATE VIEW tail_overflow AS
	SELECT s.trace, s.scope, s.seq, s.tid, s.tgid, s.comm, s.class, s.hwm_final,
		s.hwm_final > 12288 AS over_12k, t.thread_size - s.hwm_final AS free
	FROM task_scopes s JOIN traces t ON t.key = s.trace WHERE s.hwm_final > 8192;

-- 6. Census: tasks by class, alive at the start (not born in the trace) and
-- at the end, born and died; their fixed stacks at the start and the end
-- (THREAD_SIZE each), in KiB, and those at the end as a share of RAM (NULL
-- when the trace does not know its RAM).
CREATE VIEW census AS
	SELECT x.trace, x.scope, x.class, coalesce(g.tasks, 0) AS tasks,
		coalesce(g.alive_start, 0) AS alive_start, coalesce(g.alive_end, 0) AS alive_end,
		coalesce(g.born, 0) AS born, coalesce(g.died, 0) AS died,
		coalesce(g.alive_start, 0) * t.thread_size / 1024 AS stack_kb_start,
		coalesce(g.alive_end, 0) * t.thread_size / 1024 AS stack_kb_end,
		CASE WHEN t.ram_kb > 0
			THEN 100.0 * coalesce(g.alive_end, 0) * t.thread_size / 1024 / t.ram_kb
		END AS stack_pct_ram
	FROM task_groups x JOIN traces t ON t.key = x.trace
	LEFT JOIN (SELECT s.trace, s.scope, c.class, count(*) AS tasks,
			sum(s.born_ns IS NULL) AS alive_start, sum(s.died_ns IS NULL) AS alive_end,
			sum(s.born_ns IS NOT NULL) AS born, sum(s.died_ns IS NOT NULL) AS died
		FROM task_scopes s JOIN task_classes c ON c.class IN (s.class, 'all')
		GROUP BY s.trace, s.scope, c.class) g
		ON g.trace = x.trace AND g.scope = x.scope AND g.class = x.class;
