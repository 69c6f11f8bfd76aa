// SPDX-License-Identifier: MIT
/*
 * static: today's kernel.  Every stack is fully mapped with @size bytes
 * (default THREAD_SIZE), so kernel_stack_kb = tasks * size / 1024.
 * A smaller @size is a what-if (8K, 12K stacks): a task whose high-water mark
 * exceeds it is counted once in overflows.  No pools, no faults.
 *
 * The stack cache (since 4.9, NR_CACHED_STACKS = 2 per CPU): a released
 * stack goes, still mapped, into the releasing CPU's cache if one of its
 * @cache slots is free (its pages leave the stack level for the cache level,
 * no unmap), else it is unmapped and freed (unmaps += its pages).  A fork
 * takes a stack from its CPU's cache when there is one: no map, the pages
 * move from the cache back to a stack and are charged (memcg, as the
 * kernel charges a reused stack); otherwise it maps fresh pages (maps +=
 * its pages).  So the baseline pays for maps and holds cached stacks exactly
 * as the dynamic policies with a cache do, and the comparison is fair.
 * A task alive before the trace holds its stack already (no map, no charge
 * counted as memcg).
 */
#include "policy.h"

struct static_conf {
	uint32_t size;		/* bytes; KS_AUTO until resolved (thread_size) */
	uint32_t cache;		/* NR_CACHED_STACKS */
};

struct static_cpu {
	uint32_t cached;	/* stacks in this CPU's cache, each of limit_pages pages */
};

static const struct ks_param static_params[] = {
	{
		.key = "size", .kind = KS_PT_U32, .off = offsetof(struct static_conf, size),
		.min = 4096, .max = 65536, .auto_ok = true, .def = "auto",
		.expect = "auto or 4096..65536 bytes, a multiple of page_size",
		.doc = "stack size in bytes, a multiple of page_size (auto: thread_size)",
	},
	{
		.key = "cache", .kind = KS_PT_U32, .off = offsetof(struct static_conf, cache),
		.min = 0, .max = 64, .def = "2", .expect = "0..64",
		.doc = "cached stacks per CPU (NR_CACHED_STACKS; 0: every fork maps, every "
		       "release unmaps)",
	},
	{ .key = NULL },
};

static int static_resolve(void *conf, const struct ks_conf *c, const struct ks_machine *m,
			  struct ks_error *err)
{
	struct static_conf *sc = conf;

	if (sc->size == KS_AUTO)
		sc->size = c->thread_size;
	if (sc->size % c->page_size)
		return ks_error_set(err, KS_E_PARAM,
				    "bad value '%u' for key 'size' of policy 'static' (expected %s)",
				    sc->size, static_params[0].expect);
	return 0;
}

static int static_init(struct ks_run *r)
{
	const struct static_conf *sc = r->pconf;

	ks_run_limit(r, sc->size / r->geo->page_size);
	return 0;
}

static void static_create(struct ks_run *r, const struct ks_hook *h, enum ks_birth how)
{
	struct static_cpu *pc = ks_cpu_priv(r, h->cpu);
	uint32_t n = r->geo->limit_pages;

	if (how != KS_BORN_FORK) {
		ks_stack_adopt(r, h->t, n);
		ks_charge(r, h->t, n, 0, false);
		return;
	}
	if (pc->cached) {
		/* a cached stack: still mapped, out of the cache, charged anew */
		pc->cached--;
		ks_cache_add(r, -(int64_t)n);
		ks_stack_adopt(r, h->t, n);
	} else {
		ks_stack_map(r, h->t, n);
	}
	ks_charge(r, h->t, n, 0, true);
}

static void static_release(struct ks_run *r, const struct ks_hook *h)
{
	const struct static_conf *sc = r->pconf;
	struct static_cpu *pc = ks_cpu_priv(r, h->cpu);
	uint32_t n = h->t->mapped;

	if (pc->cached < sc->cache) {
		pc->cached++;
		ks_stack_drop(r, h->t, n);
		ks_cache_add(r, n);
	} else {
		ks_stack_unmap(r, h->t, n);
	}
}

const struct ks_policy ks_policy_static = {
	.name = "static",
	.desc = "today's kernel: every stack fully mapped, freed stacks cached per CPU "
		"(size what-ifs count overflows)",
	.params = static_params,
	.conf_size = sizeof(struct static_conf),
	.cpu_size = sizeof(struct static_cpu),
	.resolve = static_resolve,
	.init = static_init,
	.create = static_create,
	.release = static_release,
};
