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

#endif
