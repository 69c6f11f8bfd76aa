// SPDX-License-Identifier: MIT
/*
 * The per-task charts, from the per-task answers of the store (the whole
 * system of each trace), named after the traces as the other charts are
 * (chart_trace): depth-SLUG, the lifetime high-water mark by class, the
 * tasks alive at the end beside those that exited; asleep-SLUG, depth x
 * time asleep by depth bucket and class; latch, the distribution (CDF) of
 * the delay from a task's first high-water mark to its final one, a line
 * per trace, from latch-SLUG.dat.  Titles and keys are read from the data
 * files; each starts with a line naming its columns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charts.h"

/* The latch chart's tasks: those that lived at least this long */
#define LATCH_MIN_LIFE_NS 1000000000ll
/* ... and where its logarithmic axis starts (a delay of 0 is drawn there) */
#define LATCH_MIN_DELAY_S 1e-4

static const char *const classes[] = { "kthread", "kworker", "user" };
#define NR_CLASSES 3

static void bucket_label(char *buf, size_t len, int64_t kb, int64_t thread_size)
{
	if (kb)
		snprintf(buf, len, "<=%" PRId64 "K", kb);
	else
		snprintf(buf, len, ">%" PRId64 "K", thread_size / 1024);
}

/* NAME-SLUG.dat: a header, then the image's title, "TRACE (CPUS): @what" sanitised. */
static int write_title(struct chart_ctx *x, const char *name, const struct chart_trace *ct,
		       const char *what)
{
	char path[KS_CHART_PATH], title[KS_CHART_TITLE], raw[2 * KS_CHART_TITLE];
	FILE *f;

	f = chart_open(x, path, "%s-%s.dat", name, ct->slug);
	if (!f)
		return -x->err->code;
	snprintf(raw, sizeof(raw), "%s: %s", ct->title, what);
	chart_sanitize(title, sizeof(title), raw);
	fprintf(f, "title\n%s\n", title);
	return chart_close(x, f, path);
}

static int class_index(const char *c)
{
	int i;

	for (i = 0; i < NR_CLASSES; i++)
		if (!strcmp(c, classes[i]))
			return i;
	return -1;
}

/* depth-SLUG: per class, the share of its tasks alive at the end / exited in each bucket. */
static int depth_one(struct chart_ctx *x, const struct chart_trace *ct,
		     const struct ks_answer_rows *rows)
{
	int64_t alive[NR_CLASSES] = { 0 }, exited[NR_CLASSES] = { 0 };
	const struct ks_answer_rows a = *rows;
	char path[KS_CHART_PATH], label[96], body[2048];
	size_t r, q;
	int ret, c, k;
	FILE *fd;

	for (r = 0; r < a.nrows; r++) {
		c = class_index(ks_answer_at(&a, r, "class")->s);
		if (c < 0)
			continue;
		alive[c] += ks_answer_at(&a, r, "alive_end")->i;
		exited[c] += ks_answer_at(&a, r, "exited")->i;
	}
	ret = write_title(x, "depth", ct,
			  "lifetime stack high-water mark by class, alive at the end and exited");
	if (ret)
		goto out;
	fd = chart_open(x, path, "depth-%s_1.dat", ct->slug);
	if (!fd) {
		ret = -x->err->code;
		goto out;
	}
	fprintf(fd, "bucket");
	for (c = 0; c < NR_CLASSES; c++)
		fprintf(fd, "\talive at end (%" PRId64 ")\texited (%" PRId64 ")", alive[c],
			exited[c]);
	fputc('\n', fd);
	/* the rows of class "kthread" give the buckets; each class has them all */
	for (r = 0; r < a.nrows; r++) {
		if (strcmp(ks_answer_at(&a, r, "class")->s, classes[0]))
			continue;
		bucket_label(label, sizeof(label), ks_answer_at(&a, r, "bucket_kb")->i,
			     ks_answer_at(&a, r, "thread_size")->i);
		fprintf(fd, "%s", label);
		for (c = 0; c < NR_CLASSES; c++) {
			for (q = 0; q < a.nrows; q++)
				if (!strcmp(ks_answer_at(&a, q, "class")->s, classes[c]) &&
				    ks_answer_at(&a, q, "bucket_kb")->i ==
				    ks_answer_at(&a, r, "bucket_kb")->i)
					break;
			int64_t na = ks_answer_at(&a, q, "alive_end")->i;
			int64_t ne = ks_answer_at(&a, q, "exited")->i;

			fprintf(fd, "\t%.3f\t%.3f",
				alive[c] ? 100.0 * (double)na / (double)alive[c] : 0.0,
				exited[c] ? 100.0 * (double)ne / (double)exited[c] : 0.0);
		}
		fputc('\n', fd);
	}
	ret = chart_close(x, fd, path);
	if (ret)
		goto out;
	/* shares reach 100%: the axis goes on above, blank, to hold the key */
	k = snprintf(body, sizeof(body),
		     "T = ''\n"
		     "stats 'depth-%s.dat' every ::1::1 using (T = strcol(1), 0) nooutput\n"
		     "set multiplot layout 1,3 title T\n"
		     "set style data histograms\n"
		     "set style histogram clustered gap 1\n"
		     "set style fill solid 0.8 border -1\n"
		     "set yrange [0:128]\n"
		     "set ytics 0, 20, 100\n"
		     "set grid ytics\n"
		     "set xlabel 'lifetime high-water mark (up to)'\n"
		     "set ylabel 'tasks of the class (%%)'\n"
		     "set key top left noenhanced\n", ct->slug);
	for (c = 0; c < NR_CLASSES; c++)
		k += snprintf(body + k, sizeof(body) - (size_t)k,
			      "set title '%s'\n"
			      "plot 'depth-%s_1.dat' using %d:xticlabels(1) "
			      "title columnheader(%d), "
			      "'' using %d title columnheader(%d)\n",
			      classes[c], ct->slug, 2 + 2 * c, 2 + 2 * c, 3 + 2 * c, 3 + 2 * c);
	snprintf(body + k, sizeof(body) - (size_t)k, "unset multiplot\n");
	snprintf(label, sizeof(label), "depth-%s", ct->slug);
	ret = chart_script(x, label, 1400, 500, body);
out:
	return ret;
}

/* asleep-SLUG: KiB x s asleep per depth bucket, a bar per class. */
static int asleep_one(struct chart_ctx *x, const struct chart_trace *ct,
		      const struct ks_answer_rows *rows)
{
	const struct ks_answer_rows a = *rows;
	char path[KS_CHART_PATH], label[96], body[1536];
	double total = 0;
	size_t r, q;
	int ret = 0, c;
	FILE *fd;

	for (r = 0; r < a.nrows; r++)
		if (!strcmp(ks_answer_at(&a, r, "class")->s, "all"))
			total += ks_answer_at(&a, r, "kib_s")->d;
	if (total <= 0)
		goto out;	/* no depth known asleep: no chart */
	ret = write_title(x, "asleep", ct, "depth while asleep, weighted by the time asleep");
	if (ret)
		goto out;
	fd = chart_open(x, path, "asleep-%s_1.dat", ct->slug);
	if (!fd) {
		ret = -x->err->code;
		goto out;
	}
	fprintf(fd, "bucket");
	for (c = 0; c < NR_CLASSES; c++) {
		for (q = 0; q < a.nrows && strcmp(ks_answer_at(&a, q, "class")->s, classes[c]); q++)
			;
		if (q < a.nrows && !ks_answer_at(&a, q, "mean_kib")->null)
			fprintf(fd, "\t%s (mean %.2f KiB)", classes[c],
				ks_answer_at(&a, q, "mean_kib")->d);
		else
			fprintf(fd, "\t%s", classes[c]);
	}
	fputc('\n', fd);
	for (r = 0; r < a.nrows; r++) {
		int64_t kb = ks_answer_at(&a, r, "bucket_kb")->i;

		if (strcmp(ks_answer_at(&a, r, "class")->s, classes[0]))
			continue;
		bucket_label(label, sizeof(label), kb, ks_answer_at(&a, r, "thread_size")->i);
		fprintf(fd, "%s", label);
		for (c = 0; c < NR_CLASSES; c++) {
			for (q = 0; q < a.nrows; q++)
				if (!strcmp(ks_answer_at(&a, q, "class")->s, classes[c]) &&
				    ks_answer_at(&a, q, "bucket_kb")->i == kb)
					break;
			fprintf(fd, "\t%.6f", ks_answer_at(&a, q, "kib_s")->d);
		}
		fputc('\n', fd);
	}
	ret = chart_close(x, fd, path);
	if (ret)
		goto out;
	snprintf(body, sizeof(body),
		 "T = ''\n"
		 "stats 'asleep-%s.dat' every ::1::1 using (T = strcol(1), 0) nooutput\n"
		 "set title T\n"
		 "set style data histograms\n"
		 "set style histogram clustered gap 1\n"
		 "set style fill solid 0.8 border -1\n"
		 "set yrange [0:*]\n"
		 "set offsets 0, 0, graph 0.08, 0\n"
		 "set grid ytics\n"
		 "set xlabel 'depth at the switch-out (up to)'\n"
		 "set ylabel 'depth x time asleep (KiB x s)'\n"
		 "set key top right noenhanced\n"
		 "plot for [i=2:%d] 'asleep-%s_1.dat' using i:xticlabels(1) "
		 "title columnheader(i)\n",
		 ct->slug, 1 + NR_CLASSES, ct->slug);
	snprintf(label, sizeof(label), "asleep-%s", ct->slug);
	ret = chart_script(x, label, 1100, 600, body);
out:
	return ret;
}

/*
 * @one for each trace, on that trace's rows of answer @which (its whole
 * system).  One query for every trace, cut into runs by trace: the views
 * group every trace's tasks whatever the filter, so a query per trace would
 * cost the whole database each time (minutes for a fleet of 1000 hosts).
 */
static int per_trace(struct chart_ctx *x, enum ks_answer which,
		     int (*one)(struct chart_ctx *, const struct chart_trace *,
				const struct ks_answer_rows *))
{
	struct ks_answer_filter f = { .scope = "system" };
	struct ks_answer_rows t, a = { 0 }, run;
	size_t r, p = 0, q;
	const char *id;
	int ret;

	ret = ks_store_answer(x->s, KS_ANSWER_TRACES, NULL, &t, x->err);
	if (!ret)
		ret = ks_store_answer(x->s, which, &f, &a, x->err);
	/* both in the order of the traces' keys: a trace's rows are the next run */
	for (r = 0; !ret && r < t.nrows; r++) {
		id = ks_answer_at(&t, r, "trace_id")->s;
		for (q = p; q < a.nrows && id && !strcmp(ks_answer_at(&a, q, "trace_id")->s ?: "",
							   id); q++)
			;
		run = a;
		run.v = a.v + p * a.ncols;
		run.nrows = q - p;
		p = q;
		/* a trace of no task (cut before its first block): nothing to draw */
		if (run.nrows)
			ret = one(x, chart_trace_of(x, ks_answer_at(&t, r, "trace_key")->i), &run);
	}
	ks_answer_release(&a);
	ks_answer_release(&t);
	return ret;
}

/* The lifetime high-water mark by class, alive at the end beside exited, per trace. */
int chart_depth(struct chart_ctx *x)
{
	return per_trace(x, KS_ANSWER_DEPTH, depth_one);
}

/* Depth x time asleep by depth bucket and class, per trace. */
int chart_asleep(struct chart_ctx *x)
{
	return per_trace(x, KS_ANSWER_ASLEEP, asleep_one);
}

/* latch-SLUG.dat: the CDF of the delays of one trace's tasks (a delay of 0 at the axis' start). */
static int latch_series(struct chart_ctx *x, const struct chart_trace *ct,
			const struct ks_answer_rows *a, size_t r, size_t q)
{
	char path[KS_CHART_PATH], title[KS_CHART_TITLE], raw[2 * KS_CHART_TITLE];
	size_t i;
	FILE *f;

	f = chart_open(x, path, "latch-%s.dat", ct->slug);
	if (!f)
		return -x->err->code;
	snprintf(raw, sizeof(raw), "%s: %zu tasks", ct->title, q - r);
	chart_sanitize(title, sizeof(title), raw);
	fprintf(f, "delay_s\t%s\n", title);
	for (i = r; i < q; i++) {
		double d = (double)ks_answer_at(a, i, "delay_ns")->i / 1e9;

		/* a step per distinct delay, at the share of tasks up to it */
		if (i + 1 < q && ks_answer_at(a, i + 1, "delay_ns")->i ==
		    ks_answer_at(a, i, "delay_ns")->i)
			continue;
		fprintf(f, "%.9g\t%.6f\n", d > LATCH_MIN_DELAY_S ? d : LATCH_MIN_DELAY_S,
			(double)(i + 1 - r) / (double)(q - r));
	}
	return chart_close(x, f, path);
}

/*
 * The latch: CDF of the delay from first to final HWM, a line per trace
 * (system).  The lines meet (at the left edge, at 1 at the right): each is
 * a little thinner than the one drawn before it and has its own dash.
 */
int chart_latch(struct chart_ctx *x)
{
	struct ks_answer_filter f = { .scope = "system", .min_life_ns = LATCH_MIN_LIFE_NS };
	const struct chart_trace *ct;
	struct ks_answer_rows a;
	char *plot = NULL, *body = NULL;
	size_t r, q, len = 0;
	int ret, k = 0;
	FILE *p;

	p = open_memstream(&plot, &len);
	if (!p)
		return ks_error_set(x->err, ENOMEM, "out of memory");
	ret = ks_store_answer(x->s, KS_ANSWER_LATCH_TASKS, &f, &a, x->err);
	for (r = 0; !ret && r < a.nrows; r = q) {
		for (q = r; q < a.nrows && ks_answer_at(&a, q, "trace_key")->i ==
		     ks_answer_at(&a, r, "trace_key")->i; q++)
			;
		ct = chart_trace_of(x, ks_answer_at(&a, r, "trace_key")->i);
		ret = latch_series(x, ct, &a, r, q);
		k++;
		fprintf(p, "%s'latch-%s.dat' using 1:2 with steps lt %d dt %d lw LW(%d) "
			   "title columnheader(2)", k > 1 ? ", \\\n\t" : "plot ", ct->slug, k, k,
			k);
	}
	fclose(p);
	if (!ret && k) {
		if (asprintf(&body,
			     "N = %d\n"
			     "LW(i) = 4.5 - 3.0 * (i - 1) / (N > 1 ? N - 1 : 1)\n"
			     "set title \"The latch: delay from a task's first stack high-water "
			     "mark to its final one\\n(tasks that lived 1 s or more, those that "
			     "never rose at the left edge)\" noenhanced\n"
			     "set logscale x\n"
			     "set xrange [%g:*]\n"
			     "set yrange [0:1.02]\n"
			     "set grid\n"
			     "set xlabel 'delay (s)'\n"
			     "set ylabel 'share of tasks, delay up to x'\n"
			     "set key outside right top noenhanced title 'trace'\n"
			     "%s\n",
			     k, LATCH_MIN_DELAY_S, plot) < 0)
			ret = ks_error_set(x->err, ENOMEM, "out of memory");
		else
			ret = chart_script(x, "latch", 1300, 600, body);
	}
	free(body);
	free(plot);
	ks_answer_release(&a);
	return ret;
}
