// SPDX-License-Identifier: MIT
/*
 * The grid's task table: tid -> slot by open addressing, slots reused
 * through a free list.  Each run keeps its own state of a task in the same
 * slot of its task array, so the arrays of every run grow with the table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grid_state.h"

static void hash_put(uint32_t *key, uint32_t *val, uint32_t mask, uint32_t tid, uint32_t slot)
{
	uint32_t i = tid_hash(tid, mask);

	while (key[i])
		i = (i + 1) & mask;
	key[i] = tid;
	val[i] = slot;
}

static int hash_grow(struct ks_grid *g)
{
	uint32_t cap = (g->hmask + 1) * 2, i;
	uint32_t *key = calloc(cap, sizeof(*key));
	uint32_t *val = malloc(cap * sizeof(*val));

	if (!key || !val) {
		free(key);
		free(val);
		return -ENOMEM;
	}
	for (i = 0; i <= g->hmask; i++)
		if (g->hkey[i])
			hash_put(key, val, cap - 1, g->hkey[i], g->hval[i]);
	free(g->hkey);
	free(g->hval);
	g->hkey = key;
	g->hval = val;
	g->hmask = cap - 1;
	return 0;
}

/* Linear probing with backward-shift deletion: no tombstones to pile up. */
static void hash_del(struct ks_grid *g, uint32_t tid)
{
	uint32_t i = tid_hash(tid, g->hmask), j;

	while (g->hkey[i] != tid)
		i = (i + 1) & g->hmask;
	j = i;
	for (;;) {
		uint32_t home;

		j = (j + 1) & g->hmask;
		if (!g->hkey[j])
			break;
		home = tid_hash(g->hkey[j], g->hmask);
		/* move j back to i unless its home lies cyclically in (i, j] */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			g->hkey[i] = g->hkey[j];
			g->hval[i] = g->hval[j];
			i = j;
		}
	}
	g->hkey[i] = 0;
	g->hcount--;
}

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

	if ((g->hcount + 1) * 2 > g->hmask + 1 && hash_grow(g))
		goto nomem;
	if (g->nr_free) {
		slot = g->free_slots[--g->nr_free];
	} else {
		if (g->task_top == g->task_cap && ks_task_slots_grow(g))
			goto nomem;
		slot = g->task_top++;
	}
	hash_put(g->hkey, g->hval, g->hmask, tid, slot);
	g->hcount++;
	memset(&g->task[slot], 0, sizeof(g->task[slot]));
	g->task[slot].tid = tid;
	return slot;
nomem:
	g->status = -ENOMEM;
	return KS_NO_TASK;
}

void ks_task_remove(struct ks_grid *g, uint32_t slot)
{
	hash_del(g, g->task[slot].tid);
	g->task[slot].tid = 0;
	g->free_slots[g->nr_free++] = slot;
}
