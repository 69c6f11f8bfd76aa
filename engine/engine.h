/* SPDX-License-Identifier: MIT */
/*
 * The kstack engine: a machine of N CPUs replaying a trace under policies
 * and configurations, several in one pass (a grid; one configuration is a
 * grid of one).  Pure C on libc: no I/O, no printing.
 *
 * The engine owns the event loop and every counter; a policy (engine/policy.h,
 * one const ops table per file, listed in engine/registry.c) decides only
 * what differs.  So every policy's results are counted the same way and
 * compare.
 *
 * A configuration is a spec string "policy:key=value,key=value".  Engine-wide
 * keys (page_size, thread_size, prealloc, seed, fail_rate, ...) and the
 * policy's own keys are parsed with defaults applied first; an unknown key
 * or a bad value is an error naming the key and the policy.
 */
#ifndef KS_ENGINE_H
#define KS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ks_event.h"
#include "ks_err.h"

/* Bumped whenever a change can alter any result: stored with every run. */
#define KS_ENGINE_VERSION "9"

/* What the engine needs to know about the traced machine. */
struct ks_machine {
	uint64_t start_ns;	/* trace start time */
	uint32_t page_size;	/* bytes, from the trace (a spec may override) */
	uint32_t thread_size;	/* bytes, from the trace (a spec may override) */
	uint32_t ncpus;
	bool depth_known;	/* false: depth-dependent policies refuse the trace */
};

/*
 * The counters, identical for every policy.  X(name, description); all are
 * uint64_t.  Pages are in units of the configured page size, "kb" are KiB.
 * "_end" values are the state when the trace ends.  By construction
 * (policy.h's services): tlb_flushes = tlb_local_flushes + tlb_shootdowns,
 * pte_writes = maps + unmaps + accessed bits cleared, and asleep_page_ns /
 * (end - start) is the mean of pages held by tasks not running on a CPU (a
 * task runs from its switch-in to its switch-out).
 */
#define KS_COUNTERS(X)								\
	X(events,		"events replayed")				\
	X(switches,		"context switches")				\
	X(tasks_end,		"live tasks (stacks) at the end")		\
	X(tasks_peak,		"most live tasks at once")			\
	X(forks,		"tasks created")				\
	X(exits,		"stacks released")				\
	X(stack_pages_end,	"pages mapped to live tasks' stacks at the end") \
	X(stack_pages_peak,	"most pages mapped to stacks at once")		\
	X(kernel_stack_kb_end,	"the kernel's nr_kernel_stack at the end (KiB)") \
	X(dyn_faults_kb_end,	"the kernel's nr_dynamic_stacks_faults at the end (KiB)") \
	X(pool_pages_end,	"pages held in per-CPU pools (and reserves) at the end") \
	X(pool_pages_peak,	"most pages held in per-CPU pools (and reserves) at once") \
	X(global_pages_end,	"pages held in the global pool at the end")	\
	X(cache_pages_end,	"pages held by cached (freed) stacks at the end") \
	X(extra_pages,		"other fixed overhead pages (arm64 sync stacks, reserves)") \
	X(faults,		"stack page faults (growth events)")		\
	X(fault_pages,		"pages mapped by stack faults")			\
	X(pool_hits,		"pages taken from a per-CPU pool")		\
	X(fallback_hits,	"pages taken from the global fallback pool")	\
	X(lock_acquisitions,	"acquisitions of the global pool lock")	\
	X(refills,		"pool refill operations")			\
	X(refill_pages,		"pages allocated by refills")			\
	X(refill_failures,	"refill allocations that failed")		\
	X(refill_latency_ns,	"summed latency from refill request to refill") \
	X(charges,		"pages charged to a memcg")			\
	X(inherited_pages,	"grown pages inherited from cached stacks at fork") \
	X(alloc_attempts,	"page allocations attempted")			\
	X(alloc_failures,	"page allocations that failed (injected)")	\
	X(crashes,		"would-be crashes: a stack fault found no page") \
	X(overflows,		"tasks whose high-water mark exceeds the stack size") \
	X(leaked_pages,		"pages lost by modelled kernel bugs")		\
	X(maps,			"page-table map operations")			\
	X(unmaps,		"page-table unmap operations")			\
	X(tlb_flushes,		"TLB flushes (local flushes plus shootdowns)")	\
	X(kfaults,		"kernel-mode page faults seen")			\
	X(sync_exceptions,	"kernel synchronous exceptions (arm64 sync stack)") \
	X(copy_bytes,		"bytes copied from the sync stack to the task stack") \
	X(downgrades,		"faults moved back to the task stack (FRED/IST)") \
	X(entries,		"kernel entries from user mode seen")		\
	X(waits,		"allocations that had to sleep")		\
	X(wait_ns,		"modelled time spent sleeping for pages")	\
	X(lost_events,		"events lost while recording (from the trace)")	\
	/* page-table and TLB work, reclaim, refaults, admission (every policy) */ \
	X(pte_writes,		"PTE writes: maps, unmaps and accessed-bit clears") \
	X(abit_checks,		"accessed-bit checks of stack PTEs")		\
	X(switch_alloc_pages,	"pages mapped to a stack as its task is switched in") \
	X(switch_free_pages,	"pages unmapped from a stack as its task is switched out") \
	X(reclaimed_pages,	"pages reclaimed from the stacks of live tasks")	\
	X(reclaim_passes,	"periodic reclaim passes (shrinker, collector)")	\
	X(tlb_local_flushes,	"TLB flushes of the local CPU only")		\
	X(tlb_shootdowns,	"TLB flushes that reach other CPUs by IPI")	\
	X(ipis,			"IPIs sent by TLB shootdowns")			\
	X(refaults,		"reclaimed stack pages needed again")		\
	X(refault_delay_ns,	"summed time from a page's reclaim to its refault") \
	X(refault_delay_max_ns,	"longest time from a page's reclaim to its refault") \
	X(admission_waits,	"switch-ins that waited for stack pages")	\
	X(admission_wait_ns,	"modelled time tasks waited to be switched in")	\
	X(asleep_page_ns,	"integral of pages mapped to tasks not running (page-ns)") \
	/* the memory bases: the peak of the sum, never a sum of peaks */	\
	X(total_pages_peak,	"most pages of stacks, pools and cached stacks at once")

struct ks_counters {
#define KS_X_FIELD(name, desc) uint64_t name;
	KS_COUNTERS(KS_X_FIELD)
#undef KS_X_FIELD
	double stack_pages_mean;	/* time-weighted mean of pages mapped to stacks */
	double pool_pages_mean;		/* time-weighted mean of per-CPU pool (and reserve) pages */
	/* time-weighted mean of stacks + every pool (global too) + cached stacks */
	double total_pages_mean;
};

/* One would-be crash: when, where, who. */
struct ks_crash {
	uint64_t time;
	uint32_t cpu;
	uint32_t tid;
	uint32_t pages_needed;
	uint32_t reason;	/* enum ks_crash_reason */
	char comm[KS_COMM_LEN];	/* the task's name as the trace last gave it ("" unknown) */
};

enum ks_crash_reason {
	KS_CRASH_POOL_EMPTY = 0,	/* no page in any pool */
	KS_CRASH_PTE_PRESENT = 1,	/* RFC nr_pages bug: remapping a mapped page */
	KS_CRASH_OVERFLOW = 2,		/* stack base reached (guard page) */
	KS_CRASH_STARVED = 3,		/* a switch-in never found its pages: the task
					 * would never run again */
};

/* One point of the memory-over-time series. */
struct ks_sample {
	uint64_t time;
	uint64_t stack_pages;
	uint64_t pool_pages;	/* per-CPU and global pools */
	uint64_t cache_pages;	/* cached (freed) stacks */
	uint64_t kernel_stack_kb;
	uint64_t tasks;
	uint64_t crashes;	/* cumulative */
};

#define KS_MAX_CRASHES 64	/* crashes kept in detail; all are counted */
#define KS_MAX_SAMPLES 512	/* the series is decimated to stay under this */
#define KS_MAX_PARAMS 32	/* keys of one run: the engine-wide ones and its policy's */
#define KS_PARAM_KEY 32		/* longest key name, NUL included */
#define KS_PARAM_VALUE 256	/* longest canonical value of one key, NUL included */

/**
 * struct ks_param_value - one key of a resolved run, as the store keeps it
 * @key: the key's name
 * @value: its canonical value, as ks_result.params has it
 * @is_default: @value is what the policy named alone takes on the same
 *	machine (defaults applied, "auto" resolved)
 */
struct ks_param_value {
	char key[KS_PARAM_KEY];
	char value[KS_PARAM_VALUE];
	bool is_default;
};

/* Everything a run produces, ready for the store. */
struct ks_result {
	char policy[32];
	char params[512];		/* canonical: every key, defaults applied, sorted */
	size_t nr_params;		/* param[]: the same keys and values, one by one */
	struct ks_param_value param[KS_MAX_PARAMS];
	bool is_default;		/* every key at its default: the policy named alone */
	char engine_version[16];
	uint64_t seed;
	uint32_t page_size;
	uint32_t thread_size;
	uint32_t ncpus;
	uint64_t start_ns;
	uint64_t end_ns;
	struct ks_counters c;
	size_t nr_crashes;		/* kept in crashes[], <= KS_MAX_CRASHES */
	struct ks_crash crashes[KS_MAX_CRASHES];
	size_t nr_samples;
	struct ks_sample samples[KS_MAX_SAMPLES];
	size_t nr_hwm_buckets;		/* histogram of lifetime HWM of all tasks seen */
	uint64_t hwm_hist[16];		/* [i] = tasks with HWM in (2^(i-1) KiB, 2^i KiB], i=0: <=1K */
};

/**
 * ks_spec_canonical() - validate @spec and write its canonical form
 * (policy:every key with its value, defaults applied, keys sorted) to @buf.
 * Return: 0 or -KS_E_POLICY / -KS_E_PARAM with @err naming the key.
 */
int ks_spec_canonical(const char *spec, char *buf, size_t len, struct ks_error *err);

/**
 * ks_spec_check() - would ks_grid_create() accept @spec on machine @m?
 * The same checks, without allocating a run: a caller validates every
 * configuration against every trace before any work.
 * Return: 0, -KS_E_POLICY, -KS_E_PARAM or -KS_E_DEPTH with @err naming it.
 */
int ks_spec_check(const char *spec, const struct ks_machine *m, struct ks_error *err);

/**
 * ks_seed_derive() - the seed of replicate @i of a run seeded @seed: @seed
 * itself for @i = 0, else the @i-th output of a SplitMix64 generator whose
 * state starts at @seed (deterministic, spread over the 64-bit range)
 */
uint64_t ks_seed_derive(uint64_t seed, uint32_t i);

/**
 * ks_spec_replicate() - replicate @i of @spec: when @spec injects failures
 * (fail_rate > 0 or fail windows), its canonical form with seed= set to
 * ks_seed_derive(its seed, @i), written to @buf
 * Return: 1 (written), 0 (no failure injection: nothing to replicate, @buf
 * untouched), -KS_E_POLICY or -KS_E_PARAM (a bad spec, @err naming it).
 */
int ks_spec_replicate(const char *spec, uint32_t i, char *buf, size_t len,
		      struct ks_error *err);

/* Parameter value kinds understood by the generic parser (params.c). */
enum ks_ptype {
	KS_PT_U32,		/* unsigned integer in [min, max]; "auto" if auto_ok (KS_AUTO) */
	KS_PT_U64,		/* unsigned 64-bit integer (seeds) */
	KS_PT_DOUBLE,		/* real number in [min, max] */
	KS_PT_ENUM,		/* one of choices "a|b|c", stored as uint32_t index */
	KS_PT_WINDOWS,		/* "S-E;S-E" seconds, or "none"; struct ks_windows */
};

/**
 * struct ks_param - one key of a parameter table: everything about it in one
 * entry, so that nothing is kept in step by position
 * @key: its name in a spec
 * @def: the default, as text: parsed like a user value
 * @doc: one line for --list-policies
 * @expect: what a good value looks like, for error messages
 * @choices: KS_PT_ENUM: "a|b|c"; KS_PT_U32: the only accepted values, or NULL
 * @off: offset of the value in the policy's (or the engine's) conf struct
 * @min: smallest accepted number (KS_PT_U32, KS_PT_DOUBLE)
 * @max: largest accepted number (KS_PT_U32, KS_PT_DOUBLE)
 * @kind: the value's kind
 * @auto_ok: "auto" is accepted (stored as KS_AUTO until resolve() replaces it)
 *
 * A table is an array of designated initializers ending with an entry whose
 * @key is NULL.
 */
struct ks_param {
	const char *key;
	const char *def;
	const char *doc;
	const char *expect;
	const char *choices;
	size_t off;
	double min;
	double max;
	enum ks_ptype kind;
	bool auto_ok;
};

/**
 * ks_policy_count() / ks_policy_describe() - walk the registry
 * @i: index < ks_policy_count()
 * @name, @desc: out
 * @params: out, the policy's own keys (a table ending with key == NULL)
 */
size_t ks_policy_count(void);
void ks_policy_describe(size_t i, const char **name, const char **desc,
			const struct ks_param **params);
/** ks_engine_common_params() - the engine-wide keys every policy accepts */
const struct ks_param *ks_engine_common_params(void);

/*
 * A grid: several configurations replayed in ONE pass over the trace.  The
 * trace-side work (task lookup, high-water marks, growth detection) is done
 * once per event; only configuration-specific work runs per configuration.
 * Results are identical to running each spec alone, as a grid of one
 * (ks_grid_create(&g, &spec, 1, m, err)).
 */
struct ks_grid;

/**
 * ks_grid_create() - a grid of @n configurations on machine @m
 * @out: the new grid
 * @specs: @n spec strings, each "policy" or "policy:key=value,..."
 * @n: >= 1
 * @m: the traced machine
 * @err: on failure, names the policy and key (and the spec's index in detail)
 *
 * Return: 0, -KS_E_POLICY, -KS_E_PARAM, -KS_E_DEPTH (a policy needs depth
 * the trace lacks) or -ENOMEM.
 */
int ks_grid_create(struct ks_grid **out, const char *const *specs, size_t n,
		   const struct ks_machine *m, struct ks_error *err);
/** ks_grid_feed() - replay @n events (time order) through every configuration */
void ks_grid_feed(struct ks_grid *g, const struct ks_event *evs, size_t n);
/** ks_grid_finish() - close at @end_ns (>= last event) and fill @res[0..ks_grid_size()-1] */
void ks_grid_finish(struct ks_grid *g, uint64_t end_ns, struct ks_result *res);
/** ks_grid_size() - configurations in @g */
size_t ks_grid_size(const struct ks_grid *g);
/**
 * ks_grid_status() - 0, or -ENOMEM if memory ran out while feeding (the
 * results are then incomplete and must not be stored)
 */
int ks_grid_status(const struct ks_grid *g);
/** ks_grid_free() - accepts NULL */
void ks_grid_free(struct ks_grid *g);

/*
 * Why a live task's stack holds what it holds (struct ks_task_pages.flags).
 * Exactly one of SNAPSHOT, FORK and MISSED is set.
 */
#define KS_TP_SNAPSHOT	0x0001	/* alive at trace start (start snapshot) */
#define KS_TP_FORK	0x0002	/* born in the trace (NEW) */
#define KS_TP_MISSED	0x0004	/* first seen in another record: alive before the trace */
#define KS_TP_INHERITED	0x0008	/* its fork took a cached stack (rfc family): born pages */
#define KS_TP_STOP_GROWN 0x0010	/* the stop snapshot's HWM needed more pages: final growth */
#define KS_TP_EXITED	0x0020	/* EXIT seen, stack not released yet */
#define KS_TP_KTHREAD	0x0040	/* kernel thread */
#define KS_TP_NO_HWM	0x0080	/* HWM unknown (0): never measured (e.g. /proc-only tasks) */

/**
 * struct ks_task_pages - one live task's stack in one run
 * @hwm: the lifetime high-water mark the engine knows (bytes; 0 unknown),
 *	including what the stop snapshot told it
 * @need: pages that HWM needs in this run: max(prealloc, ceil(hwm/page)),
 *	capped at the stack size
 * @mapped: pages mapped to its stack now
 * @born: pages its stack held right after the task appeared (prealloc for a
 *	fresh fork, the cached stack's pages when inherited, @need at the time
 *	for a task alive before the trace, or at its first known HWM if it
 *	appeared without one)
 * @flags: KS_TP_*
 */
struct ks_task_pages {
	uint32_t hwm;
	uint32_t need;
	uint32_t mapped;
	uint32_t born;
	uint32_t flags;
};

/**
 * ks_grid_task_pages() - what configuration @run maps to live task @tid now
 * @g: the grid (any time: while feeding or after ks_grid_finish())
 * @run: index < ks_grid_size()
 * @tid: the task
 * @out: filled on success
 *
 * A task is live from its birth (snapshot, fork, or first sight in any other
 * record) until its stack is released (dead switch or FREE).
 *
 * Return: 0, -ENOENT if @tid is not a live task, -EINVAL for a bad @run or
 * tid 0.
 */
int ks_grid_task_pages(const struct ks_grid *g, size_t run, uint32_t tid,
		       struct ks_task_pages *out);

#endif
