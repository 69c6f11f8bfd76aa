// SPDX-License-Identifier: MIT
/*
 * The results store: the only file of kstack that writes to SQLite
 * (store_read.c reads for the report).
 *
 * Thread safety: a store handle may be shared by threads; every exported
 * function that touches the database takes the handle's mutex, so runs are
 * written one transaction at a time.  Readers in other processes (a report
 * while a replay writes) see whole runs thanks to WAL and a busy timeout.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"
#include "schema.h"
#include "ks_stop.h"

#define KS_STORE_BUSY_MS 10000
/* SQLite runs this many virtual machine steps between two looks at ks_stop_signal() */
#define STORE_POLL_STEPS 4096

/* The run columns in insertion order: fixed ones, then every counter. */
static const char run_fixed_cols[] =
	"trace, policy, params, is_default, engine_version, seed, complete, wall_ns, page_size, "
	"thread_size, ncpus, start_ns, end_ns, stack_pages_mean, pool_pages_mean, total_pages_mean";
#define KS_RUN_FIXED 16

static const char *const counter_names[] = {
#define KS_X_NAME(name, desc) #name,
	KS_COUNTERS(KS_X_NAME)
#undef KS_X_NAME
};
#define KS_NR_COUNTERS (sizeof(counter_names) / sizeof(counter_names[0]))

/* SQLite's progress handler: a non-zero return stops the statement (SQLITE_INTERRUPT). */
static int store_poll(void *arg)
{
	return ks_stop_signal() != 0;
}

int ks_store_fail(struct ks_store *s, struct ks_error *err, const char *what)
{
	/* the progress handler of a read-only store stopped the statement */
	if (sqlite3_errcode(s->db) == SQLITE_INTERRUPT && ks_stop_signal())
		return ks_error_set(err, EINTR, "%s: %s interrupted", s->path, what);
	return ks_error_set(err, KS_E_DB, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static int exec(struct ks_store *s, const char *sql, struct ks_error *err)
{
	char *msg = NULL;
	int rc;

	rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		ks_error_set(err, KS_E_DB, "%s: %s", s->path, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return -KS_E_DB;
	}
	return 0;
}

static int query_int(struct ks_store *s, const char *sql, int64_t *v, struct ks_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_NOTADB)
		return ks_error_set(err, KS_E_DB, "%s: not a SQLite database", s->path);
	return ks_store_fail(s, err, "reading the schema");
}

/*
 * A new (empty) database gets the schema; any other must carry exactly our
 * user_version.  The check is repeated inside the write transaction so two
 * processes creating the same database do not both run the schema.
 */
static int check_schema(struct ks_store *s, struct ks_error *err)
{
	int64_t version, tables;
	int ret;

	ret = query_int(s, "PRAGMA user_version", &version, err);
	if (ret)
		return ret;
	ret = query_int(s, "SELECT count(*) FROM sqlite_master", &tables, err);
	if (ret)
		return ret;
	if (version == 0 && tables == 0) {
		if (s->readonly)
			return ks_error_set(err, KS_E_SCHEMA, "%s: not a kstack database (empty)",
					    s->path);
		ret = exec(s, "BEGIN IMMEDIATE", err);
		if (ret)
			return ret;
		ret = query_int(s, "PRAGMA user_version", &version, err);
		if (!ret)
			ret = query_int(s, "SELECT count(*) FROM sqlite_master", &tables, err);
		if (!ret && version == 0 && tables == 0)
			ret = exec(s, ks_schema_sql, err);
		if (!ret)
			ret = exec(s, "COMMIT", err);
		if (ret) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return ret;
		}
		return check_schema(s, err);
	}
	if (version == 0)
		return ks_error_set(err, KS_E_SCHEMA,
				    "%s: not a kstack database (schema version 0, this kstack uses %d)",
				    s->path, ks_schema_version);
	/* no migration: what newer versions add is the engine's to compute */
	if (version < ks_schema_version)
		return ks_error_set(err, KS_E_SCHEMA, "%s: schema version %" PRId64
				    ", this kstack uses %d: replay the traces into a new database",
				    s->path, version, ks_schema_version);
	if (version != ks_schema_version)
		return ks_error_set(err, KS_E_SCHEMA, "%s: schema version %" PRId64
				    ", this kstack uses %d", s->path, version, ks_schema_version);
	return 0;
}

static int prepare(struct ks_store *s, const char *sql, sqlite3_stmt **st,
		   struct ks_error *err)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return ks_store_fail(s, err, "preparing a statement");
	return 0;
}

static int prepare_all(struct ks_store *s, struct ks_error *err)
{
	char sql[4096];
	size_t i, len;
	int ret;

	len = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO runs (%s", run_fixed_cols);
	for (i = 0; i < KS_NR_COUNTERS; i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, ", %s", counter_names[i]);
	len += (size_t)snprintf(sql + len, sizeof(sql) - len, ") VALUES (?");
	for (i = 1; i < KS_RUN_FIXED + KS_NR_COUNTERS; i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, ", ?");
	len += (size_t)snprintf(sql + len, sizeof(sql) - len, ")");
	if (len >= sizeof(sql))
		return ks_error_set(err, KS_E_INTERNAL, "run insert statement too long");

	ret = prepare(s, sql, &s->ins_run, err);
	if (!ret)
		ret = prepare(s, "SELECT key FROM runs WHERE trace = ? AND policy = ? AND "
			      "params = ? AND engine_version = ? AND seed = ?", &s->find_run, err);
	if (!ret)
		ret = prepare(s, "DELETE FROM runs WHERE key = ?", &s->del_run, err);
	if (!ret)
		ret = prepare(s, "INSERT INTO run_params (run, key, value, is_default) "
			      "VALUES (?, ?, ?, ?)", &s->ins_param, err);
	if (!ret)
		ret = prepare(s, "INSERT INTO samples (run, seq, time, stack_pages, pool_pages, "
			      "cache_pages, kernel_stack_kb, tasks, crashes) "
			      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", &s->ins_sample, err);
	if (!ret)
		ret = prepare(s, "INSERT INTO crashes (run, seq, time, cpu, tid, pages, reason, "
			      "comm) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &s->ins_crash, err);
	if (!ret)
		ret = prepare(s, "INSERT INTO hwm_hist (run, bucket, kb, tasks) VALUES (?, ?, ?, ?)",
			      &s->ins_hwm, err);
	return ret;
}

/*
 * Did a read-only open fail for want of writing beside the file?  A reader
 * of a WAL database creates the -shm file if it is missing, and a reader
 * rolls back a hot journal: in a folder this user cannot write to (read-only
 * media, another user's results) SQLite fails with SQLITE_CANTOPEN (EPERM,
 * EROFS) or one of the SQLITE_READONLY_* codes (EACCES), depending on the path.
 */
static bool needs_write_beside(sqlite3 *db)
{
	int e = sqlite3_extended_errcode(db) & 0xff;

	return e == SQLITE_CANTOPEN || e == SQLITE_READONLY;
}

/*
 * A non-empty -wal or -journal beside @s->path: committed changes not yet in
 * the file, or a write cut short.  Only a connection that can write beside
 * the file can apply or undo them; the file alone would be stale or torn.
 */
static int check_no_pending(const char *db, struct ks_error *err)
{
	static const struct {
		const char *suffix, *what;
	} side[] = {
		{ "-wal", "holds changes not yet in the database; applying them" },
		{ "-journal", "holds a write cut short; undoing it" },
	};
	char path[4096];
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(side) / sizeof(side[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", db, side[i].suffix);
		if (stat(path, &st) == 0 && st.st_size > 0)
			return ks_error_set(err, KS_E_DB,
					    "%s: %s %s needs write access to its folder",
					    db, path, side[i].what);
	}
	return 0;
}

bool ks_store_has_pending(const char *path)
{
	return check_no_pending(path, NULL) != 0;
}

char *ks_store_uri(const char *path, const char *query)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-";
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(path), i, k = 0;
	char *uri = malloc(3 * len + strlen(query) + sizeof("file:?"));

	if (!uri)
		return NULL;
	k += (size_t)sprintf(uri, "file:");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)path[i];

		if (c && strchr(safe, c)) {
			uri[k++] = (char)c;
		} else {
			uri[k++] = '%';
			uri[k++] = hex[c >> 4];
			uri[k++] = hex[c & 15];
		}
	}
	sprintf(uri + k, "?%s", query);
	return uri;
}

/*
 * Reopen @s->db read-only as an immutable file (no -shm, no locks): the file
 * alone is whole, as no -wal or -journal holds anything (checked before).
 */
static int reopen_immutable(struct ks_store *s, struct ks_error *err)
{
	char *uri = ks_store_uri(s->path, "immutable=1");
	int ret = 0;

	if (!uri)
		return ks_error_set(err, ENOMEM, "%s: out of memory", s->path);
	sqlite3_close(s->db);
	if (sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		ret = ks_error_set(err, KS_E_DB, "%s: cannot open: %s", s->path,
				   s->db ? sqlite3_errmsg(s->db) : "out of memory");
	free(uri);
	return ret;
}

static int store_open(struct ks_store **out, const char *path, bool readonly, bool finished,
		      struct ks_error *err)
{
	struct ks_store *s;
	struct stat st;
	int flags, ret, fd;

	*out = NULL;
	/* SQLite would open a temporary or in-memory database: results lost */
	if (!*path || !strcmp(path, ":memory:"))
		return ks_error_set(err, KS_E_USAGE, "'%s' is not a database file name", path);
	if (stat(path, &st) < 0) {
		if (readonly)
			return ks_error_set(err, ENOENT, "%s: no such database", path);
	} else if (S_ISDIR(st.st_mode)) {
		return ks_error_set(err, EISDIR, "%s: is a directory", path);
	}
	/* SQLite would only say "unable to open database file" */
	if (readonly) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			ret = errno;
			return ks_error_set(err, ret, "%s: cannot read it: %s", path, strerror(ret));
		}
		close(fd);
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return ks_error_set(err, ENOMEM, "%s: out of memory", path);
	s->path = strdup(path);
	if (!s->path) {
		free(s);
		return ks_error_set(err, ENOMEM, "%s: out of memory", path);
	}
	pthread_mutex_init(&s->lock, NULL);
	s->readonly = readonly;
	flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	/* a finished database with nothing beside it is whole alone: read it so, leave no -shm */
	if (finished && !ks_store_has_pending(path)) {
		ret = reopen_immutable(s, err);
		if (ret)
			goto fail;
	} else if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		ret = ks_error_set(err, KS_E_DB, "%s: cannot open: %s", path,
				   s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, KS_STORE_BUSY_MS);
	ret = check_schema(s, err);
	if (ret && readonly && needs_write_beside(s->db)) {
		ret = check_no_pending(s->path, err);
		if (!ret)
			ret = reopen_immutable(s, err);
		if (!ret)
			ret = check_schema(s, err);
	}
	if (ret)
		goto fail;
	/* WAL lets a report read while a replay writes; not all filesystems allow it. */
	if (!readonly)
		sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	ret = exec(s, "PRAGMA foreign_keys = ON", err);
	if (!ret && !readonly)
		ret = prepare_all(s, err);
	if (ret)
		goto fail;
	/* a report's query over many traces can run for minutes: let a signal stop it */
	if (readonly)
		sqlite3_progress_handler(s->db, STORE_POLL_STEPS, store_poll, NULL);
	*out = s;
	return 0;
fail:
	ks_store_close(s);
	return ret;
}

int ks_store_open(struct ks_store **out, const char *path, struct ks_error *err)
{
	return store_open(out, path, false, false, err);
}

int ks_store_open_ro(struct ks_store **out, const char *path, struct ks_error *err)
{
	return store_open(out, path, true, false, err);
}

int ks_store_open_finished(struct ks_store **out, const char *path, struct ks_error *err)
{
	return store_open(out, path, true, true, err);
}

void ks_store_close(struct ks_store *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->find_run);
	sqlite3_finalize(s->del_run);
	sqlite3_finalize(s->ins_run);
	sqlite3_finalize(s->ins_param);
	sqlite3_finalize(s->ins_sample);
	sqlite3_finalize(s->ins_crash);
	sqlite3_finalize(s->ins_hwm);
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->lock);
	free(s->path);
	free(s);
}

const char *ks_store_path(const struct ks_store *s)
{
	return s->path;
}

static int step_done(struct ks_store *s, sqlite3_stmt *st, struct ks_error *err,
		     const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return ks_store_fail(s, err, what);
	return 0;
}

int ks_store_put_trace(struct ks_store *s, const struct kst_info *info, const char *path,
		       int64_t *trace_key, struct ks_error *err)
{
	static const char sql[] =
		"INSERT INTO traces (id, label, host, kernel, arch, collector, options, clock, "
		"format_version, ncpus, page_size, thread_size, depth_source, start_ns, end_ns, "
		"nr_kernel_stack_start_kb, nr_kernel_stack_end_kb, ram_kb, nr_events, "
		"lost_events, truncated, synth_seed, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
		"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING";
	sqlite3_stmt *st = NULL, *q = NULL;
	char id[17];
	int ret, i = 1;

	if (s->readonly)
		return ks_error_set(err, KS_E_DB, "%s: opened read-only", s->path);
	snprintf(id, sizeof(id), "%016" PRIx64, info->id);
	pthread_mutex_lock(&s->lock);
	ret = prepare(s, sql, &st, err);
	if (ret)
		goto out;
	sqlite3_bind_text(st, i++, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, i++, info->label, (int)strnlen(info->label, sizeof(info->label)),
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, i++, info->host, (int)strnlen(info->host, sizeof(info->host)),
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, i++, info->kernel, (int)strnlen(info->kernel, sizeof(info->kernel)),
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, i++, info->arch, (int)strnlen(info->arch, sizeof(info->arch)),
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, i++, info->collector,
			  (int)strnlen(info->collector, sizeof(info->collector)), SQLITE_TRANSIENT);
	sqlite3_bind_text(st, i++, info->options,
			  (int)strnlen(info->options, sizeof(info->options)), SQLITE_TRANSIENT);
	sqlite3_bind_text(st, i++, info->clock, (int)strnlen(info->clock, sizeof(info->clock)),
			  SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, i++, info->version);
	sqlite3_bind_int64(st, i++, info->ncpus);
	sqlite3_bind_int64(st, i++, info->page_size);
	sqlite3_bind_int64(st, i++, info->thread_size);
	sqlite3_bind_int64(st, i++, info->depth_source);
	sqlite3_bind_int64(st, i++, (int64_t)info->start_ns);
	sqlite3_bind_int64(st, i++, (int64_t)info->end_ns);
	sqlite3_bind_int64(st, i++, info->nr_kernel_stack_start_kb);
	sqlite3_bind_int64(st, i++, info->nr_kernel_stack_end_kb);
	sqlite3_bind_int64(st, i++, (int64_t)info->ram_kb);
	sqlite3_bind_int64(st, i++, (int64_t)info->nr_events);
	sqlite3_bind_int64(st, i++, (int64_t)kst_info_lost_total(info));
	sqlite3_bind_int(st, i++, info->truncated ? 1 : 0);
	sqlite3_bind_int64(st, i++, (int64_t)info->seed);
	sqlite3_bind_text(st, i++, path ? path : "", -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE) {
		ret = ks_store_fail(s, err, "storing a trace");
		goto out;
	}
	ret = prepare(s, "SELECT key FROM traces WHERE id = ?", &q, err);
	if (ret)
		goto out;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) != SQLITE_ROW) {
		ret = ks_store_fail(s, err, "finding a trace");
		goto out;
	}
	*trace_key = sqlite3_column_int64(q, 0);
out:
	sqlite3_finalize(st);
	sqlite3_finalize(q);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

static int bind_run(struct ks_store *s, int64_t trace_key, const struct ks_result *res,
		    int complete, uint64_t wall_ns)
{
	sqlite3_stmt *st = s->ins_run;
	int i = 1;

	sqlite3_bind_int64(st, i++, trace_key);
	sqlite3_bind_text(st, i++, res->policy, (int)strnlen(res->policy, sizeof(res->policy)),
			  SQLITE_STATIC);
	sqlite3_bind_text(st, i++, res->params, (int)strnlen(res->params, sizeof(res->params)),
			  SQLITE_STATIC);
	sqlite3_bind_int(st, i++, res->is_default ? 1 : 0);
	sqlite3_bind_text(st, i++, res->engine_version,
			  (int)strnlen(res->engine_version, sizeof(res->engine_version)),
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, i++, (int64_t)res->seed);
	sqlite3_bind_int(st, i++, complete ? 1 : 0);
	sqlite3_bind_int64(st, i++, (int64_t)wall_ns);
	sqlite3_bind_int64(st, i++, res->page_size);
	sqlite3_bind_int64(st, i++, res->thread_size);
	sqlite3_bind_int64(st, i++, res->ncpus);
	sqlite3_bind_int64(st, i++, (int64_t)res->start_ns);
	sqlite3_bind_int64(st, i++, (int64_t)res->end_ns);
	sqlite3_bind_double(st, i++, res->c.stack_pages_mean);
	sqlite3_bind_double(st, i++, res->c.pool_pages_mean);
	sqlite3_bind_double(st, i++, res->c.total_pages_mean);
#define KS_X_BIND(name, desc) sqlite3_bind_int64(st, i++, (int64_t)res->c.name);
	KS_COUNTERS(KS_X_BIND)
#undef KS_X_BIND
	return i;
}

/* Everything of one run, inside the caller's transaction. */
static int put_run_locked(struct ks_store *s, int64_t trace_key, const struct ks_result *res,
			  int complete, uint64_t wall_ns, struct ks_error *err)
{
	sqlite3_stmt *st;
	int64_t run;
	size_t i;
	int ret;

	st = s->find_run;
	sqlite3_bind_int64(st, 1, trace_key);
	sqlite3_bind_text(st, 2, res->policy, (int)strnlen(res->policy, sizeof(res->policy)),
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 3, res->params, (int)strnlen(res->params, sizeof(res->params)),
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 4, res->engine_version,
			  (int)strnlen(res->engine_version, sizeof(res->engine_version)),
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (int64_t)res->seed);
	while ((ret = sqlite3_step(st)) == SQLITE_ROW) {
		/* deleting the run cascades to its samples, crashes and histogram */
		sqlite3_bind_int64(s->del_run, 1, sqlite3_column_int64(st, 0));
		ret = step_done(s, s->del_run, err, "replacing a run");
		if (ret)
			break;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (ret < 0)
		return ret;
	if (ret != SQLITE_DONE)
		return ks_store_fail(s, err, "finding a run");

	bind_run(s, trace_key, res, complete, wall_ns);
	ret = step_done(s, s->ins_run, err, "storing a run");
	if (ret)
		return ret;
	run = sqlite3_last_insert_rowid(s->db);

	for (i = 0; i < res->nr_params && !ret; i++) {
		const struct ks_param_value *p = &res->param[i];

		st = s->ins_param;
		sqlite3_bind_int64(st, 1, run);
		sqlite3_bind_text(st, 2, p->key, (int)strnlen(p->key, sizeof(p->key)),
				  SQLITE_STATIC);
		sqlite3_bind_text(st, 3, p->value, (int)strnlen(p->value, sizeof(p->value)),
				  SQLITE_STATIC);
		sqlite3_bind_int(st, 4, p->is_default ? 1 : 0);
		ret = step_done(s, st, err, "storing parameters");
	}
	for (i = 0; i < res->nr_samples && !ret; i++) {
		const struct ks_sample *p = &res->samples[i];

		st = s->ins_sample;
		sqlite3_bind_int64(st, 1, run);
		sqlite3_bind_int64(st, 2, (int64_t)i);
		sqlite3_bind_int64(st, 3, (int64_t)p->time);
		sqlite3_bind_int64(st, 4, (int64_t)p->stack_pages);
		sqlite3_bind_int64(st, 5, (int64_t)p->pool_pages);
		sqlite3_bind_int64(st, 6, (int64_t)p->cache_pages);
		sqlite3_bind_int64(st, 7, (int64_t)p->kernel_stack_kb);
		sqlite3_bind_int64(st, 8, (int64_t)p->tasks);
		sqlite3_bind_int64(st, 9, (int64_t)p->crashes);
		ret = step_done(s, st, err, "storing samples");
	}
	for (i = 0; i < res->nr_crashes && !ret; i++) {
		const struct ks_crash *c = &res->crashes[i];

		st = s->ins_crash;
		sqlite3_bind_int64(st, 1, run);
		sqlite3_bind_int64(st, 2, (int64_t)i);
		sqlite3_bind_int64(st, 3, (int64_t)c->time);
		sqlite3_bind_int64(st, 4, c->cpu);
		sqlite3_bind_int64(st, 5, c->tid);
		sqlite3_bind_int64(st, 6, c->pages_needed);
		sqlite3_bind_int64(st, 7, c->reason);
		sqlite3_bind_text(st, 8, c->comm, (int)strnlen(c->comm, sizeof(c->comm)),
				  SQLITE_STATIC);
		ret = step_done(s, st, err, "storing crashes");
	}
	for (i = 0; i < res->nr_hwm_buckets && !ret; i++) {
		st = s->ins_hwm;
		sqlite3_bind_int64(st, 1, run);
		sqlite3_bind_int64(st, 2, (int64_t)i);
		sqlite3_bind_int64(st, 3, (int64_t)1 << i);
		sqlite3_bind_int64(st, 4, (int64_t)res->hwm_hist[i]);
		ret = step_done(s, st, err, "storing the HWM histogram");
	}
	return ret;
}

int ks_store_put_run(struct ks_store *s, int64_t trace_key, const struct ks_result *res,
		     int complete, uint64_t wall_ns, struct ks_error *err)
{
	int ret;

	if (s->readonly)
		return ks_error_set(err, KS_E_DB, "%s: opened read-only", s->path);
	if (res->nr_samples > KS_MAX_SAMPLES || res->nr_crashes > KS_MAX_CRASHES ||
	    res->nr_params > KS_MAX_PARAMS ||
	    res->nr_hwm_buckets > sizeof(res->hwm_hist) / sizeof(res->hwm_hist[0]))
		return ks_error_set(err, KS_E_INTERNAL, "run %s: array counts out of range",
				    res->policy);
	pthread_mutex_lock(&s->lock);
	ret = exec(s, "BEGIN IMMEDIATE", err);
	if (ret)
		goto out;
	ret = put_run_locked(s, trace_key, res, complete, wall_ns, err);
	if (!ret)
		ret = exec(s, "COMMIT", err);
	if (ret)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
out:
	pthread_mutex_unlock(&s->lock);
	return ret;
}
