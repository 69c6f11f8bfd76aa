/* SPDX-License-Identifier: MIT */
/*
 * The plan of a merge (store_merge.c), read from the schema of the output
 * (store_plan.c): which tables there are, in which order to copy them, and
 * the SQL that copies each from the attached shard "s" into "main".
 *
 * - An entity is a table whose INTEGER PRIMARY KEY other tables refer to
 *   and which has a UNIQUE constraint (traces by id; runs by trace, policy,
 *   params, engine version, seed).  Its key means nothing outside its
 *   database: a shard's row is found again in the output by the UNIQUE
 *   columns, inserted if missing, and temp.ksm_TABLE maps the shard's key to
 *   the output's (old, new, fresh: added by this shard).
 * - A child refers to an entity (samples, crashes, hwm_hist, run_params, a
 *   per-task table keyed by trace): its rows are copied, their references
 *   mapped, when a row they refer to is fresh, so never twice.
 * - Any other table (one referring to nothing, or only to a table whose key
 *   is itself the meaning, such as a table naming codes) gets the rows it
 *   does not hold yet, keys and all.
 */
#ifndef KS_STORE_PLAN_H
#define KS_STORE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ks_err.h"
#include "store_int.h"

/* One table and how it is copied. */
struct ks_merge_table {
	char *name;
	char **cols;		/* the columns copied: all but an entity's key */
	int *parent;		/* per column: the entity whose key it holds, or -1 */
	char **uniq;		/* an entity's UNIQUE columns */
	char *ipk;		/* its INTEGER PRIMARY KEY column, or NULL */
	char *copy_sql;		/* copy the rows the output lacks */
	char *map_sql;		/* entity: fill its key map, ?1 = its largest key before */
	char *max_sql;		/* entity: its largest key in the output */
	char *clear_sql;	/* entity: empty its key map */
	size_t ncols;
	size_t nuniq;
	int64_t added;		/* rows the merge added */
	bool referenced;	/* another table refers to its INTEGER PRIMARY KEY */
	bool entity;
	bool rowid;		/* has a rowid: rows are copied in its order */
	bool placed;		/* in the copy order already (while ordering) */
};

struct ks_merge_plan {
	struct ks_merge_table *t;	/* in copy order: every parent before its children */
	size_t n;
};

/**
 * ks_merge_plan_build() - the plan of the schema of @s's main database, and
 * its key maps created as temporary tables of @s
 * Return: 0, -ENOMEM, -KS_E_DB, or -KS_E_INTERNAL for a schema whose foreign
 * keys form a cycle.  @p is released by ks_merge_plan_release() either way.
 */
int ks_merge_plan_build(struct ks_store *s, struct ks_merge_plan *p, struct ks_error *err);

/** ks_merge_plan_release() - free what @p holds (not @p) */
void ks_merge_plan_release(struct ks_merge_plan *p);

#endif
