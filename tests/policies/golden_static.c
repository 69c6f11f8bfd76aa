// SPDX-License-Identifier: MIT
/*
 * static with today's stack cache (NR_CACHED_STACKS = 2 per CPU), worked
 * out by hand.  2 CPUs, 4 KiB pages, 16 KiB stacks: a stack is 4 pages.
 *
 *   t0   SNAP 100 on CPU 0, SNAP 101 on CPU 1: alive before the trace, their
 *        stacks adopted (no map, no memcg charge).          stacks 8
 *   t10  NEW 200 (parent 100) on CPU 0: CPU 0's cache is empty: map 4.   12
 *   t11  NEW 201 on CPU 0: map 4.                                        16
 *   t12  NEW 202 on CPU 0: map 4.                                        20
 *   t20  SW 200 -> 100 DEAD on CPU 0: 200's stack into CPU 0's cache
 *        (slot 1 of 2): stacks 16, cache 4.
 *   t21  FREE 201 on CPU 0: into the cache (slot 2): stacks 12, cache 8.
 *   t22  FREE 202 on CPU 0: the cache is full: unmapped, 4 unmaps.
 *        stacks 8, cache 8.
 *   t30  NEW 203 (parent 101) on CPU 1: CPU 1's cache is empty (CPU 0's is
 *        not its own): map 4.  stacks 12, cache 8.
 *   t31  NEW 204 (parent 100) on CPU 0: takes a cached stack: no map, the
 *        4 pages move from the cache to the stack, charged.  stacks 16,
 *        cache 4.
 *   end  t40.
 *
 * maps 4 forks x 4 = 16, unmaps 4, TLB flushes 0 (as for every policy, a
 * freed stack's flush is not counted), charges 5 forks x 4 = 20,
 * stack_pages_end 16 (100, 101, 203, 204), kernel_stack_kb_end 64,
 * cache_pages_end 4, stack peak 20 (5 tasks at t12), forks 5, exits 3.
 * The sum of stacks and cache: 8, 12, 16, 20 from t12, 20 at t20 and t21
 * (pages moved, not added), 16 at t22, 20 at t30 and t31: total peak 20.
 * stack mean (8*10 + 12 + 16 + 20*8 + 16 + 12 + 8*8 + 12 + 16*9) / 40
 *   = (80 + 12 + 16 + 160 + 16 + 12 + 64 + 12 + 144) / 40 = 516/40 = 12.9
 * total mean (8*10 + 12 + 16 + 20*10 + 16*8 + 20*10) / 40
 *   = (80 + 12 + 16 + 200 + 128 + 200) / 40 = 636/40 = 15.9
 *
 * cache=0 (every fork maps, every release unmaps): maps 5 x 4 = 20, unmaps
 * 3 x 4 = 12, no cache: the total is the stacks: peak 20, mean 12.9.
 * size=8192 (a what-if of 2-page stacks, cache 2): maps 4 x 2 = 8, unmaps
 * 2, cache_pages_end 2, stack_pages_end 4 x 2 = 8, kernel_stack_kb_end 32,
 * charges 10; everything is half: peak 10, means 6.45 and 7.95.
 */
#include "golden_util.h"

static void check(const char *spec, const struct expect *e, size_t n, double stack_mean,
		  double total_mean)
{
	struct ks_machine m = machine(2);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_snap(0, 1, 101, 1000),
		ev_new(10 * MS, 0, 200, 100),
		ev_new(11 * MS, 0, 201, 100),
		ev_new(12 * MS, 0, 202, 100),
		ev_sw(20 * MS, 0, 200, 100, 1000, KS_STATE_DEAD),
		ev_free(21 * MS, 0, 201),
		ev_free(22 * MS, 0, 202),
		ev_new(30 * MS, 1, 203, 101),
		ev_new(31 * MS, 0, 204, 100),
	};
	struct ks_result *r = run(spec, &m, evs, N(evs), 40 * MS);

	check_counters(spec, r, e, n);
	check_double(spec, "stack_pages_mean", r->c.stack_pages_mean, stack_mean);
	check_double(spec, "total_pages_mean", r->c.total_pages_mean, total_mean);
	free(r);
}

int main(void)
{
	struct expect cached[] = {
		{ "maps", 16 }, { "unmaps", 4 }, { "tlb_flushes", 0 }, { "charges", 20 },
		{ "stack_pages_end", 16 }, { "kernel_stack_kb_end", 64 }, { "cache_pages_end", 4 },
		{ "stack_pages_peak", 20 }, { "total_pages_peak", 20 }, { "forks", 5 },
		{ "exits", 3 }, { "faults", 0 }, { "pool_pages_end", 0 },
	};
	struct expect nocache[] = {
		{ "maps", 20 }, { "unmaps", 12 }, { "charges", 20 }, { "cache_pages_end", 0 },
		{ "stack_pages_end", 16 }, { "stack_pages_peak", 20 }, { "total_pages_peak", 20 },
	};
	struct expect small[] = {
		{ "maps", 8 }, { "unmaps", 2 }, { "charges", 10 }, { "cache_pages_end", 2 },
		{ "stack_pages_end", 8 }, { "kernel_stack_kb_end", 32 }, { "stack_pages_peak", 10 },
		{ "total_pages_peak", 10 },
	};

	check("static", cached, N(cached), 12.9, 15.9);
	check("static:cache=0", nocache, N(nocache), 12.9, 12.9);
	check("static:size=8192", small, N(small), 6.45, 7.95);
	return g_failures ? 1 : 0;
}
