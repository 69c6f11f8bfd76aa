// SPDX-License-Identifier: MIT
/*
 * The results table in the RFC's shape plus the honest extras, in text,
 * Markdown and CSV, built from the store's savings view (what a user
 * queries is what kstack prints).  Text and Markdown print one table per
 * basis, with the basis in the memory headers; CSV prints one table with a
 * Basis column, as the view has it.  The columns are one array: header,
 * alignment, which formats show it, and a cell formatter; adding a column
 * is adding a line.
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
#define F_HTML (1u << KS_FMT_HTML)
#define F_ALL (F_TEXT | F_MD | F_CSV | F_HTML)

/* Footnotes listing the would-be crashes name at most this many rows. */
#define MAX_OOPS_NOTES 12

/*
 * What a cell is formatted for: raw = machine-readable (CSV), no marks;
 * pad: a text table with marks, where unmarked figures take a blank in the
 * mark's place so that the digits of a column stay aligned.
 */
struct cell_ctx {
	enum ks_basis basis;
	bool raw;
	bool pad;
};

typedef void (*ks_cell_fn)(const struct ks_row *r, const struct cell_ctx *x, char *buf,
			   size_t len);

/*
 * @header: the text and Markdown header, '@' standing for the basis;
 * @csv: the CSV header, if different (the basis is a column there).
 */
struct ks_col {
	const char *header;
	const char *csv;
	ks_cell_fn cell;
	unsigned int formats;	/* F_* showing the column */
	bool left;		/* left-aligned in text */
	bool config;		/* only when the rows have several configurations */
};

static void u64(char *buf, size_t len, uint64_t v)
{
	snprintf(buf, len, "%" PRIu64, v);
}

/* Runs with would-be crashes: their memory figures are no saving past the oops. */
static const char *mark(const struct ks_row *r, const struct cell_ctx *x)
{
	if (x->raw)
		return "";
	return r->crashes ? "!" : x->pad ? " " : "";
}

/* KiB of the basis: whole on end and peak, tenths on the mean; "-" unknown. */
static void kib(char *buf, size_t len, double v, const struct ks_row *r,
		const struct cell_ctx *x)
{
	if (isnan(v))
		snprintf(buf, len, "%s", x->raw ? "" : "-");
	else if (x->raw)
		snprintf(buf, len, "%.3f", v);
	else
		snprintf(buf, len, x->basis == KS_BASIS_MEAN ? "%.1f%s" : "%.0f%s", v, mark(r, x));
}

static void percent(char *buf, size_t len, double v, const struct ks_row *r,
		    const struct cell_ctx *x)
{
	if (isnan(v))
		snprintf(buf, len, "%s", x->raw ? "" : "-");
	else if (x->raw)
		snprintf(buf, len, "%.4f", v);
	else
		snprintf(buf, len, "%.1f%%%s", v, mark(r, x));
}

/*
 * Shares of RAM are small: three decimals, more below 0.01% so that two
 * significant digits show (0.0063%); RAM not recorded is "unknown", never 0%.
 */
static void ram(char *buf, size_t len, double v, const struct ks_row *r,
		const struct cell_ctx *x)
{
	int decimals = 3;

	if (v != 0 && fabs(v) < 0.01 && !isnan(v))
		decimals = 1 - (int)floor(log10(fabs(v)));
	if (decimals > 9)
		decimals = 9;
	if (!r->ram_kb)
		snprintf(buf, len, "unknown");
	else if (isnan(v))
		snprintf(buf, len, "%s", x->raw ? "" : "-");
	else if (x->raw)
		snprintf(buf, len, "%.9f", v);
	else
		snprintf(buf, len, "%.*f%%%s", decimals, v, mark(r, x));
}

static void cell_cpu(const struct ks_row *r, const struct cell_ctx *x, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", r->label, !x->raw && r->truncated ? "*" : "");
}

static void cell_policy(const struct ks_row *r, const struct cell_ctx *x, char *buf, size_t len)
{
	snprintf(buf, len, "%s", r->policy_label);
}

static void cell_basis(const struct ks_row *r, const struct cell_ctx *x, char *buf, size_t len)
{
	snprintf(buf, len, "%s", ks_basis_name(x->basis));
}

static void cell_cores(const struct ks_row *r, const struct cell_ctx *x, char *buf, size_t len)
{
	u64(buf, len, r->ncpus);
}

/* Live stacks on the basis; the mean is the static run's, whose stacks are all full. */
static void cell_stacks(const struct ks_row *r, const struct cell_ctx *x, char *buf, size_t len)
{
	double reg = r->mem[KS_BASIS_MEAN].regular_kb;

	if (x->basis == KS_BASIS_END)
		u64(buf, len, r->c.tasks_end);
	else if (x->basis == KS_BASIS_PEAK)
		u64(buf, len, r->c.tasks_peak);
	else if (isnan(reg) || !r->thread_size)
		snprintf(buf, len, "%s", x->raw ? "" : "-");
	else
		snprintf(buf, len, x->raw ? "%.3f" : "%.1f", reg * 1024 / r->thread_size);
}

static void cell_regular(const struct ks_row *r, const struct cell_ctx *x, char *buf, size_t len)
{
	static const struct ks_row clean;	/* Regular is static's: never flagged */

	kib(buf, len, r->mem[x->basis].regular_kb, &clean, x);
}

static void cell_dynamic(const struct ks_row *r, const struct cell_ctx *x, char *buf, size_t len)
{
	kib(buf, len, r->mem[x->basis].dynamic_kb, r, x);
}

static void cell_dynamic_ram(const struct ks_row *r, const struct cell_ctx *x, char *buf,
			     size_t len)
{
	ram(buf, len, r->mem[x->basis].dynamic_ram_pct, r, x);
}

static void cell_savings(const struct ks_row *r, const struct cell_ctx *x, char *buf, size_t len)
{
	percent(buf, len, r->mem[x->basis].savings_pct, r, x);
}

static void cell_pool(const struct ks_row *r, const struct cell_ctx *x, char *buf, size_t len)
{
	kib(buf, len, r->mem[x->basis].pool_kb, r, x);
}

static void cell_savings_pool(const struct ks_row *r, const struct cell_ctx *x, char *buf,
			      size_t len)
{
	percent(buf, len, r->mem[x->basis].savings_pool_pct, r, x);
}

static void cell_saved_ram(const struct ks_row *r, const struct cell_ctx *x, char *buf,
			   size_t len)
{
	ram(buf, len, r->mem[x->basis].saved_ram_pct, r, x);
}

static void cell_faults(const struct ks_row *r, const struct cell_ctx *x, char *buf, size_t len)
{
	u64(buf, len, r->faults);
}

static void cell_crashes(const struct ks_row *r, const struct cell_ctx *x, char *buf, size_t len)
{
	u64(buf, len, r->crashes);
}

static void cell_lost(const struct ks_row *r, const struct cell_ctx *x, char *buf, size_t len)
{
	u64(buf, len, r->lost);
}

static void cell_truncated(const struct ks_row *r, const struct cell_ctx *x, char *buf,
			   size_t len)
{
	u64(buf, len, r->truncated);
}

static void cell_oops_s(const struct ks_row *r, const struct cell_ctx *x, char *buf, size_t len)
{
	if (r->crashes)
		snprintf(buf, len, "%.6f", r->oops_s);
}

static void cell_oops_cpu(const struct ks_row *r, const struct cell_ctx *x, char *buf,
			  size_t len)
{
	if (r->crashes)
		u64(buf, len, r->oops_cpu);
}

static const struct ks_col columns[] = {
	{ "CPU", NULL,				cell_cpu,	  F_ALL, .left = true },
	{ "Policy", NULL,			cell_policy,	  F_ALL, .left = true,
						.config = true },
	{ "Basis", NULL,			cell_basis,	  F_CSV, .left = true },
	{ "#Cores", NULL,			cell_cores,	  F_ALL },
	{ "#Stacks @", "#Stacks",		cell_stacks,	  F_ALL },
	{ "Regular @(kb)", "Regular(kb)",	cell_regular,	  F_ALL },
	{ "Dynamic @(kb)", "Dynamic(kb)",	cell_dynamic,	  F_ALL },
	{ "Dynamic(%RAM)", "Dynamic(%RAM)",	cell_dynamic_ram, F_ALL },
	{ "Savings @", "Savings(%)",		cell_savings,	  F_ALL },
	{ "Pool @(kb)", "Pool(kb)",		cell_pool,	  F_ALL },
	{ "Savings+pool @", "Savings+pool(%)",	cell_savings_pool, F_ALL },
	{ "Saved(%RAM)", "Saved(%RAM)",	cell_saved_ram,	  F_ALL },
	{ "Faults", NULL,			cell_faults,	  F_ALL },
	{ "Crashes", NULL,			cell_crashes,	  F_ALL },
	{ "Lost", NULL,				cell_lost,	  F_ALL },
	{ "Truncated", NULL,			cell_truncated,	  F_CSV },
	{ "Oops(s)", NULL,			cell_oops_s,	  F_CSV },
	{ "Oops CPU", NULL,			cell_oops_cpu,	  F_CSV },
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

/* What each basis means, for the footnote of the tables that show it. */
static const char *const basis_notes[KS_NR_BASES] = {
	[KS_BASIS_END] = "end: when the trace ends, a census as the RFC's figures are",
	[KS_BASIS_PEAK] = "peak: the largest at any moment; Dynamic + Pool is the peak of "
			  "their sum, not a sum of peaks",
	[KS_BASIS_MEAN] = "mean: time-weighted over the trace",
};

static void footnotes(FILE *out, const struct ks_rowset *rs, enum ks_report_format f,
		      const enum ks_basis *bases, size_t nb)
{
	const char *star = f == KS_FMT_MARKDOWN ? "\\*" : "*";
	bool truncated = false, lost = false, noreg = false, noram = false;
	size_t i, k, oops = 0;
	char msg[256];

	for (i = 0; i < rs->n; i++) {
		const struct ks_row *r = &rs->rows[i];

		if (!r->shown)
			continue;
		truncated |= r->truncated;
		lost |= r->lost > 0;
		noreg |= isnan(r->mem[KS_BASIS_END].regular_kb);
		noram |= !r->ram_kb;
		oops += r->crashes > 0;
	}
	ks_tab_note(out, f, "\n");
	ks_tab_note(out, f, "Regular: the static run of the trace (today's kernel, its stack cache "
		    "included) on the same basis; Pool: pools, cached stacks and fixed overhead;\n"
		    "Savings+pool: each side with its own pools and cached stacks.");
	for (k = 0; k < nb; k++)
		ks_tab_note(out, f, "%s%s", k ? "; " : "\n", basis_notes[bases[k]]);
	ks_tab_note(out, f, "\n");
	if (noreg)
		ks_tab_note(out, f, "-: no static run of the trace stored (replay it with --policy "
			    "static too)\n");
	if (noram)
		ks_tab_note(out, f, "unknown: the trace does not record the machine's RAM\n");
	if (truncated)
		ks_tab_note(out, f, "%s trace truncated: recording was interrupted\n", star);
	if (lost)
		ks_tab_note(out, f, "Lost > 0: events were lost while recording; "
			    "those rows' figures are lower bounds\n");
	for (i = 0, k = 0; i < rs->n && k < MAX_OOPS_NOTES; i++) {
		const struct ks_row *r = &rs->rows[i];

		if (!r->shown || !r->crashes)
			continue;
		ks_row_oops(r, msg, sizeof(msg));
		ks_tab_note(out, f, "! %s %s: %s\n", r->label, r->policy_label, msg);
		k++;
	}
	if (oops > k)
		ks_tab_note(out, f, "! and %zu more rows with would-be crashes: the same holds "
			    "for them\n", oops - k);
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

/* @tmpl with its '@' replaced by the name of @b. */
static void header(char *buf, size_t len, const char *tmpl, enum ks_basis b)
{
	const char *at = strchr(tmpl, '@');

	if (!at)
		snprintf(buf, len, "%s", tmpl);
	else
		snprintf(buf, len, "%.*s%s%s", (int)(at - tmpl), tmpl, ks_basis_name(b), at + 1);
}

/* The shown rows on @bases (one table), the headers naming @bases[0] unless CSV. */
static int print_one(const struct ks_rowset *rs, enum ks_report_format f,
		     const enum ks_basis *bases, size_t nb, FILE *out)
{
	const struct ks_col *cols[NR_COLS];
	char heads[NR_COLS][64];
	const char *headers[NR_COLS];
	bool left[NR_COLS];
	struct ks_tab t = { .headers = headers, .left = left };
	struct cell_ctx x = { .raw = f == KS_FMT_CSV };
	size_t i, c, k, b;

	t.ncols = pick_columns(rs, f, cols);
	t.nrows = rs->nr_shown * nb;
	for (i = 0; i < rs->n && f == KS_FMT_TEXT; i++)
		x.pad |= rs->rows[i].shown && rs->rows[i].crashes;
	t.cells = ks_tab_alloc(t.nrows, t.ncols);
	if (!t.cells)
		return -ENOMEM;
	for (c = 0; c < t.ncols; c++) {
		if (x.raw && cols[c]->csv)
			snprintf(heads[c], sizeof(heads[c]), "%s", cols[c]->csv);
		else
			header(heads[c], sizeof(heads[c]), cols[c]->header, bases[0]);
		headers[c] = heads[c];
		left[c] = cols[c]->left;
	}
	/* CSV: each run's rows together, one per basis, as the view has them */
	for (i = 0, k = 0; i < rs->n; i++) {
		if (!rs->rows[i].shown)
			continue;
		for (b = 0; b < nb; b++) {
			x.basis = bases[b];
			for (c = 0; c < t.ncols; c++, k++)
				cols[c]->cell(&rs->rows[i], &x, t.cells[k], KS_TAB_CELL);
		}
	}
	ks_tab_print(&t, f, out);
	free(t.cells);
	return 0;
}

static const char *const basis_titles[KS_NR_BASES] = {
	[KS_BASIS_END] = "At the end of each trace:",
	[KS_BASIS_PEAK] = "At the peak during each trace:",
	[KS_BASIS_MEAN] = "Time-weighted mean over each trace:",
};

static int print_table(const struct ks_rowset *rs, const struct ks_report_opts *o, FILE *out)
{
	enum ks_basis bases[KS_NR_BASES];
	size_t nb = ks_report_bases(rs, o, bases), b;
	int ret;

	if (o->format == KS_FMT_CSV)
		return print_one(rs, o->format, bases, nb, out);
	for (b = 0; b < nb; b++) {
		/* a title each when there are several: the headers name the basis too */
		if (nb > 1)
			ks_tab_note(out, o->format, "%s%s\n\n", b ? "\n" : "",
				    basis_titles[bases[b]]);
		ret = print_one(rs, o->format, &bases[b], 1, out);
		if (ret)
			return ret;
	}
	footnotes(out, rs, o->format, bases, nb);
	return 0;
}

int ks_report_table(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		    struct ks_error *err)
{
	return ks_rows_print(s, o, out, print_table, "table", err);
}
