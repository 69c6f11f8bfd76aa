// SPDX-License-Identifier: MIT
/*
 * Spec strings "policy:key=value,...": defaults first, then the user's keys,
 * checked against the policy's table and the engine-wide table; canonical
 * form = every key with its value, keys sorted.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"

/* The engine-wide keys, by index: resolve() names some of them in its errors. */
enum {
	CP_FAIL_RATE,
	CP_FAIL_WINDOWS,
	CP_PAGE_SIZE,
	CP_PREALLOC,
	CP_SAMPLES,
	CP_SEED,
	CP_THREAD_SIZE,
	CP_ENTRY_MODEL,
	CP_SYNC_STACK,
	CP_FRAME_BYTES,
	CP_COUNT,
};

#define OFF(f) offsetof(struct ks_conf, f)
static const struct ks_param common_params[CP_COUNT + 1] = {
	[CP_FAIL_RATE] = {
		.key = "fail_rate", .kind = KS_PT_DOUBLE, .off = OFF(fail_rate),
		.min = 0, .max = 1, .def = "0", .expect = "a number in [0, 1]",
		.doc = "probability that a page allocation fails (seeded, 0..1)",
	},
	[CP_FAIL_WINDOWS] = {
		.key = "fail_windows", .kind = KS_PT_WINDOWS, .off = OFF(fail_windows),
		.min = 0, .max = 1e12, .def = "none",
		.expect = "none or START-END[;START-END...] in seconds, START < END, at most 8",
		.doc = "START-END[;START-END...]: seconds from trace start when every allocation "
		       "fails",
	},
	[CP_PAGE_SIZE] = {
		.key = "page_size", .kind = KS_PT_U32, .off = OFF(page_size),
		.min = 4096, .max = 65536, .auto_ok = true, .choices = "4096|16384|65536",
		.def = "auto", .expect = "auto, 4096, 16384 or 65536",
		.doc = "page size in bytes: 4096, 16384 or 65536 (auto: the trace's)",
	},
	[CP_PREALLOC] = {
		.key = "prealloc", .kind = KS_PT_U32, .off = OFF(prealloc),
		.min = 1, .max = 16, .def = "1", .expect = "pages, 1..16",
		.doc = "pages mapped at fork (THREAD_PREALLOC_PAGES)",
	},
	[CP_SAMPLES] = {
		.key = "samples", .kind = KS_PT_U32, .off = OFF(samples),
		.min = 0, .max = KS_MAX_SAMPLES, .def = "256", .expect = "0..512",
		.doc = "most points of the memory-over-time series (0..512)",
	},
	[CP_SEED] = {
		.key = "seed", .kind = KS_PT_U64, .off = OFF(seed),
		.def = "1", .expect = "an unsigned 64-bit integer",
		.doc = "seed of the failure-injection PRNG",
	},
	[CP_THREAD_SIZE] = {
		.key = "thread_size", .kind = KS_PT_U32, .off = OFF(thread_size),
		.min = 8192, .max = 65536, .auto_ok = true, .def = "auto",
		.expect = "auto or 8192..65536, a multiple of page_size",
		.doc = "stack size in bytes: 8192..65536, a multiple of page_size (auto: the "
		       "trace's)",
	},
	[CP_ENTRY_MODEL] = {
		.key = "entry_model", .kind = KS_PT_ENUM, .off = OFF(entry_model),
		.choices = "x86|arm64|fred", .def = "x86", .expect = "x86, arm64 or fred",
		.doc = "how stack faults are taken: x86 (task stack, RFC), arm64 (per-CPU sync "
		       "stack), fred (v2: separate level, other kernel faults downgraded)",
	},
	[CP_SYNC_STACK] = {
		.key = "sync_stack", .kind = KS_PT_U32, .off = OFF(sync_stack),
		.min = 4096, .max = 65536, .def = "8192", .expect = "4096..65536 bytes",
		.doc = "arm64: bytes of each CPU's sync stack (SYNC_STACK_SIZE)",
	},
	[CP_FRAME_BYTES] = {
		.key = "frame_bytes", .kind = KS_PT_U32, .off = OFF(frame_bytes),
		.min = 0, .max = 65536, .def = "344", .expect = "0..65536 bytes",
		.doc = "arm64: bytes copied back per non-stack exception (placeholder: 336-byte "
		       "pt_regs + 8)",
	},
	[CP_COUNT] = { .key = NULL },
};
#undef OFF

const struct ks_param *ks_engine_common_params(void)
{
	return common_params;
}

const struct ks_policy *ks_policy_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; ks_policies[i]; i++) {
		const char *n = ks_policies[i]->name;

		if (strlen(n) == len && !memcmp(n, name, len))
			return ks_policies[i];
	}
	return NULL;
}

size_t ks_policy_count(void)
{
	size_t i = 0;

	while (ks_policies[i])
		i++;
	return i;
}

void ks_policy_describe(size_t i, const char **name, const char **desc,
			const struct ks_param **params)
{
	const struct ks_policy *p = ks_policies[i];

	*name = p->name;
	*desc = p->desc;
	*params = p->params;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	char *end;
	double v;

	/* strtod would skip leading blanks: a value is the number alone */
	if (!*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* "none" or "S-E;S-E...": every window whole, no empty one (a stray ';') */
static int parse_windows(const char *s, struct ks_windows *w)
{
	char buf[256];
	char *p, *next;

	w->n = 0;
	if (!strcmp(s, "none"))
		return 0;
	if (!*s || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (p = buf; p; p = next) {
		char *dash;
		double a, b;

		next = strchr(p, ';');
		if (next)
			*next++ = 0;
		dash = strchr(p, '-');
		if (!dash || w->n == KS_MAX_WINDOWS)
			return -1;
		*dash = 0;
		if (parse_double(p, &a) || parse_double(dash + 1, &b))
			return -1;
		if (a < 0 || b <= a || b > 1e12)
			return -1;
		w->start[w->n] = a;
		w->end[w->n] = b;
		w->n++;
	}
	return 0;
}

/* Index of @val in "a|b|c", or -1. */
static int enum_index(const char *choices, const char *val)
{
	size_t vl = strlen(val);
	const char *p = choices;
	int i = 0;

	while (*p) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);

		if (l == vl && !memcmp(p, val, l))
			return i;
		if (!bar)
			break;
		p = bar + 1;
		i++;
	}
	return -1;
}

/* Parse @val for @t into @conf.  Return 0 or -1 (bad value). */
static int parse_value(const struct ks_param *t, const char *val, void *conf)
{
	unsigned char *dst = (unsigned char *)conf + t->off;
	uint64_t u;
	double d;
	int i;

	switch (t->kind) {
	case KS_PT_U32:
		if (t->auto_ok && !strcmp(val, "auto")) {
			*(uint32_t *)dst = KS_AUTO;
			return 0;
		}
		if (parse_u64(val, &u) || (double)u < t->min || (double)u > t->max)
			return -1;
		/* choices on a number: the accepted values */
		if (t->choices && enum_index(t->choices, val) < 0)
			return -1;
		*(uint32_t *)dst = (uint32_t)u;
		return 0;
	case KS_PT_U64:
		if (parse_u64(val, &u))
			return -1;
		*(uint64_t *)dst = u;
		return 0;
	case KS_PT_DOUBLE:
		if (parse_double(val, &d) || d < t->min || d > t->max)
			return -1;
		*(double *)dst = d;
		return 0;
	case KS_PT_ENUM:
		i = enum_index(t->choices, val);
		if (i < 0)
			return -1;
		*(uint32_t *)dst = (uint32_t)i;
		return 0;
	case KS_PT_WINDOWS:
		return parse_windows(val, (struct ks_windows *)dst);
	}
	return -1;
}

static void format_double(double d, char *buf, size_t len)
{
	snprintf(buf, len, "%.15g", d);
	if (strtod(buf, NULL) != d)
		snprintf(buf, len, "%.17g", d);
}

/* Canonical text of the value of @t in @conf. */
static void format_value(const struct ks_param *t, const void *conf, char *buf, size_t len)
{
	const unsigned char *src = (const unsigned char *)conf + t->off;
	const struct ks_windows *w;
	const char *p;
	uint32_t u, i;
	size_t o;

	switch (t->kind) {
	case KS_PT_U32:
		u = *(const uint32_t *)src;
		if (t->auto_ok && u == KS_AUTO)
			snprintf(buf, len, "auto");
		else
			snprintf(buf, len, "%u", u);
		return;
	case KS_PT_U64:
		snprintf(buf, len, "%llu", (unsigned long long)*(const uint64_t *)src);
		return;
	case KS_PT_DOUBLE:
		format_double(*(const double *)src, buf, len);
		return;
	case KS_PT_ENUM:
		u = *(const uint32_t *)src;
		for (p = t->choices; u && p; u--) {
			p = strchr(p, '|');
			if (p)
				p++;
		}
		if (!p)
			p = "?";
		o = strcspn(p, "|");
		snprintf(buf, len, "%.*s", (int)o, p);
		return;
	case KS_PT_WINDOWS:
		w = (const struct ks_windows *)src;
		if (!w->n) {
			snprintf(buf, len, "none");
			return;
		}
		o = 0;
		buf[0] = 0;
		for (i = 0; i < w->n && o < len; i++) {
			char a[40], b[40];

			format_double(w->start[i], a, sizeof(a));
			format_double(w->end[i], b, sizeof(b));
			o += snprintf(buf + o, len - o, "%s%s-%s", i ? ";" : "", a, b);
		}
		return;
	}
}

/* Find @key among the engine's and @pol's keys; *@common says which. */
static const struct ks_param *find_key(const struct ks_policy *pol, const char *key,
				       bool *common)
{
	const struct ks_param *p;

	for (p = common_params; p->key; p++) {
		if (!strcmp(p->key, key)) {
			*common = true;
			return p;
		}
	}
	for (p = pol->params; p && p->key; p++) {
		if (!strcmp(p->key, key)) {
			*common = false;
			return p;
		}
	}
	return NULL;
}

int ks_params_parse(const char *spec, struct ks_parsed *out, struct ks_error *err)
{
	const struct ks_param *key, *p;
	const struct ks_policy *pol;
	char buf[1024];
	char seen[64] = { 0 };
	const char *colon;
	char *item, *next;
	bool common;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!spec || strlen(spec) >= sizeof(buf))
		return ks_error_set(err, KS_E_PARAM, "spec is empty or longer than %zu bytes",
				    sizeof(buf) - 1);
	colon = strchr(spec, ':');
	n = colon ? (size_t)(colon - spec) : strlen(spec);
	pol = ks_policy_find(spec, n);
	if (!pol)
		return ks_error_set(err, KS_E_POLICY,
				    "unknown policy '%.*s' (kstack replay --list-policies)",
				    (int)(n > 64 ? 64 : n), spec);
	out->pol = pol;
	if (pol->conf_size > sizeof(out->pconf))
		return ks_error_set(err, KS_E_INTERNAL, "policy '%s' conf too large", pol->name);
	for (n = 0, p = common_params; p->key; p++)
		n++;
	for (p = pol->params; p && p->key; p++)
		n++;
	if (n > KS_MAX_PARAMS)
		return ks_error_set(err, KS_E_INTERNAL, "policy '%s' has %zu keys (at most %d)",
				    pol->name, n, KS_MAX_PARAMS);

	/* defaults first: each key's default text parses like a user value */
	for (p = common_params; p->key; p++)
		if (parse_value(p, p->def, &out->conf))
			return ks_error_set(err, KS_E_INTERNAL, "bad default of '%s'", p->key);
	for (p = pol->params; p && p->key; p++)
		if (parse_value(p, p->def, out->pconf))
			return ks_error_set(err, KS_E_INTERNAL, "bad default of '%s' of '%s'",
					    p->key, pol->name);
	if (!colon)
		return 0;
	if (!colon[1])
		return ks_error_set(err, KS_E_PARAM,
				    "no parameter after '%s:' (key=value,... or the name alone)",
				    pol->name);

	/* split by hand: strtok would skip empty items ("pool=1,,") */
	strcpy(buf, colon + 1);
	for (item = buf; item; item = next) {
		char *eq;
		const char *val;
		size_t idx;

		next = strchr(item, ',');
		if (next)
			*next++ = 0;
		if (!*item)
			return ks_error_set(err, KS_E_PARAM,
					    "empty parameter in '%.80s' (a stray ',')", spec);
		eq = strchr(item, '=');
		val = eq ? eq + 1 : "";
		if (eq)
			*eq = 0;
		key = find_key(pol, item, &common);
		if (!key)
			return ks_error_set(err, KS_E_PARAM, "unknown key '%.64s' for policy '%s'",
					    item, pol->name);
		if (!eq)
			return ks_error_set(err, KS_E_PARAM,
					    "key '%s' of policy '%s' has no value (expected %s)",
					    key->key, pol->name, key->expect);
		idx = common ? (size_t)(key - common_params) : 32 + (size_t)(key - pol->params);
		if (idx < sizeof(seen)) {
			if (seen[idx])
				return ks_error_set(err, KS_E_PARAM,
						    "duplicate key '%s' for policy '%s'",
						    key->key, pol->name);
			seen[idx] = 1;
		}
		if (parse_value(key, val, common ? (void *)&out->conf : (void *)out->pconf))
			return ks_error_set(err, KS_E_PARAM,
					    "bad value '%.64s' for key '%s' of policy '%s' (expected %s)",
					    val, key->key, pol->name, key->expect);
	}
	return 0;
}

/* A key and the conf struct that holds its value. */
struct kv {
	const struct ks_param *p;
	const void *conf;
};

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->p->key, ((const struct kv *)b)->p->key);
}

/* Every key of @pol (ks_params_parse() checked they fit) with its value's home, by name. */
static size_t sorted_keys(const struct ks_policy *pol, const struct ks_conf *c,
			  const void *pconf, struct kv kv[KS_MAX_PARAMS])
{
	const struct ks_param *p;
	size_t n = 0;

	for (p = common_params; p->key && n < KS_MAX_PARAMS; p++)
		kv[n++] = (struct kv){ p, c };
	for (p = pol->params; p && p->key && n < KS_MAX_PARAMS; p++)
		kv[n++] = (struct kv){ p, pconf };
	qsort(kv, n, sizeof(kv[0]), kv_cmp);
	return n;
}

int ks_params_format(const struct ks_parsed *ps, bool with_name, char *buf, size_t len)
{
	struct kv kv[KS_MAX_PARAMS];
	size_t n, i, o = 0;
	int w;

	n = sorted_keys(ps->pol, &ps->conf, ps->pconf, kv);
	if (!len)
		return -ENOSPC;
	buf[0] = 0;
	if (with_name) {
		w = snprintf(buf, len, "%s:", ps->pol->name);
		if (w < 0 || (size_t)w >= len)
			return -ENOSPC;
		o = (size_t)w;
	}
	for (i = 0; i < n; i++) {
		char val[KS_PARAM_VALUE];

		format_value(kv[i].p, kv[i].conf, val, sizeof(val));
		w = snprintf(buf + o, len - o, "%s%s=%s", i ? "," : "", kv[i].p->key, val);
		if (w < 0 || (size_t)w >= len - o)
			return -ENOSPC;
		o += (size_t)w;
	}
	return 0;
}

void ks_params_values(const struct ks_policy *pol, const struct ks_conf *c, const void *pconf,
		      const struct ks_machine *m, struct ks_result *res)
{
	struct kv kv[KS_MAX_PARAMS], dkv[KS_MAX_PARAMS];
	struct ks_error err;
	struct ks_parsed def;
	bool have_def;
	size_t n, i;

	/* the policy named alone, resolved on the same machine, as a run of it would be */
	have_def = !ks_params_parse(pol->name, &def, &err) && !ks_params_resolve(&def, m, &err);
	if (have_def)
		sorted_keys(pol, &def.conf, def.pconf, dkv);
	n = sorted_keys(pol, c, pconf, kv);
	res->is_default = have_def;
	for (i = 0; i < n; i++) {
		struct ks_param_value *v = &res->param[i];
		char dval[KS_PARAM_VALUE];

		snprintf(v->key, sizeof(v->key), "%s", kv[i].p->key);
		format_value(kv[i].p, kv[i].conf, v->value, sizeof(v->value));
		if (have_def)
			format_value(dkv[i].p, dkv[i].conf, dval, sizeof(dval));
		v->is_default = have_def && !strcmp(v->value, dval);
		res->is_default &= v->is_default;
	}
	res->nr_params = n;
}

int ks_params_resolve(struct ks_parsed *ps, const struct ks_machine *m, struct ks_error *err)
{
	struct ks_conf *c = &ps->conf;
	const char *pn = ps->pol->name;
	bool page_auto = c->page_size == KS_AUTO;
	bool thread_auto = c->thread_size == KS_AUTO;

	if (ps->pol->needs_depth && !m->depth_known)
		return ks_error_set(err, KS_E_DEPTH,
				    "policy '%s' needs stack depths, which this trace lacks", pn);
	if (page_auto)
		c->page_size = m->page_size;
	if (thread_auto)
		c->thread_size = m->thread_size;
	/* a size taken from the trace is the trace's to blame, not a key's */
	if (c->page_size != 4096 && c->page_size != 16384 && c->page_size != 65536) {
		if (page_auto)
			return ks_error_set(err, KS_E_PARAM,
					    "the trace's page size %u is not modelled (expected "
					    "4096, 16384 or 65536: give page_size= to policy '%s')",
					    c->page_size, pn);
		return ks_error_set(err, KS_E_PARAM,
				    "bad value '%u' for key 'page_size' of policy '%s' (expected %s)",
				    c->page_size, pn, common_params[CP_PAGE_SIZE].expect);
	}
	if (c->thread_size < 8192 || c->thread_size > 65536 || c->thread_size % c->page_size) {
		if (thread_auto)
			return ks_error_set(err, KS_E_PARAM,
					    "the trace's thread size %u is not modelled with "
					    "%u-byte pages (expected 8192..65536, a multiple of "
					    "page_size: give thread_size= to policy '%s')",
					    c->thread_size, c->page_size, pn);
		return ks_error_set(err, KS_E_PARAM,
				    "bad value '%u' for key 'thread_size' of policy '%s' (expected %s)",
				    c->thread_size, pn, common_params[CP_THREAD_SIZE].expect);
	}
	if (c->prealloc > c->thread_size / c->page_size)
		return ks_error_set(err, KS_E_PARAM,
				    "bad value '%u' for key 'prealloc' of policy '%s' (expected at most thread_size/page_size = %u)",
				    c->prealloc, pn, c->thread_size / c->page_size);
	if (ps->pol->resolve)
		return ps->pol->resolve(ps->pconf, c, m, err);
	return 0;
}

int ks_spec_canonical(const char *spec, char *buf, size_t len, struct ks_error *err)
{
	struct ks_parsed ps;
	int ret;

	ret = ks_params_parse(spec, &ps, err);
	if (ret)
		return ret;
	if (ks_params_format(&ps, true, buf, len))
		return ks_error_set(err, KS_E_PARAM, "canonical spec longer than %zu bytes", len);
	return 0;
}

int ks_spec_check(const char *spec, const struct ks_machine *m, struct ks_error *err)
{
	struct ks_parsed ps;
	int ret;

	ret = ks_params_parse(spec, &ps, err);
	if (!ret)
		ret = ks_params_resolve(&ps, m, err);
	return ret;
}

uint64_t ks_seed_derive(uint64_t seed, uint32_t i)
{
	uint64_t state = seed, z = seed;

	/* SplitMix64: each step adds the golden gamma and mixes the sum */
	while (i--) {
		state += 0x9e3779b97f4a7c15ULL;
		z = state;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
	}
	return z;
}

int ks_spec_replicate(const char *spec, uint32_t i, char *buf, size_t len,
		      struct ks_error *err)
{
	struct ks_parsed ps;
	int ret;

	ret = ks_params_parse(spec, &ps, err);
	if (ret)
		return ret;
	/* without failure injection the seed changes nothing: one run says it all */
	if (!(ps.conf.fail_rate > 0) && !ps.conf.fail_windows.n)
		return 0;
	ps.conf.seed = ks_seed_derive(ps.conf.seed, i);
	if (ks_params_format(&ps, true, buf, len))
		return ks_error_set(err, KS_E_PARAM, "canonical spec longer than %zu bytes", len);
	return 1;
}
