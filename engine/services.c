// SPDX-License-Identifier: MIT
/*
 * Engine services for policies (policy.h): the stack, charge and pool
 * levels with their means and peaks, the page allocator with failure
 * injection, crash records, deferred work and the memory-over-time series.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct ks_arena {
	struct ks_arena *next;
	_Alignas(16) unsigned char data[];
};

void *ks_run_zalloc(struct ks_run *r, size_t size)
{
	struct ks_arena *a = calloc(1, sizeof(*a) + size);

	if (!a) {
		r->nomem = true;
		return NULL;
	}
	a->next = r->arena;
	r->arena = a;
	return a->data;
}

/* Close the area under the levels up to now, before a level changes. */
void ks_levels_touch(struct ks_run *r)
{
	uint64_t from = r->last_t > r->start_ns ? r->last_t : r->start_ns;
	int64_t pool = r->lv.pool + r->lv.global;
	uint64_t now = *r->clock;

	if (now > from) {
		uint64_t dt = now - from;

		if (r->lv.stack > 0)
			r->area_stack += (unsigned __int128)(uint64_t)r->lv.stack * dt;
		if (pool > 0)
			r->area_pool += (unsigned __int128)(uint64_t)pool * dt;
	}
	if (now > r->last_t)
		r->last_t = now;
}

static void stack_level(struct ks_run *r, int64_t delta)
{
	ks_levels_touch(r);
	r->lv.stack += delta;
	if (r->lv.stack > (int64_t)r->c.stack_pages_peak)
		r->c.stack_pages_peak = (uint64_t)r->lv.stack;
}

void ks_stack_map(struct ks_run *r, struct ks_ptask *t, uint32_t n)
{
	t->mapped += n;
	r->c.maps += n;
	stack_level(r, n);
}

void ks_stack_adopt(struct ks_run *r, struct ks_ptask *t, uint32_t n)
{
	t->mapped += n;
	stack_level(r, n);
}

void ks_task_adopt(struct ks_run *r, struct ks_hook *h)
{
	struct ks_ptask *t = h->t;
	uint32_t n, base;

	if (h->need <= t->mapped)
		return;
	n = h->need - t->mapped;
	base = t->mapped > r->prealloc ? t->mapped : r->prealloc;
	ks_stack_adopt(r, t, n);
	/* the kernel dropped an exited task's accounting at do_exit */
	if (!(t->flags & KS_PT_EXITED))
		ks_charge(r, t, n, h->need > base ? h->need - base : 0, false);
}

void ks_stack_unmap(struct ks_run *r, struct ks_ptask *t, uint32_t n)
{
	t->mapped -= n;
	r->c.unmaps += n;
	stack_level(r, -(int64_t)n);
}

void ks_stack_drop(struct ks_run *r, struct ks_ptask *t, uint32_t n)
{
	t->mapped -= n;
	stack_level(r, -(int64_t)n);
}

void ks_cache_add(struct ks_run *r, int64_t delta)
{
	r->lv.cache += delta;
}

void ks_charge(struct ks_run *r, struct ks_ptask *t, uint32_t n, uint32_t dyn, bool memcg)
{
	t->charged += n;
	t->charged_dyn += dyn;
	r->lv.kstack_kb += (int64_t)n * r->page_kb;
	r->lv.dyn_kb += (int64_t)dyn * r->page_kb;
	if (memcg)
		r->c.charges += n;
}

void ks_uncharge(struct ks_run *r, struct ks_ptask *t, uint32_t n, uint32_t dyn)
{
	/* charges already dropped (at EXIT) are not dropped twice */
	if (n > t->charged)
		n = t->charged;
	if (dyn > t->charged_dyn)
		dyn = t->charged_dyn;
	t->charged -= n;
	t->charged_dyn -= dyn;
	r->lv.kstack_kb -= (int64_t)n * r->page_kb;
	r->lv.dyn_kb -= (int64_t)dyn * r->page_kb;
}

void ks_fault(struct ks_run *r, uint32_t pages)
{
	r->c.faults++;
	r->c.fault_pages += pages;
	/* arm64: the fault runs on the sync stack and flushes each mapped page */
	if (r->conf.entry_model == KS_EM_ARM64) {
		r->c.sync_exceptions++;
		r->c.tlb_flushes += pages;
	}
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t ks_fail_until(const struct ks_run *r, uint64_t when)
{
	bool moved = true;
	uint32_t i;

	while (moved) {
		moved = false;
		for (i = 0; i < r->conf.fail_windows.n; i++) {
			if (when >= r->fail_ns[i][0] && when < r->fail_ns[i][1]) {
				when = r->fail_ns[i][1];
				moved = true;
			}
		}
	}
	return when;
}

bool ks_alloc_page(struct ks_run *r)
{
	return ks_alloc_page_at(r, *r->clock);
}

bool ks_alloc_page_at(struct ks_run *r, uint64_t when)
{
	bool fail = false;
	uint32_t i;

	r->c.alloc_attempts++;
	for (i = 0; i < r->conf.fail_windows.n; i++)
		if (when >= r->fail_ns[i][0] && when < r->fail_ns[i][1])
			fail = true;
	/* one draw per attempt whatever the windows say, so runs stay comparable */
	if (r->conf.fail_rate > 0) {
		double u = (double)(splitmix64(&r->rng) >> 11) * 0x1.0p-53;

		if (u < r->conf.fail_rate)
			fail = true;
	}
	if (fail)
		r->c.alloc_failures++;
	return !fail;
}

void ks_crash(struct ks_run *r, const struct ks_hook *h, uint32_t pages, uint32_t reason)
{
	r->c.crashes++;
	if (r->nr_crashes < KS_MAX_CRASHES) {
		struct ks_crash *c = &r->crashes[r->nr_crashes++];

		c->time = h->time;
		c->cpu = h->cpu;
		c->tid = h->tid;
		c->pages_needed = pages;
		c->reason = reason;
	}
}

static bool timer_before(const struct ks_timer *a, const struct ks_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

void ks_timer_add(struct ks_run *r, uint64_t when, ks_timer_fn fn, uint64_t arg)
{
	struct ks_timer t = { when, r->timer_seq++, arg, fn };
	size_t i;

	if (when == KS_TIME_NEVER)
		return;

	if (r->nr_timers == r->timers_cap) {
		size_t cap = r->timers_cap ? r->timers_cap * 2 : 64;
		struct ks_timer *n = realloc(r->timers, cap * sizeof(*n));

		if (!n) {
			r->nomem = true;
			return;
		}
		r->timers = n;
		r->timers_cap = cap;
	}
	i = r->nr_timers++;
	while (i) {
		size_t p = (i - 1) / 2;

		if (!timer_before(&t, &r->timers[p]))
			break;
		r->timers[i] = r->timers[p];
		i = p;
	}
	r->timers[i] = t;
	if (when < r->grid->next_timer)
		r->grid->next_timer = when;
}

static struct ks_timer timer_pop(struct ks_run *r)
{
	struct ks_timer top = r->timers[0];
	struct ks_timer last = r->timers[--r->nr_timers];
	size_t i = 0, n = r->nr_timers;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && timer_before(&r->timers[c + 1], &r->timers[c]))
			c++;
		if (!timer_before(&r->timers[c], &last))
			break;
		r->timers[i] = r->timers[c];
		i = c;
	}
	if (n)
		r->timers[i] = last;
	return top;
}

/* Run every timer due at or before @upto, in time order. */
void ks_run_timers(struct ks_run *r, uint64_t upto)
{
	struct ks_grid *g = r->grid;
	uint64_t saved = g->now;

	while (r->nr_timers && r->timers[0].when <= upto) {
		struct ks_timer t = timer_pop(r);

		/* work scheduled in the past runs now, never back in time */
		if (t.when > g->now)
			g->now = t.when;
		if (g->now)
			ks_series_advance(r, g->now - 1);
		t.fn(r, t.arg);
	}
	g->now = saved;
}

static void series_push(struct ks_run *r, uint64_t t)
{
	struct ks_sample *s = &r->samples[r->nr_samples++];

	s->time = t;
	s->stack_pages = r->lv.stack > 0 ? (uint64_t)r->lv.stack : 0;
	s->pool_pages = (uint64_t)(r->lv.pool + r->lv.global);
	s->kernel_stack_kb = r->lv.kstack_kb > 0 ? (uint64_t)r->lv.kstack_kb : 0;
	s->tasks = r->grid->tasks;
	s->crashes = r->c.crashes;
}

/*
 * Keep every other point (0, 2, 4...) and double the interval.  A series of
 * one point (samples=1) keeps none, so there is room for the next.
 */
static void series_halve(struct ks_run *r)
{
	unsigned __int128 at;
	size_t i, k = 0;

	for (i = 0; i < r->nr_samples && r->nr_samples > 1; i += 2)
		r->samples[k++] = r->samples[i];
	r->nr_samples = k;
	r->sample_every = ks_time_add(r->sample_every, r->sample_every);
	at = r->start_ns + (unsigned __int128)k * r->sample_every;
	r->next_sample = at >= KS_TIME_NEVER ? KS_TIME_NEVER : (uint64_t)at;
}

/*
 * Record the points at every multiple of the interval <= @upto.  Called
 * before anything happens after @upto, so a point shows the state after
 * every event at or before its time.
 */
void ks_series_advance(struct ks_run *r, uint64_t upto)
{
	if (!r->conf.samples)
		return;
	while (r->next_sample <= upto && r->next_sample != KS_TIME_NEVER) {
		if (r->nr_samples == r->conf.samples) {
			series_halve(r);
			continue;
		}
		series_push(r, r->next_sample);
		r->next_sample = ks_time_add(r->next_sample, r->sample_every);
	}
}

/* The state at the end, as a last point off the grid if needed. */
void ks_series_final(struct ks_run *r, uint64_t end)
{
	if (!r->conf.samples)
		return;
	ks_series_advance(r, end);
	if (r->nr_samples && r->samples[r->nr_samples - 1].time == end)
		return;
	if (r->nr_samples == r->conf.samples)
		series_halve(r);
	series_push(r, end);
}

/* The time @seconds after the start; a window reaching past the clock never ends. */
static uint64_t after_start(const struct ks_run *r, double seconds)
{
	double ns = seconds * 1e9;

	if (!(ns < 0x1p64))
		return KS_TIME_NEVER;
	return ks_time_add(r->start_ns, ns > 0 ? (uint64_t)ns : 0);
}

int ks_run_alloc_services(struct ks_run *r)
{
	uint32_t i;

	r->rng = r->conf.seed;
	for (i = 0; i < r->conf.fail_windows.n; i++) {
		r->fail_ns[i][0] = after_start(r, r->conf.fail_windows.start[i]);
		r->fail_ns[i][1] = after_start(r, r->conf.fail_windows.end[i]);
	}
	r->sample_every = 1000;
	r->next_sample = r->start_ns;
	if (r->conf.samples) {
		r->samples = calloc(r->conf.samples, sizeof(*r->samples));
		if (!r->samples)
			return -ENOMEM;
	}
	return 0;
}

void ks_run_free_services(struct ks_run *r)
{
	struct ks_arena *a = r->arena, *n;

	while (a) {
		n = a->next;
		free(a);
		a = n;
	}
	free(r->timers);
	free(r->samples);
}

int ks_pool_init(struct ks_run *r, struct ks_pool *p, uint32_t nslots)
{
	p->slot = nslots ? ks_run_zalloc(r, nslots) : NULL;
	if (nslots && !p->slot)
		return -ENOMEM;
	p->nslots = nslots;
	p->pages = 0;
	return 0;
}

static void pool_level(struct ks_run *r, struct ks_pool *p, int64_t delta)
{
	ks_levels_touch(r);
	if (p->global) {
		r->lv.global += delta;
		return;
	}
	r->lv.pool += delta;
	if (r->lv.pool > (int64_t)r->c.pool_pages_peak)
		r->c.pool_pages_peak = (uint64_t)r->lv.pool;
}

void ks_pool_set(struct ks_run *r, struct ks_pool *p, uint32_t i, enum ks_slot state)
{
	int64_t d = (state == KS_SLOT_PAGE) - (p->slot[i] == KS_SLOT_PAGE);

	p->slot[i] = (uint8_t)state;
	if (d) {
		p->pages += (uint32_t)d;
		pool_level(r, p, d);
	}
}

uint32_t ks_pool_fill(struct ks_run *r, struct ks_pool *p, bool inject)
{
	uint32_t i, n = 0;

	for (i = 0; i < p->nslots; i++) {
		if (p->slot[i] != KS_SLOT_EMPTY)
			continue;
		if (inject && !ks_alloc_page(r))
			continue;
		ks_pool_set(r, p, i, KS_SLOT_PAGE);
		n++;
	}
	return n;
}

int ks_pool_take(struct ks_run *r, struct ks_pool *p)
{
	uint32_t i;

	if (!p->pages)
		return -1;
	for (i = 0; i < p->nslots; i++) {
		if (p->slot[i] == KS_SLOT_PAGE) {
			ks_pool_set(r, p, i, KS_SLOT_TAKEN);
			return (int)i;
		}
	}
	return -1;
}
