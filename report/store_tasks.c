// SPDX-License-Identifier: MIT
/*
 * The store's per-task rows (store.h "Per-task facts").  A replay hands
 * rows over while it reads the trace, from the thread that analyses it;
 * they go to temporary tables of this connection (SQLite keeps those in a
 * file of its own, so memory does not grow with the trace, and writing
 * them takes no lock on the database), in batches of one transaction each.
 * When the replay has read the whole trace, one transaction moves them
 * into the database under the trace's key: a report sees a trace's task
 * rows whole or not at all, and an interrupted replay leaves none.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "tasks.h"

/* rows per transaction of the temporary tables */
#define KS_TASKS_BATCH 4096

#define TASK_COLS								\
	"seq, tid, tgid, comm, class, in_workload, born_ns, died_ns, life_start_ns, "	\
	"life_end_ns, hwm_first, hwm_first_ns, hwm_final, hwm_exit, rise_first_ns, "	\
	"rise_last_ns, rises, rises_late, pages, pages_late_1s, pages_late_10pct, "	\
	"cross4k_ns, cross8k_ns, asleep_ns, asleep_kib_s"
#define ASLEEP_COLS "seq, bucket_kb, asleep_ns, kib_s"

static const char temp_sql[] =
	"DROP TABLE IF EXISTS temp.task_rows; DROP TABLE IF EXISTS temp.task_rows_asleep; "
	"CREATE TEMP TABLE task_rows (" TASK_COLS "); "
	"CREATE TEMP TABLE task_rows_asleep (" ASLEEP_COLS ");";
static const char drop_sql[] =
	"DROP TABLE IF EXISTS temp.task_rows; DROP TABLE IF EXISTS temp.task_rows_asleep;";

struct ks_store_tasks {
	struct ks_store *s;
	sqlite3_stmt *ins_task;
	sqlite3_stmt *ins_asleep;
	struct ks_error err;		/* the first failure of a put */
	uint32_t kb[KS_TASKS_MAX_BUCKETS];
	size_t nb;
	uint64_t rows;
	unsigned int batch;		/* rows in the open transaction */
	bool in_tx;
	int status;
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

/* Finalize, drop the temporary tables, free; the store's lock is held. */
static void tx_free_locked(struct ks_store_tasks *tx)
{
	struct ks_store *s = tx->s;

	if (tx->in_tx)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_finalize(tx->ins_task);
	sqlite3_finalize(tx->ins_asleep);
	sqlite3_exec(s->db, drop_sql, NULL, NULL, NULL);
	free(tx);
}

int ks_store_tasks_begin(struct ks_store *s, uint32_t thread_size,
			 struct ks_store_tasks **out, struct ks_error *err)
{
	static const char ins_task[] =
		"INSERT INTO temp.task_rows (" TASK_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char ins_asleep[] =
		"INSERT INTO temp.task_rows_asleep (" ASLEEP_COLS ") VALUES (?, ?, ?, ?)";
	struct ks_store_tasks *tx;
	int ret;

	*out = NULL;
	if (s->readonly)
		return ks_error_set(err, KS_E_DB, "%s: opened read-only", s->path);
	tx = calloc(1, sizeof(*tx));
	if (!tx)
		return ks_error_set(err, ENOMEM, "%s: out of memory", s->path);
	tx->s = s;
	tx->nb = ks_tasks_buckets(thread_size, tx->kb);
	pthread_mutex_lock(&s->lock);
	ret = exec_sql(s, temp_sql, err, "collecting task rows");
	if (!ret && (sqlite3_prepare_v2(s->db, ins_task, -1, &tx->ins_task, NULL) != SQLITE_OK ||
		     sqlite3_prepare_v2(s->db, ins_asleep, -1, &tx->ins_asleep, NULL) != SQLITE_OK))
		ret = ks_store_fail(s, err, "collecting task rows");
	if (ret) {
		tx_free_locked(tx);
		tx = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	*out = tx;
	return ret;
}

static void bind_opt(sqlite3_stmt *st, int i, bool have, int64_t v)
{
	if (have)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static int put_locked(struct ks_store_tasks *tx, const struct ks_task_row *r)
{
	struct ks_store *s = tx->s;
	sqlite3_stmt *st = tx->ins_task;
	int i = 1, rc;
	size_t b;

	if (!tx->in_tx) {
		if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
			return ks_store_fail(s, &tx->err, "collecting task rows");
		tx->in_tx = true;
	}
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
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return ks_store_fail(s, &tx->err, "collecting task rows");
	for (b = 0; b < tx->nb; b++) {
		if (!r->bucket_asleep_ns[b])
			continue;
		st = tx->ins_asleep;
		sqlite3_bind_int64(st, 1, (int64_t)r->seq);
		sqlite3_bind_int64(st, 2, tx->kb[b]);
		sqlite3_bind_int64(st, 3, (int64_t)r->bucket_asleep_ns[b]);
		sqlite3_bind_double(st, 4, r->bucket_kib_s[b]);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return ks_store_fail(s, &tx->err, "collecting task rows");
	}
	tx->rows++;
	if (++tx->batch == KS_TASKS_BATCH) {
		if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			return ks_store_fail(s, &tx->err, "collecting task rows");
		tx->in_tx = false;
		tx->batch = 0;
	}
	return 0;
}

int ks_store_tasks_put(void *arg, const struct ks_task_row *row)
{
	struct ks_store_tasks *tx = arg;
	int ret;

	pthread_mutex_lock(&tx->s->lock);
	if (!tx->status)
		tx->status = put_locked(tx, row);
	ret = tx->status;
	pthread_mutex_unlock(&tx->s->lock);
	return ret;
}

int ks_store_tasks_commit(struct ks_store_tasks *tx, int64_t trace_key, uint32_t workload_pid,
			  uint64_t live_peak, struct ks_error *err)
{
	static const char *const move_sql[] = {
		"DELETE FROM task_traces WHERE trace = ?1",
		"INSERT INTO task_traces (trace, workload_pid, tasks, live_peak) "
		"VALUES (?1, ?2, ?3, ?4)",
		"INSERT INTO tasks (trace, " TASK_COLS ") SELECT ?1, " TASK_COLS
		" FROM temp.task_rows",
		"INSERT INTO task_asleep (trace, " ASLEEP_COLS ") SELECT ?1, " ASLEEP_COLS
		" FROM temp.task_rows_asleep",
	};
	struct ks_store *s = tx->s;
	sqlite3_stmt *st;
	size_t i;
	int ret, rc;

	pthread_mutex_lock(&s->lock);
	if (tx->status) {
		*err = tx->err;
		ret = tx->status;
		goto out;
	}
	if (tx->in_tx) {
		ret = exec_sql(s, "COMMIT", err, "collecting task rows");
		if (ret)
			goto out;
		tx->in_tx = false;
	}
	ret = exec_sql(s, "BEGIN IMMEDIATE", err, "storing task rows");
	if (ret)
		goto out;
	for (i = 0; i < sizeof(move_sql) / sizeof(move_sql[0]) && !ret; i++) {
		if (sqlite3_prepare_v2(s->db, move_sql[i], -1, &st, NULL) != SQLITE_OK) {
			ret = ks_store_fail(s, err, "storing task rows");
			break;
		}
		sqlite3_bind_int64(st, 1, trace_key);
		if (sqlite3_bind_parameter_count(st) >= 2) {
			bind_opt(st, 2, workload_pid, workload_pid);
			sqlite3_bind_int64(st, 3, (int64_t)tx->rows);
			sqlite3_bind_int64(st, 4, (int64_t)live_peak);
		}
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			ret = ks_store_fail(s, err, "storing task rows");
	}
	if (!ret)
		ret = exec_sql(s, "COMMIT", err, "storing task rows");
	if (ret)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
out:
	tx_free_locked(tx);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

void ks_store_tasks_abort(struct ks_store_tasks *tx)
{
	struct ks_store *s;

	if (!tx)
		return;
	s = tx->s;
	pthread_mutex_lock(&s->lock);
	tx_free_locked(tx);
	pthread_mutex_unlock(&s->lock);
}
