// SPDX-License-Identifier: MIT
/*
 * The store's reading side, for the report: every query of kstack lives
 * here, and what leaves is rows (report/rows.h), series and histograms,
 * never a statement or a handle.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"
#include "store_int.h"

static void copy_text(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

/*
 * Pool sweeps, from run_params: runs of one trace, policy and engine
 * version, each with a whole-number pool=, are in one sweep when they agree
 * on every key but pool= and seed= (its family: those keys and values, in
 * key order, as the table's primary key keeps them) and the sweep holds two
 * pools at least.  Replicates of a configuration (the same keys under other
 * seeds) are in the same sweep.  A run's sweep is named by its first run; a
 * run alone is in none.
 */
#define SWEEPS_SQL								\
	"WITH fam AS (SELECT run, group_concat(key || '=' || value, ',') AS f "	\
	"FROM (SELECT run, key, value FROM run_params WHERE key NOT IN ('pool', 'seed') " \
	"ORDER BY run, key) GROUP BY run), "					\
	"pooled AS (SELECT r.key AS run, r.trace, r.policy, r.engine_version, "	\
	"coalesce(fam.f, '') AS f, p.value AS pool FROM runs r LEFT JOIN fam ON fam.run = r.key " \
	"JOIN run_params p ON p.run = r.key AND p.key = 'pool' "		\
	"WHERE p.value GLOB '[0-9]*' AND p.value NOT GLOB '*[^0-9]*'), "	\
	"families AS (SELECT trace, policy, engine_version, f, min(run) AS first, " \
	"count(DISTINCT pool) AS pools FROM pooled GROUP BY trace, policy, engine_version, f), " \
	"sweeps AS (SELECT p.run, g.first FROM pooled p JOIN families g ON g.trace = p.trace " \
	"AND g.policy = p.policy AND g.engine_version = p.engine_version AND g.f = p.f " \
	"WHERE g.pools > 1) "

/* A run's value of @key, NULL when it has none. */
#define PARAM_SQL(key) "(SELECT value FROM run_params WHERE run = r.key AND key = '" key "')"

static const char load_sql[] =
	SWEEPS_SQL
	"SELECT t.key, r.key, r.faults, r.crashes, "
	"t.lost_events, r.seed, r.ncpus, r.page_size, r.thread_size, "
	"(t.truncated OR NOT r.complete), t.label, r.policy, r.engine_version, r.is_default, "
	"coalesce(s.first, 0), "
	"coalesce((SELECT CAST(value AS INTEGER) FROM run_params WHERE run = r.key "
	"AND key = 'pool' AND value GLOB '[0-9]*' AND value NOT GLOB '*[^0-9]*'), -1), "
	"coalesce(" PARAM_SQL("fail_rate") ", '0'), "
	/* the entry policy without kernel entry events derives memory, not event counts */
	"coalesce(" PARAM_SQL("entries") " IN ('derived', 'unknown'), 0), "
	"t.id, (t.clock = 'synthetic' OR t.collector LIKE 'kstack-synth%'), r.end_ns - r.start_ns, "
	/* the first would-be crash, which the memory figures are flagged with */
	"t.ram_kb, c.time - r.start_ns, c.cpu, c.tid, c.comm"
#define KS_X_COL(name, desc) ", r." #name
	KS_COUNTERS(KS_X_COL)
#undef KS_X_COL
	" FROM runs r JOIN traces t ON r.trace = t.key LEFT JOIN sweeps s ON s.run = r.key "
	"LEFT JOIN crashes c ON c.run = r.key AND c.seq = 0 "
	"ORDER BY r.key";

/* The savings view, the figures every table and chart shows, in the runs' order. */
static const char savings_sql[] =
	"SELECT v.run, b.position - 1, v.regular_kb, v.dynamic_kb, v.pool_kb, v.savings_pct, "
	"v.savings_with_pool_pct, v.dynamic_ram_pct, v.saved_ram_pct "
	"FROM savings v JOIN bases b ON b.basis = v.basis ORDER BY v.run, b.position";

/* every run's keys, in the runs' order above */
static const char params_sql[] =
	"SELECT run, key, value, is_default FROM run_params ORDER BY run, key";

static int load_runs(struct ks_store *s, struct ks_rowset *rs, struct ks_error *err)
{
	sqlite3_stmt *st = NULL;
	struct ks_row *r, *tmp;
	int rc, col, ret = 0;
	size_t cap = 0;
	int64_t d;

	if (sqlite3_prepare_v2(s->db, load_sql, -1, &st, NULL) != SQLITE_OK)
		return ks_store_fail(s, err, "reading runs");
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
		/* in load_sql's order */
		col = 0;
		r->trace_key = sqlite3_column_int64(st, col++);
		r->run_key = sqlite3_column_int64(st, col++);
		r->faults = (uint64_t)sqlite3_column_int64(st, col++);
		r->crashes = (uint64_t)sqlite3_column_int64(st, col++);
		r->lost = (uint64_t)sqlite3_column_int64(st, col++);
		r->seed = (uint64_t)sqlite3_column_int64(st, col++);
		r->ncpus = (uint32_t)sqlite3_column_int64(st, col++);
		r->page_size = (uint32_t)sqlite3_column_int64(st, col++);
		r->thread_size = (uint32_t)sqlite3_column_int64(st, col++);
		r->truncated = sqlite3_column_int(st, col++) != 0;
		copy_text(r->label, sizeof(r->label), st, col++);
		copy_text(r->policy, sizeof(r->policy), st, col++);
		copy_text(r->engine_version, sizeof(r->engine_version), st, col++);
		r->is_default = sqlite3_column_int(st, col++) != 0;
		r->sweep = sqlite3_column_int64(st, col++);
		r->pool = (long)sqlite3_column_int64(st, col++);
		copy_text(r->fail, sizeof(r->fail), st, col++);
		r->costs_unknown = sqlite3_column_int(st, col++) != 0;
		copy_text(r->trace_id, sizeof(r->trace_id), st, col++);
		r->synthetic = sqlite3_column_int(st, col++) != 0;
		d = sqlite3_column_int64(st, col++);
		r->duration_ns = d > 0 ? (uint64_t)d : 0;
		d = sqlite3_column_int64(st, col++);
		r->ram_kb = d > 0 ? (uint64_t)d : 0;
		r->oops_s = (double)sqlite3_column_int64(st, col++) / 1e9;
		r->oops_cpu = (uint32_t)sqlite3_column_int64(st, col++);
		r->oops_tid = (uint32_t)sqlite3_column_int64(st, col++);
		copy_text(r->oops_comm, sizeof(r->oops_comm), st, col++);
#define KS_X_GET(name, desc) r->c.name = (uint64_t)sqlite3_column_int64(st, col++);
		KS_COUNTERS(KS_X_GET)
#undef KS_X_GET
	}
	if (rc != SQLITE_DONE)
		ret = ks_store_fail(s, err, "reading runs");
out:
	sqlite3_finalize(st);
	return ret;
}

/* Every run's keys; the rows are in run key order, as the keys are. */
static int load_params(struct ks_store *s, struct ks_rowset *rs, struct ks_error *err)
{
	struct ks_param_value *p, *tmp;
	sqlite3_stmt *st = NULL;
	size_t cap = 0, i, k;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(s->db, params_sql, -1, &st, NULL) != SQLITE_OK)
		return ks_store_fail(s, err, "reading parameters");
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
		ret = ks_store_fail(s, err, "reading parameters");
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

/* A column of the savings view: NAN for its NULL (unknown). */
static double column_or_nan(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col);
}

/* Every run's figures on every basis, from the savings view. */
static int load_savings(struct ks_store *s, struct ks_rowset *rs, struct ks_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc;

	if (sqlite3_prepare_v2(s->db, savings_sql, -1, &st, NULL) != SQLITE_OK)
		return ks_store_fail(s, err, "reading the savings view");
	for (i = 0; (rc = sqlite3_step(st)) == SQLITE_ROW;) {
		int64_t run = sqlite3_column_int64(st, 0), b = sqlite3_column_int64(st, 1);
		struct ks_mem *m;

		while (i < rs->n && rs->rows[i].run_key < run)
			i++;
		if (i == rs->n || rs->rows[i].run_key != run || b < 0 || b >= KS_NR_BASES)
			continue;
		m = &rs->rows[i].mem[b];
		m->regular_kb = column_or_nan(st, 2);
		m->dynamic_kb = column_or_nan(st, 3);
		m->pool_kb = column_or_nan(st, 4);
		m->savings_pct = column_or_nan(st, 5);
		m->savings_pool_pct = column_or_nan(st, 6);
		m->dynamic_ram_pct = column_or_nan(st, 7);
		m->saved_ram_pct = column_or_nan(st, 8);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ks_store_fail(s, err, "reading the savings view");
	return 0;
}

int ks_store_runs(struct ks_store *s, struct ks_rowset *rs, struct ks_error *err)
{
	int ret;

	pthread_mutex_lock(&s->lock);
	ret = load_runs(s, rs, err);
	if (!ret)
		ret = load_params(s, rs, err);
	if (!ret)
		ret = load_savings(s, rs, err);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int ks_store_samples(struct ks_store *s, int64_t run, struct ks_store_point **pts, size_t *n,
		     struct ks_error *err)
{
	static const char sql[] =
		"SELECT s.time - r.start_ns, s.stack_pages * r.page_size / 1024, "
		"s.pool_pages * r.page_size / 1024, s.cache_pages * r.page_size / 1024 "
		"FROM samples s JOIN runs r ON s.run = r.key WHERE s.run = ? ORDER BY s.seq";
	struct ks_store_point *v = NULL, *tmp;
	sqlite3_stmt *st = NULL;
	size_t cap = 0, k = 0;
	int rc, ret = 0;

	*pts = NULL;
	*n = 0;
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		ret = ks_store_fail(s, err, "reading samples");
		goto out;
	}
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (k == cap) {
			cap = cap ? 2 * cap : 64;
			tmp = realloc(v, cap * sizeof(*v));
			if (!tmp) {
				ret = ks_error_set(err, ENOMEM, "out of memory");
				goto out;
			}
			v = tmp;
		}
		v[k].time_ns = sqlite3_column_int64(st, 0);
		v[k].stack_kb = sqlite3_column_int64(st, 1);
		v[k].pool_kb = sqlite3_column_int64(st, 2);
		v[k].cache_kb = sqlite3_column_int64(st, 3);
		k++;
	}
	if (rc != SQLITE_DONE)
		ret = ks_store_fail(s, err, "reading samples");
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	if (ret) {
		free(v);
		return ret;
	}
	*pts = v;
	*n = k;
	return 0;
}

int ks_store_hwm(struct ks_store *s, int64_t run, uint64_t *hist, size_t max, size_t *nb,
		 struct ks_error *err)
{
	static const char sql[] =
		"SELECT bucket, tasks FROM hwm_hist WHERE run = ? ORDER BY bucket";
	sqlite3_stmt *st = NULL;
	int rc, ret = 0;

	memset(hist, 0, max * sizeof(*hist));
	*nb = 0;
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		ret = ks_store_fail(s, err, "reading a histogram");
		goto out;
	}
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t b = sqlite3_column_int64(st, 0);

		if (b < 0 || (uint64_t)b >= max)
			continue;
		hist[b] = (uint64_t)sqlite3_column_int64(st, 1);
		if ((size_t)b + 1 > *nb)
			*nb = (size_t)b + 1;
	}
	if (rc != SQLITE_DONE)
		ret = ks_store_fail(s, err, "reading a histogram");
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return ret;
}
