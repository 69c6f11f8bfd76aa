// SPDX-License-Identifier: MIT
/*
 * The grid's task table: tid -> slot (common/ks_tidmap.h), slots reused
 * through a free list.  Each run keeps its own state of a task in the same
 * slot of its task array, so the arrays of every run grow with the table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grid_state.h"

int ks_task_slots_grow(struct ks_grid *g)
{
	uint32_t cap = g->task_cap ? g->task_cap * 2 : 1024;
	struct ks_task *t;
	uint64_t *mark;
	uint32_t *f;
	size_t i;

	t = realloc(g->task, cap * sizeof(*t));
	if (!t)
		return -ENOMEM;
	g->task = t;
	f = realloc(g->free_slots, cap * sizeof(*f));
	if (!f)
		return -ENOMEM;
	g->free_slots = f;
	for (i = 0; i < g->nruns; i++) {
		struct ks_run_state *s = g->runs[i];
		unsigned char *p = realloc(s->tasks, cap * s->stride);

		if (!p)
			return -ENOMEM;
		s->tasks = p;
		p = realloc(s->born, cap);
		if (!p)
			return -ENOMEM;
		s->born = p;
		mark = realloc(s->run_mark, cap * sizeof(*mark));
		if (!mark)
			return -ENOMEM;
		s->run_mark = mark;
	}
	g->task_cap = cap;
	return 0;
}

uint32_t ks_task_insert(struct ks_grid *g, uint32_t tid)
{
	uint32_t slot;

	if (ks_tidmap_reserve(&g->tids))
		goto nomem;
	if (g->nr_free) {
		slot = g->free_slots[--g->nr_free];
	} else {
		if (g->task_top == g->task_cap && ks_task_slots_grow(g))
			goto nomem;
		slot = g->task_top++;
	}
	ks_tidmap_put(&g->tids, tid, slot);
	memset(&g->task[slot], 0, sizeof(g->task[slot]));
	g->task[slot].tid = tid;
	return slot;
nomem:
	g->status = -ENOMEM;
	return KS_NO_TASK;
}

void ks_task_remove(struct ks_grid *g, uint32_t slot)
{
	ks_tidmap_del(&g->tids, g->task[slot].tid);
	g->task[slot].tid = 0;
	g->free_slots[g->nr_free++] = slot;
}
