// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>

#include "ks_tidmap.h"

int ks_tidmap_init(struct ks_tidmap *m, uint32_t cap)
{
	m->key = calloc(cap, sizeof(*m->key));
	m->val = calloc(cap, sizeof(*m->val));
	m->mask = cap - 1;
	m->count = 0;
	return m->key && m->val ? 0 : -ENOMEM;
}

void ks_tidmap_free(struct ks_tidmap *m)
{
	free(m->key);
	free(m->val);
	m->key = m->val = NULL;
}

static void put(uint32_t *key, uint32_t *val, uint32_t mask, uint32_t tid, uint32_t slot)
{
	uint32_t i = ks_tidmap_hash(tid, mask);

	while (key[i])
		i = (i + 1) & mask;
	key[i] = tid;
	val[i] = slot;
}

int ks_tidmap_reserve(struct ks_tidmap *m)
{
	uint32_t cap = (m->mask + 1) * 2, i;
	uint32_t *key, *val;

	if ((m->count + 1) * 2 <= m->mask + 1)
		return 0;
	key = calloc(cap, sizeof(*key));
	val = malloc(cap * sizeof(*val));
	if (!key || !val) {
		free(key);
		free(val);
		return -ENOMEM;
	}
	for (i = 0; i <= m->mask; i++)
		if (m->key[i])
			put(key, val, cap - 1, m->key[i], m->val[i]);
	free(m->key);
	free(m->val);
	m->key = key;
	m->val = val;
	m->mask = cap - 1;
	return 0;
}

void ks_tidmap_put(struct ks_tidmap *m, uint32_t tid, uint32_t slot)
{
	put(m->key, m->val, m->mask, tid, slot);
	m->count++;
}

void ks_tidmap_del(struct ks_tidmap *m, uint32_t tid)
{
	uint32_t i = ks_tidmap_hash(tid, m->mask), j, home;

	while (m->key[i] != tid)
		i = (i + 1) & m->mask;
	for (j = i;;) {
		j = (j + 1) & m->mask;
		if (!m->key[j])
			break;
		home = ks_tidmap_hash(m->key[j], m->mask);
		/* move j back to i unless its home lies cyclically in (i, j] */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			m->key[i] = m->key[j];
			m->val[i] = m->val[j];
			i = j;
		}
	}
	m->key[i] = 0;
	m->count--;
}
