// SPDX-License-Identifier: MIT
/*
 * Golden tables: a tiny database built through the store API from
 * hand-made results; every figure below is worked out by hand.
 *
 * Genoa (RFC row 1): 5786 stacks x 16 KiB = 92576 KiB regular, 23388 KiB
 * dynamic: savings 1 - 23388/92576 = 69188/92576 = 0.747364 -> 74.7%.
 * Pool 3 pages x 384 CPUs = 1152 pages = 4608 KiB: savings+pool
 * 1 - 27996/92576 = 64580/92576 = 0.697589 -> 69.8% (the reference's 69.8%).
 *
 * Skylake (RFC row 2, truncated, 5 events lost): 3182 x 16 = 50912 KiB,
 * dynamic 12860: 38052/50912 = 0.747407 -> 74.7%; pool 3 x 112 = 336 pages
 * = 1344 KiB: 1 - 14204/50912 = 36708/50912 = 0.721009 -> 72.1%.
 *
 * web,"db"|x (a label that needs quoting): 10 x 16 = 160 KiB, dynamic 48:
 * 112/160 = 0.7 -> 70.0%; pool 6 per-CPU + 8 global pages = 56 KiB:
 * 1 - 104/160 = 0.35 -> 35.0%.
 */
#define _GNU_SOURCE
#include "helpers.h"

#define ROW "%-10s  %6s  %7s  %11s  %11s  %7s  %8s  %12s  %6s  %7s  %4s\n"

static const char want_md[] =
	"| CPU | #Cores | #Stacks | Regular(kb) | Dynamic(kb) | Savings | Pool(kb) | Savings+pool "
	"| Faults | Crashes | Lost |\n"
	"| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
	"| Genoa | 384 | 5786 | 92576 | 23388 | 74.7% | 4608 | 69.8% | 61 | 0 | 0 |\n"
	"| Skylake\\* | 112 | 3182 | 50912 | 12860 | 74.7% | 1344 | 72.1% | 33 | 0 | 5 |\n"
	"| web,\"db\"\\|x | 2 | 10 | 160 | 48 | 70.0% | 56 | 35.0% | 3 | 2 | 0 |\n"
	"\n"
	"\\* trace truncated: recording was interrupted\n"
	"Lost > 0: events were lost while recording; those rows' figures are lower bounds\n";

static const char want_csv[] =
	"CPU,#Cores,#Stacks,Regular(kb),Dynamic(kb),Savings,Pool(kb),Savings+pool,Faults,"
	"Crashes,Lost,Truncated\r\n"
	"Genoa,384,5786,92576,23388,0.747364,4608,0.697589,61,0,0,0\r\n"
	"Skylake,112,3182,50912,12860,0.747407,1344,0.721009,33,0,5,1\r\n"
	"\"web,\"\"db\"\"|x\",2,10,160,48,0.700000,56,0.350000,3,2,0,0\r\n";

static const char footer[] =
	"\n"
	"* trace truncated: recording was interrupted\n"
	"Lost > 0: events were lost while recording; those rows' figures are lower bounds\n";

static int64_t add_trace(struct ks_store *s, uint64_t id, const char *label, uint32_t ncpus,
			 bool truncated, uint64_t lost)
{
	struct ks_error err = { 0 };
	struct kst_info info;
	int64_t key = -1;

	test_info(&info, id, label, ncpus);
	info.truncated = truncated;
	info.lost_tracefs[0] = lost;
	CHECK_OK(ks_store_put_trace(s, &info, "x.kst", &key, &err));
	kst_info_release(&info);
	return key;
}

/*
 * The resolved defaults of two policies on the traced machine, standing in
 * for the engine (pool: thread pages - prealloc, as the RFC's 3).
 */
static const char *defaults_of(const char *policy)
{
	return !strcmp(policy, "rfc") ? "page_size=4096,pool=3,prealloc=1" : "page_size=4096";
}

static void add_run_at(struct ks_store *s, int64_t trace, const char *policy, const char *params,
		       const char *defaults, uint32_t ncpus, uint64_t tasks, uint64_t kb,
		       uint64_t pool, uint64_t global, uint64_t faults, uint64_t crashes)
{
	struct ks_result *r = test_result(policy, params, defaults);
	struct ks_error err = { 0 };

	r->ncpus = ncpus;
	r->c.tasks_end = tasks;
	r->c.kernel_stack_kb_end = kb;
	r->c.pool_pages_end = pool;
	r->c.global_pages_end = global;
	r->c.faults = faults;
	r->c.crashes = crashes;
	CHECK_OK(ks_store_put_run(s, trace, r, 1, 0, &err));
	free(r);
}

static void add_run(struct ks_store *s, int64_t trace, const char *policy, const char *params,
		    uint32_t ncpus, uint64_t tasks, uint64_t kb, uint64_t pool, uint64_t global,
		    uint64_t faults, uint64_t crashes)
{
	add_run_at(s, trace, policy, params, defaults_of(policy), ncpus, tasks, kb, pool, global,
		   faults, crashes);
}

static void test_one_policy(const char *dir)
{
	struct ks_report_opts o;
	struct ks_store *s = NULL;
	struct ks_error err = { 0 };
	char *path, *got, *want = NULL;
	int64_t t1, t2, t3;
	size_t len = 0;
	FILE *f;
	int rc;

	if (asprintf(&path, "%s/one.db", dir) < 0)
		exit(1);
	CHECK_OK(ks_store_open(&s, path, &err));
	if (!s)
		return;
	ks_report_opts_default(&o);
	/* an empty database says so */
	got = report_capture(ks_report_table, s, &o, &rc);
	CHECK(rc == -ENODATA);
	free(got);

	t1 = add_trace(s, 101, "Genoa", 384, false, 0);
	t2 = add_trace(s, 102, "Skylake", 112, true, 5);
	t3 = add_trace(s, 103, "web,\"db\"|x", 2, false, 0);
	/* stored out of order: the table follows trace insertion order */
	add_run(s, t3, "rfc", "pool=3,prealloc=1", 2, 10, 48, 6, 8, 3, 2);
	add_run(s, t2, "rfc", "pool=3,prealloc=1", 112, 3182, 12860, 336, 0, 33, 0);
	add_run(s, t1, "rfc", "pool=3,prealloc=1", 384, 5786, 23388, 1152, 0, 61, 0);

	f = open_memstream(&want, &len);
	fprintf(f, ROW, "CPU", "#Cores", "#Stacks", "Regular(kb)", "Dynamic(kb)", "Savings",
		"Pool(kb)", "Savings+pool", "Faults", "Crashes", "Lost");
	fprintf(f, ROW, "Genoa", "384", "5786", "92576", "23388", "74.7%", "4608", "69.8%", "61",
		"0", "0");
	fprintf(f, ROW, "Skylake*", "112", "3182", "50912", "12860", "74.7%", "1344", "72.1%",
		"33", "0", "5");
	fprintf(f, ROW, "web,\"db\"|x", "2", "10", "160", "48", "70.0%", "56", "35.0%", "3", "2",
		"0");
	fputs(footer, f);
	fclose(f);
	got = report_capture(ks_report_table, s, &o, &rc);
	CHECK(rc == 0);
	CHECK_STR(got, want);
	/* the header is exactly the RFC's columns plus ours, nothing else */
	CHECK(!strncmp(got, "CPU         #Cores  #Stacks  Regular(kb)  Dynamic(kb)  Savings  "
			    "Pool(kb)  Savings+pool  Faults  Crashes  Lost\n", 103));
	free(got);

	o.format = KS_FMT_MARKDOWN;
	got = report_capture(ks_report_table, s, &o, &rc);
	CHECK(rc == 0);
	CHECK_STR(got, want_md);
	free(got);

	o.format = KS_FMT_CSV;
	got = report_capture(ks_report_table, s, &o, &rc);
	CHECK(rc == 0);
	CHECK_STR(got, want_csv);
	free(got);

	/* a policy with no runs */
	o.policy = "entry";
	got = report_capture(ks_report_table, s, &o, &rc);
	CHECK(rc == -ENODATA);
	free(got);

	ks_store_close(s);
	free(want);
	free(path);
}

#define ROWP "%-5s  %-10s  %6s  %7s  %11s  %11s  %7s  %8s  %12s  %6s  %7s  %4s\n"
#define HDRP "CPU", "Policy", "#Cores", "#Stacks", "Regular(kb)", "Dynamic(kb)", "Savings", \
	"Pool(kb)", "Savings+pool", "Faults", "Crashes", "Lost"

/*
 * Genoa under three configurations.  rfc:pool=0 has dynamic 30000 KiB:
 * 1 - 30000/92576 = 62576/92576 = 0.675942 -> 67.6%, no pool: the same with
 * pools.  static: every stack full, dynamic = regular = 92576: 0.0%.
 */
static void test_policies(const char *dir)
{
	struct ks_report_opts o;
	struct ks_store *s = NULL;
	struct ks_error err = { 0 };
	char *path, *got, *want = NULL;
	size_t len = 0;
	int64_t t;
	FILE *f;
	int rc;

	if (asprintf(&path, "%s/pol.db", dir) < 0)
		exit(1);
	CHECK_OK(ks_store_open(&s, path, &err));
	if (!s)
		return;
	t = add_trace(s, 201, "Genoa", 384, false, 0);
	/* params as the engine stores them: resolved, without the policy name */
	add_run(s, t, "static", "page_size=4096", 384, 5786, 92576, 0, 0, 0, 0);
	add_run(s, t, "rfc", "page_size=4096,pool=3,prealloc=1", 384, 5786, 23388, 1152, 0, 61, 0);
	add_run(s, t, "rfc", "page_size=4096,pool=0,prealloc=1", 384, 5786, 30000, 0, 0, 64, 7);

	/* default runs only: rfc's pool=3 and static; Policy column names them */
	ks_report_opts_default(&o);
	f = open_memstream(&want, &len);
	fprintf(f, "%-5s  %-6s  %6s  %7s  %11s  %11s  %7s  %8s  %12s  %6s  %7s  %4s\n", HDRP);
	fprintf(f, "%-5s  %-6s  %6s  %7s  %11s  %11s  %7s  %8s  %12s  %6s  %7s  %4s\n", "Genoa",
		"rfc", "384", "5786", "92576", "23388", "74.7%", "4608", "69.8%", "61", "0", "0");
	fprintf(f, "%-5s  %-6s  %6s  %7s  %11s  %11s  %7s  %8s  %12s  %6s  %7s  %4s\n", "Genoa",
		"static", "384", "5786", "92576", "92576", "0.0%", "0", "0.0%", "0", "0", "0");
	fclose(f);
	got = report_capture(ks_report_table, s, &o, &rc);
	CHECK(rc == 0);
	CHECK_STR(got, want);
	free(got);
	free(want);

	/* --all: every configuration, the non-default keys named */
	o.all_runs = true;
	f = open_memstream(&want, &len);
	fprintf(f, ROWP, HDRP);
	fprintf(f, ROWP, "Genoa", "rfc:pool=0", "384", "5786", "92576", "30000", "67.6%", "0",
		"67.6%", "64", "7", "0");
	fprintf(f, ROWP, "Genoa", "rfc", "384", "5786", "92576", "23388", "74.7%", "4608",
		"69.8%", "61", "0", "0");
	fprintf(f, ROWP, "Genoa", "static", "384", "5786", "92576", "92576", "0.0%", "0",
		"0.0%", "0", "0", "0");
	fclose(f);
	got = report_capture(ks_report_table, s, &o, &rc);
	CHECK(rc == 0);
	CHECK_STR(got, want);
	free(got);
	free(want);

	/* one policy selected: one configuration, so no Policy column */
	o.all_runs = false;
	o.format = KS_FMT_CSV;
	o.policy = "static";
	got = report_capture(ks_report_table, s, &o, &rc);
	CHECK(rc == 0);
	CHECK_STR(got, "CPU,#Cores,#Stacks,Regular(kb),Dynamic(kb),Savings,Pool(kb),"
		       "Savings+pool,Faults,Crashes,Lost,Truncated\r\n"
		       "Genoa,384,5786,92576,92576,0.000000,0,0.000000,0,0,0,0\r\n");
	free(got);

	ks_store_close(s);
	free(path);
}

/*
 * A trace whose stored runs of a policy include none at its defaults (here
 * rfc named alone would take pool=2 on that machine): they all show, each
 * named by its keys not at their default.
 */
static void test_no_default(const char *dir)
{
	static const char rfc2[] = "page_size=4096,pool=2,prealloc=1";
	struct ks_report_opts o;
	struct ks_store *s = NULL;
	struct ks_error err = { 0 };
	char *path, *got;
	int64_t t;
	int rc;

	if (asprintf(&path, "%s/nodef.db", dir) < 0)
		exit(1);
	CHECK_OK(ks_store_open(&s, path, &err));
	if (!s)
		return;
	t = add_trace(s, 201, "Genoa", 384, false, 0);
	add_run(s, t, "static", "page_size=4096", 384, 5786, 92576, 0, 0, 0, 0);
	add_run_at(s, t, "rfc", "page_size=4096,pool=3,prealloc=1", rfc2, 384, 5786, 23388, 1152,
		   0, 61, 0);
	add_run_at(s, t, "rfc", "page_size=4096,pool=0,prealloc=1", rfc2, 384, 5786, 30000, 0, 0,
		   64, 7);
	ks_report_opts_default(&o);
	o.format = KS_FMT_CSV;
	got = report_capture(ks_report_table, s, &o, &rc);
	CHECK(rc == 0);
	CHECK_STR(got, "CPU,Policy,#Cores,#Stacks,Regular(kb),Dynamic(kb),Savings,Pool(kb),"
		       "Savings+pool,Faults,Crashes,Lost,Truncated\r\n"
		       "Genoa,rfc:pool=0,384,5786,92576,30000,0.675942,0,0.675942,64,7,0,0\r\n"
		       "Genoa,rfc:pool=3,384,5786,92576,23388,0.747364,4608,0.697589,61,0,0,0\r\n"
		       "Genoa,static,384,5786,92576,92576,0.000000,0,0.000000,0,0,0,0\r\n");
	free(got);
	ks_store_close(s);
	free(path);
}

int main(void)
{
	char *dir = test_tmpdir();

	test_one_policy(dir);
	test_policies(dir);
	test_no_default(dir);
	test_rmdir(dir);
	free(dir);
	if (test_failures)
		fprintf(stderr, "%d check(s) failed\n", test_failures);
	return test_failures ? 1 : 0;
}
