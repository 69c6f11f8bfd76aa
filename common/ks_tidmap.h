/* SPDX-License-Identifier: MIT */
/*
 * A task table's index: tid -> slot by open addressing with linear probing,
 * tid 0 marking an empty entry, grown to keep it at most half full, and
 * backward-shift deletion so no tombstones pile up.  The engine's grid and
 * the per-task analysis each keep one; the lookup is inline, as the engine
 * makes one for nearly every event.
 */
#ifndef KS_TIDMAP_H
#define KS_TIDMAP_H

#include <stdint.h>

/* Returned by ks_tidmap_get() for a tid that is not in the map */
#define KS_TIDMAP_NONE UINT32_MAX

struct ks_tidmap {
	uint32_t *key;		/* tid, 0 = empty */
	uint32_t *val;		/* slot */
	uint32_t mask;		/* capacity - 1, a power of two minus one */
	uint32_t count;		/* tids in it */
};

static inline uint32_t ks_tidmap_hash(uint32_t tid, uint32_t mask)
{
	return (tid * 0x9e3779b1u) & mask;
}

/** ks_tidmap_get() - the slot of @tid, or KS_TIDMAP_NONE */
static inline uint32_t ks_tidmap_get(const struct ks_tidmap *m, uint32_t tid)
{
	uint32_t i = ks_tidmap_hash(tid, m->mask);

	for (;;) {
		uint32_t k = m->key[i];

		if (k == tid)
			return m->val[i];
		if (!k)
			return KS_TIDMAP_NONE;
		i = (i + 1) & m->mask;
	}
}

/**
 * ks_tidmap_init() - an empty map of @cap entries (a power of two)
 * Return: 0 or -ENOMEM (release @m with ks_tidmap_free() either way).
 */
int ks_tidmap_init(struct ks_tidmap *m, uint32_t cap);
/** ks_tidmap_free() - free what @m holds; accepts a zeroed @m */
void ks_tidmap_free(struct ks_tidmap *m);
/**
 * ks_tidmap_reserve() - room for one more tid (the map grows when it would
 * be more than half full), so that the next ks_tidmap_put() cannot fail
 * Return: 0 or -ENOMEM.
 */
int ks_tidmap_reserve(struct ks_tidmap *m);
/** ks_tidmap_put() - add @tid (not in @m, not 0) -> @slot, after ks_tidmap_reserve() */
void ks_tidmap_put(struct ks_tidmap *m, uint32_t tid, uint32_t slot);
/** ks_tidmap_del() - remove @tid, which is in @m */
void ks_tidmap_del(struct ks_tidmap *m, uint32_t tid);

#endif
