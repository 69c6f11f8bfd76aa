// SPDX-License-Identifier: MIT
/*
 * Which runs a report shows.  One query loads every run with its trace; the
 * selection (policy filter, default configuration) and the short policy
 * labels are worked out here, in C, so table and charts agree.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "rows.h"

const char *ks_params_body(const char *params)
{
	const char *colon = strchr(params, ':');
	const char *eq = strchr(params, '=');

	if (colon && (!eq || colon < eq))
		return colon + 1;
	return params;
}

/* The next "k=v" item of @p: key and value spans; returns the rest or NULL. */
static const char *next_item(const char *p, const char **k, size_t *klen, const char **v,
			     size_t *vlen)
{
	const char *end, *eq;

	while (*p == ',')
		p++;
	if (!*p)
		return NULL;
	end = strchr(p, ',');
	if (!end)
		end = p + strlen(p);
	eq = memchr(p, '=', (size_t)(end - p));
	*k = p;
	*klen = eq ? (size_t)(eq - p) : (size_t)(end - p);
	*v = eq ? eq + 1 : end;
	*vlen = (size_t)(end - *v);
	return end;
}

static bool find_value(const char *params, const char *key, size_t keylen, const char **v,
		       size_t *vlen)
{
	const char *p = ks_params_body(params), *k;
	size_t klen;

	while ((p = next_item(p, &k, &klen, v, vlen)))
		if (klen == keylen && !memcmp(k, key, keylen))
			return true;
	return false;
}

bool ks_params_value(const char *params, const char *key, char *buf, size_t len)
{
	const char *v;
	size_t vlen;

	if (!find_value(params, key, strlen(key), &v, &vlen) || vlen >= len)
		return false;
	memcpy(buf, v, vlen);
	buf[vlen] = '\0';
	return true;
}

static bool same_value(const char *params, const char *k, size_t klen, const char *v,
		       size_t vlen)
{
	const char *w;
	size_t wlen;

	return find_value(params, k, klen, &w, &wlen) && wlen == vlen && !memcmp(v, w, vlen);
}

uint64_t ks_row_regular_kb(const struct ks_row *r)
{
	return r->tasks_end * r->thread_size / 1024;
}

uint64_t ks_row_pool_kb(const struct ks_row *r)
{
	return (r->pool_pages_end + r->global_pages_end + r->extra_pages) * r->page_size / 1024;
}

double ks_row_savings(const struct ks_row *r)
{
	uint64_t reg = ks_row_regular_kb(r);

	return reg ? 1.0 - (double)r->kernel_stack_kb_end / (double)reg : NAN;
}

double ks_row_savings_pool(const struct ks_row *r)
{
	uint64_t reg = ks_row_regular_kb(r);

	return reg ? 1.0 - (double)(r->kernel_stack_kb_end + ks_row_pool_kb(r)) / (double)reg
		   : NAN;
}

static bool in_list(const char *k, size_t klen, const char *const *keys)
{
	for (; *keys; keys++)
		if (strlen(*keys) == klen && !memcmp(*keys, k, klen))
			return true;
	return false;
}

bool ks_row_same_but(const struct ks_row *a, const struct ks_row *b, const char *const *keys)
{
	const char *pa = ks_params_body(a->params), *pb = ks_params_body(b->params);
	const char *ka, *kb, *va, *vb;
	size_t kal, kbl, val, vbl;

	if (a->trace_key != b->trace_key || strcmp(a->policy, b->policy) ||
	    strcmp(a->engine_version, b->engine_version) || a->seed != b->seed)
		return false;
	/* canonical params are sorted: walk both, skipping @keys in each */
	for (;;) {
		do
			pa = next_item(pa, &ka, &kal, &va, &val);
		while (pa && in_list(ka, kal, keys));
		do
			pb = next_item(pb, &kb, &kbl, &vb, &vbl);
		while (pb && in_list(kb, kbl, keys));
		if (!pa || !pb)
			return !pa && !pb;
		if (kal != kbl || val != vbl || memcmp(ka, kb, kal) || memcmp(va, vb, val))
			return false;
	}
}

size_t ks_sweep_keys(const char *policy, const char **keys, size_t max)
{
	const struct ks_param *pd;
	const char *name, *desc;
	size_t i, n = 0;

	keys[n++] = "pool";
	for (i = 0; i < ks_policy_count(); i++) {
		ks_policy_describe(i, &name, &desc, &pd);
		if (strcmp(name, policy))
			continue;
		for (; pd && pd->key && n + 1 < max; pd++)
			if (pd->def && !strcmp(pd->def, "auto") && strcmp(pd->key, "pool"))
				keys[n++] = pd->key;
	}
	keys[n] = NULL;
	return n;
}

long ks_row_pool(const struct ks_row *r)
{
	char v[32], *end;
	long p;

	if (!ks_params_value(r->params, "pool", v, sizeof(v)) || v[0] < '0' || v[0] > '9')
		return -1;
	p = strtol(v, &end, 10);
	return *end ? -1 : p;
}

void ks_row_series_label(const struct ks_row *r, const char *const *drop, char *buf,
			 size_t len)
{
	const char *p = ks_params_body(r->policy_label), *k, *v;
	size_t klen, vlen, n, i;
	bool skip, first = true;

	snprintf(buf, len, "%s", r->policy);
	if (p == r->policy_label)	/* no ':': no keys named */
		return;
	while ((p = next_item(p, &k, &klen, &v, &vlen))) {
		for (i = 0, skip = false; drop && drop[i] && !skip; i++)
			skip = strlen(drop[i]) == klen && !memcmp(drop[i], k, klen);
		if (skip)
			continue;
		n = strlen(buf);
		snprintf(buf + n, len - n, "%c%.*s=%.*s", first ? ':' : ',', (int)klen, k,
			 (int)vlen, v);
		first = false;
	}
}

static void copy_text(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

/*
 * A run whose event counts were not observed: the entry policy on a trace
 * without kernel entry events derives memory only and marks its parameters.
 */
static bool costs_unknown(const struct ks_row *r)
{
	char v[32];

	return ks_params_value(r->params, "entries", v, sizeof(v)) &&
	       (!strcmp(v, "derived") || !strcmp(v, "unknown"));
}

static const char load_sql[] =
	"SELECT t.key, r.key, r.tasks_end, r.kernel_stack_kb_end, r.pool_pages_end, "
	"r.global_pages_end, r.extra_pages, r.faults, r.fallback_hits, r.crashes, "
	"t.lost_events, r.seed, r.ncpus, r.page_size, r.thread_size, "
	"(t.truncated OR NOT r.complete), t.label, r.policy, r.engine_version, r.params, "
	"t.ncpus, t.page_size, t.thread_size, t.id, "
	"(t.clock = 'synthetic' OR t.collector LIKE 'kstack-synth%'), r.end_ns - r.start_ns"
#define KS_X_COL(name, desc) ", r." #name
	KS_COUNTERS(KS_X_COL)
#undef KS_X_COL
	" FROM runs r JOIN traces t ON r.trace = t.key "
	"ORDER BY t.key, r.policy, r.params, r.engine_version, r.seed";

static int load(struct ks_store *s, struct ks_rowset *rs, struct ks_error *err)
{
	sqlite3 *db = ks_store_sqlite(s);
	sqlite3_stmt *st = NULL;
	struct ks_row *r, *tmp;
	int rc, col, ret = 0;
	size_t cap = 0;
	int64_t d;

	if (sqlite3_prepare_v2(db, load_sql, -1, &st, NULL) != SQLITE_OK)
		return ks_error_set(err, KS_E_DB, "%s: %s", ks_store_path(s), sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (rs->n == cap) {
			cap = cap ? 2 * cap : 16;
			tmp = realloc(rs->rows, cap * sizeof(*tmp));
			if (!tmp) {
				ret = ks_error_set(err, ENOMEM, "out of memory");
				goto out;
			}
			rs->rows = tmp;
		}
		r = &rs->rows[rs->n++];
		memset(r, 0, sizeof(*r));
		r->trace_key = sqlite3_column_int64(st, 0);
		r->run_key = sqlite3_column_int64(st, 1);
		r->tasks_end = (uint64_t)sqlite3_column_int64(st, 2);
		r->kernel_stack_kb_end = (uint64_t)sqlite3_column_int64(st, 3);
		r->pool_pages_end = (uint64_t)sqlite3_column_int64(st, 4);
		r->global_pages_end = (uint64_t)sqlite3_column_int64(st, 5);
		r->extra_pages = (uint64_t)sqlite3_column_int64(st, 6);
		r->faults = (uint64_t)sqlite3_column_int64(st, 7);
		r->fallback_hits = (uint64_t)sqlite3_column_int64(st, 8);
		r->crashes = (uint64_t)sqlite3_column_int64(st, 9);
		r->lost = (uint64_t)sqlite3_column_int64(st, 10);
		r->seed = (uint64_t)sqlite3_column_int64(st, 11);
		r->ncpus = (uint32_t)sqlite3_column_int64(st, 12);
		r->page_size = (uint32_t)sqlite3_column_int64(st, 13);
		r->thread_size = (uint32_t)sqlite3_column_int64(st, 14);
		r->truncated = sqlite3_column_int(st, 15) != 0;
		copy_text(r->label, sizeof(r->label), st, 16);
		copy_text(r->policy, sizeof(r->policy), st, 17);
		copy_text(r->engine_version, sizeof(r->engine_version), st, 18);
		copy_text(r->params, sizeof(r->params), st, 19);
		r->trace_ncpus = (uint32_t)sqlite3_column_int64(st, 20);
		r->trace_page_size = (uint32_t)sqlite3_column_int64(st, 21);
		r->trace_thread_size = (uint32_t)sqlite3_column_int64(st, 22);
		copy_text(r->trace_id, sizeof(r->trace_id), st, 23);
		r->synthetic = sqlite3_column_int(st, 24) != 0;
		d = sqlite3_column_int64(st, 25);
		r->duration_ns = d > 0 ? (uint64_t)d : 0;
		col = 26;
#define KS_X_GET(name, desc) r->c.name = (uint64_t)sqlite3_column_int64(st, col++);
		KS_COUNTERS(KS_X_GET)
#undef KS_X_GET
		r->costs_unknown = costs_unknown(r);
	}
	if (rc != SQLITE_DONE)
		ret = ks_error_set(err, KS_E_DB, "%s: %s", ks_store_path(s), sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	return ret;
}

/* Append "k=v" to the label, comma-separated after the first. */
static void label_add(struct ks_row *r, bool *first, const char *k, size_t klen, const char *v,
		      size_t vlen)
{
	size_t len = strlen(r->policy_label);

	snprintf(r->policy_label + len, sizeof(r->policy_label) - len, "%c%.*s=%.*s",
		 *first ? ':' : ',', (int)klen, k, (int)vlen, v);
	*first = false;
}

/*
 * With a default configuration known, name the keys that differ from it;
 * otherwise name the keys whose values differ among the policy's runs.
 * Return: the number of keys named.
 */
static int make_label(struct ks_rowset *rs, struct ks_row *r, const char *def)
{
	const char *p = ks_params_body(r->params), *k, *v;
	bool first = true, varies;
	size_t klen, vlen, j;
	int n = 0;

	snprintf(r->policy_label, sizeof(r->policy_label), "%s", r->policy);
	while ((p = next_item(p, &k, &klen, &v, &vlen))) {
		if (def) {
			varies = !same_value(def, k, klen, v, vlen);
		} else {
			varies = false;
			for (j = 0; j < rs->n && !varies; j++)
				if (!strcmp(rs->rows[j].policy, r->policy))
					varies = !same_value(rs->rows[j].params, k, klen, v, vlen);
		}
		if (varies) {
			label_add(r, &first, k, klen, v, vlen);
			n++;
		}
	}
	return n;
}

static void select_rows(struct ks_rowset *rs, const struct ks_report_opts *o)
{
	char def[sizeof(rs->rows[0].params) + 64];
	struct ks_error e;
	size_t i, j;
	bool known;

	for (i = 0; i < rs->n; i++) {
		struct ks_row *r = &rs->rows[i];
		struct ks_machine m = {
			.page_size = r->trace_page_size,
			.thread_size = r->trace_thread_size,
			.ncpus = r->trace_ncpus,
			.depth_known = true,
		};

		known = o->defaults && o->defaults(r->policy, &m, def, sizeof(def), &e) == 0;
		if (known) {
			r->is_default = make_label(rs, r, def) == 0;
			continue;
		}
		make_label(rs, r, NULL);
		/* no default known: a single configuration is the default one */
		r->is_default = true;
		for (j = 0; j < rs->n; j++)
			if (rs->rows[j].trace_key == r->trace_key &&
			    !strcmp(rs->rows[j].policy, r->policy) &&
			    strcmp(rs->rows[j].params, r->params))
				r->is_default = false;
	}
	for (i = 0; i < rs->n; i++) {
		struct ks_row *r = &rs->rows[i];
		bool group_has_default = false;

		for (j = 0; j < rs->n; j++)
			if (rs->rows[j].trace_key == r->trace_key &&
			    !strcmp(rs->rows[j].policy, r->policy) && rs->rows[j].is_default)
				group_has_default = true;
		r->shown = (o->all_runs || r->is_default || !group_has_default) &&
			   (!o->policy || !strcmp(o->policy, r->policy));
	}
	for (i = 0; i < rs->n; i++) {
		if (!rs->rows[i].shown)
			continue;
		rs->nr_shown++;
		for (j = 0; j < i; j++)
			if (rs->rows[j].shown &&
			    strcmp(rs->rows[j].policy_label, rs->rows[i].policy_label))
				rs->several_configs = true;
	}
}

/* Compare canonical parameter strings item by item, numeric values as numbers. */
static int cmp_params(const char *a, const char *b)
{
	const char *ka, *kb, *va, *vb;
	size_t kal, kbl, val, vbl;
	char *ea, *eb;
	double da, db;
	int c;

	a = ks_params_body(a);
	b = ks_params_body(b);
	for (;;) {
		a = next_item(a, &ka, &kal, &va, &val);
		b = next_item(b, &kb, &kbl, &vb, &vbl);
		if (!a || !b)
			return (a != NULL) - (b != NULL);
		c = memcmp(ka, kb, kal < kbl ? kal : kbl);
		if (c || kal != kbl)
			return c ? c : (kal < kbl ? -1 : 1);
		da = strtod(va, &ea);
		db = strtod(vb, &eb);
		if (ea == va + val && eb == vb + vbl && val && vbl) {
			if (da != db)
				return da < db ? -1 : 1;
			continue;
		}
		c = memcmp(va, vb, val < vbl ? val : vbl);
		if (c || val != vbl)
			return c ? c : (val < vbl ? -1 : 1);
	}
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct ks_row *a = pa, *b = pb;
	int c;

	if (a->trace_key != b->trace_key)
		return a->trace_key < b->trace_key ? -1 : 1;
	c = strcmp(a->policy, b->policy);
	if (!c)
		c = cmp_params(a->params, b->params);
	if (!c)
		c = strcmp(a->engine_version, b->engine_version);
	if (!c && a->seed != b->seed)
		c = a->seed < b->seed ? -1 : 1;
	return c ? c : (a->run_key > b->run_key) - (a->run_key < b->run_key);
}

int ks_rows_load(struct ks_store *s, const struct ks_report_opts *o, struct ks_rowset *out,
		 struct ks_error *err)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = load(s, out, err);
	if (ret) {
		ks_rowset_release(out);
		return ret;
	}
	if (!out->n) {
		ks_rowset_release(out);
		return ks_error_set(err, ENODATA, "%s: no runs stored yet", ks_store_path(s));
	}
	/* within a trace: by policy, then parameters with numbers compared as numbers */
	qsort(out->rows, out->n, sizeof(*out->rows), cmp_rows);
	select_rows(out, o);
	if (!out->nr_shown) {
		ks_rowset_release(out);
		return ks_error_set(err, ENODATA, "%s: no runs of policy '%s' stored",
				    ks_store_path(s), o->policy ? o->policy : "");
	}
	return 0;
}

void ks_rowset_release(struct ks_rowset *rs)
{
	free(rs->rows);
	rs->rows = NULL;
	rs->n = rs->nr_shown = 0;
}

int ks_rows_print(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		  ks_rows_printer fn, const char *what, struct ks_error *err)
{
	struct ks_rowset rs;
	int ret;

	if (o->format > KS_FMT_CSV)
		return ks_error_set(err, KS_E_USAGE, "unknown table format %d", (int)o->format);
	ret = ks_rows_load(s, o, &rs, err);
	if (ret)
		return ret;
	ret = fn(&rs, o, out);
	ks_rowset_release(&rs);
	if (ret)
		return ks_error_set(err, -ret, "printing the %s", what);
	if (fflush(out) == EOF || ferror(out))
		return ks_error_set(err, EIO, "writing the %s", what);
	return 0;
}
