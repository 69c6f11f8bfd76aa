/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the engine's golden tests: build tiny traces as arrays of
 * struct ks_event, replay them, and compare named counters with values
 * worked out by hand.  KS_GOLDEN_REGEN=1 prints every counter of every run
 * for review (expected values stay hand-derived: never paste them back
 * without redoing the arithmetic).
 */
#ifndef GOLDEN_UTIL_H
#define GOLDEN_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

#define MS 1000000ULL

static inline struct ks_event ev_snap(uint64_t t, uint32_t cpu, uint32_t tid, uint32_t hwm)
{
	return (struct ks_event){ .time = t, .cpu = cpu, .tid = tid, .tgid = tid, .hwm = hwm,
				  .type = KS_EV_SNAPSHOT };
}

static inline struct ks_event ev_new(uint64_t t, uint32_t cpu, uint32_t child, uint32_t parent)
{
	return (struct ks_event){ .time = t, .cpu = cpu, .tid = child, .tid2 = parent,
				  .tgid = child, .type = KS_EV_NEW };
}

static inline struct ks_event ev_exit(uint64_t t, uint32_t cpu, uint32_t tid, uint32_t hwm)
{
	return (struct ks_event){ .time = t, .cpu = cpu, .tid = tid, .hwm = hwm,
				  .type = KS_EV_EXIT };
}

static inline struct ks_event ev_free(uint64_t t, uint32_t cpu, uint32_t tid)
{
	return (struct ks_event){ .time = t, .cpu = cpu, .tid = tid, .type = KS_EV_FREE };
}

static inline struct ks_event ev_sw(uint64_t t, uint32_t cpu, uint32_t prev, uint32_t next,
				    uint32_t hwm, uint8_t state)
{
	return (struct ks_event){ .time = t, .cpu = cpu, .tid = prev, .tid2 = next, .hwm = hwm,
				  .state = state, .type = KS_EV_SWITCH };
}

struct expect {
	const char *name;
	uint64_t val;
};

static int g_failures;

static uint64_t counter(const struct ks_counters *c, const char *name, int *found)
{
	*found = 1;
#define X(n, d) if (!strcmp(name, #n)) return c->n;
	KS_COUNTERS(X)
#undef X
	*found = 0;
	return 0;
}

static void print_result(const char *test, const struct ks_result *r)
{
	printf("# %s: %s:%s\n", test, r->policy, r->params);
#define X(n, d) printf("#   %-20s %llu\n", #n, (unsigned long long)r->c.n);
	KS_COUNTERS(X)
#undef X
	printf("#   stack_pages_mean     %.6f\n#   pool_pages_mean      %.6f\n"
	       "#   total_pages_mean     %.6f\n",
	       r->c.stack_pages_mean, r->c.pool_pages_mean, r->c.total_pages_mean);
}

static inline void check_counters(const char *test, const struct ks_result *r,
				  const struct expect *e, size_t n)
{
	size_t i;

	if (getenv("KS_GOLDEN_REGEN"))
		print_result(test, r);
	for (i = 0; i < n; i++) {
		int found;
		uint64_t v = counter(&r->c, e[i].name, &found);

		if (!found) {
			printf("FAIL %s: no counter '%s'\n", test, e[i].name);
			g_failures++;
		} else if (v != e[i].val) {
			printf("FAIL %s: %s = %llu, expected %llu\n", test, e[i].name,
			       (unsigned long long)v, (unsigned long long)e[i].val);
			g_failures++;
		}
	}
}

static inline void check_double(const char *test, const char *what, double v, double want)
{
	if (fabs(v - want) > 1e-9) {
		printf("FAIL %s: %s = %.9f, expected %.9f\n", test, what, v, want);
		g_failures++;
	}
}

static inline void check_u64(const char *test, const char *what, uint64_t v, uint64_t want)
{
	if (v != want) {
		printf("FAIL %s: %s = %llu, expected %llu\n", test, what, (unsigned long long)v,
		       (unsigned long long)want);
		g_failures++;
	}
}

static inline struct ks_machine machine(uint32_t ncpus)
{
	return (struct ks_machine){ .start_ns = 0, .page_size = 4096, .thread_size = 16384,
				    .ncpus = ncpus, .depth_known = true };
}

/* Replay @evs under @spec; the result is heap-allocated (it is large). */
static inline struct ks_result *run(const char *spec, const struct ks_machine *m,
				    const struct ks_event *evs, size_t n, uint64_t end)
{
	struct ks_result *res = calloc(1, sizeof(*res));
	struct ks_grid *e;
	struct ks_error err = { 0 };
	int ret;

	if (!res)
		exit(1);
	ret = ks_grid_create(&e, &spec, 1, m, &err);
	if (ret) {
		printf("FAIL: ks_grid_create(%s): %d %s\n", spec, ret, err.detail);
		exit(1);
	}
	ks_grid_feed(e, evs, n);
	ks_grid_finish(e, end, res);
	if (ks_grid_status(e)) {
		printf("FAIL: %s: engine status %d\n", spec, ks_grid_status(e));
		exit(1);
	}
	ks_grid_free(e);
	return res;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

#endif
