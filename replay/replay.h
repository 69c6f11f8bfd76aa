/* SPDX-License-Identifier: MIT */
/*
 * Replay: join trace sources, the engine and the store.  One trace is read
 * once per worker thread and fed to every configuration that thread owns;
 * the configurations are split over the threads.  Finished runs are handed
 * to the store one transaction each, so an interrupted replay leaves whole
 * runs or nothing.
 */
#ifndef KS_REPLAY_H
#define KS_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ks_err.h"
#include "ks_stop.h"
#include "kst.h"
#include "engine.h"
#include "store.h"

/* A list of configuration specs ("policy:key=value,..."), canonical and unique. */
struct ks_speclist {
	char **specs;
	size_t n;
	size_t cap;
};

/**
 * ks_speclist_expand() - the grid of @policies x every @sweeps combination
 * @policies: specs as given to --policy ("rfc", "rfc:pool=3")
 * @sweeps: "key=a..b", "key=a..b:step" or "key=v1,v2,..." as given to --sweep
 *
 * A sweep applies to each policy that accepts its key; a key no policy
 * accepts is an error.  The result holds canonical specs, duplicates removed,
 * in a deterministic order.
 */
int ks_speclist_expand(struct ks_speclist *out, const char *const *policies, size_t npol,
		       const char *const *sweeps, size_t nsweeps, struct ks_error *err);
/**
 * ks_speclist_replicate() - every spec of @l that injects failures
 * (fail_rate > 0 or fail windows) followed by its replicates 1..@n-1: the
 * same spec with the seeds ks_seed_derive() gives from its own seed, so
 * one pass over a trace replays each failure configuration under @n seeds.
 * Specs without failure injection stay single.  @n >= 1; 1 changes nothing.
 * Return: 0, -ENOMEM, or the error of a spec that does not parse.
 */
int ks_speclist_replicate(struct ks_speclist *l, uint32_t n, struct ks_error *err);

/** ks_speclist_release() - free the specs inside @l */
void ks_speclist_release(struct ks_speclist *l);

struct ks_replay_opts {
	unsigned int threads;		/* 0: one per online CPU */
	bool progress;			/* progress line on stderr */
	const char *progress_verb;	/* its command; NULL: "replay" */
	const char *progress_what;	/* what it names; NULL: the trace's path */
};

/** ks_replay_opts_default() - all CPUs, no progress */
void ks_replay_opts_default(struct ks_replay_opts *o);

/* What one trace's replay did. */
struct ks_replay_summary {
	size_t runs_stored;
	uint64_t events;		/* events in the trace */
	uint64_t lost;			/* lost events recorded in the trace */
	bool truncated;			/* the trace had no trailer */
	uint64_t digest;		/* of the canonical result rows, see ks_result_digest() */
	uint64_t tasks;			/* task rows stored (0: stored before) */
	uint64_t wall_ns;
};

/**
 * ks_replay_machine() - the engine's machine description of a trace
 * @m: out
 * @info: the trace's header
 *
 * The header's sizes are checked here, before any run: page_size and
 * thread_size a power of two from 4 KiB to 1 MiB, ncpus at least 1.  An
 * error names the header field and its value as the file has it.
 * Return: 0 or -KS_E_CORRUPT.
 */
int ks_replay_machine(struct ks_machine *m, const struct kst_info *info, struct ks_error *err);

/* A trace opened for replay: header read and accepted, every spec checked. */
struct ks_replay_input;

/**
 * ks_replay_input_open() - open @path for replay under @specs
 * @out: the new input; free with ks_replay_input_free()
 *
 * Reads the header, checks the machine it describes (ks_replay_machine())
 * and every spec of @specs against it, and reads no event: a command opens
 * all its inputs before it creates anything, so a trace it would reject
 * leaves nothing behind.
 * Return: 0, or a negative code with @err naming the problem.
 */
int ks_replay_input_open(struct ks_replay_input **out, const char *path,
			 const struct ks_speclist *specs, struct ks_error *err);
/**
 * ks_replay_input_machine() - the machine @in's header describes, as the
 * specs are checked against (ks_spec_check()): a caller may replay @in under
 * other specs the machine accepts than those it was opened with
 */
const struct ks_machine *ks_replay_input_machine(const struct ks_replay_input *in);
/** ks_replay_input_free() - close @in; accepts NULL */
void ks_replay_input_free(struct ks_replay_input *in);

/**
 * ks_replay_input_run() - replay @in (opened with these @specs) once
 * @store: where runs go; NULL runs without storing (benchmarks, --verify)
 * @results: if not NULL, receives a malloc'd array of @specs->n results the
 *           caller frees (used by tests and bench)
 *
 * Stops between blocks, and between stored runs, when ks_stop_signal() says
 * so (common/ks_stop.h).
 *
 * Return: 0, or a negative code (corrupt trace: nothing is stored;
 * interrupted: the runs already stored stay, the rest are dropped, and
 * -EINTR is returned).
 */
int ks_replay_input_run(struct ks_replay_input *in, const struct ks_speclist *specs,
			struct ks_store *store, const struct ks_replay_opts *o,
			struct ks_replay_summary *sum, struct ks_result **results,
			struct ks_error *err);

/**
 * ks_replay_trace() - ks_replay_input_open(), ks_replay_input_run() and
 * ks_replay_input_free() of one trace
 */
int ks_replay_trace(const char *path, const struct ks_speclist *specs, struct ks_store *store,
		    const struct ks_replay_opts *o, struct ks_replay_summary *sum,
		    struct ks_result **results, struct ks_error *err);

/**
 * ks_result_digest() - a 64-bit digest of the canonical content of @r
 * (policy, params, engine version, seed, every counter, crashes, samples),
 * independent of wall time, for --verify.
 */
uint64_t ks_result_digest(const struct ks_result *r, uint64_t h);

/** ks_result_digest_combine() - fold one trace's digest into a running one */
static inline uint64_t ks_result_digest_combine(uint64_t acc, uint64_t d)
{
	return acc * 0x9e3779b97f4a7c15ull ^ d;
}

#endif
