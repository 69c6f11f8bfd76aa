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
 * writes with a mutex (the sqlite3 handle from ks_store_sqlite() is not
 * protected by it; report/ uses it from one thread).
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

/** ks_store_sqlite() - the underlying sqlite3 handle, for report/ only */
void *ks_store_sqlite(struct ks_store *s);

#endif
