// SPDX-License-Identifier: MIT
/*
 * The fleet report on tiny databases built through the store API, every
 * figure worked out by hand: 4 KiB pages, 16 KiB stacks, a host's saving =
 * static's mean stack KiB - rfc's, its live tasks = static's mean KiB / 16.
 *
 * Identical hosts (test_identical): five hosts, static 160 KiB (10 live
 * tasks), rfc 40 KiB: 120 KiB saved each, 12 KiB per live task; tasks with
 * HWM 1000, 5000, 9000, 20000: 1/4 within 4K, 2/4 within 8K, 3/4 within
 * 16K.  Every resample draws five identical hosts: each interval is its
 * value, width zero.  A fleet of 7 hosts: 840 KiB.
 *
 * Two groups of known means (test_groups), by label prefix:
 *   web-1: static 320 KiB (20 live), saves 100; web-2: 320 KiB, saves 300
 *   db-1: static 1600 KiB (100 live), saves 1000; db-2: 1600, saves 3000
 * web: mean 200 KiB per host, (100 + 300) / 40 = 10 KiB per live task;
 * db: mean 2000, 4000 / 200 = 20.  A resample of a two-host group draws
 * host 1 twice (1/4), both (1/2) or host 2 twice (1/4): with 2000
 * resamples some 500 fall on each end, so the 2.5% and 97.5% quantiles are
 * the ends themselves: web [100, 300] per host, [5, 15] per task; db
 * [1000, 3000], [10, 30]; a fleet of 500 hosts: web 100000 [50000, 150000].
 * Every host: mean (100 + 300 + 1000 + 3000) / 4 = 1100, per task 4400 /
 * 240 = 18.333; its interval is checked against a second implementation of
 * the documented bootstrap (SplitMix64 from seed ^ FNV-1a("all"), draws by
 * rejection, Hyndman and Fan's quantile 7).
 *
 * Shares by hand (test_shares): host A's six tasks have HWM 0 (never seen),
 * 4096, 4097, 8192, 16384 and 16385: within 4K 2 (0 and 4096), 8K 4, 16K 5;
 * host B's 100 and 9000: 1, 1, 2.  Together: 3/8 = 37.5%, 5/8 = 62.5%, 7/8 =
 * 87.5%.  Host C has no task rows and host B no static run: each is left
 * out of what it lacks, and the report says so.
 */
#define _GNU_SOURCE
#include <math.h>

#include "fleet_stats.h"
#include "helpers.h"

struct host {
	uint64_t id;
	const char *label;
	const char *kernel;
	double regular_kb, dynamic_kb;	/* mean basis; regular 0: no static run */
	uint64_t crashes;
	const uint32_t *hwm;		/* NULL: no task rows */
	size_t ntasks;
};

static void add_run(struct ks_store *s, int64_t t, const char *policy, double kb,
		    uint64_t crashes)
{
	struct ks_result *r = test_result(policy, !strcmp(policy, "rfc") ? "pool=3" : "",
					  "pool=3");
	struct ks_error err = { 0 };

	r->ncpus = 2;
	r->c.stack_pages_mean = kb / 4;
	r->c.total_pages_mean = kb / 4;
	r->c.crashes = crashes;
	CHECK_OK(ks_store_put_run(s, t, r, 1, 0, &err));
	free(r);
}

static void add_host(struct ks_store *s, const struct host *h)
{
	struct ks_task_row rows[8];
	struct ks_error err = { 0 };
	struct kst_info info;
	int64_t t = -1;
	size_t i;

	test_info(&info, h->id, h->label, 2);
	snprintf(info.kernel, sizeof(info.kernel), "%s", h->kernel ? h->kernel : "6.1.0");
	CHECK_OK(ks_store_put_trace(s, &info, "x.kst", &t, &err));
	kst_info_release(&info);
	if (h->regular_kb > 0)
		add_run(s, t, "static", h->regular_kb, 0);
	add_run(s, t, "rfc", h->dynamic_kb, h->crashes);
	if (!h->hwm)
		return;
	memset(rows, 0, sizeof(rows));
	for (i = 0; i < h->ntasks && i < 8; i++) {
		rows[i].seq = i;
		rows[i].tid = 100 + (uint32_t)i;
		rows[i].hwm_first = rows[i].hwm_final = h->hwm[i];
		rows[i].in_workload = -1;
		rows[i].life_end_ns = 1000000000;
		snprintf(rows[i].comm, sizeof(rows[i].comm), "t%zu", i);
	}
	test_tasks(s, t, rows, h->ntasks, 0);
}

static struct ks_store *make_db(const char *dir, const char *name, const struct host *h,
				size_t n)
{
	struct ks_store *s = NULL;
	struct ks_error err = { 0 };
	char *path;
	size_t i;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		exit(1);
	CHECK_OK(ks_store_open(&s, path, &err));
	free(path);
	if (!s)
		exit(1);
	for (i = 0; i < n; i++)
		add_host(s, &h[i]);
	return s;
}

/* The fleet report of @s as @fmt with @group, @seed and @hosts (NULL: defaults). */
static char *fleet(struct ks_store *s, enum ks_report_format fmt, const char *group,
		   const char *seed, const char *hosts, int *rc)
{
	struct ks_fleet_opts f;
	struct ks_report_opts o;
	struct ks_error err = { 0 };

	ks_report_opts_default(&o);
	ks_fleet_opts_default(&f);
	o.format = fmt;
	o.fleet = &f;
	if (group)
		CHECK_OK(ks_fleet_opts_set(&f, "group", group, &err));
	if (seed)
		CHECK_OK(ks_fleet_opts_set(&f, "seed", seed, &err));
	if (hosts)
		CHECK_OK(ks_fleet_opts_set(&f, "hosts", hosts, &err));
	return report_capture(ks_report_fleet, s, &o, rc);
}

/*
 * Field @col of the CSV row whose "group" is @group ("?": none), in one of
 * four static buffers used in turn, so that two fields compare.
 */
static const char *field(const char *csv, const char *group, const char *col)
{
	static char vals[4][128];
	static size_t turn;
	char *val = vals[turn++ % 4];
	char *copy = strdup(csv), *line, *save = NULL, *f, *fs;
	size_t n = 0, i, want = 64;

	snprintf(val, sizeof(vals[0]), "?");
	for (line = strtok_r(copy, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		char *cells[64];
		size_t k = 0;

		/* strsep, not strtok: an unknown figure is an empty field */
		for (fs = line; (f = strsep(&fs, ",")) && k < 64;)
			cells[k++] = f;
		if (!n) {
			for (i = 0; i < k; i++)
				if (!strcmp(cells[i], col))
					want = i;
			n = k;
			continue;
		}
		if (k == n && want < k && !strcmp(cells[1], group)) {
			snprintf(val, sizeof(vals[0]), "%s", cells[want]);
			break;
		}
	}
	free(copy);
	return val;
}

#define CHECK_FIELD(csv, group, col, want) CHECK_STR(field(csv, group, col), want)

/* value, lo and hi of @col (e.g. "saved_kb_per_host") in row @group */
static void check_est(const char *csv, const char *group, const char *col, const char *v,
		      const char *lo, const char *hi)
{
	char name[64];

	CHECK_FIELD(csv, group, col, v);
	snprintf(name, sizeof(name), "%s_lo", col);
	CHECK_FIELD(csv, group, name, lo);
	snprintf(name, sizeof(name), "%s_hi", col);
	CHECK_FIELD(csv, group, name, hi);
}

static void test_identical(const char *dir)
{
	static const uint32_t hwm[] = { 1000, 5000, 9000, 20000 };
	struct host h[5];
	struct ks_store *s;
	char *csv, *text;
	size_t i;
	int rc;

	for (i = 0; i < 5; i++)
		h[i] = (struct host){ .id = i + 1, .label = "same", .regular_kb = 160,
				      .dynamic_kb = 40, .hwm = hwm, .ntasks = 4 };
	s = make_db(dir, "same.db", h, 5);
	csv = fleet(s, KS_FMT_CSV, NULL, NULL, "7", &rc);
	CHECK(rc == 0);
	CHECK_STR(strtok(strdup(csv), "\r"), "group_by,group,hosts,task_hosts,tasks,le_4k_pct,"
		  "le_4k_pct_lo,le_4k_pct_hi,le_8k_pct,le_8k_pct_lo,le_8k_pct_hi,le_16k_pct,"
		  "le_16k_pct_lo,le_16k_pct_hi,saved_hosts,live_tasks,saved_kb_per_host,"
		  "saved_kb_per_host_lo,saved_kb_per_host_hi,saved_kb_per_task,"
		  "saved_kb_per_task_lo,saved_kb_per_task_hi,fleet_hosts,fleet_saved_kb,"
		  "fleet_saved_kb_lo,fleet_saved_kb_hi,crashed_hosts,policy,basis,resamples,seed,"
		  "level");
	CHECK_FIELD(csv, "all", "group_by", "none");
	CHECK_FIELD(csv, "all", "hosts", "5");
	CHECK_FIELD(csv, "all", "tasks", "20");
	CHECK_FIELD(csv, "all", "live_tasks", "50.000000");
	check_est(csv, "all", "le_4k_pct", "25.000000", "25.000000", "25.000000");
	check_est(csv, "all", "le_8k_pct", "50.000000", "50.000000", "50.000000");
	check_est(csv, "all", "le_16k_pct", "75.000000", "75.000000", "75.000000");
	check_est(csv, "all", "saved_kb_per_host", "120.000000", "120.000000", "120.000000");
	check_est(csv, "all", "saved_kb_per_task", "12.000000", "12.000000", "12.000000");
	check_est(csv, "all", "fleet_saved_kb", "840.000000", "840.000000", "840.000000");
	CHECK_FIELD(csv, "all", "seed", "1");
	CHECK_FIELD(csv, "all", "resamples", "2000");
	text = fleet(s, KS_FMT_TEXT, NULL, NULL, "7", &rc);
	CHECK(rc == 0 && strstr(text, "120.0 [120.0, 120.0]") &&
	      strstr(text, "12.00 [12.00, 12.00]") && strstr(text, "25.0% [25.0, 25.0]") &&
	      strstr(text, "seed 1.") && strstr(text, "Fleet of 7 hosts (KiB)"));
	free(csv);
	free(text);
	ks_store_close(s);
}

/* The documented bootstrap, written again: the mean of @v over resamples, its interval. */
static void second_bootstrap(const double *v, size_t n, uint64_t seed, uint32_t b, double *lo,
			     double *hi)
{
	uint64_t st = 0xcbf29ce484222325ULL, z, x;
	double *m = calloc(b, sizeof(*m)), t, h, sum;
	const char *name = "all";
	size_t i, j, k;

	for (; *name; name++)
		st = (st ^ (uint64_t)(unsigned char)*name) * 0x100000001b3ULL;
	st ^= seed;
	for (i = 0; i < b; i++) {
		sum = 0;
		for (j = 0; j < n; j++) {
			do {
				z = (st += 0x9e3779b97f4a7c15ULL);
				z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
				z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
				x = z ^ (z >> 31);
			} while (x < (UINT64_MAX - n + 1) % n);
			sum += v[x % n];
		}
		m[i] = sum / (double)n;
	}
	for (i = 1; i < b; i++)		/* insertion sort, not qsort: written again */
		for (k = i; k > 0 && m[k - 1] > m[k]; k--) {
			t = m[k];
			m[k] = m[k - 1];
			m[k - 1] = t;
		}
	h = (b - 1) * 0.025;
	k = (size_t)h;
	*lo = m[k] + (h - (double)k) * (m[k + 1] - m[k]);
	h = (b - 1) * 0.975;
	k = (size_t)h;
	*hi = m[k] + (h - (double)k) * (m[k + 1] - m[k]);
	free(m);
}

static const uint32_t one_task[] = { 1000 };
/* by trace id: web-1, db-1, web-2, db-2 */
static const struct host groups[] = {
	{ .id = 1, .label = "web-1", .regular_kb = 320, .dynamic_kb = 220, .hwm = one_task,
	  .ntasks = 1 },
	{ .id = 2, .label = "db-1", .regular_kb = 4000, .dynamic_kb = 3000, .hwm = one_task,
	  .ntasks = 1 },
	{ .id = 3, .label = "web-2", .regular_kb = 320, .dynamic_kb = 20, .hwm = one_task,
	  .ntasks = 1 },
	{ .id = 4, .label = "db-2", .regular_kb = 4000, .dynamic_kb = 1000, .hwm = one_task,
	  .ntasks = 1 },
};
#define NR_GROUPS_HOSTS (sizeof(groups) / sizeof(groups[0]))

static void test_groups(const char *dir)
{
	const double saved[NR_GROUPS_HOSTS] = { 100, 1000, 300, 3000 };
	struct host rev[NR_GROUPS_HOSTS], more[NR_GROUPS_HOSTS + 1];
	struct ks_store *s, *r, *m;
	char *csv, *again, *other, *csv_r, *csv_m, *text, want[2][64], row[2][512];
	double lo, hi;
	size_t i;
	int rc;

	s = make_db(dir, "groups.db", groups, NR_GROUPS_HOSTS);
	csv = fleet(s, KS_FMT_CSV, "label-prefix", NULL, "500", &rc);
	CHECK(rc == 0);
	CHECK_FIELD(csv, "web", "group_by", "label-prefix:1");
	CHECK_FIELD(csv, "web", "hosts", "2");
	CHECK_FIELD(csv, "web", "live_tasks", "40.000000");
	check_est(csv, "web", "saved_kb_per_host", "200.000000", "100.000000", "300.000000");
	check_est(csv, "web", "saved_kb_per_task", "10.000000", "5.000000", "15.000000");
	check_est(csv, "web", "fleet_saved_kb", "100000.000000", "50000.000000",
		  "150000.000000");
	CHECK_FIELD(csv, "db", "live_tasks", "500.000000");
	check_est(csv, "db", "saved_kb_per_host", "2000.000000", "1000.000000", "3000.000000");
	check_est(csv, "db", "saved_kb_per_task", "8.000000", "4.000000", "12.000000");
	CHECK_FIELD(csv, "all", "group_by", "none");
	CHECK_FIELD(csv, "all", "hosts", "4");
	CHECK_FIELD(csv, "all", "saved_kb_per_host", "1100.000000");
	CHECK_FIELD(csv, "all", "saved_kb_per_task", "8.148148");
	/* the rows in order: db, web, then every host's */
	CHECK(strstr(csv, "\nlabel-prefix:1,db,") < strstr(csv, "\nlabel-prefix:1,web,") &&
	      strstr(csv, "\nlabel-prefix:1,web,") < strstr(csv, "\nnone,all,"));
	second_bootstrap(saved, NR_GROUPS_HOSTS, 1, 2000, &lo, &hi);
	snprintf(want[0], sizeof(want[0]), "%.6f", lo);
	snprintf(want[1], sizeof(want[1]), "%.6f", hi);
	CHECK(lo > 100 && lo < 1100 && hi > 1100 && hi < 3000);
	CHECK_FIELD(csv, "all", "saved_kb_per_host_lo", want[0]);
	CHECK_FIELD(csv, "all", "saved_kb_per_host_hi", want[1]);

	/* the same seed: the same bytes; another seed: other resamples */
	again = fleet(s, KS_FMT_CSV, "label-prefix", "1", "500", &rc);
	CHECK_STR(again, csv);
	other = fleet(s, KS_FMT_CSV, "label-prefix", "2", "500", &rc);
	CHECK(rc == 0 && strcmp(other, csv));
	second_bootstrap(saved, NR_GROUPS_HOSTS, 2, 2000, &lo, &hi);
	snprintf(want[0], sizeof(want[0]), "%.6f", lo);
	CHECK_FIELD(other, "all", "saved_kb_per_host_lo", want[0]);
	CHECK_FIELD(other, "all", "seed", "2");
	text = fleet(s, KS_FMT_TEXT, "label-prefix", "2", "500", &rc);
	CHECK(rc == 0 && strstr(text, "seed 2.") && strstr(text, "in 2 groups by label prefix"));

	/* stored in the reverse order (other row keys): the same report */
	for (i = 0; i < NR_GROUPS_HOSTS; i++)
		rev[i] = groups[NR_GROUPS_HOSTS - 1 - i];
	r = make_db(dir, "reverse.db", rev, NR_GROUPS_HOSTS);
	csv_r = fleet(r, KS_FMT_CSV, "label-prefix", NULL, "500", &rc);
	CHECK_STR(csv_r, csv);

	/* a host more in db moves nothing of web: each group draws its own resamples */
	memcpy(more, groups, sizeof(groups));
	more[NR_GROUPS_HOSTS] = (struct host){ .id = 5, .label = "db-3", .regular_kb = 4000,
					       .dynamic_kb = 2000, .hwm = one_task,
					       .ntasks = 1 };
	m = make_db(dir, "more.db", more, NR_GROUPS_HOSTS + 1);
	csv_m = fleet(m, KS_FMT_CSV, "label-prefix:1", "2", "500", &rc);
	snprintf(row[0], sizeof(row[0]), "%s", strstr(other, "label-prefix:1,web,"));
	snprintf(row[1], sizeof(row[1]), "%s", strstr(csv_m, "label-prefix:1,web,"));
	*strchr(row[0], '\r') = *strchr(row[1], '\r') = '\0';
	CHECK_STR(row[1], row[0]);
	CHECK_FIELD(csv_m, "db", "hosts", "3");
	CHECK_FIELD(csv_m, "db", "saved_kb_per_host", "2000.000000");

	free(csv);
	free(again);
	free(other);
	free(text);
	free(csv_r);
	free(csv_m);
	ks_store_close(s);
	ks_store_close(r);
	ks_store_close(m);
}

/*
 * Twelve hosts saving 1, 2, 4, ... 2048 KiB: every resample's sum is its own
 * (no two multisets of them share a sum but by drawing the same hosts), so
 * the quantiles move with the resamples: seeds 1 and 2 give other
 * intervals, each the second implementation's, and seed 1 again the same
 * bytes.
 */
static void test_seeds(const char *dir)
{
	struct host h[12];
	double saved[12], lo[2], hi[2];
	struct ks_store *s;
	char *a, *b, *c, want[64];
	size_t i;
	int rc;

	for (i = 0; i < 12; i++) {
		saved[i] = (double)(1u << i);
		h[i] = (struct host){ .id = i + 1, .label = "h", .regular_kb = 4096,
				      .dynamic_kb = 4096 - saved[i] };
	}
	s = make_db(dir, "seeds.db", h, 12);
	a = fleet(s, KS_FMT_CSV, NULL, "1", NULL, &rc);
	b = fleet(s, KS_FMT_CSV, NULL, "2", NULL, &rc);
	c = fleet(s, KS_FMT_TEXT, NULL, "1", NULL, &rc);
	second_bootstrap(saved, 12, 1, 2000, &lo[0], &hi[0]);
	second_bootstrap(saved, 12, 2, 2000, &lo[1], &hi[1]);
	CHECK(lo[0] != lo[1] && hi[0] != hi[1]);
	snprintf(want, sizeof(want), "%.6f", lo[0]);
	CHECK_FIELD(a, "all", "saved_kb_per_host_lo", want);
	snprintf(want, sizeof(want), "%.6f", hi[0]);
	CHECK_FIELD(a, "all", "saved_kb_per_host_hi", want);
	snprintf(want, sizeof(want), "%.6f", lo[1]);
	CHECK_FIELD(b, "all", "saved_kb_per_host_lo", want);
	snprintf(want, sizeof(want), "%.6f", hi[1]);
	CHECK_FIELD(b, "all", "saved_kb_per_host_hi", want);
	free(b);
	b = fleet(s, KS_FMT_CSV, NULL, "1", NULL, &rc);
	CHECK_STR(b, a);
	free(a);
	a = fleet(s, KS_FMT_TEXT, NULL, "1", NULL, &rc);
	CHECK_STR(a, c);
	free(a);
	free(b);
	free(c);
	ks_store_close(s);
}

static void test_shares(const char *dir)
{
	static const uint32_t a[] = { 0, 4096, 4097, 8192, 16384, 16385 }, b[] = { 100, 9000 };
	const struct host h[] = {
		{ .id = 1, .label = "a", .regular_kb = 160, .dynamic_kb = 60, .hwm = a,
		  .ntasks = 6 },
		{ .id = 2, .label = "b", .regular_kb = 0, .dynamic_kb = 60, .hwm = b, .ntasks = 2 },
		{ .id = 3, .label = "c", .regular_kb = 160, .dynamic_kb = 80, .crashes = 2 },
	};
	struct ks_store *s = make_db(dir, "shares.db", h, 3);
	char *csv, *text;
	int rc;

	csv = fleet(s, KS_FMT_CSV, NULL, NULL, NULL, &rc);
	CHECK(rc == 0);
	CHECK_FIELD(csv, "all", "hosts", "3");
	CHECK_FIELD(csv, "all", "task_hosts", "2");
	CHECK_FIELD(csv, "all", "tasks", "8");
	CHECK_FIELD(csv, "all", "le_4k_pct", "37.500000");
	CHECK_FIELD(csv, "all", "le_8k_pct", "62.500000");
	CHECK_FIELD(csv, "all", "le_16k_pct", "87.500000");
	/* b has no static run: the savings are a's 100 and c's 80 */
	CHECK_FIELD(csv, "all", "saved_hosts", "2");
	CHECK_FIELD(csv, "all", "saved_kb_per_host", "90.000000");
	CHECK_FIELD(csv, "all", "live_tasks", "20.000000");
	CHECK_FIELD(csv, "all", "saved_kb_per_task", "9.000000");
	CHECK_FIELD(csv, "all", "crashed_hosts", "1");
	CHECK_FIELD(csv, "all", "fleet_hosts", "1000");
	text = fleet(s, KS_FMT_MARKDOWN, NULL, NULL, NULL, &rc);
	CHECK(rc == 0 && strstr(text, "| Group | Hosts |") &&
	      strstr(text, "1 host has no per-task rows") &&
	      strstr(text, "1 host has no run of rfc at its defaults with a static run") &&
	      strstr(text, "Crashed: hosts whose run had a would-be crash"));
	free(csv);
	free(text);
	ks_store_close(s);
}

static void test_errors(const char *dir)
{
	struct ks_report_opts o;
	struct ks_store *s = make_db(dir, "empty.db", NULL, 0);
	char *out;
	int rc;

	ks_report_opts_default(&o);
	out = report_capture(ks_report_fleet, s, &o, &rc);
	CHECK(rc == -ENODATA);
	free(out);
	ks_store_close(s);
	/* no run of the policy: the tasks and shares, no saving, and why */
	s = make_db(dir, "one.db", groups, 1);
	o.policy = "rcf";
	out = report_capture(ks_report_fleet, s, &o, &rc);
	CHECK(rc == 0 && strstr(out, "1 host has no run of rcf at its defaults with a static "
				"run to compare: left out of the savings\n(replay it with "
				"--policy static --policy rcf).\n"));
	CHECK(strstr(out, "(all hosts)      1      1  100.0%  100.0%  100.0%         0.0"
		     "                 -                 -") != NULL);
	free(out);
	o.format = KS_FMT_CSV;
	out = report_capture(ks_report_fleet, s, &o, &rc);
	CHECK(rc == 0);
	CHECK_FIELD(out, "all", "saved_hosts", "0");
	CHECK_FIELD(out, "all", "saved_kb_per_host", "");
	CHECK_FIELD(out, "all", "fleet_saved_kb_hi", "");
	CHECK_FIELD(out, "all", "le_4k_pct", "100.000000");
	free(out);
	ks_store_close(s);
}

/* SplitMix64's published vector, the quantile, the draws, the options, the label prefix. */
static void test_parts(void)
{
	static const uint64_t vec[] = { 6457827717110365317ull, 3203168211198807973ull,
					9817491932198370423ull };
	static const double x[] = { 1, 2, 3, 4 };
	static const struct {
		const char *label;
		uint32_t fields;
		const char *want;
	} pre[] = {
		{ "web-01", 1, "web" }, { "web-01", 2, "web-01" }, { "web07", 1, "web" },
		{ "db17.eu", 1, "db" }, { "rack12-db-3", 1, "rack" },
		{ "rack12-db-3", 2, "rack12" },
		{ "rack12-db-3", 3, "rack12-db" }, { "rack12-db-3", 9, "rack12-db-3" },
		{ "-web-", 3, "web" }, { "10.0.0.1", 1, "10" }, { "AMD Genoa", 1, "AMD" },
		{ "---", 1, "---" }, { "", 1, "" },
	};
	struct ks_boot_rng r = { 1234567 };
	struct ks_fleet_opts f;
	struct ks_error err = { 0 };
	char buf[64];
	size_t i;

	for (i = 0; i < 3; i++)
		CHECK(ks_boot_next(&r) == vec[i]);
	CHECK(ks_boot_quantile(x, 4, 0) == 1 && ks_boot_quantile(x, 4, 1) == 4);
	CHECK(ks_boot_quantile(x, 4, 0.5) == 2.5 && ks_boot_quantile(x, 4, 0.25) == 1.75);
	CHECK(ks_boot_quantile(x, 1, 0.975) == 1 && isnan(ks_boot_quantile(x, 0, 0.5)));
	CHECK(ks_boot_stream(0, "") == 0xcbf29ce484222325ULL);
	r.state = 7;
	for (i = 0; i < 1000; i++)
		CHECK(ks_boot_below(&r, 3) < 3 && ks_boot_below(&r, 1) == 0);
	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		ks_fleet_label_prefix(pre[i].label, pre[i].fields, buf, sizeof(buf));
		CHECK_STR(buf, pre[i].want);
	}
	ks_fleet_opts_default(&f);
	CHECK(f.seed == 1 && f.resamples == 2000 && f.hosts == 1000 && f.group == KS_FLEET_NONE);
	CHECK(!ks_fleet_opts_set(&f, "group", "label-prefix:3", &err) &&
	      f.group == KS_FLEET_LABEL && f.label_fields == 3);
	CHECK(!ks_fleet_opts_set(&f, "group", "arch", &err) && f.group == KS_FLEET_ARCH);
	CHECK(!ks_fleet_opts_set(&f, "seed", "18446744073709551615", &err) &&
	      f.seed == UINT64_MAX);
	CHECK(!ks_fleet_opts_set(&f, "hosts", "1000000000000", &err) && f.hosts == 1000000000000);
	CHECK(!ks_fleet_opts_set(&f, "resamples", "100", &err) && f.resamples == 100);
	CHECK(ks_fleet_opts_set(&f, "group", "label-prefix:0", &err) == -KS_E_USAGE);
	CHECK(ks_fleet_opts_set(&f, "group", "label-prefix:17", &err) == -KS_E_USAGE);
	CHECK(ks_fleet_opts_set(&f, "group", "label-prefixes", &err) == -KS_E_USAGE);
	CHECK(ks_fleet_opts_set(&f, "group", "host", &err) == -KS_E_USAGE);
	CHECK_STR(err.detail, "unknown --group 'host' (none, kernel, arch, label-prefix or "
		  "label-prefix:N, N from 1 to 16)");
	CHECK(ks_fleet_opts_set(&f, "seed", "18446744073709551616", &err) == -KS_E_USAGE);
	CHECK(ks_fleet_opts_set(&f, "seed", "-1", &err) == -KS_E_USAGE);
	CHECK(ks_fleet_opts_set(&f, "hosts", "0", &err) == -KS_E_USAGE);
	CHECK(ks_fleet_opts_set(&f, "hosts", "1000000000001", &err) == -KS_E_USAGE);
	CHECK(ks_fleet_opts_set(&f, "hosts", "1e3", &err) == -KS_E_USAGE);
	CHECK(ks_fleet_opts_set(&f, "resamples", "99", &err) == -KS_E_USAGE);
	CHECK(ks_fleet_opts_set(&f, "resamples", "1000001", &err) == -KS_E_USAGE);
	CHECK(ks_fleet_opts_set(&f, "resamples", "", &err) == -KS_E_USAGE);
	/* a refused value changes nothing */
	CHECK(f.seed == UINT64_MAX && f.hosts == 1000000000000 && f.resamples == 100 &&
	      f.group == KS_FLEET_ARCH);
}

/*
 * The chart: each group's mean and interval in fleet-groups.dat, each host's
 * saving in fleet-hosts.dat; a hostile kernel name reaches the data,
 * sanitised, and never the script.
 */
static void test_chart(const char *dir)
{
	struct host h[NR_GROUPS_HOSTS];
	struct ks_fleet_opts f;
	struct ks_report_opts o;
	struct ks_error err = { 0 };
	struct ks_store *s;
	char *charts, *path, *text, *p;
	bool drew;
	size_t i;

	memcpy(h, groups, sizeof(h));
	for (i = 0; i < NR_GROUPS_HOSTS; i++)
		h[i].kernel = strncmp(h[i].label, "web", 3) ? "6.1.0" : "k'; system(\"x\")";
	s = make_db(dir, "chart.db", h, NR_GROUPS_HOSTS);
	if (asprintf(&charts, "%s/charts", dir) < 0)
		exit(1);
	ks_report_opts_default(&o);
	ks_fleet_opts_default(&f);
	CHECK_OK(ks_fleet_opts_set(&f, "group", "kernel", &err));
	/* without the fleet report: no fleet chart */
	CHECK_OK(ks_report_charts_opts(s, &o, charts, &drew, &err));
	if (asprintf(&path, "%s/fleet.gp", charts) < 0)
		exit(1);
	CHECK(access(path, F_OK) != 0);
	o.fleet = &f;
	CHECK_OK(ks_report_charts_opts(s, &o, charts, &drew, &err));
	/* the fleet report's chart alone */
	{
		char **names = NULL;

		CHECK(ks_report_chart_list(charts, &names) == 0);
		CHECK(names && names[0] && !strcmp(names[0], "fleet") && !names[1]);
		ks_report_chart_list_free(names);
	}
	text = test_read_file(path);
	CHECK(text && strstr(text, "'fleet-groups.dat' using ($2 + 0.38):4:5:6 with yerrorbars") &&
	      !strstr(text, "system(") && !strstr(text, "crash"));
	free(text);
	free(path);
	if (asprintf(&path, "%s/fleet-groups.dat", charts) < 0)
		exit(1);
	text = test_read_file(path);
	{
		static const char want[] = "group\tx\thosts\tmean_kb\tlo_kb\thi_kb\n"
			"6.1.0 (2)\t1\t2\t2000.000\t1000.000\t3000.000\n"
			"k__ system(_x_) (2)\t2\t2\t200.000\t100.000\t300.000\n"
			"all hosts (4)\t3\t4\t1100.000\t";

		CHECK(text && !strncmp(text, want, sizeof(want) - 1));
		if (text && strncmp(text, want, sizeof(want) - 1))
			fprintf(stderr, "fleet-groups.dat:\n%s", text);
	}
	free(text);
	free(path);
	if (asprintf(&path, "%s/fleet-hosts.dat", charts) < 0)
		exit(1);
	text = test_read_file(path);
	CHECK(text && !strncmp(text, "x\tsaved_kb\tcrashed\n", 19));
	/* a header, 2 + 2 hosts in their groups, 4 in every host's */
	for (i = 0, p = text; p && (p = strchr(p, '\n')); p++)
		i++;
	CHECK(i == 9);
	free(text);
	free(path);
	free(charts);
	ks_store_close(s);
}

int main(void)
{
	char *dir = test_tmpdir();

	test_parts();
	test_identical(dir);
	test_groups(dir);
	test_seeds(dir);
	test_shares(dir);
	test_errors(dir);
	test_chart(dir);
	test_rmdir(dir);
	free(dir);
	if (test_failures)
		fprintf(stderr, "%d check(s) failed\n", test_failures);
	return test_failures ? 1 : 0;
}
