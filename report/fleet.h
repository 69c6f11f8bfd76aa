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
enum fleet_ratio {
	FLEET_PER_HOST,		/* saving per host (KiB) */
	FLEET_PER_TASK,		/* saving per live task (KiB) */
	FLEET_LE_4K,		/* share of tasks whose HWM is <= 4 KiB (0..1) */
	FLEET_LE_8K,
	FLEET_LE_16K,
	FLEET_NR_RATIOS
};

struct fleet_group {
	char name[160];		/* its kernel, arch or label prefix; "" for every host */
	size_t *hosts;		/* indexes into fleet.hosts, by trace id */
	size_t n;
	struct ks_boot_ratio r[FLEET_NR_RATIOS];
	double *fig;		/* the ratios' num and den, per host: 2 x FLEET_NR_RATIOS x n */
	double live;		/* mean live tasks, summed over hosts with a saving */
	uint64_t tasks;		/* tasks of hosts with task rows */
	size_t crashed;		/* hosts whose run of the policy had a would-be crash */
	bool all;		/* the row of every host */
};

struct fleet {
	struct ks_fleet_host *hosts;	/* by trace id */
	size_t nhosts;
	struct fleet_group *groups;	/* by name, then every host's when there are several */
	size_t ngroups;
	const char *policy;
	struct ks_fleet_opts opts;
	size_t no_tasks;		/* hosts without task rows */
	size_t no_saving;		/* hosts without a run of the policy and static's */
};

/**
 * fleet_compute() - the fleet of @s under @o's policy (default rfc) and
 * fleet options (default ks_fleet_opts_default()), every figure of every
 * group and its interval
 *
 * A host without a run of the policy at its defaults and static's is left
 * out of the savings (fleet.no_saving), one without task rows out of the
 * tasks and shares (fleet.no_tasks).
 * Return: 0, -ENODATA (no traces), -KS_E_DB, -ENOMEM or -EINTR, @err set;
 * release @fl in any case.
 */
int fleet_compute(struct ks_store *s, const struct ks_report_opts *o, struct fleet *fl,
		  struct ks_error *err);

/** fleet_release() - free what @fl holds; accepts a zeroed @fl */
void fleet_release(struct fleet *fl);

/** fleet_group_by() - "none", "kernel", "arch" or "label-prefix:N" into @buf */
void fleet_group_by(const struct ks_fleet_opts *f, char *buf, size_t len);

#endif
