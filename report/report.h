/* SPDX-License-Identifier: MIT */
/*
 * Reports built from the store with SQL: the RFC-style table (text,
 * Markdown, CSV) and gnuplot charts.  Nothing here parses printed text.
 */
#ifndef KS_REPORT_H
#define KS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "store.h"

/*
 * KS_FMT_HTML: the tables as HTML tables and the text around them escaped,
 * a fragment of the page ks_report_html() writes (not a format of its own
 * on the command line).
 */
enum ks_report_format { KS_FMT_TEXT, KS_FMT_MARKDOWN, KS_FMT_CSV, KS_FMT_HTML };

/*
 * An event the costs table counts and prices: the counter of engine.h's
 * KS_COUNTERS it reads, its column header, the nanoseconds one event costs
 * by default and whether that figure is a placeholder (not a measurement).
 */
struct ks_cost {
	const char *counter;
	const char *header;
	const char *unit;	/* "event" or "byte": what one ns figure prices */
	double ns;
	bool placeholder;
};

#define KS_REPORT_MAX_COSTS 16

/*
 * The memory bases (the bases table of data/schema.sql), in their order:
 * the state when the trace ends (the RFC's census), the largest at any
 * moment (of stacks + pools: the peak of the sum), the time-weighted mean.
 */
enum ks_basis { KS_BASIS_END, KS_BASIS_PEAK, KS_BASIS_MEAN };
#define KS_NR_BASES 3

/** ks_basis_name() - "end", "peak" or "mean" */
const char *ks_basis_name(enum ks_basis b);
/** ks_basis_parse() - @s as a basis name; 0, or -KS_E_USAGE with @err naming it */
int ks_basis_parse(const char *s, enum ks_basis *b, struct ks_error *err);

/* Which traces a report shows. */
enum ks_trace_kind {
	KS_TRACES_ALL,		/* every trace */
	KS_TRACES_RECORDED,	/* recorded by kstack collect (not synthesized) */
	KS_TRACES_SYNTHETIC,	/* synthesized from a profile */
};

struct ks_fleet_opts;

struct ks_report_opts {
	enum ks_report_format format;
	const char *policy;	/* only runs of this policy; NULL: all */
	/*
	 * Every configuration, not just each policy's default one (runs.is_default:
	 * the policy at its defaults on the trace's machine; a trace whose runs
	 * of a policy include no default one shows them all).
	 */
	bool all_runs;
	/* the timeline chart's trace: a label or a trace id; NULL: the first real one */
	const char *trace;
	/*
	 * The results table's bases, in this order; none (0): mean and peak
	 * when a recorded trace is shown, else end (ks_report_bases()).
	 */
	enum ks_basis bases[KS_NR_BASES];
	size_t nr_bases;
	enum ks_trace_kind traces;	/* default: every trace */
	/* ns per event of each ks_report_cost(i), the defaults unless overridden */
	double cost_ns[KS_REPORT_MAX_COSTS];
	bool cost_given[KS_REPORT_MAX_COSTS];	/* set by ks_report_cost_override() */
	/*
	 * The fleet report's grouping and bootstrap (NULL: its defaults); when
	 * set, the charts are the fleet report's alone (the chart fleet)
	 */
	const struct ks_fleet_opts *fleet;
};

/**
 * ks_report_opts_default() - text, all policies, default runs, the default
 * (placeholder) ns per event
 */
void ks_report_opts_default(struct ks_report_opts *o);

/**
 * ks_report_add_basis() - add @b to @o's bases (once; in the order given)
 */
void ks_report_add_basis(struct ks_report_opts *o, enum ks_basis b);

/**
 * ks_report_table() - print the results table to @out, from the savings
 * view of the store, one table per basis of @o (text, Markdown) or one
 * table with a Basis column (CSV)
 *
 * Columns: CPU (workload label), #Cores, #Stacks, Regular(kb) (the trace's
 * static run), Dynamic(kb), Dynamic(%RAM), Savings, Pool(kb), Savings+pool,
 * Saved(%RAM), Faults, Crashes, Lost; in text and Markdown the memory
 * headers name their basis ("Dynamic mean(kb)").  Rows of truncated traces
 * are marked, and so are the memory figures of runs with would-be crashes,
 * each explained in a footnote (when and where the machine would have
 * oopsed).  A Policy column follows CPU when the rows shown have more than
 * one configuration: the policy and its keys not at their default
 * (run_params.is_default), "rfc:pool=0".
 *
 * Return: 0, -ENODATA ("no runs stored yet", also when the policy filter
 * leaves none), -KS_E_DB, or -errno when @out fails.
 */
int ks_report_table(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		    struct ks_error *err);

/**
 * ks_report_charts() - write chart data and gnuplot scripts into @dir and,
 * when gnuplot is found, render PNG and SVG.
 * @drew: out, true if images were rendered
 *
 * Each chart NAME of ks_report_chart() is written as NAME.dat (and data
 * files NAME-*.dat or NAME_K.dat), NAME.gp and, drawn, NAME.png and
 * NAME.svg; a chart per trace as NAME-SLUG.*, SLUG named after the trace's
 * label (lowercase letters, digits and dashes, made unique with the CPU
 * count and a number).  Every data file starts with a line naming its
 * columns.  A chart without data (no pool sweep stored, say) is not written
 * and its old files are removed.  @dir is created if missing.  Labels from
 * traces never reach the scripts but as slugs: gnuplot reads titles from
 * the data files, which hold sanitised copies.
 *
 * Return: 0, -ENODATA (no runs), -KS_E_DB, -KS_E_IO (gnuplot failed) or -errno.
 */
int ks_report_charts(struct ks_store *s, const char *dir, bool *drew, struct ks_error *err);

/** ks_report_charts_opts() - the same, with @o's selection of runs (format unused) */
int ks_report_charts_opts(struct ks_store *s, const struct ks_report_opts *o, const char *dir,
			  bool *drew, struct ks_error *err);

/**
 * ks_report_chart() - the name of chart @i of the registry, in the order
 * they are drawn and listed ("bars", "pool", "fallback", "timeline", "hwm",
 * "depth", "asleep", "latch", "designs", "fleet"), or NULL past the last
 * @per_trace: if not NULL, set to whether it draws one image per trace,
 *	NAME-SLUG.png (SLUG named after the trace), rather than one, NAME.png
 */
const char *ks_report_chart(size_t i, bool *per_trace);

/**
 * ks_report_chart_list() - the charts written in @dir, as script base names
 * ("bars", "pool-compile", ...) in the order of ks_report_chart(), a chart
 * per trace's by name
 * @names: out, a NULL-terminated malloc'ed array of malloc'ed strings; free
 * with ks_report_chart_list_free()
 *
 * Return: 0 or -errno.
 */
int ks_report_chart_list(const char *dir, char ***names);
/** ks_report_chart_list_free() - accepts NULL */
void ks_report_chart_list_free(char **names);

/**
 * ks_report_min_pool() - print the minimum safe pool table to @out
 *
 * Runs of one trace and policy whose parameters differ only in pool= form a
 * sweep (two pools at least); for each, grouped by the other parameters
 * (failure rate first), the smallest pool from which every larger pool
 * tried had zero would-be crashes, or "none <= MAX" when the largest pool
 * tried crashed.  @o's policy filter applies; all_runs does not (sweeps are
 * never default runs).  Columns: CPU, Policy, Fail rate, Pools, Crashes by
 * pool, Min safe pool.
 *
 * Return: 0, -ENODATA (no runs, or no pool sweep stored), -KS_E_DB or -errno.
 */
int ks_report_min_pool(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		       struct ks_error *err);

/**
 * ks_report_costs() - print the costs table to @out: per shown run, events
 * per second of trace for every ks_report_cost() and Cost = the sum of
 * counts x ns per event (in us per second of trace and in ms in all), ns
 * from @o->cost_ns.  A run whose counts were not observed shows "unknown",
 * never 0.  Text and Markdown end with the ns used, the placeholders
 * marked; CSV has a column saying whether placeholders were used.
 *
 * Return: 0, -ENODATA, -KS_E_DB or -errno.
 */
int ks_report_costs(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		    struct ks_error *err);

/** ks_report_cost_count() - entries of the cost table (<= KS_REPORT_MAX_COSTS) */
size_t ks_report_cost_count(void);
/** ks_report_cost() - entry @i < ks_report_cost_count(), with its default ns */
const struct ks_cost *ks_report_cost(size_t i);
/**
 * ks_report_cost_override() - set one ns per event from "NAME=NS" (NAME a
 * counter of the cost table, NS a finite number >= 0)
 *
 * Return: 0 or -KS_E_USAGE with @err saying what is wrong.
 */
int ks_report_cost_override(struct ks_report_opts *o, const char *arg, struct ks_error *err);

/**
 * ks_report_answer() - the answer in plain words, a paragraph per trace
 * that @o shows (@o->trace: that one; @o->traces): what rfc at its
 * defaults saves against static, in KiB, of the stack memory and of RAM,
 * on the mean and the peak of a recorded trace (at the end of a
 * synthesized one), with pools counted, its faults and would-be crashes;
 * from which per-CPU pool its sweeps had no would-be crash, in how many
 * seeds, per failure rate; what every other policy at its defaults saves;
 * and how deep the tasks went.  Parts whose runs are not stored are left
 * out.  @o->format: text (wrapped at 78 columns) or HTML (a paragraph each).
 *
 * Return: 0, -ENODATA (no runs, or none of that trace), -KS_E_DB or -errno.
 */
int ks_report_answer(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		     struct ks_error *err);

/* What the HTML page shows besides the store's tables. */
struct ks_html_opts {
	/*
	 * The folder the charts were drawn into (ks_report_charts_opts()): each
	 * NAME.svg found is inlined; NULL: a page without charts.
	 */
	const char *charts;
	const char *generator;	/* "kstack 0.1.0", in the page's footer */
};

/**
 * ks_report_html() - write the HTML report to @out: one self-contained page
 * (no script, nothing fetched) with the answer (ks_report_answer()), the
 * traces' headers, the results, minimum-pool and costs tables, the
 * per-task reports, the charts drawn into @h->charts inlined as SVG under
 * the tables they illustrate, the method and its caveats and links to the
 * kernel threads.  Every string from the store is escaped.  @o selects the
 * runs as for the tables (format unused).
 *
 * Return: 0, -ENODATA (no runs), -KS_E_DB or -errno (@out failed, a chart
 * could not be read).
 */
int ks_report_html(struct ks_store *s, const struct ks_report_opts *o,
		   const struct ks_html_opts *h, FILE *out, struct ks_error *err);

/*
 * The designs (designs.c): today's kernel, its smaller fixed stacks, the
 * RFC's policies and the designs the reviewers proposed, each at its
 * defaults.  A design the trace cannot pin down (what a task touched
 * between two checks) is two runs, access=depth and access=hwm, and its
 * figures are ranges.
 */
enum ks_design_family {
	KS_DESIGN_FIXED,	/* today's kernel and smaller fixed stacks */
	KS_DESIGN_RFC,		/* the RFC's policies: a stack grows on a fault */
	KS_DESIGN_RECLAIM,	/* the reviewers': pages taken back from tasks not running */
};
#define KS_DESIGN_FAMILIES 3

struct ks_design {
	const char *name;	/* the table's row: "abit:latch=0 (access=depth..hwm)" */
	const char *spec;	/* its run: policy and the keys not at their default; of
				 * two runs, the access=depth one */
	const char *spec_hwm;	/* the access=hwm run of two; NULL: one run */
	enum ks_design_family family;
};

/** ks_design_count() - the designs of the table */
size_t ks_design_count(void);
/** ks_design() - design @i < ks_design_count(), in the table's order; NULL past the last */
const struct ks_design *ks_design(size_t i);
/**
 * ks_design_specs() - every run's spec (both of a design of two runs), in
 * the table's order, into @out (at most @max)
 * Return: how many there are (more than @max: the first @max written).
 */
size_t ks_design_specs(const char **out, size_t max);

/**
 * ks_report_designs() - print the designs table to @out: per trace (@o's
 * kind of traces, @o->trace alone if given), one row per design with its
 * stacks (KiB), savings and savings with pools on each basis of the results
 * table (@o->bases, else mean and peak when a recording is shown, else
 * end), and per second of trace its faults, maps, unmaps, PTE writes, TLB
 * flushes, IPIs, refaults, admission waits and would-be crashes, and its
 * overflows.  A design of two runs prints each figure as lower..higher; a
 * design whose run is not stored says so in its row.  CSV: one line per run
 * with fixed column names (trace, trace_id, design, bound, spec, missing,
 * ...; every basis).  @o->policy and @o->all_runs do not apply.
 *
 * Return: 0, -ENODATA (no runs of such traces), -KS_E_USAGE (no trace
 * @o->trace), -KS_E_DB or -errno.
 */
int ks_report_designs(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		      struct ks_error *err);

/*
 * The per-task reports (tasks_report.c): each a view of data/schema.sql
 * printed for every trace with task rows (or @o->trace, a label or an id)
 * and every scope (system; workload and other when the trace names its
 * recorded command), as text, Markdown or CSV with fixed column names.
 */
enum ks_task_report {
	KS_TASKS_DEPTH,		/* depth distribution: lifetime HWM, alive / exited */
	KS_TASKS_ASLEEP,	/* depth while asleep, KiB x s, mean depth */
	KS_TASKS_LATCH,		/* rises after the first second / 10% of life, delays */
	KS_TASKS_ATTRIBUTION,	/* processes past 4K and 8K */
	KS_TASKS_TAIL,		/* HWM >= 8K, 12K, 14K; smallest free space */
	KS_TASKS_OVERFLOW,	/* the tasks a static 8K or 12K stack would not hold */
	KS_TASKS_CENSUS,	/* tasks by class; stacks as a share of RAM */
};

struct ks_task_opts {
	const char *scope;	/* "system", "workload" or "other"; NULL: every scope */
	double min_life_s;	/* the latch's tasks lived at least this long (1 s) */
	long limit;		/* attribution: rows per trace and scope; 0 all, -1 default */
	bool exited;		/* depth CSV: the kernel's way (tasks that exited) */
};

/** ks_task_opts_default() - every scope, 1 s, the default limit, lifetime depth */
void ks_task_opts_default(struct ks_task_opts *t);

/**
 * ks_report_tasks() - print the per-task report @which to @out
 *
 * The depth distribution in CSV is exactly "class,bucket_kb,tasks" (class
 * kthread, kworker, user, all; bucket_kb the bucket's upper bound in KiB, 0
 * for "above THREAD_SIZE") for one trace and one scope (default system):
 * with several traces stored, @o->trace must name one.  Attribution in text
 * shows the first 20 rows of each trace and scope unless @t->limit says
 * otherwise; CSV shows all.
 *
 * Return: 0; -ENODATA (no trace has task rows: replayed by an older
 * kstack, or not at all); -KS_E_USAGE (no such trace, or the depth CSV
 * without a choice of trace); -KS_E_DB or -errno.
 */
int ks_report_tasks(struct ks_store *s, const struct ks_report_opts *o,
		    const struct ks_task_opts *t, enum ks_task_report which, FILE *out,
		    struct ks_error *err);

/*
 * The fleet report (fleet.c; its statistics in fleet_stats.c): across
 * traces, each standing for the host it was recorded on, grouped by kernel,
 * architecture or label prefix, the hosts and tasks, the shares of tasks
 * whose lifetime stack HWM fits 4, 8 and 16 KiB, the mean saving per host
 * and per live task on the mean basis, and a fleet's projected saving, each
 * with a percentile interval by bootstrap over hosts.
 */
enum ks_fleet_group {
	KS_FLEET_NONE,		/* every host in one group */
	KS_FLEET_KERNEL,	/* by kernel release */
	KS_FLEET_ARCH,		/* by architecture */
	KS_FLEET_LABEL,		/* by the first label_fields fields of the label */
};

#define KS_FLEET_SEED 1
#define KS_FLEET_RESAMPLES 2000
#define KS_FLEET_MIN_RESAMPLES 100
#define KS_FLEET_MAX_RESAMPLES 1000000
#define KS_FLEET_HOSTS 1000
#define KS_FLEET_MAX_HOSTS 1000000000000ULL
#define KS_FLEET_MAX_FIELDS 16
#define KS_FLEET_LEVEL 0.95

struct ks_fleet_opts {
	uint64_t seed;		/* the bootstrap's, printed with the report */
	uint64_t hosts;		/* the projection: a fleet of this many hosts per group */
	uint32_t resamples;	/* the bootstrap's resamples of the hosts */
	uint32_t label_fields;	/* KS_FLEET_LABEL: fields of the prefix (1..16) */
	enum ks_fleet_group group;
};

/** ks_fleet_opts_default() - no grouping, seed 1, 2000 resamples, 1000 hosts */
void ks_fleet_opts_default(struct ks_fleet_opts *f);

/**
 * ks_fleet_opts_set() - one option of the fleet report from its text
 * @key: "group" (none, kernel, arch, label-prefix or label-prefix:N),
 *	"hosts" (1 to 10^12), "seed" (a decimal 64-bit number) or
 *	"resamples" (100 to 1000000)
 * Return: 0, or -KS_E_USAGE with @err naming the option and its value.
 */
int ks_fleet_opts_set(struct ks_fleet_opts *f, const char *key, const char *value,
		      struct ks_error *err);

/**
 * ks_fleet_label_prefix() - the group of @label under label-prefix:@fields
 * into @buf: the label up to the end of its @fields-th field, a field being
 * a run of letters or a run of digits (anything but ASCII letters, digits
 * and bytes above 127 separates fields): "web-01" -> "web", "db17" -> "db",
 * "rack12-web-03" -> "rack" (1), "rack12" (2), "rack12-web" (3).  A label
 * with fewer fields is taken whole, without separators at its ends; one
 * without any field is its group as it is.
 */
void ks_fleet_label_prefix(const char *label, uint32_t fields, char *buf, size_t len);

/**
 * ks_report_fleet() - print the fleet report of @o->policy (default rfc)
 * with @o->fleet's grouping and bootstrap (defaults if NULL) to @out, as
 * text, Markdown or CSV (fixed column names: see README.md)
 *
 * A host without a run of the policy at its defaults (or without static's
 * to compare with) is left out of the savings, one without task rows out
 * of the tasks and shares, and the report says how many; a figure no host
 * has is "-" (an empty CSV field).
 * Return: 0; -ENODATA (no traces); -KS_E_DB; -EINTR (asked to stop:
 * nothing printed) or -errno.
 */
int ks_report_fleet(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		    struct ks_error *err);

#endif
