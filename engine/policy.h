/* SPDX-License-Identifier: MIT */
/*
 * The policy interface: what a policy implements and what the engine gives it.
 *
 * A policy is one const struct ks_policy in its own file (policy_NAME.c) and
 * one line in registry.c.  It decides only what differs between stack
 * designs; the engine owns the event loop, the task table, the high-water
 * mark tracking and every counter.  A policy changes the world only through
 * the services below (ks_stack_map(), ks_charge(), ks_pool_take(), ...), so
 * all policies are accounted the same way and their results compare.
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
 * Adding a policy: write policy_NAME.c with its conf struct, its parameter
 * table (struct ks_param, one designated entry per key) and the hooks it
 * needs (unset hooks cost nothing: switch_in/switch_out/kentry/kexit/kfault
 * are only dispatched if some run of the grid has them), then list it in
 * registry.c and meson.build.
 * Asynchronous work (a global pool refilled after a latency, watermark
 * workers) is ks_timer_add(); a second pool is another struct ks_pool
 * (global = true for the global level); waits are counted in c.waits and
 * c.wait_ns, fixed overheads in c.extra_pages, copies in c.copy_bytes.
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
#define KS_PT_INHERITED	0x08	/* born on a cached stack (set by the policy's create()) */
#define KS_PT_REFILL	0x10	/* grow() took pool pages its next switch-out refills (the
				 * RFC's PF_DYNAMIC_STACK): refill() is called then */

/* How a task came to exist in the replay. */
enum ks_birth {
	KS_BORN_SNAPSHOT,	/* alive at trace start: stack holds its needed pages */
	KS_BORN_FORK,		/* KS_EV_NEW on the parent's CPU */
	KS_BORN_MISSED,		/* first seen in another record: alive before the trace */
};

/**
 * struct ks_hook - what a hook is told about the event
 * @ev: the event (NULL when called from a timer)
 * @time: now
 * @cpu: the CPU the event happened on
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
	uint32_t tid;
	uint32_t hwm;
	uint32_t need;
	bool kthread;
	struct ks_ptask *t;
	bool at_stop;
	bool at_exit;
};

struct ks_run;
struct ks_grid;

/* Slot states of a struct ks_pool. */
enum ks_slot {
	KS_SLOT_EMPTY = 0,	/* no page (allocation failed, or never filled) */
	KS_SLOT_PAGE = 1,	/* holds a free page */
	KS_SLOT_TAKEN = 2,	/* page handed out, not yet replaced */
};

/**
 * struct ks_pool - an array of page slots with "taken" marks (the RFC's
 * per-CPU dynamic_stack_pages[]); the engine counts the pages it holds in
 * pool_pages (or global_pages when @global).
 * @slot: nslots bytes of enum ks_slot
 * @nslots: slot count
 * @pages: slots in state KS_SLOT_PAGE
 * @global: counted as the global pool
 */
struct ks_pool {
	uint8_t *slot;
	uint32_t nslots;
	uint32_t pages;
	bool global;
};

/* Current levels: the engine keeps means and peaks of these. */
struct ks_levels {
	int64_t stack;		/* pages mapped to live tasks */
	int64_t pool;		/* pages in per-CPU pools */
	int64_t global;		/* pages in the global pool */
	int64_t cache;		/* pages of cached stacks */
	int64_t kstack_kb;	/* nr_kernel_stack */
	int64_t dyn_kb;		/* nr_dynamic_stacks_faults */
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
	void (*create)(struct ks_run *r, struct ks_hook *h, enum ks_birth how);
	void (*adopt)(struct ks_run *r, struct ks_hook *h);
	void (*grow)(struct ks_run *r, struct ks_hook *h);
	void (*refill)(struct ks_run *r, struct ks_hook *h);
	void (*switch_out)(struct ks_run *r, struct ks_hook *h);
	void (*switch_in)(struct ks_run *r, struct ks_hook *h);
	void (*exit)(struct ks_run *r, struct ks_hook *h);
	void (*release)(struct ks_run *r, struct ks_hook *h);
	void (*kentry)(struct ks_run *r, struct ks_hook *h);
	void (*kexit)(struct ks_run *r, struct ks_hook *h);
	void (*kfault)(struct ks_run *r, struct ks_hook *h);
	void (*finish)(struct ks_run *r);
};

/* The registry (registry.c): NULL-terminated. */
extern const struct ks_policy *const ks_policies[];

struct ks_timer {
	uint64_t when;
	uint64_t seq;		/* FIFO among equal times */
	uint64_t arg;
	ks_timer_fn fn;
};

struct ks_arena;

/**
 * struct ks_run - one configuration being replayed.  Policies read the
 * geometry fields and @c directly; they change levels and counters only
 * through the services below.
 */
struct ks_run {
	const struct ks_policy *pol;
	struct ks_grid *grid;
	void *pconf;			/* resolved policy parameters */
	void *priv;			/* policy state per run */
	unsigned char *cpu_priv;	/* ncpus * pol->cpu_size */
	unsigned char *tasks;		/* per task slot: ks_ptask + policy state */
	struct ks_arena *arena;		/* ks_run_zalloc() blocks */
	size_t stride;			/* bytes per task slot in @tasks */
	struct ks_conf conf;		/* resolved engine-wide parameters */
	struct ks_counters c;
	struct ks_levels lv;
	uint64_t start_ns;
	const uint64_t *clock;		/* now: the event or timer being run */
	uint64_t last_t;		/* last level change, for the means */
	uint64_t rng;			/* splitmix64 state */
	uint64_t fail_ns[KS_MAX_WINDOWS][2];	/* absolute [start, end) */
	unsigned __int128 area_stack;	/* integral of lv.stack over time */
	unsigned __int128 area_pool;	/* integral of lv.pool + lv.global */
	struct ks_timer *timers;	/* binary heap */
	size_t nr_timers, timers_cap;
	uint64_t timer_seq;
	uint64_t next_sample, sample_every;
	size_t nr_crashes, nr_samples;
	struct ks_crash crashes[KS_MAX_CRASHES];
	struct ks_sample *samples;	/* conf.samples entries */
	uint32_t ncpus;
	uint32_t page_size;
	uint32_t page_shift;
	uint32_t page_kb;		/* page size in KiB */
	uint32_t thread_size;
	uint32_t thread_pages;		/* slots of a stack */
	uint32_t prealloc;		/* conf.prealloc */
	uint32_t limit_pages;		/* more needed = overflow (default thread_pages) */
	bool nomem;			/* an allocation failed: results incomplete */
	char params[512];		/* canonical resolved spec (no policy name) */
	uint8_t *born;			/* per task slot: pages mapped right after birth */
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

static inline void *ks_cpu_priv(struct ks_run *r, uint32_t cpu)
{
	return r->cpu_priv + (size_t)cpu * r->pol->cpu_size;
}

static inline void *ks_task_priv(struct ks_ptask *t)
{
	return t + 1;
}

/**
 * ks_run_zalloc() - zeroed memory that lives as long as the run
 * @r: the run
 * @size: bytes
 *
 * For init() only (pools, caches).  Return: the block or NULL.
 */
void *ks_run_zalloc(struct ks_run *r, size_t size);

/**
 * ks_stack_map() - @n fresh pages are mapped into @t's stack
 * @r: the run
 * @t: the task
 * @n: pages (maps += n; the pages come from a pool or the allocator: the
 *	caller accounts their source)
 */
void ks_stack_map(struct ks_run *r, struct ks_ptask *t, uint32_t n);

/**
 * ks_stack_adopt() - @t takes over @n pages already mapped (a cached stack):
 * the stack level rises, no map operation is counted.
 */
void ks_stack_adopt(struct ks_run *r, struct ks_ptask *t, uint32_t n);

/**
 * ks_task_adopt() - @h->t's stack held @h->need pages before the trace saw
 * it: the missing ones are adopted and charged to nr_kernel_stack (those
 * above prealloc also to nr_dynamic_stacks_faults), as memcg charges or maps
 * they are not counted, nor charged at all after EXIT.  What create() does by
 * default for a task alive before the trace, and an adopt() hook.
 */
void ks_task_adopt(struct ks_run *r, struct ks_hook *h);

/** ks_stack_unmap() - @n pages of @t are unmapped and freed (unmaps += n) */
void ks_stack_unmap(struct ks_run *r, struct ks_ptask *t, uint32_t n);

/**
 * ks_stack_drop() - @n pages leave @t without being unmapped (its stack
 * goes to a cache, or the pages are leaked)
 */
void ks_stack_drop(struct ks_run *r, struct ks_ptask *t, uint32_t n);

/** ks_cache_add() - the cached-stack level changes by @delta pages */
void ks_cache_add(struct ks_run *r, int64_t delta);

/**
 * ks_charge() - @n pages are charged to @t: nr_kernel_stack += n pages,
 * nr_dynamic_stacks_faults += @dyn of them, and, if @memcg, charges += n.
 */
void ks_charge(struct ks_run *r, struct ks_ptask *t, uint32_t n, uint32_t dyn, bool memcg);

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
 * @h: where and who
 * @pages: pages the fault still needed
 * @reason: enum ks_crash_reason
 */
void ks_crash(struct ks_run *r, const struct ks_hook *h, uint32_t pages, uint32_t reason);

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
 * ks_pool_init() - give @p @nslots slots (memory from the run's arena)
 * Return: 0 or -ENOMEM.  All slots start empty.
 */
int ks_pool_init(struct ks_run *r, struct ks_pool *p, uint32_t nslots);

/**
 * ks_pool_fill() - put a page in every empty slot
 * @inject: true: through ks_alloc_page() (may fail, leaving the slot empty);
 *	false: set-up pages that are not failure-injected nor counted as attempts
 * Return: pages added.
 */
uint32_t ks_pool_fill(struct ks_run *r, struct ks_pool *p, bool inject);

/**
 * ks_pool_take() - take the first slot that holds a page and is not taken
 * Return: its index, marked KS_SLOT_TAKEN, or -1 if none.  Counts nothing but
 * the pool level: the caller counts pool_hits/fallback_hits.
 */
int ks_pool_take(struct ks_run *r, struct ks_pool *p);

/** ks_pool_set() - set slot @i to @state, keeping the pool level right */
void ks_pool_set(struct ks_run *r, struct ks_pool *p, uint32_t i, enum ks_slot state);

/* Geometry helper: pages @hwm bytes need, before the prealloc floor and cap. */
static inline uint32_t ks_pages_for(const struct ks_run *r, uint32_t hwm)
{
	return (uint32_t)(((uint64_t)hwm + r->page_size - 1) >> r->page_shift);
}

#endif
