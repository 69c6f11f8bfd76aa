// SPDX-License-Identifier: MIT
/*
 * kstack bench: decoding, engine and replay speed, bytes per event and
 * memory, as figures, next to the project's targets.  Speed goals are
 * measured here, never by timed tests.
 *
 * Each speed is given by the wall clock and per CPU second (the process's
 * user and system time): the replay decodes in one thread and runs the
 * engine in another, so its wall clock depends on a second core being
 * free, while its events per CPU second are what one core does end to end,
 * and hold on a machine shared with other work.
 *
 * Every option is checked, and every policy built on the machine it will
 * run on, before the synthesis: a typo fails at once.  The synthesized
 * trace has no name (O_TMPFILE, or unlinked at once where the file system
 * cannot do that) and is read through /proc/self/fd, so it vanishes with
 * the process however it ends, SIGKILL included.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "ks_stop.h"
#include "replay.h"
#include "synth.h"

#define MAX_POLICIES 64
#define MAX_EVENTS 10000000000ull
#define PREFIX_EVENTS 5000000
#define MAX_REPEAT 20

/* The targets the summary shows (README "Performance") */
#define TARGET_DECODE 100.0	/* M events/s */
#define TARGET_REPLAY 50.0	/* M events/s per core, end to end */
#define TARGET_RATIO 0.5	/* end to end / engine alone */
#define TARGET_GRID 1.5		/* 32 configurations / one */
#define TARGET_BYTES 6.0	/* per event */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CPU time of the whole process (every thread), user and system */
static uint64_t cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000ull +
	       ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000ull;
}

/* A measurement: events, wall and CPU nanoseconds; the best of the repeats */
struct timing {
	uint64_t events, wall, cpu;
};

static void timing_keep(struct timing *best, uint64_t events, uint64_t wall, uint64_t cpu)
{
	if (!best->wall || wall < best->wall)
		best->wall = wall;
	if (!best->cpu || cpu < best->cpu)
		best->cpu = cpu;
	best->events = events;
}

static double rate(uint64_t events, uint64_t ns)
{
	return ns ? events / (ns / 1e9) / 1e6 : 0;
}

static long peak_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kstack bench [--events N | --trace FILE] [--keep] [--policy P]...\n"
		"                    [--repeat N]\n"
		"Synthesize a trace of N events (default 50000000) and print, in events per\n"
		"second of wall clock and per CPU second: decoding alone, the engine alone\n"
		"(per policy, on the first 5000000 events in memory), the replay from the file\n"
		"(decode + engine, one configuration per policy) and its ratio to the engine\n"
		"alone; the cost of a 32-configuration grid relative to one configuration;\n"
		"bytes per event on disk and peak memory; and a summary next to the targets.\n\n"
		"  -n, --events N    events to synthesize, 1000..10000000000 (default 50000000)\n"
		"  -t, --trace FILE  measure this trace instead of synthesizing one\n"
		"  -k, --keep        keep the synthesized trace in $TMPDIR (its path goes to\n"
		"                    stderr); otherwise it has no name and vanishes with the\n"
		"                    process, however it ends\n"
		"  -p, --policy P    a policy spec to time (repeatable; default: every\n"
		"                    registered policy)\n"
		"  -q, --quiet       no notes on stderr (warnings and errors stay)\n"
		"      --repeat N    time each measurement N times, keep the fastest\n"
		"                    (1..20, default 1: on a busy machine, more)\n"
		"  -h, --help        this text\n\n"
		"SIGINT or SIGTERM stops it within a second.\n");
}

/* Decode only: the reader's share of the replay cost (open, read, check, decode). */
static int bench_decode(const char *path, struct timing *t, struct ks_error *err)
{
	const struct ks_event *evs;
	struct kst_reader *r;
	uint64_t t0 = now_ns(), c0 = cpu_ns(), n_all = 0, sum = 0;
	size_t n, i;
	int rc;

	rc = kst_reader_open(&r, path, err);
	if (rc)
		return rc;
	while ((rc = kst_reader_next_block(r, &evs, &n, err)) > 0) {
		rc = ks_stop_check(err, "decoding");
		if (rc)
			break;
		for (i = 0; i < n; i++)
			sum += evs[i].tid;
		n_all += n;
	}
	kst_reader_free(r);
	timing_keep(t, n_all, now_ns() - t0, cpu_ns() - c0);
	if (sum == 1)	/* keep the loop from being optimised away */
		fputc(' ', stderr);
	return rc < 0 ? rc : 0;
}

/* The first @max events of @path, decoded, in memory. */
static int load_prefix(const char *path, uint64_t max, struct ks_event **out, size_t *nout,
		       struct ks_error *err)
{
	const struct ks_event *evs;
	struct ks_event *all = NULL;
	struct kst_reader *r;
	size_t n, have = 0;
	int rc;

	rc = kst_reader_open(&r, path, err);
	if (rc)
		return rc;
	all = malloc(max * sizeof(*all));
	if (!all) {
		kst_reader_free(r);
		return ks_error_set(err, ENOMEM, "prefix buffer");
	}
	while (have < max && (rc = kst_reader_next_block(r, &evs, &n, err)) > 0) {
		rc = ks_stop_check(err, "loading the trace");
		if (rc)
			break;
		if (n > max - have)
			n = max - have;
		memcpy(all + have, evs, n * sizeof(*evs));
		have += n;
	}
	kst_reader_free(r);
	if (rc < 0) {
		free(all);
		return rc;
	}
	*out = all;
	*nout = have;
	return 0;
}

/* Engine alone: one policy over the in-memory prefix, blocks of 4096. */
static int bench_engine(const char *spec, const struct ks_machine *m, const struct ks_event *evs,
			size_t n, uint64_t *ns, struct ks_error *err)
{
	struct ks_result *res = calloc(1, sizeof(*res));
	struct ks_grid *e = NULL;
	uint64_t t0;
	size_t i;
	int rc;

	if (!res)
		return ks_error_set(err, ENOMEM, "result");
	rc = ks_grid_create(&e, &spec, 1, m, err);
	if (!rc) {
		t0 = now_ns();
		for (i = 0; i < n && !rc; i += 4096) {
			ks_grid_feed(e, evs + i, n - i < 4096 ? n - i : 4096);
			rc = ks_stop_check(err, "engine timing");
		}
		if (!rc)
			ks_grid_finish(e, n ? evs[n - 1].time : m->start_ns, res);
		*ns = now_ns() - t0;
	}
	ks_grid_free(e);
	free(res);
	return rc;
}

static int bench_specs(const char *path, const char *const *pol, size_t npol,
		       const char *const *sweeps, size_t nsw, unsigned int threads,
		       struct timing *t, size_t *nconf, struct ks_error *err)
{
	struct ks_replay_summary sum;
	struct ks_replay_opts o;
	struct ks_speclist specs;
	uint64_t c0;
	int rc;

	rc = ks_speclist_expand(&specs, pol, npol, sweeps, nsw, err);
	if (rc)
		return rc;
	ks_replay_opts_default(&o);
	o.threads = threads;
	c0 = cpu_ns();
	rc = ks_replay_trace(path, &specs, NULL, &o, &sum, NULL, err);
	if (!rc)
		timing_keep(t, sum.events, sum.wall_ns, cpu_ns() - c0);
	*nconf = specs.n;
	ks_speclist_release(&specs);
	return rc;
}

/*
 * A file for the synthesized trace in $TMPDIR (default /tmp).  Without
 * @keep it has no name: O_TMPFILE, or unlinked right after creation where
 * the file system cannot make one; @path is then /proc/self/fd/N.  With
 * @keep it is a named file "kstack-bench-XXXXXX.kst".
 * Return: the descriptor (held until the end) or -errno.
 */
static int bench_tmpfile(bool keep, char *path, size_t len)
{
	const char *dir = getenv("TMPDIR");
	char tmpl[PATH_MAX];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	if ((size_t)snprintf(tmpl, sizeof(tmpl), "%s/kstack-bench-XXXXXX.kst", dir) >= sizeof(tmpl))
		return -ENAMETOOLONG;
	if (keep) {
		fd = mkostemps(tmpl, 4, O_CLOEXEC);
		if (fd < 0)
			return -errno;
		snprintf(path, len, "%s", tmpl);
		return fd;
	}
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 && errno != ENOENT && errno != ENOTDIR && errno != EACCES) {
		fd = mkostemps(tmpl, 4, O_CLOEXEC);
		if (fd >= 0)
			unlink(tmpl);
	}
	if (fd < 0)
		return -errno;
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

/* The synthetic trace's parameters and the machine it describes. */
static int bench_synth_params(struct ks_synth_params *sp, uint64_t nevents, struct ks_machine *m,
			      struct ks_error *err)
{
	struct kst_info info;
	char num[32];
	int rc;

	ks_synth_params_default(sp);
	snprintf(num, sizeof(num), "%" PRIu64, nevents);
	rc = ks_synth_params_set(sp, "events", num, err);
	if (!rc)
		rc = ks_synth_params_set(sp, "cpus", "8", err);
	if (!rc)
		rc = ks_synth_params_set(sp, "tasks", "2000", err);
	if (!rc)
		rc = ks_synth_info(sp, &info, err);
	if (rc)
		return rc;
	rc = ks_replay_machine(m, &info, err);
	kst_info_release(&info);
	return rc;
}

/* The machine of an existing trace (its header), read before any timing. */
static int bench_trace_machine(const char *path, struct ks_machine *m, struct ks_error *err)
{
	struct kst_reader *r;
	int rc;

	rc = kst_reader_open(&r, path, err);
	if (rc)
		return rc;
	rc = ks_replay_machine(m, kst_reader_info(r), err);
	kst_reader_free(r);
	return rc;
}

/*
 * Build every policy on @m once, so a bad spec fails before any work.  The
 * default list (@given false) drops the policies this trace cannot run
 * (no stack depth), with a note unless @quiet.
 */
static int bench_check_policies(const char **pol, size_t *npol, bool given, bool quiet,
				const struct ks_machine *m, struct ks_error *err)
{
	struct ks_grid *e;
	size_t i, kept = 0;
	int rc;

	for (i = 0; i < *npol; i++) {
		rc = ks_grid_create(&e, &pol[i], 1, m, err);
		ks_grid_free(e);
		if (rc == -KS_E_DEPTH && !given) {
			if (!quiet)
				fprintf(stderr, "kstack bench: note: %s needs stack depth, "
					"which the trace lacks: skipped\n", pol[i]);
			continue;
		}
		if (rc)
			return rc;
		pol[kept++] = pol[i];
	}
	*npol = kept;
	return 0;
}

/*
 * One line of figures; with @replay, the ratio of @replay's rate to @t's
 * per CPU second (@t being the engine alone); with @base, @t's CPU and wall
 * time over @base's.
 */
static void print_line(const char *what, size_t nconf, const struct timing *t,
		       const struct timing *replay, const struct timing *base)
{
	printf("%-30s %5zu %8.2f %10.1f %10.1f", what, nconf, t->wall / 1e9,
	       rate(t->events, t->wall), rate(t->events, t->cpu));
	if (replay && replay->cpu)
		printf("   replay: %.2f of it", rate(replay->events, replay->cpu) /
		       rate(t->events, t->cpu));
	if (base && base->wall && base->cpu)
		printf("   = %.2fx one configuration's CPU time, %.2fx its wall time",
		       (double)t->cpu / (double)base->cpu, (double)t->wall / (double)base->wall);
	printf("\n");
	fflush(stdout);
}

/* The figures of one policy, for the summary */
struct figures {
	struct timing decode, engine, replay, grid;
	size_t grid_conf;
	double bytes;
	long rss_kb;
	int have_engine, have_replay;
};

/* A summary line: what, the figure (formatted by the caller), the target */
static void summary_line(const char *what, const char *figure, const char *target)
{
	printf("  %-38s %12s%s%s\n", what, figure, *target ? "   " : "", target);
}

static void print_summary(const struct figures *f)
{
	const double dec = rate(f->decode.events, f->decode.cpu);
	const double rep = rate(f->replay.events, f->replay.cpu);
	const double eng = rate(f->engine.events, f->engine.cpu);
	char fig[32], tgt[64];

	printf("\n  %-38s %12s   %s\n", "summary, rfc", "measured", "target");
	snprintf(fig, sizeof(fig), "%.1f M/s", dec);
	snprintf(tgt, sizeof(tgt), ">= %.0f M/s", TARGET_DECODE);
	summary_line("decode only, per CPU second", fig, tgt);
	if (f->have_replay) {
		snprintf(fig, sizeof(fig), "%.1f M/s", rep);
		snprintf(tgt, sizeof(tgt), ">= %.0f M/s on one core", TARGET_REPLAY);
		summary_line("replay from the file, per CPU second", fig, tgt);
		snprintf(fig, sizeof(fig), "%.1f M/s", rate(f->replay.events, f->replay.wall));
		summary_line("replay from the file, wall clock", fig, "");
	}
	if (f->have_replay && f->have_engine) {
		snprintf(fig, sizeof(fig), "%.2f", rep / eng);
		snprintf(tgt, sizeof(tgt), ">= %.1f", TARGET_RATIO);
		summary_line("replay / engine alone, per CPU second", fig, tgt);
	}
	if (f->have_replay && f->grid.cpu) {
		char what[64];

		snprintf(what, sizeof(what), "%zu-configuration grid / one, CPU time",
			 f->grid_conf);
		snprintf(fig, sizeof(fig), "%.2fx", (double)f->grid.cpu / (double)f->replay.cpu);
		snprintf(tgt, sizeof(tgt), "<= %.1fx", TARGET_GRID);
		summary_line(what, fig, tgt);
	}
	snprintf(fig, sizeof(fig), "%.2f", f->bytes);
	snprintf(tgt, sizeof(tgt), "<= %.0f", TARGET_BYTES);
	summary_line("bytes per event", fig, tgt);
	snprintf(fig, sizeof(fig), "%ld KiB", f->rss_kb);
	summary_line("peak RSS of the replays", fig, "independent of trace length");
	fflush(stdout);
}

/*
 * Every measurement on @trace, each timed @repeat times (the fastest kept),
 * each line flushed as it is measured; 0 or the first error (interrupted:
 * -EINTR).
 */
static int bench_run(const char *trace, const char *const *pol, size_t npol, off_t size,
		     unsigned int repeat, struct ks_error *err)
{
	static const char *const grid_sweeps[] = { "pool=1..8", "fail_rate=0,0.0001,0.001,0.01" };
	static const char *const rfc[] = { "rfc" };
	struct timing rep[MAX_POLICIES] = { { 0 } }, t;
	struct figures f = { { 0 } };
	struct ks_event *pre = NULL;
	struct ks_machine m;
	char what[64];
	size_t i, nconf, npre = 0;
	unsigned int k;
	int rc = 0;

	for (k = 0; k < repeat && !rc; k++)
		rc = bench_decode(trace, &f.decode, err);
	if (rc)
		return rc;
	f.bytes = (double)size / (double)f.decode.events;
	printf("\nevents         %" PRIu64 "\n", f.decode.events);
	printf("bytes/event    %.2f (%lld bytes)\n\n", f.bytes, (long long)size);
	printf("%-30s %5s %8s %10s %10s\n", "", "", "", "M events/s", "M events/s");
	printf("%-30s %5s %8s %10s %10s\n", "measurement", "confs", "seconds", "wall",
	       "per CPU s");
	print_line("decode only", 0, &f.decode, NULL, NULL);

	printf("replay from the file (decode + engine):\n");
	for (i = 0; i < npol; i++) {
		for (k = 0; k < repeat && !rc; k++)
			rc = bench_specs(trace, &pol[i], 1, NULL, 0, 1, &rep[i], &nconf, err);
		if (rc)
			return rc;
		print_line(pol[i], nconf, &rep[i], NULL, NULL);
		if (!strcmp(pol[i], "rfc")) {
			f.replay = rep[i];
			f.have_replay = 1;
		}
	}
	for (k = 0; k < repeat && !rc; k++)
		rc = bench_specs(trace, rfc, 1, grid_sweeps, 2, 1, &f.grid, &f.grid_conf, err);
	if (rc)
		return rc;
	print_line("rfc grid, 1 thread", f.grid_conf, &f.grid, NULL,
		   f.have_replay ? &f.replay : NULL);
	memset(&t, 0, sizeof(t));
	for (k = 0; k < repeat && !rc; k++)
		rc = bench_specs(trace, rfc, 1, grid_sweeps, 2, 0, &t, &nconf, err);
	if (rc)
		return rc;
	print_line("rfc grid, all CPUs", nconf, &t, NULL, f.have_replay ? &f.replay : NULL);
	/* before the engine's events in memory raise it */
	f.rss_kb = peak_rss_kb();

	rc = bench_trace_machine(trace, &m, err);
	if (!rc)
		rc = load_prefix(trace, PREFIX_EVENTS, &pre, &npre, err);
	if (rc)
		return rc;
	printf("engine alone, first %zu events in memory:\n", npre);
	for (i = 0; i < npol && !rc; i++) {
		memset(&t, 0, sizeof(t));
		for (k = 0; k < repeat && !rc; k++) {
			uint64_t ns = 0, c0 = cpu_ns();

			rc = bench_engine(pol[i], &m, pre, npre, &ns, err);
			if (!rc)
				timing_keep(&t, npre, ns, cpu_ns() - c0);
		}
		if (rc)
			break;
		snprintf(what, sizeof(what), "  %s", pol[i]);
		print_line(what, 1, &t, &rep[i], NULL);
		if (!strcmp(pol[i], "rfc")) {
			f.engine = t;
			f.have_engine = 1;
		}
	}
	free(pre);
	if (rc)
		return rc;
	printf("\npeak RSS of the replays above: %ld KiB\n", f.rss_kb);
	print_summary(&f);
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "events", required_argument, NULL, 'n' },
		{ "trace", required_argument, NULL, 't' },
		{ "keep", no_argument, NULL, 'k' },
		{ "policy", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "repeat", required_argument, NULL, 'r' },	/* long only: -r is replay's */
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .verb = "bench", .optstring = "n:t:kp:qh", .opts = opts,
				.repeatable = "p" };
	const char *trace = NULL, *events = NULL, *pol[MAX_POLICIES];
	char path[PATH_MAX] = "", *end;
	uint64_t nevents = 50000000;
	struct ks_synth_params sp;
	struct ks_error err = { 0 };
	struct ks_machine m;
	struct stat st;
	size_t npol = 0, i;
	int c, rc, fd = -1, status = KS_EXIT_FAIL;
	unsigned long repeat = 1;
	bool keep = false, quiet = false;

	while ((c = cli_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case 'n':
		case 't':
			if (c == 't') {
				trace = optarg;
				break;
			}
			events = optarg;
			errno = 0;
			nevents = strtoull(optarg, &end, 10);
			if (errno || *end || optarg[0] < '0' || optarg[0] > '9' || nevents < 1000 ||
			    nevents > MAX_EVENTS) {
				cli_error("bench", "bad --events '%s' (1000..%llu)", optarg,
					  (unsigned long long)MAX_EVENTS);
				return KS_EXIT_USAGE;
			}
			break;
		case 'k':
			keep = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'r':
			errno = 0;
			repeat = strtoul(optarg, &end, 10);
			if (errno || *end || optarg[0] < '0' || optarg[0] > '9' || repeat < 1 ||
			    repeat > MAX_REPEAT) {
				cli_error("bench", "bad --repeat '%s' (1..%d)", optarg, MAX_REPEAT);
				return KS_EXIT_USAGE;
			}
			break;
		case 'p':
			if (npol == MAX_POLICIES) {
				cli_error("bench", "more than %d --policy options", MAX_POLICIES);
				return KS_EXIT_USAGE;
			}
			pol[npol++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return KS_EXIT_OK;
		default:
			return KS_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("bench", "unexpected argument '%s' (kstack bench --help)", argv[optind]);
		return KS_EXIT_USAGE;
	}
	if (trace && (events || keep)) {
		cli_error("bench", "--trace measures an existing trace: no --%s with it",
			  events ? "events" : "keep");
		return KS_EXIT_USAGE;
	}

	/* the machine the policies will run on, then the policies, before any work */
	if (trace)
		rc = bench_trace_machine(trace, &m, &err);
	else
		rc = bench_synth_params(&sp, nevents, &m, &err);
	if (rc) {
		cli_fail("bench", trace, &err);
		return trace ? KS_EXIT_FAIL : KS_EXIT_USAGE;
	}
	if (npol) {
		rc = bench_check_policies(pol, &npol, true, quiet, &m, &err);
	} else {
		const struct ks_param *pd;
		const char *desc;

		for (i = 0; i < ks_policy_count() && i < MAX_POLICIES; i++)
			ks_policy_describe(i, &pol[npol++], &desc, &pd);
		rc = bench_check_policies(pol, &npol, false, quiet, &m, &err);
	}
	if (rc) {
		cli_fail("bench", NULL, &err);
		return KS_EXIT_USAGE;
	}

	if (!trace) {
		uint64_t t0 = now_ns();

		fd = bench_tmpfile(keep, path, sizeof(path));
		if (fd < 0) {
			cli_error("bench", "cannot create a temporary file: %s", strerror(-fd));
			return KS_EXIT_FAIL;
		}
		if (!quiet)
			fprintf(stderr, "kstack bench: synthesizing %" PRIu64 " events ...\n", nevents);
		rc = ks_synth_write(&sp, path, NULL, &err);
		if (rc) {
			cli_fail("bench", NULL, &err);
			goto out;
		}
		if (!quiet)
			fprintf(stderr, "kstack bench: synthesized in %.2f s\n", (now_ns() - t0) / 1e9);
		trace = path;
	}
	if (stat(trace, &st)) {
		cli_error("bench", "%s: %s", trace, strerror(errno));
		goto out;
	}
	printf("trace          %s\n", keep || fd < 0 ? trace : "synthetic, temporary");
	rc = bench_run(trace, pol, npol, st.st_size, (unsigned int)repeat, &err);
	if (rc) {
		fflush(stdout);
		cli_fail("bench", NULL, &err);
		goto out;
	}
	status = KS_EXIT_OK;
out:
	if (fd >= 0) {
		/* a kept trace stays only if whole: ks_synth_write removes a partial one */
		if (keep && access(path, F_OK) == 0)
			fprintf(stderr, "kstack bench: kept %s\n", path);
		close(fd);
	}
	return status;
}
