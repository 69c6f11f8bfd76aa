// SPDX-License-Identifier: MIT
/*
 * kstack report -d DB [--format text|markdown|csv] [--charts DIR [--trace T]] [--html FILE]
 *                     [--policy P] [--all] [--basis end|peak|mean]... [--min-pool]
 *                     [--costs [--cost NAME=NS]...] [--designs [--trace T]]
 *                     [--depth|--asleep|--latch|--tasks|--tail|--overflow|--census
 *                      [--trace T] [--scope S] [--min-life S] [--exited] [--limit N]]
 *                     [--fleet [--group G] [--hosts N] [--seed S] [--resamples B]]
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_page.h"
#include "cmds.h"
#include "report.h"

/* The per-task reports, as options (long only), in the order they print. */
enum {
	OPT_TASKS = 1000,	/* + enum ks_task_report */
	OPT_SCOPE = 1100,
	OPT_MIN_LIFE,
	OPT_EXITED,
	OPT_LIMIT,
	OPT_HTML,
	OPT_DESIGNS,
	OPT_FLEET,
	OPT_FLEET_SET,		/* --group, --hosts, --seed, --resamples: by their name */
};
static const struct {
	const char *name;
	enum ks_task_report which;
	const char *title;
} task_reports[] = {
	{ "depth", KS_TASKS_DEPTH, "Depth distribution: tasks by lifetime stack high-water mark" },
	{ "asleep", KS_TASKS_ASLEEP, "Depth while asleep, weighted by time asleep" },
	{ "latch", KS_TASKS_LATCH, "The latch: does a task's high-water mark rise late?" },
	{ "tasks", KS_TASKS_ATTRIBUTION, "Attribution: who went past 4 KiB and 8 KiB" },
	{ "tail", KS_TASKS_TAIL, "The tail: how close stacks came to overflowing" },
	{ "overflow", KS_TASKS_OVERFLOW, "Tasks a static 8 KiB or 12 KiB stack would not hold" },
	{ "census", KS_TASKS_CENSUS, "Census: tasks by class, stacks as a share of RAM" },
};
#define NR_TASK_REPORTS (sizeof(task_reports) / sizeof(task_reports[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: kstack report [-d DB] [options]\n"
		"Print the results table and draw charts from a results database.\n\n"
		"  -d, --db FILE         results database (default kstack.db)\n"
		"  -f, --format FMT      text (default), markdown or csv\n"
		"  -c, --charts DIR      also write chart data, gnuplot scripts and, when\n"
		"                        gnuplot is installed, PNG and SVG images into DIR\n"
		"  -p, --policy NAME     only runs of this policy\n"
		"  -a, --all             every stored configuration, not only each\n"
		"                        policy's default one\n"
		"      --basis B         memory on basis B (repeatable, one table each, in the\n"
		"                        order given): end (when the trace ends, the RFC's\n"
		"                        census), peak (the largest at any moment) or mean\n"
		"                        (time-weighted); default mean and peak when a\n"
		"                        recorded trace is shown, else end\n"
		"  -m, --min-pool        only the minimum safe pool table (printed after the\n"
		"                        results table by default when pool sweeps are stored)\n"
		"  -C, --costs           only the costs table: events per second of trace and\n"
		"                        their cost in ns per event\n"
		"      --cost NAME=NS    ns one event of NAME costs (repeatable); the defaults\n"
		"                        are placeholders, not measurements\n"
		"      --designs         only the designs table: per trace, a row per design at\n"
		"                        its defaults (static and its 8K and 12K what-ifs, rfc,\n"
		"                        rfc+global, entry, watermark, sp-reclaim, abit, gc and\n"
		"                        their variants), its memory, savings and events per\n"
		"                        second; a design the trace cannot pin down is a range\n"
		"                        lower..higher of its access=depth and access=hwm runs,\n"
		"                        a run not stored is named (kstack replay --designs)\n"
		"  -t, --trace T         the trace (label or id) of the timeline chart; default\n"
		"                        the first real trace, else the first; with the per-task\n"
		"                        reports or --designs, only that trace\n"
		"      --html FILE       write every table, the charts (inline SVG), the\n"
		"                        traces' headers, the method and links to the kernel\n"
		"                        threads as one self-contained HTML page (-: to\n"
		"                        standard output); charts go to --charts DIR if given\n"
		"  -q, --quiet           no list of the charts or page written (on stderr)\n"
		"  -h, --help            this text\n\n"
		"Per-task reports (one row per task of each trace, whatever the policy;\n"
		"each prints alone, for every trace and scope: system is every task,\n"
		"workload the recorded command's tasks and other the rest, when the\n"
		"trace names its command):\n"
		"      --depth          tasks by the bucket of their lifetime high-water\n"
		"                       mark (<=1K ... <=THREAD_SIZE, above) and class\n"
		"                       (kthread, kworker, user, all): every task, alive\n"
		"                       at the end, and exited, which is how the kernel's\n"
		"                       kstack_* counters (/proc/vmstat) count; CSV:\n"
		"                       class,bucket_kb,tasks of one trace (--trace) and\n"
		"                       scope (--scope, default system)\n"
		"      --exited         --depth's CSV counts the tasks that exited\n"
		"      --asleep         depth x time asleep (KiB*s) by depth bucket and\n"
		"                       class; the time-weighted mean depth asleep\n"
		"      --latch          of the tasks that lived --min-life S seconds\n"
		"                       (default 1): how many had their high-water mark\n"
		"                       rise after their first second or the first 10%%\n"
		"                       of their life, the delay from their first mark\n"
		"                       to their final one, their pages touched late\n"
		"      --tasks          the names and processes (comm, tgid) whose tasks\n"
		"                       went past 4K and 8K, with tasks and excursions,\n"
		"                       by pages above 4K (text: --limit N rows each,\n"
		"                       default 20; 0 all)\n"
		"      --tail           tasks whose mark reached 8K, 12K, 14K, those a\n"
		"                       static 8K or 12K stack would not hold, and the\n"
		"                       smallest free space on any stack\n"
		"      --overflow       the tasks a static 8K or 12K stack would not hold\n"
		"      --census         tasks by class, alive at start and end, born,\n"
		"                       died; their stacks in KiB and as a share of RAM\n"
		"      --scope S        only scope S: system, workload or other\n"
		"      --min-life S     --latch counts the tasks that lived S seconds or\n"
		"                       more (default 1)\n"
		"      --limit N        --tasks prints N rows per table in text (default\n"
		"                       20; 0 all)\n\n"
		"The fleet report (every trace a host; prints alone):\n"
		"      --fleet          hosts and tasks, the shares of tasks whose lifetime\n"
		"                       high-water mark fits 4K, 8K, 16K, the mean saving\n"
		"                       per host and per live task of --policy (default\n"
		"                       rfc) at its defaults against static, time-weighted,\n"
		"                       and a fleet's projected saving, each with a 95%%\n"
		"                       interval by bootstrap over hosts; with --charts,\n"
		"                       the chart fleet alone (each host's saving by group)\n"
		"      --group G        none (default), kernel, arch, or label-prefix[:N]:\n"
		"                       the label up to its Nth field (default 1), fields\n"
		"                       being runs of letters or of digits (web-01 and\n"
		"                       web07 give web; rack12-db-3 gives rack, with :2\n"
		"                       rack12, with :3 rack12-db)\n"
		"      --hosts N        the projected fleet: N hosts per group (default %d)\n"
		"      --seed S         the bootstrap's seed, printed (default %d)\n"
		"      --resamples B    the bootstrap's resamples (default %d, %d to %d)\n\n"
		"Regular = the trace's static run (today's kernel) on the same basis;\n"
		"Dynamic = pages mapped to stacks; Pool = pool pages, cached stacks and fixed\n"
		"reserves, which the RFC's figures leave out; Savings+pool counts each side's.\n"
		"The table is the savings view of the database (one row per run and basis).\n\n"
		"Cost names and their placeholder ns per event:\n",
		KS_FLEET_HOSTS, KS_FLEET_SEED, KS_FLEET_RESAMPLES, KS_FLEET_MIN_RESAMPLES,
		KS_FLEET_MAX_RESAMPLES);
	for (i = 0; i < ks_report_cost_count(); i++)
		fprintf(f, "  %-18s %g per %s\n", ks_report_cost(i)->counter, ks_report_cost(i)->ns,
			ks_report_cost(i)->unit);
}

static int parse_format(const char *s, enum ks_report_format *f)
{
	if (!strcmp(s, "text"))
		*f = KS_FMT_TEXT;
	else if (!strcmp(s, "markdown") || !strcmp(s, "md"))
		*f = KS_FMT_MARKDOWN;
	else if (!strcmp(s, "csv"))
		*f = KS_FMT_CSV;
	else
		return -1;
	return 0;
}

static int fail(struct ks_error *err, int rc)
{
	if (err->detail[0])
		cli_error("report", "%s", err->detail);
	else
		cli_error("report", "%s", ks_strerror(rc));
	return err->code == KS_E_USAGE ? KS_EXIT_USAGE : KS_EXIT_FAIL;
}

/* The files written go to stderr: stdout holds the tables alone (a CSV stays CSV). */
static int print_charts(const char *dir, bool drew, bool quiet)
{
	char **names = NULL;
	size_t i;
	int rc;

	rc = ks_report_chart_list(dir, &names);
	if (rc)
		return rc;
	for (i = 0; names[i] && !quiet; i++) {
		if (drew)
			fprintf(stderr, "kstack report: chart: %s/%s.png %s/%s.svg\n", dir, names[i],
				dir, names[i]);
		else
			fprintf(stderr, "kstack report: chart: %s/%s.gp\n", dir, names[i]);
	}
	if (!drew)
		fprintf(stderr, "kstack report: gnuplot not found: wrote data and scripts, drew no "
			"images\n");
	ks_report_chart_list_free(names);
	return 0;
}

static int print_min_pool_after(struct ks_store *store, const struct ks_report_opts *o,
				struct ks_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	f = open_memstream(&buf, &len);
	if (!f)
		return ks_error_set(err, errno, "out of memory");
	rc = ks_report_min_pool(store, o, f, err);
	fclose(f);
	if (!rc)
		printf("\nMinimum safe pool per trace, policy and failure rate:\n\n%s", buf);
	free(buf);
	return rc == -ENODATA ? 0 : rc;
}

/* The tables asked for, with a heading each when there are several (not in CSV). */
static int print_tables(struct ks_store *store, const struct ks_report_opts *o, bool min_pool,
			bool costs, struct ks_error *err)
{
	bool heads = o->format != KS_FMT_CSV;
	int rc = 0;

	if (!min_pool && !costs) {
		rc = ks_report_table(store, o, stdout, err);
		if (rc || !heads)
			return rc;
		/* the minimum safe pool follows when sweeps are stored */
		return print_min_pool_after(store, o, err);
	}
	heads &= min_pool && costs;
	if (min_pool) {
		if (heads)
			printf("Minimum safe pool per trace, policy and failure rate:\n\n");
		rc = ks_report_min_pool(store, o, stdout, err);
	}
	if (!rc && costs) {
		if (min_pool)
			printf("\n");
		if (heads)
			printf("Costs: events per second of trace and their price:\n\n");
		rc = ks_report_costs(store, o, stdout, err);
	}
	return rc;
}

/* The per-task reports asked for, with a title each in text when there are several. */
static int print_task_reports(struct ks_store *store, const struct ks_report_opts *o,
			      const struct ks_task_opts *to, const bool *want, size_t n,
			      struct ks_error *err)
{
	size_t i, done = 0;
	int rc = 0;

	for (i = 0; i < NR_TASK_REPORTS && !rc; i++) {
		if (!want[i])
			continue;
		if (n > 1)
			printf("%s%s:\n\n", done ? "\n" : "", task_reports[i].title);
		rc = ks_report_tasks(store, o, to, task_reports[i].which, stdout, err);
		done++;
	}
	return rc;
}

/* --html: the page (and the charts, listed when --charts named their folder). */
static int write_html(struct ks_store *store, const struct ks_report_opts *o, const char *charts,
		      const char *path, bool quiet)
{
	bool drew = false;
	int rc = cli_page_write("report", store, o, charts, path, &drew);

	ks_store_close(store);
	if (rc)
		return rc;
	if (charts && print_charts(charts, drew, quiet)) {
		cli_error("report", "%s: cannot list the charts", charts);
		return KS_EXIT_FAIL;
	}
	if (!charts && !drew)
		cli_note("report", "gnuplot not found: the page has no charts");
	if (!quiet && strcmp(path, "-"))
		cli_note("report", "page: %s", path);
	return KS_EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "charts", required_argument, NULL, 'c' },
		{ "policy", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "basis", required_argument, NULL, 'b' },
		{ "min-pool", no_argument, NULL, 'm' },
		{ "costs", no_argument, NULL, 'C' },
		{ "cost", required_argument, NULL, 'n' },
		{ "trace", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "depth", no_argument, NULL, OPT_TASKS + KS_TASKS_DEPTH },
		{ "asleep", no_argument, NULL, OPT_TASKS + KS_TASKS_ASLEEP },
		{ "latch", no_argument, NULL, OPT_TASKS + KS_TASKS_LATCH },
		{ "tasks", no_argument, NULL, OPT_TASKS + KS_TASKS_ATTRIBUTION },
		{ "tail", no_argument, NULL, OPT_TASKS + KS_TASKS_TAIL },
		{ "overflow", no_argument, NULL, OPT_TASKS + KS_TASKS_OVERFLOW },
		{ "census", no_argument, NULL, OPT_TASKS + KS_TASKS_CENSUS },
		{ "scope", required_argument, NULL, OPT_SCOPE },
		{ "min-life", required_argument, NULL, OPT_MIN_LIFE },
		{ "exited", no_argument, NULL, OPT_EXITED },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "html", required_argument, NULL, OPT_HTML },
		{ "designs", no_argument, NULL, OPT_DESIGNS },
		{ "fleet", no_argument, NULL, OPT_FLEET },
		{ "group", required_argument, NULL, OPT_FLEET_SET },
		{ "hosts", required_argument, NULL, OPT_FLEET_SET },
		{ "seed", required_argument, NULL, OPT_FLEET_SET },
		{ "resamples", required_argument, NULL, OPT_FLEET_SET },
		{ NULL, 0, NULL, 0 },
	};
	/*
	 * each --cost overrides one price; each --basis adds a table (long
	 * only: -b is collect's --buffer-kb, as in trace-cmd)
	 */
	struct cli_getopt g = { .verb = "report", .optstring = "d:f:c:p:amCt:qh", .opts = opts,
				.repeatable = "nb" };
	struct ks_error err = { 0 };
	struct ks_report_opts o;
	struct ks_task_opts to;
	struct ks_fleet_opts fo;
	struct ks_store *store = NULL;
	const char *db = "kstack.db", *charts = NULL, *html = NULL;
	bool drew = false, min_pool = false, costs = false, quiet = false;
	bool tasks[NR_TASK_REPORTS] = { false }, format = false;
	bool designs = false;
	size_t ntasks = 0;
	bool fleet = false;
	const char *fleet_opt = NULL;
	char *end;
	int c, rc;

	ks_report_opts_default(&o);
	ks_task_opts_default(&to);
	ks_fleet_opts_default(&fo);
	while ((c = cli_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'f':
			format = true;
			if (parse_format(optarg, &o.format)) {
				cli_error("report", "unknown format '%s' (text, markdown or csv)",
					  optarg);
				return KS_EXIT_USAGE;
			}
			break;
		case 'c':
			charts = optarg;
			break;
		case 'p':
			o.policy = optarg;
			break;
		case 'a':
			o.all_runs = true;
			break;
		case 'b': {
			enum ks_basis b;

			if (ks_basis_parse(optarg, &b, &err)) {
				cli_error("report", "%s", err.detail);
				return KS_EXIT_USAGE;
			}
			ks_report_add_basis(&o, b);
			break;
		}
		case 'm':
			min_pool = true;
			break;
		case 'C':
			costs = true;
			break;
		case 'n':
			if (ks_report_cost_override(&o, optarg, &err)) {
				cli_error("report", "%s", err.detail);
				return KS_EXIT_USAGE;
			}
			break;
		case 't':
			o.trace = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return KS_EXIT_OK;
		case OPT_SCOPE:
			if (strcmp(optarg, "system") && strcmp(optarg, "workload") &&
			    strcmp(optarg, "other")) {
				cli_error("report", "bad --scope '%s' (system, workload or other)",
					  optarg);
				return KS_EXIT_USAGE;
			}
			to.scope = optarg;
			break;
		case OPT_MIN_LIFE:
			to.min_life_s = strtod(optarg, &end);
			if (end == optarg || *end || !(to.min_life_s >= 0) || to.min_life_s > 1e9) {
				cli_error("report", "bad --min-life '%s' (seconds, 0 to 1e9)",
					  optarg);
				return KS_EXIT_USAGE;
			}
			break;
		case OPT_HTML:
			if (!*optarg) {
				cli_error("report", "--html needs a file name (- for standard output)");
				return KS_EXIT_USAGE;
			}
			html = optarg;
			break;
		case OPT_EXITED:
			to.exited = true;
			break;
		case OPT_DESIGNS:
			designs = true;
			break;
		case OPT_LIMIT:
			to.limit = strtol(optarg, &end, 10);
			if (end == optarg || *end || to.limit < 0) {
				cli_error("report", "bad --limit '%s' (rows, 0 for all)", optarg);
				return KS_EXIT_USAGE;
			}
			break;
		case OPT_FLEET:
			fleet = true;
			break;
		case OPT_FLEET_SET:
			fleet_opt = opts[g.longindex].name;
			if (ks_fleet_opts_set(&fo, fleet_opt, optarg, &err)) {
				cli_error("report", "%s", err.detail);
				return KS_EXIT_USAGE;
			}
			break;
		default:
			if (c >= OPT_TASKS && c < OPT_TASKS + (int)NR_TASK_REPORTS) {
				ntasks += !tasks[c - OPT_TASKS];
				tasks[c - OPT_TASKS] = true;
				break;
			}
			return KS_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("report", "unexpected argument '%s' (see --help)", argv[optind]);
		return KS_EXIT_USAGE;
	}

	if (html && (format || min_pool || costs || ntasks || designs)) {
		cli_error("report", "--html writes every table to one page: not with --format, "
			  "--min-pool, --costs, --designs or a per-task report");
		return KS_EXIT_USAGE;
	}
	if (o.trace && !charts && !ntasks && !designs && !html) {
		cli_error("report", "--trace chooses the trace of the timeline chart, the "
			  "per-task reports, --designs or --html: use it with one of them");
		return KS_EXIT_USAGE;
	}
	if (designs && (ntasks || min_pool || costs || fleet || o.policy || o.all_runs)) {
		cli_error("report", "--designs prints alone: not with --policy, --all, --min-pool, "
			  "--costs, --fleet or a per-task report");
		return KS_EXIT_USAGE;
	}
	if (ntasks > 1 && o.format == KS_FMT_CSV) {
		cli_error("report", "one per-task report at a time in CSV");
		return KS_EXIT_USAGE;
	}
	if (ntasks && (min_pool || costs)) {
		cli_error("report", "the per-task reports print alone: not with --min-pool or "
			  "--costs");
		return KS_EXIT_USAGE;
	}

	if (fleet_opt && !fleet) {
		cli_error("report", "--%s is an option of the fleet report: use it with --fleet",
			  fleet_opt);
		return KS_EXIT_USAGE;
	}
	if (fleet && (ntasks || min_pool || costs || o.all_runs || o.nr_bases || html)) {
		cli_error("report", "the fleet report prints alone, each policy at its defaults "
			  "on the mean basis: not with a per-task report, --designs, --min-pool, "
			  "--costs, --all, --basis or --html");
		return KS_EXIT_USAGE;
	}
	if (fleet)
		o.fleet = &fo;

	rc = ks_store_open_ro(&store, db, &err);
	if (rc)
		return fail(&err, rc);
	if (html)
		return write_html(store, &o, charts, html, quiet);
	/* charts first: a bad --trace fails before any table is printed */
	if (charts)
		rc = ks_report_charts_opts(store, &o, charts, &drew, &err);
	if (!rc && designs)
		rc = ks_report_designs(store, &o, stdout, &err);
	else if (!rc && fleet)
		rc = ks_report_fleet(store, &o, stdout, &err);
	else if (!rc && ntasks)
		rc = print_task_reports(store, &o, &to, tasks, ntasks, &err);
	else if (!rc)
		rc = print_tables(store, &o, min_pool, costs, &err);
	if (!rc && charts && print_charts(charts, drew, quiet))
		rc = ks_error_set(&err, errno, "%s: cannot list the charts", charts);
	ks_store_close(store);
	if (rc)
		return fail(&err, rc);
	if (fflush(stdout) == EOF) {
		cli_error("report", "writing output: %s", strerror(errno));
		return KS_EXIT_FAIL;
	}
	return KS_EXIT_OK;
}
