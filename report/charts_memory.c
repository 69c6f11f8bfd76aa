// SPDX-License-Identifier: MIT
/*
 * The memory charts: regular vs dynamic per workload (bars), stack memory
 * over time (timeline) and the high-water-mark histogram (hwm).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charts.h"

/* Regular vs dynamic vs dynamic + pools: one group per trace, one policy's default run. */
int chart_bars(struct chart_ctx *x)
{
	const char *want = x->o->policy ? x->o->policy : "rfc";
	char path[KS_CHART_PATH], title[KS_CHART_TITLE], raw[KS_CHART_TITLE], body[2048];
	const struct ks_row *pick = NULL, *r;
	size_t i, j, n = 0, longest = 0, first_len = 0;
	int lmargin, bmargin, w;
	bool any = false;
	FILE *f;

	/*
	 * The policy asked for, else rfc, else the first policy shown; a trace
	 * without a run of it shown has no group (the bars would not compare).
	 */
	for (i = 0; i < x->rs->n && !any; i++)
		any = x->rs->rows[i].shown && !strcmp(x->rs->rows[i].policy, want);
	for (i = 0; i < x->rs->n && !any; i++)
		if (x->rs->rows[i].shown) {
			want = x->rs->rows[i].policy;
			any = true;
		}
	f = chart_open(x, path, "bars.dat");
	if (!f)
		return -x->err->code;
	for (i = 0; i < x->rs->n; i = j) {
		pick = NULL;
		for (j = i; j < x->rs->n && x->rs->rows[j].trace_key == x->rs->rows[i].trace_key;
		     j++) {
			r = &x->rs->rows[j];
			if (r->shown && !pick && !strcmp(r->policy, want))
				pick = r;
		}
		/* no static run of the trace: no Regular to compare with */
		if (!pick || isnan(pick->mem[KS_BASIS_END].regular_kb))
			continue;
		if (!n++) {
			chart_sanitize(raw, sizeof(raw), pick->policy_label);
			fprintf(f, "trace\tRegular (full stacks)\tDynamic (%s)\t"
				"Dynamic + pools (%s)\n", raw, raw);
		}
		chart_sanitize(title, 41, pick->label);
		if (strlen(pick->label) > 40)
			memcpy(title + 37, "...", 4);
		if (n == 1)
			first_len = strlen(title);
		if (strlen(title) > longest)
			longest = strlen(title);
		fprintf(f, "%s\t%.0f\t%.0f\t%.0f\n", title, pick->mem[KS_BASIS_END].regular_kb,
			pick->mem[KS_BASIS_END].dynamic_kb,
			pick->mem[KS_BASIS_END].dynamic_kb + pick->mem[KS_BASIS_END].pool_kb);
	}
	if (chart_close(x, f, path))
		return -x->err->code;
	if (!n)
		return 0;
	/*
	 * Tick labels turned 30 degrees and right-aligned at their tick: about
	 * 0.3 character heights down and 0.5 widths left per character.
	 */
	bmargin = 3 + (int)(0.3 * (double)longest + 0.5);
	lmargin = 10 > (int)(0.5 * (double)first_len) ? 10 : (int)(0.5 * (double)first_len);
	w = 420 + 110 * (int)n;
	snprintf(body, sizeof(body),
		 "set title 'Kernel stack memory at the end of each trace'\n"
		 "set ylabel 'KiB'\n"
		 "set yrange [0:*]\n"
		 "set offsets 0, 0, graph 0.12, 0\n"
		 "set style data histograms\n"
		 "set style histogram clustered gap 1\n"
		 "set style fill solid 0.8 border -1\n"
		 "set xtics rotate by 30 right noenhanced nomirror\n"
		 "set bmargin %d\n"
		 "set lmargin %d\n"
		 "set key top left noenhanced opaque\n"
		 "set grid ytics\n"
		 "plot 'bars.dat' using 2:xticlabels(1) title columnheader(2), \\\n"
		 "\t'' using 3 title columnheader(3), \\\n"
		 "\t'' using 4 title columnheader(4)\n",
		 bmargin, lmargin);
	return chart_script(x, "bars", w < 900 ? 900 : w, 600, body);
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

/* Stack memory (stacks + pools) over time, one line per policy, for one trace. */
int chart_timeline(struct chart_ctx *x)
{
	char path[KS_CHART_PATH], title[KS_CHART_TITLE], raw[KS_CHART_TITLE], body[2048];
	struct ks_store_point *pts = NULL;
	int ret, nseries = 0;
	size_t i, k, n;
	int64_t trace;
	FILE *f;

	ret = timeline_trace(x, &trace);
	if (ret || trace < 0)
		return ret;
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
		f = chart_open(x, path, "timeline-%d.dat", ++nseries);
		if (!f) {
			ret = -x->err->code;
			goto out;
		}
		/* the series title is the policy; the trace is in the chart's title */
		chart_sanitize(title, sizeof(title), r->policy_label);
		fprintf(f, "time_s\t%s\tpool_kb\ttotal_kb\n", title);
		for (k = 0; k < n; k++)
			fprintf(f, "%.6f\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\n",
				(double)pts[k].time_ns / 1e9, pts[k].stack_kb, pts[k].pool_kb,
				pts[k].stack_kb + pts[k].pool_kb);
		ret = chart_close(x, f, path);
		if (ret)
			goto out;
	}
	if (!nseries)
		goto out;
	f = chart_open(x, path, "timeline.dat");
	if (!f) {
		ret = -x->err->code;
		goto out;
	}
	for (i = 0; i < x->rs->n && x->rs->rows[i].trace_key != trace; i++)
		;
	snprintf(raw, sizeof(raw), "Kernel stack memory over time (stacks + pools): %s",
		 x->rs->rows[i].label);
	chart_sanitize(title, sizeof(title), raw);
	fprintf(f, "%s\n", title);
	ret = chart_close(x, f, path);
	if (ret)
		goto out;
	snprintf(body, sizeof(body),
		 "N = %d\n"
		 "T = ''\n"
		 "stats 'timeline.dat' every ::0::0 using (T = strcol(1), 0) nooutput\n"
		 "set title T\n"
		 "set xlabel 'seconds since the trace started'\n"
		 "set ylabel 'KiB'\n"
		 "set yrange [0:*]\n"
		 "set grid\n"
		 "set key outside right top noenhanced title 'policy'\n"
		 "plot for [i=1:N] sprintf('timeline-%%d.dat', i) using 1:4 with steps lw 2 "
		 "title columnheader(2)\n",
		 nseries);
	ret = chart_script(x, "timeline", 1100, 600, body);
out:
	free(pts);
	return ret;
}

#define HWM_BUCKETS 16

/* Lifetime HWM histogram: share of tasks per bucket, one series per trace. */
int chart_hwm(struct chart_ctx *x)
{
	char path[KS_CHART_PATH], title[KS_CHART_TITLE], body[1024];
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
	for (j = 0; j < n; j++) {
		chart_sanitize(title, sizeof(title), who[j]->label);
		fprintf(f, "\t%s", title);
	}
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
		 "set yrange [0:100]\n"
		 "set grid ytics\n"
		 "set style data histograms\n"
		 "set style histogram clustered gap 1\n"
		 "set style fill solid 0.8 border -1\n"
		 "set key outside right top noenhanced\n"
		 "plot for [i=2:N+1] 'hwm.dat' using i:xticlabels(1) title columnheader(i)\n",
		 n);
	ret = chart_script(x, "hwm", 1100, 600, body);
out:
	free(hist);
	free(who);
	return ret;
}
