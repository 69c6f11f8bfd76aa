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
};

/** ks_report_opts_default() - text, all policies */
void ks_report_opts_default(struct ks_report_opts *o);

/**
 * ks_report_table() - print the results table to @out
 *
 * Columns: CPU (workload label), #Cores, #Stacks, Regular(kb), Dynamic(kb),
 * Savings, Pool(kb), Savings+pool, Faults, Crashes, Lost; rows of truncated
 * traces are marked.
 */
int ks_report_table(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		    struct ks_error *err);

/**
 * ks_report_charts() - write chart data and gnuplot scripts into @dir and,
 * when gnuplot is found, render PNG and SVG.
 * @drew: out, true if images were rendered
 */
int ks_report_charts(struct ks_store *s, const char *dir, bool *drew, struct ks_error *err);

#endif
