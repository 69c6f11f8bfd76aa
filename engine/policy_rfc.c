// SPDX-License-Identifier: MIT
/*
 * rfc: the March 2024 RFC (Tatashin), grow-only stacks with a per-CPU pool.
 *
 * - At start every CPU's pool of @pool slots is full (set-up pages: not
 *   failure-injected, not counted as allocation attempts).  @pool=0: no
 *   per-CPU pool, so every growth is a would-be crash and there is never
 *   anything to refill.
 * - Fork: take the first cached stack of the CPU's @cache (with all its
 *   pages, charged for all of them, grown part counted in inherited_pages
 *   and nr_dynamic_stacks_faults); else map @prealloc fresh pages (fork
 *   pages are not failure-injected: the trace shows the fork succeeded).
 * - Growth seen at prev's switch-out = faults during the interval that just
 *   ended on that CPU: @fault_span=page makes each page one fault,
 *   =interval makes all of them one fault that maps every page down to the
 *   deepest one.  Each page comes from the first slot holding a page that is
 *   not taken; the slot is marked taken.  No page: a would-be crash is
 *   recorded and the stack grows anyway (pages from nowhere, never
 *   charged) so the replay goes on.
 * - Growth the EXIT scan shows (h->at_exit: faults before do_exit) and
 *   growth the stop snapshot shows for a task running at stop (h->at_stop)
 *   take their pages the same way, but the switch-out is still to come.
 * - A fault that took pool pages sets the task's PF_DYNAMIC_STACK
 *   (KS_PT_REFILL); the refill runs when the task leaves the CPU: at the
 *   same switch-out, or after growth at EXIT at its next switch-out (the
 *   dead switch; at its release by FREE if the trace has none), not for
 *   growth at stop (no switch-out follows).  Slots in index order; each
 *   taken slot's page is charged (memcg, nr_kernel_stack,
 *   nr_dynamic_stacks_faults) to prev and replaced through the allocator;
 *   a failed allocation leaves the slot empty.  @quirk_refill=1 (the RFC)
 *   stops at the first slot that is not taken, empty ones included, so
 *   after a failure the slots behind it are never charged nor refilled;
 *   =0 refills every slot.
 * - @refill=nowait (default): each refill allocation may fail (fail windows,
 *   fail_rate), as GFP_NOWAIT does: what a port can do inside the scheduler.
 *   @refill=sleep: the RFC's GFP_KERNEL, which for one page does not fail
 *   but reclaims and waits: inside a fail window the refill waits for its
 *   end (waits, wait_ns; the CPU is stuck in __schedule() meanwhile, which
 *   the replay cannot re-time) and fail_rate does not apply.
 * - @quirk_nr_pages=1 models the mapping loop that never advances its index:
 *   a multi-page fault records one page (the others leak) and the task's next
 *   fault hits a present PTE: a crash.  Default 0 (intended behaviour).
 * - A task alive before the trace holds the pages its HWM needs, adopted
 *   (when its HWM is learnt later: adopt()), never faulted.
 * - Release: the stack enters the CPU's cache if a slot is free, keeping its
 *   grown pages (@quirk_cache_keep=1; =0 trims it to @prealloc), else its
 *   pages are freed.
 * - charges counts every page charged to a memcg: fork pages (fresh or
 *   inherited) and refilled slots.  stack_pages counts pages really mapped;
 *   with quirk_refill a taken slot behind an empty one is mapped but never
 *   charged, so kernel_stack_kb_end < stack_pages_end * page KiB: a finding.
 */
#include <errno.h>

#include "rfc_shared.h"

#define SPAN_PAGE 0

static const struct ks_param rfc_params[] = {
	RFC_PARAMS,
	{ .key = NULL },
};

int rfc_resolve(void *conf, const struct ks_conf *c, const struct ks_machine *m,
		struct ks_error *err)
{
	struct rfc_conf *rc = conf;
	uint32_t dyn = c->thread_size / c->page_size - c->prealloc;

	if (rc->pool == KS_AUTO)
		rc->pool = dyn ? dyn : 1;
	return 0;
}

int rfc_init(struct ks_run *r)
{
	const struct rfc_conf *rc = r->pconf;
	uint32_t cpu;

	for (cpu = 0; cpu < r->geo->ncpus; cpu++) {
		struct rfc_cpu *pc = ks_cpu_priv(r, cpu);

		if (ks_pool_init(r, &pc->pool, rc->pool, KS_POOL_CPU))
			return -ENOMEM;
		ks_pool_fill(r, &pc->pool);
		if (rc->cache) {
			pc->cache = ks_run_zalloc(r, rc->cache);
			if (!pc->cache)
				return -ENOMEM;
		}
	}
	return 0;
}

void rfc_create(struct ks_run *r, const struct ks_hook *h, enum ks_birth how)
{
	const struct rfc_conf *rc = r->pconf;
	struct rfc_task *rt = ks_task_priv(h->t);
	struct rfc_cpu *pc;
	uint32_t i, n;

	if (how != KS_BORN_FORK) {
		/* alive before we looked: its stack already holds what it needs */
		ks_task_adopt(r, h);
		rt->recorded = (uint8_t)h->t->mapped;
		return;
	}
	pc = ks_cpu_priv(r, h->cpu);
	for (i = 0; i < rc->cache; i++) {
		n = pc->cache[i];
		if (!n)
			continue;
		pc->cache[i] = 0;
		ks_stack_inherit(r, h->t, n);
		rt->recorded = (uint8_t)n;
		return;
	}
	ks_stack_map(r, h->t, r->geo->prealloc);
	ks_charge(r, h->t, r->geo->prealloc, 0, true);
	rt->recorded = (uint8_t)r->geo->prealloc;
}

void rfc_account_and_alloc(struct ks_run *r, struct ks_pool *p, uint64_t queued_at, bool quirk,
			   bool sleep, rfc_charge_fn charge, const void *ctx)
{
	uint64_t t = *r->clock;
	uint32_t i;

	ks_pool_refill(r, p, queued_at);
	for (i = 0; i < p->nslots; i++) {
		uint8_t s = p->slot[i];

		if (s != KS_SLOT_TAKEN) {
			if (quirk)
				break;	/* an empty slot stops it too: the pool shrinks for good */
			if (s == KS_SLOT_PAGE)
				continue;
		} else {
			charge(r, ctx, i);
		}
		if (sleep)
			ks_pool_refill_slot_sleeping(r, p, i, &t);
		else
			(void)ks_pool_refill_slot(r, p, i);	/* a failure leaves it empty */
	}
}

void rfc_adopt(struct ks_run *r, const struct ks_hook *h)
{
	struct rfc_task *rt = ks_task_priv(h->t);
	uint32_t had = h->t->mapped;

	ks_task_adopt(r, h);
	rt->recorded += (uint8_t)(h->t->mapped - had);
}

/* The per-CPU refill charges prev, the task leaving the CPU. */
static void charge_prev(struct ks_run *r, const void *ctx, uint32_t slot)
{
	const struct ks_hook *h = ctx;

	(void)slot;
	ks_charge(r, h->t, 1, 1, true);
}

static enum rfc_take take_local(struct ks_run *r, const struct ks_hook *h)
{
	struct rfc_cpu *pc = ks_cpu_priv(r, h->cpu);

	return ks_pool_take(r, &pc->pool) < 0 ? RFC_TAKE_NONE : RFC_TAKE_LOCAL;
}

void rfc_grow_with(struct ks_run *r, const struct ks_hook *h, rfc_take_fn take, bool refill_local)
{
	const struct rfc_conf *rc = r->pconf;
	struct rfc_task *rt = ks_task_priv(h->t);
	struct rfc_cpu *pc = ks_cpu_priv(r, h->cpu);
	uint32_t left = h->need - h->t->mapped, taken = 0;

	if (rc->quirk_nr_pages && rt->recorded < h->t->mapped) {
		/* the kernel thinks the hole starts higher: that PTE is present */
		ks_fault(r, 0);
		ks_crash(r, h, left, KS_CRASH_PTE_PRESENT);
		ks_stack_map(r, h->t, left);
		rt->recorded = h->t->mapped;
		return;
	}
	while (left) {
		uint32_t span = rc->fault_span == SPAN_PAGE ? 1 : left, got = 0;

		while (got < span && take(r, h) != RFC_TAKE_NONE)
			got++;
		ks_fault(r, got);
		ks_stack_map(r, h->t, got);
		taken += got;
		if (rc->quirk_nr_pages && got > 1) {
			rt->recorded += 1;
			ks_pages_leak(r, got - 1);
		} else {
			rt->recorded += got;
		}
		left -= got;
		if (got < span) {
			/* empty pool: the kernel would oops; grow anyway to go on */
			ks_crash(r, h, left, KS_CRASH_POOL_EMPTY);
			ks_stack_map(r, h->t, left);
			rt->recorded += left;
			left = 0;
		}
	}
	/* PF_DYNAMIC_STACK: the refill runs when the task leaves the CPU */
	if (taken && refill_local && pc->pool.nslots)
		h->t->flags |= KS_PT_REFILL;
}

void rfc_refill(struct ks_run *r, const struct ks_hook *h)
{
	const struct rfc_conf *rc = r->pconf;
	struct rfc_cpu *pc = ks_cpu_priv(r, h->cpu);

	/* done on the spot as the task leaves the CPU: no latency */
	rfc_account_and_alloc(r, &pc->pool, *r->clock, rc->quirk_refill,
			      rc->refill == RFC_REFILL_SLEEP, charge_prev, h);
}

static void rfc_grow(struct ks_run *r, const struct ks_hook *h)
{
	rfc_grow_with(r, h, take_local, true);
}

void rfc_release(struct ks_run *r, const struct ks_hook *h)
{
	const struct rfc_conf *rc = r->pconf;
	struct rfc_task *rt = ks_task_priv(h->t);
	struct rfc_cpu *pc = ks_cpu_priv(r, h->cpu);
	uint32_t keep = rt->recorded < h->t->mapped ? rt->recorded : h->t->mapped;
	uint32_t prealloc = r->geo->prealloc, i;

	/* pages the kernel lost track of (quirk_nr_pages) were counted as leaked */
	ks_stack_drop(r, h->t, h->t->mapped - keep);
	for (i = 0; i < rc->cache; i++) {
		if (pc->cache[i])
			continue;
		if (!rc->quirk_cache_keep && keep > prealloc) {
			ks_stack_unmap(r, h->t, keep - prealloc);
			keep = prealloc;
		}
		ks_stack_drop(r, h->t, keep);
		pc->cache[i] = (uint8_t)keep;
		ks_cache_add(r, keep);
		return;
	}
	ks_stack_unmap(r, h->t, keep);
}

const struct ks_policy ks_policy_rfc = {
	.name = "rfc",
	.desc = "RFC v1 (2024): grow-only stacks, per-CPU pool refilled and charged at switch-out",
	.params = rfc_params,
	.conf_size = sizeof(struct rfc_conf),
	.cpu_size = sizeof(struct rfc_cpu),
	.task_size = sizeof(struct rfc_task),
	.resolve = rfc_resolve,
	.init = rfc_init,
	.create = rfc_create,
	.adopt = rfc_adopt,
	.grow = rfc_grow,
	.refill = rfc_refill,
	.release = rfc_release,
};
