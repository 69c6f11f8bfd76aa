// SPDX-License-Identifier: MIT
/*
 * kstack synth: write a synthetic trace from a machine profile, with any
 * parameter overridden on the command line.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "synth.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kstack synth [-P NAME|PATH] [PARAMETERS] [-o FILE]\n"
		"       kstack synth --list-profiles\n\n"
		"Write a synthetic trace whose `rfc` replay ends with exactly the profile's\n"
		"stacks and grown pages (data/profiles/README.md explains how).\n\n"
		"  -P, --profile NAME   machine profile from the data folder, or a file path\n"
		"  -o, --output FILE    trace file to write (default NAME.kst after the\n"
		"                       profile, else synth.kst; -: standard output)\n"
		"      --list-profiles  list the bundled profiles and exit\n"
		"  -q, --quiet          no summary line (on stderr)\n"
		"  -h, --help           this help\n"
		"parameters (override the profile; defaults: a small 4-CPU machine):\n"
		"  --cpus N             CPUs\n"
		"  --tasks N            live stacks at the end\n"
		"  --grown N            pages above the preallocated one held at the end\n"
		"  --births N           tasks created during the trace\n"
		"  --deaths N           tasks that exit during the trace\n"
		"  --hwm-dist LIST      HWM weights, e.g. 1k=3,2k=188,4k=11391,8k=243,16k=0\n"
		"  --switch-rate R      context switches per CPU per second\n"
		"  --kfault-rate R      kernel-mode page faults per CPU per second\n"
		"  --duration S         seconds\n"
		"  --events N           about N events (scales the duration)\n"
		"  --kthreads F         share of kernel threads (0..1)\n"
		"  --grow-late F        share of the end grown pages faulted during the trace\n"
		"  --seed N             random seed\n"
		"  -l, --label TEXT     name in tables (the CPU column)\n"
		"  --page-size BYTES    page size (default 4096)\n"
		"  --thread-size BYTES  kernel stack size, THREAD_SIZE (default 16384)\n");
}

static int list_profiles(void)
{
	const char *dir = cli_datadir();
	struct ks_error err = { 0 };
	char **names = NULL, path[PATH_MAX], msg[320];
	size_t n = 0, i;
	int ret;

	ret = ks_synth_profile_list(dir, &names, &n, &err);
	if (ret) {
		cli_error("synth", "%s", ks_error_format(&err, msg, sizeof(msg)));
		return KS_EXIT_FAIL;
	}
	printf("%-24s %-28s %5s %7s %6s  %s\n", "PROFILE", "LABEL", "CPUS", "STACKS", "GROWN",
	       "SOURCE");
	for (i = 0; i < n; i++) {
		struct ks_synth_params p;

		ks_synth_params_default(&p);
		if (ks_synth_profile_path(dir, names[i], path, sizeof(path)) ||
		    ks_synth_params_from_profile(&p, path, &err)) {
			cli_error("synth", "profile %s: %s", names[i],
				  ks_error_format(&err, msg, sizeof(msg)));
			ret = -1;
			continue;
		}
		printf("%-24s %-28s %5u %7u %6u  %.40s%s\n", names[i], p.label, p.ncpus, p.tasks,
		       p.grown, p.source, strlen(p.source) > 40 ? "..." : "");
	}
	ks_synth_profile_list_free(names, n);
	return ret ? KS_EXIT_FAIL : KS_EXIT_OK;
}

enum { OPT_PARAM = 256 };

/*
 * Without -o: the profile's name with .kst ("genoa-384.kst", also for a
 * path "dir/genoa-384.profile"), in the current folder; synth.kst without
 * a profile.
 */
static const char *default_output(const char *profile, char *buf, size_t len)
{
	const char *base, *dot;

	if (!profile)
		return "synth.kst";
	base = strrchr(profile, '/');
	base = base ? base + 1 : profile;
	dot = strrchr(base, '.');
	if (dot && !strcmp(dot, ".profile"))
		snprintf(buf, len, "%.*s.kst", (int)(dot - base), base);
	else
		snprintf(buf, len, "%s.kst", base);
	return buf;
}

int cmd_synth(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'P' },
		{ "output", required_argument, NULL, 'o' },
		{ "list-profiles", no_argument, NULL, 'L' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "cpus", required_argument, NULL, OPT_PARAM },
		{ "tasks", required_argument, NULL, OPT_PARAM },
		{ "grown", required_argument, NULL, OPT_PARAM },
		{ "births", required_argument, NULL, OPT_PARAM },
		{ "deaths", required_argument, NULL, OPT_PARAM },
		{ "hwm-dist", required_argument, NULL, OPT_PARAM },
		{ "switch-rate", required_argument, NULL, OPT_PARAM },
		{ "kfault-rate", required_argument, NULL, OPT_PARAM },
		{ "duration", required_argument, NULL, OPT_PARAM },
		{ "events", required_argument, NULL, OPT_PARAM },
		{ "kthreads", required_argument, NULL, OPT_PARAM },
		{ "grow-late", required_argument, NULL, OPT_PARAM },
		{ "seed", required_argument, NULL, OPT_PARAM },
		{ "label", required_argument, NULL, 'l' },
		{ "page-size", required_argument, NULL, OPT_PARAM },
		{ "thread-size", required_argument, NULL, OPT_PARAM },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .verb = "synth", .optstring = "P:o:l:qh", .opts = opts };
	/* overrides are applied after the profile, in command-line order */
	const char *keys[64], *vals[64];
	const char *profile = NULL, *out = NULL;
	struct ks_synth_summary sum;
	struct ks_synth_params p;
	struct ks_error err = { 0 };
	char path[PATH_MAX], dflt[PATH_MAX], msg[320];
	int c, nover = 0, quiet = 0, ret;
	size_t i;

	while ((c = cli_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case 'P':
			profile = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'L':
			return list_profiles();
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return KS_EXIT_OK;
		case 'l':
		case OPT_PARAM:
			if (nover == (int)(sizeof(keys) / sizeof(keys[0]))) {
				cli_error("synth", "too many parameters");
				return KS_EXIT_USAGE;
			}
			keys[nover] = c == 'l' ? "label" : opts[g.longindex].name;
			vals[nover++] = optarg;
			break;
		default:
			return KS_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("synth", "unexpected argument '%s'", argv[optind]);
		return KS_EXIT_USAGE;
	}
	if (out && !strcmp(out, "-") && isatty(STDOUT_FILENO)) {
		cli_error("synth", "standard output is a terminal: a trace is binary (-o FILE, or "
			  "pipe -o - into a command)");
		return KS_EXIT_USAGE;
	}

	ks_synth_params_default(&p);
	if (profile) {
		ret = ks_synth_profile_path(cli_datadir(), profile, path, sizeof(path));
		if (ret) {
			cli_error("synth", "no profile '%s' (kstack synth --list-profiles)", profile);
			return KS_EXIT_USAGE;
		}
		if (ks_synth_params_from_profile(&p, path, &err)) {
			cli_error("synth", "%s", ks_error_format(&err, msg, sizeof(msg)));
			return KS_EXIT_FAIL;
		}
	}
	for (i = 0; i < (size_t)nover; i++) {
		if (ks_synth_params_set(&p, keys[i], vals[i], &err)) {
			cli_error("synth", "--%s: %s", keys[i], err.detail);
			return KS_EXIT_USAGE;
		}
	}
	if (!out)
		out = default_output(profile, dflt, sizeof(dflt));
	if (!strcmp(out, "-"))
		ret = ks_synth_write_fd(&p, STDOUT_FILENO, "standard output", &sum, &err);
	else
		ret = ks_synth_write(&p, out, &sum, &err);
	if (ret) {
		cli_fail("synth", NULL, &err);
		return KS_EXIT_FAIL;
	}
	if (!quiet)
		fprintf(stderr, "kstack synth: %s: %" PRIu64 " events, %u CPUs, %.3f s, %u stacks at "
			"start, %u at end (+%u grown pages), %u births, %u deaths, seed %" PRIu64
			"\n", strcmp(out, "-") ? out : "standard output", sum.events, p.ncpus,
			(double)sum.end_ns / 1e9, sum.start_tasks, sum.end_tasks, sum.end_grown,
			sum.births, sum.deaths, p.seed);
	return KS_EXIT_OK;
}
