// SPDX-License-Identifier: MIT
/*
 * Validation helper: the kernel's stack counters over time, while a
 * recording runs.  Every INTERVAL ms it folds the per-CPU counter deltas
 * (/proc/sys/vm/stat_refresh: without it nr_kernel_stack lags by up to the
 * per-CPU thresholds, tens of KiB on a small guest) and prints one line
 *   TIME_NS NR_KERNEL_STACK_KB NR_DYNAMIC_STACKS_FAULTS_KB
 * with TIME_NS on CLOCK_MONOTONIC, the clock of kstack's traces (the middle
 * of the read).  A counter the kernel lacks reads -1.  Stops on SIGTERM or
 * SIGINT, after a last line.
 *
 * usage: sampler INTERVAL_MS
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void sample(void)
{
	long long ks = -1, dyn = -1, v;
	unsigned long long t0, t1;
	char key[64];
	FILE *f;

	t0 = now_ns();
	f = fopen("/proc/sys/vm/stat_refresh", "w");
	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
	f = fopen("/proc/vmstat", "r");
	if (!f)
		return;
	while (fscanf(f, "%63s %lld", key, &v) == 2) {
		if (!strcmp(key, "nr_kernel_stack"))
			ks = v;
		else if (!strcmp(key, "nr_dynamic_stacks_faults"))
			dyn = v;
	}
	fclose(f);
	t1 = now_ns();
	printf("%llu %lld %lld\n", t0 + (t1 - t0) / 2, ks, dyn);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec ts;
	int ms;

	if (argc != 2 || (ms = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: sampler INTERVAL_MS\n");
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (!stop) {
		sample();
		nanosleep(&ts, NULL);
	}
	sample();
	return 0;
}
