-- SPDX-License-Identifier: MIT
-- The kstack results database.  This file is the only definition of the
-- schema: it is embedded into the kstack binary at build time and run on
-- every new database.  Any change to it bumps user_version below; kstack
-- refuses a database of another version (an older one is replayed again:
-- version 2 added run_params and runs.is_default; version 3 the memory
-- bases, the savings view and its lookup tables, crash comms, replicates).
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
	total_pages_peak	INTEGER NOT NULL,
	stack_pages_mean	REAL NOT NULL,
	pool_pages_mean		REAL NOT NULL,
	total_pages_mean	REAL NOT NULL,
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
	cache_pages		INTEGER NOT NULL,
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
	reason			INTEGER NOT NULL,	-- enum ks_crash_reason
	comm			TEXT NOT NULL,
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
