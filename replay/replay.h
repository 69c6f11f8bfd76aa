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

#include "../common/ks_err.h"
#include "../common/ks_stop.h"
#include "../common/kst.h"
#include "../engine/engine.h"
#include "../report/store.h"

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
/** ks_speclist_release() - free the specs inside @l */
void ks_speclist_release(struct ks_speclist *l);

struct ks_replay_opts {
	unsigned int threads;		/* 0: one per online CPU */
	bool progress;			/* progress line on stderr */
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
	uint64_t wall_ns;
};

/**
 * ks_replay_trace() - replay one trace under every spec of @specs
 * @store: where runs go; NULL runs without storing (benchmarks, --verify)
 * @results: if not NULL, receives a malloc'd array of @specs->n results the
 *           caller frees (used by tests and bench)
 *
 * Stops between blocks, and between stored runs, when ks_stop_signal() says
 * so (common/ks_stop.h).
 *
 * Return: 0, or a negative code (unreadable or corrupt trace: nothing is
 * stored; interrupted: the runs already stored stay, the rest are dropped,
 * and -EINTR is returned).
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

/**
 * ks_policy_defaults() - the parameters a bare @policy resolves to on machine
 * @m, as a run stores them in ks_result.params ("auto" values resolved); fits
 * ks_report_opts.defaults.
 */
int ks_policy_defaults(const char *policy, const struct ks_machine *m, char *buf, size_t len,
		       struct ks_error *err);

/** ks_result_digest_combine() - fold one trace's digest into a running one */
static inline uint64_t ks_result_digest_combine(uint64_t acc, uint64_t d)
{
	return acc * 0x9e3779b97f4a7c15ull ^ d;
}

#endif
