// SPDX-License-Identifier: MIT
/*
 * Golden tests of the fault-entry models (entry_model=x86|arm64|fred) and
 * reproducibility of the new policies.  Expected values worked out by hand
 * from seed 003 (arm64 sync stack: non-stack exceptions copy the frame back,
 * a stack fault maps and flushes the page range, a fault at the stack base
 * is an overflow) and reference b.3 (FRED: non-stack kernel faults are
 * downgraded).  4 KiB pages, 16 KiB stacks, prealloc 1, 2 CPUs, times in ms.
 */
#include "golden_util.h"

static struct ks_event ev_kfault(uint64_t t, uint32_t cpu, uint32_t tid, uint16_t flags)
{
	return (struct ks_event){ .time = t, .cpu = cpu, .tid = tid, .flags = flags,
				  .type = KS_EV_KFAULT };
}

/*
 *   t0  SNAP 100, 200 (hwm 1000: 1 page).
 *   t1  KFAULT 100 on a user address: not on the stack.
 *   t2  KFAULT 100 on a kernel address: not on the stack.
 *   t3  KFAULT 100 on its own stack: the growth fault itself, not recounted.
 *   t10 SW cpu0 100 -> 200 hwm 9000: +2 pages = 2 growth faults.
 *   t20 SW cpu0 200 -> 100 hwm 16384 = thread_size: the stack base was
 *       touched; +3 pages (pool refilled at t10) = 3 growth faults.
 *   end t30.
 * rfc, arm64: sync_exceptions 2 (KFAULT) + 5 (growth) = 7; copy_bytes
 *   2 x 344 = 688; tlb_flushes 2 + 3 = 5 (one per mapped page); overflows 1
 *   and one crash KS_CRASH_OVERFLOW (t20, tid 200); extra_pages 2 CPUs x
 *   8192/4096 = 4; faults 5, kfaults 3.
 * rfc, x86: none of those (0), faults 5, no crash, no overflow (16384 fits).
 * rfc, fred: downgrades 2, nothing else.
 * rfc, arm64, frame_bytes=100, sync_stack=16384: copy 200, extra 2 x 4 = 8.
 * watermark (low auto = 2, pool 4), arm64: t10 takes leave 3, 2; t20 takes leave
 *   1 (work scheduled), 0, the third finds none: a failed fault (fault
 *   with 0 pages) and a crash.  faults 2 + 3 = 5, sync 2 + 5 = 7, tlb 2 + 2
 *   = 4, crashes 2 (overflow + pool empty), overflows 1.
 * 64 KiB pages, 64 KiB stacks, arm64: one page per stack, no growth, hwm
 *   16384 < 65536: no overflow; extra 2 x ceil(8192/65536) = 2; sync 2.
 */
static void test_models(void)
{
	struct ks_machine m = machine(2);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000), ev_snap(0, 0, 200, 1000),
		ev_kfault(1 * MS, 0, 100, KS_F_USER_ADDR),
		ev_kfault(2 * MS, 0, 100, 0),
		ev_kfault(3 * MS, 0, 100, KS_F_STACK_ADDR),
		ev_sw(10 * MS, 0, 100, 200, 9000, 1),
		ev_sw(20 * MS, 0, 200, 100, 16384, 1),
	};
	struct expect arm[] = {
		{ "sync_exceptions", 7 }, { "copy_bytes", 688 }, { "tlb_flushes", 5 },
		{ "overflows", 1 }, { "crashes", 1 }, { "extra_pages", 4 }, { "faults", 5 },
		{ "kfaults", 3 }, { "downgrades", 0 },
	};
	struct expect x86[] = {
		{ "sync_exceptions", 0 }, { "copy_bytes", 0 }, { "tlb_flushes", 0 },
		{ "overflows", 0 }, { "crashes", 0 }, { "extra_pages", 0 }, { "faults", 5 },
		{ "downgrades", 0 },
	};
	struct expect fred[] = {
		{ "downgrades", 2 }, { "sync_exceptions", 0 }, { "copy_bytes", 0 },
		{ "tlb_flushes", 0 }, { "crashes", 0 }, { "extra_pages", 0 },
	};
	struct expect arm2[] = { { "copy_bytes", 200 }, { "extra_pages", 8 } };
	struct expect wm[] = {
		{ "faults", 5 }, { "sync_exceptions", 7 }, { "tlb_flushes", 4 },
		{ "crashes", 2 }, { "overflows", 1 },
	};
	struct expect big[] = {
		{ "extra_pages", 2 }, { "sync_exceptions", 2 }, { "overflows", 0 },
		{ "faults", 0 },
	};
	struct ks_result *r;

	r = run("rfc:entry_model=arm64", &m, evs, N(evs), 30 * MS);
	check_counters("arm64", r, arm, N(arm));
	check_u64("arm64", "crash reason", r->crashes[0].reason, KS_CRASH_OVERFLOW);
	check_u64("arm64", "crash time", r->crashes[0].time, 20 * MS);
	check_u64("arm64", "crash tid", r->crashes[0].tid, 200);
	free(r);
	r = run("rfc", &m, evs, N(evs), 30 * MS);
	check_counters("x86", r, x86, N(x86));
	free(r);
	r = run("rfc:entry_model=fred", &m, evs, N(evs), 30 * MS);
	check_counters("fred", r, fred, N(fred));
	free(r);
	r = run("rfc:entry_model=arm64,frame_bytes=100,sync_stack=16384", &m, evs, N(evs), 30 * MS);
	check_counters("arm64_sizes", r, arm2, N(arm2));
	free(r);
	r = run("watermark:entry_model=arm64", &m, evs, N(evs), 30 * MS);
	check_counters("arm64_watermark", r, wm, N(wm));
	free(r);
	r = run("rfc:entry_model=arm64,page_size=65536,thread_size=65536", &m, evs, N(evs),
		30 * MS);
	check_counters("arm64_64k", r, big, N(big));
	free(r);
}

/* A small busy trace: 8 tasks on 2 CPUs growing now and then. */
static size_t busy_trace(struct ks_event *evs)
{
	size_t n = 0;
	uint32_t i;

	for (i = 0; i < 8; i++)
		evs[n++] = ev_snap(0, i % 2, 100 + i, 1000);
	for (i = 0; i < 60; i++) {
		evs[n++] = ev_sw((i + 1) * MS, i % 2, 100 + (i % 8), 100 + ((i + 3) % 8),
				 1000 + 1700 * (i % 9), 1);
		if (i % 7 == 3)
			evs[n++] = (struct ks_event){ .time = (i + 1) * MS, .cpu = i % 2,
						      .tid = 100 + ((i + 3) % 8),
						      .type = KS_EV_KFAULT };
	}
	return n;
}

/*
 * Failure injection is reproducible from the seed (same seed: identical
 * results, byte for byte), and a grid gives every configuration exactly
 * the result it gets alone.
 */
static void test_reproducible(void)
{
	static const char *const specs[] = {
		"rfc+global:pool=1,global=2,fail_rate=0.3,seed=4",
		"watermark:fail_rate=0.3,seed=4,entry_model=arm64",
		"entry:entries=events,pool=3,fail_rate=0.3,seed=4",
		"rfc:entry_model=fred",
		"entry",
	};
	struct ks_machine m = machine(2);
	struct ks_event evs[160];
	size_t n = busy_trace(evs), i;
	struct ks_result *grid_res = calloc(N(specs), sizeof(*grid_res));
	struct ks_error err = { 0 };
	struct ks_grid *g;

	if (!grid_res || ks_grid_create(&g, specs, N(specs), &m, &err)) {
		printf("FAIL grid: %s\n", err.detail);
		exit(1);
	}
	ks_grid_feed(g, evs, n);
	ks_grid_finish(g, 70 * MS, grid_res);
	ks_grid_free(g);
	for (i = 0; i < N(specs); i++) {
		struct ks_result *a = run(specs[i], &m, evs, n, 70 * MS);
		struct ks_result *b = run(specs[i], &m, evs, n, 70 * MS);

		if (memcmp(a, b, sizeof(*a))) {
			printf("FAIL reproducible: %s differs between two runs\n", specs[i]);
			g_failures++;
		}
		if (memcmp(a, &grid_res[i], sizeof(*a))) {
			printf("FAIL grid: %s differs from its run alone\n", specs[i]);
			g_failures++;
		}
		free(a);
		free(b);
	}
	free(grid_res);
}

int main(void)
{
	test_models();
	test_reproducible();
	return g_failures ? 1 : 0;
}
