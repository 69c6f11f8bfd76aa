// SPDX-License-Identifier: MIT
/*
 * Golden costs table from hand-made runs of one 2-second trace (run start
 * 1 s, end 3 s), every price given explicitly so the figures do not depend
 * on the placeholder table:
 *
 *   rfc: faults 10, refills 4, maps 6, unmaps 4, kfaults 100 -> per second
 *   5, 2, 3, 2, 50; cost 10 x 1000 + 4 x 500 + 6 x 100 + 4 x 150 + 100 x 0
 *   = 13200 ns = 0.0132 ms, / 2 s = 6600 ns/s = 6.6 us/s.
 *   rfc+global (global=4): the same plus fallback hits 6 and lock
 *   acquisitions 3 -> 3 and 1.5 per second; + 6 x 200 + 3 x 50 = 1350 ns:
 *   14550 ns; and, standing in for the designs' counters, IPIs 2,
 *   accessed-bit checks 10 and admission waits 1 -> 1, 5 and 0.5 per
 *   second; + 2 x 2000 + 10 x 20 + 1 x 5000 = 9200 ns: 23750 ns =
 *   0.02375 ms, 11875 ns/s = 11.875 us/s.
 *   entry with entries=derived: counts not observed, "unknown", never 0,
 *   although its (meaningless) counters hold 7 faults.
 *
 * With faults at 2000 ns: rfc costs 23200 ns: 0.0232 ms, 11.6 us/s;
 * rfc+global 33750 ns: 0.03375 ms (0.034), 16.875 us/s (16.9).
 */
#define _GNU_SOURCE
#include "helpers.h"

/* The resolved defaults, standing in for the engine. */
static const char *defaults_of(const char *policy)
{
	if (!strcmp(policy, "rfc"))
		return "pool=3";
	if (!strcmp(policy, "rfc+global"))
		return "global=8,pool=3";
	return "entries=derived";
}

static void add_run(struct ks_store *s, int64_t trace, const char *policy, const char *params,
		    uint64_t fallback, uint64_t locks, uint64_t faults)
{
	struct ks_result *r = test_result(policy, params, defaults_of(policy));
	struct ks_error err = { 0 };

	r->ncpus = 2;
	r->start_ns = 1000000000ull;
	r->end_ns = 3000000000ull;
	r->c.tasks_end = 10;
	r->c.faults = faults;
	r->c.refills = 4;
	r->c.maps = 6;
	r->c.unmaps = 4;
	r->c.kfaults = 100;
	r->c.fallback_hits = fallback;
	r->c.lock_acquisitions = locks;
	/* the designs' events, on the run with fallback hits only */
	r->c.ipis = fallback ? 2 : 0;
	r->c.abit_checks = fallback ? 10 : 0;
	r->c.admission_waits = fallback ? 1 : 0;
	CHECK_OK(ks_store_put_run(s, trace, r, 1, 0, &err));
	free(r);
}

static void set_cost(struct ks_report_opts *o, const char *arg)
{
	struct ks_error err = { 0 };

	CHECK(ks_report_cost_override(o, arg, &err) == 0);
}

/* Every cost names a counter of engine.h, and bad overrides are refused. */
static void test_table_and_parse(void)
{
	static const char *const counters[] = {
#define KS_X_NAME(name, desc) #name,
		KS_COUNTERS(KS_X_NAME)
#undef KS_X_NAME
	};
	static const char *const bad[] = { "faults", "nosuch=1", "faults=-1", "faults=abc",
					   "faults=", "faults=1e400", "=5", "faults=nan" };
	struct ks_error err = { 0 };
	struct ks_report_opts o;
	size_t i, j;
	bool found;

	CHECK(ks_report_cost_count() >= 16 && ks_report_cost_count() <= KS_REPORT_MAX_COSTS);
	for (i = 0; i < ks_report_cost_count(); i++) {
		for (j = 0, found = false; j < sizeof(counters) / sizeof(counters[0]); j++)
			found |= !strcmp(counters[j], ks_report_cost(i)->counter);
		CHECK(found);
		CHECK(ks_report_cost(i)->ns >= 0);
	}
	CHECK(ks_report_cost(ks_report_cost_count()) == NULL);
	ks_report_opts_default(&o);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(ks_report_cost_override(&o, bad[i], &err) == -KS_E_USAGE);
		CHECK(!strncmp(err.detail, "bad --cost '", 12));
	}
	CHECK(o.cost_ns[0] == ks_report_cost(0)->ns && !o.cost_given[0]);
	set_cost(&o, "copy_bytes=0.5");
	for (i = 0; i < ks_report_cost_count(); i++)
		if (!strcmp(ks_report_cost(i)->counter, "copy_bytes"))
			CHECK(o.cost_ns[i] == 0.5 && o.cost_given[i]);
}

#define HDR "CPU,Policy,Seconds,Faults/s,Fallback/s,Locks/s,Refills/s,Waits/s,Downgrades/s," \
	"Copy(B/s),TLB/s,Maps/s,Unmaps/s,SyncExc/s,Kfaults/s,Entries/s,IPIs/s,Abit/s,Admit/s," \
	"Cost(us/s),Cost(ms),Placeholder ns,Truncated\r\n"
#define UNKNOWN16 "unknown,unknown,unknown,unknown,unknown,unknown,unknown,unknown,unknown," \
	"unknown,unknown,unknown,unknown,unknown,unknown,unknown"
#define TROW "%-3s  %-19s  %7s  %8s  %10s  %7s  %9s  %7s  %8s  %9s  %7s  %7s  %7s  %10s  %8s\n"

int main(void)
{
	char *dir = test_tmpdir(), *path, *got, *want = NULL;
	struct ks_error err = { 0 };
	struct ks_report_opts o;
	struct ks_store *s = NULL;
	struct kst_info info;
	int64_t web = -1;
	size_t len = 0;
	FILE *f;
	int rc;

	test_table_and_parse();
	if (asprintf(&path, "%s/costs.db", dir) < 0)
		return 1;
	CHECK_OK(ks_store_open(&s, path, &err));
	if (!s)
		return 1;
	test_info(&info, 1, "Web", 2);
	CHECK_OK(ks_store_put_trace(s, &info, "x.kst", &web, &err));
	kst_info_release(&info);
	add_run(s, web, "rfc+global", "global=4,pool=3", 6, 3, 10);
	add_run(s, web, "rfc", "pool=3", 0, 0, 10);
	add_run(s, web, "entry", "entries=derived", 0, 0, 7);

	ks_report_opts_default(&o);
	set_cost(&o, "faults=1000");
	set_cost(&o, "fallback_hits=200");
	set_cost(&o, "lock_acquisitions=50");
	set_cost(&o, "refills=500");
	set_cost(&o, "maps=100");
	set_cost(&o, "unmaps=150");
	set_cost(&o, "kfaults=0");
	set_cost(&o, "ipis=2000");
	set_cost(&o, "abit_checks=20");
	set_cost(&o, "admission_waits=5000");
	o.format = KS_FMT_CSV;
	got = report_capture(ks_report_costs, s, &o, &rc);
	CHECK(rc == 0);
	CHECK_STR(got, HDR
		  "Web,entry,2.000000," UNKNOWN16 ",unknown,unknown,,0\r\n"
		  "Web,rfc,2.000000,5.000000,0.000000,0.000000,2.000000,0.000000,0.000000,"
		  "0.000000,0.000000,3.000000,2.000000,0.000000,50.000000,0.000000,"
		  "0.000000,0.000000,0.000000,6.600000,0.013200,0,0\r\n"
		  "Web,rfc+global:global=4,2.000000,5.000000,3.000000,1.500000,2.000000,"
		  "0.000000,0.000000,0.000000,0.000000,3.000000,2.000000,0.000000,50.000000,"
		  "0.000000,1.000000,5.000000,0.500000,11.875000,0.023750,0,0\r\n");
	free(got);

	/* text: all-zero event columns left out and named; placeholders starred */
	o.format = KS_FMT_TEXT;
	set_cost(&o, "faults=2000");
	f = open_memstream(&want, &len);
	fprintf(f, TROW, "CPU", "Policy", "Seconds", "Faults/s", "Fallback/s", "Locks/s",
		"Refills/s", "Maps/s", "Unmaps/s", "Kfaults/s", "IPIs/s", "Abit/s", "Admit/s",
		"Cost(us/s)", "Cost(ms)");
	fprintf(f, TROW, "Web", "entry", "2.000", "unknown", "unknown", "unknown", "unknown",
		"unknown", "unknown", "unknown", "unknown", "unknown", "unknown", "unknown",
		"unknown");
	fprintf(f, TROW, "Web", "rfc", "2.000", "5.0", "0.0", "0.0", "2.0", "3.0", "2.0", "50.0",
		"0.0", "0.0", "0.0", "11.6", "0.023");
	/* 23200 + 1350 + 9200 = 33750 ns: 16.875 us/s, 0.03375 ms */
	fprintf(f, TROW, "Web", "rfc+global:global=4", "2.000", "5.0", "3.0", "1.5", "2.0", "3.0",
		"2.0", "50.0", "1.0", "5.0", "0.5", "16.9", "0.034");
	fputs("\nEvents per second of trace; Cost = sum of events x ns per event, in us per "
	      "second of trace and in ms in all.\n", f);
	fclose(f);
	got = report_capture(ks_report_costs, s, &o, &rc);
	CHECK(rc == 0);
	CHECK(got && !strncmp(got, want, strlen(want)));
	if (got && strncmp(got, want, strlen(want)))
		fprintf(stderr, "got:\n%s\nwant:\n%s\n", got, want);
	CHECK(got && strstr(got, "ns per event: faults=2000 fallback_hits=200 "
				 "lock_acquisitions=50 refills=500 waits="));
	CHECK(got && strstr(got, " copy_bytes="));
	CHECK(got && strstr(got, "* ns per event are placeholders, not measurements: pass "
				 "--cost NAME=NS to use microbenchmarked values\n"));
	CHECK(got && strstr(got, "Zero in every row where known, not shown: Waits/s, "
				 "Downgrades/s, Copy(B/s), TLB/s, SyncExc/s, Entries/s\n"));
	CHECK(got && strstr(got, "\nunknown: "));
	/* the ones given are not starred; waits (not given) is */
	CHECK(got && !strstr(got, "faults=2000*") && strstr(got, "kfaults=0 "));
	CHECK(got && strstr(got, "waits=") && strstr(strstr(got, "waits="), "*"));
	free(got);
	free(want);

	/* defaults only: the CSV says placeholders priced the counted events */
	ks_report_opts_default(&o);
	o.format = KS_FMT_CSV;
	o.policy = "rfc";
	got = report_capture(ks_report_costs, s, &o, &rc);
	CHECK(rc == 0);
	CHECK(got && strstr(got, ",1,0\r\n") && !strstr(got, "unknown"));
	free(got);

	ks_store_close(s);
	test_rmdir(dir);
	free(dir);
	free(path);
	if (test_failures)
		fprintf(stderr, "%d check(s) failed\n", test_failures);
	return test_failures ? 1 : 0;
}
