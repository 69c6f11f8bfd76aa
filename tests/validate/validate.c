// SPDX-License-Identifier: MIT
/*
 * Validation of a real trace against the kernel's own accounting.
 *
 *   validate TRACE
 *
 * 1. Start: a `static` replay of the start snapshot alone holds
 *    (tasks in the snapshot) x THREAD_SIZE, counted here independently;
 *    it must match the header's nr_kernel_stack at start.
 * 2. End: a `static` replay of the whole trace, at its end, must match the
 *    header's nr_kernel_stack at stop.
 * 3. RFC: an `rfc` replay maps, per task, the pages its high-water mark
 *    covers (at least the preallocated page).  At the end this must equal
 *    the pages covered by the stop snapshot's HWMs, summed here directly
 *    from the snapshot.
 *
 * Why they cannot be exactly equal, and the bounds (T = THREAD_SIZE):
 * - The kernel counts stacks the trace cannot contain: the idle tasks of
 *   the secondary CPUs (pid 0, one stack each; the boot CPU's idle task
 *   runs on the static init stack and is not counted) and the collector's
 *   own thread (excluded from every probe).  That is ncpus x T more in the
 *   kernel, always.
 * - nr_kernel_stack is read just before each snapshot pass (about a
 *   millisecond): a few tasks may be born or die in between.  We allow
 *   KS_RACE tasks either way at start; at the end also the tasks still
 *   exiting when tracing stopped (their stack release falls after the
 *   read).  Busy fork storms make this the largest term.
 * - RFC: a task that ran at stop may have grown after its last switch-out;
 *   the stop snapshot sees that growth, the replay does not (the engine
 *   learns HWMs at switch-out and exit).  At most one running task per
 *   CPU, each by at most THREAD_SIZE/PAGE_SIZE - 1 pages.  Tasks with an
 *   unknown HWM (0: not visible to BPF, recorded from /proc) count as the
 *   replay counts them, which is checked separately to be prealloc pages.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "kst.h"

#define KS_RACE 4	/* tasks born/dead between the vmstat read and the snapshot */

struct trace {
	struct ks_event *ev;
	size_t n, cap;
	const struct kst_info *info;
	struct kst_reader *r;
};

static int load(struct trace *t, const char *path)
{
	struct ks_error err = { 0 };
	const struct ks_event *evs;
	size_t n;
	int ret;

	if (kst_reader_open(&t->r, path, &err)) {
		fprintf(stderr, "validate: %s: %s\n", path, err.detail);
		return -1;
	}
	t->info = kst_reader_info(t->r);
	while ((ret = kst_reader_next_block(t->r, &evs, &n, &err)) == 1) {
		if (t->n + n > t->cap) {
			size_t cap = (t->n + n) * 2;
			struct ks_event *e = realloc(t->ev, cap * sizeof(*e));

			if (!e)
				return -1;
			t->ev = e;
			t->cap = cap;
		}
		memcpy(t->ev + t->n, evs, n * sizeof(*evs));
		t->n += n;
	}
	if (ret < 0) {
		fprintf(stderr, "validate: %s: %s\n", path, err.detail);
		return -1;
	}
	return 0;
}

static int replay(const struct trace *t, const char *spec, size_t n, uint64_t end,
		  struct ks_result *res)
{
	struct ks_machine m = {
		.start_ns = t->info->start_ns,
		.page_size = t->info->page_size,
		.thread_size = t->info->thread_size,
		.ncpus = t->info->ncpus,
		.depth_known = t->info->depth_source != KST_DEPTH_NONE,
	};
	struct ks_error err = { 0 };
	struct ks_engine *e;

	if (ks_engine_create(&e, spec, &m, &err)) {
		fprintf(stderr, "validate: engine %s: %s\n", spec, err.detail);
		return -1;
	}
	ks_engine_feed(e, t->ev, n);
	ks_engine_finish(e, end, res);
	ks_engine_free(e);
	return 0;
}

static int check(const char *what, int64_t kernel_kb, int64_t model_kb, int64_t lo_kb, int64_t hi_kb)
{
	int64_t d = kernel_kb - model_kb;
	int ok = d >= lo_kb && d <= hi_kb;

	printf("%-6s kernel %6" PRId64 " KiB, replay %6" PRId64 " KiB, difference %5" PRId64
	       " KiB (allowed %" PRId64 "..%" PRId64 ") %s\n", what, kernel_kb, model_kb, d,
	       lo_kb, hi_kb, ok ? "ok" : "FAIL");
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	static struct ks_result res;
	struct trace t = { 0 };
	uint64_t start_tasks = 0, stop_pages = 0, unknown = 0, page, tkb;
	size_t nstart = 0, i;
	int64_t race, idle;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: validate TRACE\n");
		return 2;
	}
	if (load(&t, argv[1]))
		return 1;
	if (t.info->depth_source != KST_DEPTH_EXACT || t.info->nr_kernel_stack_start_kb < 0 ||
	    t.info->nr_kernel_stack_end_kb < 0 || t.info->truncated) {
		fprintf(stderr, "validate: %s is not a complete BPF trace\n", argv[1]);
		return 1;
	}
	page = t.info->page_size;
	tkb = t.info->thread_size / 1024;
	for (i = 0; i < t.n; i++) {
		const struct ks_event *e = &t.ev[i];

		if (e->type != KS_EV_SNAPSHOT)
			continue;
		if (!(e->flags & KS_F_STOP)) {
			start_tasks++;
			if (i == nstart)
				nstart = i + 1;	/* the start snapshot leads the trace */
		} else {
			uint64_t p = (e->hwm + page - 1) / page;

			if (!e->hwm)
				unknown++;
			stop_pages += p ? p : 1;	/* rfc default prealloc = 1 page */
		}
	}
	if (nstart != start_tasks) {
		fprintf(stderr, "validate: the start snapshot does not lead the trace\n");
		return 1;
	}
	idle = (int64_t)t.info->ncpus * tkb;	/* secondary idle tasks + the collector */
	race = KS_RACE * (int64_t)tkb;

	/* 1. start: snapshot tasks x THREAD_SIZE, and the kernel's count */
	if (replay(&t, "static", nstart, t.info->start_ns, &res))
		return 1;
	if (res.c.kernel_stack_kb_end != start_tasks * tkb) {
		printf("start  replay %" PRIu64 " KiB != %" PRIu64 " snapshot tasks x %" PRIu64 " KiB FAIL\n",
		       res.c.kernel_stack_kb_end, start_tasks, tkb);
		bad++;
	}
	bad += check("start", t.info->nr_kernel_stack_start_kb, res.c.kernel_stack_kb_end,
		     idle - race, idle + race);

	/* 2. end of the whole trace */
	if (replay(&t, "static", t.n, t.info->end_ns, &res))
		return 1;
	bad += check("end", t.info->nr_kernel_stack_end_kb, res.c.kernel_stack_kb_end,
		     idle - race, idle + race);

	/* 3. rfc pages at the end against the stop snapshot's HWMs */
	if (replay(&t, "rfc", t.n, t.info->end_ns, &res))
		return 1;
	{
		int64_t grow = (int64_t)t.info->ncpus * (t.info->thread_size / page - 1);
		int64_t d = (int64_t)stop_pages - (int64_t)res.c.stack_pages_end;
		int64_t slack = KS_RACE * (int64_t)(t.info->thread_size / page);
		int ok = d >= -slack && d <= grow + slack;

		printf("rfc    stop snapshot %" PRIu64 " pages (%" PRIu64 " unknown HWM), replay %"
		       PRIu64 " pages, difference %" PRId64 " (allowed %" PRId64 "..%" PRId64 ") %s\n",
		       stop_pages, unknown, res.c.stack_pages_end, d, -slack, grow + slack,
		       ok ? "ok" : "FAIL");
		bad += !ok;
	}
	kst_reader_free(t.r);
	free(t.ev);
	return bad ? 1 : 0;
}
