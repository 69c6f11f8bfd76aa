// SPDX-License-Identifier: MIT
/*
 * The HTML report: one self-contained page (no script, no fetch: a
 * Content-Security-Policy says so to the browser too) with the answer in
 * plain words, the traces' headers, every table of the report, the charts
 * inlined as SVG, the method and its caveats, and the kernel threads it
 * answers.
 *
 * The page is a list of sections (html_sections[]), each an entry: its
 * anchor, title, a sentence saying what it answers, what writes its body
 * (a table of report.h printed as HTML, a per-task report, or a writer of
 * its own) and the charts of the registry shown under it.  Adding a table
 * to the page is adding an entry.  The tables are the ones the text report
 * prints, in KS_FMT_HTML: tab.c escapes every cell and every word around
 * them, so a label from a trace is text on the page, never markup.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "html.h"
#include "report.h"
#include "tab.h"

#define HTML_PATH 4096
/* Charts of the registry under one section, at most */
#define HTML_CHARTS 4

struct html_ctx {
	struct ks_store *s;
	struct ks_report_opts o;	/* the caller's, in KS_FMT_HTML */
	const struct ks_html_opts *h;
	char **charts;			/* the charts drawn in h->charts, by name */
	bool *shown;			/* charts[i] is on the page already */
	size_t nr_charts;
	unsigned int nr_svg;		/* images inlined: each its own id prefix */
	FILE *out;
	struct ks_error *err;
};

struct html_section;
typedef int (*html_writer)(struct html_ctx *x, const struct html_section *sec);
typedef int (*html_table)(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
			  struct ks_error *err);

/*
 * @id: its anchor; @title: its heading; @intro: what it answers (may be NULL);
 * @write: writes its body; @table: the table html_report() prints; @task: the
 * report html_tasks() prints; @charts: names of the chart registry shown
 * under it (each chart per trace for every trace), NULL-terminated
 */
struct html_section {
	const char *id;
	const char *title;
	const char *intro;
	html_writer write;
	html_table table;
	enum ks_task_report task;
	const char *const charts[HTML_CHARTS];
};

/* What each chart of the registry shows, under its image. */
static const struct {
	const char *chart;
	const char *caption;
} captions[] = {
	{ "bars", "Today's kernel against rfc, one panel per trace, on every basis, the savings "
		  "printed on the bars; a hatched bar had would-be crashes." },
	{ "pool", "Per policy and failure rate, against the per-CPU pool size: the share of "
		  "seeds with a would-be crash, the median and the most crashes of one seed, and "
		  "the savings with pools counted." },
	{ "fallback", "Global-pool fallback hits and allocation waits against the per-CPU pool "
		      "size." },
	{ "timeline", "Stack memory (stacks, pools and cached stacks) over time, a line per "
		      "policy; a mark where a run would first have oopsed." },
	{ "hwm", "The distribution of the tasks' stack high-water marks, per trace." },
	{ "depth", "Each class's high-water-mark distribution: the tasks alive at the end beside "
		   "those that exited." },
	{ "asleep", "Time asleep weighted by depth (KiB x s), by the depth a task slept at and "
		    "its class." },
	{ "latch", "The delay from a task's first high-water mark to its final one." },
	{ "designs", "Stack memory (stacks, pools and cached stacks) over time under every "
	  "design, in three panels: fixed stacks, the RFC's policies, the reviewers' designs; "
	  "a band where the trace cannot tell which end is right, a mark at a would-be oops." },
};

/* Fixed text of the page: no byte of it comes from a trace. */
static const char page_style[] =
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1b1b1b;"
	"background:#fff;margin:0 auto;padding:1em 2em 3em;max-width:76em}"
	"h1{font-size:1.7em;margin:.4em 0 .1em}h2{font-size:1.3em;margin:1.8em 0 .4em;"
	"border-bottom:1px solid #ccc;padding-bottom:.2em}"
	".sub,.intro,figcaption,footer,.none{color:#555}.sub{margin-top:0}"
	"nav ul{columns:2;padding-left:1.2em;margin:.3em 0}"
	".answer{font-size:1.07em;background:#f3f6fb;border-left:4px solid #1f77b4;"
	"padding:.6em 1em;margin:.6em 0}"
	".rep{white-space:pre-line;font-size:.9em;color:#333}"
	".tw{overflow-x:auto;margin:.2em 0 .6em}"
	"table.t{border-collapse:collapse;white-space:normal;font-size:.95em;"
	"font-variant-numeric:tabular-nums}"
	"table.t th,table.t td{border:1px solid #d4d4d4;padding:.2em .5em;text-align:right;"
	"vertical-align:top}"
	"table.t th{background:#eef1f5;font-weight:600}table.t .l{text-align:left}"
	"table.t tbody tr:nth-child(even){background:#fafafa}"
	"figure{margin:1em 0 1.6em}figure svg{display:block;max-width:100%;height:auto}"
	"figcaption{font-size:.9em;margin-top:.3em}"
	"a{color:#1f5fa8}";

static const char method_html[] =
	"<p>kstack records a workload on a live kernel: every context switch with the "
	"outgoing task's kernel-stack high-water mark (the deepest word its stack ever held, "
	"read by a BPF program) and its depth at the switch, task births and exits, and "
	"kernel-mode page faults. It replays that trace through a model of each policy: "
	"today's fixed stacks (<code>static</code>), the RFC's stacks that start with one page "
	"and grow on fault from a per-CPU pool refilled at context switch (<code>rfc</code>), "
	"its variants and the designs proposed in review, all counted by one engine, so the "
	"figures compare. Memory is taken on three bases: the time-weighted mean and the peak "
	"of a recording, and its end (a census, as the RFC's own figures are); a recording "
	"ends after its workload, at rest, so its mean and peak are the answer.</p>\n"
	"<p>Caveats. A stack's depth is seen when its task leaves a CPU, so growth in between "
	"is dated to that switch. The high-water mark never falls: where a policy gives pages "
	"back and the trace cannot tell which pages one interval touched, the two ends of the "
	"range are replayed, not one guess. Allocation failures are a model (a seeded rate, "
	"replayed under several seeds), not the page allocator under real pressure. The "
	"nanoseconds per event of the costs are placeholders until measured. Events lost while "
	"recording make the figures lower bounds. A recording says nothing of deep paths its "
	"workload did not take.</p>\n";

static const struct {
	const char *href;
	const char *text;
} links[] = {
	{ "https://lore.kernel.org/all/20240311164638.2015063-1-pasha.tatashin@soleen.com/",
	  "[RFC 00/14] Dynamic Kernel Stacks, Pasha Tatashin, March 2024: the RFC and its "
	  "review" },
	{ "https://lore.kernel.org/all/CA+CK2bDothmwdJ86K1LiKWDKdWdYDjg5WCwdbapL9c3Y_Sf+kg@"
	  "mail.gmail.com/", "Expanding the stack at kernel entry instead, Tatashin, March 2024" },
	{ "https://lwn.net/Articles/974367/",
	  "Dynamically sizing the kernel stack, LWN on the LSFMM+BPF session, May 2024" },
	{ "https://lwn.net/Articles/1069627/",
	  "[PATCH v2 00/13] Dynamic Kernel Stacks, David Stevens, April 2026 (LWN)" },
	{ "https://patchew.org/linux/20260424191456.2679717-1-stevensd@google.com/",
	  "The v2 series and its thread (patchew)" },
	{ "https://lkml.iu.edu/2604.3/01645.html",
	  "Dave Hansen's review of v2, with Tatashin's answer, April 2026" },
	{ "https://lkml.iu.edu/hypermail/linux/kernel/2606.2/05785.html",
	  "Hansen's design: map the whole stack, reclaim by the accessed bit, June 2026" },
	{ "https://lkml.iu.edu/hypermail/linux/kernel/2606.2/06467.html",
	  "Thomas Gleixner's review: why reliability cannot be guaranteed, June 2026" },
	{ "https://lkml.iu.edu/2606.2/09991.html",
	  "Gleixner and Zach O'Keefe on the fleet's numbers, June 2026" },
};

/* A note in a section: @text, escaped. */
static void note(struct html_ctx *x, const char *text)
{
	fputs("<p class=\"none\">", x->out);
	ks_tab_html(x->out, text);
	fputs("</p>\n", x->out);
}

static int html_answer(struct html_ctx *x, const struct html_section *sec)
{
	return ks_report_answer(x->s, &x->o, x->out, x->err);
}

/* A value of row @r of @a as text: "" for NULL. */
static void cell_text(char *buf, const struct ks_answer_rows *a, size_t r, const char *col)
{
	const struct ks_value *v = ks_answer_at(a, r, col);

	if (v->null)
		buf[0] = '\0';
	else if (v->s)
		snprintf(buf, KS_TAB_CELL, "%s", v->s);
	else
		snprintf(buf, KS_TAB_CELL, "%" PRId64, v->i);
}

/* The traces' headers: where, what and how each was recorded. */
static int html_traces(struct html_ctx *x, const struct html_section *sec)
{
	static const char *const headers[] = {
		"Trace", "Host", "Kernel", "Arch", "CPUs", "RAM (GiB)", "Page, stack (KiB)",
		"Length (s)", "Events", "Lost events", "Stack depths", "Recorded by", "Command",
	};
	static const bool left[] = { true, true, true, true, false, false, false, false, false,
				     false, true, true, true };
	enum { NCOLS = sizeof(headers) / sizeof(headers[0]) };
	struct ks_answer_filter f = { 0 };
	struct ks_tab t = { .headers = headers, .left = left, .ncols = NCOLS };
	struct ks_answer_rows a;
	char (*c)[KS_TAB_CELL];
	int64_t lost, ram;
	size_t r, k;
	int ret;

	ret = ks_store_answer(x->s, KS_ANSWER_TRACE_INFO, &f, &a, x->err);
	if (ret)
		goto out;
	t.nrows = a.nrows;
	t.cells = ks_tab_alloc(a.nrows, NCOLS);
	if (!t.cells) {
		ret = ks_error_set(x->err, ENOMEM, "out of memory");
		goto out;
	}
	for (r = 0; r < a.nrows; r++) {
		c = t.cells + r * NCOLS;
		cell_text(c[0], &a, r, "trace");
		cell_text(c[1], &a, r, "host");
		cell_text(c[2], &a, r, "kernel");
		cell_text(c[3], &a, r, "arch");
		cell_text(c[4], &a, r, "ncpus");
		ram = ks_answer_at(&a, r, "ram_kb")->i;
		if (ram > 0)
			snprintf(c[5], KS_TAB_CELL, "%.1f", ram / 1048576.0);
		else
			snprintf(c[5], KS_TAB_CELL, "unknown");
		snprintf(c[6], KS_TAB_CELL, "%" PRId64 ", %" PRId64,
			 ks_answer_at(&a, r, "page_size")->i / 1024,
			 ks_answer_at(&a, r, "thread_size")->i / 1024);
		snprintf(c[7], KS_TAB_CELL, "%.2f", ks_answer_at(&a, r, "duration_ns")->i / 1e9);
		cell_text(c[8], &a, r, "nr_events");
		lost = ks_answer_at(&a, r, "lost_events")->i;
		snprintf(c[9], KS_TAB_CELL, lost ? "%" PRId64 ": figures are lower bounds" :
			 "%" PRId64, lost);
		cell_text(c[10], &a, r, "depth");
		cell_text(c[11], &a, r, "collector");
		if (ks_answer_at(&a, r, "truncated")->i)
			snprintf(c[11] + strlen(c[11]), KS_TAB_CELL - strlen(c[11]),
				 " (interrupted)");
		cell_text(c[12], &a, r, "options");
	}
	ks_tab_print(&t, KS_FMT_HTML, x->out);
	/* what each kind of depth shown means, once */
	fputs("<p class=\"none\">", x->out);
	for (r = 0; r < a.nrows; r++) {
		for (k = 0; k < r; k++)
			if (!strcmp(t.cells[k * NCOLS + 10], t.cells[r * NCOLS + 10]))
				break;
		if (k < r)
			continue;
		ks_tab_note(x->out, KS_FMT_HTML, "%sStack depths %s: %s.", r ? " " : "",
			    t.cells[r * NCOLS + 10], ks_answer_at(&a, r, "depth_meaning")->s);
	}
	fputs("</p>\n", x->out);
	if (ferror(x->out))
		ret = ks_error_set(x->err, EIO, "writing the page");
out:
	free(t.cells);
	ks_answer_release(&a);
	return ret;
}

/* A table of report.h in HTML; a table without data says why. */
static int html_report(struct html_ctx *x, const struct html_section *sec)
{
	int ret;

	fputs("<div class=\"rep\">", x->out);
	ret = sec->table(x->s, &x->o, x->out, x->err);
	fputs("</div>\n", x->out);
	if (ret == -ENODATA) {
		note(x, x->err->detail);
		ret = 0;
	}
	return ret;
}

/* A per-task report, for every trace (or o.trace) and scope. */
static int html_tasks(struct html_ctx *x, const struct html_section *sec)
{
	struct ks_task_opts to;
	int ret;

	ks_task_opts_default(&to);
	fputs("<div class=\"rep\">", x->out);
	ret = ks_report_tasks(x->s, &x->o, &to, sec->task, x->out, x->err);
	fputs("</div>\n", x->out);
	if (ret == -ENODATA) {
		note(x, x->err->detail);
		ret = 0;
	}
	return ret;
}

static int html_method(struct html_ctx *x, const struct html_section *sec)
{
	fputs(method_html, x->out);
	return 0;
}

static int html_links(struct html_ctx *x, const struct html_section *sec)
{
	size_t i;

	fputs("<ul>\n", x->out);
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		fputs("<li><a href=\"", x->out);
		ks_tab_html(x->out, links[i].href);
		fputs("\">", x->out);
		ks_tab_html(x->out, links[i].text);
		fputs("</a></li>\n", x->out);
	}
	fputs("</ul>\n", x->out);
	return 0;
}

/* The charts drawn but not shown under any section. */
static int html_more(struct html_ctx *x, const struct html_section *sec);

static const struct html_section html_sections[] = {
	{ .id = "answer", .title = "The answer", .write = html_answer,
	  .intro = "In plain words, from the tables below: what the RFC's dynamic stacks save "
		   "against today's kernel, from which per-CPU pool they did not crash, what "
		   "the other designs save, and how deep the tasks went." },
	{ .id = "traces", .title = "The traces", .write = html_traces,
	  .intro = "Where and how each trace was recorded (or synthesized)." },
	{ .id = "results", .title = "Every policy at its defaults", .write = html_report,
	  .table = ks_report_table, .charts = { "bars", "timeline" },
	  .intro = "Regular is today's kernel (the trace's static run) on the same basis, "
		   "Dynamic the pages mapped to stacks under the policy, Pool the per-CPU pools, "
		   "cached stacks and reserves the RFC's figures leave out; Savings+pool counts "
		   "each side's. A figure marked ! comes from a run with would-be crashes: no "
		   "saving." },
	{ .id = "designs", .title = "Every design at its defaults", .write = html_report,
	  .table = ks_report_designs, .charts = { "designs" },
	  .intro = "Today's kernel, its smaller fixed stacks, the RFC's policies and the designs "
		   "proposed in review, each at its defaults: memory, savings and the events "
		   "each costs per second. A design the trace cannot pin down is a range, "
		   "lower..higher; a design not replayed is named (kstack replay --designs)." },
	{ .id = "pools", .title = "Minimum safe pool", .write = html_report,
	  .table = ks_report_min_pool, .charts = { "pool", "fallback" },
	  .intro = "For each pool-size sweep and failure rate: how many seeds had a would-be "
		   "crash at each per-CPU pool size, and the smallest pool from which none did." },
	{ .id = "costs", .title = "Costs", .write = html_report, .table = ks_report_costs,
	  .intro = "Events per second of trace and their price in CPU time." },
	{ .id = "depth", .title = "How deep do tasks go?", .write = html_tasks,
	  .task = KS_TASKS_DEPTH, .charts = { "hwm", "depth" },
	  .intro = "Tasks by the bucket of their lifetime stack high-water mark, counting "
		   "those alive at the end, which the kernel's own counters miss." },
	{ .id = "who", .title = "Which process went deep?", .write = html_tasks,
	  .task = KS_TASKS_ATTRIBUTION,
	  .intro = "The names and processes whose tasks went past 4 KiB and 8 KiB." },
	{ .id = "latch", .title = "Does a task go deeper later?", .write = html_tasks,
	  .task = KS_TASKS_LATCH, .charts = { "latch" },
	  .intro = "Whether a rule that keeps a page once touched is caught out by tasks "
		   "whose stack grows late in their life." },
	{ .id = "asleep", .title = "How deep do tasks sleep?", .write = html_tasks,
	  .task = KS_TASKS_ASLEEP, .charts = { "asleep" },
	  .intro = "What a design that reclaims below the saved stack pointer of a sleeping "
		   "task could take back." },
	{ .id = "tail", .title = "How close did the tail come?", .write = html_tasks,
	  .task = KS_TASKS_TAIL,
	  .intro = "The deepest stacks, and the tasks a smaller static stack would not hold." },
	{ .id = "census", .title = "How many tasks of which kind?", .write = html_tasks,
	  .task = KS_TASKS_CENSUS,
	  .intro = "Tasks by class, and their stacks as a share of RAM." },
	{ .id = "charts", .title = "More charts", .write = html_more },
	{ .id = "method", .title = "Method and caveats", .write = html_method },
	{ .id = "threads", .title = "The kernel threads", .write = html_links,
	  .intro = "The patches and the review this report answers." },
};
#define NR_SECTIONS (sizeof(html_sections) / sizeof(html_sections[0]))

static const char *caption_of(const char *chart)
{
	size_t i;

	for (i = 0; i < sizeof(captions) / sizeof(captions[0]); i++)
		if (!strcmp(captions[i].chart, chart))
			return captions[i].caption;
	return NULL;
}

/* Chart @i of the drawn ones, inlined with its caption; a chart that was not drawn, nothing. */
static int html_figure(struct html_ctx *x, size_t i, const char *chart)
{
	const char *caption = caption_of(chart);
	char path[HTML_PATH], prefix[24];
	struct stat sb;
	int ret;

	x->shown[i] = true;
	if (snprintf(path, sizeof(path), "%s/%s.svg", x->h->charts, x->charts[i]) >=
	    (int)sizeof(path))
		return ks_error_set(x->err, ENAMETOOLONG, "%s: path too long", x->h->charts);
	if (stat(path, &sb))
		return 0;
	snprintf(prefix, sizeof(prefix), "c%u-", ++x->nr_svg);
	fputs("<figure>\n", x->out);
	ret = html_svg(x->out, path, prefix, x->err);
	if (ret == -KS_E_IO) {
		note(x, x->err->detail);
		ret = 0;
	}
	fputs("\n<figcaption>", x->out);
	ks_tab_html(x->out, x->charts[i]);
	if (caption) {
		fputs(": ", x->out);
		ks_tab_html(x->out, caption);
	}
	fputs("</figcaption></figure>\n", x->out);
	return ret;
}

/* Drawn chart @file is one of registry chart @chart: "bars", or "pool-SLUG" per trace. */
static bool chart_is(const char *file, const char *chart)
{
	size_t n = strlen(chart), k;
	bool per_trace = false;
	const char *name;

	for (k = 0; (name = ks_report_chart(k, &per_trace)); k++)
		if (!strcmp(name, chart))
			break;
	return name && !strncmp(file, chart, n) &&
	       (file[n] == '\0' || (per_trace && file[n] == '-'));
}

/* Every drawn chart of registry chart @chart (each trace's, for a chart per trace). */
static int html_charts_of(struct html_ctx *x, const char *chart)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < x->nr_charts && !ret; i++)
		if (!x->shown[i] && chart_is(x->charts[i], chart))
			ret = html_figure(x, i, chart);
	return ret;
}

/* Registry chart @chart is shown under a section of its own. */
static bool chart_claimed(const char *chart)
{
	size_t i, k;

	for (i = 0; i < NR_SECTIONS; i++)
		for (k = 0; k < HTML_CHARTS && html_sections[i].charts[k]; k++)
			if (!strcmp(html_sections[i].charts[k], chart))
				return true;
	return false;
}

/* The charts of the registry no section shows (a chart added to it shows up here). */
static int html_more(struct html_ctx *x, const struct html_section *sec)
{
	const char *name;
	size_t k;
	int ret = 0;

	for (k = 0; (name = ks_report_chart(k, NULL)) && !ret; k++)
		if (!chart_claimed(name))
			ret = html_charts_of(x, name);
	return ret;
}

/* Whether a section has anything to show: "More charts" only when a drawn one is left. */
static bool section_shown(const struct html_ctx *x, const struct html_section *sec)
{
	const char *name;
	size_t i, k;

	if (sec->write != html_more)
		return true;
	for (k = 0; (name = ks_report_chart(k, NULL)); k++)
		for (i = 0; i < x->nr_charts && !chart_claimed(name); i++)
			if (chart_is(x->charts[i], name))
				return true;
	return false;
}

/* The page's head and title: the traces' labels. */
static int html_head(struct html_ctx *x)
{
	struct ks_answer_filter f = { 0 };
	struct ks_answer_rows a;
	size_t r, i;
	int ret;

	ret = ks_store_answer(x->s, KS_ANSWER_TRACE_INFO, &f, &a, x->err);
	if (ret) {
		ks_answer_release(&a);
		return ret;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>kstack: ", x->out);
	for (r = 0; r < a.nrows && r < 4; r++) {
		fputs(r ? ", " : "", x->out);
		ks_tab_html(x->out, ks_answer_at(&a, r, "trace")->s);
	}
	fputs(a.nrows > 4 ? ", ...</title>\n" : "</title>\n", x->out);
	fprintf(x->out, "<style>%s</style>\n</head>\n<body>\n", page_style);
	fputs("<h1>What would dynamic kernel stacks save?</h1>\n<p class=\"sub\">", x->out);
	ks_tab_note(x->out, KS_FMT_HTML, "%zu trace%s, from %s: ", a.nrows,
		    a.nrows == 1 ? "" : "s", ks_store_path(x->s));
	for (r = 0; r < a.nrows; r++) {
		fputs(r ? ", " : "", x->out);
		ks_tab_html(x->out, ks_answer_at(&a, r, "trace")->s);
	}
	fputs("</p>\n<nav><ul>\n", x->out);
	for (i = 0; i < NR_SECTIONS; i++) {
		if (!section_shown(x, &html_sections[i]))
			continue;
		fprintf(x->out, "<li><a href=\"#%s\">", html_sections[i].id);
		ks_tab_html(x->out, html_sections[i].title);
		fputs("</a></li>\n", x->out);
	}
	fputs("</ul></nav>\n", x->out);
	ks_answer_release(&a);
	return 0;
}

/* The charts drawn into h->charts (NAME.gp written; NAME.svg if gnuplot drew it). */
static int html_list_charts(struct html_ctx *x)
{
	char path[HTML_PATH];
	struct stat sb;
	size_t i, svg = 0;
	int ret;

	if (!x->h->charts)
		return 0;
	ret = ks_report_chart_list(x->h->charts, &x->charts);
	if (ret)
		return ks_error_set(x->err, -ret, "%s: %s", x->h->charts, strerror(-ret));
	while (x->charts[x->nr_charts])
		x->nr_charts++;
	x->shown = calloc(x->nr_charts + 1, sizeof(*x->shown));
	if (!x->shown)
		return ks_error_set(x->err, ENOMEM, "out of memory");
	for (i = 0; i < x->nr_charts; i++) {
		snprintf(path, sizeof(path), "%s/%s.svg", x->h->charts, x->charts[i]);
		svg += !stat(path, &sb);
	}
	/* gnuplot was not there: no image to show, and a section saying so would be noise */
	if (x->nr_charts && !svg)
		x->nr_charts = 0;
	return 0;
}

int ks_report_html(struct ks_store *s, const struct ks_report_opts *o,
		   const struct ks_html_opts *h, FILE *out, struct ks_error *err)
{
	struct html_ctx x = { .s = s, .o = *o, .h = h, .out = out, .err = err };
	const struct html_section *sec;
	size_t i, k;
	int ret;

	x.o.format = KS_FMT_HTML;
	ret = html_list_charts(&x);
	if (!ret)
		ret = html_head(&x);
	if (!ret && h->charts && !x.nr_charts)
		note(&x, "No charts: gnuplot was not found when they were drawn.");
	for (i = 0; i < NR_SECTIONS && !ret; i++) {
		sec = &html_sections[i];
		if (!section_shown(&x, sec))
			continue;
		fprintf(out, "<section id=\"%s\">\n<h2>", sec->id);
		ks_tab_html(out, sec->title);
		fputs("</h2>\n", out);
		if (sec->intro) {
			fputs("<p class=\"intro\">", out);
			ks_tab_html(out, sec->intro);
			fputs("</p>\n", out);
		}
		ret = sec->write(&x, sec);
		for (k = 0; k < HTML_CHARTS && sec->charts[k] && !ret; k++)
			ret = html_charts_of(&x, sec->charts[k]);
		fputs("</section>\n", out);
	}
	if (!ret) {
		fputs("<footer><p>", out);
		ks_tab_html(out, h->generator ? h->generator : "kstack");
		fputs(": <a href=\"#method\">how the figures are made</a>.</p></footer>\n"
		      "</body>\n</html>\n", out);
	}
	if (!ret && (fflush(out) == EOF || ferror(out)))
		ret = ks_error_set(err, EIO, "writing the page");
	ks_report_chart_list_free(x.charts);
	free(x.shown);
	return ret;
}
