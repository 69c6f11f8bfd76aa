/* SPDX-License-Identifier: MIT */
/*
 * The HTML report as the commands write it (tools/cli_page.c).
 */
#ifndef KS_CLI_PAGE_H
#define KS_CLI_PAGE_H

#include <stdbool.h>

#include "report.h"

/**
 * cli_page_write() - draw the charts of @store (the runs @o selects) into
 * @charts, or into a temporary folder removed afterwards when NULL, and
 * write the HTML report inlining them to @path ("-": standard output),
 * through a temporary file beside @path renamed over it once whole
 * @verb: the command, for its error lines
 * @drew: out, whether gnuplot drew the images
 *
 * Return: 0, or after one error line the exit status (KS_EXIT_USAGE for
 * options the report rules out, else KS_EXIT_FAIL), nothing left at @path.
 */
int cli_page_write(const char *verb, struct ks_store *store, const struct ks_report_opts *o,
		   const char *charts, const char *path, bool *drew);

#endif
