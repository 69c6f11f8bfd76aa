// SPDX-License-Identifier: MIT
/*
 * Charts: the data files and scripts written for a tiny database whose
 * figures are worked out by hand, with hostile workload labels that must
 * neither break nor reach the gnuplot scripts.  Built with -DRENDER, the
 * same charts are drawn by gnuplot and the images checked (77 without it).
 *
 * Trace 1, label  a"b; system("x")  ->  a_b_ system(_x_), 2 CPUs, rfc at
 * pool=0,1,2 and static: 10 tasks x 16 KiB = 160 KiB regular (the static
 * run's, which has no series nor histogram), 48 KiB dynamic, pool
 * 2 CPUs x N pages x 4 KiB = 0, 8, 16 KiB, so savings 1 - 48/160 = 70.0%
 * and savings+pool 70.0, 65.0, 60.0%; crashes 5, 1, 0.
 * Trace 2, a label with a newline, \ ' $ and backquotes, static: 4 tasks,
 * 64 KiB regular and dynamic.
 *
 * The bars show one group per trace, rfc's run (none is at rfc's defaults,
 * pool=3: the first, pool=0); trace 2 has no rfc run, so no group.  The pool sweep is
 * one line (failure rate 0, as no fail_rate is stored) in one panel (rfc)
 * of one image, pool-1; no fallback hits nor waits: no fallback chart.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <sqlite3.h>

#include "helpers.h"

static const char label1[] = "a\"b; system(\"x\")";
static const char label2[] = "n\nl\\b'c$HOME`id`";

static void add_run(struct ks_store *s, int64_t t, const char *pol, const char *params,
		    uint32_t ncpus, uint64_t tasks, uint64_t kb, uint64_t pool, uint64_t crashes,
		    const uint64_t *hwm, size_t nb)
{
	/* rfc named alone would take pool=3 on these machines */
	struct ks_result *r = test_result(pol, params, "pool=3");
	struct ks_error err = { 0 };
	size_t i;

	r->ncpus = ncpus;
	r->start_ns = 5000000000ull;
	r->c.tasks_end = tasks;
	r->c.kernel_stack_kb_end = kb;
	r->c.pool_pages_end = pool;
	/* a census: the same stacks and pools on every basis */
	r->c.stack_pages_end = r->c.stack_pages_peak = kb / 4;
	r->c.stack_pages_mean = (double)(kb / 4);
	r->c.total_pages_peak = kb / 4 + pool;
	r->c.total_pages_mean = (double)(kb / 4 + pool);
	r->c.crashes = crashes;
	r->nr_samples = hwm ? 2 : 0;
	for (i = 0; i < 2; i++) {
		r->samples[i].time = r->start_ns + i * 1000000000ull;
		r->samples[i].stack_pages = 10 + i;
		r->samples[i].pool_pages = pool;
	}
	r->nr_hwm_buckets = nb;
	for (i = 0; i < nb; i++)
		r->hwm_hist[i] = hwm[i];
	CHECK_OK(ks_store_put_run(s, t, r, 1, 0, &err));
	free(r);
}

static struct ks_store *make_db(const char *path, bool sweep)
{
	static const uint64_t h1[5] = { 1, 3, 4, 0, 0 }, h2[5] = { 0, 0, 1, 1, 0 };
	struct ks_store *s = NULL;
	struct ks_error err = { 0 };
	struct kst_info info;
	int64_t t1 = 0, t2 = 0;

	CHECK_OK(ks_store_open(&s, path, &err));
	if (!s)
		exit(1);
	test_info(&info, 1, label1, 2);
	CHECK_OK(ks_store_put_trace(s, &info, "1.kst", &t1, &err));
	kst_info_release(&info);
	test_info(&info, 2, label2, 1);
	CHECK_OK(ks_store_put_trace(s, &info, "2.kst", &t2, &err));
	kst_info_release(&info);
	add_run(s, t1, "rfc", "pool=0", 2, 10, 48, 0, 5, h1, 5);
	/* the baseline: no series, no histogram, so the charts of rfc's runs stay alone */
	add_run(s, t1, "static", "", 2, 10, 160, 0, 0, NULL, 0);
	if (sweep) {
		add_run(s, t1, "rfc", "pool=2", 2, 10, 48, 4, 0, h1, 5);
		add_run(s, t1, "rfc", "pool=1", 2, 10, 48, 2, 1, h1, 5);
	}
	add_run(s, t2, "static", "", 1, 4, 64, 0, 0, h2, 5);
	return s;
}

static char *file(const char *dir, const char *name)
{
	char *path, *text;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		exit(1);
	text = test_read_file(path);
	free(path);
	return text;
}

static bool exists(const char *dir, const char *name)
{
	char *path;
	bool ok;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		exit(1);
	ok = access(path, F_OK) == 0;
	free(path);
	return ok;
}

#ifndef RENDER
/* No piece of a label, and nothing a label could smuggle, is in a script. */
static void check_script(const char *dir, const char *name, const char *must)
{
	static const char *const bad[] = { "system", "HOME", "`", "$", "a_b", "n_l", "id`", ";" };
	char *text = file(dir, name);
	size_t i;

	CHECK(text != NULL);
	if (!text)
		return;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strstr(text, bad[i])) {
			fprintf(stderr, "%s contains '%s'\n", name, bad[i]);
			test_failures++;
		}
	if (!strstr(text, must)) {
		fprintf(stderr, "%s lacks '%s'\n", name, must);
		test_failures++;
	}
	CHECK(strstr(text, "set datafile separator \"\\t\"") != NULL);
	free(text);
}

/* ks_report_chart_list() names exactly @want (space-separated), in order. */
static void check_list(const char *dir, const char *want)
{
	char **names = NULL, *got = NULL;
	size_t len = 0, i;
	FILE *f;

	CHECK(ks_report_chart_list(dir, &names) == 0);
	f = open_memstream(&got, &len);
	for (i = 0; names && names[i]; i++)
		fprintf(f, "%s%s", i ? " " : "", names[i]);
	fclose(f);
	CHECK_STR(got, want);
	free(got);
	ks_report_chart_list_free(names);
}

/*
 * The timeline's trace: by label or id; a synthetic trace gives way to a
 * real one by default; an unknown one is an error.  Trace 2's static run
 * has (10 + i) pages and no pool: 40 then 44 KiB.
 */
static void test_trace(const char *dir, const char *path)
{
	static const char want2[] = "time_s\tstatic\tpool_kb\ttotal_kb\n"
				    "0.000000\t40\t0\t40\n"
				    "1.000000\t44\t0\t44\n";
	struct ks_error err = { 0 };
	struct ks_report_opts o;
	struct ks_store *s = NULL;
	sqlite3 *db = NULL;
	bool drew;
	char *text;

	CHECK_OK(ks_store_open(&s, path, &err));
	if (!s)
		return;
	ks_report_opts_default(&o);
	o.trace = label2;
	CHECK_OK(ks_report_charts_opts(s, &o, dir, &drew, &err));
	text = file(dir, "timeline-1.dat");
	CHECK_STR(text, want2);
	free(text);
	CHECK(!exists(dir, "timeline-2.dat"));
	o.trace = "0000000000000002";
	CHECK_OK(ks_report_charts_opts(s, &o, dir, &drew, &err));
	text = file(dir, "timeline-1.dat");
	CHECK_STR(text, want2);
	free(text);
	o.trace = "nosuch";
	CHECK(ks_report_charts_opts(s, &o, dir, &drew, &err) == -ENOENT);
	CHECK_STR(err.detail, "no trace 'nosuch' stored (give a label or id)");
	ks_store_close(s);

	/* trace 1 made synthetic: the default timeline is trace 2's */
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "UPDATE traces SET clock = 'synthetic' "
			   "WHERE id = '0000000000000001'", NULL, NULL, NULL) == 0);
	sqlite3_close(db);
	s = NULL;
	CHECK_OK(ks_store_open(&s, path, &err));
	if (!s)
		return;
	o.trace = NULL;
	CHECK_OK(ks_report_charts_opts(s, &o, dir, &drew, &err));
	text = file(dir, "timeline-1.dat");
	CHECK_STR(text, want2);
	free(text);
	ks_store_close(s);
}

/*
 * The registry: every chart it names is drawn when it has data, under its
 * name (NAME-1 for a chart per trace), and the list of charts written
 * follows the registry.  One trace with everything: an rfc+global pool
 * sweep (pools 0 and 1) with fallback hits at pool 0, samples and a
 * histogram, and its static run, so that each of the five charts has data.
 */
static void test_registry(const char *dir)
{
	static const uint64_t h[3] = { 1, 2, 3 };
	char *path, *cdir, *want = NULL, *name;
	struct ks_error err = { 0 };
	struct ks_store *s = NULL;
	struct kst_info info;
	size_t i, j, len = 0;
	int64_t t = 0;
	bool drew, per;
	FILE *f;

	if (asprintf(&path, "%s/registry.db", dir) < 0 || asprintf(&cdir, "%s/registry", dir) < 0)
		exit(1);
	CHECK_OK(ks_store_open(&s, path, &err));
	if (!s)
		exit(1);
	test_info(&info, 3, "all", 2);
	CHECK_OK(ks_store_put_trace(s, &info, "3.kst", &t, &err));
	kst_info_release(&info);
	for (i = 0; i < 3; i++) {
		/* two runs of a sweep, and the static run every comparison needs */
		struct ks_result *r = i == 2 ? test_result("static", "", "") :
				      test_result("rfc+global", i ? "pool=1" : "pool=0", "pool=3");

		r->ncpus = 2;
		r->c.tasks_end = 10;
		r->c.kernel_stack_kb_end = i == 2 ? 160 : 48;
		r->c.stack_pages_end = r->c.kernel_stack_kb_end / 4;
		r->c.fallback_hits = i ? 0 : 4;
		r->nr_samples = 1;
		r->samples[0].stack_pages = 10;
		r->nr_hwm_buckets = 3;
		memcpy(r->hwm_hist, h, sizeof(h));
		CHECK_OK(ks_store_put_run(s, t, r, 1, 0, &err));
		free(r);
	}
	CHECK_OK(ks_report_charts(s, cdir, &drew, &err));
	ks_store_close(s);

	f = open_memstream(&want, &len);
	for (i = 0; (name = (char *)ks_report_chart(i, &per)); i++) {
		char *gp;

		if (asprintf(&gp, "%s%s.gp", name, per ? "-1" : "") < 0)
			exit(1);
		if (!exists(cdir, gp)) {
			fprintf(stderr, "chart '%s' of the registry not drawn: no %s\n", name, gp);
			test_failures++;
		}
		free(gp);
		for (j = 0; j < i; j++)
			CHECK(strcmp(ks_report_chart(j, NULL), name));
		fprintf(f, "%s%s%s", i ? " " : "", name, per ? "-1" : "");
	}
	fclose(f);
	/* the five charts, pool and fallback per trace */
	CHECK(i == 5);
	CHECK(ks_report_chart(i, &per) == NULL);
	CHECK_STR(want, "bars pool-1 fallback-1 timeline hwm");
	check_list(cdir, want);
	free(want);
	free(cdir);
	free(path);
}

static void test_data(const char *dir)
{
	char *old_path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	struct ks_error err = { 0 };
	struct ks_store *s;
	char *path, *text;
	bool drew = true;

	if (asprintf(&path, "%s/charts.db", dir) < 0)
		exit(1);
	s = make_db(path, true);
	setenv("PATH", "/nonexistent", 1);
	CHECK_OK(ks_report_charts(s, dir, &drew, &err));
	CHECK(!drew);
	ks_store_close(s);

	text = file(dir, "bars.dat");
	CHECK_STR(text, "trace\tRegular (full stacks)\tDynamic (rfc:pool=0)\t"
			"Dynamic + pools (rfc:pool=0)\n"
			"a_b_ system(_x_)\t160\t48\t48\n");
	free(text);
	text = file(dir, "pool-1.dat");
	CHECK_STR(text, "a_b_ system(_x_): would-be crashes and savings against the per-CPU "
			"pool size\nrfc\n");
	free(text);
	text = file(dir, "pool-1-1.dat");
	CHECK_STR(text, "pool\t0\tcrashes\tsavings_pct\tfallback_hits\twaits\n"
			"0\t70.000\t5\t70.000\t0\t0\n"
			"1\t65.000\t1\t70.000\t0\t0\n"
			"2\t60.000\t0\t70.000\t0\t0\n");
	free(text);
	CHECK(!exists(dir, "pool-1-2.dat") && !exists(dir, "pool-2.dat"));
	CHECK(!exists(dir, "fallback-1.dat") && !exists(dir, "fallback-1.gp"));
	/*
	 * One line per policy: trace 1's first rfc run (none at its defaults),
	 * pool=0: (10 + i) pages x 4 KiB and no pool
	 */
	text = file(dir, "timeline-1.dat");
	CHECK_STR(text, "time_s\trfc:pool=0\tpool_kb\ttotal_kb\n"
			"0.000000\t40\t0\t40\n"
			"1.000000\t44\t0\t44\n");
	free(text);
	CHECK(!exists(dir, "timeline-2.dat"));
	text = file(dir, "timeline.dat");
	CHECK_STR(text, "Kernel stack memory over time (stacks + pools): a_b_ system(_x_)\n");
	free(text);
	/* HWM shares: 1,3,4,0,0 of 8 tasks; 0,0,1,1,0 of 2 */
	text = file(dir, "hwm.dat");
	CHECK_STR(text, "hwm\ta_b_ system(_x_)\tn_l_b_c_HOME_id_\n"
			"1K\t12.500\t0.000\n"
			"2K\t37.500\t0.000\n"
			"4K\t50.000\t50.000\n"
			"8K\t0.000\t50.000\n"
			"16K\t0.000\t0.000\n");
	free(text);

	check_script(dir, "bars.gp", "plot 'bars.dat' using 2:xticlabels(1) title columnheader(2)");
	check_script(dir, "pool-1.gp", "ROWS = 1\n");
	check_script(dir, "timeline.gp", "N = 1\n");
	check_script(dir, "hwm.gp", "plot for [i=2:N+1] 'hwm.dat' using i:xticlabels(1) "
				    "title columnheader(i)");
	check_list(dir, "bars pool-1 timeline hwm");
	CHECK(!exists(dir, "bars.png"));

	/* a database without a pool sweep: the old pool chart goes away */
	free(path);
	if (asprintf(&path, "%s/nosweep.db", dir) < 0)
		exit(1);
	s = make_db(path, false);
	CHECK_OK(ks_report_charts(s, dir, &drew, &err));
	CHECK(!exists(dir, "pool-1.gp") && !exists(dir, "pool-1-1.dat"));
	CHECK(!exists(dir, "pool-1.dat"));
	CHECK(exists(dir, "bars.gp") && exists(dir, "hwm.dat"));
	check_list(dir, "bars timeline hwm");
	ks_store_close(s);
	s = NULL;
	test_trace(dir, path);
	free(path);
	if (old_path)
		setenv("PATH", old_path, 1);
	free(old_path);
}
#endif

#ifdef RENDER
static bool have_gnuplot(void)
{
	return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

/* The images are real: PNG signature and an SVG document. */
static int test_render(const char *dir)
{
	static const unsigned char png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	static const char *const names[] = { "bars", "pool-1", "timeline", "hwm" };
	struct ks_error err = { 0 };
	struct ks_store *s;
	char *path, *text;
	bool drew = false;
	unsigned char sig[8];
	size_t i;
	FILE *f;

	if (!have_gnuplot())
		return 77;
	if (asprintf(&path, "%s/render.db", dir) < 0)
		exit(1);
	s = make_db(path, true);
	CHECK_OK(ks_report_charts(s, dir, &drew, &err));
	if (err.detail[0])
		fprintf(stderr, "%s\n", err.detail);
	CHECK(drew);
	ks_store_close(s);
	for (i = 0; i < 4; i++) {
		char *png;

		if (asprintf(&png, "%s/%s.png", dir, names[i]) < 0)
			exit(1);
		f = fopen(png, "rb");
		CHECK(f && fread(sig, 1, 8, f) == 8 && !memcmp(sig, png_sig, 8));
		if (f)
			fclose(f);
		free(png);
		if (asprintf(&png, "%s.svg", names[i]) < 0)
			exit(1);
		text = file(dir, png);
		CHECK(text && strstr(text, "<svg"));
		free(text);
		free(png);
		CHECK(!exists(dir, "bars.log"));
	}
	free(path);
	return 0;
}
#endif

int main(void)
{
	char *dir = test_tmpdir();
	int ret = 0;

#ifdef RENDER
	ret = test_render(dir);
#else
	test_data(dir);
	test_registry(dir);
#endif
	test_rmdir(dir);
	free(dir);
	if (test_failures)
		fprintf(stderr, "%d check(s) failed\n", test_failures);
	return test_failures ? 1 : ret;
}
