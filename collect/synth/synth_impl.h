/* SPDX-License-Identifier: MIT */
/*
 * Internal state of the generator (collect/synth/synth.c) and its small
 * containers (synth_state.c): tasks, CPUs, the run queue, and three heaps
 * (CPUs by next event, tasks by next action, stacks waiting to be freed).
 */
#ifndef KS_SYNTH_IMPL_H
#define KS_SYNTH_IMPL_H

#include <stdint.h>

#include "synth.h"
#include "rng.h"

#define NONE		UINT32_MAX
#define NO_TIME		UINT64_MAX
#define SYNTH_CACHE_SLOTS 2	/* the kernel's NR_CACHED_STACKS */

struct synth_task {
	uint64_t due;		/* survivors: planned growth; mortals: earliest death */
	uint32_t tid;
	uint32_t tgid;
	uint32_t hwm;		/* as last reported (bytes) */
	uint32_t hwm_target;	/* mortals: lifetime HWM they grow to */
	uint32_t run_idx;	/* position in runnable[], NONE if not there */
	uint32_t depth;		/* where it usually sleeps (bytes) */
	uint8_t pages;		/* pages the replayed kernel holds for this stack */
	uint8_t pages_target;	/* survivors: pages at the end */
	uint8_t mortal;
	uint8_t kthread;
	uint8_t alive;
	uint8_t running;
	uint8_t queued;		/* in the due queue */
};

struct synth_cpu {
	uint64_t next_switch;
	uint64_t next_kfault;
	uint32_t cur;		/* task running */
	uint32_t last_prev;	/* task switched out last, NONE at first */
	uint8_t cache_n;	/* stacks in this CPU's cache */
	uint8_t cache_pages;	/* pages of each of them (kept homogeneous) */
};

struct synth_hent {
	uint64_t key;		/* the CPU's next event time */
	uint32_t cpu;
};

struct synth_due {
	uint64_t time;
	uint32_t task;
};

struct synth_free {
	uint64_t time;
	uint32_t task;
	uint32_t cpu;
};

struct synth {
	const struct ks_synth_params *p;
	ks_synth_emit_fn emit;
	void *arg;
	struct ks_rng rng;
	struct ks_synth_summary sum;

	uint64_t end_ns;
	uint64_t t_lo;		/* lifecycle activity starts */
	uint64_t t_births_end;	/* last planned birth */
	uint64_t t_deadline;	/* every planned growth and death is due by then */
	uint64_t birth_next;
	double switch_mean;	/* ns between switches on one CPU */
	double kfault_mean;	/* ns between kernel faults on one CPU; 0 none */
	double kid_life;	/* mean life of a short-lived child (ns) */
	uint32_t pages_per_stack;
	uint32_t mortal_kids;
	uint32_t mortal_kids_left;
	uint32_t dirty_cpus;	/* CPUs whose cache holds grown stacks */
	uint32_t cached_grown;	/* grown stacks in all caches */

	struct synth_task *tasks;
	uint32_t ntasks;
	uint32_t cap;

	uint32_t *runnable;	/* alive, not running */
	uint32_t nrunnable;

	uint32_t *dq;		/* due queue: FIFO of tasks to run first */
	uint32_t dq_head;
	uint32_t dq_len;
	uint32_t dq_cap;

	struct synth_cpu *cpus;
	struct synth_hent *heap;	/* CPUs, min-heap by next event time */

	struct synth_due *due;
	uint32_t ndue;
	uint32_t due_cap;

	struct synth_free *frees;
	uint32_t nfree;
	uint32_t free_cap;

	uint8_t *kid_final;	/* planned end pages of newborn survivors */
	uint32_t nkid_final;
	uint32_t kid_pos;
};

int synth_init(struct synth *g, const struct ks_synth_params *p, ks_synth_emit_fn emit,
	       void *arg, struct ks_error *err);
void synth_release(struct synth *g);
uint64_t synth_duration_ns(const struct ks_synth_params *p);
uint64_t synth_birth_time(struct synth *g, uint32_t i);

void synth_runnable_add(struct synth *g, uint32_t task);
void synth_runnable_del(struct synth *g, uint32_t task);

int synth_due_push(struct synth *g, uint64_t time, uint32_t task);
struct synth_due synth_due_pop(struct synth *g);
int synth_free_push(struct synth *g, uint64_t time, uint32_t task, uint32_t cpu);
struct synth_free synth_free_pop(struct synth *g);

void synth_cpu_heap_build(struct synth *g);
void synth_cpu_heap_down(struct synth *g, uint32_t i);

#endif
