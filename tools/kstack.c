// SPDX-License-Identifier: MIT
/*
 * kstack: how much kernel-stack memory would dynamic kernel stacks save on
 * this workload, at what cost, and would it ever crash?
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "cmds.h"
#include "ks_progress.h"
#include "ks_stop.h"

/*
 * @stops: a long command whose loops poll ks_stop_signal(): SIGINT and
 * SIGTERM ask it to stop and clean up (common/ks_stop.h).  The others keep
 * the default actions (info and dump have nothing to clean up; collect
 * handles its signals itself, to flush the trace and stop its command).
 */
static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
	bool stops;
} commands[] = {
	{ "analyze", cmd_analyze, "from a workload (or a trace) to the answer: record, replay, "
	  "report", true },
	{ "collect", cmd_collect, "record a workload on this kernel into a trace", false },
	{ "synth",   cmd_synth,   "generate a trace from a machine profile or parameters", true },
	{ "info",    cmd_info,    "show a trace's header and event counts", false },
	{ "dump",    cmd_dump,    "print a trace's events (text or --csv)", false },
	{ "replay",  cmd_replay,  "replay traces under policies and configurations into a database",
	  true },
	{ "merge",   cmd_merge,   "merge result databases (shards of a fleet) into one", true },
	{ "report",  cmd_report,  "print tables and draw charts from a database", true },
	{ "demo",    cmd_demo,    "the main job on the bundled data: synth, replay, report", true },
	{ "bench",   cmd_bench,   "measure replay speed, bytes per event and memory", true },
};

/* One line "kstack VERB: ..." on stderr, in place of a progress line shown. */
static void cli_line(const char *verb, const char *fmt, va_list ap)
{
	ks_progress_clear();
	fprintf(stderr, "kstack %s: ", verb);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_error(const char *verb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_line(verb, fmt, ap);
	va_end(ap);
}

void cli_note(const char *verb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_line(verb, fmt, ap);
	va_end(ap);
}

void cli_fail(const char *verb, const char *context, const struct ks_error *err)
{
	char msg[512];

	ks_error_format(err, msg, sizeof(msg));
	if (context && err->code != EINTR)
		cli_error(verb, "%s: %s", context, msg);
	else
		cli_error(verb, "%s", msg);
}

bool cli_stdout_failed(const char *verb)
{
	static bool reported;
	int e;

	errno = 0;
	if (fflush(stdout) != EOF && !ferror(stdout))
		return false;
	/* a failed flush keeps its errno; an earlier failed flush left only the flag */
	e = errno;
	if (!reported)
		cli_error(verb, "cannot write the output%s%s", e ? ": " : "", e ? strerror(e) : "");
	reported = true;
	return true;
}

/* The folder of the running program, resolved (no symbolic links); false if unknown. */
static bool exe_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n <= 0 || (size_t)n >= len - 1)
		return false;
	buf[n] = 0;
	slash = strrchr(buf, '/');
	if (!slash)
		return false;
	*slash = 0;
	return true;
}

const char *cli_datadir(void)
{
	static char found[PATH_MAX];
	char dir[PATH_MAX], build[PATH_MAX], probe[PATH_MAX + 80];
	const char *d = getenv("KSTACK_DATA");

	if (d && *d)
		return d;
	if (!exe_dir(dir, sizeof(dir)))
		return access(KS_SOURCE_DATADIR "/profiles", R_OK) == 0 ? KS_SOURCE_DATADIR :
		       KS_DATADIR;
	/* the program in its build tree: the data of the source tree it was built from */
	if (realpath(KS_BUILD_EXEDIR, build) && !strcmp(dir, build))
		return KS_SOURCE_DATADIR;
	/* installed: beside the program, wherever the tree was installed or moved */
	if (*KS_EXE_TO_DATADIR) {
		snprintf(probe, sizeof(probe), "%s/%s", dir, KS_EXE_TO_DATADIR);
		/* named without "bin/..": it appears in notes and errors */
		if (realpath(probe, found)) {
			snprintf(probe, sizeof(probe), "%s/profiles", found);
			if (access(probe, R_OK) == 0)
				return found;
		}
	}
	return KS_DATADIR;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: kstack COMMAND [OPTIONS]   (kstack COMMAND --help, or kstack help COMMAND)\n"
		   "       kstack -V | --version | version\n\n"
		   "What would dynamic kernel stacks save on this workload, at what cost,\n"
		   "and would it ever crash?\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n  -h, --help      this help (kstack help COMMAND: that command's)\n"
		   "  -V, --version   the version\n\n"
		   "Exit status: 0 success, 1 failure, 2 bad command line; collect -- COMMAND\n"
		   "returns COMMAND's.  KSTACK_DATA names the data folder (profiles, traces).\n");
}

static int command_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return (int)i;
	return -1;
}

/* kstack help [COMMAND]: the general help, or COMMAND --help */
static int help(int argc, char **argv)
{
	char *args[] = { argv[2], "--help", NULL };
	int i;

	if (argc < 3) {
		usage(stdout);
		return KS_EXIT_OK;
	}
	if (argc > 3) {
		fprintf(stderr, "kstack help: one command at a time (kstack --help lists them)\n");
		return KS_EXIT_USAGE;
	}
	i = command_find(argv[2]);
	if (i < 0) {
		fprintf(stderr, "kstack help: unknown command '%s' (kstack --help lists them)\n",
			argv[2]);
		return KS_EXIT_USAGE;
	}
	return commands[i].fn(2, args);
}

int main(int argc, char **argv)
{
	int i, rc;

	if (argc < 2) {
		usage(stderr);
		return KS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return help(argc, argv);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V") ||
	    !strcmp(argv[1], "version")) {
		printf("kstack %s\n", KS_VERSION);
		return cli_stdout_failed("version") ? KS_EXIT_FAIL : KS_EXIT_OK;
	}
	i = command_find(argv[1]);
	if (i < 0) {
		fprintf(stderr, "kstack: unknown command '%s' (kstack --help lists them)\n",
			argv[1]);
		return KS_EXIT_USAGE;
	}
	rc = commands[i].stops ? ks_stop_catch() : 0;
	if (rc < 0) {
		cli_error(commands[i].name, "cannot catch SIGINT and SIGTERM: %s", strerror(-rc));
		return KS_EXIT_FAIL;
	}
	rc = commands[i].fn(argc - 1, argv + 1);
	/* a command that failed because it was asked to stop says which signal */
	if (rc != KS_EXIT_OK && ks_stop_signal())
		rc = KS_EXIT_SIGNAL + ks_stop_signal();
	/* output lost on the way (disk full, closed pipe) is not a success */
	if (rc == KS_EXIT_OK && cli_stdout_failed(commands[i].name))
		rc = KS_EXIT_FAIL;
	return rc;
}
