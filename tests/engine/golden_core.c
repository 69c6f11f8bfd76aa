// SPDX-License-Identifier: MIT
/*
 * Golden tests of the engine core and the static policy: lifecycle,
 * overflows, time-weighted means, the series, the HWM histogram,
 * determinism and grid == separate runs.  Expected values by hand.
 * 4 KiB pages, 16 KiB stacks unless said otherwise.
 */
#include "golden_util.h"

/*
 * static with size=8192 (2 pages per stack):
 *   SNAP 100 hwm 1000, SNAP 200 hwm 9000 (> 8192: overflow 1), NEW 300 (fork:
 *   2 pages mapped, 2 charged), SW prev 300 hwm 8192 (= size: fine),
 *   SW prev 100 hwm 8200 (> 8192: overflow 2), SW prev 200 hwm 12000 (200
 *   already counted).  3 tasks: 6 pages, kstack 3 * 8 = 24 KiB, overflows 2.
 * static default (16K): 12 pages, kstack 48, overflows 0.
 */
static void test_static(void)
{
	struct ks_machine m = machine(2);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_snap(0, 1, 200, 9000),
		ev_new(1 * MS, 0, 300, 100),
		ev_sw(2 * MS, 0, 300, 100, 8192, 1),
		ev_sw(3 * MS, 0, 100, 0, 8200, 1),
		ev_sw(4 * MS, 1, 200, 0, 12000, 1),
	};
	struct expect e8[] = {
		{ "tasks_end", 3 }, { "forks", 1 }, { "stack_pages_end", 6 },
		{ "kernel_stack_kb_end", 24 }, { "dyn_faults_kb_end", 0 }, { "overflows", 2 },
		{ "charges", 2 }, { "maps", 2 }, { "faults", 0 }, { "pool_pages_end", 0 },
		{ "pool_pages_peak", 0 }, { "switches", 3 }, { "events", 6 },
	};
	struct expect e16[] = {
		{ "stack_pages_end", 12 }, { "kernel_stack_kb_end", 48 }, { "overflows", 0 },
	};
	struct ks_result *r;

	r = run("static:size=8192", &m, evs, N(evs), 5 * MS);
	check_counters("static_8k", r, e8, N(e8));
	free(r);
	r = run("static", &m, evs, N(evs), 5 * MS);
	check_counters("static_16k", r, e16, N(e16));
	free(r);
}

/*
 * Time-weighted mean, static 16K (4 pages per task), in ns over [0, 100]:
 *   t0 SNAP 100: 4 pages; t30 NEW 200: 8 pages; end 100.
 *   mean = (4 * 30 + 8 * 70) / 100 = (120 + 560) / 100 = 6.8.
 * Then release: t60 EXIT 200, t70 SW prev 200 DEAD: back to 4 pages:
 *   mean = (4 * 30 + 8 * 40 + 4 * 30) / 100 = 5.6, exits 1, kstack 16.
 */
static void test_mean(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_new(30, 0, 200, 100),
		ev_exit(60, 0, 200, 2000),
		ev_sw(70, 0, 200, 100, 2000, 2),
	};
	struct ks_result *r;

	r = run("static", &m, evs, 2, 100);
	check_double("mean", "stack_pages_mean", r->c.stack_pages_mean, 6.8);
	check_double("mean", "pool_pages_mean", r->c.pool_pages_mean, 0);
	free(r);
	r = run("static", &m, evs, 4, 100);
	check_double("mean_release", "stack_pages_mean", r->c.stack_pages_mean, 5.6);
	check_u64("mean_release", "exits", r->c.exits, 1);
	check_u64("mean_release", "kernel_stack_kb_end", r->c.kernel_stack_kb_end, 16);
	check_u64("mean_release", "tasks_end", r->c.tasks_end, 1);
	free(r);
}

/*
 * Series with samples=4, static (4 pages per task), interval starts at
 * 1000 ns and doubles when the buffer is full (keeping points 0, 2, ...).
 * A point at s shows the state after every event at or before s.
 *   t0 SNAP 100, t2500 NEW 200, end 10000.
 *   at t2500: points 0 (4 pages), 1000 (4), 2000 (4); next 3000.
 *   finish: 3000 (8) -> 4 points; 4000: full -> keep 0, 2000, interval
 *   2000; 4000 (8), 6000 (8) -> 4 points; 8000: full -> keep 0, 4000,
 *   interval 4000; 8000 (8); next 12000 > end; final point 10000 (8).
 *   => times 0, 4000, 8000, 10000; pages 4, 8, 8, 8; tasks 1, 2, 2, 2.
 */
static void test_series(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_new(2500, 0, 200, 100),
	};
	static const uint64_t t[] = { 0, 4000, 8000, 10000 }, p[] = { 4, 8, 8, 8 };
	struct ks_result *r = run("static:samples=4", &m, evs, N(evs), 10000);
	size_t i;

	check_u64("series", "nr_samples", r->nr_samples, 4);
	for (i = 0; i < 4 && i < r->nr_samples; i++) {
		check_u64("series", "time", r->samples[i].time, t[i]);
		check_u64("series", "stack_pages", r->samples[i].stack_pages, p[i]);
		check_u64("series", "tasks", r->samples[i].tasks, i ? 2 : 1);
	}
	free(r);

	/*
	 * samples=1 (found by fuzz_spec: halving one point kept it and the
	 * next point overflowed): at 1000 the buffer holds point 0; full, so
	 * it is dropped and the interval doubles to 2000; 2000 (4 pages);
	 * 4000: full, dropped, interval 4000; 4000 (8); 8000: dropped, 8000
	 * (8); next 16000 > end; final 10000: full, dropped, 10000 (8 pages).
	 */
	r = run("static:samples=1", &m, evs, N(evs), 10000);
	check_u64("series1", "nr_samples", r->nr_samples, 1);
	check_u64("series1", "time", r->samples[0].time, 10000);
	check_u64("series1", "stack_pages", r->samples[0].stack_pages, 8);
	free(r);
}

/*
 * HWM histogram (16K stacks: 5 buckets <=1K, 2K, 4K, 8K, 16K):
 *   100: 1000 -> [0]; 200: 5000 -> (4K, 8K] = [3]; 300: 16384 -> [4];
 *   400: 1025 -> (1K, 2K] = [1], released by FREE; 500: 0 (unknown) -> [0].
 */
static void test_hist(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_snap(0, 0, 200, 5000),
		ev_snap(0, 0, 300, 16384),
		ev_snap(0, 0, 400, 1025),
		ev_free(1, 0, 400),
		ev_sw(2, 0, 0, 500, 0, 0),
	};
	static const uint64_t want[5] = { 2, 1, 0, 1, 1 };
	struct ks_result *r = run("static", &m, evs, N(evs), 10);
	size_t i;

	check_u64("hist", "nr_hwm_buckets", r->nr_hwm_buckets, 5);
	for (i = 0; i < 5; i++)
		check_u64("hist", "bucket", r->hwm_hist[i], want[i]);
	check_u64("hist", "tasks_end", r->c.tasks_end, 4);
	free(r);
}

/* A small pseudo-random trace (fixed LCG): forks, switches, exits on 4 CPUs. */
static size_t make_trace(struct ks_event *evs, size_t max)
{
	uint64_t s = 12345, t = 0;
	uint32_t live[64], nlive = 0, next_tid = 1000;
	size_t n = 0;

	while (n + 3 < max) {
		uint32_t x, cpu;

		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		x = (uint32_t)(s >> 33);
		cpu = x % 4;
		t += 1000 + x % 50000;
		if (nlive < 8 || (x % 10 == 0 && nlive < 64)) {
			live[nlive] = next_tid++;
			evs[n++] = ev_new(t, cpu, live[nlive], 1);
			nlive++;
		} else if (x % 17 == 0) {
			uint32_t k = (x >> 8) % nlive, tid = live[k];

			live[k] = live[--nlive];
			evs[n++] = ev_exit(t, cpu, tid, 0);
			evs[n++] = ev_sw(t + 1, cpu, tid, 0, 0, 2);
		} else {
			uint32_t k = (x >> 8) % nlive;

			evs[n++] = ev_sw(t, cpu, live[k], 0, 512 + (x >> 4) % 16000, 1);
		}
	}
	return n;
}

/*
 * Determinism: same trace + spec twice -> identical bytes; a fail_rate run is
 * identical for the same seed and differs for another seed.  A grid of
 * several specs gives exactly what each spec gives alone.
 */
static void test_determinism(void)
{
	static struct ks_event evs[20000];
	static const char *const specs[] = {
		"rfc:fail_rate=0.3,seed=5", "static", "rfc:pool=1,quirk_refill=0",
		"rfc:fault_span=interval,page_size=16384,thread_size=32768",
		"static:size=8192",
	};
	struct ks_machine m = machine(4);
	size_t n = make_trace(evs, N(evs)), i;
	struct ks_result *a, *b, *c, *grid;
	struct ks_grid *g;
	struct ks_error err;

	a = run(specs[0], &m, evs, n, evs[n - 1].time);
	b = run(specs[0], &m, evs, n, evs[n - 1].time);
	c = run("rfc:fail_rate=0.3,seed=6", &m, evs, n, evs[n - 1].time);
	if (memcmp(a, b, sizeof(*a))) {
		printf("FAIL determinism: same spec, different bytes\n");
		g_failures++;
	}
	if (a->c.alloc_failures == 0 || a->c.alloc_failures == a->c.alloc_attempts) {
		printf("FAIL determinism: fail_rate=0.3 gave %llu/%llu failures\n",
		       (unsigned long long)a->c.alloc_failures,
		       (unsigned long long)a->c.alloc_attempts);
		g_failures++;
	}
	if (!memcmp(&a->c, &c->c, sizeof(a->c))) {
		printf("FAIL determinism: seeds 5 and 6 gave the same counters\n");
		g_failures++;
	}
	free(b);
	free(c);

	grid = calloc(N(specs), sizeof(*grid));
	if (!grid || ks_grid_create(&g, specs, N(specs), &m, &err)) {
		printf("FAIL grid create\n");
		exit(1);
	}
	ks_grid_feed(g, evs, n / 2);
	ks_grid_feed(g, evs + n / 2, n - n / 2);
	ks_grid_finish(g, evs[n - 1].time, grid);
	ks_grid_free(g);
	for (i = 0; i < N(specs); i++) {
		b = run(specs[i], &m, evs, n, evs[n - 1].time);
		if (memcmp(b, &grid[i], sizeof(*b))) {
			printf("FAIL grid: spec '%s' differs from its single run\n", specs[i]);
			g_failures++;
		}
		free(b);
	}
	free(grid);
	free(a);
}

/*
 * Lifecycle, rfc (4K pages, 16K stacks, 1 CPU, pool 3, cache 2):
 *   t1 SNAP 100 hwm 1000 (1 page, kstack 4).  tid 0 events are ignored.
 *   t2 SW prev 0 next 200: 200 is a missed birth, alive before the trace,
 *      its HWM unknown -> 1 page, charged, no memcg charge, no map:
 *      kstack 8, tasks 2.
 *   t3 SW prev 200 hwm 6000 next 100: 200's first HWM: 2 pages, the second
 *      one adopted (no fault, no pool page, no refill): kstack 12, dyn 4.
 *   t4 EXIT 200: kstack drops by its 2 charged pages: 4, dyn 0.
 *   t5 FREE 200 (no dead switch seen): released now: its 2 pages go to
 *      the cache (cache 2, stack 1).
 *   t6 NEW 100 (a reused tid never seen dying) with parent 1: 1 is alive
 *      before the trace: 1 page (kstack 8, stack 2, tasks 2).  The old 100
 *      is released first: no EXIT seen, so its 1 charged page drops now
 *      (kstack 4), its stack goes to cache slot 1 (cache 3, stack 1).  The
 *      new 100 inherits the first cached stack (slot 0: 2 pages): kstack
 *      12, dyn 4, inherited 1, cache 1, stack 3, charges 2 (its fork only).
 *   exits 2, forks 1, tasks_end 2 (1 and 100), tasks_peak 2, maps 0,
 *   faults 0.
 */
static void test_lifecycle(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(1 * MS, 0, 100, 1000),
		ev_snap(1 * MS, 0, 0, 9000),
		ev_sw(2 * MS, 0, 0, 200, 0, 0),
		ev_sw(3 * MS, 0, 200, 100, 6000, 1),
		ev_exit(4 * MS, 0, 200, 6000),
		ev_free(5 * MS, 0, 200),
		ev_new(6 * MS, 0, 100, 1),
	};
	struct expect e[] = {
		{ "tasks_end", 2 }, { "tasks_peak", 2 }, { "forks", 1 }, { "exits", 2 },
		{ "stack_pages_end", 3 }, { "kernel_stack_kb_end", 12 },
		{ "dyn_faults_kb_end", 4 }, { "cache_pages_end", 1 }, { "inherited_pages", 1 },
		{ "charges", 2 }, { "maps", 0 }, { "faults", 0 }, { "events", 7 },
	};
	struct ks_result *r = run("rfc", &m, evs, N(evs), 10 * MS);

	check_counters("lifecycle", r, e, N(e));
	free(r);
}

/*
 * A record naming a CPU the trace header did not count (the format allows
 * any) uses the per-CPU state of cpu % ncpus; its crash record keeps the
 * CPU as the trace names it.  rfc:pool=1,fail_rate=1 on 2 CPUs: each pool
 * holds one set-up page and every refill fails.
 *   t0  SNAP 100, 200, 300 (1 page each): kstack 12.  pools cpu0 P, cpu1 P.
 *   t10 SW cpu 3 prev 100 hwm 5000: +1 page from cpu 1's pool (3 % 2):
 *       pool_hits 1, fault 1.  Refill of cpu 1: charge 100 (kstack 16,
 *       dyn 4), the allocation fails: slot empty, refill_failures 1.
 *   t20 SW cpu 1 prev 200 hwm 5000: cpu 1's pool is empty: a fault that
 *       found nothing, crash (t20, cpu 1, tid 200, 1 page), mapped anyway.
 *   t30 SW cpu 5 prev 100 hwm 9000: +1, cpu 1's pool (5 % 2) is empty:
 *       crash (t30, cpu 5, tid 100, 1 page).  (Folded onto cpu 0 it would
 *       take cpu 0's page, and t40 would crash instead.)
 *   t40 SW cpu 0 prev 300 hwm 5000: +1 from cpu 0's pool: pool_hits 2.
 *       Refill of cpu 0: charge 300 (kstack 20, dyn 8), fails: failures 2.
 * faults 4, fault_pages 2, maps 4, crashes 2, refills 2, alloc_attempts 2,
 * alloc_failures 2, charges 2, stack 3 + 2 + 2 = 7, pool 0 at the end.
 */
static void test_cpu_fold(void)
{
	struct ks_machine m = machine(2);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000), ev_snap(0, 0, 200, 1000), ev_snap(0, 0, 300, 1000),
		ev_sw(10 * MS, 3, 100, 0, 5000, 1),
		ev_sw(20 * MS, 1, 200, 0, 5000, 1),
		ev_sw(30 * MS, 5, 100, 0, 9000, 1),
		ev_sw(40 * MS, 0, 300, 0, 5000, 1),
	};
	struct expect e[] = {
		{ "pool_hits", 2 }, { "faults", 4 }, { "fault_pages", 2 }, { "maps", 4 },
		{ "crashes", 2 }, { "refills", 2 }, { "refill_pages", 0 },
		{ "refill_failures", 2 }, { "alloc_attempts", 2 }, { "alloc_failures", 2 },
		{ "charges", 2 }, { "stack_pages_end", 7 }, { "kernel_stack_kb_end", 20 },
		{ "dyn_faults_kb_end", 8 }, { "pool_pages_end", 0 },
	};
	struct ks_result *r = run("rfc:pool=1,fail_rate=1", &m, evs, N(evs), 50 * MS);

	check_counters("cpu_fold", r, e, N(e));
	check_u64("cpu_fold", "crash records", r->nr_crashes, 2);
	if (r->nr_crashes == 2) {
		check_u64("cpu_fold", "crash 0 time", r->crashes[0].time, 20 * MS);
		check_u64("cpu_fold", "crash 0 cpu", r->crashes[0].cpu, 1);
		check_u64("cpu_fold", "crash 0 tid", r->crashes[0].tid, 200);
		check_u64("cpu_fold", "crash 1 time", r->crashes[1].time, 30 * MS);
		check_u64("cpu_fold", "crash 1 cpu", r->crashes[1].cpu, 5);
		check_u64("cpu_fold", "crash 1 tid", r->crashes[1].tid, 100);
		check_u64("cpu_fold", "crash 1 pages", r->crashes[1].pages_needed, 1);
	}
	free(r);
}

/*
 * asleep_page_ns: the area under the pages of tasks not running.  A task
 * runs from its switch-in to its switch-out; before the first switch on a
 * CPU nobody is known to run there.  One CPU; static: 4 pages a task, rfc:
 * 1 (every HWM 1000).  Times in ms.
 *   t0  SNAP 100, 200 (not running).
 *   t10 SW 100 -> 200: 200 runs from 10.
 *   t30 SW 200 -> 100: 200 ran 20; 100 runs from 30.
 *   t40 NEW 300 (parent 100).  t45 EXIT 100.
 *   t50 SW 100 -> 300 dead: 100 ran 20, released; 300 runs from 50.
 *   t55 SW 400 -> 200: 400 first seen (prev: not known to run); the CPU's
 *       last switch-in was 300, so its switch-out was lost: 300 stops now
 *       (ran 5); 200 runs from 55 (5 until the end).
 *   end 60.
 * stack area, page-ms: static 4 x (100: 50, 200: 60, 300: 20, 400: 5) =
 * 540, running 4 x (200: 25, 100: 20, 300: 5) = 200, asleep 340; rfc: 135 -
 * 50 = 85.  Without the lost-switch rule 300 would run to the end: asleep
 * 320 (static).
 * Two CPUs: t0 SNAP 100, 200; t10 SW cpu 0: idle -> 100; t20 SW cpu 1:
 * idle -> 100 (its switch-out on cpu 0 lost: it runs on, now on cpu 1);
 * t30 SW cpu 0: idle -> 200 (cpu 0's last task, 100, runs elsewhere: not
 * stopped); t40 SW cpu 1: 100 -> idle (ran 10..40); end 50 (200 ran
 * 30..50).  static: stack 2 x 4 x 50 = 400, running 4 x (30 + 20) = 200,
 * asleep 200.
 */
static void test_asleep(void)
{
	struct ks_machine m = machine(1), m2 = machine(2);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000), ev_snap(0, 0, 200, 1000),
		ev_sw(10 * MS, 0, 100, 200, 1000, 1),
		ev_sw(30 * MS, 0, 200, 100, 1000, 1),
		ev_new(40 * MS, 0, 300, 100),
		ev_exit(45 * MS, 0, 100, 1000),
		ev_sw(50 * MS, 0, 100, 300, 1000, KS_STATE_DEAD),
		ev_sw(55 * MS, 0, 400, 200, 1000, 1),
	};
	struct ks_event evs2[] = {
		ev_snap(0, 0, 100, 1000), ev_snap(0, 0, 200, 1000),
		ev_sw(10 * MS, 0, 0, 100, 0, 0),
		ev_sw(20 * MS, 1, 0, 100, 0, 0),
		ev_sw(30 * MS, 0, 0, 200, 0, 0),
		ev_sw(40 * MS, 1, 100, 0, 1000, 1),
	};
	struct ks_result *r;

	r = run("static", &m, evs, N(evs), 60 * MS);
	check_u64("asleep", "static asleep_page_ns", r->c.asleep_page_ns, 340 * MS);
	free(r);
	r = run("rfc", &m, evs, N(evs), 60 * MS);
	check_u64("asleep", "rfc asleep_page_ns", r->c.asleep_page_ns, 85 * MS);
	free(r);
	r = run("static", &m, evs, N(evs) - 1, 60 * MS);
	check_u64("asleep", "static no lost switch", r->c.asleep_page_ns, 320 * MS);
	free(r);
	r = run("static", &m2, evs2, N(evs2), 50 * MS);
	check_u64("asleep", "static two cpus", r->c.asleep_page_ns, 200 * MS);
	free(r);
}

int main(void)
{
	test_asleep();
	test_lifecycle();
	test_cpu_fold();
	test_static();
	test_mean();
	test_series();
	test_hist();
	test_determinism();
	if (g_failures)
		printf("%d failure(s)\n", g_failures);
	return g_failures ? 1 : 0;
}
