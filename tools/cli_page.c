// SPDX-License-Identifier: MIT
/*
 * The HTML report as report --html and analyze write it: the charts drawn
 * first (into the folder asked for, or a private temporary one removed
 * afterwards), then the page, written beside its name and renamed over it
 * once whole, so an error or Ctrl-C leaves no half page.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "cli_page.h"
#include "cmds.h"

/* Remove the temporary charts folder @dir and every file in it (ours alone). */
static void rm_tmpdir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dd = opendir(dir);

	if (dd) {
		while ((d = readdir(dd)))
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
			    snprintf(path, sizeof(path), "%s/%s", dir, d->d_name) <
			    (int)sizeof(path))
				unlink(path);
		closedir(dd);
	}
	rmdir(dir);
}

/* One line for @err, as report says it; the exit status of its kind. */
static int page_fail(const char *verb, const struct ks_error *err)
{
	cli_error(verb, "%s", err->detail[0] ? err->detail : ks_strerror(err->code));
	return err->code == KS_E_USAGE ? KS_EXIT_USAGE : KS_EXIT_FAIL;
}

/* The page into @f. */
static int page_to(const char *verb, struct ks_store *store, const struct ks_report_opts *o,
		   const char *charts, FILE *f)
{
	struct ks_html_opts h = { .charts = charts, .generator = "kstack " KS_VERSION };
	struct ks_error err = { 0 };

	return ks_report_html(store, o, &h, f, &err) ? page_fail(verb, &err) : KS_EXIT_OK;
}

/* The process's file mode mask (umask() can only be read by setting it). */
static mode_t cli_umask(void)
{
	mode_t m = umask(022);

	umask(m);
	return m;
}

/* The page into @path, through a temporary file beside it. */
static int page_file(const char *verb, struct ks_store *store, const struct ks_report_opts *o,
		     const char *charts, const char *path)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, ret;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		cli_error(verb, "%s: path too long", path);
		return KS_EXIT_FAIL;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		cli_error(verb, "cannot create %s: %s", path, strerror(errno));
		return KS_EXIT_FAIL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		cli_error(verb, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		return KS_EXIT_FAIL;
	}
	ret = page_to(verb, store, o, charts, f);
	/* readable as any file the user creates, not only by the owner as mkstemp made it */
	if (!ret && fchmod(fd, 0666 & ~cli_umask())) {
		cli_error(verb, "%s: %s", path, strerror(errno));
		ret = KS_EXIT_FAIL;
	}
	if (fclose(f) && !ret) {
		cli_error(verb, "writing %s: %s", path, strerror(errno));
		ret = KS_EXIT_FAIL;
	}
	if (!ret && rename(tmp, path)) {
		cli_error(verb, "cannot write %s: %s", path, strerror(errno));
		ret = KS_EXIT_FAIL;
	}
	if (ret)
		unlink(tmp);
	return ret;
}

int cli_page_write(const char *verb, struct ks_store *store, const struct ks_report_opts *o,
		   const char *charts, const char *path, bool *drew)
{
	struct ks_error err = { 0 };
	const char *tmpdir = getenv("TMPDIR");
	char tmp[PATH_MAX] = "";
	int ret = 0;

	*drew = false;
	if (!charts) {
		snprintf(tmp, sizeof(tmp), "%s/kstack-charts-XXXXXX",
			 tmpdir && *tmpdir ? tmpdir : "/tmp");
		if (!mkdtemp(tmp)) {
			cli_error(verb, "cannot create a folder for the charts in %s: %s",
				  tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
			return KS_EXIT_FAIL;
		}
		charts = tmp;
	}
	if (ks_report_charts_opts(store, o, charts, drew, &err)) {
		ret = page_fail(verb, &err);
		/* the error names a file in it (gnuplot's log): keep it for the reader */
		if (*tmp && strstr(err.detail, tmp)) {
			cli_note(verb, "the charts' temporary folder is kept for its logs: %s", tmp);
			return ret;
		}
	}
	if (!ret && !strcmp(path, "-"))
		ret = page_to(verb, store, o, charts, stdout);
	else if (!ret)
		ret = page_file(verb, store, o, charts, path);
	if (*tmp)
		rm_tmpdir(tmp);
	return ret;
}
