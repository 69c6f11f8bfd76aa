// SPDX-License-Identifier: MIT
/*
 * abit: map the whole stack when a task is switched in, and reclaim the
 * pages whose accessed bit stayed clear (Lutomirski 2024, Hansen 2026;
 * reference b.4, design D3).
 *
 * Kernel semantics modelled:
 * - Switch-in: every page of the stack is mapped (maps, PTE writes,
 *   switch_alloc_pages), each from this CPU's pool (pool_hits), else the
 *   allocator (alloc_attempts).  If the allocator fails the task may not
 *   run until its pages are found (admission: Lutomirski 2024, Hansen
 *   2026): it waits, retrying every @alloc_latency ns (admission_waits,
 *   admission_wait_ns; ks_admit_pages()).
 * - A check reads the accessed bit of a task's mapped pages (abit_checks)
 *   and reclaims those found clear (ks_stack_reclaim(): reclaimed_pages,
 *   unmaps, PTE writes); they go to the pool of the CPU the task last ran
 *   on while it has an empty slot (@pool), the rest to the allocator.
 *   @reclaim=switch checks at every switch-out (on the switch path:
 *   switch_free_pages) and ends each reclaiming check with one TLB flush;
 *   @reclaim=shrinker (default) checks the tasks not running in a pass
 *   every @period ns (reclaim_passes) and batches one flush per pass, if the
 *   pass reclaimed anything.  The flush: @shootdown=all (default) also
 *   sends an IPI to every other CPU, because speculation can load a
 *   translation without setting the accessed bit, even from another CPU
 *   (Stevens 2026): tlb_shootdowns, ipis; =local flushes this CPU only.
 * - @latch=1 (Hansen: "a thread that ever accesses a page gets to keep it
 *   forever"): a page once seen accessed is never checked again.  The
 *   lifetime high-water mark says exactly which pages were ever touched:
 *   the pages it needs.  Checks only read the bit.
 * - @latch=0: each check clears the bits it finds set (one PTE write each),
 *   so a page must be touched again before the next check to stay.  The
 *   trace does not say which pages a task touched in one run interval: it
 *   reached its saved stack pointer (its depth at the switch-out) and never
 *   went beyond its lifetime high-water mark.  @access=depth takes the
 *   first (pages down to the depth, or to the high-water mark if that rose
 *   in the interval: a lower bound of what was touched), @access=hwm the
 *   second (pages down to the high-water mark: an upper bound).  The two
 *   runs bound the design: a report must show them as a range, never one
 *   as the answer.  @access has no effect with @latch=1.
 * - Refaults (O'Keefe's question): a reclaimed page the task needs again,
 *   counted at the switch-out that shows the use (the interval's extent
 *   above reaches it; with @latch=1 its high-water mark rose into it), with
 *   the time since that page was last reclaimed (refault_delay_ns, _max).
 *   The delay is measured to that switch-out, so it may exceed the true
 *   one by up to one run interval.
 *
 * Assumptions (the reference leaves these open):
 * - The pages down to the saved stack pointer hold a sleeping task's
 *   frames: a check never reclaims them, whatever their accessed bit (a
 *   real kernel could not free them).  With no depth in the switch record
 *   (0), the pages its high-water mark needs are kept as if they held
 *   frames.  A check never takes the stack below @prealloc pages.
 * - Accesses by other CPUs to a sleeping task's stack (wait queue entries)
 *   and speculative accesses do not set accessed bits in the model.
 * - A task alive before the trace holds the pages its high-water mark
 *   needs, as if a check had just kept them (their bits set; with
 *   @latch=1 latched); a task the replay never switched in that is seen
 *   switching out (or growing) ran with its whole stack, populated before
 *   the trace: the missing pages are adopted (no map, no allocation).
 * - Fork maps @prealloc fresh pages (not failure-injected); the child's
 *   first switch-in maps the rest.
 * - Charges: nr_kernel_stack follows the pages mapped (those above prealloc
 *   also in nr_dynamic_stacks_faults); memcg charges at fork only.
 * - The pools start full (set-up pages).  @pool=0: the allocator only.
 * - The shrinker pass skips running tasks and exited ones; its first pass
 *   runs @period ns after the trace starts.
 * - Release: every page is unmapped and freed; no stack cache is modelled.
 * - The admission wait is counted, not applied: later events keep their
 *   times.
 */
#include <errno.h>
#include <string.h>

#include "policy.h"

#define ABIT_MAX_PAGES 16	/* thread_size 65536 / page_size 4096 */
#define ABIT_PERIOD_MIN 1000000ULL		/* 1 ms */
#define ABIT_PERIOD_MAX 1000000000000ULL	/* 1000 s */
#define ABIT_PERIOD_EXPECT "1000000..1000000000000 ns"

enum { RECLAIM_SWITCH = 0, RECLAIM_SHRINKER = 1 };
enum { ACCESS_DEPTH = 0, ACCESS_HWM = 1 };
enum { SHOOTDOWN_LOCAL = 0, SHOOTDOWN_ALL = 1 };

struct abit_conf {
	uint64_t period;	/* ns between shrinker passes */
	uint32_t latch;
	uint32_t reclaim;
	uint32_t access;
	uint32_t pool;		/* slots per CPU; KS_AUTO until resolved */
	uint32_t shootdown;
	uint32_t alloc_latency;	/* ns between two admission tries */
};

struct abit_cpu {
	struct ks_pool pool;
};

struct abit_run {
	uint32_t pass_reclaimed;	/* pages the running shrinker pass reclaimed */
};

/*
 * Task state follows the 6-byte struct ks_ptask: byte fields only (times
 * through memcpy).  Page i counts from the top of the stack.
 */
struct abit_task {
	uint8_t latched;	/* @latch=1: pages seen accessed, kept for good */
	uint8_t touched;	/* @latch=0: pages whose accessed bit is set */
	uint8_t frames;		/* pages down to the saved stack pointer */
	uint8_t seen;		/* pages its HWM needed at its last switch-out */
	uint8_t pending[2];	/* bit i: page i reclaimed and not needed since */
	uint8_t at[ABIT_MAX_PAGES][8];	/* when page i was last reclaimed */
};

#define OFF(f) offsetof(struct abit_conf, f)
static const struct ks_param abit_params[] = {
	{
		.key = "latch", .kind = KS_PT_U32, .off = OFF(latch),
		.min = 0, .max = 1, .def = "1", .expect = "0 or 1",
		.doc = "1: a page once accessed is kept for good (Hansen); 0: the bit is "
		       "cleared at each check (bounded by access=)",
	},
	{
		.key = "reclaim", .kind = KS_PT_ENUM, .off = OFF(reclaim),
		.choices = "switch|shrinker", .def = "shrinker", .expect = "switch or shrinker",
		.doc = "when pages are checked and reclaimed: at every switch-out, or by a "
		       "shrinker pass over sleeping tasks every period ns",
	},
	{
		.key = "period", .kind = KS_PT_U64, .off = OFF(period),
		.def = "1000000000", .expect = ABIT_PERIOD_EXPECT,
		.doc = "ns between shrinker passes (reclaim=shrinker)",
	},
	{
		.key = "access", .kind = KS_PT_ENUM, .off = OFF(access),
		.choices = "depth|hwm", .def = "hwm", .expect = "depth or hwm",
		.doc = "latch=0: pages a run interval touched, depth: down to the saved stack "
		       "pointer (lower bound), hwm: down to the high-water mark (upper bound)",
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

static int abit_resolve(void *conf, const struct ks_conf *c, const struct ks_machine *m,
			struct ks_error *err)
{
	struct abit_conf *ac = conf;
	uint32_t dyn = c->thread_size / c->page_size - c->prealloc;

	if (ac->pool == KS_AUTO)
		ac->pool = dyn ? dyn : 1;
	if (ac->period < ABIT_PERIOD_MIN || ac->period > ABIT_PERIOD_MAX)
		return ks_error_set(err, KS_E_PARAM,
				    "bad value '%llu' for key 'period' of policy 'abit' "
				    "(expected " ABIT_PERIOD_EXPECT ")", (unsigned long long)ac->period);
	if (!ac->latch && ac->access == ACCESS_DEPTH && !m->depth_known)
		return ks_error_set(err, KS_E_DEPTH,
				    "policy 'abit' with latch=0,access=depth needs stack depths, "
				    "which this trace lacks");
	return 0;
}

static void abit_pass(struct ks_run *r, uint64_t arg);

static int abit_init(struct ks_run *r)
{
	const struct abit_conf *ac = r->pconf;
	uint32_t cpu;

	for (cpu = 0; cpu < r->geo->ncpus; cpu++) {
		struct abit_cpu *pc = ks_cpu_priv(r, cpu);

		if (ks_pool_init(r, &pc->pool, ac->pool, KS_POOL_CPU))
			return -ENOMEM;
		ks_pool_fill(r, &pc->pool);
	}
	if (ac->reclaim == RECLAIM_SHRINKER)
		ks_timer_add(r, ks_time_add(r->geo->start_ns, ac->period), abit_pass, 0);
	return 0;
}

static uint32_t pending_get(const struct abit_task *at)
{
	return at->pending[0] | (uint32_t)at->pending[1] << 8;
}

static void pending_set(struct abit_task *at, uint32_t v)
{
	at->pending[0] = (uint8_t)v;
	at->pending[1] = (uint8_t)(v >> 8);
}

static uint64_t at_get(const struct abit_task *at, uint32_t i)
{
	uint64_t v;

	memcpy(&v, at->at[i], sizeof(v));
	return v;
}

static void at_set(struct abit_task *at, uint32_t i, uint64_t v)
{
	memcpy(at->at[i], &v, sizeof(v));
}

static void abit_create(struct ks_run *r, const struct ks_hook *h, enum ks_birth how)
{
	struct abit_task *at = ks_task_priv(h->t);
	uint32_t prealloc = r->geo->prealloc;

	if (how == KS_BORN_FORK) {
		ks_stack_map(r, h->t, prealloc);
		ks_charge(r, h->t, prealloc, 0, true);
	} else {
		ks_task_adopt(r, h);
	}
	/* what it holds was touched; a start snapshot says where it sleeps */
	at->latched = (uint8_t)h->t->mapped;
	at->touched = (uint8_t)h->t->mapped;
	at->seen = (uint8_t)h->need;
	if (h->ev->type == KS_EV_SNAPSHOT && h->ev->depth)
		at->frames = (uint8_t)ks_stack_pages(r->geo, h->ev->depth);
	else
		at->frames = (uint8_t)h->t->mapped;
}

/* A running task the replay never populated ran with its whole stack. */
static void abit_whole(struct ks_run *r, const struct ks_hook *h)
{
	if (h->t->mapped < r->geo->thread_pages)
		ks_stack_join(r, h->t, r->geo->thread_pages - h->t->mapped, false);
}

/* The pages the run interval that ends at this switch-out touched. */
static uint32_t abit_extent(const struct ks_run *r, const struct ks_hook *h)
{
	const struct abit_conf *ac = r->pconf;
	const struct abit_task *at = ks_task_priv(h->t);
	uint32_t e;

	if (ac->latch || ac->access == ACCESS_HWM || !h->ev->depth)
		return h->need;
	e = ks_stack_pages(r->geo, h->ev->depth);
	/* a high-water mark that rose was reached in this interval */
	if (h->need > at->seen && h->need > e)
		e = h->need;
	return e;
}

/* The flush that ends a reclaim (a switch-out's, or a shrinker pass's). */
static void abit_flush(struct ks_run *r)
{
	const struct abit_conf *ac = r->pconf;

	if (ac->shootdown == SHOOTDOWN_ALL)
		ks_tlb_shootdown(r, r->geo->ncpus - 1);
	else
		ks_tlb_flush(r);
}

/*
 * Check the accessed bits of @h's task, not running, and reclaim the pages
 * found clear below its frames.  Return: pages reclaimed.
 */
static uint32_t abit_check(struct ks_run *r, const struct ks_hook *h)
{
	const struct abit_conf *ac = r->pconf;
	struct abit_task *at = ks_task_priv(h->t);
	struct abit_cpu *pc = ks_cpu_priv(r, h->cpu);
	struct ks_ptask *t = h->t;
	uint32_t mapped = t->mapped, set, keep, n, i, pend;

	if (ac->latch) {
		/* latched pages are not checked again; the bit of the others is read */
		uint32_t from = at->latched < mapped ? at->latched : mapped;

		ks_abit_check(r, mapped - from, 0);
		set = h->need < mapped ? h->need : mapped;
		if (set > at->latched)
			at->latched = (uint8_t)set;
		set = at->latched;
	} else {
		set = at->touched < mapped ? at->touched : mapped;
		ks_abit_check(r, mapped, set);
		at->touched = 0;
	}
	keep = set > at->frames ? set : at->frames;
	if (keep < r->geo->prealloc)
		keep = r->geo->prealloc;
	if (mapped <= keep)
		return 0;
	n = mapped - keep;
	ks_stack_reclaim(r, t, n);
	ks_uncharge(r, t, n, n);
	pend = pending_get(at);
	for (i = keep; i < mapped; i++) {
		pend |= 1u << i;
		at_set(at, i, *r->clock);
	}
	pending_set(at, pend);
	for (i = 0; i < pc->pool.nslots && n; i++) {
		if (pc->pool.slot[i] != KS_SLOT_PAGE) {
			ks_pool_set(r, &pc->pool, i, KS_SLOT_PAGE);
			n--;
		}
	}
	return mapped - keep;
}

static void abit_switch_out(struct ks_run *r, const struct ks_hook *h)
{
	const struct abit_conf *ac = r->pconf;
	struct abit_task *at = ks_task_priv(h->t);
	uint32_t e, pend, i;

	/* the final switch of a dead task: its release frees everything */
	if (h->ev->state == KS_STATE_DEAD)
		return;
	abit_whole(r, h);
	e = abit_extent(r, h);
	/* reclaimed pages this interval used again: refaults */
	pend = pending_get(at);
	for (i = 0; i < e; i++) {
		if (pend & (1u << i)) {
			ks_refault(r, at_get(at, i));
			pend &= ~(1u << i);
		}
	}
	pending_set(at, pend);
	if (e > at->touched)
		at->touched = (uint8_t)e;
	at->seen = (uint8_t)h->need;
	at->frames = (uint8_t)(h->ev->depth ? ks_stack_pages(r->geo, h->ev->depth) : h->need);
	if (ac->reclaim == RECLAIM_SWITCH && abit_check(r, h))
		abit_flush(r);
}

static void abit_switch_in(struct ks_run *r, const struct ks_hook *h)
{
	const struct abit_conf *ac = r->pconf;
	struct abit_cpu *pc = ks_cpu_priv(r, h->cpu);
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
		(void)ks_admit_pages(r, h, n - got, ac->alloc_latency);
	ks_stack_join(r, h->t, n, true);
}

static void abit_pass_task(struct ks_run *r, const struct ks_hook *h, uint64_t asleep_since)
{
	struct abit_run *ar = ks_run_priv(r);

	if (asleep_since == KS_TIME_NEVER || (h->t->flags & KS_PT_EXITED))
		return;
	ar->pass_reclaimed += abit_check(r, h);
}

static void abit_pass(struct ks_run *r, uint64_t arg)
{
	const struct abit_conf *ac = r->pconf;
	struct abit_run *ar = ks_run_priv(r);

	(void)arg;
	ks_reclaim_pass(r);
	ar->pass_reclaimed = 0;
	ks_tasks_walk(r, abit_pass_task);
	/* one flush for the whole pass */
	if (ar->pass_reclaimed)
		abit_flush(r);
	ks_timer_add(r, ks_time_add(*r->clock, ac->period), abit_pass, 0);
}

const struct ks_policy ks_policy_abit = {
	.name = "abit",
	.desc = "Lutomirski/Hansen: whole stack mapped at switch-in, pages whose accessed "
		"bit stays clear reclaimed at switch-out or by a shrinker",
	.params = abit_params,
	.conf_size = sizeof(struct abit_conf),
	.run_size = sizeof(struct abit_run),
	.cpu_size = sizeof(struct abit_cpu),
	.task_size = sizeof(struct abit_task),
	.resolve = abit_resolve,
	.init = abit_init,
	.create = abit_create,
	.adopt = ks_task_adopt,
	.grow = abit_whole,
	.switch_out = abit_switch_out,
	.switch_in = abit_switch_in,
};
