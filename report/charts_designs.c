// SPDX-License-Identifier: MIT
/*
 * The designs chart, one image per trace (designs-SLUG): the memory over
 * time (stacks + pools + cached stacks) of every design of the designs
 * table (designs.c) on that trace, in three panels one above the other, so
 * that fourteen lines do not hide each other: today's kernel and its
 * smaller fixed stacks; the RFC's policies; the reviewers' designs, with
 * rfc drawn thin and black for reference.  Each panel has its own axis
 * from 0.  A design of two runs, the ends of what the trace cannot tell
 * (access=depth and access=hwm), is a band between them with both edges
 * drawn, never one line: which end is right the trace does not say.  A
 * design's first would-be oops is marked, as on the timeline: after it its
 * memory is no saving.
 *
 * Files: designs-SLUG.dat (the title, then each panel's), designs-SLUG_K.dat
 * (series K: time, the design's memory, and the high edge of a band, which
 * is the memory again for a design of one run), designs-SLUG_oops.dat (the
 * oopses: time, memory, series) and the script designs-SLUG.gp.  Titles and
 * keys are read from the data.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "charts.h"

/* Designs drawn: the table's, each one or two series (two when its runs cannot share a band). */
#define DESIGNS_MAX_SERIES 64

/* One run's points, total KiB (stacks + pools + cached stacks). */
struct dseries_run {
	const struct ks_row *run;
	struct ks_store_point *pts;
	size_t n;
};

static int64_t total_kb(const struct ks_store_point *p)
{
	return p->stack_kb + p->pool_kb + p->cache_kb;
}

/* Both runs sampled at the same times: they make one band. */
static bool same_times(const struct dseries_run *a, const struct dseries_run *b)
{
	size_t k;

	if (a->n != b->n)
		return false;
	for (k = 0; k < a->n; k++)
		if (a->pts[k].time_ns != b->pts[k].time_ns)
			return false;
	return true;
}

/*
 * Series @k: @title, and the points of @lo (and of @hi, the band's other
 * edge, sampled at the same times; NULL for a line): time, the lower and the
 * higher of the two at that time.
 */
static int write_series(struct chart_ctx *x, const char *slug, int k, const char *title,
			const struct dseries_run *lo, const struct dseries_run *hi)
{
	char path[KS_CHART_PATH], clean[KS_CHART_TITLE];
	size_t i;
	FILE *f;

	f = chart_open(x, path, "designs-%s_%d.dat", slug, k);
	if (!f)
		return -x->err->code;
	chart_sanitize(clean, sizeof(clean), title);
	fprintf(f, "time_s\t%s\thigh_kb\n", clean);
	for (i = 0; i < lo->n; i++) {
		int64_t a = total_kb(&lo->pts[i]), b = hi ? total_kb(&hi->pts[i]) : a;

		fprintf(f, "%.6f\t%" PRId64 "\t%" PRId64 "\n", (double)lo->pts[i].time_ns / 1e9,
			a < b ? a : b, a < b ? b : a);
	}
	return chart_close(x, f, path);
}

/* The first point at or after @s's first would-be oops, marked on series @k of panel @fam. */
static void write_oops(FILE *f, const struct dseries_run *s, int k, enum ks_design_family fam)
{
	size_t i;

	if (!s->run->crashes || !s->n)
		return;
	for (i = 0; i + 1 < s->n && (double)s->pts[i].time_ns / 1e9 < s->run->oops_s; i++)
		;
	fprintf(f, "%.6f\t%" PRId64 "\t%d\t%d\n", s->run->oops_s, total_kb(&s->pts[i]), k,
		(int)fam);
}

struct dplot {
	int series;		/* designs-SLUG_K.dat */
	bool band;
	enum ks_design_family family;
};

/* The panels' titles, in the title file after the image's. */
static const char *const family_titles[KS_DESIGN_FAMILIES] = {
	[KS_DESIGN_FIXED] = "today's kernel and smaller fixed stacks",
	[KS_DESIGN_RFC] = "the RFC's policies: a stack grows on a fault",
	[KS_DESIGN_RECLAIM] = "the reviewers' designs: pages taken back from tasks not running "
			      "(rfc for reference)",
};

/* Series @p, a band (filled, both edges in its colour) or a line, of width @lw. */
static void plot_one(FILE *b, const char *slug, const struct dplot *p, int lt, double lw,
		     bool first)
{
	int s = p->series;

	if (p->band)
		fprintf(b, "%s'designs-%s_%d.dat' using 1:2:3 with filledcurves "
			   "fs transparent solid 0.25 noborder lt %d title columnheader(2), \\\n"
			   "\t'' using 1:2 with steps lt %d dt %d lw %.2f notitle, \\\n"
			   "\t'' using 1:3 with steps lt %d dt %d lw %.2f notitle",
			first ? "" : ", \\\n\t", slug, s, lt, lt, lt, lw, lt, lt, lw);
	else
		fprintf(b, "%s'designs-%s_%d.dat' using 1:2 with steps lt %d dt %d lw %.2f "
			   "title columnheader(2)", first ? "" : ", \\\n\t", slug, s, lt, lt, lw);
}

/*
 * The script: a panel per family with series, each series a little
 * thinner than the one before it so that lines that meet stay visible, the
 * reviewers' panel with rfc thin and black, and the oopses of the panel's
 * series.  @rfc: rfc's series, 0 if none; @oops: by family, whether a
 * series of the panel has one.
 */
static int write_script(struct chart_ctx *x, const char *slug, const struct dplot *p, int n,
			int rfc, const bool *oops)
{
	char name[96];
	char *body = NULL;
	size_t len = 0;
	int k, f, m, i, panels = 0;
	FILE *b;
	int ret;

	for (f = 0; f < KS_DESIGN_FAMILIES; f++)
		for (k = 0; k < n; k++)
			if (p[k].family == (enum ks_design_family)f) {
				panels++;
				break;
			}
	b = open_memstream(&body, &len);
	if (!b)
		return ks_error_set(x->err, ENOMEM, "out of memory");
	fprintf(b, "T = ''\nP = ''\n"
		   "stats 'designs-%s.dat' every ::1::1 using (T = strcol(1), 0) nooutput\n"
		   "set multiplot layout %d,1 title T\n"
		   "set xlabel 'seconds since the trace started'\n"
		   "set ylabel 'KiB'\n"
		   "set yrange [0:*]\n"
		   "set autoscale xfix\n"
		   "set grid\n"
		   "set lmargin at screen 0.075\n"
		   "set rmargin at screen 0.64\n"
		   "set key outside right top noenhanced\n", slug, panels);
	for (f = 0; f < KS_DESIGN_FAMILIES; f++) {
		for (k = 0, m = 0; k < n; k++)
			m += p[k].family == (enum ks_design_family)f;
		if (!m)
			continue;
		fprintf(b, "stats 'designs-%s.dat' every ::%d::%d using (P = strcol(1), 0) "
			   "nooutput\nset title P\nplot ", slug, f + 2, f + 2);
		for (k = 0, i = 0; k < n; k++) {
			if (p[k].family != (enum ks_design_family)f)
				continue;
			plot_one(b, slug, &p[k], i + 1, 4.0 - 2.5 * i / (m > 1 ? m - 1 : 1), !i);
			i++;
		}
		if (f == KS_DESIGN_RECLAIM && rfc)
			fprintf(b, ", \\\n\t'designs-%s_%d.dat' using 1:2 with steps lc rgb 'black' "
				   "dt 3 lw 1 title 'rfc (reference)'", slug, rfc);
		if (oops[f])
			fprintf(b, ", \\\n\t'designs-%s_oops.dat' using 1:($4 == %d ? $2 : NaN) "
				   "with points pt 2 ps 3 lw 3 lc rgb 'black' title 'would-be oops'",
				slug, f);
		fputc('\n', b);
	}
	fprintf(b, "unset multiplot\n");
	fclose(b);
	snprintf(name, sizeof(name), "designs-%s", slug);
	ret = chart_script(x, name, 1300, 40 + 330 * panels, body);
	free(body);
	return ret;
}

static void runs_release(struct dseries_run (*r)[2], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i][0].pts);
		free(r[i][1].pts);
	}
}

/*
 * The chart of the trace of rows [@from, @to): nothing unless two designs
 * have points and one of them is more than a policy at its defaults (the
 * trace was replayed with --designs: without, the timeline shows the same).
 */
static int designs_trace(struct chart_ctx *x, size_t from, size_t to)
{
	const struct chart_trace *ct = chart_trace_of(x, x->rs->rows[from].trace_key);
	struct dseries_run runs[DESIGNS_MAX_SERIES][2];
	struct dplot plots[DESIGNS_MAX_SERIES];
	char path[KS_CHART_PATH], opath[KS_CHART_PATH], title[2 * KS_CHART_TITLE];
	char clean[2 * KS_CHART_TITLE];
	size_t nd = ks_design_count(), d, e, drawn = 0, variants = 0;
	bool oopsed[KS_DESIGN_FAMILIES] = { false };
	int ret = 0, nplots = 0, noops = 0, rfc = 0, fam;
	FILE *f, *oops = NULL;

	if (nd > DESIGNS_MAX_SERIES / 2)
		return ks_error_set(x->err, KS_E_INTERNAL, "more designs than the chart draws");
	memset(runs, 0, sizeof(runs));
	for (d = 0; d < nd && !ret; d++) {
		const struct ks_design *ds = ks_design(d);
		bool any = false;

		for (e = 0; e < 2 && !ret; e++) {
			const char *spec = e ? ds->spec_hwm : ds->spec;
			struct dseries_run *s = &runs[d][e];

			s->run = spec ? ks_design_run(x->rs, from, to, spec) : NULL;
			if (s->run)
				ret = ks_store_samples(x->s, s->run->run_key, &s->pts, &s->n, x->err);
			any |= s->n > 0;
		}
		drawn += any;
		variants += any && strchr(ds->spec, ':');
	}
	if (ret || drawn < 2 || !variants)
		goto out;
	oops = chart_open(x, opath, "designs-%s_oops.dat", ct->slug);
	if (!oops) {
		ret = -x->err->code;
		goto out;
	}
	fprintf(oops, "time_s\ttotal_kb\tseries\tpanel\n");
	for (d = 0; d < nd && !ret; d++) {
		const struct ks_design *ds = ks_design(d);
		struct dseries_run *a = &runs[d][0], *b = &runs[d][1];

		if (b->n && a->n && same_times(a, b)) {
			plots[nplots] = (struct dplot){ nplots + 1, true, ds->family };
			ret = write_series(x, ct->slug, ++nplots, ds->name, a, b);
			write_oops(oops, a, nplots, ds->family);
			write_oops(oops, b, nplots, ds->family);
			noops += a->run->crashes || b->run->crashes;
			oopsed[ds->family] |= a->run->crashes || b->run->crashes;
			continue;
		}
		/* one run, or two that cannot share a band: a line each, named by its end */
		for (e = 0; e < 2 && !ret; e++) {
			struct dseries_run *s = &runs[d][e];

			if (!s->n)
				continue;
			if (ds->spec_hwm)
				snprintf(title, sizeof(title), "%s: access=%s only", ds->name,
					 e ? "hwm" : "depth");
			else
				snprintf(title, sizeof(title), "%s", ds->name);
			plots[nplots] = (struct dplot){ nplots + 1, false, ds->family };
			if (!strcmp(ds->spec, "rfc"))
				rfc = nplots + 1;
			ret = write_series(x, ct->slug, ++nplots, title, s, NULL);
			write_oops(oops, s, nplots, ds->family);
			noops += s->run->crashes > 0;
			oopsed[ds->family] |= s->run->crashes > 0;
		}
	}
	ret = chart_close(x, oops, opath) ? -x->err->code : ret;
	oops = NULL;
	if (ret)
		goto out;
	if (!noops)
		unlink(opath);
	f = chart_open(x, path, "designs-%s.dat", ct->slug);
	if (!f) {
		ret = -x->err->code;
		goto out;
	}
	snprintf(title, sizeof(title), "%s: kernel stack memory over time of every design "
		 "(stacks + pools + cached stacks)", ct->title);
	chart_sanitize(clean, sizeof(clean), title);
	fprintf(f, "title\n%s\n", clean);
	for (fam = 0; fam < KS_DESIGN_FAMILIES; fam++)
		fprintf(f, "%s\n", family_titles[fam]);
	ret = chart_close(x, f, path);
	if (!ret)
		ret = write_script(x, ct->slug, plots, nplots, rfc, oopsed);
out:
	if (oops)
		fclose(oops);
	runs_release(runs, nd);
	return ret;
}

/* Every design's memory over time, one image per trace replayed with the designs. */
int chart_designs(struct chart_ctx *x)
{
	size_t i, j, k;
	bool shown;
	int ret = 0;

	for (i = 0; i < x->rs->n && !ret; i = j) {
		shown = false;
		for (j = i; j < x->rs->n && x->rs->rows[j].trace_key == x->rs->rows[i].trace_key;
		     j++)
			;
		/* the traces the report shows: those with a run it selects */
		for (k = i; k < j; k++)
			shown |= x->rs->rows[k].shown;
		if (shown)
			ret = designs_trace(x, i, j);
	}
	return ret;
}
