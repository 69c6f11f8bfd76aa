// SPDX-License-Identifier: MIT
/*
 * The designs table: every design proposed for the kernel stacks of Linux
 * threads, each at its defaults, one row per design and trace, with its
 * memory on the report's bases (from the savings view, as the results
 * table) and the work it does per second of trace.  The designs are one
 * const table: the row's name and the run (or, for a design the trace
 * cannot pin down, the two runs) it is read from.
 *
 * Two designs depend on what a task touches between two checks, which a
 * trace does not record: it shows that the task reached its saved stack
 * pointer (access=depth: the least it touched) and never went past its
 * high-water mark (access=hwm: the most).  Such a design is replayed at both
 * ends and every figure of its row is printed as a range, lowest..highest,
 * never as one number: the trace cannot say which end is right.
 *
 * A design whose run is not stored keeps its row, saying so: a reader who
 * sees thirteen rows must not conclude that the fourteenth design was
 * tried and found wanting.
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

/*
 * The designs, in the order the table shows them: today's kernel and its
 * smaller fixed stacks, the RFC's policies, then the reviewers' designs.
 * Specs name the keys that differ from the policy's defaults, with their
 * values in canonical form (a unit test checks both against the engine).
 */
static const struct ks_design designs[] = {
	{ "static", "static", NULL, KS_DESIGN_FIXED },
	{ "static:size=8192", "static:size=8192", NULL, KS_DESIGN_FIXED },
	{ "static:size=12288", "static:size=12288", NULL, KS_DESIGN_FIXED },
	{ "rfc", "rfc", NULL, KS_DESIGN_RFC },
	{ "rfc+global", "rfc+global", NULL, KS_DESIGN_RFC },
	{ "entry", "entry", NULL, KS_DESIGN_RFC },
	{ "watermark", "watermark", NULL, KS_DESIGN_RFC },
	{ "sp-reclaim", "sp-reclaim", NULL, KS_DESIGN_RECLAIM },
	{ "sp-reclaim:shootdown=local", "sp-reclaim:shootdown=local", NULL, KS_DESIGN_RECLAIM },
	{ "abit", "abit", NULL, KS_DESIGN_RECLAIM },
	{ "abit:reclaim=switch", "abit:reclaim=switch", NULL, KS_DESIGN_RECLAIM },
	{ "abit:latch=0 (access=depth..hwm)", "abit:access=depth,latch=0", "abit:latch=0",
	  KS_DESIGN_RECLAIM },
	{ "abit:latch=0,reclaim=switch (access=depth..hwm)",
	  "abit:access=depth,latch=0,reclaim=switch", "abit:latch=0,reclaim=switch",
	  KS_DESIGN_RECLAIM },
	{ "gc (access=depth..hwm)", "gc:access=depth", "gc", KS_DESIGN_RECLAIM },
};
#define NR_DESIGNS (sizeof(designs) / sizeof(designs[0]))

size_t ks_design_count(void)
{
	return NR_DESIGNS;
}

const struct ks_design *ks_design(size_t i)
{
	return i < NR_DESIGNS ? &designs[i] : NULL;
}

size_t ks_design_specs(const char **out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < NR_DESIGNS; i++) {
		if (n < max)
			out[n] = designs[i].spec;
		n++;
		if (!designs[i].spec_hwm)
			continue;
		if (n < max)
			out[n] = designs[i].spec_hwm;
		n++;
	}
	return n;
}

/* The value @spec ("policy:k=v,k=v") gives @key: its start and length, or NULL. */
static const char *spec_value(const char *spec, const char *key, size_t *len)
{
	const char *p = strchr(spec, ':');
	size_t klen = strlen(key), n;

	while (p && *p) {
		p++;
		n = strcspn(p, ",");
		if (n > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			*len = n - klen - 1;
			return p + klen + 1;
		}
		p += n;
	}
	return NULL;
}

/* How many keys @spec names. */
static size_t spec_keys(const char *spec)
{
	const char *p = strchr(spec, ':');
	size_t n = 0;

	for (; p && *p; p++)
		n += *p == ':' || *p == ',';
	return n;
}

static bool row_is(const struct ks_row *r, const char *spec)
{
	size_t plen = strcspn(spec, ":"), i, found = 0, vlen;
	const char *v;

	if (strlen(r->policy) != plen || strncmp(r->policy, spec, plen))
		return false;
	for (i = 0; i < r->nr_params; i++) {
		const struct ks_param_value *p = &r->params[i];

		v = spec_value(spec, p->key, &vlen);
		if (!v && !p->is_default)
			return false;
		if (v && (strlen(p->value) != vlen || strncmp(p->value, v, vlen)))
			return false;
		found += v != NULL;
	}
	return found == spec_keys(spec);
}

const struct ks_row *ks_design_run(const struct ks_rowset *rs, size_t from, size_t to,
				   const char *spec)
{
	const struct ks_row *best = NULL;
	size_t i;

	for (i = from; i < to; i++)
		if (row_is(&rs->rows[i], spec) && (!best || rs->rows[i].run_key > best->run_key))
			best = &rs->rows[i];
	return best;
}

/* One row of the table: a design on a trace, its run or its two ends. */
struct drow {
	const struct ks_design *d;
	const struct ks_row *run[2];	/* [0] d->spec, [1] d->spec_hwm; NULL: not stored */
	const struct ks_row *any;	/* a run of the trace: its label and identity */
};

static size_t drow_ends(const struct drow *r)
{
	return r->d->spec_hwm ? 2 : 1;
}

static bool drow_crashed(const struct drow *r)
{
	size_t k;

	for (k = 0; k < drow_ends(r); k++)
		if (r->run[k] && r->run[k]->crashes)
			return true;
	return false;
}

static bool drow_missing(const struct drow *r)
{
	size_t k;

	for (k = 0; k < drow_ends(r); k++)
		if (!r->run[k])
			return true;
	return false;
}

enum kind { K_KIB, K_PCT, K_RATE, K_COUNT, K_SECONDS };

/*
 * A figure of a run: @get reads it on basis @b (the memory columns) or
 * whatever the basis (the rest); NAN where the savings view has none.
 */
typedef double (*dget_fn)(const struct ks_row *r, enum ks_basis b);

struct dcol {
	const char *header;	/* text and Markdown; '@' stands for the basis */
	const char *csv;	/* '@' stands for the basis; NULL: not in CSV */
	dget_fn get;
	enum kind kind;
	bool text;		/* shown in text and Markdown */
	bool per_basis;		/* one column per basis */
	bool memory;		/* a memory figure: marked when the run crashed */
	bool event;		/* an event count: unknown when the run did not observe it */
};

static double seconds(const struct ks_row *r)
{
	return (double)r->duration_ns / 1e9;
}

static double rate(const struct ks_row *r, uint64_t n)
{
	return r->duration_ns ? (double)n / seconds(r) : NAN;
}

static double get_dynamic(const struct ks_row *r, enum ks_basis b)
{
	return r->mem[b].dynamic_kb;
}

static double get_pool(const struct ks_row *r, enum ks_basis b)
{
	return r->mem[b].pool_kb;
}

static double get_savings(const struct ks_row *r, enum ks_basis b)
{
	return r->mem[b].savings_pct;
}

static double get_savings_pool(const struct ks_row *r, enum ks_basis b)
{
	return r->mem[b].savings_pool_pct;
}

static double get_seconds(const struct ks_row *r, enum ks_basis b)
{
	return seconds(r);
}

#define RATE_GETTER(name)							\
	static double get_##name(const struct ks_row *r, enum ks_basis b)	\
	{									\
		return rate(r, r->c.name);					\
	}
RATE_GETTER(faults)
RATE_GETTER(maps)
RATE_GETTER(unmaps)
RATE_GETTER(pte_writes)
RATE_GETTER(tlb_flushes)
RATE_GETTER(tlb_shootdowns)
RATE_GETTER(ipis)
RATE_GETTER(refaults)
RATE_GETTER(admission_waits)
#undef RATE_GETTER

static double get_crash_rate(const struct ks_row *r, enum ks_basis b)
{
	return rate(r, r->crashes);
}

static double get_crashes(const struct ks_row *r, enum ks_basis b)
{
	return (double)r->crashes;
}

static double get_overflows(const struct ks_row *r, enum ks_basis b)
{
	return (double)r->c.overflows;
}

static double get_refault_mean(const struct ks_row *r, enum ks_basis b)
{
	return r->c.refaults ? (double)r->c.refault_delay_ns / (double)r->c.refaults / 1e9 : NAN;
}

static double get_refault_max(const struct ks_row *r, enum ks_basis b)
{
	return r->c.refaults ? (double)r->c.refault_delay_max_ns / 1e9 : NAN;
}

static double get_admission_s(const struct ks_row *r, enum ks_basis b)
{
	return (double)r->c.admission_wait_ns / 1e9;
}

static const struct dcol columns[] = {
	{ "Dynamic @(kb)", "dynamic_kb_@", get_dynamic, K_KIB, true, true, true, false },
	{ NULL, "pool_kb_@", get_pool, K_KIB, false, true, true, false },
	{ "Savings @", "savings_pct_@", get_savings, K_PCT, true, true, true, false },
	{ "Savings+pool @", "savings_pool_pct_@", get_savings_pool, K_PCT, true, true, true,
	  false },
	{ NULL, "seconds", get_seconds, K_SECONDS, false, false, false, false },
	{ "Faults/s", "faults_per_s", get_faults, K_RATE, true, false, false, true },
	{ "Maps/s", "maps_per_s", get_maps, K_RATE, true, false, false, true },
	{ "Unmaps/s", "unmaps_per_s", get_unmaps, K_RATE, true, false, false, true },
	{ "PTE/s", "pte_writes_per_s", get_pte_writes, K_RATE, true, false, false, true },
	{ "TLB/s", "tlb_flushes_per_s", get_tlb_flushes, K_RATE, true, false, false, true },
	{ NULL, "tlb_shootdowns_per_s", get_tlb_shootdowns, K_RATE, false, false, false, true },
	{ "IPIs/s", "ipis_per_s", get_ipis, K_RATE, true, false, false, true },
	{ "Refaults/s", "refaults_per_s", get_refaults, K_RATE, true, false, false, true },
	{ "Admit waits/s", "admission_waits_per_s", get_admission_waits, K_RATE, true, false,
	  false, true },
	{ "Crashes/s", "crashes_per_s", get_crash_rate, K_RATE, true, false, false, false },
	{ NULL, "crashes", get_crashes, K_COUNT, false, false, false, false },
	{ "Overflows", "overflows", get_overflows, K_COUNT, true, false, false, false },
	{ NULL, "refault_delay_mean_s", get_refault_mean, K_SECONDS, false, false, false, true },
	{ NULL, "refault_delay_max_s", get_refault_max, K_SECONDS, false, false, false, true },
	{ NULL, "admission_wait_s", get_admission_s, K_SECONDS, false, false, false, true },
};
#define NR_COLS (sizeof(columns) / sizeof(columns[0]))

/* The CSV bases: every one, in the schema's order, whatever the text shows. */
static const enum ks_basis csv_bases[KS_NR_BASES] = { KS_BASIS_END, KS_BASIS_PEAK, KS_BASIS_MEAN };

/* @tmpl with its '@' replaced by @word. */
static void subst(char *buf, size_t len, const char *tmpl, const char *word)
{
	const char *at = strchr(tmpl, '@');

	if (!at)
		snprintf(buf, len, "%s", tmpl);
	else
		snprintf(buf, len, "%.*s%s%s", (int)(at - tmpl), tmpl, word, at + 1);
}

/* One figure as text and Markdown show it; NAN is "-". */
static void text_value(char *buf, size_t len, enum kind k, enum ks_basis b, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (k == K_KIB)
		snprintf(buf, len, b == KS_BASIS_MEAN ? "%.1f" : "%.0f", v);
	else if (k == K_PCT)
		snprintf(buf, len, "%.1f%%", v);
	else if (k == K_RATE && v == 0)
		snprintf(buf, len, "0");
	else if (k == K_RATE && fabs(v) < 0.1)
		/* a rare event keeps two digits rather than rounding to 0 */
		snprintf(buf, len, "%.2g", v);
	else if (k == K_RATE)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.0f", v);
}

/* One figure as CSV has it: plain, full precision; NAN is empty. */
static void csv_value(char *buf, size_t len, enum kind k, double v)
{
	if (isnan(v))
		buf[0] = '\0';
	else if (k == K_KIB)
		snprintf(buf, len, "%.3f", v);
	else if (k == K_PCT)
		snprintf(buf, len, "%.4f", v);
	else if (k == K_COUNT)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.6f", v);
}

/*
 * A cell of a design's row: its run's figure, or for a design of two ends
 * the lower..higher of theirs, "?" for an end not stored; "unknown" for an
 * event its runs did not observe; memory figures marked "!" when a run
 * would have crashed (@pad: a blank in the mark's place elsewhere).
 */
static void text_cell(char *buf, size_t len, const struct dcol *c, enum ks_basis b,
		      const struct drow *r, bool pad)
{
	char one[2][64];
	double v[2] = { NAN, NAN };
	size_t k, n = drow_ends(r), have = 0;
	const char *mark = "";

	for (k = 0; k < n; k++) {
		if (!r->run[k])
			continue;
		have++;
		if (c->event && r->run[k]->costs_unknown) {
			snprintf(buf, len, "unknown");
			return;
		}
		v[k] = c->get(r->run[k], b);
	}
	if (!have) {
		snprintf(buf, len, "-");
		return;
	}
	if (c->memory)
		mark = drow_crashed(r) ? "!" : pad ? " " : "";
	if (n == 1) {
		text_value(one[0], sizeof(one[0]), c->kind, b, v[0]);
		snprintf(buf, len, "%s%s", one[0], mark);
		return;
	}
	if (have == 2 && !isnan(v[0]) && !isnan(v[1]) && v[1] < v[0]) {
		double t = v[0];

		v[0] = v[1];
		v[1] = t;
	}
	for (k = 0; k < 2; k++) {
		if (r->run[k] || have == 2)
			text_value(one[k], sizeof(one[k]), c->kind, b, v[k]);
		else
			snprintf(one[k], sizeof(one[k]), "?");
	}
	/* both unknown (no static run: no savings) is one "-" */
	if (!strcmp(one[0], "-") && !strcmp(one[1], "-"))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s..%s%s", one[0], one[1], mark);
}

/* The specs of @r not stored, "spec, spec". */
static void not_stored(char *buf, size_t len, const struct drow *r)
{
	size_t k, n = 0;

	buf[0] = '\0';
	for (k = 0; k < drow_ends(r); k++) {
		if (r->run[k])
			continue;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? ", " : "",
				      k ? r->d->spec_hwm : r->d->spec);
	}
}

struct dtable {
	struct drow *rows;
	size_t n;
	enum ks_basis bases[KS_NR_BASES];
	size_t nbases;
};

/* Trace @r is one the report shows (@o's kind of traces, and @o->trace if given). */
static bool trace_wanted(const struct ks_row *r, const struct ks_report_opts *o)
{
	if (o->traces != KS_TRACES_ALL && r->synthetic != (o->traces == KS_TRACES_SYNTHETIC))
		return false;
	return !o->trace || !strcmp(o->trace, r->label) || !strcmp(o->trace, r->trace_id);
}

/* Every design on every trace wanted, in trace then design order. */
static int dtable_build(const struct ks_rowset *rs, const struct ks_report_opts *o,
			struct dtable *t)
{
	size_t i, j, d, ntraces = 0;

	for (i = 0; i < rs->n; i++)
		ntraces += !i || rs->rows[i].trace_key != rs->rows[i - 1].trace_key;
	t->rows = calloc(ntraces * NR_DESIGNS + 1, sizeof(*t->rows));
	if (!t->rows)
		return -ENOMEM;
	for (i = 0; i < rs->n; i = j) {
		for (j = i; j < rs->n && rs->rows[j].trace_key == rs->rows[i].trace_key; j++)
			;
		if (!trace_wanted(&rs->rows[i], o))
			continue;
		for (d = 0; d < NR_DESIGNS; d++) {
			struct drow *r = &t->rows[t->n++];

			r->d = &designs[d];
			r->any = &rs->rows[i];
			r->run[0] = ks_design_run(rs, i, j, designs[d].spec);
			if (designs[d].spec_hwm)
				r->run[1] = ks_design_run(rs, i, j, designs[d].spec_hwm);
		}
	}
	return 0;
}

static int print_text(const struct dtable *t, enum ks_report_format f, FILE *out)
{
	const struct dcol *cols[NR_COLS * KS_NR_BASES];
	enum ks_basis cb[NR_COLS * KS_NR_BASES];
	char heads[NR_COLS * KS_NR_BASES + 3][64];
	const char *headers[NR_COLS * KS_NR_BASES + 3];
	bool left[NR_COLS * KS_NR_BASES + 3], pad = false, missing = false;
	struct ks_tab tab = { .headers = headers, .left = left };
	size_t i, c, b, nc = 0, k;

	for (i = 0; i < t->n; i++) {
		pad |= f == KS_FMT_TEXT && drow_crashed(&t->rows[i]);
		missing |= drow_missing(&t->rows[i]);
	}
	/* the memory figures basis by basis (Dynamic mean, Savings mean, ..., peak), the rest */
	for (b = 0; b < t->nbases; b++)
		for (c = 0; c < NR_COLS; c++)
			if (columns[c].text && columns[c].per_basis) {
				cols[nc] = &columns[c];
				cb[nc++] = t->bases[b];
			}
	for (c = 0; c < NR_COLS; c++)
		if (columns[c].text && !columns[c].per_basis) {
			cols[nc] = &columns[c];
			cb[nc++] = t->bases[0];
		}
	/* Trace, Design, the figures, and the runs not stored when some are not */
	snprintf(heads[0], sizeof(heads[0]), "Trace");
	snprintf(heads[1], sizeof(heads[1]), "Design");
	for (c = 0; c < nc; c++)
		subst(heads[2 + c], sizeof(heads[0]), cols[c]->header, ks_basis_name(cb[c]));
	tab.ncols = 2 + nc;
	if (missing)
		snprintf(heads[tab.ncols++], sizeof(heads[0]), "Not stored");
	for (c = 0; c < tab.ncols; c++) {
		headers[c] = heads[c];
		left[c] = c < 2 || (missing && c + 1 == tab.ncols);
	}
	tab.nrows = t->n;
	tab.cells = ks_tab_alloc(tab.nrows, tab.ncols);
	if (!tab.cells)
		return -ENOMEM;
	for (i = 0, k = 0; i < t->n; i++) {
		const struct drow *r = &t->rows[i];

		snprintf(tab.cells[k++], KS_TAB_CELL, "%s%s", r->any->label,
			 r->any->truncated ? "*" : "");
		snprintf(tab.cells[k++], KS_TAB_CELL, "%s", r->d->name);
		for (c = 0; c < nc; c++)
			text_cell(tab.cells[k++], KS_TAB_CELL, cols[c], cb[c], r, pad);
		if (missing)
			not_stored(tab.cells[k++], KS_TAB_CELL, r);
	}
	ks_tab_print(&tab, f, out);
	free(tab.cells);
	return 0;
}

/* What each basis means, for the footnotes. */
static const char *const basis_notes[KS_NR_BASES] = {
	[KS_BASIS_END] = "end: when the trace ends, a census as the RFC's figures are",
	[KS_BASIS_PEAK] = "peak: the largest at any moment; Dynamic + Pool is the peak of "
			  "their sum, not a sum of peaks",
	[KS_BASIS_MEAN] = "mean: time-weighted over the trace",
};

/* Footnotes list the would-be crashes of at most this many runs. */
#define MAX_OOPS_NOTES 12

static void footnotes(const struct dtable *t, enum ks_report_format f, FILE *out)
{
	const char *star = f == KS_FMT_MARKDOWN ? "\\*" : "*";
	bool range = false, half = false, missing = false, noreg = false, unknown = false;
	bool truncated = false;
	size_t i, k, notes = 0, oops = 0;
	char msg[256];

	for (i = 0; i < t->n; i++) {
		const struct drow *r = &t->rows[i];

		range |= r->d->spec_hwm && !drow_missing(r);
		for (k = 0; k < drow_ends(r); k++) {
			missing |= !r->run[k];
			half |= drow_ends(r) == 2 && !r->run[k] && r->run[1 - k];
			if (!r->run[k])
				continue;
			noreg |= isnan(r->run[k]->mem[KS_BASIS_END].regular_kb);
			unknown |= r->run[k]->costs_unknown;
			oops += r->run[k]->crashes > 0;
		}
		truncated |= r->any->truncated;
	}
	ks_tab_note(out, f, "\nDynamic: pages mapped to stacks; Savings: against the trace's "
		    "static run "
		    "(today's kernel, its stack cache included) on the same basis;\n"
		    "Savings+pool: each side with its own pools, cached stacks and fixed "
		    "overhead.");
	for (k = 0; k < t->nbases; k++)
		ks_tab_note(out, f, "%s%s", k ? "; " : "\n", basis_notes[t->bases[k]]);
	ks_tab_note(out, f, "\nPer second of trace: stack faults, pages mapped and unmapped, "
		    "PTE writes "
		    "(maps, unmaps, accessed bits cleared),\n"
		    "TLB flushes (local and shootdowns), IPIs the shootdowns sent, refaults "
		    "(reclaimed pages needed again), switch-ins\n"
		    "that waited for their pages (admission), would-be crashes; Overflows: "
		    "tasks whose high-water mark the stack would not hold.\n");
	if (range)
		ks_tab_note(out, f, "a..b: the trace does not record which pages a task touched "
			    "between "
			    "two checks, so the design is replayed at both ends,\n"
			    "access=depth (down to its saved stack pointer) and access=hwm (down "
			    "to its high-water mark): the lower and the higher figure.\n");
	if (half)
		ks_tab_note(out, f, "?: that end's run is not stored, so the range is not "
			    "known.\n");
	if (missing)
		ks_tab_note(out, f, "Not stored: the runs a row lacks; kstack replay TRACE "
			    "--designs "
			    "replays every design the trace's machine takes.\n");
	if (noreg)
		ks_tab_note(out, f, "-: no static run of the trace stored (replay it with --policy "
			    "static too)\n");
	if (unknown)
		ks_tab_note(out, f, "unknown: the trace has no events to count these by (kernel "
			    "entries "
			    "not recorded); never read as 0\n");
	if (truncated)
		ks_tab_note(out, f, "%s trace truncated: recording was interrupted\n", star);
	for (i = 0; i < t->n && notes < MAX_OOPS_NOTES; i++) {
		const struct drow *r = &t->rows[i];

		for (k = 0; k < drow_ends(r) && notes < MAX_OOPS_NOTES; k++) {
			if (!r->run[k] || !r->run[k]->crashes)
				continue;
			ks_row_oops(r->run[k], msg, sizeof(msg));
			ks_tab_note(out, f, "! %s %s: %s\n", r->any->label,
				    k ? r->d->spec_hwm : r->d->spec, msg);
			notes++;
		}
	}
	if (oops > notes)
		ks_tab_note(out, f, "! and %zu more runs with would-be crashes: the same holds "
			    "for them\n", oops - notes);
}

/* CSV: one line per run, both ends of a range on lines of their own. */
static int print_csv(const struct dtable *t, FILE *out)
{
	static const char *const fixed[] = { "trace", "trace_id", "design", "bound", "spec",
					     "missing", "truncated", "events_unknown", "oops_s" };
	const size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
	char heads[NR_COLS * KS_NR_BASES + 16][64];
	const char *headers[NR_COLS * KS_NR_BASES + 16];
	bool left[NR_COLS * KS_NR_BASES + 16] = { false };
	struct ks_tab tab = { .headers = headers, .left = left };
	size_t i, c, b, k, e, row, ncsv = 0;

	for (c = 0; c < nfixed; c++)
		snprintf(heads[c], sizeof(heads[c]), "%s", fixed[c]);
	tab.ncols = nfixed;
	for (c = 0; c < NR_COLS; c++)
		for (b = 0; b < (columns[c].per_basis ? KS_NR_BASES : 1); b++)
			subst(heads[tab.ncols++], sizeof(heads[0]), columns[c].csv,
			      ks_basis_name(csv_bases[b]));
	for (c = 0; c < tab.ncols; c++)
		headers[c] = heads[c];
	for (i = 0; i < t->n; i++)
		ncsv += drow_ends(&t->rows[i]);
	tab.nrows = ncsv;
	tab.cells = ks_tab_alloc(tab.nrows, tab.ncols);
	if (!tab.cells)
		return -ENOMEM;
	for (i = 0, row = 0; i < t->n; i++) {
		const struct drow *r = &t->rows[i];

		for (e = 0; e < drow_ends(r); e++, row++) {
			const struct ks_row *run = r->run[e];
			char (*cell)[KS_TAB_CELL] = tab.cells + row * tab.ncols;

			k = 0;
			snprintf(cell[k++], KS_TAB_CELL, "%s", r->any->label);
			snprintf(cell[k++], KS_TAB_CELL, "%s", r->any->trace_id);
			snprintf(cell[k++], KS_TAB_CELL, "%s", r->d->name);
			snprintf(cell[k++], KS_TAB_CELL, "%s",
				 drow_ends(r) == 1 ? "" : e ? "hwm" : "depth");
			snprintf(cell[k++], KS_TAB_CELL, "%s", e ? r->d->spec_hwm : r->d->spec);
			snprintf(cell[k++], KS_TAB_CELL, "%d", !run);
			snprintf(cell[k++], KS_TAB_CELL, "%d", r->any->truncated);
			snprintf(cell[k++], KS_TAB_CELL, "%s",
				 run ? (run->costs_unknown ? "1" : "0") : "");
			if (run && run->crashes)
				snprintf(cell[k], KS_TAB_CELL, "%.6f", run->oops_s);
			k++;
			for (c = 0; c < NR_COLS; c++) {
				for (b = 0; b < (columns[c].per_basis ? KS_NR_BASES : 1); b++, k++) {
					if (!run || (columns[c].event && run->costs_unknown))
						continue;
					csv_value(cell[k], KS_TAB_CELL, columns[c].kind,
						  columns[c].get(run, csv_bases[b]));
				}
			}
		}
	}
	ks_tab_print(&tab, KS_FMT_CSV, out);
	free(tab.cells);
	return 0;
}

/*
 * The bases shown, as the results table chooses them (ks_report_bases()),
 * but from the traces of this table: @o's, else mean and peak when one is a
 * recording, else end (the census of a synthesized machine).
 */
static size_t table_bases(struct dtable *t, const struct ks_report_opts *o)
{
	bool recorded = false;
	size_t i;

	if (o->nr_bases) {
		memcpy(t->bases, o->bases, o->nr_bases * sizeof(*t->bases));
		return o->nr_bases;
	}
	for (i = 0; i < t->n; i++)
		recorded |= !t->rows[i].any->synthetic;
	if (recorded) {
		t->bases[0] = KS_BASIS_MEAN;
		t->bases[1] = KS_BASIS_PEAK;
		return 2;
	}
	t->bases[0] = KS_BASIS_END;
	return 1;
}

static int print_designs(const struct ks_rowset *rs, const struct ks_report_opts *o, FILE *out)
{
	struct dtable t = { 0 };
	int ret;

	ret = dtable_build(rs, o, &t);
	if (ret)
		return ret;
	t.nbases = table_bases(&t, o);
	if (o->format == KS_FMT_CSV) {
		ret = print_csv(&t, out);
	} else {
		ret = print_text(&t, o->format, out);
		if (!ret)
			footnotes(&t, o->format, out);
	}
	free(t.rows);
	return ret;
}

int ks_report_designs(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		      struct ks_error *err)
{
	struct ks_report_opts every = *o;
	struct ks_rowset rs;
	size_t i;
	bool found = false;
	int ret;

	if (o->format > KS_FMT_HTML)
		return ks_error_set(err, KS_E_USAGE, "unknown table format %d", (int)o->format);
	/* the designs are read from every run; only the traces are selected */
	every.policy = NULL;
	every.all_runs = true;
	ret = ks_rows_load(s, &every, &rs, err);
	if (ret)
		return ret;
	for (i = 0; i < rs.n && !found; i++)
		found = rs.rows[i].shown && trace_wanted(&rs.rows[i], o);
	if (!found) {
		ks_rowset_release(&rs);
		if (o->trace)
			return ks_error_set(err, KS_E_USAGE, "no trace '%s' (a label or an id) with "
					    "runs stored", o->trace);
		return ks_error_set(err, ENODATA, "%s: no runs of %s traces stored",
				    ks_store_path(s), o->traces == KS_TRACES_SYNTHETIC ?
				    "synthesized" : "recorded");
	}
	ret = print_designs(&rs, &every, out);
	ks_rowset_release(&rs);
	if (ret)
		return ks_error_set(err, -ret, "printing the designs table");
	if (fflush(out) == EOF || ferror(out))
		return ks_error_set(err, EIO, "writing the designs table");
	return 0;
}
