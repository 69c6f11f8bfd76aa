// SPDX-License-Identifier: MIT
/*
 * kstack collect: record this kernel into a trace, while a command runs,
 * for a duration, or until Ctrl-C / SIGTERM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "cmds.h"
#include "kst.h"
#include "live.h"

/* seconds recorded after COMMAND exits, to see its tasks' frees */
#define KS_LINGER_S 0.25

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kstack collect [OPTIONS] [-- COMMAND [ARGS...]]\n\n"
		"Record context switches with each task's kernel-stack high-water mark,\n"
		"task lifetimes and kernel page faults into a trace.  Needs root, tracefs\n"
		"and (for stack depths) BPF with kernel BTF.  Records while COMMAND runs\n"
		"(and returns its exit status), for --duration seconds, or until Ctrl-C.\n\n"
		"  -o, --output FILE     trace file (default kstack.kst)\n"
		"  -d, --duration S      stop after S seconds\n"
		"  -l, --label NAME      workload name stored in the trace\n"
		"  -b, --buffer-kb N     tracefs buffer per CPU in KiB (default 4096)\n"
		"      --window-ms N     merge window in ms (default 200)\n"
		"      --entries         also record syscall entries/exits (heavy: up to\n"
		"                        millions of events/s, expect losses)\n"
		"      --no-bpf          lifecycle events only (trace depth: none)\n"
		"      --stats           print the probe's cost per switch, events/s,\n"
		"                        losses and bytes per event afterwards\n"
		"  -h, --help            this help\n");
}

static void print_stats(const struct ks_live_stats *st, bool full)
{
	double secs = st->duration_ns / 1e9;

	fprintf(stderr, "kstack collect: %llu events in %.1f s (%.0f/s), %llu switches (%.0f/s), "
		"%llu bytes (%.2f bytes/event)\n",
		(unsigned long long)st->events, secs, secs > 0 ? st->events / secs : 0.0,
		(unsigned long long)st->switches, secs > 0 ? st->switches / secs : 0.0,
		(unsigned long long)st->bytes, st->events ? (double)st->bytes / st->events : 0.0);
	if (st->lost_tracefs || st->lost_ringbuf || full)
		fprintf(stderr, "kstack collect: lost events: tracefs %llu, ring buffer %llu%s\n",
			(unsigned long long)st->lost_tracefs, (unsigned long long)st->lost_ringbuf,
			st->lost_tracefs || st->lost_ringbuf ? " (the trace is incomplete)" : "");
	if (st->late)
		fprintf(stderr, "kstack collect: %llu events arrived after the merge window "
			"(written with the last time seen)\n", (unsigned long long)st->late);
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

/* Fork COMMAND; it waits on a pipe until the collector is recording. */
static pid_t start_command(char **argv, int *err_fd)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int e;

		close(fds[0]);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(argv[0], argv);
		e = errno;
		if (write(fds[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(fds[1]);
	*err_fd = fds[0];
	return pid;
}

static void build_options(int argc, char **argv, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = 0;
	for (i = 1; i < argc && used + 1 < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i > 1 ? " " : "", argv[i]);
}

int cmd_collect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "label", required_argument, NULL, 'l' },
		{ "buffer-kb", required_argument, NULL, 'b' },
		{ "window-ms", required_argument, NULL, 'W' },
		{ "entries", no_argument, NULL, 'E' },
		{ "no-bpf", no_argument, NULL, 'N' },
		{ "stats", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .verb = "collect", .optstring = "+o:d:l:b:h", .opts = opts };
	struct ks_live_config cfg;
	struct ks_live_stats st;
	struct ks_error err = { 0 };
	struct sigaction sa;
	struct ks_live *l = NULL;
	double duration = 0;
	char options[256], msg[320], *end;
	int c, ret, status = 0, exec_fd = -1, rc = KS_EXIT_OK;
	pid_t child = -1;
	struct timespec ts;
	bool child_done = false;
	double linger_end = 0;

	ks_live_config_defaults(&cfg);
	build_options(argc, argv, options, sizeof(options));
	cfg.options = options;
	while ((c = cli_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case 'o':
			cfg.output = optarg;
			break;
		case 'd':
			duration = strtod(optarg, &end);
			if (*end || duration <= 0) {
				cli_error("collect", "bad --duration '%s' (seconds > 0)", optarg);
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
		case 'h':
			usage(stdout);
			return KS_EXIT_OK;
		default:
			return KS_EXIT_USAGE;
		}
	}
	if (!cfg.label && optind < argc) {
		const char *slash = strrchr(argv[optind], '/');

		cfg.label = slash ? slash + 1 : argv[optind];
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: interrupt the sleep */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	ret = ks_live_create(&l, &cfg, &err);
	if (ret) {
		cli_error("collect", "%s", ks_error_format(&err, msg, sizeof(msg)));
		return KS_EXIT_FAIL;
	}
	if (optind < argc) {
		child = start_command(argv + optind, &exec_fd);
		if (child < 0) {
			cli_error("collect", "cannot start %s: %s", argv[optind], strerror(errno));
			rc = KS_EXIT_FAIL;
			goto out;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	{
		double start = ts.tv_sec + ts.tv_nsec / 1e9;

		while (!stop_signal) {
			struct timespec nap = { 0, 50 * 1000 * 1000 };

			nanosleep(&nap, NULL);
			ret = ks_live_poll(l, &err);
			if (ret) {
				cli_error("collect", "%s", ks_error_format(&err, msg, sizeof(msg)));
				rc = KS_EXIT_FAIL;
				break;
			}
			clock_gettime(CLOCK_MONOTONIC, &ts);
			if (child_done && ts.tv_sec + ts.tv_nsec / 1e9 >= linger_end)
				break;
			if (child > 0 && !child_done && waitpid(child, &status, WNOHANG) == child) {
				/* a task's stack is freed an RCU grace period after it is
				 * reaped: record a little longer to see the last frees */
				child_done = true;
				linger_end = ts.tv_sec + ts.tv_nsec / 1e9 + KS_LINGER_S;
			}
			if (duration > 0 && ts.tv_sec + ts.tv_nsec / 1e9 - start >= duration)
				break;
		}
	}
	if (rc == KS_EXIT_OK) {
		ret = ks_live_stop(l, &st, &err);
		if (ret) {
			cli_error("collect", "%s", ks_error_format(&err, msg, sizeof(msg)));
			rc = KS_EXIT_FAIL;
		} else {
			print_stats(&st, cfg.stats);
			if (st.depth_source == KST_DEPTH_NONE)
				fprintf(stderr, "kstack collect: warning: no stack depths in this trace "
					"(depth: none)\n");
		}
	}
out:
	ks_live_destroy(l);
	if (child > 0 && !child_done) {
		/* we stop first, so the recording is safe; then pass the signal on */
		kill(child, stop_signal ? stop_signal : SIGTERM);
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
		child_done = true;
	}
	if (exec_fd >= 0) {
		int e;

		if (read(exec_fd, &e, sizeof(e)) == sizeof(e)) {
			cli_error("collect", "cannot run %s: %s", argv[optind], strerror(e));
			rc = KS_EXIT_FAIL;
		}
		close(exec_fd);
	}
	if (rc != KS_EXIT_OK)
		return rc;
	if (child > 0) {
		if (WIFEXITED(status))
			return WEXITSTATUS(status);
		if (WIFSIGNALED(status))
			return 128 + WTERMSIG(status);
	}
	return KS_EXIT_OK;
}
