// SPDX-License-Identifier: MIT
/*
 * What every chart writer uses: the label sanitiser, paths in the output
 * folder, and the script writer.  It calls nothing of the charts: the
 * drawers (charts_memory.c, charts_sweep.c, charts_tasks.c) call it, and
 * charts.c runs the drawers from its registry.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charts.h"

/*
 * Only characters that gnuplot reads literally in data and in noenhanced
 * text; the rest become '_'.  Never empty, never starting with '#' (a comment).
 */
void chart_sanitize(char *dst, size_t len, const char *src)
{
	static const char ok[] = " ._+-:=/(),%";
	size_t i = 0;

	for (; *src && i + 1 < len; src++) {
		unsigned char c = (unsigned char)*src;

		dst[i++] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || (c && strchr(ok, c))) ? (char)c : '_';
	}
	if (!i && len > 1)
		dst[i++] = '-';
	dst[i] = '\0';
}

/* The label's letters and digits, lowercase, runs of anything else one dash. */
static void slugify(char *dst, size_t len, const char *src)
{
	size_t i = 0;
	bool dash = false;

	for (; *src && i + 2 < len; src++) {
		unsigned char c = (unsigned char)*src;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) {
			if (dash && i)
				dst[i++] = '-';
			dst[i++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
			dash = false;
		} else {
			dash = true;
		}
	}
	if (!i) {
		snprintf(dst, len, "trace");
		return;
	}
	dst[i] = '\0';
}

static bool slug_taken(const struct chart_ctx *x, size_t upto, const char *slug)
{
	size_t i;

	for (i = 0; i < upto; i++)
		if (!strcmp(x->traces[i].slug, slug))
			return true;
	return false;
}

static bool title_taken(const struct chart_ctx *x, size_t upto, const char *title)
{
	size_t i;

	for (i = 0; i < upto; i++)
		if (!strcmp(x->traces[i].title, title))
			return true;
	return false;
}

/* Name trace @key as the next of @x->traces, unless it has its name already. */
static void trace_name(struct chart_ctx *x, int64_t key, const char *label, unsigned ncpus)
{
	struct chart_trace *t = &x->traces[x->ntraces];
	char base[32], raw[KS_CHART_TITLE + 32];
	size_t n = x->ntraces, i;
	int k;

	for (i = 0; i < n; i++)
		if (x->traces[i].key == key)
			return;
	t->key = key;
	/* the name first, then with its CPUs, then numbered: two traces never share one */
	slugify(base, sizeof(base), label);
	snprintf(t->slug, sizeof(t->slug), "%s", base);
	if (slug_taken(x, n, t->slug))
		snprintf(t->slug, sizeof(t->slug), "%s-%ucpus", base, ncpus);
	for (k = 2; slug_taken(x, n, t->slug); k++)
		snprintf(t->slug, sizeof(t->slug), "%s-%ucpus-%d", base, ncpus, k);
	snprintf(raw, sizeof(raw), "%s (%u CPU%s)", label, ncpus, ncpus == 1 ? "" : "s");
	chart_sanitize(t->title, sizeof(t->title), raw);
	for (k = 2; title_taken(x, n, t->title); k++) {
		snprintf(raw, sizeof(raw), "%s (%u CPU%s, #%d)", label, ncpus,
			 ncpus == 1 ? "" : "s", k);
		chart_sanitize(t->title, sizeof(t->title), raw);
	}
	x->ntraces++;
}

int chart_traces_init(struct chart_ctx *x)
{
	struct ks_answer_rows tasks;
	size_t i;
	int ret;

	ret = ks_store_answer(x->s, KS_ANSWER_TRACES, NULL, &tasks, x->err);
	if (ret) {
		ks_answer_release(&tasks);
		return ret;
	}
	x->ntraces = 0;
	x->traces = calloc(x->rs->n + tasks.nrows + 1, sizeof(*x->traces));
	if (!x->traces) {
		ks_answer_release(&tasks);
		return ks_error_set(x->err, ENOMEM, "out of memory");
	}
	for (i = 0; i < x->rs->n; i++)
		trace_name(x, x->rs->rows[i].trace_key, x->rs->rows[i].label,
			   x->rs->rows[i].ncpus);
	/* a replay stopped before its first run was stored leaves task rows alone */
	for (i = 0; i < tasks.nrows; i++)
		trace_name(x, ks_answer_at(&tasks, i, "trace_key")->i,
			   ks_answer_at(&tasks, i, "trace")->s,
			   (unsigned)ks_answer_at(&tasks, i, "ncpus")->i);
	ks_answer_release(&tasks);
	return 0;
}

const struct chart_trace *chart_trace_of(const struct chart_ctx *x, int64_t key)
{
	size_t i;

	for (i = 0; i < x->ntraces; i++)
		if (x->traces[i].key == key)
			return &x->traces[i];
	return &x->traces[0];
}

static int vpath(struct chart_ctx *x, char *buf, const char *fmt, va_list ap)
{
	char name[256];
	int n;

	vsnprintf(name, sizeof(name), fmt, ap);
	n = snprintf(buf, KS_CHART_PATH, "%s/%s", x->dir, name);
	if (n < 0 || n >= KS_CHART_PATH)
		return ks_error_set(x->err, ENAMETOOLONG, "%s: path too long", x->dir);
	return 0;
}

int chart_path(struct chart_ctx *x, char *buf, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vpath(x, buf, fmt, ap);
	va_end(ap);
	return ret;
}

FILE *chart_open(struct chart_ctx *x, char *path, const char *fmt, ...)
{
	va_list ap;
	FILE *f;
	int ret;

	va_start(ap, fmt);
	ret = vpath(x, path, fmt, ap);
	va_end(ap);
	if (ret)
		return NULL;
	f = fopen(path, "w");
	if (!f)
		ks_error_set(x->err, errno, "%s: %s", path, strerror(errno));
	return f;
}

int chart_close(struct chart_ctx *x, FILE *f, const char *path)
{
	int bad = ferror(f);

	if (fclose(f) == EOF || bad)
		return ks_error_set(x->err, EIO, "%s: write failed", path);
	return 0;
}

/*
 * Eight dark, distinct colours (no pale yellow on white); past eight series
 * a colour comes back only with another dash and another point type, so
 * that no two of CHART_LINETYPES series look alike.
 */
static void chart_linetypes(FILE *f)
{
	static const char *const colour[8] = {
		"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
		"#17becf",
	};
	static const int dash[3] = { 1, 2, 4 }, point[3] = { 7, 5, 9 };
	int i;

	for (i = 0; i < CHART_LINETYPES; i++)
		fprintf(f, "set linetype %d lc rgb '%s' dt %d pt %d\n", i + 1, colour[i % 8],
			dash[i / 8], point[i / 8]);
	fprintf(f, "set linetype cycle %d\n", CHART_LINETYPES);
}

int chart_script(struct chart_ctx *x, const char *name, int w, int h, const char *body)
{
	char path[KS_CHART_PATH], **tmp;
	FILE *f;

	tmp = realloc(x->scripts, (x->nr_scripts + 1) * sizeof(*tmp));
	if (!tmp)
		return ks_error_set(x->err, ENOMEM, "out of memory");
	x->scripts = tmp;
	x->scripts[x->nr_scripts] = strdup(name);
	if (!x->scripts[x->nr_scripts])
		return ks_error_set(x->err, ENOMEM, "out of memory");
	x->nr_scripts++;
	f = chart_open(x, path, "%s.gp", name);
	if (!f)
		return -x->err->code;
	fprintf(f, "# kstack chart '%s': generated, data in %s*.dat\n", name, name);
	fprintf(f, "set datafile separator \"\\t\"\n");
	fprintf(f, "if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
		   "\tset terminal pngcairo noenhanced size %d,%d font ',10'\n"
		   "} else {\n"
		   "\tset terminal png noenhanced size %d,%d\n"
		   "}\n", w, h, w, h);
	chart_linetypes(f);
	fprintf(f, "set output '%s.png'\n", name);
	fputs(body, f);
	fprintf(f, "set terminal svg noenhanced size %d,%d font ',10'\n", w, h);
	fprintf(f, "set output '%s.svg'\n", name);
	fputs(body, f);
	fprintf(f, "unset output\n");
	return chart_close(x, f, path);
}
