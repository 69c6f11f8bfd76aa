// SPDX-License-Identifier: MIT
/*
 * Charts: the data files and scripts written for a tiny database whose
 * figures are worked out by hand, with hostile workload labels that must
 * neither break nor reach the gnuplot scripts (but as slugs of lowercase
 * letters, digits and dashes in file names).  Built with -DRENDER, the same
 * charts are drawn by gnuplot and the images checked (77 without it).
 *
 * Trace 1, label  a"b; system("x")  ->  a_b_ system(_x_) (2 CPUs), files
 * named a-b-system-x; rfc at pool=0,1,2 and static: 10 tasks x 16 KiB = 160
 * KiB regular (the static run's, which has no series nor histogram), 48 KiB
 * dynamic, pool 2 CPUs x N pages x 4 KiB = 0, 8, 16 KiB, so savings
 * 1 - 48/160 = 70.0% and savings+pool 70.0, 65.0, 60.0%; crashes 5, 1, 0,
 * the first of each 0.5 s after the start.  A census: every basis alike.
 * Trace 2, a label with a newline, \ ' $ and backquotes, static: 4 tasks,
 * 64 KiB regular and dynamic; files n-l-b-c-home-id.
 *
 * The bars show one panel per trace, rfc's run (none is at rfc's defaults,
 * pool=3: the first, pool=0, which crashed: hatched); trace 2 has no rfc
 * run, so no panel.  The pool sweep is one line (failure rate 0, as no
 * fail_rate is stored; one seed) in one row (rfc) of one image,
 * pool-a-b-system-x; no fallback hits nor waits: no fallback chart.
 *
 * Trace 1 has three task rows (trace 2 none: it has no per-task charts):
 *   A user "cc", born, died at 2 s, HWM 5000 (<=8K), first HWM at 0.1 s,
 *     last rise at 1.5 s (delay 1.4 s), asleep 1 s at <=2K, 1 KiB*s;
 *   B kthread, alive from start to end (3 s), HWM 2000 (<=2K), never rose,
 *     asleep 2 s at <=1K, 1 KiB*s (mean 0.5 KiB);
 *   C kworker, alive, HWM 900 (<=1K), never rose, never asleep.
 * depth-a-b-system-x: each class's share of its tasks alive at the end /
 * exited per bucket: kthread 1 alive (100% <=2K), kworker 1 alive (100%
 * <=1K), user 1 exited (100% <=8K).  asleep-a-b-system-x: KiB*s per bucket
 * and class, kthread 1 at <=1K, user 1 at <=2K; kworker has no mean.
 * latch: all three lived >= 1 s; delays 0, 0, 1.4 s: 2/3 at the axis'
 * start, 1 at 1.4 s, in latch-a-b-system-x.dat.
 */
#define _GNU_SOURCE
#include <dirent.h>
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
	if (crashes) {
		r->nr_crashes = 1;
		r->crashes[0].time = r->start_ns + 500000000ull;
		r->crashes[0].cpu = 1;
	}
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

static void add_tasks(struct ks_store *s, int64_t t)
{
	struct ks_task_row r[3];

	memset(r, 0, sizeof(r));
	r[0] = (struct ks_task_row){ .seq = 0, .tid = 100, .tgid = 100, .klass = KS_TASK_USER,
		.flags = KS_TASK_BORN | KS_TASK_DIED | KS_TASK_TGID, .born_ns = 0,
		.died_ns = 2000000000, .life_end_ns = 2000000000, .hwm_first = 3000,
		.hwm_first_ns = 100000000, .hwm_final = 5000, .rises = 1,
		.rise_first_ns = 1500000000, .rise_last_ns = 1500000000, .pages = 2,
		.asleep_ns = 1000000000, .asleep_kib_s = 1.0, .in_workload = -1 };
	r[0].bucket_asleep_ns[1] = 1000000000;
	r[0].bucket_kib_s[1] = 1.0;
	snprintf(r[0].comm, sizeof(r[0].comm), "cc");
	r[1] = (struct ks_task_row){ .seq = 1, .tid = 2, .tgid = 2, .klass = KS_TASK_KTHREAD,
		.flags = KS_TASK_TGID, .life_end_ns = 3000000000, .hwm_first = 2000,
		.hwm_final = 2000, .pages = 1, .asleep_ns = 2000000000, .asleep_kib_s = 1.0,
		.in_workload = -1 };
	r[1].bucket_asleep_ns[0] = 2000000000;
	r[1].bucket_kib_s[0] = 1.0;
	snprintf(r[1].comm, sizeof(r[1].comm), "kthreadd");
	r[2] = (struct ks_task_row){ .seq = 2, .tid = 3, .tgid = 3, .klass = KS_TASK_KWORKER,
		.flags = KS_TASK_TGID, .life_end_ns = 3000000000, .hwm_first = 900,
		.hwm_final = 900, .pages = 1, .in_workload = -1 };
	snprintf(r[2].comm, sizeof(r[2].comm), "kworker/0:1");
	test_tasks(s, t, r, 3, 0);
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
	add_tasks(s, t1);
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
/*
 * No piece of a label, and nothing a label could smuggle, is in a script:
 * a '$' only as a column ($2), file names only as slugs.
 */
static void check_script(const char *dir, const char *name, const char *must)
{
	static const char *const bad[] = { "system(", "HOME", "`", "a_b", "n_l", "id`", ";", "'c" };
	char *text = file(dir, name), *d;
	size_t i;

	CHECK(text != NULL);
	if (!text)
		return;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strstr(text, bad[i])) {
			fprintf(stderr, "%s contains '%s'\n", name, bad[i]);
			test_failures++;
		}
	for (d = strchr(text, '$'); d; d = strchr(d + 1, '$'))
		if (d[1] < '1' || d[1] > '9') {
			fprintf(stderr, "%s has a '$' that is no column\n", name);
			test_failures++;
		}
	if (!strstr(text, must)) {
		fprintf(stderr, "%s lacks '%s'\n", name, must);
		test_failures++;
	}
	CHECK(strstr(text, "set datafile separator \"\\t\"") != NULL);
	free(text);
}

/* Every data file's first line names its columns: a word, not a number. */
static void check_headers(const char *dir)
{
	struct dirent *d;
	DIR *dd = opendir(dir);
	size_t n = 0;

	CHECK(dd != NULL);
	while (dd && (d = readdir(dd))) {
		size_t len = strlen(d->d_name);
		char *text;

		if (len < 5 || strcmp(d->d_name + len - 4, ".dat"))
			continue;
		text = file(dir, d->d_name);
		n++;
		if (!text || !((text[0] >= 'a' && text[0] <= 'z') || text[0] == '#')) {
			fprintf(stderr, "%s: no header line\n", d->d_name);
			test_failures++;
		}
		free(text);
	}
	if (dd)
		closedir(dd);
	CHECK(n > 0);
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
	static const char want2[] = "time_s\tstatic\tpool_kb\tcache_kb\ttotal_kb\n"
				    "0.000000\t40\t0\t0\t40\n"
				    "1.000000\t44\t0\t0\t44\n";
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
	text = file(dir, "timeline_1.dat");
	CHECK_STR(text, want2);
	free(text);
	CHECK(!exists(dir, "timeline_2.dat"));
	o.trace = "0000000000000002";
	CHECK_OK(ks_report_charts_opts(s, &o, dir, &drew, &err));
	text = file(dir, "timeline_1.dat");
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
	text = file(dir, "timeline_1.dat");
	CHECK_STR(text, want2);
	free(text);
	ks_store_close(s);
}

/*
 * The registry: every chart it names is drawn when it has data, under its
 * name (NAME-all for a chart per trace: the trace is "all"), and the list
 * of charts written follows the registry.  One trace with everything: an
 * rfc+global pool sweep (pools 0 and 1) with fallback hits at pool 0,
 * samples and a histogram, its static run and an sp-reclaim:shootdown=local
 * run (two designs), and task rows, so that each of the nine charts has data;
 * and the fleet report's chart, drawn alone with it (of static's saving,
 * nothing, as the one run at its defaults).
 */
static void test_registry(const char *dir)
{
	static const uint64_t h[3] = { 1, 2, 3 };
	char *path, *cdir, *fdir, *want = NULL, *name;
	struct ks_error err = { 0 };
	struct ks_store *s = NULL;
	struct ks_fleet_opts fleet;
	struct ks_report_opts o;
	struct kst_info info;
	size_t i, j, len = 0;
	int64_t t = 0;
	bool drew, per;
	FILE *f;

	if (asprintf(&path, "%s/registry.db", dir) < 0 || asprintf(&cdir, "%s/registry", dir) < 0 ||
	    asprintf(&fdir, "%s/registry-fleet", dir) < 0)
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
		r->c.stack_pages_peak = r->c.stack_pages_end;
		r->c.stack_pages_mean = (double)r->c.stack_pages_end;
		r->c.fallback_hits = i ? 0 : 4;
		r->nr_samples = 1;
		r->samples[0].stack_pages = 10;
		r->nr_hwm_buckets = 3;
		memcpy(r->hwm_hist, h, sizeof(h));
		CHECK_OK(ks_store_put_run(s, t, r, 1, 0, &err));
		free(r);
	}
	{
		/*
		 * a second design, with points, and not a policy at its defaults:
		 * the designs chart has two, as after replay --designs
		 */
		struct ks_result *r = test_result("sp-reclaim", "shootdown=local",
						  "shootdown=all");

		r->ncpus = 2;
		r->nr_samples = 1;
		r->samples[0].stack_pages = 8;
		CHECK_OK(ks_store_put_run(s, t, r, 1, 0, &err));
		free(r);
	}
	add_tasks(s, t);
	CHECK_OK(ks_report_charts(s, cdir, &drew, &err));
	ks_report_opts_default(&o);
	ks_fleet_opts_default(&fleet);
	o.fleet = &fleet;
	o.policy = "static";
	CHECK_OK(ks_report_charts_opts(s, &o, fdir, &drew, &err));
	ks_store_close(s);

	f = open_memstream(&want, &len);
	for (i = 0; (name = (char *)ks_report_chart(i, &per)); i++) {
		char *gp;

		if (asprintf(&gp, "%s%s.gp", name, per ? "-all" : "") < 0)
			exit(1);
		if (!exists(strcmp(name, "fleet") ? cdir : fdir, gp)) {
			fprintf(stderr, "chart '%s' of the registry not drawn: no %s\n", name, gp);
			test_failures++;
		}
		free(gp);
		for (j = 0; j < i; j++)
			CHECK(strcmp(ks_report_chart(j, NULL), name));
		fprintf(f, "%s%s%s", i ? " " : "", name, per ? "-all" : "");
	}
	fclose(f);
	/* the ten charts, pool, fallback, depth, asleep and designs per trace, named after it */
	CHECK(i == 10);
	CHECK(ks_report_chart(i, &per) == NULL);
	CHECK_STR(want, "bars pool-all fallback-all timeline hwm depth-all asleep-all latch "
			"designs-all fleet");
	/* the fleet report's chart alone, and never with the others */
	*strrchr(want, ' ') = '\0';
	check_list(cdir, want);
	check_list(fdir, "fleet");
	free(want);
	free(cdir);
	free(fdir);
	free(path);
}

/*
 * A trace whose replay stopped after its task rows were stored, before its
 * first run: it has per-task charts of its own name ("only tasks", 1 CPU,
 * no run to take the CPUs from, so the trace's), beside those of trace
 * "first" (2 CPUs, a static run, the bars' only panel); neither's files
 * are the other's.
 */
static void test_task_only(const char *dir)
{
	struct ks_error err = { 0 };
	struct ks_store *s = NULL;
	struct kst_info info;
	char *path, *cdir, *text;
	int64_t t1 = 0, t2 = 0;
	bool drew;

	if (asprintf(&path, "%s/taskonly.db", dir) < 0 || asprintf(&cdir, "%s/taskonly", dir) < 0)
		exit(1);
	CHECK_OK(ks_store_open(&s, path, &err));
	if (!s)
		exit(1);
	test_info(&info, 4, "first", 2);
	CHECK_OK(ks_store_put_trace(s, &info, "4.kst", &t1, &err));
	kst_info_release(&info);
	test_info(&info, 5, "only tasks", 1);
	CHECK_OK(ks_store_put_trace(s, &info, "5.kst", &t2, &err));
	kst_info_release(&info);
	add_run(s, t1, "static", "", 2, 10, 160, 0, 0, NULL, 0);
	add_tasks(s, t1);
	add_tasks(s, t2);
	CHECK_OK(ks_report_charts(s, cdir, &drew, &err));
	ks_store_close(s);
	text = file(cdir, "depth-only-tasks.dat");
	CHECK_STR(text, "title\nonly tasks (1 CPU): lifetime stack high-water mark by class, "
			"alive at the end and exited\n");
	free(text);
	text = file(cdir, "depth-first.dat");
	CHECK_STR(text, "title\nfirst (2 CPUs): lifetime stack high-water mark by class, "
			"alive at the end and exited\n");
	free(text);
	text = file(cdir, "latch-only-tasks.dat");
	CHECK_STR(text, "delay_s\tonly tasks (1 CPU): 3 tasks\n"
			"0.0001\t0.666667\n"
			"1.4\t1.000000\n");
	free(text);
	CHECK(exists(cdir, "latch-first.dat"));
	check_list(cdir, "bars depth-first depth-only-tasks asleep-first asleep-only-tasks latch");
	free(cdir);
	free(path);
}

/*
 * A fleet of 34 traces: the bars draw the first 32 panels, 8 rows of 4, and
 * say so; the per-task charts, from one query for every trace, give each
 * trace its own tasks (the first and the last have the three of add_tasks(),
 * the others none): a run cut at the wrong row would count them twice or
 * in the wrong trace.
 */
static void test_many(const char *dir)
{
	static const char counts[] = "bucket\talive at end (1)\texited (0)\talive at end (1)"
				     "\texited (0)\talive at end (0)\texited (1)\n";
	struct ks_error err = { 0 };
	struct ks_store *s = NULL;
	struct kst_info info;
	char *path, *cdir, *text, label[8];
	int64_t t[34];
	bool drew;
	int i;

	if (asprintf(&path, "%s/many.db", dir) < 0 || asprintf(&cdir, "%s/many", dir) < 0)
		exit(1);
	CHECK_OK(ks_store_open(&s, path, &err));
	if (!s)
		exit(1);
	for (i = 0; i < 34; i++) {
		snprintf(label, sizeof(label), "t%02d", i);
		test_info(&info, 100 + (uint64_t)i, label, 2);
		CHECK_OK(ks_store_put_trace(s, &info, "m.kst", &t[i], &err));
		kst_info_release(&info);
		add_run(s, t[i], "static", "", 2, 10, 160, 0, 0, NULL, 0);
		add_run(s, t[i], "rfc", "pool=0", 2, 10, 48, 0, 0, NULL, 0);
	}
	add_tasks(s, t[0]);
	add_tasks(s, t[33]);
	CHECK_OK(ks_report_charts(s, cdir, &drew, &err));
	ks_store_close(s);
	text = file(cdir, "bars.dat");
	CHECK(text && strstr(text, "savings on the bars (the first 32 traces of 34)\nt00 (2 CPUs)\n"));
	CHECK(text && strstr(text, "t31 (2 CPUs)\n") && !strstr(text, "t32"));
	free(text);
	check_script(cdir, "bars.gp", "set multiplot layout 8,4 title T");
	CHECK(exists(cdir, "bars-t31.dat") && !exists(cdir, "bars-t32.dat"));
	text = file(cdir, "depth-t00_1.dat");
	CHECK(text && !strncmp(text, counts, strlen(counts)));
	free(text);
	text = file(cdir, "depth-t33_1.dat");
	CHECK(text && !strncmp(text, counts, strlen(counts)));
	free(text);
	CHECK(!exists(cdir, "depth-t01.dat") && !exists(cdir, "depth-t32.dat"));
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

	/* the image's title on two lines, the panel's: a census, the same on every basis */
	text = file(dir, "bars.dat");
	CHECK_STR(text, "title\n"
			"Kernel stack memory per workload: today (static) and rfc:pool=0\n"
			"at the end of each trace, at its peak and on its time-weighted mean, "
			"savings on the bars, hatched: a would-be oops, no saving\n"
			"a_b_ system(_x_) (2 CPUs)\n");
	free(text);
	text = file(dir, "bars-a-b-system-x.dat");
	CHECK_STR(text, "basis\tx\ttoday (static)\tdynamic (rfc:pool=0), its saving\t"
			"dynamic + pools and caches (rfc:pool=0), its saving\tsavings_pct\t"
			"savings_pool_pct\toops\n"
			"end\t0\t160.0\t48.0\t48.0\t70.0\t70.0\t1\n"
			"peak\t1\t160.0\t48.0\t48.0\t70.0\t70.0\t1\n"
			"mean\t2\t160.0\t48.0\t48.0\t70.0\t70.0\t1\n");
	free(text);
	CHECK(!exists(dir, "bars-n-l-b-c-home-id.dat"));
	text = file(dir, "pool-a-b-system-x.dat");
	CHECK_STR(text, "title\na_b_ system(_x_) (2 CPUs): would-be crashes over the seeds of "
			"each failure rate, and savings, against the per-CPU pool size\nrfc\n");
	free(text);
	/* one seed a pool: shares 100 or 0; pools that crashed circled on the savings */
	text = file(dir, "pool-a-b-system-x_1.dat");
	CHECK_STR(text, "pool\t0 (1 seed)\tseeds_crashing_pct\tcrashes_median\tcrashes_max\t"
			"savings_if_oops\tfallback_median\twaits_median\tseeds\n"
			"0\t70.000\t100.000\t5.000\t5.000\t70.000\t0.000\t0.000\t1\n"
			"1\t65.000\t100.000\t1.000\t1.000\t65.000\t0.000\t0.000\t1\n"
			"2\t60.000\t0.000\t0.000\t0.000\tNaN\t0.000\t0.000\t1\n");
	free(text);
	CHECK(!exists(dir, "pool-a-b-system-x_2.dat") && !exists(dir, "pool-n-l-b-c-home-id.dat"));
	CHECK(!exists(dir, "fallback-a-b-system-x.dat"));
	CHECK(!exists(dir, "fallback-a-b-system-x.gp"));
	/*
	 * One line per policy: trace 1's first rfc run (none at its defaults),
	 * pool=0: (10 + i) pages x 4 KiB and no pool; its oops at 0.5 s marked
	 * at the first point from then on, 44 KiB at 1 s
	 */
	text = file(dir, "timeline_1.dat");
	CHECK_STR(text, "time_s\trfc:pool=0\tpool_kb\tcache_kb\ttotal_kb\n"
			"0.000000\t40\t0\t0\t40\n"
			"1.000000\t44\t0\t0\t44\n");
	free(text);
	CHECK(!exists(dir, "timeline_2.dat"));
	text = file(dir, "timeline-oops.dat");
	CHECK_STR(text, "time_s\ttotal_kb\tseries\n0.500000\t44\t1\n");
	free(text);
	text = file(dir, "timeline.dat");
	CHECK_STR(text, "title\nKernel stack memory over time (stacks + pools + cached stacks): "
			"a_b_ system(_x_) (2 CPUs)\n");
	free(text);
	/* HWM shares: 1,3,4,0,0 of 8 tasks; 0,0,1,1,0 of 2 */
	text = file(dir, "hwm.dat");
	CHECK_STR(text, "hwm\ta_b_ system(_x_) (2 CPUs)\tn_l_b_c_HOME_id_ (1 CPU)\n"
			"1K\t12.500\t0.000\n"
			"2K\t37.500\t0.000\n"
			"4K\t50.000\t50.000\n"
			"8K\t0.000\t50.000\n"
			"16K\t0.000\t0.000\n");
	free(text);

	text = file(dir, "depth-a-b-system-x.dat");
	CHECK_STR(text, "title\na_b_ system(_x_) (2 CPUs): lifetime stack high-water mark by "
			"class, alive at the end and exited\n");
	free(text);
	text = file(dir, "depth-a-b-system-x_1.dat");
	CHECK_STR(text, "bucket\talive at end (1)\texited (0)\talive at end (1)\texited (0)"
			"\talive at end (0)\texited (1)\n"
			"<=1K\t0.000\t0.000\t100.000\t0.000\t0.000\t0.000\n"
			"<=2K\t100.000\t0.000\t0.000\t0.000\t0.000\t0.000\n"
			"<=4K\t0.000\t0.000\t0.000\t0.000\t0.000\t0.000\n"
			"<=8K\t0.000\t0.000\t0.000\t0.000\t0.000\t100.000\n"
			"<=16K\t0.000\t0.000\t0.000\t0.000\t0.000\t0.000\n"
			">16K\t0.000\t0.000\t0.000\t0.000\t0.000\t0.000\n");
	free(text);
	CHECK(!exists(dir, "depth-n-l-b-c-home-id.dat"));
	text = file(dir, "asleep-a-b-system-x.dat");
	CHECK_STR(text, "title\na_b_ system(_x_) (2 CPUs): depth while asleep, weighted by the "
			"time asleep\n");
	free(text);
	text = file(dir, "asleep-a-b-system-x_1.dat");
	CHECK_STR(text, "bucket\tkthread (mean 0.50 KiB)\tkworker\tuser (mean 1.00 KiB)\n"
			"<=1K\t1.000000\t0.000000\t0.000000\n"
			"<=2K\t0.000000\t0.000000\t1.000000\n"
			"<=4K\t0.000000\t0.000000\t0.000000\n"
			"<=8K\t0.000000\t0.000000\t0.000000\n"
			"<=16K\t0.000000\t0.000000\t0.000000\n"
			">16K\t0.000000\t0.000000\t0.000000\n");
	free(text);
	CHECK(!exists(dir, "asleep-n-l-b-c-home-id.dat"));
	text = file(dir, "latch-a-b-system-x.dat");
	CHECK_STR(text, "delay_s\ta_b_ system(_x_) (2 CPUs): 3 tasks\n"
			"0.0001\t0.666667\n"
			"1.4\t1.000000\n");
	free(text);
	CHECK(!exists(dir, "latch-n-l-b-c-home-id.dat"));
	check_script(dir, "depth-a-b-system-x.gp", "set multiplot layout 1,3 title T");
	check_script(dir, "asleep-a-b-system-x.gp", "plot for [i=2:4] 'asleep-a-b-system-x_1.dat'");
	check_script(dir, "latch.gp", "N = 1\n");
	check_script(dir, "latch.gp", "plot 'latch-a-b-system-x.dat' using 1:2 with steps lt 1 "
				      "dt 1 lw LW(1) title columnheader(2)\n");
	check_script(dir, "bars.gp", "plot 'bars-a-b-system-x.dat' using ($2 * 4):3 with boxes");
	check_script(dir, "pool-a-b-system-x.gp", "ROWS = 1\n");
	check_script(dir, "timeline.gp", "N = 1\n");
	check_script(dir, "hwm.gp", "plot for [i=2:N+1] 'hwm.dat' using 0:i:xticlabels(1) "
				    "with linespoints lt (i - 1)");
	check_headers(dir);
	check_list(dir, "bars pool-a-b-system-x timeline hwm depth-a-b-system-x "
		   "asleep-a-b-system-x latch");
	CHECK(!exists(dir, "bars.png"));

	/* a database without a pool sweep: the old pool chart goes away */
	free(path);
	if (asprintf(&path, "%s/nosweep.db", dir) < 0)
		exit(1);
	s = make_db(path, false);
	CHECK_OK(ks_report_charts(s, dir, &drew, &err));
	CHECK(!exists(dir, "pool-a-b-system-x.gp") && !exists(dir, "pool-a-b-system-x_1.dat"));
	CHECK(!exists(dir, "pool-a-b-system-x.dat"));
	CHECK(exists(dir, "bars.gp") && exists(dir, "hwm.dat"));
	check_list(dir, "bars timeline hwm depth-a-b-system-x asleep-a-b-system-x latch");
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
	static const char *const names[] = {
		"bars", "pool-a-b-system-x", "timeline", "hwm", "depth-a-b-system-x",
		"asleep-a-b-system-x", "latch",
	};
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
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
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
	test_task_only(dir);
	test_many(dir);
#endif
	test_rmdir(dir);
	free(dir);
	if (test_failures)
		fprintf(stderr, "%d check(s) failed\n", test_failures);
	return test_failures ? 1 : ret;
}
