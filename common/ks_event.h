/* SPDX-License-Identifier: MIT */
/*
 * The trace model: what happened on the machine, in time order.  The
 * engine consumes these; the trace format (common/kst.h) serializes them;
 * collect/ and the synthetic generator produce them.  No raw kernel
 * addresses ever appear here: depths and high-water marks are byte counts
 * measured from the top of the task's stack, multiples of 8.
 */
#ifndef KS_EVENT_H
#define KS_EVENT_H

#include <stdint.h>

enum ks_ev_type {
	KS_EV_SNAPSHOT = 1,	/* a task alive at start (or, with KS_F_STOP, at stop) */
	KS_EV_NEW,		/* task created: tid, tid2 = parent, on the parent's CPU */
	KS_EV_EXIT,		/* task called do_exit (sched_process_exit) */
	KS_EV_FREE,		/* task struct freed (sched_process_free); stack gone for sure */
	KS_EV_SWITCH,		/* tid = prev leaves, tid2 = next enters; hwm/depth of prev */
	KS_EV_KFAULT,		/* page fault taken in kernel mode by tid */
	KS_EV_KENTRY,		/* tid entered the kernel from user mode (opt-in) */
	KS_EV_KEXIT,		/* tid returns to user mode (opt-in) */
	KS_EV_LOST,		/* arg events were lost on cpu (flags say which source) */
	KS_EV_EXEC,		/* tid ran execve: its comm is now comm (sched_process_exec) */
	KS__EV_MAX
};

/* prev's state at KS_EV_SWITCH */
enum ks_task_state {
	KS_STATE_RUNNING = 0,	/* preempted, still runnable */
	KS_STATE_SLEEPING = 1,	/* blocked in the kernel (S, D, stopped...) */
	KS_STATE_DEAD = 2,	/* final switch-out of an exited task */
};

/* KS_EV_KENTRY kinds (in arg's low byte is the kind, the rest an id) */
enum ks_entry_kind {
	KS_ENTRY_SYSCALL = 0,	/* may sleep: IRQs get enabled */
	KS_ENTRY_FAULT = 1,	/* user page fault: may sleep */
	KS_ENTRY_IRQ = 2,	/* hard interrupt from user mode: never enables IRQs */
	KS_ENTRY_OTHER = 3,	/* other exception (#DB, int3, ...) */
};

/* flags */
#define KS_F_KTHREAD	0x0001	/* SNAPSHOT/NEW: kernel thread */
#define KS_F_STOP	0x0002	/* SNAPSHOT: taken at stop, not at start */
#define KS_F_USER_ADDR	0x0004	/* KFAULT: address in user space (copy_*_user) */
#define KS_F_STACK_ADDR	0x0008	/* KFAULT: address inside the faulting task's stack */
#define KS_F_LOST_RB	0x0010	/* LOST: BPF ring buffer (else tracefs buffer) */
#define KS_F_HWM_EXACT	0x0020	/* hwm was measured by a full scan, not a page probe */

#define KS_COMM_LEN 16

/*
 * One event.  Which fields mean something depends on type:
 *
 *   type      tid       tid2     tgid   hwm            depth            arg
 *   SNAPSHOT  task      -        tgid   lifetime HWM   sleeping depth   -
 *   NEW       child     parent   tgid   -              -                -
 *   EXIT      task      -        tgid   HWM at exit    -                -
 *   FREE      task      -        -      -              -                -
 *   SWITCH    prev      next     -      prev's HWM     prev's depth     state
 *   KFAULT    task      -        -      -              depth at fault   -
 *   KENTRY    task      -        -      -              -                kind | id << 8
 *   KEXIT     task      -        -      -              -                kind | id << 8
 *   LOST      -         -        -      -              -                count
 *   EXEC      task      -        -      -              -                -
 *
 * hwm and depth are bytes from the top of the stack; 0 means unknown.
 */
struct ks_event {
	uint64_t time;		/* ns, CLOCK_MONOTONIC (or synthetic) */
	uint32_t cpu;
	uint32_t tid;
	uint32_t tid2;
	uint32_t tgid;
	uint32_t hwm;
	uint32_t depth;
	uint32_t arg;
	uint16_t flags;
	uint8_t type;		/* enum ks_ev_type */
	uint8_t state;		/* enum ks_task_state, SWITCH only */
	char comm[KS_COMM_LEN];	/* SNAPSHOT, NEW, EXEC (NUL-padded) */
};

#endif
