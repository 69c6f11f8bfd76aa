// SPDX-License-Identifier: MIT
/*
 * kstack merge -o FLEET.db SHARD.db... [--allow-mixed]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "ks_progress.h"
#include "store_merge.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kstack merge -o FLEET.db SHARD.db... [options]\n"
		"Merge result databases (shards, one per replay job) into one.\n\n"
		"  -o, --output FILE     the merged database; if it exists, the shards are\n"
		"                        added to it (required; not -)\n"
		"      --allow-mixed     merge runs of different engine versions\n"
		"  -q, --quiet           no progress or summary line (on stderr)\n"
		"  -h, --help            this text\n\n"
		"A trace is stored once (by its id), a run once (by its trace, policy,\n"
		"parameters, engine version and seed; the first one merged stays), with\n"
		"everything stored with it.  Every shard is checked first: a database of\n"
		"another schema version, a corrupt one or, without --allow-mixed, runs of\n"
		"another engine version leave the output as it was.  The merge is written\n"
		"beside the output and renamed over it at the end, so an interrupted merge\n"
		"leaves no partial database; merging the same shard again changes nothing.\n"
		"It prints nothing on standard output; the summary, and on a terminal a\n"
		"progress line, go to standard error.\n\n"
		"example: kstack merge -o fleet.db shards/*.db\n");
}

static void progress_line(const char *stage, size_t done, size_t total, void *arg)
{
	ks_progress_count("merge", stage, done, total, "shards");
}

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "allow-mixed", no_argument, NULL, 'M' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .verb = "merge", .optstring = "o:qh", .opts = opts };
	struct ks_merge_opts mo = { 0 };
	struct ks_merge_summary sum;
	struct ks_error err = { 0 };
	const char *out = NULL;
	int quiet = 0, c, rc;

	while ((c = cli_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case 'o':
			if (!strcmp(optarg, "-")) {
				cli_error("merge", "-o -: a database goes to a file, not to "
					  "standard output (give a file name)");
				return KS_EXIT_USAGE;
			}
			/* SQLite would open a temporary database and keep nothing */
			if (!*optarg || !strcmp(optarg, ":memory:")) {
				cli_error("merge", "--output needs a file name, not '%s'", optarg);
				return KS_EXIT_USAGE;
			}
			out = optarg;
			break;
		case 'M':
			mo.allow_mixed = true;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return KS_EXIT_OK;
		default:
			return KS_EXIT_USAGE;
		}
	}
	if (!out) {
		cli_error("merge", "no --output given (kstack merge --help)");
		return KS_EXIT_USAGE;
	}
	if (optind >= argc) {
		cli_error("merge", "no shard given (kstack merge --help)");
		return KS_EXIT_USAGE;
	}
	ks_progress_enable(!quiet);
	if (ks_progress_on())
		mo.progress = progress_line;
	rc = ks_store_merge(out, (const char *const *)argv + optind, (size_t)(argc - optind), &mo,
			    &sum, &err);
	/* the line goes before the summary or an error line */
	ks_progress_clear();
	if (rc) {
		/* the detail names the file and the problem */
		if (err.detail[0])
			cli_error("merge", "%s", err.detail);
		else
			cli_fail("merge", NULL, &err);
		return err.code == KS_E_USAGE ? KS_EXIT_USAGE : KS_EXIT_FAIL;
	}
	if (!quiet)
		fprintf(stderr, "kstack merge: %s: %" PRIu64 " traces (%" PRIu64 " new), %" PRIu64
			" runs (%" PRIu64 " new) from %d shard%s%s\n", out, sum.traces,
			sum.traces_added, sum.runs, sum.runs_added, argc - optind,
			argc - optind == 1 ? "" : "s",
			sum.written ? "" : "; nothing new, left as it was");
	return KS_EXIT_OK;
}
