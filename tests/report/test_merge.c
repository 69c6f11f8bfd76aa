// SPDX-License-Identifier: MIT
/*
 * Merging shards (store_merge.h) on hand-built databases whose every row is
 * known: traces found again by id, runs by (trace, policy, params, engine
 * version, seed) with the first merged staying, the rows of a run following
 * it to its new key, nothing new leaving the output untouched, and every
 * refusal (schema version, engine version, corrupt file, interruption)
 * leaving the output as it was and no temporary file.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "helpers.h"
#include "ks_stop.h"
#include "store_merge.h"

static char *dir;

static char *path_of(const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		exit(1);
	return p;
}

static int64_t sql_int(const char *path, const char *sql)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;
	int64_t v = -12345;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s: %s\n", path, sql, sqlite3_errmsg(db));
		test_failures++;
	} else if (sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
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

/* A run whose counters all hold @base and which has @n samples, n crashes, n buckets. */
static struct ks_result *run_of(const char *policy, const char *params, uint64_t seed,
				uint64_t base, size_t n)
{
	struct ks_result *r = test_result(policy, params, "pool=3");
	size_t i;

#define X(name, desc) r->c.name = base;
	KS_COUNTERS(X)
#undef X
	r->seed = seed;
	r->nr_samples = n;
	r->nr_crashes = n;
	r->nr_hwm_buckets = n;
	for (i = 0; i < n; i++) {
		r->samples[i].time = 1000 * (i + 1);
		r->samples[i].stack_pages = base + i;
		r->crashes[i].tid = (uint32_t)(base + i);
		r->hwm_hist[i] = base + i;
	}
	return r;
}

static void put(struct ks_store *s, int64_t trace, struct ks_result *r)
{
	struct ks_error err = { 0 };

	CHECK_OK(ks_store_put_run(s, trace, r, 1, 7, &err));
	free(r);
}

static int64_t put_trace(struct ks_store *s, uint64_t id, const char *label)
{
	struct ks_error err = { 0 };
	struct kst_info info;
	int64_t key = -1;

	test_info(&info, id, label, 2);
	CHECK_OK(ks_store_put_trace(s, &info, label, &key, &err));
	kst_info_release(&info);
	return key;
}

/*
 * Shard a: trace 1 (rfc pool=3 seed 0, counters 10, 2 rows each; static,
 *          counters 20, 1 row each).
 * Shard b: trace 2 first (rfc pool=3, counters 40, 3 rows), then trace 1 again:
 *          rfc pool=3 seed 0 again with counters 30 (the same run, another
 *          value), rfc pool=1 (counters 50, 4 rows).
 * In b the keys differ from a's: trace 1 is b's second trace, its runs
 * b's runs 2 and 3.
 */
static void build_shards(void)
{
	struct ks_error err = { 0 };
	struct ks_store *s = NULL;
	char *a = path_of("a.db"), *b = path_of("b.db");
	int64_t t1, t2;

	CHECK_OK(ks_store_open(&s, a, &err));
	t1 = put_trace(s, 1, "one");
	put(s, t1, run_of("rfc", "pool=3", 0, 10, 2));
	put(s, t1, run_of("static", "size=16384", 0, 20, 1));
	ks_store_close(s);

	CHECK_OK(ks_store_open(&s, b, &err));
	t2 = put_trace(s, 2, "two");
	put(s, t2, run_of("rfc", "pool=3", 0, 40, 3));
	t1 = put_trace(s, 1, "one, elsewhere");
	put(s, t1, run_of("rfc", "pool=3", 0, 30, 2));
	put(s, t1, run_of("rfc", "pool=1", 0, 50, 4));
	ks_store_close(s);
	free(a);
	free(b);
}

/* No ".NAME.merge-*" file is left in the folder. */
static int temporaries(void)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0;

	while (dp && (d = readdir(dp)))
		n += strstr(d->d_name, ".merge-") != NULL;
	if (dp)
		closedir(dp);
	return n;
}

static int merge2(const char *out, const char *s1, const char *s2, bool mixed,
		  struct ks_merge_summary *sum, struct ks_error *err)
{
	struct ks_merge_opts o = { .allow_mixed = mixed };
	char *p1 = path_of(s1), *p2 = s2 ? path_of(s2) : NULL;
	const char *v[2] = { p1, p2 };
	int rc;

	memset(err, 0, sizeof(*err));
	rc = ks_store_merge(out, v, s2 ? 2 : 1, &o, sum, err);
	free(p1);
	free(p2);
	return rc;
}

/* counters of the run of trace @id, policy rfc, pool @pool in @db */
static int64_t rfc_events(const char *db, int id, int pool)
{
	char *q;
	int64_t v;

	if (asprintf(&q, "SELECT r.events FROM runs r JOIN traces t ON t.key = r.trace "
		     "WHERE t.id = '%016x' AND r.policy = 'rfc' AND r.params = 'pool=%d'",
		     id, pool) < 0)
		exit(1);
	v = sql_int(db, q);
	free(q);
	return v;
}

static void test_merge_rows(void)
{
	struct ks_merge_summary sum;
	struct ks_error err;
	char *m = path_of("m.db"), *ba = path_of("ba.db");

	CHECK_OK(merge2(m, "a.db", "b.db", false, &sum, &err));
	/* traces 1 and 2; runs: a's two, b's trace 2 run and pool=1 run (b's pool=3 is a's) */
	CHECK(sum.traces == 2 && sum.traces_added == 2 && sum.runs == 4 && sum.runs_added == 4);
	CHECK(sum.written);
	CHECK(sql_int(m, "SELECT count(*) FROM traces") == 2);
	CHECK(sql_int(m, "SELECT count(*) FROM runs") == 4);
	/* the trace keeps its first row (a's label), in the order first merged */
	CHECK(sql_int(m, "SELECT count(*) FROM traces WHERE id = '0000000000000001' AND "
			 "label = 'one' AND key < (SELECT key FROM traces WHERE label = 'two')") == 1);
	/* the first of two equal runs stays: a's counters, 10, not b's 30 */
	CHECK(rfc_events(m, 1, 3) == 10);
	CHECK(rfc_events(m, 1, 1) == 50);
	CHECK(rfc_events(m, 2, 3) == 40);
	/* rows: 2 + 1 + 3 + 4 samples, crashes and buckets, each with its own run */
	CHECK(sql_int(m, "SELECT count(*) FROM samples") == 10);
	CHECK(sql_int(m, "SELECT count(*) FROM crashes") == 10);
	CHECK(sql_int(m, "SELECT count(*) FROM hwm_hist") == 10);
	CHECK(sql_int(m, "SELECT count(*) FROM run_params") == 4);
	CHECK(sql_int(m, "SELECT count(*) FROM samples s JOIN runs r ON r.key = s.run "
			 "WHERE s.stack_pages - s.seq <> r.events") == 0);
	CHECK(sql_int(m, "SELECT count(*) FROM crashes c JOIN runs r ON r.key = c.run "
			 "WHERE c.tid - c.seq <> r.events") == 0);
	CHECK(sql_int(m, "SELECT count(*) FROM hwm_hist h JOIN runs r ON r.key = h.run "
			 "WHERE h.tasks - h.bucket <> r.events") == 0);
	CHECK(sql_int(m, "SELECT count(*) FROM run_params p JOIN runs r ON r.key = p.run "
			 "WHERE r.params <> p.key || '=' || p.value") == 0);
	CHECK(sql_int(m, "PRAGMA foreign_key_check") == -12345);
	CHECK(temporaries() == 0);

	/* the other order keeps b's value of the run both hold */
	CHECK_OK(merge2(ba, "b.db", "a.db", false, &sum, &err));
	CHECK(sum.runs == 4 && rfc_events(ba, 1, 3) == 30);
	CHECK(sql_int(ba, "SELECT count(*) FROM samples") == 3 + 2 + 4 + 1);
	free(m);
	free(ba);
}

static char *file_bytes(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb"), *mem;
	char *buf = NULL;
	int c;

	*len = 0;
	if (!f)
		return NULL;
	mem = open_memstream(&buf, len);
	while ((c = fgetc(f)) != EOF)
		fputc(c, mem);
	fclose(mem);
	fclose(f);
	return buf;
}

/* The output holds exactly the bytes it held before. */
static bool unchanged(const char *path, const char *before, size_t len)
{
	size_t n;
	char *now = file_bytes(path, &n);
	bool same = now && n == len && !memcmp(now, before, len);

	free(now);
	return same;
}

static void test_idempotent(void)
{
	struct ks_merge_summary sum;
	struct ks_error err;
	char *m = path_of("m.db"), *c = path_of("c.db"), *before;
	struct ks_store *s = NULL;
	struct stat st0, st1;
	size_t len;

	/* the same shards again: nothing new, the file is not even rewritten */
	before = file_bytes(m, &len);
	CHECK(stat(m, &st0) == 0);
	CHECK_OK(merge2(m, "a.db", "b.db", false, &sum, &err));
	CHECK(!sum.written && sum.traces_added == 0 && sum.runs_added == 0 && sum.runs == 4);
	CHECK(stat(m, &st1) == 0 && st0.st_ino == st1.st_ino);
	CHECK(unchanged(m, before, len));
	/* one shard twice in one merge adds it once */
	CHECK_OK(merge2(m, "b.db", "b.db", false, &sum, &err));
	CHECK(!sum.written && sum.runs == 4);
	free(before);

	/* a new shard adds to the existing output: a third trace, one run */
	CHECK_OK(ks_store_open(&s, c, &err));
	put(s, put_trace(s, 3, "three"), run_of("rfc", "pool=3", 0, 60, 1));
	ks_store_close(s);
	CHECK_OK(merge2(m, "c.db", NULL, false, &sum, &err));
	CHECK(sum.written && sum.traces == 3 && sum.traces_added == 1 && sum.runs == 5 &&
	      sum.runs_added == 1);
	CHECK(rfc_events(m, 1, 3) == 10 && rfc_events(m, 3, 3) == 60);
	CHECK(sql_int(m, "SELECT count(*) FROM samples") == 11);
	CHECK(temporaries() == 0);
	free(m);
	free(c);
}

/* A refused merge: @rc and a detail holding @want; the output as it was. */
static void check_refused(int rc, int code, const struct ks_error *err, const char *want,
			  const char *out, const char *before, size_t len)
{
	CHECK(rc == -code);
	if (!strstr(err->detail, want)) {
		fprintf(stderr, "detail '%s' lacks '%s'\n", err->detail, want);
		test_failures++;
	}
	CHECK(!strchr(err->detail, '\n'));
	if (before)
		CHECK(unchanged(out, before, len));
	else
		CHECK(access(out, F_OK) != 0);
	CHECK(temporaries() == 0);
}

static void test_refused(void)
{
	struct ks_merge_summary sum;
	struct ks_error err;
	char *m = path_of("m.db"), *n = path_of("new.db"), *v7 = path_of("v7.db");
	char *ev = path_of("ev.db"), *junk = path_of("junk.db"), *cut = path_of("cut.db");
	char *want, *before, *bytes;
	struct ks_store *s = NULL;
	int64_t page, psize;
	size_t len, blen;
	FILE *f;
	int rc;

	before = file_bytes(m, &len);
	/* another schema version */
	CHECK_OK(ks_store_open(&s, v7, &err));
	ks_store_close(s);
	sql_exec(v7, "PRAGMA user_version = 7");
	rc = merge2(m, "a.db", "v7.db", false, &sum, &err);
	check_refused(rc, KS_E_SCHEMA, &err, "v7.db: schema version 7, this kstack uses", m,
		      before, len);
	rc = merge2(n, "v7.db", NULL, false, &sum, &err);
	check_refused(rc, KS_E_SCHEMA, &err, "v7.db: schema version 7", n, NULL, 0);

	/* another engine version: both files and both versions named */
	CHECK_OK(ks_store_open(&s, ev, &err));
	put(s, put_trace(s, 9, "nine"), run_of("rfc", "pool=3", 0, 70, 1));
	ks_store_close(s);
	sql_exec(ev, "UPDATE runs SET engine_version = 'other'");
	rc = merge2(n, "a.db", "ev.db", false, &sum, &err);
	if (asprintf(&want, "ev.db: engine version other, but %s/a.db has engine version %s",
		     dir, KS_ENGINE_VERSION) < 0)
		exit(1);
	check_refused(rc, KS_E_DB, &err, want, n, NULL, 0);
	free(want);
	/* the existing output counts: its runs are of the engine's version */
	rc = merge2(m, "ev.db", NULL, false, &sum, &err);
	check_refused(rc, KS_E_DB, &err, "ev.db: engine version other, but", m, before, len);
	/* unless mixed versions are allowed: the other version's run is another run */
	CHECK_OK(merge2(n, "a.db", "ev.db", true, &sum, &err));
	CHECK(sum.runs == 3 && sum.traces == 2);
	CHECK(sql_int(n, "SELECT count(DISTINCT engine_version) FROM runs") == 2);
	unlink(n);

	/* not a database; a database cut in half */
	f = fopen(junk, "w");
	for (rc = 0; f && rc < 300; rc++)
		fputs("this is not a database at all\n", f);
	if (f)
		fclose(f);
	rc = merge2(m, "a.db", "junk.db", false, &sum, &err);
	check_refused(rc, KS_E_DB, &err, "junk.db: not a SQLite database", m, before, len);
	bytes = file_bytes(m, &blen);
	f = fopen(cut, "wb");
	if (!f || fwrite(bytes, 1, blen / 2, f) != blen / 2)
		exit(1);
	fclose(f);
	rc = merge2(n, "cut.db", NULL, false, &sum, &err);
	check_refused(rc, KS_E_DB, &err, "cut.db: reading the schema: database disk image is "
		      "malformed", n, NULL, 0);
	/*
	 * a page of the histogram whose header says it is no b-tree page: the
	 * schema reads well, SQLite's quick_check finds it
	 */
	page = sql_int(m, "SELECT rootpage FROM sqlite_schema WHERE name = 'hwm_hist'");
	psize = sql_int(m, "PRAGMA page_size");
	CHECK(page > 1 && (size_t)(page * psize) <= blen);
	memset(bytes + (page - 1) * psize, 0xff, 4);
	f = fopen(cut, "wb");
	if (!f || fwrite(bytes, 1, blen, f) != blen)
		exit(1);
	fclose(f);
	free(bytes);
	rc = merge2(n, "cut.db", NULL, false, &sum, &err);
	if (asprintf(&want, "cut.db: corrupt database: Page %lld: ", (long long)page) < 0)
		exit(1);
	check_refused(rc, KS_E_DB, &err, want, n, NULL, 0);
	free(want);

	/* a row whose run is missing (foreign keys off while it was written) */
	sql_exec(ev, "PRAGMA foreign_keys = OFF; DELETE FROM runs");
	rc = merge2(n, "ev.db", NULL, false, &sum, &err);
	check_refused(rc, KS_E_DB, &err, "ev.db: corrupt database: a row of", n, NULL, 0);
	free(before);
	free(m);
	free(n);
	free(v7);
	free(ev);
	free(junk);
	free(cut);
}

/* Ask to stop once the first shard is merged. */
static void stop_after_first(const char *stage, size_t done, size_t total, void *arg)
{
	if (!strcmp(stage, "merging"))
		ks_stop_sig = SIGINT;
}

static void test_interrupted(void)
{
	struct ks_merge_opts o = { .progress = stop_after_first };
	struct ks_merge_summary sum;
	struct ks_error err = { 0 };
	char *n = path_of("new.db"), *m = path_of("m.db"), *a = path_of("a.db");
	char *c = path_of("c.db"), *before;
	const char *v[2] = { a, c };
	size_t len;
	int rc;

	rc = ks_store_merge(n, v, 2, &o, &sum, &err);
	check_refused(rc, EINTR, &err, "merge interrupted", n, NULL, 0);
	ks_stop_sig = 0;
	before = file_bytes(m, &len);
	v[0] = path_of("b.db");
	rc = ks_store_merge(m, v, 2, &o, &sum, &err);
	check_refused(rc, EINTR, &err, "merge interrupted", m, before, len);
	ks_stop_sig = 0;
	free((char *)v[0]);
	free(before);
	free(n);
	free(m);
	free(a);
	free(c);
}

int main(void)
{
	dir = test_tmpdir();
	build_shards();
	test_merge_rows();
	test_idempotent();
	test_refused();
	test_interrupted();
	test_rmdir(dir);
	free(dir);
	if (test_failures)
		fprintf(stderr, "%d check(s) failed\n", test_failures);
	return test_failures ? 1 : 0;
}
