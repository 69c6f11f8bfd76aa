/* SPDX-License-Identifier: MIT */
/* Internal: spec parsing shared by the core and the tests. */
#ifndef KS_PARAMS_H
#define KS_PARAMS_H

#include "policy.h"

/* A parsed spec: the policy, engine-wide keys and the policy's own keys. */
struct ks_parsed {
	const struct ks_policy *pol;
	struct ks_conf conf;
	_Alignas(8) unsigned char pconf[256];
};

/**
 * ks_params_parse() - parse @spec, defaults first
 * Return: 0, -KS_E_POLICY or -KS_E_PARAM (with @err naming key and policy).
 */
int ks_params_parse(const char *spec, struct ks_parsed *out, struct ks_error *err);

/**
 * ks_params_resolve() - apply the machine's values to "auto" keys and check
 * the limits that depend on them.  Return: 0, -KS_E_PARAM or -KS_E_DEPTH.
 */
int ks_params_resolve(struct ks_parsed *ps, const struct ks_machine *m, struct ks_error *err);

/** ks_params_format() - canonical "[policy:]k=v,..." (keys sorted); 0 or -ENOSPC */
int ks_params_format(const struct ks_parsed *ps, bool with_name, char *buf, size_t len);

/**
 * ks_params_values() - fill @res->param[] and @res->is_default for a run of
 * @pol resolved to @c and @pconf on machine @m: every key, sorted, with its
 * canonical value and whether that is what @pol named alone resolves to on
 * @m (so a run is its policy's default run exactly when all of them are)
 */
void ks_params_values(const struct ks_policy *pol, const struct ks_conf *c, const void *pconf,
		      const struct ks_machine *m, struct ks_result *res);

/** ks_policy_find() - registry lookup by name of @len bytes; NULL if none */
const struct ks_policy *ks_policy_find(const char *name, size_t len);

#endif
