// SPDX-License-Identifier: MIT
/*
 * The pool-size sweep charts, one image per trace so that no panel is
 * crowded, named after the trace: pool-SLUG (over the seeds of each failure
 * rate: the share with a would-be crash, the median and most crashes, and
 * the savings with pools counted, against the per-CPU pool) and
 * fallback-SLUG (global-pool fallback hits and allocation waits against the
 * pool), one row of panels per policy, one line per failure rate.  Lines
 * that would coincide (a sweep without crashes lies on 0 for every failure
 * rate) are drawn side by side, each with its own dash and point.  A pool
 * whose runs had a would-be crash is circled on the savings panel: memory
 * after an oops is no saving.  Titles and keys are read from the data files.
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
 * A line's key entry: the failure rate and its seeds, then the other keys
 * named in the sweep's label unless the panel's title has them (@shared).
 */
static void line_title(const struct ks_sweep *sw, bool shared, char *buf, size_t len)
{
	char raw[KS_CHART_TITLE], seeds[48];
	const char *rest = shared ? NULL : strchr(sw->label, ':');

	if (sw->seeds_min == sw->seeds_max)
		snprintf(seeds, sizeof(seeds), "%zu seed%s", sw->seeds_min,
			 sw->seeds_min == 1 ? "" : "s");
	else
		snprintf(seeds, sizeof(seeds), "%zu to %zu seeds", sw->seeds_min, sw->seeds_max);
	snprintf(raw, sizeof(raw), "%s (%s)%s%s", sw->fail, seeds, rest ? " " : "",
		 rest ? rest + 1 : "");
	chart_sanitize(buf, len, raw);
}

static void value(FILE *f, double v)
{
	if (isnan(v))
		fputs("\tNaN", f);
	else
		fprintf(f, "\t%.3f", v);
}

/* One line's points, one per pool size, what its seeds say together. */
static int write_series(struct chart_ctx *x, const char *chart, const char *slug, int k,
			const struct ks_sweep *sw, bool shared)
{
	char path[KS_CHART_PATH], title[KS_CHART_TITLE];
	FILE *f;
	size_t i;

	f = chart_open(x, path, "%s-%s_%d.dat", chart, slug, k);
	if (!f)
		return -x->err->code;
	line_title(sw, shared, title, sizeof(title));
	/* column 2 is the median savings with pools, named by the line's key entry */
	fprintf(f, "pool\t%s\tseeds_crashing_pct\tcrashes_median\tcrashes_max\t"
		   "savings_if_oops\tfallback_median\twaits_median\tseeds\n", title);
	for (i = 0; i < sw->npools; i++) {
		const struct ks_sweep_pool *p = &sw->pools[i];

		fprintf(f, "%ld", p->pool);
		value(f, p->savings_pool_pct);
		value(f, 100.0 * (double)p->crashed / (double)p->seeds);
		value(f, p->median);
		value(f, (double)p->max);
		value(f, p->crashed ? p->savings_pool_pct : NAN);
		value(f, p->fallback_median);
		value(f, p->waits_median);
		fprintf(f, "\t%zu\n", p->seeds);
	}
	return chart_close(x, f, path);
}

/* A panel: its title after the policy, its y label, the column it draws. */
struct panel {
	const char *title;
	const char *ylabel;
	int col;
};

struct chart_kind {
	const char *chart;	/* "pool" or "fallback" */
	const char *what;	/* the image's title after the trace */
	struct panel panel[3];
	int npanels;
};

static const struct chart_kind pool_kind = {
	"pool", "would-be crashes over the seeds of each failure rate, and savings, against "
		"the per-CPU pool size",
	{
		{ "seeds with a would-be crash", "seeds crashing (%)", 3 },
		{ "would-be crashes per seed (median, bar to the most)", "would-be crashes", 4 },
		{ "savings with pools counted (median, circled: an oops, no saving)",
		  "savings incl. pools (%, mean)", 2 },
	},
	3,
};

static const struct chart_kind fallback_kind = {
	"fallback", "global-pool fallback hits and allocation waits against the per-CPU pool "
		    "size (medians over the seeds)",
	{
		{ "fallback hits", "pages from the global pool", 7 },
		{ "allocation waits", "allocations that slept", 8 },
	},
	2,
};

static bool has_fallback(const struct ks_sweep *sw)
{
	size_t i;

	for (i = 0; i < sw->n; i++)
		if (sw->runs[i]->c.fallback_hits || sw->runs[i]->c.waits)
			return true;
	return false;
}

/* The largest value of column @col over the sweeps' pools. */
static double max_value(const struct ks_sweep *sw, size_t nsw, int col)
{
	double m = 0, v;
	size_t i, j;

	for (i = 0; i < nsw; i++)
		for (j = 0; j < sw[i].npools; j++) {
			const struct ks_sweep_pool *p = &sw[i].pools[j];

			v = col == 4 ? (double)p->max : col == 7 ? p->fallback_median :
			    p->waits_median;
			m = v > m ? v : m;
		}
	return m;
}

/* The lowest savings figure of the sweeps (0 if none is below), NAN if none is known. */
static double min_savings(const struct ks_sweep *sw, size_t nsw)
{
	double m = NAN;
	size_t i, j;

	for (i = 0; i < nsw; i++)
		for (j = 0; j < sw[i].npools; j++) {
			double v = sw[i].pools[j].savings_pool_pct;

			if (!isnan(v) && (isnan(m) || v < m))
				m = v;
		}
	return isnan(m) ? m : (m < 0 ? m : 0);
}

/*
 * A y axis for counts: whole-number tics 1, 2 or 5 x 10^k apart from 0,
 * and a little room below 0 so that lines at 0 stand clear of the axis.
 */
static void count_axis(FILE *b, double max)
{
	uint64_t step = 1, top, m = (uint64_t)ceil(max);

	while (step * 5 < m) {
		if (step * 2 * 5 >= m) {
			step *= 2;
			break;
		}
		if (step * 5 * 5 >= m) {
			step *= 5;
			break;
		}
		step *= 10;
	}
	top = (m + step - 1) / step * step;
	if (!top)
		top = 1;
	fprintf(b, "set yrange [%g:%" PRIu64 "]\nset ytics 0, %" PRIu64 "\n",
		-0.04 * (double)top, top, step);
}

/*
 * Lines k0..k1 of panel @pn, told apart by colour, dash and point, and each
 * shifted a little along x from the others so that lines on the same values
 * stay visible side by side.
 */
static void plot_lines(FILE *b, const struct chart_kind *ck, const char *slug, int k0, int k1,
		       const struct panel *pn)
{
	const char *with = pn->col == 4 ? "yerrorlines" : "linespoints";
	char using[64];

	/* the crashes: the median, with a bar up to the most of one seed */
	if (pn->col == 4)
		snprintf(using, sizeof(using), "%d:%d:%d", 4, 4, 5);
	else
		snprintf(using, sizeof(using), "%d", pn->col);
	fprintf(b, "plot for [k=%d:%d] sprintf('%s-%s_%%d.dat', k) using ($1 + 0.1 * (k - %g)):%s "
		   "with %s lt (k - %d + 1) dt k pt (word('7 5 9 11 13 15', "
		   "(k - %d) %% 6 + 1) + 0) lw 2 ps 1.2 title columnheader(2)",
		k0, k1, ck->chart, slug, (k0 + k1) / 2.0, using, with, k0, k0);
	if (pn->col == 2)
		fprintf(b, ", \\\n\tfor [k=%d:%d] sprintf('%s-%s_%%d.dat', k) using "
			   "($1 + 0.1 * (k - %g)):6 with points pt 6 ps 3 lw 2 lc rgb 'black' "
			   "title (k == %d ? 'would-be oops' : '')",
			k0, k1, ck->chart, slug, (k0 + k1) / 2.0, k0);
	fputc('\n', b);
}

static void panel_axis(FILE *b, const struct panel *pn, const struct ks_sweep *sw, size_t nsw)
{
	double lo;

	switch (pn->col) {
	case 2:
		/* savings start at 0 (or below, when a policy costs memory) */
		lo = min_savings(sw, nsw);
		if (isnan(lo))
			fprintf(b, "set yrange [0:100]\nset ytics autofreq\n");
		else
			fprintf(b, "set yrange [%g:*]\nset ytics autofreq\n", floor(lo / 10) * 10);
		break;
	case 3:
		fprintf(b, "set yrange [-4:104]\nset ytics 0, 20\n");
		break;
	default:
		count_axis(b, max_value(sw, nsw, pn->col));
		break;
	}
}

/*
 * One image for the sweeps @sw[0..nsw) of one trace: a row of panels per
 * policy.  @fallback: only policies with fallback hits or waits.
 */
static int chart_trace(struct chart_ctx *x, const struct chart_kind *ck, const struct ks_sweep *sw,
		       size_t nsw, bool fallback)
{
	const struct chart_trace *ct = chart_trace_of(x, sw[0].runs[0]->trace_key);
	char path[KS_CHART_PATH], title[KS_CHART_TITLE], raw[2 * KS_CHART_TITLE], name[96];
	char *body = NULL;
	size_t i, j, m, len = 0, rows = 0;
	bool keep, shared;
	int ret, k = 0, k0, p;
	FILE *f, *b;

	/* the titles: the image's, then each row's policy */
	f = chart_open(x, path, "%s-%s.dat", ck->chart, ct->slug);
	if (!f)
		return -x->err->code;
	snprintf(raw, sizeof(raw), "%s: %s", ct->title, ck->what);
	chart_sanitize(title, sizeof(title), raw);
	fprintf(f, "title\n%s\n", title);
	b = open_memstream(&body, &len);
	if (!b) {
		fclose(f);
		return ks_error_set(x->err, ENOMEM, "out of memory");
	}
	fprintf(b, "set grid\nset xlabel 'per-CPU pool (pages)'\nset xtics 1\n"
		   "set autoscale xfix\nset offsets 0.4, 0.4, graph 0.05, graph 0.03\n");
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
			ret = write_series(x, ck->chart, ct->slug, ++k, &sw[m], shared);
		fprintf(b, "stats '%s-%s.dat' every ::%zu::%zu using (P = strcol(1), 0) nooutput\n",
			ck->chart, ct->slug, rows + 1, rows + 1);
		if (rows == 1)
			fprintf(b, "set multiplot layout ROWS,%d title T\n", ck->npanels);
		for (p = 0; p < ck->npanels; p++) {
			const struct panel *pn = &ck->panel[p];

			fprintf(b, "set title P.': %s'\nset ylabel '%s'\n", pn->title, pn->ylabel);
			if (p + 1 == ck->npanels)
				fprintf(b, "set key outside right top noenhanced "
					   "title 'failure rate'\n");
			else
				fprintf(b, "unset key\n");
			panel_axis(b, pn, &sw[i], j - i);
			plot_lines(b, ck, ct->slug, k0, k, pn);
		}
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
			     "stats '%s-%s.dat' every ::1::1 using (T = strcol(1), 0) nooutput\n%s",
			     rows, ck->chart, ct->slug, body) < 0) {
			ret = ks_error_set(x->err, ENOMEM, "out of memory");
		} else {
			snprintf(name, sizeof(name), "%s-%s", ck->chart, ct->slug);
			ret = chart_script(x, name, 560 * ck->npanels + 160, 90 + 340 * (int)rows,
					   full);
			free(full);
		}
	}
	free(body);
	return ret;
}

/*
 * One image of @ck per trace with sweeps, NAME-SLUG; @fallback: only the
 * policies with fallback hits or waits (a trace with none has no image).
 */
static int chart_sweeps(struct chart_ctx *x, const struct chart_kind *ck, bool fallback)
{
	struct ks_sweep *sw = NULL;
	long nsw;
	size_t i, j;
	int ret = 0;

	nsw = ks_sweeps_find(x->rs, x->o, &sw);
	if (nsw < 0)
		return ks_error_set(x->err, ENOMEM, "out of memory");
	for (i = 0; i < (size_t)nsw && !ret; i = j) {
		for (j = i; j < (size_t)nsw && sw[j].runs[0]->trace_key == sw[i].runs[0]->trace_key;
		     j++)
			;
		ret = chart_trace(x, ck, &sw[i], j - i, fallback);
	}
	ks_sweeps_free(sw, nsw > 0 ? (size_t)nsw : 0);
	return ret;
}

/* Would-be crashes over the seeds, and savings with pools, against the per-CPU pool. */
int chart_pool(struct chart_ctx *x)
{
	return chart_sweeps(x, &pool_kind, false);
}

/* Global-pool fallback hits and allocation waits against the per-CPU pool. */
int chart_fallback(struct chart_ctx *x)
{
	return chart_sweeps(x, &fallback_kind, true);
}
