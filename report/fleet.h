/* SPDX-License-Identifier: MIT */
/*
 * The fleet report's figures, computed once for the table (fleet.c) and the
 * chart (charts_fleet.c) (report/ only).
 */
#ifndef KS_FLEET_H
#define KS_FLEET_H

#include "fleet_stats.h"
#include "report.h"

/* The ratios of a group, in this order. */
enum ks_fleet_ratio {
	KS_FLEET_PER_HOST,		/* saving per host (KiB) */
	KS_FLEET_PER_TASK,		/* saving per live task (KiB) */
	KS_FLEET_LE_4K,		/* share of tasks whose HWM is <= 4 KiB (0..1) */
	KS_FLEET_LE_8K,
	KS_FLEET_LE_16K,
	KS_FLEET_NR_RATIOS
};

/* A row of the report: a group of hosts, or every host. */
struct ks_fleet_row {
	char name[160];		/* its kernel, arch or label prefix; "" for every host */
	size_t *hosts;		/* indexes into ks_fleet.hosts, by trace id (in its order) */
	size_t n;
	struct ks_boot_ratio r[KS_FLEET_NR_RATIOS];
	double *fig;		/* each ratio's num, then its den, per host */
	double live;		/* mean live tasks, summed over hosts with a saving */
	uint64_t tasks;		/* tasks of hosts with task rows */
	size_t crashed;		/* hosts whose run of the policy had a would-be crash */
	bool all;		/* the row of every host */
};

struct ks_fleet {
	struct ks_fleet_host *hosts;	/* by trace id */
	size_t nhosts;
	struct ks_fleet_row *groups;	/* by name, then every host's row if several */
	size_t *order;			/* the groups' hosts, then every host's: 2 x nhosts */
	size_t ngroups;
	const char *policy;
	struct ks_fleet_opts opts;
	size_t no_tasks;		/* hosts without task rows */
	size_t no_saving;		/* hosts without a run of the policy and static's */
};

/**
 * ks_fleet_compute() - the fleet of @s under @o's policy (default rfc) and
 * fleet options (default ks_fleet_opts_default()), every figure of every
 * group and its interval
 *
 * A host without a run of the policy at its defaults and static's is left
 * out of the savings (fleet.no_saving), one without task rows out of the
 * tasks and shares (fleet.no_tasks).
 * Return: 0, -ENODATA (no traces), -KS_E_DB, -ENOMEM or -EINTR, @err set;
 * release @fl in any case.
 */
int ks_fleet_compute(struct ks_store *s, const struct ks_report_opts *o, struct ks_fleet *fl,
		     struct ks_error *err);

/** ks_fleet_release() - free what @fl holds; accepts a zeroed @fl */
void ks_fleet_release(struct ks_fleet *fl);

/** ks_fleet_group_by() - "none", "kernel", "arch" or "label-prefix:N" into @buf */
void ks_fleet_group_by(const struct ks_fleet_opts *f, char *buf, size_t len);

#endif
