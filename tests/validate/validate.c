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
 * 3. RFC, per task: an `rfc:prealloc=1` replay maps, for every task of the
 *    stop snapshot, exactly max(1, ceil(hwm / PAGE_SIZE)) pages, the
 *    pages that task's stop high-water mark covers (computed here from
 *    the snapshot record), read through ks_grid_task_pages().  Run twice:
 *    as the RFC is modelled (cache=2) and with cache=0, where no stack is
 *    inherited, so every replayed task must match exactly (and a task that
 *    grew after its last switch-out is visible as such).
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
 *
 * RFC exceptions, each counted, printed and bounded (P = T / PAGE_SIZE):
 * - grown at stop (not an exception, counted): a task running when
 *   recording stopped may have faulted after its last switch-out; the stop
 *   snapshot sees that growth and the engine maps it as growth in the final
 *   interval on the task's CPU (policy.h).  It must then match exactly.
 *   At most one running task per CPU: <= ncpus.
 * - unknown HWM (not an exception, counted): tasks the BPF iterator cannot
 *   see are recorded from /proc with HWM 0; they hold the prealloc page,
 *   which is what the formula gives.
 * - inherited: a fork that took a cached stack keeps the pages its previous
 *   owner grew (the RFC keeps grown pages in its per-CPU cache), so the
 *   kernel really maps more than the task's own HWM covers.  Allowed only
 *   for tasks the engine flags KS_TP_INHERITED whose mapped pages are
 *   exactly the pages they were born with (the stack is grow-only: mapped =
 *   max(born, covered), so the excess is the inherited part and nothing
 *   else).  Each excess is < P; there are at most as many as NEW events in
 *   the trace, and their excess sums to at most the run's inherited_pages.
 * - born after tracing: a task in the stop snapshot that appears in no
 *   event before it was forked after the lifecycle stream stopped and
 *   before the iterator ran (the same window as the vmstat race): the
 *   replay never saw it.  <= KS_RACE.
 * - live in the replay but not in the stop snapshot:
 *   - the collector's own thread: its tgid is excluded from the probes, but
 *     it is still the next task of switches, so the engine creates it
 *     (KS_TP_MISSED, no HWM) with the prealloc page.  Recognised by
 *     appearing only as a switch's next task; the collector has one
 *     thread: <= 1.
 *   - tasks that had exited (KS_TP_EXITED) but whose stack release was not
 *     recorded before the stop: the snapshot does not list a task past
 *     exit (see below).  <= KS_RACE.
 *   - died after tracing: a task that exited after the event stream
 *     stopped and before the iterator reached it, the mirror image of
 *     "born after tracing": its exit is not in the trace.  <= KS_RACE.
 * - exited tasks and the stop snapshot: a task past do_exit's exit_notify()
 *   (a zombie not yet reaped, or a task about to switch out for the last
 *   time) has already dropped its stack from nr_kernel_stack, and loses the
 *   stack itself at its final switch, where the replay releases it.  The
 *   snapshot does not list it, so a stop-snapshot task the replay has
 *   already released (a zombie listed as live) fails.
 * - anything else (fewer pages than covered, more pages without
 *   inheritance, a task seen in the trace but not live) fails.  A sleeping
 *   task whose stop HWM covers more than its last switch-out showed would
 *   be a switch-probe underestimate: none on the shipped traces.
 * The replay's stack_pages_end must equal the sum over those tasks.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "kst.h"
#include "replay.h"

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
		  struct ks_result *res, struct ks_grid **keep)
{
	struct ks_error err = { 0 };
	struct ks_machine m;
	struct ks_grid *e;

	if (ks_replay_machine(&m, t->info, &err)) {
		fprintf(stderr, "validate: header: %s\n", err.detail);
		return -1;
	}
	if (ks_grid_create(&e, &spec, 1, &m, &err)) {
		fprintf(stderr, "validate: engine %s: %s\n", spec, err.detail);
		return -1;
	}
	ks_grid_feed(e, t->ev, n);
	ks_grid_finish(e, end, res);
	if (keep)
		*keep = e;
	else
		ks_grid_free(e);
	return 0;
}

/* the RFC as modelled (cached stacks keep their grown pages), and without a cache */
#define RFC_SPEC "rfc:prealloc=1"
#define RFC_SPEC_NOCACHE "rfc:prealloc=1,cache=0"
#define RFC_PREALLOC 1u

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Sorted distinct tids of @n events: each event's task (tid) and, with
 * @any_role, also the next task of a switch and the parent of a NEW.
 */
static uint32_t *tid_set(const struct ks_event *ev, size_t n, bool any_role, bool stop_only,
			 size_t *count)
{
	uint32_t *s = malloc((2 * n + 1) * sizeof(*s));
	size_t i, k = 0, u = 0;

	if (!s)
		return NULL;
	for (i = 0; i < n; i++) {
		if (stop_only && (ev[i].type != KS_EV_SNAPSHOT || !(ev[i].flags & KS_F_STOP)))
			continue;
		if (ev[i].tid)
			s[k++] = ev[i].tid;
		if (any_role && ev[i].tid2 && (ev[i].type == KS_EV_SWITCH || ev[i].type == KS_EV_NEW))
			s[k++] = ev[i].tid2;
	}
	qsort(s, k, sizeof(*s), cmp_u32);
	for (i = 0; i < k; i++)
		if (!u || s[u - 1] != s[i])
			s[u++] = s[i];
	*count = u;
	return s;
}

static bool in_set(const uint32_t *s, size_t n, uint32_t tid)
{
	return bsearch(&tid, s, n, sizeof(*s), cmp_u32) != NULL;
}

/* Counts of the per-task comparison (see the header comment). */
struct rfc_tally {
	unsigned tasks, exact, unknown, grown, inherited, after, collector, exiting, gone, bad;
	uint64_t excess, sum, others, forks;
};

static void rfc_task(const struct ks_event *s, const struct ks_grid *e, const uint32_t *before,
		     size_t nbefore, uint32_t page, uint32_t tpages, struct rfc_tally *n)
{
	uint32_t want = (uint32_t)(((uint64_t)s->hwm + page - 1) / page);
	struct ks_task_pages tp;

	if (want < RFC_PREALLOC)
		want = RFC_PREALLOC;
	if (want > tpages)
		want = tpages;
	n->tasks++;
	if (ks_grid_task_pages(e, 0, s->tid, &tp)) {
		if (in_set(before, nbefore, s->tid)) {
			printf("  tid %u (%.16s) is in the trace but not live in the replay FAIL\n",
			       s->tid, s->comm);
			n->bad++;
			return;
		}
		printf("  born after tracing: tid %u (%.16s) hwm %u, only in the stop snapshot\n",
		       s->tid, s->comm, s->hwm);
		n->after++;
		return;
	}
	n->sum += tp.mapped;
	if (tp.flags & KS_TP_STOP_GROWN) {
		printf("  running at stop, final growth: tid %u (%.16s) stop hwm %u, %u pages\n",
		       s->tid, s->comm, s->hwm, tp.mapped);
		n->grown++;
	}
	if (tp.mapped == want) {
		n->exact++;
		n->unknown += !s->hwm;
		return;
	}
	if (tp.mapped > want && (tp.flags & KS_TP_INHERITED) && tp.mapped == tp.born) {
		printf("  inherited: tid %u (%.16s) hwm %u covers %u pages, maps the %u it was "
		       "born with\n", s->tid, s->comm, s->hwm, want, tp.mapped);
		n->inherited++;
		n->excess += tp.mapped - want;
		return;
	}
	printf("  tid %u (%.16s) hwm %u covers %u pages, replay maps %u (born %u, flags %#x) FAIL\n",
	       s->tid, s->comm, s->hwm, want, tp.mapped, tp.born, tp.flags);
	n->bad++;
}

/* 3. rfc: every task of the stop snapshot, then every other live task. */
static int check_rfc(const struct trace *t, const char *spec)
{
	static struct ks_result res;
	uint32_t page = t->info->page_size, tpages = t->info->thread_size / page;
	uint32_t *before = NULL, *all = NULL, *probed = NULL, *stop = NULL;
	size_t stop0, i, nbefore, nall, nprobed, nstop;
	struct rfc_tally n = { 0 };
	struct ks_grid *e = NULL;
	bool ok = false;

	for (stop0 = 0; stop0 < t->n; stop0++)
		if (t->ev[stop0].type == KS_EV_SNAPSHOT && (t->ev[stop0].flags & KS_F_STOP))
			break;
	for (i = 0; i < t->n; i++)
		n.forks += t->ev[i].type == KS_EV_NEW;
	if (replay(t, spec, t->n, t->info->end_ns, &res, &e))
		return 1;
	before = tid_set(t->ev, stop0, true, false, &nbefore);
	all = tid_set(t->ev, t->n, true, false, &nall);
	probed = tid_set(t->ev, t->n, false, false, &nprobed);
	stop = tid_set(t->ev + stop0, t->n - stop0, false, true, &nstop);
	if (!before || !all || !probed || !stop) {
		fprintf(stderr, "validate: out of memory\n");
		n.bad++;
		goto out;
	}
	for (i = stop0; i < t->n; i++)
		if (t->ev[i].type == KS_EV_SNAPSHOT && (t->ev[i].flags & KS_F_STOP))
			rfc_task(&t->ev[i], e, before, nbefore, page, tpages, &n);
	for (i = 0; i < nall; i++) {
		struct ks_task_pages tp;

		if (in_set(stop, nstop, all[i]) || ks_grid_task_pages(e, 0, all[i], &tp))
			continue;
		n.others += tp.mapped;
		if (!in_set(probed, nprobed, all[i]) && (tp.flags & KS_TP_MISSED) &&
		    tp.mapped == RFC_PREALLOC) {
			printf("  collector: tid %u, only ever a switch's next task, %u page\n",
			       all[i], tp.mapped);
			n.collector++;
		} else if (tp.flags & KS_TP_EXITED) {
			printf("  exiting at stop: tid %u, %u pages\n", all[i], tp.mapped);
			n.exiting++;
		} else {
			printf("  died after tracing: tid %u (%u pages, flags %#x), live at the end "
			       "of the events, not in the stop snapshot\n", all[i], tp.mapped,
			       tp.flags);
			n.gone++;
		}
	}
	ok = !n.bad && n.grown <= t->info->ncpus && n.inherited <= n.forks &&
	     n.excess <= res.c.inherited_pages && n.after <= KS_RACE && n.collector <= 1 &&
	     n.exiting <= KS_RACE && n.gone <= KS_RACE && res.c.stack_pages_end == n.sum + n.others;
	printf("%s: %u tasks at stop: %u exact (%u unknown HWM, %u grown at stop <= %u), "
	       "%u inherited +%" PRIu64 " pages (<= %" PRIu64 " forks, <= %" PRIu64
	       " inherited pages), %u born after tracing (<= %d); also live: %u collector (<= 1), "
	       "%u exiting (<= %d), %u died after tracing (<= %d); replay %" PRIu64 " pages = %"
	       PRIu64 " + %" PRIu64 " %s\n",
	       spec, n.tasks, n.exact, n.unknown, n.grown, t->info->ncpus, n.inherited, n.excess,
	       n.forks, res.c.inherited_pages, n.after, KS_RACE, n.collector, n.exiting, KS_RACE,
	       n.gone, KS_RACE, res.c.stack_pages_end, n.sum, n.others, ok ? "ok" : "FAIL");
out:
	free(before);
	free(all);
	free(probed);
	free(stop);
	ks_grid_free(e);
	return ok ? 0 : 1;
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
	uint64_t start_tasks = 0, tkb;
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
	tkb = t.info->thread_size / 1024;
	for (i = 0; i < t.n; i++) {
		const struct ks_event *e = &t.ev[i];

		if (e->type != KS_EV_SNAPSHOT)
			continue;
		if (!(e->flags & KS_F_STOP)) {
			start_tasks++;
			if (i == nstart)
				nstart = i + 1;	/* the start snapshot leads the trace */
		}
	}
	if (nstart != start_tasks) {
		fprintf(stderr, "validate: the start snapshot does not lead the trace\n");
		return 1;
	}
	idle = (int64_t)t.info->ncpus * tkb;	/* secondary idle tasks + the collector */
	race = KS_RACE * (int64_t)tkb;

	/* 1. start: snapshot tasks x THREAD_SIZE, and the kernel's count */
	if (replay(&t, "static", nstart, t.info->start_ns, &res, NULL))
		return 1;
	if (res.c.kernel_stack_kb_end != start_tasks * tkb) {
		printf("start  replay %" PRIu64 " KiB != %" PRIu64 " snapshot tasks x %" PRIu64 " KiB FAIL\n",
		       res.c.kernel_stack_kb_end, start_tasks, tkb);
		bad++;
	}
	bad += check("start", t.info->nr_kernel_stack_start_kb, res.c.kernel_stack_kb_end,
		     idle - race, idle + race);

	/* 2. end of the whole trace */
	if (replay(&t, "static", t.n, t.info->end_ns, &res, NULL))
		return 1;
	bad += check("end", t.info->nr_kernel_stack_end_kb, res.c.kernel_stack_kb_end,
		     idle - race, idle + race);

	/* 3. rfc pages per task at the end against the stop snapshot's HWMs */
	bad += check_rfc(&t, RFC_SPEC);
	bad += check_rfc(&t, RFC_SPEC_NOCACHE);
	kst_reader_free(t.r);
	free(t.ev);
	return bad ? 1 : 0;
}
