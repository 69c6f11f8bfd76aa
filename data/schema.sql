-- SPDX-License-Identifier: MIT
-- The kstack results database.  This file is the only definition of the
-- schema: it is embedded into the kstack binary at build time and run on
-- every new database.  Any change to it bumps user_version below; kstack
-- refuses a database of another version (an older one is replayed again:
-- version 2 added run_params and runs.is_default; version 3 the memory
-- bases, the savings view and its lookup tables, crash comms, replicates).
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
	(2, 'overflow', 'the stack grew to its base (guard page)');

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
