// SPDX-License-Identifier: MIT
/*
 * kstack bench: replay speed, bytes per event and memory, as figures.
 * Speed goals are measured here, never by timed tests.
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

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
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
		"Replay a synthetic trace of N events (default 50000000) and print events per\n"
		"second per policy (one thread), the cost of a 32-configuration grid relative to\n"
		"one configuration, bytes per event on disk and peak memory.\n\n"
		"  -n, --events N    events to synthesize, 1000..10000000000 (default 50000000)\n"
		"  -t, --trace FILE  measure this trace instead of synthesizing one\n"
		"  -k, --keep        keep the synthesized trace in $TMPDIR (its path goes to\n"
		"                    stderr); otherwise it has no name and vanishes with the\n"
		"                    process, however it ends\n"
		"  -p, --policy P    a policy spec to time (repeatable; default: every\n"
		"                    registered policy)\n"
		"  -q, --quiet       no notes on stderr while it synthesizes\n"
		"  -h, --help        this text\n\n"
		"SIGINT or SIGTERM stops it within a second.\n");
}

/* Decode only: the reader's share of the replay cost. */
static int bench_decode(const char *path, uint64_t *events, uint64_t *ns, struct ks_error *err)
{
	const struct ks_event *evs;
	struct kst_reader *r;
	uint64_t t0 = now_ns(), n_all = 0, sum = 0;
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
	*events = n_all;
	*ns = now_ns() - t0;
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
		       uint64_t *events, uint64_t *ns, size_t *nconf, struct ks_error *err)
{
	struct ks_replay_summary sum;
	struct ks_replay_opts o;
	struct ks_speclist specs;
	int rc;

	rc = ks_speclist_expand(&specs, pol, npol, sweeps, nsw, err);
	if (rc)
		return rc;
	ks_replay_opts_default(&o);
	o.threads = threads;
	rc = ks_replay_trace(path, &specs, NULL, &o, &sum, NULL, err);
	*nconf = specs.n;
	ks_speclist_release(&specs);
	*events = sum.events;
	*ns = sum.wall_ns;
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
 * (no stack depth), with a note.
 */
static int bench_check_policies(const char **pol, size_t *npol, bool given,
				const struct ks_machine *m, struct ks_error *err)
{
	struct ks_grid *e;
	size_t i, kept = 0;
	int rc;

	for (i = 0; i < *npol; i++) {
		rc = ks_grid_create(&e, &pol[i], 1, m, err);
		ks_grid_free(e);
		if (rc == -KS_E_DEPTH && !given) {
			fprintf(stderr, "kstack bench: note: %s needs stack depth, which the trace "
				"lacks: skipped\n", pol[i]);
			continue;
		}
		if (rc)
			return rc;
		pol[kept++] = pol[i];
	}
	*npol = kept;
	return 0;
}

static void print_grid(const char *what, size_t nconf, uint64_t ev, uint64_t ns, uint64_t base_ns)
{
	printf("%-34s %6zu %12.2f %14.1f", what, nconf, ns / 1e9, ev / (ns / 1e9) / 1e6);
	if (base_ns)
		printf("   = %.2fx one configuration", (double)ns / (double)base_ns);
	printf("\n");
	fflush(stdout);
}

/*
 * Every measurement on @trace, each line flushed as it is measured; 0 or the
 * first error (interrupted: -EINTR).
 */
static int bench_run(const char *trace, const char *const *pol, size_t npol, off_t size,
		     struct ks_error *err)
{
	static const char *const grid_sweeps[] = { "pool=1..8", "fail_rate=0,0.0001,0.001,0.01" };
	struct ks_event *pre = NULL;
	struct ks_machine m;
	uint64_t ev, ns, base_ns = 0;
	size_t i, nconf, npre = 0;
	int rc;

	rc = bench_decode(trace, &ev, &ns, err);
	if (rc)
		return rc;
	printf("\nevents         %" PRIu64 "\n", ev);
	printf("bytes/event    %.2f (%lld bytes)\n", (double)size / (double)ev, (long long)size);
	printf("decode only    %8.1f M events/s\n\n", ev / (ns / 1e9) / 1e6);
	fflush(stdout);

	printf("replay from the file (decode + engine):\n");
	printf("%-34s %6s %12s %14s\n", "configuration", "confs", "seconds", "M events/s");
	for (i = 0; i < npol; i++) {
		rc = bench_specs(trace, &pol[i], 1, NULL, 0, 1, &ev, &ns, &nconf, err);
		if (rc)
			return rc;
		if (!strcmp(pol[i], "rfc"))
			base_ns = ns;
		printf("%-34s %6zu %12.2f %14.1f\n", pol[i], nconf, ns / 1e9,
		       ev / (ns / 1e9) / 1e6);
		fflush(stdout);
	}
	rc = bench_specs(trace, (const char *const[]){ "rfc" }, 1, grid_sweeps, 2, 1, &ev, &ns,
			 &nconf, err);
	if (rc)
		return rc;
	print_grid("rfc grid, 1 thread", nconf, ev, ns, base_ns);
	rc = bench_specs(trace, (const char *const[]){ "rfc" }, 1, grid_sweeps, 2, 0, &ev, &ns,
			 &nconf, err);
	if (rc)
		return rc;
	print_grid("rfc grid, all CPUs", nconf, ev, ns, base_ns);
	printf("\npeak RSS of the replays above: %ld KiB\n\n", peak_rss_kb());
	fflush(stdout);

	rc = bench_trace_machine(trace, &m, err);
	if (!rc)
		rc = load_prefix(trace, PREFIX_EVENTS, &pre, &npre, err);
	if (rc)
		return rc;
	printf("engine alone, first %zu events in memory (%zu MiB), one thread:\n", npre,
	       npre * sizeof(*pre) >> 20);
	for (i = 0; i < npol && !rc; i++) {
		rc = bench_engine(pol[i], &m, pre, npre, &ns, err);
		if (!rc)
			printf("  %-32s %8.1f M events/s\n", pol[i], npre / (ns / 1e9) / 1e6);
		fflush(stdout);
	}
	free(pre);
	return rc;
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "events", required_argument, NULL, 'n' },
		{ "trace", required_argument, NULL, 't' },
		{ "keep", no_argument, NULL, 'k' },
		{ "policy", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
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
		rc = bench_check_policies(pol, &npol, true, &m, &err);
	} else {
		const struct ks_param *pd;
		const char *desc;

		for (i = 0; i < ks_policy_count() && i < MAX_POLICIES; i++)
			ks_policy_describe(i, &pol[npol++], &desc, &pd);
		rc = bench_check_policies(pol, &npol, false, &m, &err);
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
	rc = bench_run(trace, pol, npol, st.st_size, &err);
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
