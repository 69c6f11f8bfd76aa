/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the report tests (header-only, static). */
#ifndef KS_TEST_REPORT_HELPERS_H
#define KS_TEST_REPORT_HELPERS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "store.h"
#include "tasks.h"

static int test_failures;

#define CHECK(cond)								\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
				__LINE__, #cond);				\
			test_failures++;					\
		}								\
	} while (0)

#define CHECK_STR(got, want)							\
	do {									\
		const char *g_ = (got), *w_ = (want);				\
		if (!g_ || strcmp(g_, w_)) {					\
			fprintf(stderr, "%s:%d: got:\n%s\n--- want:\n%s\n---\n",	\
				__FILE__, __LINE__, g_ ? g_ : "(null)", w_);	\
			test_failures++;					\
		}								\
	} while (0)

#define CHECK_OK(expr)								\
	do {									\
		struct ks_error e_ = { 0 };					\
		int r_ = (expr);						\
		(void)e_;							\
		if (r_) {							\
			fprintf(stderr, "%s:%d: %s returned %d\n", __FILE__,	\
				__LINE__, #expr, r_);				\
			test_failures++;					\
		}								\
	} while (0)

/* A fresh temporary directory, removed by the test's cleanup (rm -rf). */
static inline char *test_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	char *p;

	if (!t || !*t)
		t = "/tmp";
	if (asprintf(&p, "%s/ksreport.XXXXXX", t) < 0 || !mkdtemp(p)) {
		perror("mkdtemp");
		exit(1);
	}
	return p;
}

static inline void test_rmdir(const char *dir)
{
	char *cmd;

	if (asprintf(&cmd, "rm -rf '%s'", dir) >= 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
		free(cmd);
	}
}

static inline char *test_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	{
		FILE *m = open_memstream(&buf, &len);
		int c;

		while ((c = fgetc(f)) != EOF)
			fputc(c, m);
		fclose(m);
	}
	fclose(f);
	return buf;
}

/* What a report printer writes, captured; *rc gets its return value. */
typedef int (*report_print_fn)(struct ks_store *, const struct ks_report_opts *, FILE *,
			       struct ks_error *);

static inline char *report_capture(report_print_fn fn, struct ks_store *s,
				   const struct ks_report_opts *o, int *rc)
{
	struct ks_error err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*rc = fn(s, o, f, &err);
	fclose(f);
	return buf;
}

/*
 * A hand-made run's keys, standing in for the engine: @params "k=v,..."
 * become its canonical string and its keys one by one, and @defaults
 * "k=v,..." are the values its policy named alone takes on the trace's
 * machine.  A key is at its default when @defaults gives it the same value;
 * the run is the policy's default run when every key is.
 */
static inline void test_params(struct ks_result *r, const char *params, const char *defaults)
{
	const char *p = params;
	char item[KS_PARAM_KEY + KS_PARAM_VALUE + 2], all[1024];

	snprintf(r->params, sizeof(r->params), "%s", params);
	snprintf(all, sizeof(all), ",%s,", defaults);
	r->nr_params = 0;
	r->is_default = true;
	while (*p && r->nr_params < KS_MAX_PARAMS) {
		struct ks_param_value *v = &r->param[r->nr_params++];
		size_t len = strcspn(p, ","), eq = strcspn(p, "=");

		if (eq > len)
			exit(1);
		snprintf(v->key, sizeof(v->key), "%.*s", (int)eq, p);
		snprintf(v->value, sizeof(v->value), "%.*s", (int)(len - eq - 1), p + eq + 1);
		snprintf(item, sizeof(item), ",%.*s,", (int)len, p);
		v->is_default = strstr(all, item) != NULL;
		r->is_default &= v->is_default;
		p += len;
		if (*p)
			p++;
	}
}

static inline struct ks_result *test_result(const char *policy, const char *params,
					    const char *defaults)
{
	struct ks_result *r = calloc(1, sizeof(*r));

	if (!r)
		exit(1);
	snprintf(r->policy, sizeof(r->policy), "%s", policy);
	test_params(r, params, defaults);
	snprintf(r->engine_version, sizeof(r->engine_version), "%s", KS_ENGINE_VERSION);
	r->page_size = 4096;
	r->thread_size = 16384;
	return r;
}

static inline void test_info(struct kst_info *info, uint64_t id, const char *label,
			     uint32_t ncpus)
{
	kst_info_init(info);
	if (kst_info_set_ncpus(info, ncpus))
		exit(1);
	info->id = id;
	snprintf(info->label, sizeof(info->label), "%s", label);
	snprintf(info->host, sizeof(info->host), "testhost");
	snprintf(info->arch, sizeof(info->arch), "x86_64");
}

/* Store @n hand-made task rows for trace @trace (16 KiB stacks); @workload 0: none. */
static inline void test_tasks(struct ks_store *s, int64_t trace, const struct ks_task_row *rows,
			      size_t n, uint32_t workload)
{
	struct ks_store_tasks *tx = NULL;
	struct ks_error err = { 0 };
	size_t i;

	CHECK_OK(ks_store_tasks_begin(s, 16384, &tx, &err));
	for (i = 0; tx && i < n; i++)
		CHECK_OK(ks_store_tasks_put(tx, &rows[i]));
	if (tx)
		CHECK_OK(ks_store_tasks_commit(tx, trace, workload, n, &err));
}

#endif
