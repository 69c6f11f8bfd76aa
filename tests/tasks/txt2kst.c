// SPDX-License-Identifier: MIT
/*
 * Write a trace from a hand-written text file, for golden tests whose
 * traces are read and worked out by people:
 *   txt2kst IN.txt OUT.kst
 *
 * Blank lines and lines starting with '#' are comments.  A line
 * "@ KEY VALUE" sets a header field: ncpus, page_size, thread_size,
 * depth_source, ram_kb, start, end (the trailer's end time), workload_pid,
 * label, truncated (1: no trailer, as an interrupted recording leaves).
 * Header lines come before the events.  Every other line is one event, fields separated by spaces:
 *
 *   TIME CPU TYPE TID [key=value ...]
 *
 * TIME is a number with an optional unit (ns, us, ms, s; default ns),
 * TYPE a name of kstack dump (snapshot, new, exit, free, switch, kfault,
 * kentry, kexit, lost, exec), and the keys are tid2 (a switch's next, a new
 * task's parent), tgid, hwm, depth, arg, comm, state (running, sleeping,
 * dead) and flags (kthread, stop, joined by '|').
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kst.h"

static int line_no;

static void die(const char *what, const char *s)
{
	fprintf(stderr, "txt2kst: line %d: %s '%s'\n", line_no, what, s);
	exit(1);
}

static uint64_t number(const char *s)
{
	static const struct {
		const char *unit;
		uint64_t mul;
	} units[] = { { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
		      { "", 1 } };
	char *end;
	double v = strtod(s, &end);
	size_t i;

	if (end == s)
		die("not a number", s);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].unit))
			return (uint64_t)(v * (double)units[i].mul + 0.5);
	die("bad unit", s);
	return 0;
}

static uint8_t type_of(const char *s)
{
	unsigned int t;

	for (t = 1; t < KS__EV_MAX; t++)
		if (!strcmp(s, kst_event_type_name(t)))
			return (uint8_t)t;
	die("unknown event type", s);
	return 0;
}

static uint16_t flags_of(char *s)
{
	uint16_t f = 0;
	char *tok, *save = NULL;

	for (tok = strtok_r(s, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		if (!strcmp(tok, "kthread"))
			f |= KS_F_KTHREAD;
		else if (!strcmp(tok, "stop"))
			f |= KS_F_STOP;
		else
			die("unknown flag", tok);
	}
	return f;
}

static uint8_t state_of(const char *s)
{
	if (!strcmp(s, "running"))
		return KS_STATE_RUNNING;
	if (!strcmp(s, "sleeping"))
		return KS_STATE_SLEEPING;
	if (!strcmp(s, "dead"))
		return KS_STATE_DEAD;
	die("unknown state", s);
	return 0;
}

static void header(struct kst_info *in, uint64_t *end, int *truncated, char *key, char *val)
{
	if (!strcmp(key, "ncpus")) {
		if (kst_info_set_ncpus(in, (uint32_t)number(val)))
			die("bad ncpus", val);
	} else if (!strcmp(key, "page_size")) {
		in->page_size = number(val);
	} else if (!strcmp(key, "thread_size")) {
		in->thread_size = number(val);
	} else if (!strcmp(key, "depth_source")) {
		in->depth_source = (uint32_t)number(val);
	} else if (!strcmp(key, "ram_kb")) {
		in->ram_kb = number(val);
	} else if (!strcmp(key, "start")) {
		in->start_ns = number(val);
	} else if (!strcmp(key, "end")) {
		*end = number(val);
	} else if (!strcmp(key, "workload_pid")) {
		in->workload_pid = (uint32_t)number(val);
	} else if (!strcmp(key, "truncated")) {
		*truncated = (int)number(val);
	} else if (!strcmp(key, "label")) {
		snprintf(in->label, sizeof(in->label), "%s", val);
	} else {
		die("unknown header field", key);
	}
}

static void event(struct ks_event *e, char *line)
{
	char *tok, *save = NULL, *eq;
	int field = 0;

	memset(e, 0, sizeof(*e));
	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		switch (field++) {
		case 0:
			e->time = number(tok);
			continue;
		case 1:
			e->cpu = (uint32_t)number(tok);
			continue;
		case 2:
			e->type = type_of(tok);
			continue;
		case 3:
			e->tid = (uint32_t)number(tok);
			continue;
		default:
			break;
		}
		eq = strchr(tok, '=');
		if (!eq)
			die("expected key=value", tok);
		*eq++ = 0;
		if (!strcmp(tok, "tid2"))
			e->tid2 = (uint32_t)number(eq);
		else if (!strcmp(tok, "tgid"))
			e->tgid = (uint32_t)number(eq);
		else if (!strcmp(tok, "hwm"))
			e->hwm = (uint32_t)number(eq);
		else if (!strcmp(tok, "depth"))
			e->depth = (uint32_t)number(eq);
		else if (!strcmp(tok, "arg"))
			e->arg = (uint32_t)number(eq);
		else if (!strcmp(tok, "comm"))
			snprintf(e->comm, sizeof(e->comm), "%s", eq);
		else if (!strcmp(tok, "state"))
			e->state = state_of(eq);
		else if (!strcmp(tok, "flags"))
			e->flags = flags_of(eq);
		else
			die("unknown key", tok);
	}
	if (field < 4)
		die("expected TIME CPU TYPE TID", line);
}

int main(int argc, char **argv)
{
	struct ks_error err = { 0 };
	struct kst_writer *w = NULL;
	struct kst_info in;
	struct ks_event e;
	uint64_t end = 0;
	int truncated = 0;
	char line[1024], *p, *key, *val;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: txt2kst IN.txt OUT.kst\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	kst_info_init(&in);
	kst_info_set_ncpus(&in, 1);
	in.depth_source = KST_DEPTH_SYNTH;
	snprintf(in.clock, sizeof(in.clock), "synthetic");
	snprintf(in.collector, sizeof(in.collector), "txt2kst");
	while (fgets(line, sizeof(line), f)) {
		line_no++;
		line[strcspn(line, "\r\n")] = 0;
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (!*p || *p == '#')
			continue;
		if (*p == '@') {
			key = strtok(p + 1, " \t");
			val = key ? strtok(NULL, "") : NULL;
			if (!key || !val)
				die("expected @ KEY VALUE", p);
			header(&in, &end, &truncated, key, val);
			continue;
		}
		if (!w && kst_writer_create(&w, argv[2], &in, &err)) {
			fprintf(stderr, "txt2kst: %s\n", err.detail);
			return 1;
		}
		event(&e, p);
		if (kst_writer_add(w, &e))
			die("the writer refuses the event", p);
	}
	fclose(f);
	if (!w && kst_writer_create(&w, argv[2], &in, &err)) {
		fprintf(stderr, "txt2kst: %s\n", err.detail);
		return 1;
	}
	in.end_ns = end;
	if (kst_writer_close(w, truncated ? NULL : &in)) {
		fprintf(stderr, "txt2kst: cannot close %s\n", argv[2]);
		return 1;
	}
	kst_info_release(&in);
	return 0;
}
