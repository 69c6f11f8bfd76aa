/* SPDX-License-Identifier: MIT */
/*
 * The per-task analysis: what each task of a trace did with its stack,
 * computed once per trace from the event stream, whatever the policy.  Pure
 * C on libc and common/: no I/O.  The replay feeds it the trace's events and
 * the store writes the rows it hands out; every per-task answer of the
 * report (depth distribution, depth while asleep, the latch, attribution,
 * the tail, the census) is a SQL view over those rows.
 *
 * A task is one life of a tid: from its NEW (born in the trace) or from
 * where the trace first names it (alive before: the start snapshot, or a
 * record of a task whose birth the trace missed) to its release (FREE, or
 * its final switch-out) or the trace's end.  The idle tasks (tid 0) are
 * not tasks.  A row is handed out when its task is released, so memory
 * holds live tasks only, not the trace's history.
 *
 * What the trace tells and how each figure follows from it:
 *
 * - The high-water mark (HWM) is observed at every switch-out (prev's), at
 *   exit (a full scan) and in the start and stop snapshots.  The first
 *   non-zero observation is the first HWM; each later observation above
 *   the highest so far is a rise.  A task born in the trace starts from an
 *   empty stack, so its first HWM (at its first switch-out) is where it
 *   starts, not a rise.
 * - A page (of page_size bytes, from the top) is first touched when an
 *   observation first covers it; pages a task had when the trace first saw
 *   it count as touched then.
 * - Asleep: from a switch-out in state "sleeping" to the task's next
 *   switch-in, at the depth the switch-out recorded (a depth of 0 is
 *   unknown and not counted).  A task of the start snapshot with a depth
 *   sleeps from the start at that depth until it first runs, unless its
 *   first record shows it running (it was on a CPU at the start).
 * - An excursion past 4 KiB (8 KiB) is the observation (a switch-out, the
 *   exit scan, the stop snapshot) at which the task's HWM first went past
 *   it, when the HWM before it is known (born in the trace, or an earlier
 *   observation): a task already past it when the trace first saw it is
 *   past it, but its excursion happened before the trace.  The exit scan
 *   counts: a short-lived task often first leaves the CPU when it dies, so
 *   its scan at exit is the first sighting of its depth.
 * - The workload (data/FORMAT.md workload_pid): the recorded command's
 *   process and every task forked from a task of the workload, threads
 *   included (NEW's parent), and a task whose thread group leader is of the
 *   workload.  A trace without workload_pid has no workload.
 * - Class: a kernel thread (KS_F_KTHREAD) named "kworker/..." is a
 *   workqueue worker, another kernel thread a kthread, anything else a user
 *   task (including a task whose birth and name the trace missed).  Its
 *   name is the last one the trace gave: the stop snapshot's, else its
 *   last EXEC's (the program it ran), else NEW's (its parent's name at the
 *   fork) or the start snapshot's.  Traces recorded before EXEC existed
 *   have none: there a task that exec'd keeps its parent's name.
 */
#ifndef KS_TASKS_H
#define KS_TASKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ks_event.h"

/* Depth buckets: upper bounds 1 KiB << i up to THREAD_SIZE (at most 1 MiB), then "above". */
#define KS_TASKS_MAX_BUCKETS 12
/* The latch's "first second" of a task's life */
#define KS_TASKS_LATE_NS 1000000000ull

enum ks_task_class {
	KS_TASK_USER = 0,
	KS_TASK_KTHREAD = 1,
	KS_TASK_KWORKER = 2,
};

/* ks_task_row.flags: which of the optional fields hold a value */
#define KS_TASK_BORN	0x01	/* born_ns: its NEW is in the trace */
#define KS_TASK_DIED	0x02	/* died_ns: it exited (or was released) in the trace */
#define KS_TASK_EXITED	0x04	/* hwm_exit: the exit scan's HWM */
#define KS_TASK_CROSS4K	0x08	/* cross4k_ns: its excursion past 4 KiB */
#define KS_TASK_CROSS8K	0x10	/* cross8k_ns: its excursion past 8 KiB */
#define KS_TASK_TGID	0x20	/* tgid is known */

/* What one task did; times in ns of the trace's clock, sizes in bytes. */
struct ks_task_row {
	uint64_t seq;			/* order in which the trace first named it, from 0 */
	uint64_t born_ns;		/* KS_TASK_BORN */
	uint64_t died_ns;		/* KS_TASK_DIED */
	uint64_t life_start_ns;		/* born_ns, else the trace's start */
	uint64_t life_end_ns;		/* died_ns, else the trace's end */
	uint64_t hwm_first_ns;		/* when the first HWM was observed (hwm_first > 0) */
	uint64_t rise_first_ns;		/* the first rise (rises > 0) */
	uint64_t rise_last_ns;		/* the last rise: the final HWM's first sighting */
	uint64_t cross4k_ns;		/* KS_TASK_CROSS4K */
	uint64_t cross8k_ns;		/* KS_TASK_CROSS8K */
	uint64_t asleep_ns;		/* time asleep at a known depth */
	double asleep_kib_s;		/* its depth-weighted integral, KiB x s */
	uint64_t bucket_asleep_ns[KS_TASKS_MAX_BUCKETS];	/* by the depth's bucket */
	double bucket_kib_s[KS_TASKS_MAX_BUCKETS];
	uint32_t tid;
	uint32_t tgid;			/* KS_TASK_TGID */
	uint32_t hwm_first;		/* 0: never observed */
	uint32_t hwm_final;		/* the highest HWM observed */
	uint32_t hwm_exit;		/* KS_TASK_EXITED */
	uint32_t rises;
	uint32_t rises_late;		/* rises after the first second of its life */
	uint32_t pages;			/* pages of hwm_final (at most THREAD_SIZE's) */
	uint32_t pages_late_1s;		/* of those, first touched after its first second */
	uint32_t pages_late_10pct;	/* ... after the first 10% of its life */
	uint32_t flags;			/* KS_TASK_* */
	int8_t in_workload;		/* 1, 0, or -1: the trace names no workload */
	uint8_t klass;			/* enum ks_task_class */
	char comm[KS_COMM_LEN];
};

struct ks_tasks_config {
	uint64_t start_ns;		/* the trace's start */
	uint32_t page_size;
	uint32_t thread_size;		/* a power of two, 1 KiB to 1 MiB */
	uint32_t workload_pid;		/* the recorded command; 0: none */
};

/* A finished task; a non-zero return stops the analysis with that code. */
typedef int (*ks_tasks_sink)(void *arg, const struct ks_task_row *row);

struct ks_tasks;

/**
 * ks_tasks_create() - a new analysis of one trace
 * @out: the analysis; free with ks_tasks_free()
 * @cfg: the trace's facts (copied)
 * @sink: called with each task's row when the task is released, and for
 *	the tasks still alive at ks_tasks_finish(), in the order they were
 *	first named
 * @arg: passed to @sink
 *
 * Return: 0, -EINVAL for sizes outside the format's ranges, or -ENOMEM.
 */
int ks_tasks_create(struct ks_tasks **out, const struct ks_tasks_config *cfg, ks_tasks_sink sink,
		    void *arg);

/**
 * ks_tasks_feed() - analyse @n events, in time order
 *
 * Stops at the first failure (memory, or the sink's code), which
 * ks_tasks_status() then returns; later calls do nothing.
 */
void ks_tasks_feed(struct ks_tasks *t, const struct ks_event *evs, size_t n);

/**
 * ks_tasks_finish() - end the trace at @end_ns: close the sleeps still
 * open and hand out the rows of the tasks still alive
 *
 * Return: 0 or the first failure (ks_tasks_status()).
 */
int ks_tasks_finish(struct ks_tasks *t, uint64_t end_ns);

/** ks_tasks_status() - 0, -ENOMEM, or the code a sink returned */
int ks_tasks_status(const struct ks_tasks *t);

/** ks_tasks_count() - rows handed out so far */
uint64_t ks_tasks_count(const struct ks_tasks *t);

/** ks_tasks_live_peak() - the most tasks held at once (what memory grows with) */
uint64_t ks_tasks_live_peak(const struct ks_tasks *t);

/**
 * ks_tasks_buckets() - the depth buckets of a THREAD_SIZE: their upper
 * bounds in KiB (1, 2, 4, ... THREAD_SIZE), then 0 for "above"
 * @kb: out, at least KS_TASKS_MAX_BUCKETS entries
 * Return: how many (the last is the 0 of "above").
 */
size_t ks_tasks_buckets(uint32_t thread_size, uint32_t *kb);

/** ks_tasks_bucket() - the index of @bytes's bucket for @thread_size */
size_t ks_tasks_bucket(uint32_t thread_size, uint32_t bytes);

/** ks_task_class_name() - "user", "kthread" or "kworker" */
const char *ks_task_class_name(unsigned int klass);

/** ks_tasks_free() - accepts NULL */
void ks_tasks_free(struct ks_tasks *t);

#endif
