// SPDX-License-Identifier: MIT
/* kstack info: a trace's header, trailer, event counts and size. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
#include "kst.h"

static void info_usage(FILE *f)
{
	fprintf(f, "usage: kstack info [-o FILE] TRACE...\n\n"
		   "Show each trace's header (machine, kernel, collector, the command line\n"
		   "that recorded it, quoted so it can be run again), its trailer (end time,\n"
		   "lost events) or whether the recording was interrupted, the events per\n"
		   "type, the depth source and the bytes per event.  A TRACE of - is read\n"
		   "from standard input.\n\n"
		   "  -o, --output FILE   write to FILE (default, or -: standard output)\n"
		   "  -h, --help          this help\n");
}

static const char *depth_source_name(uint32_t s)
{
	switch (s) {
	case KST_DEPTH_NONE: return "none (lifecycle only; depth-dependent policies refuse it)";
	case KST_DEPTH_EXACT: return "exact (BPF high-water-mark scan)";
	case KST_DEPTH_LOWER: return "lower bound (perf stack-pointer samples)";
	case KST_DEPTH_SYNTH: return "synthetic (exact by construction)";
	default: return "unknown";
	}
}

static void print_kb(const char *name, int64_t kb)
{
	if (kb < 0)
		printf("%-26s unknown\n", name);
	else
		printf("%-26s %" PRId64 " KiB\n", name, kb);
}

/*
 * The recording's command line: kstack collect stores it quoted; an older
 * one stored the words joined by spaces, rebuilt here where that is exact.
 * Other writers (synth) store their parameters.
 */
static void print_command(const struct kst_info *in)
{
	char line[sizeof(in->options) * 2];
	bool exact;

	if (!strncmp(in->options, "kstack collect", 14) &&
	    (!in->options[14] || in->options[14] == ' ')) {
		printf("%-26s %s\n", "command:", in->options);
	} else if (!strncmp(in->collector, "kstack-collect", 14)) {
		exact = cli_shell_rebuild(in->options, sizeof(in->options), line, sizeof(line));
		printf("%-26s kstack collect%s%s%s%s\n", "command:", line[0] ? " " : "", line,
		       exact ? "" : "   (stored unquoted by an older kstack",
		       exact ? "" : strlen(in->options) + 1 < sizeof(in->options) ?
		       ": the words' boundaries are lost)" : ", and cut to fit the header)");
	} else {
		printf("%-26s %s\n", "options:", in->options);
	}
}

/* Print one trace's report; return 0 or an exit status. */
static int info_one(const char *arg)
{
	uint64_t per_type[KS__EV_MAX + 1] = { 0 }, total = 0, blocks = 0, tf = 0, rb = 0;
	const struct kst_info *in;
	struct kst_reader *r;
	const struct ks_event *evs;
	struct ks_error err = { 0 };
	struct stat st;
	char msg[320];
	size_t n, i;
	const char *path;
	uint32_t c;
	int ret;

	path = cli_input("info", arg);
	if (!path)
		return KS_EXIT_USAGE;
	ret = kst_reader_open(&r, path, &err);
	if (ret) {
		cli_error("info", "%s: %s", arg, ks_error_format(&err, msg, sizeof(msg)));
		return KS_EXIT_FAIL;
	}
	/* count first, so a corrupt trace prints nothing but its error */
	while ((ret = kst_reader_next_block(r, &evs, &n, &err)) > 0) {
		blocks++;
		total += n;
		for (i = 0; i < n; i++)
			per_type[evs[i].type < KS__EV_MAX ? evs[i].type : KS__EV_MAX]++;
	}
	if (ret < 0) {
		cli_error("info", "%s: %s", arg, ks_error_format(&err, msg, sizeof(msg)));
		kst_reader_free(r);
		return KS_EXIT_FAIL;
	}
	in = kst_reader_info(r);

	printf("%-26s %s\n", "file:", strcmp(arg, "-") ? arg : "- (standard input)");
	printf("%-26s %" PRIu32 "\n", "format version:", in->version);
	printf("%-26s %016" PRIx64 "\n", "id:", in->id);
	printf("%-26s %s\n", "label:", in->label);
	printf("%-26s %s\n", "host:", in->host);
	printf("%-26s %s\n", "kernel:", in->kernel);
	printf("%-26s %s\n", "arch:", in->arch);
	printf("%-26s %s\n", "collector:", in->collector);
	print_command(in);
	if (in->workload_pid)
		printf("%-26s %" PRIu32 " (the recorded command)\n", "workload pid:",
		       in->workload_pid);
	else
		printf("%-26s none (every task is the system's)\n", "workload pid:");
	printf("%-26s %s\n", "clock:", in->clock);
	printf("%-26s %" PRIu64 "\n", "page size:", in->page_size);
	printf("%-26s %" PRIu64 "\n", "thread size:", in->thread_size);
	printf("%-26s %" PRIu32 "\n", "cpus:", in->ncpus);
	if (in->ram_kb)
		printf("%-26s %" PRIu64 " KiB\n", "ram:", in->ram_kb);
	else
		printf("%-26s unknown\n", "ram:");
	printf("%-26s %s\n", "depth source:", depth_source_name(in->depth_source));
	printf("%-26s %" PRIu64 "\n", "seed:", in->seed);
	printf("%-26s %" PRIu64 " ns\n", "start:", in->start_ns);
	print_kb("nr_kernel_stack at start:", in->nr_kernel_stack_start_kb);
	if (in->truncated) {
		printf("%-26s recording was interrupted, %" PRIu64 " whole block%s readable\n",
		       "truncated:", blocks, blocks == 1 ? "" : "s");
	} else {
		printf("%-26s %" PRIu64 " ns", "end:", in->end_ns);
		if (in->end_ns >= in->start_ns)
			printf(" (%.3f s)", (in->end_ns - in->start_ns) / 1e9);
		printf("\n");
		print_kb("nr_kernel_stack at end:", in->nr_kernel_stack_end_kb);
	}
	for (c = 0; c < in->ncpus; c++) {
		tf += in->lost_tracefs[c];
		rb += in->lost_ringbuf[c];
	}
	printf("%-26s %" PRIu64 " (tracefs %" PRIu64 ", ring buffer %" PRIu64 ")%s\n",
	       "lost events:", kst_info_lost_total(in), tf, rb,
	       in->truncated ? " from LOST records" : "");
	printf("%-26s %" PRIu64 " in %" PRIu64 " blocks\n", "events:", total, blocks);
	for (i = 1; i < KS__EV_MAX; i++)
		printf("  %-24s %" PRIu64 "\n", kst_event_type_name(i), per_type[i]);
	if (!stat(path, &st) && S_ISREG(st.st_mode) && total)
		printf("%-26s %.2f\n", "bytes per event:", (double)st.st_size / total);
	kst_reader_free(r);
	return 0;
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .verb = "info", .optstring = "o:h", .opts = opts };
	int c, i, rc, nstdin = 0, status = KS_EXIT_OK;
	const char *out = NULL;

	while ((c = cli_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			info_usage(stdout);
			return KS_EXIT_OK;
		default:
			return KS_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error("info", "no trace file given (kstack info --help)");
		return KS_EXIT_USAGE;
	}
	for (i = optind; i < argc; i++)
		nstdin += !strcmp(argv[i], "-");
	if (nstdin > 1) {
		cli_error("info", "standard input (-) can be read once only");
		return KS_EXIT_USAGE;
	}
	if (cli_output("info", out))
		return KS_EXIT_FAIL;
	for (i = optind; i < argc; i++) {
		if (i > optind)
			printf("\n");
		rc = info_one(argv[i]);
		if (rc > status)
			status = rc;
		if (cli_stdout_failed("info")) {
			status = KS_EXIT_FAIL;
			break;
		}
	}
	/* a file named by -o holds whole reports only */
	if (status != KS_EXIT_OK && out && strcmp(out, "-"))
		unlink(out);
	return status;
}
