// SPDX-License-Identifier: MIT
/*
 * Golden tests of the rfc policy.  Every expected value is worked out by
 * hand in the comments from the semantics in engine/policy_rfc.c and the
 * brief (RFC v1, reference b.1), never from the program's output.
 *
 * Unless said otherwise: 4 KiB pages, 16 KiB stacks (4 slots), prealloc 1,
 * so pool = 3 slots per CPU, cache = 2 stacks per CPU, fault_span=page,
 * quirk_refill=1.  "P" = slot holds a page, "T" = taken, "E" = empty.
 * Times are in ms.  SWITCH state 1 = sleeping, 0 = running, 2 = dead.
 */
#include "golden_util.h"

/*
 * A task faulting two pages in one interval takes two slots; the refill at
 * its switch-out charges both (nr_kernel_stack, nr_dynamic_stacks_faults
 * +8 KiB each).
 *   t0  SNAP 100 hwm 1000: needs 1 page, adopted and charged: kstack 4, dyn 0.
 *       pools: cpu0 PPP, cpu1 PPP = 6 pages.
 *   t10 SW cpu0 prev 100 hwm 10000: ceil(10000/4096) = 3 pages, has 1: +2.
 *       fault_span=page: 2 faults of 1 page, slots 0 and 1: TTP (pool 4).
 *       refill: slot0 T: charge (kstack 8, dyn 4), alloc ok -> P;
 *               slot1 T: charge (kstack 12, dyn 8), alloc ok -> P;
 *               slot2 P: stop.  pool back to 6.
 *   end t20.
 * means over [0, 20ms]: stack 1 page for 10, 3 pages for 10 -> 2.0;
 * pool 6 all the time (the dip to 4 lasts 0 ns) -> 6.0.
 */
static void test_two_pages(void)
{
	struct ks_machine m = machine(2);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_sw(10 * MS, 0, 100, 0, 10000, 1),
	};
	struct expect e[] = {
		{ "events", 2 }, { "switches", 1 }, { "tasks_end", 1 }, { "forks", 0 },
		{ "stack_pages_end", 3 }, { "stack_pages_peak", 3 },
		{ "kernel_stack_kb_end", 12 }, { "dyn_faults_kb_end", 8 },
		{ "pool_pages_end", 6 }, { "pool_pages_peak", 6 },
		{ "faults", 2 }, { "fault_pages", 2 }, { "pool_hits", 2 },
		{ "refills", 1 }, { "refill_pages", 2 }, { "refill_failures", 0 },
		{ "charges", 2 }, { "alloc_attempts", 2 }, { "alloc_failures", 0 },
		{ "maps", 2 }, { "crashes", 0 }, { "overflows", 0 }, { "cache_pages_end", 0 },
	};
	struct ks_result *r = run("rfc", &m, evs, N(evs), 20 * MS);

	check_counters("two_pages", r, e, N(e));
	check_double("two_pages", "stack_pages_mean", r->c.stack_pages_mean, 2.0);
	check_double("two_pages", "pool_pages_mean", r->c.pool_pages_mean, 6.0);
	free(r);
}

/*
 * A failed refill leaves a slot empty.  One CPU.  The fail window covers
 * [0, 15ms): only the refill at t10 fails.
 *   t0  SNAP 100, SNAP 200 (hwm 1000: 1 page each).  kstack 8.  pool PPP.
 *   t10 SW prev 100 hwm 5000: 2 pages, +1: fault, slot0 -> TPP.
 *       refill: slot0 T: charge (kstack 12, dyn 4), alloc fails (attempt 1,
 *       failure 1) -> E (refill_failures 1).
 *         quirk_refill=1: slot1 P: stop.   pool EPP.
 *         quirk_refill=0: slots 1, 2 are P: nothing to do.   pool EPP.
 *   t20 SW prev 200 hwm 9000: 3 pages, +2: faults take slot1, slot2: ETT.
 *         quirk 1: slot0 E stops the refill at once: nothing charged.
 *                  kstack stays 12 while 5 pages (20 KiB) are mapped.
 *         quirk 0: slot0 E: alloc ok (attempt 2) -> P; slot1 T: charge,
 *                  alloc ok (3) -> P; slot2 T: charge, alloc ok (4) -> P.
 *                  kstack 20 = 5 pages: the counter recovers.  pool PPP.
 *   t30 SW prev 100 hwm 13000: 4 pages, has 2: +2.
 *         quirk 1: no P slot: the first fault finds nothing: would-be
 *                  crash at t30, cpu 0, tid 100, 2 pages needed; the stack
 *                  grows anyway (4 pages), no refill (nothing taken).
 *         quirk 0: faults take slots 0 and 1 (TTP), refill charges both,
 *                  allocs 5 and 6 succeed: PPP.
 *   end t40.
 * quirk 1: faults 1+2+1 = 4, fault_pages 3, pool_hits 3, refills 2,
 *   refill_pages 0, charges 1, stack 4+3 = 7 pages, kstack 12, dyn 4, pool 0.
 * quirk 0: faults 1+2+2 = 5, fault_pages 5, refills 3, refill_pages 5
 *   (allocs 2..6), charges 5, stack 7, kstack 28 (= 7 pages), dyn 20, pool 3.
 */
static void test_refill_failure(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_snap(0, 0, 200, 1000),
		ev_sw(10 * MS, 0, 100, 200, 5000, 1),
		ev_sw(20 * MS, 0, 200, 100, 9000, 1),
		ev_sw(30 * MS, 0, 100, 200, 13000, 1),
	};
	struct expect q1[] = {
		{ "faults", 4 }, { "fault_pages", 3 }, { "pool_hits", 3 },
		{ "refills", 2 }, { "refill_pages", 0 }, { "refill_failures", 1 },
		{ "alloc_attempts", 1 }, { "alloc_failures", 1 }, { "charges", 1 },
		{ "crashes", 1 }, { "stack_pages_end", 7 }, { "kernel_stack_kb_end", 12 },
		{ "dyn_faults_kb_end", 4 }, { "pool_pages_end", 0 }, { "pool_pages_peak", 3 },
	};
	struct expect q0[] = {
		{ "faults", 5 }, { "fault_pages", 5 }, { "pool_hits", 5 },
		{ "refills", 3 }, { "refill_pages", 5 }, { "refill_failures", 1 },
		{ "alloc_attempts", 6 }, { "alloc_failures", 1 }, { "charges", 5 },
		{ "crashes", 0 }, { "stack_pages_end", 7 }, { "kernel_stack_kb_end", 28 },
		{ "dyn_faults_kb_end", 20 }, { "pool_pages_end", 3 },
	};
	struct ks_result *r;

	r = run("rfc:fail_windows=0-0.015", &m, evs, N(evs), 40 * MS);
	check_counters("refill_failure_quirk", r, q1, N(q1));
	check_u64("refill_failure_quirk", "nr_crashes", r->nr_crashes, 1);
	check_u64("refill_failure_quirk", "crash time", r->crashes[0].time, 30 * MS);
	check_u64("refill_failure_quirk", "crash cpu", r->crashes[0].cpu, 0);
	check_u64("refill_failure_quirk", "crash tid", r->crashes[0].tid, 100);
	check_u64("refill_failure_quirk", "crash pages", r->crashes[0].pages_needed, 2);
	check_u64("refill_failure_quirk", "crash reason", r->crashes[0].reason,
		  KS_CRASH_POOL_EMPTY);
	free(r);

	r = run("rfc:fail_windows=0-0.015,quirk_refill=0", &m, evs, N(evs), 40 * MS);
	check_counters("refill_failure_intended", r, q0, N(q0));
	free(r);

	/*
	 * fail_rate=1, quirk 1: the same as the window run (only one allocation
	 * is ever attempted, at t10, and it fails).
	 */
	r = run("rfc:fail_rate=1", &m, evs, N(evs), 40 * MS);
	check_counters("refill_failure_rate1", r, q1, N(q1));
	free(r);
}

/*
 * A skipped page is mapped too.  SNAP 100 (1 page); t10 SW prev 100 hwm
 * 12000: 3 pages, +2.
 *   fault_span=interval: 1 fault mapping 2 pages (slots 0, 1), refill
 *     charges 2: kstack 4+8 = 12, dyn 8.
 *   fault_span=page: 2 faults of one page, same charges.
 *   fault_span=interval,quirk_nr_pages=1: the fault maps 2 pages but the
 *     kernel records 1 (leaked_pages 1); the refill still charges 2 slots.
 *     t20 SW prev 100 hwm 16000: 4 pages, has 3 mapped, recorded 2: the
 *     fault finds the PTE below the recorded hole present: crash reason
 *     PTE_PRESENT at t20, 1 page needed; faults 2, fault_pages 2.
 *     Stack grows anyway to 4 pages; release is not reached.
 */
static void test_skipped_page(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_sw(10 * MS, 0, 100, 0, 12000, 1),
	};
	struct ks_event evs2[] = {
		ev_snap(0, 0, 100, 1000),
		ev_sw(10 * MS, 0, 100, 0, 12000, 1),
		ev_sw(20 * MS, 0, 100, 0, 16000, 1),
	};
	struct expect span[] = {
		{ "faults", 1 }, { "fault_pages", 2 }, { "pool_hits", 2 }, { "charges", 2 },
		{ "kernel_stack_kb_end", 12 }, { "dyn_faults_kb_end", 8 },
		{ "stack_pages_end", 3 }, { "pool_pages_end", 3 },
	};
	struct expect page[] = {
		{ "faults", 2 }, { "fault_pages", 2 }, { "charges", 2 },
		{ "kernel_stack_kb_end", 12 }, { "stack_pages_end", 3 },
	};
	struct expect bug[] = {
		{ "faults", 2 }, { "fault_pages", 2 }, { "leaked_pages", 1 }, { "crashes", 1 },
		{ "charges", 2 }, { "stack_pages_end", 4 }, { "kernel_stack_kb_end", 12 },
	};
	struct ks_result *r;

	r = run("rfc:fault_span=interval", &m, evs, N(evs), 20 * MS);
	check_counters("skipped_interval", r, span, N(span));
	free(r);
	r = run("rfc", &m, evs, N(evs), 20 * MS);
	check_counters("skipped_page", r, page, N(page));
	free(r);
	r = run("rfc:fault_span=interval,quirk_nr_pages=1", &m, evs2, N(evs2), 30 * MS);
	check_counters("skipped_nr_pages_bug", r, bug, N(bug));
	check_u64("skipped_nr_pages_bug", "crash reason", r->crashes[0].reason,
		  KS_CRASH_PTE_PRESENT);
	check_u64("skipped_nr_pages_bug", "crash time", r->crashes[0].time, 20 * MS);
	check_u64("skipped_nr_pages_bug", "crash pages", r->crashes[0].pages_needed, 1);
	free(r);
}

/*
 * A cached grown stack is inherited by the next fork on its CPU only.
 *   t0 SNAP 100 (1 page, kstack 4).
 *   t1 NEW cpu0 300: cache empty: 1 fresh page (maps 1, charges 1), kstack 8.
 *   t2 SW cpu0 prev 300 hwm 10000: 3 pages, +2: faults, refill charges 2:
 *      300 holds 3 pages, kstack 16, dyn 8.
 *   t3 EXIT 300: the kernel drops its 3 charged pages: kstack 4, dyn 0.
 *   t4 SW cpu0 prev 300 DEAD: released on cpu0, cache slot 0 free: the stack
 *      keeps its 3 pages there (cache 3, stack pages 1).
 *   t5 NEW cpu1 301: cpu1's cache is empty: 1 fresh page; kstack 8.
 *   t6 NEW cpu0 302: inherits cpu0's cached stack: 3 pages, charged 3
 *      (kstack 20), dyn +8 (2 grown pages), inherited_pages 2, cache 0.
 *   end t10.  Live: 100 (1), 301 (1), 302 (3) = 5 pages.
 * charges: 1 + 2 + 1 + 3 = 7.  maps: 1 + 2 + 1 = 4 (inheriting maps nothing).
 * stack peak: 1, 2, 4 (t2), 1 (t4), 2, 5 (t6) -> 5.
 */
static void test_cache_inherit(void)
{
	struct ks_machine m = machine(2);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_new(1 * MS, 0, 300, 100),
		ev_sw(2 * MS, 0, 300, 100, 10000, 0),
		ev_exit(3 * MS, 0, 300, 10000),
		ev_sw(4 * MS, 0, 300, 100, 10000, 2),
		ev_new(5 * MS, 1, 301, 100),
		ev_new(6 * MS, 0, 302, 100),
	};
	struct expect e[] = {
		{ "tasks_end", 3 }, { "tasks_peak", 3 }, { "forks", 3 }, { "exits", 1 },
		{ "stack_pages_end", 5 }, { "stack_pages_peak", 5 },
		{ "kernel_stack_kb_end", 20 }, { "dyn_faults_kb_end", 8 },
		{ "inherited_pages", 2 }, { "cache_pages_end", 0 }, { "charges", 7 },
		{ "maps", 4 }, { "unmaps", 0 }, { "faults", 2 }, { "pool_pages_end", 6 },
	};
	struct expect keep0[] = {
		/*
		 * quirk_cache_keep=0: at t4 the stack is trimmed to 1 page (2 unmapped)
		 * before caching; 302 inherits 1 page: kstack 4+4+4 = 12, dyn 0,
		 * inherited 0, stack pages 3.
		 */
		{ "stack_pages_end", 3 }, { "kernel_stack_kb_end", 12 },
		{ "dyn_faults_kb_end", 0 }, { "inherited_pages", 0 }, { "unmaps", 2 },
	};
	struct ks_result *r;

	r = run("rfc", &m, evs, N(evs), 10 * MS);
	check_counters("cache_inherit", r, e, N(e));
	free(r);
	r = run("rfc:quirk_cache_keep=0", &m, evs, N(evs), 10 * MS);
	check_counters("cache_trim", r, keep0, N(keep0));
	free(r);
}

/*
 * Pool exhaustion: pool=1, two CPUs (1 slot each).  SNAP 100 (1 page).
 * t10 SW on cpu1 prev 100 hwm 12000: 3 pages, +2.  First fault takes cpu1's
 * only slot; the second finds none: crash at t10 on cpu 1, tid 100, 1 page
 * needed.  Stack grows anyway to 3.  Refill: slot0 T: charge, alloc ok.
 * faults 2, fault_pages 1, kstack 4+4 = 8, dyn 4, pool 2 (one per CPU).
 */
static void test_pool_exhaustion(void)
{
	struct ks_machine m = machine(2);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_sw(10 * MS, 1, 100, 0, 12000, 1),
	};
	struct expect e[] = {
		{ "faults", 2 }, { "fault_pages", 1 }, { "pool_hits", 1 }, { "crashes", 1 },
		{ "stack_pages_end", 3 }, { "kernel_stack_kb_end", 8 },
		{ "dyn_faults_kb_end", 4 }, { "pool_pages_end", 2 }, { "charges", 1 },
	};
	struct ks_result *r = run("rfc:pool=1", &m, evs, N(evs), 20 * MS);

	check_counters("pool_exhaustion", r, e, N(e));
	check_u64("pool_exhaustion", "nr_crashes", r->nr_crashes, 1);
	check_u64("pool_exhaustion", "crash time", r->crashes[0].time, 10 * MS);
	check_u64("pool_exhaustion", "crash cpu", r->crashes[0].cpu, 1);
	check_u64("pool_exhaustion", "crash tid", r->crashes[0].tid, 100);
	check_u64("pool_exhaustion", "crash pages", r->crashes[0].pages_needed, 1);
	free(r);
}

/*
 * 16K pages: page_size=16384, thread_size=32768: 2 slots, prealloc 1, so
 * pool = 1 per CPU.  SNAP 100 hwm 1000: 1 page (16 KiB).  t10 SW prev 100
 * hwm 20000: ceil(20000/16384) = 2, +1: fault, refill charges 16 KiB:
 * kstack 32, dyn 16, stack 2 pages, pool 2 (two CPUs).
 */
static void test_16k_pages(void)
{
	struct ks_machine m = machine(2);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_sw(10 * MS, 0, 100, 0, 20000, 1),
	};
	struct expect e[] = {
		{ "faults", 1 }, { "stack_pages_end", 2 }, { "kernel_stack_kb_end", 32 },
		{ "dyn_faults_kb_end", 16 }, { "pool_pages_end", 2 }, { "charges", 1 },
	};
	struct ks_result *r = run("rfc:page_size=16384,thread_size=32768", &m, evs, N(evs),
				  20 * MS);

	check_counters("16k_pages", r, e, N(e));
	if (!strstr(r->params, "pool=1,") || !strstr(r->params, "page_size=16384")) {
		printf("FAIL 16k_pages: params '%s'\n", r->params);
		g_failures++;
	}
	free(r);
}

/*
 * 16K preallocated in a 32K stack: prealloc=4, 4K pages, thread_size=32768:
 * 8 slots, pool = 8 - 4 = 4 per CPU.
 *   t0 SNAP 100 hwm 1000: max(4, 1) = 4 pages, kstack 16, dyn 0.
 *   t1 NEW cpu0 200: 4 fresh pages: kstack 32, charges 4.
 *   t2 SW prev 200 hwm 20000: ceil(20000/4096) = 5, +1: fault, refill
 *      charges 4 KiB: kstack 36, dyn 4.
 *   t3 SW prev 100 hwm 16384: exactly 4 pages: nothing.
 * stack 9 pages, pool 8.
 */
static void test_prealloc4(void)
{
	struct ks_machine m = machine(2);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_new(1 * MS, 0, 200, 100),
		ev_sw(2 * MS, 0, 200, 100, 20000, 1),
		ev_sw(3 * MS, 0, 100, 200, 16384, 1),
	};
	struct expect e[] = {
		{ "faults", 1 }, { "stack_pages_end", 9 }, { "kernel_stack_kb_end", 36 },
		{ "dyn_faults_kb_end", 4 }, { "pool_pages_end", 8 }, { "charges", 5 },
		{ "overflows", 0 },
	};
	struct ks_result *r = run("rfc:prealloc=4,thread_size=32768", &m, evs, N(evs), 5 * MS);

	check_counters("prealloc4", r, e, N(e));
	free(r);
}

/*
 * refill=sleep (the RFC's GFP_KERNEL refill) against refill=nowait (the
 * default, GFP_NOWAIT).  One CPU; fail windows [0, 15ms) and [15, 20ms),
 * which touch, so a wait that starts in the first lasts to 20ms.
 *   t0  SNAP 100, SNAP 200 (hwm 1000: 1 page each).  kstack 8.  pool PPP.
 *   t10 SW prev 100 hwm 9000: 3 pages, +2: faults take slots 0, 1: TTP.
 *       refill, slot0 T: charge (kstack 12, dyn 4); slot1 T: charge
 *       (kstack 16, dyn 8); slot2 P: stop (quirk_refill=1).
 *         nowait: both allocations fail in the window (attempts 2,
 *                 failures 2): EEP.
 *         sleep:  slot0's allocation waits from 10ms to 20ms (waits 1,
 *                 wait_ns 10 ms), slot1's at 20ms is outside the windows:
 *                 PPP, attempts 2, failures 0.
 *   t30 SW prev 200 hwm 5000: 2 pages, +1.
 *         nowait: the fault takes slot2 (EET); the refill stops at once on
 *                 empty slot0: nothing charged, kstack stays 16 while 5
 *                 pages are mapped; pool 0.
 *         sleep:  the fault takes slot0 (TPP); the refill charges it
 *                 (kstack 20, dyn 12) and allocates at 30ms: PPP.
 *   end t40.  Both: faults 3, fault_pages 3, stack 3 + 2 = 5 pages.
 * fail_rate=1 does not apply to a sleeping refill: the same as the sleep
 * run but without the wait.
 */
static void test_refill_sleep(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_snap(0, 0, 200, 1000),
		ev_sw(10 * MS, 0, 100, 200, 9000, 1),
		ev_sw(30 * MS, 0, 200, 100, 5000, 1),
	};
	struct expect nowait[] = {
		{ "faults", 3 }, { "fault_pages", 3 }, { "charges", 2 },
		{ "kernel_stack_kb_end", 16 }, { "dyn_faults_kb_end", 8 }, { "stack_pages_end", 5 },
		{ "pool_pages_end", 0 }, { "refills", 2 }, { "refill_pages", 0 },
		{ "refill_failures", 2 }, { "alloc_attempts", 2 }, { "alloc_failures", 2 },
		{ "waits", 0 }, { "wait_ns", 0 }, { "crashes", 0 },
	};
	struct expect sleep[] = {
		{ "faults", 3 }, { "fault_pages", 3 }, { "charges", 3 },
		{ "kernel_stack_kb_end", 20 }, { "dyn_faults_kb_end", 12 }, { "stack_pages_end", 5 },
		{ "pool_pages_end", 3 }, { "refills", 2 }, { "refill_pages", 3 },
		{ "refill_failures", 0 }, { "alloc_attempts", 3 }, { "alloc_failures", 0 },
		{ "waits", 1 }, { "wait_ns", 10 * MS }, { "crashes", 0 },
	};
	struct expect rate1[] = {
		{ "charges", 3 }, { "kernel_stack_kb_end", 20 }, { "pool_pages_end", 3 },
		{ "refill_pages", 3 }, { "alloc_attempts", 3 }, { "alloc_failures", 0 },
		{ "waits", 0 }, { "wait_ns", 0 },
	};
	struct ks_result *r;

	r = run("rfc:fail_windows=0-0.015;0.015-0.02", &m, evs, N(evs), 40 * MS);
	check_counters("refill_nowait", r, nowait, N(nowait));
	free(r);
	r = run("rfc:fail_windows=0-0.015;0.015-0.02,refill=sleep", &m, evs, N(evs), 40 * MS);
	check_counters("refill_sleep", r, sleep, N(sleep));
	free(r);
	r = run("rfc:fail_rate=1,refill=sleep", &m, evs, N(evs), 40 * MS);
	check_counters("refill_sleep_rate1", r, rate1, N(rate1));
	free(r);
}

int main(void)
{
	test_two_pages();
	test_refill_failure();
	test_skipped_page();
	test_cache_inherit();
	test_pool_exhaustion();
	test_16k_pages();
	test_prealloc4();
	test_refill_sleep();
	if (g_failures)
		printf("%d failure(s)\n", g_failures);
	return g_failures ? 1 : 0;
}
