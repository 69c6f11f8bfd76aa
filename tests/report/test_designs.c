// SPDX-License-Identifier: MIT
/*
 * The designs table and chart on a tiny database whose figures are worked
 * out by hand.  One recorded trace "web", 2 CPUs, 4 KiB pages, 16 KiB
 * stacks; every run from 1 s to 11 s of the trace clock: 10 s.  Runs
 * (stack pages end / peak / mean; stacks + pools the same unless said):
 *
 *   static                 36 / 50 / 40: 144 / 200 / 160.0 KiB, the baseline;
 *                          maps 20, unmaps 10, PTE writes 30: 2.0, 1.0, 3.0 /s
 *   static:size=8192       18 / 25 / 20: 72 / 100 / 80.0 KiB: 50.0% on every
 *                          basis; maps 10, unmaps 5, PTE 15: 1.0, 0.5, 1.5 /s;
 *                          3 overflows
 *   rfc                    12 / 15 / 12 = 48 / 60 / 48.0 KiB, stacks + pools
 *                          end 18, peak 20, mean 18 pages (72 / 80 / 72 KiB):
 *                          savings mean 112/160 = 70.0%, with pools 88/160 =
 *                          55.0%; peak 140/200 = 70.0%, with pools 120/200 =
 *                          60.0%; faults 30, maps 30, PTE 30: 3.0 /s each
 *   sp-reclaim             10 / 14 / 10 = 40 / 56 / 40.0 KiB: mean 120/160 =
 *                          75.0%, peak 144/200 = 72.0%; maps 500, unmaps 500,
 *                          PTE 1000, TLB flushes 100, IPIs 100, admission waits
 *                          3: 50.0, 50.0, 100.0, 10.0, 10.0, 0.3 /s
 *   sp-reclaim:pool=0      not a design (pool not at its default): never shown
 *   abit:latch=0 at access=depth   10 / 16 / 11 = 40 / 64 / 44.0 KiB: end
 *                          104/144 = 72.2222%, peak 136/200 = 68.0%, mean
 *                          116/160 = 72.5%; maps 100, unmaps 100, PTE 300,
 *                          TLB 1 (a shootdown), IPIs 1, refaults 5 (2.5 s of
 *                          delay, 1.2 s the longest: 0.5 s on average): 10.0,
 *                          10.0, 30.0, 0.1, 0.1, 0.5 /s
 *   abit:latch=0 (access=hwm)      11 / 16 / 13 = 44 / 64 / 52.0 KiB: peak
 *                          68.0%, mean 108/160 = 67.5%; maps 80, unmaps 80,
 *                          PTE 240, TLB 1, IPIs 1, refaults 2: 8.0, 8.0, 24.0,
 *                          0.1, 0.1, 0.2 /s
 *   gc:access=depth        as rfc, but faults 40 (4.0 /s) and one would-be
 *                          crash, 1.5 s after the start (CPU 1, task 200
 *                          worker): 0.1 /s, its memory marked "!"
 *
 * So the range of abit:latch=0 reads, lower..higher whichever end gives
 * it: mean 44.0..52.0, savings 67.5%..72.5%, peak 64..64, 68.0%..68.0%,
 * maps and unmaps 8.0..10.0, PTE 24.0..30.0, TLB and IPIs 0.1..0.1,
 * refaults 0.2..0.5.  gc's access=hwm end is not stored: "48.0..?!" and
 * so on, and its row names the spec "gc".  Designs with no run at all
 * (static:size=12288, rfc+global, entry, watermark, ...) keep their rows,
 * "-" in every figure, naming their specs.
 */
#define _GNU_SOURCE
#include "helpers.h"
#include "rows.h"

struct fig {
	const char *policy, *params, *defaults;
	uint64_t end, peak, total_end, total_peak;
	double mean, total_mean;
	uint64_t faults, maps, unmaps, pte, tlb, shoot, ipis, refaults, adm, overflows, crashes;
	/* samples at 0 s and 1 s: stack pages, pool pages (both points) */
	int s0, s1, spool;
};

static const char abit_def[] = "access=hwm,latch=1,reclaim=shrinker";

static const struct fig figs[] = {
	{ "static", "size=16384", "size=16384", 36, 50, 36, 50, 40, 40,
	  0, 20, 10, 30, 0, 0, 0, 0, 0, 0, 0, 40, 44, 0 },
	{ "static", "size=8192", "size=16384", 18, 25, 18, 25, 20, 20,
	  0, 10, 5, 15, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0 },
	{ "rfc", "pool=3", "pool=3", 12, 15, 18, 20, 12, 18,
	  30, 30, 0, 30, 0, 0, 0, 0, 0, 0, 0, 12, 13, 6 },
	{ "sp-reclaim", "pool=3,shootdown=all", "pool=3,shootdown=all", 10, 14, 10, 14, 10, 10,
	  0, 500, 500, 1000, 100, 100, 100, 0, 3, 0, 0, 10, 11, 0 },
	{ "sp-reclaim", "pool=0,shootdown=all", "pool=3,shootdown=all", 90, 90, 90, 90, 90, 90,
	  0, 1, 1, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0 },
	{ "abit", "access=depth,latch=0,reclaim=shrinker", abit_def, 10, 16, 10, 16, 11, 11,
	  0, 100, 100, 300, 1, 1, 1, 5, 0, 0, 0, 11, 12, 0 },
	{ "abit", "access=hwm,latch=0,reclaim=shrinker", abit_def, 11, 16, 11, 16, 13, 13,
	  0, 80, 80, 240, 1, 1, 1, 2, 0, 0, 0, 13, 11, 0 },
	{ "gc", "access=depth,pool=3", "access=hwm,pool=3", 12, 15, 18, 20, 12, 18,
	  40, 30, 0, 30, 0, 0, 0, 0, 0, 0, 1, 12, 13, 6 },
};

static void add_runs(struct ks_store *s, int64_t trace)
{
	struct ks_error err = { 0 };
	size_t i;

	for (i = 0; i < sizeof(figs) / sizeof(figs[0]); i++) {
		const struct fig *f = &figs[i];
		struct ks_result *r = test_result(f->policy, f->params, f->defaults);

		r->ncpus = 2;
		r->start_ns = 1000000000ull;
		r->end_ns = 11000000000ull;
		r->c.tasks_end = 9;
		r->c.tasks_peak = 12;
		r->c.stack_pages_end = f->end;
		r->c.stack_pages_peak = f->peak;
		r->c.stack_pages_mean = f->mean;
		r->c.pool_pages_end = f->total_end - f->end;
		r->c.total_pages_peak = f->total_peak;
		r->c.total_pages_mean = f->total_mean;
		r->c.faults = f->faults;
		r->c.maps = f->maps;
		r->c.unmaps = f->unmaps;
		r->c.pte_writes = f->pte;
		r->c.tlb_flushes = f->tlb;
		r->c.tlb_shootdowns = f->shoot;
		r->c.ipis = f->ipis;
		r->c.refaults = f->refaults;
		r->c.refault_delay_ns = f->refaults ? 2500000000ull : 0;
		r->c.refault_delay_max_ns = f->refaults ? 1200000000ull : 0;
		r->c.admission_waits = f->adm;
		r->c.overflows = f->overflows;
		r->c.crashes = f->crashes;
		if (f->crashes) {
			r->nr_crashes = 1;
			r->crashes[0].time = r->start_ns + 1500000000ull;
			r->crashes[0].cpu = 1;
			r->crashes[0].tid = 200;
			snprintf(r->crashes[0].comm, sizeof(r->crashes[0].comm), "worker");
		}
		if (f->s0) {
			r->nr_samples = 2;
			r->samples[0].time = r->start_ns;
			r->samples[0].stack_pages = (uint64_t)f->s0;
			r->samples[0].pool_pages = (uint64_t)f->spool;
			r->samples[1].time = r->start_ns + 1000000000ull;
			r->samples[1].stack_pages = (uint64_t)f->s1;
			r->samples[1].pool_pages = (uint64_t)f->spool;
		}
		CHECK_OK(ks_store_put_run(s, trace, r, 1, 0, &err));
		free(r);
	}
}

static struct ks_store *make_db(const char *dir)
{
	struct ks_store *s = NULL;
	struct ks_error err = { 0 };
	struct kst_info info;
	int64_t t = 0;
	char *path;

	if (asprintf(&path, "%s/designs.db", dir) < 0)
		exit(1);
	CHECK_OK(ks_store_open(&s, path, &err));
	free(path);
	if (!s)
		exit(1);
	test_info(&info, 0x191, "web", 2);
	info.ram_kb = 15000;
	CHECK_OK(ks_store_put_trace(s, &info, "web.kst", &t, &err));
	kst_info_release(&info);
	add_runs(s, t);
	return s;
}

/*
 * Every design's spec is one the engine takes, and names its keys as the
 * engine stores them (canonical values), so that stored runs are found; the
 * two runs of a range differ in access= alone, depth then hwm.
 */
static void test_specs(void)
{
	const char *specs[64];
	char canon[1024], a[1024], b[1024], item[128];
	struct ks_error err = { 0 };
	size_t i, n = 0, k;

	for (i = 0; i < ks_design_count(); i++) {
		const struct ks_design *d = ks_design(i);
		const char *p;

		n += d->spec_hwm ? 2 : 1;
		CHECK(ks_spec_canonical(d->spec, canon, sizeof(canon), &err) == 0);
		/* each k=v of the spec, as the canonical spec has it */
		for (p = strchr(d->spec, ':'); p && *p; p += k) {
			p++;
			k = strcspn(p, ",");
			snprintf(item, sizeof(item), "%.*s", (int)k, p);
			if (!strstr(canon, item)) {
				fprintf(stderr, "%s: '%s' is not in %s\n", d->spec, item, canon);
				test_failures++;
			}
		}
		for (k = 0; k < i; k++)
			CHECK(strcmp(ks_design(k)->name, d->name));
		if (!d->spec_hwm)
			continue;
		CHECK(strstr(canon, "access=depth") != NULL);
		CHECK(ks_spec_canonical(d->spec_hwm, b, sizeof(b), &err) == 0);
		CHECK(strstr(b, "access=hwm") != NULL);
		/* the same spec once access= is set alike */
		snprintf(a, sizeof(a), "%s", canon);
		*strstr(a, "access=depth") = '\0';
		CHECK(!strncmp(a, b, strlen(a)));
		CHECK(!strcmp(strstr(canon, "access=depth") + strlen("access=depth"),
			      strstr(b, "access=hwm") + strlen("access=hwm")));
		CHECK(strstr(d->name, "(access=depth..hwm)") != NULL);
	}
	CHECK(ks_design(ks_design_count()) == NULL);
	CHECK(ks_design_specs(specs, 64) == n);
	CHECK(!strcmp(specs[0], "static"));
	/* too small an array: the count still says how many there are */
	CHECK(ks_design_specs(specs, 1) == n);
	/* 14 designs, three of them ranges */
	CHECK(ks_design_count() == 14 && n == 17);
}

#define MD_HEAD								\
	"| Trace | Design | Dynamic mean(kb) | Savings mean | Savings+pool mean "	\
	"| Dynamic peak(kb) | Savings peak | Savings+pool peak | Faults/s | Maps/s "	\
	"| Unmaps/s | PTE/s | TLB/s | IPIs/s | Refaults/s | Admit waits/s | Crashes/s "\
	"| Overflows | Not stored |\n"
#define DASHES " - | - | - | - | - | - | - | - | - | - | - | - | - | - | - | - |"

static void test_table(struct ks_store *s)
{
	struct ks_report_opts o;
	char *got, *line;
	int rc;

	ks_report_opts_default(&o);
	o.format = KS_FMT_MARKDOWN;
	got = report_capture(ks_report_designs, s, &o, &rc);
	CHECK(rc == 0);
	CHECK(got && !strncmp(got, MD_HEAD, strlen(MD_HEAD)));
	if (got && strncmp(got, MD_HEAD, strlen(MD_HEAD)))
		fprintf(stderr, "got:\n%s\n", got);
	static const char *const rows[] = {
		"| web | static | 160.0 | 0.0% | 0.0% | 200 | 0.0% | 0.0% | 0 | 2.0 | 1.0 | 3.0 "
		"| 0 | 0 | 0 | 0 | 0 | 0 |  |\n",
		"| web | static:size=8192 | 80.0 | 50.0% | 50.0% | 100 | 50.0% | 50.0% | 0 | 1.0 "
		"| 0.5 | 1.5 | 0 | 0 | 0 | 0 | 0 | 3 |  |\n",
		"| web | static:size=12288 |" DASHES " static:size=12288 |\n",
		"| web | rfc | 48.0 | 70.0% | 55.0% | 60 | 70.0% | 60.0% | 3.0 | 3.0 | 0 | 3.0 | 0 "
		"| 0 | 0 | 0 | 0 | 0 |  |\n",
		"| web | rfc+global |" DASHES " rfc+global |\n",
		"| web | entry |" DASHES " entry |\n",
		"| web | sp-reclaim | 40.0 | 75.0% | 75.0% | 56 | 72.0% | 72.0% | 0 | 50.0 | 50.0 "
		"| 100.0 | 10.0 | 10.0 | 0 | 0.3 | 0 | 0 |  |\n",
		"| web | sp-reclaim:shootdown=local |" DASHES " sp-reclaim:shootdown=local |\n",
		"| web | abit |" DASHES " abit |\n",
		"| web | abit:latch=0 (access=depth..hwm) | 44.0..52.0 | 67.5%..72.5% "
		"| 67.5%..72.5% | 64..64 | 68.0%..68.0% | 68.0%..68.0% | 0..0 | 8.0..10.0 "
		"| 8.0..10.0 | 24.0..30.0 | 0.1..0.1 | 0.1..0.1 | 0.2..0.5 | 0..0 | 0..0 | 0..0 "
		"|  |\n",
		"| web | abit:latch=0,reclaim=switch (access=depth..hwm) |" DASHES
		" abit:access=depth,latch=0,reclaim=switch, abit:latch=0,reclaim=switch |\n",
		"| web | gc (access=depth..hwm) | 48.0..?! | 70.0%..?! | 55.0%..?! | 60..?! "
		"| 70.0%..?! | 60.0%..?! | 4.0..? | 3.0..? | 0..? | 3.0..? | 0..? | 0..? | 0..? "
		"| 0..? | 0.1..? | 0..? | gc |\n",
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		line = got ? strstr(got, rows[i]) : NULL;
		if (!line) {
			fprintf(stderr, "no row:\n%s", rows[i]);
			test_failures++;
		}
	}
	/* fourteen rows, the decoy sp-reclaim:pool=0 never among them */
	for (i = 0, line = got; line && (line = strstr(line, "\n| web |")); line++)
		i++;
	CHECK(i == 14);
	CHECK(got && !strstr(got, "360"));
	CHECK(got && strstr(got, "\na..b: the trace does not record which pages a task touched "
				 "between two checks"));
	CHECK(got && strstr(got, "\n?: that end's run is not stored"));
	CHECK(got && strstr(got, "\nNot stored: the runs a row lacks; kstack replay TRACE "
				 "--designs replays every design the trace's machine takes.\n"));
	CHECK(got && strstr(got, "\n! web gc:access=depth: the machine would have oopsed at "
				 "1.500 s on CPU 1 (task 200 worker); memory after that is not a "
				 "saving\n"));
	free(got);

	/* text: the same cells, aligned; a blank in the mark's place beside the marked */
	o.format = KS_FMT_TEXT;
	got = report_capture(ks_report_designs, s, &o, &rc);
	CHECK(rc == 0);
	CHECK(got && !strncmp(got, "Trace  Design  ", 15));
	CHECK(got && strstr(got, "  44.0..52.0   67.5%..72.5%  "));
	CHECK(got && strstr(got, "  48.0..?!  "));
	CHECK(got && strstr(got, "\nweb    static   "));
	free(got);

	/* one basis asked for: its columns alone */
	ks_report_add_basis(&o, KS_BASIS_END);
	o.format = KS_FMT_MARKDOWN;
	got = report_capture(ks_report_designs, s, &o, &rc);
	CHECK(rc == 0);
	CHECK(got && strstr(got, "| Trace | Design | Dynamic end(kb) | Savings end "
				 "| Savings+pool end | Faults/s |"));
	CHECK(got && strstr(got, "| web | abit:latch=0 (access=depth..hwm) | 40..44 "
				 "| 69.4%..72.2% |"));
	free(got);

	/* the traces: by label or id; none of another kind */
	ks_report_opts_default(&o);
	o.trace = "0000000000000191";
	got = report_capture(ks_report_designs, s, &o, &rc);
	CHECK(rc == 0 && got && strstr(got, "\nweb "));
	free(got);
	o.trace = "nosuch";
	got = report_capture(ks_report_designs, s, &o, &rc);
	CHECK(rc == -KS_E_USAGE);
	free(got);
	o.trace = NULL;
	o.traces = KS_TRACES_SYNTHETIC;
	got = report_capture(ks_report_designs, s, &o, &rc);
	CHECK(rc == -ENODATA);
	free(got);
}

/* CSV: fixed columns, a line per run, both ends of a range, the missing named. */
static void test_csv(struct ks_store *s)
{
	static const char head[] =
		"trace,trace_id,design,bound,spec,missing,truncated,events_unknown,oops_s,"
		"dynamic_kb_end,dynamic_kb_peak,dynamic_kb_mean,pool_kb_end,pool_kb_peak,"
		"pool_kb_mean,savings_pct_end,savings_pct_peak,savings_pct_mean,"
		"savings_pool_pct_end,savings_pool_pct_peak,savings_pool_pct_mean,seconds,"
		"faults_per_s,maps_per_s,unmaps_per_s,pte_writes_per_s,tlb_flushes_per_s,"
		"tlb_shootdowns_per_s,ipis_per_s,refaults_per_s,admission_waits_per_s,"
		"crashes_per_s,crashes,overflows,refault_delay_mean_s,refault_delay_max_s,"
		"admission_wait_s\r\n";
	static const char depth[] =
		"\r\nweb,0000000000000191,abit:latch=0 (access=depth..hwm),depth,"
		"\"abit:access=depth,latch=0\",0,0,0,,40.000,64.000,44.000,0.000,0.000,0.000,"
		"72.2222,68.0000,72.5000,72.2222,68.0000,72.5000,10.000000,0.000000,10.000000,"
		"10.000000,30.000000,0.100000,0.100000,0.100000,0.500000,0.000000,0.000000,0,0,"
		"0.500000,1.200000,0.000000\r\n";
	static const char hwm_head[] =
		"\r\nweb,0000000000000191,abit:latch=0 (access=depth..hwm),hwm,abit:latch=0,0,0,0,,"
		"44.000,64.000,52.000,";
	/* gc's hwm end: named, every figure empty (28 of them) */
	static const char gc_hwm[] =
		"\r\nweb,0000000000000191,gc (access=depth..hwm),hwm,gc,1,0,,"
		",,,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n";
	struct ks_report_opts o;
	char *got, *p;
	size_t lines = 0;
	int rc;

	ks_report_opts_default(&o);
	o.format = KS_FMT_CSV;
	got = report_capture(ks_report_designs, s, &o, &rc);
	CHECK(rc == 0);
	CHECK(got && !strncmp(got, head, strlen(head)));
	CHECK(got && strstr(got, depth));
	CHECK(got && strstr(got, hwm_head));
	CHECK(got && strstr(got, gc_hwm));
	CHECK(got && strstr(got, "\r\nweb,0000000000000191,gc (access=depth..hwm),depth,"
				 "gc:access=depth,0,0,0,1.500000,"));
	/* 14 designs, 3 of them two runs: 17 lines and the header */
	for (p = got; p && (p = strstr(p, "\r\n")); p += 2)
		lines++;
	CHECK(lines == 18);
	if (got && !strstr(got, depth))
		fprintf(stderr, "got:\n%s\n", got);
	free(got);
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

/*
 * The chart: every design with samples, in the table's order, a series
 * each (time, KiB of stacks + pools, the high edge): static 40, 44 pages ->
 * 160, 176 KiB; rfc 12, 13 + 6 pool -> 72, 76; sp-reclaim 40, 44; abit's
 * band, depth 11, 12 and hwm 13, 11 pages -> (44, 52) then (44, 48); gc's
 * access=depth alone, 72, 76, its oops at 1.5 s marked at the point of 1 s
 * (the last), 76 KiB, series 5 of panel 2 (the reviewers' designs).
 */
static void test_chart(struct ks_store *s, const char *dir)
{
	char *old_path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	char *cdir, *text, *p;
	struct ks_error err = { 0 };
	size_t n;
	bool drew;

	if (asprintf(&cdir, "%s/charts", dir) < 0)
		exit(1);
	/* the data and scripts alone: no gnuplot */
	setenv("PATH", "/nonexistent", 1);
	CHECK_OK(ks_report_charts(s, cdir, &drew, &err));
	if (old_path)
		setenv("PATH", old_path, 1);
	free(old_path);
	text = file(cdir, "designs-web.dat");
	CHECK_STR(text, "title\nweb (2 CPUs): kernel stack memory over time of every design "
			"(stacks + pools + cached stacks)\n"
			"today's kernel and smaller fixed stacks\n"
			"the RFC's policies: a stack grows on a fault\n"
			"the reviewers' designs: pages taken back from tasks not running (rfc for "
			"reference)\n");
	free(text);
	text = file(cdir, "designs-web_1.dat");
	CHECK_STR(text, "time_s\tstatic\thigh_kb\n0.000000\t160\t160\n1.000000\t176\t176\n");
	free(text);
	text = file(cdir, "designs-web_2.dat");
	CHECK_STR(text, "time_s\trfc\thigh_kb\n0.000000\t72\t72\n1.000000\t76\t76\n");
	free(text);
	text = file(cdir, "designs-web_4.dat");
	CHECK_STR(text, "time_s\tabit:latch=0 (access=depth..hwm)\thigh_kb\n"
			"0.000000\t44\t52\n1.000000\t44\t48\n");
	free(text);
	text = file(cdir, "designs-web_5.dat");
	CHECK_STR(text, "time_s\tgc (access=depth..hwm): access=depth only\thigh_kb\n"
			"0.000000\t72\t72\n1.000000\t76\t76\n");
	free(text);
	text = file(cdir, "designs-web_oops.dat");
	CHECK_STR(text, "time_s\ttotal_kb\tseries\tpanel\n1.500000\t76\t5\t2\n");
	free(text);
	text = file(cdir, "designs-web_6.dat");
	CHECK(text == NULL);
	text = file(cdir, "designs-web.gp");
	CHECK(text && strstr(text, "'designs-web_4.dat' using 1:2:3 with filledcurves"));
	CHECK(text && strstr(text, "'designs-web_2.dat' using 1:2 with steps lc rgb 'black' dt 3 "
				   "lw 1 title 'rfc (reference)'"));
	CHECK(text && strstr(text, "set multiplot layout 3,1 title T\n"));
	CHECK(text && strstr(text, "'designs-web_oops.dat' using 1:($4 == 2 ? $2 : NaN)"));
	/* on that panel alone, once in the PNG and once in the SVG */
	for (p = text, n = 0; p && (p = strstr(p, "would-be oops")); p++)
		n++;
	CHECK(n == 2);
	free(text);

	/* drawn by gnuplot, where there is one: a real image */
	if (system("command -v gnuplot >/dev/null 2>&1") == 0) {
		static const unsigned char png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
		unsigned char sig[8];
		char *path;
		FILE *f;

		CHECK_OK(ks_report_charts(s, cdir, &drew, &err));
		CHECK(drew);
		if (asprintf(&path, "%s/designs-web.png", cdir) < 0)
			exit(1);
		f = fopen(path, "rb");
		CHECK(f && fread(sig, 1, 8, f) == 8 && !memcmp(sig, png, 8));
		if (f)
			fclose(f);
		free(path);
		text = file(cdir, "designs-web.svg");
		CHECK(text && strstr(text, "<svg"));
		free(text);
	}
	free(cdir);
}

/*
 * Policies at their defaults alone (a replay without --designs): no designs
 * chart, the timeline shows the same lines.
 */
static void test_chart_defaults_only(const char *dir)
{
	static const char *const pol[2] = { "static", "rfc" };
	char *old_path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	struct ks_store *s = NULL;
	struct ks_error err = { 0 };
	struct kst_info info;
	char *path, *cdir, *text;
	int64_t t = 0;
	bool drew;
	int i;

	if (asprintf(&path, "%s/defaults.db", dir) < 0 || asprintf(&cdir, "%s/dcharts", dir) < 0)
		exit(1);
	CHECK_OK(ks_store_open(&s, path, &err));
	if (!s)
		exit(1);
	test_info(&info, 0x192, "plain", 2);
	CHECK_OK(ks_store_put_trace(s, &info, "plain.kst", &t, &err));
	kst_info_release(&info);
	for (i = 0; i < 2; i++) {
		struct ks_result *r = test_result(pol[i], "pool=3", "pool=3");

		r->ncpus = 2;
		r->nr_samples = 1;
		r->samples[0].stack_pages = 10;
		CHECK_OK(ks_store_put_run(s, t, r, 1, 0, &err));
		free(r);
	}
	setenv("PATH", "/nonexistent", 1);
	CHECK_OK(ks_report_charts(s, cdir, &drew, &err));
	if (old_path)
		setenv("PATH", old_path, 1);
	free(old_path);
	text = file(cdir, "timeline.gp");
	CHECK(text != NULL);
	free(text);
	text = file(cdir, "designs-plain.gp");
	CHECK(text == NULL);
	free(text);
	ks_store_close(s);
	free(cdir);
	free(path);
}

int main(void)
{
	char *dir = test_tmpdir();
	struct ks_store *s;

	test_specs();
	s = make_db(dir);
	test_table(s);
	test_csv(s);
	test_chart(s, dir);
	ks_store_close(s);
	test_chart_defaults_only(dir);
	test_rmdir(dir);
	free(dir);
	if (test_failures)
		fprintf(stderr, "%d check(s) failed\n", test_failures);
	return test_failures ? 1 : 0;
}
