// SPDX-License-Identifier: MIT
/*
 * Which runs a report shows.  One query loads every run with its trace; the
 * selection (policy filter, default configuration) and the short policy
 * labels are worked out here, in C, so table and charts agree.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "rows.h"

uint64_t ks_row_regular_kb(const struct ks_row *r)
{
	return r->tasks_end * r->thread_size / 1024;
}

uint64_t ks_row_pool_kb(const struct ks_row *r)
{
	return (r->pool_pages_end + r->global_pages_end + r->extra_pages) * r->page_size / 1024;
}

double ks_row_savings(const struct ks_row *r)
{
	uint64_t reg = ks_row_regular_kb(r);

	return reg ? 1.0 - (double)r->kernel_stack_kb_end / (double)reg : NAN;
}

double ks_row_savings_pool(const struct ks_row *r)
{
	uint64_t reg = ks_row_regular_kb(r);

	return reg ? 1.0 - (double)(r->kernel_stack_kb_end + ks_row_pool_kb(r)) / (double)reg
		   : NAN;
}

static bool in_list(const char *k, const char *const *keys)
{
	for (; keys && *keys; keys++)
		if (!strcmp(*keys, k))
			return true;
	return false;
}

/* Append @r's keys that are not at their default, but those of @drop, as ":k=v,k=v". */
static void nondefault_keys(const struct ks_row *r, const char *const *drop, char *buf,
			    size_t len)
{
	const struct ks_param_value *p = r->params;
	size_t i, n;
	bool first = true;

	for (i = 0; i < r->nr_params; i++) {
		if (p[i].is_default || in_list(p[i].key, drop))
			continue;
		n = strlen(buf);
		snprintf(buf + n, len - n, "%c%s=%s", first ? ':' : ',', p[i].key, p[i].value);
		first = false;
	}
}

void ks_row_series_label(const struct ks_row *r, const char *const *drop, char *buf,
			 size_t len)
{
	snprintf(buf, len, "%s", r->policy);
	nondefault_keys(r, drop, buf, len);
}

static void copy_text(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

/*
 * Pool sweeps, from run_params: two runs of one trace, policy, engine
 * version and seed, each with a whole-number pool=, are in one sweep when
 * they have the same keys and agree on every one but pool=.  A run's sweep
 * is named by its first run; a run alone is in none.
 */
#define SWEEPS_SQL								\
	"WITH pooled AS (SELECT r.key AS run, r.trace, r.policy, r.engine_version, r.seed, " \
	"(SELECT count(*) FROM run_params q WHERE q.run = r.key) AS nkeys "	\
	"FROM runs r JOIN run_params p ON p.run = r.key AND p.key = 'pool' "	\
	"WHERE p.value GLOB '[0-9]*' AND p.value NOT GLOB '*[^0-9]*'), "	\
	"mates AS (SELECT a.run AS run, b.run AS mate FROM pooled a JOIN pooled b "	\
	"ON b.trace = a.trace AND b.policy = a.policy AND b.engine_version = a.engine_version " \
	"AND b.seed = a.seed AND b.nkeys = a.nkeys "				\
	"WHERE NOT EXISTS (SELECT 1 FROM run_params x WHERE x.run = a.run AND x.key <> 'pool' " \
	"AND NOT EXISTS (SELECT 1 FROM run_params y WHERE y.run = b.run AND y.key = x.key " \
	"AND y.value = x.value))), "						\
	"sweeps AS (SELECT run, min(mate) AS first FROM mates GROUP BY run HAVING count(*) > 1) "

/* A run's value of @key, NULL when it has none. */
#define PARAM_SQL(key) "(SELECT value FROM run_params WHERE run = r.key AND key = '" key "')"

static const char load_sql[] =
	SWEEPS_SQL
	"SELECT t.key, r.key, r.tasks_end, r.kernel_stack_kb_end, r.pool_pages_end, "
	"r.global_pages_end, r.extra_pages, r.faults, r.fallback_hits, r.crashes, "
	"t.lost_events, r.seed, r.ncpus, r.page_size, r.thread_size, "
	"(t.truncated OR NOT r.complete), t.label, r.policy, r.engine_version, r.is_default, "
	"coalesce(s.first, 0), "
	"coalesce((SELECT CAST(value AS INTEGER) FROM run_params WHERE run = r.key AND key = 'pool' "
	"AND value GLOB '[0-9]*' AND value NOT GLOB '*[^0-9]*'), -1), "
	"coalesce(" PARAM_SQL("fail_rate") ", '0'), "
	/* the entry policy without kernel entry events derives memory, not event counts */
	"coalesce(" PARAM_SQL("entries") " IN ('derived', 'unknown'), 0), "
	"t.id, (t.clock = 'synthetic' OR t.collector LIKE 'kstack-synth%'), r.end_ns - r.start_ns"
#define KS_X_COL(name, desc) ", r." #name
	KS_COUNTERS(KS_X_COL)
#undef KS_X_COL
	" FROM runs r JOIN traces t ON r.trace = t.key LEFT JOIN sweeps s ON s.run = r.key "
	"ORDER BY r.key";

/* every run's keys, in the runs' order above */
static const char params_sql[] =
	"SELECT run, key, value, is_default FROM run_params ORDER BY run, key";

static int db_fail(struct ks_store *s, struct ks_error *err)
{
	return ks_error_set(err, KS_E_DB, "%s: %s", ks_store_path(s),
			    sqlite3_errmsg(ks_store_sqlite(s)));
}

static int load_runs(struct ks_store *s, struct ks_rowset *rs, struct ks_error *err)
{
	sqlite3 *db = ks_store_sqlite(s);
	sqlite3_stmt *st = NULL;
	struct ks_row *r, *tmp;
	int rc, col, ret = 0;
	size_t cap = 0;
	int64_t d;

	if (sqlite3_prepare_v2(db, load_sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, err);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (rs->n == cap) {
			cap = cap ? 2 * cap : 16;
			tmp = realloc(rs->rows, cap * sizeof(*tmp));
			if (!tmp) {
				ret = ks_error_set(err, ENOMEM, "out of memory");
				goto out;
			}
			rs->rows = tmp;
		}
		r = &rs->rows[rs->n++];
		memset(r, 0, sizeof(*r));
		r->trace_key = sqlite3_column_int64(st, 0);
		r->run_key = sqlite3_column_int64(st, 1);
		r->tasks_end = (uint64_t)sqlite3_column_int64(st, 2);
		r->kernel_stack_kb_end = (uint64_t)sqlite3_column_int64(st, 3);
		r->pool_pages_end = (uint64_t)sqlite3_column_int64(st, 4);
		r->global_pages_end = (uint64_t)sqlite3_column_int64(st, 5);
		r->extra_pages = (uint64_t)sqlite3_column_int64(st, 6);
		r->faults = (uint64_t)sqlite3_column_int64(st, 7);
		r->fallback_hits = (uint64_t)sqlite3_column_int64(st, 8);
		r->crashes = (uint64_t)sqlite3_column_int64(st, 9);
		r->lost = (uint64_t)sqlite3_column_int64(st, 10);
		r->seed = (uint64_t)sqlite3_column_int64(st, 11);
		r->ncpus = (uint32_t)sqlite3_column_int64(st, 12);
		r->page_size = (uint32_t)sqlite3_column_int64(st, 13);
		r->thread_size = (uint32_t)sqlite3_column_int64(st, 14);
		r->truncated = sqlite3_column_int(st, 15) != 0;
		copy_text(r->label, sizeof(r->label), st, 16);
		copy_text(r->policy, sizeof(r->policy), st, 17);
		copy_text(r->engine_version, sizeof(r->engine_version), st, 18);
		r->is_default = sqlite3_column_int(st, 19) != 0;
		r->sweep = sqlite3_column_int64(st, 20);
		r->pool = (long)sqlite3_column_int64(st, 21);
		copy_text(r->fail, sizeof(r->fail), st, 22);
		r->costs_unknown = sqlite3_column_int(st, 23) != 0;
		copy_text(r->trace_id, sizeof(r->trace_id), st, 24);
		r->synthetic = sqlite3_column_int(st, 25) != 0;
		d = sqlite3_column_int64(st, 26);
		r->duration_ns = d > 0 ? (uint64_t)d : 0;
		col = 27;
#define KS_X_GET(name, desc) r->c.name = (uint64_t)sqlite3_column_int64(st, col++);
		KS_COUNTERS(KS_X_GET)
#undef KS_X_GET
	}
	if (rc != SQLITE_DONE)
		ret = db_fail(s, err);
out:
	sqlite3_finalize(st);
	return ret;
}

/* Every run's keys; the rows are in run key order, as the keys are. */
static int load_params(struct ks_store *s, struct ks_rowset *rs, struct ks_error *err)
{
	sqlite3 *db = ks_store_sqlite(s);
	struct ks_param_value *p, *tmp;
	sqlite3_stmt *st = NULL;
	size_t cap = 0, i, k;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(db, params_sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, err);
	for (i = 0; (rc = sqlite3_step(st)) == SQLITE_ROW;) {
		int64_t run = sqlite3_column_int64(st, 0);

		while (i < rs->n && rs->rows[i].run_key < run)
			i++;
		if (i == rs->n || rs->rows[i].run_key != run)
			continue;
		if (rs->nr_params == cap) {
			cap = cap ? 2 * cap : 64;
			tmp = realloc(rs->params, cap * sizeof(*tmp));
			if (!tmp) {
				ret = ks_error_set(err, ENOMEM, "out of memory");
				goto out;
			}
			rs->params = tmp;
		}
		p = &rs->params[rs->nr_params++];
		copy_text(p->key, sizeof(p->key), st, 1);
		copy_text(p->value, sizeof(p->value), st, 2);
		p->is_default = sqlite3_column_int(st, 3) != 0;
		rs->rows[i].nr_params++;
	}
	if (rc != SQLITE_DONE) {
		ret = db_fail(s, err);
		goto out;
	}
	/* the array is whole now: point each row at its keys */
	for (i = 0, k = 0; i < rs->n; i++) {
		rs->rows[i].params = rs->params + k;
		k += rs->rows[i].nr_params;
	}
out:
	sqlite3_finalize(st);
	return ret;
}

/* "rfc" or "rfc:pool=0": the policy and its keys not at their default. */
static void make_label(struct ks_row *r)
{
	ks_row_series_label(r, NULL, r->policy_label, sizeof(r->policy_label));
}

static void select_rows(struct ks_rowset *rs, const struct ks_report_opts *o)
{
	size_t i, j;

	for (i = 0; i < rs->n; i++)
		make_label(&rs->rows[i]);
	for (i = 0; i < rs->n; i++) {
		struct ks_row *r = &rs->rows[i];
		bool group_has_default = false;

		for (j = 0; j < rs->n; j++)
			if (rs->rows[j].trace_key == r->trace_key &&
			    !strcmp(rs->rows[j].policy, r->policy) && rs->rows[j].is_default)
				group_has_default = true;
		r->shown = (o->all_runs || r->is_default || !group_has_default) &&
			   (!o->policy || !strcmp(o->policy, r->policy));
	}
	for (i = 0; i < rs->n; i++) {
		if (!rs->rows[i].shown)
			continue;
		rs->nr_shown++;
		for (j = 0; j < i; j++)
			if (rs->rows[j].shown &&
			    strcmp(rs->rows[j].policy_label, rs->rows[i].policy_label))
				rs->several_configs = true;
	}
}

/* Compare two values: as numbers when both are, else as text. */
static int cmp_value(const char *a, const char *b)
{
	char *ea, *eb;
	double da, db;

	da = strtod(a, &ea);
	db = strtod(b, &eb);
	if (*a && *b && !*ea && !*eb)
		return (da > db) - (da < db);
	return strcmp(a, b);
}

/* Compare the keys of two runs one by one (sorted by name), values numerically. */
static int cmp_params(const struct ks_row *a, const struct ks_row *b)
{
	size_t i;
	int c;

	for (i = 0; i < a->nr_params && i < b->nr_params; i++) {
		c = strcmp(a->params[i].key, b->params[i].key);
		if (!c)
			c = cmp_value(a->params[i].value, b->params[i].value);
		if (c)
			return c;
	}
	return (a->nr_params > b->nr_params) - (a->nr_params < b->nr_params);
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct ks_row *a = pa, *b = pb;
	int c;

	if (a->trace_key != b->trace_key)
		return a->trace_key < b->trace_key ? -1 : 1;
	c = strcmp(a->policy, b->policy);
	if (!c)
		c = cmp_params(a, b);
	if (!c)
		c = strcmp(a->engine_version, b->engine_version);
	if (!c && a->seed != b->seed)
		c = a->seed < b->seed ? -1 : 1;
	return c ? c : (a->run_key > b->run_key) - (a->run_key < b->run_key);
}

int ks_rows_load(struct ks_store *s, const struct ks_report_opts *o, struct ks_rowset *out,
		 struct ks_error *err)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = load_runs(s, out, err);
	if (!ret)
		ret = load_params(s, out, err);
	if (ret) {
		ks_rowset_release(out);
		return ret;
	}
	if (!out->n) {
		ks_rowset_release(out);
		return ks_error_set(err, ENODATA, "%s: no runs stored yet", ks_store_path(s));
	}
	/* within a trace: by policy, then parameters with numbers compared as numbers */
	qsort(out->rows, out->n, sizeof(*out->rows), cmp_rows);
	select_rows(out, o);
	if (!out->nr_shown) {
		ks_rowset_release(out);
		return ks_error_set(err, ENODATA, "%s: no runs of policy '%s' stored",
				    ks_store_path(s), o->policy ? o->policy : "");
	}
	return 0;
}

void ks_rowset_release(struct ks_rowset *rs)
{
	free(rs->rows);
	free(rs->params);
	rs->rows = NULL;
	rs->params = NULL;
	rs->n = rs->nr_shown = rs->nr_params = 0;
}

int ks_rows_print(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		  ks_rows_printer fn, const char *what, struct ks_error *err)
{
	struct ks_rowset rs;
	int ret;

	if (o->format > KS_FMT_CSV)
		return ks_error_set(err, KS_E_USAGE, "unknown table format %d", (int)o->format);
	ret = ks_rows_load(s, o, &rs, err);
	if (ret)
		return ret;
	ret = fn(&rs, o, out);
	ks_rowset_release(&rs);
	if (ret)
		return ks_error_set(err, -ret, "printing the %s", what);
	if (fflush(out) == EOF || ferror(out))
		return ks_error_set(err, EIO, "writing the %s", what);
	return 0;
}
