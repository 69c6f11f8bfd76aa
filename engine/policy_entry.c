// SPDX-License-Identifier: MIT
/*
 * entry: expand the stack at kernel entry from user mode, shrink it on the
 * return (Tatashin's proposal D1, seed 001, reference b.4 and appendix B).
 *
 * - Kernel threads get fully mapped stacks (thread_size) and never change.
 * - A user thread holds @prealloc pages (the top page) while in user mode and
 *   the full thread_size while in the kernel.  Every mapped page is charged
 *   to nr_kernel_stack, which counts the stack pages live tasks hold (D1
 *   does not say how it would account expansions; counting them is what
 *   makes its memory comparable with the other policies); expansions are
 *   not memcg charges.  The pages above prealloc count in
 *   nr_dynamic_stacks_faults while held.
 * - Each CPU has a cache of @pool free pages and a reserve of @reserve
 *   pages, both full at start (set-up pages, not failure-injected) and
 *   counted as pool pages.  @pool=0: no cache, so every expansion goes to
 *   the allocator (entries that may sleep) or the reserve (IRQ entries).
 * - Forked user threads start in user mode with @prealloc pages; tasks alive
 *   before the trace (snapshot, or first seen in any other record) are asleep
 *   or running in the kernel, so they start with full stacks (their HWM,
 *   even when learnt later, changes nothing: no adopt()).
 *
 * entries=events (the trace has KENTRY/KEXIT, opt-in when recording):
 * - KENTRY of a user thread in user mode maps thread_size - prealloc pages
 *   (maps += n): from the CPU's cache (pool_hits), then
 *     - an IRQ entry (never enables interrupts) takes the CPU's reserve
 *       (fallback_hits); not enough: would-be crash, mapped anyway;
 *     - any other entry (syscall, user fault, #DB/int3: interrupts get
 *       enabled) tries the allocator without sleeping (ks_alloc_page); on
 *       the first failure the task sleeps (waits++): every @alloc_latency ns
 *       it retries the remaining pages; a retry inside a fail window fails
 *       and the task sleeps on until the window ends.  wait_ns += the time
 *       from entry to the last page.  (After 1000 failed retries, only
 *       possible with fail_rate near 1, the rest is a would-be crash.)
 * - KEXIT of a user thread in the kernel unmaps the expansion (unmaps += n,
 *   one local TLB range flush) and returns the pages to the CPU it exits on:
 *   first the reserve, then the cache, the rest are freed.  A task can enter
 *   on one CPU and exit on another: its pages move with it.
 * - A switch-out happens in the kernel: a user thread still in user mode
 *   there (its entry was not recorded) gets its full stack without entry
 *   costs, from the cache or else a fresh page (not injected).
 *
 * entries=derived (default; the trace has no entry events):
 * - A user thread that switches out is in the kernel: it holds the full
 *   stack from its switch-out until it next runs; at its switch-in it is
 *   modelled as returning to user mode at once (stack back to @prealloc,
 *   pages to that CPU's cache, the excess freed).  Pages come from the cache
 *   or else fresh (not injected).  Memory is derived; entry costs are not:
 *   maps/unmaps count only forks and releases, and waits, wait_ns,
 *   tlb_flushes, pool_hits and fallback_hits stay 0.  Reports must show
 *   those as unknown for runs with entries=derived.
 *
 * Release: every mapped page is unmapped and freed.
 */
#include <errno.h>

#include "policy.h"

#define ENTRY_MAX_RETRIES 1000

enum { ENTRIES_DERIVED = 0, ENTRIES_EVENTS = 1 };

struct entry_conf {
	uint32_t entries;
	uint32_t pool;		/* cache pages per CPU (0: none); KS_AUTO until resolved */
	uint32_t reserve;	/* pages per CPU for IRQ entries */
	uint32_t alloc_latency;	/* ns per sleeping allocation attempt */
};

struct entry_cpu {
	struct ks_pool cache;
	struct ks_pool reserve;
};

struct entry_task {
	uint8_t in_kernel;
};

#define OFF(f) offsetof(struct entry_conf, f)
static const struct ks_param entry_params[] = {
	{
		.key = "entries", .kind = KS_PT_ENUM, .off = OFF(entries),
		.choices = "derived|events", .def = "derived", .expect = "derived or events",
		.doc = "derived: no entry events (memory derived from switches, costs unknown); "
		       "events: use KENTRY/KEXIT",
	},
	{
		.key = "pool", .kind = KS_PT_U32, .off = OFF(pool),
		.min = 0, .max = 255, .auto_ok = true, .def = "auto", .expect = "auto or 0..255",
		.doc = "per-CPU page cache; 0: none, every expansion allocates "
		       "(auto: 3 x (thread_size/page_size - prealloc), three expansions)",
	},
	{
		.key = "reserve", .kind = KS_PT_U32, .off = OFF(reserve),
		.min = 0, .max = 64, .def = "3", .expect = "0..64",
		.doc = "per-CPU pages reserved for entries that never enable IRQs",
	},
	{
		.key = "alloc_latency", .kind = KS_PT_U32, .off = OFF(alloc_latency),
		.min = 0, .max = 4000000000.0, .def = "20000", .expect = "0..4000000000 ns",
		.doc = "ns a task sleeps per allocation retry when the cache is empty and a "
		       "no-wait allocation failed (placeholder)",
	},
	{ .key = NULL },
};
#undef OFF

static int entry_resolve(void *conf, const struct ks_conf *c, const struct ks_machine *m,
			 struct ks_error *err)
{
	struct entry_conf *ec = conf;

	if (ec->pool == KS_AUTO)
		ec->pool = 3 * (c->thread_size / c->page_size - c->prealloc);
	return 0;
}

static int entry_init(struct ks_run *r)
{
	const struct entry_conf *ec = r->pconf;
	uint32_t cpu;

	for (cpu = 0; cpu < r->geo->ncpus; cpu++) {
		struct entry_cpu *pc = ks_cpu_priv(r, cpu);

		if (ks_pool_init(r, &pc->cache, ec->pool, KS_POOL_CPU) ||
		    ks_pool_init(r, &pc->reserve, ec->reserve, KS_POOL_RESERVE))
			return -ENOMEM;
		ks_pool_fill(r, &pc->cache);
		ks_pool_fill(r, &pc->reserve);
	}
	return 0;
}

/* A page leaves @p for good (its slot empties): a hit, or @quiet (no cost). */
static bool pool_get(struct ks_run *r, struct ks_pool *p, bool quiet)
{
	int i = quiet ? ks_pool_take_quiet(r, p) : ks_pool_take(r, p);

	if (i < 0)
		return false;
	ks_pool_set(r, p, (uint32_t)i, KS_SLOT_EMPTY);
	return true;
}

static bool pool_put(struct ks_run *r, struct ks_pool *p)
{
	uint32_t i;

	for (i = 0; i < p->nslots; i++) {
		if (p->slot[i] != KS_SLOT_PAGE) {
			ks_pool_set(r, p, i, KS_SLOT_PAGE);
			return true;
		}
	}
	return false;
}

static void entry_create(struct ks_run *r, const struct ks_hook *h, enum ks_birth how)
{
	struct entry_task *et = ks_task_priv(h->t);
	uint32_t prealloc = r->geo->prealloc, n, charged;
	bool fork = how == KS_BORN_FORK;

	if (h->kthread || !fork) {
		/* kthreads always full; tasks alive before we looked are in the kernel */
		n = r->geo->thread_pages;
		et->in_kernel = 1;
	} else {
		n = prealloc;
	}
	charged = n > prealloc ? n - prealloc : 0;
	if (fork)
		ks_stack_map(r, h->t, n);
	else
		ks_stack_adopt(r, h->t, n);
	ks_charge(r, h->t, n, charged, fork);
}

/* Full stack without entry costs (derived, or an entry the trace missed). */
static void expand_quiet(struct ks_run *r, const struct ks_hook *h)
{
	struct entry_cpu *pc = ks_cpu_priv(r, h->cpu);
	uint32_t n = r->geo->thread_pages - h->t->mapped, i;

	for (i = 0; i < n; i++)
		(void)pool_get(r, &pc->cache, true);	/* else a fresh page */
	ks_stack_adopt(r, h->t, n);
	ks_charge(r, h->t, n, n, false);
	((struct entry_task *)ks_task_priv(h->t))->in_kernel = 1;
}

/* Back to @prealloc pages; @costs: count unmaps and the TLB flush. */
static void shrink(struct ks_run *r, const struct ks_hook *h, bool costs)
{
	struct entry_cpu *pc = ks_cpu_priv(r, h->cpu);
	uint32_t prealloc = r->geo->prealloc;
	uint32_t n = h->t->mapped > prealloc ? h->t->mapped - prealloc : 0, i;

	((struct entry_task *)ks_task_priv(h->t))->in_kernel = 0;
	if (!n)
		return;
	ks_uncharge(r, h->t, n, n);
	if (costs) {
		ks_stack_unmap(r, h->t, n);
		ks_tlb_flush(r);
	} else {
		ks_stack_drop(r, h->t, n);
	}
	for (i = 0; i < n; i++)
		if (!(costs && pool_put(r, &pc->reserve)))
			(void)pool_put(r, &pc->cache);	/* full: the page is freed */
}

/* The task sleeps until @n fresh pages are allocated. */
static void entry_wait(struct ks_run *r, const struct ks_hook *h, uint32_t n)
{
	const struct entry_conf *ec = r->pconf;
	uint64_t now = *r->clock, t = now;
	uint32_t tries = 0;

	while (n) {
		t = ks_time_add(t, ec->alloc_latency);
		while (n && ks_alloc_page_at(r, t))
			n--;
		if (!n)
			break;
		if (++tries == ENTRY_MAX_RETRIES) {
			ks_crash(r, h, n, KS_CRASH_POOL_EMPTY);
			break;
		}
		t = ks_fail_until(r, t);
	}
	ks_wait(r, t - now);
}

static void entry_kentry(struct ks_run *r, const struct ks_hook *h)
{
	const struct entry_conf *ec = r->pconf;
	struct entry_task *et = ks_task_priv(h->t);
	struct entry_cpu *pc = ks_cpu_priv(r, h->cpu);
	uint32_t kind = h->ev->arg & 0xff, n, left;

	if (ec->entries != ENTRIES_EVENTS || h->kthread || et->in_kernel)
		return;
	n = r->geo->thread_pages - h->t->mapped;
	left = n;
	while (left && pool_get(r, &pc->cache, false))	/* pool_hits */
		left--;
	if (kind == KS_ENTRY_IRQ) {
		while (left && pool_get(r, &pc->reserve, false))	/* fallback_hits */
			left--;
		if (left)
			ks_crash(r, h, left, KS_CRASH_POOL_EMPTY);
	} else {
		while (left && ks_alloc_page(r))
			left--;
		if (left)
			entry_wait(r, h, left);
	}
	ks_stack_map(r, h->t, n);
	ks_charge(r, h->t, n, n, false);
	et->in_kernel = 1;
}

static void entry_kexit(struct ks_run *r, const struct ks_hook *h)
{
	const struct entry_conf *ec = r->pconf;
	struct entry_task *et = ks_task_priv(h->t);

	if (ec->entries != ENTRIES_EVENTS || h->kthread || !et->in_kernel)
		return;
	shrink(r, h, true);
}

static void entry_switch_out(struct ks_run *r, const struct ks_hook *h)
{
	struct entry_task *et = ks_task_priv(h->t);

	if (!h->kthread && !et->in_kernel)
		expand_quiet(r, h);
}

static void entry_switch_in(struct ks_run *r, const struct ks_hook *h)
{
	const struct entry_conf *ec = r->pconf;
	struct entry_task *et = ks_task_priv(h->t);

	if (ec->entries == ENTRIES_DERIVED && !h->kthread && et->in_kernel)
		shrink(r, h, false);
}

const struct ks_policy ks_policy_entry = {
	.name = "entry",
	.desc = "Tatashin 2024: expand to full size on kernel entry from user mode, shrink on return",
	.params = entry_params,
	.conf_size = sizeof(struct entry_conf),
	.cpu_size = sizeof(struct entry_cpu),
	.task_size = sizeof(struct entry_task),
	.resolve = entry_resolve,
	.init = entry_init,
	.create = entry_create,
	.switch_out = entry_switch_out,
	.switch_in = entry_switch_in,
	.kentry = entry_kentry,
	.kexit = entry_kexit,
};
