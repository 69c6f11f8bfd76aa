// SPDX-License-Identifier: MIT
/*
 * The per-task analysis (tasks.h): one pass over the events, a table of the
 * live tasks (tid -> slot by open addressing, slots reused), a row handed
 * to the sink when a task is released.  Memory is the live tasks' state:
 * the row being built, the sleep integrals by depth bucket and the first
 * time each stack page was touched (THREAD_SIZE / PAGE_SIZE times, which
 * bounds what a task can hold), never the history of the trace.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ks_tidmap.h"
#include "tasks.h"

#define NO_SLOT KS_TIDMAP_NONE

enum sleep_state {
	SLEEP_NONE = 0,		/* running, or off the CPU at an unknown depth */
	SLEEP_ON = 1,		/* asleep since sleep_from at sleep_depth */
	SLEEP_START = 2,	/* in the start snapshot at a depth: asleep unless it was running */
};

/* What nearly every event reads, apart from the rest so that it stays in cache. */
struct hot {
	uint64_t sleep_from;
	uint32_t hwm;		/* row.hwm_final */
	uint32_t sleep_depth;
	uint8_t sleep;		/* enum sleep_state */
	uint8_t tgid;		/* row's tgid is known */
};

/* The rest of a task: its row and what it needs when something changes. */
struct tstate {
	struct ks_task_row row;
	unsigned __int128 area[KS_TASKS_MAX_BUCKETS];	/* bytes x ns asleep, by bucket */
	uint8_t baseline;	/* born in the trace: its HWM before the first sighting was 0 */
	uint8_t kthread;
};

struct ks_tasks {
	struct ks_tasks_config cfg;
	ks_tasks_sink sink;
	void *arg;
	struct hot *hot;		/* by slot */
	struct tstate *task;		/* by slot */
	uint64_t *touch;		/* by slot: npages first-touch times */
	uint32_t *free_slots;
	struct ks_tidmap tids;		/* tid -> slot */
	uint32_t cap, top, nr_free;
	uint32_t npages;		/* thread_size / page_size */
	uint32_t nbuckets;
	uint64_t end_ns;
	uint64_t next_seq;
	uint64_t rows;
	uint64_t live, live_peak;
	int status;
};

size_t ks_tasks_buckets(uint32_t thread_size, uint32_t *kb)
{
	size_t n = 0;

	for (; n + 1 < KS_TASKS_MAX_BUCKETS && (1024ull << n) <= thread_size; n++)
		kb[n] = 1u << n;
	kb[n++] = 0;
	return n;
}

size_t ks_tasks_bucket(uint32_t thread_size, uint32_t bytes)
{
	size_t i = 0;

	while ((1024ull << i) <= thread_size && i + 1 < KS_TASKS_MAX_BUCKETS) {
		if (bytes <= (1024ull << i))
			return i;
		i++;
	}
	return i;	/* above THREAD_SIZE */
}

const char *ks_task_class_name(unsigned int klass)
{
	switch (klass) {
	case KS_TASK_KTHREAD:
		return "kthread";
	case KS_TASK_KWORKER:
		return "kworker";
	default:
		return "user";
	}
}

static uint32_t lookup(const struct ks_tasks *t, uint32_t tid)
{
	return ks_tidmap_get(&t->tids, tid);
}

static int slots_grow(struct ks_tasks *t)
{
	uint32_t cap = t->cap ? t->cap * 2 : 256;
	struct tstate *ts;
	uint64_t *touch;
	uint32_t *f;

	struct hot *h;

	h = realloc(t->hot, cap * sizeof(*h));
	if (!h)
		return -ENOMEM;
	t->hot = h;
	ts = realloc(t->task, cap * sizeof(*ts));
	if (!ts)
		return -ENOMEM;
	t->task = ts;
	touch = realloc(t->touch, (size_t)cap * t->npages * sizeof(*touch));
	if (!touch)
		return -ENOMEM;
	t->touch = touch;
	f = realloc(t->free_slots, cap * sizeof(*f));
	if (!f)
		return -ENOMEM;
	t->free_slots = f;
	t->cap = cap;
	return 0;
}

int ks_tasks_create(struct ks_tasks **out, const struct ks_tasks_config *cfg, ks_tasks_sink sink,
		    void *arg)
{
	uint32_t kb[KS_TASKS_MAX_BUCKETS];
	struct ks_tasks *t;

	*out = NULL;
	if (cfg->page_size < 1024 || cfg->thread_size < cfg->page_size ||
	    cfg->thread_size > (1u << 20) || cfg->thread_size % cfg->page_size)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->cfg = *cfg;
	t->sink = sink;
	t->arg = arg;
	t->end_ns = cfg->start_ns;
	t->npages = cfg->thread_size / cfg->page_size;
	t->nbuckets = (uint32_t)ks_tasks_buckets(cfg->thread_size, kb);
	if (ks_tidmap_init(&t->tids, 1024) || slots_grow(t)) {
		ks_tasks_free(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

void ks_tasks_free(struct ks_tasks *t)
{
	if (!t)
		return;
	free(t->hot);
	free(t->task);
	free(t->touch);
	free(t->free_slots);
	ks_tidmap_free(&t->tids);
	free(t);
}

int ks_tasks_status(const struct ks_tasks *t)
{
	return t->status;
}

uint64_t ks_tasks_count(const struct ks_tasks *t)
{
	return t->rows;
}

uint64_t ks_tasks_live_peak(const struct ks_tasks *t)
{
	return t->live_peak;
}

static void set_comm(struct ks_task_row *r, const char *comm)
{
	if (!comm[0])
		return;
	memset(r->comm, 0, sizeof(r->comm));
	memcpy(r->comm, comm, strnlen(comm, KS_COMM_LEN - 1));
}

static void set_tgid(struct ks_tasks *t, uint32_t slot, uint32_t tgid)
{
	if (!tgid)
		return;
	t->task[slot].row.tgid = tgid;
	t->task[slot].row.flags |= KS_TASK_TGID;
	t->hot[slot].tgid = 1;
}

/* In the workload: the command itself, or a thread of a process of the workload. */
static int8_t workload_of(const struct ks_tasks *t, uint32_t tid, uint32_t tgid)
{
	uint32_t leader;

	if (!t->cfg.workload_pid)
		return -1;
	if (tid == t->cfg.workload_pid || tgid == t->cfg.workload_pid)
		return 1;
	leader = tgid && tgid != tid ? lookup(t, tgid) : NO_SLOT;
	return leader != NO_SLOT && t->task[leader].row.in_workload == 1;
}

/* A new task; @born: its NEW is this event (else it was alive before the trace named it). */
static uint32_t task_new(struct ks_tasks *t, uint32_t tid, uint64_t now, bool born)
{
	struct tstate *s;
	uint32_t slot;

	if (ks_tidmap_reserve(&t->tids))
		goto nomem;
	if (t->nr_free) {
		slot = t->free_slots[--t->nr_free];
	} else {
		if (t->top == t->cap && slots_grow(t))
			goto nomem;
		slot = t->top++;
	}
	ks_tidmap_put(&t->tids, tid, slot);
	memset(&t->hot[slot], 0, sizeof(t->hot[slot]));
	s = &t->task[slot];
	memset(s, 0, sizeof(*s));
	s->row.seq = t->next_seq++;
	s->row.tid = tid;
	s->row.in_workload = -1;
	s->row.life_start_ns = born ? now : t->cfg.start_ns;
	if (born) {
		s->row.born_ns = now;
		s->row.flags |= KS_TASK_BORN;
		s->baseline = 1;
	}
	if (++t->live > t->live_peak)
		t->live_peak = t->live;
	return slot;
nomem:
	t->status = -ENOMEM;
	return NO_SLOT;
}

/*
 * The task a record names (with its @tgid, 0 if the record has none); a tid
 * not held is a task alive before the trace named it.
 */
static uint32_t task_get(struct ks_tasks *t, uint32_t tid, uint32_t tgid, uint64_t now)
{
	uint32_t slot = lookup(t, tid);

	if (slot == NO_SLOT) {
		slot = task_new(t, tid, now, false);
		if (slot == NO_SLOT)
			return slot;
		t->task[slot].row.in_workload = workload_of(t, tid, tgid);
	}
	if (!t->hot[slot].tgid)
		set_tgid(t, slot, tgid);
	return slot;
}

static uint32_t pages_of(const struct ks_tasks *t, uint32_t bytes)
{
	uint64_t p = ((uint64_t)bytes + t->cfg.page_size - 1) / t->cfg.page_size;

	return p > t->npages ? t->npages : (uint32_t)p;
}

/* The HWM @hwm observed at @now. */
static void observe(struct ks_tasks *t, uint32_t slot, uint32_t hwm, uint64_t now)
{
	struct tstate *s;
	struct ks_task_row *r;
	uint64_t *touch;
	uint32_t old = t->hot[slot].hwm, p;

	/* the common case: nothing new */
	if (hwm <= old)
		return;
	s = &t->task[slot];
	r = &s->row;
	touch = t->touch + (size_t)slot * t->npages;
	if (!r->hwm_first) {
		r->hwm_first = hwm;
		r->hwm_first_ns = now;
	} else {
		if (!r->rises++)
			r->rise_first_ns = now;
		r->rise_last_ns = now;
		if (now > r->life_start_ns + KS_TASKS_LATE_NS)
			r->rises_late++;
	}
	/* nothing before a task's first HWM says when it reached it: its life's start */
	for (p = pages_of(t, old); p < pages_of(t, hwm); p++)
		touch[p] = old ? now : r->life_start_ns;
	if (s->baseline || old) {
		if (old <= 4096 && hwm > 4096) {
			r->cross4k_ns = now;
			r->flags |= KS_TASK_CROSS4K;
		}
		if (old <= 8192 && hwm > 8192) {
			r->cross8k_ns = now;
			r->flags |= KS_TASK_CROSS8K;
		}
	}
	r->hwm_final = hwm;
	t->hot[slot].hwm = hwm;
}

/* Close the task's sleep at @now (it runs, or the trace ends). */
static void wake(struct ks_tasks *t, uint32_t slot, uint64_t now)
{
	struct hot *h = &t->hot[slot];
	struct tstate *s;
	size_t b;
	uint64_t d;

	if (h->sleep == SLEEP_NONE)
		return;
	h->sleep = SLEEP_NONE;
	if (now <= h->sleep_from)
		return;
	s = &t->task[slot];
	d = now - h->sleep_from;
	b = ks_tasks_bucket(t->cfg.thread_size, h->sleep_depth);
	s->row.bucket_asleep_ns[b] += d;
	s->area[b] += (unsigned __int128)d * h->sleep_depth;
}

/* The first record of a task of the start snapshot that runs: it was not asleep. */
static void running(struct ks_tasks *t, uint32_t slot, uint64_t now)
{
	struct hot *h = &t->hot[slot];

	if (h->sleep == SLEEP_START)
		h->sleep = SLEEP_NONE;
	else
		wake(t, slot, now);	/* a switch-in the trace lost */
}

/* Pages of @slot first touched after @from (those of its first sighting: at its life's start). */
static uint32_t pages_after(const struct ks_tasks *t, uint32_t slot, uint64_t from)
{
	const uint64_t *touch = t->touch + (size_t)slot * t->npages;
	uint32_t p, n = 0;

	for (p = 0; p < t->task[slot].row.pages; p++)
		n += touch[p] > from;
	return n;
}

/* The row of @slot, finished at @end: hand it out, free the slot. */
static void task_release(struct ks_tasks *t, uint32_t slot, uint64_t end)
{
	struct tstate *s = &t->task[slot];
	struct ks_task_row *r = &s->row;
	uint64_t life;
	size_t b;
	int ret;

	wake(t, slot, end);
	r->life_end_ns = r->flags & KS_TASK_DIED ? r->died_ns : end;
	if (r->life_end_ns < r->life_start_ns)
		r->life_end_ns = r->life_start_ns;
	life = r->life_end_ns - r->life_start_ns;
	r->pages = r->hwm_final ? pages_of(t, r->hwm_final) : 0;
	r->pages_late_1s = pages_after(t, slot, r->life_start_ns + KS_TASKS_LATE_NS);
	r->pages_late_10pct = pages_after(t, slot, r->life_start_ns + life / 10);
	r->asleep_ns = 0;
	r->asleep_kib_s = 0;
	for (b = 0; b < t->nbuckets; b++) {
		r->bucket_kib_s[b] = (double)s->area[b] / 1024.0 / 1e9;
		r->asleep_ns += r->bucket_asleep_ns[b];
		r->asleep_kib_s += r->bucket_kib_s[b];
	}
	if (s->kthread)
		r->klass = strncmp(r->comm, "kworker/", 8) ? KS_TASK_KTHREAD : KS_TASK_KWORKER;
	else
		r->klass = KS_TASK_USER;
	if (!t->status && t->sink) {
		ret = t->sink(t->arg, r);
		if (ret)
			t->status = ret;
	}
	t->rows++;
	t->live--;
	ks_tidmap_del(&t->tids, r->tid);
	t->free_slots[t->nr_free++] = slot;
}

/* The task exits (do_exit) at @now, or its final switch-out shows it gone. */
static void task_died(struct ks_tasks *t, uint32_t slot, uint64_t now)
{
	struct ks_task_row *r = &t->task[slot].row;

	if (r->flags & KS_TASK_DIED)
		return;
	r->died_ns = now;
	r->flags |= KS_TASK_DIED;
}

static void on_snapshot(struct ks_tasks *t, const struct ks_event *ev)
{
	bool stop = ev->flags & KS_F_STOP;
	uint32_t slot = lookup(t, ev->tid);
	struct tstate *s;

	if (slot == NO_SLOT) {
		slot = task_new(t, ev->tid, ev->time, false);
		if (slot == NO_SLOT)
			return;
		if (!stop && ev->depth) {
			t->hot[slot].sleep = SLEEP_START;
			t->hot[slot].sleep_from = ev->time;
			t->hot[slot].sleep_depth = ev->depth;
		}
	}
	s = &t->task[slot];
	s->kthread = !!(ev->flags & KS_F_KTHREAD);
	set_comm(&s->row, ev->comm);
	set_tgid(t, slot, ev->tgid);
	if (s->row.in_workload < 0)
		s->row.in_workload = workload_of(t, ev->tid, ev->tgid);
	observe(t, slot, ev->hwm, ev->time);
}

static void on_new(struct ks_tasks *t, const struct ks_event *ev)
{
	int8_t parent_in = -1;
	uint32_t slot;
	struct tstate *s;

	if (ev->tid2 && ev->tid2 != ev->tid) {
		slot = task_get(t, ev->tid2, 0, ev->time);
		if (slot == NO_SLOT)
			return;
		parent_in = t->task[slot].row.in_workload;
	}
	slot = lookup(t, ev->tid);
	if (slot != NO_SLOT) {
		/* a reused tid whose end the trace missed */
		task_died(t, slot, ev->time);
		task_release(t, slot, ev->time);
	}
	slot = task_new(t, ev->tid, ev->time, true);
	if (slot == NO_SLOT)
		return;
	s = &t->task[slot];
	s->kthread = !!(ev->flags & KS_F_KTHREAD);
	set_comm(&s->row, ev->comm);
	set_tgid(t, slot, ev->tgid);
	s->row.in_workload = parent_in == 1 ? 1 : workload_of(t, ev->tid, ev->tgid);
}

static void on_switch(struct ks_tasks *t, const struct ks_event *ev)
{
	uint32_t slot;

	if (ev->tid) {
		slot = task_get(t, ev->tid, ev->tgid, ev->time);
		if (slot == NO_SLOT)
			return;
		running(t, slot, ev->time);
		observe(t, slot, ev->hwm, ev->time);
		if (ev->state == KS_STATE_SLEEPING && ev->depth) {
			t->hot[slot].sleep = SLEEP_ON;
			t->hot[slot].sleep_from = ev->time;
			t->hot[slot].sleep_depth = ev->depth;
		} else if (ev->state == KS_STATE_DEAD) {
			task_died(t, slot, ev->time);
			task_release(t, slot, ev->time);
		}
	}
	if (ev->tid2) {
		slot = task_get(t, ev->tid2, 0, ev->time);
		if (slot != NO_SLOT)
			wake(t, slot, ev->time);
	}
}

static void on_event(struct ks_tasks *t, const struct ks_event *ev)
{
	uint32_t slot;

	if (ev->time > t->end_ns)
		t->end_ns = ev->time;
	switch (ev->type) {
	case KS_EV_SNAPSHOT:
		if (ev->tid)
			on_snapshot(t, ev);
		break;
	case KS_EV_NEW:
		if (ev->tid)
			on_new(t, ev);
		break;
	case KS_EV_SWITCH:
		on_switch(t, ev);
		break;
	case KS_EV_EXIT:
		if (!ev->tid)
			break;
		slot = task_get(t, ev->tid, ev->tgid, ev->time);
		if (slot == NO_SLOT)
			break;
		running(t, slot, ev->time);
		observe(t, slot, ev->hwm, ev->time);
		if (!(t->task[slot].row.flags & KS_TASK_EXITED)) {
			t->task[slot].row.hwm_exit = ev->hwm;
			t->task[slot].row.flags |= KS_TASK_EXITED;
		}
		task_died(t, slot, ev->time);
		break;
	case KS_EV_FREE:
		slot = ev->tid ? lookup(t, ev->tid) : NO_SLOT;
		if (slot != NO_SLOT) {
			task_died(t, slot, ev->time);
			task_release(t, slot, ev->time);
		}
		break;
	case KS_EV_KFAULT:
	case KS_EV_KENTRY:
	case KS_EV_KEXIT:
	case KS_EV_EXEC:
		if (!ev->tid)
			break;
		slot = task_get(t, ev->tid, ev->tgid, ev->time);
		if (slot == NO_SLOT)
			break;
		running(t, slot, ev->time);
		/* the program it now runs names it (not its parent's name at the fork) */
		if (ev->type == KS_EV_EXEC)
			set_comm(&t->task[slot].row, ev->comm);
		break;
	default:
		break;
	}
}

void ks_tasks_feed(struct ks_tasks *t, const struct ks_event *evs, size_t n)
{
	size_t i;

	for (i = 0; i < n && !t->status; i++)
		on_event(t, &evs[i]);
}

struct seq_slot {
	uint64_t seq;
	uint32_t slot;
};

static int cmp_seq(const void *a, const void *b)
{
	uint64_t x = ((const struct seq_slot *)a)->seq, y = ((const struct seq_slot *)b)->seq;

	return (x > y) - (x < y);
}

int ks_tasks_finish(struct ks_tasks *t, uint64_t end_ns)
{
	struct seq_slot *order;
	uint32_t i, n = 0;

	if (t->status)
		return t->status;
	if (end_ns < t->end_ns)
		end_ns = t->end_ns;
	order = malloc((t->tids.count + 1) * sizeof(*order));
	if (!order)
		return t->status = -ENOMEM;
	for (i = 0; i <= t->tids.mask; i++) {
		if (!t->tids.key[i])
			continue;
		order[n].slot = t->tids.val[i];
		order[n++].seq = t->task[t->tids.val[i]].row.seq;
	}
	qsort(order, n, sizeof(*order), cmp_seq);
	for (i = 0; i < n && !t->status; i++)
		task_release(t, order[i].slot, end_ns);
	free(order);
	return t->status;
}
