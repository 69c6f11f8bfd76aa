// SPDX-License-Identifier: MIT
/* kstack info: a trace's header, trailer, event counts and size. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmds.h"
#include "kst.h"

static void info_usage(FILE *f)
{
	fprintf(f, "usage: kstack info FILE...\n\n"
		   "Show each trace's header (machine, kernel, collector), its trailer\n"
		   "(end time, lost events) or whether the recording was interrupted,\n"
		   "the events per type, the depth source and the bytes per event.\n\n"
		   "  -h, --help   this help\n");
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

/* Print one trace's report; return 0 or an exit status. */
static int info_one(const char *path)
{
	uint64_t per_type[KS__EV_MAX + 1] = { 0 }, total = 0, blocks = 0, tf = 0, rb = 0;
	const struct kst_info *in;
	struct kst_reader *r;
	const struct ks_event *evs;
	struct ks_error err = { 0 };
	struct stat st;
	char msg[320];
	size_t n, i;
	uint32_t c;
	int ret;

	ret = kst_reader_open(&r, path, &err);
	if (ret) {
		cli_error("info", "%s: %s", path, ks_error_format(&err, msg, sizeof(msg)));
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
		cli_error("info", "%s: %s", path, ks_error_format(&err, msg, sizeof(msg)));
		kst_reader_free(r);
		return KS_EXIT_FAIL;
	}
	in = kst_reader_info(r);

	printf("%-26s %s\n", "file:", path);
	printf("%-26s %" PRIu32 "\n", "format version:", in->version);
	printf("%-26s %016" PRIx64 "\n", "id:", in->id);
	printf("%-26s %s\n", "label:", in->label);
	printf("%-26s %s\n", "host:", in->host);
	printf("%-26s %s\n", "kernel:", in->kernel);
	printf("%-26s %s\n", "arch:", in->arch);
	printf("%-26s %s\n", "collector:", in->collector);
	printf("%-26s %s\n", "options:", in->options);
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .verb = "info", .optstring = "h", .opts = opts };
	int c, i, status = KS_EXIT_OK;

	while ((c = cli_getopt(&g, argc, argv)) != -1) {
		switch (c) {
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
	for (i = optind; i < argc; i++) {
		if (i > optind)
			printf("\n");
		if (info_one(argv[i]))
			status = KS_EXIT_FAIL;
		if (cli_stdout_failed("info"))
			return KS_EXIT_FAIL;
	}
	return status;
}
