// SPDX-License-Identifier: MIT
/*
 * Golden tests of rfc+global (seed 000).  Expected values are worked out by
 * hand from the seed's code paths: dynamic_stack_get_page() tries the
 * per-CPU slots, then takes the global lock and picks from the global array,
 * queueing the refill irq_work on success; the irq_work takes the lock and
 * runs the RFC's account-and-allocate helper on the global array.
 *
 * 4 KiB pages, 16 KiB stacks, prealloc 1, fault_span=page, quirk_refill=1,
 * one CPU.  Times in ms.  "P" page, "T" taken, "E" empty.
 */
#include "golden_util.h"

/*
 * pool=1 (one per-CPU slot), global=2, global_latency=5ms.
 *   t0  SNAP 100, 200, 300, 400 (1 page each, charged): kstack 16 KiB.
 *   t10 SW 100->200 hwm 9000: +2 pages.  p1: per-CPU slot0 (pool_hits 1).
 *       p2: per-CPU empty -> lock (1), global slot0 (fallback 1), work
 *       queued for t15.  Per-CPU refill: charge 100, alloc 1 ok.  global TP.
 *   t12 SW 200->300 hwm 9000: +2.  p1 per-CPU (hits 2); p2 lock (2),
 *       global slot1 (fallback 2), work already pending.  Refill: charge
 *       200, alloc 2.  global TT.
 *   t13 SW 300->400 hwm 9000: +2.  p1 per-CPU (hits 3); p2 lock (3):
 *       global still depleted (work due at t15): crash (t13, tid 300, 1
 *       page), mapped uncharged.  Refill: charge 300, alloc 3.
 *   t15 work: lock (4), latency 5ms; slot0 T: charge owner 100, alloc 4;
 *       slot1 T: charge owner 200, alloc 5.  global PP.
 *   t20 SW 400->100 hwm 9000: +2.  p1 per-CPU (hits 4); p2 lock (5),
 *       global slot0 (fallback 3): served now that it was refilled; work
 *       queued for t25.  Refill: charge 400, alloc 6.
 *   t25 work: lock (6), latency +5ms; slot0 T: charge 400, alloc 7; slot1
 *       P: stop (quirk).
 *   end t30.
 * faults 2+2+2+2 = 8 (the failed page is a fault that found nothing),
 * fault_pages 7, maps 8 (the crash page is mapped too), pool_hits 4,
 * fallback_hits 3, lock_acquisitions 6, refills 4 per-CPU + 2 global = 6,
 * refill_pages 7, alloc_attempts 7, charges 7, crashes 1.
 * stack 4 tasks x 3 pages = 12; charged = 4 (snapshots) + 7 = 11 pages =
 * 44 KiB (300's crash page is never charged); dyn 7 pages = 28 KiB.
 * pool 1, global 2 at the end; refill_latency_ns 10 ms.
 */
static void test_fallback_and_latency(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000), ev_snap(0, 0, 200, 1000),
		ev_snap(0, 0, 300, 1000), ev_snap(0, 0, 400, 1000),
		ev_sw(10 * MS, 0, 100, 200, 9000, 1),
		ev_sw(12 * MS, 0, 200, 300, 9000, 1),
		ev_sw(13 * MS, 0, 300, 400, 9000, 1),
		ev_sw(20 * MS, 0, 400, 100, 9000, 1),
	};
	struct expect e[] = {
		{ "faults", 8 }, { "fault_pages", 7 }, { "maps", 8 }, { "pool_hits", 4 },
		{ "fallback_hits", 3 }, { "lock_acquisitions", 6 }, { "refills", 6 },
		{ "refill_pages", 7 }, { "alloc_attempts", 7 }, { "charges", 7 },
		{ "crashes", 1 }, { "stack_pages_end", 12 }, { "kernel_stack_kb_end", 44 },
		{ "dyn_faults_kb_end", 28 }, { "pool_pages_end", 1 }, { "global_pages_end", 2 },
		{ "refill_latency_ns", 10 * MS }, { "refill_failures", 0 },
	};
	struct ks_result *r = run("rfc+global:pool=1,global=2,global_latency=5000000", &m, evs,
				  N(evs), 30 * MS);

	check_counters("fallback", r, e, N(e));
	check_u64("fallback", "nr_crashes", r->nr_crashes, 1);
	check_u64("fallback", "crash time", r->crashes[0].time, 13 * MS);
	check_u64("fallback", "crash tid", r->crashes[0].tid, 300);
	check_u64("fallback", "crash pages", r->crashes[0].pages_needed, 1);
	free(r);
}

/*
 * percpu=0: only the global pool serves.  global=2, latency 5ms, per-CPU
 * pool auto = 3 slots that stay full (counted as pool memory).
 *   t0  SNAP 100, 200.
 *   t10 SW 100->200 hwm 5000: +1: lock 1, global slot0 (fallback 1), work
 *       queued for t15.  No per-CPU refill.
 *   t12 SW 200->100 hwm 9000: +2: lock 2, slot1 (fallback 2); lock 3,
 *       nothing: crash (t12, 200, 1 page).
 *   t15 work: lock 4; charge 100 (slot0) and 200 (slot1); 2 allocations.
 *   t20 SW 100->200 hwm 13000: +2 (100 has 2 of 4).
 *       no window: lock 5 slot0 (fallback 3, work for t25), lock 6 slot1
 *       (fallback 4).  t25 work: lock 7, charges 100 twice, allocs 3, 4.
 * Without a fail window: faults 1+2+2 = 5, fault_pages 4, fallback 4, lock 7,
 * crashes 1, refills 2, charges 4, alloc_attempts 4, pool_hits 0, pool 3,
 * global 2; stack 100: 4, 200: 3 = 7 pages, charged 7 - 1 = 6 pages = 24 KiB.
 *
 * fail_windows=0.014-0.016: the t15 allocations fail (2 attempts, 2
 * failures, refill_failures 2): global EE.  t20: lock 5, nothing (empty
 * slots are skipped): crash 2 (t20, 100, 2 pages).  faults 1+2+1 = 4,
 * fallback 2, lock 5, refills 1, charges 2 (accounting precedes the
 * allocation), global 0.
 * fail_windows=0.024-0.026: t15 succeeds (attempts 1, 2), t20 as without a
 * window, the t25 work fails both (attempts 3, 4; failures 2): global 0,
 * refills 2, charges 4, crashes 1.
 */
static void test_global_only(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000), ev_snap(0, 0, 200, 1000),
		ev_sw(10 * MS, 0, 100, 200, 5000, 1),
		ev_sw(12 * MS, 0, 200, 100, 9000, 1),
		ev_sw(20 * MS, 0, 100, 200, 13000, 1),
	};
	struct expect plain[] = {
		{ "faults", 5 }, { "fault_pages", 4 }, { "fallback_hits", 4 },
		{ "lock_acquisitions", 7 }, { "crashes", 1 }, { "refills", 2 }, { "charges", 4 },
		{ "alloc_attempts", 4 }, { "alloc_failures", 0 }, { "pool_hits", 0 },
		{ "pool_pages_end", 3 }, { "global_pages_end", 2 }, { "stack_pages_end", 7 },
		{ "kernel_stack_kb_end", 24 },
	};
	struct expect w1[] = {
		{ "faults", 4 }, { "fallback_hits", 2 }, { "lock_acquisitions", 5 },
		{ "crashes", 2 }, { "refills", 1 }, { "charges", 2 }, { "alloc_attempts", 2 },
		{ "alloc_failures", 2 }, { "refill_failures", 2 }, { "global_pages_end", 0 },
		{ "pool_pages_end", 3 },
	};
	struct expect w2[] = {
		{ "fallback_hits", 4 }, { "lock_acquisitions", 7 }, { "crashes", 1 },
		{ "refills", 2 }, { "charges", 4 }, { "alloc_attempts", 4 },
		{ "alloc_failures", 2 }, { "refill_failures", 2 }, { "global_pages_end", 0 },
	};
	const char *base = "rfc+global:percpu=0,global=2,global_latency=5000000";
	char spec[256];
	struct ks_result *r;

	r = run(base, &m, evs, N(evs), 30 * MS);
	check_counters("global_only", r, plain, N(plain));
	free(r);
	snprintf(spec, sizeof(spec), "%s,fail_windows=0.014-0.016", base);
	r = run(spec, &m, evs, N(evs), 30 * MS);
	check_counters("global_only_window1", r, w1, N(w1));
	check_u64("global_only_window1", "crash 2 time", r->crashes[1].time, 20 * MS);
	check_u64("global_only_window1", "crash 2 pages", r->crashes[1].pages_needed, 2);
	free(r);
	snprintf(spec, sizeof(spec), "%s,fail_windows=0.024-0.026", base);
	r = run(spec, &m, evs, N(evs), 30 * MS);
	check_counters("global_only_window2", r, w2, N(w2));
	free(r);
}

/* Same seed, same result, bit for bit; the draws do change with the seed. */
static void test_seeded(void)
{
	struct ks_machine m = machine(2);
	struct ks_event evs[64];
	struct ks_result *a, *b;
	size_t n = 0;
	uint32_t i;

	for (i = 0; i < 8; i++)
		evs[n++] = ev_snap(0, i % 2, 100 + i, 1000);
	for (i = 0; i < 40; i++)
		evs[n++] = ev_sw((i + 1) * MS, i % 2, 100 + (i % 8), 100 + ((i + 1) % 8),
				 1000 + 1500 * (i % 11), 1);
	a = run("rfc+global:pool=1,global=2,fail_rate=0.4,seed=11", &m, evs, n, 50 * MS);
	b = run("rfc+global:pool=1,global=2,fail_rate=0.4,seed=11", &m, evs, n, 50 * MS);
	if (memcmp(a, b, sizeof(*a))) {
		printf("FAIL seeded: same seed, different results\n");
		g_failures++;
	}
	if (!a->c.alloc_failures || a->c.alloc_failures == a->c.alloc_attempts) {
		printf("FAIL seeded: 40%% failure rate gave %llu/%llu\n",
		       (unsigned long long)a->c.alloc_failures,
		       (unsigned long long)a->c.alloc_attempts);
		g_failures++;
	}
	free(a);
	free(b);
}

/*
 * The global refill charges the task that took the page; if its stack is
 * gone, even when a new task holds its slot, the page is a memcg charge
 * only.  pool=0 (only the global pool), cache=0 (released stacks are
 * freed), global=2, global_latency=5ms.
 *   t0  SNAP 100, 200 (1 page each, charged): kstack 8.
 *   t10 SW 100->200 hwm 5000: +1 page: lock (1), global slot0 (fallback
 *       1), owner 100 (its first birth in the run), work queued for t15.
 *       No per-CPU pool: no refill at the switch-out.
 *   t11 EXIT 100: its charges drop (kstack 4).
 *   t12 SW 100 dead: released, its 2 pages unmapped.
 *   t13 NEW 300: takes 100's task slot; a fresh stack of 1 page (map,
 *       memcg charge 1, kstack 8).
 *   t15 work: lock (2), latency 5ms, refills 1; slot0 T: its owner's stack
 *       is gone (the slot's task is another birth): charges 2, kstack and
 *       dyn unchanged; alloc ok (refill_pages 1).  slot1 P: stop.
 *   end t20: stack 200's 1 + 300's 1 = 2, global 2, kstack 8, dyn 0,
 *   maps 2, unmaps 2, faults 1.
 */
static void test_owner_gone(void)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000), ev_snap(0, 0, 200, 1000),
		ev_sw(10 * MS, 0, 100, 200, 5000, 1),
		ev_exit(11 * MS, 0, 100, 5000),
		ev_sw(12 * MS, 0, 100, 200, 0, 2),
		ev_new(13 * MS, 0, 300, 200),
	};
	struct expect e[] = {
		{ "faults", 1 }, { "fault_pages", 1 }, { "pool_hits", 0 }, { "fallback_hits", 1 },
		{ "lock_acquisitions", 2 }, { "refills", 1 }, { "refill_pages", 1 },
		{ "refill_latency_ns", 5 * MS }, { "alloc_attempts", 1 }, { "charges", 2 },
		{ "kernel_stack_kb_end", 8 }, { "dyn_faults_kb_end", 0 },
		{ "stack_pages_end", 2 }, { "global_pages_end", 2 }, { "maps", 2 },
		{ "unmaps", 2 }, { "crashes", 0 }, { "forks", 1 }, { "exits", 1 },
	};
	struct ks_result *r = run("rfc+global:pool=0,cache=0,global=2,global_latency=5000000", &m,
				  evs, N(evs), 20 * MS);

	check_counters("owner_gone", r, e, N(e));
	free(r);
}

int main(void)
{
	test_owner_gone();
	test_fallback_and_latency();
	test_global_only();
	test_seeded();
	return g_failures ? 1 : 0;
}
