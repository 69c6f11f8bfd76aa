// SPDX-License-Identifier: MIT
/*
 * The fleet report's hosts (store.h "ks_store_fleet_hosts"): one query
 * over traces, their task rows and the savings view.  Hosts come ordered by
 * trace id, not by row key: a merge's keys follow the order the shards were
 * given in, and the bootstrap's resamples must not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* ?1 the policy */
static const char hosts_sql[] =
	"SELECT t.id, t.label, t.kernel, t.arch, t.thread_size, p.trace IS NOT NULL, "
	"coalesce(k.tasks, 0), coalesce(k.le_4k, 0), coalesce(k.le_8k, 0), "
	"coalesce(k.le_16k, 0), r.key IS NOT NULL, s.regular_kb, s.dynamic_kb, "
	"coalesce(r.crashes, 0) "
	"FROM traces t LEFT JOIN task_traces p ON p.trace = t.key "
	"LEFT JOIN (SELECT trace, count(*) AS tasks, sum(hwm_final <= 4096) AS le_4k, "
	"sum(hwm_final <= 8192) AS le_8k, sum(hwm_final <= 16384) AS le_16k "
	"FROM tasks GROUP BY trace) k ON k.trace = t.key "
	"LEFT JOIN runs r ON r.key = (SELECT b.key FROM runs b WHERE b.trace = t.key "
	"AND b.policy = ?1 AND b.is_default = 1 ORDER BY NOT EXISTS (SELECT 1 FROM runs c "
	"WHERE c.trace = b.trace AND c.policy = 'static' AND c.is_default = 1 "
	"AND c.engine_version = b.engine_version), b.key LIMIT 1) "
	"LEFT JOIN savings s ON s.run = r.key AND s.basis = 'mean' "
	"ORDER BY t.id";

static void text(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

static uint64_t u64(sqlite3_stmt *st, int col)
{
	int64_t v = sqlite3_column_int64(st, col);

	return v > 0 ? (uint64_t)v : 0;
}

/* Row @st into @h. */
static void take_host(struct ks_fleet_host *h, sqlite3_stmt *st)
{
	memset(h, 0, sizeof(*h));
	text(h->id, sizeof(h->id), st, 0);
	text(h->label, sizeof(h->label), st, 1);
	text(h->kernel, sizeof(h->kernel), st, 2);
	text(h->arch, sizeof(h->arch), st, 3);
	h->thread_size = (uint32_t)u64(st, 4);
	h->has_tasks = sqlite3_column_int(st, 5) != 0;
	h->tasks = u64(st, 6);
	h->le_kb[0] = u64(st, 7);
	h->le_kb[1] = u64(st, 8);
	h->le_kb[2] = u64(st, 9);
	h->has_run = sqlite3_column_int(st, 10) != 0;
	h->has_saving = h->has_run && sqlite3_column_type(st, 11) != SQLITE_NULL &&
			sqlite3_column_type(st, 12) != SQLITE_NULL;
	h->regular_kb = sqlite3_column_double(st, 11);
	h->dynamic_kb = sqlite3_column_double(st, 12);
	h->crashes = u64(st, 13);
}

int ks_store_fleet_hosts(struct ks_store *s, const char *policy, struct ks_fleet_host **out,
			 size_t *n, struct ks_error *err)
{
	struct ks_fleet_host *v = NULL, *tmp;
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc, ret = 0;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, hosts_sql, -1, &st, NULL) != SQLITE_OK) {
		ret = ks_store_fail(s, err, "reading the fleet's hosts");
		goto out;
	}
	sqlite3_bind_text(st, 1, policy, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			tmp = realloc(v, cap * sizeof(*v));
			if (!tmp) {
				ret = ks_error_set(err, ENOMEM, "out of memory");
				goto out;
			}
			v = tmp;
		}
		take_host(&v[(*n)++], st);
	}
	if (rc != SQLITE_DONE)
		ret = ks_store_fail(s, err, "reading the fleet's hosts");
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	if (ret) {
		free(v);
		v = NULL;
		*n = 0;
	}
	*out = v;
	return ret;
}
