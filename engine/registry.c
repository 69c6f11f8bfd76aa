// SPDX-License-Identifier: MIT
/*
 * The policy registry: add a policy here (its extern declaration and its
 * entry) and in its own policy_NAME.c (the recipe is at the top of
 * policy.h).  The order is the order of --list-policies.
 */
#include "policy.h"

extern const struct ks_policy ks_policy_static;
extern const struct ks_policy ks_policy_rfc;
extern const struct ks_policy ks_policy_rfc_global;
extern const struct ks_policy ks_policy_watermark;
extern const struct ks_policy ks_policy_entry;
extern const struct ks_policy ks_policy_sp_reclaim;
extern const struct ks_policy ks_policy_abit;
extern const struct ks_policy ks_policy_gc;

const struct ks_policy *const ks_policies[] = {
	&ks_policy_static,
	&ks_policy_rfc,
	&ks_policy_rfc_global,
	&ks_policy_entry,
	&ks_policy_watermark,
	&ks_policy_sp_reclaim,
	&ks_policy_abit,
	&ks_policy_gc,
	NULL,
};
