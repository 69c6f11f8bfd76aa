// SPDX-License-Identifier: MIT
/*
 * sp-reclaim: free the stack pages below a sleeping task's saved stack
 * pointer, and populate the whole stack again before it runs (Gerst 2024,
 * reference b.4, design D2).  The x86-64 kernel has no red zone, so nothing
 * below the saved stack pointer of a task that switched away is live; and a
 * task about to run gets its whole stack back first, so a stack fault
 * never happens: there is no fault path at all.
 *
 * Kernel semantics modelled:
 * - A running task holds its whole stack (thread_size).
 * - Switch-out (every one but the final, dead one): the pages below the
 *   saved stack pointer are unmapped.  The stack keeps keep = max(prealloc,
 *   ceil((depth + @margin) / page_size)) pages, at most the stack size,
 *   where depth is the switch record's depth (the saved stack pointer); a
 *   record without a depth (0) keeps the pages the task's high-water mark
 *   needs.  The pages are reclaimed on the switch path (reclaimed_pages,
 *   unmaps, PTE writes, switch_free_pages) and go to this CPU's pool while it
 *   has an empty slot (@pool slots), the rest back to the allocator.
 * - The unmap ends with one TLB flush.  Other CPUs may hold translations of
 *   the stack (they reach objects on it: wait queues, mutex waiters; Wilcox,
 *   Laight), so @shootdown=all (default) also sends an IPI to every other
 *   CPU (tlb_shootdowns, ipis); @shootdown=local flushes this CPU only (the
 *   cheap, unsafe what-if).  A machine of one CPU flushes locally either way.
 * - Switch-in: the missing pages are mapped (maps, PTE writes,
 *   switch_alloc_pages) from this CPU's pool (pool_hits), then from the
 *   allocator (alloc_attempts).  If the allocator fails, the task may not
 *   run until its pages are found (admission, Lutomirski 2024 and Hansen
 *   2026): it waits, retrying every @alloc_latency ns (admission_waits,
 *   admission_wait_ns; ks_admit_pages()).
 *
 * Assumptions (the reference leaves these open):
 * - Charges: nr_kernel_stack follows the pages mapped (charged when mapped,
 *   uncharged when reclaimed; those above prealloc also count in
 *   nr_dynamic_stacks_faults).  memcg charges are counted at fork only: D2
 *   does not say how a stack that shrinks and grows at every switch would
 *   be charged, and per-switch memcg traffic is not modelled.
 * - Fork maps @prealloc fresh pages (not failure-injected: the trace shows
 *   the fork succeeded); the child's first switch-in populates the rest.
 * - A task alive before the trace: a start snapshot with a sleeping depth
 *   holds keep pages for that depth (it switched out before the trace);
 *   any other first sight holds the pages its high-water mark needs (as
 *   under every policy).  A task seen switching out (or growing) that the
 *   replay never switched in has run since before it was seen, with its
 *   whole stack: the missing pages are adopted (no map, no allocation: they
 *   were populated before the trace) and then reclaimed as usual.
 * - The pools start full (set-up pages, not allocations).  @pool=0: no
 *   pool, every page comes from the allocator and every reclaimed page goes
 *   back to it.  Pages that find no pool room are freed (not counted).
 * - Release (dead switch or FREE): every page is unmapped and freed; no
 *   stack cache is modelled.
 * - refaults stay 0: every page comes back before the task runs, needed or
 *   not; that cost is in maps and switch_alloc_pages.
 * - The admission wait is counted, not applied: the trace's later events
 *   keep their times.  The cost of splitting __switch_to around the stack
 *   switch is not modelled.
 */
#include <errno.h>

#include "policy.h"

enum { SHOOTDOWN_LOCAL = 0, SHOOTDOWN_ALL = 1 };

struct sp_conf {
	uint32_t margin;	/* bytes kept below the saved stack pointer */
	uint32_t pool;		/* slots per CPU; KS_AUTO until resolved */
	uint32_t shootdown;
	uint32_t alloc_latency;	/* ns between two admission tries */
};

struct sp_cpu {
	struct ks_pool pool;
};

#define OFF(f) offsetof(struct sp_conf, f)
static const struct ks_param sp_params[] = {
	{
		.key = "margin", .kind = KS_PT_U32, .off = OFF(margin),
		.min = 0, .max = 65536, .def = "0", .expect = "0..65536 bytes",
		.doc = "bytes kept mapped below the saved stack pointer",
	},
	{
		.key = "pool", .kind = KS_PT_U32, .off = OFF(pool),
		.min = 0, .max = 64, .auto_ok = true, .def = "auto", .expect = "auto or 0..64",
		.doc = "per-CPU pool slots for reclaimed pages; 0: allocator only (auto: "
		       "thread_size/page_size - prealloc, at least 1)",
	},
	{
		.key = "shootdown", .kind = KS_PT_ENUM, .off = OFF(shootdown),
		.choices = "local|all", .def = "all", .expect = "local or all",
		.doc = "TLB flush after a reclaim: local (this CPU) or all (IPI to every other "
		       "CPU)",
	},
	{
		.key = "alloc_latency", .kind = KS_PT_U32, .off = OFF(alloc_latency),
		.min = 0, .max = 4000000000.0, .def = "20000", .expect = "0..4000000000 ns",
		.doc = "ns between allocation tries of a task waiting to be switched in "
		       "(placeholder)",
	},
	{ .key = NULL },
};
#undef OFF

static int sp_resolve(void *conf, const struct ks_conf *c, const struct ks_machine *m,
		      struct ks_error *err)
{
	struct sp_conf *sc = conf;
	uint32_t dyn = c->thread_size / c->page_size - c->prealloc;

	if (sc->pool == KS_AUTO)
		sc->pool = dyn ? dyn : 1;
	return 0;
}

static int sp_init(struct ks_run *r)
{
	const struct sp_conf *sc = r->pconf;
	uint32_t cpu;

	for (cpu = 0; cpu < r->geo->ncpus; cpu++) {
		struct sp_cpu *pc = ks_cpu_priv(r, cpu);

		if (ks_pool_init(r, &pc->pool, sc->pool, KS_POOL_CPU))
			return -ENOMEM;
		ks_pool_fill(r, &pc->pool);
	}
	return 0;
}

static void sp_create(struct ks_run *r, const struct ks_hook *h, enum ks_birth how)
{
	const struct sp_conf *sc = r->pconf;
	uint32_t prealloc = r->geo->prealloc;

	if (how == KS_BORN_FORK) {
		ks_stack_map(r, h->t, prealloc);
		ks_charge(r, h->t, prealloc, 0, true);
	} else if (h->ev->type == KS_EV_SNAPSHOT && h->ev->depth) {
		/* asleep at the start, reclaimed when it switched out before the trace */
		ks_stack_join(r, h->t,
			      ks_stack_pages(r->geo, (uint64_t)h->ev->depth + sc->margin), false);
	} else {
		ks_task_adopt(r, h);
	}
}

/* A running task the replay never populated ran with its whole stack. */
static void sp_whole(struct ks_run *r, const struct ks_hook *h)
{
	if (h->t->mapped < r->geo->thread_pages)
		ks_stack_join(r, h->t, r->geo->thread_pages - h->t->mapped, false);
}

static void sp_switch_out(struct ks_run *r, const struct ks_hook *h)
{
	const struct sp_conf *sc = r->pconf;
	struct sp_cpu *pc = ks_cpu_priv(r, h->cpu);
	struct ks_ptask *t = h->t;
	uint32_t keep, n, i;

	/* the final switch of a dead task: its release frees everything */
	if (h->ev->state == KS_STATE_DEAD)
		return;
	sp_whole(r, h);
	keep = h->ev->depth ? ks_stack_pages(r->geo, (uint64_t)h->ev->depth + sc->margin) : h->need;
	if (t->mapped <= keep)
		return;
	n = t->mapped - keep;
	ks_stack_reclaim(r, t, n);
	ks_uncharge(r, t, n, n);
	for (i = 0; i < pc->pool.nslots && n; i++) {
		if (pc->pool.slot[i] != KS_SLOT_PAGE) {
			ks_pool_set(r, &pc->pool, i, KS_SLOT_PAGE);
			n--;
		}
	}
	if (sc->shootdown == SHOOTDOWN_ALL)
		ks_tlb_shootdown(r, r->geo->ncpus - 1);
	else
		ks_tlb_flush(r);
}

static void sp_switch_in(struct ks_run *r, const struct ks_hook *h)
{
	const struct sp_conf *sc = r->pconf;
	struct sp_cpu *pc = ks_cpu_priv(r, h->cpu);
	uint32_t n = r->geo->thread_pages - h->t->mapped, got = 0;
	int i;

	if (!n)
		return;
	while (got < n && (i = ks_pool_take(r, &pc->pool)) >= 0) {
		ks_pool_set(r, &pc->pool, (uint32_t)i, KS_SLOT_EMPTY);
		got++;
	}
	/* what the pool lacks comes from the allocator, or the task waits for it */
	if (got < n)
		(void)ks_admit_pages(r, h, n - got, sc->alloc_latency);
	ks_stack_join(r, h->t, n, true);
}

const struct ks_policy ks_policy_sp_reclaim = {
	.name = "sp-reclaim",
	.desc = "Gerst: free pages below the saved stack pointer at switch-out, populate the "
		"whole stack before switch-in; never a fault",
	.params = sp_params,
	.needs_depth = true,
	.conf_size = sizeof(struct sp_conf),
	.cpu_size = sizeof(struct sp_cpu),
	.resolve = sp_resolve,
	.init = sp_init,
	.create = sp_create,
	.grow = sp_whole,
	.switch_out = sp_switch_out,
	.switch_in = sp_switch_in,
};
