// SPDX-License-Identifier: MIT
/*
 * The per-task analysis' speed and memory, run by hand (not a test):
 *   bench_tasks TRACE [PASSES]
 * decodes TRACE into memory, then analyses it PASSES times (default 3),
 * without a sink, and prints events per second of CPU time (the process'
 * own, so a loaded machine distorts it less than wall time would), the
 * rows handed out and the most tasks held at once, which is what its
 * memory grows with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kst.h"
#include "tasks.h"

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct ks_error err = { 0 };
	const struct ks_event *evs;
	struct ks_event *all = NULL, *tmp;
	struct kst_reader *r;
	struct ks_tasks *t;
	size_t n, total = 0, cap = 0;
	int passes = argc > 2 ? atoi(argv[2]) : 3, p;
	double t0, best = 0;

	if (argc < 2 || passes < 1) {
		fprintf(stderr, "usage: bench_tasks TRACE [PASSES]\n");
		return 2;
	}
	if (kst_reader_open(&r, argv[1], &err)) {
		fprintf(stderr, "bench_tasks: %s\n", err.detail);
		return 1;
	}
	while (kst_reader_next_block(r, &evs, &n, &err) > 0) {
		if (total + n > cap) {
			cap = 2 * (total + n);
			tmp = realloc(all, cap * sizeof(*all));
			if (!tmp)
				return 1;
			all = tmp;
		}
		memcpy(all + total, evs, n * sizeof(*evs));
		total += n;
	}
	for (p = 0; p < passes; p++) {
		const struct kst_info *in = kst_reader_info(r);
		struct ks_tasks_config cfg = {
			.start_ns = in->start_ns, .page_size = (uint32_t)in->page_size,
			.thread_size = (uint32_t)in->thread_size,
			.workload_pid = in->workload_pid,
		};

		if (ks_tasks_create(&t, &cfg, NULL, NULL))
			return 1;
		t0 = cpu_s();
		ks_tasks_feed(t, all, total);
		ks_tasks_finish(t, in->end_ns);
		t0 = cpu_s() - t0;
		if (!p || t0 < best)
			best = t0;
		if (p + 1 == passes)
			printf("%zu events: %.1f M events/s of CPU (best of %d), %llu task rows, "
			       "at most %llu tasks held at once\n", total,
			       best > 0 ? (double)total / best / 1e6 : 0.0, passes,
			       (unsigned long long)ks_tasks_count(t),
			       (unsigned long long)ks_tasks_live_peak(t));
		ks_tasks_free(t);
	}
	kst_reader_free(r);
	free(all);
	return 0;
}
