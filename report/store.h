/* SPDX-License-Identifier: MIT */
/*
 * The results store: every sqlite3_* call of kstack sits behind this
 * interface.  The schema is data/schema.sql, versioned with
 * PRAGMA user_version; a database of another version is refused.
 *
 * Each run is written in one transaction, so an interrupted replay leaves
 * the database consistent: whole runs or nothing.
 *
 * A store handle may be shared by threads: the store serialises its own
 * reads and writes with a mutex.  Nothing outside the store sees SQLite:
 * the report asks it for rows (ks_store_runs(), ks_store_samples(),
 * ks_store_hwm()).
 */
#ifndef KS_STORE_H
#define KS_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "ks_err.h"
#include "kst.h"
#include "engine.h"

struct ks_store;

/** ks_store_open() - open or create the database at @path, checking its schema */
int ks_store_open(struct ks_store **out, const char *path, struct ks_error *err);
/**
 * ks_store_open_ro() - open an existing database read-only (reports)
 *
 * Return: 0, -ENOENT ("PATH: no such database"), -KS_E_DB (not a SQLite
 * file), -KS_E_SCHEMA (not a kstack database, or another schema version).
 */
int ks_store_open_ro(struct ks_store **out, const char *path, struct ks_error *err);
/** ks_store_close() - accepts NULL */
void ks_store_close(struct ks_store *s);

/**
 * ks_store_put_trace() - record a trace (or find it again by info->id)
 * @path: where it was read from (informational)
 * @trace_key: out, the trace's row key for ks_store_put_run()
 */
int ks_store_put_trace(struct ks_store *s, const struct kst_info *info, const char *path,
		       int64_t *trace_key, struct ks_error *err);

/**
 * ks_store_put_run() - store one run in one transaction
 * @complete: false if the trace was truncated (the run is marked so)
 * @wall_ns: how long the replay took (informational, not part of the result)
 *
 * A run with the same (trace, policy, params, engine version, seed) replaces
 * the earlier one, so replaying twice does not duplicate rows.
 */
int ks_store_put_run(struct ks_store *s, int64_t trace_key, const struct ks_result *res,
		     int complete, uint64_t wall_ns, struct ks_error *err);

/** ks_store_path() - the path the store was opened with, for messages */
const char *ks_store_path(const struct ks_store *s);

/*
 * Reading, for report/ (store_read.c).  The rows are report/rows.h's: the
 * report picks and labels them, the store only fetches them.
 */
struct ks_rowset;

/**
 * ks_store_runs() - every stored run with its trace, counters, parameters
 * (run_params, by name), the pool sweep it belongs to, the values of
 * pool=, fail_rate= and entries= it has, its first would-be crash and its
 * figures on every basis from the savings view, into @rs (zeroed by the
 * caller), in run key order
 *
 * A pool sweep is found in SQL: runs of one trace, policy, engine version
 * and seed, each with a whole-number pool=, whose keys are the same and
 * agree on every value but pool= (two runs at least); it is named by its
 * first run's key.
 * Return: 0, -ENOMEM or -KS_E_DB; on failure @rs may hold rows to release.
 */
int ks_store_runs(struct ks_store *s, struct ks_rowset *rs, struct ks_error *err);

/* One point of a run's memory over time. */
struct ks_store_point {
	int64_t time_ns;	/* since the run started */
	int64_t stack_kb;	/* mapped to stacks */
	int64_t pool_kb;	/* held in pools */
	int64_t cache_kb;	/* held by cached (freed) stacks */
};

/**
 * ks_store_samples() - the memory-over-time series of run @run
 * @pts: out, a malloc'ed array of *@n points in time order (NULL if none);
 *	free() it
 * Return: 0, -ENOMEM or -KS_E_DB.
 */
int ks_store_samples(struct ks_store *s, int64_t run, struct ks_store_point **pts, size_t *n,
		     struct ks_error *err);

/**
 * ks_store_hwm() - the high-water-mark histogram of run @run
 * @hist: out, @hist[b] = tasks in bucket b, for b < @max (zeroed first)
 * @nb: out, one past the highest bucket below @max stored (0: none)
 * Return: 0 or -KS_E_DB.
 */
int ks_store_hwm(struct ks_store *s, int64_t run, uint64_t *hist, size_t max, size_t *nb,
		 struct ks_error *err);

/*
 * Per-task facts (store_tasks.c): the rows of tasks/tasks.h for one trace,
 * collected while the trace is replayed and written at the end in one
 * transaction.  Until then they wait in a temporary table of this
 * connection (on disk, not in memory, and no lock on the database), so an
 * interrupted replay leaves nothing of them, and a trace read from a pipe
 * (whose identity is known only at its end) is stored under its identity.
 */
struct ks_task_row;
struct ks_store_tasks;

/**
 * ks_store_tasks_known() - whether the trace of @info (its id) has its
 * task rows already, so that a replay need not compute them again
 */
int ks_store_tasks_known(struct ks_store *s, const struct kst_info *info, bool *known,
			 struct ks_error *err);

/**
 * ks_store_tasks_begin() - start collecting one trace's task rows
 * @nbuckets: depth buckets of its THREAD_SIZE (ks_tasks_buckets())
 * @out: the collection; end it with ks_store_tasks_commit() or _abort()
 */
int ks_store_tasks_begin(struct ks_store *s, uint32_t thread_size,
			 struct ks_store_tasks **out, struct ks_error *err);

/**
 * ks_store_tasks_put() - add one row (a ks_tasks_sink: callable from
 * another thread than the one that began)
 * Return: 0 or -KS_E_DB; the error is kept for ks_store_tasks_commit().
 */
int ks_store_tasks_put(void *tx, const struct ks_task_row *row);

/**
 * ks_store_tasks_commit() - write the rows under @trace_key
 * (ks_store_put_trace()), replacing any the trace had, with the trace's
 * summary, in one transaction; frees @tx
 * @workload_pid: the recorded command, 0 for none
 * @live_peak: the most tasks alive at once
 *
 * Return: 0, the first error of ks_store_tasks_put(), or -KS_E_DB.
 */
int ks_store_tasks_commit(struct ks_store_tasks *tx, int64_t trace_key, uint32_t workload_pid,
			  uint64_t live_peak, struct ks_error *err);

/** ks_store_tasks_abort() - drop what was collected; accepts NULL */
void ks_store_tasks_abort(struct ks_store_tasks *tx);

/*
 * The per-task answers, read from the views of data/schema.sql
 * (store_answers.c): each a table of values with named columns, in the
 * order the reports print them (trace, scope: system, workload, other;
 * class: kthread, kworker, user, all; buckets ascending, "above" last).
 */
enum ks_answer {
	KS_ANSWER_TRACES,	/* the traces with task rows: label, id, thread_size, ... */
	KS_ANSWER_DEPTH,	/* depth_distribution */
	KS_ANSWER_ASLEEP,	/* asleep_depth, with asleep_mean's mean_kib */
	KS_ANSWER_LATCH,	/* latch with the delay distribution, for min_life_ns */
	KS_ANSWER_LATCH_TASKS,	/* task_latch: each task's delay, for min_life_ns */
	KS_ANSWER_ATTRIBUTION,	/* attribution, by pages above 4K */
	KS_ANSWER_ATTRIBUTION_COMM,	/* attribution_comm, by pages above 4K */
	KS_ANSWER_TAIL,		/* tail */
	KS_ANSWER_OVERFLOW,	/* tail_overflow, deepest first */
	KS_ANSWER_CENSUS,	/* census */
	KS_ANSWER_TRACE_INFO,	/* every trace's header: kernel, CPUs, RAM, duration, ... */
};

/* Which rows: NULL / 0 for all. */
struct ks_answer_filter {
	const char *trace;		/* a trace's label or id */
	const char *scope;		/* "system", "workload" or "other" */
	int64_t min_life_ns;		/* the latch's tasks: lived at least this long */
};

struct ks_value {
	int64_t i;
	double d;
	char *s;			/* text, NULL for a number or NULL */
	bool null;
};

struct ks_answer_rows {
	char **names;			/* @ncols column names */
	struct ks_value *v;		/* @nrows x @ncols, row-major */
	size_t ncols;
	size_t nrows;
};

/**
 * ks_store_answer() - the rows of answer @which that @f selects, into @out
 * Return: 0, -ENOMEM or -KS_E_DB; release @out in any case.
 */
int ks_store_answer(struct ks_store *s, enum ks_answer which, const struct ks_answer_filter *f,
		    struct ks_answer_rows *out, struct ks_error *err);
/** ks_answer_col() - the index of column @name, or -1 */
int ks_answer_col(const struct ks_answer_rows *a, const char *name);
/** ks_answer_at() - the value of row @row, column @name (a NULL value if none) */
const struct ks_value *ks_answer_at(const struct ks_answer_rows *a, size_t row,
				    const char *name);
/** ks_answer_release() - free what @a holds; accepts a zeroed @a */
void ks_answer_release(struct ks_answer_rows *a);

/*
 * The fleet report's hosts (store_fleet.c): one row per trace, which stands
 * for the machine it was recorded on, with what the fleet report sums.
 */
struct ks_fleet_host {
	char id[17];		/* the trace's identity, 16 hex digits */
	char label[64];
	char kernel[128];
	char arch[32];
	uint64_t tasks;		/* its task rows (tasks: one life of a thread each) */
	uint64_t le_kb[3];	/* of which the lifetime HWM is <= 4, 8, 16 KiB */
	double regular_kb;	/* static's mean stack KiB (savings.regular_kb, mean) */
	double dynamic_kb;	/* the policy's (savings.dynamic_kb, mean) */
	uint64_t crashes;	/* would-be crashes of the policy's run */
	uint32_t thread_size;
	bool has_tasks;		/* the trace has its task rows (task_traces) */
	bool has_run;		/* a run of the policy at its defaults */
	bool has_saving;	/* ... and a static run to compare it with */
};

/**
 * ks_store_fleet_hosts() - every trace, by id, with its task rows counted
 * and its saving under @policy at its defaults (runs.is_default; the first
 * by key that has a static run of its engine version to compare with, else
 * the first) on the mean basis of the savings view
 * @out: a malloc'ed array of *@n hosts (NULL if none); free() it
 *
 * A task whose HWM was never observed (0) counts in every bucket, as in
 * the depth_distribution view (its <=1K).
 * Return: 0, -ENOMEM or -KS_E_DB.
 */
int ks_store_fleet_hosts(struct ks_store *s, const char *policy, struct ks_fleet_host **out,
			 size_t *n, struct ks_error *err);

#endif
