/* SPDX-License-Identifier: MIT */
/*
 * Merging result databases: each replay job of a fleet writes its own
 * database (a shard), and ks_store_merge() folds the shards into one.
 *
 * What is merged follows the schema itself: a table whose integer key other
 * tables reference through a foreign key (traces, runs) is deduplicated by
 * its UNIQUE constraint, with the keys it holds rewritten (a trace by its
 * id, a run by its trace, policy, parameters, engine version and seed); a
 * table that refers to such a table (samples, crashes, hwm_hist, run_params,
 * and any table added later the same way) is copied along with the rows it
 * belongs to, once; a table that refers to none gets the rows it does not
 * have yet.  Adding a table to data/schema.sql thus needs no change here.
 */
#ifndef KS_STORE_MERGE_H
#define KS_STORE_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ks_err.h"

/* How to merge; zero is the default. */
struct ks_merge_opts {
	/* called after each database is checked, then after each is merged */
	void (*progress)(const char *stage, size_t done, size_t total, void *arg);
	void *arg;
	bool allow_mixed;		/* runs of several engine versions may meet */
};

/* What a merge did. */
struct ks_merge_summary {
	uint64_t traces;		/* in the output */
	uint64_t traces_added;		/* by this merge */
	uint64_t runs;
	uint64_t runs_added;
	bool written;			/* false: nothing new, the output left as it was */
};

/**
 * ks_store_merge() - merge the databases @shards into the database @out
 * @out: the merged database; if it exists, the shards are added to it
 * @shards: @n paths, merged in this order (the first of two equal runs stays)
 * @o: options, or NULL for the defaults
 * @sum: out, what was merged; may be NULL
 *
 * Every input (the existing @out first) is checked before anything is
 * written: a kstack database of this schema version, whole (SQLite's
 * quick_check, no row referring to a missing one) and, unless
 * @o->allow_mixed, holding runs of one engine version only, the same in
 * every input.  The merge is written to a temporary file in @out's folder,
 * renamed over @out at the end: an error or an interruption leaves @out as
 * it was and no temporary file.  A merge that adds nothing leaves @out
 * untouched.  Memory does not grow with the number of shards: each is
 * attached, copied and detached in turn.  Stops within a fraction of a
 * second when ks_stop_signal() says so.
 *
 * Return: 0, -EINTR (interrupted), or a negative code with @err naming the
 * file and the problem (-ENOENT, -KS_E_DB, -KS_E_SCHEMA, -KS_E_CORRUPT).
 */
int ks_store_merge(const char *out, const char *const *shards, size_t n,
		   const struct ks_merge_opts *o, struct ks_merge_summary *sum,
		   struct ks_error *err);

#endif
