// SPDX-License-Identifier: MIT
/*
 * gnuplot charts from the store.  Each chart is data files (tab-separated,
 * labels sanitised, a header line naming the columns) and a script of fixed
 * text: no label from a trace is ever pasted into a script, only file names
 * carrying a trace's slug (letters, digits, dashes); gnuplot reads titles
 * and keys from the data (columnheader(), xticlabels(), strcol() in stats).
 * Data comes from the store's queries, never from printed tables.
 *
 * This file is the registry of charts and what runs them: it draws each
 * chart of the registry in turn (charts_memory.c, charts_sweep.c,
 * charts_tasks.c, charts_designs.c, charts_fleet.c), lists and cleans their
 * files, and runs gnuplot on the scripts.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ks_stop.h"
#include "charts.h"

/*
 * The charts, in the order they are drawn and listed.  A chart's files are
 * NAME.gp, NAME.dat, its data files NAME-*.dat and NAME_K.dat, and, drawn,
 * NAME.png and NAME.svg; a chart per trace writes NAME-SLUG.* for each
 * trace that has its data.
 */
static const struct chart charts[] = {
	{ .name = "bars", .per_trace = false, .draw = chart_bars },
	{ .name = "pool", .per_trace = true, .draw = chart_pool },
	{ .name = "fallback", .per_trace = true, .draw = chart_fallback },
	{ .name = "timeline", .per_trace = false, .draw = chart_timeline },
	{ .name = "hwm", .per_trace = false, .draw = chart_hwm },
	{ .name = "depth", .per_trace = true, .draw = chart_depth },
	{ .name = "asleep", .per_trace = true, .draw = chart_asleep },
	{ .name = "latch", .per_trace = false, .draw = chart_latch },
	{ .name = "designs", .per_trace = true, .draw = chart_designs },
	/* the fleet report's: drawn with it, alone (ks_report_opts.fleet) */
	{ .name = "fleet", .per_trace = false, .fleet = true, .draw = chart_fleet },
};
#define NR_CHARTS (sizeof(charts) / sizeof(charts[0]))

const char *ks_report_chart(size_t i, bool *per_trace)
{
	if (i >= NR_CHARTS)
		return NULL;
	if (per_trace)
		*per_trace = charts[i].per_trace;
	return charts[i].name;
}

/* NAME.ext, NAME-....ext or NAME_....ext with ext a chart file's: a file of chart @name. */
static bool chart_file(const char *file, const char *name)
{
	static const char *const ext[] = { ".dat", ".gp", ".png", ".svg", ".log" };
	size_t n = strlen(name), fl = strlen(file), i, el;

	if (strncmp(file, name, n) || (file[n] != '.' && file[n] != '-' && file[n] != '_'))
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
		for (i = 0; i < NR_CHARTS; i++)
			if (chart_file(d->d_name, charts[i].name) &&
			    !chart_path(x, path, "%s", d->d_name))
				unlink(path);
	closedir(dir);
}

/*
 * Which chart a script base name is: NAME for a chart drawn once, NAME-SLUG
 * for a chart per trace (the longest name that fits, should one chart's
 * name start another's).
 */
static bool script_key(const char *base, size_t *chart)
{
	size_t i, n, best = 0;
	bool found = false;

	for (i = 0; i < NR_CHARTS; i++) {
		n = strlen(charts[i].name);
		if (strncmp(base, charts[i].name, n) || (found && n <= best))
			continue;
		if ((!charts[i].per_trace && !base[n]) ||
		    (charts[i].per_trace && base[n] == '-' && base[n + 1] &&
		     strspn(base + n + 1, "abcdefghijklmnopqrstuvwxyz0123456789-") ==
		     strlen(base + n + 1))) {
			*chart = i;
			best = n;
			found = true;
		}
	}
	return found;
}

/* By chart, in the registry's order, then by name. */
static int cmp_script(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t cx = 0, cy = 0;

	script_key(x, &cx);
	script_key(y, &cy);
	if (cx != cy)
		return cx < cy ? -1 : 1;
	return strcmp(x, y);
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
		if (script_key(v[n], &c))
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
	ret = chart_traces_init(&x);
	if (ret) {
		ks_rowset_release(&rs);
		return ret;
	}
	clean_charts(&x);
	for (i = 0; i < NR_CHARTS && !ret; i++)
		if (charts[i].fleet == (o->fleet != NULL))
			ret = charts[i].draw(&x);
	ks_rowset_release(&rs);
	free(x.traces);
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
