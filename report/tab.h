/* SPDX-License-Identifier: MIT */
/*
 * One printer for every table of report/: a grid of cells already
 * formatted, printed as aligned text, Markdown or CSV (report/ only).
 */
#ifndef KS_TAB_H
#define KS_TAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report.h"

#define KS_TAB_CELL 192

struct ks_tab {
	const char *const *headers;	/* @ncols headers */
	const bool *left;		/* @ncols: left-aligned in text */
	char (*cells)[KS_TAB_CELL];	/* @nrows x @ncols, row-major */
	size_t ncols;
	size_t nrows;
};

/**
 * ks_tab_print() - print @t to @out in format @f (CSV lines end in CRLF);
 * text cells lose control characters, Markdown cells are escaped, CSV
 * fields quoted as RFC 4180 asks.
 */
void ks_tab_print(const struct ks_tab *t, enum ks_report_format f, FILE *out);

/** ks_tab_alloc() - cells for @nrows x @ncols, zeroed; NULL without memory */
char (*ks_tab_alloc(size_t nrows, size_t ncols))[KS_TAB_CELL];

#endif
