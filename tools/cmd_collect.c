// SPDX-License-Identifier: MIT
/*
 * kstack collect: record this kernel into a trace, while a command runs,
 * for a duration, or until Ctrl-C / SIGTERM.
 *
 * Order of work: every option and the command are checked before the
 * kernel is touched (the command as a shell would look it up: 127 when it
 * is not found, 126 when it cannot be run), then the output is opened, then
 * the kernel is set up.  The command's process is forked before that and
 * held (its pid goes into the trace's header, so the replay can tell the
 * command's tasks from the rest of the system); it execs the command once
 * recording runs.  Its exec failure comes back through a close-on-exec pipe
 * before recording is declared successful, and then removes the trace.  On Ctrl-C or
 * SIGTERM the recording is stopped and closed first, then the signal is
 * passed on to the command, which is reaped (killed if it is still there
 * a second later, or at a second signal) before the tracefs instance and
 * the BPF programs are removed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "ks_progress.h"
#include "kst.h"
#include "live.h"

/* seconds recorded after COMMAND exits, to see its tasks' frees */
#define KS_LINGER_S 0.25
/* seconds COMMAND has to exit after the signal is passed on, before SIGKILL */
#define KS_GRACE_S 1.0
/* exit statuses of a command that cannot be run, as in a shell */
#define KS_EXIT_NOTFOUND 127
#define KS_EXIT_NOEXEC 126

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t nr_signals;

static void on_signal(int sig)
{
	stop_signal = sig;
	nr_signals++;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kstack collect [OPTIONS] [-- COMMAND [ARGS...]]\n\n"
		"Record context switches with each task's kernel-stack high-water mark,\n"
		"task lifetimes and kernel page faults of the whole system into a trace.\n"
		"Needs root, tracefs and (for stack depths) BPF with kernel BTF.  Records\n"
		"while COMMAND runs (and returns its exit status), for --duration seconds,\n"
		"or until Ctrl-C, and says which on its first line.  A COMMAND that cannot\n"
		"be run fails as in a shell (127 not found, 126 not runnable) and leaves\n"
		"no trace.  On Ctrl-C or SIGTERM the trace is closed, then the signal is\n"
		"passed on to COMMAND, which is killed if it has not exited a second later.\n"
		"On a terminal one line shows the time, events, size and lost events;\n"
		"events lost are warned about as soon as they are seen.\n\n"
		"  -o, --output FILE     trace file (default kstack.kst; not -)\n"
		"      --duration S      stop after S seconds (with COMMAND: at the latest)\n"
		"  -l, --label NAME      workload name stored in the trace\n"
		"  -b, --buffer-kb N     tracefs buffer per CPU in KiB (default 4096)\n"
		"      --window-ms N     merge window in ms (default 200)\n"
		"      --entries         also record syscall entries/exits (heavy: up to\n"
		"                        millions of events/s, expect losses)\n"
		"      --no-bpf          lifecycle events only (trace depth: none)\n"
		"      --stats           print the probe's cost per switch, events/s,\n"
		"                        losses and bytes per event afterwards\n"
		"  -q, --quiet           no first line, progress or summary (warnings stay)\n"
		"  -h, --help            this help\n");
}

static void print_stats(const struct ks_live_stats *st, bool full, bool quiet)
{
	double secs = st->duration_ns / 1e9;

	if (!quiet)
		fprintf(stderr, "kstack collect: %llu events in %.1f s (%.0f/s), %llu switches "
			"(%.0f/s), %llu bytes (%.2f bytes/event)\n",
			(unsigned long long)st->events, secs, secs > 0 ? st->events / secs : 0.0,
			(unsigned long long)st->switches, secs > 0 ? st->switches / secs : 0.0,
			(unsigned long long)st->bytes,
			st->events ? (double)st->bytes / st->events : 0.0);
	if (st->lost_tracefs || st->lost_ringbuf || full)
		fprintf(stderr, "kstack collect: lost events: tracefs %llu, ring buffer %llu%s\n",
			(unsigned long long)st->lost_tracefs, (unsigned long long)st->lost_ringbuf,
			st->lost_tracefs || st->lost_ringbuf ? " (the trace is incomplete)" : "");
	if (st->late)
		fprintf(stderr, "kstack collect: %llu events arrived after the merge window "
			"(written with the last time seen)\n", (unsigned long long)st->late);
	if (!quiet && st->dyn_kb_start >= 0) {
		fprintf(stderr, "kstack collect: dynamic stacks: nr_dynamic_stacks_faults %lld KiB "
			"at start, %lld KiB at stop", (long long)st->dyn_kb_start,
			(long long)st->dyn_kb_end);
		if (st->dyn_fault_pages >= 0)
			fprintf(stderr, ", %lld pages backed by faults meanwhile",
				(long long)st->dyn_fault_pages);
		fputc('\n', stderr);
	}
	if (!full)
		return;
	if (st->stats_valid && st->prog_run_cnt)
		fprintf(stderr, "kstack collect: probe cost: %.0f ns per switch (%llu runs), "
			"%.0f ns per exit (%llu runs), %.2f%% of one CPU\n",
			(double)st->prog_run_ns / st->prog_run_cnt,
			(unsigned long long)st->prog_run_cnt,
			st->exit_run_cnt ? (double)st->exit_run_ns / st->exit_run_cnt : 0.0,
			(unsigned long long)st->exit_run_cnt,
			secs > 0 ? 100.0 * (st->prog_run_ns + st->exit_run_ns) / st->duration_ns : 0.0);
	else
		fprintf(stderr, "kstack collect: probe cost: not measured (no BPF probe)\n");
}

/* A shell's status for a command that cannot be run: 127 not found, else 126. */
static int exec_status(int err)
{
	return err == ENOENT ? KS_EXIT_NOTFOUND : KS_EXIT_NOEXEC;
}

/*
 * 0 if @path can be executed, else the errno execve() would give; in a
 * $PATH search (@search) a file that cannot be reached is simply not there.
 */
static int runnable(const char *path, bool search)
{
	struct stat sb;

	if (stat(path, &sb))
		return search || errno == ENOTDIR ? ENOENT : errno;
	if (S_ISDIR(sb.st_mode))
		return EACCES;
	return access(path, X_OK) ? errno : 0;
}

/*
 * Look @name up as a shell does: a name with a slash as it is, else in
 * each $PATH directory (an empty entry is the current one); a file found
 * but not executable is "permission denied", nothing found "not found".
 * Return: 0 or that errno.
 */
static int command_check(const char *name)
{
	const char *dir = getenv("PATH"), *end;
	char path[PATH_MAX];
	int ret, found = ENOENT;

	if (!*name)
		return ENOENT;
	if (strchr(name, '/'))
		return runnable(name, false);
	if (!dir)
		dir = "/bin:/usr/bin";
	for (;; dir = end + 1) {
		int len;

		end = strchrnul(dir, ':');
		len = (int)(end - dir);
		if (snprintf(path, sizeof(path), "%.*s/%s", len ? len : 1, len ? dir : ".",
			     name) < (int)sizeof(path)) {
			ret = runnable(path, true);
			if (!ret)
				return 0;
			if (ret != ENOENT && found == ENOENT)
				found = ret;
		}
		if (!*end)
			return found;
	}
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/*
 * The descriptors open when collect started, sorted: COMMAND inherits them
 * (a make jobserver, a 3> redirection).  Every other one is collect's own.
 * NULL (and *n = 0) when /proc cannot tell.
 */
static int *fds_inherited(size_t *n)
{
	struct dirent *de;
	int *fds = NULL, *nf;
	size_t cap = 0;
	DIR *d;

	*n = 0;
	d = opendir("/proc/self/fd");
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9' || atoi(de->d_name) == dirfd(d))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			nf = realloc(fds, cap * sizeof(*fds));
			if (!nf) {
				free(fds);
				closedir(d);
				*n = 0;
				return NULL;
			}
			fds = nf;
		}
		fds[(*n)++] = atoi(de->d_name);
	}
	closedir(d);
	qsort(fds, *n, sizeof(*fds), cmp_int);
	return fds;
}

/*
 * In the child, before exec: close-on-exec for every descriptor above 2
 * that collect did not inherit.  Ours are opened close-on-exec already;
 * this also covers the ones libraries open without it (libtracefs's
 * splice pipes).  Without /proc, or before Linux 5.11, only ours are.
 */
static void fds_seal(const int *keep, size_t n)
{
	unsigned int from = 3;
	size_t i;

	if (!keep)
		return;
	for (i = 0; i < n; i++) {
		if (keep[i] < (int)from)
			continue;
		if ((unsigned int)keep[i] > from)
			close_range(from, keep[i] - 1, CLOSE_RANGE_CLOEXEC);
		from = keep[i] + 1;
	}
	close_range(from, ~0U, CLOSE_RANGE_CLOEXEC);
}

/* COMMAND's process, forked before recording starts and held until it runs. */
struct command {
	pid_t pid;
	int go;		/* write end: a byte lets it exec, closing it makes it exit */
	int status;	/* read end: its exec's errno, or EOF when exec succeeded */
};

/*
 * Fork COMMAND's process before recording starts, so that its pid goes into
 * the trace's header and the replay can tell the command's tasks from the
 * rest, and hold it until recording runs: it waits for a byte on a pipe and
 * execs then (end of file instead: recording never started, it exits).  It
 * takes the name exec will give it now, so that the start snapshot lists it
 * by that name.  Signals are blocked around the fork so the child never
 * runs our handler.
 * Return: 0, or -1 with errno set when a pipe or the fork failed.
 */
static int command_fork(struct command *cmd, char **argv, const int *keep, size_t nkeep)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int go[2], st[2], e = 0;
	sigset_t block, old;
	ssize_t n;
	char c;

	if (pipe2(go, O_CLOEXEC))
		return -1;
	if (pipe2(st, O_CLOEXEC)) {
		e = errno;
		close(go[0]);
		close(go[1]);
		errno = e;
		return -1;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	cmd->pid = fork();
	if (cmd->pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(go[1]);
		close(st[0]);
		prctl(PR_SET_NAME, name);
		do
			n = read(go[0], &c, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(KS_EXIT_FAIL);
		close(go[0]);
		fds_seal(keep, nkeep);
		execvp(argv[0], argv);
		e = errno;
		while (write(st[1], &e, sizeof(e)) < 0 && errno == EINTR)
			;
		_exit(exec_status(e));
	}
	e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(go[0]);
	close(st[1]);
	if (cmd->pid < 0) {
		close(go[1]);
		close(st[0]);
		errno = e;
		return -1;
	}
	cmd->go = go[1];
	cmd->status = st[0];
	return 0;
}

/* Recording never started: let the held process exit, and reap it. */
static void command_drop(struct command *cmd)
{
	close(cmd->go);
	close(cmd->status);
	while (waitpid(cmd->pid, NULL, 0) < 0 && errno == EINTR)
		;
	cmd->pid = -1;
}

/*
 * Let the held process exec COMMAND and wait for the exec: it reports its
 * errno through the close-on-exec pipe, which simply closes when exec
 * succeeds.
 * Return: 0, or -1 with *@exec_err set (then the process is reaped).
 */
static int command_run(struct command *cmd, int *exec_err)
{
	void (*old_pipe)(int);
	ssize_t n;
	int e = 0;
	char c = 1;

	*exec_err = 0;
	/* a Ctrl-C at the terminal may have ended it already: no SIGPIPE for us */
	old_pipe = signal(SIGPIPE, SIG_IGN);
	while (write(cmd->go, &c, 1) < 0 && errno == EINTR)
		;
	signal(SIGPIPE, old_pipe);
	close(cmd->go);
	do
		n = read(cmd->status, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(cmd->status);
	if (n == sizeof(e)) {
		while (waitpid(cmd->pid, NULL, 0) < 0 && errno == EINTR)
			;
		cmd->pid = -1;
		*exec_err = e ? e : ENOEXEC;
		return -1;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Pass the stop signal on to a command still running and reap it: SIGKILL
 * once KS_GRACE_S has passed or another signal came, so that nothing
 * outlives the recording's clean-up.
 */
static void command_stop(pid_t pid, int *status)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	double deadline = now_s() + KS_GRACE_S;
	sig_atomic_t seen = nr_signals;
	bool killed = false;

	kill(pid, stop_signal ? stop_signal : SIGTERM);
	while (waitpid(pid, status, WNOHANG) == 0) {
		if (!killed && (now_s() >= deadline || nr_signals != seen)) {
			kill(pid, SIGKILL);
			killed = true;
		}
		nanosleep(&nap, NULL);
	}
}

/*
 * The command line for the header, as a shell reads it back: "kstack
 * collect -o x.kst -- sh -c 'make && make check'" (kstack info shows it).
 */
static void build_options(int argc, char **argv, char *buf, size_t len)
{
	int n = snprintf(buf, len, "kstack ");

	cli_shell_join(buf + n, len - n, (const char *const *)argv, argc);
}

static int collect_error(struct ks_error *err)
{
	char msg[320];

	cli_error("collect", "%s", ks_error_format(err, msg, sizeof(msg)));
	return KS_EXIT_FAIL;
}

/* The progress line: time, events, size, lost; and a warning at the first loss. */
static void collect_progress(struct ks_live *l, double secs, double duration, bool *warned)
{
	struct ks_live_status st;
	char ev[16], sz[16], of[32] = "";

	ks_live_status(l, &st);
	if (st.lost && !*warned) {
		cli_error("collect", "warning: %llu events lost after %.1f s: the trace will be "
			  "incomplete (a larger --buffer-kb may help)", (unsigned long long)st.lost,
			  secs);
		*warned = true;
	}
	if (!ks_progress_on())
		return;
	ks_progress_human(ev, sizeof(ev), (double)st.events);
	ks_progress_human(sz, sizeof(sz), (double)st.bytes);
	if (duration > 0)
		snprintf(of, sizeof(of), " of %g", duration);
	ks_progress_show("collect", "%.1f%s s  %s events  %sB  %llu lost", secs, of, ev, sz,
			 (unsigned long long)st.lost);
}

/*
 * Record until a signal, the duration, an error, or COMMAND's end (plus
 * the linger).  Return: KS_EXIT_OK or KS_EXIT_FAIL; *@child_done and
 * *@status tell whether and how COMMAND ended.
 */
static int collect_loop(struct ks_live *l, double duration, pid_t child, bool *child_done,
			int *status)
{
	struct ks_error err = { 0 };
	double start = now_s(), linger_end = 0, t;
	bool warned = false;

	while (!stop_signal) {
		struct timespec nap = { 0, 50 * 1000 * 1000 };

		nanosleep(&nap, NULL);
		if (ks_live_poll(l, &err))
			return collect_error(&err);
		t = now_s();
		collect_progress(l, t - start, duration, &warned);
		if (*child_done && t >= linger_end)
			break;
		if (child > 0 && !*child_done && waitpid(child, status, WNOHANG) == child) {
			/* a task's stack is freed an RCU grace period after it is
			 * reaped: record a little longer to see the last frees */
			*child_done = true;
			linger_end = t + KS_LINGER_S;
		}
		if (duration > 0 && t - start >= duration)
			break;
	}
	ks_progress_clear();
	return KS_EXIT_OK;
}

/* The first line: what is recorded, where, and until when. */
static void collect_announce(const char *out, const char *cmd, double duration)
{
	const char *slash = cmd ? strrchr(cmd, '/') : NULL;
	char until[64];

	if (cmd)
		snprintf(until, sizeof(until), "until %.40s exits", slash ? slash + 1 : cmd);
	if (cmd && duration > 0)
		fprintf(stderr, "kstack collect: recording the whole system into %s %s, for %g s at "
			"most\n", out, until, duration);
	else if (cmd)
		fprintf(stderr, "kstack collect: recording the whole system into %s %s\n", out,
			until);
	else if (duration > 0)
		fprintf(stderr, "kstack collect: recording the whole system into %s for %g s "
			"(Ctrl-C stops it sooner)\n", out, duration);
	else
		fprintf(stderr, "kstack collect: recording the whole system into %s until Ctrl-C\n",
			out);
}

int cli_collect(int argc, char **argv, struct cli_recording *rec)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'D' },
		{ "label", required_argument, NULL, 'l' },
		{ "buffer-kb", required_argument, NULL, 'b' },
		{ "window-ms", required_argument, NULL, 'W' },
		{ "entries", no_argument, NULL, 'E' },
		{ "no-bpf", no_argument, NULL, 'N' },
		{ "stats", no_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .verb = "collect", .optstring = "+o:d::l:b:qh",
				.opts = opts };
	struct ks_live_config cfg;
	struct ks_live_stats st;
	struct ks_error err = { 0 };
	struct sigaction sa;
	struct ks_live *l = NULL;
	double duration = 0;
	char options[256], *end;
	int c, e, status = 0, rc = KS_EXIT_OK;
	int *keep = NULL;
	size_t nkeep = 0;
	struct command cmd = { .pid = -1 };
	pid_t child = -1;
	bool child_done = false, quiet = false;

	ks_live_config_defaults(&cfg);
	build_options(argc, argv, options, sizeof(options));
	cfg.options = options;
	while ((c = cli_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case 'o':
			/* COMMAND's own output would run into a trace on stdout */
			if (!strcmp(optarg, "-")) {
				cli_error("collect", "-o -: a recording goes to a file, not to standard "
					  "output (give a file name)");
				return KS_EXIT_USAGE;
			}
			cfg.output = optarg;
			break;
		case 'd':
			/* -d is the database everywhere else: never a duration here */
			cli_error("collect", "unknown option '-d' (-d is --db in replay and report; "
				  "collect records for --duration S)");
			return KS_EXIT_USAGE;
		case 'D':
			duration = strtod(optarg, &end);
			if (end == optarg || *end || !isfinite(duration) || duration <= 0) {
				cli_error("collect", "bad --duration '%s' (seconds, a finite number > 0)",
					  optarg);
				return KS_EXIT_USAGE;
			}
			break;
		case 'l':
			cfg.label = optarg;
			break;
		case 'b':
		case 'W': {
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || !v || v > 1u << 22) {
				cli_error("collect", "bad --%s '%s'", c == 'b' ? "buffer-kb" : "window-ms",
					  optarg);
				return KS_EXIT_USAGE;
			}
			if (c == 'b')
				cfg.buffer_kb = v;
			else
				cfg.window_ms = v;
			break;
		}
		case 'E':
			cfg.entries = true;
			break;
		case 'N':
			cfg.no_bpf = true;
			break;
		case 'S':
			cfg.stats = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return KS_EXIT_OK;
		default:
			return KS_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		const char *slash = strrchr(argv[optind], '/');

		e = command_check(argv[optind]);
		if (e) {
			cli_error("collect", "cannot run %s: %s", argv[optind], strerror(e));
			return exec_status(e);
		}
		if (!cfg.label)
			cfg.label = slash ? slash + 1 : argv[optind];
		keep = fds_inherited(&nkeep);
	}

	ks_progress_enable(!quiet);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: interrupt the sleep */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (optind < argc && command_fork(&cmd, argv + optind, keep, nkeep)) {
		cli_error("collect", "cannot start %s: %s", argv[optind], strerror(errno));
		free(keep);
		return KS_EXIT_FAIL;
	}
	free(keep);
	if (cmd.pid > 0)
		cfg.workload_pid = (uint32_t)cmd.pid;
	if (ks_live_create(&l, &cfg, &err)) {
		if (cmd.pid > 0)
			command_drop(&cmd);
		return collect_error(&err);
	}
	if (cmd.pid > 0 && stop_signal)
		command_drop(&cmd);
	if (cmd.pid > 0) {
		if (command_run(&cmd, &e)) {
			/* nothing worth keeping was recorded: no trace file */
			cli_error("collect", "cannot run %s: %s", argv[optind], strerror(e));
			ks_live_abort(l);
			return exec_status(e);
		}
		child = cmd.pid;
	}
	if (!quiet && !stop_signal)
		collect_announce(cfg.output, optind < argc ? argv[optind] : NULL, duration);
	rc = collect_loop(l, duration, child, &child_done, &status);
	if (rc == KS_EXIT_OK) {
		/* the trace is closed before the signal goes on to COMMAND */
		if (ks_live_stop(l, &st, &err)) {
			rc = collect_error(&err);
		} else {
			print_stats(&st, cfg.stats, quiet);
			if (st.depth_source == KST_DEPTH_NONE)
				fprintf(stderr, "kstack collect: warning: no stack depths in this trace "
					"(depth: none)\n");
		}
	}
	/* nothing may outlive the instance: reap COMMAND before removing it */
	if (child > 0 && !child_done)
		command_stop(child, &status);
	ks_live_destroy(l);
	if (rec) {
		rec->written = rc == KS_EXIT_OK;
		rec->stop_signal = stop_signal;
	}
	if (rc != KS_EXIT_OK)
		return rc;
	if (optind < argc && child <= 0)	/* interrupted before COMMAND started */
		return 128 + stop_signal;
	if (child <= 0)
		return KS_EXIT_OK;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return KS_EXIT_OK;
}

int cmd_collect(int argc, char **argv)
{
	return cli_collect(argc, argv, NULL);
}
