// SPDX-License-Identifier: MIT
/* kstack dump: one line per event, as text or CSV. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "kst.h"

static void dump_usage(FILE *f)
{
	fprintf(f, "usage: kstack dump [--csv] [--limit N] [-o FILE] TRACE\n\n"
		   "Print a trace's events, one per line, in time order.  A TRACE of - is\n"
		   "read from standard input.\n\n"
		   "      --csv           CSV with a header row: time,cpu,type,tid,tid2,tgid,\n"
		   "                      hwm,depth,arg,flags,state,comm (comm is always quoted)\n"
		   "      --limit N       stop after N events\n"
		   "  -o, --output FILE   write to FILE (default, or -: standard output); it is\n"
		   "                      removed if the trace turns out corrupt\n"
		   "  -h, --help          this help\n\n"
		   "comm escapes: a backslash is always written \\x5c, so every \\xNN stands\n"
		   "for one byte. Text also escapes the space and every byte that is not\n"
		   "printable ASCII; CSV only the control bytes (0x00-0x1f, 0x7f) and keeps\n"
		   "other bytes (UTF-8 names) as they are.\n");
}

/* Text: printable ASCII as is, anything else (and backslash) as \xNN. */
static void put_comm_text(FILE *f, const char *comm)
{
	size_t i;

	for (i = 0; i < KS_COMM_LEN && comm[i]; i++) {
		unsigned char ch = comm[i];

		if (ch < 0x20 || ch >= 0x7f || ch == '\\' || ch == ' ')
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
}

/*
 * CSV (RFC 4180): always quoted, quotes doubled; control characters and the
 * backslash as \xNN, so an escape in the output always stands for one byte.
 */
static void put_comm_csv(FILE *f, const char *comm)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < KS_COMM_LEN && comm[i]; i++) {
		unsigned char ch = comm[i];

		if (ch == '"')
			fputs("\"\"", f);
		else if (ch < 0x20 || ch == 0x7f || ch == '\\')
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static const char *state_name(unsigned int s)
{
	return s == KS_STATE_RUNNING ? "R" : s == KS_STATE_SLEEPING ? "S" :
	       s == KS_STATE_DEAD ? "X" : "?";
}

static void dump_text(FILE *f, const struct ks_event *e)
{
	fprintf(f, "%" PRIu64 " [%03" PRIu32 "] %-8s", e->time, e->cpu,
		kst_event_type_name(e->type));
	switch (e->type) {
	case KS_EV_SNAPSHOT:
		fprintf(f, " tid=%" PRIu32 " tgid=%" PRIu32 " hwm=%" PRIu32 " depth=%" PRIu32,
			e->tid, e->tgid, e->hwm, e->depth);
		break;
	case KS_EV_NEW:
		fprintf(f, " tid=%" PRIu32 " parent=%" PRIu32 " tgid=%" PRIu32,
			e->tid, e->tid2, e->tgid);
		break;
	case KS_EV_EXIT:
		fprintf(f, " tid=%" PRIu32 " tgid=%" PRIu32 " hwm=%" PRIu32, e->tid, e->tgid, e->hwm);
		break;
	case KS_EV_FREE:
	case KS_EV_EXEC:
		fprintf(f, " tid=%" PRIu32, e->tid);
		break;
	case KS_EV_SWITCH:
		fprintf(f, " prev=%" PRIu32 " next=%" PRIu32 " state=%s hwm=%" PRIu32
			" depth=%" PRIu32, e->tid, e->tid2, state_name(e->state), e->hwm, e->depth);
		break;
	case KS_EV_KFAULT:
		fprintf(f, " tid=%" PRIu32 " depth=%" PRIu32, e->tid, e->depth);
		break;
	case KS_EV_KENTRY:
	case KS_EV_KEXIT:
		fprintf(f, " tid=%" PRIu32 " kind=%" PRIu32 " id=%" PRIu32,
			e->tid, e->arg & 0xff, e->arg >> 8);
		break;
	case KS_EV_LOST:
		fprintf(f, " count=%" PRIu32 " source=%s", e->arg,
			e->flags & KS_F_LOST_RB ? "ringbuf" : "tracefs");
		break;
	}
	if (e->flags)
		fprintf(f, " flags=0x%x", e->flags);
	if (e->type == KS_EV_SNAPSHOT || e->type == KS_EV_NEW || e->type == KS_EV_EXEC) {
		fputs(" comm=", f);
		put_comm_text(f, e->comm);
	}
	fputc('\n', f);
}

static void dump_csv(FILE *f, const struct ks_event *e)
{
	fprintf(f, "%" PRIu64 ",%" PRIu32 ",%s,%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32
		",%" PRIu32 ",%" PRIu32 ",%u,%u,", e->time, e->cpu, kst_event_type_name(e->type),
		e->tid, e->tid2, e->tgid, e->hwm, e->depth, e->arg, e->flags, e->state);
	put_comm_csv(f, e->comm);
	fputc('\n', f);
}

static int parse_limit(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "csv", no_argument, NULL, 'c' },
		{ "limit", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .verb = "dump", .optstring = "o:h", .opts = opts };
	uint64_t limit = UINT64_MAX, shown = 0;
	const struct ks_event *evs;
	struct ks_error err = { 0 };
	const char *path, *arg, *out = NULL;
	struct kst_reader *r;
	char msg[320];
	int c, csv = 0, ret, status = KS_EXIT_FAIL;
	size_t n, i;

	while ((c = cli_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case 'c':
			csv = 1;
			break;
		case 'l':
			if (parse_limit(optarg, &limit)) {
				cli_error("dump", "--limit wants a number of events, not '%s'", optarg);
				return KS_EXIT_USAGE;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			dump_usage(stdout);
			return KS_EXIT_OK;
		default:
			return KS_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_error("dump", optind >= argc ? "no trace file given (kstack dump --help)" :
			  "one trace file at a time (kstack dump --help)");
		return KS_EXIT_USAGE;
	}
	arg = argv[optind];
	path = cli_input("dump", arg);
	if (!path)
		return KS_EXIT_USAGE;
	ret = kst_reader_open(&r, path, &err);
	if (ret) {
		cli_error("dump", "%s: %s", arg, ks_error_format(&err, msg, sizeof(msg)));
		return KS_EXIT_FAIL;
	}
	if (cli_output("dump", out)) {
		kst_reader_free(r);
		return KS_EXIT_FAIL;
	}
	if (csv)
		printf("time,cpu,type,tid,tid2,tgid,hwm,depth,arg,flags,state,comm\n");
	/* stop at the first lost write: the rest would be lost too */
	while (shown < limit && !ferror(stdout) &&
	       (ret = kst_reader_next_block(r, &evs, &n, &err)) > 0) {
		for (i = 0; i < n && shown < limit; i++, shown++) {
			if (csv)
				dump_csv(stdout, &evs[i]);
			else
				dump_text(stdout, &evs[i]);
		}
	}
	if (cli_stdout_failed("dump"))
		goto out;
	if (ret < 0) {
		cli_error("dump", "%s: %s", arg, ks_error_format(&err, msg, sizeof(msg)));
		goto out;
	}
	if (shown < limit && kst_reader_info(r)->truncated)
		cli_error("dump", "%s: note: the recording was interrupted; these are the events "
			  "up to its last whole block", arg);
	status = KS_EXIT_OK;
out:
	/* a file named by -o holds a whole dump only */
	if (status != KS_EXIT_OK && out && strcmp(out, "-"))
		unlink(out);
	kst_reader_free(r);
	return status;
}
