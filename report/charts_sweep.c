// SPDX-License-Identifier: MIT
/*
 * The pool-size sweep charts, one image per trace so that no panel is
 * crowded: pool-N (would-be crashes, and savings with pools counted,
 * against the per-CPU pool) and fallback-N (global-pool fallback hits and
 * allocation waits against the pool), one row of panels per policy, one
 * line per failure rate.  Titles and keys are read from the data files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "charts.h"

/*
 * A line's key entry: the failure rate, then the other keys named in the
 * sweep's label unless the panel's title has them (@shared).
 */
static void line_title(const struct ks_sweep *sw, bool shared, char *buf, size_t len)
{
	char raw[KS_CHART_TITLE];
	const char *rest = shared ? NULL : strchr(sw->label, ':');

	snprintf(raw, sizeof(raw), "%s%s%s", sw->fail, rest ? " " : "", rest ? rest + 1 : "");
	chart_sanitize(buf, len, raw);
}

static int write_series(struct chart_ctx *x, const char *chart, int n, int k,
			const struct ks_sweep *sw, bool shared)
{
	char path[KS_CHART_PATH], title[KS_CHART_TITLE];
	FILE *f;
	size_t i;

	f = chart_open(x, path, "%s-%d-%d.dat", chart, n, k);
	if (!f)
		return -x->err->code;
	line_title(sw, shared, title, sizeof(title));
	/* column 2 is savings with pools counted, named by the line's key entry */
	fprintf(f, "pool\t%s\tcrashes\tsavings_pct\tfallback_hits\twaits\n", title);
	/* one point per pool: the median over its seeds, the first seed's counts */
	for (i = 0; i < sw->npools; i++) {
		const struct ks_sweep_pool *p = &sw->pools[i];
		const struct ks_row *r = p->runs[0];

		fprintf(f, "%ld\t%.3f\t%g\t%.3f\t%" PRIu64 "\t%" PRIu64 "\n",
			p->pool, p->savings_pool_pct, p->median,
			r->mem[KS_BASIS_MEAN].savings_pct, r->c.fallback_hits, r->c.waits);
	}
	return chart_close(x, f, path);
}

struct panel {
	const char *chart;	/* "pool" or "fallback" */
	const char *what;	/* the image's title after the trace label */
	const char *left;	/* left panel: title suffix, y label, column */
	const char *left_y;
	int left_col;
	const char *right;
	const char *right_y;
	int right_col;
};

static const struct panel pool_panel = {
	"pool", "would-be crashes and savings against the per-CPU pool size",
	"would-be crashes", "would-be crashes", 3,
	"savings with pools counted", "savings incl. pools (%)", 2,
};

static const struct panel fallback_panel = {
	"fallback", "global-pool fallback hits and allocation waits against the per-CPU pool size",
	"fallback hits", "pages from the global pool", 5,
	"allocation waits", "allocations that slept", 6,
};

static bool has_fallback(const struct ks_sweep *sw)
{
	size_t i;

	for (i = 0; i < sw->n; i++)
		if (sw->runs[i]->c.fallback_hits || sw->runs[i]->c.waits)
			return true;
	return false;
}

/* The largest count in column @col (crashes, fallback hits, waits) of the sweeps. */
static uint64_t max_count(const struct ks_sweep *sw, size_t nsw, int col)
{
	uint64_t m = 0, v;
	size_t i, j;

	for (i = 0; i < nsw; i++)
		for (j = 0; j < sw[i].n; j++) {
			const struct ks_row *r = sw[i].runs[j];

			v = col == 3 ? r->crashes : col == 5 ? r->c.fallback_hits : r->c.waits;
			m = v > m ? v : m;
		}
	return m;
}

/*
 * Whether any run of the sweeps has a savings figure: a trace without
 * stacks (Regular 0 KiB) has none, and gnuplot refuses to autoscale an axis
 * whose every point is undefined.
 */
static bool any_savings(const struct ks_sweep *sw, size_t nsw)
{
	size_t i, j;

	for (i = 0; i < nsw; i++)
		for (j = 0; j < sw[i].n; j++)
			if (!isnan(sw[i].runs[j]->mem[KS_BASIS_MEAN].savings_pool_pct))
				return true;
	return false;
}

/*
 * A y axis for counts: whole-number tics 1, 2 or 5 x 10^k apart from 0,
 * and a little room below 0 so that lines at 0 stand clear of the axis.
 */
static void count_axis(FILE *b, uint64_t max)
{
	uint64_t step = 1, top;

	while (step * 5 < max) {
		if (step * 2 * 5 >= max) {
			step *= 2;
			break;
		}
		if (step * 5 * 5 >= max) {
			step *= 5;
			break;
		}
		step *= 10;
	}
	top = (max + step - 1) / step * step;
	if (!top)
		top = 1;
	fprintf(b, "set yrange [%g:%" PRIu64 "]\nset ytics 0, %" PRIu64 "\n",
		-0.04 * (double)top, top, step);
}

/*
 * Lines k0..k1, told apart by colour, dash and point even where they
 * coincide (a sweep without crashes lies on 0 for every failure rate).
 */
static void plot_lines(FILE *b, const struct panel *pn, int n, int k0, int k1, int col)
{
	fprintf(b, "plot for [k=%d:%d] sprintf('%s-%d-%%d.dat', k) using 1:%d with linespoints "
		   "lw 2 dt int(k - %d + 1) pt int(k - %d + 4) ps 1.2 title columnheader(2)\n",
		k0, k1, pn->chart, n, col, k0, k0);
}

/*
 * One image for the sweeps @sw[0..nsw) of one trace: a row of two panels
 * per policy.  @fallback: only policies with fallback hits or waits.
 */
static int chart_trace(struct chart_ctx *x, const struct panel *pn, int n,
		       const struct ks_sweep *sw, size_t nsw, bool fallback)
{
	char path[KS_CHART_PATH], title[KS_CHART_TITLE], raw[KS_CHART_TITLE], name[64];
	char *body = NULL;
	size_t i, j, m, len = 0, rows = 0;
	bool keep, shared;
	int ret, k = 0, k0;
	FILE *f, *b;

	/* the titles: the image's, then each row's policy */
	f = chart_open(x, path, "%s-%d.dat", pn->chart, n);
	if (!f)
		return -x->err->code;
	snprintf(raw, sizeof(raw), "%s: %s", sw[0].runs[0]->label, pn->what);
	chart_sanitize(title, sizeof(title), raw);
	fprintf(f, "%s\n", title);
	b = open_memstream(&body, &len);
	if (!b) {
		fclose(f);
		return ks_error_set(x->err, ENOMEM, "out of memory");
	}
	fprintf(b, "set grid\nset xlabel 'per-CPU pool (pages)'\nset xtics 1\n"
		   "set autoscale xfix\nset offsets 0.3, 0.3, graph 0.05, graph 0.03\n");
	ret = 0;
	for (i = 0; i < nsw && !ret; i = j) {
		for (j = i, keep = !fallback; j < nsw && !strcmp(sw[j].runs[0]->policy,
								sw[i].runs[0]->policy); j++)
			keep |= has_fallback(&sw[j]);
		if (!keep)
			continue;
		rows++;
		/* the panel names the keys all its lines share, the lines the rest */
		for (m = i + 1, shared = true; m < j; m++)
			shared &= !strcmp(sw[m].label, sw[i].label);
		chart_sanitize(title, sizeof(title), shared ? sw[i].label : sw[i].runs[0]->policy);
		fprintf(f, "%s\n", title);
		k0 = k + 1;
		for (m = i; m < j && !ret; m++)
			ret = write_series(x, pn->chart, n, ++k, &sw[m], shared);
		fprintf(b, "stats '%s-%d.dat' every ::%zu::%zu using (P = strcol(1), 0) nooutput\n",
			pn->chart, n, rows, rows);
		if (rows == 1)
			fprintf(b, "set multiplot layout ROWS,2 title T\n");
		fprintf(b, "set title P.': %s'\nset ylabel '%s'\nunset key\n", pn->left,
			pn->left_y);
		count_axis(b, max_count(&sw[i], j - i, pn->left_col));
		plot_lines(b, pn, n, k0, k, pn->left_col);
		fprintf(b, "set title P.': %s'\nset ylabel '%s'\n"
			   "set key outside right top noenhanced title 'failure rate'\n",
			pn->right, pn->right_y);
		if (pn->right_col == 2)
			fprintf(b, "%s\nset ytics autofreq\n", any_savings(&sw[i], j - i) ?
				"set autoscale y" : "set yrange [0:100]");
		else
			count_axis(b, max_count(&sw[i], j - i, pn->right_col));
		plot_lines(b, pn, n, k0, k, pn->right_col);
	}
	fprintf(b, "unset multiplot\n");
	fclose(b);
	if (chart_close(x, f, path) && !ret)
		ret = -x->err->code;
	if (!rows)
		unlink(path);
	if (!ret && rows) {
		char *full = NULL;

		if (asprintf(&full, "ROWS = %zu\nT = ''\nP = ''\n"
			     "stats '%s-%d.dat' every ::0::0 using (T = strcol(1), 0) nooutput\n%s",
			     rows, pn->chart, n, body) < 0) {
			ret = ks_error_set(x->err, ENOMEM, "out of memory");
		} else {
			snprintf(name, sizeof(name), "%s-%d", pn->chart, n);
			ret = chart_script(x, name, 1300, 90 + 340 * (int)rows, full);
			free(full);
		}
	}
	free(body);
	return ret;
}

/*
 * One image of @pn per trace with sweeps, NAME-N for the N-th such trace;
 * @fallback: only the policies with fallback hits or waits (a trace with
 * none has no image, but keeps its N).
 */
static int chart_sweeps(struct chart_ctx *x, const struct panel *pn, bool fallback)
{
	struct ks_sweep *sw = NULL;
	long nsw;
	size_t i, j;
	int ret = 0, n = 0;

	nsw = ks_sweeps_find(x->rs, x->o, &sw);
	if (nsw < 0)
		return ks_error_set(x->err, ENOMEM, "out of memory");
	for (i = 0; i < (size_t)nsw && !ret; i = j) {
		for (j = i; j < (size_t)nsw && sw[j].runs[0]->trace_key == sw[i].runs[0]->trace_key;
		     j++)
			;
		ret = chart_trace(x, pn, ++n, &sw[i], j - i, fallback);
	}
	ks_sweeps_free(sw, nsw > 0 ? (size_t)nsw : 0);
	return ret;
}

/* Would-be crashes and savings with pools against the per-CPU pool. */
int chart_pool(struct chart_ctx *x)
{
	return chart_sweeps(x, &pool_panel, false);
}

/* Global-pool fallback hits and allocation waits against the per-CPU pool. */
int chart_fallback(struct chart_ctx *x)
{
	return chart_sweeps(x, &fallback_panel, true);
}
