// SPDX-License-Identifier: MIT
/*
 * Golden tests of where a task's life starts and ends in the replay
 * (engine/policy.h): a task the start snapshot missed is alive before the
 * trace wherever it first shows up (a switch as next or prev, a kernel fault
 * or entry, its EXIT, the parent of a NEW), and the first HWM learnt for a
 * task whose HWM was unknown is adopted, not growth; growth only the EXIT
 * scan shows is applied at EXIT, with the refill at the task's next
 * switch-out or, without one, at its release.  Expected values by hand.
 *
 * rfc unless said otherwise: 4 KiB pages, 16 KiB stacks, prealloc 1, one
 * CPU, pool 3 slots, cache 2.  Times in ms; the trace ends at 10 ms.
 */
#include "golden_util.h"

static struct ks_event ev_task(uint64_t t, uint32_t cpu, uint32_t tid, uint8_t type)
{
	return (struct ks_event){ .time = t, .cpu = cpu, .tid = tid, .type = type };
}

static struct ks_event ev_stop(uint64_t t, uint32_t cpu, uint32_t tid, uint32_t hwm)
{
	struct ks_event e = ev_snap(t, cpu, tid, hwm);

	e.flags = KS_F_STOP;
	return e;
}

/* Every policy in one grid gives what each gives alone, on @evs too. */
static void check_grid_on(const char *test, const struct ks_event *evs, size_t n, uint64_t end,
			  uint32_t ncpus)
{
	static const char *const specs[] = {
		"rfc", "rfc+global", "watermark", "static", "entry", "rfc:entry_model=arm64",
		"rfc:pool=1",
	};
	struct ks_machine m = machine(ncpus);
	struct ks_result *res = calloc(N(specs), sizeof(*res)), *one;
	struct ks_error err = { 0 };
	struct ks_grid *g;
	size_t i;

	if (!res || ks_grid_create(&g, specs, N(specs), &m, &err)) {
		printf("FAIL %s: grid create\n", test);
		exit(1);
	}
	ks_grid_feed(g, evs, n);
	ks_grid_finish(g, end, res);
	ks_grid_free(g);
	for (i = 0; i < N(specs); i++) {
		one = run(specs[i], &m, evs, n, end);
		if (memcmp(one, &res[i], sizeof(*one))) {
			printf("FAIL %s: '%s' in a grid differs from its single run\n", test,
			       specs[i]);
			g_failures++;
		}
		free(one);
	}
	free(res);
}

static void check_grid(const char *test, const struct ks_event *evs, size_t n, uint64_t end)
{
	check_grid_on(test, evs, n, end, 1);
}

/*
 * Task 100 first shows up at t1 (t0 for the snapshot) in different records,
 * then every variant goes on the same way:
 *   t2 SW 100 -> 0 hwm 6000: the first HWM known (needs 2 pages).
 *   t3 SW 0 -> 100.
 *   t4 SW 100 -> 0 hwm 9000: needs 3 pages.
 * The first appearance gives 100 the prealloc page (kstack 4, no memcg
 * charge, no map): its HWM is unknown.  At t2 the page its HWM 6000 adds
 * was on its stack before the trace saw it: adopted (kstack 8, dyn 4), no
 * fault, no pool page, no refill.  At t4 one more page is real growth:
 * 1 fault taking slot 0, the refill charges it (kstack 12, dyn 8,
 * charges 1) and allocates a page (alloc_attempts 1, refill_pages 1).
 * End: 3 pages, pool 3, faults 1, fault_pages 1, pool_hits 1, maps 1.
 * Stack pages over [0, 10 ms]: 0 until t1, 1 until t2, 2 until t4, 3 after:
 * mean (1 + 2 x 2 + 3 x 6) / 10 = 2.3.  Before the adoption rule, next,
 * snapshot-with-HWM-0 and prev-with-HWM-0 faulted at t2 (faults 2), and
 * kfault, kentry and parent created 100 only at t2 (mean 2.2).
 *
 * Variants:
 *   next:   t1 SW 0 -> 100.
 *   prev0:  t1 SW 100 -> 0 with hwm 0 (a probe that read nothing), then
 *           t1.5 SW 0 -> 100.
 *   kfault: t1 KFAULT 100.
 *   kentry: t1 KENTRY 100.
 *   kexit:  t1 KEXIT 100.
 *   snap0:  t0 SNAP 100 with hwm 0 (alive at start, HWM unknown): 1 page
 *           from t0, mean (1 x 2 + 2 x 2 + 3 x 6) / 10 = 2.4.
 *   parent: t1 NEW 200 with parent 100 on cpu0: 100 is alive before the
 *           trace (1 page), 200 is a fork (1 fresh page: maps 2, charges 2
 *           in all).  End: 4 pages, kstack 16, dyn 8, tasks 2, forks 1;
 *           mean (2 + 3 x 2 + 4 x 6) / 10 = 3.2.
 * watermark (pool 4, low 2) on the next variant: t2 adopts 1 page (no
 *   take), t4 takes 1 page (pool 3, not below low: no work) and charges it:
 *   faults 1, pool_hits 1, charges 1, kstack 12, pool 3 (before: 2 faults).
 */
static void test_first_seen(void)
{
	const struct {
		const char *name;
		struct ks_event first[2];
		size_t nfirst;
		uint64_t stack_end, kstack, maps, charges, tasks, forks;
		double mean;
	} v[] = {
		{ "next", { ev_sw(1 * MS, 0, 0, 100, 0, 0) }, 1, 3, 12, 1, 1, 1, 0, 2.3 },
		{ "prev0", { ev_sw(1 * MS, 0, 100, 0, 0, 1), ev_sw(1500000, 0, 0, 100, 0, 0) },
		  2, 3, 12, 1, 1, 1, 0, 2.3 },
		{ "kfault", { ev_task(1 * MS, 0, 100, KS_EV_KFAULT) }, 1, 3, 12, 1, 1, 1, 0, 2.3 },
		{ "kentry", { ev_task(1 * MS, 0, 100, KS_EV_KENTRY) }, 1, 3, 12, 1, 1, 1, 0, 2.3 },
		{ "kexit", { ev_task(1 * MS, 0, 100, KS_EV_KEXIT) }, 1, 3, 12, 1, 1, 1, 0, 2.3 },
		{ "snap0", { ev_snap(0, 0, 100, 0) }, 1, 3, 12, 1, 1, 1, 0, 2.4 },
		{ "parent", { ev_new(1 * MS, 0, 200, 100) }, 1, 4, 16, 2, 2, 2, 1, 3.2 },
	};
	struct ks_machine m = machine(1);
	size_t i, k;

	for (i = 0; i < N(v); i++) {
		struct ks_event evs[8];
		struct expect e[] = {
			{ "faults", 1 }, { "fault_pages", 1 }, { "pool_hits", 1 },
			{ "refills", 1 }, { "refill_pages", 1 }, { "alloc_attempts", 1 },
			{ "stack_pages_end", v[i].stack_end }, { "kernel_stack_kb_end", v[i].kstack },
			{ "dyn_faults_kb_end", 8 }, { "pool_pages_end", 3 }, { "maps", v[i].maps },
			{ "charges", v[i].charges }, { "tasks_end", v[i].tasks },
			{ "forks", v[i].forks }, { "crashes", 0 }, { "overflows", 0 },
		};
		struct ks_task_pages tp;
		struct ks_grid *eng;
		struct ks_error err = { 0 };
		struct ks_result *r;
		size_t n = 0;
		char name[64];

		for (k = 0; k < v[i].nfirst; k++)
			evs[n++] = v[i].first[k];
		evs[n++] = ev_sw(2 * MS, 0, 100, 0, 6000, 1);
		evs[n++] = ev_sw(3 * MS, 0, 0, 100, 0, 0);
		evs[n++] = ev_sw(4 * MS, 0, 100, 0, 9000, 1);
		snprintf(name, sizeof(name), "first_seen_%s", v[i].name);
		r = run("rfc", &m, evs, n, 10 * MS);
		check_counters(name, r, e, N(e));
		check_double(name, "stack_pages_mean", r->c.stack_pages_mean, v[i].mean);
		free(r);

		/* 100 was born with the 2 pages of its first HWM, and grew to 3 */
		if (ks_grid_create(&eng, &(const char *){ "rfc" }, 1, &m, &err))
			exit(1);
		ks_grid_feed(eng, evs, n);
		if (ks_grid_task_pages(eng, 0, 100, &tp)) {
			printf("FAIL %s: 100 is not live\n", name);
			g_failures++;
		} else {
			check_u64(name, "born", tp.born, 2);
			check_u64(name, "mapped", tp.mapped, 3);
			check_u64(name, "missed", !!(tp.flags & KS_TP_MISSED),
				  strcmp(v[i].name, "snap0") != 0);
		}
		ks_grid_free(eng);
		check_grid(name, evs, n, 10 * MS);

		if (!strcmp(v[i].name, "next")) {
			struct expect w[] = {
				{ "faults", 1 }, { "pool_hits", 1 }, { "charges", 1 },
				{ "kernel_stack_kb_end", 12 }, { "pool_pages_end", 3 },
				{ "stack_pages_end", 3 },
			};

			r = run("watermark", &m, evs, n, 10 * MS);
			check_counters("first_seen_next_watermark", r, w, N(w));
			free(r);
		}
	}
}

/*
 * First seen as prev with a HWM: created at t1 with the 2 pages of HWM 6000
 * (adopted at birth, kstack 8, dyn 4); t3 SW 0 -> 100; t4 SW 100 -> 0 hwm
 * 9000: 1 fault, refill as above.  The same counters as the variants above
 * (faults 1, kstack 12, dyn 8, charges 1, maps 1, pool 3); mean over
 * [0, 10]: 2 pages from t1, 3 from t4: (2 x 3 + 3 x 6) / 10 = 2.4.
 */
static void test_first_seen_prev(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_sw(1 * MS, 0, 100, 0, 6000, 1),
		ev_sw(3 * MS, 0, 0, 100, 0, 0),
		ev_sw(4 * MS, 0, 100, 0, 9000, 1),
	};
	struct expect e[] = {
		{ "faults", 1 }, { "fault_pages", 1 }, { "pool_hits", 1 }, { "charges", 1 },
		{ "maps", 1 }, { "stack_pages_end", 3 }, { "kernel_stack_kb_end", 12 },
		{ "dyn_faults_kb_end", 8 }, { "pool_pages_end", 3 }, { "tasks_end", 1 },
	};
	struct ks_result *r = run("rfc", &m, evs, N(evs), 10 * MS);

	check_counters("first_seen_prev", r, e, N(e));
	check_double("first_seen_prev", "stack_pages_mean", r->c.stack_pages_mean, 2.4);
	free(r);
	check_grid("first_seen_prev", evs, N(evs), 10 * MS);
}

/*
 * First seen at its EXIT (hwm 6000) on cpu0 at t1: alive before the trace,
 * created with its 2 pages (kstack 8, dyn 4), whose accounting the EXIT
 * drops at once (kstack 0, dyn 0).  t2 SW 100 DEAD hwm 6000: nothing grew;
 * released: the 2-page stack enters cpu0's cache (stack 0, cache 2).
 * exits 1, tasks_end 0, faults 0, maps 0, charges 0; mean 2 x 1 / 10 = 0.2.
 * With an EXIT that scanned nothing (hwm 0) and a dead switch with hwm 6000,
 * the switch-out's HWM is the first known: adopted at the dead switch (an
 * exited task: no charge), then released: the same stack in the cache, no
 * fault; mean 1 page for 1 ms = 0.1.
 */
static void test_first_seen_exit(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_exit(1 * MS, 0, 100, 6000),
		ev_sw(2 * MS, 0, 100, 0, 6000, 2),
	};
	struct ks_event evs0[] = {
		ev_exit(1 * MS, 0, 100, 0),
		ev_sw(2 * MS, 0, 100, 0, 6000, 2),
	};
	struct expect e[] = {
		{ "faults", 0 }, { "maps", 0 }, { "charges", 0 }, { "exits", 1 },
		{ "tasks_end", 0 }, { "stack_pages_end", 0 }, { "stack_pages_peak", 2 },
		{ "cache_pages_end", 2 }, { "kernel_stack_kb_end", 0 }, { "dyn_faults_kb_end", 0 },
		{ "pool_pages_end", 3 },
	};
	struct ks_result *r;

	r = run("rfc", &m, evs, N(evs), 10 * MS);
	check_counters("first_seen_exit", r, e, N(e));
	check_double("first_seen_exit", "stack_pages_mean", r->c.stack_pages_mean, 0.2);
	free(r);
	r = run("rfc", &m, evs0, N(evs0), 10 * MS);
	check_counters("first_seen_exit_nohwm", r, e, N(e));
	check_double("first_seen_exit_nohwm", "stack_pages_mean", r->c.stack_pages_mean, 0.1);
	free(r);
	check_grid("first_seen_exit", evs, N(evs), 10 * MS);
	check_grid("first_seen_exit_nohwm", evs0, N(evs0), 10 * MS);
}

/*
 * The stop snapshot is the first HWM known.  2 CPUs.
 *   t1 SW cpu0 0 -> 100: 100 (HWM unknown, 1 page) runs on cpu0 until stop.
 *   t2 SW cpu1 0 -> 200; t3 SW cpu1 200 -> 0 hwm 0: 200 (1 page) sleeps,
 *      its HWM still unknown.
 *   t5 STOP 100 hwm 9000: running at stop, but its first HWM: 3 pages
 *      adopted (kstack 12, dyn 8), no fault, no pool page.  (Before: growth
 *      in the final interval: 2 faults from cpu0's pool, pool 4.)
 *   t5 STOP 200 hwm 5000: not running, first HWM: 2 pages adopted (kstack
 *      +8, dyn +4).  (Before: the HWM only rose; 200 kept 1 page.)
 * End: stack 5, kstack 20, dyn 12, pool 6, faults 0, charges 0; task
 * pages: 100 born 3 mapped 3, 200 born 2 mapped 2, neither STOP_GROWN.
 */
static void test_adopt_at_stop(void)
{
	struct ks_machine m = machine(2);
	struct ks_event evs[] = {
		ev_sw(1 * MS, 0, 0, 100, 0, 0),
		ev_sw(2 * MS, 1, 0, 200, 0, 0),
		ev_sw(3 * MS, 1, 200, 0, 0, 1),
		ev_stop(5 * MS, 1, 100, 9000),
		ev_stop(5 * MS, 1, 200, 5000),
	};
	struct expect e[] = {
		{ "faults", 0 }, { "pool_hits", 0 }, { "charges", 0 }, { "maps", 0 },
		{ "stack_pages_end", 5 }, { "kernel_stack_kb_end", 20 },
		{ "dyn_faults_kb_end", 12 }, { "pool_pages_end", 6 },
	};
	static const uint32_t tid[2] = { 100, 200 }, pages[2] = { 3, 2 };
	struct ks_error err = { 0 };
	struct ks_result *r = calloc(1, sizeof(*r));
	struct ks_task_pages tp;
	struct ks_grid *eng;
	size_t i;

	if (!r || ks_grid_create(&eng, &(const char *){ "rfc" }, 1, &m, &err))
		exit(1);
	ks_grid_feed(eng, evs, N(evs));
	ks_grid_finish(eng, 10 * MS, r);
	check_counters("adopt_at_stop", r, e, N(e));
	for (i = 0; i < 2; i++) {
		if (ks_grid_task_pages(eng, 0, tid[i], &tp)) {
			printf("FAIL adopt_at_stop: %u is not live\n", tid[i]);
			g_failures++;
			continue;
		}
		check_u64("adopt_at_stop", "born", tp.born, pages[i]);
		check_u64("adopt_at_stop", "mapped", tp.mapped, pages[i]);
		check_u64("adopt_at_stop", "stop grown", tp.flags & KS_TP_STOP_GROWN, 0);
	}
	ks_grid_free(eng);
	free(r);
}

/*
 * Growth seen only at EXIT, with the dead switch in the trace.  One CPU.
 *   t0 SNAP 100 hwm 1000: 1 page (kstack 4).
 *   t1 NEW 200 (parent 100): a fresh page (maps 1, charges 1, kstack 8).
 *   t2 SW 200 -> 100 hwm 2000; t3 SW 100 -> 200 hwm 1000: nothing grows.
 *   t4 EXIT 200 hwm 10000: 3 pages, it holds 1: it faulted twice before
 *      do_exit, here: slots 0 and 1 taken (TTP, pool 1), maps 2, stack 4.
 *      Then do_exit's accounting: 200's 1 charged page drops (kstack 4).
 *   t6 SW 200 -> 100 DEAD hwm 10000: nothing new grows; the refill owed
 *      since t4 runs: slots 0 and 1 charged to 200 (charges 3, kstack 12,
 *      dyn 8) and refilled (allocs 1, 2); slot 2 holds a page: stop.  Then
 *      the release drops those charges (kstack 4, dyn 0) and caches the
 *      3-page stack (stack 1, cache 3).
 *   end t10.
 * faults 2, fault_pages 2, pool_hits 2, refills 1, refill_pages 2, charges
 * 3, maps 3, stack end 1, peak 4, kstack 4, pool 3, cache 3.
 * stack mean: 1 [0,1), 2 [1,4), 4 [4,6), 1 [6,10): (1 + 6 + 8 + 4) / 10 =
 * 1.9; pool mean: 3, but 1 over [4,6): (12 + 2 + 12) / 10 = 2.6.  (Before:
 * the faults at t6, stack mean 1.5, pool mean 3.)
 * Preempted after its EXIT (t5 SW 200 -> 100 running, t5.5 SW 100 -> 200,
 * then the dead switch at t6): the refill runs at t5, its first switch-out:
 * pool mean (12 + 1 + 15) / 10 = 2.8; the rest as above.
 * pool=1: at t4 the first fault takes the only slot, the second finds none:
 * a would-be crash at t4 (tid 200, cpu 0, 1 page), the stack grows anyway;
 * faults 2, fault_pages 1, refill at t6 charges 1.  (Before: at t6.)
 * watermark (pool 4, low 2): at t4 the two faults take pages (pool 3, 2:
 * not below low) and charge them (kstack 16 for an instant, then the EXIT
 * drops 200's 3 pages: 4); at t6 the release returns the 2 pages above
 * prealloc to the pool (4).  faults 2, charges 3; pool mean (16 + 4 + 16)
 * / 10 = 3.6 (before: 4).
 * arm64, hwm 16384 at EXIT instead: the stack base was reached before
 * do_exit: the overflow crash is recorded at t4.
 */
static void test_exit_growth_dead_switch(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_new(1 * MS, 0, 200, 100),
		ev_sw(2 * MS, 0, 200, 100, 2000, 1),
		ev_sw(3 * MS, 0, 100, 200, 1000, 1),
		ev_exit(4 * MS, 0, 200, 10000),
		ev_sw(6 * MS, 0, 200, 100, 10000, 2),
	};
	struct ks_event pre[] = {
		ev_snap(0, 0, 100, 1000),
		ev_new(1 * MS, 0, 200, 100),
		ev_sw(2 * MS, 0, 200, 100, 2000, 1),
		ev_sw(3 * MS, 0, 100, 200, 1000, 1),
		ev_exit(4 * MS, 0, 200, 10000),
		ev_sw(5 * MS, 0, 200, 100, 10000, 0),
		ev_sw(5500000, 0, 100, 200, 1000, 0),
		ev_sw(6 * MS, 0, 200, 100, 10000, 2),
	};
	struct expect e[] = {
		{ "faults", 2 }, { "fault_pages", 2 }, { "pool_hits", 2 }, { "refills", 1 },
		{ "refill_pages", 2 }, { "alloc_attempts", 2 }, { "charges", 3 }, { "maps", 3 },
		{ "stack_pages_end", 1 }, { "stack_pages_peak", 4 }, { "kernel_stack_kb_end", 4 },
		{ "dyn_faults_kb_end", 0 }, { "pool_pages_end", 3 }, { "cache_pages_end", 3 },
		{ "exits", 1 }, { "tasks_end", 1 }, { "crashes", 0 },
	};
	struct expect e1[] = {
		{ "faults", 2 }, { "fault_pages", 1 }, { "pool_hits", 1 }, { "crashes", 1 },
		{ "charges", 2 }, { "pool_pages_end", 1 }, { "cache_pages_end", 3 },
	};
	struct expect w[] = {
		{ "faults", 2 }, { "pool_hits", 2 }, { "charges", 3 }, { "kernel_stack_kb_end", 4 },
		{ "pool_pages_end", 4 }, { "stack_pages_end", 1 }, { "refills", 0 },
	};
	struct ks_result *r;

	r = run("rfc", &m, evs, N(evs), 10 * MS);
	check_counters("exit_growth_dead", r, e, N(e));
	check_double("exit_growth_dead", "stack_pages_mean", r->c.stack_pages_mean, 1.9);
	check_double("exit_growth_dead", "pool_pages_mean", r->c.pool_pages_mean, 2.6);
	free(r);
	check_grid("exit_growth_dead", evs, N(evs), 10 * MS);

	r = run("rfc", &m, pre, N(pre), 10 * MS);
	check_counters("exit_growth_preempted", r, e, N(e));
	check_double("exit_growth_preempted", "pool_pages_mean", r->c.pool_pages_mean, 2.8);
	free(r);
	check_grid("exit_growth_preempted", pre, N(pre), 10 * MS);

	r = run("rfc:pool=1", &m, evs, N(evs), 10 * MS);
	check_counters("exit_growth_pool1", r, e1, N(e1));
	check_u64("exit_growth_pool1", "nr_crashes", r->nr_crashes, 1);
	check_u64("exit_growth_pool1", "crash time", r->crashes[0].time, 4 * MS);
	check_u64("exit_growth_pool1", "crash tid", r->crashes[0].tid, 200);
	check_u64("exit_growth_pool1", "crash pages", r->crashes[0].pages_needed, 1);
	free(r);

	r = run("watermark", &m, evs, N(evs), 10 * MS);
	check_counters("exit_growth_watermark", r, w, N(w));
	check_double("exit_growth_watermark", "pool_pages_mean", r->c.pool_pages_mean, 3.6);
	free(r);

	evs[4].hwm = 16384;
	evs[5].hwm = 16384;
	r = run("rfc:entry_model=arm64", &m, evs, N(evs), 10 * MS);
	check_u64("exit_growth_arm64", "overflows", r->c.overflows, 1);
	check_u64("exit_growth_arm64", "nr_crashes", r->nr_crashes, 1);
	check_u64("exit_growth_arm64", "crash reason", r->crashes[0].reason, KS_CRASH_OVERFLOW);
	check_u64("exit_growth_arm64", "crash time", r->crashes[0].time, 4 * MS);
	free(r);
}

/*
 * Growth seen only at EXIT, released by FREE with no dead switch in the
 * trace.  2 CPUs, pools of 3 slots each (6 pages).
 *   t0 SNAP 100 hwm 1000 on cpu0 (kstack 4).
 *   t1 NEW 200 on cpu0: a fresh page (maps 1, charges 1, kstack 8).
 *   t4 EXIT 200 on cpu0 hwm 10000: 2 faults before do_exit from cpu0's pool
 *      (TTP; pools 4), maps 3, 200 holds 3 pages (stack 4); its 1 charged
 *      page drops (kstack 4).
 *   t6 FREE 200 on cpu1: the dead switch (on cpu0, right after do_exit) is
 *      not in the trace, but came before: the refill it owed runs now on
 *      cpu0, charging 2 pages to 200 (charges 3) and refilling both (pools
 *      6, refills 1, refill_pages 2); the release drops those charges and
 *      puts the 3-page stack in cpu1's cache (stack 1, cache 3).
 *   t7 NEW 300 on cpu1: inherits that stack: 3 pages charged (charges 6,
 *      kstack 16, dyn 8), inherited_pages 2, cache 0, stack 4.
 *   end t10.
 * faults 2, fault_pages 2, pool_hits 2, maps 3, inherited 2, stack end 4,
 * peak 4, pool 6, exits 1, tasks 2, forks 2.  stack mean: 1 [0,1), 2
 * [1,4), 4 [4,6), 1 [6,7), 4 [7,10): (1 + 6 + 8 + 1 + 12) / 10 = 2.8; pool
 * mean (24 + 8 + 24) / 10 = 5.6.  (Before: the growth was never applied:
 * faults 0, inherited 0, 300 inherits 1 page: kstack 8, stack 2.  Had the
 * refill run on cpu1 it would have charged nothing and left cpu0's slots
 * taken: pool 4, charges 4.)
 */
static void test_exit_growth_free(void)
{
	struct ks_machine m = machine(2);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_new(1 * MS, 0, 200, 100),
		ev_exit(4 * MS, 0, 200, 10000),
		ev_free(6 * MS, 1, 200),
		ev_new(7 * MS, 1, 300, 100),
	};
	struct expect e[] = {
		{ "faults", 2 }, { "fault_pages", 2 }, { "pool_hits", 2 }, { "maps", 3 },
		{ "refills", 1 }, { "refill_pages", 2 }, { "charges", 6 },
		{ "inherited_pages", 2 }, { "stack_pages_end", 4 }, { "stack_pages_peak", 4 },
		{ "kernel_stack_kb_end", 16 }, { "dyn_faults_kb_end", 8 },
		{ "pool_pages_end", 6 }, { "cache_pages_end", 0 }, { "exits", 1 },
		{ "tasks_end", 2 }, { "forks", 2 }, { "crashes", 0 },
	};
	struct ks_result *r = run("rfc", &m, evs, N(evs), 10 * MS);

	check_counters("exit_growth_free", r, e, N(e));
	check_double("exit_growth_free", "stack_pages_mean", r->c.stack_pages_mean, 2.8);
	check_double("exit_growth_free", "pool_pages_mean", r->c.pool_pages_mean, 5.6);
	free(r);
	check_grid_on("exit_growth_free", evs, N(evs), 10 * MS, 2);
}

int main(void)
{
	test_first_seen();
	test_first_seen_prev();
	test_first_seen_exit();
	test_adopt_at_stop();
	test_exit_growth_dead_switch();
	test_exit_growth_free();
	if (g_failures)
		printf("%d failure(s)\n", g_failures);
	return g_failures ? 1 : 0;
}
