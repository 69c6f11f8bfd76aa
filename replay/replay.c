// SPDX-License-Identifier: MIT
/*
 * Replay one trace under many configurations, in parallel.
 *
 * The calling thread reads and decodes the trace once, each block straight
 * into a slot of a small ring that it then broadcasts to every worker
 * thread (no copy: the slot is the reader's output array); each worker
 * feeds the blocks to a grid of the configurations it owns (the engine does
 * the trace-side work once per event for its whole grid).  Decoding thus
 * runs once, and overlaps with the engines.
 *
 * With a single worker, the calling thread is the worker: it decodes a
 * block and feeds it to its grid while the block is still in its cache.
 * Handing blocks to another thread would move every event from one core's
 * cache to another's, which cost a quarter more CPU time per event than
 * decoding and replaying on one core (kstack bench), for an overlap that
 * only a second idle core gives.
 *
 * Results are stored by the calling thread after every worker finished, in
 * spec order, one transaction per run: the database never sees a run that
 * did not read the whole trace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ks_progress.h"
#include "replay.h"
#include "tasks.h"

#define RING_SLOTS 8

struct slot {
	struct ks_event *evs;
	size_t n, cap;
	unsigned int pending;		/* workers that have not consumed it yet */
};

/* The broadcast ring between the decoding thread and the workers. */
struct ring {
	pthread_mutex_t lock;
	pthread_cond_t filled;		/* a slot was filled, or the end came */
	pthread_cond_t drained;		/* a slot was consumed by every worker */
	struct slot slot[RING_SLOTS];
	uint64_t produced;		/* blocks put into the ring */
	unsigned int nworkers;
	int done;			/* no more blocks will come */
};

struct worker {
	pthread_t thread;
	struct ring *ring;
	struct ks_tasks *tasks;		/* the per-task analysis's thread: no grid */
	const struct ks_machine *m;
	const struct ks_speclist *specs;
	size_t first, count;		/* specs[first .. first+count) */
	struct ks_result *res;		/* shared array; this worker fills its slice */
	struct ks_grid *grid;
	uint64_t end_ns;		/* time of the last event seen */
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

/* Is @v a power of two from 4 KiB to 1 MiB (every page and stack size of Linux)? */
static bool size_plausible(uint64_t v)
{
	return v >= 4096 && v <= (1u << 20) && !(v & (v - 1));
}

int ks_replay_machine(struct ks_machine *m, const struct kst_info *info, struct ks_error *err)
{
	static const char expect[] = "expected a power of two from 4096 to 1048576";

	memset(m, 0, sizeof(*m));
	if (!size_plausible(info->page_size))
		return ks_error_set(err, KS_E_CORRUPT, "header field page_size is %" PRIu64 " (%s)",
				    info->page_size, expect);
	if (!size_plausible(info->thread_size))
		return ks_error_set(err, KS_E_CORRUPT, "header field thread_size is %" PRIu64
				    " (%s)", info->thread_size, expect);
	if (!info->ncpus)
		return ks_error_set(err, KS_E_CORRUPT,
				    "header field ncpus is 0 (expected the number of CPUs)");
	m->start_ns = info->start_ns;
	m->page_size = (uint32_t)info->page_size;
	m->thread_size = (uint32_t)info->thread_size;
	m->ncpus = info->ncpus;
	m->depth_known = info->depth_source != KST_DEPTH_NONE;
	return 0;
}

/* Feed one decoded block to @w's grid */
static void worker_feed(struct worker *w, const struct slot *s)
{
	/* stopping: drain the ring without replaying it (the results are dropped) */
	if (!ks_stop_signal()) {
		if (w->tasks)
			ks_tasks_feed(w->tasks, s->evs, s->n);
		else
			ks_grid_feed(w->grid, s->evs, s->n);
	}
	if (s->n && s->evs[s->n - 1].time > w->end_ns)
		w->end_ns = s->evs[s->n - 1].time;
}

/*
 * The engine cannot report errors per event: a grid that ran out of memory
 * is incomplete and must not be stored as if whole.
 */
static void worker_finish(struct worker *w)
{
	w->rc = w->tasks ? ks_tasks_status(w->tasks) : ks_grid_status(w->grid);
	if (w->rc)
		ks_error_set(&w->err, -w->rc, "replay ran out of memory");
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct ring *ring = w->ring;
	uint64_t next = 0;
	struct slot *s;

	for (;;) {
		pthread_mutex_lock(&ring->lock);
		while (ring->produced <= next && !ring->done)
			pthread_cond_wait(&ring->filled, &ring->lock);
		if (ring->produced <= next) {	/* done, and nothing left for us */
			pthread_mutex_unlock(&ring->lock);
			break;
		}
		pthread_mutex_unlock(&ring->lock);

		/* the slot stays ours until we decrement pending */
		s = &ring->slot[next % RING_SLOTS];
		worker_feed(w, s);

		pthread_mutex_lock(&ring->lock);
		if (--s->pending == 0)
			pthread_cond_broadcast(&ring->drained);
		pthread_mutex_unlock(&ring->lock);
		next++;
	}
	worker_finish(w);
	return NULL;
}

/* The next slot to fill, once every worker is done with it */
static struct slot *ring_next(struct ring *ring)
{
	struct slot *s = &ring->slot[ring->produced % RING_SLOTS];

	pthread_mutex_lock(&ring->lock);
	while (s->pending)
		pthread_cond_wait(&ring->drained, &ring->lock);
	pthread_mutex_unlock(&ring->lock);
	return s;
}

/* Publish the slot ring_next() gave, now holding a block */
static void ring_publish(struct ring *ring, struct slot *s)
{
	pthread_mutex_lock(&ring->lock);
	s->pending = ring->nworkers;
	ring->produced++;
	pthread_cond_broadcast(&ring->filled);
	pthread_mutex_unlock(&ring->lock);
}

static void ring_close(struct ring *ring)
{
	pthread_mutex_lock(&ring->lock);
	ring->done = 1;
	pthread_cond_broadcast(&ring->filled);
	pthread_mutex_unlock(&ring->lock);
}

static unsigned int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned int)n : 1;
}

/*
 * Decode every block into the ring, or, with @self (the only worker), into
 * one slot fed to @self's grid at once; returns 0 at the end of the trace
 * or a negative code (corrupt block, interrupted, no memory).
 */
static int produce(struct kst_reader *r, struct ring *ring, struct worker *self,
		   const char *path, const struct ks_replay_opts *o, uint64_t total,
		   uint64_t *events, struct ks_error *err)
{
	struct slot *s;
	int rc;

	for (;;) {
		s = self ? &ring->slot[0] : ring_next(ring);
		rc = kst_reader_read_block(r, &s->evs, &s->cap, &s->n, err);
		if (rc <= 0)
			break;
		rc = ks_stop_check(err, "replay");
		if (rc)
			break;
		if (self)
			worker_feed(self, s);
		else
			ring_publish(ring, s);
		*events += s->n;
		if (o->progress)
			ks_progress_count(o->progress_verb ? o->progress_verb : "replay",
					  o->progress_what ? o->progress_what : path, *events,
					  total, "events");
	}
	/* the line goes before the summary or an error line */
	if (o->progress)
		ks_progress_clear();
	return rc;
}

struct ks_replay_input {
	struct kst_reader *r;
	struct ks_machine m;
	char *path;
};

const struct ks_machine *ks_replay_input_machine(const struct ks_replay_input *in)
{
	return &in->m;
}

void ks_replay_input_free(struct ks_replay_input *in)
{
	if (!in)
		return;
	kst_reader_free(in->r);
	free(in->path);
	free(in);
}

int ks_replay_input_open(struct ks_replay_input **out, const char *path,
			 const struct ks_speclist *specs, struct ks_error *err)
{
	struct ks_replay_input *in;
	size_t i;
	int rc;

	*out = NULL;
	if (specs->n == 0)
		return ks_error_set(err, KS_E_USAGE, "no configuration to replay");
	in = calloc(1, sizeof(*in));
	if (!in)
		return ks_error_set(err, ENOMEM, "replay input");
	in->path = strdup(path);
	if (!in->path) {
		rc = ks_error_set(err, ENOMEM, "replay input");
		goto fail;
	}
	rc = kst_reader_open(&in->r, path, err);
	if (!rc)
		rc = ks_replay_machine(&in->m, kst_reader_info(in->r), err);
	for (i = 0; !rc && i < specs->n; i++)
		rc = ks_spec_check(specs->specs[i], &in->m, err);
	if (rc)
		goto fail;
	*out = in;
	return 0;
fail:
	ks_replay_input_free(in);
	return rc;
}

/*
 * The per-task analysis of @in, unless the store has the trace's task rows
 * already (they depend on the trace alone): @tw->tasks set, and @tx
 * collecting its rows in the store; both left NULL when not needed.
 */
static int tasks_open(struct ks_replay_input *in, struct ks_store *store, struct worker *tw,
		      struct ks_store_tasks **tx, struct ks_error *err)
{
	const struct kst_info *info = kst_reader_info(in->r);
	struct ks_tasks_config cfg = {
		.start_ns = info->start_ns,
		.page_size = in->m.page_size,
		.thread_size = in->m.thread_size,
		.workload_pid = info->workload_pid,
	};
	bool known;
	int rc;

	rc = ks_store_tasks_known(store, info, &known, err);
	if (rc || known)
		return rc;
	rc = ks_store_tasks_begin(store, cfg.thread_size, tx, err);
	if (rc)
		return rc;
	rc = ks_tasks_create(&tw->tasks, &cfg, ks_store_tasks_put, *tx);
	if (rc)
		return ks_error_set(err, -rc, "per-task analysis");
	return 0;
}

int ks_replay_input_run(struct ks_replay_input *in, const struct ks_speclist *specs,
			struct ks_store *store, const struct ks_replay_opts *o,
			struct ks_replay_summary *sum, struct ks_result **results,
			struct ks_error *err)
{
	struct ks_replay_opts defopts;
	struct kst_reader *r = in->r;
	struct ks_result *res = NULL;
	struct worker *w = NULL;
	const struct kst_info *info = kst_reader_info(r);
	const char *path = in->path;
	struct ks_store_tasks *tx = NULL;
	struct worker tw = { 0 };
	struct ring ring;
	uint64_t t0 = now_ns(), end_ns = 0;
	int64_t trace_key = 0;
	unsigned int nthreads, started = 0, t;
	bool tw_started = false, direct;
	size_t i, per, extra, at;
	int rc = 0, prc;

	memset(sum, 0, sizeof(*sum));
	memset(&ring, 0, sizeof(ring));
	pthread_mutex_init(&ring.lock, NULL);
	pthread_cond_init(&ring.filled, NULL);
	pthread_cond_init(&ring.drained, NULL);
	if (!o) {
		ks_replay_opts_default(&defopts);
		o = &defopts;
	}

	nthreads = o->threads ? o->threads : online_cpus();
	if (nthreads > specs->n)
		nthreads = (unsigned int)specs->n;
	res = calloc(specs->n, sizeof(*res));
	w = calloc(nthreads, sizeof(*w));
	if (!res || !w) {
		rc = ks_error_set(err, ENOMEM, "replay buffers");
		goto out;
	}
	per = specs->n / nthreads;
	extra = specs->n % nthreads;
	for (t = 0, at = 0; t < nthreads; t++) {
		w[t].ring = &ring;
		w[t].m = &in->m;
		w[t].specs = specs;
		w[t].first = at;
		w[t].count = per + (t < extra ? 1 : 0);
		w[t].res = res;
		w[t].end_ns = info->start_ns;
		at += w[t].count;
		/* the specs were checked at open: only memory can fail here */
		rc = ks_grid_create(&w[t].grid, (const char *const *)specs->specs + w[t].first,
				    w[t].count, &in->m, err);
		if (rc)
			goto out;
	}
	if (store) {
		rc = tasks_open(in, store, &tw, &tx, err);
		if (rc)
			goto out;
	}
	/*
	 * One configuration worker and no per-task analysis: this thread
	 * decodes and replays itself (handing blocks to another core costs more
	 * than it overlaps); otherwise every consumer reads the ring.
	 */
	direct = nthreads == 1 && !tw.tasks;
	ring.nworkers = direct ? 0 : nthreads;
	for (t = 0; !direct && t < nthreads; t++) {
		if (pthread_create(&w[t].thread, NULL, worker_run, &w[t])) {
			rc = ks_error_set(err, EAGAIN, "cannot start replay threads");
			ring.nworkers = t;	/* nobody else will consume */
			break;
		}
		started++;
	}
	/* the per-task analysis reads the same blocks in a thread of its own */
	if (!rc && tw.tasks) {
		tw.ring = &ring;
		pthread_mutex_lock(&ring.lock);
		ring.nworkers++;
		pthread_mutex_unlock(&ring.lock);
		if (pthread_create(&tw.thread, NULL, worker_run, &tw)) {
			rc = ks_error_set(err, EAGAIN, "cannot start replay threads");
			pthread_mutex_lock(&ring.lock);
			ring.nworkers--;
			pthread_mutex_unlock(&ring.lock);
		} else {
			tw_started = true;
		}
	}
	if (!rc)
		rc = produce(r, &ring, direct ? &w[0] : NULL, path, o, info->nr_events,
			     &sum->events, err);
	ring_close(&ring);
	for (t = 0; t < started; t++)
		pthread_join(w[t].thread, NULL);
	if (tw_started)
		pthread_join(tw.thread, NULL);
	if (direct)
		worker_finish(&w[0]);
	/* a stop after the last block may have cut the workers short */
	if (!rc)
		rc = ks_stop_check(err, "replay");
	if (rc < 0)
		goto out;
	for (t = 0; t < nthreads; t++) {
		if (w[t].rc) {
			*err = w[t].err;
			rc = w[t].rc;
			goto out;
		}
		if (w[t].end_ns > end_ns)
			end_ns = w[t].end_ns;
	}

	/* after the last block the reader knows the trailer (or its absence) */
	info = kst_reader_info(r);
	if (!info->truncated && info->end_ns > end_ns)
		end_ns = info->end_ns;
	for (t = 0; t < nthreads; t++) {
		ks_grid_finish(w[t].grid, end_ns, res + w[t].first);
		for (i = w[t].first; i < w[t].first + w[t].count; i++)
			res[i].c.lost_events = kst_info_lost_total(info);
	}
	sum->truncated = info->truncated;
	sum->lost = kst_info_lost_total(info);
	for (i = 0; i < specs->n; i++)
		sum->digest = ks_result_digest(&res[i], sum->digest);

	if (tw.tasks && tw.rc == -ENOMEM) {
		*err = tw.err;
		rc = tw.rc;
		goto out;
	}
	if (store) {
		rc = ks_store_put_trace(store, info, path, &trace_key, err);
		if (rc)
			goto out;
		if (tx) {
			/* the tasks still alive at the end go too */
			ks_tasks_finish(tw.tasks, end_ns);
			sum->tasks = ks_tasks_count(tw.tasks);
			rc = ks_store_tasks_commit(tx, trace_key, info->workload_pid,
						   ks_tasks_live_peak(tw.tasks), err);
			tx = NULL;
			if (rc)
				goto out;
		}
		for (i = 0; i < specs->n; i++) {
			if (ks_stop_signal()) {
				rc = ks_error_set(err, EINTR,
						  "replay interrupted after %zu of %zu runs stored",
						  i, specs->n);
				goto out;
			}
			rc = ks_store_put_run(store, trace_key, &res[i], !info->truncated,
					      now_ns() - t0, err);
			if (rc)
				goto out;
			sum->runs_stored++;
		}
	}
	rc = 0;
out:
	prc = rc;
	sum->wall_ns = now_ns() - t0;
	if (prc == 0 && results) {
		*results = res;
		res = NULL;
	}
	if (w)
		for (t = 0; t < nthreads; t++)
			ks_grid_free(w[t].grid);
	ks_store_tasks_abort(tx);
	ks_tasks_free(tw.tasks);
	for (i = 0; i < RING_SLOTS; i++)
		free(ring.slot[i].evs);
	pthread_cond_destroy(&ring.filled);
	pthread_cond_destroy(&ring.drained);
	pthread_mutex_destroy(&ring.lock);
	free(res);
	free(w);
	return prc;
}

int ks_replay_trace(const char *path, const struct ks_speclist *specs, struct ks_store *store,
		    const struct ks_replay_opts *o, struct ks_replay_summary *sum,
		    struct ks_result **results, struct ks_error *err)
{
	struct ks_replay_input *in;
	int rc;

	memset(sum, 0, sizeof(*sum));
	rc = ks_replay_input_open(&in, path, specs, err);
	if (rc)
		return rc;
	rc = ks_replay_input_run(in, specs, store, o, sum, results, err);
	ks_replay_input_free(in);
	return rc;
}
