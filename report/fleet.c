// SPDX-License-Identifier: MIT
/*
 * The fleet report: what dynamic stacks would save across many machines,
 * with error bars.  Each trace stands for the host it was recorded on; the
 * hosts are grouped (by kernel, architecture or label prefix) and each
 * group gets its hosts and tasks, the shares of its tasks whose lifetime
 * stack high-water mark fits 4, 8 and 16 KiB, the mean saving per host and
 * per live task on the mean basis (time-weighted), and the saving of a fleet
 * of --hosts such machines, every figure with a percentile interval from a
 * bootstrap over the group's hosts (fleet_stats.c).
 *
 * The saving of a host is static's mean stack KiB minus the policy's, both
 * at their defaults (the savings view's regular_kb - dynamic_kb on the
 * mean basis): stacks only, as the RFC counts them; the results table
 * shows the pools beside them.  Per task, a group's saving is divided by
 * its live tasks (the mean number of stacks, static's mean KiB over
 * THREAD_SIZE, summed over its hosts), so that it multiplies back into the
 * group's saving whatever the sizes of its hosts.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleet.h"
#include "tab.h"

void ks_fleet_opts_default(struct ks_fleet_opts *f)
{
	memset(f, 0, sizeof(*f));
	f->seed = KS_FLEET_SEED;
	f->hosts = KS_FLEET_HOSTS;
	f->resamples = KS_FLEET_RESAMPLES;
	f->label_fields = 1;
	f->group = KS_FLEET_NONE;
}

/* @s as a whole decimal number in [@min, @max]. */
static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (!*s || strlen(s) > 20)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		x = 10 * x + (uint64_t)(*s - '0');
	}
	*v = x;
	return x >= min && x <= max;
}

static int parse_group(struct ks_fleet_opts *f, const char *s, struct ks_error *err)
{
	static const char prefix[] = "label-prefix";
	uint64_t n = 1;

	if (!strcmp(s, "none")) {
		f->group = KS_FLEET_NONE;
	} else if (!strcmp(s, "kernel")) {
		f->group = KS_FLEET_KERNEL;
	} else if (!strcmp(s, "arch")) {
		f->group = KS_FLEET_ARCH;
	} else if (!strncmp(s, prefix, sizeof(prefix) - 1) &&
		   (!s[sizeof(prefix) - 1] || (s[sizeof(prefix) - 1] == ':' &&
		    parse_u64(s + sizeof(prefix), 1, KS_FLEET_MAX_FIELDS, &n)))) {
		f->group = KS_FLEET_LABEL;
		f->label_fields = (uint32_t)n;
	} else {
		return ks_error_set(err, KS_E_USAGE, "unknown --group '%s' (none, kernel, arch, "
				    "label-prefix or label-prefix:N, N from 1 to %d)", s,
				    KS_FLEET_MAX_FIELDS);
	}
	return 0;
}

int ks_fleet_opts_set(struct ks_fleet_opts *f, const char *key, const char *value,
		      struct ks_error *err)
{
	uint64_t v;

	if (!strcmp(key, "group"))
		return parse_group(f, value, err);
	if (!strcmp(key, "hosts")) {
		if (!parse_u64(value, 1, KS_FLEET_MAX_HOSTS, &v))
			return ks_error_set(err, KS_E_USAGE, "bad --hosts '%s' (machines in the "
					    "projected fleet, 1 to 10^12)", value);
		f->hosts = v;
	} else if (!strcmp(key, "seed")) {
		if (!parse_u64(value, 0, UINT64_MAX, &v))
			return ks_error_set(err, KS_E_USAGE, "bad --seed '%s' (a decimal number, "
					    "0 to 2^64-1)", value);
		f->seed = v;
	} else if (!strcmp(key, "resamples")) {
		if (!parse_u64(value, KS_FLEET_MIN_RESAMPLES, KS_FLEET_MAX_RESAMPLES, &v))
			return ks_error_set(err, KS_E_USAGE, "bad --resamples '%s' (%d to %d)",
					    value, KS_FLEET_MIN_RESAMPLES,
					    KS_FLEET_MAX_RESAMPLES);
		f->resamples = (uint32_t)v;
	} else {
		return ks_error_set(err, KS_E_USAGE, "no fleet option '%s'", key);
	}
	return 0;
}

void ks_fleet_group_by(const struct ks_fleet_opts *f, char *buf, size_t len)
{
	static const char *const names[] = {
		[KS_FLEET_NONE] = "none", [KS_FLEET_KERNEL] = "kernel", [KS_FLEET_ARCH] = "arch",
	};

	if (f->group == KS_FLEET_LABEL)
		snprintf(buf, len, "label-prefix:%u", f->label_fields);
	else
		snprintf(buf, len, "%s", names[f->group <= KS_FLEET_ARCH ? f->group : 0]);
}

/* 0 separates fields, 1 a letter (or a byte of a UTF-8 sequence), 2 a digit. */
static int char_class(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return 2;
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80)
		return 1;
	return 0;
}

void ks_fleet_label_prefix(const char *label, uint32_t fields, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)label;
	size_t start = 0, end = 0, i, seen = 0;
	int prev = 0;

	for (i = 0; p[i] && seen <= fields; i++) {
		int c = char_class(p[i]);

		if (c && c != prev && ++seen == 1)
			start = i;
		if (c && seen <= fields)
			end = i + 1;
		prev = c;
	}
	if (!seen) {
		snprintf(buf, len, "%s", label);
		return;
	}
	snprintf(buf, len, "%.*s", (int)(end - start), label + start);
}

/* Host @h's group name under @f. */
static void group_of(const struct ks_fleet_opts *f, const struct ks_fleet_host *h, char *buf,
		     size_t len)
{
	switch (f->group) {
	case KS_FLEET_KERNEL:
		snprintf(buf, len, "%s", h->kernel);
		break;
	case KS_FLEET_ARCH:
		snprintf(buf, len, "%s", h->arch);
		break;
	case KS_FLEET_LABEL:
		ks_fleet_label_prefix(h->label, f->label_fields, buf, len);
		break;
	default:
		buf[0] = '\0';
		break;
	}
}

void ks_fleet_release(struct ks_fleet *fl)
{
	size_t i;

	for (i = 0; fl->groups && i < fl->ngroups; i++)
		free(fl->groups[i].fig);
	free(fl->groups);
	free(fl->order);
	free(fl->hosts);
	memset(fl, 0, sizeof(*fl));
}

/* Sorting hosts by group name, then by their index (their trace id). */
struct keyed {
	char name[sizeof(((struct ks_fleet_row *)0)->name)];
	size_t host;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return (x->host > y->host) - (x->host < y->host);
}

/* Ratio @j's numerators and denominators, one per host of group @g. */
#define NUM(g, j) ((g)->fig + 2 * (size_t)(j) * (g)->n)
#define DEN(g, j) ((g)->fig + (2 * (size_t)(j) + 1) * (g)->n)

/* The figures of group @g's hosts, each ratio's num and den, then its bootstrap. */
static int group_compute(struct ks_fleet *fl, struct ks_fleet_row *g, struct ks_error *err)
{
	char by[32], stream[sizeof(g->name) + 40];
	size_t i, j;

	g->fig = calloc(2 * KS_FLEET_NR_RATIOS * (g->n ? g->n : 1), sizeof(*g->fig));
	if (!g->fig)
		return ks_error_set(err, ENOMEM, "out of memory");
	for (j = 0; j < KS_FLEET_NR_RATIOS; j++) {
		g->r[j].num = NUM(g, j);
		g->r[j].den = DEN(g, j);
	}
	for (i = 0; i < g->n; i++) {
		const struct ks_fleet_host *h = &fl->hosts[g->hosts[i]];

		if (h->has_saving) {
			double saved = h->regular_kb - h->dynamic_kb;
			double live = h->thread_size ? h->regular_kb * 1024 / h->thread_size : 0;

			NUM(g, KS_FLEET_PER_HOST)[i] = saved;
			DEN(g, KS_FLEET_PER_HOST)[i] = 1;
			NUM(g, KS_FLEET_PER_TASK)[i] = saved;
			DEN(g, KS_FLEET_PER_TASK)[i] = live;
			g->live += live;
		}
		if (h->has_tasks) {
			for (j = 0; j < 3; j++) {
				NUM(g, KS_FLEET_LE_4K + j)[i] = (double)h->le_kb[j];
				DEN(g, KS_FLEET_LE_4K + j)[i] = (double)h->tasks;
			}
			g->tasks += h->tasks;
		}
		g->crashed += h->has_run && h->crashes > 0;
	}
	/* every group its own stream; the row of every host the same whatever the grouping */
	ks_fleet_group_by(&fl->opts, by, sizeof(by));
	if (g->all)
		snprintf(stream, sizeof(stream), "all");
	else
		snprintf(stream, sizeof(stream), "%s=%s", by, g->name);
	return ks_boot_ratios(g->r, KS_FLEET_NR_RATIOS, g->n, ks_boot_stream(fl->opts.seed, stream),
			      fl->opts.resamples, KS_FLEET_LEVEL, err);
}

/*
 * Group the hosts: by name, and every host's row after them when there are
 * several.  Each group's hosts are a run of fl->order (by name, then trace
 * id); every host's row reads fl->order too, sorted back by trace id.
 */
static int fleet_group(struct ks_fleet *fl, struct ks_error *err)
{
	struct keyed *k;
	size_t i, n = fl->nhosts, ng = 0;

	k = calloc(n, sizeof(*k));
	fl->groups = calloc(n + 1, sizeof(*fl->groups));
	fl->order = calloc(2 * n, sizeof(*fl->order));
	if (!k || !fl->groups || !fl->order) {
		free(k);
		return ks_error_set(err, ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		group_of(&fl->opts, &fl->hosts[i], k[i].name, sizeof(k[i].name));
		k[i].host = i;
	}
	qsort(k, n, sizeof(*k), cmp_keyed);
	for (i = 0; i < n; i++) {
		struct ks_fleet_row *g = &fl->groups[ng];

		if (i && !strcmp(k[i].name, k[i - 1].name)) {
			g = &fl->groups[ng - 1];
		} else {
			snprintf(g->name, sizeof(g->name), "%s", k[i].name);
			g->hosts = fl->order + i;
			ng++;
		}
		fl->order[i] = k[i].host;
		g->n++;
	}
	free(k);
	fl->ngroups = ng;
	if (ng == 1 && fl->opts.group == KS_FLEET_NONE) {
		fl->groups[0].all = true;
	} else if (ng > 1) {
		struct ks_fleet_row *g = &fl->groups[fl->ngroups++];

		g->all = true;
		g->hosts = fl->order + n;
		for (i = 0; i < n; i++)
			g->hosts[g->n++] = i;
	}
	return 0;
}

int ks_fleet_compute(struct ks_store *s, const struct ks_report_opts *o, struct ks_fleet *fl,
		     struct ks_error *err)
{
	size_t i;
	int ret;

	memset(fl, 0, sizeof(*fl));
	fl->policy = o->policy ? o->policy : "rfc";
	if (o->fleet)
		fl->opts = *o->fleet;
	else
		ks_fleet_opts_default(&fl->opts);
	ret = ks_store_fleet_hosts(s, fl->policy, &fl->hosts, &fl->nhosts, err);
	if (ret)
		return ret;
	if (!fl->nhosts)
		return ks_error_set(err, ENODATA, "no traces stored yet");
	for (i = 0; i < fl->nhosts; i++) {
		fl->no_tasks += !fl->hosts[i].has_tasks;
		fl->no_saving += !fl->hosts[i].has_saving;
	}
	ret = fleet_group(fl, err);
	for (i = 0; !ret && i < fl->ngroups; i++)
		ret = group_compute(fl, &fl->groups[i], err);
	return ret;
}

/*
 * Printing.  Text and Markdown: "value [lo, hi]" in one cell; CSV: the
 * value and its bounds in columns of their own, an unknown one empty.
 */

enum { C_GROUP, C_HOSTS, C_TASKS, C_LE4, C_LE8, C_LE16, C_LIVE, C_HOST, C_TASK, C_FLEET,
       C_CRASHED, NR_TEXT_COLS };

static const char *const csv_cols[] = {
	"group_by", "group", "hosts", "task_hosts", "tasks", "le_4k_pct", "le_4k_pct_lo",
	"le_4k_pct_hi", "le_8k_pct", "le_8k_pct_lo", "le_8k_pct_hi", "le_16k_pct",
	"le_16k_pct_lo", "le_16k_pct_hi", "saved_hosts", "live_tasks", "saved_kb_per_host",
	"saved_kb_per_host_lo", "saved_kb_per_host_hi", "saved_kb_per_task",
	"saved_kb_per_task_lo", "saved_kb_per_task_hi", "fleet_hosts", "fleet_saved_kb",
	"fleet_saved_kb_lo", "fleet_saved_kb_hi", "crashed_hosts", "policy", "basis",
	"resamples", "seed", "level", NULL,
};
#define NR_CSV_COLS (sizeof(csv_cols) / sizeof(csv_cols[0]) - 1)

/* "v [lo, hi]" scaled by @k with @prec decimals and @unit after v; "-" without a value. */
static void est_cell(char *buf, const struct ks_boot_ratio *r, double k, int prec,
		     const char *unit)
{
	if (isnan(r->value))
		snprintf(buf, KS_TAB_CELL, "-");
	else if (isnan(r->lo))
		snprintf(buf, KS_TAB_CELL, "%.*f%s", prec, k * r->value, unit);
	else
		snprintf(buf, KS_TAB_CELL, "%.*f%s [%.*f, %.*f]", prec, k * r->value, unit, prec,
			 k * r->lo, prec, k * r->hi);
}

/* Three CSV cells: the value and its bounds scaled by @k; empty when unknown. */
static size_t est_csv(char (*row)[KS_TAB_CELL], size_t c, const struct ks_boot_ratio *r,
		      double k)
{
	const double v[3] = { r->value, r->lo, r->hi };
	size_t i;

	for (i = 0; i < 3; i++, c++)
		if (!isnan(v[i]))
			snprintf(row[c], KS_TAB_CELL, "%.6f", k * v[i]);
	return c;
}

static const char *group_title(const struct ks_fleet_row *g)
{
	if (g->all)
		return "(all hosts)";
	return g->name[0] ? g->name : "(none)";
}

/* The projection's unit: the largest whose figures stay at or above 1. */
static void fleet_unit(const struct ks_fleet *fl, double *div, const char **unit)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double max = 0, hosts = (double)fl->opts.hosts;
	size_t i, u = 0;

	for (i = 0; i < fl->ngroups; i++) {
		const struct ks_boot_ratio *r = &fl->groups[i].r[KS_FLEET_PER_HOST];

		if (!isnan(r->value) && fabs(hosts * r->value) > max)
			max = fabs(hosts * r->value);
	}
	*div = 1;
	while (u + 1 < sizeof(units) / sizeof(units[0]) && max / *div >= 1024) {
		*div *= 1024;
		u++;
	}
	*unit = units[u];
}

static int print_csv(const struct ks_fleet *fl, FILE *out)
{
	struct ks_tab t = { .headers = csv_cols, .ncols = NR_CSV_COLS };
	bool left[NR_CSV_COLS] = { false };
	char by[32];
	size_t i, c;

	t.left = left;
	t.nrows = fl->ngroups;
	t.cells = ks_tab_alloc(t.nrows, t.ncols);
	if (!t.cells)
		return -ENOMEM;
	ks_fleet_group_by(&fl->opts, by, sizeof(by));
	for (i = 0; i < fl->ngroups; i++) {
		const struct ks_fleet_row *g = &fl->groups[i];
		struct ks_boot_ratio proj = g->r[KS_FLEET_PER_HOST];
		char (*row)[KS_TAB_CELL] = t.cells + i * t.ncols;

		c = 0;
		snprintf(row[c++], KS_TAB_CELL, "%s", g->all ? "none" : by);
		snprintf(row[c++], KS_TAB_CELL, "%s", g->all ? "all" : g->name);
		snprintf(row[c++], KS_TAB_CELL, "%zu", g->n);
		snprintf(row[c++], KS_TAB_CELL, "%zu", g->r[KS_FLEET_LE_4K].hosts);
		snprintf(row[c++], KS_TAB_CELL, "%" PRIu64, g->tasks);
		c = est_csv(row, c, &g->r[KS_FLEET_LE_4K], 100);
		c = est_csv(row, c, &g->r[KS_FLEET_LE_8K], 100);
		c = est_csv(row, c, &g->r[KS_FLEET_LE_16K], 100);
		snprintf(row[c++], KS_TAB_CELL, "%zu", g->r[KS_FLEET_PER_HOST].hosts);
		snprintf(row[c++], KS_TAB_CELL, "%.6f", g->live);
		c = est_csv(row, c, &g->r[KS_FLEET_PER_HOST], 1);
		c = est_csv(row, c, &g->r[KS_FLEET_PER_TASK], 1);
		snprintf(row[c++], KS_TAB_CELL, "%" PRIu64, fl->opts.hosts);
		c = est_csv(row, c, &proj, (double)fl->opts.hosts);
		snprintf(row[c++], KS_TAB_CELL, "%zu", g->crashed);
		snprintf(row[c++], KS_TAB_CELL, "%s", fl->policy);
		snprintf(row[c++], KS_TAB_CELL, "mean");
		snprintf(row[c++], KS_TAB_CELL, "%u", fl->opts.resamples);
		snprintf(row[c++], KS_TAB_CELL, "%" PRIu64, fl->opts.seed);
		snprintf(row[c++], KS_TAB_CELL, "%.2f", KS_FLEET_LEVEL);
	}
	ks_tab_print(&t, KS_FMT_CSV, out);
	free(t.cells);
	return 0;
}

static void print_head(const struct ks_fleet *fl, FILE *out)
{
	static const char *const by[] = {
		[KS_FLEET_NONE] = "", [KS_FLEET_KERNEL] = " by kernel",
		[KS_FLEET_ARCH] = " by architecture", [KS_FLEET_LABEL] = " by label prefix",
	};
	size_t groups = fl->ngroups - (fl->ngroups > 1);

	fprintf(out, "Fleet: %zu host%s (a trace each)", fl->nhosts, fl->nhosts == 1 ? "" : "s");
	if (fl->opts.group != KS_FLEET_NONE)
		fprintf(out, " in %zu group%s%s", groups, groups == 1 ? "" : "s",
			by[fl->opts.group]);
	if (fl->opts.group == KS_FLEET_LABEL)
		fprintf(out, " (%u field%s)", fl->opts.label_fields,
			fl->opts.label_fields == 1 ? "" : "s");
	fprintf(out, "; the saving of %s at its defaults against static, on the time-weighted "
		"mean.\n", fl->policy);
	fprintf(out, "[lo, hi]: %.0f%% interval, bootstrap over hosts: %u resamples, seed "
		"%" PRIu64 ".\n\n", 100 * KS_FLEET_LEVEL, fl->opts.resamples, fl->opts.seed);
}

static void print_notes(const struct ks_fleet *fl, FILE *out)
{
	size_t i, crashed = 0, single = 0;

	for (i = 0; i < fl->ngroups; i++) {
		if (fl->groups[i].all && fl->ngroups > 1)
			continue;
		crashed += fl->groups[i].crashed;
		single += fl->groups[i].n == 1;
	}
	fprintf(out, "\nTasks: every task the traces saw (a thread's life); <=4K, <=8K, <=16K: "
		"the share of them whose\nlifetime stack high-water mark fits (a mark never "
		"seen counts as <=4K).\n"
		"Live tasks: the mean number of live tasks (stacks) of each host, summed.\n"
		"Saved/host: static's mean stack KiB minus %s's, the mean over the hosts; "
		"Saved/task: the hosts'\nsaving over their live tasks.  Fleet of %" PRIu64
		" hosts: %" PRIu64 " x Saved/host.\n", fl->policy, fl->opts.hosts,
		fl->opts.hosts);
	fprintf(out, "[lo, hi]: the hosts drawn again with replacement %u times, %.0f%% of "
		"the figures fell in it. If the\ntraced hosts are a fair sample of a group's "
		"machines, its true figure is likely inside; machines\nunlike those traced are "
		"not covered.\n", fl->opts.resamples, 100 * KS_FLEET_LEVEL);
	if (single)
		fprintf(out, "A group of one host has no interval.\n");
	if (fl->no_tasks)
		fprintf(out, "%zu host%s no per-task rows (replayed by an older kstack): left "
			"out of Tasks and the shares.\n", fl->no_tasks,
			fl->no_tasks == 1 ? " has" : "s have");
	if (fl->no_saving)
		fprintf(out, "%zu host%s no run of %s at its defaults with a static run to "
			"compare: left out of the savings\n(replay %s with --policy static "
			"--policy %s).\n", fl->no_saving, fl->no_saving == 1 ? " has" : "s have",
			fl->policy, fl->no_saving == 1 ? "it" : "them", fl->policy);
	if (crashed)
		fprintf(out, "Crashed: hosts whose run had a would-be crash; memory after it is "
			"no saving, yet counted.\n");
}

static int print_table(const struct ks_fleet *fl, enum ks_report_format f, FILE *out)
{
	char head[NR_TEXT_COLS][64];
	const char *headers[NR_TEXT_COLS];
	bool left[NR_TEXT_COLS] = { [C_GROUP] = true };
	struct ks_tab t = { .headers = headers, .left = left, .ncols = NR_TEXT_COLS };
	const char *unit;
	double div;
	size_t i, c;

	fleet_unit(fl, &div, &unit);
	for (c = 0; c < NR_TEXT_COLS; c++)
		headers[c] = head[c];
	snprintf(head[C_GROUP], sizeof(head[0]), "Group");
	snprintf(head[C_HOSTS], sizeof(head[0]), "Hosts");
	snprintf(head[C_TASKS], sizeof(head[0]), "Tasks");
	snprintf(head[C_LE4], sizeof(head[0]), "<=4K");
	snprintf(head[C_LE8], sizeof(head[0]), "<=8K");
	snprintf(head[C_LE16], sizeof(head[0]), "<=16K");
	snprintf(head[C_LIVE], sizeof(head[0]), "Live tasks");
	snprintf(head[C_HOST], sizeof(head[0]), "Saved/host (KiB)");
	snprintf(head[C_TASK], sizeof(head[0]), "Saved/task (KiB)");
	snprintf(head[C_FLEET], sizeof(head[0]), "Fleet of %" PRIu64 " hosts (%s)",
		 fl->opts.hosts, unit);
	snprintf(head[C_CRASHED], sizeof(head[0]), "Crashed");
	t.nrows = fl->ngroups;
	t.cells = ks_tab_alloc(t.nrows, t.ncols);
	if (!t.cells)
		return -ENOMEM;
	for (i = 0; i < fl->ngroups; i++) {
		const struct ks_fleet_row *g = &fl->groups[i];
		char (*row)[KS_TAB_CELL] = t.cells + i * t.ncols;

		snprintf(row[C_GROUP], KS_TAB_CELL, "%s", group_title(g));
		snprintf(row[C_HOSTS], KS_TAB_CELL, "%zu", g->n);
		snprintf(row[C_TASKS], KS_TAB_CELL, "%" PRIu64, g->tasks);
		est_cell(row[C_LE4], &g->r[KS_FLEET_LE_4K], 100, 1, "%");
		est_cell(row[C_LE8], &g->r[KS_FLEET_LE_8K], 100, 1, "%");
		est_cell(row[C_LE16], &g->r[KS_FLEET_LE_16K], 100, 1, "%");
		snprintf(row[C_LIVE], KS_TAB_CELL, "%.1f", g->live);
		est_cell(row[C_HOST], &g->r[KS_FLEET_PER_HOST], 1, 1, "");
		est_cell(row[C_TASK], &g->r[KS_FLEET_PER_TASK], 1, 2, "");
		est_cell(row[C_FLEET], &g->r[KS_FLEET_PER_HOST], (double)fl->opts.hosts / div, 2,
			 "");
		snprintf(row[C_CRASHED], KS_TAB_CELL, "%zu", g->crashed);
	}
	print_head(fl, out);
	ks_tab_print(&t, f, out);
	print_notes(fl, out);
	free(t.cells);
	return 0;
}

int ks_report_fleet(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		    struct ks_error *err)
{
	struct ks_fleet fl;
	int ret;

	if (o->format > KS_FMT_CSV)
		return ks_error_set(err, KS_E_USAGE, "unknown table format %d", (int)o->format);
	ret = ks_fleet_compute(s, o, &fl, err);
	if (!ret)
		ret = o->format == KS_FMT_CSV ? print_csv(&fl, out) : print_table(&fl, o->format,
										   out);
	if (ret == -ENOMEM)
		ks_error_set(err, ENOMEM, "out of memory");
	if (!ret && (fflush(out) == EOF || ferror(out)))
		ret = ks_error_set(err, EIO, "writing the report");
	ks_fleet_release(&fl);
	return ret;
}
