// SPDX-License-Identifier: MIT
/*
 * Replay one trace under many configurations, in parallel.
 *
 * Each worker thread opens its own reader and feeds every block to a grid
 * of the configurations it owns (the engine does the trace-side work once
 * per event for the whole grid), so decoding is paid once per thread, not
 * once per configuration.  Results are stored by the calling
 * thread after all workers finished, in spec order, one transaction per
 * run: the database never sees a run that did not read the whole trace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "replay.h"

struct worker {
	pthread_t thread;
	const char *path;
	const struct ks_speclist *specs;
	size_t first, count;		/* specs[first .. first+count) */
	struct ks_result *res;		/* shared array, this worker's slice */
	volatile sig_atomic_t *stop;
	_Atomic uint64_t *progress;	/* events done, worker 0 only */
	uint64_t events;
	int rc;
	struct ks_error err;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void ks_replay_opts_default(struct ks_replay_opts *o)
{
	memset(o, 0, sizeof(*o));
}

static void machine_from_info(struct ks_machine *m, const struct kst_info *info)
{
	memset(m, 0, sizeof(*m));
	m->start_ns = info->start_ns;
	m->page_size = info->page_size;
	m->thread_size = info->thread_size;
	m->ncpus = info->ncpus;
	m->depth_known = info->depth_source != KST_DEPTH_NONE;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	const struct ks_event *evs;
	const struct kst_info *info;
	struct kst_reader *r = NULL;
	struct ks_grid *g = NULL;
	struct ks_machine m;
	uint64_t end_ns = 0;
	size_t i, n;
	int rc;

	rc = kst_reader_open(&r, w->path, &w->err);
	if (rc)
		goto out;
	info = kst_reader_info(r);
	machine_from_info(&m, info);
	rc = ks_grid_create(&g, (const char *const *)w->specs->specs + w->first, w->count, &m,
			    &w->err);
	if (rc)
		goto out;
	end_ns = info->start_ns;
	while ((rc = kst_reader_next_block(r, &evs, &n, &w->err)) > 0) {
		if (w->stop && *w->stop) {
			rc = ks_error_set(&w->err, EINTR, "replay interrupted");
			goto out;
		}
		ks_grid_feed(g, evs, n);
		if (n && evs[n - 1].time > end_ns)
			end_ns = evs[n - 1].time;
		w->events += n;
		if (w->progress)
			atomic_store_explicit(w->progress, w->events, memory_order_relaxed);
	}
	if (rc < 0)
		goto out;
	/* the engine cannot return errors per event: a run that ran out of
	 * memory is incomplete and must not be stored as if whole */
	rc = ks_grid_status(g);
	if (rc) {
		ks_error_set(&w->err, -rc, "replay ran out of memory");
		goto out;
	}
	info = kst_reader_info(r);
	if (!info->truncated && info->end_ns > end_ns)
		end_ns = info->end_ns;
	ks_grid_finish(g, end_ns, w->res + w->first);
	for (i = 0; i < w->count; i++)
		w->res[w->first + i].c.lost_events = kst_info_lost_total(info);
	rc = 0;
out:
	ks_grid_free(g);
	kst_reader_free(r);
	w->rc = rc;
	return NULL;
}

static unsigned int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned int)n : 1;
}

static void progress_line(const char *path, uint64_t done, uint64_t total)
{
	if (total)
		fprintf(stderr, "\rkstack replay: %s: %3u%%", path,
			(unsigned int)(done * 100 / total));
	else
		fprintf(stderr, "\rkstack replay: %s: %llu events", path, (unsigned long long)done);
}

int ks_replay_trace(const char *path, const struct ks_speclist *specs, struct ks_store *store,
		    const struct ks_replay_opts *o, struct ks_replay_summary *sum,
		    struct ks_result **results, struct ks_error *err)
{
	struct ks_replay_opts defopts;
	struct kst_reader *r = NULL;
	struct ks_result *res = NULL;
	struct worker *w = NULL;
	struct kst_info info_copy;
	_Atomic uint64_t progress = 0;
	uint64_t t0 = now_ns(), total = 0;
	int64_t trace_key = 0;
	unsigned int nthreads, t;
	size_t i, per, extra, at;
	int rc;

	memset(sum, 0, sizeof(*sum));
	if (!o) {
		ks_replay_opts_default(&defopts);
		o = &defopts;
	}
	if (specs->n == 0)
		return ks_error_set(err, KS_E_USAGE, "no configuration to replay");

	/* Open once up front: bad files fail before any thread starts. */
	rc = kst_reader_open(&r, path, err);
	if (rc)
		return rc;
	info_copy = *kst_reader_info(r);
	total = info_copy.nr_events;

	res = calloc(specs->n, sizeof(*res));
	nthreads = o->threads ? o->threads : online_cpus();
	if (nthreads > specs->n)
		nthreads = (unsigned int)specs->n;
	w = calloc(nthreads, sizeof(*w));
	if (!res || !w) {
		rc = ks_error_set(err, ENOMEM, "replay buffers");
		goto out;
	}
	per = specs->n / nthreads;
	extra = specs->n % nthreads;
	for (t = 0, at = 0; t < nthreads; t++) {
		w[t].path = path;
		w[t].specs = specs;
		w[t].first = at;
		w[t].count = per + (t < extra ? 1 : 0);
		w[t].res = res;
		w[t].stop = o->stop;
		w[t].progress = t == 0 && o->progress ? &progress : NULL;
		at += w[t].count;
	}
	for (t = 1; t < nthreads; t++) {
		if (pthread_create(&w[t].thread, NULL, worker_run, &w[t])) {
			nthreads = t;	/* run the rest ourselves is not worth it: fail */
			rc = ks_error_set(err, EAGAIN, "cannot start replay threads");
			for (t = 1; t < nthreads; t++)
				pthread_join(w[t].thread, NULL);
			goto out;
		}
	}
	if (o->progress) {
		/* worker 0 runs on this thread; progress comes from its counter */
		pthread_t self_worker;

		if (pthread_create(&self_worker, NULL, worker_run, &w[0]) == 0) {
			struct timespec ts = { 0, 200 * 1000000L };

			while (pthread_tryjoin_np(self_worker, NULL) == EBUSY) {
				progress_line(path, atomic_load(&progress), total);
				nanosleep(&ts, NULL);
			}
			progress_line(path, total ? total : atomic_load(&progress), total);
			fputc('\n', stderr);
		} else {
			worker_run(&w[0]);
		}
	} else {
		worker_run(&w[0]);
	}
	for (t = 1; t < nthreads; t++)
		pthread_join(w[t].thread, NULL);
	for (t = 0; t < nthreads; t++) {
		if (w[t].rc) {
			*err = w[t].err;
			rc = w[t].rc;
			goto out;
		}
	}

	/* Every worker read the same file; the trailer facts are the same. */
	sum->events = w[0].events;
	sum->truncated = info_copy.truncated;
	sum->lost = res[0].c.lost_events;
	for (i = 0; i < specs->n; i++)
		sum->digest = ks_result_digest(&res[i], sum->digest);

	if (store) {
		rc = ks_store_put_trace(store, &info_copy, path, &trace_key, err);
		if (rc)
			goto out;
		for (i = 0; i < specs->n; i++) {
			if (o->stop && *o->stop) {
				rc = ks_error_set(err, EINTR, "replay interrupted after %zu of %zu runs stored",
						  i, specs->n);
				goto out;
			}
			rc = ks_store_put_run(store, trace_key, &res[i], !info_copy.truncated,
					      now_ns() - t0, err);
			if (rc)
				goto out;
			sum->runs_stored++;
		}
	}
	rc = 0;
out:
	sum->wall_ns = now_ns() - t0;
	if (rc == 0 && results) {
		*results = res;
		res = NULL;
	}
	free(res);
	free(w);
	kst_reader_free(r);
	return rc;
}

int ks_policy_defaults(const char *policy, const struct ks_machine *m, char *buf, size_t len,
		       struct ks_error *err)
{
	struct ks_engine *e = NULL;
	struct ks_result *res;
	int rc;

	res = calloc(1, sizeof(*res));
	if (!res)
		return ks_error_set(err, ENOMEM, "policy defaults");
	rc = ks_engine_create(&e, policy, m, err);
	if (!rc) {
		/* an empty run resolves every "auto" value without replaying */
		ks_engine_finish(e, m->start_ns, res);
		snprintf(buf, len, "%s", res->params);
	}
	ks_engine_free(e);
	free(res);
	return rc;
}

/* FNV-1a, fed with explicit little-endian bytes so the digest is portable. */
static uint64_t fnv_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t fnv_u64(uint64_t h, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	return fnv_bytes(h, b, 8);
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	return fnv_bytes(h, s, strlen(s) + 1);
}

uint64_t ks_result_digest(const struct ks_result *r, uint64_t h)
{
	uint64_t bits;
	size_t i;

	if (!h)
		h = 0xcbf29ce484222325ull;
	h = fnv_str(h, r->policy);
	h = fnv_str(h, r->params);
	h = fnv_str(h, r->engine_version);
	h = fnv_u64(h, r->seed);
#define KS_X_DIGEST(name, desc) h = fnv_u64(h, r->c.name);
	KS_COUNTERS(KS_X_DIGEST)
#undef KS_X_DIGEST
	memcpy(&bits, &r->c.stack_pages_mean, sizeof(bits));
	h = fnv_u64(h, bits);
	memcpy(&bits, &r->c.pool_pages_mean, sizeof(bits));
	h = fnv_u64(h, bits);
	for (i = 0; i < r->nr_crashes; i++) {
		h = fnv_u64(h, r->crashes[i].time);
		h = fnv_u64(h, ((uint64_t)r->crashes[i].cpu << 32) | r->crashes[i].tid);
		h = fnv_u64(h, ((uint64_t)r->crashes[i].pages_needed << 32) | r->crashes[i].reason);
	}
	for (i = 0; i < r->nr_samples; i++) {
		h = fnv_u64(h, r->samples[i].time);
		h = fnv_u64(h, r->samples[i].stack_pages);
		h = fnv_u64(h, r->samples[i].pool_pages);
		h = fnv_u64(h, r->samples[i].kernel_stack_kb);
		h = fnv_u64(h, r->samples[i].tasks);
		h = fnv_u64(h, r->samples[i].crashes);
	}
	return h;
}
