// SPDX-License-Identifier: MIT
/*
 * The minimum safe pool: for each pool-size sweep (runs of one trace and
 * policy that differ only in pool=, found by the store's query), the
 * smallest per-CPU pool from which
 * no run crashed.  A pool above it that crashed again (an injected failure
 * can do that) moves the answer up: "safe" means safe for every larger pool
 * tried too, or there is no safe pool among those tried.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "rows.h"
#include "tab.h"

static int cmp_pool(const void *a, const void *b)
{
	long pa = (*(const struct ks_row *const *)a)->pool;
	long pb = (*(const struct ks_row *const *)b)->pool;

	return (pa > pb) - (pa < pb);
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

long ks_sweeps_find(const struct ks_rowset *rs, const struct ks_report_opts *o,
		    struct ks_sweep **out)
{
	static const char *const drop[] = { "pool", "fail_rate", NULL };
	const struct ks_row **runs = NULL;
	struct ks_sweep *sw = NULL;
	size_t i, j, n, nsw = 0;
	bool *used = NULL;

	runs = calloc(rs->n + 1, sizeof(*runs));
	used = calloc(rs->n + 1, sizeof(*used));
	sw = calloc(rs->n + 1, sizeof(*sw));
	if (!runs || !used || !sw)
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
		memcpy(s->runs, runs, n * sizeof(*runs));
		qsort(s->runs, n, sizeof(*s->runs), cmp_pool);
		s->n = n;
		s->order = i;
		snprintf(s->fail, sizeof(s->fail), "%s", r->fail);
		s->fail_rate = strtod(s->fail, NULL);
		/* the label names neither the pool nor the failure rate */
		ks_row_series_label(r, drop, s->label, sizeof(s->label));
		nsw++;
	}
	qsort(sw, nsw, sizeof(*sw), cmp_sweep);
	free(runs);
	free(used);
	*out = sw;
	return (long)nsw;
nomem:
	ks_sweeps_free(sw, nsw);
	free(runs);
	free(used);
	return -ENOMEM;
}

void ks_sweeps_free(struct ks_sweep *sw, size_t n)
{
	size_t i;

	for (i = 0; sw && i < n; i++)
		free(sw[i].runs);
	free(sw);
}

/* "0..8" for consecutive pools, "0,2,4" otherwise (cut short with "..." if long) */
static void pools_text(const struct ks_sweep *s, char *buf, size_t len)
{
	long first = s->runs[0]->pool, last = s->runs[s->n - 1]->pool;
	size_t i, k;

	if (last - first + 1 == (long)s->n) {
		snprintf(buf, len, "%ld..%ld", first, last);
		return;
	}
	for (i = 0, k = 0, buf[0] = '\0'; i < s->n && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%ld", i ? "," : "",
				      s->runs[i]->pool);
}

static void crashes_text(const struct ks_sweep *s, char *buf, size_t len)
{
	size_t i, k;

	for (i = 0, k = 0, buf[0] = '\0'; i < s->n && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%" PRIu64, i ? "," : "",
				      s->runs[i]->crashes);
}

static void fill(const struct ks_sweep *s, bool raw, char (*cell)[KS_TAB_CELL])
{
	const struct ks_row *r = s->runs[0];
	size_t i = s->n;

	snprintf(cell[0], KS_TAB_CELL, "%s%s", r->label,
		 !raw && r->truncated ? "*" : "");
	snprintf(cell[1], KS_TAB_CELL, "%s", s->label);
	snprintf(cell[2], KS_TAB_CELL, "%s", s->fail);
	pools_text(s, cell[3], KS_TAB_CELL);
	crashes_text(s, cell[4], KS_TAB_CELL);
	/* down from the largest pool while the runs are crash-free */
	while (i > 0 && s->runs[i - 1]->crashes == 0)
		i--;
	if (i < s->n)
		snprintf(cell[5], KS_TAB_CELL, "%ld", s->runs[i]->pool);
	else if (raw)
		snprintf(cell[5], KS_TAB_CELL, "none");
	else
		snprintf(cell[5], KS_TAB_CELL, "none <= %ld", s->runs[s->n - 1]->pool);
	snprintf(cell[6], KS_TAB_CELL, "%d", r->truncated);
}

static void footnotes(FILE *out, const struct ks_sweep *sw, size_t n, enum ks_report_format f)
{
	bool truncated = false;
	size_t i;

	for (i = 0; i < n; i++)
		truncated |= sw[i].runs[0]->truncated;
	fprintf(out, "\nMin safe pool: the smallest per-CPU pool (pages) with no would-be "
		     "crash, nor any at a larger pool tried;\n"
		     "none <= N: even the largest pool tried, N, crashed.\n");
	if (truncated)
		fprintf(out, "%s trace truncated: recording was interrupted\n",
			f == KS_FMT_MARKDOWN ? "\\*" : "*");
}

int ks_report_min_pool(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		       struct ks_error *err)
{
	static const char *const headers[] = { "CPU", "Policy", "Fail rate", "Pools",
					       "Crashes by pool", "Min safe pool", "Truncated" };
	static const bool left[] = { true, true, false, false, false, false, false };
	struct ks_tab t = { .headers = headers, .left = left };
	struct ks_sweep *sw = NULL;
	struct ks_rowset rs;
	long n, i;
	int ret;

	if (o->format > KS_FMT_CSV)
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
	t.ncols = o->format == KS_FMT_CSV ? 7 : 6;
	t.nrows = (size_t)n;
	t.cells = ks_tab_alloc(t.nrows, 7);
	if (!t.cells) {
		ret = ks_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		char tmp[7][KS_TAB_CELL];

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
