/* SPDX-License-Identifier: MIT */
/* Internal: the grid (core.c) and what the services (services.c) share with it. */
#ifndef KS_CORE_H
#define KS_CORE_H

#include "policy.h"

#define KS_NO_TASK UINT32_MAX

/* Trace-side state of a task, shared by every run of the grid. */
struct ks_task {
	uint32_t tid;
	uint32_t hwm;		/* lifetime high-water mark known so far (bytes) */
	uint32_t hwm_done;	/* HWM whose growth every run has processed */
	uint32_t grow_cpu;	/* KS_T_REFILL: the CPU of that growth */
	uint16_t flags;		/* KS_T_* */
	uint8_t how;		/* enum ks_birth */
	uint8_t pad;
};

#define KS_T_KTHREAD	0x01
#define KS_T_EXITED	0x02
#define KS_T_STOP_GROWN	0x04	/* the stop snapshot's HWM was processed as growth */
#define KS_T_ADOPT	0x08	/* alive before the trace, HWM unknown: adopt the first one */
#define KS_T_REFILL	0x10	/* grew outside a switch-out: runs may owe KS_PT_REFILL work */

struct ks_grid {
	struct ks_machine m;
	struct ks_run **runs;
	size_t nruns;
	/* tasks: slots reused through a free list; tid -> slot by open addressing */
	struct ks_task *task;
	uint32_t *free_slots;
	uint32_t *hkey;		/* tid, 0 = empty */
	uint32_t *hval;		/* slot */
	uint32_t task_cap;	/* slots allocated */
	uint32_t task_top;	/* slots ever used */
	uint32_t nr_free;
	uint32_t hmask;		/* hash capacity - 1 */
	uint32_t hcount;
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
	uint32_t ncur;		/* CPUs in @cur */
};

/* The hash of the task table (tasks.c); the lookup is inline: it runs for every event. */
static inline uint32_t tid_hash(uint32_t tid, uint32_t mask)
{
	return (tid * 0x9e3779b1u) & mask;
}

static inline uint32_t ks_task_lookup(const struct ks_grid *g, uint32_t tid)
{
	uint32_t i = tid_hash(tid, g->hmask);

	for (;;) {
		uint32_t k = g->hkey[i];

		if (k == tid)
			return g->hval[i];
		if (!k)
			return KS_NO_TASK;
		i = (i + 1) & g->hmask;
	}
}

/* tasks.c */
int ks_task_slots_grow(struct ks_grid *g);
uint32_t ks_task_insert(struct ks_grid *g, uint32_t tid);
void ks_task_remove(struct ks_grid *g, uint32_t slot);

/* services.c */
void ks_levels_touch(struct ks_run *r);
void ks_run_timers(struct ks_run *r, uint64_t upto);
void ks_series_advance(struct ks_run *r, uint64_t upto);
void ks_series_final(struct ks_run *r, uint64_t end);
int ks_run_alloc_services(struct ks_run *r);
void ks_run_free_services(struct ks_run *r);

/* entry_model.c */
void ks_emodel_init(struct ks_run *r);
void ks_emodel_kfault(struct ks_grid *g, const struct ks_event *ev);
void ks_emodel_grow(struct ks_run *r, struct ks_hook *h);

#endif
