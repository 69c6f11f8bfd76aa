// SPDX-License-Identifier: MIT
/*
 * The results table in the RFC's shape plus the honest extras, in text,
 * Markdown and CSV.  The columns are one array: header, alignment, which
 * formats show it, and a cell formatter; adding a column is adding a line.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "rows.h"
#include "tab.h"

#define F_TEXT (1u << KS_FMT_TEXT)
#define F_MD (1u << KS_FMT_MARKDOWN)
#define F_CSV (1u << KS_FMT_CSV)
#define F_ALL (F_TEXT | F_MD | F_CSV)

/* @raw: machine-readable (CSV): plain numbers, no marks */
typedef void (*ks_cell_fn)(const struct ks_row *r, bool raw, char *buf, size_t len);

struct ks_col {
	const char *header;
	ks_cell_fn cell;
	unsigned int formats;	/* F_* showing the column */
	bool left;		/* left-aligned in text */
	bool config;		/* only when the rows have several configurations */
};

static void u64(char *buf, size_t len, uint64_t v)
{
	snprintf(buf, len, "%" PRIu64, v);
}

static void fraction(char *buf, size_t len, double v, bool raw)
{
	if (isnan(v))
		snprintf(buf, len, "%s", raw ? "" : "-");
	else if (raw)
		snprintf(buf, len, "%.6f", v);
	else
		snprintf(buf, len, "%.1f%%", 100.0 * v);
}

static void cell_cpu(const struct ks_row *r, bool raw, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", r->label, !raw && r->truncated ? "*" : "");
}

static void cell_policy(const struct ks_row *r, bool raw, char *buf, size_t len)
{
	snprintf(buf, len, "%s", r->policy_label);
}

static void cell_cores(const struct ks_row *r, bool raw, char *buf, size_t len)
{
	u64(buf, len, r->ncpus);
}

static void cell_stacks(const struct ks_row *r, bool raw, char *buf, size_t len)
{
	u64(buf, len, r->tasks_end);
}

static void cell_regular(const struct ks_row *r, bool raw, char *buf, size_t len)
{
	u64(buf, len, ks_row_regular_kb(r));
}

static void cell_dynamic(const struct ks_row *r, bool raw, char *buf, size_t len)
{
	u64(buf, len, r->kernel_stack_kb_end);
}

static void cell_savings(const struct ks_row *r, bool raw, char *buf, size_t len)
{
	fraction(buf, len, ks_row_savings(r), raw);
}

static void cell_pool(const struct ks_row *r, bool raw, char *buf, size_t len)
{
	u64(buf, len, ks_row_pool_kb(r));
}

static void cell_savings_pool(const struct ks_row *r, bool raw, char *buf, size_t len)
{
	fraction(buf, len, ks_row_savings_pool(r), raw);
}

static void cell_faults(const struct ks_row *r, bool raw, char *buf, size_t len)
{
	u64(buf, len, r->faults);
}

static void cell_crashes(const struct ks_row *r, bool raw, char *buf, size_t len)
{
	u64(buf, len, r->crashes);
}

static void cell_lost(const struct ks_row *r, bool raw, char *buf, size_t len)
{
	u64(buf, len, r->lost);
}

static void cell_truncated(const struct ks_row *r, bool raw, char *buf, size_t len)
{
	u64(buf, len, r->truncated);
}

static const struct ks_col columns[] = {
	{ "CPU",		cell_cpu,		F_ALL, .left = true },
	{ "Policy",		cell_policy,		F_ALL, .left = true, .config = true },
	{ "#Cores",		cell_cores,		F_ALL },
	{ "#Stacks",		cell_stacks,		F_ALL },
	{ "Regular(kb)",	cell_regular,		F_ALL },
	{ "Dynamic(kb)",	cell_dynamic,		F_ALL },
	{ "Savings",		cell_savings,		F_ALL },
	{ "Pool(kb)",		cell_pool,		F_ALL },
	{ "Savings+pool",	cell_savings_pool,	F_ALL },
	{ "Faults",		cell_faults,		F_ALL },
	{ "Crashes",		cell_crashes,		F_ALL },
	{ "Lost",		cell_lost,		F_ALL },
	{ "Truncated",		cell_truncated,		F_CSV },
};
#define NR_COLS (sizeof(columns) / sizeof(columns[0]))

void ks_report_opts_default(struct ks_report_opts *o)
{
	size_t i;

	memset(o, 0, sizeof(*o));
	o->format = KS_FMT_TEXT;
	for (i = 0; i < ks_report_cost_count(); i++)
		o->cost_ns[i] = ks_report_cost(i)->ns;
}

static void footnotes(FILE *out, const struct ks_rowset *rs, enum ks_report_format f)
{
	bool truncated = false, lost = false;
	size_t i;

	for (i = 0; i < rs->n; i++) {
		if (!rs->rows[i].shown)
			continue;
		truncated |= rs->rows[i].truncated;
		lost |= rs->rows[i].lost > 0;
	}
	if (!truncated && !lost)
		return;
	fputc('\n', out);
	if (truncated)
		fprintf(out, "%s trace truncated: recording was interrupted\n",
			f == KS_FMT_MARKDOWN ? "\\*" : "*");
	if (lost)
		fprintf(out, "Lost > 0: events were lost while recording; "
			     "those rows' figures are lower bounds\n");
}

/* The columns this table shows, in order. */
static size_t pick_columns(const struct ks_rowset *rs, enum ks_report_format f,
			   const struct ks_col **cols)
{
	size_t i, n = 0;

	for (i = 0; i < NR_COLS; i++) {
		if (!(columns[i].formats & (1u << f)))
			continue;
		if (columns[i].config && !rs->several_configs)
			continue;
		cols[n++] = &columns[i];
	}
	return n;
}

static int print_table(const struct ks_rowset *rs, const struct ks_report_opts *o, FILE *out)
{
	const struct ks_col *cols[NR_COLS];
	const char *headers[NR_COLS];
	bool left[NR_COLS];
	struct ks_tab t = { .headers = headers, .left = left };
	size_t i, c, k;
	enum ks_report_format f = o->format;

	t.ncols = pick_columns(rs, f, cols);
	t.nrows = rs->nr_shown;
	t.cells = ks_tab_alloc(t.nrows, t.ncols);
	if (!t.cells)
		return -ENOMEM;
	for (c = 0; c < t.ncols; c++) {
		headers[c] = cols[c]->header;
		left[c] = cols[c]->left;
	}
	for (i = 0, k = 0; i < rs->n; i++) {
		if (!rs->rows[i].shown)
			continue;
		for (c = 0; c < t.ncols; c++, k++)
			cols[c]->cell(&rs->rows[i], f == KS_FMT_CSV, t.cells[k], KS_TAB_CELL);
	}
	ks_tab_print(&t, f, out);
	if (f != KS_FMT_CSV)
		footnotes(out, rs, f);
	free(t.cells);
	return 0;
}

int ks_report_table(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		    struct ks_error *err)
{
	return ks_rows_print(s, o, out, print_table, "table", err);
}
