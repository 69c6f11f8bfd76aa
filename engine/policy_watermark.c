// SPDX-License-Identifier: MIT
/*
 * watermark: the percpu allocator's balance work (seed 004, Tejun Heo)
 * applied to stack pages.  Each CPU keeps a pool of free stack pages that
 * asynchronous work holds between @low and @pool (the HIGH mark):
 *
 * - @pool is the uniform per-CPU pool size knob (PCPU_EMPTY_POP_PAGES_HIGH,
 *   default 4); @low defaults to auto = @pool / 2 rounded down (2 for 4),
 *   and stays "low=auto" in the run's parameters (a rule on @pool, so the
 *   runs of a pool sweep differ only in pool=).
 *   An explicit @low above @pool is a parameter error.  @low=0 (auto for
 *   @pool 0 or 1): no take leaves the pool below it, so only a take that
 *   finds the pool empty schedules the work.  @pool=0: no pool at all, so
 *   every fault is a would-be crash (atomic context cannot sleep) and no
 *   work is ever scheduled (it would have nothing to fill).
 * - At start every pool holds @pool pages (set-up pages: not failure-injected).
 * - A stack fault, seen at prev's switch-out like rfc, takes pages from the
 *   CPU's pool one per fault (atomic: it never sleeps, pool_hits).  Each page
 *   is charged to prev at that switch-out (memcg, nr_kernel_stack,
 *   nr_dynamic_stacks_faults), as rfc charges at its refill.
 * - A take that leaves the pool below @low schedules the CPU's balance work,
 *   unless it is already pending.
 * - A take that finds the pool empty is a failed atomic allocation: a
 *   would-be crash (the fault cannot sleep; the stack grows anyway with
 *   uncharged pages so replay goes on); it sets the CPU's "failed" flag and
 *   schedules the work.
 * - Boot gating: before @async_after ns from trace start nothing is
 *   scheduled (the flag is still set); a pool below @low then waits for the
 *   next take or failure after that time.
 * - The work runs @latency ns after it was scheduled (refills++,
 *   refill_latency_ns): it adds @pool pages if the flag was set (and clears
 *   it), else pool - pages (clamped to 0..pool), each through the engine
 *   allocator; the first failed allocation ends the work (the seed stops
 *   populating on failure).
 * - Release: the stack is unmapped; its pages above @prealloc go back to the
 *   releasing CPU's pool while it holds fewer than 2 * @pool pages (its
 *   capacity), the rest are freed.  So a pool can sit above @pool, and a fill
 *   after a failure adds @pool pages to whatever is there (the seed's
 *   "always populate the maximum amount").
 * - Growth at EXIT (faults before do_exit) takes and charges its pages at
 *   EXIT, before the engine drops the exited task's charges.
 * - No cache of stacks; fork maps @prealloc fresh pages (not injected).
 *   A task alive before the trace holds the pages its HWM needs (adopted
 *   when its HWM is learnt later).
 */
#include <errno.h>

#include "policy.h"

struct wm_conf {
	uint64_t async_after;	/* ns from trace start */
	uint32_t low;		/* as given: KS_AUTO stays (see wm_resolve()) */
	uint32_t pool;		/* the HIGH mark */
	uint32_t latency;	/* ns from schedule_work() to the work */
	uint32_t low_pages;	/* resolved low (not a key) */
};

struct wm_cpu {
	struct ks_pool pool;	/* 2 * conf pool slots */
	uint64_t queued_at;
	bool pending;
	bool failed;		/* pcpu_atomic_alloc_failed */
};

#define OFF(f) offsetof(struct wm_conf, f)
static const struct ks_param wm_params[] = {
	{
		.key = "async_after", .kind = KS_PT_U64, .off = OFF(async_after),
		.def = "0", .expect = "ns, an unsigned 64-bit integer",
		.doc = "ns from trace start before which no balance work is scheduled (boot)",
	},
	{
		.key = "low", .kind = KS_PT_U32, .off = OFF(low),
		.min = 0, .max = 64, .auto_ok = true, .def = "auto",
		.expect = "auto or 0..64, at most pool",
		.doc = "pages: a take leaving fewer schedules balance work "
		       "(PCPU_EMPTY_POP_PAGES_LOW; auto: pool/2 rounded down; 0: only an empty "
		       "pool schedules; at most pool)",
	},
	{
		.key = "pool", .kind = KS_PT_U32, .off = OFF(pool),
		.min = 0, .max = 64, .def = "4", .expect = "0..64",
		.doc = "per-CPU pool pages the balance work fills to (PCPU_EMPTY_POP_PAGES_HIGH); "
		       "0: no pool, every fault is a would-be crash",
	},
	{
		.key = "latency", .kind = KS_PT_U32, .off = OFF(latency),
		.min = 0, .max = 4000000000.0, .def = "100000", .expect = "0..4000000000 ns",
		.doc = "ns from scheduling the balance work to its run (placeholder, not "
		       "measured)",
	},
	{ .key = NULL },
};
#undef OFF

static int wm_resolve(void *conf, const struct ks_conf *c, const struct ks_machine *m,
		      struct ks_error *err)
{
	struct wm_conf *wc = conf;

	/*
	 * low=auto stays "auto" in the run's parameters: it is a rule on pool,
	 * not a machine value, so a pool sweep's runs differ only in pool=.
	 */
	wc->low_pages = wc->low == KS_AUTO ? wc->pool / 2 : wc->low;
	if (wc->low != KS_AUTO && wc->low > wc->pool)
		return ks_error_set(err, KS_E_PARAM,
				    "bad value '%u' for key 'low' of policy 'watermark' "
				    "(expected at most key 'pool' = %u)",
				    wc->low, wc->pool);
	return 0;
}

static int wm_init(struct ks_run *r)
{
	const struct wm_conf *wc = r->pconf;
	uint32_t cpu, i;

	for (cpu = 0; cpu < r->geo->ncpus; cpu++) {
		struct wm_cpu *pc = ks_cpu_priv(r, cpu);

		if (ks_pool_init(r, &pc->pool, 2 * wc->pool, KS_POOL_CPU))
			return -ENOMEM;
		for (i = 0; i < wc->pool; i++)
			ks_pool_set(r, &pc->pool, i, KS_SLOT_PAGE);
	}
	return 0;
}

/* First slot without a page, or -1 if the pool is at capacity. */
static int wm_free_slot(const struct ks_pool *p)
{
	uint32_t i;

	for (i = 0; i < p->nslots; i++)
		if (p->slot[i] != KS_SLOT_PAGE)
			return (int)i;
	return -1;
}

static void wm_work(struct ks_run *r, uint64_t cpu)
{
	const struct wm_conf *wc = r->pconf;
	struct wm_cpu *pc = ks_cpu_priv(r, (uint32_t)cpu);
	uint32_t nr;

	pc->pending = false;
	ks_pool_refill(r, &pc->pool, pc->queued_at);
	if (pc->failed) {
		nr = wc->pool;
		pc->failed = false;
	} else {
		nr = pc->pool.pages < wc->pool ? wc->pool - pc->pool.pages : 0;
	}
	while (nr--) {
		int i = wm_free_slot(&pc->pool);

		/* the first failed allocation ends the work */
		if (i < 0 || !ks_pool_refill_slot(r, &pc->pool, (uint32_t)i))
			break;
	}
}

static void wm_schedule(struct ks_run *r, struct wm_cpu *pc, uint32_t cpu)
{
	const struct wm_conf *wc = r->pconf;
	uint64_t now = *r->clock;

	if (pc->pending || !wc->pool || now < ks_time_add(r->geo->start_ns, wc->async_after))
		return;
	pc->pending = true;
	pc->queued_at = now;
	ks_timer_add(r, ks_time_add(now, wc->latency), wm_work, cpu);
}

static void wm_grow(struct ks_run *r, const struct ks_hook *h)
{
	const struct wm_conf *wc = r->pconf;
	struct wm_cpu *pc = ks_cpu_priv(r, h->cpu);
	uint32_t left = h->need - h->t->mapped, got = 0;

	while (left) {
		int i = ks_pool_take(r, &pc->pool);

		if (i < 0) {
			/* failed atomic allocation: the fault cannot sleep */
			ks_fault(r, 0);
			ks_crash(r, h, left, KS_CRASH_POOL_EMPTY);
			ks_stack_map(r, h->t, left);
			pc->failed = true;
			wm_schedule(r, pc, h->cpu);
			break;
		}
		ks_pool_set(r, &pc->pool, (uint32_t)i, KS_SLOT_EMPTY);
		ks_fault(r, 1);
		ks_stack_map(r, h->t, 1);
		got++;
		left--;
		if (pc->pool.pages < wc->low_pages)
			wm_schedule(r, pc, h->cpu);
	}
	if (got)
		ks_charge(r, h->t, got, got, true);
}

static void wm_release(struct ks_run *r, const struct ks_hook *h)
{
	struct wm_cpu *pc = ks_cpu_priv(r, h->cpu);
	uint32_t prealloc = r->geo->prealloc;
	uint32_t back = h->t->mapped > prealloc ? h->t->mapped - prealloc : 0;

	ks_stack_unmap(r, h->t, h->t->mapped);
	while (back--) {
		int i = wm_free_slot(&pc->pool);

		if (i < 0)
			break;
		ks_pool_set(r, &pc->pool, (uint32_t)i, KS_SLOT_PAGE);
	}
}

const struct ks_policy ks_policy_watermark = {
	.name = "watermark",
	.desc = "per-CPU pools kept between low and pool (high) by balance work after a latency (percpu-style)",
	.params = wm_params,
	.conf_size = sizeof(struct wm_conf),
	.cpu_size = sizeof(struct wm_cpu),
	.resolve = wm_resolve,
	.init = wm_init,
	.adopt = ks_task_adopt,
	.grow = wm_grow,
	.release = wm_release,
};
