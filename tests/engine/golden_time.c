// SPDX-License-Identifier: MIT
/*
 * Golden tests of the engine's time arithmetic at the top of the 64-bit
 * clock: a trace whose start or events lie near 2^64 must replay in bounded
 * time (the memory-over-time grid once wrapped and looped for ever) and give
 * the same results as the same trace at time 0.  An alarm turns a regression
 * into a failure instead of a hang.
 */
#include <signal.h>
#include <unistd.h>

#include "golden_util.h"

#define TOP UINT64_MAX

/*
 * Series near the top, static:samples=4 (4 pages per task), interval 1000
 * ns from S = 2^64 - 4000, so S + 3999 = 2^64 - 1 is the last instant.
 *   S SNAP 100, S+2500 NEW 200, end 2^64 - 1.
 *   at S+2500: points S, S+1000, S+2000 (4 pages); next S+3000.
 *   finish: S+3000 (8 pages) -> 4 points; the next, S+4000 = 2^64, is past
 *   the clock: no more grid points.  The final point 2^64 - 1 finds the
 *   buffer full -> keep S, S+2000, and the interval's next point S+4000 is
 *   again past the clock; the final point is added.
 *   => times S, S+2000, 2^64 - 1; pages 4, 4, 8; tasks 1, 1, 2.
 * Mean over [S, 2^64 - 1] (3999 ns): (4 * 2500 + 8 * 1499) / 3999.
 */
static void test_series_top(void)
{
	const uint64_t s = TOP - 3999;
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(s, 0, 100, 1000),
		ev_new(s + 2500, 0, 200, 100),
	};
	static const uint64_t p[] = { 4, 4, 8 }, tasks[] = { 1, 1, 2 };
	const uint64_t t[] = { s, s + 2000, TOP };
	struct ks_result *r;
	size_t i;

	m.start_ns = s;
	r = run("static:samples=4", &m, evs, N(evs), TOP);
	check_u64("series_top", "nr_samples", r->nr_samples, 3);
	for (i = 0; i < 3 && i < r->nr_samples; i++) {
		check_u64("series_top", "time", r->samples[i].time, t[i]);
		check_u64("series_top", "stack_pages", r->samples[i].stack_pages, p[i]);
		check_u64("series_top", "tasks", r->samples[i].tasks, tasks[i]);
	}
	check_double("series_top", "stack_pages_mean", r->c.stack_pages_mean,
		     (4.0 * 2500 + 8.0 * 1499) / 3999);
	free(r);
}

/*
 * The whole clock in one trace, static:samples=4: start 0, SNAP 100 at 0,
 * NEW 200 at T = 3 * 2^62, end 2^64 - 1.  The series keeps the points
 * k * e <= now for the smallest interval e = 1000 * 2^j with 4 e > now
 * (the buffer doubles the interval each time a fifth point is due).
 *   before T (now = T - 1 ~ 1.38e19): 4000 * 2^j > T - 1 -> j = 52,
 *   e = 1000 * 2^52 ~ 4.50e18: points 0, e, 2e, 3e (~1.35e19 < T), 4 pages.
 *   finish: 4e = 4000 * 2^52 ~ 1.80e19 <= 2^64 - 1 is due: full -> keep 0,
 *   2e, interval 2e; 4e (8 pages); the next, 6e ~ 2.7e19, is past the
 *   clock; final point 2^64 - 1 (8 pages), the buffer has room.
 *   => times 0, 2e, 4e, 2^64 - 1; pages 4, 4, 8, 8.
 * Mean: area 4 T + 8 (2^64 - 1 - T) = 5 * 2^64 - 8 over 2^64 - 1 ns: 5.
 * samples=1: one point, the final one.
 */
static void test_series_whole_clock(void)
{
	const uint64_t big = 3ull << 62, e = 1000ull << 52;
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_new(big, 0, 200, 100),
	};
	static const uint64_t p[] = { 4, 4, 8, 8 };
	const uint64_t t[] = { 0, 2 * e, 4 * e, TOP };
	struct ks_result *r;
	size_t i;

	r = run("static:samples=4", &m, evs, N(evs), TOP);
	check_u64("series_clock", "nr_samples", r->nr_samples, 4);
	for (i = 0; i < 4 && i < r->nr_samples; i++) {
		check_u64("series_clock", "time", r->samples[i].time, t[i]);
		check_u64("series_clock", "stack_pages", r->samples[i].stack_pages, p[i]);
	}
	check_double("series_clock", "stack_pages_mean", r->c.stack_pages_mean, 5.0);
	free(r);

	r = run("static:samples=1", &m, evs, N(evs), TOP);
	check_u64("series_clock1", "nr_samples", r->nr_samples, 1);
	check_u64("series_clock1", "time", r->samples[0].time, TOP);
	check_u64("series_clock1", "stack_pages", r->samples[0].stack_pages, 8);
	free(r);
}

/*
 * A small trace on 2 CPUs (times relative to the start, in ns) that makes
 * every policy fault, refill, schedule work, wait and release.  Its last
 * growth (at 999000) schedules work due after the end (1000777).
 */
#define SPAN 1000777ull

static size_t shift_trace(struct ks_event *evs, uint64_t base)
{
	struct ks_event rel[] = {
		ev_snap(0, 0, 100, 1000),
		ev_snap(0, 1, 200, 3000),
		ev_snap(0, 0, 300, 5000),
		ev_new(1000, 0, 400, 100),
		ev_sw(10000, 0, 100, 400, 9000, KS_STATE_SLEEPING),
		{ .time = 20000, .cpu = 0, .tid = 400, .type = KS_EV_KFAULT,
		  .flags = KS_F_USER_ADDR },
		ev_sw(30000, 1, 200, 0, 7000, KS_STATE_SLEEPING),
		ev_sw(200000, 0, 400, 300, 6000, KS_STATE_RUNNING),
		ev_exit(400000, 1, 400, 7000),
		ev_sw(500000, 0, 300, 100, 15000, KS_STATE_SLEEPING),
		ev_free(600000, 0, 400),
		{ .time = 700000, .cpu = 0, .tid = 100, .type = KS_EV_KENTRY,
		  .arg = KS_ENTRY_SYSCALL },
		{ .time = 700500, .cpu = 0, .tid = 100, .type = KS_EV_KEXIT,
		  .arg = KS_ENTRY_SYSCALL },
		ev_sw(990000, 1, 0, 200, 0, KS_STATE_RUNNING),
		ev_sw(999000, 1, 200, 0, 16000, KS_STATE_SLEEPING),
	};
	size_t i;

	for (i = 0; i < N(rel); i++) {
		evs[i] = rel[i];
		evs[i].time += base;
	}
	return N(rel);
}

static void same_u64(const char *spec, const char *what, uint64_t a, uint64_t b)
{
	if (a != b) {
		printf("FAIL shift %s: %s = %llu at time 0, %llu near 2^64\n", spec, what,
		       (unsigned long long)a, (unsigned long long)b);
		g_failures++;
	}
}

/*
 * Second implementation of the arithmetic: the same trace replayed from
 * time 0 and from 2^64 - 2 - SPAN (its end one below the last instant, so
 * work due after the end lies past the clock) must give the same counters,
 * means, crashes and series, times shifted.  Fail windows and boot gating
 * are relative to the start; async_after = 2^64 - 1 means never.
 */
static void test_shift(void)
{
	static const char *const specs[] = {
		"static", "static:samples=1", "rfc", "rfc:fail_windows=0-0.0005",
		"rfc:fail_windows=0-1", "rfc:fail_windows=0.0002-1000000000000",
		"rfc:entry_model=arm64",
		"rfc+global", "rfc+global:pool=0", "rfc+global:pool=0,global_latency=4000000000",
		"watermark", "watermark:latency=1", "watermark:latency=4000000000",
		"watermark:async_after=18446744073709551615", "watermark:async_after=500000",
		"entry", "entry:entries=events,pool=0,fail_windows=0.0006-0.0008",
	};
	const uint64_t base = TOP - 2 - SPAN;
	struct ks_machine m0 = machine(2), m1 = machine(2);
	struct ks_event e0[32], e1[32];
	size_t n, i, k;

	n = shift_trace(e0, 0);
	shift_trace(e1, base);
	m1.start_ns = base;
	for (i = 0; i < N(specs); i++) {
		struct ks_result *a = run(specs[i], &m0, e0, n, SPAN);
		struct ks_result *b = run(specs[i], &m1, e1, n, base + SPAN);

		if (getenv("KS_GOLDEN_REGEN"))
			print_result(specs[i], a);
#define X(name, d) same_u64(specs[i], #name, a->c.name, b->c.name);
		KS_COUNTERS(X)
#undef X
		if (a->c.stack_pages_mean != b->c.stack_pages_mean ||
		    a->c.pool_pages_mean != b->c.pool_pages_mean) {
			printf("FAIL shift %s: means differ\n", specs[i]);
			g_failures++;
		}
		same_u64(specs[i], "nr_crashes", a->nr_crashes, b->nr_crashes);
		for (k = 0; k < a->nr_crashes && k < b->nr_crashes; k++)
			same_u64(specs[i], "crash time", a->crashes[k].time,
				 b->crashes[k].time - base);
		same_u64(specs[i], "nr_samples", a->nr_samples, b->nr_samples);
		for (k = 0; k < a->nr_samples && k < b->nr_samples; k++) {
			const struct ks_sample *sa = &a->samples[k], *sb = &b->samples[k];

			if (sa->time != sb->time - base || sa->stack_pages != sb->stack_pages ||
			    sa->pool_pages != sb->pool_pages ||
			    sa->kernel_stack_kb != sb->kernel_stack_kb) {
				printf("FAIL shift %s: sample %zu differs\n", specs[i], k);
				g_failures++;
				break;
			}
		}
		free(a);
		free(b);
	}
}

/*
 * The shift test compares; these pin by hand that the trace does what it
 * is there for.  watermark (pool 4, low 2, latency 100000; 400 forked with
 * 1 page): 10000 100 grows 1 -> 3 pages (cpu0 pool 4 -> 2, not below low);
 * 30000 200 grows 1 -> 2 (cpu1 4 -> 3); 200000 400 grows 1 -> 2 (cpu0
 * 2 -> 1 < low: work due 300000, which adds 3: cpu0 4, refills 1); 500000
 * 300 grows 2 -> 4 (cpu0 4 -> 2); 600000 400 freed on cpu0 gives back its
 * page above prealloc (3); 999000 200 grows 2 -> 4 (cpu1 3 -> 1 < low:
 * work due 1099000, after the end: never run).  So refills = 1.
 * async_after = 2^64 - 1: no work is ever scheduled (refills 0).
 * rfc:fail_windows=0-0.0005: the refill at 10000 fails (alloc_failures > 0).
 */
static void test_shift_pins(void)
{
	struct ks_machine m = machine(2);
	struct ks_event evs[32];
	struct ks_result *r;
	size_t n = shift_trace(evs, 0);

	m.start_ns = 0;
	r = run("watermark", &m, evs, n, SPAN);
	check_u64("pins", "watermark refills", r->c.refills, 1);
	free(r);
	r = run("watermark:async_after=18446744073709551615", &m, evs, n, SPAN);
	check_u64("pins", "watermark never refills", r->c.refills, 0);
	free(r);
	r = run("rfc:fail_windows=0-0.0005", &m, evs, n, SPAN);
	if (!r->c.alloc_failures) {
		printf("FAIL pins: the fail window made no allocation fail\n");
		g_failures++;
	}
	free(r);
}

int main(void)
{
	/* a wrapped clock loops for ever: fail instead */
	alarm(20);
	test_series_top();
	test_series_whole_clock();
	test_shift();
	test_shift_pins();
	if (g_failures)
		printf("%d failure(s)\n", g_failures);
	return g_failures ? 1 : 0;
}
