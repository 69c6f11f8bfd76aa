// SPDX-License-Identifier: MIT
/*
 * The per-task answers, read from the views of data/schema.sql (store.h
 * "ks_store_answer"): one query per answer, selecting a trace (by label
 * or id), a scope and, for the latch, a minimum life, and ordering rows as
 * the reports print them.  What leaves is values with column names.
 *
 * The latch's query is the view `latch` with the minimum life as a
 * parameter (the view fixes it at 1 s) and the delay distribution of
 * `latch_delay` as columns; tests/report checks that the two agree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* ?1 the trace (label or id), ?2 the scope, NULL for all */
#define FILTER(x)								\
	" WHERE (?1 IS NULL OR t.label = ?1 OR t.id = ?1) AND (?2 IS NULL OR " x ".scope = ?2)"
#define SCOPE_ORD(x)								\
	" CASE " x ".scope WHEN 'system' THEN 0 WHEN 'workload' THEN 1 ELSE 2 END"
#define TRACE_COLS " t.label AS trace, t.id AS trace_id, t.truncated,"

static const char traces_sql[] =
	"SELECT t.key AS trace_key," TRACE_COLS " t.ncpus, t.thread_size, t.page_size, "
	"t.depth_source, t.ram_kb, t.lost_events, p.workload_pid, p.tasks "
	"FROM task_traces p JOIN traces t ON t.key = p.trace "
	"WHERE (?1 IS NULL OR t.label = ?1 OR t.id = ?1) ORDER BY t.key";

static const char depth_sql[] =
	"SELECT" TRACE_COLS " x.scope, x.class, x.bucket_kb, x.tasks, x.alive_end, x.exited, "
	"x.exit_scan, t.thread_size FROM depth_distribution x JOIN traces t ON t.key = x.trace "
	"JOIN task_classes c ON c.class = x.class" FILTER("x")
	" ORDER BY x.trace," SCOPE_ORD("x") ", c.ord, x.bucket_kb = 0, x.bucket_kb";

static const char asleep_sql[] =
	"SELECT" TRACE_COLS " x.scope, x.class, x.bucket_kb, x.asleep_s, x.kib_s, m.tasks, "
	"m.asleep_s AS class_asleep_s, m.kib_s AS class_kib_s, m.mean_kib, t.thread_size "
	"FROM asleep_depth x JOIN asleep_mean m ON m.trace = x.trace AND m.scope = x.scope "
	"AND m.class = x.class JOIN traces t ON t.key = x.trace "
	"JOIN task_classes c ON c.class = x.class" FILTER("x")
	" ORDER BY x.trace," SCOPE_ORD("x") ", c.ord, x.bucket_kb = 0, x.bucket_kb";

/* the view latch with ?3 for its 1 s, and latch_delay's decades as columns */
static const char latch_sql[] =
	"SELECT" TRACE_COLS " p.scope, coalesce(g.tasks, 0) AS tasks, "
	"coalesce(g.rose, 0) AS rose, coalesce(g.rose_after_1s, 0) AS rose_after_1s, "
	"coalesce(g.rises_after_1s, 0) AS rises_after_1s, "
	"coalesce(g.rose_after_10pct, 0) AS rose_after_10pct, coalesce(g.pages, 0) AS pages, "
	"coalesce(g.pages_late_1s, 0) AS pages_late_1s, "
	"coalesce(g.pages_late_10pct, 0) AS pages_late_10pct, "
	"coalesce(g.delay_none, 0) AS delay_none, coalesce(g.delay_1ms, 0) AS delay_le_1ms, "
	"coalesce(g.delay_10ms, 0) AS delay_le_10ms, coalesce(g.delay_100ms, 0) AS delay_le_100ms, "
	"coalesce(g.delay_1s, 0) AS delay_le_1s, coalesce(g.delay_10s, 0) AS delay_le_10s, "
	"coalesce(g.delay_100s, 0) AS delay_le_100s, coalesce(g.delay_more, 0) AS delay_gt_100s "
	"FROM (SELECT DISTINCT trace, scope FROM task_scopes) p JOIN traces t ON t.key = p.trace "
	"LEFT JOIN (SELECT trace, scope, count(*) AS tasks, sum(rises > 0) AS rose, "
	"sum(late_1s) AS rose_after_1s, sum(rises_late) AS rises_after_1s, "
	"sum(late_10pct) AS rose_after_10pct, sum(pages) AS pages, "
	"sum(pages_late_1s) AS pages_late_1s, sum(pages_late_10pct) AS pages_late_10pct, "
	"sum(delay_ns = 0) AS delay_none, "
	"sum(delay_ns > 0 AND delay_ns <= 1000000) AS delay_1ms, "
	"sum(delay_ns > 1000000 AND delay_ns <= 10000000) AS delay_10ms, "
	"sum(delay_ns > 10000000 AND delay_ns <= 100000000) AS delay_100ms, "
	"sum(delay_ns > 100000000 AND delay_ns <= 1000000000) AS delay_1s, "
	"sum(delay_ns > 1000000000 AND delay_ns <= 10000000000) AS delay_10s, "
	"sum(delay_ns > 10000000000 AND delay_ns <= 100000000000) AS delay_100s, "
	"sum(delay_ns > 100000000000) AS delay_more "
	"FROM task_latch WHERE life_ns >= ?3 GROUP BY trace, scope) g "
	"ON g.trace = p.trace AND g.scope = p.scope" FILTER("p")
	" ORDER BY p.trace," SCOPE_ORD("p");

static const char latch_tasks_sql[] =
	"SELECT" TRACE_COLS " x.trace AS trace_key, x.scope, x.delay_ns, x.life_ns "
	"FROM task_latch x JOIN traces t ON t.key = x.trace" FILTER("x")
	" AND x.life_ns >= ?3 ORDER BY x.trace," SCOPE_ORD("x") ", x.delay_ns";

static const char attribution_sql[] =
	"SELECT" TRACE_COLS " x.scope, x.comm, x.tgid, x.tasks, x.past_4k, x.past_8k, "
	"x.excursions_4k, x.excursions_8k, x.pages_above_4k, x.hwm_max "
	"FROM attribution x JOIN traces t ON t.key = x.trace" FILTER("x")
	" ORDER BY x.trace," SCOPE_ORD("x") ", x.pages_above_4k DESC, x.past_4k DESC, "
	"x.hwm_max DESC, x.comm, x.tgid";

static const char attribution_comm_sql[] =
	"SELECT" TRACE_COLS " x.scope, x.comm, x.processes, x.tasks, x.past_4k, x.past_8k, "
	"x.excursions_4k, x.excursions_8k, x.pages_above_4k, x.hwm_max "
	"FROM attribution_comm x JOIN traces t ON t.key = x.trace" FILTER("x")
	" ORDER BY x.trace," SCOPE_ORD("x") ", x.pages_above_4k DESC, x.past_4k DESC, "
	"x.hwm_max DESC, x.comm";

static const char tail_sql[] =
	"SELECT" TRACE_COLS " x.scope, x.tasks, x.ge_8k, x.ge_12k, x.ge_14k, x.over_8k, "
	"x.over_12k, x.hwm_max, x.min_free, x.deepest_comm, x.deepest_tid, t.thread_size "
	"FROM tail x JOIN traces t ON t.key = x.trace" FILTER("x")
	" ORDER BY x.trace," SCOPE_ORD("x");

static const char overflow_sql[] =
	"SELECT" TRACE_COLS " x.scope, x.tid, x.tgid, x.comm, x.class, x.hwm_final AS hwm, "
	"x.over_12k, x.free FROM tail_overflow x JOIN traces t ON t.key = x.trace" FILTER("x")
	" ORDER BY x.trace," SCOPE_ORD("x") ", x.hwm_final DESC, x.seq";

static const char census_sql[] =
	"SELECT" TRACE_COLS " x.scope, x.class, x.tasks, x.alive_start, x.alive_end, x.born, "
	"x.died, x.stack_kb_start, x.stack_kb_end, x.stack_pct_ram, t.ram_kb "
	"FROM census x JOIN traces t ON t.key = x.trace "
	"JOIN task_classes c ON c.class = x.class" FILTER("x")
	" ORDER BY x.trace," SCOPE_ORD("x") ", c.ord";

/*
 * every trace (with runs or task rows or not), its header and depth source;
 * a truncated trace has no end in its header: its runs say how far it went
 */
static const char trace_info_sql[] =
	"SELECT t.key AS trace_key," TRACE_COLS " t.host, t.kernel, t.arch, t.collector, "
	"t.options, t.clock, t.ncpus, t.page_size, t.thread_size, d.name AS depth, "
	"d.meaning AS depth_meaning, t.ram_kb, t.nr_events, t.lost_events, p.workload_pid, "
	"coalesce(CASE WHEN t.end_ns > t.start_ns THEN t.end_ns - t.start_ns END, "
	"(SELECT max(r.end_ns) - t.start_ns FROM runs r WHERE r.trace = t.key), 0) "
	"AS duration_ns FROM traces t JOIN depth_sources d ON d.code = t.depth_source "
	"LEFT JOIN task_traces p ON p.trace = t.key "
	"WHERE (?1 IS NULL OR t.label = ?1 OR t.id = ?1) ORDER BY t.key";

static const char *const answer_sql[] = {
	[KS_ANSWER_TRACES] = traces_sql,
	[KS_ANSWER_DEPTH] = depth_sql,
	[KS_ANSWER_ASLEEP] = asleep_sql,
	[KS_ANSWER_LATCH] = latch_sql,
	[KS_ANSWER_LATCH_TASKS] = latch_tasks_sql,
	[KS_ANSWER_ATTRIBUTION] = attribution_sql,
	[KS_ANSWER_ATTRIBUTION_COMM] = attribution_comm_sql,
	[KS_ANSWER_TAIL] = tail_sql,
	[KS_ANSWER_OVERFLOW] = overflow_sql,
	[KS_ANSWER_CENSUS] = census_sql,
	[KS_ANSWER_TRACE_INFO] = trace_info_sql,
};

void ks_answer_release(struct ks_answer_rows *a)
{
	size_t i;

	for (i = 0; a->v && i < a->ncols * a->nrows; i++)
		free(a->v[i].s);
	for (i = 0; a->names && i < a->ncols; i++)
		free(a->names[i]);
	free(a->v);
	free(a->names);
	memset(a, 0, sizeof(*a));
}

int ks_answer_col(const struct ks_answer_rows *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->ncols; i++)
		if (!strcmp(a->names[i], name))
			return (int)i;
	return -1;
}

const struct ks_value *ks_answer_at(const struct ks_answer_rows *a, size_t row,
				    const char *name)
{
	static const struct ks_value none = { .null = true };
	int c = ks_answer_col(a, name);

	if (c < 0 || row >= a->nrows)
		return &none;
	return &a->v[row * a->ncols + (size_t)c];
}

/* One row of @st into @a; the arrays grow by doubling. */
static int take_row(struct ks_answer_rows *a, sqlite3_stmt *st, size_t *cap)
{
	struct ks_value *v, *tmp;
	const unsigned char *txt;
	size_t c;

	if (a->nrows == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		tmp = realloc(a->v, *cap * a->ncols * sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		a->v = tmp;
	}
	v = a->v + a->nrows * a->ncols;
	memset(v, 0, a->ncols * sizeof(*v));
	a->nrows++;
	for (c = 0; c < a->ncols; c++) {
		switch (sqlite3_column_type(st, (int)c)) {
		case SQLITE_NULL:
			v[c].null = true;
			break;
		case SQLITE_INTEGER:
			v[c].i = sqlite3_column_int64(st, (int)c);
			v[c].d = (double)v[c].i;
			break;
		case SQLITE_FLOAT:
			v[c].d = sqlite3_column_double(st, (int)c);
			v[c].i = (int64_t)v[c].d;
			break;
		default:
			txt = sqlite3_column_text(st, (int)c);
			v[c].s = strdup(txt ? (const char *)txt : "");
			if (!v[c].s)
				return -ENOMEM;
			break;
		}
	}
	return 0;
}

int ks_store_answer(struct ks_store *s, enum ks_answer which, const struct ks_answer_filter *f,
		    struct ks_answer_rows *out, struct ks_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0, c;
	int rc, ret = 0;

	memset(out, 0, sizeof(*out));
	if ((size_t)which >= sizeof(answer_sql) / sizeof(answer_sql[0]))
		return ks_error_set(err, KS_E_INTERNAL, "no such answer %d", (int)which);
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, answer_sql[which], -1, &st, NULL) != SQLITE_OK) {
		ret = ks_store_fail(s, err, "reading the task answers");
		goto out;
	}
	if (f && f->trace)
		sqlite3_bind_text(st, 1, f->trace, -1, SQLITE_TRANSIENT);
	if (f && f->scope)
		sqlite3_bind_text(st, 2, f->scope, -1, SQLITE_TRANSIENT);
	if (sqlite3_bind_parameter_count(st) >= 3)
		sqlite3_bind_int64(st, 3, f ? f->min_life_ns : 0);
	out->ncols = (size_t)sqlite3_column_count(st);
	out->names = calloc(out->ncols + 1, sizeof(*out->names));
	if (!out->names) {
		ret = ks_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (c = 0; c < out->ncols; c++) {
		out->names[c] = strdup(sqlite3_column_name(st, (int)c));
		if (!out->names[c]) {
			ret = ks_error_set(err, ENOMEM, "out of memory");
			goto out;
		}
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (take_row(out, st, &cap)) {
			ret = ks_error_set(err, ENOMEM, "out of memory");
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		ret = ks_store_fail(s, err, "reading the task answers");
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return ret;
}
