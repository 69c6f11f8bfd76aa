/* SPDX-License-Identifier: MIT */
/*
 * Records shared by the BPF probe (ksprobe.bpf.c) and its loader (bpf.c).
 * Plain fixed-size types only, so both the BPF target and the host
 * compiler lay them out identically (no holes, 8-byte aligned).
 */
#ifndef KS_PROBE_H
#define KS_PROBE_H

#ifndef __KS_BPF__
#include <stdint.h>
typedef uint64_t ksp_u64;
typedef uint32_t ksp_u32;
typedef uint16_t ksp_u16;
typedef uint8_t ksp_u8;
#else
typedef __u64 ksp_u64;
typedef __u32 ksp_u32;
typedef __u16 ksp_u16;
typedef __u8 ksp_u8;
#endif

enum ksp_type {
	KSP_SWITCH = 1,		/* tid = prev, tid2 = next */
	KSP_EXIT = 2,		/* tid exits (full scan) */
	KSP_KFAULT = 3,		/* page fault in kernel mode by tid */
};

/* prev's state at a switch */
enum ksp_state {
	KSP_RUNNING = 0,
	KSP_SLEEPING = 1,
	KSP_DEAD = 2,
};

/* flags */
#define KSP_F_EXACT	0x1	/* hwm from a full scan */
#define KSP_F_KTHREAD	0x2	/* snapshot: kernel thread */
#define KSP_F_EXITED	0x4	/* snapshot: past exit, stack no longer counted */
#define KSP_F_USER_ADDR	0x8	/* kfault: user-space address */
#define KSP_F_STACK_ADDR 0x10	/* kfault: address inside the task's own stack */

/* Ring-buffer record: one switch or exit (32 bytes). */
struct ksp_rec {
	ksp_u64 time;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	ksp_u32 tid;
	ksp_u32 tid2;
	ksp_u32 tgid;
	ksp_u32 hwm;		/* bytes from the top; 0 unknown */
	ksp_u32 depth;		/* bytes from the top; 0 unknown */
	ksp_u16 cpu;
	ksp_u8 type;		/* enum ksp_type */
	ksp_u8 state;		/* enum ksp_state */
	ksp_u32 flags;
	ksp_u32 pad;
};

/* Task-iterator record: one live task (64 bytes), written with bpf_seq_write. */
struct ksp_snap {
	ksp_u64 time;
	ksp_u32 tid;
	ksp_u32 tgid;
	ksp_u32 hwm;
	ksp_u32 depth;		/* sleeping depth from thread.sp */
	ksp_u32 stack_pages;	/* stack_vm_area->nr_pages, 0 unknown */
	ksp_u32 flags;
	ksp_u32 cpu;
	ksp_u32 bad_magic;	/* word 0 is not STACK_END_MAGIC */
	char comm[16];
};

/* Indexes into the per-CPU counter array. */
enum ksp_counter {
	KSP_C_RB_DROPS = 0,	/* ring-buffer reserve failures */
	KSP_C_SCAN_ERR,		/* bpf_probe_read_kernel failures */
	KSP_C_MISALIGNED,	/* task->stack not THREAD_SIZE aligned */
	KSP_C_SWITCHES,		/* switch programs run (for --stats) */
	KSP_C__MAX
};

#define KSP_STACK_END_MAGIC 0x57AC6E9DULL

#endif
