// SPDX-License-Identifier: MIT
/*
 * gnuplot charts from the store.  Each chart is a data file (tab-separated,
 * labels sanitised) and a fixed script: nothing from a trace is ever pasted
 * into a script, gnuplot reads labels from the data with xticlabels() and
 * columnheader().  Data comes from SQL, never from printed tables.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "report.h"
#include "rows.h"

const char *const ks_report_chart_names[] = { "bars", "pool", "timeline", "hwm", NULL };

#define PATH_LEN 4096
#define TITLE_LEN 256

struct chart_ctx {
	struct ks_store *s;
	struct ks_rowset *rs;
	const char *dir;
	struct ks_error *err;
};

/*
 * A label fit for a tab-separated gnuplot data file: only characters that
 * gnuplot reads literally in data and in noenhanced text; the rest become '_'.
 * Never empty, never starting with '#' (a comment).
 */
static void sanitize(char *dst, size_t len, const char *src)
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

static int path_of(struct chart_ctx *x, char *buf, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int path_of(struct chart_ctx *x, char *buf, const char *fmt, ...)
{
	char name[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	n = snprintf(buf, PATH_LEN, "%s/%s", x->dir, name);
	if (n < 0 || n >= PATH_LEN)
		return ks_error_set(x->err, ENAMETOOLONG, "%s: path too long", x->dir);
	return 0;
}

static FILE *open_out(struct chart_ctx *x, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		ks_error_set(x->err, errno, "%s: %s", path, strerror(errno));
	return f;
}

static int close_out(struct chart_ctx *x, FILE *f, const char *path)
{
	int bad = ferror(f);

	if (fclose(f) == EOF || bad)
		return ks_error_set(x->err, EIO, "%s: write failed", path);
	return 0;
}

/* Remove every file of chart @name, so a chart without data leaves nothing stale. */
static void clean_chart(struct chart_ctx *x, const char *name)
{
	static const char *const ext[] = { "dat", "gp", "png", "svg", "log" };
	char path[PATH_LEN];
	size_t i;
	int n;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (!path_of(x, path, "%s.%s", name, ext[i]))
			unlink(path);
	for (n = 1; !path_of(x, path, "%s-%d.dat", name, n) && unlink(path) == 0; n++)
		;
}

/* Script head: PNG (pngcairo where gnuplot-nox has it) then body, then SVG. */
static void script_head(FILE *f, const char *name, const char *size)
{
	fprintf(f, "# kstack chart '%s': generated, data in %s*.dat\n", name, name);
	fprintf(f, "if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
		   "\tset terminal pngcairo noenhanced size %s\n"
		   "} else {\n"
		   "\tset terminal png noenhanced size %s\n"
		   "}\n", size, size);
	fprintf(f, "set output '%s.png'\n", name);
	fprintf(f, "set datafile separator \"\\t\"\n");
	fprintf(f, "set key noenhanced\n");
}

static void script_tail(FILE *f, const char *name, const char *size)
{
	fprintf(f, "set terminal svg noenhanced size %s\n", size);
	fprintf(f, "set output '%s.svg'\n", name);
	fprintf(f, "replot\n");
	fprintf(f, "unset output\n");
}

static void script_tail_multi(FILE *f, const char *name, const char *size, const char *body)
{
	fprintf(f, "unset multiplot\n");
	fprintf(f, "set terminal svg noenhanced size %s\n", size);
	fprintf(f, "set output '%s.svg'\n", name);
	fputs(body, f);
	fprintf(f, "unset multiplot\n");
	fprintf(f, "unset output\n");
}

static void row_title(const struct ks_rowset *rs, const struct ks_row *r, char *buf, size_t len)
{
	char raw[TITLE_LEN];

	if (rs->several_configs)
		snprintf(raw, sizeof(raw), "%s %s", r->label, r->policy_label);
	else
		snprintf(raw, sizeof(raw), "%s", r->label);
	sanitize(buf, len, raw);
}

/* (1) Regular vs dynamic (and dynamic + pools) per shown run. */
static int chart_bars(struct chart_ctx *x, bool *wrote)
{
	static const char size[] = "1000,600";
	char path[PATH_LEN], title[TITLE_LEN];
	FILE *f;
	size_t i;
	int ret;

	ret = path_of(x, path, "bars.dat");
	if (ret)
		return ret;
	f = open_out(x, path);
	if (!f)
		return -x->err->code;
	fprintf(f, "# label\tregular_kb\tdynamic_kb\tdynamic_pool_kb\n");
	for (i = 0; i < x->rs->n; i++) {
		const struct ks_row *r = &x->rs->rows[i];

		if (!r->shown)
			continue;
		row_title(x->rs, r, title, sizeof(title));
		fprintf(f, "%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n", title,
			ks_row_regular_kb(r), r->kernel_stack_kb_end,
			r->kernel_stack_kb_end + ks_row_pool_kb(r));
	}
	ret = close_out(x, f, path);
	if (ret)
		return ret;

	ret = path_of(x, path, "bars.gp");
	if (ret)
		return ret;
	f = open_out(x, path);
	if (!f)
		return -x->err->code;
	script_head(f, "bars", size);
	fprintf(f, "set title 'Kernel stack memory at the end of each trace'\n"
		   "set ylabel 'KiB'\n"
		   "set yrange [0:*]\n"
		   "set offsets 0, 0, graph 0.08, 0\n"
		   "set style data histograms\n"
		   "set style histogram clustered gap 1\n"
		   "set style fill solid 0.8 border -1\n"
		   "set xtics rotate by -30 noenhanced\n"
		   "set key top right\n"
		   "plot 'bars.dat' using 2:xticlabels(1) title 'Regular (full stacks)', \\\n"
		   "\t'' using 3 title 'Dynamic', \\\n"
		   "\t'' using 4 title 'Dynamic + pools'\n");
	script_tail(f, "bars", size);
	*wrote = true;
	return close_out(x, f, path);
}

/* Runs that differ only in pool= form one series (same trace, policy, rest). */
static bool same_but_pool(const struct ks_row *a, const struct ks_row *b)
{
	const char *pa = ks_params_body(a->params), *pb = ks_params_body(b->params);
	const char *ea, *eb;

	if (a->trace_key != b->trace_key || strcmp(a->policy, b->policy) ||
	    strcmp(a->engine_version, b->engine_version) || a->seed != b->seed)
		return false;
	/* compare item by item, skipping pool=... in each */
	for (;;) {
		while (*pa == ',')
			pa++;
		while (*pb == ',')
			pb++;
		if (!strncmp(pa, "pool=", 5)) {
			pa += strcspn(pa, ",");
			continue;
		}
		if (!strncmp(pb, "pool=", 5)) {
			pb += strcspn(pb, ",");
			continue;
		}
		if (!*pa || !*pb)
			return !*pa && !*pb;
		ea = pa + strcspn(pa, ",");
		eb = pb + strcspn(pb, ",");
		if (ea - pa != eb - pb || memcmp(pa, pb, (size_t)(ea - pa)))
			return false;
		pa = ea;
		pb = eb;
	}
}

static long pool_of(const struct ks_row *r)
{
	char v[32];

	return ks_params_value(r->params, "pool", v, sizeof(v)) ? strtol(v, NULL, 10) : -1;
}

/* The policy label without its pool= item. */
static void series_title(const struct ks_row *r, char *buf, size_t len)
{
	char raw[TITLE_LEN], lab[sizeof(r->policy_label)], *p;
	size_t n;

	snprintf(lab, sizeof(lab), "%s", r->policy_label);
	p = strstr(lab, "pool=");
	if (p && (p[-1] == ':' || p[-1] == ',')) {
		n = strcspn(p, ",");
		if (p[n] == ',')
			memmove(p, p + n + 1, strlen(p + n + 1) + 1);
		else
			p[-1] = '\0';
	}
	snprintf(raw, sizeof(raw), "%s %s", r->label, lab);
	sanitize(buf, len, raw);
}

static int cmp_pool(const void *a, const void *b)
{
	long pa = pool_of(*(const struct ks_row *const *)a);
	long pb = pool_of(*(const struct ks_row *const *)b);

	return (pa > pb) - (pa < pb);
}

/* (2) Savings with pools counted, and would-be crashes, against pool size. */
static int chart_pool(struct chart_ctx *x, const struct ks_report_opts *o, bool *wrote)
{
	static const char size[] = "1000,800";
	const struct ks_row **series = NULL;
	char path[PATH_LEN], title[TITLE_LEN], body[2048];
	bool *used = NULL;
	size_t i, j, n, k;
	int ret = 0, nseries = 0;
	FILE *f;

	series = calloc(x->rs->n + 1, sizeof(*series));
	used = calloc(x->rs->n + 1, sizeof(*used));
	if (!series || !used) {
		ret = ks_error_set(x->err, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < x->rs->n; i++) {
		const struct ks_row *r = &x->rs->rows[i];

		if (used[i] || pool_of(r) < 0 || (o->policy && strcmp(o->policy, r->policy)))
			continue;
		for (j = i, n = 0; j < x->rs->n; j++) {
			if (used[j] || pool_of(&x->rs->rows[j]) < 0 ||
			    !same_but_pool(r, &x->rs->rows[j]))
				continue;
			series[n++] = &x->rs->rows[j];
			used[j] = true;
		}
		if (n < 2)
			continue;
		qsort(series, n, sizeof(*series), cmp_pool);
		ret = path_of(x, path, "pool-%d.dat", ++nseries);
		if (ret)
			goto out;
		f = open_out(x, path);
		if (!f) {
			ret = -x->err->code;
			goto out;
		}
		series_title(r, title, sizeof(title));
		fprintf(f, "pool\t%s\tcrashes\tsavings_pct\n", title);
		for (k = 0; k < n; k++)
			fprintf(f, "%ld\t%.3f\t%" PRIu64 "\t%.3f\n", pool_of(series[k]),
				100.0 * ks_row_savings_pool(series[k]), series[k]->crashes,
				100.0 * ks_row_savings(series[k]));
		ret = close_out(x, f, path);
		if (ret)
			goto out;
	}
	if (!nseries)
		goto out;

	ret = path_of(x, path, "pool.gp");
	if (ret)
		goto out;
	f = open_out(x, path);
	if (!f) {
		ret = -x->err->code;
		goto out;
	}
	snprintf(body, sizeof(body),
		 "set multiplot layout 2,1\n"
		 "set title 'Savings with pools counted against per-CPU pool size'\n"
		 "set ylabel 'savings incl. pools (%%)'\n"
		 "set xlabel 'pool (pages per CPU)'\n"
		 "set key outside right noenhanced\n"
		 "plot for [i=1:N] sprintf('pool-%%d.dat', i) using 1:2 with linespoints "
		 "title columnheader(2)\n"
		 "set title 'Would-be crashes against per-CPU pool size'\n"
		 "set ylabel 'would-be crashes'\n"
		 "set yrange [0:*]\n"
		 "plot for [i=1:N] sprintf('pool-%%d.dat', i) using 1:3 with linespoints "
		 "title columnheader(2)\n"
		 "set autoscale y\n");
	script_head(f, "pool", size);
	fprintf(f, "N = %d\n", nseries);
	fputs(body, f);
	script_tail_multi(f, "pool", size, body);
	*wrote = true;
	ret = close_out(x, f, path);
out:
	free(series);
	free(used);
	return ret;
}

static int db_fail(struct chart_ctx *x)
{
	return ks_error_set(x->err, KS_E_DB, "%s: %s", ks_store_path(x->s),
			    sqlite3_errmsg(ks_store_sqlite(x->s)));
}

/* (3) Stack memory over time for the first trace with samples, one line per run shown. */
static int chart_timeline(struct chart_ctx *x, bool *wrote)
{
	static const char size[] = "1000,600";
	static const char sql[] =
		"SELECT s.time - r.start_ns, s.stack_pages * r.page_size / 1024, "
		"s.pool_pages * r.page_size / 1024 FROM samples s JOIN runs r ON s.run = r.key "
		"WHERE s.run = ? ORDER BY s.seq";
	sqlite3 *db = ks_store_sqlite(x->s);
	char path[PATH_LEN], title[TITLE_LEN];
	sqlite3_stmt *st = NULL;
	int64_t trace = -1;
	int ret = 0, nseries = 0, rc;
	FILE *f;
	size_t i;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(x);
	for (i = 0; i < x->rs->n; i++) {
		const struct ks_row *r = &x->rs->rows[i];

		if (!r->shown || (trace >= 0 && r->trace_key != trace))
			continue;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, r->run_key);
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			continue;
		if (rc != SQLITE_ROW) {
			ret = db_fail(x);
			goto out;
		}
		trace = r->trace_key;
		ret = path_of(x, path, "timeline-%d.dat", ++nseries);
		if (ret)
			goto out;
		f = open_out(x, path);
		if (!f) {
			ret = -x->err->code;
			goto out;
		}
		/* the series title is the policy; the trace is the same for all */
		sanitize(title, sizeof(title), r->policy_label);
		fprintf(f, "time_s\t%s\tpool_kb\ttotal_kb\n", title);
		do {
			int64_t kb = sqlite3_column_int64(st, 1), pool = sqlite3_column_int64(st, 2);

			fprintf(f, "%.6f\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\n",
				(double)sqlite3_column_int64(st, 0) / 1e9, kb, pool, kb + pool);
		} while ((rc = sqlite3_step(st)) == SQLITE_ROW);
		ret = close_out(x, f, path);
		if (!ret && rc != SQLITE_DONE)
			ret = db_fail(x);
		if (ret)
			goto out;
	}
	if (!nseries)
		goto out;
	ret = path_of(x, path, "timeline.dat");
	if (ret)
		goto out;
	/* the trace's label, for the chart's key title */
	f = open_out(x, path);
	if (!f) {
		ret = -x->err->code;
		goto out;
	}
	for (i = 0; i < x->rs->n && x->rs->rows[i].trace_key != trace; i++)
		;
	sanitize(title, sizeof(title), x->rs->rows[i].label);
	fprintf(f, "%s\n0\n", title);
	ret = close_out(x, f, path);
	if (ret)
		goto out;

	ret = path_of(x, path, "timeline.gp");
	if (ret)
		goto out;
	f = open_out(x, path);
	if (!f) {
		ret = -x->err->code;
		goto out;
	}
	script_head(f, "timeline", size);
	fprintf(f, "N = %d\n", nseries);
	fprintf(f, "set title 'Kernel stack memory over time (stacks + pools)'\n"
		   "set xlabel 'seconds since the trace started'\n"
		   "set ylabel 'KiB'\n"
		   "set yrange [0:*]\n"
		   "set key outside right noenhanced\n"
		   "plot 'timeline.dat' using (NaN):(NaN) title columnheader(1) with points pt -1, \\\n"
		   "\tfor [i=1:N] sprintf('timeline-%%d.dat', i) using 1:4 with steps "
		   "title columnheader(2)\n");
	script_tail(f, "timeline", size);
	*wrote = true;
	ret = close_out(x, f, path);
out:
	sqlite3_finalize(st);
	return ret;
}

#define HWM_BUCKETS 16

/* (4) Lifetime HWM histogram: share of tasks per bucket, one series per trace. */
static int chart_hwm(struct chart_ctx *x, bool *wrote)
{
	static const char size[] = "1000,600";
	static const char sql[] = "SELECT bucket, tasks FROM hwm_hist WHERE run = ? ORDER BY bucket";
	sqlite3 *db = ks_store_sqlite(x->s);
	char path[PATH_LEN], title[TITLE_LEN];
	uint64_t (*hist)[HWM_BUCKETS] = NULL;
	const struct ks_row **who = NULL;
	sqlite3_stmt *st = NULL;
	size_t i, j, n = 0, nb = 0;
	int ret = 0, rc;
	FILE *f = NULL;

	hist = calloc(x->rs->n + 1, sizeof(*hist));
	who = calloc(x->rs->n + 1, sizeof(*who));
	if (!hist || !who) {
		ret = ks_error_set(x->err, ENOMEM, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		ret = db_fail(x);
		goto out;
	}
	/* the first shown run of each trace that has a histogram */
	for (i = 0; i < x->rs->n; i++) {
		const struct ks_row *r = &x->rs->rows[i];
		bool have = false;

		if (!r->shown || (n && who[n - 1]->trace_key == r->trace_key))
			continue;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, r->run_key);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int b = sqlite3_column_int(st, 0);

			if (b < 0 || b >= HWM_BUCKETS)
				continue;
			hist[n][b] = (uint64_t)sqlite3_column_int64(st, 1);
			if ((size_t)b + 1 > nb)
				nb = (size_t)b + 1;
			have = true;
		}
		if (rc != SQLITE_DONE) {
			ret = db_fail(x);
			goto out;
		}
		if (have)
			who[n++] = r;
	}
	if (!n)
		goto out;

	ret = path_of(x, path, "hwm.dat");
	if (ret)
		goto out;
	f = open_out(x, path);
	if (!f) {
		ret = -x->err->code;
		goto out;
	}
	fprintf(f, "hwm");
	for (j = 0; j < n; j++) {
		sanitize(title, sizeof(title), who[j]->label);
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
	ret = close_out(x, f, path);
	if (ret)
		goto out;

	ret = path_of(x, path, "hwm.gp");
	if (ret)
		goto out;
	f = open_out(x, path);
	if (!f) {
		ret = -x->err->code;
		goto out;
	}
	script_head(f, "hwm", size);
	fprintf(f, "N = %zu\n", n);
	fprintf(f, "set title 'Lifetime stack high-water mark of all tasks'\n"
		   "set xlabel 'high-water mark (up to)'\n"
		   "set ylabel 'tasks (%%)'\n"
		   "set yrange [0:*]\n"
		   "set offsets 0, 0, graph 0.08, 0\n"
		   "set style data histograms\n"
		   "set style histogram clustered gap 1\n"
		   "set style fill solid 0.8 border -1\n"
		   "set key top right noenhanced\n"
		   "plot for [i=2:N+1] 'hwm.dat' using i:xticlabels(1) title columnheader(i)\n");
	script_tail(f, "hwm", size);
	*wrote = true;
	ret = close_out(x, f, path);
out:
	sqlite3_finalize(st);
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

/* Run "gnuplot NAME.gp" inside @dir; its messages go to NAME.log, kept on failure. */
static int draw(struct chart_ctx *x, const char *gnuplot, const char *name)
{
	char gp[128], log[PATH_LEN];
	int status, fd;
	pid_t pid;

	snprintf(gp, sizeof(gp), "%s.gp", name);
	if (path_of(x, log, "%s.log", name))
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
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return ks_error_set(x->err, errno, "waiting for gnuplot: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return ks_error_set(x->err, KS_E_IO, "gnuplot failed on %s/%s (see %s)", x->dir, gp,
				    log);
	unlink(log);
	return 0;
}

int ks_report_charts_opts(struct ks_store *s, const struct ks_report_opts *o, const char *dir,
			  bool *drew, struct ks_error *err)
{
	bool wrote[4] = { false, false, false, false };
	struct chart_ctx x = { .s = s, .dir = dir, .err = err };
	char gnuplot[PATH_LEN];
	struct ks_rowset rs;
	struct stat sb;
	bool have_gp;
	int ret, i;

	*drew = false;
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return ks_error_set(err, errno, "%s: %s", dir, strerror(errno));
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return ks_error_set(err, ENOTDIR, "%s: not a directory", dir);
	ret = ks_rows_load(s, o, &rs, err);
	if (ret)
		return ret;
	x.rs = &rs;
	for (i = 0; ks_report_chart_names[i]; i++)
		clean_chart(&x, ks_report_chart_names[i]);
	ret = chart_bars(&x, &wrote[0]);
	if (!ret)
		ret = chart_pool(&x, o, &wrote[1]);
	if (!ret)
		ret = chart_timeline(&x, &wrote[2]);
	if (!ret)
		ret = chart_hwm(&x, &wrote[3]);
	ks_rowset_release(&rs);
	if (ret)
		return ret;
	have_gp = find_gnuplot(gnuplot, sizeof(gnuplot));
	for (i = 0; have_gp && ks_report_chart_names[i]; i++) {
		if (!wrote[i])
			continue;
		ret = draw(&x, gnuplot, ks_report_chart_names[i]);
		if (ret)
			return ret;
	}
	*drew = have_gp;
	return 0;
}

int ks_report_charts(struct ks_store *s, const char *dir, bool *drew, struct ks_error *err)
{
	struct ks_report_opts o;

	ks_report_opts_default(&o);
	return ks_report_charts_opts(s, &o, dir, drew, err);
}
