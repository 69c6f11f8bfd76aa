// SPDX-License-Identifier: MIT
/*
 * rfc+global: the RFC plus Walleij's global fallback pool (seed 000,
 * reference b.2).  Everything of rfc applies (its keys, quirks, cache and
 * per-CPU refill at switch-out, through the shared code in rfc_shared.h);
 * what differs is where a faulting page comes from:
 *
 * - First the CPU's pool (lockless, pool_hits), as rfc.  @percpu=0 skips it
 *   (the seed's testing mode: the per-CPU pick commented out); the per-CPU
 *   pools still exist and are counted as pool memory, and are never taken
 *   from, so their refill never runs.  @pool=0 (no per-CPU pool) serves
 *   the same way with no per-CPU pool memory: only the global pool serves
 *   and there is no per-CPU refill.
 * - Else the global array of @global slots, under one lock: every attempt
 *   counts a lock acquisition (the lock is taken before looking), a page
 *   found counts a fallback hit and queues the refill irq_work.  An irq_work
 *   already queued is not queued again.
 * - Neither: a would-be crash (KS_CRASH_POOL_EMPTY); the stack grows anyway.
 * - The irq_work runs @global_latency ns after it was queued: it takes the
 *   lock (counted) and runs the RFC's account-and-allocate helper on the
 *   global array: refills++, each taken slot is charged (memcg,
 *   nr_kernel_stack, nr_dynamic_stacks_faults) and replaced through the
 *   engine allocator (failure injection applies; a failure leaves the slot
 *   empty); @quirk_refill=1 stops at the first untaken slot as in rfc.
 *   refill_latency_ns sums the queue-to-run delays.
 * - Who is charged: the kernel charges whatever task is current when the
 *   irq_work runs; the model charges the task that took the page, so the
 *   page stays accounted with the stack that holds it.  If that task's stack
 *   was released before the work ran, the page counts as a memcg charge
 *   only (nr_kernel_stack is not raised for a stack that no longer exists).
 * - The global array starts full (set-up pages, not failure-injected).
 * - A fault that took any page (per-CPU or global) runs the per-CPU refill at
 *   the switch-out, as the kernel's PF_DYNAMIC_STACK flag does (after growth
 *   at EXIT: at the next switch-out, as rfc), unless @percpu=0 or @pool=0.
 */
#include <errno.h>
#include <string.h>

#include "rfc_shared.h"

struct rg_conf {
	struct rfc_conf rfc;
	uint32_t global;		/* GLOBAL_DYNSTACK_PAGES */
	uint32_t percpu;		/* 0: the per-CPU path is disabled */
	uint32_t global_latency;	/* ns from irq_work_queue() to the refill */
};

/* Task state follows the 6-byte struct ks_ptask: only byte alignment. */
struct rg_task {
	struct rfc_task rfc;
	uint8_t gen[4];			/* birth number in this run; 0 = released */
};

static uint32_t gen_get(const struct ks_ptask *t)
{
	const struct rg_task *gt = ks_task_priv((struct ks_ptask *)t);
	uint32_t v;

	memcpy(&v, gt->gen, sizeof(v));
	return v;
}

static void gen_set(struct ks_ptask *t, uint32_t v)
{
	struct rg_task *gt = ks_task_priv(t);

	memcpy(gt->gen, &v, sizeof(v));
}

struct rg_run {
	struct ks_pool global;
	uint32_t *owner_slot;		/* task slot that took each global page */
	uint32_t *owner_gen;		/* and its birth number */
	uint32_t gen;			/* births so far */
	bool pending;			/* the refill irq_work is queued */
	uint64_t queued_at;
};

#define OFF(f) offsetof(struct rg_conf, f)
static const struct ks_param rg_params[] = {
	RFC_PARAMS,
	{
		.key = "global", .kind = KS_PT_U32, .off = OFF(global),
		.min = 1, .max = 64, .def = "8", .expect = "1..64",
		.doc = "pages of the global fallback pool (GLOBAL_DYNSTACK_PAGES)",
	},
	{
		.key = "percpu", .kind = KS_PT_U32, .off = OFF(percpu),
		.min = 0, .max = 1, .def = "1", .expect = "0 or 1",
		.doc = "1: per-CPU pools first (Walleij); 0: global pool only (to exercise the fallback)",
	},
	{
		.key = "global_latency", .kind = KS_PT_U32, .off = OFF(global_latency),
		.min = 0, .max = 4000000000.0, .def = "50000", .expect = "0..4000000000 ns",
		.doc = "ns from queueing the global refill irq_work to its run (placeholder, "
		       "not measured)",
	},
	{ .key = NULL },
};
#undef OFF

static int rg_init(struct ks_run *r)
{
	const struct rg_conf *gc = r->pconf;
	struct rg_run *rr = ks_run_priv(r);
	int ret;

	ret = rfc_init(r);
	if (ret)
		return ret;
	if (ks_pool_init(r, &rr->global, gc->global, KS_POOL_GLOBAL))
		return -ENOMEM;
	rr->owner_slot = ks_run_zalloc(r, gc->global * sizeof(*rr->owner_slot));
	rr->owner_gen = ks_run_zalloc(r, gc->global * sizeof(*rr->owner_gen));
	if (!rr->owner_slot || !rr->owner_gen)
		return -ENOMEM;
	ks_pool_fill(r, &rr->global);
	return 0;
}

static void rg_create(struct ks_run *r, const struct ks_hook *h, enum ks_birth how)
{
	struct rg_run *rr = ks_run_priv(r);

	rfc_create(r, h, how);
	if (!++rr->gen)
		++rr->gen;	/* 0 means released */
	gen_set(h->t, rr->gen);
}

static void rg_release(struct ks_run *r, const struct ks_hook *h)
{
	rfc_release(r, h);
	gen_set(h->t, 0);
}

static void charge_owner(struct ks_run *r, const void *ctx, uint32_t slot)
{
	const struct rg_run *rr = ctx;
	struct ks_ptask *t = ks_task_at(r, rr->owner_slot[slot]);
	uint32_t gen = gen_get(t);

	if (gen && gen == rr->owner_gen[slot])
		ks_charge(r, t, 1, 1, true);
	else
		ks_memcg_charge(r, 1);
}

static void rg_work(struct ks_run *r, uint64_t arg)
{
	const struct rg_conf *gc = r->pconf;
	struct rg_run *rr = ks_run_priv(r);

	(void)arg;
	rr->pending = false;
	/* irq_work: never sleeps, whatever refill= says of the per-CPU refill */
	rfc_account_and_alloc(r, &rr->global, rr->queued_at, gc->rfc.quirk_refill, false,
			      charge_owner, rr);
}

static enum rfc_take rg_take(struct ks_run *r, const struct ks_hook *h)
{
	const struct rg_conf *gc = r->pconf;
	struct rg_run *rr = ks_run_priv(r);
	int i;

	if (gc->percpu) {
		struct rfc_cpu *pc = ks_cpu_priv(r, h->cpu);

		if (ks_pool_take(r, &pc->pool) >= 0)
			return RFC_TAKE_LOCAL;
	}
	i = ks_pool_take(r, &rr->global);
	if (i < 0)
		return RFC_TAKE_NONE;
	rr->owner_slot[i] = h->slot;
	rr->owner_gen[i] = gen_get(h->t);
	if (!rr->pending) {
		rr->pending = true;
		rr->queued_at = *r->clock;
		ks_timer_add(r, ks_time_add(*r->clock, gc->global_latency), rg_work, 0);
	}
	return RFC_TAKE_OTHER;
}

static void rg_grow(struct ks_run *r, const struct ks_hook *h)
{
	const struct rg_conf *gc = r->pconf;

	rfc_grow_with(r, h, rg_take, gc->percpu);
}

const struct ks_policy ks_policy_rfc_global = {
	.name = "rfc+global",
	.desc = "rfc plus Walleij's global fallback pool (one lock, refilled by irq_work after a latency)",
	.params = rg_params,
	.conf_size = sizeof(struct rg_conf),
	.run_size = sizeof(struct rg_run),
	.cpu_size = sizeof(struct rfc_cpu),
	.task_size = sizeof(struct rg_task),
	.resolve = rfc_resolve,
	.init = rg_init,
	.create = rg_create,
	.adopt = rfc_adopt,
	.grow = rg_grow,
	.refill = rfc_refill,
	.release = rg_release,
};
