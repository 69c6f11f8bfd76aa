// SPDX-License-Identifier: MIT
/*
 * Golden: the published figures, reproduced from the profiles.
 *
 * Each profile is synthesized to a .kst file, read back, and replayed
 * through the engine with `rfc` at its defaults (prealloc 1, pool 3,
 * 2 cached stacks keeping their grown pages) and with `static`.
 * Every expected value below is the published number (or plain arithmetic
 * on it, shown), never the program's output:
 *
 * RFC 10/14 table, "CPU #Cores #Stacks Regular(kb) Dynamic(kb)":
 *   AMD Genoa     384 5786 92576 23388
 *   Intel Skylake 112 3182 50912 12860
 *   AMD Rome      128 3401 54416 14784
 *   AMD Rome      256 4908 78528 20876
 *   Intel Haswell  72 2644 42304 10624
 * Regular = #Stacks x 16 KiB (static); Dynamic = nr_kernel_stack under rfc;
 * pools are 3 pages x 4 KiB = 12 KiB per CPU (not in the table);
 * nr_dynamic_stacks_faults = Dynamic - 4 x #Stacks (one preallocated page each).
 *
 * RFC 14/14: nr_kernel_stack 18684, nr_dynamic_stacks_faults 156 (KiB).
 * OpenWrt arm64 re-derived in KiB: nr_kernel_stack 320, faults 8, 78 stacks,
 *   Regular 78 x 16 = 1248.
 * OpenWrt arm64 as published: 320 stacks + 8 pages -> 328 x 4 = 1312 KiB,
 *   faults 8 x 4 = 32 KiB, Regular 320 x 16 = 5120 KiB.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "kst.h"
#include "replay.h"
#include "synth.h"

struct golden {
	const char *profile;
	uint64_t cores;		/* 0: not published (the profile's assumed count is used) */
	uint64_t stacks;
	uint64_t regular_kb;
	uint64_t dynamic_kb;	/* nr_kernel_stack at the end */
	uint64_t faults_kb;	/* nr_dynamic_stacks_faults at the end */
};

static const struct golden goldens[] = {
	{ "genoa-384",   384, 5786, 92576, 23388, 23388 - 4 * 5786 },
	{ "skylake-112", 112, 3182, 50912, 12860, 12860 - 4 * 3182 },
	{ "rome-128",    128, 3401, 54416, 14784, 14784 - 4 * 3401 },
	{ "rome-256",    256, 4908, 78528, 20876, 20876 - 4 * 4908 },
	{ "haswell-72",   72, 2644, 42304, 10624, 10624 - 4 * 2644 },
	{ "rfc-accounting-example", 0, (18684 - 156) / 4, (18684 - 156) / 4 * 16, 18684, 156 },
	{ "openwrt-arm64-kib", 0, 78, 1248, 320, 8 },
	{ "openwrt-arm64-published", 0, 320, 320 * 16, 328 * 4, 8 * 4 },
};

static int failures;

#define CHECK_EQ(what, got, want) do {						\
	unsigned long long g_ = (got), w_ = (want);				\
	if (g_ != w_) {								\
		fprintf(stderr, "FAIL %s: %s = %llu, expected %llu\n",		\
			cur_profile, what, g_, w_);				\
		failures++;							\
	}									\
} while (0)

static const char *cur_profile;

static int replay(const char *path, const char *spec, struct ks_result *res,
		  struct kst_info *hdr)
{
	struct kst_reader *r = NULL;
	struct ks_grid *e = NULL;
	struct ks_error err = { 0 };
	const struct ks_event *evs;
	struct ks_machine m;
	const struct kst_info *info;
	size_t n;
	int ret;

	ret = kst_reader_open(&r, path, &err);
	if (ret)
		goto out;
	info = kst_reader_info(r);
	ret = ks_replay_machine(&m, info, &err);
	if (ret)
		goto out;
	ret = ks_grid_create(&e, &spec, 1, &m, &err);
	if (ret)
		goto out;
	while ((ret = kst_reader_next_block(r, &evs, &n, &err)) > 0)
		ks_grid_feed(e, evs, n);
	if (ret < 0)
		goto out;
	ks_grid_finish(e, info->end_ns, res);
	if (hdr) {
		hdr->nr_kernel_stack_start_kb = info->nr_kernel_stack_start_kb;
		hdr->nr_kernel_stack_end_kb = info->nr_kernel_stack_end_kb;
		hdr->ncpus = info->ncpus;
		hdr->truncated = info->truncated;
		hdr->depth_source = info->depth_source;
	}
out:
	if (ret < 0)
		fprintf(stderr, "FAIL %s: replay %s: %s (%s)\n", cur_profile, spec,
			ks_strerror(ret), err.detail);
	ks_grid_free(e);
	kst_reader_free(r);
	return ret < 0 ? ret : 0;
}

static void run_params(const struct golden *gd, const struct ks_synth_params *pp)
{
	static struct ks_result rfc, stat;
	const struct ks_synth_params p = *pp;
	struct ks_synth_summary sum;
	struct ks_error err = { 0 };
	struct kst_info hdr = { 0 };
	char out[64];
	uint64_t cores;

	cur_profile = gd->profile;
	snprintf(out, sizeof(out), "synth-golden-%s-%d.kst", gd->profile, (int)getpid());
	if (ks_synth_write(&p, out, &sum, &err)) {
		fprintf(stderr, "FAIL %s: synth: %s\n", gd->profile, err.detail);
		failures++;
		return;
	}
	if (replay(out, "rfc", &rfc, &hdr) || replay(out, "static", &stat, NULL)) {
		failures++;
		unlink(out);
		return;
	}
	unlink(out);
	cores = gd->cores ? gd->cores : hdr.ncpus;
	if (gd->cores)
		CHECK_EQ("header ncpus (#Cores)", hdr.ncpus, gd->cores);
	CHECK_EQ("header truncated", hdr.truncated, 0);
	CHECK_EQ("header depth source", hdr.depth_source, KST_DEPTH_SYNTH);
	CHECK_EQ("header nr_kernel_stack_end_kb (Regular)", hdr.nr_kernel_stack_end_kb,
		 gd->regular_kb);

	CHECK_EQ("rfc tasks_end (#Stacks)", rfc.c.tasks_end, gd->stacks);
	CHECK_EQ("rfc kernel_stack_kb_end (Dynamic)", rfc.c.kernel_stack_kb_end, gd->dynamic_kb);
	CHECK_EQ("rfc dyn_faults_kb_end", rfc.c.dyn_faults_kb_end, gd->faults_kb);
	CHECK_EQ("rfc stack_pages_end x 4", rfc.c.stack_pages_end * 4, gd->dynamic_kb);
	CHECK_EQ("rfc pool KiB (12 x cores)", rfc.c.pool_pages_end * 4, 12 * cores);
	CHECK_EQ("rfc crashes", rfc.c.crashes, 0);
	CHECK_EQ("rfc overflows", rfc.c.overflows, 0);

	/* a second implementation of the cache: the generator's own mirror */
	CHECK_EQ("rfc inherited_pages == generator's", rfc.c.inherited_pages, sum.inherited_grown);
	CHECK_EQ("static tasks_end", stat.c.tasks_end, gd->stacks);
	CHECK_EQ("static kernel_stack_kb_end (Regular)", stat.c.kernel_stack_kb_end,
		 gd->regular_kb);
	CHECK_EQ("static end == header nr_kernel_stack_end_kb", stat.c.kernel_stack_kb_end,
		 (uint64_t)hdr.nr_kernel_stack_end_kb);
	printf("%-24s cores %4llu stacks %5llu regular %6llu dynamic %6llu faults %4llu "
	       "pool %5llu KiB, %llu events, %u inherited grown pages\n", gd->profile,
	       (unsigned long long)cores, (unsigned long long)rfc.c.tasks_end,
	       (unsigned long long)stat.c.kernel_stack_kb_end,
	       (unsigned long long)rfc.c.kernel_stack_kb_end,
	       (unsigned long long)rfc.c.dyn_faults_kb_end,
	       (unsigned long long)rfc.c.pool_pages_end * 4,
	       (unsigned long long)sum.events, sum.inherited_grown);
}

static void run_golden(const char *datadir, const struct golden *gd)
{
	struct ks_synth_params p;
	struct ks_error err = { 0 };
	char path[4096];

	ks_synth_params_default(&p);
	if (ks_synth_profile_path(datadir, gd->profile, path, sizeof(path)) ||
	    ks_synth_params_from_profile(&p, path, &err)) {
		fprintf(stderr, "FAIL %s: cannot load profile: %s\n", gd->profile, err.detail);
		failures++;
		return;
	}
	run_params(gd, &p);
}

/*
 * Free parameters with heavy churn and deep stacks, so that grown stacks
 * go through the caches and children inherit them: the end census must
 * still be tasks + grown pages.  3 CPUs, 300 stacks, 120 grown pages:
 * Dynamic = (300 + 120) x 4 = 1680 KiB, faults 120 x 4 = 480 KiB,
 * Regular 300 x 16 = 4800 KiB, pools 3 x 12 = 36 KiB.
 */
static void run_churn(void)
{
	static const struct golden gd = { "churn", 3, 300, 4800, 1680, 480 };
	struct ks_synth_params p;

	ks_synth_params_default(&p);
	p.ncpus = 3;
	p.tasks = 300;
	p.grown = 120;
	p.births = 2000;
	p.deaths = 1900;
	p.seed = 7;
	p.hwm_weights[3] = 5000;
	p.hwm_weights[4] = 3000;
	run_params(&gd, &p);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DATADIR\n", argv[0]);
		return 2;
	}
	for (i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++)
		run_golden(argv[1], &goldens[i]);
	run_churn();
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
