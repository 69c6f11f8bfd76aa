// SPDX-License-Identifier: MIT
/*
 * Sizes (issue item 6): every new policy with "16K preallocated in a 32K
 * stack" (4 KiB pages, prealloc 4 of 8) and with 16 KiB pages (32 KiB stack:
 * 2 pages, prealloc 1).  One CPU, hand-worked.
 *
 * The trace: SNAP 100 (user, hwm 1000) at t0; at t10 100 switches out
 * asleep with hwm 20000; end t20.
 *
 * 4 KiB pages, prealloc 4: ceil(20000/4096) = 5 pages, the task has 4: +1.
 *   rfc+global: pool auto = 8 - 4 = 4; the page comes from the per-CPU pool
 *     (pool_hits 1, fallback 0, lock 0), refilled and charged: kstack 4 + 1
 *     = 5 pages = 20 KiB, dyn 4 KiB; stack 5; pool 4, global 8.
 *   watermark: pool 4 -> 3 (not below low 2); charged: kstack 20 KiB; stack 5.
 *   entry (derived): alive at start = in the kernel: 8 pages, already full at
 *     the switch-out; charged only prealloc: 16 KiB; cache auto 3 x (8 - 4)
 *     = 12 + reserve 3 = 15 pool pages.
 * 16 KiB pages, 32 KiB stacks: ceil(20000/16384) = 2 pages, has 1: +1.
 *   rfc+global: pool auto 1: per-CPU hit; kstack 2 x 16 = 32 KiB.
 *   rfc+global percpu=0: lock 1, fallback 1; the irq_work at t10 + 50 us:
 *     lock 2, charge 100, allocation: refills 1, global 8 at the end;
 *     kstack 32 KiB, stack 2.
 *   watermark: pool 4 -> 3, kstack 32 KiB.
 *   entry (derived): 2 pages; cache 3 x 1 + reserve 3 = 6; kstack 16 KiB.
 */
#include "golden_util.h"

static void check(const char *spec, const struct expect *e, size_t n)
{
	struct ks_machine m = machine(1);
	struct ks_event evs[] = {
		ev_snap(0, 0, 100, 1000),
		ev_sw(10 * MS, 0, 100, 0, 20000, 1),
	};
	struct ks_result *r = run(spec, &m, evs, N(evs), 20 * MS);

	check_counters(spec, r, e, n);
	free(r);
}

#define P4 "prealloc=4,thread_size=32768"
#define P16 "page_size=16384,thread_size=32768"

int main(void)
{
	struct expect g4[] = {
		{ "pool_hits", 1 }, { "fallback_hits", 0 }, { "lock_acquisitions", 0 },
		{ "kernel_stack_kb_end", 20 }, { "dyn_faults_kb_end", 4 },
		{ "stack_pages_end", 5 }, { "pool_pages_end", 4 }, { "global_pages_end", 8 },
	};
	struct expect w4[] = {
		{ "pool_pages_end", 3 }, { "kernel_stack_kb_end", 20 }, { "stack_pages_end", 5 },
	};
	struct expect e4[] = {
		{ "stack_pages_end", 8 },
		{ "kernel_stack_kb_end", 32 }, /* entry charges every mapped page: 8 x 4 KiB */ { "pool_pages_end", 15 },
	};
	struct expect g16[] = {
		{ "pool_hits", 1 }, { "kernel_stack_kb_end", 32 }, { "stack_pages_end", 2 },
		{ "pool_pages_end", 1 },
	};
	struct expect g16g[] = {
		{ "pool_hits", 0 }, { "lock_acquisitions", 2 }, { "fallback_hits", 1 },
		{ "refills", 1 }, { "global_pages_end", 8 }, { "kernel_stack_kb_end", 32 },
		{ "stack_pages_end", 2 },
	};
	struct expect w16[] = { { "pool_pages_end", 3 }, { "kernel_stack_kb_end", 32 } };
	struct expect e16[] = {
		{ "stack_pages_end", 2 }, { "pool_pages_end", 6 },
		{ "kernel_stack_kb_end", 32 }, /* entry charges every mapped page: 2 x 16 KiB */
	};

	check("rfc+global:" P4, g4, N(g4));
	check("watermark:" P4, w4, N(w4));
	check("entry:" P4, e4, N(e4));
	check("rfc+global:" P16, g16, N(g16));
	check("rfc+global:percpu=0," P16, g16g, N(g16g));
	check("watermark:" P16, w16, N(w16));
	check("entry:" P16, e16, N(e16));
	return g_failures ? 1 : 0;
}
