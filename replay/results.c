// SPDX-License-Identifier: MIT
/*
 * What a replay produces besides the runs themselves: the digest of
 * canonical results (--verify).
 */
#include <string.h>

#include "replay.h"

/* FNV-1a, fed with explicit little-endian bytes so the digest is portable. */
static uint64_t fnv_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t fnv_u64(uint64_t h, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	return fnv_bytes(h, b, 8);
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	return fnv_bytes(h, s, strlen(s) + 1);
}

uint64_t ks_result_digest(const struct ks_result *r, uint64_t h)
{
	uint64_t bits;
	size_t i;

	if (!h)
		h = 0xcbf29ce484222325ull;
	h = fnv_str(h, r->policy);
	h = fnv_str(h, r->params);
	h = fnv_str(h, r->engine_version);
	h = fnv_u64(h, r->seed);
#define KS_X_DIGEST(name, desc) h = fnv_u64(h, r->c.name);
	KS_COUNTERS(KS_X_DIGEST)
#undef KS_X_DIGEST
	memcpy(&bits, &r->c.stack_pages_mean, sizeof(bits));
	h = fnv_u64(h, bits);
	memcpy(&bits, &r->c.pool_pages_mean, sizeof(bits));
	h = fnv_u64(h, bits);
	memcpy(&bits, &r->c.total_pages_mean, sizeof(bits));
	h = fnv_u64(h, bits);
	for (i = 0; i < r->nr_crashes; i++) {
		h = fnv_u64(h, r->crashes[i].time);
		h = fnv_u64(h, ((uint64_t)r->crashes[i].cpu << 32) | r->crashes[i].tid);
		h = fnv_u64(h, ((uint64_t)r->crashes[i].pages_needed << 32) | r->crashes[i].reason);
		h = fnv_bytes(h, r->crashes[i].comm, sizeof(r->crashes[i].comm));
	}
	for (i = 0; i < r->nr_samples; i++) {
		h = fnv_u64(h, r->samples[i].time);
		h = fnv_u64(h, r->samples[i].stack_pages);
		h = fnv_u64(h, r->samples[i].pool_pages);
		h = fnv_u64(h, r->samples[i].cache_pages);
		h = fnv_u64(h, r->samples[i].kernel_stack_kb);
		h = fnv_u64(h, r->samples[i].tasks);
		h = fnv_u64(h, r->samples[i].crashes);
	}
	return h;
}
