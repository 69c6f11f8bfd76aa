// SPDX-License-Identifier: MIT
/*
 * Merging shard databases (store_merge.h): every input is checked first,
 * then each is attached read-only and copied in one transaction, table by
 * table as the plan says (store_plan.h), into a temporary file renamed over
 * the output at the end.  The key maps are emptied after each shard, so
 * memory stays that of one shard.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_merge.h"
#include "store_plan.h"
#include "schema.h"
#include "ks_stop.h"

/* SQLite runs this many virtual machine steps between two looks at ks_stop_signal() */
#define MERGE_POLL_STEPS 4096

/* The state of one merge. */
struct merge {
	struct ks_store out;		/* the temporary output: its handle, and its path */
	struct ks_merge_plan plan;
	const struct ks_merge_opts *o;
	char *version;			/* the engine version of the runs seen so far */
	char *version_path;		/* the first input that holds it */
	int64_t traces_before;		/* in the existing output */
	int64_t runs_before;
};

/* SQLite's progress handler: a non-zero return stops the statement (SQLITE_INTERRUPT). */
static int merge_poll(void *arg)
{
	return ks_stop_signal() != 0;
}

/* @err after a failed step on @s: an interruption, or "PATH: WHAT: SQLite's message". */
static int merge_fail(struct ks_store *s, const char *path, const char *what,
		      struct ks_error *err)
{
	if (sqlite3_errcode(s->db) == SQLITE_INTERRUPT && ks_stop_signal())
		return ks_error_set(err, EINTR, "merge interrupted");
	return ks_error_set(err, KS_E_DB, "%s: %s: %s", path, what, sqlite3_errmsg(s->db));
}

/* The engine versions of @path's runs against those seen so far. */
static int check_versions(struct merge *m, struct ks_store *s, const char *path,
			  struct ks_error *err)
{
	sqlite3_stmt *st = NULL;
	char *v[2] = { NULL, NULL };
	int rc, n = 0, ret = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT DISTINCT engine_version FROM runs ORDER BY 1 "
			       "LIMIT 2", -1, &st, NULL) != SQLITE_OK)
		return merge_fail(s, path, "reading runs", err);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 2) {
		v[n] = strdup((const char *)sqlite3_column_text(st, 0));
		if (!v[n++]) {
			ret = ks_error_set(err, ENOMEM, "out of memory");
			goto out;
		}
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		ret = merge_fail(s, path, "reading runs", err);
		goto out;
	}
	if (!n || m->o->allow_mixed)
		goto out;
	if (n > 1) {
		ret = ks_error_set(err, KS_E_DB, "%s: holds runs of engine versions %s and %s "
				   "(--allow-mixed merges them)", path, v[0], v[1]);
	} else if (!m->version) {
		m->version = v[0];
		m->version_path = strdup(path);
		v[0] = NULL;
		if (!m->version_path)
			ret = ks_error_set(err, ENOMEM, "out of memory");
	} else if (strcmp(m->version, v[0])) {
		ret = ks_error_set(err, KS_E_DB, "%s: engine version %s, but %s has engine "
				   "version %s (--allow-mixed merges them)", path, v[0],
				   m->version_path, m->version);
	}
out:
	sqlite3_finalize(st);
	free(v[0]);
	free(v[1]);
	return ret;
}

/*
 * quick_check's first finding as one line: "*** in database main ***\nPage 11:
 * free space corruption" says "Page 11: free space corruption".
 */
static const char *one_line(const char *msg, char *buf, size_t len)
{
	static const char head[] = "*** in database main ***\n";
	char *nl;

	if (!strncmp(msg, head, sizeof(head) - 1))
		msg += sizeof(head) - 1;
	snprintf(buf, len, "%s", msg);
	while ((nl = strchr(buf, '\n')))
		*nl = ' ';
	return buf;
}

/*
 * One input before anything is written: a kstack database of this schema
 * version, whole, and of the engine version of the others.
 */
static int check_input(struct merge *m, const char *path, struct ks_error *err)
{
	static const char *const corrupt = "%s: corrupt database: %s";
	struct ks_store *s = NULL;
	char line[200];
	sqlite3_stmt *st = NULL;
	int rc, ret;

	ret = ks_store_open_finished(&s, path, err);
	if (ret)
		return ret;
	sqlite3_progress_handler(s->db, MERGE_POLL_STEPS, merge_poll, NULL);
	if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st, NULL) != SQLITE_OK) {
		ret = merge_fail(s, path, "checking", err);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "ok"))
		ret = ks_error_set(err, KS_E_DB, corrupt, path,
				   one_line((const char *)sqlite3_column_text(st, 0), line,
					    sizeof(line)));
	else if (rc != SQLITE_ROW && sqlite3_errcode(s->db) != SQLITE_INTERRUPT)
		ret = ks_error_set(err, KS_E_DB, corrupt, path, sqlite3_errmsg(s->db));
	else if (rc != SQLITE_ROW)
		ret = merge_fail(s, path, "checking", err);
	sqlite3_finalize(st);
	st = NULL;
	if (ret)
		goto out;
	if (sqlite3_prepare_v2(s->db, "SELECT \"table\", parent FROM pragma_foreign_key_check "
			       "LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
		ret = merge_fail(s, path, "checking", err);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ret = ks_error_set(err, KS_E_DB, "%s: corrupt database: a row of %s refers to a "
				   "missing row of %s", path, sqlite3_column_text(st, 0),
				   sqlite3_column_text(st, 1));
	else if (rc != SQLITE_DONE)
		ret = merge_fail(s, path, "checking", err);
	if (!ret)
		ret = check_versions(m, s, path, err);
out:
	sqlite3_finalize(st);
	ks_store_close(s);
	return ret;
}

static int exec_out(struct merge *m, const char *path, const char *sql, struct ks_error *err)
{
	if (sqlite3_exec(m->out.db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return merge_fail(&m->out, path, "merging", err);
	return 0;
}

/* Run @sql (?1 bound to @arg), and if @v, read one integer into it. */
static int step_out(struct merge *m, const char *path, const char *sql, int64_t arg, int64_t *v,
		    struct ks_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(m->out.db, sql, -1, &st, NULL) != SQLITE_OK)
		return merge_fail(&m->out, path, "merging", err);
	if (sqlite3_bind_parameter_count(st))
		sqlite3_bind_int64(st, 1, arg);
	rc = sqlite3_step(st);
	if (v && rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != (v ? SQLITE_ROW : SQLITE_DONE))
		return merge_fail(&m->out, path, "merging", err);
	return 0;
}

/* Copy @path's rows, table by table, in one transaction. */
static int merge_tables(struct merge *m, const char *path, struct ks_error *err)
{
	int64_t max;
	size_t i;
	int ret;

	ret = exec_out(m, path, "BEGIN", err);
	for (i = 0; i < m->plan.n && !ret; i++) {
		struct ks_merge_table *t = &m->plan.t[i];

		if (t->entity)
			ret = step_out(m, path, t->max_sql, 0, &max, err);
		if (!ret)
			ret = step_out(m, path, t->copy_sql, 0, NULL, err);
		if (ret)
			break;
		t->added += sqlite3_changes(m->out.db);
		if (t->entity)
			ret = step_out(m, path, t->map_sql, max, NULL, err);
	}
	for (i = 0; i < m->plan.n && !ret; i++)
		if (m->plan.t[i].entity)
			ret = step_out(m, path, m->plan.t[i].clear_sql, 0, NULL, err);
	if (!ret)
		ret = exec_out(m, path, "COMMIT", err);
	return ret;
}

/*
 * Attach @path, copy it, detach it.  A database is read as a file alone
 * unless a -wal or -journal beside it holds something; then the existing
 * output is attached for writing, so that detaching it, the last
 * connection, folds its -wal into it before the merge is renamed over it.
 */
static int merge_input(struct merge *m, const char *path, bool base, struct ks_error *err)
{
	bool pending = ks_store_has_pending(path);
	char *uri = ks_store_uri(path, !pending ? "immutable=1" : base ? "mode=rw" : "mode=ro");
	sqlite3_stmt *st = NULL;
	int ret = 0;

	if (!uri)
		return ks_error_set(err, ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(m->out.db, "ATTACH ?1 AS s", -1, &st, NULL) != SQLITE_OK) {
		ret = merge_fail(&m->out, path, "attaching", err);
		goto out;
	}
	sqlite3_bind_text(st, 1, uri, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		ret = merge_fail(&m->out, path, "attaching", err);
		goto out;
	}
	ret = merge_tables(m, path, err);
	if (ret)
		sqlite3_exec(m->out.db, "ROLLBACK", NULL, NULL, NULL);
	if (sqlite3_exec(m->out.db, "DETACH s", NULL, NULL, NULL) != SQLITE_OK && !ret)
		ret = merge_fail(&m->out, path, "detaching", err);
out:
	sqlite3_finalize(st);
	free(uri);
	return ret;
}

/*
 * The temporary output, beside @out: a new database with the schema, no
 * journal (a failed merge removes the file), its statements interruptible.
 */
static int merge_create(struct merge *m, const char *out, struct ks_error *err)
{
	char *dir = strdup(out), *base = strdup(out);
	int fd, ret = 0;

	if (!dir || !base || asprintf(&m->out.path, "%s/.%s.merge-XXXXXX", dirname(dir),
				      basename(base)) < 0) {
		m->out.path = NULL;
		ret = ks_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	fd = mkstemp(m->out.path);
	if (fd < 0) {
		ret = errno;
		ret = ks_error_set(err, ret, "%s: cannot create a file beside it: %s", out,
				   strerror(ret));
		free(m->out.path);
		m->out.path = NULL;
		goto out;
	}
	close(fd);
	if (sqlite3_open_v2(m->out.path, &m->out.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		ret = ks_error_set(err, KS_E_DB, "%s: cannot open: %s", m->out.path,
				   m->out.db ? sqlite3_errmsg(m->out.db) : "out of memory");
		goto out;
	}
	sqlite3_progress_handler(m->out.db, MERGE_POLL_STEPS, merge_poll, NULL);
	ret = exec_out(m, m->out.path, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
		       "PRAGMA temp_store = FILE; PRAGMA foreign_keys = ON", err);
	if (!ret)
		ret = exec_out(m, m->out.path, ks_schema_sql, err);
	if (!ret)
		ret = ks_merge_plan_build(&m->out, &m->plan, err);
out:
	free(dir);
	free(base);
	return ret;
}

static int count_rows(struct merge *m, const char *table, int64_t *v, struct ks_error *err)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM main.\"%s\"", table);
	return step_out(m, m->out.path, sql, 0, v, err);
}

/* A non-empty -wal beside @out: a connection to it may still be writing. */
static int check_no_wal(const char *out, struct ks_error *err)
{
	struct stat st;
	char *wal;
	int ret = 0;

	if (asprintf(&wal, "%s-wal", out) < 0)
		return ks_error_set(err, ENOMEM, "out of memory");
	if (stat(wal, &st) == 0 && st.st_size > 0)
		ret = ks_error_set(err, KS_E_DB, "%s: %s holds changes of a connection still "
				   "open (a replay writing to it?): merge once it is done", out, wal);
	free(wal);
	return ret;
}

/* Flush the merged file and rename it over @out, with @mode. */
static int merge_commit(struct merge *m, const char *out, mode_t mode, struct ks_error *err)
{
	char *dir = strdup(out);
	int fd, ret = 0;

	if (!dir)
		return ks_error_set(err, ENOMEM, "out of memory");
	sqlite3_close(m->out.db);
	m->out.db = NULL;
	fd = open(m->out.path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fchmod(fd, mode) || fsync(fd)) {
		ret = errno;
		ret = ks_error_set(err, ret, "%s: %s", m->out.path, strerror(ret));
	}
	if (fd >= 0)
		close(fd);
	if (!ret)
		ret = check_no_wal(out, err);
	if (!ret && rename(m->out.path, out)) {
		ret = errno;
		ret = ks_error_set(err, ret, "%s: cannot rename %s to it: %s", out, m->out.path,
				   strerror(ret));
	}
	if (!ret) {
		/* the rename itself reaches the disk with the folder */
		fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
		free(m->out.path);
		m->out.path = NULL;
	}
	free(dir);
	return ret;
}

static void progress(const struct merge *m, const char *stage, size_t done, size_t total)
{
	if (m->o->progress)
		m->o->progress(stage, done, total, m->o->arg);
}

static int merge_all(struct merge *m, const char *out, bool base, const char *const *shards,
		     size_t n, struct ks_merge_summary *sum, struct ks_error *err)
{
	struct stat st;
	int64_t added = 0;
	size_t i;
	int ret = 0;

	/* every input is checked before the output is created */
	if (base)
		ret = check_input(m, out, err);
	for (i = 0; i < n && !ret; i++) {
		ret = ks_stop_check(err, "merge");
		if (!ret)
			ret = check_input(m, shards[i], err);
		progress(m, "checking", i + 1, n);
	}
	if (!ret)
		ret = merge_create(m, out, err);
	if (!ret && base) {
		ret = merge_input(m, out, true, err);
		if (!ret)
			ret = count_rows(m, "traces", &m->traces_before, err);
		if (!ret)
			ret = count_rows(m, "runs", &m->runs_before, err);
		for (i = 0; i < m->plan.n; i++)
			m->plan.t[i].added = 0;
	}
	for (i = 0; i < n && !ret; i++) {
		ret = ks_stop_check(err, "merge");
		if (!ret)
			ret = merge_input(m, shards[i], false, err);
		progress(m, "merging", i + 1, n);
	}
	if (ret)
		return ret;
	for (i = 0; i < m->plan.n; i++)
		added += m->plan.t[i].added;
	ret = count_rows(m, "traces", (int64_t *)&sum->traces, err);
	if (!ret)
		ret = count_rows(m, "runs", (int64_t *)&sum->runs, err);
	if (ret)
		return ret;
	sum->traces_added = sum->traces - (uint64_t)m->traces_before;
	sum->runs_added = sum->runs - (uint64_t)m->runs_before;
	if (base && !added)
		return 0;
	ret = ks_stop_check(err, "merge");
	if (ret)
		return ret;
	if (base && stat(out, &st) == 0) {
		ret = merge_commit(m, out, st.st_mode & 07777, err);
	} else {
		mode_t mask = umask(0);

		umask(mask);
		ret = merge_commit(m, out, 0666 & ~mask, err);
	}
	sum->written = !ret;
	return ret;
}

int ks_store_merge(const char *out, const char *const *shards, size_t n,
		   const struct ks_merge_opts *o, struct ks_merge_summary *sum,
		   struct ks_error *err)
{
	static const struct ks_merge_opts defaults;
	struct ks_merge_summary local;
	struct merge m = { .o = o ? o : &defaults };
	struct stat st;
	bool base;
	int ret;

	if (!sum)
		sum = &local;
	memset(sum, 0, sizeof(*sum));
	if (!*out || !strcmp(out, ":memory:"))
		return ks_error_set(err, KS_E_USAGE, "'%s' is not a database file name", out);
	base = stat(out, &st) == 0;
	if (base && S_ISDIR(st.st_mode))
		return ks_error_set(err, EISDIR, "%s: is a directory", out);
	pthread_mutex_init(&m.out.lock, NULL);
	ret = merge_all(&m, out, base, shards, n, sum, err);
	sqlite3_close(m.out.db);
	if (m.out.path)
		unlink(m.out.path);
	pthread_mutex_destroy(&m.out.lock);
	ks_merge_plan_release(&m.plan);
	free(m.out.path);
	free(m.version);
	free(m.version_path);
	return ret;
}
