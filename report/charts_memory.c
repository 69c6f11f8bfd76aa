// SPDX-License-Identifier: MIT
/*
 * The memory charts: today's kernel against a policy per workload (bars:
 * one panel per trace, each on its own axis from 0, so that machines of
 * tens of MiB and recordings of 2 MiB both read), stack memory over time
 * (timeline) and the high-water-mark histogram (hwm).
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

/* The policy of the bars: @o's, else rfc, else the first one shown. */
static const char *bars_policy(const struct chart_ctx *x)
{
	const char *want = x->o->policy ? x->o->policy : "rfc";
	size_t i;

	for (i = 0; i < x->rs->n; i++)
		if (x->rs->rows[i].shown && !strcmp(x->rs->rows[i].policy, want))
			return want;
	for (i = 0; i < x->rs->n; i++)
		if (x->rs->rows[i].shown)
			return x->rs->rows[i].policy;
	return want;
}

/*
 * One panel's data: the three bases, each with today's kernel (the static
 * run), the policy's stacks and its stacks with pools and caches, and the
 * savings printed on the bars.
 */
static int bars_panel(struct chart_ctx *x, const struct ks_row *r, const char *slug,
		      const char *policy)
{
	char path[KS_CHART_PATH];
	FILE *f;
	int b;

	f = chart_open(x, path, "bars-%s.dat", slug);
	if (!f)
		return -x->err->code;
	fprintf(f, "basis\tx\ttoday (static)\tdynamic (%s), its saving\t"
		   "dynamic + pools and caches (%s), its saving\tsavings_pct\tsavings_pool_pct\t"
		   "oops\n", policy, policy);
	for (b = 0; b < KS_NR_BASES; b++) {
		const struct ks_mem *m = &r->mem[b];

		fprintf(f, "%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\n", ks_basis_name(b), b,
			m->regular_kb, m->dynamic_kb, m->dynamic_kb + m->pool_kb, m->savings_pct,
			m->savings_pool_pct, r->crashes > 0);
	}
	return chart_close(x, f, path);
}

/* The trace's default run of @policy, if it has a static run to compare with. */
static const struct ks_row *bars_pick(const struct chart_ctx *x, size_t i, size_t *next,
				      const char *policy)
{
	const struct ks_row *pick = NULL;
	size_t j;

	for (j = i; j < x->rs->n && x->rs->rows[j].trace_key == x->rs->rows[i].trace_key; j++)
		if (x->rs->rows[j].shown && !pick && !strcmp(x->rs->rows[j].policy, policy))
			pick = &x->rs->rows[j];
	*next = j;
	/* no static run of the trace (or no stacks): nothing to compare with */
	if (!pick || isnan(pick->mem[KS_BASIS_END].savings_pct) ||
	    isnan(pick->mem[KS_BASIS_PEAK].savings_pct))
		return NULL;
	return pick;
}

/*
 * The bars chart's panels at most: 8 rows of 4 (a fleet of 1000 traces
 * would ask cairo for an image 80 000 pixels high, which it refuses, and
 * nobody reads 1000 panels: the fleet report sums a fleet up).
 */
#define BARS_MAX_PANELS 32

/*
 * Today's kernel against the policy, one panel per trace (the trace's
 * default run of the policy; a trace without it, or without a static run
 * to compare with, has no panel), the three bases side by side, the
 * savings printed on the bars, a run with a would-be oops hatched; the
 * first BARS_MAX_PANELS such traces, the title says so when there are more.
 */
int chart_bars(struct chart_ctx *x)
{
	const char *policy = bars_policy(x);
	char path[KS_CHART_PATH], raw[2 * KS_CHART_TITLE], title[KS_CHART_TITLE];
	char pol[KS_CHART_TITLE];
	const struct ks_row *pick;
	const struct chart_trace *ct;
	size_t i, j, n = 0, shown, cols, rows;
	bool oops = false;
	char *body = NULL, *full = NULL;
	size_t len = 0;
	FILE *f, *b;
	int ret = 0;

	for (i = 0; i < x->rs->n; i = j) {
		pick = bars_pick(x, i, &j, policy);
		if (!pick)
			continue;
		if (!n++)
			chart_sanitize(pol, sizeof(pol), pick->policy_label);
		if (n <= BARS_MAX_PANELS)
			oops |= pick->crashes > 0;
	}
	if (!n)
		return 0;
	shown = n < BARS_MAX_PANELS ? n : BARS_MAX_PANELS;
	f = chart_open(x, path, "bars.dat");
	if (!f)
		return -x->err->code;
	b = open_memstream(&body, &len);
	if (!b) {
		fclose(f);
		return ks_error_set(x->err, ENOMEM, "out of memory");
	}
	/* the image's title, then each panel's */
	/* the image's title on two lines: a wide one would not fit two panels */
	snprintf(raw, sizeof(raw), "Kernel stack memory per workload: today (static) and %s", pol);
	chart_sanitize(title, sizeof(title), raw);
	fprintf(f, "title\n%s\n", title);
	fprintf(f, "at the end of each trace, at its peak and on its time-weighted mean, savings "
		   "on the bars%s", oops ? ", hatched: a would-be oops, no saving" : "");
	if (shown < n)
		fprintf(f, " (the first %zu traces of %zu)", shown, n);
	fputc('\n', f);
	for (i = 0, n = 0; i < x->rs->n && !ret && n < shown; i = j) {
		pick = bars_pick(x, i, &j, policy);
		if (!pick)
			continue;
		n++;
		ct = chart_trace_of(x, pick->trace_key);
		fprintf(f, "%s\n", ct->title);
		ret = bars_panel(x, pick, ct->slug, pol);
		fprintf(b, "stats 'bars.dat' every ::%zu::%zu using (P = strcol(1), 0) nooutput\n"
			   "set title P\n%s"
			   "plot 'bars-%s.dat' using ($2 * 4):3 with boxes lt 1 "
			   "title columnheader(3), \\\n"
			   "\t'' using ($2 * 4 + 1):4 with boxes lt 2 title columnheader(4), \\\n"
			   "\t'' using ($2 * 4 + 2):5 with boxes lt 3 title columnheader(5), \\\n"
			   "\t'' using ($2 * 4 + 1):($8 > 0 ? $4 : NaN) with boxes "
			   "fs transparent pattern 4 lc rgb 'black' "
			   "title (OOPS ? 'would-be oops' : ''), \\\n"
			   "\t'' using ($2 * 4 + 2):($8 > 0 ? $5 : NaN) with boxes "
			   "fs transparent pattern 4 lc rgb 'black' notitle, \\\n"
			   "\t'' using ($2 * 4 + 1):4:(sprintf('%%.1f%%%%', $6)) with labels "
			   "rotate by 90 left offset 0,0.4 font ',8' notitle, \\\n"
			   "\t'' using ($2 * 4 + 2):5:(sprintf('%%.1f%%%%', $7)) with labels "
			   "rotate by 90 left offset 0,0.4 font ',8' notitle\n"
			   "unset key\n",
			n + 2, n + 2, n == 1 ? "set key top right noenhanced font ',8'\n" : "",
			ct->slug);
	}
	fclose(b);
	if (chart_close(x, f, path) && !ret)
		ret = -x->err->code;
	if (ret)
		goto out;
	cols = shown < 4 ? shown : 4;
	rows = (shown + cols - 1) / cols;
	if (asprintf(&full,
		     "T = ''\nU = ''\nP = ''\nOOPS = %d\n"
		     "stats 'bars.dat' every ::1::1 using (T = strcol(1), 0) nooutput\n"
		     "stats 'bars.dat' every ::2::2 using (U = strcol(1), 0) nooutput\n"
		     "T = T . \"\\n\" . U\n"
		     "set style fill solid 0.85 border -1\n"
		     "set boxwidth 0.9\n"
		     "set xrange [-0.8:10.8]\n"
		     "set xtics ('end' 1, 'peak' 5, 'mean' 9) nomirror\n"
		     "set yrange [0:*]\n"
		     "set offsets 0, 0, graph 0.3, 0\n"
		     "set ylabel 'KiB'\n"
		     "set grid ytics\n"
		     "set multiplot layout %zu,%zu title T noenhanced\n"
		     "%sunset multiplot\n",
		     oops, rows, cols, body) < 0)
		ret = ks_error_set(x->err, ENOMEM, "out of memory");
	else
		/* wide enough for the title's second line, whatever the panels */
		ret = chart_script(x, "bars", cols > 2 ? 460 * (int)cols : 920,
				   90 + 330 * (int)rows, full);
out:
	free(full);
	free(body);
	return ret;
}

/* The trace the timeline shows: @o->trace, else the first real one with samples. */
static int timeline_trace(struct chart_ctx *x, int64_t *trace)
{
	const char *want = x->o->trace;
	struct ks_store_point *pts;
	bool found = false;
	size_t i, pass, n;
	int ret;

	*trace = -1;
	for (i = 0; want && i < x->rs->n && !found; i++)
		found = !strcmp(x->rs->rows[i].label, want) ||
			!strcmp(x->rs->rows[i].trace_id, want);
	if (want && !found)
		return ks_error_set(x->err, ENOENT, "no trace '%s' stored (give a label or id)",
				    want);
	/* pass 0: real traces, pass 1: any */
	for (pass = want ? 1 : 0; pass < 2; pass++) {
		for (i = 0; i < x->rs->n; i++) {
			const struct ks_row *r = &x->rs->rows[i];

			if (!r->shown || (want && strcmp(r->label, want) &&
					  strcmp(r->trace_id, want)) || (!pass && r->synthetic))
				continue;
			ret = ks_store_samples(x->s, r->run_key, &pts, &n, x->err);
			free(pts);
			if (ret)
				return ret;
			if (n) {
				*trace = r->trace_key;
				return 0;
			}
		}
	}
	return 0;
}

/*
 * One line per policy: its default run, or its first run shown when no
 * default is known (a sweep of twenty lines would hide the comparison).
 */
static bool timeline_pick(const struct ks_rowset *rs, const struct ks_row *r)
{
	const struct ks_row *first = NULL, *def = NULL;
	size_t i;

	for (i = 0; i < rs->n; i++) {
		const struct ks_row *q = &rs->rows[i];

		if (!q->shown || q->trace_key != r->trace_key || strcmp(q->policy, r->policy))
			continue;
		if (!first)
			first = q;
		if (!def && q->is_default)
			def = q;
	}
	return r == (def ? def : first);
}

/* The first point at or after a run's first would-be oops: where its line stops being a saving. */
static void timeline_oops(FILE *oops, const struct ks_row *r, const struct ks_store_point *pts,
			  size_t n, int series)
{
	size_t k;

	if (!r->crashes)
		return;
	for (k = 0; k + 1 < n && (double)pts[k].time_ns / 1e9 < r->oops_s; k++)
		;
	fprintf(oops, "%.6f\t%" PRId64 "\t%d\n", r->oops_s,
		pts[k].stack_kb + pts[k].pool_kb + pts[k].cache_kb, series);
}

/*
 * Stack memory (stacks + pools + cached stacks) over time, one line per
 * policy, for one trace.  Lines that meet stay visible: each is a little
 * thinner than the one drawn before it and has its own dash; a run's first
 * would-be oops is marked.
 */
int chart_timeline(struct chart_ctx *x)
{
	char path[KS_CHART_PATH], title[KS_CHART_TITLE], raw[2 * KS_CHART_TITLE], body[2048];
	char opath[KS_CHART_PATH];
	struct ks_store_point *pts = NULL;
	int ret, nseries = 0, noops = 0;
	FILE *f, *oops = NULL;
	size_t i, k, n;
	int64_t trace;

	ret = timeline_trace(x, &trace);
	if (ret || trace < 0)
		return ret;
	oops = chart_open(x, opath, "timeline-oops.dat");
	if (!oops)
		return -x->err->code;
	fprintf(oops, "time_s\ttotal_kb\tseries\n");
	for (i = 0; i < x->rs->n; i++) {
		const struct ks_row *r = &x->rs->rows[i];

		if (!r->shown || r->trace_key != trace || !timeline_pick(x->rs, r))
			continue;
		free(pts);
		ret = ks_store_samples(x->s, r->run_key, &pts, &n, x->err);
		if (ret)
			goto out;
		if (!n)
			continue;
		f = chart_open(x, path, "timeline_%d.dat", ++nseries);
		if (!f) {
			ret = -x->err->code;
			goto out;
		}
		/* the series title is the policy; the trace is in the chart's title */
		chart_sanitize(title, sizeof(title), r->policy_label);
		fprintf(f, "time_s\t%s\tpool_kb\tcache_kb\ttotal_kb\n", title);
		for (k = 0; k < n; k++) {
			const struct ks_store_point *q = &pts[k];

			fprintf(f, "%.6f\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\n",
				(double)q->time_ns / 1e9, q->stack_kb, q->pool_kb, q->cache_kb,
				q->stack_kb + q->pool_kb + q->cache_kb);
		}
		ret = chart_close(x, f, path);
		if (ret)
			goto out;
		timeline_oops(oops, r, pts, n, nseries);
		noops += r->crashes > 0;
	}
	ret = chart_close(x, oops, opath);
	oops = NULL;
	if (ret)
		goto out;
	if (!noops)
		unlink(opath);
	if (!nseries)
		goto out;
	f = chart_open(x, path, "timeline.dat");
	if (!f) {
		ret = -x->err->code;
		goto out;
	}
	snprintf(raw, sizeof(raw),
		 "Kernel stack memory over time (stacks + pools + cached stacks): %s",
		 chart_trace_of(x, trace)->title);
	chart_sanitize(title, sizeof(title), raw);
	fprintf(f, "title\n%s\n", title);
	ret = chart_close(x, f, path);
	if (ret)
		goto out;
	snprintf(body, sizeof(body),
		 "N = %d\n"
		 "T = ''\n"
		 "stats 'timeline.dat' every ::1::1 using (T = strcol(1), 0) nooutput\n"
		 "set title T\n"
		 "set xlabel 'seconds since the trace started'\n"
		 "set ylabel 'KiB'\n"
		 "set yrange [0:*]\n"
		 "set grid\n"
		 "set key outside right top noenhanced title 'policy'\n"
		 "plot for [i=1:N] sprintf('timeline_%%d.dat', i) using 1:5 with steps lt i dt i "
		 "lw (4.5 - 3.0 * (i - 1) / (N > 1 ? N - 1 : 1)) title columnheader(2)%s\n",
		 nseries, noops ? ", \\\n\t'timeline-oops.dat' using 1:2 with points pt 2 ps 3 "
				  "lw 3 lc rgb 'black' title 'would-be oops'" : "");
	ret = chart_script(x, "timeline", 1100, 600, body);
out:
	if (oops)
		fclose(oops);
	free(pts);
	return ret;
}

#define HWM_BUCKETS 16

/*
 * Lifetime HWM histogram: share of tasks per bucket, one line per trace
 * (many traces: lines, each with its own colour, dash and point, read
 * better than clusters of many bars).
 */
int chart_hwm(struct chart_ctx *x)
{
	char path[KS_CHART_PATH], body[1024];
	uint64_t (*hist)[HWM_BUCKETS] = NULL;
	const struct ks_row **who = NULL;
	size_t i, j, n = 0, nb = 0, rnb;
	FILE *f = NULL;
	int ret = 0;

	hist = calloc(x->rs->n + 1, sizeof(*hist));
	who = calloc(x->rs->n + 1, sizeof(*who));
	if (!hist || !who) {
		ret = ks_error_set(x->err, ENOMEM, "out of memory");
		goto out;
	}
	/* the first shown run of each trace that has a histogram */
	for (i = 0; i < x->rs->n; i++) {
		const struct ks_row *r = &x->rs->rows[i];

		if (!r->shown || (n && who[n - 1]->trace_key == r->trace_key))
			continue;
		ret = ks_store_hwm(x->s, r->run_key, hist[n], HWM_BUCKETS, &rnb, x->err);
		if (ret)
			goto out;
		if (rnb > nb)
			nb = rnb;
		if (rnb)
			who[n++] = r;
	}
	if (!n)
		goto out;

	f = chart_open(x, path, "hwm.dat");
	if (!f) {
		ret = -x->err->code;
		goto out;
	}
	fprintf(f, "hwm");
	for (j = 0; j < n; j++)
		fprintf(f, "\t%s", chart_trace_of(x, who[j]->trace_key)->title);
	fputc('\n', f);
	for (i = 0; i < nb; i++) {
		fprintf(f, "%uK", 1u << i);
		for (j = 0; j < n; j++) {
			uint64_t total = 0;
			size_t b;

			for (b = 0; b < nb; b++)
				total += hist[j][b];
			fprintf(f, "\t%.3f", total ? 100.0 * (double)hist[j][i] / (double)total : 0.0);
		}
		fputc('\n', f);
	}
	ret = chart_close(x, f, path);
	if (ret)
		goto out;
	snprintf(body, sizeof(body),
		 "N = %zu\n"
		 "set title 'Lifetime stack high-water mark of all tasks'\n"
		 "set xlabel 'high-water mark (up to)'\n"
		 "set ylabel 'tasks (%%)'\n"
		 "set yrange [-2:102]\n"
		 "set offsets 0.2, 0.2, 0, 0\n"
		 "set grid\n"
		 "set key outside right top noenhanced\n"
		 "plot for [i=2:N+1] 'hwm.dat' using 0:i:xticlabels(1) with linespoints lt (i - 1) "
		 "lw 2 ps 1.3 title columnheader(i)\n",
		 n);
	ret = chart_script(x, "hwm", 1100, 600, body);
out:
	free(hist);
	free(who);
	return ret;
}
