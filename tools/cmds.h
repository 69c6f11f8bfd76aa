/* SPDX-License-Identifier: MIT */
/*
 * The kstack subcommands.  Each parses its own options, calls the modules,
 * prints errors as one line "kstack VERB: message" on stderr and returns the
 * process exit status (0 ok, 1 failure, 2 bad usage; main() makes a failure
 * after SIGINT or SIGTERM 128 + the signal).  Only main() exits.
 */
#ifndef KS_CMDS_H
#define KS_CMDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ks_err.h"

struct option;
struct ks_replay_input;
struct ks_speclist;

int cmd_collect(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_analyze(int argc, char **argv);

/* How a recording ended, for analyze (cli_collect()). */
struct cli_recording {
	bool written;		/* a whole trace was closed, up to the stop */
	int stop_signal;	/* the SIGINT, SIGTERM or SIGHUP that stopped it; 0 none */
};

/**
 * cli_collect() - kstack collect with argv[0] "collect": its options,
 * checks, messages ("kstack collect: ...") and exit status, and in @rec
 * (if not NULL; zero it first) whether a trace was written and what
 * stopped the recording.  It catches SIGINT, SIGTERM and SIGHUP itself,
 * and leaves its handlers installed.
 */
int cli_collect(int argc, char **argv, struct cli_recording *rec);

/** cli_error() - print "kstack VERB: message" on stderr (erasing a progress line) */
void cli_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * cli_note() - the same for what is not an error: what a command does, the
 * files it wrote (standard output carries results only)
 */
void cli_note(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * cli_fail() - print @err as one line: "kstack VERB: CONTEXT: message", or
 * without a @context (NULL) "kstack VERB: message"; an interruption names
 * only what stopped ("kstack replay: replay interrupted")
 */
void cli_fail(const char *verb, const char *context, const struct ks_error *err);

#define CLI_MAX_LONG 64

/*
 * One command's options for cli_getopt(): set the first four fields, leave
 * the rest zero (a designated initializer does).
 */
struct cli_getopt {
	const char *verb;		/* errors read "kstack VERB: ..." */
	const char *optstring;		/* as for getopt_long, without a leading ':' */
	const struct option *opts;	/* as for getopt_long, at most CLI_MAX_LONG */
	const char *repeatable;		/* letters of value options that may repeat; may be NULL */
	unsigned char seen[(256 + CLI_MAX_LONG) / 8];	/* value options given so far */
	int longindex;			/* opts[] entry of the last option; -1: a letter */
	bool started;
};

/**
 * cli_getopt() - getopt_long() over argv with kstack's one-line errors
 * @g: the command's options; starts the scan over argv at the first call
 * @argc: as given to the command
 * @argv: as given to the command
 *
 * An unknown option, an option missing its value and an option that takes
 * a value given a second time (unless listed in @g->repeatable) each print
 * one line "kstack VERB: ..." on stderr.
 * Return: the option's code, -1 after the last option, or '?' after such
 * an error (the command then returns KS_EXIT_USAGE).
 */
int cli_getopt(struct cli_getopt *g, int argc, char **argv);

/**
 * cli_stdout_failed() - flush stdout and report a lost write (a full disk, a
 * closed pipe with SIGPIPE ignored) once, as "kstack VERB: cannot write the
 * output: REASON".  Return: true if anything written to stdout was lost.
 */
bool cli_stdout_failed(const char *verb);

/**
 * cli_designs_specs() - the configurations of trace @path (opened as @in):
 * @base (canonical specs, possibly none) and every run of the designs table
 * (ks_design_specs()) that the trace's machine accepts, without duplicates,
 * then replicated @replicates times (ks_speclist_replicate()); a design run
 * the machine refuses is named on stderr with the reason ("kstack VERB:
 * PATH: not replaying SPEC: ...") unless @quiet
 * @out: the list; release with ks_speclist_release()
 * Return: 0, or a negative code with @err set.
 */
int cli_designs_specs(const char *verb, const char *path, const struct ks_replay_input *in,
		      const struct ks_speclist *base, uint32_t replicates, bool quiet,
		      struct ks_speclist *out, struct ks_error *err);

/**
 * cli_datadir() - the data folder (profiles/, traces/): $KSTACK_DATA if set;
 * for the program in its build tree the source tree's data/; for an
 * installed one PREFIX/share/kstack found from the program's own location
 * (/proc/self/exe), so a tree installed under any prefix, or moved, finds
 * its data; else the folder of the configured prefix.
 */
const char *cli_datadir(void);

/**
 * cli_input() - the file to open for the input argument @arg: @arg itself,
 * or /dev/stdin for "-"
 *
 * Return: the path, or NULL (after one error line) when "-" is asked and
 * standard input is a terminal.
 */
const char *cli_input(const char *verb, const char *arg);

/**
 * cli_output() - make @path standard output (created or truncated); NULL or
 * "-" keeps standard output
 *
 * Return: 0, or -1 after one error line.
 */
int cli_output(const char *verb, const char *path);

/**
 * cli_shell_join() - @words as one command line a shell reads back into
 * the same words (each quoted when it needs it), in @buf
 *
 * Return: true, or false when it does not fit: @buf then ends after the
 * last whole word that fits with " ...".
 */
bool cli_shell_join(char *buf, size_t len, const char *const *words, size_t n);

/**
 * cli_shell_rebuild() - the quoted command line of the words an older
 * kstack collect stored joined by single spaces (@joined, from a header
 * field of @field bytes)
 *
 * Exact when every word is plain, or when the command is `sh -c SCRIPT`
 * (the words after -c are the script).  Otherwise, or when @joined filled
 * the field (its end was cut), @buf gets @joined as it is.
 * Return: true if @buf is the rebuilt, quoted command line.
 */
bool cli_shell_rebuild(const char *joined, size_t field, char *buf, size_t len);

/* The most seeds --replicates (replay, analyze) takes */
#define KS_MAX_REPLICATES 1000

/* Exit statuses */
#define KS_EXIT_OK 0
#define KS_EXIT_FAIL 1
#define KS_EXIT_USAGE 2
/* + N: stopped by signal N (130 SIGINT, 143 SIGTERM), as a shell reports it */
#define KS_EXIT_SIGNAL 128

#endif
