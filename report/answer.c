// SPDX-License-Identifier: MIT
/*
 * The answer in plain words: for each trace, what the RFC's dynamic stacks
 * (policy rfc at its defaults) save against today's kernel (static), on
 * the mean and the peak of a recording or at the end of a synthesized
 * machine, of the stack memory and of RAM; from which per-CPU pool no
 * would-be crash happened in the pool sweeps, and in how many seeds; what
 * the other designs save; how deep the deepest stack went.  Every figure
 * is read from the store as the tables read it (the savings view through
 * the rows, the sweeps of the minimum-pool table, the per-task tail and
 * depth views), so the words and the tables cannot disagree; a part whose
 * runs are not stored is left out, never guessed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "rows.h"
#include "tab.h"

/* Text answers are wrapped at this width. */
#define ANSWER_WIDTH 78

/* The designs besides the RFC, in words; a policy not listed is named alone. */
static const struct {
	const char *policy;
	const char *words;
} design_words[] = {
	{ "rfc+global", "the RFC with the global fallback pool" },
	{ "entry", "expanding stacks at kernel entry" },
	{ "watermark", "percpu-style watermark pools" },
	{ "sp-reclaim", "reclaiming below the saved stack pointer" },
	{ "abit", "reclaiming pages by their accessed bit" },
	{ "gc", "collecting the stacks of idle tasks" },
};

static const char *const basis_words[KS_NR_BASES] = {
	[KS_BASIS_END] = "at the end of the trace",
	[KS_BASIS_PEAK] = "at the peak",
	[KS_BASIS_MEAN] = "on average",
};

/* One paragraph being written: a memory stream and its buffer. */
struct para {
	FILE *f;
	char *buf;
	size_t len;
};

static void say(struct para *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct para *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(p->f, fmt, ap);
	va_end(ap);
}

/*
 * A share of RAM: three decimals, more below 0.01% so that two significant
 * digits show (0.0063%), as the tables print it.
 */
static void say_ram(struct para *p, double pct)
{
	int decimals = 3;

	if (pct != 0 && fabs(pct) < 0.01)
		decimals = 1 - (int)floor(log10(fabs(pct)));
	if (decimals > 9)
		decimals = 9;
	say(p, "%.*f%%", decimals, pct);
}

/* KiB of a basis: tenths on the mean, whole on the end and the peak, as the tables. */
static void say_kib(struct para *p, double kb, enum ks_basis b)
{
	say(p, b == KS_BASIS_MEAN ? "%.1f KiB" : "%.0f KiB", kb);
}

/* A failure rate as a share of page allocations: "0.01%" for 1e-4. */
static void say_rate(struct para *p, double rate)
{
	say(p, "%g%%", rate * 100);
}

static const struct ks_row *default_run(const struct ks_rowset *rs, int64_t trace,
					const char *policy)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		const struct ks_row *r = &rs->rows[i];

		if (r->trace_key == trace && r->is_default && !strcmp(r->policy, policy))
			return r;
	}
	return NULL;
}

/* "LABEL: N CPUs, X GiB of RAM, D s" and what makes the figures lower bounds. */
static void say_context(struct para *p, const struct ks_row *r)
{
	say(p, "%s: %u CPU%s", r->label, r->ncpus, r->ncpus == 1 ? "" : "s");
	if (r->ram_kb)
		say(p, ", %.1f GiB of RAM", r->ram_kb / 1048576.0);
	if (!r->synthetic)
		say(p, ", %.1f s", r->duration_ns / 1e9);
	if (r->lost)
		say(p, ", %" PRIu64 " events lost while recording: the figures are lower bounds",
		    r->lost);
	if (r->truncated)
		say(p, ", recording interrupted");
}

/* What rfc at its defaults saves against static on the bases @b[0..nb). */
static void say_rfc(struct para *p, const struct ks_row *rfc, const enum ks_basis *b, size_t nb)
{
	const struct ks_mem *m = &rfc->mem[b[0]];
	double saved = m->regular_kb - m->dynamic_kb;
	char oops[256];
	size_t k;

	/* a trace cut before its first block: today's kernel holds nothing in it */
	if (isnan(m->savings_pct)) {
		say(p, "the trace holds no task stacks (today's kernel holds %.1f KiB in it), so "
		    "there is no saving of dynamic kernel stacks to state.", m->regular_kb);
		return;
	}
	say(p, "dynamic kernel stacks as proposed in the RFC (policy rfc at its defaults) "
	    "would save ");
	say_kib(p, saved, b[0]);
	say(p, " %s (%.1f%% of the stack memory", basis_words[b[0]], m->savings_pct);
	if (rfc->ram_kb) {
		say(p, ", ");
		say_ram(p, 100.0 * saved / (double)rfc->ram_kb);
		say(p, " of RAM");
	}
	say(p, ")");
	for (k = 1; k < nb; k++) {
		m = &rfc->mem[b[k]];
		say(p, "%s", k + 1 == nb ? " and " : ", ");
		say_kib(p, m->regular_kb - m->dynamic_kb, b[k]);
		say(p, " %s (%.1f%%)", basis_words[b[k]], m->savings_pct);
	}
	m = &rfc->mem[b[0]];
	say(p, ", at the cost of %" PRIu64 " stack page fault%s", rfc->c.faults,
	    rfc->c.faults == 1 ? "" : "s");
	if (rfc->duration_ns && !rfc->synthetic)
		say(p, " (%.1f per second)", rfc->c.faults / (rfc->duration_ns / 1e9));
	say(p, ". Counting the page pools and cached stacks on both sides, it saves %.1f%% %s",
	    m->savings_pool_pct, basis_words[b[0]]);
	if (!isnan(m->saved_ram_pct)) {
		say(p, " (");
		say_ram(p, m->saved_ram_pct);
		say(p, " of RAM)");
	}
	say(p, ".");
	if (rfc->crashes) {
		ks_row_oops(rfc, oops, sizeof(oops));
		say(p, " But it would have crashed %" PRIu64 " time%s: %s.", rfc->crashes,
		    rfc->crashes == 1 ? "" : "s", oops);
	}
}

/* "in N seeds" or "in N to M seeds" */
static void say_seeds(struct para *p, const struct ks_sweep *s)
{
	if (s->seeds_min == s->seeds_max)
		say(p, "%zu seed%s", s->seeds_min, s->seeds_min == 1 ? "" : "s");
	else
		say(p, "%zu to %zu seeds", s->seeds_min, s->seeds_max);
}

/* The minimum safe pool of rfc's sweeps of @trace (plain rfc: only pool, fail_rate, seed vary). */
static void say_pools(struct para *p, const struct ks_sweep *sw, size_t n, int64_t trace)
{
	const struct ks_sweep_pool *last;
	bool first = true;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct ks_sweep *s = &sw[i];

		if (s->runs[0]->trace_key != trace || strcmp(s->label, "rfc"))
			continue;
		last = &s->pools[s->npools - 1];
		if (first)
			say(p, " Of the per-CPU pools tried (%ld to %ld pages): ", s->pools[0].pool,
			    last->pool);
		else
			say(p, "; ");
		if (s->fail_rate > 0) {
			say(p, "with ");
			say_rate(p, s->fail_rate);
			say(p, " of page allocations failing, ");
		} else {
			say(p, "without allocation failures, ");
		}
		if (s->safe >= 0) {
			if (s->safe == s->pools[0].pool)
				say(p, "no would-be crash at any pool size");
			else
				say(p, "no would-be crash with a pool of %ld page%s or more",
				    s->safe, s->safe == 1 ? "" : "s");
			if (s->seeds_max > 1) {
				say(p, " in any of ");
				say_seeds(p, s);
			}
		} else if (s->seeds_max > 1) {
			say(p, "a pool of %ld page%s still crashed in %zu of ", last->pool,
			    last->pool == 1 ? "" : "s", last->crashed);
			say_seeds(p, s);
		} else {
			say(p, "even a pool of %ld page%s crashed", last->pool,
			    last->pool == 1 ? "" : "s");
		}
		first = false;
	}
	if (!first)
		say(p, ".");
}

static const char *design_name(const char *policy)
{
	size_t i;

	for (i = 0; i < sizeof(design_words) / sizeof(design_words[0]); i++)
		if (!strcmp(design_words[i].policy, policy))
			return design_words[i].words;
	return NULL;
}

/* What every other policy at its defaults saves on @b, in the rows' order. */
/*
 * The other end of @r's design when the designs table shows it as a range
 * (the trace cannot tell what a task touched between two checks): the
 * access=depth run of the same trace, or NULL.
 */
static const struct ks_row *range_end(const struct ks_rowset *rs, const struct ks_row *r)
{
	const struct ks_design *d;
	size_t i, from = 0, to;

	for (i = 0; (d = ks_design(i)); i++)
		if (d->spec_hwm && !strcmp(d->spec_hwm, r->policy))
			break;
	if (!d)
		return NULL;
	while (from < rs->n && rs->rows[from].trace_key != r->trace_key)
		from++;
	for (to = from; to < rs->n && rs->rows[to].trace_key == r->trace_key; to++)
		;
	return ks_design_run(rs, from, to, d->spec);
}

static void say_others(struct para *p, const struct ks_rowset *rs, int64_t trace,
		       enum ks_basis b)
{
	const struct ks_row *other;
	bool first = true;
	double lo, hi;
	size_t i;

	for (i = 0; i < rs->n; i++) {
		const struct ks_row *r = &rs->rows[i];
		const char *words = design_name(r->policy);

		if (r->trace_key != trace || !r->is_default || !strcmp(r->policy, "static") ||
		    !strcmp(r->policy, "rfc") || isnan(r->mem[b].savings_pct))
			continue;
		say(p, "%s", first ? " Of the other designs at their defaults, " : "; ");
		if (words)
			say(p, "%s (%s)", words, r->policy);
		else
			say(p, "%s", r->policy);
		other = range_end(rs, r);
		lo = hi = r->mem[b].savings_pct;
		if (other && !isnan(other->mem[b].savings_pct)) {
			lo = fmin(lo, other->mem[b].savings_pct);
			hi = fmax(hi, other->mem[b].savings_pct);
		}
		if (lo != hi)
			say(p, "%s %.1f%% to %.1f%%", first ? " saves" : "", lo, hi);
		else
			say(p, "%s %.1f%%", first ? " saves" : "", lo);
		if (r->crashes)
			say(p, " but would have crashed %" PRIu64 " time%s", r->crashes,
			    r->crashes == 1 ? "" : "s");
		first = false;
	}
	if (!first)
		say(p, " of the stack memory %s.", basis_words[b]);
}

/*
 * How deep the trace's tasks went: from the per-task depth distribution
 * (every task, class all) and tail (system scope).  Nothing when the trace
 * has no task rows.
 */
static int say_depth(struct para *p, struct ks_store *s, const struct ks_row *r,
		     struct ks_error *err)
{
	struct ks_answer_filter f = { .trace = r->trace_id, .scope = "system" };
	struct ks_answer_rows d = { 0 }, t = { 0 };
	int64_t past4 = 0, past8 = 0;
	const char *comm;
	size_t i;
	int ret;

	ret = ks_store_answer(s, KS_ANSWER_DEPTH, &f, &d, err);
	if (!ret)
		ret = ks_store_answer(s, KS_ANSWER_TAIL, &f, &t, err);
	if (ret || !t.nrows)
		goto out;
	for (i = 0; i < d.nrows; i++) {
		const struct ks_value *cls = ks_answer_at(&d, i, "class");
		int64_t kb = ks_answer_at(&d, i, "bucket_kb")->i;
		int64_t n = ks_answer_at(&d, i, "tasks")->i;

		if (!cls->s || strcmp(cls->s, "all"))
			continue;
		past4 += kb == 0 || kb > 4 ? n : 0;
		past8 += kb == 0 || kb > 8 ? n : 0;
	}
	say(p, " Of the %" PRId64 " tasks seen, ", ks_answer_at(&t, 0, "tasks")->i);
	if (!past4)
		say(p, "none went past 4 KiB of stack");
	else if (!past8)
		say(p, "%" PRId64 " went past 4 KiB of stack and none past 8 KiB", past4);
	else
		say(p, "%" PRId64 " went past 4 KiB of stack and %" PRId64 " past 8 KiB", past4,
		    past8);
	comm = ks_answer_at(&t, 0, "deepest_comm")->s;
	say(p, "; the deepest reached %" PRId64 " bytes (%s), leaving %.1f KiB of its %u KiB "
	    "unused.", ks_answer_at(&t, 0, "hwm_max")->i, comm && *comm ? comm : "unnamed",
	    ks_answer_at(&t, 0, "min_free")->i / 1024.0, r->thread_size / 1024);
out:
	ks_answer_release(&d);
	ks_answer_release(&t);
	return ret;
}

/* One trace's paragraph into @p. */
static int say_trace(struct para *p, struct ks_store *s, const struct ks_rowset *rs,
		     const struct ks_sweep *sw, size_t nsw, int64_t trace, struct ks_error *err)
{
	const struct ks_row *base = default_run(rs, trace, "static");
	const struct ks_row *rfc = default_run(rs, trace, "rfc");
	const struct ks_row *any = rfc ? rfc : base;
	enum ks_basis b[2] = { KS_BASIS_MEAN, KS_BASIS_PEAK };
	size_t nb = 2, i;

	for (i = 0; !any && i < rs->n; i++)
		if (rs->rows[i].trace_key == trace)
			any = &rs->rows[i];
	if (any->synthetic) {
		/* a synthesized machine is a census: its end, as the RFC's figures */
		b[0] = KS_BASIS_END;
		nb = 1;
	}
	say(p, "On this %s (", any->synthetic ? "machine" : "workload");
	say_context(p, any);
	say(p, "), ");
	if (rfc && base)
		say_rfc(p, rfc, b, nb);
	else
		say(p, "no %s run at its defaults is stored to compare with.",
		    base ? "rfc" : "static");
	say_pools(p, sw, nsw, trace);
	if (base)
		say_others(p, rs, trace, b[0]);
	return say_depth(p, s, any, err);
}

/* @text wrapped at ANSWER_WIDTH, control characters shown as '?'. */
static void put_wrapped(FILE *out, const char *text)
{
	size_t col = 0, n;
	const char *w;

	while (*text) {
		while (*text == ' ')
			text++;
		if (!*text)
			break;
		w = text;
		n = strcspn(w, " ");
		if (col && col + 1 + n > ANSWER_WIDTH) {
			fputc('\n', out);
			col = 0;
		} else if (col) {
			fputc(' ', out);
			col++;
		}
		for (text = w; text < w + n; text++)
			fputc((unsigned char)*text < 0x20 || *text == 0x7f ? '?' : *text, out);
		col += n;
	}
	fputc('\n', out);
}

int ks_report_answer(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		     struct ks_error *err)
{
	struct ks_report_opts all = *o;
	struct ks_sweep *sw = NULL;
	struct para p = { 0 };
	struct ks_rowset rs;
	int64_t last = 0;
	long nsw = 0;
	size_t i, done = 0;
	int ret;

	/* static is every saving's baseline and rfc the headline: whatever @o filters */
	all.policy = NULL;
	all.all_runs = false;
	all.traces = KS_TRACES_ALL;
	ret = ks_rows_load(s, &all, &rs, err);
	if (ret)
		return ret;
	nsw = ks_sweeps_find(&rs, &all, &sw);
	if (nsw < 0) {
		ret = ks_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < rs.n && !ret; i++) {
		const struct ks_row *r = &rs.rows[i];

		/* the traces @o shows, in the tables' order */
		if (r->trace_key == last || (o->trace && strcmp(o->trace, r->label) &&
					     strcmp(o->trace, r->trace_id)) ||
		    (o->traces != KS_TRACES_ALL && r->synthetic != (o->traces ==
								     KS_TRACES_SYNTHETIC)))
			continue;
		last = r->trace_key;
		p.f = open_memstream(&p.buf, &p.len);
		if (!p.f) {
			ret = ks_error_set(err, ENOMEM, "out of memory");
			break;
		}
		ret = say_trace(&p, s, &rs, sw, (size_t)nsw, r->trace_key, err);
		if (fclose(p.f) && !ret)
			ret = ks_error_set(err, ENOMEM, "out of memory");
		if (!ret && o->format == KS_FMT_HTML) {
			fputs("<p class=\"answer\">", out);
			ks_tab_html(out, p.buf);
			fputs("</p>\n", out);
		} else if (!ret) {
			fputs(done ? "\n" : "", out);
			put_wrapped(out, p.buf);
		}
		free(p.buf);
		p.buf = NULL;
		done++;
	}
	if (!ret && !done)
		ret = ks_error_set(err, ENODATA, "%s: no runs of trace '%s' stored",
				   ks_store_path(s), o->trace ? o->trace : "");
	if (!ret && (fflush(out) == EOF || ferror(out)))
		ret = ks_error_set(err, EIO, "writing the answer");
out:
	ks_sweeps_free(sw, nsw > 0 ? (size_t)nsw : 0);
	ks_rowset_release(&rs);
	return ret;
}
