// SPDX-License-Identifier: MIT
/*
 * The store: schema version checks, every counter stored, replace on the
 * same key, one transaction per run (an injected failure leaves nothing),
 * a handle shared by threads, and a read-only store's queries stopped by
 * a signal.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sqlite3.h>

#include "helpers.h"
#include "ks_stop.h"
#include "rows.h"

static const char *const counter_names[] = {
#define X(name, desc) #name,
	KS_COUNTERS(X)
#undef X
};
#define NR_COUNTERS (sizeof(counter_names) / sizeof(counter_names[0]))

static int64_t sql_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -12345;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "sql: %s: %s\n", sql, sqlite3_errmsg(db));
		test_failures++;
		return v;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * A connection of the test's own to the database at @path: the store keeps
 * its handle to itself, so the test looks at the file as any reader would.
 */
static sqlite3 *peek(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: cannot open\n", path);
		exit(1);
	}
	sqlite3_busy_timeout(db, 10000);
	return db;
}

static void sql_exec(const char *path, const char *sql)
{
	sqlite3 *db;

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", path, sqlite3_errmsg(db));
		test_failures++;
	}
	sqlite3_close(db);
}

static void test_schema(const char *dir)
{
	struct ks_store *s = NULL;
	struct ks_error err = { 0 };
	char *path, *p2, *p3, *p4, *p5;
	sqlite3_stmt *st;
	sqlite3 *db;
	size_t i, found = 0;
	FILE *f;
	int rc;

	if (asprintf(&path, "%s/a.db", dir) < 0 || asprintf(&p2, "%s/v7.db", dir) < 0 ||
	    asprintf(&p3, "%s/junk.db", dir) < 0 || asprintf(&p4, "%s/other.db", dir) < 0 ||
	    asprintf(&p5, "%s/missing.db", dir) < 0)
		exit(1);

	/* a new database gets the schema, version 3 */
	CHECK_OK(ks_store_open(&s, path, &err));
	db = peek(path);
	CHECK(sql_int(db, "PRAGMA user_version") == 3);
	/* every counter of KS_COUNTERS is a column of runs */
	for (i = 0; i < NR_COUNTERS; i++) {
		char *q;

		if (asprintf(&q, "SELECT count(*) FROM pragma_table_info('runs') WHERE name = '%s'",
			     counter_names[i]) < 0)
			exit(1);
		if (sql_int(db, q) == 1)
			found++;
		else
			fprintf(stderr, "no runs column for counter %s\n", counter_names[i]);
		free(q);
	}
	CHECK(found == NR_COUNTERS);
	/* the lookup tables name every code the engine and the trace format store */
	CHECK(sql_int(db, "SELECT count(*) FROM crash_reasons") == 4);
	CHECK(sql_int(db, "SELECT code FROM crash_reasons WHERE name = 'pool_empty'") ==
	      KS_CRASH_POOL_EMPTY);
	CHECK(sql_int(db, "SELECT code FROM crash_reasons WHERE name = 'pte_present'") ==
	      KS_CRASH_PTE_PRESENT);
	CHECK(sql_int(db, "SELECT code FROM crash_reasons WHERE name = 'overflow'") ==
	      KS_CRASH_OVERFLOW);
	CHECK(sql_int(db, "SELECT code FROM crash_reasons WHERE name = 'starved'") ==
	      KS_CRASH_STARVED);
	CHECK(sql_int(db, "SELECT count(*) FROM depth_sources") == 4);
	CHECK(sql_int(db, "SELECT code FROM depth_sources WHERE name = 'none'") == KST_DEPTH_NONE);
	CHECK(sql_int(db, "SELECT code FROM depth_sources WHERE name = 'exact'") ==
	      KST_DEPTH_EXACT);
	CHECK(sql_int(db, "SELECT code FROM depth_sources WHERE name = 'lower'") ==
	      KST_DEPTH_LOWER);
	CHECK(sql_int(db, "SELECT code FROM depth_sources WHERE name = 'synthetic'") ==
	      KST_DEPTH_SYNTH);
	/* the report reads a basis as position - 1: enum ks_basis */
	CHECK(sql_int(db, "SELECT count(*) FROM bases") == KS_NR_BASES);
	CHECK(sql_int(db, "SELECT position - 1 FROM bases WHERE basis = 'end'") == KS_BASIS_END);
	CHECK(sql_int(db, "SELECT position - 1 FROM bases WHERE basis = 'peak'") == KS_BASIS_PEAK);
	CHECK(sql_int(db, "SELECT position - 1 FROM bases WHERE basis = 'mean'") == KS_BASIS_MEAN);
	sqlite3_close(db);
	ks_store_close(s);
	/* and it opens again, read-only too */
	CHECK_OK(ks_store_open(&s, path, &err));
	ks_store_close(s);
	CHECK_OK(ks_store_open_ro(&s, path, &err));
	ks_store_close(s);

	/* another schema version is refused with both numbers */
	CHECK_OK(ks_store_open(&s, p2, &err));
	ks_store_close(s);
	sql_exec(p2, "PRAGMA user_version = 7");
	memset(&err, 0, sizeof(err));
	s = NULL;
	rc = ks_store_open(&s, p2, &err);
	CHECK(rc == -KS_E_SCHEMA && !s);
	CHECK(strstr(err.detail, "v7.db: schema version 7, this kstack uses 3") != NULL);
	rc = ks_store_open_ro(&s, p2, &err);
	CHECK(rc == -KS_E_SCHEMA && !s);

	/*
	 * an older one (version 1 had no run_params, version 2 no memory bases nor task rows) is
	 * refused too, saying to replay: what the new versions add comes from
	 * the engine and the per-task analysis, not from the file
	 */
	sql_exec(p2, "PRAGMA user_version = 2");
	memset(&err, 0, sizeof(err));
	rc = ks_store_open(&s, p2, &err);
	CHECK(rc == -KS_E_SCHEMA && !s);
	CHECK_STR(strstr(err.detail, "v7.db:"), "v7.db: schema version 2, this kstack uses 3: "
						"replay the traces into a new database");
	sql_exec(p2, "PRAGMA user_version = 1");
	memset(&err, 0, sizeof(err));
	rc = ks_store_open(&s, p2, &err);
	CHECK(rc == -KS_E_SCHEMA && !s);
	CHECK_STR(strstr(err.detail, "v7.db:"), "v7.db: schema version 1, this kstack uses 3: "
						"replay the traces into a new database");
	memset(&err, 0, sizeof(err));
	rc = ks_store_open_ro(&s, p2, &err);
	CHECK(rc == -KS_E_SCHEMA && !s);
	CHECK(strstr(err.detail, "replay the traces into a new database") != NULL);

	/* a file that is not SQLite */
	f = fopen(p3, "w");
	for (i = 0; f && i < 200; i++)
		fputs("this is not a database at all\n", f);
	if (f)
		fclose(f);
	memset(&err, 0, sizeof(err));
	rc = ks_store_open(&s, p3, &err);
	CHECK(rc == -KS_E_DB && !s);
	CHECK(strstr(err.detail, "not a SQLite database") != NULL);
	rc = ks_store_open_ro(&s, p3, &err);
	CHECK(rc == -KS_E_DB && !s);

	/* a SQLite database of something else */
	sql_exec(p4, "CREATE TABLE t (x)");
	memset(&err, 0, sizeof(err));
	rc = ks_store_open(&s, p4, &err);
	CHECK(rc == -KS_E_SCHEMA && !s);
	CHECK(strstr(err.detail, "not a kstack database") != NULL);

	/* read-only open of a missing file creates nothing */
	memset(&err, 0, sizeof(err));
	rc = ks_store_open_ro(&s, p5, &err);
	CHECK(rc == -ENOENT && !s);
	CHECK(strstr(err.detail, "missing.db: no such database") != NULL);
	CHECK(access(p5, F_OK) != 0);

	(void)st;
	free(path);
	free(p2);
	free(p3);
	free(p4);
	free(p5);
}

static void fill(struct ks_result *r, uint64_t base)
{
	size_t i;
	uint64_t v = base;

#define X(name, desc) r->c.name = v++;
	KS_COUNTERS(X)
#undef X
	r->c.stack_pages_mean = 12.5;
	r->c.pool_pages_mean = 3.25;
	r->nr_samples = 3;
	for (i = 0; i < 3; i++) {
		r->samples[i].time = 1000 * (i + 1);
		r->samples[i].stack_pages = 10 + i;
	}
	r->nr_crashes = 2;
	r->crashes[1].tid = 4242;
	r->crashes[1].reason = KS_CRASH_PTE_PRESENT;
	r->nr_hwm_buckets = 5;
	for (i = 0; i < 5; i++)
		r->hwm_hist[i] = 100 + i;
}

static void test_runs(const char *dir)
{
	/* rfc with a failure rate: not its default run, fail_rate the only key that says why */
	struct ks_result *r = test_result("rfc", "fail_rate=0.01,pool=3,seed=1",
					  "fail_rate=0,pool=3,seed=1");
	struct ks_store *s = NULL;
	struct ks_error err = { 0 };
	struct kst_info info;
	int64_t key, key2, key3;
	sqlite3 *db;
	char *path;
	size_t i;
	int rc;

	if (asprintf(&path, "%s/runs.db", dir) < 0)
		exit(1);
	CHECK_OK(ks_store_open(&s, path, &err));
	if (!s)
		return;
	db = peek(path);

	/* the same trace id finds the same row; lost events are summed (3 + 4) */
	test_info(&info, 0xfedcba9876543210ull, "Genoa", 2);
	info.lost_tracefs[0] = 3;
	info.lost_ringbuf[1] = 4;
	info.truncated = true;
	CHECK_OK(ks_store_put_trace(s, &info, "/x/genoa.kst", &key, &err));
	CHECK_OK(ks_store_put_trace(s, &info, "/x/genoa.kst", &key2, &err));
	CHECK(key == key2);
	kst_info_release(&info);
	test_info(&info, 2, "Rome", 1);
	CHECK_OK(ks_store_put_trace(s, &info, "rome.kst", &key3, &err));
	CHECK(key3 != key);
	kst_info_release(&info);
	CHECK(sql_int(db, "SELECT count(*) FROM traces") == 2);
	CHECK(sql_int(db, "SELECT lost_events FROM traces WHERE id = 'fedcba9876543210'") == 7);
	CHECK(sql_int(db, "SELECT truncated FROM traces WHERE label = 'Genoa'") == 1);

	/* every counter lands in its own column: counter i holds 1000 + i */
	fill(r, 1000);
	r->seed = UINT64_MAX;	/* stored as the signed integer of the same bits */
	CHECK_OK(ks_store_put_run(s, key, r, 0, 99, &err));
	for (i = 0; i < NR_COUNTERS; i++) {
		char *q;

		if (asprintf(&q, "SELECT %s FROM runs", counter_names[i]) < 0)
			exit(1);
		if (sql_int(db, q) != (int64_t)(1000 + i)) {
			fprintf(stderr, "counter %s not stored\n", counter_names[i]);
			test_failures++;
		}
		free(q);
	}
	CHECK(sql_int(db, "SELECT seed FROM runs") == -1);
	CHECK(sql_int(db, "SELECT complete FROM runs") == 0);
	CHECK(sql_int(db, "SELECT count(*) FROM samples") == 3);
	CHECK(sql_int(db, "SELECT stack_pages FROM samples WHERE seq = 2") == 12);
	CHECK(sql_int(db, "SELECT tid FROM crashes WHERE seq = 1") == 4242);
	CHECK(sql_int(db, "SELECT reason FROM crashes WHERE seq = 1") == KS_CRASH_PTE_PRESENT);
	CHECK(sql_int(db, "SELECT count(*) FROM hwm_hist") == 5);
	CHECK(sql_int(db, "SELECT tasks FROM hwm_hist WHERE kb = 16") == 104);
	CHECK(sql_int(db, "SELECT CAST(pool_pages_mean * 100 AS INTEGER) FROM runs") == 325);
	/* its keys one by one, and whether each is at the policy's default */
	CHECK(sql_int(db, "SELECT is_default FROM runs") == 0);
	CHECK(sql_int(db, "SELECT count(*) FROM run_params") == 3);
	CHECK(sql_int(db, "SELECT count(*) FROM run_params WHERE is_default") == 2);
	CHECK(sql_int(db, "SELECT count(*) FROM run_params WHERE key = 'fail_rate' AND "
			  "value = '0.01' AND NOT is_default") == 1);
	CHECK(sql_int(db, "SELECT count(*) FROM run_params p JOIN runs r ON p.run = r.key "
			  "WHERE p.key = 'pool' AND p.value = '3' AND p.is_default") == 1);

	/* storing the same run again replaces it: no duplicates anywhere */
	fill(r, 5000);
	CHECK_OK(ks_store_put_run(s, key, r, 1, 99, &err));
	CHECK(sql_int(db, "SELECT count(*) FROM runs") == 1);
	CHECK(sql_int(db, "SELECT events FROM runs") == 5000);
	CHECK(sql_int(db, "SELECT count(*) FROM samples") == 3);
	CHECK(sql_int(db, "SELECT count(*) FROM crashes") == 2);
	CHECK(sql_int(db, "SELECT count(*) FROM hwm_hist") == 5);
	CHECK(sql_int(db, "SELECT count(*) FROM run_params") == 3);

	/* another seed, params or trace is another run; pool=3 alone is the default run */
	r->seed = 1;
	CHECK_OK(ks_store_put_run(s, key, r, 1, 99, &err));
	test_params(r, "pool=3", "pool=3");
	CHECK_OK(ks_store_put_run(s, key, r, 1, 99, &err));
	CHECK_OK(ks_store_put_run(s, key3, r, 1, 99, &err));
	CHECK(sql_int(db, "SELECT count(*) FROM runs") == 4);
	CHECK(sql_int(db, "SELECT count(*) FROM samples") == 12);
	CHECK(sql_int(db, "SELECT count(*) FROM runs WHERE is_default") == 2);
	CHECK(sql_int(db, "SELECT count(*) FROM run_params") == 3 + 3 + 1 + 1);

	/*
	 * A failure in the middle of a run (injected on the histogram, after
	 * the run row and its samples) rolls the whole run back, including the
	 * deletion of the run it was replacing.
	 */
	CHECK(sqlite3_exec(db, "CREATE TRIGGER boom BEFORE INSERT ON hwm_hist "
			       "BEGIN SELECT RAISE(ABORT, 'injected'); END", NULL, NULL,
			   NULL) == SQLITE_OK);
	fill(r, 7000);
	memset(&err, 0, sizeof(err));
	rc = ks_store_put_run(s, key3, r, 1, 99, &err);
	CHECK(rc == -KS_E_DB);
	CHECK(strstr(err.detail, "injected") != NULL);
	CHECK(sql_int(db, "SELECT count(*) FROM runs") == 4);
	CHECK(sql_int(db, "SELECT count(*) FROM samples") == 12);
	CHECK(sql_int(db, "SELECT count(*) FROM hwm_hist") == 20);
	CHECK(sql_int(db, "SELECT count(*) FROM run_params") == 8);
	CHECK(sql_int(db, "SELECT events FROM runs WHERE trace = 2") == 5000);
	CHECK(sqlite3_exec(db, "DROP TRIGGER boom", NULL, NULL, NULL) == SQLITE_OK);
	/* and the store is usable afterwards */
	CHECK_OK(ks_store_put_run(s, key3, r, 1, 99, &err));
	CHECK(sql_int(db, "SELECT events FROM runs WHERE trace = 2") == 7000);

	/* a run for a trace that does not exist is refused (foreign key) */
	memset(&err, 0, sizeof(err));
	CHECK(ks_store_put_run(s, 999, r, 1, 99, &err) == -KS_E_DB);
	CHECK(sql_int(db, "SELECT count(*) FROM runs") == 4);

	sqlite3_close(db);
	ks_store_close(s);
	free(r);
	free(path);
}

/*
 * A report's query over a fleet can run for minutes: on a read-only store a
 * stop asked (as SIGINT or SIGTERM set it) interrupts the statement, which
 * fails with EINTR and says so; without one the same read succeeds.
 * @path holds 100 runs.
 */
static void test_stop(const char *path)
{
	struct ks_store *s = NULL;
	struct ks_error err = { 0 };
	struct ks_rowset rs = { 0 };

	CHECK_OK(ks_store_open_ro(&s, path, &err));
	if (!s)
		return;
	ks_stop_sig = SIGTERM;
	CHECK(ks_store_runs(s, &rs, &err) == -EINTR);
	CHECK(strstr(err.detail, "reading runs interrupted") != NULL);
	ks_rowset_release(&rs);
	ks_stop_sig = 0;
	memset(&rs, 0, sizeof(rs));
	CHECK_OK(ks_store_runs(s, &rs, &err));
	CHECK(rs.n == 100);
	ks_rowset_release(&rs);
	ks_store_close(s);
}

struct worker {
	struct ks_store *s;
	int64_t trace;
	int id;
	int failed;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct ks_result *r = test_result("rfc", "", "");
	struct ks_error err = { 0 };
	int i;

	for (i = 0; i < 25; i++) {
		char params[64];

		snprintf(params, sizeof(params), "pool=%d,worker=%d", i, w->id);
		test_params(r, params, "pool=3");
		fill(r, (uint64_t)i);
		if (ks_store_put_run(w->s, w->trace, r, 1, 0, &err))
			w->failed++;
	}
	free(r);
	return NULL;
}

/* The store serialises writers sharing one handle. */
static void test_threads(const char *dir)
{
	struct worker w[4];
	pthread_t t[4];
	struct ks_store *s = NULL;
	struct ks_error err = { 0 };
	struct kst_info info;
	int64_t key = 0;
	char *path;
	sqlite3 *db;
	int i;

	if (asprintf(&path, "%s/threads.db", dir) < 0)
		exit(1);
	CHECK_OK(ks_store_open(&s, path, &err));
	if (!s)
		return;
	test_info(&info, 77, "T", 1);
	CHECK_OK(ks_store_put_trace(s, &info, "t.kst", &key, &err));
	kst_info_release(&info);
	for (i = 0; i < 4; i++) {
		w[i] = (struct worker){ .s = s, .trace = key, .id = i };
		pthread_create(&t[i], NULL, worker_main, &w[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK(w[i].failed == 0);
	}
	ks_store_close(s);
	db = peek(path);
	CHECK(sql_int(db, "SELECT count(*) FROM runs") == 100);
	CHECK(sql_int(db, "SELECT count(*) FROM samples") == 300);
	CHECK(sql_int(db, "SELECT count(*) FROM run_params") == 200);
	CHECK(sql_int(db, "SELECT count(*) FROM runs WHERE is_default") == 0);
	sqlite3_close(db);
	test_stop(path);
	free(path);
}

int main(void)
{
	char *dir = test_tmpdir();

	test_schema(dir);
	test_runs(dir);
	test_threads(dir);
	test_rmdir(dir);
	free(dir);
	if (test_failures)
		fprintf(stderr, "%d check(s) failed\n", test_failures);
	return test_failures ? 1 : 0;
}
