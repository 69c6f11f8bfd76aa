// SPDX-License-Identifier: MIT
/*
 * The generator's containers: the run queue (an array with O(1) random
 * pick and removal), binary heaps with deterministic tie-breaking, and the
 * time plan derived from the parameters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "synth_impl.h"

/* events besides switches and kernel faults: snapshots, NEW, EXIT + FREE */
static uint64_t fixed_events(const struct ks_synth_params *p)
{
	return (uint64_t)p->tasks - p->births + p->deaths + p->births + 2ull * p->deaths;
}

/**
 * synth_duration_ns() - the trace length: the parameter's, or scaled so
 * that about @p->events events fit at the given rates
 */
uint64_t synth_duration_ns(const struct ks_synth_params *p)
{
	double per_ns;
	uint64_t fixed = fixed_events(p);

	if (!p->events)
		return p->duration_ns;
	per_ns = p->ncpus * (p->switch_rate + p->kfault_rate) / 1e9;
	if (p->events <= fixed + 1000)
		return (uint64_t)(1000 / per_ns) + 1;
	return (uint64_t)((p->events - fixed) / per_ns) + 1;
}

int synth_init(struct synth *g, const struct ks_synth_params *p, ks_synth_emit_fn emit,
	       void *arg, struct ks_error *err)
{
	uint32_t n0 = p->tasks - p->births + p->deaths;
	double T;

	memset(g, 0, sizeof(*g));
	g->p = p;
	g->emit = emit;
	g->arg = arg;
	ks_rng_seed(&g->rng, p->seed);
	g->end_ns = synth_duration_ns(p);
	T = (double)g->end_ns;
	g->t_lo = (uint64_t)(T * 0.02);
	g->t_births_end = (uint64_t)(T * 0.85);
	g->t_deadline = (uint64_t)(T * 0.9);
	g->switch_mean = 1e9 / p->switch_rate;
	g->kfault_mean = p->kfault_rate > 0 ? 1e9 / p->kfault_rate : 0;
	g->kid_life = T * 0.1 < 5e8 ? T * 0.1 : 5e8;
	g->pages_per_stack = p->thread_size / p->page_size;
	g->sum.end_ns = g->end_ns;

	g->cap = n0 + p->births;
	g->tasks = calloc(g->cap, sizeof(*g->tasks));
	g->runnable = calloc(g->cap, sizeof(*g->runnable));
	g->dq_cap = g->cap;
	g->dq = calloc(g->dq_cap, sizeof(*g->dq));
	g->cpus = calloc(p->ncpus, sizeof(*g->cpus));
	g->heap = calloc(p->ncpus, sizeof(*g->heap));
	if (!g->tasks || !g->runnable || !g->dq || !g->cpus || !g->heap) {
		synth_release(g);
		return ks_error_set(err, ENOMEM, "synthetic trace state");
	}
	return 0;
}

void synth_release(struct synth *g)
{
	free(g->tasks);
	free(g->runnable);
	free(g->dq);
	free(g->cpus);
	free(g->heap);
	free(g->due);
	free(g->frees);
	free(g->kid_final);
	memset(g, 0, sizeof(*g));
}

/**
 * synth_birth_time() - when birth @i (0-based) is planned: evenly spread over
 * [t_lo, t_births_end) with jitter inside each slot, so times are sorted
 * without storing them
 */
uint64_t synth_birth_time(struct synth *g, uint32_t i)
{
	double span = (double)(g->t_births_end - g->t_lo);

	if (i >= g->p->births)
		return NO_TIME;
	return g->t_lo + (uint64_t)((i + ks_rng_unit(&g->rng)) / g->p->births * span);
}

void synth_runnable_add(struct synth *g, uint32_t task)
{
	g->tasks[task].run_idx = g->nrunnable;
	g->runnable[g->nrunnable++] = task;
}

void synth_runnable_del(struct synth *g, uint32_t task)
{
	uint32_t i = g->tasks[task].run_idx, last = g->runnable[--g->nrunnable];

	g->runnable[i] = last;
	g->tasks[last].run_idx = i;
	g->tasks[task].run_idx = NONE;
}

static int grow(void **v, uint32_t *cap, size_t size)
{
	uint32_t ncap = *cap ? *cap * 2 : 256;
	void *nv = realloc(*v, (size_t)ncap * size);

	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}

static int due_less(const struct synth_due *a, const struct synth_due *b)
{
	return a->time < b->time || (a->time == b->time && a->task < b->task);
}

int synth_due_push(struct synth *g, uint64_t time, uint32_t task)
{
	uint32_t i;

	if (g->ndue == g->due_cap && grow((void **)&g->due, &g->due_cap, sizeof(*g->due)))
		return -ENOMEM;
	i = g->ndue++;
	g->due[i] = (struct synth_due){ .time = time, .task = task };
	while (i && due_less(&g->due[i], &g->due[(i - 1) / 2])) {
		struct synth_due t = g->due[i];

		g->due[i] = g->due[(i - 1) / 2];
		g->due[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
	return 0;
}

struct synth_due synth_due_pop(struct synth *g)
{
	struct synth_due top = g->due[0];
	uint32_t i = 0;

	g->due[0] = g->due[--g->ndue];
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		struct synth_due t;

		if (l < g->ndue && due_less(&g->due[l], &g->due[m]))
			m = l;
		if (r < g->ndue && due_less(&g->due[r], &g->due[m]))
			m = r;
		if (m == i)
			break;
		t = g->due[i];
		g->due[i] = g->due[m];
		g->due[m] = t;
		i = m;
	}
	return top;
}

static int free_less(const struct synth_free *a, const struct synth_free *b)
{
	return a->time < b->time || (a->time == b->time && a->task < b->task);
}

int synth_free_push(struct synth *g, uint64_t time, uint32_t task, uint32_t cpu)
{
	uint32_t i;

	if (g->nfree == g->free_cap && grow((void **)&g->frees, &g->free_cap, sizeof(*g->frees)))
		return -ENOMEM;
	i = g->nfree++;
	g->frees[i] = (struct synth_free){ .time = time, .task = task, .cpu = cpu };
	while (i && free_less(&g->frees[i], &g->frees[(i - 1) / 2])) {
		struct synth_free t = g->frees[i];

		g->frees[i] = g->frees[(i - 1) / 2];
		g->frees[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
	return 0;
}

struct synth_free synth_free_pop(struct synth *g)
{
	struct synth_free top = g->frees[0];
	uint32_t i = 0;

	g->frees[0] = g->frees[--g->nfree];
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		struct synth_free t;

		if (l < g->nfree && free_less(&g->frees[l], &g->frees[m]))
			m = l;
		if (r < g->nfree && free_less(&g->frees[r], &g->frees[m]))
			m = r;
		if (m == i)
			break;
		t = g->frees[i];
		g->frees[i] = g->frees[m];
		g->frees[m] = t;
		i = m;
	}
	return top;
}

static int hent_less(const struct synth_hent *a, const struct synth_hent *b)
{
	return a->key < b->key || (a->key == b->key && a->cpu < b->cpu);
}

/**
 * synth_cpu_heap_down() - restore the heap after slot @i's key grew; the key is
 * kept in the heap itself so sifting touches one array
 */
void synth_cpu_heap_down(struct synth *g, uint32_t i)
{
	struct synth_hent *h = g->heap, x = h[i];
	uint32_t n = g->p->ncpus;

	for (;;) {
		uint32_t l = 2 * i + 1, m;

		if (l >= n)
			break;
		m = l + 1 < n && hent_less(&h[l + 1], &h[l]) ? l + 1 : l;
		if (!hent_less(&h[m], &x))
			break;
		h[i] = h[m];
		i = m;
	}
	h[i] = x;
}

void synth_cpu_heap_build(struct synth *g)
{
	uint32_t i;

	for (i = 0; i < g->p->ncpus; i++) {
		const struct synth_cpu *c = &g->cpus[i];

		g->heap[i].cpu = i;
		g->heap[i].key = c->next_switch < c->next_kfault ? c->next_switch : c->next_kfault;
	}
	i = g->p->ncpus / 2 + 1;
	while (i--)
		synth_cpu_heap_down(g, i);
}
