// SPDX-License-Identifier: MIT
/*
 * Golden tests of abit (Lutomirski 2024, Hansen 2026, D3: the whole stack
 * mapped at switch-in, pages whose accessed bit stays clear reclaimed),
 * worked out by hand from the rules in engine/policy_abit.c.
 *
 * 4 KiB pages, 16 KiB stacks (4 pages), prealloc 1, pools of 3 (full at
 * start).  need(b) = max(1, ceil(b / 4096)).  A task's "frames" are the
 * pages down to its saved stack pointer, never reclaimed.  Times in ms.
 */
#include "golden_util.h"

static struct ks_event snap_d(uint64_t t, uint32_t tid, uint32_t hwm, uint32_t depth)
{
	struct ks_event e = ev_snap(t, 0, tid, hwm);

	e.depth = depth;
	return e;
}

static struct ks_event sw_d(uint64_t t, uint32_t cpu, uint32_t prev, uint32_t next, uint32_t hwm,
			    uint32_t depth)
{
	struct ks_event e = ev_sw(t, cpu, prev, next, hwm, 1);

	e.depth = depth;
	return e;
}

/*
 * latch=1, reclaim=switch, two CPUs (shootdown=all: 1 IPI a flush).
 *   t0  SNAP 100 hwm 5000 depth 3000: its HWM's 2 pages (latched), frames 1.
 *   t10 SW cpu0 -> 100: 2 missing, from pool 0 (1 left): maps 2.
 *   t20 SW cpu0 100 (hwm 5000, depth 3000) ->: pages 2, 3 not latched:
 *       2 checks, bits clear (the HWM needs 2) -> reclaimed (at 20) into
 *       pool 0 (3); a shootdown.
 *   t30 SW cpu1 -> 100: 2 missing, from pool 1 (1 left).
 *   t40 SW cpu1 100 (hwm 9000: needs 3, depth 3000) ->: the interval used 3
 *       pages: page 2, reclaimed at 20, refaults after 20 ms.  Checks of
 *       pages 2, 3: page 2 set (latched: 3), page 3 clear -> reclaimed (at
 *       40) into pool 1 (2); a shootdown.
 *   t50 SW cpu0 -> 100: 1 missing, from pool 0 (2 left).
 *   t60 SW cpu0 100 (hwm 9000, depth 3000) ->: uses 3 pages, page 3 is not
 *       among them: no refault.  1 check (page 3), clear: reclaimed (at 60)
 *       into pool 0 (3); a shootdown.
 *   end t70.
 * maps 5 = switch_alloc_pages, reclaimed 4 = unmaps = switch_free_pages,
 * abit_checks 2 + 2 + 1 = 5, pte_writes 9 (latch=1 clears no bit),
 * tlb_flushes 3 = tlb_shootdowns = ipis, refaults 1, delay 20 ms (sum and
 * max), pool_hits 5, no allocation, stack end 3, pools 3 + 2 = 5; kernel
 * stack 2 + 2 - 2 + 2 - 1 + 1 - 1 = 3 pages = 12 KiB, dynamic 2 pages.
 * Stack pages: 2, 4, 2, 4, 3, 4, 3 for 10 ms each: 220 page-ms, mean
 * 22/7; running 3 x 10 ms with 4 pages: asleep 220 - 120 = 100 page-ms.
 * rfc:quirk_cache_keep=0 holds 2 pages, then 3 from t40: mean 17/7 (below
 * abit's: abit maps everything while a task runs, keeps what it touched).
 */
static void test_latch_switch(void)
{
	struct ks_machine m = machine(2);
	struct ks_event evs[] = {
		snap_d(0, 100, 5000, 3000),
		sw_d(10 * MS, 0, 0, 100, 0, 0),
		sw_d(20 * MS, 0, 100, 0, 5000, 3000),
		sw_d(30 * MS, 1, 0, 100, 0, 0),
		sw_d(40 * MS, 1, 100, 0, 9000, 3000),
		sw_d(50 * MS, 0, 0, 100, 0, 0),
		sw_d(60 * MS, 0, 100, 0, 9000, 3000),
	};
	struct expect e[] = {
		{ "maps", 5 }, { "switch_alloc_pages", 5 }, { "reclaimed_pages", 4 },
		{ "unmaps", 4 }, { "switch_free_pages", 4 }, { "abit_checks", 5 },
		{ "pte_writes", 9 }, { "tlb_flushes", 3 }, { "tlb_shootdowns", 3 }, { "ipis", 3 },
		{ "tlb_local_flushes", 0 }, { "refaults", 1 }, { "refault_delay_ns", 20 * MS },
		{ "refault_delay_max_ns", 20 * MS }, { "pool_hits", 5 }, { "alloc_attempts", 0 },
		{ "stack_pages_end", 3 }, { "pool_pages_end", 5 }, { "kernel_stack_kb_end", 12 },
		{ "dyn_faults_kb_end", 8 }, { "asleep_page_ns", 100 * MS }, { "reclaim_passes", 0 },
		{ "faults", 0 }, { "admission_waits", 0 },
	};
	struct ks_result *r = run("abit:reclaim=switch", &m, evs, N(evs), 70 * MS);

	check_counters("latch_switch", r, e, N(e));
	check_double("latch_switch", "stack_pages_mean", r->c.stack_pages_mean, 220.0 / 70);
	free(r);
	r = run("rfc:quirk_cache_keep=0", &m, evs, N(evs), 70 * MS);
	check_double("latch_switch_rfc", "stack_pages_mean", r->c.stack_pages_mean, 170.0 / 70);
	free(r);
}

/*
 * latch=1, reclaim=shrinker, period 25 ms, one CPU (a shootdown reaches no
 * other CPU: a local flush).
 *   t0  SNAP 100 hwm 5000 depth 3000: 2 pages (latched), frames 1.
 *       SNAP 200 hwm 1000 depth 500: 1 page (latched), frames 1.
 *   t10 SW -> 100: 2 from the pool (1 left).
 *   t20 SW 100 (hwm 5000, depth 3000) -> 200: no check at switch-out.  200
 *       misses 3: 1 from the pool (0 left), 2 allocations.
 *   t25 pass: 100 (asleep): 2 checks (pages 2, 3), clear: reclaimed (at 25)
 *       into the pool (2).  200 runs: skipped.  One local flush.
 *   t30 SW 200 (hwm 6000, depth 2000) -> 100: 100 misses 2, from the pool
 *       (0 left).
 *   t40 SW 100 (hwm 13000: needs 4, depth 5000) ->: pages 2, 3 used again:
 *       2 refaults, 15 ms each.
 *   t50 pass: 100: 2 checks, both set (its HWM needs 4): latched 4,
 *       nothing reclaimed.  200: pages 1..3 not latched: 3 checks, page 1
 *       set (HWM 6000 needs 2), pages 2, 3 clear: reclaimed (at 50) into
 *       the pool (2).  One local flush.
 *   end t60 (the next pass, t75, is after the end).
 * maps 2 + 3 + 2 = 7 = switch_alloc_pages, pool_hits 5, alloc_attempts 2,
 * reclaimed 4 = unmaps, switch_free_pages 0 (passes are not on the switch
 * path), abit_checks 7, pte_writes 11, reclaim_passes 2, tlb_local_flushes
 * 2, refaults 2, delay 30 ms, max 15 ms, stack end 4 + 2, pool end 2.
 * Stack: 100: 2, 4 [10, 25), 2 [25, 30), 4 [30, 60) = 210 page-ms; 200: 1
 * [0, 20), 4 [20, 50), 2 [50, 60) = 160: mean 370 / 60.  Running 100 [10,
 * 20) and [30, 40), 200 [20, 30), 4 pages each: asleep 370 - 120 = 250.
 * fail_windows=0.015-0.022: 200's allocation at 20 fails, the task waits:
 * the retry at 20.02 fails inside the window, the next at 22.02 gets both:
 * alloc_attempts 4, alloc_failures 2, admission_waits 1, admission_wait_ns
 * 2.02 ms.
 */
static void test_latch_shrinker(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		snap_d(0, 100, 5000, 3000), snap_d(0, 200, 1000, 500),
		sw_d(10 * MS, 0, 0, 100, 0, 0),
		sw_d(20 * MS, 0, 100, 200, 5000, 3000),
		sw_d(30 * MS, 0, 200, 100, 6000, 2000),
		sw_d(40 * MS, 0, 100, 0, 13000, 5000),
	};
	struct expect e[] = {
		{ "maps", 7 }, { "switch_alloc_pages", 7 }, { "pool_hits", 5 },
		{ "alloc_attempts", 2 }, { "reclaimed_pages", 4 }, { "unmaps", 4 },
		{ "switch_free_pages", 0 }, { "abit_checks", 7 }, { "pte_writes", 11 },
		{ "reclaim_passes", 2 }, { "tlb_local_flushes", 2 }, { "tlb_shootdowns", 0 },
		{ "refaults", 2 }, { "refault_delay_ns", 30 * MS },
		{ "refault_delay_max_ns", 15 * MS }, { "stack_pages_end", 6 },
		{ "pool_pages_end", 2 }, { "asleep_page_ns", 250 * MS }, { "admission_waits", 0 },
	};
	struct expect w[] = {
		{ "alloc_attempts", 4 }, { "alloc_failures", 2 }, { "admission_waits", 1 },
		{ "admission_wait_ns", 2020000 }, { "crashes", 0 }, { "stack_pages_end", 6 },
	};
	struct ks_result *r = run("abit:period=25000000", &m, evs, N(evs), 60 * MS);

	check_counters("latch_shrinker", r, e, N(e));
	check_double("latch_shrinker", "stack_pages_mean", r->c.stack_pages_mean, 370.0 / 60);
	free(r);
	r = run("abit:period=25000000,fail_windows=0.015-0.022", &m, evs, N(evs), 60 * MS);
	check_counters("latch_shrinker_wait", r, w, N(w));
	free(r);
}

/*
 * latch=0, reclaim=shrinker, period 20 ms, one CPU: access=depth against
 * access=hwm.
 *   t0  SNAP 100 hwm 9000 depth 3000: 3 pages, bits set, frames 1.
 *   t10 SW -> 100: 1 from the pool (2 left).
 *   t15 SW 100 (hwm 9000, depth 3000) ->: the interval touched 1 page
 *       (depth) or 3 (hwm); the bits of the 3 pages it holds from the start
 *       are set anyway.
 *   t20 pass: 4 checks; 3 set (cleared: 3 PTE writes), page 3 clear:
 *       reclaimed (at 20) into the pool (3).  Local flush.
 *   t40 pass: 3 checks, none set: everything below the frames (pages 1, 2)
 *       reclaimed (at 40); the pool is full: freed.  Local flush.
 *   t50 SW -> 100: 3 from the pool (0 left).
 *   t55 SW 100 (hwm 9000, depth 6000: frames 2) ->:
 *       depth: touched 2 pages: page 1 refaults (15 ms).
 *       hwm: touched 3: pages 1, 2 refault (15 ms each).
 *   t60 pass: 4 checks;
 *       depth: 2 set (cleared), keep 2: pages 2, 3 reclaimed.
 *       hwm: 3 set, keep 3: page 3 reclaimed.
 *   end t70.
 * depth: maps 4, reclaimed 1 + 2 + 2 = 5, abit_checks 11, cleared 3 + 0 +
 * 2 = 5, pte_writes 4 + 5 + 5 = 14, refaults 1 (15 ms), passes 3, local
 * flushes 3, stack end 2; stack 3, 4, 3, 1, 4, 2 over [0, 10, 20, 40, 50,
 * 60, 70): 200 page-ms.
 * hwm: reclaimed 1 + 2 + 1 = 4, cleared 3 + 0 + 3 = 6, pte_writes 4 + 4 +
 * 6 = 14, refaults 2 (30 ms, max 15), stack end 3; 210 page-ms (the depth
 * run never holds more: the pair bounds the design).
 */
static void test_reset_shrinker(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		snap_d(0, 100, 9000, 3000),
		sw_d(10 * MS, 0, 0, 100, 0, 0),
		sw_d(15 * MS, 0, 100, 0, 9000, 3000),
		sw_d(50 * MS, 0, 0, 100, 0, 0),
		sw_d(55 * MS, 0, 100, 0, 9000, 6000),
	};
	struct expect d[] = {
		{ "maps", 4 }, { "reclaimed_pages", 5 }, { "abit_checks", 11 },
		{ "pte_writes", 14 }, { "refaults", 1 }, { "refault_delay_ns", 15 * MS },
		{ "refault_delay_max_ns", 15 * MS }, { "reclaim_passes", 3 },
		{ "tlb_local_flushes", 3 }, { "stack_pages_end", 2 },
	};
	struct expect h[] = {
		{ "maps", 4 }, { "reclaimed_pages", 4 }, { "abit_checks", 11 },
		{ "pte_writes", 14 }, { "refaults", 2 }, { "refault_delay_ns", 30 * MS },
		{ "refault_delay_max_ns", 15 * MS }, { "reclaim_passes", 3 },
		{ "tlb_local_flushes", 3 }, { "stack_pages_end", 3 },
	};
	struct ks_result *r;

	r = run("abit:latch=0,access=depth,period=20000000", &m, evs, N(evs), 70 * MS);
	check_counters("reset_depth", r, d, N(d));
	check_double("reset_depth", "stack_pages_mean", r->c.stack_pages_mean, 200.0 / 70);
	free(r);
	r = run("abit:latch=0,access=hwm,period=20000000", &m, evs, N(evs), 70 * MS);
	check_counters("reset_hwm", r, h, N(h));
	check_double("reset_hwm", "stack_pages_mean", r->c.stack_pages_mean, 210.0 / 70);
	free(r);
}

/*
 * latch=0, reclaim=switch, access=depth, one CPU.
 *   t0  SNAP 100 hwm 9000 depth 3000: 3 pages, bits set, frames 1.
 *   t10 SW -> 100: 1 from the pool.
 *   t20 SW 100 (hwm 9000, depth 5000: touched 2, frames 2) ->: 4 checks, 3
 *       set (from the start) and cleared, keep 3: page 3 reclaimed (at 20).
 *   t30 SW -> 100: 1 from the pool.
 *   t40 SW 100 (hwm 9000, depth 3000: touched 1, frames 1) ->: 4 checks, 1
 *       set and cleared: pages 1..3 reclaimed (at 40).
 *   t50 SW -> 100: 3 from the pool.
 *   t60 SW 100 (hwm 13000: rose, needs 4; depth 3000) ->: the rise was
 *       reached in this interval: touched 4: pages 1..3 refault (20 ms
 *       each); 4 checks, 4 set and cleared, nothing reclaimed (no flush).
 *   end t70.
 * maps 5, reclaimed 4 = switch_free_pages, abit_checks 12, pte_writes 5 + 4
 * + (3 + 1 + 4) = 17, local flushes 2, refaults 3, delay 60 ms, max 20,
 * stack end 4.
 */
static void test_reset_switch(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		snap_d(0, 100, 9000, 3000),
		sw_d(10 * MS, 0, 0, 100, 0, 0),
		sw_d(20 * MS, 0, 100, 0, 9000, 5000),
		sw_d(30 * MS, 0, 0, 100, 0, 0),
		sw_d(40 * MS, 0, 100, 0, 9000, 3000),
		sw_d(50 * MS, 0, 0, 100, 0, 0),
		sw_d(60 * MS, 0, 100, 0, 13000, 3000),
	};
	struct expect e[] = {
		{ "maps", 5 }, { "reclaimed_pages", 4 }, { "switch_free_pages", 4 },
		{ "abit_checks", 12 }, { "pte_writes", 17 }, { "tlb_local_flushes", 2 },
		{ "refaults", 3 }, { "refault_delay_ns", 60 * MS },
		{ "refault_delay_max_ns", 20 * MS }, { "stack_pages_end", 4 },
	};
	struct ks_result *r;

	r = run("abit:latch=0,access=depth,reclaim=switch", &m, evs, N(evs), 70 * MS);
	check_counters("reset_switch", r, e, N(e));
	free(r);
}

/*
 * Traces without stack depths: abit needs them only for latch=0 with
 * access=depth (the lower bound); latch=1 and access=hwm replay.
 */
static void test_depth(void)
{
	struct ks_machine m = machine(1);
	struct ks_error err = { 0 };

	m.depth_known = false;
	check_u64("depth", "latch=1", (uint64_t)ks_spec_check("abit", &m, &err), 0);
	check_u64("depth", "access=hwm",
		  (uint64_t)ks_spec_check("abit:latch=0,access=hwm", &m, &err), 0);
	check_u64("depth", "access=depth",
		  (uint64_t)-ks_spec_check("abit:latch=0,access=depth", &m, &err), KS_E_DEPTH);
	check_u64("depth", "period 0", (uint64_t)-ks_spec_check("abit:period=0", &m, &err),
		  KS_E_PARAM);
	if (!strstr(err.detail, "period"))
		printf("FAIL depth: period error names no key: %s\n", err.detail), g_failures++;
}

int main(void)
{
	test_latch_switch();
	test_latch_shrinker();
	test_reset_shrinker();
	test_reset_switch();
	test_depth();
	return g_failures ? 1 : 0;
}
