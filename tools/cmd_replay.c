// SPDX-License-Identifier: MIT
/*
 * kstack replay TRACE... [--policy SPEC]... [--sweep KEY=VALUES]... [--replicates N]
 *                        [--designs] [-d DB]
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "ks_progress.h"
#include "replay.h"

#define MAX_LIST 256
/* long options without a letter */
#define OPT_DESIGNS 1000

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kstack replay TRACE... [options]\n"
		"Replay traces under policies and configurations; store every run, and\n"
		"once per trace its per-task rows (kstack report --depth, --tasks, ...).  A\n"
		"TRACE of - is read from standard input.  The digest of the results goes to\n"
		"standard output; a line per trace, and on a terminal a progress line, to\n"
		"standard error.\n\n"
		"  -p, --policy SPEC     policy[:key=value,...] (repeatable; default: static and rfc,\n"
		"                        none with --designs)\n"
		"  -s, --sweep K=VALUES  sweep a parameter: K=a..b, K=a..b:step or K=v1,v2,...\n"
		"                        (repeatable; the grid is every combination)\n"
		"  -r, --replicates N    replay every configuration that injects failures\n"
		"                        (fail_rate > 0 or fail_windows) under N seeds, derived\n"
		"                        from its seed=, in the same pass (default 1)\n"
		"      --designs         also replay every design of kstack report --designs at\n"
		"                        its defaults (both ends of a range), but those a trace's\n"
		"                        machine refuses, which are named; --sweep applies to\n"
		"                        the --policy specs alone\n"
		"  -d, --db FILE         results database (default kstack.db), created once every\n"
		"                        trace's header and spec is accepted\n"
		"  -j, --jobs N          worker threads (default: one per CPU)\n"
		"      --no-store        replay without storing (with --verify)\n"
		"      --verify DIGEST   fail unless the results' digest (16 hex digits) is DIGEST\n"
		"      --list-policies   list policies, their parameters, defaults and ranges\n"
		"  -q, --quiet           no progress, summary or digest lines\n"
		"  -h, --help            this text\n\n"
		"example: kstack replay w.kst --policy rfc --sweep pool=1..8 -d kstack.db\n"
		"         kstack replay w.kst --designs -d kstack.db && kstack report --designs\n");
}

/* Every key with its default, what it does and the values it takes. */
static void print_params(const struct ks_param *p)
{
	for (; p && p->key; p++)
		printf("    %-16s default %-10s %s [%s]\n", p->key, p->def, p->doc, p->expect);
}

static int list_policies(void)
{
	const struct ks_param *params;
	const char *name, *desc;
	size_t i;

	printf("policies:\n");
	for (i = 0; i < ks_policy_count(); i++) {
		ks_policy_describe(i, &name, &desc, &params);
		printf("\n  %s — %s\n", name, desc);
		print_params(params);
	}
	printf("\nparameters every policy takes:\n");
	print_params(ks_engine_common_params());
	return KS_EXIT_OK;
}

/* --verify's DIGEST: the 16 hex digits replay prints after "digest" */
static int parse_digest(const char *s, uint64_t *out)
{
	size_t i;

	if (strlen(s) != 16)
		return -1;
	for (i = 0; i < 16; i++)
		if (!isxdigit((unsigned char)s[i]))
			return -1;
	*out = strtoull(s, NULL, 16);
	return 0;
}

/*
 * Open every trace: a trace or a spec it rejects fails before any database
 * exists.  Return: an exit status.
 */
static int open_inputs(struct ks_replay_input **in, char **paths, int n,
		       const struct ks_speclist *specs)
{
	struct ks_error err = { 0 };
	const char *path;
	char msg[512];
	int i, nstdin = 0;

	for (i = 0; i < n; i++)
		nstdin += !strcmp(paths[i], "-");
	if (nstdin > 1) {
		cli_error("replay", "standard input (-) can be read once only");
		return KS_EXIT_USAGE;
	}
	for (i = 0; i < n; i++) {
		path = cli_input("replay", paths[i]);
		if (!path)
			return KS_EXIT_USAGE;
		if (ks_replay_input_open(&in[i], path, specs, &err)) {
			cli_error("replay", "%s: %s", paths[i], ks_error_format(&err, msg, sizeof(msg)));
			/* a parameter out of the trace's range is as bad a value as any */
			return err.code == KS_E_POLICY || err.code == KS_E_PARAM ? KS_EXIT_USAGE :
			       KS_EXIT_FAIL;
		}
	}
	return KS_EXIT_OK;
}

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "sweep", required_argument, NULL, 's' },
		{ "replicates", required_argument, NULL, 'r' },
		{ "db", required_argument, NULL, 'd' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "no-store", no_argument, NULL, 'N' },
		{ "verify", required_argument, NULL, 'V' },
		{ "list-policies", no_argument, NULL, 'L' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "designs", no_argument, NULL, OPT_DESIGNS },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .verb = "replay", .optstring = "p:s:r:d:j:qh", .opts = opts,
				.repeatable = "ps" };
	const char *policies[MAX_LIST], *sweeps[MAX_LIST];
	const char *db = "kstack.db", *verify = NULL;
	struct ks_replay_input **in = NULL;
	size_t npol = 0, nsw = 0;
	struct ks_replay_opts ro;
	struct ks_speclist specs, grid = { 0 }, *tspecs = NULL;
	struct ks_store *store = NULL;
	struct ks_error err = { 0 };
	uint64_t digest = 0, want = 0;
	char msg[512], *end;
	int quiet = 0, nostore = 0, designs = 0, ntraces, c, i, rc, status = KS_EXIT_OK;
	long jobs = 0, replicates = 1;

	ks_replay_opts_default(&ro);
	while ((c = cli_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case 'p':
		case 's':
			if ((c == 'p' ? npol : nsw) >= MAX_LIST) {
				cli_error("replay", "too many --%s options", c == 'p' ? "policy" : "sweep");
				return KS_EXIT_USAGE;
			}
			if (c == 'p')
				policies[npol++] = optarg;
			else
				sweeps[nsw++] = optarg;
			break;
		case 'd':
			/* SQLite would open a temporary database and keep nothing */
			if (!*optarg || !strcmp(optarg, ":memory:")) {
				cli_error("replay", "--db needs a file name, not '%s'", optarg);
				return KS_EXIT_USAGE;
			}
			db = optarg;
			break;
		case 'r':
			errno = 0;
			replicates = strtol(optarg, &end, 10);
			if (errno || *end || replicates < 1 || replicates > KS_MAX_REPLICATES) {
				cli_error("replay", "bad --replicates '%s' (expected 1..%d)",
					  optarg, KS_MAX_REPLICATES);
				return KS_EXIT_USAGE;
			}
			break;
		case 'j':
			errno = 0;
			jobs = strtol(optarg, &end, 10);
			if (errno || *end || jobs < 1 || jobs > 1024) {
				cli_error("replay", "bad --jobs '%s' (expected 1..1024)", optarg);
				return KS_EXIT_USAGE;
			}
			break;
		case 'N':
			nostore = 1;
			break;
		case 'V':
			if (parse_digest(optarg, &want)) {
				cli_error("replay", "bad --verify '%s' (expected the 16 hex digits "
					  "printed after 'digest')", optarg);
				return KS_EXIT_USAGE;
			}
			verify = optarg;
			break;
		case 'L':
			return list_policies();
		case 'q':
			quiet = 1;
			break;
		case OPT_DESIGNS:
			designs = 1;
			break;
		case 'h':
			usage(stdout);
			return KS_EXIT_OK;
		default:
			return KS_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error("replay", "no trace given (kstack replay --help)");
		return KS_EXIT_USAGE;
	}
	if (designs && npol == 0 && nsw) {
		cli_error("replay", "--sweep applies to the --policy specs, and --designs gives "
			  "none: add a --policy to sweep");
		return KS_EXIT_USAGE;
	}
	/* --designs: each trace's list is the --policy grid and the designs, replicated once */
	rc = designs && npol ? ks_speclist_expand(&grid, policies, npol, sweeps, nsw, &err) : 0;
	/* with --designs alone, the traces are checked under static, itself a design */
	if (npol == 0) {
		policies[npol++] = "static";
		if (!designs)
			policies[npol++] = "rfc";
	}
	if (!rc)
		rc = ks_speclist_expand(&specs, policies, npol, sweeps, nsw, &err);
	if (!rc)
		rc = ks_speclist_replicate(&specs, (uint32_t)replicates, &err);
	if (rc) {
		cli_error("replay", "%s", ks_error_format(&err, msg, sizeof(msg)));
		ks_speclist_release(&grid);
		/* a spec or sweep that cannot be parsed is a bad command line */
		return err.code == KS_E_USAGE || err.code == KS_E_POLICY || err.code == KS_E_PARAM ?
		       KS_EXIT_USAGE : KS_EXIT_FAIL;
	}
	ntraces = argc - optind;
	in = calloc((size_t)ntraces, sizeof(*in));
	tspecs = calloc((size_t)ntraces, sizeof(*tspecs));
	if (!in || !tspecs) {
		cli_error("replay", "out of memory");
		status = KS_EXIT_FAIL;
		goto out;
	}
	status = open_inputs(in, argv + optind, ntraces, &specs);
	for (i = 0; designs && status == KS_EXIT_OK && i < ntraces; i++) {
		rc = cli_designs_specs("replay", argv[optind + i], in[i], &grid,
				       (uint32_t)replicates, quiet, &tspecs[i], &err);
		if (rc) {
			cli_fail("replay", argv[optind + i], &err);
			status = KS_EXIT_FAIL;
		}
	}
	if (status == KS_EXIT_OK && !nostore) {
		rc = ks_store_open(&store, db, &err);
		if (rc) {
			cli_error("replay", "%s", ks_error_format(&err, msg, sizeof(msg)));
			status = KS_EXIT_FAIL;
		}
	}
	if (status != KS_EXIT_OK)
		goto out;
	ro.threads = (unsigned int)jobs;
	ks_progress_enable(!quiet);
	ro.progress = ks_progress_on();

	for (i = 0; i < ntraces; i++) {
		const char *path = argv[optind + i];
		const struct ks_speclist *run = designs ? &tspecs[i] : &specs;
		struct ks_replay_summary sum;

		rc = ks_replay_input_run(in[i], run, store, &ro, &sum, NULL, &err);
		if (rc) {
			cli_fail("replay", path, &err);
			status = KS_EXIT_FAIL;
			if (rc == -EINTR)
				break;
			continue;
		}
		digest = ks_result_digest_combine(digest, sum.digest);
		if (!quiet) {
			fprintf(stderr, "kstack replay: %s: %zu configuration%s, %" PRIu64 " events, %"
				PRIu64 " lost%s, %.2f s", path, run->n, run->n == 1 ? "" : "s",
				sum.events, sum.lost,
				sum.truncated ? ", TRUNCATED (recording was interrupted)" : "",
				sum.wall_ns / 1e9);
			if (store)
				fprintf(stderr, ", %zu runs stored in %s", sum.runs_stored, db);
			fprintf(stderr, "\n");
		}
	}
	if (status == KS_EXIT_OK && !quiet)
		printf("digest %016" PRIx64 "\n", digest);
	if (status == KS_EXIT_OK && verify && want != digest) {
		cli_error("replay", "digest %016" PRIx64 " does not match --verify %s", digest, verify);
		status = KS_EXIT_FAIL;
	}
out:
	for (i = 0; in && i < ntraces; i++)
		ks_replay_input_free(in[i]);
	for (i = 0; tspecs && i < ntraces; i++)
		ks_speclist_release(&tspecs[i]);
	free(in);
	free(tspecs);
	ks_store_close(store);
	ks_speclist_release(&specs);
	ks_speclist_release(&grid);
	return status;
}
