// SPDX-License-Identifier: MIT
/*
 * kstack report -d DB [--format text|markdown|csv] [--charts DIR [--trace T]]
 *                     [--policy P] [--all] [--min-pool] [--costs [--cost NAME=NS]...]
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "report.h"

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
		"  -m, --min-pool        only the minimum safe pool table (printed after the\n"
		"                        results table by default when pool sweeps are stored)\n"
		"  -C, --costs           only the costs table: events per second of trace and\n"
		"                        their cost in ns per event\n"
		"      --cost NAME=NS    ns one event of NAME costs (repeatable); the defaults\n"
		"                        are placeholders, not measurements\n"
		"  -t, --trace T         the trace (label or id) of the timeline chart; default\n"
		"                        the first real trace, else the first\n"
		"  -q, --quiet           no list of the charts written (on stderr)\n"
		"  -h, --help            this text\n\n"
		"Regular = #Stacks x THREAD_SIZE; Dynamic = the kernel's nr_kernel_stack;\n"
		"Pool = per-CPU and global pool pages plus fixed reserves, which the RFC's\n"
		"figures leave out; Savings+pool counts them.\n\n"
		"Cost names and their placeholder ns per event:\n");
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

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "charts", required_argument, NULL, 'c' },
		{ "policy", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "min-pool", no_argument, NULL, 'm' },
		{ "costs", no_argument, NULL, 'C' },
		{ "cost", required_argument, NULL, 'n' },
		{ "trace", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* each --cost overrides one price */
	struct cli_getopt g = { .verb = "report", .optstring = "d:f:c:p:amCt:qh", .opts = opts,
				.repeatable = "n" };
	struct ks_error err = { 0 };
	struct ks_report_opts o;
	struct ks_store *store = NULL;
	const char *db = "kstack.db", *charts = NULL;
	bool drew = false, min_pool = false, costs = false, quiet = false;
	int c, rc;

	ks_report_opts_default(&o);
	while ((c = cli_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'f':
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
		default:
			return KS_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("report", "unexpected argument '%s' (see --help)", argv[optind]);
		return KS_EXIT_USAGE;
	}

	if (o.trace && !charts) {
		cli_error("report", "--trace chooses the timeline chart's trace: use it with --charts");
		return KS_EXIT_USAGE;
	}

	rc = ks_store_open_ro(&store, db, &err);
	if (rc)
		return fail(&err, rc);
	/* charts first: a bad --trace fails before any table is printed */
	if (charts)
		rc = ks_report_charts_opts(store, &o, charts, &drew, &err);
	if (!rc)
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
