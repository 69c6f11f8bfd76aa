// SPDX-License-Identifier: MIT
/*
 * Golden tests of the uniform per-CPU pool knob: pool=0 is a real value (no
 * per-CPU pool) for rfc, rfc+global, entry and watermark, and watermark's
 * low follows pool (auto = pool / 2).  Expected values worked out by hand
 * from the rules in the policies' header comments.
 *
 * 4 KiB pages, 16 KiB stacks (4 pages), prealloc 1.  Times in ms.
 */
#include "golden_util.h"

/*
 * rfc:pool=0, 1 CPU, one growth of one page.
 *   t0  SNAP 100 hwm 1000: 1 page, charged (kstack 4 KiB), not a memcg charge.
 *   t10 SW 100 -> 0 hwm 5000: needs 2 pages, +1.  The fault looks in the
 *       CPU's pool, which has no slot: a fault with 0 pages, a would-be
 *       crash (t10, cpu 0, tid 100, 1 page, pool empty), and the page is
 *       mapped anyway (maps 1, never charged).  Nothing was taken from a
 *       pool, so no refill.
 * faults 1, fault_pages 0, pool_hits 0, crashes 1, refills 0, charges 0,
 * alloc_attempts 0, maps 1, stack 2 pages, kstack 4 KiB, pools 0.
 * The same trace with the default pool (auto = 4 - 1 = 3 slots): the page
 * comes from slot 0 (pool_hits 1, fault_pages 1), no crash, and the refill
 * charges it (charges 1, kstack 8 KiB) and allocates a page for the slot
 * (refills 1, refill_pages 1, alloc_attempts 1): pool 3 at the end.
 */
static void test_rfc_pool0(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_sw(10 * MS, 0, 100, 0, 5000, 1),
	};
	struct expect e0[] = {
		{ "faults", 1 }, { "fault_pages", 0 }, { "pool_hits", 0 }, { "crashes", 1 },
		{ "refills", 0 }, { "charges", 0 }, { "alloc_attempts", 0 }, { "maps", 1 },
		{ "stack_pages_end", 2 }, { "kernel_stack_kb_end", 4 }, { "pool_pages_end", 0 },
		{ "pool_pages_peak", 0 },
	};
	struct expect ea[] = {
		{ "faults", 1 }, { "fault_pages", 1 }, { "pool_hits", 1 }, { "crashes", 0 },
		{ "refills", 1 }, { "refill_pages", 1 }, { "charges", 1 }, { "alloc_attempts", 1 },
		{ "stack_pages_end", 2 }, { "kernel_stack_kb_end", 8 }, { "pool_pages_end", 3 },
	};
	struct ks_result *r;

	r = run("rfc:pool=0", &m, evs, N(evs), 20 * MS);
	check_counters("rfc_pool0", r, e0, N(e0));
	check_u64("rfc_pool0", "nr_crashes", r->nr_crashes, 1);
	check_u64("rfc_pool0", "crash time", r->crashes[0].time, 10 * MS);
	check_u64("rfc_pool0", "crash tid", r->crashes[0].tid, 100);
	check_u64("rfc_pool0", "crash pages", r->crashes[0].pages_needed, 1);
	check_u64("rfc_pool0", "crash reason", r->crashes[0].reason, KS_CRASH_POOL_EMPTY);
	if (!strstr(r->params, ",pool=0,")) {
		printf("FAIL rfc_pool0: params lack pool=0: %s\n", r->params);
		g_failures++;
	}
	free(r);
	r = run("rfc", &m, evs, N(evs), 20 * MS);
	check_counters("rfc_pool_auto", r, ea, N(ea));
	free(r);
}

/*
 * Compare two results of the same trace field by field, except params.
 * The per-CPU pool levels, and so the totals, may differ by the constant
 * @pool_delta pages (a per-CPU pool that exists but is never used);
 * everything else must match.
 */
static void same_result(const char *test, const struct ks_result *a, const struct ks_result *b,
			int64_t pool_delta)
{
	int bad = 0;
	size_t i;

#define X(n, d)								\
	if (strcmp(#n, "pool_pages_end") && strcmp(#n, "pool_pages_peak") &&	\
	    strcmp(#n, "total_pages_peak") && a->c.n != b->c.n) {		\
		printf("FAIL %s: %s %llu != %llu\n", test, #n,			\
		       (unsigned long long)a->c.n, (unsigned long long)b->c.n);	\
		bad++;								\
	}
	KS_COUNTERS(X)
#undef X
	bad += (int64_t)b->c.pool_pages_end - (int64_t)a->c.pool_pages_end != pool_delta;
	bad += (int64_t)b->c.pool_pages_peak - (int64_t)a->c.pool_pages_peak != pool_delta;
	bad += fabs(b->c.pool_pages_mean - a->c.pool_pages_mean - (double)pool_delta) > 1e-9;
	/* the unused pool pages are there all along: the total is higher by as much */
	bad += (int64_t)b->c.total_pages_peak - (int64_t)a->c.total_pages_peak != pool_delta;
	bad += fabs(b->c.total_pages_mean - a->c.total_pages_mean - (double)pool_delta) > 1e-9;
	bad += a->c.stack_pages_mean != b->c.stack_pages_mean;
	bad += strcmp(a->policy, b->policy) != 0 || strcmp(a->engine_version, b->engine_version);
	bad += a->seed != b->seed || a->page_size != b->page_size ||
	       a->thread_size != b->thread_size || a->ncpus != b->ncpus ||
	       a->start_ns != b->start_ns || a->end_ns != b->end_ns;
	bad += a->nr_crashes != b->nr_crashes ||
	       memcmp(a->crashes, b->crashes, a->nr_crashes * sizeof(a->crashes[0]));
	bad += a->nr_samples != b->nr_samples;
	for (i = 0; i < a->nr_samples && i < b->nr_samples; i++) {
		const struct ks_sample *x = &a->samples[i], *y = &b->samples[i];

		bad += x->time != y->time || x->stack_pages != y->stack_pages ||
		       x->kernel_stack_kb != y->kernel_stack_kb || x->tasks != y->tasks ||
		       x->crashes != y->crashes || x->cache_pages != y->cache_pages ||
		       (int64_t)y->pool_pages - (int64_t)x->pool_pages != pool_delta;
	}
	bad += a->nr_hwm_buckets != b->nr_hwm_buckets ||
	       memcmp(a->hwm_hist, b->hwm_hist, sizeof(a->hwm_hist));
	if (bad) {
		printf("FAIL %s: results differ (%d fields)\n", test, bad);
		g_failures++;
	}
}

/*
 * rfc+global, 2 CPUs, global=2, global_latency=5 ms, quirk_refill=1.
 *   t0  SNAP 100, 200, 300 hwm 1000 on cpu0: 1 page each (kstack 12 KiB).
 *   t10 SW cpu0 100 -> 200 hwm 9000: +2.  No per-CPU slot: each page takes
 *       the lock (locks 1, 2) and a global slot (slots 0, 1; fallback 1, 2);
 *       the first queues the refill irq_work for t15.  No per-CPU refill.
 *   t12 SW cpu1 200 -> 300 hwm 5000: +1: lock 3, global empty: would-be
 *       crash (t12, cpu 1, tid 200, 1 page), mapped anyway, never charged.
 *   t15 work: lock 4, refills 1, latency 5 ms; slot 0 taken: charge 100,
 *       allocate; slot 1 taken: charge 100, allocate (charges 2, attempts 2).
 *   t20 SW cpu1 300 -> 0 hwm 5000: +1: lock 5, slot 0 (fallback 3), queues
 *       the work for t25.
 *   t25 work: lock 6, refills 2, latency 10 ms; slot 0 taken: charge 300,
 *       allocate; slot 1 holds a page: quirk_refill stops there.
 *   end t30.
 * faults 4, fault_pages 3, pool_hits 0, fallback_hits 3, lock_acquisitions
 * 6, crashes 1, refills 2, refill_pages 3, refill_latency 10 ms, charges 3,
 * alloc_attempts 3, maps 4, stacks 3 + 2 + 2 = 7 pages, kstack 3 + 3 = 6
 * pages = 24 KiB, per-CPU pools 0, global 2.
 * pool=0 (per-CPU path on, no slots) and percpu=0,pool=0 (path off) must give
 * the same whole result.  percpu=0 with the default pool (3 slots per CPU)
 * serves the same way but holds 2 x 3 = 6 unused per-CPU pool pages
 * throughout: every level of pool pages is 6 higher, nothing else differs.
 */
static void test_global_pool0(void)
{
	struct ks_machine m = machine(2);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000), ev_snap(0, 0, 200, 1000), ev_snap(0, 0, 300, 1000),
		ev_sw(10 * MS, 0, 100, 200, 9000, 1),
		ev_sw(12 * MS, 1, 200, 300, 5000, 1),
		ev_sw(20 * MS, 1, 300, 0, 5000, 1),
	};
	struct expect e[] = {
		{ "faults", 4 }, { "fault_pages", 3 }, { "pool_hits", 0 }, { "fallback_hits", 3 },
		{ "lock_acquisitions", 6 }, { "crashes", 1 }, { "refills", 2 },
		{ "refill_pages", 3 }, { "refill_latency_ns", 10 * MS }, { "charges", 3 },
		{ "alloc_attempts", 3 }, { "maps", 4 }, { "stack_pages_end", 7 },
		{ "kernel_stack_kb_end", 24 }, { "pool_pages_end", 0 }, { "pool_pages_peak", 0 },
		{ "global_pages_end", 2 },
	};
	struct ks_result *p0, *off0, *off;

#define RG "rfc+global:global=2,global_latency=5000000"
	p0 = run(RG ",pool=0", &m, evs, N(evs), 30 * MS);
	off0 = run(RG ",percpu=0,pool=0", &m, evs, N(evs), 30 * MS);
	off = run(RG ",percpu=0", &m, evs, N(evs), 30 * MS);
#undef RG
	check_counters("global_pool0", p0, e, N(e));
	check_u64("global_pool0", "crash tid", p0->crashes[0].tid, 200);
	check_u64("global_pool0", "crash cpu", p0->crashes[0].cpu, 1);
	same_result("global_pool0_vs_percpu0_pool0", p0, off0, 0);
	same_result("global_pool0_vs_percpu0", p0, off, 6);
	check_u64("global_percpu0", "pool_pages_end", off->c.pool_pages_end, 6);
	free(p0);
	free(off0);
	free(off);
}

static struct ks_event ev_entry(uint64_t t, uint32_t cpu, uint32_t tid, uint32_t kind, bool in)
{
	return (struct ks_event){ .time = t, .cpu = cpu, .tid = tid, .arg = kind,
				  .type = in ? KS_EV_KENTRY : KS_EV_KEXIT };
}

/*
 * entry:entries=events,pool=0, 1 CPU, reserve 3, alloc_latency 10 us, fail
 * window [3 ms, 3.5 ms).  No cache: every expansion of 3 pages allocates.
 *   t0  NEW 100, 200, 300 (user): 1 page each, maps 3, charges 3.  Pools:
 *       the reserve's 3 pages only.  Their parent 1, alive before the
 *       trace, holds a full stack (4 pages, adopted: no map).
 *   t1  KENTRY 100 syscall: no cache page; GFP_NOWAIT allocations at 1 ms
 *       succeed (attempts 1-3), no wait.  maps 3.
 *   t2  KEXIT 100: unmaps 3, TLB 1; the reserve is full and there is no
 *       cache slot: the 3 pages are freed.
 *   t3  KENTRY 200 syscall: no cache page; the no-wait allocation at 3 ms
 *       fails (attempt 4, in the window): the task sleeps (waits 1).  Retry
 *       at 3.01 ms fails (attempt 5), sleep to the window's end 3.5 ms, retry
 *       at 3.51 ms: attempts 6-8 succeed.  wait_ns = 0.51 ms.  maps 3.
 *   t4  KEXIT 200: unmaps 3, TLB 2, pages freed.
 *   t5  KENTRY 300 IRQ: no cache page: the reserve 3 -> 0 (fallback 3),
 *       no allocation.  maps 3.
 *   t6  KEXIT 300: unmaps 3, TLB 3, the pages refill the reserve: 3.
 * end t7: maps 12, unmaps 9, tlb_flushes 3, pool_hits 0, fallback_hits 3,
 * alloc_attempts 8, alloc_failures 2, waits 1, wait_ns 510000, crashes 0,
 * entries 3, pool pages end 3, peak 3, stacks 3 + 4 = 7 pages.
 * With pool=auto (9 pages) every expansion, the IRQ one too, takes the
 * cache first (pool_hits 9, fallback_hits 0) and nothing is allocated or
 * waited for; the pages go back to the cache: pools 9 + 3 = 12 at the end.
 */
static void test_entry_pool0(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_new(0, 0, 100, 1), ev_new(0, 0, 200, 1), ev_new(0, 0, 300, 1),
		ev_entry(1 * MS, 0, 100, KS_ENTRY_SYSCALL, true),
		ev_entry(2 * MS, 0, 100, KS_ENTRY_SYSCALL, false),
		ev_entry(3 * MS, 0, 200, KS_ENTRY_SYSCALL, true),
		ev_entry(4 * MS, 0, 200, KS_ENTRY_SYSCALL, false),
		ev_entry(5 * MS, 0, 300, KS_ENTRY_IRQ, true),
		ev_entry(6 * MS, 0, 300, KS_ENTRY_IRQ, false),
	};
	struct expect e0[] = {
		{ "maps", 12 }, { "unmaps", 9 }, { "tlb_flushes", 3 }, { "pool_hits", 0 },
		{ "fallback_hits", 3 }, { "alloc_attempts", 8 }, { "alloc_failures", 2 },
		{ "waits", 1 }, { "wait_ns", 510000 }, { "crashes", 0 }, { "entries", 3 },
		{ "pool_pages_end", 3 }, { "pool_pages_peak", 3 }, { "stack_pages_end", 7 },
	};
	struct expect ea[] = {
		{ "pool_hits", 9 }, { "fallback_hits", 0 }, { "alloc_attempts", 0 },
		{ "waits", 0 }, { "wait_ns", 0 }, { "pool_pages_end", 12 },
	};
	struct ks_result *r;

#define EN "entry:entries=events,alloc_latency=10000,fail_windows=0.003-0.0035"
	r = run(EN ",pool=0", &m, evs, N(evs), 7 * MS);
	check_counters("entry_pool0", r, e0, N(e0));
	free(r);
	r = run(EN, &m, evs, N(evs), 7 * MS);
	check_counters("entry_pool_auto", r, ea, N(ea));
	free(r);
#undef EN
}

/*
 * watermark:pool=0, 1 CPU, latency 5 ms.  No pool: every fault is a failed
 * atomic allocation, and no balance work is ever scheduled.
 *   t0  SNAP 100 hwm 1000: 1 page.
 *   t10 SW 100 -> 0 hwm 5000: +1: no page: a fault of 0 pages, would-be crash
 *       (t10, tid 100, 1 page), mapped anyway (maps 1), not charged.
 *   t20 SW 0 -> 100.   t30 SW 100 -> 0 hwm 9000: +1: crash again (t30).
 *   t40 EXIT + FREE 100: 3 pages unmapped; no pool slot: all freed.
 * end t50: faults 2, fault_pages 0, pool_hits 0, crashes 2, refills 0,
 * charges 0, alloc_attempts 0, maps 2, unmaps 3, stacks 0, pools 0.
 */
static void test_watermark_pool0(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_sw(10 * MS, 0, 100, 0, 5000, 1),
		ev_sw(20 * MS, 0, 0, 100, 0, 0),
		ev_sw(30 * MS, 0, 100, 0, 9000, 1),
		ev_exit(40 * MS, 0, 100, 9000),
		ev_free(40 * MS, 0, 100),
	};
	struct expect e[] = {
		{ "faults", 2 }, { "fault_pages", 0 }, { "pool_hits", 0 }, { "crashes", 2 },
		{ "refills", 0 }, { "charges", 0 }, { "alloc_attempts", 0 }, { "maps", 2 },
		{ "unmaps", 3 }, { "stack_pages_end", 0 }, { "pool_pages_end", 0 },
		{ "pool_pages_peak", 0 },
	};
	struct ks_result *r = run("watermark:pool=0,latency=5000000", &m, evs, N(evs), 50 * MS);

	check_counters("watermark_pool0", r, e, N(e));
	check_u64("watermark_pool0", "first crash time", r->crashes[0].time, 10 * MS);
	check_u64("watermark_pool0", "second crash time", r->crashes[1].time, 30 * MS);
	if (!strstr(r->params, ",low=auto,") || !strstr(r->params, ",pool=0,")) {
		printf("FAIL watermark_pool0: params lack low=auto / pool=0: %s\n", r->params);
		g_failures++;
	}
	free(r);
}

/*
 * watermark:pool=8: low auto = 8 / 2 = 4.  1 CPU, latency 5 ms.
 *   t0  SNAP 100, 200 hwm 1000: 1 page each.  pool 8.
 *   t10 SW 100 -> 200 hwm 13000: +3: takes leave 7, 6, 5 (none below 4).
 *   t12 SW 200 -> 100 hwm 9000: +2: takes leave 4 (not below 4), then 3
 *       (below 4): work for t17.
 *   t17 work: not failed: 8 - 3 = 5 allocations: pool 8.
 *   end t20: pool_hits 5, refills 1, refill_pages 5, alloc_attempts 5,
 *   refill_latency 5 ms, charges 5, crashes 0, pool 8.
 * With an explicit low=3 the take leaving 3 is not below it: no work,
 * refills 0, pool 3 at the end.
 */
static void test_watermark_auto_low(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000), ev_snap(0, 0, 200, 1000),
		ev_sw(10 * MS, 0, 100, 200, 13000, 1),
		ev_sw(12 * MS, 0, 200, 100, 9000, 1),
	};
	struct expect e[] = {
		{ "pool_hits", 5 }, { "refills", 1 }, { "refill_pages", 5 },
		{ "alloc_attempts", 5 }, { "refill_latency_ns", 5 * MS }, { "charges", 5 },
		{ "crashes", 0 }, { "pool_pages_end", 8 }, { "pool_pages_peak", 8 },
	};
	struct expect e3[] = {
		{ "pool_hits", 5 }, { "refills", 0 }, { "pool_pages_end", 3 },
	};
	struct ks_result *r;

	r = run("watermark:pool=8,latency=5000000", &m, evs, N(evs), 20 * MS);
	check_counters("watermark_auto_low", r, e, N(e));
	if (!strstr(r->params, ",low=auto,")) {
		printf("FAIL watermark_auto_low: params lack low=auto: %s\n", r->params);
		g_failures++;
	}
	free(r);
	r = run("watermark:pool=8,low=3,latency=5000000", &m, evs, N(evs), 20 * MS);
	check_counters("watermark_low3", r, e3, N(e3));
	free(r);
}

/*
 * watermark:pool=1: low auto = 1 / 2 = 0, so only an empty pool schedules.
 * 1 CPU, latency 5 ms.
 *   t0  SNAP 100, 200 hwm 1000.  pool 1.
 *   t10 SW 100 -> 200 hwm 5000: +1: take leaves 0, not below 0: no work.
 *   t12 SW 200 -> 100 hwm 5000: +1: empty: would-be crash (t12, tid 200),
 *       failed flag, work for t17.
 *   t17 work: failed: populate pool = 1 page: pool 1.
 *   end t20: pool_hits 1, crashes 1, refills 1, refill_pages 1, charges 1,
 *   pool 1.
 */
static void test_watermark_pool1(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000), ev_snap(0, 0, 200, 1000),
		ev_sw(10 * MS, 0, 100, 200, 5000, 1),
		ev_sw(12 * MS, 0, 200, 100, 5000, 1),
	};
	struct expect e[] = {
		{ "pool_hits", 1 }, { "crashes", 1 }, { "refills", 1 }, { "refill_pages", 1 },
		{ "charges", 1 }, { "pool_pages_end", 1 },
	};
	struct ks_result *r = run("watermark:pool=1,latency=5000000", &m, evs, N(evs), 20 * MS);

	check_counters("watermark_pool1", r, e, N(e));
	check_u64("watermark_pool1", "crash tid", r->crashes[0].tid, 200);
	free(r);
}

int main(void)
{
	test_rfc_pool0();
	test_global_pool0();
	test_entry_pool0();
	test_watermark_pool0();
	test_watermark_auto_low();
	test_watermark_pool1();
	return g_failures ? 1 : 0;
}
