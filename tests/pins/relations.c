// SPDX-License-Identifier: MIT
/*
 * Relations between designs that must hold on every shipped trace.
 *
 *   relations TRACES_DIR
 *
 * Replays every .kst trace of TRACES_DIR under the designs below (through
 * ks_replay_trace(), as the pins do) and checks what follows from the
 * designs themselves, whatever the workload:
 * - static (every stack whole) holds at least as many stack pages as every
 *   other design, at the end, at the peak and on time-weighted mean: no
 *   design maps more than a whole stack to a task, and every design's
 *   tasks live exactly as long.
 * - abit with latch=1 maps the whole stack while a task runs and keeps
 *   every page it ever touched, while rfc without the cache quirk holds
 *   what each task touched: abit's mean is at least rfc's.
 * - The access=depth runs (abit latch=0, gc) count as touched a subset of
 *   what access=hwm counts, at the same checks: they never hold more
 *   pages (end, peak, mean).
 * - sp-reclaim leaves a sleeping task the pages down to its saved stack
 *   pointer, rfc the pages down to its high-water mark: the time-integral
 *   of pages held by tasks not running (asleep_page_ns) is no larger.
 * - Smaller fixed stacks: static:size=S maps S bytes to each live task,
 *   overflows grow as S shrinks.
 * - Counter identities of every run: tlb_flushes = local + shootdowns,
 *   pte_writes = maps + unmaps when no accessed bit is checked (more
 *   otherwise), reclaims and switch-path pages within unmaps and maps, the
 *   longest refault delay within their sum, and no admission wait or crash
 *   without injected allocation failures for the designs that never fault.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

#define MAX_TRACES 64

enum {
	STATIC, STATIC_8K, STATIC_12K, RFC, RFC_KEEP0, RFC_GLOBAL, ENTRY, WATERMARK,
	SP, SP_LOCAL, ABIT, ABIT_SWITCH, ABIT0_DEPTH, ABIT0_HWM, ABIT0_DEPTH_SW, ABIT0_HWM_SW,
	GC, GC_DEPTH, NR_CFG,
};

/* Each design: its policy and the keys it sets (every other key at its default). */
static const struct cfg {
	const char *policy;
	const char *keys;
} cfgs[NR_CFG] = {
	[STATIC] = { "static", "" },
	[STATIC_8K] = { "static", "size=8192" },
	[STATIC_12K] = { "static", "size=12288" },
	[RFC] = { "rfc", "" },
	[RFC_KEEP0] = { "rfc", "quirk_cache_keep=0" },
	[RFC_GLOBAL] = { "rfc+global", "" },
	[ENTRY] = { "entry", "" },
	[WATERMARK] = { "watermark", "" },
	[SP] = { "sp-reclaim", "" },
	[SP_LOCAL] = { "sp-reclaim", "shootdown=local" },
	[ABIT] = { "abit", "" },
	[ABIT_SWITCH] = { "abit", "reclaim=switch" },
	[ABIT0_DEPTH] = { "abit", "access=depth,latch=0" },
	[ABIT0_HWM] = { "abit", "latch=0" },
	[ABIT0_DEPTH_SW] = { "abit", "access=depth,latch=0,reclaim=switch" },
	[ABIT0_HWM_SW] = { "abit", "latch=0,reclaim=switch" },
	[GC] = { "gc", "" },
	[GC_DEPTH] = { "gc", "access=depth" },
};

static int failures;

static void fail(const char *trace, const char *what)
{
	fprintf(stderr, "FAIL %s: %s\n", trace, what);
	failures++;
}

/* Is @r the run of @c: its policy, @c's keys at their values, the others at default? */
static int is_cfg(const struct ks_result *r, const struct cfg *c)
{
	size_t i;

	if (strcmp(r->policy, c->policy))
		return 0;
	for (i = 0; i < r->nr_params; i++) {
		char kv[KS_PARAM_KEY + KS_PARAM_VALUE + 1];
		const char *p = c->keys;
		size_t len;
		int given = 0;

		len = (size_t)snprintf(kv, sizeof(kv), "%s=", r->param[i].key);
		/* a key of @c: "key=" at the start or after a comma */
		while ((p = strstr(p, kv))) {
			if (p == c->keys || p[-1] == ',') {
				given = 1;
				break;
			}
			p++;
		}
		if (!given) {
			if (!r->param[i].is_default)
				return 0;
			continue;
		}
		p += len;
		if (strncmp(p, r->param[i].value, strcspn(p, ",")) ||
		    strlen(r->param[i].value) != strcspn(p, ","))
			return 0;
	}
	return 1;
}

/* a <= b on every basis: end, peak, mean */
static void check_le(const char *trace, const struct ks_result *a, const struct ks_result *b,
		     const char *what)
{
	char msg[256];

	if (a->c.stack_pages_end > b->c.stack_pages_end ||
	    a->c.stack_pages_peak > b->c.stack_pages_peak ||
	    a->c.stack_pages_mean > b->c.stack_pages_mean) {
		snprintf(msg, sizeof(msg),
			 "%s: end %" PRIu64 " vs %" PRIu64 ", peak %" PRIu64 " vs %" PRIu64
			 ", mean %.3f vs %.3f", what, a->c.stack_pages_end, b->c.stack_pages_end,
			 a->c.stack_pages_peak, b->c.stack_pages_peak, a->c.stack_pages_mean,
			 b->c.stack_pages_mean);
		fail(trace, msg);
	}
}

/* A run's identity fails: name the run. */
static void fail_run(const char *trace, const struct ks_result *r, const char *what)
{
	char msg[768];

	snprintf(msg, sizeof(msg), "%s:%s: %s", r->policy, r->params, what);
	fail(trace, msg);
}

static void check_identities(const char *trace, const struct ks_result *r)
{
	const struct ks_counters *c = &r->c;
	uint64_t span = r->end_ns - r->start_ns;

	if (c->tlb_flushes != c->tlb_local_flushes + c->tlb_shootdowns)
		fail_run(trace, r, "tlb_flushes != local + shootdowns");
	if (c->abit_checks ? c->pte_writes < c->maps + c->unmaps :
			     c->pte_writes != c->maps + c->unmaps)
		fail_run(trace, r, "pte_writes against maps + unmaps");
	if (c->reclaimed_pages > c->unmaps || c->switch_free_pages > c->unmaps ||
	    c->switch_alloc_pages > c->maps)
		fail_run(trace, r, "reclaimed or switch-path pages beyond unmaps or maps");
	if (c->refault_delay_max_ns > c->refault_delay_ns || (!c->refaults && c->refault_delay_ns))
		fail_run(trace, r, "refault delays");
	if (!c->tlb_shootdowns && c->ipis)
		fail_run(trace, r, "IPIs without a shootdown");
	if ((double)c->asleep_page_ns > c->stack_pages_mean * (double)span * (1 + 1e-9))
		fail_run(trace, r, "asleep pages beyond all stack pages");
	if (c->admission_waits || c->alloc_failures)
		fail_run(trace, r, "admission wait or failure without failure injection");
	if ((!strcmp(r->policy, "sp-reclaim") || !strcmp(r->policy, "abit")) &&
	    (c->faults || c->crashes))
		fail_run(trace, r, "a design without a fault path faulted");
}

static void check_trace(const char *trace, const struct ks_result *res, size_t n)
{
	const struct ks_result *run[NR_CFG] = { 0 };
	uint64_t page, size[3] = { 16384, 8192, 12288 };
	size_t i, j;
	char msg[256];

	for (i = 0; i < n; i++) {
		for (j = 0; j < NR_CFG; j++)
			if (is_cfg(&res[i], &cfgs[j]))
				run[j] = &res[i];
		check_identities(trace, &res[i]);
	}
	for (j = 0; j < NR_CFG; j++) {
		if (!run[j]) {
			snprintf(msg, sizeof(msg), "no run of %s%s%s", cfgs[j].policy,
				 *cfgs[j].keys ? ":" : "", cfgs[j].keys);
			fail(trace, msg);
			return;
		}
	}
	for (j = RFC; j < NR_CFG; j++) {
		snprintf(msg, sizeof(msg), "%s%s%s above static", cfgs[j].policy,
			 *cfgs[j].keys ? ":" : "", cfgs[j].keys);
		check_le(trace, run[j], run[STATIC], msg);
	}
	if (run[ABIT]->c.stack_pages_mean < run[RFC_KEEP0]->c.stack_pages_mean ||
	    run[ABIT_SWITCH]->c.stack_pages_mean < run[RFC_KEEP0]->c.stack_pages_mean)
		fail(trace, "abit latch=1 mean below rfc:quirk_cache_keep=0");
	check_le(trace, run[ABIT0_DEPTH], run[ABIT0_HWM], "abit latch=0: depth above hwm");
	check_le(trace, run[ABIT0_DEPTH_SW], run[ABIT0_HWM_SW],
		 "abit latch=0,reclaim=switch: depth above hwm");
	check_le(trace, run[GC_DEPTH], run[GC], "gc: depth above hwm");
	if (run[SP]->c.asleep_page_ns > run[RFC]->c.asleep_page_ns ||
	    run[SP]->c.asleep_page_ns > run[RFC_KEEP0]->c.asleep_page_ns) {
		snprintf(msg, sizeof(msg), "sp-reclaim leaves sleeping tasks more: %" PRIu64
			 " page-ns, rfc %" PRIu64, run[SP]->c.asleep_page_ns,
			 run[RFC]->c.asleep_page_ns);
		fail(trace, msg);
	}
	/* the shootdown choice changes only the flushes */
	if (run[SP]->c.stack_pages_mean != run[SP_LOCAL]->c.stack_pages_mean ||
	    run[SP]->c.tlb_flushes != run[SP_LOCAL]->c.tlb_local_flushes ||
	    run[SP]->c.tlb_shootdowns != run[SP]->c.tlb_flushes)
		fail(trace, "sp-reclaim shootdown=local against all");
	page = run[STATIC]->page_size;
	for (j = STATIC; j <= STATIC_12K; j++) {
		if (run[j]->c.stack_pages_end != run[j]->c.tasks_end * (size[j] / page)) {
			snprintf(msg, sizeof(msg), "static:size=%" PRIu64 ": %" PRIu64
				 " pages for %" PRIu64 " tasks", size[j],
				 run[j]->c.stack_pages_end, run[j]->c.tasks_end);
			fail(trace, msg);
		}
	}
	if (run[STATIC_8K]->c.overflows < run[STATIC_12K]->c.overflows ||
	    run[STATIC_12K]->c.overflows < run[STATIC]->c.overflows)
		fail(trace, "overflows do not grow as the static size shrinks");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	char *names[MAX_TRACES], path[4096], spec[NR_CFG][128];
	const char *specv[NR_CFG];
	struct ks_speclist specs = { 0 };
	struct ks_replay_opts opts;
	struct ks_error err = { 0 };
	struct dirent *d;
	size_t n = 0, i;
	DIR *dp;

	if (argc != 2) {
		fprintf(stderr, "usage: relations TRACES_DIR\n");
		return 2;
	}
	for (i = 0; i < NR_CFG; i++) {
		snprintf(spec[i], sizeof(spec[i]), "%s%s%s", cfgs[i].policy,
			 *cfgs[i].keys ? ":" : "", cfgs[i].keys);
		specv[i] = spec[i];
	}
	if (ks_speclist_expand(&specs, specv, NR_CFG, NULL, 0, &err)) {
		fprintf(stderr, "relations: %s\n", err.detail);
		return 1;
	}
	dp = opendir(argv[1]);
	if (!dp) {
		perror(argv[1]);
		return 1;
	}
	while ((d = readdir(dp)) && n < MAX_TRACES) {
		size_t len = strlen(d->d_name);

		if (len > 4 && !strcmp(d->d_name + len - 4, ".kst"))
			names[n++] = strdup(d->d_name);
	}
	closedir(dp);
	qsort(names, n, sizeof(*names), cmp_str);
	if (!n) {
		fprintf(stderr, "FAIL: no trace in %s\n", argv[1]);
		return 1;
	}
	ks_replay_opts_default(&opts);
	for (i = 0; i < n; i++) {
		struct ks_replay_summary sum;
		struct ks_result *res = NULL;

		snprintf(path, sizeof(path), "%s/%s", argv[1], names[i]);
		if (ks_replay_trace(path, &specs, NULL, &opts, &sum, &res, &err)) {
			fail(names[i], err.detail);
			continue;
		}
		check_trace(names[i], res, specs.n);
		free(res);
		free(names[i]);
	}
	ks_speclist_release(&specs);
	if (!failures)
		fprintf(stderr, "%zu traces x %d designs: every relation holds\n", n, NR_CFG);
	return failures ? 1 : 0;
}
