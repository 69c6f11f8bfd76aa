// SPDX-License-Identifier: MIT
/*
 * kstack report -d DB [--format text|markdown|csv] [--charts DIR]
 *                     [--policy P] [--all]
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "replay/replay.h"
#include "report/report.h"

static void usage(FILE *f)
{
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
		"  -h, --help            this text\n\n"
		"Regular = #Stacks x THREAD_SIZE; Dynamic = the kernel's nr_kernel_stack;\n"
		"Pool = per-CPU and global pool pages plus fixed reserves, which the RFC's\n"
		"figures leave out; Savings+pool counts them.\n");
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
	return KS_EXIT_FAIL;
}

static void print_charts(const char *dir, bool drew)
{
	char path[4096];
	FILE *f;
	size_t i;

	for (i = 0; ks_report_chart_names[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s.gp", dir, ks_report_chart_names[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		fclose(f);
		if (drew)
			printf("chart: %s/%s.png %s/%s.svg\n", dir, ks_report_chart_names[i], dir,
			       ks_report_chart_names[i]);
		else
			printf("chart: %s\n", path);
	}
	if (!drew)
		printf("gnuplot not found: wrote data and scripts, drew no images\n");
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "charts", required_argument, NULL, 'c' },
		{ "policy", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ks_error err = { 0 };
	struct ks_report_opts o;
	struct ks_store *store = NULL;
	const char *db = "kstack.db", *charts = NULL;
	bool drew = false;
	int c, rc;

	ks_report_opts_default(&o);
	o.defaults = ks_policy_defaults;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "d:f:c:p:ah", opts, NULL)) != -1) {
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
		case 'h':
			usage(stdout);
			return KS_EXIT_OK;
		default:
			if (optopt)
				cli_error("report", "bad or incomplete option '-%c' (see --help)",
					  optopt);
			else
				cli_error("report", "unknown option '%s' (see --help)",
					  argv[optind - 1]);
			return KS_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("report", "unexpected argument '%s' (see --help)", argv[optind]);
		return KS_EXIT_USAGE;
	}

	rc = ks_store_open_ro(&store, db, &err);
	if (rc)
		return fail(&err, rc);
	rc = ks_report_table(store, &o, stdout, &err);
	if (!rc && charts) {
		rc = ks_report_charts_opts(store, &o, charts, &drew, &err);
		if (!rc)
			print_charts(charts, drew);
	}
	ks_store_close(store);
	if (rc)
		return fail(&err, rc);
	if (fflush(stdout) == EOF) {
		cli_error("report", "writing output: %s", strerror(errno));
		return KS_EXIT_FAIL;
	}
	return KS_EXIT_OK;
}
