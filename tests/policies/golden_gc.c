// SPDX-License-Identifier: MIT
/*
 * Golden tests of gc (Laight's D4: rfc plus a periodic collector of the
 * pages below the saved stack pointer of tasks asleep longer than idle,
 * faulted back from the per-CPU pool), worked out by hand from the rules
 * in engine/policy_gc.c and policy_rfc.c.
 *
 * 4 KiB pages, 16 KiB stacks (4 pages), prealloc 1.  pages(b) = max(1,
 * ceil(b / 4096)).  Times in ms.
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
 * Two CPUs, period 20 ms, idle 15 ms, pools of 3 (full), access=hwm.
 *   t0  SNAP 100 hwm 9000 depth 3000: 3 pages, frames 1.
 *       SNAP 200 hwm 5000 depth 2000: 2 pages, frames 1.
 *   t10 SW cpu0 -> 100.  t12 SW cpu0 100 (hwm 9000, depth 3000) ->.
 *   t20 pass: 100 asleep 8 ms: kept.  200 asleep 20 ms (since the start):
 *       page 1 reclaimed (at 20).  A shootdown, 1 IPI.
 *   t40 pass: 100 asleep 28 ms: pages 1, 2 reclaimed (at 40).  Shootdown.
 *   t50 SW cpu1 -> 100.  t55 SW cpu1 100 (hwm 9000, depth 3000) ->: the
 *       interval needs 3 pages (hwm): pages 1, 2 refault (15 ms each), two
 *       faults from pool 1 (1 left); the refill at this switch-out charges
 *       both slots and refills them (2 allocations), then stops at slot 2,
 *       not taken (quirk_refill).
 *   t60 pass: 100 asleep 5 ms, 200 holds only its frames: nothing, no flush.
 *   t65 SW cpu0 -> 200.  t70 SW cpu0 200 (hwm 5000, depth 2000) ->: page 1
 *       refaults (50 ms): one fault from pool 0, refilled (1 allocation).
 *   end t79.
 * reclaim_passes 3, reclaimed 3 = unmaps, tlb_flushes 2 = tlb_shootdowns =
 * ipis, refaults 3, refault_delay_ns 80 ms, max 50 ms, faults 3 = maps =
 * pool_hits, refills 2, refill_pages 3 = alloc_attempts = charges; faults
 * are not switch-path pages: switch_alloc_pages 0.  End: stacks 3 + 2 = 5,
 * pools 6; charged 3 - 2 + 2 and 2 - 1 + 1: kernel_stack 20 KiB, dynamic 2
 * + 1 pages = 12 KiB.
 * Stack: 100: 3 [0, 40), 1 [40, 55), 3 [55, 79) = 207 page-ms; 200: 2 [0,
 * 20), 1 [20, 70), 2 [70, 79) = 108: mean 315 / 79.
 * access=depth: a woken task needs back only its switch-out depth (1 page
 * here): no refault, no fault; stacks 1 + 1 at the end; 100: 3 [0, 40), 1
 * after = 159, 200: 40 + 59 = 99: mean 258 / 79 (below hwm's: the pair
 * bounds the design).
 * shootdown=local: 2 local flushes, no shootdown.
 */
static void test_collect(void)
{
	struct ks_machine m = machine(2);
	struct ks_event evs[] = {
		snap_d(0, 100, 9000, 3000), snap_d(0, 200, 5000, 2000),
		sw_d(10 * MS, 0, 0, 100, 0, 0),
		sw_d(12 * MS, 0, 100, 0, 9000, 3000),
		sw_d(50 * MS, 1, 0, 100, 0, 0),
		sw_d(55 * MS, 1, 100, 0, 9000, 3000),
		sw_d(65 * MS, 0, 0, 200, 0, 0),
		sw_d(70 * MS, 0, 200, 0, 5000, 2000),
	};
	struct expect e[] = {
		{ "reclaim_passes", 3 }, { "reclaimed_pages", 3 }, { "unmaps", 3 },
		{ "tlb_flushes", 2 }, { "tlb_shootdowns", 2 }, { "ipis", 2 },
		{ "tlb_local_flushes", 0 }, { "refaults", 3 }, { "refault_delay_ns", 80 * MS },
		{ "refault_delay_max_ns", 50 * MS }, { "faults", 3 }, { "maps", 3 },
		{ "pool_hits", 3 }, { "refills", 2 }, { "refill_pages", 3 },
		{ "alloc_attempts", 3 }, { "charges", 3 }, { "switch_alloc_pages", 0 },
		{ "switch_free_pages", 0 }, { "crashes", 0 }, { "stack_pages_end", 5 },
		{ "pool_pages_end", 6 }, { "kernel_stack_kb_end", 20 }, { "dyn_faults_kb_end", 12 },
	};
	struct expect d[] = {
		{ "reclaimed_pages", 3 }, { "refaults", 0 }, { "faults", 0 },
		{ "stack_pages_end", 2 }, { "reclaim_passes", 3 },
	};
	struct expect l[] = {
		{ "tlb_flushes", 2 }, { "tlb_local_flushes", 2 }, { "tlb_shootdowns", 0 },
		{ "ipis", 0 },
	};
	struct ks_result *r;

	r = run("gc:period=20000000,idle=15000000", &m, evs, N(evs), 79 * MS);
	check_counters("collect", r, e, N(e));
	check_double("collect", "stack_pages_mean", r->c.stack_pages_mean, 315.0 / 79);
	free(r);
	r = run("gc:period=20000000,idle=15000000,access=depth", &m, evs, N(evs), 79 * MS);
	check_counters("collect_depth", r, d, N(d));
	check_double("collect_depth", "stack_pages_mean", r->c.stack_pages_mean, 258.0 / 79);
	free(r);
	r = run("gc:period=20000000,idle=15000000,shootdown=local", &m, evs, N(evs), 79 * MS);
	check_counters("collect_local", r, l, N(l));
	free(r);
}

/*
 * One CPU, period 20 ms, idle 10 ms, a pool of one slot.
 *   t0  SNAP 100 hwm 9000 depth 3000: 3 pages, frames 1.
 *   t20 pass: asleep 20 ms: pages 1, 2 reclaimed (at 20); one CPU: a local
 *       flush.
 *   t30 SW -> 100.  t35 SW 100 (hwm 13000: rose, needs 4; depth 3000) ->:
 *       growth: pages 1, 2 refault (15 ms each); the first fault takes the
 *       pool's page, the second finds it empty: a would-be crash (t35, 100,
 *       2 pages left), mapped anyway; the refill charges and refills the
 *       slot.
 *   end t39.
 * passes 1, reclaimed 2, tlb_local_flushes 1, refaults 2, delay 30 ms, max
 * 15, faults 2, fault_pages 1, crashes 1, pool_hits 1, refills 1,
 * refill_pages 1, charges 1, stack 4, pool 1; charged 3 - 2 + 1 = 2 pages
 * (8 KiB), dynamic 1 (the pages of the crash are never charged).
 * idle=20ms: asleep exactly 20 ms at the pass is not longer than idle:
 * nothing reclaimed; the rise maps 1 page from the pool: faults 1, no
 * crash, no refault.
 */
static void test_crash(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		snap_d(0, 100, 9000, 3000),
		sw_d(30 * MS, 0, 0, 100, 0, 0),
		sw_d(35 * MS, 0, 100, 0, 13000, 3000),
	};
	struct expect e[] = {
		{ "reclaim_passes", 1 }, { "reclaimed_pages", 2 }, { "tlb_local_flushes", 1 },
		{ "refaults", 2 }, { "refault_delay_ns", 30 * MS },
		{ "refault_delay_max_ns", 15 * MS },
		{ "faults", 2 }, { "fault_pages", 1 }, { "crashes", 1 }, { "pool_hits", 1 },
		{ "refills", 1 }, { "refill_pages", 1 }, { "charges", 1 }, { "stack_pages_end", 4 },
		{ "pool_pages_end", 1 }, { "kernel_stack_kb_end", 8 }, { "dyn_faults_kb_end", 4 },
	};
	struct expect i[] = {
		{ "reclaimed_pages", 0 }, { "faults", 1 }, { "crashes", 0 }, { "refaults", 0 },
		{ "stack_pages_end", 4 },
	};
	struct ks_result *r;

	r = run("gc:period=20000000,idle=10000000,pool=1", &m, evs, N(evs), 39 * MS);
	check_counters("crash", r, e, N(e));
	check_u64("crash", "records", r->nr_crashes, 1);
	if (r->nr_crashes == 1) {
		check_u64("crash", "time", r->crashes[0].time, 35 * MS);
		check_u64("crash", "tid", r->crashes[0].tid, 100);
		check_u64("crash", "pages", r->crashes[0].pages_needed, 2);
		check_u64("crash", "reason", r->crashes[0].reason, KS_CRASH_POOL_EMPTY);
	}
	free(r);
	r = run("gc:period=20000000,idle=20000000,pool=1", &m, evs, N(evs), 39 * MS);
	check_counters("idle_boundary", r, i, N(i));
	free(r);
}

/* gc needs stack depths (the saved stack pointer); bad keys are named. */
static void test_params(void)
{
	struct ks_machine m = machine(1);
	struct ks_error err = { 0 };

	check_u64("params", "defaults", (uint64_t)ks_spec_check("gc", &m, &err), 0);
	check_u64("params", "period 0", (uint64_t)-ks_spec_check("gc:period=0", &m, &err),
		  KS_E_PARAM);
	if (!strstr(err.detail, "'period'"))
		printf("FAIL params: %s\n", err.detail), g_failures++;
	check_u64("params", "quirk_nr_pages",
		  (uint64_t)-ks_spec_check("gc:quirk_nr_pages=1", &m, &err), KS_E_PARAM);
	if (!strstr(err.detail, "'quirk_nr_pages'"))
		printf("FAIL params: %s\n", err.detail), g_failures++;
	m.depth_known = false;
	check_u64("params", "no depth", (uint64_t)-ks_spec_check("gc", &m, &err), KS_E_DEPTH);
	check_u64("params", "sp-reclaim no depth",
		  (uint64_t)-ks_spec_check("sp-reclaim", &m, &err), KS_E_DEPTH);
}

int main(void)
{
	test_collect();
	test_crash();
	test_params();
	return g_failures ? 1 : 0;
}
