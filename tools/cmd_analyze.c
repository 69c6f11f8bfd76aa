// SPDX-License-Identifier: MIT
/*
 * kstack analyze: from a workload to the answer in one command.  Record it
 * (kstack collect's own code: the same options, checks and messages), or
 * take a recorded trace; replay the grid of the demo (every policy at its
 * defaults, the pool sweep under failure injection, cli_grid.h); print the
 * results table on the mean and the peak and the answer in plain words;
 * keep everything in one folder: the trace, the database, the charts and
 * the HTML report, whose paths are the last lines on stderr.
 *
 * The folder is new or empty unless --force: a second analysis must not
 * mix its runs into the first one's database unasked.  Everything the
 * command line says is checked before the folder is created, and a
 * recording that never started leaves no folder behind.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_grid.h"
#include "cli_page.h"
#include "cmds.h"
#include "ks_progress.h"
#include "ks_stop.h"
#include "replay.h"
#include "report.h"

/*
 * Seeds of each failing rate: the share of seeds with a would-be crash in
 * steps of 5%, as the demo.  About 1100 runs per trace; on a 2-CPU VM the
 * shipped 30 s build takes 9 s, mostly storing them.
 */
#define ANALYZE_SEEDS 20
/* room for DIR/charts/NAME.svg and DIR/.report.html.XXXXXX under PATH_MAX */
#define ANALYZE_MAX_DIR 3072
#define ANALYZE_MAX_ARGS 32

/* The options passed on to collect, as they were given. */
struct recording {
	const char *argv[ANALYZE_MAX_ARGS];
	int argc;
	const char *label;
	bool duration;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kstack analyze [OPTIONS] -- COMMAND [ARGS...]\n"
		"       kstack analyze [OPTIONS] --duration S\n"
		"       kstack analyze [OPTIONS] TRACE\n\n"
		"From a workload to the answer: record COMMAND (or the whole system for S\n"
		"seconds) as kstack collect does (root), or take a recorded TRACE; replay it\n"
		"under every policy and every design of kstack report --designs at its\n"
		"defaults, and rfc, rfc+global and watermark over\n"
		"per-CPU pools 0..8 with 0, 0.01%% and 1%% of page allocations failing (each\n"
		"failing rate under N seeds; entry once); store the runs in DIR/kstack.db,\n"
		"draw the charts into DIR/charts and write the HTML report DIR/report.html.\n"
		"Standard output gets the results and designs tables on the mean and the\n"
		"peak and the answer in plain words; standard error what it does, then where the files are.\n\n"
		"  -o, --output DIR      the folder (default kstack-analyze-LABEL, LABEL the\n"
		"                        command's or the trace's name); new or empty\n"
		"      --force           write into a folder that holds files: analyze's own\n"
		"                        (trace.kst, kstack.db, charts/, report.html) are\n"
		"                        replaced, nothing else is touched\n"
		"  -r, --replicates N    seeds of each failing rate (default %d; fewer is\n"
		"                        faster: each seed is about 54 runs)\n"
		"  -j, --jobs N          replay threads (default: one per CPU)\n"
		"  -q, --quiet           results only: nothing on standard error but warnings\n"
		"                        and errors\n"
		"  -h, --help            this help\n"
		"recording, as kstack collect (into DIR/trace.kst):\n"
		"      --duration S      stop after S seconds (with COMMAND: at the latest)\n"
		"  -l, --label NAME      workload name stored in the trace\n"
		"  -b, --buffer-kb N     tracefs buffer per CPU in KiB (default 4096)\n"
		"      --window-ms N     merge window in ms (default 200)\n"
		"      --entries         also record syscall entries and exits\n"
		"      --no-bpf          lifecycle events only (no stack depths: the policies\n"
		"                        that need them are left out)\n\n"
		"Exit status: 0 success, 1 failure, 2 bad command line; with COMMAND its\n"
		"status once the analysis is written (127 or 126 if it cannot run, and then\n"
		"nothing is written; 143 if --duration ended first: it is stopped with\n"
		"SIGTERM); 130 or 143 when stopped by SIGINT or SIGTERM (an\n"
		"interrupted recording is kept: analyze DIR/trace.kst with --force -o DIR).\n",
		ANALYZE_SEEDS);
}

/* NAME's letters and digits, and . _ -, the rest as dashes: a folder name part. */
static void slug(char *dst, size_t len, const char *name)
{
	size_t i = 0;

	for (; *name && i + 1 < len; name++)
		dst[i++] = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
				  *name) ? *name : '-';
	dst[i] = '\0';
	if (!i || !strcmp(dst, ".") || !strcmp(dst, ".."))
		snprintf(dst, len, "trace");
}

/* The default folder: kstack-analyze- and the label, the command's or the trace's name. */
static void default_dir(char *buf, size_t len, const struct recording *rec, const char *trace,
			const char *command)
{
	char name[128];
	const char *base = rec->label, *slash;
	size_t n;

	if (!base && command)
		base = command;
	else if (!base && trace)
		base = trace;
	else if (!base)
		base = "system";
	slash = strrchr(base, '/');
	if (slash && (rec->label || slash[1]))
		base = slash + 1;
	snprintf(name, sizeof(name), "%s", base);
	n = strlen(name);
	if (!rec->label && trace && n > 4 && !strcmp(name + n - 4, ".kst"))
		name[n - 4] = '\0';
	slug(name, sizeof(name), name);
	snprintf(buf, len, "kstack-analyze-%s", name);
}

/* 0 if @dir may be written into (absent, or empty, or --force); else one line, 1. */
static int dir_check(const char *dir, bool force, bool *exists)
{
	struct dirent *d;
	struct stat sb;
	bool empty = true;
	DIR *dd;

	*exists = !stat(dir, &sb);
	if (!*exists)
		return errno == ENOENT ? 0 : (cli_error("analyze", "%s: %s", dir,
							strerror(errno)), KS_EXIT_FAIL);
	if (!S_ISDIR(sb.st_mode)) {
		cli_error("analyze", "%s: not a folder", dir);
		return KS_EXIT_FAIL;
	}
	dd = opendir(dir);
	if (!dd) {
		cli_error("analyze", "%s: %s", dir, strerror(errno));
		return KS_EXIT_FAIL;
	}
	while ((d = readdir(dd)) && empty)
		empty = !strcmp(d->d_name, ".") || !strcmp(d->d_name, "..");
	closedir(dd);
	if (!empty && !force) {
		cli_error("analyze", "%s holds files already: give another --output, or --force "
			  "to replace the analysis in it", dir);
		return KS_EXIT_FAIL;
	}
	return 0;
}

/* --force: the database of an earlier analysis goes, and its journal with it. */
static int db_remove(const char *db)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", db, ext[i]);
		if (unlink(path) && errno != ENOENT) {
			cli_error("analyze", "%s: cannot remove the old database: %s", path,
				  strerror(errno));
			return -1;
		}
	}
	return 0;
}

/*
 * The policies @trace can be replayed under (those that need stack depths
 * are left out of a trace without them, with a note): each checked against
 * the trace's header as replay would.
 */
static int policies_for(const char *trace, const char **out, size_t *n, bool quiet)
{
	const struct ks_param *pd;
	const char *name, *desc;
	size_t i;

	*n = 0;
	for (i = 0; i < ks_policy_count() && *n < ANALYZE_MAX_ARGS; i++) {
		struct ks_speclist one = { 0 };
		struct ks_replay_input *in = NULL;
		struct ks_error err = { 0 };
		int rc;

		ks_policy_describe(i, &name, &desc, &pd);
		rc = ks_speclist_expand(&one, &name, 1, NULL, 0, &err);
		if (!rc)
			rc = ks_replay_input_open(&in, trace, &one, &err);
		ks_replay_input_free(in);
		ks_speclist_release(&one);
		if (rc == -KS_E_DEPTH) {
			if (!quiet)
				cli_note("analyze", "%s left out: the trace has no stack depths", name);
			continue;
		}
		if (rc) {
			cli_fail("analyze", trace, &err);
			return rc == -KS_E_USAGE || rc == -KS_E_PARAM ? KS_EXIT_USAGE : KS_EXIT_FAIL;
		}
		out[(*n)++] = name;
	}
	return 0;
}

/*
 * Record into @trace with collect, passing on the recording options and the
 * command.  collect catches SIGINT, SIGTERM and SIGHUP itself: ours are
 * given back to it and taken again afterwards.
 */
static int record(const struct recording *rec, const char *trace, char **command, bool quiet,
		  struct cli_recording *out)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction saved[3];
	char **argv;
	int argc = 0, i, n = 0, rc;

	while (command && command[n])
		n++;
	/* collect -o TRACE [-q] OPTIONS... -- COMMAND... NULL: every word passed on */
	argv = calloc((size_t)(5 + rec->argc + n + 1), sizeof(*argv));
	if (!argv) {
		cli_error("analyze", "out of memory");
		return KS_EXIT_FAIL;
	}
	argv[argc++] = "collect";
	argv[argc++] = "-o";
	argv[argc++] = (char *)trace;
	if (quiet)
		argv[argc++] = "-q";
	for (i = 0; i < rec->argc; i++)
		argv[argc++] = (char *)rec->argv[i];
	argv[argc++] = "--";
	for (i = 0; i < n; i++)
		argv[argc++] = command[i];
	argv[argc] = NULL;
	ks_stop_release();
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], NULL, &saved[i]);
	rc = cli_collect(argc, argv, out);
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &saved[i], NULL);
	free(argv);
	if (ks_stop_catch() < 0) {
		cli_error("analyze", "cannot catch SIGINT and SIGTERM: %s", strerror(errno));
		return KS_EXIT_FAIL;
	}
	return rc;
}

/* The grid on @trace into @store. */
static int replay(const char *trace, struct ks_store *store, const char *const *policies,
		  size_t npol, uint32_t seeds, unsigned int jobs, bool quiet)
{
	struct cli_grid grid = { 0 };
	struct ks_error err = { 0 };
	struct ks_replay_summary sum;
	struct ks_replay_opts o;
	static const char *const pass_name[3] = { "every policy and design", "the pool sweep",
						   "entry's sweep" };
	const struct ks_speclist *pass[3];
	const char *base;
	char what[160];
	size_t i;
	int rc;

	rc = cli_grid_build(&grid, policies, npol, seeds, &err);
	if (rc) {
		cli_fail("analyze", NULL, &err);
		goto out;
	}
	ks_replay_opts_default(&o);
	o.threads = jobs;
	o.progress = ks_progress_on();
	if (!quiet && !o.progress)
		cli_note("analyze", "replaying %s under every policy and design at their defaults "
			 "and the pool sweep, %u seed%s per failing rate", trace, seeds,
			 seeds == 1 ? "" : "s");
	pass[0] = &grid.base;
	pass[1] = &grid.sweep;
	pass[2] = &grid.once;
	base = strrchr(trace, '/') ? strrchr(trace, '/') + 1 : trace;
	o.progress_verb = "analyze";
	o.progress_what = what;
	for (i = 0; i < 3 && !rc; i++) {
		/* one line for the three passes over the trace, saying which it is at */
		snprintf(what, sizeof(what), "%.100s, %s (%zu of 3)", base, pass_name[i], i + 1);
		/* the first pass also replays every design of the designs table */
		if (!i)
			rc = cli_grid_designs("analyze", trace, &grid, store, &o, quiet, &err);
		else if (pass[i]->n)
			rc = ks_replay_trace(trace, pass[i], store, &o, &sum, NULL, &err);
	}
	if (rc)
		cli_fail("analyze", trace, &err);
out:
	cli_grid_release(&grid);
	return rc ? KS_EXIT_FAIL : KS_EXIT_OK;
}

/* The results and designs tables on the mean and the peak, then the answer, on stdout. */
static int answer(struct ks_store *store)
{
	struct ks_error err = { 0 };
	struct ks_report_opts o;

	ks_report_opts_default(&o);
	ks_report_add_basis(&o, KS_BASIS_MEAN);
	ks_report_add_basis(&o, KS_BASIS_PEAK);
	if (!ks_report_table(store, &o, stdout, &err)) {
		fputs("\nEvery design at its defaults:\n\n", stdout);
		if (!ks_report_designs(store, &o, stdout, &err)) {
			fputs("\n", stdout);
			if (!ks_report_answer(store, &o, stdout, &err))
				return 0;
		}
	}
	cli_fail("analyze", NULL, &err);
	return -1;
}

/* What the folder holds, the last lines on stderr. */
static void paths(const char *trace, const char *db, const char *charts, bool drew,
		  const char *page)
{
	cli_note("analyze", "trace:    %s", trace);
	cli_note("analyze", "database: %s", db);
	cli_note("analyze", "charts:   %s/ (%s)", charts, drew ? "PNG and SVG images, their data "
		 "and gnuplot scripts" : "gnuplot not found: data and scripts, no images");
	cli_note("analyze", "report:   %s", page);
}

/* collect's name of recording option @c */
static const char *recording_option(int c)
{
	switch (c) {
	case 'D':
		return "--duration";
	case 'l':
		return "--label";
	case 'b':
		return "--buffer-kb";
	case 'W':
		return "--window-ms";
	case 'E':
		return "--entries";
	default:
		return "--no-bpf";
	}
}

/* Parse a positive count no larger than @max into @out; -1 if it is not one. */
static int count_arg(const char *s, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || end == s || *end || *out < 1 || *out > max ? -1 : 0;
}

int cmd_analyze(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'F' },
		{ "replicates", required_argument, NULL, 'r' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "duration", required_argument, NULL, 'D' },
		{ "label", required_argument, NULL, 'l' },
		{ "buffer-kb", required_argument, NULL, 'b' },
		{ "window-ms", required_argument, NULL, 'W' },
		{ "entries", no_argument, NULL, 'E' },
		{ "no-bpf", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .verb = "analyze", .optstring = "o:r:j:ql:b:h", .opts = opts };
	struct recording rec = { 0 };
	struct cli_recording done = { 0 };
	struct ks_error err = { 0 };
	struct ks_store *store = NULL;
	struct ks_report_opts ro;
	const char *outdir = NULL, *trace = NULL, *policies[ANALYZE_MAX_ARGS];
	char **command = NULL;
	char dir[PATH_MAX], tpath[PATH_MAX], db[PATH_MAX], charts[PATH_MAX], page[PATH_MAX];
	long seeds = ANALYZE_SEEDS, jobs = 0;
	size_t npol = 0;
	bool force = false, quiet = false, exists = false, drew = false;
	int c, rc, status = KS_EXIT_OK;

	while ((c = cli_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case 'o':
			if (!strcmp(optarg, "-")) {
				cli_error("analyze", "-o -: analyze writes a folder, not a stream");
				return KS_EXIT_USAGE;
			}
			if (!*optarg || strlen(optarg) > ANALYZE_MAX_DIR) {
				cli_error("analyze", "bad --output '%.64s%s' (empty or too long)",
					  optarg, strlen(optarg) > 64 ? "..." : "");
				return KS_EXIT_USAGE;
			}
			outdir = optarg;
			break;
		case 'F':
			force = true;
			break;
		case 'r':
			if (count_arg(optarg, KS_MAX_REPLICATES, &seeds)) {
				cli_error("analyze", "bad --replicates '%s' (expected 1..%d)", optarg,
					  KS_MAX_REPLICATES);
				return KS_EXIT_USAGE;
			}
			break;
		case 'j':
			if (count_arg(optarg, 1024, &jobs)) {
				cli_error("analyze", "bad --jobs '%s' (expected 1..1024)", optarg);
				return KS_EXIT_USAGE;
			}
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return KS_EXIT_OK;
		case 'D':
		case 'l':
		case 'b':
		case 'W':
		case 'E':
		case 'N':
			/* passed on to collect, which checks them before anything is recorded */
			if (rec.argc + 2 > ANALYZE_MAX_ARGS) {
				cli_error("analyze", "too many recording options");
				return KS_EXIT_USAGE;
			}
			rec.argv[rec.argc++] = recording_option(c);
			if (optarg)
				rec.argv[rec.argc++] = optarg;
			rec.label = c == 'l' ? optarg : rec.label;
			rec.duration |= c == 'D';
			break;
		default:
			return KS_EXIT_USAGE;
		}
	}
	/* a COMMAND follows "--"; a word without it is a trace */
	if (optind < argc && !strcmp(argv[optind - 1], "--"))
		command = argv + optind;
	else if (optind < argc)
		trace = argv[optind];
	if (trace && optind + 1 < argc) {
		cli_error("analyze", "one trace at a time (a command to record follows --)");
		return KS_EXIT_USAGE;
	}
	if (trace && rec.argc) {
		cli_error("analyze", "'%s' is a trace: --duration, --label and the other recording "
			  "options record (a command to record follows --)", trace);
		return KS_EXIT_USAGE;
	}
	if (trace && !strcmp(trace, "-")) {
		cli_error("analyze", "analyze reads its trace several times: give a file, not -");
		return KS_EXIT_USAGE;
	}
	if (!trace && !command && !rec.duration) {
		cli_error("analyze", "nothing to analyze: give -- COMMAND, --duration S or a trace "
			  "(kstack analyze --help)");
		return KS_EXIT_USAGE;
	}
	if (trace && access(trace, R_OK)) {
		cli_error("analyze", "%s: %s%s", trace, strerror(errno), errno == ENOENT ?
			  " (a command to record follows --: kstack analyze -- COMMAND)" : "");
		return KS_EXIT_FAIL;
	}
	/* a trace is checked whole before the folder exists: it must not be left empty */
	if (trace) {
		rc = policies_for(trace, policies, &npol, quiet);
		if (rc)
			return rc;
	}

	if (!outdir) {
		default_dir(dir, sizeof(dir), &rec, trace, command ? command[0] : NULL);
		outdir = dir;
	}
	rc = dir_check(outdir, force, &exists);
	if (rc)
		return rc;
	if (!exists && mkdir(outdir, 0777)) {
		cli_error("analyze", "cannot create %s: %s", outdir, strerror(errno));
		return KS_EXIT_FAIL;
	}
	snprintf(db, sizeof(db), "%.*s/kstack.db", ANALYZE_MAX_DIR, outdir);
	snprintf(charts, sizeof(charts), "%.*s/charts", ANALYZE_MAX_DIR, outdir);
	snprintf(page, sizeof(page), "%.*s/report.html", ANALYZE_MAX_DIR, outdir);
	ks_progress_enable(!quiet);

	if (!trace) {
		snprintf(tpath, sizeof(tpath), "%.*s/trace.kst", ANALYZE_MAX_DIR,
			 outdir);
		trace = tpath;
		status = record(&rec, trace, command, quiet, &done);
		if (!done.written) {
			/* refused or never started: nothing of it stays */
			if (!exists)
				rmdir(outdir);
			return status;
		}
		if (done.stop_signal) {
			cli_error("analyze", "recording interrupted: %s holds it up to the stop "
				  "(kstack analyze --force -o %s %s analyzes it)", trace, outdir,
				  trace);
			return KS_EXIT_SIGNAL + done.stop_signal;
		}
		if (status && !quiet)
			cli_note("analyze", "%s exited with status %d: analyzing its recording all "
				 "the same", strrchr(command[0], '/') ? strrchr(command[0], '/') + 1 :
				 command[0], status);
		rc = policies_for(trace, policies, &npol, quiet);
		if (rc)
			return rc;
	}

	/* nothing of the earlier analysis may stay beside the new one's database */
	if (force && db_remove(db))
		return KS_EXIT_FAIL;
	if (force && unlink(page) && errno != ENOENT) {
		cli_error("analyze", "%s: cannot remove the old report: %s", page, strerror(errno));
		return KS_EXIT_FAIL;
	}
	if (ks_store_open(&store, db, &err)) {
		cli_fail("analyze", NULL, &err);
		return KS_EXIT_FAIL;
	}
	rc = replay(trace, store, policies, npol, (uint32_t)seeds, (unsigned int)jobs, quiet);
	if (rc && !ks_stop_signal() && !exists) {
		/* a corrupt trace (found only in its blocks) leaves no folder behind */
		ks_store_close(store);
		db_remove(db);
		rmdir(outdir);
		return rc;
	}
	if (!rc && ks_stop_check(&err, "analysis")) {
		cli_fail("analyze", NULL, &err);
		rc = KS_EXIT_FAIL;
	}
	if (!rc && answer(store))
		rc = KS_EXIT_FAIL;
	if (!rc) {
		/* the answer is shown before the charts take their seconds */
		fflush(stdout);
		ks_report_opts_default(&ro);
		if (ks_progress_on())
			ks_progress_show("analyze", "drawing the charts, writing the report");
		rc = cli_page_write("analyze", store, &ro, charts, page, &drew);
		ks_progress_clear();
	}
	ks_store_close(store);
	if (rc)
		return rc;
	if (!quiet)
		paths(trace, db, charts, drew, page);
	return status;
}
