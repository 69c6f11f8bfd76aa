// SPDX-License-Identifier: MIT
/*
 * Golden tests of sp-reclaim (Gerst's D2: pages below the saved stack
 * pointer are freed at switch-out, the whole stack is populated again
 * before switch-in), worked out by hand from the rules in
 * engine/policy_sp_reclaim.c.
 *
 * 4 KiB pages, 16 KiB stacks (4 pages), prealloc 1.  keep(d) = max(1,
 * ceil((d + margin) / 4096)).  Times in ms.
 */
#include "golden_util.h"

static struct ks_event snap_d(uint64_t t, uint32_t tid, uint32_t hwm, uint32_t depth)
{
	struct ks_event e = ev_snap(t, 0, tid, hwm);

	e.depth = depth;
	return e;
}

static struct ks_event sw_d(uint64_t t, uint32_t cpu, uint32_t prev, uint32_t next, uint32_t hwm,
			    uint32_t depth, uint8_t state)
{
	struct ks_event e = ev_sw(t, cpu, prev, next, hwm, state);

	e.depth = depth;
	return e;
}

/*
 * Two CPUs, pool=2 (pools 2 + 2, level 4), shootdown=all (1 other CPU).
 *   t0  SNAP 100 hwm 9000 depth 5000: keep 2 pages (charged 2, dyn 1).
 *       SNAP 200 hwm 13000, no depth: its HWM's 4 pages (dyn 3).
 *       SNAP 300 hwm 5000 depth 4000: keep 1 page.
 *   t10 SW cpu0 idle -> 100: 2 missing, both from pool 0 (0 left): maps 2.
 *   t20 SW cpu0 100 (depth 4500: keep 2) -> 300: 100 reclaims 2, pool 0 has
 *       room for both (2); one shootdown, 1 IPI.  300 misses 3: 2 from
 *       pool 0 (0 left), 1 from the allocator: maps 3.
 *   t30 SW cpu1 idle -> 200: 200 holds 4: nothing.
 *   t40 SW cpu0 300 (depth 100: keep 1) -> idle: reclaims 3, 2 to pool 0,
 *       1 freed; shootdown, IPI.
 *   t50 SW cpu1 200 (depth 8200: keep 3) -> idle: reclaims 1, pool 1 is
 *       full (2): freed; shootdown, IPI.
 *   t60 SW cpu1 idle -> 100: 2 missing, from pool 1 (0 left): maps 2.
 *   t65 EXIT 100.  t70 SW cpu1 100 -> idle dead: no reclaim; its release
 *       unmaps 4 (not on the switch path).
 *   end t100.
 * maps 2 + 3 + 2 = 7 = switch_alloc_pages; reclaimed 2 + 3 + 1 = 6 =
 * switch_free_pages; unmaps 6 + 4 = 10; pte_writes 17; pool_hits 6;
 * alloc_attempts 1; tlb_flushes 3 = tlb_shootdowns, ipis 3, no local flush;
 * no fault, no crash, no admission wait, no memcg charge.
 * End: 200 holds 3, 300 holds 1: stack 4, kernel_stack 16 KiB; dynamic:
 * 200 3 - 1 = 2 pages, 300 0 + 3 - 3 = 0: 8 KiB.  pool end 2 + 0 = 2.
 * Stack peak: t20 after 300 is populated: 2 + 4 + 4 = 10.
 * Pages held over time (running in brackets): 100: 2 [0..10), 4 [10..20),
 * 2 [20..60), 4 [60..70); 200: 4 [0..50, running 30..50), 3 [50..100);
 * 300: 1 [0..20), 4 [20..40), 1 [40..100).
 * Stack area 180 + 350 + 160 = 690 page-ms: mean 6.9.  Asleep: 100: 20 +
 * 80, 200: 4 x 30 + 3 x 50, 300: 20 + 60: 450 page-ms.
 * rfc on the same trace holds the HWM's pages: 100 3, 200 4, 300 2, asleep
 * 3 x 50 + 4 x 80 + 2 x 80 = 630 page-ms (>= 450: sp-reclaim leaves less
 * to sleeping tasks).
 * shootdown=local: the same but 3 local flushes and no shootdown or IPI.
 */
static void test_two_cpus(void)
{
	struct ks_machine m = machine(2);
	struct ks_event evs[] = {
		snap_d(0, 100, 9000, 5000), snap_d(0, 200, 13000, 0), snap_d(0, 300, 5000, 4000),
		sw_d(10 * MS, 0, 0, 100, 0, 0, 0),
		sw_d(20 * MS, 0, 100, 300, 9000, 4500, 1),
		sw_d(30 * MS, 1, 0, 200, 0, 0, 0),
		sw_d(40 * MS, 0, 300, 0, 5000, 100, 1),
		sw_d(50 * MS, 1, 200, 0, 13000, 8200, 1),
		sw_d(60 * MS, 1, 0, 100, 0, 0, 0),
		ev_exit(65 * MS, 1, 100, 9000),
		sw_d(70 * MS, 1, 100, 0, 9000, 3000, KS_STATE_DEAD),
	};
	struct expect e[] = {
		{ "maps", 7 }, { "switch_alloc_pages", 7 }, { "reclaimed_pages", 6 },
		{ "switch_free_pages", 6 }, { "unmaps", 10 }, { "pte_writes", 17 },
		{ "pool_hits", 6 }, { "alloc_attempts", 1 }, { "tlb_flushes", 3 },
		{ "tlb_shootdowns", 3 }, { "ipis", 3 }, { "tlb_local_flushes", 0 },
		{ "faults", 0 }, { "crashes", 0 }, { "admission_waits", 0 }, { "charges", 0 },
		{ "stack_pages_end", 4 }, { "kernel_stack_kb_end", 16 },
		{ "dyn_faults_kb_end", 8 }, { "pool_pages_end", 2 }, { "stack_pages_peak", 10 },
		{ "asleep_page_ns", 450 * MS }, { "refaults", 0 },
	};
	struct expect local[] = {
		{ "tlb_flushes", 3 }, { "tlb_local_flushes", 3 }, { "tlb_shootdowns", 0 },
		{ "ipis", 0 }, { "reclaimed_pages", 6 },
	};
	struct ks_result *r = run("sp-reclaim:pool=2", &m, evs, N(evs), 100 * MS);

	check_counters("two_cpus", r, e, N(e));
	check_double("two_cpus", "stack_pages_mean", r->c.stack_pages_mean, 6.9);
	free(r);
	r = run("sp-reclaim:pool=2,shootdown=local", &m, evs, N(evs), 100 * MS);
	check_counters("two_cpus_local", r, local, N(local));
	free(r);
	r = run("rfc", &m, evs, N(evs), 100 * MS);
	check_u64("two_cpus_rfc", "asleep_page_ns", r->c.asleep_page_ns, 630 * MS);
	free(r);
}

/*
 * One CPU, pool=0 (allocator only), margin=1000; a fail window 25-40 ms.
 *   t0  SNAP 100 hwm 9000 depth 3000: keep ceil(4000 / 4096) = 1.
 *   t10 SW idle -> 100: 3 missing, 3 allocations.
 *   t20 SW 100 (depth 3500: keep ceil(4500 / 4096) = 2) -> idle: reclaims 2
 *       (freed: no pool); one CPU: a local flush.
 *   t30 SW idle -> 100: 2 missing; the allocation at 30 fails: the task
 *       waits; the retry at 30.02 (alloc_latency 20000 ns) fails inside the
 *       window, so the next one is at its end + 0.02 = 40.02: both pages.
 *   end t50.
 * alloc_attempts 3 + 1 + 1 + 2 = 7, alloc_failures 2, admission_waits 1,
 * admission_wait_ns 10.02 ms, maps 5, reclaimed 2, tlb_local_flushes 1,
 * stack 4, pool 0.
 * margin=0: t20 keeps ceil(3500 / 4096) = 1 and reclaims 3; t30 needs 3:
 * attempts 3 + 1 + 1 + 3 = 8, maps 6, reclaimed 3.
 * No fail window: no wait, attempts 3 + 2 = 5.
 */
static void test_admission(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		snap_d(0, 100, 9000, 3000),
		sw_d(10 * MS, 0, 0, 100, 0, 0, 0),
		sw_d(20 * MS, 0, 100, 0, 9000, 3500, 1),
		sw_d(30 * MS, 0, 0, 100, 0, 0, 0),
	};
	struct expect e[] = {
		{ "alloc_attempts", 7 }, { "alloc_failures", 2 }, { "admission_waits", 1 },
		{ "admission_wait_ns", 10020000 }, { "maps", 5 }, { "reclaimed_pages", 2 },
		{ "tlb_local_flushes", 1 }, { "tlb_shootdowns", 0 }, { "stack_pages_end", 4 },
		{ "pool_pages_end", 0 }, { "pool_hits", 0 }, { "crashes", 0 },
	};
	struct expect e0[] = {
		{ "alloc_attempts", 8 }, { "maps", 6 }, { "reclaimed_pages", 3 },
		{ "admission_waits", 1 }, { "admission_wait_ns", 10020000 },
	};
	struct expect nowin[] = {
		{ "alloc_attempts", 5 }, { "alloc_failures", 0 }, { "admission_waits", 0 },
		{ "admission_wait_ns", 0 },
	};
	struct ks_result *r;

	r = run("sp-reclaim:pool=0,margin=1000,fail_windows=0.025-0.040", &m, evs, N(evs),
		50 * MS);
	check_counters("admission", r, e, N(e));
	free(r);
	r = run("sp-reclaim:pool=0,fail_windows=0.025-0.040", &m, evs, N(evs), 50 * MS);
	check_counters("admission_margin0", r, e0, N(e0));
	free(r);
	r = run("sp-reclaim:pool=0,margin=1000", &m, evs, N(evs), 50 * MS);
	check_counters("admission_no_window", r, nowin, N(nowin));
	free(r);
}

/*
 * One CPU, default pool (3, full), a fork, a switch record without a depth.
 *   t0  SNAP 100 hwm 5000 depth 2000: keep 1.
 *   t5  SW idle -> 100: 3 missing, 3 from the pool (0 left).
 *   t10 NEW 200 (parent 100): prealloc 1 page mapped and charged (memcg).
 *   t15 SW 100 (no depth: keeps its HWM's 2 pages) -> 200: 100 reclaims 2 to
 *       the pool (2), a local flush; 200 misses 3: 2 from the pool, 1 from
 *       the allocator.
 *   t20 EXIT 200.  t25 SW 200 -> 100 dead: 200's release unmaps 4; 100
 *       misses 2: the pool is empty, 2 allocations.
 *   end t30.
 * maps 3 + 1 + 3 + 2 = 9, switch_alloc_pages 3 + 3 + 2 = 8 (the fork's page
 * is not on the switch path), unmaps 2 + 4 = 6, switch_free_pages 2,
 * pool_hits 5, alloc_attempts 3, charges 1, tlb_local_flushes 1, stack 4
 * (100), kernel_stack 16 KiB.
 */
static void test_fork(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		snap_d(0, 100, 5000, 2000),
		sw_d(5 * MS, 0, 0, 100, 0, 0, 0),
		ev_new(10 * MS, 0, 200, 100),
		sw_d(15 * MS, 0, 100, 200, 5000, 0, 1),
		ev_exit(20 * MS, 0, 200, 6000),
		sw_d(25 * MS, 0, 200, 100, 6000, 1000, KS_STATE_DEAD),
	};
	struct expect e[] = {
		{ "maps", 9 }, { "switch_alloc_pages", 8 }, { "unmaps", 6 },
		{ "switch_free_pages", 2 }, { "reclaimed_pages", 2 }, { "pool_hits", 5 },
		{ "alloc_attempts", 3 }, { "charges", 1 }, { "tlb_local_flushes", 1 },
		{ "stack_pages_end", 4 }, { "kernel_stack_kb_end", 16 }, { "faults", 0 },
		{ "pool_pages_end", 0 },
	};
	struct ks_result *r = run("sp-reclaim", &m, evs, N(evs), 30 * MS);

	check_counters("fork", r, e, N(e));
	free(r);
}

int main(void)
{
	test_two_cpus();
	test_admission();
	test_fork();
	return g_failures ? 1 : 0;
}
