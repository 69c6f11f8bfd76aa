// SPDX-License-Identifier: MIT
/*
 * What every chart writer uses: the label sanitiser, paths in the output
 * folder, and the script writer.  It calls nothing of the charts: the
 * drawers (charts_memory.c, charts_sweep.c) call it, and charts.c runs
 * the drawers from its registry.
 */
#include <errno.h>
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
	/* dark, distinct colours: no pale yellow line on white */
	fprintf(f, "set linetype 1 lc rgb '#1f77b4'\nset linetype 2 lc rgb '#d62728'\n"
		   "set linetype 3 lc rgb '#2ca02c'\nset linetype 4 lc rgb '#ff7f0e'\n"
		   "set linetype 5 lc rgb '#9467bd'\nset linetype 6 lc rgb '#8c564b'\n"
		   "set linetype 7 lc rgb '#e377c2'\nset linetype 8 lc rgb '#17becf'\n"
		   "set linetype cycle 8\n");
	fprintf(f, "set output '%s.png'\n", name);
	fputs(body, f);
	fprintf(f, "set terminal svg noenhanced size %d,%d font ',10'\n", w, h);
	fprintf(f, "set output '%s.svg'\n", name);
	fputs(body, f);
	fprintf(f, "unset output\n");
	return chart_close(x, f, path);
}
