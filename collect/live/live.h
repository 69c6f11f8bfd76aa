/* SPDX-License-Identifier: MIT */
/*
 * The live collector: records this kernel into a kstack trace.
 *
 * Two streams feed one trace.  The BPF probe (bpf/ksprobe.bpf.c) emits the
 * context switches itself, with prev's stack high-water mark and depth, the
 * exits with a full scan, and snapshots every live task through a task
 * iterator at start and stop.  A private tracefs instance "kstack-<PID>"
 * gives the lifecycle events (new, exit, free, kernel page faults, opt-in
 * kernel entries).  Both stamp CLOCK_MONOTONIC; a merge window orders them.
 * Without BPF, tracefs also records sched_switch and the trace says
 * "depth: none".
 *
 * Usage: ks_live_create() (opens the output, loads and attaches
 * everything, takes the start snapshot), ks_live_poll() in a loop until
 * done, ks_live_stop() (stop snapshot, drain, trailer), ks_live_destroy()
 * (always: removes the instance and detaches BPF, also after errors), or
 * ks_live_abort() instead when the recording is worthless (the command
 * could not be started).  Every descriptor is close-on-exec: a command
 * started alongside holds none of them.
 */
#ifndef KS_LIVE_H
#define KS_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "ks_err.h"

struct ks_live_config {
	const char *output;		/* trace file */
	const char *label;		/* workload name (header label) */
	const char *options;		/* the command line, for the header */
	uint32_t workload_pid;		/* the recorded command's pid (header); 0: none */
	unsigned int buffer_kb;		/* tracefs buffer per CPU */
	unsigned int window_ms;		/* merge window */
	bool entries;			/* raw_syscalls as KENTRY/KEXIT */
	bool no_bpf;			/* lifecycle only, depth: none */
	bool stats;			/* measure the probe's cost (bpf stats) */
};

/* What a recording cost and produced; filled by ks_live_stop(). */
struct ks_live_stats {
	uint64_t events;		/* events written */
	uint64_t bytes;			/* trace file size */
	uint64_t duration_ns;
	uint64_t switches;		/* switch events written */
	uint64_t lost_tracefs;		/* all CPUs */
	uint64_t lost_ringbuf;
	uint64_t late;			/* events that missed the merge window */
	uint64_t prog_run_ns;		/* --stats: switch program run time */
	uint64_t prog_run_cnt;		/* --stats: switch program runs */
	uint64_t exit_run_ns;
	uint64_t exit_run_cnt;
	unsigned int depth_source;	/* enum kst_depth_source */
	bool stats_valid;		/* prog_* were measured */
	/* a kernel with dynamic stacks; all -1 elsewhere */
	int64_t dyn_kb_start;		/* nr_dynamic_stacks_faults at start, KiB */
	int64_t dyn_kb_end;		/* ... at stop */
	int64_t dyn_fault_pages;	/* stack pages faults backed meanwhile; -1 unknown */
};

/* How a recording is going; filled by ks_live_status() at any time. */
struct ks_live_status {
	uint64_t events;		/* events written so far */
	uint64_t bytes;			/* bytes of the trace written so far */
	uint64_t lost;			/* events the kernel said it lost, so far */
};

struct ks_live;

/** ks_live_config_defaults() - default buffer (4 MiB/CPU), window (200 ms) */
void ks_live_config_defaults(struct ks_live_config *cfg);

/**
 * ks_live_create() - set everything up and start recording
 * @out: the new collector
 * @cfg: configuration (strings must outlive the collector)
 * @err: detail on failure
 *
 * Opens (or creates) the output file first, so a bad path fails before
 * anything touches the kernel; then checks privileges, mounts tracefs if
 * needed, removes stale instances, loads the probe (or warns and falls
 * back to lifecycle events), takes the start snapshot and writes the
 * header (only now is an existing file's content replaced).  On failure
 * everything set up so far is undone, and a file it created is removed.
 * Return: 0 or a negative code.
 */
int ks_live_create(struct ks_live **out, const struct ks_live_config *cfg,
		   struct ks_error *err);

/**
 * ks_live_poll() - read both streams once and write what left the window
 * @l: collector
 * @err: detail on failure (-ENOSPC when the disk is full)
 *
 * Call about every 50 ms.  Flushes the writer at least once a second.
 */
int ks_live_poll(struct ks_live *l, struct ks_error *err);

/**
 * ks_live_status() - the figures of the recording so far, for a progress
 * line; lost events count as soon as a poll sees them (a LOST record)
 */
void ks_live_status(const struct ks_live *l, struct ks_live_status *st);

/**
 * ks_live_stop() - stop snapshot, drain, write the trailer, close the file
 * @l: collector
 * @st: filled with the recording's figures (may be NULL)
 * @err: detail on failure
 */
int ks_live_stop(struct ks_live *l, struct ks_live_stats *st, struct ks_error *err);

/** ks_live_destroy() - detach BPF, remove the instance, free; accepts NULL */
void ks_live_destroy(struct ks_live *l);

/**
 * ks_live_abort() - ks_live_destroy(), and remove the output file unless
 * ks_live_stop() completed it; accepts NULL
 */
void ks_live_abort(struct ks_live *l);

/** ks_live_cleanup_stale() - remove kstack-PID instances whose PID is gone */
int ks_live_cleanup_stale(void);

#endif
