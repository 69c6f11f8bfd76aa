// SPDX-License-Identifier: MIT
/*
 * Unit tests of engine services that no shipped policy exercises fully yet:
 * the deferred-work queue (time order, FIFO on ties, the clock inside a
 * callback, work in the past, work left for finish) and the pool helpers.
 */
#include <stdio.h>
#include <string.h>

#include "core.h"

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
	struct ks_error err;
	struct ks_grid *g;
	struct ks_run *r;
	struct ks_pool p;

	if (ks_grid_create(&g, &spec, 1, &m, &err))
		return 1;
	r = g->runs[0];
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
	check("pool init", ks_pool_init(r, &p, 3), 0);
	check("pool fill", ks_pool_fill(r, &p, false), 3);
	check("pool level", (uint64_t)r->lv.pool, 3);
	check("take 0", (uint64_t)ks_pool_take(r, &p), 0);
	ks_pool_set(r, &p, 1, KS_SLOT_EMPTY);
	check("pool level 2", (uint64_t)r->lv.pool, 1);
	check("take 2", (uint64_t)ks_pool_take(r, &p), 2);
	check("take none", (uint64_t)(ks_pool_take(r, &p) == -1), 1);
	check("refill", ks_pool_fill(r, &p, false), 1);
	check("slot0", p.slot[0], KS_SLOT_TAKEN);
	check("slot1", p.slot[1], KS_SLOT_PAGE);
	check("peak", r->c.pool_pages_peak, 3);
	ks_grid_free(g);
	return failures ? 1 : 0;
}
