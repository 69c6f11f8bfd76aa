// SPDX-License-Identifier: MIT
/*
 * The costs table: how often each event of the dynamic-stack mechanisms
 * happens per second of trace, and what it would cost at a given price per
 * event.  The prices are placeholders until someone measures them (the
 * reviewers asked for microbenchmarks), so the table says so, and every
 * price can be overridden.
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
 * PLACEHOLDERS, NOT MEASUREMENTS.  Orders of magnitude only, chosen so a
 * first table is not all zeros: a stack fault is an exception plus a PTE
 * write (~1 us); taking a page from the global pool and its lock are tens to
 * hundreds of ns; a refill is a page allocation plus memcg charge; a wait is
 * the overhead of sleeping and waking (the modelled sleep is wait_ns); a
 * TLB range flush is hundreds of ns; copying the arm64 sync-stack frame is
 * priced per byte.  Kernel faults and entries happen under every policy and
 * are counted, not priced (0).  The designs that take pages back from live
 * tasks add three: an IPI (a shootdown interrupts each other CPU, which
 * flushes and acknowledges: a microsecond or two of the sender's and the
 * receiver's time together), an accessed-bit check (reading a PTE, tens of
 * ns) and an admission wait (sleeping and waking, as waits).  Their PTE
 * writes are priced as maps and unmaps; accessed bits cleared, the rest of
 * pte_writes, are in the check's price.  Replace them with --cost NAME=NS.
 */
static const struct ks_cost cost_table[] = {
	{ "faults",		"Faults/s",	"event", 1000, true },
	{ "fallback_hits",	"Fallback/s",	"event", 200, true },
	{ "lock_acquisitions",	"Locks/s",	"event", 50, true },
	{ "refills",		"Refills/s",	"event", 500, true },
	{ "waits",		"Waits/s",	"event", 5000, true },
	{ "downgrades",		"Downgrades/s",	"event", 300, true },
	{ "copy_bytes",		"Copy(B/s)",	"byte", 0.25, true },
	{ "tlb_flushes",	"TLB/s",	"event", 500, true },
	{ "maps",		"Maps/s",	"event", 100, true },
	{ "unmaps",		"Unmaps/s",	"event", 150, true },
	{ "sync_exceptions",	"SyncExc/s",	"event", 100, true },
	{ "kfaults",		"Kfaults/s",	"event", 0, true },
	{ "entries",		"Entries/s",	"event", 0, true },
	{ "ipis",		"IPIs/s",	"event", 2000, true },
	{ "abit_checks",	"Abit/s",	"event", 20, true },
	{ "admission_waits",	"Admit/s",	"event", 5000, true },
};
#define NR_COSTS (sizeof(cost_table) / sizeof(cost_table[0]))

_Static_assert(NR_COSTS <= KS_REPORT_MAX_COSTS, "raise KS_REPORT_MAX_COSTS");

size_t ks_report_cost_count(void)
{
	return NR_COSTS;
}

const struct ks_cost *ks_report_cost(size_t i)
{
	return i < NR_COSTS ? &cost_table[i] : NULL;
}

/* The counter @name of @c; every name of the table is a counter (checked by a test). */
static uint64_t counter(const struct ks_counters *c, const char *name)
{
#define KS_X_GET(n, desc)		\
	if (!strcmp(name, #n))		\
		return c->n;
	KS_COUNTERS(KS_X_GET)
#undef KS_X_GET
	return 0;
}

int ks_report_cost_override(struct ks_report_opts *o, const char *arg, struct ks_error *err)
{
	const char *eq = strchr(arg, '=');
	char *end;
	double ns;
	size_t i;

	for (i = 0; eq && i < NR_COSTS; i++)
		if (strlen(cost_table[i].counter) == (size_t)(eq - arg) &&
		    !memcmp(arg, cost_table[i].counter, (size_t)(eq - arg)))
			break;
	if (!eq || i == NR_COSTS) {
		char names[512];
		size_t n = 0, k;

		for (k = 0; k < NR_COSTS && n < sizeof(names); k++)
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", k ? ", " : "",
					      cost_table[k].counter);
		return ks_error_set(err, KS_E_USAGE, "bad --cost '%s': expected NAME=NS, NAME one "
				    "of %s", arg, names);
	}
	errno = 0;
	ns = strtod(eq + 1, &end);
	if (!eq[1] || *end || errno || !isfinite(ns) || ns < 0)
		return ks_error_set(err, KS_E_USAGE,
				    "bad --cost '%s': NS must be a number of nanoseconds >= 0",
				    arg);
	o->cost_ns[i] = ns;
	o->cost_given[i] = true;
	return 0;
}

static void rate(char *buf, double v, bool raw)
{
	if (isnan(v))
		snprintf(buf, KS_TAB_CELL, "%s", raw ? "" : "-");
	else
		snprintf(buf, KS_TAB_CELL, raw ? "%.6f" : "%.1f", v);
}

static bool placeholder(const struct ks_report_opts *o, size_t i)
{
	return cost_table[i].placeholder && !o->cost_given[i];
}

/* Fixed columns before the event rates, and after them. */
enum { C_CPU, C_POLICY, C_SECONDS, C_FIXED };
enum { C_COST_RATE, C_COST_TOTAL, C_PLACEHOLDER, C_TRUNCATED, C_TAIL };

static void fill_row(const struct ks_row *r, const struct ks_report_opts *o, bool raw,
		     char (*cell)[KS_TAB_CELL])
{
	double secs = (double)r->duration_ns / 1e9, total = 0;
	char (*tail)[KS_TAB_CELL] = cell + C_FIXED + NR_COSTS;
	bool ph = false;
	size_t i;

	snprintf(cell[C_CPU], KS_TAB_CELL, "%s%s", r->label, !raw && r->truncated ? "*" : "");
	snprintf(cell[C_POLICY], KS_TAB_CELL, "%s", r->policy_label);
	snprintf(cell[C_SECONDS], KS_TAB_CELL, raw ? "%.6f" : "%.3f", secs);
	for (i = 0; i < NR_COSTS; i++) {
		uint64_t n = counter(&r->c, cost_table[i].counter);

		if (r->costs_unknown) {
			snprintf(cell[C_FIXED + i], KS_TAB_CELL, "unknown");
			continue;
		}
		rate(cell[C_FIXED + i], secs > 0 ? (double)n / secs : NAN, raw);
		total += (double)n * o->cost_ns[i];
		ph |= n && placeholder(o, i);
	}
	if (r->costs_unknown) {
		snprintf(tail[C_COST_RATE], KS_TAB_CELL, "unknown");
		snprintf(tail[C_COST_TOTAL], KS_TAB_CELL, "unknown");
		snprintf(tail[C_PLACEHOLDER], KS_TAB_CELL, raw ? "" : "-");
	} else {
		/* ns per second of trace / 1000 = us per second */
		rate(tail[C_COST_RATE], secs > 0 ? total / secs / 1e3 : NAN, raw);
		snprintf(tail[C_COST_TOTAL], KS_TAB_CELL, raw ? "%.6f" : "%.3f", total / 1e6);
		snprintf(tail[C_PLACEHOLDER], KS_TAB_CELL, "%d", ph);
	}
	snprintf(tail[C_TRUNCATED], KS_TAB_CELL, "%d", r->truncated);
}

static void footnotes(FILE *out, const struct ks_rowset *rs, const struct ks_report_opts *o,
		      const bool *hidden, bool unknown)
{
	const char *star = o->format == KS_FMT_MARKDOWN ? "\\*" : "*";
	enum ks_report_format f = o->format;
	bool any_ph = false, truncated = false, first = true;
	size_t i;

	for (i = 0; i < rs->n; i++)
		truncated |= rs->rows[i].shown && rs->rows[i].truncated;
	ks_tab_note(out, f, "\nEvents per second of trace; Cost = sum of events x ns per event, "
		    "in us per second of trace and in ms in all.\n");
	ks_tab_note(out, f, "ns per event:");
	for (i = 0; i < NR_COSTS; i++) {
		ks_tab_note(out, f, " %s=%g%s%s", cost_table[i].counter, o->cost_ns[i],
			    strcmp(cost_table[i].unit, "event") ? "/byte" : "",
			    placeholder(o, i) ? star : "");
		any_ph |= placeholder(o, i);
	}
	ks_tab_note(out, f, "\n");
	if (any_ph)
		ks_tab_note(out, f, "%s ns per event are placeholders, not measurements: pass "
			    "--cost NAME=NS to use microbenchmarked values\n", star);
	for (i = 0; i < NR_COSTS; i++) {
		if (!hidden[i])
			continue;
		ks_tab_note(out, f, "%s%s", first ? "Zero in every row where known, not shown: " :
			    ", ", cost_table[i].header);
		first = false;
	}
	if (!first)
		ks_tab_note(out, f, "\n");
	if (unknown)
		ks_tab_note(out, f, "unknown: the trace has no events to count these by "
			    "(kernel entries not recorded); never read as 0\n");
	if (truncated)
		ks_tab_note(out, f, "%s trace truncated: recording was interrupted\n", star);
}

static int print_costs(const struct ks_rowset *rs, const struct ks_report_opts *o, FILE *out)
{
	static const char *const fixed[C_FIXED] = { "CPU", "Policy", "Seconds" };
	static const char *const tail[C_TAIL] = { "Cost(us/s)", "Cost(ms)", "Placeholder ns",
						  "Truncated" };
	const size_t all = C_FIXED + NR_COSTS + C_TAIL;
	bool raw = o->format == KS_FMT_CSV, hidden[NR_COSTS], unknown = false;
	char (*full)[KS_TAB_CELL] = NULL;
	const char *headers[C_FIXED + NR_COSTS + C_TAIL];
	bool left[C_FIXED + NR_COSTS + C_TAIL], keep[C_FIXED + NR_COSTS + C_TAIL];
	struct ks_tab t = { .headers = headers, .left = left };
	size_t i, c, k, row;
	int ret = -ENOMEM;

	full = ks_tab_alloc(rs->nr_shown, all);
	t.cells = ks_tab_alloc(rs->nr_shown, all);
	if (!full || !t.cells)
		goto out;
	for (i = 0, row = 0; i < rs->n; i++) {
		if (!rs->rows[i].shown)
			continue;
		fill_row(&rs->rows[i], o, raw, full + row * all);
		unknown |= rs->rows[i].costs_unknown;
		row++;
	}
	/*
	 * Text and Markdown leave out event columns that are 0 in every row
	 * where they are known (a row with unknown counts says so in its cost).
	 */
	for (i = 0; i < NR_COSTS; i++) {
		bool zero = false;

		hidden[i] = !raw;
		for (row = 0; row < rs->nr_shown && hidden[i]; row++) {
			const char *v = full[row * all + C_FIXED + i];

			zero |= !strcmp(v, "0.0");
			hidden[i] = !strcmp(v, "0.0") || !strcmp(v, "-") || !strcmp(v, "unknown");
		}
		hidden[i] &= zero;
	}
	for (c = 0; c < all; c++) {
		keep[c] = true;
		if (c < C_FIXED) {
			headers[c] = fixed[c];
		} else if (c < C_FIXED + NR_COSTS) {
			headers[c] = cost_table[c - C_FIXED].header;
			keep[c] = !hidden[c - C_FIXED];
		} else {
			headers[c] = tail[c - C_FIXED - NR_COSTS];
			keep[c] = raw || c - C_FIXED - NR_COSTS < C_PLACEHOLDER;
		}
		left[c] = c < C_SECONDS;
	}
	for (c = 0, t.ncols = 0; c < all; c++)
		t.ncols += keep[c];
	for (c = 0, k = 0; c < all; c++) {
		if (!keep[c])
			continue;
		headers[k] = headers[c];
		left[k] = left[c];
		for (row = 0; row < rs->nr_shown; row++)
			memcpy(t.cells[row * t.ncols + k], full[row * all + c], KS_TAB_CELL);
		k++;
	}
	t.nrows = rs->nr_shown;
	ks_tab_print(&t, o->format, out);
	if (!raw)
		footnotes(out, rs, o, hidden, unknown);
	ret = 0;
out:
	free(full);
	free(t.cells);
	return ret;
}

int ks_report_costs(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		    struct ks_error *err)
{
	return ks_rows_print(s, o, out, print_costs, "costs table", err);
}
