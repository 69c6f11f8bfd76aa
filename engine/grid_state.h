/* SPDX-License-Identifier: MIT */
/*
 * Internal: the grid (core.c) and what the services (services.c) share with
 * it.  Policies never include this file (policy.h; the test
 * engine-policy-contract checks it): the state of a run below is the
 * engine's, and a policy reaches it only through the services.
 */
#ifndef KS_GRID_STATE_H
#define KS_GRID_STATE_H

#include <stddef.h>

#include "ks_tidmap.h"
#include "policy.h"

#define KS_NO_TASK UINT32_MAX

struct ks_timer {
	uint64_t when;
	uint64_t seq;		/* FIFO among equal times */
	uint64_t arg;
	ks_timer_fn fn;
};

struct ks_arena;

/* Which switch hook of a run is running (the stack services count by it). */
enum {
	KS_HOOK_NONE = 0,
	KS_HOOK_SWITCH_IN = 1,	/* its maps are switch_alloc_pages */
	KS_HOOK_SWITCH_OUT = 2,	/* its unmaps are switch_free_pages */
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

/*
 * The engine's state of one configuration being replayed.  @run, what the
 * policy sees, comes first, so the services convert a policy's struct
 * ks_run back for free (ks_run_state()).
 */
struct ks_run_state {
	struct ks_run run;
	struct ks_geom geom;		/* run.geo */
	struct ks_conf conf;		/* resolved engine-wide parameters */
	struct ks_grid *grid;
	void *pconf;			/* run.pconf, owned */
	unsigned char *tasks;		/* per task slot: ks_ptask + policy state */
	size_t stride;			/* bytes per task slot in @tasks */
	struct ks_arena *arena;		/* ks_run_zalloc() blocks */
	struct ks_counters c;
	struct ks_levels lv;
	uint64_t last_t;		/* last level change, for the means */
	uint64_t rng;			/* splitmix64 state */
	uint64_t fail_ns[KS_MAX_WINDOWS][2];	/* absolute [start, end) */
	unsigned __int128 area_stack;	/* integral of lv.stack over time */
	unsigned __int128 area_pool;	/* integral of lv.pool (per-CPU pools and reserves) */
	unsigned __int128 area_total;	/* integral of stack + pool + global + cache */
	unsigned __int128 area_run;	/* integral of the pages of running tasks */
	uint64_t *run_mark;		/* per task slot: its running time (ks_task_ran())
					 * when its stack last changed, for area_run */
	struct ks_timer *timers;	/* binary heap */
	size_t nr_timers, timers_cap;
	uint64_t timer_seq;
	uint64_t next_sample, sample_every;
	size_t nr_crashes, nr_samples;
	struct ks_crash crashes[KS_MAX_CRASHES];
	struct ks_sample *samples;	/* conf.samples entries */
	uint8_t *born;			/* per task slot: pages mapped right after birth */
	bool nomem;			/* an allocation failed: results incomplete */
	uint8_t in_hook;		/* KS_HOOK_*: the switch hook running now */
	char params[512];		/* canonical resolved spec (no policy name) */
};

static inline struct ks_run_state *ks_run_state(struct ks_run *r)
{
	return (struct ks_run_state *)((char *)r - offsetof(struct ks_run_state, run));
}

static inline const struct ks_run_state *ks_run_state_const(const struct ks_run *r)
{
	return (const struct ks_run_state *)((const char *)r - offsetof(struct ks_run_state, run));
}

/* A task slot's state in run @s. */
static inline struct ks_ptask *ks_run_task(const struct ks_run_state *s, uint32_t slot)
{
	return (struct ks_ptask *)(s->tasks + (size_t)slot * s->stride);
}

/* Trace-side state of a task, shared by every run of the grid. */
struct ks_task {
	uint32_t tid;
	uint32_t hwm;		/* lifetime high-water mark known so far (bytes) */
	uint32_t hwm_done;	/* HWM whose growth every run has processed */
	uint32_t grow_cpu;	/* KS_T_REFILL: the CPU of that growth */
	uint16_t flags;		/* KS_T_* */
	uint8_t how;		/* enum ks_birth */
	uint8_t pad;
	uint32_t cpu;		/* trace CPU it runs on, or last left (or appeared on) */
	uint64_t run_ns;	/* time spent running, up to @since if KS_T_RUNNING */
	uint64_t since;		/* KS_T_RUNNING: its switch-in; else when it stopped
				 * running (or appeared) */
	char comm[KS_COMM_LEN];	/* from its SNAPSHOT or NEW record; "" if none named it */
};

#define KS_T_KTHREAD	0x01
#define KS_T_EXITED	0x02
#define KS_T_STOP_GROWN	0x04	/* the stop snapshot's HWM was processed as growth */
#define KS_T_ADOPT	0x08	/* alive before the trace, HWM unknown: adopt the first one */
#define KS_T_REFILL	0x10	/* grew outside a switch-out: runs may owe KS_PT_REFILL work */
#define KS_T_RUNNING	0x20	/* switched in and not yet out */

struct ks_grid {
	struct ks_machine m;
	struct ks_run_state **runs;
	size_t nruns;
	/* tasks: slots reused through a free list; tid -> slot by open addressing */
	struct ks_task *task;
	uint32_t *free_slots;
	struct ks_tidmap tids;	/* tid -> slot */
	uint32_t task_cap;	/* slots allocated */
	uint32_t task_top;	/* slots ever used */
	uint32_t nr_free;
	int status;		/* 0 or -ENOMEM */
	uint64_t now;
	uint64_t next_timer;	/* earliest deferred work of any run */
	uint64_t next_sample;	/* earliest series point of any run */
	/* counters that do not depend on the configuration */
	uint64_t events, switches, forks, exits, kfaults, entries, tasks, tasks_peak;
	uint64_t hist[16];	/* lifetime HWM of released tasks, 1K..32M buckets */
	/* does any run have these hooks? */
	bool any_switch_out, any_switch_in, any_kentry, any_kexit, any_kfault;
	bool any_emodel;	/* a run's entry_model is not x86 */
	uint32_t *cur;		/* per CPU: tid running now (next of its last switch), 0 idle */
	uint32_t ncpus;		/* CPUs in @cur and of every run: the machine's, >= 1 */
};

/* The slot of @tid, KS_NO_TASK if the grid has no such task; once per event. */
static inline uint32_t ks_task_lookup(const struct ks_grid *g, uint32_t tid)
{
	_Static_assert(KS_NO_TASK == KS_TIDMAP_NONE, "the grid's no-task is the map's");
	return ks_tidmap_get(&g->tids, tid);
}

/* How long @t has run up to the grid's now. */
static inline uint64_t ks_task_ran(const struct ks_grid *g, const struct ks_task *t)
{
	if ((t->flags & KS_T_RUNNING) && g->now > t->since)
		return t->run_ns + (g->now - t->since);
	return t->run_ns;
}

/* Pages @hwm needs in @s (prealloc floor, stack-size cap), counting no overflow. */
static inline uint32_t ks_run_need(const struct ks_run_state *s, uint32_t hwm)
{
	uint32_t need = ks_pages_for(&s->geom, hwm);

	if (need < s->geom.prealloc)
		need = s->geom.prealloc;
	return need > s->geom.thread_pages ? s->geom.thread_pages : need;
}

/* tasks.c */
int ks_task_slots_grow(struct ks_grid *g);
uint32_t ks_task_insert(struct ks_grid *g, uint32_t tid);
void ks_task_remove(struct ks_grid *g, uint32_t slot);

/* services.c */
void ks_levels_touch(struct ks_run_state *s);
void ks_run_timers(struct ks_run_state *s, uint64_t upto);
void ks_series_advance(struct ks_run_state *s, uint64_t upto);
void ks_series_final(struct ks_run_state *s, uint64_t end);
void ks_run_close(struct ks_run_state *s, uint32_t slot);
int ks_run_alloc_services(struct ks_run_state *s);
void ks_run_free_services(struct ks_run_state *s);

/* entry_model.c */
void ks_emodel_init(struct ks_run_state *s);
void ks_emodel_kfault(struct ks_grid *g, const struct ks_event *ev);
void ks_emodel_grow(struct ks_run_state *s, const struct ks_hook *h);

#endif
