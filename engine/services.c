// SPDX-License-Identifier: MIT
/*
 * Engine services for policies (policy.h): the stack, charge and pool
 * levels with their means and peaks, the page allocator with failure
 * injection, crash records, deferred work and the memory-over-time series.
 * Each service counts what it does, and these are the only writers of a
 * run's counters outside the event loop: so every policy is counted alike.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grid_state.h"

struct ks_arena {
	struct ks_arena *next;
	_Alignas(16) unsigned char data[];
};

void *ks_run_zalloc(struct ks_run *r, size_t size)
{
	struct ks_run_state *s = ks_run_state(r);
	struct ks_arena *a = calloc(1, sizeof(*a) + size);

	if (!a) {
		s->nomem = true;
		return NULL;
	}
	a->next = s->arena;
	s->arena = a;
	return a->data;
}

struct ks_ptask *ks_task_at(struct ks_run *r, uint32_t slot)
{
	return ks_run_task(ks_run_state(r), slot);
}

void ks_run_limit(struct ks_run *r, uint32_t pages)
{
	ks_run_state(r)->geom.limit_pages = pages;
}

/* Pages held by stacks, every pool and cached stacks: the sum whose peak and mean are kept. */
static int64_t total_level(const struct ks_run_state *s)
{
	return s->lv.stack + s->lv.pool + s->lv.global + s->lv.cache;
}

/* Close the area under the levels up to now, before a level changes. */
void ks_levels_touch(struct ks_run_state *s)
{
	uint64_t start = s->geom.start_ns;
	uint64_t from = s->last_t > start ? s->last_t : start;
	int64_t total = total_level(s);
	uint64_t now = *s->run.clock;

	if (now > from) {
		uint64_t dt = now - from;

		if (s->lv.stack > 0)
			s->area_stack += (unsigned __int128)(uint64_t)s->lv.stack * dt;
		if (s->lv.pool > 0)
			s->area_pool += (unsigned __int128)(uint64_t)s->lv.pool * dt;
		if (total > 0)
			s->area_total += (unsigned __int128)(uint64_t)total * dt;
	}
	if (now > s->last_t)
		s->last_t = now;
}

/* @t's slot in @s, or KS_NO_TASK for a task outside the table (a unit test's). */
static uint32_t task_slot(const struct ks_run_state *s, const struct ks_ptask *t)
{
	uintptr_t p = (uintptr_t)t, base = (uintptr_t)s->tasks;

	if (p < base || p >= base + (uintptr_t)s->grid->task_cap * s->stride)
		return KS_NO_TASK;
	return (uint32_t)((p - base) / s->stride);
}

/*
 * The area under the pages of running tasks, closed for the task in @slot
 * up to now: its pages times the time it ran since its stack last changed.
 * Called before its page count changes, and for every live task at the end.
 */
void ks_run_close(struct ks_run_state *s, uint32_t slot)
{
	uint64_t ran = ks_task_ran(s->grid, &s->grid->task[slot]);
	const struct ks_ptask *t = ks_run_task(s, slot);

	if (ran > s->run_mark[slot])
		s->area_run += (unsigned __int128)t->mapped * (ran - s->run_mark[slot]);
	s->run_mark[slot] = ran;
}

/* @t's page count is about to change: close its share of the running area. */
static void task_touch(struct ks_run_state *s, const struct ks_ptask *t)
{
	uint32_t slot = task_slot(s, t);

	if (slot != KS_NO_TASK)
		ks_run_close(s, slot);
}

/*
 * After a level changed: the peak of the sum.  Every policy moves a page
 * out of one level before it enters the next (a pool page taken, then
 * mapped), so a move never shows as a peak: only new pages raise the sum.
 */
static void total_peak(struct ks_run_state *s)
{
	int64_t total = total_level(s);

	if (total > (int64_t)s->c.total_pages_peak)
		s->c.total_pages_peak = (uint64_t)total;
}

static void stack_level(struct ks_run_state *s, int64_t delta)
{
	ks_levels_touch(s);
	s->lv.stack += delta;
	if (s->lv.stack > (int64_t)s->c.stack_pages_peak)
		s->c.stack_pages_peak = (uint64_t)s->lv.stack;
	total_peak(s);
}

void ks_stack_map(struct ks_run *r, struct ks_ptask *t, uint32_t n)
{
	struct ks_run_state *s = ks_run_state(r);

	task_touch(s, t);
	t->mapped += n;
	s->c.maps += n;
	s->c.pte_writes += n;
	/* a page a task gets as it is switched in (not a fault seen at switch-out) */
	if (s->in_hook == KS_HOOK_SWITCH_IN)
		s->c.switch_alloc_pages += n;
	stack_level(s, n);
}

void ks_stack_adopt(struct ks_run *r, struct ks_ptask *t, uint32_t n)
{
	struct ks_run_state *s = ks_run_state(r);

	task_touch(s, t);
	t->mapped += n;
	stack_level(s, n);
}

void ks_stack_inherit(struct ks_run *r, struct ks_ptask *t, uint32_t n)
{
	struct ks_run_state *s = ks_run_state(r);
	uint32_t grown = n - s->geom.prealloc;

	ks_cache_add(r, -(int64_t)n);
	ks_stack_adopt(r, t, n);
	ks_charge(r, t, n, grown, true);
	s->c.inherited_pages += grown;
	t->flags |= KS_PT_INHERITED;
}

void ks_stack_join(struct ks_run *r, struct ks_ptask *t, uint32_t n, bool map)
{
	uint32_t prealloc = r->geo->prealloc;
	uint32_t base = t->mapped > prealloc ? t->mapped : prealloc;
	uint32_t dyn = t->mapped + n > base ? t->mapped + n - base : 0;

	if (map)
		ks_stack_map(r, t, n);
	else
		ks_stack_adopt(r, t, n);
	/* the kernel dropped an exited task's accounting at do_exit */
	if (!(t->flags & KS_PT_EXITED))
		ks_charge(r, t, n, dyn, false);
}

void ks_task_adopt(struct ks_run *r, const struct ks_hook *h)
{
	if (h->need > h->t->mapped)
		ks_stack_join(r, h->t, h->need - h->t->mapped, false);
}

void ks_stack_unmap(struct ks_run *r, struct ks_ptask *t, uint32_t n)
{
	struct ks_run_state *s = ks_run_state(r);

	task_touch(s, t);
	t->mapped -= n;
	s->c.unmaps += n;
	s->c.pte_writes += n;
	if (s->in_hook == KS_HOOK_SWITCH_OUT)
		s->c.switch_free_pages += n;
	stack_level(s, -(int64_t)n);
}

void ks_stack_reclaim(struct ks_run *r, struct ks_ptask *t, uint32_t n)
{
	ks_run_state(r)->c.reclaimed_pages += n;
	ks_stack_unmap(r, t, n);
}

void ks_stack_drop(struct ks_run *r, struct ks_ptask *t, uint32_t n)
{
	struct ks_run_state *s = ks_run_state(r);

	task_touch(s, t);
	t->mapped -= n;
	stack_level(s, -(int64_t)n);
}

void ks_cache_add(struct ks_run *r, int64_t delta)
{
	struct ks_run_state *s = ks_run_state(r);

	ks_levels_touch(s);
	s->lv.cache += delta;
	total_peak(s);
}

void ks_pages_leak(struct ks_run *r, uint32_t n)
{
	ks_run_state(r)->c.leaked_pages += n;
}

void ks_charge(struct ks_run *r, struct ks_ptask *t, uint32_t n, uint32_t dyn, bool memcg)
{
	struct ks_run_state *s = ks_run_state(r);

	t->charged += n;
	t->charged_dyn += dyn;
	s->lv.kstack_kb += (int64_t)n * s->geom.page_kb;
	s->lv.dyn_kb += (int64_t)dyn * s->geom.page_kb;
	if (memcg)
		s->c.charges += n;
}

void ks_memcg_charge(struct ks_run *r, uint32_t n)
{
	ks_run_state(r)->c.charges += n;
}

void ks_uncharge(struct ks_run *r, struct ks_ptask *t, uint32_t n, uint32_t dyn)
{
	struct ks_run_state *s = ks_run_state(r);

	/* charges already dropped (at EXIT) are not dropped twice */
	if (n > t->charged)
		n = t->charged;
	if (dyn > t->charged_dyn)
		dyn = t->charged_dyn;
	t->charged -= n;
	t->charged_dyn -= dyn;
	s->lv.kstack_kb -= (int64_t)n * s->geom.page_kb;
	s->lv.dyn_kb -= (int64_t)dyn * s->geom.page_kb;
}

void ks_fault(struct ks_run *r, uint32_t pages)
{
	struct ks_run_state *s = ks_run_state(r);

	s->c.faults++;
	s->c.fault_pages += pages;
	/* arm64: the fault runs on the sync stack and flushes each mapped page */
	if (s->conf.entry_model == KS_EM_ARM64) {
		s->c.sync_exceptions++;
		s->c.tlb_flushes += pages;
		s->c.tlb_local_flushes += pages;
	}
}

void ks_tlb_flush(struct ks_run *r)
{
	struct ks_run_state *s = ks_run_state(r);

	s->c.tlb_flushes++;
	s->c.tlb_local_flushes++;
}

void ks_tlb_shootdown(struct ks_run *r, uint32_t cpus)
{
	struct ks_run_state *s = ks_run_state(r);

	/* no other CPU to reach: a local flush */
	if (!cpus) {
		ks_tlb_flush(r);
		return;
	}
	s->c.tlb_flushes++;
	s->c.tlb_shootdowns++;
	s->c.ipis += cpus;
}

void ks_abit_check(struct ks_run *r, uint32_t n, uint32_t cleared)
{
	struct ks_run_state *s = ks_run_state(r);

	s->c.abit_checks += n;
	s->c.pte_writes += cleared;
}

void ks_reclaim_pass(struct ks_run *r)
{
	ks_run_state(r)->c.reclaim_passes++;
}

void ks_refault(struct ks_run *r, uint64_t reclaimed_at)
{
	struct ks_run_state *s = ks_run_state(r);
	uint64_t now = *r->clock;
	uint64_t d = now > reclaimed_at ? now - reclaimed_at : 0;

	s->c.refaults++;
	s->c.refault_delay_ns += d;
	if (d > s->c.refault_delay_max_ns)
		s->c.refault_delay_max_ns = d;
}

void ks_wait(struct ks_run *r, uint64_t ns)
{
	struct ks_run_state *s = ks_run_state(r);

	s->c.waits++;
	s->c.wait_ns += ns;
}

void ks_extra_pages(struct ks_run *r, uint64_t n)
{
	ks_run_state(r)->c.extra_pages += n;
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
	const struct ks_run_state *s = ks_run_state_const(r);
	bool moved = true;
	uint32_t i;

	while (moved) {
		moved = false;
		for (i = 0; i < s->conf.fail_windows.n; i++) {
			if (when >= s->fail_ns[i][0] && when < s->fail_ns[i][1]) {
				when = s->fail_ns[i][1];
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
	struct ks_run_state *s = ks_run_state(r);
	bool fail = false;
	uint32_t i;

	s->c.alloc_attempts++;
	for (i = 0; i < s->conf.fail_windows.n; i++)
		if (when >= s->fail_ns[i][0] && when < s->fail_ns[i][1])
			fail = true;
	/* one draw per attempt whatever the windows say, so runs stay comparable */
	if (s->conf.fail_rate > 0) {
		double u = (double)(splitmix64(&s->rng) >> 11) * 0x1.0p-53;

		if (u < s->conf.fail_rate)
			fail = true;
	}
	if (fail)
		s->c.alloc_failures++;
	return !fail;
}

uint32_t ks_admit_pages(struct ks_run *r, const struct ks_hook *h, uint32_t n, uint64_t retry_ns)
{
	struct ks_run_state *s = ks_run_state(r);
	uint64_t now = *r->clock, t = now;
	uint32_t tries = 0;

	while (n && ks_alloc_page(r))
		n--;
	if (!n)
		return 0;
	/* the task may not run until every page is found: it waits, retrying */
	s->c.admission_waits++;
	for (;;) {
		t = ks_time_add(t, retry_ns);
		while (n && ks_alloc_page_at(r, t))
			n--;
		if (!n)
			break;
		if (++tries == KS_ADMIT_MAX_TRIES) {
			ks_crash(r, h, n, KS_CRASH_STARVED);
			break;
		}
		/* inside a fail window nothing can succeed before its end */
		t = ks_fail_until(r, t);
	}
	s->c.admission_wait_ns += t - now;
	return n;
}

void ks_crash(struct ks_run *r, const struct ks_hook *h, uint32_t pages, uint32_t reason)
{
	struct ks_run_state *s = ks_run_state(r);

	s->c.crashes++;
	if (s->nr_crashes < KS_MAX_CRASHES) {
		struct ks_crash *c = &s->crashes[s->nr_crashes++];

		c->time = h->time;
		c->cpu = h->trace_cpu;
		c->tid = h->tid;
		c->pages_needed = pages;
		c->reason = reason;
		memcpy(c->comm, s->grid->task[h->slot].comm, sizeof(c->comm));
	}
}

void ks_tasks_walk(struct ks_run *r, ks_walk_fn fn)
{
	struct ks_run_state *s = ks_run_state(r);
	const struct ks_grid *g = s->grid;
	struct ks_hook h = { .time = g->now };
	uint32_t slot;

	for (slot = 0; slot < g->task_top; slot++) {
		const struct ks_task *task = &g->task[slot];

		if (!task->tid)
			continue;
		h.trace_cpu = task->cpu;
		h.cpu = task->cpu < g->ncpus ? task->cpu : task->cpu % g->ncpus;
		h.slot = slot;
		h.tid = task->tid;
		h.hwm = task->hwm;
		h.need = ks_run_need(s, task->hwm);
		h.t = ks_run_task(s, slot);
		h.kthread = task->flags & KS_T_KTHREAD;
		fn(r, &h, (task->flags & KS_T_RUNNING) ? KS_TIME_NEVER : task->since);
	}
}

static bool timer_before(const struct ks_timer *a, const struct ks_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

void ks_timer_add(struct ks_run *r, uint64_t when, ks_timer_fn fn, uint64_t arg)
{
	struct ks_run_state *s = ks_run_state(r);
	struct ks_timer t = { when, s->timer_seq++, arg, fn };
	size_t i;

	if (when == KS_TIME_NEVER)
		return;

	if (s->nr_timers == s->timers_cap) {
		size_t cap = s->timers_cap ? s->timers_cap * 2 : 64;
		struct ks_timer *n = realloc(s->timers, cap * sizeof(*n));

		if (!n) {
			s->nomem = true;
			return;
		}
		s->timers = n;
		s->timers_cap = cap;
	}
	i = s->nr_timers++;
	while (i) {
		size_t p = (i - 1) / 2;

		if (!timer_before(&t, &s->timers[p]))
			break;
		s->timers[i] = s->timers[p];
		i = p;
	}
	s->timers[i] = t;
	if (when < s->grid->next_timer)
		s->grid->next_timer = when;
}

static struct ks_timer timer_pop(struct ks_run_state *s)
{
	struct ks_timer top = s->timers[0];
	struct ks_timer last = s->timers[--s->nr_timers];
	size_t i = 0, n = s->nr_timers;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && timer_before(&s->timers[c + 1], &s->timers[c]))
			c++;
		if (!timer_before(&s->timers[c], &last))
			break;
		s->timers[i] = s->timers[c];
		i = c;
	}
	if (n)
		s->timers[i] = last;
	return top;
}

/* Run every timer due at or before @upto, in time order. */
void ks_run_timers(struct ks_run_state *s, uint64_t upto)
{
	struct ks_grid *g = s->grid;
	uint64_t saved = g->now;

	while (s->nr_timers && s->timers[0].when <= upto) {
		struct ks_timer t = timer_pop(s);

		/* work scheduled in the past runs now, never back in time */
		if (t.when > g->now)
			g->now = t.when;
		if (g->now)
			ks_series_advance(s, g->now - 1);
		t.fn(&s->run, t.arg);
	}
	g->now = saved;
}

static void series_push(struct ks_run_state *s, uint64_t t)
{
	struct ks_sample *p = &s->samples[s->nr_samples++];

	p->time = t;
	p->stack_pages = s->lv.stack > 0 ? (uint64_t)s->lv.stack : 0;
	p->pool_pages = (uint64_t)(s->lv.pool + s->lv.global);
	p->cache_pages = s->lv.cache > 0 ? (uint64_t)s->lv.cache : 0;
	p->kernel_stack_kb = s->lv.kstack_kb > 0 ? (uint64_t)s->lv.kstack_kb : 0;
	p->tasks = s->grid->tasks;
	p->crashes = s->c.crashes;
}

/*
 * Keep every other point (0, 2, 4...) and double the interval.  A series of
 * one point (samples=1) keeps none, so there is room for the next.
 */
static void series_halve(struct ks_run_state *s)
{
	unsigned __int128 at;
	size_t i, k = 0;

	for (i = 0; i < s->nr_samples && s->nr_samples > 1; i += 2)
		s->samples[k++] = s->samples[i];
	s->nr_samples = k;
	s->sample_every = ks_time_add(s->sample_every, s->sample_every);
	at = s->geom.start_ns + (unsigned __int128)k * s->sample_every;
	s->next_sample = at >= KS_TIME_NEVER ? KS_TIME_NEVER : (uint64_t)at;
}

/*
 * Record the points at every multiple of the interval <= @upto.  Called
 * before anything happens after @upto, so a point shows the state after
 * every event at or before its time.
 */
void ks_series_advance(struct ks_run_state *s, uint64_t upto)
{
	if (!s->conf.samples)
		return;
	while (s->next_sample <= upto && s->next_sample != KS_TIME_NEVER) {
		if (s->nr_samples == s->conf.samples) {
			series_halve(s);
			continue;
		}
		series_push(s, s->next_sample);
		s->next_sample = ks_time_add(s->next_sample, s->sample_every);
	}
}

/* The state at the end, as a last point off the grid if needed. */
void ks_series_final(struct ks_run_state *s, uint64_t end)
{
	if (!s->conf.samples)
		return;
	ks_series_advance(s, end);
	if (s->nr_samples && s->samples[s->nr_samples - 1].time == end)
		return;
	if (s->nr_samples == s->conf.samples)
		series_halve(s);
	series_push(s, end);
}

/* The time @seconds after the start; a window reaching past the clock never ends. */
static uint64_t after_start(const struct ks_run_state *s, double seconds)
{
	double ns = seconds * 1e9;

	if (!(ns < 0x1p64))
		return KS_TIME_NEVER;
	return ks_time_add(s->geom.start_ns, ns > 0 ? (uint64_t)ns : 0);
}

int ks_run_alloc_services(struct ks_run_state *s)
{
	uint32_t i;

	s->rng = s->conf.seed;
	for (i = 0; i < s->conf.fail_windows.n; i++) {
		s->fail_ns[i][0] = after_start(s, s->conf.fail_windows.start[i]);
		s->fail_ns[i][1] = after_start(s, s->conf.fail_windows.end[i]);
	}
	s->run_mark = calloc(s->grid->task_cap, sizeof(*s->run_mark));
	if (!s->run_mark)
		return -ENOMEM;
	s->sample_every = 1000;
	s->next_sample = s->geom.start_ns;
	if (s->conf.samples) {
		s->samples = calloc(s->conf.samples, sizeof(*s->samples));
		if (!s->samples)
			return -ENOMEM;
	}
	return 0;
}

void ks_run_free_services(struct ks_run_state *s)
{
	struct ks_arena *a = s->arena, *n;

	while (a) {
		n = a->next;
		free(a);
		a = n;
	}
	free(s->timers);
	free(s->samples);
	free(s->run_mark);
}

int ks_pool_init(struct ks_run *r, struct ks_pool *p, uint32_t nslots, enum ks_pool_kind kind)
{
	p->slot = nslots ? ks_run_zalloc(r, nslots) : NULL;
	if (nslots && !p->slot)
		return -ENOMEM;
	p->nslots = nslots;
	p->pages = 0;
	p->kind = kind;
	return 0;
}

static void pool_level(struct ks_run_state *s, const struct ks_pool *p, int64_t delta)
{
	ks_levels_touch(s);
	if (p->kind == KS_POOL_GLOBAL) {
		s->lv.global += delta;
		total_peak(s);
		return;
	}
	s->lv.pool += delta;
	if (s->lv.pool > (int64_t)s->c.pool_pages_peak)
		s->c.pool_pages_peak = (uint64_t)s->lv.pool;
	total_peak(s);
}

void ks_pool_set(struct ks_run *r, struct ks_pool *p, uint32_t i, enum ks_slot state)
{
	int64_t d = (state == KS_SLOT_PAGE) - (p->slot[i] == KS_SLOT_PAGE);

	p->slot[i] = (uint8_t)state;
	if (d) {
		p->pages += (uint32_t)d;
		pool_level(ks_run_state(r), p, d);
	}
}

uint32_t ks_pool_fill(struct ks_run *r, struct ks_pool *p)
{
	uint32_t i, n = 0;

	for (i = 0; i < p->nslots; i++) {
		if (p->slot[i] != KS_SLOT_EMPTY)
			continue;
		ks_pool_set(r, p, i, KS_SLOT_PAGE);
		n++;
	}
	return n;
}

/* The first slot holding a page, marked taken; -1 if none. */
static int pool_take(struct ks_run *r, struct ks_pool *p)
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

int ks_pool_take(struct ks_run *r, struct ks_pool *p)
{
	struct ks_run_state *s = ks_run_state(r);
	int i;

	/* the global pool's lock is taken before looking */
	if (p->kind == KS_POOL_GLOBAL)
		s->c.lock_acquisitions++;
	i = pool_take(r, p);
	if (i < 0)
		return i;
	if (p->kind == KS_POOL_CPU)
		s->c.pool_hits++;
	else
		s->c.fallback_hits++;
	return i;
}

int ks_pool_take_quiet(struct ks_run *r, struct ks_pool *p)
{
	return pool_take(r, p);
}

void ks_pool_refill(struct ks_run *r, struct ks_pool *p, uint64_t queued_at)
{
	struct ks_run_state *s = ks_run_state(r);

	s->c.refills++;
	s->c.refill_latency_ns += *r->clock - queued_at;
	if (p->kind == KS_POOL_GLOBAL)
		s->c.lock_acquisitions++;
}

bool ks_pool_refill_slot(struct ks_run *r, struct ks_pool *p, uint32_t i)
{
	struct ks_run_state *s = ks_run_state(r);

	if (!ks_alloc_page(r)) {
		ks_pool_set(r, p, i, KS_SLOT_EMPTY);
		s->c.refill_failures++;
		return false;
	}
	ks_pool_set(r, p, i, KS_SLOT_PAGE);
	s->c.refill_pages++;
	return true;
}

void ks_pool_refill_slot_sleeping(struct ks_run *r, struct ks_pool *p, uint32_t i, uint64_t *t)
{
	struct ks_run_state *s = ks_run_state(r);
	uint64_t until = ks_fail_until(r, *t);

	s->c.alloc_attempts++;
	if (until > *t) {
		ks_wait(r, until - *t);
		*t = until;
	}
	ks_pool_set(r, p, i, KS_SLOT_PAGE);
	s->c.refill_pages++;
}
