// SPDX-License-Identifier: MIT
/*
 * kstack bench: replay speed, bytes per event and memory, as figures.
 * Speed goals are measured here, never by timed tests.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "replay/replay.h"
#include "collect/synth/synth.h"

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
		"usage: kstack bench [--events N] [--trace FILE] [--keep] [--policy P]...\n"
		"Replay a synthetic trace of N events (default 50000000) and print events per\n"
		"second per policy (one thread), the cost of a 32-configuration grid relative to\n"
		"one configuration, bytes per event on disk and peak memory.\n\n"
		"  -n, --events N    events to synthesize (default 50000000)\n"
		"  -t, --trace FILE  measure this trace instead of synthesizing one\n"
		"  -k, --keep        keep the synthesized trace (printed path)\n"
		"  -p, --policy P    policies to time (default: every registered policy)\n");
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
		       struct ks_machine *m, struct ks_error *err)
{
	const struct ks_event *evs;
	struct ks_event *all = NULL;
	struct kst_reader *r;
	size_t n, have = 0;
	int rc;

	rc = kst_reader_open(&r, path, err);
	if (rc)
		return rc;
	rc = ks_replay_machine(m, kst_reader_info(r), err);
	if (rc) {
		kst_reader_free(r);
		return rc;
	}
	all = malloc(max * sizeof(*all));
	if (!all) {
		kst_reader_free(r);
		return ks_error_set(err, ENOMEM, "prefix buffer");
	}
	while (have < max && (rc = kst_reader_next_block(r, &evs, &n, err)) > 0) {
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
	struct ks_engine *e = NULL;
	uint64_t t0;
	size_t i;
	int rc;

	if (!res)
		return ks_error_set(err, ENOMEM, "result");
	rc = ks_engine_create(&e, spec, m, err);
	if (!rc) {
		t0 = now_ns();
		for (i = 0; i < n; i += 4096)
			ks_engine_feed(e, evs + i, n - i < 4096 ? n - i : 4096);
		ks_engine_finish(e, n ? evs[n - 1].time : m->start_ns, res);
		*ns = now_ns() - t0;
	}
	ks_engine_free(e);
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

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "events", required_argument, NULL, 'n' },
		{ "trace", required_argument, NULL, 't' },
		{ "keep", no_argument, NULL, 'k' },
		{ "policy", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .verb = "bench", .optstring = "n:t:kp:h", .opts = opts,
				.repeatable = "p" };
	static const char *const grid_sweeps[] = { "pool=1..8", "fail_rate=0,0.0001,0.001,0.01" };
	const char *trace = NULL, *pol[64];
	char tmpl[] = "/tmp/kstack-bench-XXXXXX", path[64] = "", msg[512], *end;
	uint64_t nevents = 50000000, ev, ns, base_ns = 0;
	struct ks_error err = { 0 };
	size_t npol = 0, i, nconf;
	int keep = 0, c, rc, fd, status = KS_EXIT_FAIL;
	struct stat st;

	while ((c = cli_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case 'n':
			errno = 0;
			nevents = strtoull(optarg, &end, 10);
			if (errno || *end || nevents < 1000) {
				cli_error("bench", "bad --events '%s' (at least 1000)", optarg);
				return KS_EXIT_USAGE;
			}
			break;
		case 't':
			trace = optarg;
			break;
		case 'k':
			keep = 1;
			break;
		case 'p':
			if (npol < 64)
				pol[npol++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return KS_EXIT_OK;
		default:
			return KS_EXIT_USAGE;
		}
	}
	if (npol == 0) {
		const struct ks_param_doc *pd;
		const char *name, *desc;

		for (i = 0; i < ks_policy_count() && i < 64; i++) {
			ks_policy_describe(i, &name, &desc, &pd);
			pol[npol++] = name;
		}
	}

	if (!trace) {
		struct ks_synth_params sp;
		uint64_t t0 = now_ns();

		fd = mkstemp(tmpl);
		if (fd < 0) {
			cli_error("bench", "cannot create a temporary file: %s", strerror(errno));
			return KS_EXIT_FAIL;
		}
		close(fd);
		snprintf(path, sizeof(path), "%s", tmpl);
		char num[32];

		ks_synth_params_default(&sp);
		snprintf(num, sizeof(num), "%" PRIu64, nevents);
		rc = ks_synth_params_set(&sp, "events", num, &err);
		if (!rc)
			rc = ks_synth_params_set(&sp, "cpus", "8", &err);
		if (!rc)
			rc = ks_synth_params_set(&sp, "tasks", "2000", &err);
		if (rc) {
			cli_error("bench", "synth: %s", ks_error_format(&err, msg, sizeof(msg)));
			goto out;
		}
		printf("synthesizing %" PRIu64 " events into %s ...\n", nevents, path);
		fflush(stdout);
		rc = ks_synth_write(&sp, path, NULL, &err);
		if (rc) {
			cli_error("bench", "synth: %s", ks_error_format(&err, msg, sizeof(msg)));
			goto out;
		}
		printf("  synthesized in %.2f s\n", (now_ns() - t0) / 1e9);
		trace = path;
	}
	if (stat(trace, &st)) {
		cli_error("bench", "%s: %s", trace, strerror(errno));
		goto out;
	}

	rc = bench_decode(trace, &ev, &ns, &err);
	if (rc) {
		cli_error("bench", "%s: %s", trace, ks_error_format(&err, msg, sizeof(msg)));
		goto out;
	}
	printf("\ntrace          %s\n", trace);
	printf("events         %" PRIu64 "\n", ev);
	printf("bytes/event    %.2f (%lld bytes)\n", (double)st.st_size / (double)ev,
	       (long long)st.st_size);
	printf("decode only    %8.1f M events/s\n\n", ev / (ns / 1e9) / 1e6);

	printf("replay from the file (decode + engine):\n");
	printf("%-34s %6s %12s %14s\n", "configuration", "confs", "seconds", "M events/s");
	for (i = 0; i < npol; i++) {
		rc = bench_specs(trace, &pol[i], 1, NULL, 0, 1, &ev, &ns, &nconf, &err);
		if (rc) {
			printf("%-34s  %s\n", pol[i], ks_error_format(&err, msg, sizeof(msg)));
			continue;
		}
		if (!strcmp(pol[i], "rfc"))
			base_ns = ns;
		printf("%-34s %6zu %12.2f %14.1f\n", pol[i], nconf, ns / 1e9, ev / (ns / 1e9) / 1e6);
	}
	rc = bench_specs(trace, (const char *const[]){ "rfc" }, 1, grid_sweeps, 2, 1, &ev, &ns, &nconf,
			 &err);
	if (rc == 0) {
		printf("%-34s %6zu %12.2f %14.1f", "rfc grid, 1 thread", nconf, ns / 1e9,
		       ev / (ns / 1e9) / 1e6);
		if (base_ns)
			printf("   = %.2fx one configuration", (double)ns / (double)base_ns);
		printf("\n");
	}
	rc = bench_specs(trace, (const char *const[]){ "rfc" }, 1, grid_sweeps, 2, 0, &ev, &ns, &nconf,
			 &err);
	if (rc == 0) {
		printf("%-34s %6zu %12.2f %14.1f", "rfc grid, all CPUs", nconf, ns / 1e9,
		       ev / (ns / 1e9) / 1e6);
		if (base_ns)
			printf("   = %.2fx one configuration", (double)ns / (double)base_ns);
		printf("\n");
	}
	printf("\npeak RSS of the replays above: %ld KiB\n\n", peak_rss_kb());
	{
		struct ks_event *pre = NULL;
		struct ks_machine m;
		size_t npre = 0;

		rc = load_prefix(trace, 5000000, &pre, &npre, &m, &err);
		if (rc) {
			cli_error("bench", "%s: %s", trace, ks_error_format(&err, msg, sizeof(msg)));
			goto out;
		}
		printf("engine alone, first %zu events in memory (%zu MiB), one thread:\n", npre,
		       npre * sizeof(*pre) >> 20);
		for (i = 0; i < npol; i++) {
			rc = bench_engine(pol[i], &m, pre, npre, &ns, &err);
			if (rc)
				printf("  %-32s %s\n", pol[i], ks_error_format(&err, msg, sizeof(msg)));
			else
				printf("  %-32s %8.1f M events/s\n", pol[i], npre / (ns / 1e9) / 1e6);
		}
		free(pre);
	}

	status = KS_EXIT_OK;
out:
	if (path[0]) {
		if (keep)
			printf("kept %s\n", path);
		else
			unlink(path);
	}
	return status;
}
