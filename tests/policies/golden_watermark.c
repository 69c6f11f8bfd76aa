// SPDX-License-Identifier: MIT
/*
 * Golden tests of watermark (seed 004: pcpu_balance_work keeps free
 * populated pages between PCPU_EMPTY_POP_PAGES_LOW and HIGH; an atomic
 * failure makes the next work populate HIGH; nothing is scheduled before
 * pcpu_async_enabled).  Worked by hand from those rules as written in
 * engine/policy_watermark.c.
 *
 * 4 KiB pages, 16 KiB stacks, prealloc 1, one CPU, low 2, pool (HIGH) 4,
 * latency 5 ms (pool capacity 8).  Times in ms.
 */
#include "golden_util.h"

#define WM "watermark:low=2,pool=4,latency=5000000"

/*
 *   t0  SNAP 100, 200, 300: 1 page each.  pool 4.
 *   t10 SW 100->200 hwm 9000: +2: takes leave 3, 2 (not below 2).
 *   t12 SW 200->300 hwm 5000: +1: take leaves 1 < 2: work for t17.
 *   t14 SW 300->100 hwm 5000: +1: take leaves 0, work already pending.
 *   t17 work: not failed: pool - 0 = 4 allocations: pool 4.
 *   end t20.
 * faults 4, pool_hits 4, charges 4, refills 1, refill_pages 4,
 * refill_latency 5 ms, stack 3+2+2 = 7 pages, kstack 7 pages = 28 KiB.
 * pool mean: 4 x 10 + 2 x 2 + 1 x 2 + 0 x 3 + 4 x 3 = 58 page-ms / 20 = 2.9.
 * fail_windows=0.016-0.018: the work at t17 fails its first allocation and
 * stops: refill_failures 1, refill_pages 0, pool 0.  A window at
 * 0.018-0.019 is after the work: pool 4 as without.
 */
static void test_low(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000), ev_snap(0, 0, 200, 1000), ev_snap(0, 0, 300, 1000),
		ev_sw(10 * MS, 0, 100, 200, 9000, 1),
		ev_sw(12 * MS, 0, 200, 300, 5000, 1),
		ev_sw(14 * MS, 0, 300, 100, 5000, 1),
	};
	struct expect e[] = {
		{ "faults", 4 }, { "pool_hits", 4 }, { "charges", 4 }, { "refills", 1 },
		{ "refill_pages", 4 }, { "refill_latency_ns", 5 * MS }, { "crashes", 0 },
		{ "stack_pages_end", 7 }, { "kernel_stack_kb_end", 28 }, { "pool_pages_end", 4 },
		{ "alloc_attempts", 4 },
	};
	struct expect w[] = {
		{ "refills", 1 }, { "refill_pages", 0 }, { "refill_failures", 1 },
		{ "alloc_attempts", 1 }, { "alloc_failures", 1 }, { "pool_pages_end", 0 },
	};
	struct ks_result *r = run(WM, &m, evs, N(evs), 20 * MS);

	check_counters("low", r, e, N(e));
	check_double("low", "pool_pages_mean", r->c.pool_pages_mean, 2.9);
	free(r);
	r = run(WM ",fail_windows=0.016-0.018", &m, evs, N(evs), 20 * MS);
	check_counters("low_window", r, w, N(w));
	free(r);
	r = run(WM ",fail_windows=0.018-0.019", &m, evs, N(evs), 20 * MS);
	check_u64("low_window_after", "pool_pages_end", r->c.pool_pages_end, 4);
	check_u64("low_window_after", "alloc_failures", r->c.alloc_failures, 0);
	free(r);
}

/*
 *   t0  SNAP 100, 200 (1 page), SNAP 300 hwm 13000 (4 pages).  pool 4.
 *   t10 SW 100->200 hwm 13000: +3: pool 3, 2, 1 (< 2: work for t15).
 *   t11 SW 200->300 hwm 9000: +2: take leaves 0; the next take fails: crash
 *       (t11, 200, 1 page), failed flag set, work already pending.
 *   t12 EXIT + FREE 300: 4 pages unmapped, the 3 above prealloc go back to
 *       the pool: 3.
 *   t15 work: failed: populate pool (HIGH) = 4 more whatever the level: pool 7.
 *   end t20.
 * faults 3 + 2 = 5 (the failed one maps nothing), fault_pages 4, pool_hits
 * 4, crashes 1, charges 4, refill_pages 4, unmaps 4, pool end 7; stack 100: 4,
 * 200: 3 = 7 pages; kstack 1 + 1 (snapshots; 300's dropped at exit) + 4 = 6
 * pages = 24 KiB.
 * Without the failure (t11 hwm 5000: +1, pool 0, no crash): after the
 * release pool 3, the work adds pool - 3 = 1: pool 4, refill_pages 1.
 */
static void test_failed_fills_high(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000), ev_snap(0, 0, 200, 1000), ev_snap(0, 0, 300, 13000),
		ev_sw(10 * MS, 0, 100, 200, 13000, 1),
		ev_sw(11 * MS, 0, 200, 300, 9000, 1),
		ev_exit(12 * MS, 0, 300, 13000),
		ev_free(12 * MS, 0, 300),
	};
	struct expect e[] = {
		{ "faults", 5 }, { "fault_pages", 4 }, { "pool_hits", 4 }, { "crashes", 1 },
		{ "charges", 4 }, { "refills", 1 }, { "refill_pages", 4 }, { "unmaps", 4 },
		{ "pool_pages_end", 7 }, { "pool_pages_peak", 7 }, { "stack_pages_end", 7 },
		{ "kernel_stack_kb_end", 24 },
	};
	struct expect e2[] = {
		{ "crashes", 0 }, { "refill_pages", 1 }, { "pool_pages_end", 4 },
	};
	struct ks_result *r = run(WM, &m, evs, N(evs), 20 * MS);

	check_counters("failed", r, e, N(e));
	check_u64("failed", "crash time", r->crashes[0].time, 11 * MS);
	check_u64("failed", "crash tid", r->crashes[0].tid, 200);
	free(r);
	evs[4].hwm = 5000;
	r = run(WM, &m, evs, N(evs), 20 * MS);
	check_counters("not_failed", r, e2, N(e2));
	free(r);
}

/*
 * async_after=20ms.
 *   t0  SNAP 100, 200.  pool 4.
 *   t10 SW 100->200 hwm 13000: +3: pool 1 < 2, but t10 < 20: nothing.
 *   t25 SW 200->100 hwm 5000: +1: pool 0 < 2, t25 >= 20: work for t30.
 *   t30 work: 4 pages.
 * End at t24: refills 0, pool 1.  End at t40: refills 1, pool 4.
 */
static void test_boot_gating(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000), ev_snap(0, 0, 200, 1000),
		ev_sw(10 * MS, 0, 100, 200, 13000, 1),
		ev_sw(25 * MS, 0, 200, 100, 5000, 1),
	};
	struct ks_result *r;

	r = run(WM ",async_after=20000000", &m, evs, 3, 24 * MS);
	check_u64("gating_early", "refills", r->c.refills, 0);
	check_u64("gating_early", "pool_pages_end", r->c.pool_pages_end, 1);
	free(r);
	r = run(WM ",async_after=20000000", &m, evs, N(evs), 40 * MS);
	check_u64("gating", "refills", r->c.refills, 1);
	check_u64("gating", "refill_pages", r->c.refill_pages, 4);
	check_u64("gating", "pool_pages_end", r->c.pool_pages_end, 4);
	free(r);
	/* without gating the t10 take schedules at once: work at t15 */
	r = run(WM, &m, evs, 3, 24 * MS);
	check_u64("no_gating", "refills", r->c.refills, 1);
	check_u64("no_gating", "pool_pages_end", r->c.pool_pages_end, 4);
	free(r);
}

int main(void)
{
	test_low();
	test_failed_fills_high();
	test_boot_gating();
	return g_failures ? 1 : 0;
}
