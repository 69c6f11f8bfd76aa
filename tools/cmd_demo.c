// SPDX-License-Identifier: MIT
/*
 * kstack demo: the main job on the bundled data.  Synthesize the machines
 * of the RFC's table (and the other profiles) from data/profiles, take the
 * real traces shipped in data/traces, replay all of them under every
 * policy (and the real ones under every design of the designs table and a
 * pool-size sweep), store the runs and print the tables and chart paths.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_grid.h"
#include "cmds.h"
#include "ks_progress.h"
#include "ks_stop.h"
#include "replay.h"
#include "report.h"
#include "synth.h"

/* The RFC's table order first; any other profile follows, sorted. */
static const char *const demo_profile_order[] = {
	"genoa-384", "skylake-112", "rome-128", "rome-256", "haswell-72",
	"rfc-accounting-example", "openwrt-arm64-published", "openwrt-arm64-kib",
};
#define NR_ORDERED (sizeof(demo_profile_order) / sizeof(demo_profile_order[0]))
#define DEMO_MAX_DIR 3072
/*
 * Seeds of every failure-rate configuration of the sweep: a share of
 * seeds with a would-be crash in steps of 5%, one pass per trace.
 */
#define DEMO_SEEDS 20
#define KS_STR_(x) #x
#define KS_STR(x) KS_STR_(x)

struct pathlist {
	char **v;
	size_t n;
};

static int pathlist_add(struct pathlist *l, const char *a, const char *b, const char *c)
{
	char **nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	size_t len = strlen(a) + strlen(b) + strlen(c) + 1;

	if (!nv)
		return -ENOMEM;
	l->v = nv;
	l->v[l->n] = malloc(len);
	if (!l->v[l->n])
		return -ENOMEM;
	snprintf(l->v[l->n], len, "%s%s%s", a, b, c);
	l->n++;
	return 0;
}

static void pathlist_free(struct pathlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int mkdir_p(const char *dir)
{
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int ordered_index(const char *name)
{
	size_t i;

	for (i = 0; i < NR_ORDERED; i++)
		if (!strcmp(name, demo_profile_order[i]))
			return (int)i;
	return (int)NR_ORDERED;
}

static int cmp_profile(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int ix = ordered_index(x), iy = ordered_index(y);

	return ix != iy ? ix - iy : strcmp(x, y);
}

/* Synthesize every profile into @outdir/traces; append the paths to @traces. */
static int synth_profiles(const char *datadir, const char *outdir, struct pathlist *traces,
			  bool quiet)
{
	char **names = NULL, path[4096], prof[4096], msg[512], what[300];
	struct ks_error err = { 0 };
	size_t n = 0, i;
	int rc;

	rc = ks_synth_profile_list(datadir, &names, &n, &err);
	if (rc) {
		cli_error("demo", "%s/profiles: %s", datadir, ks_error_format(&err, msg, sizeof(msg)));
		return rc;
	}
	qsort(names, n, sizeof(*names), cmp_profile);
	/* on a terminal the progress line says it */
	if (!quiet && !ks_progress_on())
		cli_note("demo", "synthesizing the %zu profiles of %s/profiles", n, datadir);
	for (i = 0; i < n && !rc; i++) {
		struct ks_synth_params p;

		snprintf(what, sizeof(what), "synthesizing %s", names[i]);
		ks_progress_count("demo", what, i, n, "profiles");
		ks_synth_params_default(&p);
		rc = ks_synth_profile_path(datadir, names[i], prof, sizeof(prof));
		if (!rc)
			rc = ks_synth_params_from_profile(&p, prof, &err);
		snprintf(path, sizeof(path), "%s/traces/%s.kst", outdir, names[i]);
		if (!rc)
			rc = ks_synth_write(&p, path, NULL, &err);
		snprintf(what, sizeof(what), "profile %s", names[i]);
		if (rc)
			cli_fail("demo", what, &err);
		else
			rc = pathlist_add(traces, path, "", "");
	}
	ks_synth_profile_list_free(names, n);
	return rc;
}

/* The real traces shipped in data/traces, sorted by name. */
static int real_traces(const char *datadir, struct pathlist *traces)
{
	struct pathlist found = { 0 };
	char dir[4096];
	struct dirent *de;
	size_t i;
	DIR *d;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/traces", datadir);
	d = opendir(dir);
	if (!d)
		return 0;	/* no shipped traces: profiles only */
	while ((de = readdir(d)) && !rc) {
		size_t len = strlen(de->d_name);

		if (len > 4 && !strcmp(de->d_name + len - 4, ".kst"))
			rc = pathlist_add(&found, dir, "/", de->d_name);
	}
	closedir(d);
	if (found.n)
		qsort(found.v, found.n, sizeof(*found.v), cmp_str);
	for (i = 0; i < found.n && !rc; i++)
		rc = pathlist_add(traces, found.v[i], "", "");
	pathlist_free(&found);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kstack demo [-o DIR] [-j N] [-q]\n"
		"Synthesize the RFC's machines from data/profiles, add the real traces of\n"
		"data/traces, replay them under every policy (the real ones also under every\n"
		"design of kstack report --designs and a pool-size sweep), store the runs in\n"
		"DIR/kstack.db and print the tables; charts go to DIR/charts.  The\n"
		"tables go to standard output; what it is doing, and the paths of the files\n"
		"written, to standard error (on a terminal as one progress line).\n\n"
		"  -o, --output DIR   output folder (default kstack-demo)\n"
		"  -j, --jobs N       replay threads (default: one per CPU)\n"
		"  -q, --quiet        tables only: nothing on standard error but errors\n"
		"  -h, --help         this help\n");
}

/* One results table: @policy's runs (NULL: every policy) of @traces, on @basis or the default. */
static int print_table(struct ks_store *store, const char *title, const char *policy,
		       enum ks_trace_kind traces, const enum ks_basis *basis)
{
	struct ks_report_opts ro;
	struct ks_error err = { 0 };
	char msg[512];
	int rc;

	ks_report_opts_default(&ro);
	ro.policy = policy;
	ro.traces = traces;
	if (basis)
		ks_report_add_basis(&ro, *basis);
	printf("\n%s\n\n", title);
	fflush(stdout);
	rc = ks_report_table(store, &ro, stdout, &err);
	if (rc)
		cli_error("demo", "table: %s", ks_error_format(&err, msg, sizeof(msg)));
	return rc;
}

/* The designs table of @traces (kstack report --designs shows every trace). */
static int print_designs(struct ks_store *store, enum ks_trace_kind traces)
{
	struct ks_report_opts ro;
	struct ks_error err = { 0 };
	char msg[512];
	int rc;

	ks_report_opts_default(&ro);
	ro.traces = traces;
	printf("\nEvery design at its defaults%s: memory, and its work per second of trace "
	       "(kstack report --designs):\n\n", traces == KS_TRACES_RECORDED ?
	       " on the recorded traces" : "");
	fflush(stdout);
	rc = ks_report_designs(store, &ro, stdout, &err);
	if (rc)
		cli_error("demo", "designs: %s", ks_error_format(&err, msg, sizeof(msg)));
	return rc;
}

static int print_report(struct ks_store *store, const char *title,
			int (*fn)(struct ks_store *, const struct ks_report_opts *, FILE *,
				  struct ks_error *))
{
	struct ks_report_opts ro;
	struct ks_error err = { 0 };
	char msg[512];
	int rc;

	ks_report_opts_default(&ro);
	printf("\n%s\n\n", title);
	fflush(stdout);
	rc = fn(store, &ro, stdout, &err);
	if (rc)
		cli_error("demo", "%s", ks_error_format(&err, msg, sizeof(msg)));
	return rc;
}

int cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .verb = "demo", .optstring = "o:j:qh", .opts = opts };
	const char *outdir = "kstack-demo", *datadir = cli_datadir();
	struct pathlist traces = { 0 };
	struct cli_grid grid = { 0 };
	struct ks_store *store = NULL;
	struct ks_error err = { 0 };
	struct ks_replay_opts o;
	char db[4096], charts[4096], sub[4096], msg[512], *end;
	size_t i, nprof;
	int c, rc, status = KS_EXIT_FAIL;
	const enum ks_basis census = KS_BASIS_END;
	bool drew = false, quiet = false;
	long jobs = 0;

	while ((c = cli_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case 'o':
			/* room for DIR/traces/PROFILE.kst in the paths below */
			if (!strcmp(optarg, "-")) {
				cli_error("demo", "-o -: the demo writes a folder, not a stream");
				return KS_EXIT_USAGE;
			}
			if (!*optarg || strlen(optarg) > DEMO_MAX_DIR) {
				cli_error("demo", "bad --output '%.64s%s' (empty or too long)", optarg,
					  strlen(optarg) > 64 ? "..." : "");
				return KS_EXIT_USAGE;
			}
			outdir = optarg;
			break;
		case 'j':
			jobs = strtol(optarg, &end, 10);
			if (*end || jobs < 1 || jobs > 1024) {
				cli_error("demo", "bad --jobs '%s' (expected 1..1024)", optarg);
				return KS_EXIT_USAGE;
			}
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return KS_EXIT_OK;
		default:
			return KS_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("demo", "unexpected argument '%s'", argv[optind]);
		return KS_EXIT_USAGE;
	}
	ks_progress_enable(!quiet);

	snprintf(sub, sizeof(sub), "%s/traces", outdir);
	if (mkdir_p(outdir) || mkdir_p(sub)) {
		cli_error("demo", "%s: cannot create: %s", outdir, strerror(errno));
		return KS_EXIT_FAIL;
	}
	snprintf(db, sizeof(db), "%s/kstack.db", outdir);
	snprintf(charts, sizeof(charts), "%s/charts", outdir);
	/* a fresh database: the demo shows this build's numbers only */
	if (unlink(db) && errno != ENOENT) {
		cli_error("demo", "%s: cannot remove the old database: %s", db, strerror(errno));
		return KS_EXIT_FAIL;
	}

	if (synth_profiles(datadir, outdir, &traces, quiet))
		goto out;
	nprof = traces.n;
	if (real_traces(datadir, &traces)) {
		cli_error("demo", "%s/traces: cannot list", datadir);
		goto out;
	}

	/*
	 * Every policy; on the real traces every design and the pool sweep
	 * with failure injection, each failure rate under DEMO_SEEDS seeds.
	 */
	rc = cli_grid_build(&grid, NULL, 0, DEMO_SEEDS, &err);
	if (rc) {
		cli_error("demo", "%s", ks_error_format(&err, msg, sizeof(msg)));
		goto out;
	}
	rc = ks_store_open(&store, db, &err);
	if (rc) {
		cli_error("demo", "%s", ks_error_format(&err, msg, sizeof(msg)));
		goto out;
	}
	ks_replay_opts_default(&o);
	o.threads = (unsigned int)jobs;
	if (!quiet && !ks_progress_on())
		cli_note("demo", "replaying %zu synthetic and %zu real traces under every policy, "
			 "and the real ones under every design and over pools 0..8 and 3 failure "
			 "rates, " KS_STR(DEMO_SEEDS) " seeds each", nprof, traces.n - nprof);
	for (i = 0; i < traces.n; i++) {
		struct ks_replay_summary sum;
		/* the grid runs on every real trace; with none shipped, on one profile */
		bool sweep = i >= nprof || (traces.n == nprof && strstr(traces.v[i], "rome-128"));
		const char *name = strrchr(traces.v[i], '/');

		snprintf(msg, sizeof(msg), "replaying %s%s", name ? name + 1 : traces.v[i],
			 sweep ? " (every policy and design, pool 0..8, 3 failure rates, "
				KS_STR(DEMO_SEEDS) " seeds each)" : "");
		ks_progress_count("demo", msg, i, traces.n, "traces");
		/* the designs, as the sweep, where a workload was recorded */
		if (sweep)
			rc = cli_grid_designs("demo", traces.v[i], &grid, store, &o, quiet, &err);
		else
			rc = ks_replay_trace(traces.v[i], &grid.base, store, &o, &sum, NULL, &err);
		if (!rc && sweep)
			rc = ks_replay_trace(traces.v[i], &grid.sweep, store, &o, &sum, NULL, &err);
		if (!rc && sweep)
			rc = ks_replay_trace(traces.v[i], &grid.once, store, &o, &sum, NULL, &err);
		if (rc) {
			cli_fail("demo", traces.v[i], &err);
			goto out;
		}
	}

	ks_progress_clear();
	/*
	 * The RFC's figures are a census of idle machines: its table keeps the
	 * end basis.  A recording ends after its workload, at rest: the
	 * recorded traces are shown on the time-weighted mean and the peak.
	 */
	if (print_table(store, "The RFC's table, reproduced (policy rfc at its defaults on the "
			"synthesized machines, memory at the end of each trace: the census the "
			"RFC's figures are), with the extra columns:", "rfc",
			nprof ? KS_TRACES_SYNTHETIC : KS_TRACES_ALL, &census))
		goto out;
	if (print_table(store, "Every policy at its defaults on the recorded traces, on the "
			"time-weighted mean and the peak during each trace:", NULL,
			traces.n > nprof ? KS_TRACES_RECORDED : KS_TRACES_ALL, NULL))
		goto out;
	if (print_report(store, "Minimum safe pool (smallest per-CPU pool with no would-be "
			 "crash from there up in any of the seeds; " KS_STR(DEMO_SEEDS)
			 " seeds per failure rate, entry's runs never allocate: 1):",
			 ks_report_min_pool))
		goto out;
	if (print_report(store, "Costs of the default runs (events per second of trace; ns per event are placeholders):",
			 ks_report_costs))
		goto out;
	if (print_designs(store, traces.n > nprof ? KS_TRACES_RECORDED : KS_TRACES_ALL))
		goto out;

	/* the tables do not poll (they are quick): a stop asked meanwhile ends here */
	rc = ks_stop_check(&err, "demo");
	if (!rc) {
		struct ks_report_opts ro;

		ks_report_opts_default(&ro);
		rc = ks_report_charts_opts(store, &ro, charts, &drew, &err);
	}
	if (rc) {
		cli_fail("demo", "charts", &err);
		goto out;
	}
	if (!quiet) {
		cli_note("demo", "database: %s", db);
		cli_note("demo", "charts:   %s/ (%s)", charts, drew ?
			 "PNG and SVG images, their data and gnuplot scripts" :
			 "gnuplot not found: wrote data and scripts, drew no images");
	}
	status = KS_EXIT_OK;
out:
	ks_store_close(store);
	cli_grid_release(&grid);
	pathlist_free(&traces);
	return status;
}
