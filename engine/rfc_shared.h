/* SPDX-License-Identifier: MIT */
/*
 * Internal: the RFC's code paths (policy_rfc.c) shared with the policies
 * built on it (policy_rfc_global.c).  A derived policy puts struct rfc_conf,
 * struct rfc_cpu and struct rfc_task first in its own conf, per-CPU and
 * per-task structs, lists RFC_PARAMS first in its parameter table, and
 * calls these helpers.
 */
#ifndef KS_RFC_SHARED_H
#define KS_RFC_SHARED_H

#include "policy.h"

struct rfc_conf {
	uint32_t pool;		/* slots per CPU (0: none); KS_AUTO until resolved */
	uint32_t cache;		/* NR_CACHED_STACKS */
	uint32_t fault_span;	/* 0 page, 1 interval */
	uint32_t quirk_refill;
	uint32_t quirk_nr_pages;
	uint32_t quirk_cache_keep;
	uint32_t refill;	/* enum rfc_refill */
};

/*
 * How the per-CPU refill at switch-out allocates (refill=).  nowait: the
 * allocation may fail at once and leaves the slot empty (GFP_NOWAIT, all a
 * port can do inside the scheduler).  sleep: the RFC as posted (GFP_KERNEL
 * in __schedule()): a one-page allocation does not fail, it waits out
 * memory pressure while holding the CPU.
 */
enum rfc_refill {
	RFC_REFILL_NOWAIT = 0,
	RFC_REFILL_SLEEP = 1,
};

struct rfc_cpu {
	struct ks_pool pool;
	uint8_t *cache;		/* pages of each cached stack, 0 = free slot */
};

struct rfc_task {
	uint8_t recorded;	/* vm_area->nr_pages: pages the kernel knows about */
};

/* The RFC's keys; offsets in struct rfc_conf, which starts the policy's conf struct. */
#define RFC_PARAMS								\
	{									\
		.key = "pool", .kind = KS_PT_U32,				\
		.off = offsetof(struct rfc_conf, pool),				\
		.min = 0, .max = 64, .auto_ok = true, .def = "auto",		\
		.expect = "auto or 0..64",					\
		.doc = "per-CPU pool slots; 0: no per-CPU pool (auto: "		\
		       "thread_size/page_size - prealloc, at least 1)",		\
	},									\
	{									\
		.key = "cache", .kind = KS_PT_U32,				\
		.off = offsetof(struct rfc_conf, cache),			\
		.min = 0, .max = 64, .def = "2", .expect = "0..64",		\
		.doc = "cached stacks per CPU (NR_CACHED_STACKS)",		\
	},									\
	{									\
		.key = "fault_span", .kind = KS_PT_ENUM,			\
		.off = offsetof(struct rfc_conf, fault_span),			\
		.choices = "page|interval", .def = "page",			\
		.expect = "page or interval",					\
		.doc = "page: each new page is a fault; interval: one fault per " \
		       "switch interval maps them all",				\
	},									\
	{									\
		.key = "quirk_refill", .kind = KS_PT_U32,			\
		.off = offsetof(struct rfc_conf, quirk_refill),			\
		.min = 0, .max = 1, .def = "1", .expect = "0 or 1",		\
		.doc = "1: refill stops at the first untaken or empty slot "	\
		       "(RFC); 0: intended",					\
	},									\
	{									\
		.key = "quirk_nr_pages", .kind = KS_PT_U32,			\
		.off = offsetof(struct rfc_conf, quirk_nr_pages),		\
		.min = 0, .max = 1, .def = "0", .expect = "0 or 1",		\
		.doc = "1: multi-page faults record one page (RFC loop bug: "	\
		       "leaks, then PTE-present crash)",			\
	},									\
	{									\
		.key = "quirk_cache_keep", .kind = KS_PT_U32,			\
		.off = offsetof(struct rfc_conf, quirk_cache_keep),		\
		.min = 0, .max = 1, .def = "1", .expect = "0 or 1",		\
		.doc = "1: cached stacks keep their grown pages (RFC); 0: trim "	\
		       "to prealloc",						\
	},									\
	{									\
		.key = "refill", .kind = KS_PT_ENUM,				\
		.off = offsetof(struct rfc_conf, refill),			\
		.choices = "nowait|sleep", .def = "nowait",			\
		.expect = "nowait or sleep",					\
		.doc = "per-CPU refill at switch-out: nowait (fails at once, "	\
		       "slot left empty: GFP_NOWAIT); sleep (the RFC's "	\
		       "GFP_KERNEL: waits out fail windows, never fails)",	\
	}

/*
 * Where a faulting page came from: RFC_TAKE_NONE (no page: would-be crash),
 * RFC_TAKE_LOCAL (this CPU's pool), RFC_TAKE_OTHER (another source).
 */
enum rfc_take {
	RFC_TAKE_NONE = 0,
	RFC_TAKE_LOCAL = 1,
	RFC_TAKE_OTHER = 2,
};

typedef enum rfc_take (*rfc_take_fn)(struct ks_run *r, const struct ks_hook *h);
typedef void (*rfc_charge_fn)(struct ks_run *r, const void *ctx, uint32_t slot);

int rfc_resolve(void *conf, const struct ks_conf *c, const struct ks_machine *m,
		struct ks_error *err);
int rfc_init(struct ks_run *r);
void rfc_create(struct ks_run *r, const struct ks_hook *h, enum ks_birth how);
void rfc_adopt(struct ks_run *r, const struct ks_hook *h);
void rfc_release(struct ks_run *r, const struct ks_hook *h);

/**
 * rfc_grow_with() - the RFC's fault path, each page obtained by @take; if
 * any page was taken and @refill_local, the task owes the refill of its CPU's
 * pool when it leaves the CPU (KS_PT_REFILL: rfc_refill()).
 */
void rfc_grow_with(struct ks_run *r, const struct ks_hook *h, rfc_take_fn take, bool refill_local);

/** rfc_refill() - the refill of @h->cpu's pool as prev leaves it, charging prev */
void rfc_refill(struct ks_run *r, const struct ks_hook *h);

/**
 * rfc_account_and_alloc() - the RFC's refill helper on any slot array: one
 * refill of @p requested at @queued_at (ks_pool_refill()); in slot order,
 * each taken slot is charged through @charge(@r, @ctx, slot) and replaced
 * through the allocator (ks_pool_refill_slot(): a failure leaves it empty;
 * with @sleep ks_pool_refill_slot_sleeping(): never fails, waits out fail
 * windows); with @quirk it stops at the first slot that is not taken.
 * Deferred work such as the global pool's irq_work never sleeps; the per-CPU
 * refill at switch-out honours refill=.
 */
void rfc_account_and_alloc(struct ks_run *r, struct ks_pool *p, uint64_t queued_at, bool quirk,
			   bool sleep, rfc_charge_fn charge, const void *ctx);

#endif
