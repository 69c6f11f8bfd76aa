// SPDX-License-Identifier: MIT
/*
 * Golden tables: tiny databases built through the store API from
 * hand-made results; the table is printed from the store's savings view,
 * and every figure below is worked out by hand.  4 KiB pages, 16 KiB
 * stacks.
 *
 * The RFC's census, on the end basis (test_end):
 * Genoa: static 5786 stacks x 4 pages = 23144 pages = 92576 KiB regular;
 * rfc 5847 pages = 23388 KiB dynamic: savings (92576 - 23388)/92576 =
 * 69188/92576 = 74.7%.  Pool 3 pages x 384 CPUs = 1152 pages = 4608 KiB,
 * static holds no cached stack: (92576 - 27996)/92576 = 64580/92576 = 69.8%
 * (the reference's 69.8%).
 * Skylake (truncated, 5 events lost): 3182 x 16 = 50912 KiB, dynamic 12860:
 * 38052/50912 = 74.7%; pool 336 pages = 1344 KiB: 36708/50912 = 72.1%.
 * web,"db"|x (a label that needs quoting): 10 x 16 = 160 KiB, dynamic 48:
 * 112/160 = 70.0%; pool 6 per-CPU + 8 global pages = 56 KiB: 56/160 = 35.0%.
 * RAM is unknown on all three: the %RAM columns say so.
 *
 * The bases, on a recording of 2 CPUs with 15000 KiB of RAM (test_bases):
 *            static                          rfc
 *   end      40 pages = 160 KiB, cache 8      12 = 48 KiB, pool 6 + cache 2
 *            pages: total 192 KiB             pages: total 80 KiB
 *   peak     56 = 224 KiB, total 60 = 240     20 = 80 KiB, total 27 = 108 KiB
 *   mean     45.5 = 182 KiB, total 50.5 =     14.25 = 57 KiB, total 22.25 =
 *            202 KiB                          89 KiB
 * rfc: Pool = total - stacks: end 32, peak 28, mean 32 KiB.
 *   Savings end 112/160 = 70.0%, peak 144/224 = 64.3%, mean 125/182 = 68.7%.
 *   Savings+pool end (192 - 80)/192 = 58.3%, peak (240 - 108)/240 = 55.0%,
 *   mean (202 - 89)/202 = 55.9%.
 *   Dynamic(%RAM) end 48/15000 = 0.320%, peak 80/15000 = 0.533%, mean
 *   57/15000 = 0.380%; Saved(%RAM) end 112/15000 = 0.747%, peak 132/15000 =
 *   0.880%, mean 113/15000 = 0.753%.
 * static: 0.0% on every basis (its own Regular); Pool end 32, peak 16, mean
 *   20 KiB; Dynamic(%RAM) end 160/15000 = 1.067%, peak 224/15000 = 1.493%,
 *   mean 182/15000 = 1.213%; Saved 0.000%.
 * #Stacks: end 10, peak 14, mean 182/16 = 11.375 -> 11.4 (the static run's
 *   mean stacks, all of them full).
 * rfc:pool=0 crashed twice, first at 1.5 s after the start on CPU 1 (task
 *   200, "worker"): stacks end 14 = 56 KiB, cache 2 = 8 KiB: savings
 *   104/160 = 65.0%, with pool (192 - 64)/192 = 66.7%, every memory figure
 *   marked "!" and explained in a footnote.
 */
#define _GNU_SOURCE
#include "helpers.h"

struct figs {
	uint64_t tasks_end, tasks_peak;
	uint64_t stack_end, stack_peak, pool_end, global_end, cache_end, total_peak;
	double stack_mean, total_mean;
};

static int64_t add_trace(struct ks_store *s, uint64_t id, const char *label, uint32_t ncpus,
			 bool truncated, uint64_t lost, uint64_t ram_kb)
{
	struct ks_error err = { 0 };
	struct kst_info info;
	int64_t key = -1;

	test_info(&info, id, label, ncpus);
	info.truncated = truncated;
	info.lost_tracefs[0] = lost;
	info.ram_kb = ram_kb;
	CHECK_OK(ks_store_put_trace(s, &info, "x.kst", &key, &err));
	kst_info_release(&info);
	return key;
}

/*
 * The resolved defaults of the policies on the traced machine, standing in
 * for the engine (pool: thread pages - prealloc, as the RFC's 3).
 */
static const char *defaults_of(const char *policy)
{
	return !strcmp(policy, "rfc") ? "page_size=4096,pool=3,prealloc=1" : "page_size=4096";
}

static void add_run(struct ks_store *s, int64_t trace, const char *policy, const char *params,
		    uint32_t ncpus, const struct figs *f, uint64_t faults, uint64_t crashes)
{
	struct ks_result *r = test_result(policy, params, defaults_of(policy));
	struct ks_error err = { 0 };

	r->ncpus = ncpus;
	r->start_ns = 1000000000ull;
	r->end_ns = 11000000000ull;
	r->c.tasks_end = f->tasks_end;
	r->c.tasks_peak = f->tasks_peak;
	r->c.stack_pages_end = f->stack_end;
	r->c.stack_pages_peak = f->stack_peak;
	r->c.kernel_stack_kb_end = 4 * f->stack_end;
	r->c.pool_pages_end = f->pool_end;
	r->c.global_pages_end = f->global_end;
	r->c.cache_pages_end = f->cache_end;
	r->c.total_pages_peak = f->total_peak;
	r->c.stack_pages_mean = f->stack_mean;
	r->c.total_pages_mean = f->total_mean;
	r->c.faults = faults;
	r->c.crashes = crashes;
	if (crashes) {
		r->nr_crashes = 1;
		r->crashes[0].time = r->start_ns + 1500000000ull;
		r->crashes[0].cpu = 1;
		r->crashes[0].tid = 200;
		snprintf(r->crashes[0].comm, sizeof(r->crashes[0].comm), "worker");
	}
	CHECK_OK(ks_store_put_run(s, trace, r, 1, 0, &err));
	free(r);
}

/* A census: the same figure on every basis. */
static struct figs census(uint64_t tasks, uint64_t stack, uint64_t pool, uint64_t global)
{
	return (struct figs){ tasks, tasks, stack, stack, pool, global, 0, stack + pool + global,
			      (double)stack, (double)(stack + pool + global) };
}

static struct ks_store *open_db(const char *dir, const char *name)
{
	struct ks_store *s = NULL;
	struct ks_error err = { 0 };
	char *path;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		exit(1);
	CHECK_OK(ks_store_open(&s, path, &err));
	free(path);
	if (!s)
		exit(1);
	return s;
}

static const char legend_end[] =
	"\n"
	"Regular: the static run of the trace (today's kernel, its stack cache included) on the "
	"same basis; Pool: pools, cached stacks and fixed overhead;\n"
	"Savings+pool: each side with its own pools and cached stacks.\n"
	"end: when the trace ends, a census as the RFC's figures are\n";

static void test_end(const char *dir)
{
	static const char want_md[] =
		"| CPU | #Cores | #Stacks end | Regular end(kb) | Dynamic end(kb) | Dynamic(%RAM) "
		"| Savings end | Pool end(kb) | Savings+pool end | Saved(%RAM) | Faults | Crashes "
		"| Lost |\n"
		"| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
		"| ---: |\n"
		"| Genoa | 384 | 5786 | 92576 | 23388 | unknown | 74.7% | 4608 | 69.8% | unknown "
		"| 61 | 0 | 0 |\n"
		"| Skylake\\* | 112 | 3182 | 50912 | 12860 | unknown | 74.7% | 1344 | 72.1% | unknown "
		"| 33 | 0 | 5 |\n"
		"| web,\"db\"\\|x | 2 | 10 | 160 | 48 | unknown | 70.0% | 56 | 35.0% | unknown | 3 "
		"| 0 | 0 |\n";
	static const char want_csv[] =
		"CPU,Basis,#Cores,#Stacks,Regular(kb),Dynamic(kb),Dynamic(%RAM),Savings(%),Pool(kb),"
		"Savings+pool(%),Saved(%RAM),Faults,Crashes,Lost,Truncated,Oops(s),Oops CPU\r\n"
		"Genoa,end,384,5786,92576.000,23388.000,unknown,74.7364,4608.000,69.7589,unknown,"
		"61,0,0,0,,\r\n"
		"Skylake,end,112,3182,50912.000,12860.000,unknown,74.7407,1344.000,72.1009,unknown,"
		"33,0,5,1,,\r\n"
		"\"web,\"\"db\"\"|x\",end,2,10,160.000,48.000,unknown,70.0000,56.000,35.0000,unknown,"
		"3,0,0,0,,\r\n";
	struct ks_report_opts o;
	struct ks_store *s = open_db(dir, "end.db");
	struct figs f;
	int64_t t1, t2, t3;
	char *got, *want;
	int rc;

	ks_report_opts_default(&o);
	/* an empty database says so */
	got = report_capture(ks_report_table, s, &o, &rc);
	CHECK(rc == -ENODATA);
	free(got);

	t1 = add_trace(s, 101, "Genoa", 384, false, 0, 0);
	t2 = add_trace(s, 102, "Skylake", 112, true, 5, 0);
	t3 = add_trace(s, 103, "web,\"db\"|x", 2, false, 0, 0);
	/* stored out of order: the table follows trace insertion order */
	f = census(10, 12, 6, 8);
	add_run(s, t3, "rfc", "pool=3,prealloc=1", 2, &f, 3, 0);
	f = census(10, 40, 0, 0);
	add_run(s, t3, "static", "page_size=4096", 2, &f, 0, 0);
	f = census(3182, 3215, 336, 0);
	add_run(s, t2, "rfc", "pool=3,prealloc=1", 112, &f, 33, 0);
	f = census(3182, 3182 * 4, 0, 0);
	add_run(s, t2, "static", "page_size=4096", 112, &f, 0, 0);
	f = census(5786, 5847, 1152, 0);
	add_run(s, t1, "rfc", "pool=3,prealloc=1", 384, &f, 61, 0);
	f = census(5786, 5786 * 4, 0, 0);
	add_run(s, t1, "static", "page_size=4096", 384, &f, 0, 0);

	o.policy = "rfc";
	ks_report_add_basis(&o, KS_BASIS_END);
	o.format = KS_FMT_MARKDOWN;
	got = report_capture(ks_report_table, s, &o, &rc);
	CHECK(rc == 0);
	if (asprintf(&want, "%s%s%s%s", want_md, legend_end,
		     "unknown: the trace does not record the machine's RAM\n"
		     "\\* trace truncated: recording was interrupted\n",
		     "Lost > 0: events were lost while recording; those rows' figures are lower "
		     "bounds\n") < 0)
		exit(1);
	CHECK_STR(got, want);
	free(got);
	free(want);

	o.format = KS_FMT_CSV;
	got = report_capture(ks_report_table, s, &o, &rc);
	CHECK(rc == 0);
	CHECK_STR(got, want_csv);
	free(got);

	/* text: the RFC's columns, the basis in each memory header */
	o.format = KS_FMT_TEXT;
	got = report_capture(ks_report_table, s, &o, &rc);
	CHECK(rc == 0);
	CHECK(got && !strncmp(got, "CPU         #Cores  #Stacks end  Regular end(kb)  "
				   "Dynamic end(kb)  Dynamic(%RAM)  Savings end  Pool end(kb)  "
				   "Savings+pool end  Saved(%RAM)  Faults  Crashes  Lost\n", 150));
	CHECK(got && strstr(got, "\nGenoa          384         5786            92576            "
				 "23388        unknown        74.7%          4608             "
				 "69.8%      unknown      61        0     0\n"));
	free(got);

	/* a policy with no runs */
	o.policy = "entry";
	got = report_capture(ks_report_table, s, &o, &rc);
	CHECK(rc == -ENODATA);
	free(got);
	ks_store_close(s);
}

static void add_web(struct ks_store *s, int64_t t)
{
	const struct figs st = { 10, 14, 40, 56, 0, 0, 8, 60, 45.5, 50.5 };
	const struct figs rfc = { 10, 14, 12, 20, 6, 0, 2, 27, 14.25, 22.25 };
	const struct figs p0 = { 10, 14, 14, 22, 0, 0, 2, 24, 15, 17 };

	add_run(s, t, "static", "page_size=4096", 2, &st, 0, 0);
	add_run(s, t, "rfc", "page_size=4096,pool=3,prealloc=1", 2, &rfc, 4, 0);
	add_run(s, t, "rfc", "page_size=4096,pool=0,prealloc=1", 2, &p0, 6, 2);
}

static void test_bases(const char *dir)
{
	/* a recording: mean then peak by default, each a table whose headers say it */
	static const char want_md[] =
		"Time-weighted mean over each trace:\n\n"
		"| CPU | Policy | #Cores | #Stacks mean | Regular mean(kb) | Dynamic mean(kb) "
		"| Dynamic(%RAM) | Savings mean | Pool mean(kb) | Savings+pool mean | Saved(%RAM) "
		"| Faults | Crashes | Lost |\n"
		"| :--- | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
		"| ---: | ---: |\n"
		"| web | rfc | 2 | 11.4 | 182.0 | 57.0 | 0.380% | 68.7% | 32.0 | 55.9% | 0.753% "
		"| 4 | 0 | 0 |\n"
		"| web | static | 2 | 11.4 | 182.0 | 182.0 | 1.213% | 0.0% | 20.0 | 0.0% | 0.000% "
		"| 0 | 0 | 0 |\n"
		"\nAt the peak during each trace:\n\n"
		"| CPU | Policy | #Cores | #Stacks peak | Regular peak(kb) | Dynamic peak(kb) "
		"| Dynamic(%RAM) | Savings peak | Pool peak(kb) | Savings+pool peak | Saved(%RAM) "
		"| Faults | Crashes | Lost |\n"
		"| :--- | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
		"| ---: | ---: |\n"
		"| web | rfc | 2 | 14 | 224 | 80 | 0.533% | 64.3% | 28 | 55.0% | 0.880% | 4 | 0 "
		"| 0 |\n"
		"| web | static | 2 | 14 | 224 | 224 | 1.493% | 0.0% | 16 | 0.0% | 0.000% | 0 | 0 "
		"| 0 |\n"
		"\n"
		"Regular: the static run of the trace (today's kernel, its stack cache included) on "
		"the same basis; Pool: pools, cached stacks and fixed overhead;\n"
		"Savings+pool: each side with its own pools and cached stacks.\n"
		"mean: time-weighted over the trace; peak: the largest at any moment; Dynamic + Pool "
		"is the peak of their sum, not a sum of peaks\n";
	/* CSV: one table, a row per run and basis, numbers plain */
	static const char want_csv[] =
		"CPU,Policy,Basis,#Cores,#Stacks,Regular(kb),Dynamic(kb),Dynamic(%RAM),Savings(%),"
		"Pool(kb),Savings+pool(%),Saved(%RAM),Faults,Crashes,Lost,Truncated,Oops(s),"
		"Oops CPU\r\n"
		"web,rfc:pool=0,end,2,10,160.000,56.000,0.373333333,65.0000,8.000,66.6667,0.853333333,"
		"6,2,0,0,1.500000,1\r\n"
		"web,rfc,end,2,10,160.000,48.000,0.320000000,70.0000,32.000,58.3333,0.746666667,4,0,0,0,,"
		"\r\n"
		"web,static,end,2,10,160.000,160.000,1.066666667,0.0000,32.000,0.0000,0.000000000,0,0,0,0,"
		",\r\n";
	struct ks_report_opts o;
	struct ks_store *s = open_db(dir, "bases.db");
	char *got;
	int rc;

	add_web(s, add_trace(s, 201, "web", 2, false, 0, 15000));
	ks_report_opts_default(&o);
	o.format = KS_FMT_MARKDOWN;
	got = report_capture(ks_report_table, s, &o, &rc);
	CHECK(rc == 0);
	CHECK_STR(got, want_md);
	free(got);

	o.format = KS_FMT_CSV;
	o.all_runs = true;
	ks_report_add_basis(&o, KS_BASIS_END);
	ks_report_add_basis(&o, KS_BASIS_END);	/* once is enough */
	got = report_capture(ks_report_table, s, &o, &rc);
	CHECK(rc == 0);
	CHECK_STR(got, want_csv);
	free(got);

	/* the crashed run's memory is flagged and the oops explained */
	o.format = KS_FMT_MARKDOWN;
	got = report_capture(ks_report_table, s, &o, &rc);
	CHECK(rc == 0);
	CHECK(got && strstr(got, "| web | rfc:pool=0 | 2 | 10 | 160 | 56! | 0.373%! | 65.0%! | 8! "
				 "| 66.7%! | 0.853%! | 6 | 2 | 0 |\n"));
	CHECK(got && strstr(got, "\n! web rfc:pool=0: the machine would have oopsed at 1.500 s on "
				 "CPU 1 (task 200 worker); memory after that is not a saving\n"));
	free(got);
	ks_store_close(s);
}

/* No static run of a trace: no Regular, no savings, and the footnote says why. */
static void test_no_static(const char *dir)
{
	struct ks_report_opts o;
	struct ks_store *s = open_db(dir, "lonely.db");
	struct figs f = census(10, 12, 6, 0);
	char *got;
	int rc;

	add_run(s, add_trace(s, 301, "lonely", 2, false, 0, 0), "rfc", "pool=3,prealloc=1", 2, &f,
		0, 0);
	ks_report_opts_default(&o);
	o.format = KS_FMT_MARKDOWN;
	ks_report_add_basis(&o, KS_BASIS_PEAK);
	got = report_capture(ks_report_table, s, &o, &rc);
	CHECK(rc == 0);
	CHECK(got && strstr(got, "| lonely | 2 | 10 | - | 48 | unknown | - | 24 | - | unknown | 0 "
				 "| 0 | 0 |\n"));
	CHECK(got && strstr(got, "\n-: no static run of the trace stored (replay it with --policy "
				 "static too)\n"));
	free(got);
	ks_store_close(s);
}

int main(void)
{
	char *dir = test_tmpdir();

	test_end(dir);
	test_bases(dir);
	test_no_static(dir);
	test_rmdir(dir);
	free(dir);
	if (test_failures)
		fprintf(stderr, "%d check(s) failed\n", test_failures);
	return test_failures ? 1 : 0;
}
