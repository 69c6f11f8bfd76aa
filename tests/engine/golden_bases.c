// SPDX-License-Identifier: MIT
/*
 * The memory bases the report shows (end, peak, mean) as the engine keeps
 * them: the peak of the sum of stacks, pools and cached stacks (never a sum
 * of peaks), its time-weighted mean, and the pool means counting the same
 * pools as the pool ends and peaks.  One CPU, 4 KiB pages, 16 KiB stacks;
 * every figure below is worked out by hand.
 *
 * The trace:
 *   t0   SNAP 100, HWM 1000: 1 page.
 *   t10  NEW 200 (comm "worker"), parent 100, on CPU 0: a fresh fork maps 1 page.
 *   t20  SW 200 -> 100, 200's HWM 9000: 3 pages, 2 more than it has.
 *   t30  FREE 200: its 3 pages go to the CPU's cache (2 slots, empty).
 *   end  t40.
 *
 * rfc (pool auto = 3, cache 2): levels stack / per-CPU pool / cache.
 *   [0,10)  1 / 3 / 0 = 4;  [10,20) 2 / 3 / 0 = 5.
 *   t20: two faults of a page each: take, map, take, map: the sum goes
 *        5 4 5 4 5 (a page moved is never counted twice); the refill at the
 *        switch-out refills slots 0 and 1 (quirk_refill stops at slot 2,
 *        which holds its page): 6, 7.  [20,30) 4 / 3 / 0 = 7.
 *   t30: the stack leaves for the cache: 3 pages out, 3 in.  [30,40) 1 / 3 / 3 = 7.
 *   stack peak 4, total peak 7 (not 4 + 3 + 3 = 10, the sum of the peaks).
 *   stack mean (1*10 + 2*10 + 4*10 + 1*10) / 40 = 80/40 = 2.0
 *   pool mean 3.0 (the takes and the refill happen at the same instant)
 *   total mean (4*10 + 5*10 + 7*20) / 40 = 230/40 = 5.75
 *
 * rfc+global, global=2: the same, with 2 global pages throughout.
 *   total peak 7 + 2 = 9, total mean 5.75 + 2 = 7.75; the per-CPU pool mean
 *   stays 3.0 like its end and peak (the global pool is in the total, and in
 *   global_pages_end, on every basis alike).
 *
 * rfc:pool=0: no pool: at t20 the fault finds no page, a would-be crash of
 *   task 200, whose name is "worker"; the stack grows anyway (2 pages).
 *   [0,10) 1; [10,20) 2; [20,30) 4; [30,40) 1 + 3 cached = 4.
 *   total peak 4, total mean (10 + 20 + 80) / 40 = 110/40 = 2.75.
 */
#include <stdbool.h>

#include "golden_util.h"

static void check_bases(const char *spec, bool nopool, uint64_t peak, double mean,
			double pool_mean, uint64_t global_end)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_new(10 * MS, 0, 200, 100),
		ev_sw(20 * MS, 0, 200, 100, 9000, 1),
		ev_free(30 * MS, 0, 200),
	};
	struct expect e[] = {
		{ "stack_pages_peak", 4 }, { "stack_pages_end", 1 }, { "cache_pages_end", 3 },
		{ "pool_pages_end", nopool ? 0 : 3 }, { "global_pages_end", global_end },
		{ "total_pages_peak", peak },
	};
	struct ks_result *r;

	memcpy(evs[1].comm, "worker", 7);
	r = run(spec, &m, evs, N(evs), 40 * MS);
	check_counters(spec, r, e, N(e));
	check_double(spec, "stack_pages_mean", r->c.stack_pages_mean, 2.0);
	check_double(spec, "pool_pages_mean", r->c.pool_pages_mean, pool_mean);
	check_double(spec, "total_pages_mean", r->c.total_pages_mean, mean);
	if (nopool) {
		check_u64(spec, "crashes kept", r->nr_crashes, 1);
		check_u64(spec, "crash tid", r->crashes[0].tid, 200);
		if (strcmp(r->crashes[0].comm, "worker")) {
			printf("FAIL %s: crash comm '%s', expected 'worker'\n", spec,
			       r->crashes[0].comm);
			g_failures++;
		}
	}
	free(r);
}

int main(void)
{
	check_bases("rfc", false, 7, 5.75, 3.0, 0);
	check_bases("rfc+global:global=2", false, 9, 7.75, 3.0, 2);
	check_bases("rfc:pool=0", true, 4, 2.75, 0.0, 0);
	return g_failures ? 1 : 0;
}
