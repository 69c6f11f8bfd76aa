// SPDX-License-Identifier: MIT
/*
 * Golden minimum-safe-pool table from hand-made runs.  Each pool size
 * says, over its seeds: the share that had a would-be crash, the median and
 * the most crashes; the answer is the smallest pool from which no seed
 * crashed, at that pool nor at any larger pool tried:
 *
 *   Web, rfc, fail_rate 0, seed 1: pools 1..4, crashes 3,1,0,0:
 *     shares 100,100,0,0, medians = maxima = 3,1,0,0 -> 3, 1 seed.
 *   Web, rfc, fail_rate 0.0001, seeds 1 and 5 (pool 2: seed 1 only):
 *     pool 1: 1 and 0 -> 50%, median (0 + 1)/2 = 0.5, max 1;
 *     pool 2: 0 -> 0%, 0, 0;  pool 4: 0 and 2 -> 50%, median 1, max 2
 *     -> none <= 4 (seed 1 was lucky at pool 4, seed 5 was not), seeds 1..2.
 *   Web, rfc, fail_rate 0.01, seeds 1, 7, 9 at pools 1..3, seed 1 alone
 *     at pool 4: pool 1: 5, 2, 4 -> 100%, median 4, max 5; pool 2: 0, 1, 0
 *     -> 33%, median 0, max 1; pools 3 and 4: no crash -> 3, seeds 1..3
 *     (seed 1 alone would have said 2).
 *   Web, rfc+global global=4: pools 1,2, crashes 0,0 -> 1.
 *   Db (truncated), rfc: pools 2,3, crashes 1,0 -> 3.
 *
 * Not sweeps: a static run (no pool), and rfc at fail_rate 0.5 under two
 * seeds but one pool only.  Rows: trace order, then policy, then failure
 * rate as a number (0.0001 before 0.01), whatever order the runs were
 * stored in.
 */
#define _GNU_SOURCE
#include "helpers.h"

static int64_t add_trace(struct ks_store *s, uint64_t id, const char *label, bool truncated)
{
	struct ks_error err = { 0 };
	struct kst_info info;
	int64_t key = -1;

	test_info(&info, id, label, 2);
	info.truncated = truncated;
	CHECK_OK(ks_store_put_trace(s, &info, "x.kst", &key, &err));
	kst_info_release(&info);
	return key;
}

/* The resolved defaults, standing in for the engine. */
static const char *defaults_of(const char *policy)
{
	if (!strcmp(policy, "rfc"))
		return "fail_rate=0,pool=3,seed=1";
	if (!strcmp(policy, "rfc+global"))
		return "fail_rate=0,global=8,pool=3,seed=1";
	return "fail_rate=0,seed=1";
}

static void add_run(struct ks_store *s, int64_t trace, const char *policy, const char *params,
		    uint64_t crashes)
{
	struct ks_result *r = test_result(policy, params, defaults_of(policy));
	struct ks_error err = { 0 };

	r->ncpus = 2;
	r->c.tasks_end = 10;
	r->c.kernel_stack_kb_end = 48;
	r->c.crashes = crashes;
	CHECK_OK(ks_store_put_run(s, trace, r, 1, 0, &err));
	free(r);
}

#define ROW "%-3s  %-19s  %9s  %5s  %5s  %25s  %22s  %19s  %13s\n"

int main(void)
{
	static const char rfc_runs[][2][48] = {
		{ "fail_rate=0.01,pool=3,seed=7", "0" },
		{ "fail_rate=0,pool=2,seed=1", "1" },
		{ "fail_rate=0.01,pool=1,seed=9", "4" },
		{ "fail_rate=0,pool=4,seed=1", "0" },
		{ "fail_rate=0.0001,pool=4,seed=1", "0" },
		{ "fail_rate=0.01,pool=2,seed=1", "0" },
		{ "fail_rate=0.01,pool=1,seed=1", "5" },
		{ "fail_rate=0,pool=1,seed=1", "3" },
		{ "fail_rate=0.0001,pool=1,seed=1", "1" },
		{ "fail_rate=0.01,pool=3,seed=9", "0" },
		{ "fail_rate=0.0001,pool=1,seed=5", "0" },
		{ "fail_rate=0.01,pool=1,seed=7", "2" },
		{ "fail_rate=0.01,pool=2,seed=7", "1" },
		{ "fail_rate=0.01,pool=4,seed=1", "0" },
		{ "fail_rate=0,pool=3,seed=1", "0" },
		{ "fail_rate=0.0001,pool=2,seed=1", "0" },
		{ "fail_rate=0.0001,pool=4,seed=5", "2" },
		{ "fail_rate=0.01,pool=2,seed=9", "0" },
		{ "fail_rate=0.01,pool=3,seed=1", "0" },
		{ "fail_rate=0.5,pool=3,seed=1", "1" },
		{ "fail_rate=0.5,pool=3,seed=2", "0" },
	};
	char *dir = test_tmpdir(), *path, *got, *want = NULL;
	struct ks_error err = { 0 };
	struct ks_report_opts o;
	struct ks_store *s = NULL;
	int64_t web, db;
	size_t i, len = 0;
	FILE *f;
	int rc;

	if (asprintf(&path, "%s/mp.db", dir) < 0)
		return 1;
	CHECK_OK(ks_store_open(&s, path, &err));
	if (!s)
		return 1;
	web = add_trace(s, 1, "Web", false);
	db = add_trace(s, 2, "Db", true);
	ks_report_opts_default(&o);

	/* no sweep yet: one run per policy */
	add_run(s, db, "rfc", "fail_rate=0,pool=3,seed=1", 0);
	add_run(s, web, "static", "fail_rate=0,seed=1", 0);
	got = report_capture(ks_report_min_pool, s, &o, &rc);
	CHECK(rc == -ENODATA);
	free(got);

	add_run(s, db, "rfc", "fail_rate=0,pool=2,seed=1", 1);
	add_run(s, web, "rfc+global", "fail_rate=0,global=4,pool=2,seed=1", 0);
	for (i = 0; i < sizeof(rfc_runs) / sizeof(rfc_runs[0]); i++)
		add_run(s, web, "rfc", rfc_runs[i][0], strtoull(rfc_runs[i][1], NULL, 10));
	add_run(s, web, "rfc+global", "fail_rate=0,global=4,pool=1,seed=1", 0);

	f = open_memstream(&want, &len);
	fprintf(f, ROW, "CPU", "Policy", "Fail rate", "Seeds", "Pools",
		"Crashing seeds(%) by pool", "Median crashes by pool", "Max crashes by pool",
		"Min safe pool");
	fprintf(f, ROW, "Web", "rfc", "0", "1", "1..4", "100,100,0,0", "3,1,0,0", "3,1,0,0", "3");
	fprintf(f, ROW, "Web", "rfc", "0.0001", "1..2", "1,2,4", "50,0,50", "0.5,0,1", "1,0,2",
		"none <= 4");
	fprintf(f, ROW, "Web", "rfc", "0.01", "1..3", "1..4", "100,33,0,0", "4,0,0,0", "5,1,0,0",
		"3");
	fprintf(f, ROW, "Web", "rfc+global:global=4", "0", "1", "1..2", "0,0", "0,0", "0,0", "1");
	fprintf(f, ROW, "Db*", "rfc", "0", "1", "2..3", "100,0", "1,0", "1,0", "3");
	fputs("\nSeeds: runs at each pool, one per seed (kstack replay --replicates N); by pool: "
	      "the share of seeds with a would-be crash,\n"
	      "the median and the most crashes of one seed.  Min safe pool: the smallest per-CPU "
	      "pool (pages) from which no seed crashed,\n"
	      "at that pool nor at any larger pool tried; none <= N: even the largest pool tried, "
	      "N, crashed.\n"
	      "* trace truncated: recording was interrupted\n", f);
	fclose(f);
	got = report_capture(ks_report_min_pool, s, &o, &rc);
	CHECK(rc == 0);
	CHECK_STR(got, want);
	free(got);
	free(want);

	o.format = KS_FMT_CSV;
	got = report_capture(ks_report_min_pool, s, &o, &rc);
	CHECK(rc == 0);
	CHECK_STR(got, "CPU,Policy,Fail rate,Seeds,Pools,Crashing seeds(%) by pool,"
		       "Median crashes by pool,Max crashes by pool,Min safe pool,Truncated\r\n"
		       "Web,rfc,0,1,1..4,\"100,100,0,0\",\"3,1,0,0\",\"3,1,0,0\",3,0\r\n"
		       "Web,rfc,0.0001,1..2,\"1,2,4\",\"50,0,50\",\"0.5,0,1\",\"1,0,2\",none,0\r\n"
		       "Web,rfc,0.01,1..3,1..4,\"100,33,0,0\",\"4,0,0,0\",\"5,1,0,0\",3,0\r\n"
		       "Web,rfc+global:global=4,0,1,1..2,\"0,0\",\"0,0\",\"0,0\",1,0\r\n"
		       "Db,rfc,0,1,2..3,\"100,0\",\"1,0\",\"1,0\",3,1\r\n");
	free(got);

	o.format = KS_FMT_MARKDOWN;
	o.policy = "rfc+global";
	got = report_capture(ks_report_min_pool, s, &o, &rc);
	CHECK(rc == 0);
	CHECK(got && strstr(got, "| Web | rfc+global:global=4 | 0 | 1 | 1..2 | 0,0 | 0,0 | 0,0 "
				 "| 1 |\n\n"));
	free(got);

	/* a policy with runs but no sweep */
	o.policy = "static";
	got = report_capture(ks_report_min_pool, s, &o, &rc);
	CHECK(rc == -ENODATA);
	free(got);

	ks_store_close(s);
	test_rmdir(dir);
	free(dir);
	free(path);
	if (test_failures)
		fprintf(stderr, "%d check(s) failed\n", test_failures);
	return test_failures ? 1 : 0;
}
