// SPDX-License-Identifier: MIT
/*
 * The plan of a merge, from the schema as SQLite describes it: the tables
 * (sqlite_schema), their columns (pragma_table_info), foreign keys
 * (pragma_foreign_key_list) and UNIQUE constraints (pragma_index_list), so
 * that a table added to data/schema.sql is merged without a change here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_plan.h"

/* A growable string; a failed append leaves ->failed set and nothing else. */
struct sbuf {
	char *s;
	size_t len, cap;
	bool failed;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int need;

	if (b->failed)
		return;
	va_start(ap, fmt);
	need = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (need < 0) {
		b->failed = true;
		return;
	}
	if (b->len + (size_t)need >= b->cap) {
		size_t cap = 2 * (b->len + (size_t)need) + 64;
		char *s = realloc(b->s, cap);

		if (!s) {
			b->failed = true;
			return;
		}
		b->s = s;
		b->cap = cap;
		va_start(ap, fmt);
		vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)need;
}

/* Take the string out of @b, NULL if an append failed. */
static char *sb_take(struct sbuf *b)
{
	char *s = b->failed ? NULL : b->s;

	if (b->failed)
		free(b->s);
	memset(b, 0, sizeof(*b));
	return s;
}

static void table_release(struct ks_merge_table *t)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		free(t->cols[i]);
	for (i = 0; i < t->nuniq; i++)
		free(t->uniq[i]);
	free(t->cols);
	free(t->uniq);
	free(t->parent);
	free(t->name);
	free(t->ipk);
	free(t->copy_sql);
	free(t->map_sql);
	free(t->max_sql);
	free(t->clear_sql);
}

void ks_merge_plan_release(struct ks_merge_plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		table_release(&p->t[i]);
	free(p->t);
	memset(p, 0, sizeof(*p));
}

static int table_find(const struct ks_merge_plan *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->t[i].name, name))
			return (int)i;
	return -1;
}

static int col_find(const struct ks_merge_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i], name))
			return (int)i;
	return -1;
}

static int strv_push(char ***v, size_t *n, const unsigned char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s ? (const char *)s : "");
	if (!nv[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* A statement over @s with @name bound to ?1, or NULL (the caller reports). */
static sqlite3_stmt *prep_name(struct ks_store *s, const char *sql, const char *name)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	if (name)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	return st;
}

/* The columns of @t, its INTEGER PRIMARY KEY if it has one, whether it has a rowid. */
static int table_columns(struct ks_store *s, struct ks_merge_table *t, struct ks_error *err)
{
	int rc = SQLITE_DONE, npk = 0, ret = 0;
	sqlite3_stmt *st;
	char *ipk = NULL;

	st = prep_name(s, "SELECT name, pk, upper(type) = 'INTEGER' FROM pragma_table_info(?1) "
		       "ORDER BY cid", t->name);
	if (!st)
		return ks_store_fail(s, err, "reading the schema");
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *name = sqlite3_column_text(st, 0);

		npk += sqlite3_column_int(st, 1) != 0;
		if (sqlite3_column_int(st, 1) && sqlite3_column_int(st, 2) && !ipk) {
			ipk = strdup((const char *)name);
			if (!ipk)
				ret = -ENOMEM;
		}
		if (!ret)
			ret = strv_push(&t->cols, &t->ncols, name);
	}
	sqlite3_finalize(st);
	if (!ret && rc != SQLITE_DONE)
		ret = ks_store_fail(s, err, "reading the schema");
	if (ret)
		goto out;
	st = prep_name(s, "SELECT NOT wr FROM pragma_table_list(?1) WHERE schema = 'main'",
		       t->name);
	if (!st) {
		ret = ks_store_fail(s, err, "reading the schema");
		goto out;
	}
	t->rowid = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	/* an INTEGER PRIMARY KEY alone, in a table with a rowid, is the rowid */
	if (npk == 1 && ipk && t->rowid) {
		t->ipk = ipk;
		ipk = NULL;
	}
	t->parent = malloc(t->ncols * sizeof(*t->parent) + 1);
	if (!t->parent)
		ret = -ENOMEM;
	else
		memset(t->parent, 0xff, t->ncols * sizeof(*t->parent));
out:
	free(ipk);
	if (ret == -ENOMEM)
		ret = ks_error_set(err, ENOMEM, "out of memory");
	return ret;
}

/* The foreign keys of @t that hold another table's INTEGER PRIMARY KEY. */
static int table_refs(struct ks_store *s, struct ks_merge_plan *p, size_t ti,
		      struct ks_error *err)
{
	struct ks_merge_table *t = &p->t[ti];
	int rc = SQLITE_DONE, ret = 0;
	sqlite3_stmt *st;

	st = prep_name(s, "SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1)",
		       t->name);
	if (!st)
		return ks_store_fail(s, err, "reading the schema");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ptab = (const char *)sqlite3_column_text(st, 0);
		const char *from = (const char *)sqlite3_column_text(st, 1);
		const char *to = (const char *)sqlite3_column_text(st, 2);
		int pi = table_find(p, ptab), ci = col_find(t, from);

		if (pi < 0 || ci < 0) {
			ret = ks_error_set(err, KS_E_INTERNAL, "table %s: foreign key %s to %s not "
					   "understood", t->name, from, ptab);
			break;
		}
		/* a reference to any other column is copied as it is */
		if (!p->t[pi].ipk || (to && strcmp(to, p->t[pi].ipk)))
			continue;
		t->parent[ci] = pi;
		p->t[pi].referenced = true;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = ks_store_fail(s, err, "reading the schema");
	sqlite3_finalize(st);
	return ret;
}

/* The columns of @t's first UNIQUE constraint (by index name): none, no entity. */
static int table_unique(struct ks_store *s, struct ks_merge_table *t, struct ks_error *err)
{
	int rc = SQLITE_DONE, ret = 0;
	sqlite3_stmt *st;

	st = prep_name(s, "SELECT name FROM pragma_index_info((SELECT name FROM "
		       "pragma_index_list(?1) WHERE origin = 'u' ORDER BY name LIMIT 1)) "
		       "ORDER BY seqno", t->name);
	if (!st)
		return ks_store_fail(s, err, "reading the schema");
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ret = strv_push(&t->uniq, &t->nuniq, sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (ret)
		return ks_error_set(err, ENOMEM, "out of memory");
	if (rc != SQLITE_DONE)
		return ks_store_fail(s, err, "reading the schema");
	t->entity = t->nuniq > 0;
	return 0;
}

/*
 * Keep only references to entities, and take an entity's own key out of
 * the columns it copies: the output gives it a new one.
 */
static void table_settle(const struct ks_merge_plan *p, struct ks_merge_table *t)
{
	size_t c;
	int k;

	for (c = 0; c < t->ncols; c++)
		if (t->parent[c] >= 0 && !p->t[t->parent[c]].entity)
			t->parent[c] = -1;
	if (!t->entity)
		return;
	k = col_find(t, t->ipk);
	free(t->cols[k]);
	memmove(t->cols + k, t->cols + k + 1, (t->ncols - (size_t)k - 1) * sizeof(*t->cols));
	memmove(t->parent + k, t->parent + k + 1,
		(t->ncols - (size_t)k - 1) * sizeof(*t->parent));
	t->ncols--;
}

/* Column @c of @t as the output holds it: an entity's key mapped through its map. */
static void sb_expr(struct sbuf *b, const struct ks_merge_table *t, size_t c)
{
	if (t->parent[c] >= 0)
		sb_add(b, "m%zu.new", c);
	else
		sb_add(b, "x.\"%s\"", t->cols[c]);
}

/* FROM the shard's table, joined to the key map of each entity it refers to. */
static void sb_from(struct sbuf *b, const struct ks_merge_plan *p,
		    const struct ks_merge_table *t)
{
	size_t c;

	sb_add(b, " FROM s.\"%s\" AS x", t->name);
	for (c = 0; c < t->ncols; c++)
		if (t->parent[c] >= 0)
			sb_add(b, " JOIN temp.\"ksm_%s\" AS m%zu ON m%zu.old = x.\"%s\"",
			       p->t[t->parent[c]].name, c, c, t->cols[c]);
}

static void sb_cols(struct sbuf *b, const struct ks_merge_table *t, bool mapped)
{
	size_t c;

	for (c = 0; c < t->ncols; c++) {
		sb_add(b, c ? ", " : "");
		if (mapped)
			sb_expr(b, t, c);
		else
			sb_add(b, "\"%s\"", t->cols[c]);
	}
}

/* The UNIQUE columns of the shard's row x, mapped, equal those of the output's row y. */
static void sb_match(struct sbuf *b, const struct ks_merge_table *t)
{
	size_t u;

	for (u = 0; u < t->nuniq; u++) {
		sb_add(b, u ? " AND y.\"%s\" = " : "y.\"%s\" = ", t->uniq[u]);
		sb_expr(b, t, (size_t)col_find(t, t->uniq[u]));
	}
}

/* The statements of @t: see store_plan.h for the three kinds of table. */
static int table_sql(const struct ks_merge_plan *p, struct ks_merge_table *t,
		     struct ks_error *err)
{
	struct sbuf b = { 0 };
	bool child = false;
	size_t c;

	for (c = 0; c < t->ncols; c++)
		child |= t->parent[c] >= 0;
	sb_add(&b, "INSERT INTO main.\"%s\" (", t->name);
	sb_cols(&b, t, false);
	sb_add(&b, ") SELECT ");
	if (t->entity) {
		sb_cols(&b, t, true);
		sb_from(&b, p, t);
		sb_add(&b, " WHERE NOT EXISTS (SELECT 1 FROM main.\"%s\" AS y WHERE ", t->name);
		sb_match(&b, t);
		sb_add(&b, ") ORDER BY x.\"%s\"", t->ipk);
	} else if (child) {
		sb_cols(&b, t, true);
		sb_from(&b, p, t);
		sb_add(&b, " WHERE 0");
		for (c = 0; c < t->ncols; c++)
			if (t->parent[c] >= 0)
				sb_add(&b, " OR m%zu.fresh", c);
		if (t->rowid)
			sb_add(&b, " ORDER BY x.rowid");
	} else {
		sb_cols(&b, t, false);
		sb_add(&b, " FROM s.\"%s\" EXCEPT SELECT ", t->name);
		sb_cols(&b, t, false);
		sb_add(&b, " FROM main.\"%s\"", t->name);
	}
	t->copy_sql = sb_take(&b);
	if (t->entity) {
		sb_add(&b, "INSERT INTO temp.\"ksm_%s\" (old, new, fresh) SELECT x.\"%s\", "
		       "y.\"%s\", y.\"%s\" > ?1", t->name, t->ipk, t->ipk, t->ipk);
		sb_from(&b, p, t);
		sb_add(&b, " JOIN main.\"%s\" AS y ON ", t->name);
		sb_match(&b, t);
		t->map_sql = sb_take(&b);
		sb_add(&b, "SELECT coalesce(max(\"%s\"), 0) FROM main.\"%s\"", t->ipk, t->name);
		t->max_sql = sb_take(&b);
		sb_add(&b, "DELETE FROM temp.\"ksm_%s\"", t->name);
		t->clear_sql = sb_take(&b);
	}
	if (!t->copy_sql || (t->entity && (!t->map_sql || !t->max_sql || !t->clear_sql)))
		return ks_error_set(err, ENOMEM, "out of memory");
	return 0;
}

/* Put the tables in an order where every entity comes before the tables that refer to it. */
static int plan_order(struct ks_merge_plan *p, struct ks_error *err)
{
	struct ks_merge_table *sorted;
	size_t k = 0, i, c;
	bool moved = true;
	int *where, ret = 0;

	sorted = calloc(p->n + 1, sizeof(*sorted));
	where = calloc(p->n + 1, sizeof(*where));
	if (!sorted || !where) {
		ret = ks_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	while (k < p->n && moved) {
		moved = false;
		for (i = 0; i < p->n; i++) {
			bool ready = !p->t[i].placed;

			for (c = 0; ready && c < p->t[i].ncols; c++)
				ready = p->t[i].parent[c] < 0 || p->t[p->t[i].parent[c]].placed;
			if (!ready)
				continue;
			p->t[i].placed = true;
			where[i] = (int)k;
			sorted[k++] = p->t[i];
			moved = true;
		}
	}
	if (k < p->n) {
		ret = ks_error_set(err, KS_E_INTERNAL, "the schema's foreign keys form a cycle");
		goto out;
	}
	for (i = 0; i < p->n; i++)
		for (c = 0; c < sorted[i].ncols; c++)
			if (sorted[i].parent[c] >= 0)
				sorted[i].parent[c] = where[sorted[i].parent[c]];
	free(p->t);
	p->t = sorted;
	sorted = NULL;
out:
	free(sorted);
	free(where);
	return ret;
}

static int plan_tables(struct ks_store *s, struct ks_merge_plan *p, struct ks_error *err)
{
	int rc = SQLITE_DONE, ret = 0;
	struct ks_merge_table *nt;
	sqlite3_stmt *st;
	size_t cap = 0;

	st = prep_name(s, "SELECT name FROM main.sqlite_schema WHERE type = 'table' AND "
		       "name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid", NULL);
	if (!st)
		return ks_store_fail(s, err, "reading the schema");
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (p->n == cap) {
			cap = cap ? 2 * cap : 8;
			nt = realloc(p->t, cap * sizeof(*nt));
			if (!nt) {
				ret = ks_error_set(err, ENOMEM, "out of memory");
				break;
			}
			p->t = nt;
		}
		memset(&p->t[p->n], 0, sizeof(p->t[p->n]));
		p->t[p->n].name = strdup((const char *)sqlite3_column_text(st, 0));
		if (!p->t[p->n++].name)
			ret = ks_error_set(err, ENOMEM, "out of memory");
	}
	if (!ret && rc != SQLITE_DONE)
		ret = ks_store_fail(s, err, "reading the schema");
	sqlite3_finalize(st);
	return ret;
}

int ks_merge_plan_build(struct ks_store *s, struct ks_merge_plan *p, struct ks_error *err)
{
	size_t i;
	char *sql;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = plan_tables(s, p, err);
	for (i = 0; i < p->n && !ret; i++)
		ret = table_columns(s, &p->t[i], err);
	for (i = 0; i < p->n && !ret; i++)
		ret = table_refs(s, p, i, err);
	for (i = 0; i < p->n && !ret; i++)
		if (p->t[i].referenced)
			ret = table_unique(s, &p->t[i], err);
	for (i = 0; i < p->n && !ret; i++)
		table_settle(p, &p->t[i]);
	if (!ret)
		ret = plan_order(p, err);
	for (i = 0; i < p->n && !ret; i++) {
		ret = table_sql(p, &p->t[i], err);
		if (ret || !p->t[i].entity)
			continue;
		if (asprintf(&sql, "CREATE TEMP TABLE \"ksm_%s\" (old INTEGER PRIMARY KEY, "
			     "new INTEGER NOT NULL, fresh INTEGER NOT NULL)", p->t[i].name) < 0)
			return ks_error_set(err, ENOMEM, "out of memory");
		if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
			ret = ks_store_fail(s, err, "preparing the merge");
		free(sql);
	}
	return ret;
}
