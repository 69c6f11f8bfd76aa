// SPDX-License-Identifier: MIT
/*
 * The tid map against a plain array indexed by tid: random inserts and
 * deletes (deletes in random order shift entries back over wrapped runs),
 * with the map growing from 4 entries; after every step each tid the
 * array holds is found with its slot and each deleted one is not.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ks_tidmap.h"

#define NTIDS 5000
#define STEPS 40000

static int failures;

#define CHECK(cond, ...)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                    \
			fprintf(stderr, __VA_ARGS__);                                     \
			fputc('\n', stderr);                                              \
			if (++failures > 10)                                              \
				exit(1);                                                  \
		}                                                                         \
	} while (0)

static uint64_t rng = 0x6b737461636bull;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

int main(void)
{
	static uint32_t ref[NTIDS + 1];	/* tid -> slot + 1, 0: absent */
	struct ks_tidmap m;
	uint32_t tid, n = 0, peak = 0;
	int step;

	CHECK(!ks_tidmap_init(&m, 4), "init");
	for (step = 0; step < STEPS; step++) {
		/* tids 1..NTIDS, many of them neighbours: long probe runs */
		tid = 1 + next() % NTIDS;
		if (ref[tid]) {
			ks_tidmap_del(&m, tid);
			ref[tid] = 0;
			n--;
		} else {
			CHECK(!ks_tidmap_reserve(&m), "reserve");
			ks_tidmap_put(&m, tid, (uint32_t)step);
			ref[tid] = (uint32_t)step + 1;
			n++;
		}
		peak = n > peak ? n : peak;
		CHECK(m.count == n, "step %d: count %u, want %u", step, m.count, n);
		CHECK((m.count * 2) <= m.mask + 1, "step %d: %u tids in %u entries", step, m.count,
		      m.mask + 1);
		if (step % 97)
			continue;
		for (tid = 1; tid <= NTIDS; tid++)
			CHECK(ks_tidmap_get(&m, tid) == (ref[tid] ? ref[tid] - 1 : KS_TIDMAP_NONE),
			      "step %d: tid %u", step, tid);
	}
	for (tid = 1; tid <= NTIDS; tid++)
		CHECK(ks_tidmap_get(&m, tid) == (ref[tid] ? ref[tid] - 1 : KS_TIDMAP_NONE),
		      "end: tid %u", tid);
	CHECK(peak > 1000, "the walk never filled the map (%u at most)", peak);
	ks_tidmap_free(&m);
	return failures ? 1 : 0;
}
