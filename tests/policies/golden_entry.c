// SPDX-License-Identifier: MIT
/*
 * Golden tests of entry (seed 001, D1): expand at kernel entry, shrink at
 * return; sleepers hold full stacks; waits when the cache is empty on an
 * entry that may sleep; the per-CPU reserve for IRQ entries; and the
 * reviewers' objection: entry holds more memory than rfc when tasks sleep
 * in the kernel.  Expected values worked out by hand from the rules in
 * engine/policy_entry.c.
 *
 * 4 KiB pages, 16 KiB stacks (4 pages), prealloc 1: an expansion is 3
 * pages.  Times in ms.
 */
#include "golden_util.h"

static struct ks_event ev_entry(uint64_t t, uint32_t cpu, uint32_t tid, uint32_t kind, bool in)
{
	return (struct ks_event){ .time = t, .cpu = cpu, .tid = tid, .arg = kind,
				  .type = in ? KS_EV_KENTRY : KS_EV_KEXIT };
}

/*
 * entries=events, 2 CPUs, cache auto = 3 x 3 = 9, reserve 3 per CPU: pool
 * pages at start 2 x 12 = 24.
 *   t0 NEW 100, NEW 200 on cpu0 (user): 1 page each, maps 2, charges 2.
 *      Their parent 1 is alive before the trace: a full stack (4 pages),
 *      adopted (no map, no memcg charge), charged to nr_kernel_stack.
 *   t1 KENTRY 100 syscall cpu0: 3 pages from cache0 (9 -> 6), maps 3.
 *   t2 KEXIT 100 cpu0: unmaps 3, 1 TLB flush; reserve0 full, cache0 6 -> 9.
 *   t3 KENTRY 100 syscall cpu0: cache0 9 -> 6, maps 3.
 *   t4 SW cpu0 100 -> 200, 100 sleeps in the kernel with 4 pages.
 *   t5 KENTRY 200 syscall cpu0: cache0 6 -> 3, maps 3.
 *   t6 SW cpu0 200 -> 0, 200 sleeps with 4 pages.
 *      Memory at t6: stacks 4 + 4 + 4 (parent) = 12 pages; pools: cache0 3 +
 *      reserve0 3 + cache1 9 + reserve1 3 = 18.
 *   t7 SW cpu1 0 -> 100 (woken on cpu1).
 *   t8 KEXIT 100 cpu1: unmaps 3, TLB flush 2; reserve1 and cache1 are full:
 *      the 3 pages are freed (they came from cpu0).
 * At t8: stacks 1 + 4 + 4 = 9, pools 18; maps 2 + 3 + 3 + 3 = 11, unmaps 6,
 * tlb_flushes 2, pool_hits 9, waits 0, alloc_attempts 0, entries 3,
 * kernel_stack_kb = every mapped page of the live tasks: 9 pages = 36 KiB.
 */
static void test_events(void)
{
	struct ks_machine m = machine(2);
	struct ks_event evs[] = {
		ev_new(0, 0, 100, 1), ev_new(0, 0, 200, 1),
		ev_entry(1 * MS, 0, 100, KS_ENTRY_SYSCALL, true),
		ev_entry(2 * MS, 0, 100, KS_ENTRY_SYSCALL, false),
		ev_entry(3 * MS, 0, 100, KS_ENTRY_SYSCALL, true),
		ev_sw(4 * MS, 0, 100, 200, 2000, 1),
		ev_entry(5 * MS, 0, 200, KS_ENTRY_SYSCALL, true),
		ev_sw(6 * MS, 0, 200, 0, 2000, 1),
		ev_sw(7 * MS, 1, 0, 100, 0, 0),
		ev_entry(8 * MS, 1, 100, KS_ENTRY_SYSCALL, false),
	};
	struct expect at6[] = {
		{ "stack_pages_end", 12 }, { "pool_pages_end", 18 }, { "maps", 11 },
		{ "unmaps", 3 }, { "tlb_flushes", 1 },
	};
	struct expect at8[] = {
		{ "stack_pages_end", 9 }, { "pool_pages_end", 18 }, { "pool_pages_peak", 24 },
		{ "maps", 11 }, { "unmaps", 6 }, { "tlb_flushes", 2 }, { "pool_hits", 9 },
		{ "waits", 0 }, { "alloc_attempts", 0 }, { "entries", 3 },
		{ "kernel_stack_kb_end", 36 }, /* every mapped page is charged: 9 pages x 4 KiB */
		{ "charges", 2 }, { "crashes", 0 },
	};
	struct ks_result *r;

	r = run("entry:entries=events", &m, evs, 8, 6 * MS);
	check_counters("events_t6", r, at6, N(at6));
	free(r);
	r = run("entry:entries=events", &m, evs, N(evs), 8 * MS);
	check_counters("events_t8", r, at8, N(at8));
	free(r);
}

/*
 * entries=events, 1 CPU, cache=3, reserve 3, alloc_latency=10us, fail
 * window [3 ms, 3.5 ms).
 *   t0  NEW 100, 200, 300, 400: maps 4.  pools: cache 3, reserve 3.  Their
 *       parent 1, alive before the trace, holds a full stack (4 pages).
 *   t1  KENTRY 100 syscall: cache 3 -> 0 (pool_hits 3), maps 3.
 *   t2  SW 100 -> 200 (100 sleeps holding 4 pages).
 *   t3  KENTRY 200 syscall: cache empty; the no-sleep allocation at 3 ms
 *       fails (attempt 1, in the window): the task waits (waits 1).
 *       Retry at 3.01 ms: fails (attempt 2), still in the window: sleep to
 *       its end, 3.5 ms; retry at 3.51 ms: attempts 3, 4, 5 succeed.
 *       wait_ns = 3.51 - 3 ms = 510000.  maps 3.
 *   t4  SW 200 -> 300.
 *   t5  KENTRY 300 IRQ: cache empty -> reserve 3 -> 0 (fallback_hits 3),
 *       no allocation; maps 3.
 *   t6  KEXIT 300: unmaps 3, TLB 1; pages refill the reserve: 3.
 *   t7  KENTRY 300 IRQ: reserve -> 0 (fallback_hits 6), maps 3.
 *   t8  KEXIT 300: unmaps 3, TLB 2; reserve 3.
 *   t9  KENTRY 300 IRQ: reserve -> 0 (fallback 9), maps 3.
 *   t10 SW 300 -> 400 (preempted in the kernel, holds 4 pages).
 *   t11 KENTRY 400 IRQ: cache and reserve empty: would-be crash (t11, 400,
 *       3 pages), mapped anyway: maps 3.
 * end t12: maps 4 + 3 x 6 = 22, unmaps 6, tlb_flushes 2, pool_hits 3,
 * fallback_hits 9, alloc_attempts 5, alloc_failures 2, waits 1,
 * wait_ns 510000, crashes 1, stacks 4 x 4 + 4 (parent) = 20, pools 0,
 * kstack 20 pages = 80 KiB.
 */
static void test_wait_and_reserve(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_new(0, 0, 100, 1), ev_new(0, 0, 200, 1), ev_new(0, 0, 300, 1),
		ev_new(0, 0, 400, 1),
		ev_entry(1 * MS, 0, 100, KS_ENTRY_SYSCALL, true),
		ev_sw(2 * MS, 0, 100, 200, 2000, 1),
		ev_entry(3 * MS, 0, 200, KS_ENTRY_SYSCALL, true),
		ev_sw(4 * MS, 0, 200, 300, 2000, 1),
		ev_entry(5 * MS, 0, 300, KS_ENTRY_IRQ, true),
		ev_entry(6 * MS, 0, 300, KS_ENTRY_IRQ, false),
		ev_entry(7 * MS, 0, 300, KS_ENTRY_IRQ, true),
		ev_entry(8 * MS, 0, 300, KS_ENTRY_IRQ, false),
		ev_entry(9 * MS, 0, 300, KS_ENTRY_IRQ, true),
		ev_sw(10 * MS, 0, 300, 400, 2000, 0),
		ev_entry(11 * MS, 0, 400, KS_ENTRY_IRQ, true),
	};
	struct expect e[] = {
		{ "maps", 22 }, { "unmaps", 6 }, { "tlb_flushes", 2 }, { "pool_hits", 3 },
		{ "fallback_hits", 9 }, { "alloc_attempts", 5 }, { "alloc_failures", 2 },
		{ "waits", 1 }, { "wait_ns", 510000 }, { "crashes", 1 },
		{ "stack_pages_end", 20 }, { "pool_pages_end", 0 },
		{ "kernel_stack_kb_end", 80 }, /* all 20 mapped pages charged, x 4 KiB */
	};
	struct ks_result *r = run("entry:entries=events,pool=3,alloc_latency=10000,"
				  "fail_windows=0.003-0.0035", &m, evs, N(evs), 12 * MS);

	check_counters("wait_reserve", r, e, N(e));
	check_u64("wait_reserve", "crash time", r->crashes[0].time, 11 * MS);
	check_u64("wait_reserve", "crash tid", r->crashes[0].tid, 400);
	check_u64("wait_reserve", "crash pages", r->crashes[0].pages_needed, 3);
	free(r);
}

/*
 * The reviewers' objection (Gerst): tasks asleep in the kernel hold their
 * expanded stacks.  entries=derived (no entry events), 1 CPU.
 *   t0  SNAP 100, 200, 300 (user, hwm 2000: 1 page under rfc).
 *   t10 SW 0 -> 100: 100 runs, back in user mode.
 *   t20 SW 100 -> 0: 100 sleeps again.   end t30.
 * rfc: 3 stacks of 1 page the whole time: stack mean 3, end 3; pool 3.
 * entry: asleep at start = in the kernel: 3 x 4 = 12 pages.  t10: 100 drops
 *   to 1 page (9 in all); its 3 pages go to the cache, which is full (9):
 *   freed.  t20: 100 takes 3 pages from the cache (9 -> 6): 12 pages.
 *   stack mean (12 x 10 + 9 x 10 + 12 x 10) / 30 = 11; end 12, peak 12.
 *   pools: cache 9 + reserve 3 = 12 until t20, then 9: mean
 *   (12 x 20 + 9 x 10) / 30 = 11, end 9.  Entry costs unknown: maps,
 *   unmaps, tlb_flushes, waits all 0 (no forks, no releases).
 * So entry holds 12 + 9 = 21 pages at the end where rfc holds 3 + 3 = 6.
 */
static void test_sleepers_vs_rfc(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 2000), ev_snap(0, 0, 200, 2000), ev_snap(0, 0, 300, 2000),
		ev_sw(10 * MS, 0, 0, 100, 0, 0),
		ev_sw(20 * MS, 0, 100, 0, 2000, 1),
	};
	struct expect ee[] = {
		{ "stack_pages_end", 12 }, { "stack_pages_peak", 12 }, { "pool_pages_end", 9 },
		{ "maps", 0 }, { "unmaps", 0 }, { "tlb_flushes", 0 }, { "waits", 0 },
		{ "kernel_stack_kb_end", 48 }, /* all 12 mapped pages charged, x 4 KiB */
	};
	struct expect er[] = {
		{ "stack_pages_end", 3 }, { "pool_pages_end", 3 },
	};
	struct ks_result *r;

	r = run("entry", &m, evs, N(evs), 30 * MS);
	check_counters("sleepers_entry", r, ee, N(ee));
	check_double("sleepers_entry", "stack_pages_mean", r->c.stack_pages_mean, 11.0);
	check_double("sleepers_entry", "pool_pages_mean", r->c.pool_pages_mean, 11.0);
	if (strstr(r->params, "entries=derived") == NULL) {
		printf("FAIL sleepers_entry: params lack entries=derived: %s\n", r->params);
		g_failures++;
	}
	free(r);
	r = run("rfc", &m, evs, N(evs), 30 * MS);
	check_counters("sleepers_rfc", r, er, N(er));
	check_double("sleepers_rfc", "stack_pages_mean", r->c.stack_pages_mean, 3.0);
	free(r);
}

/*
 * Kernel threads are fully mapped at fork and never shrink.  16 KiB pages,
 * 32 KiB stacks (2 pages), prealloc 1: a kthread fork maps 2, a user fork 1.
 * entries=events, cache auto = 3 x 1 = 3.  KENTRY of the kthread is ignored;
 * the user's KENTRY maps 1 page from the cache.  The parents 2 and 1, alive
 * before the trace, hold full stacks: 2 pages each, adopted (no map).
 * maps 2 + 1 + 1 = 4; stacks 2 + 2 + 2 + 2 = 8 pages, every one charged:
 * kstack 8 x 16 = 128 KiB.
 */
static void test_kthread_16k(void)
{
	struct ks_machine m = machine(1);
	struct ks_event kt = ev_new(0, 0, 50, 2);
	struct ks_event evs[4];
	struct expect e[] = {
		{ "maps", 4 }, { "stack_pages_end", 8 },
		{ "kernel_stack_kb_end", 128 }, /* 8 pages x 16 KiB, all charged */
		{ "pool_hits", 1 },
	};
	struct ks_result *r;

	kt.flags = KS_F_KTHREAD;
	evs[0] = kt;
	evs[1] = ev_new(0, 0, 100, 1);
	evs[2] = ev_entry(1 * MS, 0, 50, KS_ENTRY_SYSCALL, true);
	evs[3] = ev_entry(2 * MS, 0, 100, KS_ENTRY_SYSCALL, true);
	r = run("entry:entries=events,page_size=16384,thread_size=32768", &m, evs, N(evs), 3 * MS);
	check_counters("kthread_16k", r, e, N(e));
	free(r);
}

int main(void)
{
	test_events();
	test_wait_and_reserve();
	test_sleepers_vs_rfc();
	test_kthread_16k();
	return g_failures ? 1 : 0;
}
