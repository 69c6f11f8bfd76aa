// SPDX-License-Identifier: MIT
/*
 * The engine core: the grid of runs, the task table and the event loop.
 *
 * Each event is looked at once for the whole grid.  Task lookup, the
 * high-water mark and "did it grow at all" are trace facts shared by every
 * run; a run is visited only when something concerns it (a task is born,
 * grows, exits or is released, or the run's policy asked for a hook).  So a
 * switch where nothing grew costs a hash probe and a compare.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grid_state.h"
#include "params.h"

/*
 * The CPU a hook is told about: the trace's number, and the index of
 * per-CPU state every run has for it.  The trace header's CPU count sizes
 * that state; a record naming a CPU beyond it (the format allows any) is
 * folded onto it, here and nowhere else.
 */
static inline void hook_cpu(const struct ks_grid *g, struct ks_hook *h, uint32_t cpu)
{
	h->trace_cpu = cpu;
	h->cpu = cpu < g->ncpus ? cpu : cpu % g->ncpus;
}

/* What a hook is told about @ev; the task part is hook_task()'s. */
static inline void hook_event(const struct ks_grid *g, struct ks_hook *h,
			      const struct ks_event *ev)
{
	h->ev = ev;
	h->time = ev->time;
	hook_cpu(g, h, ev->cpu);
	h->at_stop = false;
	h->at_exit = false;
}

/* @t is @g->task[@slot] */
static inline void hook_task(struct ks_hook *h, const struct ks_task *t, uint32_t slot)
{
	h->slot = slot;
	h->tid = t->tid;
	h->hwm = t->hwm;
	h->kthread = t->flags & KS_T_KTHREAD;
}

static inline void hook_init(const struct ks_grid *g, struct ks_hook *h,
			     const struct ks_event *ev, uint32_t slot)
{
	hook_event(g, h, ev);
	hook_task(h, &g->task[slot], slot);
}

/* Pages @hwm needs in @s, with the overflow check; capped at the stack size. */
static inline uint32_t run_need(struct ks_run_state *s, struct ks_ptask *t, uint32_t hwm)
{
	uint32_t raw = ks_pages_for(&s->geom, hwm);

	if (raw > s->geom.limit_pages && !(t->flags & KS_PT_OVERFLOW)) {
		t->flags |= KS_PT_OVERFLOW;
		s->c.overflows++;
	}
	if (raw < s->geom.prealloc)
		raw = s->geom.prealloc;
	return raw > s->geom.thread_pages ? s->geom.thread_pages : raw;
}

static uint32_t task_create(struct ks_grid *g, const struct ks_event *ev, uint32_t tid,
			    uint32_t hwm, uint16_t flags, enum ks_birth how)
{
	struct ks_hook h;
	uint32_t slot;
	size_t i;

	slot = ks_task_insert(g, tid);
	if (slot == KS_NO_TASK)
		return slot;
	/* alive before the trace with its HWM unknown: the first HWM is adopted */
	if (how != KS_BORN_FORK && !hwm)
		flags |= KS_T_ADOPT;
	g->task[slot].hwm = hwm;
	g->task[slot].hwm_done = hwm;
	g->task[slot].flags = flags;
	g->task[slot].how = (uint8_t)how;
	/* only its own SNAPSHOT or NEW names a task (a NEW's parent is not named) */
	if ((ev->type == KS_EV_SNAPSHOT || ev->type == KS_EV_NEW) && ev->tid == tid)
		memcpy(g->task[slot].comm, ev->comm, KS_COMM_LEN);
	else
		memset(g->task[slot].comm, 0, KS_COMM_LEN);
	if (++g->tasks > g->tasks_peak)
		g->tasks_peak = g->tasks;
	if (how == KS_BORN_FORK)
		g->forks++;
	hook_init(g, &h, ev, slot);
	g->task[slot].cpu = ev->cpu;
	g->task[slot].since = g->now;
	for (i = 0; i < g->nruns; i++) {
		struct ks_run_state *s = g->runs[i];
		struct ks_ptask *t = ks_run_task(s, slot);

		memset(t, 0, s->stride);
		s->run_mark[slot] = 0;
		h.t = t;
		h.need = run_need(s, t, hwm);
		if (s->run.pol->create) {
			s->run.pol->create(&s->run, &h, how);
		} else if (how == KS_BORN_FORK) {
			ks_stack_map(&s->run, t, h.need);
			ks_charge(&s->run, t, h.need, h.need - s->geom.prealloc, true);
		} else {
			ks_task_adopt(&s->run, &h);
		}
		s->born[slot] = t->mapped;
	}
	return slot;
}

/* The task a record names; a tid never seen is created as alive before the trace. */
static inline uint32_t task_get(struct ks_grid *g, const struct ks_event *ev, uint32_t tid,
				uint32_t hwm)
{
	uint32_t slot;

	if (!tid)
		return KS_NO_TASK;
	slot = ks_task_lookup(g, tid);
	if (slot == KS_NO_TASK)
		slot = task_create(g, ev, tid, hwm, 0, KS_BORN_MISSED);
	return slot;
}

/*
 * A task alive before the trace whose HWM was unknown learnt its first one
 * (policy.h): its stack held those pages before the trace saw it, at a time
 * the trace cannot place, so every run adopts them: no fault, no pool page.
 */
static void task_adopt(struct ks_grid *g, uint32_t slot, const struct ks_event *ev)
{
	struct ks_task *task = &g->task[slot];
	struct ks_hook h;
	size_t i;

	hook_init(g, &h, ev, slot);
	for (i = 0; i < g->nruns; i++) {
		struct ks_run_state *s = g->runs[i];
		struct ks_ptask *t = ks_run_task(s, slot);

		h.t = t;
		h.need = run_need(s, t, task->hwm);
		if (h.need > t->mapped && s->run.pol->adopt) {
			s->run.pol->adopt(&s->run, &h);
			s->born[slot] = t->mapped;
		}
	}
	task->hwm_done = task->hwm;
	task->flags &= ~KS_T_ADOPT;
}

/* The switch-out's work a run owes after growth (KS_PT_REFILL), on @h->cpu. */
static inline void run_refill(struct ks_run_state *s, struct ks_hook *h)
{
	if (!(h->t->flags & KS_PT_REFILL))
		return;
	h->t->flags &= ~KS_PT_REFILL;
	if (s->run.pol->refill)
		s->run.pol->refill(&s->run, h);
}

/*
 * Growth applied outside a switch-out, on @cpu: seen by the EXIT scan
 * (@at_exit) or by the stop snapshot while the task runs there.  The work
 * owed to the switch-out (KS_PT_REFILL) waits for the task's next
 * switch-out, or its release if none comes.
 */
static void task_grow_now(struct ks_grid *g, uint32_t slot, const struct ks_event *ev,
			  uint32_t cpu, bool at_exit)
{
	struct ks_task *task = &g->task[slot];
	struct ks_hook h;
	size_t i;

	hook_init(g, &h, ev, slot);
	hook_cpu(g, &h, cpu);
	h.at_exit = at_exit;
	h.at_stop = !at_exit;
	for (i = 0; i < g->nruns; i++) {
		struct ks_run_state *s = g->runs[i];
		struct ks_ptask *t = ks_run_task(s, slot);

		h.t = t;
		h.need = run_need(s, t, task->hwm);
		if (s->conf.entry_model == KS_EM_ARM64)
			ks_emodel_grow(s, &h);
		if (h.need > t->mapped && s->run.pol->grow)
			s->run.pol->grow(&s->run, &h);
	}
	task->hwm_done = task->hwm;
	task->grow_cpu = cpu;
	task->flags |= KS_T_REFILL;
}

static void uncharge(struct ks_run_state *s, struct ks_ptask *t)
{
	s->lv.kstack_kb -= (int64_t)t->charged * s->geom.page_kb;
	s->lv.dyn_kb -= (int64_t)t->charged_dyn * s->geom.page_kb;
	t->charged = 0;
	t->charged_dyn = 0;
}

static unsigned hwm_bucket(uint32_t hwm)
{
	unsigned i = 0;

	while (i < 15 && hwm > (1024u << i))
		i++;
	return i;
}

static void task_release(struct ks_grid *g, uint32_t slot, const struct ks_event *ev)
{
	struct ks_task *task = &g->task[slot];
	struct ks_hook h;
	size_t i;

	hook_init(g, &h, ev, slot);
	for (i = 0; i < g->nruns; i++) {
		struct ks_run_state *s = g->runs[i];
		struct ks_ptask *t = ks_run_task(s, slot);

		h.t = t;
		h.need = run_need(s, t, task->hwm);
		if (task->flags & KS_T_REFILL) {
			/* grew at EXIT; the switch-out the trace lacks came before this */
			hook_cpu(g, &h, task->grow_cpu);
			run_refill(s, &h);
			hook_cpu(g, &h, ev->cpu);
		}
		/* charges made after EXIT (a refill at the dead switch) go too */
		uncharge(s, t);
		if (s->run.pol->release)
			s->run.pol->release(&s->run, &h);
		else
			ks_stack_unmap(&s->run, t, t->mapped);
	}
	g->hist[hwm_bucket(task->hwm)]++;
	g->exits++;
	g->tasks--;
	ks_task_remove(g, slot);
}

static void task_exit(struct ks_grid *g, uint32_t slot, const struct ks_event *ev)
{
	struct ks_task *task = &g->task[slot];
	struct ks_hook h;
	size_t i;

	if (ev->hwm > task->hwm)
		task->hwm = ev->hwm;
	if (task->flags & KS_T_EXITED)
		return;
	/* a first HWM is adopted; a deeper one: faults before do_exit, here (policy.h) */
	if ((task->flags & KS_T_ADOPT) && task->hwm)
		task_adopt(g, slot, ev);
	else if (task->hwm > task->hwm_done)
		task_grow_now(g, slot, ev, ev->cpu, true);
	task->flags |= KS_T_EXITED;
	hook_init(g, &h, ev, slot);
	for (i = 0; i < g->nruns; i++) {
		struct ks_run_state *s = g->runs[i];
		struct ks_ptask *t = ks_run_task(s, slot);

		/* the kernel drops the stack's accounting at do_exit */
		uncharge(s, t);
		t->flags |= KS_PT_EXITED;
		if (s->run.pol->exit) {
			h.t = t;
			h.need = run_need(s, t, task->hwm);
			s->run.pol->exit(&s->run, &h);
		}
	}
}

/* @t leaves trace CPU @cpu now (running or not, as far as the replay knew). */
static inline void task_stop(struct ks_grid *g, struct ks_task *t, uint32_t cpu)
{
	if (t->flags & KS_T_RUNNING) {
		t->run_ns = ks_task_ran(g, t);
		t->flags &= ~KS_T_RUNNING;
	}
	t->since = g->now;
	t->cpu = cpu;
}

/* @t runs on trace CPU @cpu from now. */
static inline void task_start(struct ks_grid *g, struct ks_task *t, uint32_t cpu)
{
	if (!(t->flags & KS_T_RUNNING)) {
		t->flags |= KS_T_RUNNING;
		t->since = g->now;
	}
	t->cpu = cpu;
}

/*
 * The task the CPU last switched in is not @ev's prev: the trace lost its
 * switch-out.  It left the CPU before now, unless it runs elsewhere since.
 */
static void switch_lost_prev(struct ks_grid *g, const struct ks_event *ev, uint32_t old)
{
	uint32_t slot = ks_task_lookup(g, old);

	if (slot != KS_NO_TASK && g->task[slot].cpu == ev->cpu &&
	    (g->task[slot].flags & KS_T_RUNNING))
		task_stop(g, &g->task[slot], ev->cpu);
}

/* Switch hook @which (KS_HOOK_*) of @s: the stack services count switch-path pages by it. */
static inline void run_switch_hook(struct ks_run_state *s, uint8_t which,
				   void (*fn)(struct ks_run *, const struct ks_hook *),
				   const struct ks_hook *h)
{
	s->in_hook = which;
	fn(&s->run, h);
	s->in_hook = KS_HOOK_NONE;
}

static void on_switch(struct ks_grid *g, const struct ks_event *ev)
{
	struct ks_task *task;
	struct ks_hook h;
	uint32_t slot;
	size_t i;

	g->switches++;
	if (ev->cpu < g->ncpus) {
		uint32_t old = g->cur[ev->cpu];

		g->cur[ev->cpu] = ev->tid2;
		if (old != ev->tid && old)
			switch_lost_prev(g, ev, old);
	}
	if (ev->tid) {
		slot = task_get(g, ev, ev->tid, ev->hwm);
		if (slot == KS_NO_TASK)
			return;
		task = &g->task[slot];
		task_stop(g, task, ev->cpu);
		if (ev->hwm > task->hwm)
			task->hwm = ev->hwm;
		if ((task->flags & KS_T_ADOPT) && task->hwm)
			task_adopt(g, slot, ev);
		/* the common case ends here: nothing grew since the last look */
		if (task->hwm > task->hwm_done || g->any_switch_out ||
		    (task->flags & KS_T_REFILL)) {
			bool grew = task->hwm > task->hwm_done;

			hook_event(g, &h, ev);
			hook_task(&h, task, slot);
			for (i = 0; i < g->nruns; i++) {
				struct ks_run_state *s = g->runs[i];
				struct ks_ptask *t = ks_run_task(s, slot);

				h.t = t;
				h.need = run_need(s, t, task->hwm);
				if (grew && s->conf.entry_model == KS_EM_ARM64)
					ks_emodel_grow(s, &h);
				if (grew && h.need > t->mapped && s->run.pol->grow)
					s->run.pol->grow(&s->run, &h);
				run_refill(s, &h);
				if (s->run.pol->switch_out)
					run_switch_hook(s, KS_HOOK_SWITCH_OUT,
							s->run.pol->switch_out, &h);
			}
			task->hwm_done = task->hwm;
			task->flags &= ~KS_T_REFILL;
		}
		if (ev->state == KS_STATE_DEAD)
			task_release(g, slot, ev);
	}
	if (ev->tid2) {
		slot = task_get(g, ev, ev->tid2, 0);
		if (slot == KS_NO_TASK)
			return;
		task = &g->task[slot];
		task_start(g, task, ev->cpu);
		if (!g->any_switch_in)
			return;
		/* with switch_out hooks, prev's made the event's part (hooks get it const) */
		if (!ev->tid || !g->any_switch_out)
			hook_event(g, &h, ev);
		hook_task(&h, task, slot);
		for (i = 0; i < g->nruns; i++) {
			struct ks_run_state *s = g->runs[i];

			if (!s->run.pol->switch_in)
				continue;
			h.t = ks_run_task(s, slot);
			h.need = run_need(s, h.t, task->hwm);
			run_switch_hook(s, KS_HOOK_SWITCH_IN, s->run.pol->switch_in, &h);
		}
	}
}

/* KFAULT, KENTRY, KEXIT: only for runs whose policy has the hook. */
static void on_task_hook(struct ks_grid *g, const struct ks_event *ev, uint32_t slot,
			 size_t hook_off)
{
	struct ks_task *task = &g->task[slot];
	struct ks_hook h;
	size_t i;

	hook_init(g, &h, ev, slot);
	for (i = 0; i < g->nruns; i++) {
		struct ks_run_state *s = g->runs[i];
		void (*fn)(struct ks_run *, const struct ks_hook *);

		memcpy(&fn, (const char *)s->run.pol + hook_off, sizeof(fn));
		if (!fn)
			continue;
		h.t = ks_run_task(s, slot);
		h.need = run_need(s, h.t, task->hwm);
		fn(&s->run, &h);
	}
}

static void grid_timers(struct ks_grid *g, uint64_t upto)
{
	uint64_t next = UINT64_MAX;
	size_t i;

	for (i = 0; i < g->nruns; i++) {
		struct ks_run_state *s = g->runs[i];

		ks_run_timers(s, upto);
		if (s->nr_timers && s->timers[0].when < next)
			next = s->timers[0].when;
	}
	g->next_timer = next;
}

static void grid_series(struct ks_grid *g, uint64_t upto)
{
	uint64_t next = UINT64_MAX;
	size_t i;

	for (i = 0; i < g->nruns; i++) {
		struct ks_run_state *s = g->runs[i];

		ks_series_advance(s, upto);
		if (s->conf.samples && s->next_sample < next)
			next = s->next_sample;
	}
	g->next_sample = next;
}

/*
 * The stop snapshot saw a higher HWM of a live task.  If the task is running
 * at stop, it faulted after its last switch-out, in the final interval on
 * its CPU: that growth is processed like any growth (faults, pages from that
 * CPU's pool) but without a switch-out (no refill: it has not left the CPU).
 * A task not running cannot have grown since its last switch-out: its HWM
 * just rises (policy.h).
 */
static void stop_grow(struct ks_grid *g, uint32_t slot, const struct ks_event *ev)
{
	struct ks_task *task = &g->task[slot];
	uint32_t cpu;

	if (task->hwm <= task->hwm_done)
		return;
	for (cpu = 0; cpu < g->ncpus && g->cur[cpu] != task->tid; cpu++)
		;
	if (cpu == g->ncpus)
		return;
	task_grow_now(g, slot, ev, cpu, false);
	task->flags |= KS_T_STOP_GROWN;
}

static void on_event(struct ks_grid *g, const struct ks_event *ev)
{
	uint32_t slot;

	g->events++;
	if (ev->time >= g->next_timer)
		grid_timers(g, ev->time);
	/* a point at time s shows the state after every event at or before s */
	if (ev->time > g->next_sample)
		grid_series(g, ev->time - 1);
	if (ev->time > g->now)
		g->now = ev->time;

	switch (ev->type) {
	case KS_EV_SWITCH:
		on_switch(g, ev);
		break;
	case KS_EV_SNAPSHOT:
		if (!ev->tid)
			break;
		slot = ks_task_lookup(g, ev->tid);
		if (slot != KS_NO_TASK) {
			struct ks_task *task = &g->task[slot];

			/* the stop census (or a repeat) tells us more about the HWM */
			if (ev->hwm > task->hwm)
				task->hwm = ev->hwm;
			if (ev->comm[0])
				memcpy(task->comm, ev->comm, KS_COMM_LEN);
			if ((task->flags & KS_T_ADOPT) && task->hwm)
				task_adopt(g, slot, ev);
			else if (ev->flags & KS_F_STOP)
				stop_grow(g, slot, ev);
		} else if (!(ev->flags & KS_F_STOP)) {
			task_create(g, ev, ev->tid, ev->hwm,
				    (ev->flags & KS_F_KTHREAD) ? KS_T_KTHREAD : 0, KS_BORN_SNAPSHOT);
		}
		break;
	case KS_EV_NEW:
		if (!ev->tid)
			break;
		if (ev->tid2 != ev->tid)
			(void)task_get(g, ev, ev->tid2, 0);	/* a parent alive before the trace */
		slot = ks_task_lookup(g, ev->tid);
		if (slot != KS_NO_TASK)
			task_release(g, slot, ev);	/* a reused tid we never saw die */
		task_create(g, ev, ev->tid, 0, (ev->flags & KS_F_KTHREAD) ? KS_T_KTHREAD : 0,
			    KS_BORN_FORK);
		break;
	case KS_EV_EXIT:
		slot = task_get(g, ev, ev->tid, ev->hwm);
		if (slot != KS_NO_TASK)
			task_exit(g, slot, ev);
		break;
	case KS_EV_FREE:
		if (!ev->tid)
			break;
		slot = ks_task_lookup(g, ev->tid);
		if (slot != KS_NO_TASK)
			task_release(g, slot, ev);
		break;
	case KS_EV_KFAULT:
		g->kfaults++;
		slot = task_get(g, ev, ev->tid, 0);
		if (g->any_emodel)
			ks_emodel_kfault(g, ev);
		if (g->any_kfault && slot != KS_NO_TASK)
			on_task_hook(g, ev, slot, offsetof(struct ks_policy, kfault));
		break;
	case KS_EV_KENTRY:
		g->entries++;
		slot = task_get(g, ev, ev->tid, 0);
		if (g->any_kentry && slot != KS_NO_TASK)
			on_task_hook(g, ev, slot, offsetof(struct ks_policy, kentry));
		break;
	case KS_EV_KEXIT:
		slot = task_get(g, ev, ev->tid, 0);
		if (g->any_kexit && slot != KS_NO_TASK)
			on_task_hook(g, ev, slot, offsetof(struct ks_policy, kexit));
		break;
	default:
		/* LOST: replay takes lost counts from the trace; unknown types: ignored */
		break;
	}
}

void ks_grid_feed(struct ks_grid *g, const struct ks_event *evs, size_t n)
{
	size_t i;

	for (i = 0; i < n && !g->status; i++)
		on_event(g, &evs[i]);
}

static uint32_t log2u(uint32_t v)
{
	uint32_t s = 0;

	while ((1u << (s + 1)) <= v)
		s++;
	return s;
}

static int run_create(struct ks_grid *g, struct ks_parsed *ps, struct ks_run_state **out)
{
	const struct ks_policy *pol = ps->pol;
	struct ks_run_state *s;
	struct ks_geom *geo;
	size_t stride;
	int ret = -ENOMEM;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	*out = s;
	s->grid = g;
	s->conf = ps->conf;
	s->last_t = g->m.start_ns;
	geo = &s->geom;
	geo->start_ns = g->m.start_ns;
	geo->ncpus = g->ncpus;
	geo->page_size = s->conf.page_size;
	geo->page_shift = log2u(geo->page_size);
	geo->page_kb = geo->page_size / 1024;
	geo->thread_size = s->conf.thread_size;
	geo->thread_pages = geo->thread_size / geo->page_size;
	geo->prealloc = s->conf.prealloc;
	geo->limit_pages = geo->thread_pages;
	stride = sizeof(struct ks_ptask) + pol->task_size;
	s->stride = (stride + 7) & ~(size_t)7;
	if (ks_params_format(ps, false, s->params, sizeof(s->params)))
		return -ENOSPC;
	s->pconf = calloc(1, pol->conf_size ? pol->conf_size : 1);
	s->run.pol = pol;
	s->run.geo = geo;
	s->run.pconf = s->pconf;
	s->run.clock = &g->now;
	s->run.priv = calloc(1, pol->run_size ? pol->run_size : 1);
	s->run.cpu_priv = calloc(geo->ncpus, pol->cpu_size ? pol->cpu_size : 1);
	s->tasks = malloc(g->task_cap * s->stride);
	s->born = malloc(g->task_cap);
	if (!s->pconf || !s->run.priv || !s->run.cpu_priv || !s->tasks || !s->born)
		return -ENOMEM;
	memcpy(s->pconf, ps->pconf, pol->conf_size);
	ret = ks_run_alloc_services(s);
	if (ret)
		return ret;
	ks_emodel_init(s);
	if (pol->init) {
		ret = pol->init(&s->run);
		if (ret)
			return ret;
	}
	return s->nomem ? -ENOMEM : 0;
}

static void run_free(struct ks_run_state *s)
{
	if (!s)
		return;
	ks_run_free_services(s);
	free(s->pconf);
	free(s->run.priv);
	free(s->run.cpu_priv);
	free(s->tasks);
	free(s->born);
	free(s);
}

int ks_grid_create(struct ks_grid **out, const char *const *specs, size_t n,
		   const struct ks_machine *m, struct ks_error *err)
{
	struct ks_parsed ps;
	struct ks_grid *g;
	size_t i;
	int ret = -ENOMEM;

	*out = NULL;
	if (!n)
		return ks_error_set(err, KS_E_USAGE, "a grid needs at least one spec");
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->m = *m;
	g->now = m->start_ns;
	g->next_timer = UINT64_MAX;
	g->next_sample = UINT64_MAX;
	g->runs = calloc(n, sizeof(*g->runs));
	g->ncpus = m->ncpus ? m->ncpus : 1;
	g->cur = calloc(g->ncpus, sizeof(*g->cur));
	if (ks_tidmap_init(&g->tids, 1024) || !g->runs || !g->cur || ks_task_slots_grow(g))
		goto fail;
	for (i = 0; i < n; i++) {
		struct ks_run_state *s;

		ret = ks_params_parse(specs[i], &ps, err);
		if (!ret)
			ret = ks_params_resolve(&ps, m, err);
		if (ret)
			goto fail;
		ret = run_create(g, &ps, &g->runs[i]);
		g->nruns = i + 1;
		if (ret) {
			if (ret == -ENOSPC)
				ret = ks_error_set(err, KS_E_PARAM, "canonical spec too long");
			goto fail;
		}
		s = g->runs[i];
		g->any_switch_out |= !!ps.pol->switch_out;
		g->any_switch_in |= !!ps.pol->switch_in;
		g->any_kentry |= !!ps.pol->kentry;
		g->any_kexit |= !!ps.pol->kexit;
		g->any_kfault |= !!ps.pol->kfault;
		g->any_emodel |= ps.conf.entry_model != KS_EM_X86;
		if (s->nr_timers && s->timers[0].when < g->next_timer)
			g->next_timer = s->timers[0].when;
		if (s->conf.samples)
			g->next_sample = m->start_ns;
	}
	*out = g;
	return 0;
fail:
	ks_grid_free(g);
	return ret;
}

size_t ks_grid_size(const struct ks_grid *g)
{
	return g->nruns;
}

int ks_grid_status(const struct ks_grid *g)
{
	size_t i;

	if (g->status)
		return g->status;
	for (i = 0; i < g->nruns; i++)
		if (g->runs[i]->nomem)
			return -ENOMEM;
	return 0;
}

static uint64_t pos(int64_t v)
{
	return v > 0 ? (uint64_t)v : 0;
}

/* The area under the pages of tasks not running, in page-ns (saturating). */
static uint64_t asleep_area(const struct ks_run_state *s)
{
	unsigned __int128 a;

	if (s->area_stack <= s->area_run)
		return 0;
	a = s->area_stack - s->area_run;
	return a > UINT64_MAX ? UINT64_MAX : (uint64_t)a;
}

static void run_result(struct ks_grid *g, struct ks_run_state *s, uint64_t end_ns,
		       const uint64_t *hist, struct ks_result *res)
{
	const struct ks_geom *geo = &s->geom;
	uint64_t span = end_ns > geo->start_ns ? end_ns - geo->start_ns : 0;
	unsigned nb, i;

	memset(res, 0, sizeof(*res));
	snprintf(res->policy, sizeof(res->policy), "%s", s->run.pol->name);
	snprintf(res->params, sizeof(res->params), "%s", s->params);
	ks_params_values(s->run.pol, &s->conf, s->run.pconf, &g->m, res);
	snprintf(res->engine_version, sizeof(res->engine_version), "%s", KS_ENGINE_VERSION);
	res->seed = s->conf.seed;
	res->page_size = geo->page_size;
	res->thread_size = geo->thread_size;
	res->ncpus = geo->ncpus;
	res->start_ns = geo->start_ns;
	res->end_ns = end_ns;
	res->c = s->c;
	res->c.events = g->events;
	res->c.switches = g->switches;
	res->c.tasks_end = g->tasks;
	res->c.tasks_peak = g->tasks_peak;
	res->c.forks = g->forks;
	res->c.exits = g->exits;
	res->c.kfaults = g->kfaults;
	res->c.entries = g->entries;
	res->c.stack_pages_end = pos(s->lv.stack);
	res->c.kernel_stack_kb_end = pos(s->lv.kstack_kb);
	res->c.dyn_faults_kb_end = pos(s->lv.dyn_kb);
	res->c.pool_pages_end = pos(s->lv.pool);
	res->c.global_pages_end = pos(s->lv.global);
	res->c.cache_pages_end = pos(s->lv.cache);
	res->c.asleep_page_ns = asleep_area(s);
	if (span) {
		res->c.stack_pages_mean = (double)s->area_stack / (double)span;
		res->c.pool_pages_mean = (double)s->area_pool / (double)span;
		res->c.total_pages_mean = (double)s->area_total / (double)span;
	} else {
		res->c.stack_pages_mean = (double)s->lv.stack;
		res->c.pool_pages_mean = (double)s->lv.pool;
		res->c.total_pages_mean = (double)(s->lv.stack + s->lv.pool + s->lv.global +
						   s->lv.cache);
	}
	res->nr_crashes = s->nr_crashes;
	memcpy(res->crashes, s->crashes, s->nr_crashes * sizeof(s->crashes[0]));
	res->nr_samples = s->nr_samples;
	if (s->nr_samples)
		memcpy(res->samples, s->samples, s->nr_samples * sizeof(s->samples[0]));
	/* buckets up to the stack size; anything above lands in the last one */
	nb = log2u(geo->thread_size / 1024) + 1;
	for (i = 0; i < 16; i++)
		res->hwm_hist[i < nb ? i : nb - 1] += hist[i];
	res->nr_hwm_buckets = nb;
}

void ks_grid_finish(struct ks_grid *g, uint64_t end_ns, struct ks_result *res)
{
	uint64_t hist[16], last;
	uint32_t slot;
	size_t i;

	if (end_ns < g->now)
		end_ns = g->now;
	last = g->now;
	memcpy(hist, g->hist, sizeof(hist));
	for (slot = 0; slot < g->task_top; slot++) {
		const struct ks_task *task = &g->task[slot];

		if (!task->tid)
			continue;
		hist[hwm_bucket(task->hwm)]++;
		/* the stop census may have raised a HWM: overflow is still news */
		for (i = 0; i < g->nruns; i++)
			(void)run_need(g->runs[i], ks_run_task(g->runs[i], slot), task->hwm);
	}
	for (i = 0; i < g->nruns; i++) {
		struct ks_run_state *s = g->runs[i];

		g->now = last;
		ks_run_timers(s, end_ns);
		g->now = end_ns;
		ks_series_final(s, end_ns);
		ks_levels_touch(s);
		for (slot = 0; slot < g->task_top; slot++)
			if (g->task[slot].tid)
				ks_run_close(s, slot);
		if (s->run.pol->finish)
			s->run.pol->finish(&s->run);
		run_result(g, s, end_ns, hist, &res[i]);
	}
}

int ks_grid_task_pages(const struct ks_grid *g, size_t run, uint32_t tid,
		       struct ks_task_pages *out)
{
	static const uint32_t born_flag[] = {
		[KS_BORN_SNAPSHOT] = KS_TP_SNAPSHOT,
		[KS_BORN_FORK] = KS_TP_FORK,
		[KS_BORN_MISSED] = KS_TP_MISSED,
	};
	const struct ks_run_state *s;
	const struct ks_ptask *t;
	const struct ks_task *task;
	uint32_t slot, need;

	if (run >= g->nruns || !tid)
		return -EINVAL;
	slot = ks_task_lookup(g, tid);
	if (slot == KS_NO_TASK)
		return -ENOENT;
	s = g->runs[run];
	task = &g->task[slot];
	t = ks_run_task(s, slot);
	/* run_need() without its overflow count: a query changes nothing */
	need = ks_run_need(s, task->hwm);
	out->hwm = task->hwm;
	out->need = need;
	out->mapped = t->mapped;
	out->born = s->born[slot];
	out->flags = born_flag[task->how];
	if (t->flags & KS_PT_INHERITED)
		out->flags |= KS_TP_INHERITED;
	if (task->flags & KS_T_STOP_GROWN)
		out->flags |= KS_TP_STOP_GROWN;
	if (task->flags & KS_T_EXITED)
		out->flags |= KS_TP_EXITED;
	if (task->flags & KS_T_KTHREAD)
		out->flags |= KS_TP_KTHREAD;
	if (!task->hwm)
		out->flags |= KS_TP_NO_HWM;
	return 0;
}

void ks_grid_free(struct ks_grid *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->nruns; i++)
		run_free(g->runs[i]);
	free(g->runs);
	free(g->cur);
	free(g->task);
	free(g->free_slots);
	ks_tidmap_free(&g->tids);
	free(g);
}
