/* SPDX-License-Identifier: MIT */
/*
 * The runs a report shows, loaded from the store with one SQL query and
 * selected as struct ks_report_opts asks (report/ only).  Tables and charts
 * both use this so they always show the same runs.
 */
#ifndef KS_ROWS_H
#define KS_ROWS_H

#include <stdbool.h>
#include <stdint.h>

#include "report.h"

/*
 * One run's memory on one basis, as the savings view gives it (KiB and
 * percent; NAN where the view has NULL: no static run of the trace for
 * Regular and the savings, RAM unknown for the %RAM figures).
 */
struct ks_mem {
	double regular_kb;
	double dynamic_kb;
	double pool_kb;
	double savings_pct;
	double savings_pool_pct;
	double dynamic_ram_pct;
	double saved_ram_pct;
};

struct ks_row {
	int64_t trace_key;
	int64_t run_key;
	uint64_t faults;
	uint64_t crashes;
	uint64_t lost;			/* the trace's lost events */
	uint64_t seed;
	int64_t sweep;			/* its pool sweep (named by its first run), or 0 */
	long pool;			/* its pool= value, -1 if it has none or not a number */
	const struct ks_param_value *params;	/* its keys, by name (in ks_rowset.params) */
	size_t nr_params;
	uint32_t ncpus;
	uint32_t page_size;
	uint32_t thread_size;
	bool truncated;
	bool is_default;		/* the policy at its defaults on the trace's machine */
	bool shown;			/* selected by the options */
	char label[64];
	char policy[32];
	char engine_version[16];
	char fail[32];			/* its fail_rate= value as stored ("0" when absent) */
	char policy_label[160];		/* "rfc" or "rfc:pool=0" (non-default keys only) */
	char trace_id[24];		/* the trace's identity, 16 hex digits */
	bool synthetic;			/* the trace came from kstack synth */
	bool costs_unknown;		/* the run's event counts are not measured */
	uint64_t duration_ns;		/* the run's end - start (trace time) */
	struct ks_counters c;		/* every counter of the run */
	struct ks_mem mem[KS_NR_BASES];	/* the savings view's rows, by enum ks_basis */
	uint64_t ram_kb;		/* the machine's RAM, 0 unknown */
	/* its first would-be crash, when crashes > 0: the oops the figures flag */
	double oops_s;			/* seconds since the trace started */
	uint32_t oops_cpu;
	uint32_t oops_tid;
	char oops_comm[KS_COMM_LEN];
};

struct ks_rowset {
	struct ks_row *rows;
	size_t n;
	size_t nr_shown;
	struct ks_param_value *params;	/* every run's keys, sorted by name within a run */
	size_t nr_params;
	bool several_configs;		/* shown rows have more than one policy label */
};

/**
 * ks_rows_load() - every run, ordered by trace insertion, policy and
 * parameters (numbers compared as numbers)
 */
int ks_rows_load(struct ks_store *s, const struct ks_report_opts *o, struct ks_rowset *out,
		 struct ks_error *err);
/* Prints one table from loaded rows; returns 0 or -errno. */
typedef int (*ks_rows_printer)(const struct ks_rowset *rs, const struct ks_report_opts *o,
			       FILE *out);

/**
 * ks_rows_print() - check @o's format, load the rows, print them with @fn
 * and check that @out took every byte; @what names the table in errors
 */
int ks_rows_print(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		  ks_rows_printer fn, const char *what, struct ks_error *err);

/** ks_rowset_release() - free the rows inside @rs */
void ks_rowset_release(struct ks_rowset *rs);

/**
 * ks_report_bases() - the bases the results table shows for @rs under @o,
 * into @out (KS_NR_BASES entries): @o's, else mean and peak when a shown
 * row comes from a recorded trace, else end (the census of a synthesized
 * machine).  Return: how many.
 */
size_t ks_report_bases(const struct ks_rowset *rs, const struct ks_report_opts *o,
		       enum ks_basis *out);

/**
 * ks_row_oops() - "the machine would have oopsed at T s on CPU c (task TID
 * COMM); memory after that is not a saving" for a row with crashes
 */
void ks_row_oops(const struct ks_row *r, char *buf, size_t len);

/**
 * ks_row_series_label() - @r's policy label without the keys of @drop
 * (NULL-terminated); "policy" alone when nothing is left
 */
void ks_row_series_label(const struct ks_row *r, const char *const *drop, char *buf,
			 size_t len);

/**
 * ks_design_run() - the run among @rs->rows[@from..@to) (one trace's) that
 * is @spec (a ks_design's): of its policy, with the keys @spec names at
 * those values and every other key at its default; the one stored last
 * when there are several, NULL when there is none
 */
const struct ks_row *ks_design_run(const struct ks_rowset *rs, size_t from, size_t to,
				   const char *spec);

/*
 * One pool size of a sweep: its runs, one per seed (a configuration
 * replayed with --replicates N has N), and what they say together.
 */
struct ks_sweep_pool {
	long pool;
	const struct ks_row **runs;	/* by run key: the first is the configuration's own seed */
	size_t seeds;			/* runs at this pool */
	size_t crashed;			/* of which had at least one would-be crash */
	double median;			/* of their crash counts (the mean of the middle two) */
	uint64_t max;			/* the most crashes of one of them */
	double savings_pool_pct;	/* median of their savings with pools, mean basis */
	double fallback_median;		/* median of their fallback hits */
	double waits_median;		/* median of their allocation waits */
};

/*
 * A pool-size sweep: runs of one trace, policy and engine version whose
 * parameters differ only in pool= and seed= (two pools at least), by pool.
 */
struct ks_sweep {
	const struct ks_row **runs;	/* every run, by pool then run key */
	size_t n;
	struct ks_sweep_pool *pools;	/* by pool */
	size_t npools;
	size_t seeds_min, seeds_max;	/* runs per pool: the fewest and the most */
	long safe;			/* the minimum safe pool, -1 if none tried is */
	size_t order;			/* the first run's index in the row set */
	double fail_rate;
	char label[160];		/* policy label without pool=, fail_rate= and seed= */
	char fail[32];			/* fail_rate as stored ("0" when absent) */
};

/**
 * ks_sweeps_find() - the sweeps among @rs's runs (every run, shown or not:
 * sweeps are not default runs) of @o's policy, ordered by trace, policy,
 * failure rate and label.  Return: their count, or -ENOMEM.
 */
long ks_sweeps_find(const struct ks_rowset *rs, const struct ks_report_opts *o,
		    struct ks_sweep **out);
/** ks_sweeps_free() - accepts NULL */
void ks_sweeps_free(struct ks_sweep *sw, size_t n);

#endif
