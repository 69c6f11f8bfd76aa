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

#define F_TEXT (1u << KS_FMT_TEXT)
#define F_MD (1u << KS_FMT_MARKDOWN)
#define F_CSV (1u << KS_FMT_CSV)
#define F_ALL (F_TEXT | F_MD | F_CSV)

#define CELL_MAX 192

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
	memset(o, 0, sizeof(*o));
	o->format = KS_FMT_TEXT;
}

/* Labels come from traces: no control characters reach a terminal. */
static void clean_text(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int put_text(FILE *out, const char *s, size_t width, bool left, bool last)
{
	size_t n = strlen(s);

	if (left && last)
		return fputs(s, out);
	return fprintf(out, left ? "%-*s" : "%*s", (int)(width > n ? width : n), s);
}

static int put_md(FILE *out, const char *s)
{
	fputs(" ", out);
	for (; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' || *s == '`')
			fputc('\\', out);
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, out);
	}
	return fputs(" |", out);
}

/* RFC 4180: quote a field holding a comma, quote or line break; double quotes. */
static int put_csv(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n"))
		return fputs(s, out);
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	return fputc('"', out);
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

static int print_table(const struct ks_rowset *rs, enum ks_report_format f, FILE *out)
{
	const struct ks_col *cols[NR_COLS];
	size_t width[NR_COLS];
	char (*cells)[CELL_MAX];
	size_t ncols, i, c, k;
	const char *eol = f == KS_FMT_CSV ? "\r\n" : "\n";

	ncols = pick_columns(rs, f, cols);
	cells = calloc(rs->nr_shown * ncols + 1, sizeof(*cells));
	if (!cells)
		return -ENOMEM;
	for (c = 0; c < ncols; c++)
		width[c] = strlen(cols[c]->header);
	for (i = 0, k = 0; i < rs->n; i++) {
		if (!rs->rows[i].shown)
			continue;
		for (c = 0; c < ncols; c++, k++) {
			cols[c]->cell(&rs->rows[i], f == KS_FMT_CSV, cells[k], CELL_MAX);
			if (f == KS_FMT_TEXT)
				clean_text(cells[k]);
			if (strlen(cells[k]) > width[c])
				width[c] = strlen(cells[k]);
		}
	}

	if (f == KS_FMT_MARKDOWN)
		fputc('|', out);
	for (c = 0; c < ncols; c++) {
		if (f == KS_FMT_TEXT) {
			fputs(c ? "  " : "", out);
			put_text(out, cols[c]->header, width[c], cols[c]->left, c + 1 == ncols);
		} else if (f == KS_FMT_MARKDOWN) {
			put_md(out, cols[c]->header);
		} else {
			fputs(c ? "," : "", out);
			put_csv(out, cols[c]->header);
		}
	}
	fputs(eol, out);
	if (f == KS_FMT_MARKDOWN) {
		fputc('|', out);
		for (c = 0; c < ncols; c++)
			fputs(cols[c]->left ? " :--- |" : " ---: |", out);
		fputs(eol, out);
	}
	for (i = 0; i < rs->nr_shown; i++) {
		if (f == KS_FMT_MARKDOWN)
			fputc('|', out);
		for (c = 0; c < ncols; c++) {
			const char *s = cells[i * ncols + c];

			if (f == KS_FMT_TEXT) {
				fputs(c ? "  " : "", out);
				put_text(out, s, width[c], cols[c]->left, c + 1 == ncols);
			} else if (f == KS_FMT_MARKDOWN) {
				put_md(out, s);
			} else {
				fputs(c ? "," : "", out);
				put_csv(out, s);
			}
		}
		fputs(eol, out);
	}
	if (f != KS_FMT_CSV)
		footnotes(out, rs, f);
	free(cells);
	return 0;
}

int ks_report_table(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		    struct ks_error *err)
{
	struct ks_rowset rs;
	int ret;

	if (o->format > KS_FMT_CSV)
		return ks_error_set(err, KS_E_USAGE, "unknown table format %d", (int)o->format);
	ret = ks_rows_load(s, o, &rs, err);
	if (ret)
		return ret;
	ret = print_table(&rs, o->format, out);
	ks_rowset_release(&rs);
	if (ret)
		return ks_error_set(err, -ret, "printing the table");
	if (fflush(out) == EOF || ferror(out))
		return ks_error_set(err, EIO, "writing the table");
	return 0;
}
