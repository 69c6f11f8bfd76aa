// SPDX-License-Identifier: MIT
/*
 * Which runs a report shows.  The store loads every run with its trace and
 * parameters; the order, the selection (policy filter, default runs) and the
 * short policy labels are worked out here, so table and charts agree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"

static const char *const basis_names[KS_NR_BASES] = {
	[KS_BASIS_END] = "end",
	[KS_BASIS_PEAK] = "peak",
	[KS_BASIS_MEAN] = "mean",
};

const char *ks_basis_name(enum ks_basis b)
{
	return (unsigned int)b < KS_NR_BASES ? basis_names[b] : "?";
}

int ks_basis_parse(const char *s, enum ks_basis *b, struct ks_error *err)
{
	size_t i;

	for (i = 0; i < KS_NR_BASES; i++) {
		if (!strcmp(s, basis_names[i])) {
			*b = (enum ks_basis)i;
			return 0;
		}
	}
	return ks_error_set(err, KS_E_USAGE, "unknown basis '%s' (end, peak or mean)", s);
}

void ks_report_add_basis(struct ks_report_opts *o, enum ks_basis b)
{
	size_t i;

	for (i = 0; i < o->nr_bases; i++)
		if (o->bases[i] == b)
			return;
	if (o->nr_bases < KS_NR_BASES)
		o->bases[o->nr_bases++] = b;
}

size_t ks_report_bases(const struct ks_rowset *rs, const struct ks_report_opts *o,
		       enum ks_basis *out)
{
	bool recorded = false;
	size_t i;

	if (o->nr_bases) {
		memcpy(out, o->bases, o->nr_bases * sizeof(*out));
		return o->nr_bases;
	}
	for (i = 0; i < rs->n; i++)
		recorded |= rs->rows[i].shown && !rs->rows[i].synthetic;
	/* the end of a recording is the machine at rest, not the workload */
	if (recorded) {
		out[0] = KS_BASIS_MEAN;
		out[1] = KS_BASIS_PEAK;
		return 2;
	}
	out[0] = KS_BASIS_END;
	return 1;
}

void ks_row_oops(const struct ks_row *r, char *buf, size_t len)
{
	char who[64];

	if (r->oops_comm[0])
		snprintf(who, sizeof(who), "task %u %s", r->oops_tid, r->oops_comm);
	else
		snprintf(who, sizeof(who), "task %u", r->oops_tid);
	snprintf(buf, len, "the machine would have oopsed at %.3f s on CPU %u (%s); memory after "
		 "that is not a saving", r->oops_s, r->oops_cpu, who);
}

static bool in_list(const char *k, const char *const *keys)
{
	for (; keys && *keys; keys++)
		if (!strcmp(*keys, k))
			return true;
	return false;
}

/* Append @r's keys that are not at their default, but those of @drop, as ":k=v,k=v". */
static void nondefault_keys(const struct ks_row *r, const char *const *drop, char *buf,
			    size_t len)
{
	const struct ks_param_value *p = r->params;
	size_t i, n;
	bool first = true;

	for (i = 0; i < r->nr_params; i++) {
		if (p[i].is_default || in_list(p[i].key, drop))
			continue;
		n = strlen(buf);
		snprintf(buf + n, len - n, "%c%s=%s", first ? ':' : ',', p[i].key, p[i].value);
		first = false;
	}
}

void ks_row_series_label(const struct ks_row *r, const char *const *drop, char *buf,
			 size_t len)
{
	snprintf(buf, len, "%s", r->policy);
	nondefault_keys(r, drop, buf, len);
}

/* "rfc" or "rfc:pool=0": the policy and its keys not at their default. */
static void make_label(struct ks_row *r)
{
	ks_row_series_label(r, NULL, r->policy_label, sizeof(r->policy_label));
}

/* The rows are sorted (cmp_rows()): the runs of one trace and policy are together. */
static void select_rows(struct ks_rowset *rs, const struct ks_report_opts *o)
{
	const struct ks_row *first = NULL;
	size_t i, j, k;

	for (i = 0; i < rs->n; i++)
		make_label(&rs->rows[i]);
	for (i = 0; i < rs->n; i = j) {
		bool group_has_default = false;

		for (j = i; j < rs->n && rs->rows[j].trace_key == rs->rows[i].trace_key &&
		     !strcmp(rs->rows[j].policy, rs->rows[i].policy); j++)
			group_has_default |= rs->rows[j].is_default;
		for (k = i; k < j; k++) {
			struct ks_row *r = &rs->rows[k];

			r->shown = (o->all_runs || r->is_default || !group_has_default) &&
				   (!o->policy || !strcmp(o->policy, r->policy)) &&
				   (o->traces == KS_TRACES_ALL ||
				    r->synthetic == (o->traces == KS_TRACES_SYNTHETIC));
		}
	}
	/* several configurations: a shown label differs from the first one shown */
	for (i = 0; i < rs->n; i++) {
		if (!rs->rows[i].shown)
			continue;
		rs->nr_shown++;
		if (!first)
			first = &rs->rows[i];
		else if (strcmp(first->policy_label, rs->rows[i].policy_label))
			rs->several_configs = true;
	}
}

/* Compare two values: as numbers when both are, else as text. */
static int cmp_value(const char *a, const char *b)
{
	char *ea, *eb;
	double da, db;

	da = strtod(a, &ea);
	db = strtod(b, &eb);
	if (*a && *b && !*ea && !*eb)
		return (da > db) - (da < db);
	return strcmp(a, b);
}

/* Compare the keys of two runs one by one (sorted by name), values numerically. */
static int cmp_params(const struct ks_row *a, const struct ks_row *b)
{
	size_t i;
	int c;

	for (i = 0; i < a->nr_params && i < b->nr_params; i++) {
		c = strcmp(a->params[i].key, b->params[i].key);
		if (!c)
			c = cmp_value(a->params[i].value, b->params[i].value);
		if (c)
			return c;
	}
	return (a->nr_params > b->nr_params) - (a->nr_params < b->nr_params);
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct ks_row *a = pa, *b = pb;
	int c;

	if (a->trace_key != b->trace_key)
		return a->trace_key < b->trace_key ? -1 : 1;
	c = strcmp(a->policy, b->policy);
	if (!c)
		c = cmp_params(a, b);
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
	ret = ks_store_runs(s, out, err);
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
		if (!o->policy)
			return ks_error_set(err, ENODATA, "%s: no runs of %s traces stored",
					    ks_store_path(s), o->traces == KS_TRACES_SYNTHETIC ?
					    "synthesized" : "recorded");
		return ks_error_set(err, ENODATA, "%s: no runs of policy '%s' stored",
				    ks_store_path(s), o->policy);
	}
	return 0;
}

void ks_rowset_release(struct ks_rowset *rs)
{
	free(rs->rows);
	free(rs->params);
	rs->rows = NULL;
	rs->params = NULL;
	rs->n = rs->nr_shown = rs->nr_params = 0;
}

int ks_rows_print(struct ks_store *s, const struct ks_report_opts *o, FILE *out,
		  ks_rows_printer fn, const char *what, struct ks_error *err)
{
	struct ks_rowset rs;
	int ret;

	if (o->format > KS_FMT_HTML)
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
