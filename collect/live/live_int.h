/* SPDX-License-Identifier: MIT */
/*
 * Internal interfaces of the live collector: the BPF probe loader
 * (live_bpf.c), the tracefs reader (live_tfs.c), system facts
 * (live_sys.c).  Each source hands decoded events to a callback; live.c
 * merges them in time order.
 */
#ifndef KS_LIVE_INT_H
#define KS_LIVE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "ks_err.h"
#include "kst.h"

typedef int (*live_emit_fn)(void *arg, const struct ks_event *ev);

/* ---- BPF probe (live_bpf.c); stubs returning -KS_E_NOBPF without it ---- */
struct live_bpf;

/** live_bpf_open() - load the probe and attach switch/exit; skip @self_tgid */
int live_bpf_open(struct live_bpf **out, uint32_t self_tgid, bool stats,
		  struct ks_error *err);
/**
 * live_bpf_snapshot() - iterate every live task and emit SNAPSHOT events
 * @flags: KS_F_STOP for the stop snapshot
 * @time: time stamped on every snapshot event
 * @thread_size: set to the stack size seen (nr_pages * 4096), 0 if unknown
 */
int live_bpf_snapshot(struct live_bpf *b, uint16_t flags, uint64_t time,
		      live_emit_fn emit, void *arg, uint32_t *thread_size,
		      struct ks_error *err);
/** live_bpf_consume() - hand every ring-buffer record to @emit */
int live_bpf_consume(struct live_bpf *b, live_emit_fn emit, void *arg);
/** live_bpf_detach() - stop the switch/exit programs (records stay readable) */
void live_bpf_detach(struct live_bpf *b);
/** live_bpf_lost() - ring-buffer drops per CPU into @lost[@ncpus] */
int live_bpf_lost(struct live_bpf *b, uint64_t *lost, uint32_t ncpus);
/** live_bpf_prog_stats() - run time and count of the switch and exit programs */
int live_bpf_prog_stats(struct live_bpf *b, uint64_t *sw_ns, uint64_t *sw_cnt,
			uint64_t *ex_ns, uint64_t *ex_cnt);
/** live_bpf_close() - detach and unload; accepts NULL */
void live_bpf_close(struct live_bpf *b);

/* ---- tracefs (live_tfs.c) ---- */
struct live_tfs;

struct live_tfs_config {
	unsigned int buffer_kb;
	bool switches;		/* sched_switch from tracefs (no BPF) */
	bool entries;		/* raw_syscalls:sys_enter/sys_exit */
	uint32_t self_pid;
};

/** live_tfs_mount() - make sure tracefs is mounted (mounting it if needed) */
int live_tfs_mount(bool *mounted, struct ks_error *err);
/** live_tfs_create() - instance kstack-<PID>, events, per-CPU readers; tracing off */
int live_tfs_create(struct live_tfs **out, const struct live_tfs_config *cfg,
		    struct ks_error *err);
/** live_tfs_set_tracing() - turn the instance's tracing on or off */
int live_tfs_set_tracing(struct live_tfs *t, bool on);
/** live_tfs_read() - drain every CPU's buffer; @final reads the last partial pages */
int live_tfs_read(struct live_tfs *t, bool final, live_emit_fn emit, void *arg);
/** live_tfs_lost() - per-CPU lost events (max of missed-events and buffer stats) */
void live_tfs_lost(struct live_tfs *t, uint64_t *lost, uint32_t ncpus);
/** live_tfs_destroy() - close readers and remove the instance; accepts NULL */
void live_tfs_destroy(struct live_tfs *t);
/** live_tfs_cleanup_stale() - remove kstack-PID instances of dead PIDs; count or -errno */
int live_tfs_cleanup_stale(void);

/* ---- system facts (live_sys.c) ---- */
/** live_sys_fill() - host, kernel, arch, page size, CPUs, RAM into @info */
int live_sys_fill(struct kst_info *info);
/** live_sys_nr_kernel_stack() - /proc/vmstat nr_kernel_stack in KiB, or -1 */
int64_t live_sys_nr_kernel_stack(void);
/**
 * live_sys_dynamic_stacks() - on a kernel with dynamic stacks, KiB of grown
 * stack pages held (nr_dynamic_stacks_faults) into @kb and the pages faults
 * backed since boot (dynamic_stack_fault_pages, -1 if not counted) into
 * @pages; both -1 elsewhere.  Call right after live_sys_nr_kernel_stack(),
 * which folds the per-CPU deltas.
 */
void live_sys_dynamic_stacks(int64_t *kb, int64_t *pages);
/** live_sys_now() - CLOCK_MONOTONIC in ns */
uint64_t live_sys_now(void);

#endif
