// SPDX-License-Identifier: MIT
/*
 * Trace format benchmark (built, not run as a test): bytes per event and
 * encode/decode speed on a stream shaped like a real recording: 2 CPUs,
 * ~30k switches/s, next tasks drawn from ~150 tasks (a few hot ones),
 * per-task sleeping depths, rare HWM changes, plus a little lifecycle.
 *
 *   bench_format [EVENTS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kst.h"
#include "test_format.h"

int test_failures;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static struct ks_event *gen(size_t n)
{
	struct ks_event *evs = calloc(n, sizeof(*evs));
	uint32_t hwm[150], depth[150][3], last_next[2] = { 0, 0 };
	uint64_t s = 1, t = 1000000000ull;
	size_t i;

	for (i = 0; i < 150; i++) {
		hwm[i] = 8 * (300 + splitmix64(&s) % 1000);
		depth[i][0] = 8 * (80 + splitmix64(&s) % 150);
		depth[i][1] = 8 * (80 + splitmix64(&s) % 150);
		depth[i][2] = 8 * (80 + splitmix64(&s) % 150);
	}
	for (i = 0; i < n; i++) {
		struct ks_event *e = &evs[i];
		uint64_t r = splitmix64(&s);
		uint32_t cpu = r & 1, task, prev;

		/* exponential-ish gaps averaging ~33 us, ns resolution */
		t += (uint64_t)(-33000.0 * __builtin_log(((r >> 11) % 1000000 + 1) / 1000001.0));
		e->time = t;
		e->cpu = cpu;
		if ((r >> 40) % 200 == 0) {
			e->type = KS_EV_KFAULT;
			e->tid = 2000 + last_next[cpu];
			e->depth = 8 * (500 + (r >> 48) % 500);
			continue;
		}
		/* hot tasks: half the switches go to 8 of them */
		task = (r >> 32) & 1 ? (r >> 33) % 8 : (r >> 36) % 150;
		prev = last_next[cpu];
		e->type = KS_EV_SWITCH;
		e->tid = prev ? 2000 + prev : 0;
		e->tid2 = task ? 2000 + task : 0;
		if ((r >> 44) % 500 == 0)
			hwm[prev] += 8 * ((r >> 50) % 64);
		e->hwm = prev ? hwm[prev] : 0;
		e->depth = prev ? depth[prev][(r >> 52) % 3] : 0;
		e->state = (r >> 56) % 3 ? KS_STATE_SLEEPING : KS_STATE_RUNNING;
		last_next[cpu] = task;
	}
	return evs;
}

static void run(const struct ks_event *evs, size_t n, int level)
{
	char path[] = "/tmp/kst-bench-XXXXXX";
	struct ks_error err = { 0 };
	struct kst_info in;
	struct kst_writer *w;
	struct kst_reader *r;
	const struct ks_event *b;
	double t0, tw, td;
	uint64_t sum = 0;
	size_t i, k, len, total = 0;
	uint8_t *buf;
	FILE *f;
	int fd, pass, passes = 5;

	fd = mkstemp(path);
	kst_info_init(&in);
	kst_info_set_ncpus(&in, 2);
	t0 = now();
	if (kst_writer_fdopen(&w, fd, &in, &err))
		exit(1);
	kst_writer_set_compress(w, level);
	for (i = 0; i < n; i++)
		kst_writer_add(w, &evs[i]);
	len = kst_writer_bytes(w);
	kst_writer_close(w, &in);
	tw = now() - t0;
	len = lseek(fd, 0, SEEK_END);
	buf = malloc(len);
	f = fopen(path, "rb");
	if (fread(buf, 1, len, f) != len)
		exit(1);
	fclose(f);

	if (kst_reader_open_mem(&r, buf, len, &err))
		exit(1);
	t0 = now();
	for (pass = 0; pass < passes; pass++) {
		kst_reader_rewind(r, &err);
		while (kst_reader_next_block(r, &b, &k, &err) > 0) {
			sum += b[k - 1].time;
			total += k;
		}
	}
	td = now() - t0;
	printf("level %d: %.3f bytes/event, write %.1f M ev/s, decode %.1f M ev/s%s\n",
	       level, (double)len / n, n / tw / 1e6, total / td / 1e6,
	       total == n * passes ? "" : " (COUNT MISMATCH)");
	(void)sum;
	kst_reader_free(r);
	free(buf);
	close(fd);
	if (getenv("KEEP")) printf("kept %s\n", path); else unlink(path);
	kst_info_release(&in);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 0) : 4000000;
	struct ks_event *evs = gen(n);

	printf("%zu events (%zu-byte struct ks_event)\n", n, sizeof(*evs));
	run(evs, n, 0);
	run(evs, n, 1);
	run(evs, n, 6);
	free(evs);
	return 0;
}
