// SPDX-License-Identifier: MIT
/*
 * Trace format benchmark (built, not run as a test): bytes per event and
 * encode/decode speed on a stream shaped like a real recording: 2 CPUs,
 * ~30k switches/s, next tasks drawn from ~150 tasks (a few hot ones),
 * per-task sleeping depths, rare HWM changes, plus a little lifecycle.
 *
 *   bench_format [EVENTS [TASKS [PASSES]]]
 *   bench_format FILE.kst [PASSES]	(the events of a real recording)
 *
 * BENCH_ONLY=zstd:3 runs one codec only (for perf and callgrind);
 * BENCH_VERSION=1 writes format version 1 (the default is the current one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/types.h>
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

static struct ks_event *gen(size_t n, uint32_t ntasks)
{
	struct ks_event *evs = calloc(n, sizeof(*evs));
	uint32_t *hwm = calloc(ntasks, sizeof(*hwm)), last_next[2] = { 0, 0 };
	uint32_t (*depth)[3] = calloc(ntasks, sizeof(*depth));
	uint64_t s = 1, t = 1000000000ull;
	size_t i;

	for (i = 0; i < ntasks; i++) {
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
		task = (r >> 32) & 1 ? (r >> 33) % 8 : (r >> 36) % ntasks;
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
	free(hwm);
	free(depth);
	return evs;
}

/* Decode the buffer @passes times; returns the seconds taken. */
__attribute__((noinline)) static double decode(const uint8_t *buf, size_t len, size_t n, int passes)
{
	struct ks_error err = { 0 };
	const struct ks_event *b;
	struct kst_reader *r;
	size_t k, total = 0;
	uint64_t sum = 0;
	double t0;
	int pass;

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
	t0 = now() - t0;
	if (total != n * passes)
		printf("COUNT MISMATCH: %zu, expected %zu\n", total, n * passes);
	kst_reader_free(r);
	(void)sum;
	return t0;
}

/* Write @evs with @codec at @level into memory (a temporary file). */
static uint8_t *encode(const struct ks_event *evs, size_t n, int codec, int level,
		       size_t *len, double *secs)
{
	char path[] = "/tmp/kst-bench-XXXXXX";
	struct ks_error err = { 0 };
	struct kst_writer *w;
	struct kst_info in;
	uint8_t *buf;
	double t0;
	size_t i;
	int fd;

	fd = mkstemp(path);
	unlink(path);
	kst_info_init(&in);
	if (getenv("BENCH_VERSION"))
		in.version = (uint32_t)atoi(getenv("BENCH_VERSION"));
	kst_info_set_ncpus(&in, 2);
	t0 = now();
	if (kst_writer_fdopen(&w, fd, &in, &err))
		exit(1);
	if (kst_writer_set_codec(w, codec))
		exit(1);
	kst_writer_set_compress(w, level);
	for (i = 0; i < n; i++)
		kst_writer_add(w, &evs[i]);
	kst_writer_close(w, &in);
	*secs = now() - t0;
	*len = lseek(fd, 0, SEEK_END);
	buf = malloc(*len);
	if (pread(fd, buf, *len, 0) != (ssize_t)*len)
		exit(1);
	close(fd);
	kst_info_release(&in);
	return buf;
}

/* All events of a trace file (a real recording), or NULL. */
static struct ks_event *load(const char *path, size_t *n)
{
	struct ks_error err = { 0 };
	const struct ks_event *b;
	struct ks_event *evs = NULL;
	struct kst_reader *r;
	size_t k, cap = 0;

	*n = 0;
	if (kst_reader_open(&r, path, &err))
		return NULL;
	while (kst_reader_next_block(r, &b, &k, &err) > 0) {
		if (*n + k > cap) {
			cap = (*n + k) * 2;
			evs = realloc(evs, cap * sizeof(*evs));
		}
		memcpy(evs + *n, b, k * sizeof(*b));
		*n += k;
	}
	kst_reader_free(r);
	return evs;
}

static const char *const codec_names[] = { "none", "deflate", "zstd" };

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 0) : 2000000;
	uint32_t ntasks = argc > 2 ? strtoul(argv[2], NULL, 0) : 150;
	int passes = argc > 3 ? atoi(argv[3]) : 5;
	static const int runs[][2] = {
		{ KST_CODEC_NONE, 0 }, { KST_CODEC_DEFLATE, 1 }, { KST_CODEC_DEFLATE, 6 },
		{ KST_CODEC_ZSTD, 1 }, { KST_CODEC_ZSTD, 3 }, { KST_CODEC_ZSTD, 6 },
		{ KST_CODEC_ZSTD, 9 },
	};
	const char *only = getenv("BENCH_ONLY");	/* e.g. "zstd:3", for perf/callgrind */
	struct ks_event *evs;
	size_t k;

	if (argc > 1 && !access(argv[1], R_OK)) {
		/* bench_format FILE.kst [PASSES]: a real recording */
		evs = load(argv[1], &n);
		if (!evs)
			return 1;
		passes = argc > 2 ? atoi(argv[2]) : 20;
		printf("%s: %zu events\n", argv[1], n);
	} else {
		if (ntasks < 8)
			ntasks = 8;
		evs = gen(n, ntasks);
		printf("%zu events, %u tasks (%zu-byte struct ks_event)\n", n, ntasks,
		       sizeof(*evs));
	}
	for (k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
		char name[32];
		double tw, td;
		uint8_t *buf;
		size_t len;

		snprintf(name, sizeof(name), "%s:%d", codec_names[runs[k][0]], runs[k][1]);
		if (only && strcmp(only, name))
			continue;
		buf = encode(evs, n, runs[k][0], runs[k][1], &len, &tw);
		td = decode(buf, len, n, passes);
		printf("%-10s %.3f bytes/event, write %5.1f M ev/s, decode %5.1f M ev/s\n",
		       name, (double)len / n, n / tw / 1e6, n * passes / td / 1e6);
		free(buf);
	}
	free(evs);
	return 0;
}
