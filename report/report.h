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

enum ks_report_format { KS_FMT_TEXT, KS_FMT_MARKDOWN, KS_FMT_CSV };

struct ks_report_opts {
	enum ks_report_format format;
	const char *policy;	/* only runs of this policy; NULL: all */
	bool all_runs;		/* every configuration, not just the default one */
	/*
	 * The parameters a bare policy name resolves to on a trace's machine,
	 * as the engine stores them in ks_result.params (every key, "auto"
	 * values resolved); kstack report creates an engine for it.  It tells
	 * which run is a policy's default and which parameters the Policy
	 * column names.  NULL (the default): a trace's runs of a policy are all
	 * shown unless there is only one, and the Policy column names the keys
	 * whose values differ between the stored runs of that policy.
	 */
	int (*defaults)(const char *policy, const struct ks_machine *m, char *buf, size_t len,
			struct ks_error *err);
};

/** ks_report_opts_default() - text, all policies, default runs, no defaults() */
void ks_report_opts_default(struct ks_report_opts *o);

/**
 * ks_report_table() - print the results table to @out
 *
 * Columns: CPU (workload label), #Cores, #Stacks, Regular(kb), Dynamic(kb),
 * Savings, Pool(kb), Savings+pool, Faults, Crashes, Lost; rows of truncated
 * traces are marked.  A Policy column follows CPU when the rows shown have
 * more than one configuration.
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
 * Each chart NAME of ks_report_chart_names is written as NAME.dat (and
 * NAME-N.dat for series), NAME.gp and, drawn, NAME.png and NAME.svg; a chart
 * without data (no pool sweep stored, say) is not written and its old files
 * are removed.  @dir is created if missing.  Labels from traces never reach
 * the scripts: gnuplot reads them from the data files, which hold sanitised
 * copies.
 *
 * Return: 0, -ENODATA (no runs), -KS_E_DB, -KS_E_IO (gnuplot failed) or -errno.
 */
int ks_report_charts(struct ks_store *s, const char *dir, bool *drew, struct ks_error *err);

/** ks_report_charts_opts() - the same, with @o's selection of runs (format unused) */
int ks_report_charts_opts(struct ks_store *s, const struct ks_report_opts *o, const char *dir,
			  bool *drew, struct ks_error *err);

/* The charts, NULL-terminated: "bars", "pool", "timeline", "hwm". */
extern const char *const ks_report_chart_names[];

#endif
