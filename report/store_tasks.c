// SPDX-License-Identifier: MIT
/*
 * The store's per-task rows (store.h "Per-task facts").  A replay hands
 * rows over while it reads the trace, from the thread that analyses it;
 * they wait in an unnamed temporary file (on disk: memory does not grow
 * with the trace, and no SQLite work slows the replay down).  When the
 * replay has read the whole trace, one transaction writes them into the
 * database under the trace's key: a report sees a trace's task rows whole
 * or not at all, and an interrupted replay leaves none (the file vanishes
 * with the process).
 *
 * Measured on a synthetic trace of 10 M events and 201000 tasks: staging
 * the rows in temporary SQLite tables, as a first version did, made the
 * replay 4.8 times slower (2.8 s against 0.58 s); the file costs next to
 * nothing during the replay, and the one transaction at the end is what
 * storing the rows takes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_int.h"
#include "tasks.h"

#define TASK_COLS								\
	"seq, tid, tgid, comm, class, in_workload, born_ns, died_ns, life_start_ns, "	\
	"life_end_ns, hwm_first, hwm_first_ns, hwm_final, hwm_exit, rise_first_ns, "	\
	"rise_last_ns, rises, rises_late, pages, pages_late_1s, pages_late_10pct, "	\
	"cross4k_ns, cross8k_ns, asleep_ns, asleep_kib_s"

struct ks_store_tasks {
	struct ks_store *s;
	FILE *f;			/* the rows so far, as they are in memory */
	uint32_t kb[KS_TASKS_MAX_BUCKETS];
	size_t nb;
	uint64_t rows;
	int status;			/* the first failure of a put: -errno */
	int saved_errno;
};

static int exec_sql(struct ks_store *s, const char *sql, struct ks_error *err, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return ks_store_fail(s, err, what);
	return 0;
}

int ks_store_tasks_known(struct ks_store *s, const struct kst_info *info, bool *known,
			 struct ks_error *err)
{
	static const char sql[] =
		"SELECT 1 FROM task_traces p JOIN traces t ON t.key = p.trace WHERE t.id = ?";
	sqlite3_stmt *st = NULL;
	char id[17];
	int rc, ret = 0;

	*known = false;
	snprintf(id, sizeof(id), "%016" PRIx64, info->id);
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		ret = ks_store_fail(s, err, "reading the task rows");
		goto out;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*known = true;
	else if (rc != SQLITE_DONE)
		ret = ks_store_fail(s, err, "reading the task rows");
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

/* An unnamed temporary file in $TMPDIR (else /tmp), gone when closed. */
static FILE *temp_file(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	FILE *f = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/kstack-tasks-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	unlink(path);
	f = fdopen(fd, "w+");
	if (!f)
		close(fd);
	return f;
}

int ks_store_tasks_begin(struct ks_store *s, uint32_t thread_size,
			 struct ks_store_tasks **out, struct ks_error *err)
{
	struct ks_store_tasks *tx;

	*out = NULL;
	if (s->readonly)
		return ks_error_set(err, KS_E_DB, "%s: opened read-only", s->path);
	tx = calloc(1, sizeof(*tx));
	if (!tx)
		return ks_error_set(err, ENOMEM, "%s: out of memory", s->path);
	tx->s = s;
	tx->nb = ks_tasks_buckets(thread_size, tx->kb);
	tx->f = temp_file();
	if (!tx->f) {
		int e = errno;

		free(tx);
		return ks_error_set(err, e, "cannot create a temporary file for task rows: %s",
				    strerror(e));
	}
	*out = tx;
	return 0;
}

/*
 * Called by one thread at a time (the analysis' while the trace is read,
 * then the replay's for the tasks alive at the end), so it takes no lock.
 */
int ks_store_tasks_put(void *arg, const struct ks_task_row *row)
{
	struct ks_store_tasks *tx = arg;

	if (tx->status)
		return tx->status;
	if (fwrite(row, sizeof(*row), 1, tx->f) != 1) {
		tx->saved_errno = errno ? errno : EIO;
		tx->status = -tx->saved_errno;
		return tx->status;
	}
	tx->rows++;
	return 0;
}

static void bind_opt(sqlite3_stmt *st, int i, bool have, int64_t v)
{
	if (have)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static int step(struct ks_store *s, sqlite3_stmt *st, struct ks_error *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : ks_store_fail(s, err, "storing task rows");
}

/* One row and its time asleep by bucket. */
static int put_row(struct ks_store_tasks *tx, sqlite3_stmt *st, sqlite3_stmt *sa,
		   int64_t trace, const struct ks_task_row *r, struct ks_error *err)
{
	int i = 1, ret;
	size_t b;

	sqlite3_bind_int64(st, i++, trace);
	sqlite3_bind_int64(st, i++, (int64_t)r->seq);
	sqlite3_bind_int64(st, i++, r->tid);
	bind_opt(st, i++, r->flags & KS_TASK_TGID, r->tgid);
	sqlite3_bind_text(st, i++, r->comm, (int)strnlen(r->comm, sizeof(r->comm)),
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, i++, ks_task_class_name(r->klass), -1, SQLITE_STATIC);
	bind_opt(st, i++, r->in_workload >= 0, r->in_workload);
	bind_opt(st, i++, r->flags & KS_TASK_BORN, (int64_t)r->born_ns);
	bind_opt(st, i++, r->flags & KS_TASK_DIED, (int64_t)r->died_ns);
	sqlite3_bind_int64(st, i++, (int64_t)r->life_start_ns);
	sqlite3_bind_int64(st, i++, (int64_t)r->life_end_ns);
	sqlite3_bind_int64(st, i++, r->hwm_first);
	bind_opt(st, i++, r->hwm_first, (int64_t)r->hwm_first_ns);
	sqlite3_bind_int64(st, i++, r->hwm_final);
	bind_opt(st, i++, r->flags & KS_TASK_EXITED, r->hwm_exit);
	bind_opt(st, i++, r->rises, (int64_t)r->rise_first_ns);
	bind_opt(st, i++, r->rises, (int64_t)r->rise_last_ns);
	sqlite3_bind_int64(st, i++, r->rises);
	sqlite3_bind_int64(st, i++, r->rises_late);
	sqlite3_bind_int64(st, i++, r->pages);
	sqlite3_bind_int64(st, i++, r->pages_late_1s);
	sqlite3_bind_int64(st, i++, r->pages_late_10pct);
	bind_opt(st, i++, r->flags & KS_TASK_CROSS4K, (int64_t)r->cross4k_ns);
	bind_opt(st, i++, r->flags & KS_TASK_CROSS8K, (int64_t)r->cross8k_ns);
	sqlite3_bind_int64(st, i++, (int64_t)r->asleep_ns);
	sqlite3_bind_double(st, i++, r->asleep_kib_s);
	ret = step(tx->s, st, err);
	for (b = 0; b < tx->nb && !ret; b++) {
		if (!r->bucket_asleep_ns[b])
			continue;
		sqlite3_bind_int64(sa, 1, trace);
		sqlite3_bind_int64(sa, 2, (int64_t)r->seq);
		sqlite3_bind_int64(sa, 3, tx->kb[b]);
		sqlite3_bind_int64(sa, 4, (int64_t)r->bucket_asleep_ns[b]);
		sqlite3_bind_double(sa, 5, r->bucket_kib_s[b]);
		ret = step(tx->s, sa, err);
	}
	return ret;
}

/* Everything of the commit but the transaction's end; the store's lock is held. */
static int commit_locked(struct ks_store_tasks *tx, int64_t trace, uint32_t workload_pid,
			 uint64_t live_peak, struct ks_error *err)
{
	static const char ins_task[] =
		"INSERT INTO tasks (trace, " TASK_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char ins_asleep[] =
		"INSERT INTO task_asleep (trace, seq, bucket_kb, asleep_ns, kib_s) "
		"VALUES (?, ?, ?, ?, ?)";
	struct ks_store *s = tx->s;
	sqlite3_stmt *st = NULL, *sa = NULL, *q = NULL;
	struct ks_task_row row;
	uint64_t i;
	int ret;

	if (sqlite3_prepare_v2(s->db, "DELETE FROM task_traces WHERE trace = ?", -1, &q,
			       NULL) != SQLITE_OK)
		return ks_store_fail(s, err, "storing task rows");
	sqlite3_bind_int64(q, 1, trace);
	ret = step(s, q, err);
	sqlite3_finalize(q);
	q = NULL;
	if (!ret && sqlite3_prepare_v2(s->db, "INSERT INTO task_traces (trace, workload_pid, "
				       "tasks, live_peak) VALUES (?, ?, ?, ?)", -1, &q,
				       NULL) != SQLITE_OK)
		ret = ks_store_fail(s, err, "storing task rows");
	if (!ret) {
		sqlite3_bind_int64(q, 1, trace);
		bind_opt(q, 2, workload_pid, workload_pid);
		sqlite3_bind_int64(q, 3, (int64_t)tx->rows);
		sqlite3_bind_int64(q, 4, (int64_t)live_peak);
		ret = step(s, q, err);
	}
	if (!ret && (sqlite3_prepare_v2(s->db, ins_task, -1, &st, NULL) != SQLITE_OK ||
		     sqlite3_prepare_v2(s->db, ins_asleep, -1, &sa, NULL) != SQLITE_OK))
		ret = ks_store_fail(s, err, "storing task rows");
	if (!ret && (fflush(tx->f) || fseek(tx->f, 0, SEEK_SET)))
		ret = ks_error_set(err, errno, "reading back the task rows: %s", strerror(errno));
	for (i = 0; i < tx->rows && !ret; i++) {
		if (fread(&row, sizeof(row), 1, tx->f) != 1)
			ret = ks_error_set(err, EIO, "reading back the task rows");
		else
			ret = put_row(tx, st, sa, trace, &row, err);
	}
	sqlite3_finalize(q);
	sqlite3_finalize(st);
	sqlite3_finalize(sa);
	return ret;
}

int ks_store_tasks_commit(struct ks_store_tasks *tx, int64_t trace_key, uint32_t workload_pid,
			  uint64_t live_peak, struct ks_error *err)
{
	struct ks_store *s = tx->s;
	int ret;

	if (tx->status) {
		ret = ks_error_set(err, tx->saved_errno, "writing task rows to a temporary file: %s",
				   strerror(tx->saved_errno));
		ks_store_tasks_abort(tx);
		return ret;
	}
	pthread_mutex_lock(&s->lock);
	ret = exec_sql(s, "BEGIN IMMEDIATE", err, "storing task rows");
	if (!ret) {
		ret = commit_locked(tx, trace_key, workload_pid, live_peak, err);
		if (!ret)
			ret = exec_sql(s, "COMMIT", err, "storing task rows");
		if (ret)
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	pthread_mutex_unlock(&s->lock);
	ks_store_tasks_abort(tx);
	return ret;
}

void ks_store_tasks_abort(struct ks_store_tasks *tx)
{
	if (!tx)
		return;
	if (tx->f)
		fclose(tx->f);
	free(tx);
}
