// SPDX-License-Identifier: MIT
/*
 * static: today's kernel.  Every stack is fully mapped at fork with @size
 * bytes (default THREAD_SIZE), so kernel_stack_kb = tasks * size / 1024.
 * A smaller @size is a what-if (8K, 12K stacks): a task whose high-water mark
 * exceeds it is counted once in overflows.  No pools, no faults.
 */
#include "policy.h"

struct static_conf {
	uint32_t size;		/* bytes; KS_AUTO until resolved (thread_size) */
};

static const struct ks_param static_params[] = {
	{
		.key = "size", .kind = KS_PT_U32, .off = offsetof(struct static_conf, size),
		.min = 4096, .max = 65536, .auto_ok = true, .def = "auto",
		.expect = "auto or 4096..65536 bytes, a multiple of page_size",
		.doc = "stack size in bytes, a multiple of page_size (auto: thread_size)",
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
	uint32_t n = r->geo->limit_pages;

	if (how == KS_BORN_FORK)
		ks_stack_map(r, h->t, n);
	else
		ks_stack_adopt(r, h->t, n);
	ks_charge(r, h->t, n, 0, how == KS_BORN_FORK);
}

const struct ks_policy ks_policy_static = {
	.name = "static",
	.desc = "today's kernel: every stack fully mapped (size what-ifs count overflows)",
	.params = static_params,
	.conf_size = sizeof(struct static_conf),
	.resolve = static_resolve,
	.init = static_init,
	.create = static_create,
};
