// SPDX-License-Identifier: MIT
/*
 * Unit tests of engine services that no shipped policy exercises fully yet:
 * the deferred-work queue (time order, FIFO on ties, the clock inside a
 * callback, work in the past, work left for finish), the pool helpers, and
 * what each counting service counts (policy.h's list), worked out by hand
 * from that list.
 */
#include <stdio.h>
#include <string.h>

#include "grid_state.h"

static int failures;
static uint64_t seen_arg[16], seen_clock[16];
static size_t nseen;

static void record(struct ks_run *r, uint64_t arg)
{
	if (nseen < 16) {
		seen_arg[nseen] = arg;
		seen_clock[nseen] = *r->clock;
		nseen++;
	}
	/* work scheduling work in the past: runs before the next event, at now */
	if (arg == 2)
		ks_timer_add(r, 0, record, 9);
}

static void check(const char *what, uint64_t v, uint64_t want)
{
	if (v != want) {
		printf("FAIL %s = %llu, expected %llu\n", what, (unsigned long long)v,
		       (unsigned long long)want);
		failures++;
	}
}

/*
 * Two runs of one grid do the same calls; run B's allocator fails (a fail
 * window covers the whole test: the clock stays at the start, 5000 ns).
 *   pools: cpu (KS_POOL_CPU, 2 slots), rsv (KS_POOL_RESERVE, 1), glob
 *   (KS_POOL_GLOBAL, 1), all filled: pool level 3, global level 1.
 *   take cpu x3: slots 0, 1, none -> pool_hits 2.
 *   take_quiet cpu after slot 0 is given a page back: slot 0, no hit.
 *   take rsv x2: slot 0, none -> fallback_hits 1.
 *   take glob x2: slot 0, none -> fallback_hits 2, lock_acquisitions 2 (the
 *   lock is taken before looking, page or not).
 *   levels now: pool 0, global 0.
 *   refill cpu queued at 4700: refills 1, refill_latency_ns 300, no lock.
 *   refill_slot cpu 1 (taken): A gets the page (attempt 1, refill_pages 1,
 *   pool level 1); B fails (attempt 1, failure 1, refill_failures 1, the
 *   slot empty, pool level 0).
 *   refill glob queued now: refills 2, latency still 300, lock 3.
 *   ks_wait 700 and 50: waits 2, wait_ns 750.  ks_tlb_flush: 1.
 *   ks_pages_leak 3: leaked 3.  ks_memcg_charge 2: charges 2, kstack 0.
 *   ks_extra_pages 5: extra 5.
 *   cache 3, then a fork inherits it (prealloc 1): cache 0, stack level 3,
 *   mapped 3, charged 3 (dyn 2), charges 5, inherited 2, kstack 12 KiB,
 *   dyn 8 KiB, no map, KS_PT_INHERITED.
 */
static void test_counting(void)
{
	struct ks_machine m = { .start_ns = 5000, .page_size = 4096, .thread_size = 16384,
				.ncpus = 1, .depth_known = true };
	const char *specs[] = { "static", "static:fail_windows=0-1" };
	struct ks_error err;
	struct ks_grid *g;
	size_t k;

	if (ks_grid_create(&g, specs, 2, &m, &err)) {
		printf("FAIL grid: %s\n", err.detail);
		failures++;
		return;
	}
	for (k = 0; k < 2; k++) {
		struct ks_run_state *s = g->runs[k];
		struct ks_run *r = &s->run;
		struct ks_pool cpu, rsv, glob;
		struct ks_ptask t = { 0 };
		bool fails = k == 1;

		check("init", ks_pool_init(r, &cpu, 2, KS_POOL_CPU) ||
		      ks_pool_init(r, &rsv, 1, KS_POOL_RESERVE) ||
		      ks_pool_init(r, &glob, 1, KS_POOL_GLOBAL), 0);
		ks_pool_fill(r, &cpu);
		ks_pool_fill(r, &rsv);
		ks_pool_fill(r, &glob);
		check("pool level", (uint64_t)s->lv.pool, 3);
		check("global level", (uint64_t)s->lv.global, 1);
		check("take cpu 0", (uint64_t)ks_pool_take(r, &cpu), 0);
		check("take cpu 1", (uint64_t)ks_pool_take(r, &cpu), 1);
		check("take cpu none", (uint64_t)(ks_pool_take(r, &cpu) == -1), 1);
		ks_pool_set(r, &cpu, 0, KS_SLOT_PAGE);
		check("take quiet", (uint64_t)ks_pool_take_quiet(r, &cpu), 0);
		check("pool_hits", s->c.pool_hits, 2);
		check("take rsv 0", (uint64_t)ks_pool_take(r, &rsv), 0);
		check("take rsv none", (uint64_t)(ks_pool_take(r, &rsv) == -1), 1);
		check("fallback_hits rsv", s->c.fallback_hits, 1);
		check("lock rsv", s->c.lock_acquisitions, 0);
		check("take glob 0", (uint64_t)ks_pool_take(r, &glob), 0);
		check("take glob none", (uint64_t)(ks_pool_take(r, &glob) == -1), 1);
		check("fallback_hits", s->c.fallback_hits, 2);
		check("lock", s->c.lock_acquisitions, 2);
		check("pool level 0", (uint64_t)s->lv.pool, 0);
		check("global level 0", (uint64_t)s->lv.global, 0);

		ks_pool_refill(r, &cpu, 4700);
		check("refills", s->c.refills, 1);
		check("latency", s->c.refill_latency_ns, 300);
		check("refill lock", s->c.lock_acquisitions, 2);
		check("refill slot", ks_pool_refill_slot(r, &cpu, 1), !fails);
		check("refill_pages", s->c.refill_pages, !fails);
		check("refill_failures", s->c.refill_failures, fails);
		check("alloc_attempts", s->c.alloc_attempts, 1);
		check("alloc_failures", s->c.alloc_failures, fails);
		check("slot after refill", cpu.slot[1], fails ? KS_SLOT_EMPTY : KS_SLOT_PAGE);
		check("pool level refill", (uint64_t)s->lv.pool, !fails);
		ks_pool_refill(r, &glob, *r->clock);
		check("refills glob", s->c.refills, 2);
		check("latency glob", s->c.refill_latency_ns, 300);
		check("lock glob refill", s->c.lock_acquisitions, 3);

		ks_wait(r, 700);
		ks_wait(r, 50);
		check("waits", s->c.waits, 2);
		check("wait_ns", s->c.wait_ns, 750);
		ks_tlb_flush(r);
		check("tlb_flushes", s->c.tlb_flushes, 1);
		ks_pages_leak(r, 3);
		check("leaked_pages", s->c.leaked_pages, 3);
		ks_memcg_charge(r, 2);
		check("charges orphan", s->c.charges, 2);
		check("kstack orphan", (uint64_t)s->lv.kstack_kb, 0);
		ks_extra_pages(r, 5);
		check("extra_pages", s->c.extra_pages, 5);

		ks_cache_add(r, 3);
		ks_stack_inherit(r, &t, 3);
		check("cache", (uint64_t)s->lv.cache, 0);
		check("stack", (uint64_t)s->lv.stack, 3);
		check("mapped", t.mapped, 3);
		check("charged", t.charged, 3);
		check("charged_dyn", t.charged_dyn, 2);
		check("charges", s->c.charges, 5);
		check("inherited_pages", s->c.inherited_pages, 2);
		check("kstack", (uint64_t)s->lv.kstack_kb, 12);
		check("dyn", (uint64_t)s->lv.dyn_kb, 8);
		check("maps", s->c.maps, 0);
		check("inherited flag", t.flags & KS_PT_INHERITED, KS_PT_INHERITED);
		/* the test's task is not in the table: leave the levels as they were */
		ks_stack_drop(r, &t, 3);
	}
	ks_grid_free(g);
}

/*
 * The counting services added for the reclaim designs, worked out from
 * policy.h's list.  Three runs of one grid on a machine of 1 CPU starting at
 * 5000 ns (the clock stays there): A never fails, B's fail window covers
 * [5000, 1e9 + 5000) (0-1 s), C fails every allocation (fail_rate=1).
 *   map 2 (outside a switch hook): maps 2, pte_writes 2, switch_alloc 0.
 *   in a switch_in hook: map 1 -> switch_alloc 1, unmap 1 -> switch_free
 *   0; in a switch_out hook: map 1 -> switch_alloc still 1, unmap 1 ->
 *   switch_free 1, reclaim 1 -> switch_free 2, reclaimed 1; maps 4,
 *   unmaps 3, pte_writes 4 + 3 = 7.
 *   abit_check(4, 1): abit_checks 4, pte_writes 8.
 *   tlb_flush: flushes 1, local 1.  shootdown(3): flushes 2, shootdowns 1,
 *   ipis 3.  shootdown(0): a local flush: flushes 3, local 2.
 *   reclaim_pass x2: passes 2.
 *   refault(4000), refault(4800), refault(9000) at 5000: refaults 3,
 *   delays 1000 + 200 + 0 (a time after now is no delay), max 1000.
 *   admit 2 pages, retry 100 ns:
 *     A: 2 attempts, no wait, returns 0.
 *     B: attempt at 5000 fails -> wait; retry at 5100 fails (in the
 *        window) -> jump to its end 1e9 + 5000; retry at 1e9 + 5100: both
 *        pages.  attempts 1 + 1 + 2 = 4, failures 2, waits 1,
 *        wait_ns 1e9 + 100, returns 0.
 *     C: the attempt at 5000 fails, then 1000 retries 100 ns apart fail:
 *        attempts 1001, a KS_CRASH_STARVED crash for 2 pages (tid 7),
 *        wait_ns 1000 * 100, returns 2.
 */
static void test_reclaim_counting(void)
{
	struct ks_machine m = { .start_ns = 5000, .page_size = 4096, .thread_size = 16384,
				.ncpus = 1, .depth_known = true };
	const char *specs[] = { "static", "static:fail_windows=0-1", "static:fail_rate=1" };
	static const uint64_t attempts[] = { 2, 4, 1001 }, failures_[] = { 0, 2, 1001 };
	static const uint64_t waits[] = { 0, 1, 1 }, wait_ns[] = { 0, 1000000100, 100000 };
	static const uint64_t left[] = { 0, 0, 2 };
	struct ks_hook h = { .tid = 7 };
	struct ks_error err;
	struct ks_grid *g;
	size_t k;

	if (ks_grid_create(&g, specs, 3, &m, &err)) {
		printf("FAIL grid: %s\n", err.detail);
		failures++;
		return;
	}
	for (k = 0; k < 3; k++) {
		struct ks_run_state *s = g->runs[k];
		struct ks_run *r = &s->run;
		struct ks_ptask t = { 0 };

		ks_stack_map(r, &t, 2);
		check("maps", s->c.maps, 2);
		check("switch_alloc outside", s->c.switch_alloc_pages, 0);
		s->in_hook = KS_HOOK_SWITCH_IN;
		ks_stack_map(r, &t, 1);
		ks_stack_unmap(r, &t, 1);
		s->in_hook = KS_HOOK_SWITCH_OUT;
		ks_stack_map(r, &t, 1);
		ks_stack_unmap(r, &t, 1);
		ks_stack_reclaim(r, &t, 1);
		s->in_hook = KS_HOOK_NONE;
		check("switch_alloc", s->c.switch_alloc_pages, 1);
		check("switch_free", s->c.switch_free_pages, 2);
		check("maps 4", s->c.maps, 4);
		check("unmaps", s->c.unmaps, 3);
		check("reclaimed", s->c.reclaimed_pages, 1);
		check("mapped", t.mapped, 1);
		ks_abit_check(r, 4, 1);
		check("abit_checks", s->c.abit_checks, 4);
		check("pte_writes", s->c.pte_writes, 8);
		ks_tlb_flush(r);
		ks_tlb_shootdown(r, 3);
		ks_tlb_shootdown(r, 0);
		check("tlb_flushes", s->c.tlb_flushes, 3);
		check("tlb_local", s->c.tlb_local_flushes, 2);
		check("tlb_shootdowns", s->c.tlb_shootdowns, 1);
		check("ipis", s->c.ipis, 3);
		ks_reclaim_pass(r);
		ks_reclaim_pass(r);
		check("passes", s->c.reclaim_passes, 2);
		ks_refault(r, 4000);
		ks_refault(r, 4800);
		ks_refault(r, 9000);
		check("refaults", s->c.refaults, 3);
		check("refault delay", s->c.refault_delay_ns, 1200);
		check("refault max", s->c.refault_delay_max_ns, 1000);
		check("admit left", ks_admit_pages(r, &h, 2, 100), left[k]);
		check("admit attempts", s->c.alloc_attempts, attempts[k]);
		check("admit failures", s->c.alloc_failures, failures_[k]);
		check("admission_waits", s->c.admission_waits, waits[k]);
		check("admission_wait_ns", s->c.admission_wait_ns, wait_ns[k]);
		check("starved crash", s->c.crashes, k == 2);
		if (k == 2) {
			check("starved reason", s->crashes[0].reason, KS_CRASH_STARVED);
			check("starved pages", s->crashes[0].pages_needed, 2);
			check("starved tid", s->crashes[0].tid, 7);
		}
		/* the test's task is not in the table: leave the levels as they were */
		ks_stack_drop(r, &t, 1);
	}
	ks_grid_free(g);
}

int main(void)
{
	struct ks_machine m = { .start_ns = 0, .page_size = 4096, .thread_size = 16384,
				.ncpus = 1, .depth_known = true };
	static struct ks_result res;
	struct ks_event evs[3] = {
		{ .time = 20, .type = KS_EV_LOST },
		{ .time = 40, .type = KS_EV_LOST },
		{ .time = 60, .type = KS_EV_LOST },
	};
	const char *spec = "static";
	struct ks_run_state *s;
	struct ks_error err;
	struct ks_grid *g;
	struct ks_run *r;
	struct ks_pool p;

	if (ks_grid_create(&g, &spec, 1, &m, &err))
		return 1;
	s = g->runs[0];
	r = &s->run;
	/*
	 * timers: arg 1 at 50, arg 2 at 10, arg 3 at 30, arg 4 at 10, arg 5 at 90.
	 * Before the event at 20: 2 then 4 (FIFO on ties) at clock 10; arg 2 adds
	 * arg 9 at time 0 (the past): it runs right away in the same sweep, at
	 * clock 10 (never back in time).  Before 40: 3 at 30.  Before 60: 1 at
	 * 50.  At finish(100): 5 at 90.
	 */
	ks_timer_add(r, 50, record, 1);
	ks_timer_add(r, 10, record, 2);
	ks_timer_add(r, 30, record, 3);
	ks_timer_add(r, 10, record, 4);
	ks_timer_add(r, 90, record, 5);
	ks_grid_feed(g, evs, 3);
	ks_grid_finish(g, 100, &res);
	{
		static const uint64_t arg[] = { 2, 9, 4, 3, 1, 5 }, clk[] = { 10, 10, 10, 30, 50, 90 };
		size_t i;

		check("timers run", nseen, 6);
		for (i = 0; i < 6 && i < nseen; i++) {
			check("timer order", seen_arg[i], arg[i]);
			check("timer clock", seen_clock[i], clk[i]);
		}
	}

	/*
	 * pool helpers: 3 slots, fill without injection -> 3 pages (pool level 3);
	 * take -> slot 0 (level 2); set slot 1 empty (level 1); take -> slot 2;
	 * take -> none; fill: only slot 1 is empty -> 1 page (slot 0 and 2 stay
	 * taken).
	 */
	memset(&p, 0, sizeof(p));
	check("pool init", ks_pool_init(r, &p, 3, KS_POOL_CPU), 0);
	check("pool fill", ks_pool_fill(r, &p), 3);
	check("pool level", (uint64_t)s->lv.pool, 3);
	check("take 0", (uint64_t)ks_pool_take(r, &p), 0);
	ks_pool_set(r, &p, 1, KS_SLOT_EMPTY);
	check("pool level 2", (uint64_t)s->lv.pool, 1);
	check("take 2", (uint64_t)ks_pool_take(r, &p), 2);
	check("take none", (uint64_t)(ks_pool_take(r, &p) == -1), 1);
	check("refill", ks_pool_fill(r, &p), 1);
	check("slot0", p.slot[0], KS_SLOT_TAKEN);
	check("slot1", p.slot[1], KS_SLOT_PAGE);
	check("peak", s->c.pool_pages_peak, 3);
	/* set-up fills are not allocations; two pages taken from a per-CPU pool */
	check("fill attempts", s->c.alloc_attempts, 0);
	check("pool hits", s->c.pool_hits, 2);
	check("no fallback", s->c.fallback_hits, 0);
	check("no lock", s->c.lock_acquisitions, 0);
	ks_grid_free(g);
	test_counting();
	test_reclaim_counting();
	return failures ? 1 : 0;
}
