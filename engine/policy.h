/* SPDX-License-Identifier: MIT */
/*
 * The policy interface: what a policy implements and what the engine gives it.
 *
 * A policy is one const struct ks_policy in its own file (policy_NAME.c) and
 * one line in registry.c.  It decides only what differs between stack
 * designs; the engine owns the event loop, the task table, the high-water
 * mark tracking and every counter.  A policy sees its run (struct ks_run)
 * as read-only views and its own state; it changes levels and counters only
 * through the services below, each of which counts what it does, so every
 * policy is accounted the same way and their results compare.  The engine's
 * state of a run (grid_state.h) is out of a policy's reach, and the test
 * engine-policy-contract keeps it so.
 *
 * One struct ks_run is one configuration (one spec string) of a grid; the
 * engine replays each event once for the whole grid (task lookup, HWM
 * tracking, growth detection) and calls a run's hooks only when something
 * concerns it.  Hooks never allocate memory per event: allocate at init()
 * with ks_run_zalloc().
 *
 * Sizes: "pages" are pages of the run's page size, levels are exact
 * integers, time is in ns of the trace clock.
 *
 * Adding a policy:
 * 1. engine/policy_NAME.c: a header comment stating the kernel semantics
 *    modelled and every quirk; its conf struct, its parameter table (struct
 *    ks_param, one designated entry per key), the hooks it needs (unset hooks cost nothing: switch_in,
 *    switch_out, kentry, kexit and kfault are only dispatched if some run of
 *    the grid has them) and its const struct ks_policy.  It includes
 *    policy.h (or the NAME_shared.h of a policy it builds on) and nothing of
 *    the engine's own; it reads r->geo, r->pconf, r->clock, the hook (const)
 *    and its private state (ks_run_priv(), ks_cpu_priv(), ks_task_priv()),
 *    and acts through the services below.
 * 2. engine/registry.c: two lines, its extern declaration and its entry in
 *    ks_policies[] (the order is --list-policies' order).
 * 3. engine/meson.build: one line in engine_sources.
 * 4. tests/policies/golden_NAME.c and its name in tests/policies/meson.build:
 *    tiny traces whose expected counters are worked out by hand in the
 *    comments, never pasted from the program's output.
 * 5. tests/pins/shipped.pins: the policy's lines, regenerated on purpose
 *    (the pins test fails for a registered policy without them).
 * Per-CPU state is indexed by @h->cpu, already a valid index (the engine
 * folds a CPU the trace header did not count); another task is reached by
 * its slot (@h->slot, kept, then ks_task_at()).  Deferred work (a pool
 * refilled after a latency, balance workers) is ks_timer_add(); a periodic
 * pass over the tasks (a shrinker, a collector) is a timer that calls
 * ks_tasks_walk().  Per-task state follows the 6-byte struct ks_ptask, so
 * it is only byte-aligned: keep wider fields in byte arrays (memcpy).  A
 * policy that reads depths (a switch's saved stack pointer, @h->ev->depth)
 * sets needs_depth, or refuses the keys that need them in resolve().
 *
 * The services and what each counts; nothing else counts for a policy.
 * Stack and charges:
 * - ks_stack_map(): maps += n, pte_writes += n; the stack level; inside a
 *   switch_in hook also switch_alloc_pages += n.
 * - ks_stack_adopt(): the stack level only (pages already mapped).
 * - ks_stack_inherit(): a fork takes a cached stack: the cache level -n, the
 *   stack level +n, charged (memcg), inherited_pages += n - prealloc.
 * - ks_task_adopt(): the stack level and nr_kernel_stack of a task alive
 *   before the trace (no map, no memcg charge).
 * - ks_stack_join(): ks_stack_map() or ks_stack_adopt(), and the charge
 *   (nr_kernel_stack, above prealloc nr_dynamic_stacks_faults; no memcg).
 * - ks_stack_unmap(): unmaps += n, pte_writes += n; the stack level; inside
 *   a switch_out hook also switch_free_pages += n.
 * - ks_stack_reclaim(): ks_stack_unmap() and reclaimed_pages += n (pages a
 *   reclaim rule takes from a live task).
 * - ks_stack_drop(): the stack level only (to a cache, or leaked).
 * - ks_cache_add(): the cache level.
 * - ks_pages_leak(): leaked_pages += n.
 * - ks_charge(): nr_kernel_stack, nr_dynamic_stacks_faults; charges += n if
 *   memcg.
 * - ks_memcg_charge(): charges += n, for a stack that no longer exists.
 * - ks_uncharge(): nr_kernel_stack, nr_dynamic_stacks_faults.
 * Faults, costs, crashes:
 * - ks_fault(): faults++, fault_pages += pages (arm64: sync_exceptions++,
 *   tlb_flushes and tlb_local_flushes += pages).
 * - ks_tlb_flush(): tlb_flushes++, tlb_local_flushes++ (a local flush
 *   outside a fault).
 * - ks_tlb_shootdown(): tlb_flushes++, tlb_shootdowns++, ipis += cpus (none:
 *   a local flush).
 * - ks_abit_check(): abit_checks += n, pte_writes += cleared.
 * - ks_reclaim_pass(): reclaim_passes++.
 * - ks_refault(): refaults++, refault_delay_ns += now - reclaimed_at, and
 *   refault_delay_max_ns.
 * - ks_wait(): waits++, wait_ns += ns (an allocation that slept).
 * - ks_admit_pages(): the allocator's counters, and if it has to wait
 *   admission_waits++, admission_wait_ns (a crash if it never gets them).
 * - ks_crash(): crashes++ and the record.
 * - ks_extra_pages(): extra_pages += n (fixed overheads, at init()).
 * The page allocator:
 * - ks_alloc_page(), ks_alloc_page_at(): alloc_attempts++, and
 *   alloc_failures++ when it fails.
 * Pools (struct ks_pool, of a kind: enum ks_pool_kind):
 * - ks_pool_fill(): set-up pages: the pool level only.
 * - ks_pool_take(): the pool level; a page taken: pool_hits++ (KS_POOL_CPU)
 *   or fallback_hits++ (KS_POOL_RESERVE, KS_POOL_GLOBAL); KS_POOL_GLOBAL:
 *   lock_acquisitions++ for every call.
 * - ks_pool_take_quiet(): the pool level only (memory derived, no cost).
 * - ks_pool_set(): the pool level only (pages put back, slots emptied).
 * - ks_pool_refill(): one refill operation: refills++, refill_latency_ns +=
 *   now - queued; KS_POOL_GLOBAL: lock_acquisitions++.
 * - ks_pool_refill_slot(): ks_alloc_page(), then refill_pages++ or
 *   refill_failures++.
 * - ks_pool_refill_slot_sleeping(): alloc_attempts++, refill_pages++, and
 *   inside a fail window ks_wait().
 * Counted by the engine alone: events, switches, tasks, forks, exits,
 * kfaults, entries, overflows, the entry model's sync_exceptions,
 * copy_bytes and downgrades, every _end, _peak and mean, and asleep_page_ns
 * (the pages of tasks not running, from the stack services and the switches).
 * Tasks: ks_tasks_walk() visits every live task (a periodic pass).
 *
 * What the engine does by itself, for every policy:
 * - task lifecycle: SNAPSHOT (without KS_F_STOP) creates a task alive at
 *   start; NEW creates a fork on the parent's CPU (a NEW for a live tid
 *   releases the old task first); any other record naming a tid the replay
 *   does not know (a SWITCH as prev or next, EXIT, KFAULT, KENTRY, KEXIT,
 *   the parent of a NEW) creates it there, as alive before the trace
 *   (KS_BORN_MISSED: the start snapshot missed it).  FREE of an unknown tid
 *   creates nothing (it normally follows the release at the dead switch);
 *   nor does SNAPSHOT with KS_F_STOP, which raises the HWM of a live task.
 *   tid 0 is ignored.
 * - a task alive before the trace (snapshot or missed) holds the pages its
 *   HWM needs from the moment it appears (charged, but not counted as memcg
 *   charges or maps: create()).  If its HWM is unknown then (0: first seen
 *   as a switch's next task, in a KFAULT, KENTRY or KEXIT, as a parent, or
 *   in a record without a HWM), it holds the prealloc pages, and the first
 *   HWM learnt later (at a switch-out, its EXIT or the stop snapshot) is
 *   adopted, not growth: those pages were on its stack before the trace
 *   saw it, at a time the trace cannot place, so adopt() maps them with no
 *   fault, no pool page and no memcg charge.  Only later rises are growth.
 * - the HWM of a task only rises; growth is handed to grow() at the task's
 *   switch-out, and overflows (more pages than limit_pages) are counted once
 *   per task (also for HWMs learnt at EXIT or from the stop census).
 * - growth seen at EXIT: an exit scan deeper than every switch-out HWM is a
 *   fault taken after the last switch-out and before do_exit, on the CPU the
 *   task exits on.  grow() is called at EXIT with @at_exit (faults, pool
 *   pages, so memory and pools show it when it happened); what the policy
 *   owes the switch-out after a fault (KS_PT_REFILL: the RFC's refill) is
 *   done at the task's next switch-out (normally the dead switch), or, if
 *   the trace has none, at its release, on the CPU it exited on.
 * - the stop snapshot: a task running at stop (the next of the last switch
 *   on some CPU) whose stop HWM needs more pages than it holds grew after
 *   its last switch-out, in the final interval on that CPU: grow() is called
 *   with @at_stop (no switch_out()).  A task not running at stop cannot
 *   have grown since its last switch-out, whose HWM the engine has: a
 *   higher stop HWM there only raises the HWM (a switch probe's
 *   underestimate, not growth the replay can place in time).
 * - EXIT drops the task's charges from nr_kernel_stack and
 *   nr_dynamic_stacks_faults (the kernel accounts at do_exit), after the
 *   growth seen at EXIT; charges made after EXIT (a refill at the dead
 *   switch) are dropped at release.
 * - release happens at the SWITCH with state DEAD, else at FREE.
 * - KS_EV_LOST is ignored: replay copies the trace's lost counts.
 */
#ifndef KS_POLICY_H
#define KS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

#define KS_MAX_WINDOWS 8	/* fail_windows entries */

/*
 * How "auto" is stored in a KS_PT_U32 field until resolve() replaces it: a
 * value no key accepts (every max is far below), so 0 stays a real value
 * (pool=0: no per-CPU pool).
 */
#define KS_AUTO UINT32_MAX

/* Parsed fail_windows, in seconds from trace start, [start, end). */
struct ks_windows {
	uint32_t n;
	double start[KS_MAX_WINDOWS];
	double end[KS_MAX_WINDOWS];
};

/* Engine-wide parameters, accepted by every policy (see ks_engine_common_params()). */
struct ks_conf {
	uint64_t seed;
	double fail_rate;
	struct ks_windows fail_windows;
	uint32_t page_size;	/* KS_AUTO until resolved: auto = from the trace */
	uint32_t thread_size;	/* KS_AUTO until resolved: auto = from the trace */
	uint32_t prealloc;	/* pages mapped at fork */
	uint32_t samples;	/* points of the series (0: none) */
	uint32_t entry_model;	/* enum ks_entry_model */
	uint32_t sync_stack;	/* arm64: bytes of each CPU's sync stack */
	uint32_t frame_bytes;	/* arm64: bytes copied back per non-stack exception */
};

/*
 * How a stack fault is taken (entry_model=, engine-wide, orthogonal to the
 * policy; entry_model.c).  x86: on the task stack (the RFC).  arm64: every
 * kernel synchronous exception runs on a per-CPU sync stack first.  fred:
 * stack faults on a separate stack level, other kernel faults downgraded.
 */
enum ks_entry_model {
	KS_EM_X86 = 0,
	KS_EM_ARM64 = 1,
	KS_EM_FRED = 2,
};

/* Per-task state a run keeps for every live task (followed by the policy's). */
struct ks_ptask {
	uint16_t charged;	/* pages counted in the kernel's nr_kernel_stack */
	uint16_t charged_dyn;	/* of which in nr_dynamic_stacks_faults */
	uint8_t mapped;		/* pages really mapped to the stack */
	uint8_t flags;		/* KS_PT_* */
};

#define KS_PT_EXITED	0x01	/* EXIT seen: the kernel counters were dropped */
#define KS_PT_OVERFLOW	0x02	/* already counted in overflows */
#define KS_PT_BASE	0x04	/* arm64: its base-address overflow crash is recorded */
#define KS_PT_INHERITED	0x08	/* born on a cached stack (set by ks_stack_inherit()) */
#define KS_PT_REFILL	0x10	/* grow() took pool pages its next switch-out refills (the
				 * RFC's PF_DYNAMIC_STACK): refill() is called then */

/* How a task came to exist in the replay. */
enum ks_birth {
	KS_BORN_SNAPSHOT,	/* alive at trace start: stack holds its needed pages */
	KS_BORN_FORK,		/* KS_EV_NEW on the parent's CPU */
	KS_BORN_MISSED,		/* first seen in another record: alive before the trace */
};

/**
 * struct ks_hook - what a hook is told about the event (read-only: hooks get
 * it const, and the engine may reuse it for the next hook of the event)
 * @ev: the event (NULL when called from a timer)
 * @time: now
 * @cpu: the CPU the event happened on, as an index of per-CPU state
 *	(0..ncpus-1: the engine folds a CPU number the trace header did not
 *	count, cpu % ncpus, so a policy never checks it)
 * @trace_cpu: that CPU as the trace names it (what a crash record keeps)
 * @slot: the task's slot in the run (stable while it lives, reused after
 *	its release): ks_task_at() finds the task from it later
 * @tid: the task concerned (prev at a switch-out, next at a switch-in)
 * @hwm: the task's high-water mark in bytes, as known now
 * @need: pages that HWM needs in this run: max(prealloc, ceil(hwm/page)),
 *	capped at thread_pages
 * @kthread: the task is a kernel thread
 * @t: this run's state of the task; policy state follows at ks_task_priv()
 * @at_stop: grow() only: the growth was seen by the stop snapshot while the
 *	task was running on @cpu (it faulted in the final interval and has not
 *	left the CPU, so there is no switch-out: no refill, no charge yet)
 * @at_exit: grow() only: the growth was seen by the EXIT scan (the task
 *	faulted on @cpu before do_exit; its switch-out comes later)
 */
struct ks_hook {
	const struct ks_event *ev;
	uint64_t time;
	uint32_t cpu;
	uint32_t trace_cpu;
	uint32_t slot;
	uint32_t tid;
	uint32_t hwm;
	uint32_t need;
	struct ks_ptask *t;
	bool kthread;
	bool at_stop;
	bool at_exit;
};

struct ks_run;

/* Slot states of a struct ks_pool. */
enum ks_slot {
	KS_SLOT_EMPTY = 0,	/* no page (allocation failed, or never filled) */
	KS_SLOT_PAGE = 1,	/* holds a free page */
	KS_SLOT_TAKEN = 2,	/* page handed out, not yet replaced */
};

/*
 * What a pool is, which decides how the engine counts it: its pages in
 * pool_pages (per-CPU) or global_pages, a page taken in pool_hits or
 * fallback_hits, and whether it sits behind the global lock.
 */
enum ks_pool_kind {
	KS_POOL_CPU = 0,	/* a per-CPU pool: pool_pages, pool_hits */
	KS_POOL_RESERVE = 1,	/* a per-CPU fallback reserve: pool_pages, fallback_hits */
	KS_POOL_GLOBAL = 2,	/* the global fallback pool: global_pages, fallback_hits;
				 * every take and every refill takes its lock */
};

/**
 * struct ks_pool - an array of page slots with "taken" marks (the RFC's
 * per-CPU dynamic_stack_pages[]), counted by the engine by its @kind
 * @slot: nslots bytes of enum ks_slot
 * @nslots: slot count
 * @pages: slots in state KS_SLOT_PAGE
 * @kind: enum ks_pool_kind, set by ks_pool_init()
 */
struct ks_pool {
	uint8_t *slot;
	uint32_t nslots;
	uint32_t pages;
	uint32_t kind;
};

typedef void (*ks_timer_fn)(struct ks_run *r, uint64_t arg);

/**
 * struct ks_policy - a policy's const ops table
 * @name: spec name ("rfc")
 * @desc: one line for --list-policies
 * @params: its own keys: a table of struct ks_param ending with key == NULL
 * @needs_depth: refuse traces with depth_known == false (-KS_E_DEPTH)
 * @conf_size: size of its parsed parameter struct (the offsets in @params)
 * @run_size: private state per run, zeroed, at ks_run_priv()
 * @cpu_size: private state per CPU, zeroed, at ks_cpu_priv()
 * @task_size: private state per task, zeroed at birth, at ks_task_priv()
 * @resolve: turn "auto" values into real ones with @c (already resolved)
 *	and check cross-key limits; may be NULL.  Return 0 or ks_error_set().
 * @init: at run start (pools filled here); may allocate with ks_run_zalloc().
 *	Return 0 or a negative code.
 * @create: a task appears.  NULL: map @h->need pages and charge them
 *	(charges counted only for KS_BORN_FORK).
 * @adopt: a task alive before the trace whose HWM was unknown learnt its
 *	first HWM, which needs @h->need > @h->t->mapped pages: they were on its
 *	stack before the trace saw it (no fault, no pool page, no memcg
 *	charge; ks_task_adopt() does what create() does for such a task).
 *	NULL: nothing (a stack whose size does not follow the HWM).
 * @grow: at prev's switch-out when @h->need > @h->t->mapped (the task
 *	faulted during the interval that just ended on @h->cpu).  NULL: nothing
 *	(the task keeps what it has).  Also, with @h->at_exit, at EXIT for a
 *	task whose exit scan needs more pages (it faulted before do_exit on
 *	@h->cpu), and with @h->at_stop, at the stop snapshot for a task running
 *	on @h->cpu whose stop HWM needs more pages (it faulted in the final
 *	interval); the switch-out has not happened yet in both cases.  Work
 *	owed to the switch-out after a fault: set KS_PT_REFILL in @h->t->flags.
 * @refill: prev leaves the CPU (@h->cpu) with KS_PT_REFILL set, which the
 *	engine clears first: right after grow() at the same switch-out, at the
 *	first switch-out after growth at EXIT, or, for a task that grew at
 *	EXIT and has no switch-out left in the trace, at its release by FREE
 *	(or by a NEW reusing its tid), with @h->cpu the CPU it exited on.
 * @switch_out: every switch-out of a live task, after @grow and @refill; NULL to skip
 *	(cheaper: leave NULL unless needed).
 * @switch_in: every switch-in of a live task; NULL to skip.
 * @exit: EXIT, after its growth (@grow with @at_exit) and after the engine
 *	dropped the task's charges.
 * @release: the stack is released (dead switch or FREE) on @h->cpu: dispose of
 *	@h->t->mapped pages with ks_stack_unmap()/ks_stack_drop() and the cache
 *	level.  Remaining charges were dropped by the engine.  NULL: unmap all.
 * @kentry: KS_EV_KENTRY of a live task; NULL to skip.
 * @kexit: KS_EV_KEXIT of a live task; NULL to skip.
 * @kfault: KS_EV_KFAULT of a live task; NULL to skip.
 * @finish: at the end, after the last timers ran; may be NULL.
 */
struct ks_policy {
	const char *name;
	const char *desc;
	const struct ks_param *params;
	bool needs_depth;
	size_t conf_size;
	size_t run_size;
	size_t cpu_size;
	size_t task_size;
	int (*resolve)(void *conf, const struct ks_conf *c, const struct ks_machine *m,
		       struct ks_error *err);
	int (*init)(struct ks_run *r);
	void (*create)(struct ks_run *r, const struct ks_hook *h, enum ks_birth how);
	void (*adopt)(struct ks_run *r, const struct ks_hook *h);
	void (*grow)(struct ks_run *r, const struct ks_hook *h);
	void (*refill)(struct ks_run *r, const struct ks_hook *h);
	void (*switch_out)(struct ks_run *r, const struct ks_hook *h);
	void (*switch_in)(struct ks_run *r, const struct ks_hook *h);
	void (*exit)(struct ks_run *r, const struct ks_hook *h);
	void (*release)(struct ks_run *r, const struct ks_hook *h);
	void (*kentry)(struct ks_run *r, const struct ks_hook *h);
	void (*kexit)(struct ks_run *r, const struct ks_hook *h);
	void (*kfault)(struct ks_run *r, const struct ks_hook *h);
	void (*finish)(struct ks_run *r);
};

/* The registry (registry.c): NULL-terminated. */
extern const struct ks_policy *const ks_policies[];

/**
 * struct ks_geom - a run's geometry, fixed when the run starts
 * @start_ns: trace start
 * @ncpus: CPUs; per-CPU state exists for 0..ncpus-1
 * @page_size: bytes
 * @page_shift: log2(page_size)
 * @page_kb: page_size in KiB
 * @thread_size: bytes of a full stack
 * @thread_pages: pages (slots) of a full stack
 * @prealloc: pages mapped at fork
 * @limit_pages: a task needing more pages overflows (thread_pages unless
 *	init() called ks_run_limit())
 */
struct ks_geom {
	uint64_t start_ns;
	uint32_t ncpus;
	uint32_t page_size;
	uint32_t page_shift;
	uint32_t page_kb;
	uint32_t thread_size;
	uint32_t thread_pages;
	uint32_t prealloc;
	uint32_t limit_pages;
};

/**
 * struct ks_run - what a policy sees of one configuration being replayed:
 * read-only views and its own state.  The engine's state of the run
 * (counters, levels, task table, timers) lives around it (grid_state.h), out of
 * a policy's reach: a policy changes it only through the services.
 * @pol: the policy
 * @geo: the geometry
 * @pconf: the resolved policy parameters (its conf struct)
 * @clock: now: the event or timer being run
 * @priv: policy state per run (ks_run_priv())
 * @cpu_priv: policy state per CPU (ks_cpu_priv())
 */
struct ks_run {
	const struct ks_policy *pol;
	const struct ks_geom *geo;
	const void *pconf;
	const uint64_t *clock;
	void *priv;
	unsigned char *cpu_priv;
};

/*
 * Time never wraps: a sum past the last instant of the 64-bit clock is
 * KS_TIME_NEVER, and what is due then (a series point, deferred work) never
 * comes.  Traces may start anywhere on the clock (CLOCK_MONOTONIC or a bad
 * writer), so every time sum goes through ks_time_add().
 */
#define KS_TIME_NEVER UINT64_MAX

/** ks_time_add() - @t + @d, or KS_TIME_NEVER if that is past the clock */
static inline uint64_t ks_time_add(uint64_t t, uint64_t d)
{
	return d >= KS_TIME_NEVER - t ? KS_TIME_NEVER : t + d;
}

static inline void *ks_run_priv(struct ks_run *r)
{
	return r->priv;
}

/* @cpu: an index below r->geo->ncpus (a hook's @h->cpu is one) */
static inline void *ks_cpu_priv(struct ks_run *r, uint32_t cpu)
{
	return r->cpu_priv + (size_t)cpu * r->pol->cpu_size;
}

static inline void *ks_task_priv(struct ks_ptask *t)
{
	return t + 1;
}

/**
 * ks_task_at() - the run's state of the task in @slot (a hook's @h->slot,
 * kept by the policy); valid until that task is released, when the slot
 * goes to the next task born
 */
struct ks_ptask *ks_task_at(struct ks_run *r, uint32_t slot);

/**
 * ks_run_zalloc() - zeroed memory that lives as long as the run
 * @r: the run
 * @size: bytes
 *
 * For init() only (pools, caches).  Return: the block or NULL.
 */
void *ks_run_zalloc(struct ks_run *r, size_t size);

/**
 * ks_run_limit() - init() only: a task whose HWM needs more than @pages
 * pages overflows (counted once per task); the default is thread_pages
 */
void ks_run_limit(struct ks_run *r, uint32_t pages);

/**
 * ks_stack_map() - @n fresh pages are mapped into @t's stack
 * @r: the run
 * @t: the task
 * @n: pages (maps += n, pte_writes += n, and in a switch_in hook
 *	switch_alloc_pages += n; the pages come from a pool or the allocator:
 *	the caller accounts their source)
 */
void ks_stack_map(struct ks_run *r, struct ks_ptask *t, uint32_t n);

/**
 * ks_stack_adopt() - @t takes over @n pages already mapped (a cached stack):
 * the stack level rises, no map operation is counted.
 */
void ks_stack_adopt(struct ks_run *r, struct ks_ptask *t, uint32_t n);

/**
 * ks_stack_inherit() - @t's fork takes a cached stack of @n pages (@n >=
 * prealloc): they leave the cache level and join its stack without a map,
 * are charged to it (memcg, nr_kernel_stack, and the grown part above
 * prealloc to nr_dynamic_stacks_faults) and the grown part is counted in
 * inherited_pages; @t is marked KS_PT_INHERITED.
 */
void ks_stack_inherit(struct ks_run *r, struct ks_ptask *t, uint32_t n);

/**
 * ks_task_adopt() - @h->t's stack held @h->need pages before the trace saw
 * it: the missing ones are adopted and charged to nr_kernel_stack (those
 * above prealloc also to nr_dynamic_stacks_faults), as memcg charges or maps
 * they are not counted, nor charged at all after EXIT.  What create() does by
 * default for a task alive before the trace, and an adopt() hook.
 */
void ks_task_adopt(struct ks_run *r, const struct ks_hook *h);

/**
 * ks_stack_join() - @n pages join @t's stack, mapped now (@map) or already
 * mapped (adopted), and are charged to nr_kernel_stack, those above
 * prealloc also to nr_dynamic_stacks_faults (not to the memcg, and not at
 * all after EXIT: the kernel dropped the task's accounting at do_exit).
 * The designs that give a task's pages back at a switch and map them again
 * before the next one use it, as ks_task_adopt() does.
 */
void ks_stack_join(struct ks_run *r, struct ks_ptask *t, uint32_t n, bool map);

/**
 * ks_stack_unmap() - @n pages of @t are unmapped and freed (unmaps += n,
 * pte_writes += n; in a switch_out hook, switch_free_pages += n)
 */
void ks_stack_unmap(struct ks_run *r, struct ks_ptask *t, uint32_t n);

/**
 * ks_stack_drop() - @n pages leave @t without being unmapped (its stack
 * goes to a cache, or the pages are leaked)
 */
void ks_stack_drop(struct ks_run *r, struct ks_ptask *t, uint32_t n);

/** ks_cache_add() - the cached-stack level changes by @delta pages */
void ks_cache_add(struct ks_run *r, int64_t delta);

/**
 * ks_pages_leak() - a modelled kernel bug loses track of @n pages
 * (leaked_pages += n); they stay on the stack until it is released, and
 * leave it then with ks_stack_drop()
 */
void ks_pages_leak(struct ks_run *r, uint32_t n);

/**
 * ks_charge() - @n pages are charged to @t: nr_kernel_stack += n pages,
 * nr_dynamic_stacks_faults += @dyn of them, and, if @memcg, charges += n.
 */
void ks_charge(struct ks_run *r, struct ks_ptask *t, uint32_t n, uint32_t dyn, bool memcg);

/**
 * ks_memcg_charge() - @n pages are charged to a memcg for a stack that no
 * longer exists (charges += n; no task's nr_kernel_stack is raised)
 */
void ks_memcg_charge(struct ks_run *r, uint32_t n);

/**
 * ks_uncharge() - @n pages (@dyn of them dynamic) leave @t's charges, never
 * more than it holds (charges dropped at EXIT are not dropped again)
 */
void ks_uncharge(struct ks_run *r, struct ks_ptask *t, uint32_t n, uint32_t dyn);

/**
 * ks_fault() - count one stack fault that mapped @pages pages (with
 * entry_model=arm64 also a sync exception and a TLB flush per page)
 */
void ks_fault(struct ks_run *r, uint32_t pages);

/**
 * ks_tlb_flush() - one local TLB range flush outside a fault (tlb_flushes++,
 * tlb_local_flushes++)
 */
void ks_tlb_flush(struct ks_run *r);

/**
 * ks_tlb_shootdown() - one TLB flush that also reaches @cpus other CPUs by
 * IPI (tlb_flushes++, tlb_shootdowns++, ipis += @cpus); with @cpus 0 it is a
 * local flush (ks_tlb_flush())
 */
void ks_tlb_shootdown(struct ks_run *r, uint32_t cpus);

/**
 * ks_stack_reclaim() - a reclaim rule takes @n pages from live task @t:
 * ks_stack_unmap() and reclaimed_pages += n (the pages go to a pool or the
 * allocator: the caller accounts their destination)
 */
void ks_stack_reclaim(struct ks_run *r, struct ks_ptask *t, uint32_t n);

/**
 * ks_abit_check() - @n stack PTEs had their accessed bit checked
 * (abit_checks += n), and @cleared of them were found set and cleared, each
 * a PTE write (pte_writes += cleared)
 */
void ks_abit_check(struct ks_run *r, uint32_t n, uint32_t cleared);

/** ks_reclaim_pass() - a periodic reclaim pass runs (reclaim_passes++) */
void ks_reclaim_pass(struct ks_run *r);

/**
 * ks_refault() - a page reclaimed at @reclaimed_at is needed again now:
 * refaults++, refault_delay_ns += now - @reclaimed_at, refault_delay_max_ns
 * raised to that delay if longer
 */
void ks_refault(struct ks_run *r, uint64_t reclaimed_at);

/**
 * ks_wait() - one allocation had to sleep, for @ns ns of modelled time
 * (waits++, wait_ns += ns)
 */
void ks_wait(struct ks_run *r, uint64_t ns);

#define KS_ADMIT_MAX_TRIES 1000	/* ks_admit_pages() retries before it gives up */

/**
 * ks_admit_pages() - admission at switch-in: the task @h needs @n pages the
 * pools could not give it, and may not run before it has them
 * @r: the run
 * @h: the task switching in (a crash record names it)
 * @n: pages still needed
 * @retry_ns: modelled time between two tries of the allocator
 *
 * Tries the allocator (ks_alloc_page()) for each page now.  If one fails the
 * task waits (admission_waits++): every @retry_ns it tries the remaining
 * pages again (ks_alloc_page_at(); inside a fail window nothing succeeds
 * before the window's end), and admission_wait_ns += the time from now to
 * the try that got the last page.  The replay does not delay the trace: the
 * wait is counted, not applied.  After KS_ADMIT_MAX_TRIES failed retries
 * (only with fail_rate near 1) a KS_CRASH_STARVED crash is recorded.
 * Return: pages it never got (0 unless it starved).
 */
uint32_t ks_admit_pages(struct ks_run *r, const struct ks_hook *h, uint32_t n, uint64_t retry_ns);

/**
 * ks_extra_pages() - init() only: @n more pages of fixed overhead (sync
 * stacks, reserves outside any pool: extra_pages += n)
 */
void ks_extra_pages(struct ks_run *r, uint64_t n);

/**
 * ks_alloc_page() - the page allocator with failure injection
 * @r: the run
 *
 * Counts an attempt; fails (and counts a failure) inside a fail window or,
 * with probability fail_rate, from the run's seeded PRNG (one draw per
 * attempt when fail_rate > 0).  Return: true if a page was obtained.
 */
bool ks_alloc_page(struct ks_run *r);

/**
 * ks_alloc_page_at() - ks_alloc_page() as if attempted at time @when (a
 * sleeping allocation retried later): the fail windows are checked at @when.
 * Return: true if a page was obtained.
 */
bool ks_alloc_page_at(struct ks_run *r, uint64_t when);

/**
 * ks_fail_until() - the end of the fail window(s) covering @when, following
 * windows that overlap or touch; @when itself if no window covers it.
 */
uint64_t ks_fail_until(const struct ks_run *r, uint64_t when);

/**
 * ks_crash() - record a would-be crash (all counted, first KS_MAX_CRASHES kept)
 * @r: the run
 * @h: when, where (@h->trace_cpu) and who
 * @pages: pages the fault still needed
 * @reason: enum ks_crash_reason
 */
void ks_crash(struct ks_run *r, const struct ks_hook *h, uint32_t pages, uint32_t reason);

/*
 * A task visited by ks_tasks_walk(): @asleep_since is when it stopped
 * running (or appeared, if it never ran in the trace), KS_TIME_NEVER while
 * it runs.
 */
typedef void (*ks_walk_fn)(struct ks_run *r, const struct ks_hook *h, uint64_t asleep_since);

/**
 * ks_tasks_walk() - call @fn for every live task, in slot order (a periodic
 * pass over the tasks: a shrinker, a collector)
 * @r: the run
 * @fn: called with a hook whose @ev is NULL, @time now, @cpu (and
 *	@trace_cpu) the index of the CPU the task last ran on (for a task that
 *	never ran in the trace, the one it appeared on), @slot, @tid, @hwm,
 *	@need, @t and @kthread as for any hook
 *
 * A task runs from its switch-in to its switch-out; before the first switch
 * on a CPU the replay does not know who runs there, so such a task counts
 * as not running.  @fn may change the task's pages through the services.
 */
void ks_tasks_walk(struct ks_run *r, ks_walk_fn fn);

/**
 * ks_timer_add() - deferred work: run @fn(@r, @arg) at time @when
 *
 * Due work runs in time order (FIFO among equal times) before each event
 * whose time is >= @when, and at finish for work due <= end.  A time in the
 * past runs before the next event.  Inside @fn, *r->clock is the time it runs.
 * Work due at KS_TIME_NEVER (a ks_time_add() past the clock) never runs.
 */
void ks_timer_add(struct ks_run *r, uint64_t when, ks_timer_fn fn, uint64_t arg);

/**
 * ks_pool_init() - give @p @nslots slots (memory from the run's arena) and
 * its @kind (enum ks_pool_kind)
 * Return: 0 or -ENOMEM.  All slots start empty.
 */
int ks_pool_init(struct ks_run *r, struct ks_pool *p, uint32_t nslots, enum ks_pool_kind kind);

/**
 * ks_pool_fill() - put a set-up page in every empty slot: not
 * failure-injected, not counted as allocation attempts (pools that start
 * full).  Return: pages added.
 */
uint32_t ks_pool_fill(struct ks_run *r, struct ks_pool *p);

/**
 * ks_pool_take() - take the first slot that holds a page, counted by the
 * pool's kind: pool_hits (KS_POOL_CPU) or fallback_hits (the others); a
 * KS_POOL_GLOBAL pool counts a lock acquisition for every call, page or
 * not (the lock is taken before looking).
 * Return: the slot's index, marked KS_SLOT_TAKEN, or -1 if none.
 */
int ks_pool_take(struct ks_run *r, struct ks_pool *p);

/**
 * ks_pool_take_quiet() - ks_pool_take() that counts no hit and no lock: a
 * page whose move the model derives (memory only, at a moment it cannot
 * cost).  Return: the slot's index, marked KS_SLOT_TAKEN, or -1 if none.
 */
int ks_pool_take_quiet(struct ks_run *r, struct ks_pool *p);

/**
 * ks_pool_set() - set slot @i to @state, keeping the pool level right
 * (pages put back, taken slots emptied; nothing else is counted)
 */
void ks_pool_set(struct ks_run *r, struct ks_pool *p, uint32_t i, enum ks_slot state);

/**
 * ks_pool_refill() - one refill operation of @p runs now (refills++),
 * requested at @queued_at (refill_latency_ns += now - @queued_at; pass now
 * for a refill done on the spot); a KS_POOL_GLOBAL pool's refill takes its
 * lock (lock_acquisitions++).  Its pages: ks_pool_refill_slot().
 */
void ks_pool_refill(struct ks_run *r, struct ks_pool *p, uint64_t queued_at);

/**
 * ks_pool_refill_slot() - a refill allocates a page for slot @i through
 * ks_alloc_page(): on success the slot holds it (refill_pages++), on
 * failure the slot is left empty (refill_failures++).
 * Return: true if the page was obtained.
 */
bool ks_pool_refill_slot(struct ks_run *r, struct ks_pool *p, uint32_t i);

/**
 * ks_pool_refill_slot_sleeping() - a refill allocates a page for slot @i
 * with an allocation that may sleep (GFP_KERNEL for one page): it never
 * fails and fail_rate does not apply (no draw); attempted at *@t, inside a
 * fail window it waits for the window's end (ks_wait()) and *@t moves there,
 * so the next page of the same refill is attempted then.  alloc_attempts++,
 * refill_pages++; the slot holds the page.
 */
void ks_pool_refill_slot_sleeping(struct ks_run *r, struct ks_pool *p, uint32_t i, uint64_t *t);

/* Geometry helper: pages @hwm bytes need, before the prealloc floor and cap. */
static inline uint32_t ks_pages_for(const struct ks_geom *g, uint32_t hwm)
{
	return (uint32_t)(((uint64_t)hwm + g->page_size - 1) >> g->page_shift);
}

/* Pages a stack holds for @bytes below its top: at least prealloc, at most all. */
static inline uint32_t ks_stack_pages(const struct ks_geom *g, uint64_t bytes)
{
	uint64_t n = (bytes + g->page_size - 1) >> g->page_shift;

	if (n < g->prealloc)
		n = g->prealloc;
	return n > g->thread_pages ? g->thread_pages : (uint32_t)n;
}

#endif
