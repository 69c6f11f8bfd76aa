// SPDX-License-Identifier: MIT
/*
 * gnuplot charts from the store.  Each chart is data files (tab-separated,
 * labels sanitised) and a script of fixed text: nothing from a trace is
 * ever pasted into a script; gnuplot reads titles and keys from the data
 * (columnheader(), xticlabels(), strcol() in stats).  Data comes from SQL,
 * never from printed tables.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/ks_stop.h"
#include "charts.h"

const char *const ks_report_chart_names[] = { "bars", "pool", "fallback", "timeline", "hwm",
					      NULL };

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

/* NAME.ext or NAME-N....ext with ext a chart file's: a file of chart @name. */
static bool chart_file(const char *file, const char *name)
{
	static const char *const ext[] = { ".dat", ".gp", ".png", ".svg", ".log" };
	size_t n = strlen(name), fl = strlen(file), i, el;

	if (strncmp(file, name, n) || (file[n] != '.' && file[n] != '-'))
		return false;
	if (file[n] == '-' && (file[n + 1] < '0' || file[n + 1] > '9'))
		return false;
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		el = strlen(ext[i]);
		if (fl > el && !strcmp(file + fl - el, ext[i]))
			return true;
	}
	return false;
}

/* Remove every file of every chart, so a chart without data leaves nothing stale. */
static void clean_charts(struct chart_ctx *x)
{
	char path[KS_CHART_PATH];
	struct dirent *d;
	DIR *dir;
	size_t i;

	dir = opendir(x->dir);
	if (!dir)
		return;
	while ((d = readdir(dir)))
		for (i = 0; ks_report_chart_names[i]; i++)
			if (chart_file(d->d_name, ks_report_chart_names[i]) &&
			    !chart_path(x, path, "%s", d->d_name))
				unlink(path);
	closedir(dir);
}

/* Sort key of a script base name: chart index, then its number (0: none). */
static bool script_key(const char *base, size_t *chart, long *num)
{
	size_t i, n;
	char *end;

	for (i = 0; ks_report_chart_names[i]; i++) {
		n = strlen(ks_report_chart_names[i]);
		if (strncmp(base, ks_report_chart_names[i], n))
			continue;
		if (!base[n]) {
			*chart = i;
			*num = 0;
			return true;
		}
		if (base[n] == '-' && base[n + 1] >= '0' && base[n + 1] <= '9') {
			*num = strtol(base + n + 1, &end, 10);
			*chart = i;
			if (!*end)
				return true;
		}
	}
	return false;
}

static int cmp_script(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t cx = 0, cy = 0;
	long nx = 0, ny = 0;

	script_key(x, &cx, &nx);
	script_key(y, &cy, &ny);
	if (cx != cy)
		return cx < cy ? -1 : 1;
	return (nx > ny) - (nx < ny);
}

void ks_report_chart_list_free(char **names)
{
	size_t i;

	for (i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

int ks_report_chart_list(const char *dir, char ***names)
{
	char **v = NULL, **tmp;
	struct dirent *d;
	size_t n = 0, c, len;
	DIR *dd;
	long num;

	*names = NULL;
	dd = opendir(dir);
	if (!dd)
		return -errno;
	while ((d = readdir(dd))) {
		len = strlen(d->d_name);
		if (len < 4 || strcmp(d->d_name + len - 3, ".gp"))
			continue;
		tmp = realloc(v, (n + 2) * sizeof(*v));
		if (!tmp)
			goto nomem;
		v = tmp;
		v[n] = strndup(d->d_name, len - 3);
		if (!v[n])
			goto nomem;
		if (script_key(v[n], &c, &num))
			n++;
		else
			free(v[n]);
		v[n] = NULL;
	}
	closedir(dd);
	if (!v) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return -ENOMEM;
	}
	qsort(v, n, sizeof(*v), cmp_script);
	*names = v;
	return 0;
nomem:
	closedir(dd);
	if (v)
		v[n] = NULL;
	ks_report_chart_list_free(v);
	return -ENOMEM;
}

/* (1) Regular vs dynamic vs dynamic + pools: one group per trace, one policy's default run. */
static int chart_bars(struct chart_ctx *x)
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
		if (!pick)
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
		fprintf(f, "%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n", title,
			ks_row_regular_kb(pick), pick->kernel_stack_kb_end,
			pick->kernel_stack_kb_end + ks_row_pool_kb(pick));
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

/* (2) Stack memory (stacks + pools) over time, one line per policy, for one trace. */
static int chart_timeline(struct chart_ctx *x)
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

/* (3) Lifetime HWM histogram: share of tasks per bucket, one series per trace. */
static int chart_hwm(struct chart_ctx *x)
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
/* gnuplot on PATH, as an absolute path in @buf; false if there is none. */
static bool find_gnuplot(char *buf, size_t len)
{
	const char *path = getenv("PATH"), *p, *end;
	int n;

	if (!path || !*path)
		return false;
	for (p = path; *p; p = *end ? end + 1 : end) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		if (end == p)
			continue;
		n = snprintf(buf, len, "%.*s/gnuplot", (int)(end - p), p);
		if (n > 0 && (size_t)n < len && access(buf, X_OK) == 0)
			return true;
	}
	return false;
}

/*
 * Wait for gnuplot, polling the stop flag: SIGINT or SIGTERM kills it (a
 * chart can take seconds to draw) and returns -EINTR.
 */
static int draw_wait(struct chart_ctx *x, pid_t pid, int *status)
{
	const struct timespec nap = { 0, 10 * 1000 * 1000 };
	pid_t got;

	for (;;) {
		got = waitpid(pid, status, WNOHANG);
		/* Ctrl-C at a terminal reaches gnuplot too: that is no gnuplot failure */
		if (got == pid)
			return ks_stop_check(x->err, "drawing the charts");
		if (got < 0 && errno != EINTR)
			return ks_error_set(x->err, errno, "waiting for gnuplot: %s",
					    strerror(errno));
		if (ks_stop_signal()) {
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return ks_stop_check(x->err, "drawing the charts");
		}
		nanosleep(&nap, NULL);
	}
}

/* Run "gnuplot NAME.gp" inside @dir; its messages go to NAME.log, kept on failure. */
static int draw(struct chart_ctx *x, const char *gnuplot, const char *name)
{
	char gp[128], log[KS_CHART_PATH];
	int status, fd, ret;
	pid_t pid;

	snprintf(gp, sizeof(gp), "%s.gp", name);
	if (chart_path(x, log, "%s.log", name))
		return -x->err->code;
	pid = fork();
	if (pid < 0)
		return ks_error_set(x->err, errno, "cannot start gnuplot: %s", strerror(errno));
	if (pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, 0);
		if (chdir(x->dir) == 0)
			execl(gnuplot, "gnuplot", gp, (char *)NULL);
		_exit(127);
	}
	ret = draw_wait(x, pid, &status);
	if (ret) {
		unlink(log);
		return ret;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return ks_error_set(x->err, KS_E_IO, "gnuplot failed on %s/%s (see %s)", x->dir, gp,
				    log);
	unlink(log);
	return 0;
}

int ks_report_charts_opts(struct ks_store *s, const struct ks_report_opts *o, const char *dir,
			  bool *drew, struct ks_error *err)
{
	struct chart_ctx x = { .s = s, .o = o, .dir = dir, .err = err };
	char gnuplot[KS_CHART_PATH];
	struct ks_rowset rs;
	struct stat sb;
	size_t i;
	int ret;

	*drew = false;
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return ks_error_set(err, errno, "%s: %s", dir, strerror(errno));
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return ks_error_set(err, ENOTDIR, "%s: not a directory", dir);
	ret = ks_rows_load(s, o, &rs, err);
	if (ret)
		return ret;
	x.rs = &rs;
	clean_charts(&x);
	ret = chart_bars(&x);
	if (!ret)
		ret = chart_sweeps(&x);
	if (!ret)
		ret = chart_timeline(&x);
	if (!ret)
		ret = chart_hwm(&x);
	ks_rowset_release(&rs);
	if (!ret && find_gnuplot(gnuplot, sizeof(gnuplot))) {
		for (i = 0; i < x.nr_scripts && !ret; i++)
			ret = draw(&x, gnuplot, x.scripts[i]);
		*drew = !ret;
	}
	/* interrupted: no half-drawn set of charts stays */
	if (ret == -EINTR)
		clean_charts(&x);
	for (i = 0; i < x.nr_scripts; i++)
		free(x.scripts[i]);
	free(x.scripts);
	return ret;
}

int ks_report_charts(struct ks_store *s, const char *dir, bool *drew, struct ks_error *err)
{
	struct ks_report_opts o;

	ks_report_opts_default(&o);
	return ks_report_charts_opts(s, &o, dir, drew, err);
}
