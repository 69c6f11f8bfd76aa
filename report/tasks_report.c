// SPDX-License-Identifier: MIT
/*
 * The per-task reports: the answers to the reviewers' questions about
 * tasks (who goes deep, how deep tasks sleep, whether a latch holds, how
 * close the tail comes to the guard page, how many tasks of which kind),
 * each read from its view through the store and printed as text, Markdown
 * or CSV.  Text and Markdown show counts with their share; CSV shows bare
 * numbers under fixed column names, an unknown value as an empty field.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "tab.h"

#define MAX_COLS 32
#define ATTRIBUTION_LIMIT 20

/* A table being built: headers, then rows of formatted cells. */
struct table {
	char head[MAX_COLS][48];
	const char *headers[MAX_COLS];
	bool left[MAX_COLS];
	char (*cells)[KS_TAB_CELL];
	size_t ncols, nrows, cap;
};

static void tb_col(struct table *t, bool left, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void tb_col(struct table *t, bool left, const char *fmt, ...)
{
	va_list ap;

	if (t->ncols == MAX_COLS)
		return;
	va_start(ap, fmt);
	vsnprintf(t->head[t->ncols], sizeof(t->head[0]), fmt, ap);
	va_end(ap);
	t->headers[t->ncols] = t->head[t->ncols];
	t->left[t->ncols++] = left;
}

/* Columns from a list; the first @nleft are left-aligned. */
static void tb_cols(struct table *t, const char *const *names, size_t nleft)
{
	size_t i;

	for (i = 0; names[i]; i++)
		tb_col(t, i < nleft, "%s", names[i]);
}

/* A new row, its cells empty; NULL without memory. */
static char (*tb_row(struct table *t))[KS_TAB_CELL]
{
	char (*c)[KS_TAB_CELL];

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 32;

		c = realloc(t->cells, cap * t->ncols * KS_TAB_CELL);
		if (!c)
			return NULL;
		t->cells = c;
		t->cap = cap;
	}
	c = t->cells + t->nrows++ * t->ncols;
	memset(c, 0, t->ncols * KS_TAB_CELL);
	return c;
}

static void cellf(char (*row)[KS_TAB_CELL], size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cellf(char (*row)[KS_TAB_CELL], size_t col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(row[col], KS_TAB_CELL, fmt, ap);
	va_end(ap);
}

static void tb_print(struct table *t, enum ks_report_format f, FILE *out)
{
	struct ks_tab tab = { .headers = t->headers, .left = t->left, .cells = t->cells,
			      .ncols = t->ncols, .nrows = t->nrows };

	ks_tab_print(&tab, f, out);
}

static void tb_free(struct table *t)
{
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

/* What every printer needs. */
struct ctx {
	struct ks_store *s;
	const struct ks_report_opts *o;
	const struct ks_task_opts *t;
	struct ks_answer_filter f;
	FILE *out;
	struct ks_error *err;
	bool csv;
};

static int64_t I(const struct ks_answer_rows *a, size_t r, const char *name)
{
	return ks_answer_at(a, r, name)->i;
}

static double D(const struct ks_answer_rows *a, size_t r, const char *name)
{
	return ks_answer_at(a, r, name)->d;
}

static const char *S(const struct ks_answer_rows *a, size_t r, const char *name)
{
	const struct ks_value *v = ks_answer_at(a, r, name);

	return v->s ? v->s : "";
}

static bool null_at(const struct ks_answer_rows *a, size_t r, const char *name)
{
	return ks_answer_at(a, r, name)->null;
}

/* Rows @r and @q are of the same trace and scope (and class, if @class). */
static bool same_group(const struct ks_answer_rows *a, size_t r, size_t q, bool class)
{
	return !strcmp(S(a, r, "trace_id"), S(a, q, "trace_id")) &&
	       !strcmp(S(a, r, "scope"), S(a, q, "scope")) &&
	       (!class || !strcmp(S(a, r, "class"), S(a, q, "class")));
}

/* The leading cells: Trace, Scope (text) or trace, trace_id, scope (CSV); next column. */
static size_t lead(const struct ctx *x, char (*row)[KS_TAB_CELL], const struct ks_answer_rows *a,
		   size_t r)
{
	size_t c = 0;

	/* a truncated trace's label is starred in text, as in the results table */
	cellf(row, c++, "%s%s", S(a, r, "trace"),
	      !x->csv && I(a, r, "truncated") ? "*" : "");
	if (x->csv)
		cellf(row, c++, "%s", S(a, r, "trace_id"));
	cellf(row, c++, "%s", S(a, r, "scope"));
	return c;
}

static void lead_cols(const struct ctx *x, struct table *t)
{
	static const char *const text[] = { "Trace", "Scope", NULL };
	static const char *const csv[] = { "trace", "trace_id", "scope", NULL };

	tb_cols(t, x->csv ? csv : text, 3);
}

/* A count with its share of @of in text ("12 (3.4%)"), the bare count in CSV. */
static void count_cell(const struct ctx *x, char (*row)[KS_TAB_CELL], size_t col, int64_t n,
		       int64_t of)
{
	if (x->csv || !of)
		cellf(row, col, "%" PRId64, n);
	else
		cellf(row, col, "%" PRId64 " (%.1f%%)", n, 100.0 * (double)n / (double)of);
}

static const char *bucket_name(uint32_t kb, char *buf, size_t len, int64_t thread_size)
{
	if (kb)
		snprintf(buf, len, "<=%uK", kb);
	else if (thread_size > 0)
		snprintf(buf, len, ">%" PRId64 "K", thread_size / 1024);
	else
		snprintf(buf, len, "above");
	return buf;
}

/*
 * The bucket bounds (KiB) of the rows of @a, ascending, "above" (0) last,
 * and the THREAD_SIZE they share (-1 if they differ).
 */
static size_t bucket_set(const struct ks_answer_rows *a, uint32_t *kb, int64_t *thread_size)
{
	size_t r, i, n = 0;

	*thread_size = a->nrows ? I(a, 0, "thread_size") : 0;
	for (r = 0; r < a->nrows; r++) {
		uint32_t k = (uint32_t)I(a, r, "bucket_kb");

		if (I(a, r, "thread_size") != *thread_size)
			*thread_size = -1;
		for (i = 0; i < n && kb[i] != k; i++)
			;
		if (i == n && n < 16)
			kb[n++] = k;
	}
	/* ascending, 0 last: insertion sort of at most 16 */
	for (i = 1; i < n; i++) {
		uint32_t v = kb[i], key = v ? v : UINT32_MAX;
		size_t j = i;

		for (; j > 0 && (kb[j - 1] ? kb[j - 1] : UINT32_MAX) > key; j--)
			kb[j] = kb[j - 1];
		kb[j] = v;
	}
	return n;
}

static size_t bucket_index(const uint32_t *kb, size_t n, uint32_t k)
{
	size_t i;

	for (i = 0; i < n && kb[i] != k; i++)
		;
	return i;
}

/* The depth CSV: class,bucket_kb,tasks of one trace and one scope. */
static int depth_csv(struct ctx *x, const struct ks_answer_rows *traces)
{
	struct ks_answer_rows a;
	const char *col = x->t->exited ? "exited" : "tasks";
	size_t r;
	int ret;

	if (traces->nrows > 1)
		return ks_error_set(x->err, KS_E_USAGE, "the depth distribution's CSV is of one "
				    "trace: choose it with --trace (label or id)");
	x->f.trace = S(traces, 0, "trace_id");
	if (!x->f.scope)
		x->f.scope = "system";
	ret = ks_store_answer(x->s, KS_ANSWER_DEPTH, &x->f, &a, x->err);
	if (!ret && !a.nrows)
		ret = ks_error_set(x->err, KS_E_USAGE, "trace %s has no scope '%s' (workload and "
				   "other need a trace that names its recorded command)",
				   S(traces, 0, "trace"), x->f.scope);
	if (!ret) {
		fprintf(x->out, "class,bucket_kb,tasks\r\n");
		for (r = 0; r < a.nrows; r++)
			fprintf(x->out, "%s,%" PRId64 ",%" PRId64 "\r\n", S(&a, r, "class"),
				I(&a, r, "bucket_kb"), I(&a, r, col));
	}
	ks_answer_release(&a);
	return ret;
}

static int print_depth(struct ctx *x)
{
	static const struct {
		const char *col, *text;
	} counted[] = {
		{ "tasks", "every task" },
		{ "alive_end", "alive at end" },
		{ "exited", "exited (the kernel's way)" },
	};
	struct ks_answer_rows a;
	struct table t = { 0 };
	uint32_t kb[16];
	int64_t ts;
	size_t nb, r, q, k, i, c0;
	char buf[32];
	int ret;

	ret = ks_store_answer(x->s, KS_ANSWER_DEPTH, &x->f, &a, x->err);
	if (ret)
		goto out;
	nb = bucket_set(&a, kb, &ts);
	lead_cols(x, &t);
	tb_col(&t, true, "Class");
	tb_col(&t, true, "Counted");
	c0 = t.ncols;
	for (i = 0; i < nb; i++)
		tb_col(&t, false, "%s", bucket_name(kb[i], buf, sizeof(buf), ts));
	tb_col(&t, false, "Tasks");
	for (r = 0; r < a.nrows; r = q) {
		for (q = r; q < a.nrows && same_group(&a, r, q, true); q++)
			;
		for (k = 0; k < sizeof(counted) / sizeof(counted[0]); k++) {
			char (*row)[KS_TAB_CELL] = tb_row(&t);
			int64_t total = 0;

			if (!row) {
				ret = ks_error_set(x->err, ENOMEM, "out of memory");
				goto out;
			}
			lead(x, row, &a, r);
			cellf(row, c0 - 2, "%s", S(&a, r, "class"));
			cellf(row, c0 - 1, "%s", counted[k].text);
			for (i = 0; i < nb; i++)
				cellf(row, c0 + i, "-");
			for (i = r; i < q; i++) {
				int64_t n = I(&a, i, counted[k].col);

				size_t b = bucket_index(kb, nb, (uint32_t)I(&a, i, "bucket_kb"));

				cellf(row, c0 + b, "%" PRId64, n);
				total += n;
			}
			cellf(row, c0 + nb, "%" PRId64, total);
		}
	}
	tb_print(&t, x->o->format, x->out);
out:
	tb_free(&t);
	ks_answer_release(&a);
	return ret;
}

static int print_asleep(struct ctx *x)
{
	static const char *const csv[] = { "class", "bucket_kb", "asleep_s", "kib_s", "mean_kib",
					   NULL };
	struct ks_answer_rows a;
	struct table t = { 0 };
	char (*row)[KS_TAB_CELL];
	uint32_t kb[16];
	int64_t ts;
	size_t nb, r, q, i, c;
	char buf[32];
	int ret;

	ret = ks_store_answer(x->s, KS_ANSWER_ASLEEP, &x->f, &a, x->err);
	if (ret)
		goto out;
	lead_cols(x, &t);
	if (x->csv) {
		tb_cols(&t, csv, 1);
		for (r = 0; r < a.nrows; r++) {
			row = tb_row(&t);
			if (!row)
				goto nomem;
			c = lead(x, row, &a, r);
			cellf(row, c++, "%s", S(&a, r, "class"));
			cellf(row, c++, "%" PRId64, I(&a, r, "bucket_kb"));
			cellf(row, c++, "%.9f", D(&a, r, "asleep_s"));
			cellf(row, c++, "%.9f", D(&a, r, "kib_s"));
			if (!null_at(&a, r, "mean_kib"))
				cellf(row, c, "%.6f", D(&a, r, "mean_kib"));
		}
		goto print;
	}
	nb = bucket_set(&a, kb, &ts);
	tb_col(&t, true, "Class");
	tb_col(&t, false, "Tasks asleep");
	tb_col(&t, false, "Asleep (s)");
	for (i = 0; i < nb; i++)
		tb_col(&t, false, "%s KiB*s", bucket_name(kb[i], buf, sizeof(buf), ts));
	tb_col(&t, false, "KiB*s");
	tb_col(&t, false, "Mean depth (KiB)");
	for (r = 0; r < a.nrows; r = q) {
		for (q = r; q < a.nrows && same_group(&a, r, q, true); q++)
			;
		row = tb_row(&t);
		if (!row)
			goto nomem;
		c = lead(x, row, &a, r);
		cellf(row, c++, "%s", S(&a, r, "class"));
		cellf(row, c++, "%" PRId64, I(&a, r, "tasks"));
		cellf(row, c++, "%.3f", D(&a, r, "class_asleep_s"));
		for (i = 0; i < nb; i++)
			cellf(row, c + i, "-");
		for (i = r; i < q; i++)
			cellf(row, c + bucket_index(kb, nb, (uint32_t)I(&a, i, "bucket_kb")),
			      "%.3f", D(&a, i, "kib_s"));
		c += nb;
		cellf(row, c++, "%.3f", D(&a, r, "class_kib_s"));
		if (null_at(&a, r, "mean_kib"))
			cellf(row, c, "-");
		else
			cellf(row, c, "%.3f", D(&a, r, "mean_kib"));
	}
print:
	tb_print(&t, x->o->format, x->out);
	goto out;
nomem:
	ret = ks_error_set(x->err, ENOMEM, "out of memory");
out:
	tb_free(&t);
	ks_answer_release(&a);
	return ret;
}

static const char *const delay_cols[] = {
	"delay_none", "delay_le_1ms", "delay_le_10ms", "delay_le_100ms", "delay_le_1s",
	"delay_le_10s", "delay_le_100s", "delay_gt_100s", NULL,
};
static const char *const delay_heads[] = {
	"Never rose", "<=1ms", "<=10ms", "<=100ms", "<=1s", "<=10s", "<=100s", ">100s", NULL,
};

static int print_latch(struct ctx *x)
{
	static const char *const csv[] = {
		"min_life_s", "tasks", "rose", "rose_after_1s", "rises_after_1s",
		"rose_after_10pct", "pages", "pages_late_1s", "pages_late_10pct", NULL,
	};
	static const char *const text[] = {
		"Tasks", "Rose", "Rose after 1 s", "Rises after 1 s", "Rose after 10% of life",
		"Pages", "Pages first touched after 1 s", "... after 10% of life", NULL,
	};
	struct ks_answer_rows a;
	struct table t = { 0 }, d = { 0 };
	char (*row)[KS_TAB_CELL];
	size_t r, c, i;
	int64_t n, p;
	int ret;

	ret = ks_store_answer(x->s, KS_ANSWER_LATCH, &x->f, &a, x->err);
	if (ret)
		goto out;
	lead_cols(x, &t);
	tb_cols(&t, x->csv ? csv : text, 0);
	if (x->csv)
		tb_cols(&t, delay_cols, 0);
	lead_cols(x, &d);
	tb_cols(&d, delay_heads, 0);
	for (r = 0; r < a.nrows; r++) {
		row = tb_row(&t);
		if (!row)
			goto nomem;
		c = lead(x, row, &a, r);
		n = I(&a, r, "tasks");
		p = I(&a, r, "pages");
		if (x->csv)
			cellf(row, c++, "%g", x->t->min_life_s);
		cellf(row, c++, "%" PRId64, n);
		count_cell(x, row, c++, I(&a, r, "rose"), n);
		count_cell(x, row, c++, I(&a, r, "rose_after_1s"), n);
		cellf(row, c++, "%" PRId64, I(&a, r, "rises_after_1s"));
		count_cell(x, row, c++, I(&a, r, "rose_after_10pct"), n);
		cellf(row, c++, "%" PRId64, p);
		count_cell(x, row, c++, I(&a, r, "pages_late_1s"), p);
		count_cell(x, row, c++, I(&a, r, "pages_late_10pct"), p);
		if (x->csv) {
			for (i = 0; delay_cols[i]; i++)
				cellf(row, c++, "%" PRId64, I(&a, r, delay_cols[i]));
			continue;
		}
		row = tb_row(&d);
		if (!row)
			goto nomem;
		c = lead(x, row, &a, r);
		for (i = 0; delay_cols[i]; i++)
			count_cell(x, row, c++, I(&a, r, delay_cols[i]), n);
	}
	if (!x->csv)
		ks_tab_note(x->out, x->o->format, "Tasks that lived at least %g s: did their "
			    "high-water mark rise late?\n\n", x->t->min_life_s);
	tb_print(&t, x->o->format, x->out);
	if (!x->csv) {
		ks_tab_note(x->out, x->o->format, "\nDelay from a task's first high-water mark "
			    "to its final one (same tasks):\n\n");
		tb_print(&d, x->o->format, x->out);
	}
	goto out;
nomem:
	ret = ks_error_set(x->err, ENOMEM, "out of memory");
out:
	tb_free(&t);
	tb_free(&d);
	ks_answer_release(&a);
	return ret;
}

/* Attribution rows of @a, @limit per trace and scope (0: all); returns rows left out. */
static size_t attribution_rows(struct ctx *x, struct table *t, const struct ks_answer_rows *a,
			       bool by_name, long limit, int *ret)
{
	static const char *const cols[] = {
		"tasks", "past_4k", "past_8k", "excursions_4k", "excursions_8k", "pages_above_4k",
		"hwm_max", NULL,
	};
	char (*row)[KS_TAB_CELL];
	size_t r, c, i, in_group = 0, skipped = 0;

	for (r = 0; r < a->nrows; r++) {
		in_group = r && same_group(a, r, r - 1, false) ? in_group + 1 : 0;
		if (limit > 0 && in_group >= (size_t)limit) {
			skipped++;
			continue;
		}
		row = tb_row(t);
		if (!row) {
			*ret = ks_error_set(x->err, ENOMEM, "out of memory");
			return skipped;
		}
		c = lead(x, row, a, r);
		cellf(row, c++, "%s", S(a, r, "comm"));
		if (by_name)
			cellf(row, c++, "%" PRId64, I(a, r, "processes"));
		else if (null_at(a, r, "tgid"))
			cellf(row, c++, x->csv ? "" : "?");
		else
			cellf(row, c++, "%" PRId64, I(a, r, "tgid"));
		for (i = 0; cols[i]; i++)
			cellf(row, c++, "%" PRId64, I(a, r, cols[i]));
	}
	return skipped;
}

static int print_attribution(struct ctx *x)
{
	static const char *const csv[] = {
		"comm", "tgid", "tasks", "past_4k", "past_8k", "excursions_4k", "excursions_8k",
		"pages_above_4k", "hwm_max", NULL,
	};
	static const char *const text[] = {
		"Comm", "TGID", "Tasks", ">4K", ">8K", "Excursions 4K", "Excursions 8K",
		"Pages >4K", "Max HWM", NULL,
	};
	struct ks_answer_rows a = { 0 }, b = { 0 };
	struct table t = { 0 }, n = { 0 };
	long limit = x->t->limit >= 0 ? x->t->limit : x->csv ? 0 : ATTRIBUTION_LIMIT;
	size_t skipped;
	int ret;

	ret = ks_store_answer(x->s, KS_ANSWER_ATTRIBUTION, &x->f, &a, x->err);
	if (!ret && !x->csv)
		ret = ks_store_answer(x->s, KS_ANSWER_ATTRIBUTION_COMM, &x->f, &b, x->err);
	if (ret)
		goto out;
	lead_cols(x, &t);
	tb_cols(&t, x->csv ? csv : text, 2);
	if (x->csv) {
		attribution_rows(x, &t, &a, false, limit, &ret);
		if (!ret)
			tb_print(&t, x->o->format, x->out);
		goto out;
	}
	lead_cols(x, &n);
	tb_cols(&n, text, 1);
	strcpy(n.head[3], "Processes");
	skipped = attribution_rows(x, &n, &b, true, limit, &ret);
	if (ret)
		goto out;
	ks_tab_note(x->out, x->o->format, "Names whose tasks went past 4 KiB, by pages above "
		    "4 KiB (Processes: those of the name with a task past 4 KiB):\n\n");
	tb_print(&n, x->o->format, x->out);
	if (skipped)
		ks_tab_note(x->out, x->o->format, "(%zu more names; --limit 0 shows all)\n",
			    skipped);
	skipped = attribution_rows(x, &t, &a, false, limit, &ret);
	if (ret)
		goto out;
	ks_tab_note(x->out, x->o->format, "\nProcesses (comm, tgid) whose tasks went past "
		    "4 KiB, by pages above 4 KiB:\n\n");
	tb_print(&t, x->o->format, x->out);
	if (skipped)
		ks_tab_note(x->out, x->o->format, "(%zu more processes; --limit 0 shows all)\n",
			    skipped);
out:
	tb_free(&t);
	tb_free(&n);
	ks_answer_release(&a);
	ks_answer_release(&b);
	return ret;
}

static int print_overflow_rows(struct ctx *x, bool title)
{
	static const char *const csv[] = {
		"tid", "tgid", "comm", "class", "hwm", "over_12k", "free", NULL,
	};
	static const char *const text[] = {
		"TID", "TGID", "Comm", "Class", "HWM", "Would overflow", "Free", NULL,
	};
	struct ks_answer_rows a;
	struct table t = { 0 };
	char (*row)[KS_TAB_CELL];
	size_t r, c;
	int ret;

	ret = ks_store_answer(x->s, KS_ANSWER_OVERFLOW, &x->f, &a, x->err);
	if (ret)
		goto out;
	if (!x->csv && !a.nrows) {
		ks_tab_note(x->out, x->o->format, "%sNo task would overflow a static 8 KiB or "
			    "12 KiB stack.\n", title ? "\n" : "");
		goto out;
	}
	lead_cols(x, &t);
	tb_cols(&t, x->csv ? csv : text, 0);
	for (r = 0; r < a.nrows; r++) {
		row = tb_row(&t);
		if (!row) {
			ret = ks_error_set(x->err, ENOMEM, "out of memory");
			goto out;
		}
		c = lead(x, row, &a, r);
		cellf(row, c++, "%" PRId64, I(&a, r, "tid"));
		if (null_at(&a, r, "tgid"))
			cellf(row, c++, x->csv ? "" : "?");
		else
			cellf(row, c++, "%" PRId64, I(&a, r, "tgid"));
		cellf(row, c++, "%s", S(&a, r, "comm"));
		cellf(row, c++, "%s", S(&a, r, "class"));
		cellf(row, c++, "%" PRId64, I(&a, r, "hwm"));
		if (x->csv)
			cellf(row, c++, "%" PRId64, I(&a, r, "over_12k"));
		else
			cellf(row, c++, "%s", I(&a, r, "over_12k") ? "8K and 12K" : "8K");
		cellf(row, c++, "%" PRId64, I(&a, r, "free"));
	}
	if (title)
		ks_tab_note(x->out, x->o->format, "\nTasks a static 8 KiB or 12 KiB stack would "
			    "not hold:\n\n");
	tb_print(&t, x->o->format, x->out);
out:
	tb_free(&t);
	ks_answer_release(&a);
	return ret;
}

static int print_tail(struct ctx *x)
{
	static const char *const csv[] = {
		"tasks", "ge_8k", "ge_12k", "ge_14k", "over_8k", "over_12k", "hwm_max", "min_free",
		"deepest_comm", "deepest_tid", NULL,
	};
	static const char *const text[] = {
		"Tasks", "HWM >=8K", ">=12K", ">=14K", "Over static 8K", "Over static 12K",
		"Max HWM", "Min free", "Deepest", NULL,
	};
	struct ks_answer_rows a;
	struct table t = { 0 };
	char (*row)[KS_TAB_CELL];
	size_t r, c;
	int64_t n;
	int ret;

	ret = ks_store_answer(x->s, KS_ANSWER_TAIL, &x->f, &a, x->err);
	if (ret)
		goto out;
	lead_cols(x, &t);
	tb_cols(&t, x->csv ? csv : text, 0);
	for (r = 0; r < a.nrows; r++) {
		row = tb_row(&t);
		if (!row) {
			ret = ks_error_set(x->err, ENOMEM, "out of memory");
			goto out;
		}
		c = lead(x, row, &a, r);
		n = I(&a, r, "tasks");
		cellf(row, c++, "%" PRId64, n);
		count_cell(x, row, c++, I(&a, r, "ge_8k"), n);
		count_cell(x, row, c++, I(&a, r, "ge_12k"), n);
		count_cell(x, row, c++, I(&a, r, "ge_14k"), n);
		count_cell(x, row, c++, I(&a, r, "over_8k"), n);
		count_cell(x, row, c++, I(&a, r, "over_12k"), n);
		cellf(row, c++, "%" PRId64, I(&a, r, "hwm_max"));
		cellf(row, c++, "%" PRId64, I(&a, r, "min_free"));
		if (x->csv) {
			cellf(row, c++, "%s", S(&a, r, "deepest_comm"));
			cellf(row, c++, "%" PRId64, I(&a, r, "deepest_tid"));
		} else {
			cellf(row, c++, "%s (%" PRId64 ")", S(&a, r, "deepest_comm"),
			      I(&a, r, "deepest_tid"));
		}
	}
	tb_print(&t, x->o->format, x->out);
	if (!x->csv)
		ret = print_overflow_rows(x, true);
out:
	tb_free(&t);
	ks_answer_release(&a);
	return ret;
}

static int print_census(struct ctx *x)
{
	static const char *const csv[] = {
		"class", "tasks", "alive_start", "alive_end", "born", "died", "stack_kb_start",
		"stack_kb_end", "stack_pct_ram", NULL,
	};
	static const char *const text[] = {
		"Class", "Tasks", "Alive at start", "Alive at end", "Born", "Died",
		"Stacks at start (KiB)", "Stacks at end (KiB)", "% of RAM", NULL,
	};
	struct ks_answer_rows a;
	struct table t = { 0 };
	char (*row)[KS_TAB_CELL];
	size_t r, c;
	int ret;

	ret = ks_store_answer(x->s, KS_ANSWER_CENSUS, &x->f, &a, x->err);
	if (ret)
		goto out;
	lead_cols(x, &t);
	tb_cols(&t, x->csv ? csv : text, 1);
	for (r = 0; r < a.nrows; r++) {
		row = tb_row(&t);
		if (!row) {
			ret = ks_error_set(x->err, ENOMEM, "out of memory");
			goto out;
		}
		c = lead(x, row, &a, r);
		cellf(row, c++, "%s", S(&a, r, "class"));
		cellf(row, c++, "%" PRId64, I(&a, r, "tasks"));
		cellf(row, c++, "%" PRId64, I(&a, r, "alive_start"));
		cellf(row, c++, "%" PRId64, I(&a, r, "alive_end"));
		cellf(row, c++, "%" PRId64, I(&a, r, "born"));
		cellf(row, c++, "%" PRId64, I(&a, r, "died"));
		cellf(row, c++, "%" PRId64, I(&a, r, "stack_kb_start"));
		cellf(row, c++, "%" PRId64, I(&a, r, "stack_kb_end"));
		if (null_at(&a, r, "stack_pct_ram"))
			cellf(row, c, "%s", x->csv ? "" : "unknown");
		else
			cellf(row, c, x->csv ? "%.6f" : "%.4f%%", D(&a, r, "stack_pct_ram"));
	}
	tb_print(&t, x->o->format, x->out);
out:
	tb_free(&t);
	ks_answer_release(&a);
	return ret;
}

/* Under a text table: what a truncated trace or lost events mean for the figures. */
static void footnotes(const struct ctx *x, const struct ks_answer_rows *traces)
{
	bool truncated = false, lost = false;
	size_t r;

	for (r = 0; r < traces->nrows; r++) {
		truncated |= I(traces, r, "truncated") != 0;
		lost |= I(traces, r, "lost_events") > 0;
	}
	if (truncated)
		ks_tab_note(x->out, x->o->format, "\n%s trace truncated: recording was "
			    "interrupted; its tasks end where it does\n",
			    x->o->format == KS_FMT_MARKDOWN ? "\\*" : "*");
	if (lost)
		ks_tab_note(x->out, x->o->format, "%sevents were lost while recording a trace "
			    "shown: its figures are lower bounds\n", truncated ? "" : "\n");
}

void ks_task_opts_default(struct ks_task_opts *t)
{
	memset(t, 0, sizeof(*t));
	t->min_life_s = 1.0;
	t->limit = -1;
}

int ks_report_tasks(struct ks_store *s, const struct ks_report_opts *o,
		    const struct ks_task_opts *t, enum ks_task_report which, FILE *out,
		    struct ks_error *err)
{
	struct ctx x = { .s = s, .o = o, .t = t, .out = out, .err = err,
			 .csv = o->format == KS_FMT_CSV };
	struct ks_answer_rows traces = { 0 };
	int ret;

	if (o->format > KS_FMT_HTML)
		return ks_error_set(err, KS_E_USAGE, "unknown table format %d", (int)o->format);
	if (t->scope && strcmp(t->scope, "system") && strcmp(t->scope, "workload") &&
	    strcmp(t->scope, "other"))
		return ks_error_set(err, KS_E_USAGE, "unknown scope '%s' (system, workload or "
				    "other)", t->scope);
	ret = ks_store_answer(s, KS_ANSWER_TRACES, &x.f, &traces, err);
	if (ret)
		goto out;
	if (!traces.nrows) {
		ret = ks_error_set(err, ENODATA, "no per-task rows stored yet (replay the traces "
				   "with this kstack)");
		goto out;
	}
	if (o->trace) {
		ks_answer_release(&traces);
		x.f.trace = o->trace;
		ret = ks_store_answer(s, KS_ANSWER_TRACES, &x.f, &traces, err);
		if (!ret && !traces.nrows)
			ret = ks_error_set(err, KS_E_USAGE, "no trace '%s' (a label or an id) with "
					   "per-task rows", o->trace);
		if (ret)
			goto out;
	}
	x.f.scope = t->scope;
	x.f.min_life_ns = (int64_t)(t->min_life_s * 1e9 + 0.5);
	switch (which) {
	case KS_TASKS_DEPTH:
		ret = x.csv ? depth_csv(&x, &traces) : print_depth(&x);
		break;
	case KS_TASKS_ASLEEP:
		ret = print_asleep(&x);
		break;
	case KS_TASKS_LATCH:
		ret = print_latch(&x);
		break;
	case KS_TASKS_ATTRIBUTION:
		ret = print_attribution(&x);
		break;
	case KS_TASKS_TAIL:
		ret = print_tail(&x);
		break;
	case KS_TASKS_OVERFLOW:
		ret = print_overflow_rows(&x, false);
		break;
	case KS_TASKS_CENSUS:
		ret = print_census(&x);
		break;
	default:
		ret = ks_error_set(err, KS_E_INTERNAL, "no such report %d", (int)which);
		break;
	}
	if (!ret && !x.csv)
		footnotes(&x, &traces);
	if (!ret && (fflush(out) == EOF || ferror(out)))
		ret = ks_error_set(err, EIO, "writing the report");
out:
	ks_answer_release(&traces);
	return ret;
}
