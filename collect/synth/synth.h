/* SPDX-License-Identifier: MIT */
/*
 * kstack synth: synthetic traces from machine profiles and free parameters.
 *
 * A profile (data/profiles/NAME.profile, documented in
 * data/profiles/README.md) describes a machine by what it ends with: how
 * many stacks are live and how many pages above the preallocated one they
 * hold.  The generator produces a trace whose replay under the `rfc` policy
 * at its defaults ends with exactly that census, and whose `static` replay
 * ends at the header's nr_kernel_stack.  Same parameters, same bytes.
 *
 * Library code: nothing here prints or exits.
 */
#ifndef KS_SYNTH_H
#define KS_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "ks_err.h"
#include "kst.h"
#include "ks_event.h"

/* High-water-mark buckets, as the kernel's stack histogram: <=1K, (1K,2K], ... (32K,64K] */
#define KS_SYNTH_HWM_BUCKETS 7

/* Every knob of the generator.  Fill with ks_synth_params_default(). */
struct ks_synth_params {
	uint64_t seed;			/* the only source of randomness */
	uint64_t duration_ns;		/* trace length */
	uint64_t events;		/* 0, or about this many events: scales the duration */
	double switch_rate;		/* context switches per CPU per second */
	double kfault_rate;		/* kernel-mode (user address) page faults per CPU per second */
	double kthread_share;		/* share of tasks that are kernel threads */
	double grow_late;		/* share of the end grown pages faulted in during the trace */
	uint32_t ncpus;
	uint32_t tasks;			/* live stacks at the end */
	uint32_t grown;			/* pages above the preallocated one held at the end */
	uint32_t births;		/* tasks created during the trace */
	uint32_t deaths;		/* tasks that exit during the trace */
	uint32_t page_size;		/* bytes */
	uint32_t thread_size;		/* bytes */
	uint32_t hwm_weights[KS_SYNTH_HWM_BUCKETS];	/* relative, bucket i = (2^(i-1), 2^i] KiB */
	char label[64];			/* the table's CPU column */
	char arch[32];			/* uname -m of the modelled machine */
	char source[256];		/* where the numbers come from (profiles only) */
	char assumed[128];		/* keys whose values are not published (profiles only) */
};

/* What a generation produced: the census the generator planned and met. */
struct ks_synth_summary {
	uint64_t events;
	uint64_t switches;
	uint64_t kfaults;
	uint64_t end_ns;
	uint32_t start_tasks;		/* SNAPSHOT events */
	uint32_t end_tasks;		/* == params.tasks */
	uint32_t end_grown;		/* == params.grown */
	uint32_t births;
	uint32_t deaths;
	uint32_t inherited_grown;	/* grown cached stacks taken by (short-lived) children */
};

/** ks_synth_params_default() - a small generic machine (4 CPUs, 400 stacks, seed 1) */
void ks_synth_params_default(struct ks_synth_params *p);

/**
 * ks_synth_params_set() - set one parameter from text
 * @p: parameters to change
 * @key: a profile key (cpus, tasks, grown, hwm_dist, switch_rate, duration,
 *       births, deaths, seed, kthreads, label, page_size, thread_size,
 *       kfault_rate, grow_late, events, arch, source, assumed); '-' may
 *       stand for '_'
 * @value: its value in profile syntax (duration in seconds, hwm_dist as
 *         "1k=3,2k=188,4k=11391,8k=243,16k=0")
 * @err: names the key on failure
 *
 * Return: 0 or -KS_E_PROFILE.
 */
int ks_synth_params_set(struct ks_synth_params *p, const char *key, const char *value,
			struct ks_error *err);

/**
 * ks_synth_params_from_profile() - read a profile file over @p
 * @p: parameters, usually defaults; the profile's keys replace them
 * @path: the .profile file
 * @err: file and line on failure
 *
 * Return: 0, -errno if the file cannot be read, or -KS_E_PROFILE.
 */
int ks_synth_params_from_profile(struct ks_synth_params *p, const char *path,
				 struct ks_error *err);

/**
 * ks_synth_params_check() - reject parameters no trace can satisfy
 * (too few tasks for the CPUs, more grown pages than stacks can hold,
 * more births than the end census allows, ...)
 *
 * Return: 0 or -KS_E_PROFILE with the reason in @err.
 */
int ks_synth_params_check(const struct ks_synth_params *p, struct ks_error *err);

/**
 * ks_synth_params_format() - the canonical parameter string stored in the
 * trace header's options ("cpus=384,tasks=5786,...")
 *
 * Return: 0, or -KS_E_PROFILE if @len is too small.
 */
int ks_synth_params_format(const struct ks_synth_params *p, char *buf, size_t len);

/**
 * ks_synth_info() - the trace header for @p: label, ncpus, sizes, clock
 * "synthetic", collector "kstack-synth VERSION", options, seed, depth
 * source KST_DEPTH_SYNTH, nr_kernel_stack at start and end as a kernel
 * without dynamic stacks counts them (tasks x THREAD_SIZE), lost all 0,
 * end_ns.  Release with kst_info_release().
 *
 * Return: 0, -ENOMEM or -KS_E_PROFILE.
 */
int ks_synth_info(const struct ks_synth_params *p, struct kst_info *info, struct ks_error *err);

/* Receives each event in time order; a non-zero return stops the generator. */
typedef int (*ks_synth_emit_fn)(void *arg, const struct ks_event *ev);

/**
 * ks_synth_run() - generate the events of @p and hand them to @emit
 * @p: parameters (checked first)
 * @emit: called once per event, in time order
 * @arg: passed to @emit
 * @sum: filled on success (may be NULL)
 * @err: detail on failure
 *
 * Memory grows with the tasks and CPUs, not with the number of events.
 *
 * Return: 0, -KS_E_PROFILE for bad parameters or a census the schedule
 * could not meet (the reason in @err), -ENOMEM, or @emit's negative return.
 */
int ks_synth_run(const struct ks_synth_params *p, ks_synth_emit_fn emit, void *arg,
		 struct ks_synth_summary *sum, struct ks_error *err);

/**
 * ks_synth_write() - generate the trace of @p into the file @path
 * @sum: filled on success (may be NULL)
 *
 * Stops when ks_stop_signal() says so (common/ks_stop.h: SIGINT, SIGTERM),
 * with -EINTR and "synthesis interrupted".  On failure the partial file is
 * removed.
 *
 * Return: 0 or a negative code (see ks_synth_run(), and the writer's).
 */
int ks_synth_write(const struct ks_synth_params *p, const char *path,
		   struct ks_synth_summary *sum, struct ks_error *err);

/**
 * ks_synth_write_fd() - the same into the open descriptor @fd (a pipe will
 * do: the trace is written front to back), which stays open; @name is the
 * output's name in error messages.  A failed or interrupted write leaves a
 * trace without its trailer, which readers take as cut short.
 */
int ks_synth_write_fd(const struct ks_synth_params *p, int fd, const char *name,
		      struct ks_synth_summary *sum, struct ks_error *err);

/**
 * ks_synth_profile_path() - resolve a profile name
 * @datadir: the data/ folder (its profiles/ subfolder is searched)
 * @name: "genoa-384" (looked up as DATADIR/profiles/genoa-384.profile) or a
 *        path containing '/' or ending in ".profile", used as is
 * @buf: the resolved path
 *
 * Return: 0, -ENOENT if no such profile, -ENAMETOOLONG.
 */
int ks_synth_profile_path(const char *datadir, const char *name, char *buf, size_t len);

/**
 * ks_synth_profile_list() - the profiles in DATADIR/profiles, sorted by name
 * @names: set to a malloc'ed array of malloc'ed names (without ".profile")
 * @count: number of names
 *
 * Return: 0, -errno if the folder cannot be read, -ENOMEM.  Free the list
 * with ks_synth_profile_list_free().
 */
int ks_synth_profile_list(const char *datadir, char ***names, size_t *count,
			  struct ks_error *err);
/** ks_synth_profile_list_free() - free what ks_synth_profile_list() returned; accepts NULL */
void ks_synth_profile_list_free(char **names, size_t count);

#endif
