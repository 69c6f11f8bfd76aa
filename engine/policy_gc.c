// SPDX-License-Identifier: MIT
/*
 * gc: the RFC's growable stacks plus a collector for the stacks of tasks
 * asleep a while (Laight 2024; reference b.4, design D4).  Everything of
 * rfc applies (its keys, quirks, cache, faults from the per-CPU pool and
 * the refill at switch-out, through rfc_shared.h); what gc adds:
 *
 * Kernel semantics modelled:
 * - Every @period ns a pass (reclaim_passes) visits the tasks not running:
 *   one asleep for longer than @idle ns loses the pages below its saved
 *   stack pointer (its depth at its last switch-out): it keeps max(prealloc,
 *   ceil(depth / page_size)) pages.  They are reclaimed (ks_stack_reclaim():
 *   reclaimed_pages, unmaps, PTE writes), uncharged (nr_kernel_stack,
 *   nr_dynamic_stacks_faults) and freed to the allocator.
 * - A pass that reclaimed anything ends with one TLB flush: other CPUs may
 *   hold translations of those stacks (wait queues, mutex waiters:
 *   Wilcox, Laight), so @shootdown=all (default) also sends an IPI to every
 *   other CPU; =local flushes one CPU only.
 * - A task that needs the pages again faults them back from its CPU's pool
 *   as rfc does: each page a fault (fault_span), taken from the pool
 *   (pool_hits), a would-be crash if the pool is empty, the refill (and the
 *   charge) when it leaves the CPU.  Each page reclaimed and faulted back is
 *   a refault, with the time since its reclaim (refault_delay_ns, _max).
 * - What the task needs again: its high-water mark rising is growth the
 *   engine hands to grow(), and the pages between the reclaim and that mark
 *   are faulted back with it.  Otherwise the trace does not say how deep a
 *   woken task went in one run interval: it reached its saved stack pointer
 *   at the switch-out (a lower bound) and never went below its lifetime
 *   high-water mark (an upper bound).  @access=hwm (default) faults back
 *   every page down to the high-water mark in the first interval it runs,
 *   @access=depth only those down to the depth of the switch-out that ends
 *   it; the faults are counted at that switch-out.  The two runs bound the
 *   design: a report must show them as a range, never one as the answer.
 *
 * Assumptions (the reference leaves these open):
 * - Sleeping means not running: a task runs from its switch-in to its
 *   switch-out; one that never ran in the trace has been asleep since it
 *   appeared.  Exited tasks are not collected (their release frees all).
 * - The collector reclaims only what it can see: a fresh fork keeps its
 *   prealloc pages (its only frame); a task alive before the trace keeps the
 *   pages for the sleeping depth of its start snapshot, or, without one,
 *   what its high-water mark needs.
 * - Reclaimed pages go back to the allocator, not to the pool (the pool's
 *   slots are refilled by allocation, as in rfc).
 * - The first pass runs @period ns after the trace starts.
 * - quirk_nr_pages=1 is refused: the collector would have to reclaim pages
 *   the kernel lost track of.
 */
#include <errno.h>
#include <string.h>

#include "rfc_shared.h"

#define GC_MAX_PAGES 16				/* thread_size 65536 / page_size 4096 */
#define GC_PERIOD_MIN 1000000ULL		/* 1 ms */
#define GC_PERIOD_MAX 1000000000000ULL		/* 1000 s */
#define GC_PERIOD_EXPECT "1000000..1000000000000 ns"

enum { ACCESS_DEPTH = 0, ACCESS_HWM = 1 };
enum { SHOOTDOWN_LOCAL = 0, SHOOTDOWN_ALL = 1 };

struct gc_conf {
	struct rfc_conf rfc;
	uint64_t period;	/* ns between collector passes */
	uint64_t idle;		/* ns asleep before a task's stack is collected */
	uint32_t access;
	uint32_t shootdown;
};

/*
 * Task state follows the 6-byte struct ks_ptask: byte fields only (times
 * through memcpy).  Page i counts from the top of the stack.
 */
struct gc_task {
	struct rfc_task rfc;
	uint8_t frames;		/* pages down to the saved stack pointer */
	uint8_t seen;		/* pages its HWM needed at its last switch-out */
	uint8_t pending[2];	/* bit i: page i reclaimed and not faulted back */
	uint8_t at[GC_MAX_PAGES][8];	/* when page i was reclaimed */
};

struct gc_run {
	uint32_t pass_reclaimed;	/* pages the running pass reclaimed */
};

#define OFF(f) offsetof(struct gc_conf, f)
static const struct ks_param gc_params[] = {
	RFC_PARAMS,
	{
		.key = "period", .kind = KS_PT_U64, .off = OFF(period),
		.def = "1000000000", .expect = GC_PERIOD_EXPECT,
		.doc = "ns between collector passes",
	},
	{
		.key = "idle", .kind = KS_PT_U64, .off = OFF(idle),
		.def = "1000000000", .expect = "ns, an unsigned 64-bit integer",
		.doc = "a task asleep for longer than this many ns has its stack collected",
	},
	{
		.key = "access", .kind = KS_PT_ENUM, .off = OFF(access),
		.choices = "depth|hwm", .def = "hwm", .expect = "depth or hwm",
		.doc = "pages a woken task needs again, depth: down to its next switch-out "
		       "depth (lower bound), hwm: down to its high-water mark (upper bound)",
	},
	{
		.key = "shootdown", .kind = KS_PT_ENUM, .off = OFF(shootdown),
		.choices = "local|all", .def = "all", .expect = "local or all",
		.doc = "TLB flush after a pass that reclaimed: local (one CPU) or all (IPI to "
		       "every other CPU)",
	},
	{ .key = NULL },
};
#undef OFF

static int gc_resolve(void *conf, const struct ks_conf *c, const struct ks_machine *m,
		      struct ks_error *err)
{
	struct gc_conf *gc = conf;

	if (gc->period < GC_PERIOD_MIN || gc->period > GC_PERIOD_MAX)
		return ks_error_set(err, KS_E_PARAM,
				    "bad value '%llu' for key 'period' of policy 'gc' (expected "
				    GC_PERIOD_EXPECT ")", (unsigned long long)gc->period);
	if (gc->rfc.quirk_nr_pages)
		return ks_error_set(err, KS_E_PARAM,
				    "bad value '1' for key 'quirk_nr_pages' of policy 'gc' "
				    "(expected 0: the collector cannot model pages the kernel "
				    "lost track of)");
	return rfc_resolve(conf, c, m, err);
}

static void gc_pass(struct ks_run *r, uint64_t arg);

static int gc_init(struct ks_run *r)
{
	const struct gc_conf *gc = r->pconf;
	int ret = rfc_init(r);

	if (ret)
		return ret;
	ks_timer_add(r, ks_time_add(r->geo->start_ns, gc->period), gc_pass, 0);
	return 0;
}

static uint32_t pending_get(const struct gc_task *gt)
{
	return gt->pending[0] | (uint32_t)gt->pending[1] << 8;
}

static void pending_set(struct gc_task *gt, uint32_t v)
{
	gt->pending[0] = (uint8_t)v;
	gt->pending[1] = (uint8_t)(v >> 8);
}

static void gc_create(struct ks_run *r, const struct ks_hook *h, enum ks_birth how)
{
	struct gc_task *gt = ks_task_priv(h->t);

	rfc_create(r, h, how);
	gt->seen = (uint8_t)h->need;
	if (how == KS_BORN_FORK)
		gt->frames = (uint8_t)r->geo->prealloc;
	else if (h->ev->type == KS_EV_SNAPSHOT && h->ev->depth)
		gt->frames = (uint8_t)ks_stack_pages(r->geo, h->ev->depth);
	else
		gt->frames = (uint8_t)h->t->mapped;
}

static enum rfc_take gc_take(struct ks_run *r, const struct ks_hook *h)
{
	struct rfc_cpu *pc = ks_cpu_priv(r, h->cpu);

	return ks_pool_take(r, &pc->pool) < 0 ? RFC_TAKE_NONE : RFC_TAKE_LOCAL;
}

/* The task faults its stack back down to @h->need pages: reclaimed ones are refaults. */
static void gc_fault_back(struct ks_run *r, const struct ks_hook *h)
{
	struct gc_task *gt = ks_task_priv(h->t);
	uint32_t pend = pending_get(gt), i;

	for (i = h->t->mapped; i < h->need; i++) {
		if (pend & (1u << i)) {
			uint64_t at;

			memcpy(&at, gt->at[i], sizeof(at));
			ks_refault(r, at);
			pend &= ~(1u << i);
		}
	}
	pending_set(gt, pend);
	rfc_grow_with(r, h, gc_take, true);
}

static void gc_switch_out(struct ks_run *r, const struct ks_hook *h)
{
	const struct gc_conf *gc = r->pconf;
	struct gc_task *gt = ks_task_priv(h->t);
	uint32_t depth_pages = h->ev->depth ? ks_stack_pages(r->geo, h->ev->depth) : h->need;
	struct ks_hook back = *h;

	/* the final switch of a dead task: its release frees everything */
	if (h->ev->state == KS_STATE_DEAD)
		return;
	/* a rise of the HWM was grow()'s; the interval also used back to this */
	back.need = gc->access == ACCESS_HWM ? h->need : depth_pages;
	if (back.need > h->t->mapped) {
		gc_fault_back(r, &back);
		/* the refill these faults owe runs now, as the task leaves the CPU */
		if (h->t->flags & KS_PT_REFILL) {
			h->t->flags &= ~KS_PT_REFILL;
			rfc_refill(r, h);
		}
	}
	gt->frames = (uint8_t)depth_pages;
	gt->seen = (uint8_t)h->need;
}

static void gc_pass_task(struct ks_run *r, const struct ks_hook *h, uint64_t asleep_since)
{
	const struct gc_conf *gc = r->pconf;
	struct gc_run *gr = ks_run_priv(r);
	struct gc_task *gt = ks_task_priv(h->t);
	struct ks_ptask *t = h->t;
	uint32_t keep = gt->frames, pend, n, i;
	uint64_t now = *r->clock;

	if (asleep_since == KS_TIME_NEVER || (t->flags & KS_PT_EXITED) ||
	    now - asleep_since <= gc->idle)
		return;
	if (keep < r->geo->prealloc)
		keep = r->geo->prealloc;
	if (t->mapped <= keep)
		return;
	n = t->mapped - keep;
	pend = pending_get(gt);
	for (i = keep; i < t->mapped; i++) {
		pend |= 1u << i;
		memcpy(gt->at[i], &now, sizeof(now));
	}
	pending_set(gt, pend);
	ks_stack_reclaim(r, t, n);
	ks_uncharge(r, t, n, n);
	/* the kernel's page count of the stack (rfc's nr_pages) shrinks with it */
	if (gt->rfc.recorded > keep)
		gt->rfc.recorded = (uint8_t)keep;
	gr->pass_reclaimed += n;
}

static void gc_pass(struct ks_run *r, uint64_t arg)
{
	const struct gc_conf *gc = r->pconf;
	struct gc_run *gr = ks_run_priv(r);

	(void)arg;
	ks_reclaim_pass(r);
	gr->pass_reclaimed = 0;
	ks_tasks_walk(r, gc_pass_task);
	/* one flush for the whole pass */
	if (gr->pass_reclaimed) {
		if (gc->shootdown == SHOOTDOWN_ALL)
			ks_tlb_shootdown(r, r->geo->ncpus - 1);
		else
			ks_tlb_flush(r);
	}
	ks_timer_add(r, ks_time_add(*r->clock, gc->period), gc_pass, 0);
}

const struct ks_policy ks_policy_gc = {
	.name = "gc",
	.desc = "Laight: rfc plus a periodic collector of the pages below the saved stack "
		"pointer of tasks asleep a while; faulted back from the pool",
	.params = gc_params,
	.needs_depth = true,
	.conf_size = sizeof(struct gc_conf),
	.run_size = sizeof(struct gc_run),
	.cpu_size = sizeof(struct rfc_cpu),
	.task_size = sizeof(struct gc_task),
	.resolve = gc_resolve,
	.init = gc_init,
	.create = gc_create,
	.adopt = rfc_adopt,
	.grow = gc_fault_back,
	.refill = rfc_refill,
	.switch_out = gc_switch_out,
	.release = rfc_release,
};
