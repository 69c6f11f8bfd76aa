// SPDX-License-Identifier: MIT
/*
 * The minimum safe pool: for each pool-size sweep (runs of one trace and
 * policy that differ only in pool= and seed=, found by the store's query),
 * what the seeds say at each pool size (how many had a would-be crash, the
 * median and the most crashes) and the smallest per-CPU pool from which no
 * run of any seed crashed.  A pool above it that crashed again (an injected
 * failure can do that) moves the answer up: "safe" means safe for every
 * seed and every larger pool tried too, or there is no safe pool among
 * those tried.  One seed is one draw: the table says how many there were.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "rows.h"
#include "tab.h"

static int cmp_pool(const void *a, const void *b)
{
	const struct ks_row *x = *(const struct ks_row *const *)a;
	const struct ks_row *y = *(const struct ks_row *const *)b;

	if (x->pool != y->pool)
		return x->pool < y->pool ? -1 : 1;
	return (x->run_key > y->run_key) - (x->run_key < y->run_key);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Trace order, then policy, then failure rate, then the rest of the label. */
static int cmp_sweep(const void *a, const void *b)
{
	const struct ks_sweep *x = a, *y = b;
	const struct ks_row *rx = x->runs[0], *ry = y->runs[0];
	int c;

	if (rx->trace_key != ry->trace_key)
		return x->order < y->order ? -1 : 1;
	c = strcmp(rx->policy, ry->policy);
	if (c)
		return c;
	if (x->fail_rate != y->fail_rate)
		return x->fail_rate < y->fail_rate ? -1 : 1;
	c = strcmp(x->label, y->label);
	return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* The median of @v[0..n) (sorted here); the mean of the middle two when @n is even. */
static double median_u64(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
}

/* The same for figures, NAN ones left out (a trace without a baseline has none). */
static double median_known(double *v, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (!isnan(v[i]))
			v[k++] = v[i];
	if (!k)
		return NAN;
	qsort(v, k, sizeof(*v), cmp_double);
	return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

/*
 * Group @s's runs (sorted by pool) by pool and say what each pool's seeds
 * did; then the minimum safe pool.  @u, @d: scratch of @s->n entries.
 */
static int sweep_pools(struct ks_sweep *s, uint64_t *u, double *d)
{
	size_t i, j, k;

	s->pools = calloc(s->n, sizeof(*s->pools));
	if (!s->pools)
		return -ENOMEM;
	s->seeds_min = SIZE_MAX;
	for (i = 0; i < s->n; i = j) {
		struct ks_sweep_pool *p = &s->pools[s->npools++];

		for (j = i; j < s->n && s->runs[j]->pool == s->runs[i]->pool; j++)
			;
		p->pool = s->runs[i]->pool;
		p->runs = &s->runs[i];
		p->seeds = j - i;
		for (k = 0; k < p->seeds; k++) {
			const struct ks_row *r = p->runs[k];

			p->crashed += r->crashes > 0;
			p->max = r->crashes > p->max ? r->crashes : p->max;
			u[k] = r->crashes;
			d[k] = r->mem[KS_BASIS_MEAN].savings_pool_pct;
		}
		p->median = median_u64(u, p->seeds);
		p->savings_pool_pct = median_known(d, p->seeds);
		for (k = 0; k < p->seeds; k++)
			u[k] = p->runs[k]->c.fallback_hits;
		p->fallback_median = median_u64(u, p->seeds);
		for (k = 0; k < p->seeds; k++)
			u[k] = p->runs[k]->c.waits;
		p->waits_median = median_u64(u, p->seeds);
		s->seeds_min = p->seeds < s->seeds_min ? p->seeds : s->seeds_min;
		s->seeds_max = p->seeds > s->seeds_max ? p->seeds : s->seeds_max;
	}
	/* down from the largest pool while no seed crashed there */
	for (k = s->npools; k > 0 && !s->pools[k - 1].crashed; k--)
		;
	s->safe = k < s->npools ? s->pools[k].pool : -1;
	return 0;
}

long ks_sweeps_find(const struct ks_rowset *rs, const struct ks_report_opts *o,
		    struct ks_sweep **out)
{
	static const char *const drop[] = { "pool", "fail_rate", "seed", NULL };
	const struct ks_row **runs = NULL;
	struct ks_sweep *sw = NULL;
	size_t i, j, n, nsw = 0;
	bool *used = NULL;
	uint64_t *u = NULL;
	double *d = NULL;

	runs = calloc(rs->n + 1, sizeof(*runs));
	used = calloc(rs->n + 1, sizeof(*used));
	sw = calloc(rs->n + 1, sizeof(*sw));
	u = calloc(rs->n + 1, sizeof(*u));
	d = calloc(rs->n + 1, sizeof(*d));
	if (!runs || !used || !sw || !u || !d)
		goto nomem;
	for (i = 0; i < rs->n; i++) {
		const struct ks_row *r = &rs->rows[i];
		struct ks_sweep *s = &sw[nsw];

		if (used[i] || !r->sweep || (o->policy && strcmp(o->policy, r->policy)))
			continue;
		for (j = i, n = 0; j < rs->n; j++) {
			if (rs->rows[j].sweep != r->sweep)
				continue;
			used[j] = true;
			runs[n++] = &rs->rows[j];
		}
		s->runs = malloc(n * sizeof(*s->runs));
		if (!s->runs)
			goto nomem;
		nsw++;
		memcpy(s->runs, runs, n * sizeof(*runs));
		qsort(s->runs, n, sizeof(*s->runs), cmp_pool);
		s->n = n;
		s->order = i;
		snprintf(s->fail, sizeof(s->fail), "%s", r->fail);
		s->fail_rate = strtod(s->fail, NULL);
		/* the label names neither the pool, nor the failure rate, nor a seed */
		ks_row_series_label(r, drop, s->label, sizeof(s->label));
		if (sweep_pools(s, u, d))
			goto nomem;
	}
	qsort(sw, nsw, sizeof(*sw), cmp_sweep);
	free(runs);
	free(used);
	free(u);
	free(d);
	*out = sw;
	return (long)nsw;
nomem:
	ks_sweeps_free(sw, nsw);
	free(runs);
	free(used);
	free(u);
	free(d);
	return -ENOMEM;
}

void ks_sweeps_free(struct ks_sweep *sw, size_t n)
{
	size_t i;

	for (i = 0; sw && i < n; i++) {
		free(sw[i].runs);
		free(sw[i].pools);
	}
	free(sw);
}

/* "0..8" for consecutive pools, "0,2,4" otherwise (cut short if long) */
static void pools_text(const struct ks_sweep *s, char *buf, size_t len)
{
	long first = s->pools[0].pool, last = s->pools[s->npools - 1].pool;
	size_t i, k;

	if (last - first + 1 == (long)s->npools) {
		snprintf(buf, len, "%ld..%ld", first, last);
		return;
	}
	for (i = 0, k = 0, buf[0] = '\0'; i < s->npools && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%ld", i ? "," : "", s->pools[i].pool);
}

/* What each pool's seeds say, one figure per pool. */
enum pool_figure { FIG_SHARE, FIG_MEDIAN, FIG_MAX };

static void figures_text(const struct ks_sweep *s, enum pool_figure what, char *buf, size_t len)
{
	size_t i, k;

	for (i = 0, k = 0, buf[0] = '\0'; i < s->npools && k < len; i++) {
		const struct ks_sweep_pool *p = &s->pools[i];
		const char *sep = i ? "," : "";

		if (what == FIG_SHARE)
			k += (size_t)snprintf(buf + k, len - k, "%s%.0f", sep,
					      100.0 * (double)p->crashed / (double)p->seeds);
		else if (what == FIG_MAX)
			k += (size_t)snprintf(buf + k, len - k, "%s%" PRIu64, sep, p->max);
		else
			k += (size_t)snprintf(buf + k, len - k, "%s%g", sep, p->median);
	}
}

enum { C_CPU, C_POLICY, C_FAIL, C_SEEDS, C_POOLS, C_SHARE, C_MEDIAN, C_MAX, C_SAFE, C_TRUNC,
       C_ALL };

static void fill(const struct ks_sweep *s, bool raw, char (*cell)[KS_TAB_CELL])
{
	const struct ks_row *r = s->runs[0];
	long last = s->pools[s->npools - 1].pool;

	snprintf(cell[C_CPU], KS_TAB_CELL, "%s%s", r->label, !raw && r->truncated ? "*" : "");
	snprintf(cell[C_POLICY], KS_TAB_CELL, "%s", s->label);
	snprintf(cell[C_FAIL], KS_TAB_CELL, "%s", s->fail);
	if (s->seeds_min == s->seeds_max)
		snprintf(cell[C_SEEDS], KS_TAB_CELL, "%zu", s->seeds_min);
	else
		snprintf(cell[C_SEEDS], KS_TAB_CELL, "%zu..%zu", s->seeds_min, s->seeds_max);
	pools_text(s, cell[C_POOLS], KS_TAB_CELL);
	figures_text(s, FIG_SHARE, cell[C_SHARE], KS_TAB_CELL);
	figures_text(s, FIG_MEDIAN, cell[C_MEDIAN], KS_TAB_CELL);
	figures_text(s, FIG_MAX, cell[C_MAX], KS_TAB_CELL);
	if (s->safe >= 0)
		snprintf(cell[C_SAFE], KS_TAB_CELL, "%ld", s->safe);
	else if (raw)
		snprintf(cell[C_SAFE], KS_TAB_CELL, "none");
	else
		snprintf(cell[C_SAFE], KS_TAB_CELL, "none <= %ld", last);
	snprintf(cell[C_TRUNC], KS_TAB_CELL, "%d", r->truncated);
}

static void footnotes(FILE *out, const struct ks_sweep *sw, size_t n, enum ks_report_format f)
{
	bool truncated = false;
	size_t i;

	for (i = 0; i < n; i++)
		truncated |= sw[i].runs[0]->truncated;
	ks_tab_note(out, f, "\nSeeds: runs at each pool, one per seed (kstack replay "
		    "--replicates N); by pool: the share of seeds with a would-be crash,\n"
		    "the median and the most crashes of one seed.  Min safe pool: the smallest "
		    "per-CPU pool (pages) from which no seed crashed,\n"
		    "at that pool nor at any larger pool tried; none <= N: even the largest pool "
		    "tried, N, crashed.\n");
	if (truncated)
		ks_tab_note(out, f, "%s trace truncated: recording was interrupted\n",
			    f == KS_FMT_MARKDOWN ? "\\*" : "*");
}

int ks_report_min_pool(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		       struct ks_error *err)
{
	static const char *const headers[C_ALL] = {
		"CPU", "Policy", "Fail rate", "Seeds", "Pools", "Crashing seeds(%) by pool",
		"Median crashes by pool", "Max crashes by pool", "Min safe pool", "Truncated",
	};
	static const bool left[C_ALL] = { true, true };
	struct ks_tab t = { .headers = headers, .left = left };
	struct ks_sweep *sw = NULL;
	struct ks_rowset rs;
	long n, i;
	int ret;

	if (o->format > KS_FMT_HTML)
		return ks_error_set(err, KS_E_USAGE, "unknown table format %d", (int)o->format);
	ret = ks_rows_load(s, o, &rs, err);
	if (ret)
		return ret;
	n = ks_sweeps_find(&rs, o, &sw);
	if (n < 0) {
		ret = ks_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (!n) {
		ret = ks_error_set(err, ENODATA, "%s: no pool sweep stored (replay with "
					 "--sweep pool=...)", ks_store_path(s));
		goto out;
	}
	t.ncols = o->format == KS_FMT_CSV ? C_ALL : C_ALL - 1;
	t.nrows = (size_t)n;
	t.cells = ks_tab_alloc(t.nrows, C_ALL);
	if (!t.cells) {
		ret = ks_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		char tmp[C_ALL][KS_TAB_CELL];

		fill(&sw[i], o->format == KS_FMT_CSV, tmp);
		memcpy(t.cells[(size_t)i * t.ncols], tmp, t.ncols * KS_TAB_CELL);
	}
	ks_tab_print(&t, o->format, out);
	if (o->format != KS_FMT_CSV)
		footnotes(out, sw, (size_t)n, o->format);
	free(t.cells);
	if (fflush(out) == EOF || ferror(out))
		ret = ks_error_set(err, EIO, "writing the minimum pool table");
out:
	ks_sweeps_free(sw, n > 0 ? (size_t)n : 0);
	ks_rowset_release(&rs);
	return ret;
}
