// SPDX-License-Identifier: MIT
/*
 * Fault-entry models (entry_model=), orthogonal to the policy: how the CPU
 * takes a fault on a dynamic stack, and what that costs on every other
 * kernel fault.  Counted the same way for every policy.
 *
 * - x86 (default, RFC v1): the fault is taken on the task stack (#PF, or #DF
 *   when the #PF cannot push its frame).  Nothing extra is counted.
 * - arm64 (Walleij, seed 003): every kernel synchronous exception first runs
 *   on a per-CPU sync stack of @sync_stack bytes (memory: extra_pages +=
 *   ncpus * ceil(sync_stack / page_size)).
 *     - a KFAULT event is a kernel sync exception (sync_exceptions++); if it
 *       is not on the task's stack its frame is copied back to the task stack
 *       (copy_bytes += frame_bytes);
 *     - a stack-growth fault (ks_fault(), services.c) is a sync exception
 *       that maps the page on the sync stack and flushes its TLB range:
 *       tlb_flushes += pages mapped;
 *     - a fault at the stack's base address is an overflow, not a growth:
 *       a task whose high-water mark reaches thread_size is counted in
 *       overflows (once) and recorded as a crash KS_CRASH_OVERFLOW (once).
 *       Only HWMs learnt as growth are checked (the moment the engine
 *       sees it); a task alive before the trace with such a HWM, known at
 *       its birth or adopted later, is not.
 * - fred (v2, Stevens 2026): stack faults are taken on stack level 1 (no
 *   extra cost is modelled for them); every other kernel page fault (KFAULT
 *   without KS_F_STACK_ADDR) is downgraded back to the task stack
 *   (downgrades++).
 *
 * KFAULT events flagged KS_F_STACK_ADDR are faults on the task's own stack:
 * on a kernel without dynamic stacks they do not happen, and under a policy
 * they are the growth faults the engine already derives from the HWM, so
 * they are not counted again.
 */
#include "grid_state.h"

void ks_emodel_init(struct ks_run_state *s)
{
	const struct ks_geom *geo = &s->geom;

	if (s->conf.entry_model == KS_EM_ARM64)
		ks_extra_pages(&s->run, (uint64_t)geo->ncpus *
			       ((s->conf.sync_stack + geo->page_size - 1) / geo->page_size));
}

void ks_emodel_kfault(struct ks_grid *g, const struct ks_event *ev)
{
	bool on_stack = ev->flags & KS_F_STACK_ADDR;
	size_t i;

	if (on_stack)
		return;
	for (i = 0; i < g->nruns; i++) {
		struct ks_run_state *s = g->runs[i];

		switch (s->conf.entry_model) {
		case KS_EM_ARM64:
			s->c.sync_exceptions++;
			s->c.copy_bytes += s->conf.frame_bytes;
			break;
		case KS_EM_FRED:
			s->c.downgrades++;
			break;
		default:
			break;
		}
	}
}

void ks_emodel_grow(struct ks_run_state *s, const struct ks_hook *h)
{
	struct ks_ptask *t = h->t;

	if (h->hwm < s->geom.thread_size || (t->flags & KS_PT_BASE))
		return;
	t->flags |= KS_PT_BASE;
	if (!(t->flags & KS_PT_OVERFLOW)) {
		t->flags |= KS_PT_OVERFLOW;
		s->c.overflows++;
	}
	ks_crash(&s->run, h, 0, KS_CRASH_OVERFLOW);
}
