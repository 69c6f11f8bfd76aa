// SPDX-License-Identifier: MIT
/*
 * The synthetic trace generator.
 *
 * How the end census is made exact (data/profiles/README.md says the same
 * for profile writers).  The `rfc` replay counts, at the end, every live
 * task's pages: max(1, ceil(HWM/page)), or more if the task inherited a
 * cached stack with grown pages at fork.  The generator plans that census
 * first and then only lets the schedule do things that keep it:
 *
 *  - The end survivors' final page counts are drawn up front: `tasks`
 *    values of at least one page whose extra pages sum to `grown`.  Start
 *    survivors take theirs at the SNAPSHOT, or fewer plus a planned growth
 *    at a later switch-out (`grow_late`); newborn survivors take theirs at
 *    birth and grow to it at a switch-out soon after.
 *  - "Mortal" tasks (the `deaths`: some alive at start, most born in the
 *    trace) grow freely by the HWM distribution, and vanish from the census
 *    when they die.  Their grown stacks do travel through the per-CPU stack
 *    caches (2 slots), where later children inherit them.
 *  - The generator mirrors each CPU's cache as (slots used, pages per
 *    stack) and keeps every cache homogeneous: a task dies on a CPU only
 *    if its cache is full (the stack is freed), empty, or holds stacks of
 *    the same page count.  So what a fork inherits does not depend on
 *    which slot the kernel (or the engine) takes first.
 *  - A survivor is forked only on a CPU whose cache holds stacks no bigger
 *    than its planned final pages; children forked onto bigger cached
 *    stacks are mortal.
 *  - Growth is reported at switch-outs only, never at a task's final
 *    (dead) switch-out, so EXIT and the dead switch carry the HWM the
 *    engine already charged; faults are refilled at once, pools end full.
 *  - At the end the generator recounts its own model and fails rather
 *    than write a trace that misses the census.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"
#include "synth_impl.h"

static uint32_t hwm_bucket_hi(size_t i)
{
	return 1024u << i;
}

/*
 * A HWM in (lo, hi] bytes, drawn by the bucket weights restricted to that
 * range (a bucket cut by the range weighs by the part inside it), uniform
 * within the bucket, rounded up to 8 bytes.
 */
static uint32_t draw_hwm(struct synth *g, uint32_t lo, uint32_t hi)
{
	const uint32_t *w = g->p->hwm_weights;
	double weight[KS_SYNTH_HWM_BUCKETS], total = 0, x;
	uint32_t blo, bhi, v;
	size_t i;

	for (i = 0; i < KS_SYNTH_HWM_BUCKETS; i++) {
		uint32_t a = i ? hwm_bucket_hi(i - 1) : 0, b = hwm_bucket_hi(i);
		uint32_t s = a > lo ? a : lo, e = b < hi ? b : hi;

		weight[i] = e > s ? (double)w[i] * (e - s) / (b - a) : 0;
		total += weight[i];
	}
	blo = lo;
	bhi = hi;
	if (total > 0) {
		x = ks_rng_unit(&g->rng) * total;
		for (i = 0; i < KS_SYNTH_HWM_BUCKETS - 1; i++) {
			if (x < weight[i] && weight[i] > 0)
				break;
			x -= weight[i];
		}
		while (weight[i] <= 0)	/* rounding landed past the last weighted bucket */
			i--;
		blo = i ? hwm_bucket_hi(i - 1) : 0;
		bhi = hwm_bucket_hi(i);
		blo = blo > lo ? blo : lo;
		bhi = bhi < hi ? bhi : hi;
	}
	if (blo < 256 && bhi > 512)	/* nothing runs on less than a few hundred bytes */
		blo = 256;
	v = blo + 1 + ks_rng_below(&g->rng, bhi - blo);
	v = (v + 7) & ~7u;
	return v > bhi ? bhi & ~7u : v;
}

/* a HWM that needs exactly @pages pages */
static uint32_t hwm_for_pages(struct synth *g, uint32_t pages)
{
	uint32_t ps = g->p->page_size;

	return draw_hwm(g, (pages - 1) * ps, pages * ps);
}

static uint32_t pages_for(const struct synth *g, uint32_t hwm)
{
	uint32_t n = (hwm + g->p->page_size - 1) / g->p->page_size;

	return n ? n : 1;
}

static uint32_t draw_depth(struct synth *g, uint32_t hwm)
{
	uint32_t d = hwm - ks_rng_below(&g->rng, hwm / 2 + 1);

	d &= ~7u;
	return d ? d : 8;
}

static const char *const user_comms[] = {
	"systemd", "sshd", "bash", "cron", "systemd-journal", "agetty", "dbus-daemon",
	"python3", "sleep", "sh", "rsyslogd", "chronyd", "containerd", "udevd",
};

static void task_comm(struct synth *g, struct synth_task *t, char *comm)
{
	if (t->kthread)
		snprintf(comm, KS_COMM_LEN, "kworker/%u", t->tid % 1000);
	else
		snprintf(comm, KS_COMM_LEN, "%s",
			 user_comms[ks_rng_below(&g->rng,
						 sizeof(user_comms) / sizeof(user_comms[0]))]);
}

static int emit(struct synth *g, struct ks_event *ev)
{
	int ret;

	ret = g->emit(g->arg, ev);
	g->sum.events++;
	return ret;
}

/*
 * Planning: who is alive at the start, who dies, what every end survivor
 * holds at the end.
 */
static int plan(struct synth *g)
{
	const struct ks_synth_params *p = g->p;
	uint32_t n0 = p->tasks - p->births + p->deaths, left, extra, i, j, tries;
	uint32_t mortal_start, nsurv_start, si = 0;
	uint32_t w_small = p->hwm_weights[3], w_big = 0;
	uint8_t *final;
	int ret = 0;

	for (i = 4; i < KS_SYNTH_HWM_BUCKETS; i++)
		w_big += p->hwm_weights[i];

	/* most deaths are short-lived children, as on a real machine */
	g->mortal_kids = (p->births < p->deaths ? p->births : p->deaths) * 3 / 4;
	if (p->births > p->tasks && g->mortal_kids < p->births - p->tasks)
		g->mortal_kids = p->births - p->tasks;
	g->mortal_kids_left = g->mortal_kids;
	mortal_start = p->deaths - g->mortal_kids;
	nsurv_start = n0 - mortal_start;

	/* final pages of the end survivors: sum of (pages - 1) == grown */
	final = calloc(p->tasks, 1);
	if (!final)
		return -ENOMEM;
	memset(final, 1, p->tasks);
	for (left = p->grown; left; left -= extra) {
		double x = ks_rng_unit(&g->rng) * (w_small + w_big);

		extra = (w_big == 0 || x < w_small) ? 1 : 2 + ks_rng_below(&g->rng, 2);
		if (extra > g->pages_per_stack - 1)
			extra = g->pages_per_stack - 1;
		for (tries = 0; tries < 64; tries++) {
			j = ks_rng_below(&g->rng, p->tasks);
			if (final[j] == 1)
				break;
		}
		if (tries == 64)	/* dense: take the first stack with room */
			for (j = 0; final[j] >= g->pages_per_stack; j++)
				;
		if (extra > g->pages_per_stack - final[j])
			extra = g->pages_per_stack - final[j];
		if (extra > left)
			extra = left;
		final[j] += extra;
	}
	g->kid_final = malloc((p->births - g->mortal_kids + 1) * sizeof(*g->kid_final));
	if (!g->kid_final) {
		ret = -ENOMEM;
		goto out;
	}
	g->nkid_final = p->births - g->mortal_kids;
	memcpy(g->kid_final, final + nsurv_start, g->nkid_final);

	/* the tasks alive at the start, mortals chosen by selection sampling */
	left = mortal_start;
	for (i = 0; i < n0; i++) {
		struct synth_task *t = &g->tasks[i];

		t->tid = i + 1;
		t->kthread = i == 1 || (i > 1 && ks_rng_unit(&g->rng) < p->kthread_share);
		t->tgid = t->tid;
		if (!t->kthread && i > 2 && ks_rng_unit(&g->rng) < 0.3) {
			struct synth_task *o = &g->tasks[1 + ks_rng_below(&g->rng, i - 1)];

			if (!o->kthread)
				t->tgid = o->tgid;
		}
		t->alive = 1;
		t->due = NO_TIME;
		if (ks_rng_below(&g->rng, n0 - i) < left) {
			left--;
			t->mortal = 1;
			t->hwm_target = draw_hwm(g, 0, p->thread_size);
			t->hwm = t->hwm_target;
			if (ks_rng_unit(&g->rng) < 0.2)	/* some still grow in the trace */
				t->hwm = draw_hwm(g, 0, t->hwm_target);
			t->pages = pages_for(g, t->hwm);
			t->due = g->t_lo + (uint64_t)(ks_rng_unit(&g->rng) * (g->t_deadline - g->t_lo));
		} else {
			t->pages_target = final[si++];
			t->pages = t->pages_target;
			if (t->pages > 1 && ks_rng_unit(&g->rng) < p->grow_late) {
				t->pages = 1 + ks_rng_below(&g->rng, t->pages_target - 1);
				t->due = g->t_lo + (uint64_t)(ks_rng_unit(&g->rng) *
							      (g->t_deadline - g->t_lo));
			}
			t->hwm = hwm_for_pages(g, t->pages);
		}
		if (t->due != NO_TIME && (ret = synth_due_push(g, t->due, i)))
			goto out;
		synth_runnable_add(g, i);
	}
	g->ntasks = n0;
	g->sum.start_tasks = n0;
out:
	free(final);
	return ret;
}

static int emit_snapshots(struct synth *g)
{
	uint32_t i;
	int ret;

	for (i = 0; i < g->ntasks; i++) {
		struct synth_task *t = &g->tasks[i];
		struct ks_event ev = {
			.time = 0, .cpu = i % g->p->ncpus, .tid = t->tid, .tgid = t->tgid,
			.hwm = t->hwm, .type = KS_EV_SNAPSHOT,
			.flags = (uint16_t)((t->kthread ? KS_F_KTHREAD : 0) | KS_F_HWM_EXACT),
		};

		ev.depth = draw_depth(g, t->hwm);
		task_comm(g, t, ev.comm);
		if ((ret = emit(g, &ev)))
			return ret;
	}
	return 0;
}

/*
 * The next task to run: a task with an action due first; else, as on real
 * machines where a CPU mostly bounces between a task and the worker it
 * woke, often the task this CPU switched out last; else a random one.
 */
static uint32_t pick_next(struct synth *g, uint32_t last_prev)
{
	uint32_t i;

	while (g->dq_len) {
		i = g->dq[g->dq_head];
		g->dq_head = (g->dq_head + 1) % g->dq_cap;
		g->dq_len--;
		g->tasks[i].queued = 0;
		if (g->tasks[i].alive && !g->tasks[i].running) {
			synth_runnable_del(g, i);
			return i;
		}
	}
	if (!g->nrunnable)
		return NONE;
	if (last_prev != NONE && g->tasks[last_prev].alive && !g->tasks[last_prev].running &&
	    ks_rng_unit(&g->rng) < 0.6) {
		synth_runnable_del(g, last_prev);
		return last_prev;
	}
	i = g->runnable[ks_rng_below(&g->rng, g->nrunnable)];
	synth_runnable_del(g, i);
	return i;
}

/*
 * Can @t's stack be released on @c now?  Into a full cache (freed) always;
 * into an empty one or next to stacks of its size, keeping the cache
 * homogeneous.  A grown stack may go into a cache only while a grown-free
 * CPU remains for survivors to be forked on, or enough short-lived
 * children remain to take every grown stack out of the caches.  Once all
 * births are done no fork will ever look at a cache again: anything goes.
 */
static int death_ok(const struct synth *g, const struct synth_cpu *c, uint32_t pages)
{
	uint32_t dirty_after;

	if (g->sum.births == g->p->births || c->cache_n == SYNTH_CACHE_SLOTS)
		return 1;
	if (c->cache_n && c->cache_pages != pages)
		return 0;
	if (pages == 1)
		return 1;
	dirty_after = g->dirty_cpus + (c->cache_n == 0);
	return dirty_after < g->p->ncpus || g->mortal_kids_left >= g->cached_grown + 1;
}

/* growth and HWM drift at an ordinary switch-out */
static void switch_out_growth(struct synth *g, struct synth_task *t, uint64_t now)
{
	uint32_t lim;

	if (!t->mortal && t->due <= now) {
		if (t->pages_target > t->pages) {
			t->hwm = hwm_for_pages(g, t->pages_target);
			t->pages = t->pages_target;
		}
		t->due = NO_TIME;
		return;
	}
	if (t->mortal && t->hwm < t->hwm_target && ks_rng_unit(&g->rng) < 0.5) {
		t->hwm = t->hwm_target;
		if (pages_for(g, t->hwm) > t->pages)
			t->pages = pages_for(g, t->hwm);
		return;
	}
	if (ks_rng_unit(&g->rng) < 0.02) {
		/* deeper within the pages already touched: no fault */
		lim = pages_for(g, t->hwm) * g->p->page_size;
		if (lim > t->hwm)
			t->hwm += (ks_rng_below(&g->rng, lim - t->hwm) + 8) & ~7u;
		if (t->hwm > lim)
			t->hwm = lim;
	}
}

static int try_birth(struct synth *g, uint32_t cpu, uint64_t now, uint32_t parent)
{
	const struct ks_synth_params *p = g->p;
	struct synth_cpu *c = &g->cpus[cpu];
	uint32_t inherit = c->cache_n ? c->cache_pages : 1, births_left, k, idx;
	struct synth_task *t, *pt = &g->tasks[parent];
	int mortal, ret;

	births_left = p->births - g->sum.births;
	mortal = ks_rng_below(&g->rng, births_left) < g->mortal_kids_left;
	if (!mortal) {
		/* a survivor whose planned end pages cover what it inherits */
		for (k = g->kid_pos; k < g->nkid_final && g->kid_final[k] < inherit; k++)
			;
		if (k == g->nkid_final) {
			if (!g->mortal_kids_left)
				return 0;	/* try on another CPU */
			mortal = 1;
		} else {
			uint8_t tmp = g->kid_final[k];

			g->kid_final[k] = g->kid_final[g->kid_pos];
			g->kid_final[g->kid_pos++] = tmp;
		}
	}
	idx = g->ntasks++;
	t = &g->tasks[idx];
	memset(t, 0, sizeof(*t));
	t->tid = idx + 1;
	t->alive = 1;
	t->mortal = (uint8_t)mortal;
	t->kthread = ks_rng_unit(&g->rng) < p->kthread_share;
	t->tgid = (!t->kthread && !pt->kthread && ks_rng_unit(&g->rng) < 0.5) ? pt->tgid : t->tid;
	t->pages = inherit;
	if (c->cache_n) {
		c->cache_n--;
		if (inherit > 1) {
			g->sum.inherited_grown += inherit - 1;
			g->cached_grown--;
			g->dirty_cpus -= c->cache_n == 0;
		}
	}
	t->hwm = draw_hwm(g, 0, p->page_size / 2);
	if (mortal) {
		g->mortal_kids_left--;
		t->hwm_target = draw_hwm(g, 0, p->thread_size);
		t->due = now + 1 + (uint64_t)ks_rng_exp(&g->rng, g->kid_life);
		if (t->due > g->t_deadline)
			t->due = now > g->t_deadline ? now + 1 : g->t_deadline;
	} else {
		t->pages_target = g->kid_final[g->kid_pos - 1];
		t->due = now + 1 + (uint64_t)ks_rng_exp(&g->rng, g->kid_life / 4);
		if (t->due > g->t_deadline)
			t->due = now > g->t_deadline ? now + 1 : g->t_deadline;
	}
	if ((ret = synth_due_push(g, t->due, idx)))
		return ret;
	synth_runnable_add(g, idx);
	g->sum.births++;
	g->birth_next = synth_birth_time(g, g->sum.births);

	{
		struct ks_event ev = {
			.time = now, .cpu = cpu, .tid = t->tid, .tid2 = pt->tid, .tgid = t->tgid,
			.type = KS_EV_NEW, .flags = t->kthread ? KS_F_KTHREAD : 0,
		};

		task_comm(g, t, ev.comm);
		return emit(g, &ev);
	}
}

static int do_switch(struct synth *g, uint32_t cpu, uint64_t now)
{
	struct synth_cpu *c = &g->cpus[cpu];
	uint32_t prev = c->cur, next;
	struct synth_task *pt = &g->tasks[prev];
	struct ks_event ev = { .time = now, .cpu = cpu, .type = KS_EV_SWITCH };
	int dies, ret;

	next = pick_next(g, c->last_prev);
	if (next == NONE)
		return 0;
	g->sum.switches++;
	dies = pt->mortal && pt->due <= now && death_ok(g, c, pt->pages);
	if (dies) {
		struct ks_event ex = {
			.time = now, .cpu = cpu, .tid = pt->tid, .tgid = pt->tgid,
			.hwm = pt->hwm, .type = KS_EV_EXIT,
		};

		if ((ret = emit(g, &ex)))
			return ret;
		ev.state = KS_STATE_DEAD;
	} else {
		switch_out_growth(g, pt, now);
		ev.state = ks_rng_unit(&g->rng) < (pt->kthread ? 0.1 : 0.3) ?
			   KS_STATE_RUNNING : KS_STATE_SLEEPING;
	}
	ev.tid = pt->tid;
	ev.tid2 = g->tasks[next].tid;
	ev.hwm = pt->hwm;
	/* tasks mostly block at the same place */
	if (!pt->depth || pt->depth > pt->hwm || ks_rng_unit(&g->rng) < 0.2)
		pt->depth = draw_depth(g, pt->hwm);
	ev.depth = pt->depth;
	if ((ret = emit(g, &ev)))
		return ret;

	pt->running = 0;
	if (dies) {
		pt->alive = 0;
		g->sum.deaths++;
		if (c->cache_n < SYNTH_CACHE_SLOTS) {
			if (pt->pages > 1) {
				g->dirty_cpus += c->cache_n == 0;
				g->cached_grown++;
			}
			c->cache_pages = (uint8_t)pt->pages;
			c->cache_n++;
		}
		ret = synth_free_push(g, now + 1000000 + ks_rng_below(&g->rng, 20000000), prev,
				      cpu);
		if (ret)
			return ret;
	} else {
		synth_runnable_add(g, prev);
		if (pt->mortal && pt->due <= now && !pt->queued) {
			/* its CPU's cache would mix sizes: retry a little later */
			pt->due = now + 1000000;
			if ((ret = synth_due_push(g, pt->due, prev)))
				return ret;
		}
	}
	c->cur = next;
	c->last_prev = prev;
	g->tasks[next].running = 1;
	if (g->sum.births < g->p->births && g->birth_next <= now)
		return try_birth(g, cpu, now, next);
	return 0;
}

static int do_kfault(struct synth *g, uint32_t cpu, uint64_t now)
{
	struct synth_task *t = &g->tasks[g->cpus[cpu].cur];
	struct ks_event ev = {
		.time = now, .cpu = cpu, .tid = t->tid, .type = KS_EV_KFAULT,
		.flags = KS_F_USER_ADDR,
	};

	ev.depth = draw_depth(g, t->hwm);
	g->sum.kfaults++;
	return emit(g, &ev);
}

/* tasks whose action time has come go to the front of the run queue */
static void due_release(struct synth *g, uint64_t now)
{
	while (g->ndue && g->due[0].time <= now) {
		struct synth_due d = synth_due_pop(g);
		struct synth_task *t = &g->tasks[d.task];

		if (!t->alive || t->due != d.time || t->queued || t->running)
			continue;	/* stale, or handled at its switch-out */
		t->queued = 1;
		g->dq[(g->dq_head + g->dq_len) % g->dq_cap] = d.task;
		g->dq_len++;
	}
}

static int flush_frees(struct synth *g, uint64_t now, uint64_t clamp)
{
	int ret;

	while (g->nfree && g->frees[0].time <= now) {
		struct synth_free f = synth_free_pop(g);
		struct ks_event ev = {
			.time = f.time < clamp ? f.time : clamp, .cpu = f.cpu,
			.tid = g->tasks[f.task].tid, .type = KS_EV_FREE,
		};

		if ((ret = emit(g, &ev)))
			return ret;
	}
	return 0;
}

static int census(struct synth *g, struct ks_error *err)
{
	const struct ks_synth_params *p = g->p;
	uint64_t alive = 0, grown = 0;
	uint32_t i;

	for (i = 0; i < g->ntasks; i++) {
		if (!g->tasks[i].alive)
			continue;
		alive++;
		grown += g->tasks[i].pages - 1;
	}
	g->sum.end_tasks = (uint32_t)alive;
	g->sum.end_grown = (uint32_t)grown;
	if (g->sum.births != p->births || g->sum.deaths != p->deaths)
		return ks_error_set(err, KS_E_PROFILE, "only %u of %u births and %u of %u deaths "
				    "fit in the schedule: raise switch_rate or duration",
				    g->sum.births, p->births, g->sum.deaths, p->deaths);
	if (alive != p->tasks || grown != p->grown)
		return ks_error_set(err, KS_E_PROFILE, "the schedule ended with %llu stacks and "
				    "%llu grown pages instead of %u and %u: raise switch_rate "
				    "or duration", (unsigned long long)alive,
				    (unsigned long long)grown, p->tasks, p->grown);
	return 0;
}

static int run_loop(struct synth *g)
{
	uint64_t end = g->end_ns;
	int ret;

	for (;;) {
		uint32_t cpu = g->heap[0].cpu;
		struct synth_cpu *c = &g->cpus[cpu];
		uint64_t now = g->heap[0].key;

		if (now >= end)
			break;
		if ((ret = flush_frees(g, now, end - 1)))
			return ret;
		due_release(g, now);
		if (c->next_kfault < c->next_switch) {
			ret = do_kfault(g, cpu, now);
			c->next_kfault = now + 1 + (uint64_t)ks_rng_exp(&g->rng, g->kfault_mean);
		} else {
			ret = do_switch(g, cpu, now);
			c->next_switch = now + 1000 + (uint64_t)ks_rng_exp(&g->rng, g->switch_mean);
		}
		if (ret)
			return ret;
		g->heap[0].key = c->next_switch < c->next_kfault ? c->next_switch : c->next_kfault;
		synth_cpu_heap_down(g, 0);
	}
	return flush_frees(g, UINT64_MAX, end - 1);
}

int ks_synth_run(const struct ks_synth_params *p, ks_synth_emit_fn emit_fn, void *arg,
		 struct ks_synth_summary *sum, struct ks_error *err)
{
	struct synth g;
	uint32_t i;
	int ret;

	ret = ks_synth_params_check(p, err);
	if (ret)
		return ret;
	ret = synth_init(&g, p, emit_fn, arg, err);
	if (ret)
		return ret;
	ret = plan(&g);
	if (ret)
		goto out;
	for (i = 0; i < p->ncpus; i++) {
		struct synth_cpu *c = &g.cpus[i];

		c->cur = pick_next(&g, NONE);
		c->last_prev = NONE;
		g.tasks[c->cur].running = 1;
		c->next_switch = (uint64_t)ks_rng_exp(&g.rng, g.switch_mean);
		c->next_kfault = g.kfault_mean > 0 ?
				 (uint64_t)ks_rng_exp(&g.rng, g.kfault_mean) : NO_TIME;
	}
	synth_cpu_heap_build(&g);
	g.birth_next = synth_birth_time(&g, 0);
	ret = emit_snapshots(&g);
	if (!ret)
		ret = run_loop(&g);
	if (!ret)
		ret = census(&g, err);
	if (!ret && sum) {
		g.sum.end_ns = g.end_ns;
		*sum = g.sum;
	}
out:
	if (ret == -ENOMEM)
		ks_error_set(err, ENOMEM, "synthetic trace state");
	synth_release(&g);
	return ret;
}
