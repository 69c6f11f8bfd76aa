/* SPDX-License-Identifier: MIT */
/*
 * What the charts share (report/ only): the context a chart is drawn in,
 * the helpers every chart writer uses (charts_lib.c: the label sanitiser,
 * file helpers, the script writer), and the charts themselves, which
 * charts.c lists in its registry.  No label from a trace is pasted into a
 * script: titles and keys are read by gnuplot from the data files, which
 * hold sanitised copies; a script names its files, whose names carry a
 * trace's slug (lowercase letters, digits and dashes only).
 */
#ifndef KS_CHARTS_H
#define KS_CHARTS_H

#include <stdbool.h>
#include <stdio.h>

#include "report.h"
#include "rows.h"

#define KS_CHART_PATH 4096
#define KS_CHART_TITLE 256
/* Series that no two look alike (colour, dash, point); more repeat all three. */
#define CHART_LINETYPES 24

/*
 * A trace as the charts name it: a file-name part and a display title,
 * both unique among the traces of the report.
 */
struct chart_trace {
	int64_t key;			/* traces.key */
	char slug[64];			/* lowercase, digits, dashes: "amd-rome-128cpus" */
	char title[KS_CHART_TITLE];	/* sanitised label and CPUs: "AMD Rome (128 CPUs)" */
};

struct chart_ctx {
	struct ks_store *s;
	struct ks_rowset *rs;
	const struct ks_report_opts *o;
	const char *dir;
	struct ks_error *err;
	char **scripts;		/* base names of the scripts written, to draw */
	size_t nr_scripts;
	struct chart_trace *traces;	/* every trace of @rs, in its order, then task-only ones */
	size_t ntraces;
};

/** chart_sanitize() - @src fit for a tab-separated data file and noenhanced text */
void chart_sanitize(char *dst, size_t len, const char *src);
/**
 * chart_traces_init() - name every trace of @x->rs, then every other trace
 * with task rows, for the charts (@x->traces): the label's letters and
 * digits, lowercase, joined by dashes, with the CPU count and then a number
 * added while two traces would share a name.
 * Return: 0 or a negative code (@x->err set).
 */
int chart_traces_init(struct chart_ctx *x);
/**
 * chart_trace_of() - the chart names of trace @key (never NULL for a trace of
 * @x->rs or with task rows)
 */
const struct chart_trace *chart_trace_of(const struct chart_ctx *x, int64_t key);
/** chart_path() - @x->dir/NAME into @buf (KS_CHART_PATH bytes) */
int chart_path(struct chart_ctx *x, char *buf, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** chart_open() - open @x->dir/NAME for writing; NULL with @x->err set */
FILE *chart_open(struct chart_ctx *x, char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** chart_close() - close @f, reporting a failed write of @path */
int chart_close(struct chart_ctx *x, FILE *f, const char *path);
/**
 * chart_script() - write NAME.gp: @body drawn once to NAME.png, once to
 * NAME.svg, both at @w x @h pixels; NAME is remembered for drawing
 */
int chart_script(struct chart_ctx *x, const char *name, int w, int h, const char *body);

/**
 * struct chart - one entry of the registry of charts (charts.c)
 * @name: base name of its files
 * @per_trace: one image per trace, NAME-SLUG (chart_trace), or one image, NAME
 * @fleet: drawn with the fleet report (ks_report_opts.fleet), and only such
 *	charts are then
 * @draw: write its data files and script into @x->dir (nothing when it has
 *	no data); return 0 or a negative code with @x->err set
 */
struct chart {
	const char *name;
	int (*draw)(struct chart_ctx *x);
	bool per_trace;
	bool fleet;
};

/* The charts (charts_memory.c, charts_sweep.c), drawn by charts.c's registry. */
int chart_bars(struct chart_ctx *x);
int chart_pool(struct chart_ctx *x);
int chart_fallback(struct chart_ctx *x);
int chart_timeline(struct chart_ctx *x);
int chart_hwm(struct chart_ctx *x);

/* The per-task charts (charts_tasks.c), from the per-task answers. */
int chart_depth(struct chart_ctx *x);
int chart_asleep(struct chart_ctx *x);
int chart_latch(struct chart_ctx *x);

/* Every design of the designs table over time, per trace (charts_designs.c). */
int chart_designs(struct chart_ctx *x);

/* The fleet chart (charts_fleet.c), when the fleet report is asked for. */
int chart_fleet(struct chart_ctx *x);

#endif
