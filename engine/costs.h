/* SPDX-License-Identifier: MIT */
/*
 * Per-event costs for the report's cost columns: cost = counter value x ns
 * per unit.  No version of the dynamic-stacks series published timings
 * (reference a.3) and the reviewers demanded microbenchmarks (c.2), so every
 * default below is a PLACEHOLDER, an order of magnitude only: the report must
 * label it so and let the user supply measured values (keys named after the
 * counter).  Rates are reported as counter value per second of trace.
 *
 * Counters whose value already is time (wait_ns) cost 1 ns per unit.
 * Counters not listed have no cost column.
 */
#ifndef KS_COSTS_H
#define KS_COSTS_H

#include <stdbool.h>
#include <stddef.h>

/**
 * struct ks_cost - the default cost of one unit of a counter
 * @counter: a name from KS_COUNTERS
 * @ns: nanoseconds per unit
 * @unit: what one unit is, for the column header
 * @placeholder: true: not measured, show it as a placeholder
 * @why: where the order of magnitude comes from
 */
struct ks_cost {
	const char *counter;
	double ns;
	const char *unit;
	bool placeholder;
	const char *why;
};

static const struct ks_cost ks_costs[] = {
	{ "faults", 500, "stack fault", true, "x86 #PF/#DF entry and exit, RFC fault path" },
	{ "maps", 50, "PTE map", true, "one PTE write in the stack's vmap area" },
	{ "unmaps", 50, "PTE unmap", true, "one PTE clear" },
	{ "tlb_flushes", 200, "TLB flush", true, "local range invalidation (shootdowns too)" },
	{ "ipis", 1000, "IPI", true, "remote invalidation: send, remote flush, acknowledge" },
	{ "lock_acquisitions", 50, "lock", true, "uncontended raw spinlock (global pool)" },
	{ "alloc_attempts", 250, "page allocation", true, "order-0 allocation, fast path" },
	{ "charges", 100, "memcg charge", true, "memcg_kmem_charge_page() per page" },
	{ "sync_exceptions", 100, "sync exception", true, "arm64 switch to the sync stack" },
	{ "copy_bytes", 0.1, "byte copied", true, "sync stack to task stack copy-back" },
	{ "downgrades", 300, "downgrade", true, "FRED/IST fault moved back to the task stack" },
	{ "wait_ns", 1, "ns waited", false, "modelled sleep time (alloc_latency per retry)" },
};

#define KS_NR_COSTS (sizeof(ks_costs) / sizeof(ks_costs[0]))

#endif
