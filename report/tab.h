/* SPDX-License-Identifier: MIT */
/*
 * One printer for every table of report/: a grid of cells already
 * formatted, printed as aligned text, Markdown, CSV or an HTML table
 * (report/ only), and the free text printed around tables.
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
 * fields quoted as RFC 4180 asks, HTML cells escaped (ks_tab_html()) in a
 * table of class "t" on one line, left-aligned cells of class "l".
 */
void ks_tab_print(const struct ks_tab *t, enum ks_report_format f, FILE *out);

/**
 * ks_tab_note() - print free text around the tables (titles, footnotes) in
 * format @f: as it is, or for HTML escaped (ks_tab_html()), its line breaks
 * kept for the page's white-space: pre-line.  Every word a report prints
 * outside a table goes through here, so that no label from a trace reaches
 * a page unescaped.
 */
void ks_tab_note(FILE *out, enum ks_report_format f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * ks_tab_html() - @s as HTML text or attribute value: & < > " ' escaped,
 * control characters but newline and tab as '?'
 */
void ks_tab_html(FILE *out, const char *s);

/** ks_tab_alloc() - cells for @nrows x @ncols, zeroed; NULL without memory */
char (*ks_tab_alloc(size_t nrows, size_t ncols))[KS_TAB_CELL];

#endif
