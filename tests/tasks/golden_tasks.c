// SPDX-License-Identifier: MIT
/*
 * Golden tests of the per-task analysis (tasks/tasks.h): tiny event
 * streams, every field of every row worked out by hand in the comments
 * from the definitions in tasks.h.  4 KiB pages, 16 KiB stacks, the trace
 * starts at 0; times in ms unless said.  KiB x s = bytes x ns / 1024 / 1e9.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks.h"

#define MS 1000000ull

static int failures;

#define CHECK_U(what, got, want)						\
	do {									\
		unsigned long long g_ = (got), w_ = (want);			\
		if (g_ != w_) {							\
			printf("FAIL %s:%d %s: %s = %llu, expected %llu\n", __func__,	\
			       __LINE__, what, #got, g_, w_);			\
			failures++;						\
		}								\
	} while (0)

#define CHECK_D(what, got, want)						\
	do {									\
		double g_ = (got), w_ = (want);					\
		if (fabs(g_ - w_) > 1e-12 * (1 + fabs(w_))) {			\
			printf("FAIL %s:%d %s: %s = %.12f, expected %.12f\n", __func__, \
			       __LINE__, what, #got, g_, w_);			\
			failures++;						\
		}								\
	} while (0)

struct rows {
	struct ks_task_row r[64];
	size_t n;
	int fail_at;		/* return -EIO for the row of this index (-1: never) */
};

static int sink(void *arg, const struct ks_task_row *row)
{
	struct rows *rs = arg;

	if ((int)rs->n == rs->fail_at)
		return -EIO;
	if (rs->n < 64)
		rs->r[rs->n++] = *row;
	return 0;
}

static struct ks_event ev(uint64_t t, uint8_t type, uint32_t tid, uint32_t tid2, uint32_t hwm,
			  uint32_t depth, uint8_t state)
{
	return (struct ks_event){ .time = t, .type = type, .tid = tid, .tid2 = tid2, .hwm = hwm,
				  .depth = depth, .state = state };
}

static struct ks_event named(struct ks_event e, uint32_t tgid, uint16_t flags, const char *comm)
{
	e.tgid = tgid;
	e.flags = flags;
	snprintf(e.comm, sizeof(e.comm), "%s", comm);
	return e;
}

#define SW(t, prev, next, hwm, depth, state) ev(t, KS_EV_SWITCH, prev, next, hwm, depth, state)

static void run(struct rows *rs, uint32_t workload, const struct ks_event *evs, size_t n,
		uint64_t end)
{
	struct ks_tasks_config cfg = { .start_ns = 0, .page_size = 4096, .thread_size = 16384,
				       .workload_pid = workload };
	struct ks_tasks *t;

	memset(rs, 0, sizeof(*rs));
	rs->fail_at = -1;
	if (ks_tasks_create(&t, &cfg, sink, rs)) {
		printf("FAIL: ks_tasks_create\n");
		exit(1);
	}
	ks_tasks_feed(t, evs, n);
	CHECK_U("finish", ks_tasks_finish(t, end), 0);
	CHECK_U("rows", ks_tasks_count(t), rs->n);
	ks_tasks_free(t);
}

/*
 * A task born in the trace that goes deeper three times.
 *   100 NEW 50 "cc1" (tgid 50): born 100, life from 100.
 *   110 SW 50 out, HWM 3000, depth 2000, sleeping: its first HWM (1 page,
 *       touched at its life's start, 100); asleep from 110 at 2000 bytes.
 *   160 SW 50 in: 50 ms asleep in bucket <=2K: 50e6 x 2000 = 1e11 byte-ns
 *       = 0.09765625 KiB-s.
 *   600 SW 50 out, HWM 5000, depth 4500, sleeping: rise 1 (not after its
 *       first second, which ends at 1100); page 2 touched at 600; its HWM
 *       went from 3000 to past 4096 at a switch-out: excursion 4K at 600;
 *       asleep from 600 at 4500 (bucket <=8K).
 *  1600 SW 50 in: 1000 ms at 4500 = 4.5e12 byte-ns = 4.39453125 KiB-s.
 *  1700 SW 50 out, HWM 9000, preempted: rise 2, after 1100: late; page 3
 *       touched at 1700; excursion 8K at 1700; not asleep.
 *  2000 EXIT 50, HWM 9100: rise 3 (late), still 3 pages; died at 2000;
 *       HWM at exit 9100.
 *  2001 SW 50 out, dead, HWM 9100: released.
 * Life 100..2000 = 1900 ms; its first 10% ends at 100 + 190 = 290.
 * Pages 3, touched at 100, 600, 1700: after 1100: 1; after 290: 2.
 * Asleep 1050 ms, 0.09765625 + 4.39453125 = 4.4921875 KiB-s.
 */
static void test_born_rises(void)
{
	const struct ks_event evs[] = {
		named(ev(100 * MS, KS_EV_NEW, 50, 0, 0, 0, 0), 50, 0, "cc1"),
		SW(110 * MS, 50, 0, 3000, 2000, KS_STATE_SLEEPING),
		SW(160 * MS, 0, 50, 0, 0, 0),
		SW(600 * MS, 50, 0, 5000, 4500, KS_STATE_SLEEPING),
		SW(1600 * MS, 0, 50, 0, 0, 0),
		SW(1700 * MS, 50, 0, 9000, 1000, KS_STATE_RUNNING),
		ev(2000 * MS, KS_EV_EXIT, 50, 0, 9100, 0, 0),
		SW(2001 * MS, 50, 0, 9100, 0, KS_STATE_DEAD),
	};
	struct rows rs;
	struct ks_task_row *r = &rs.r[0];

	run(&rs, 0, evs, sizeof(evs) / sizeof(evs[0]), 3000 * MS);
	CHECK_U("rows", rs.n, 1);
	CHECK_U("tid", r->tid, 50);
	CHECK_U("seq", r->seq, 0);
	CHECK_U("tgid", r->tgid, 50);
	CHECK_U("flags", r->flags, KS_TASK_BORN | KS_TASK_DIED | KS_TASK_EXITED |
		KS_TASK_CROSS4K | KS_TASK_CROSS8K | KS_TASK_TGID);
	CHECK_U("born", r->born_ns, 100 * MS);
	CHECK_U("died", r->died_ns, 2000 * MS);
	CHECK_U("life start", r->life_start_ns, 100 * MS);
	CHECK_U("life end", r->life_end_ns, 2000 * MS);
	CHECK_U("hwm first", r->hwm_first, 3000);
	CHECK_U("hwm first at", r->hwm_first_ns, 110 * MS);
	CHECK_U("hwm final", r->hwm_final, 9100);
	CHECK_U("hwm exit", r->hwm_exit, 9100);
	CHECK_U("rises", r->rises, 3);
	CHECK_U("rises late", r->rises_late, 2);
	CHECK_U("first rise", r->rise_first_ns, 600 * MS);
	CHECK_U("last rise", r->rise_last_ns, 2000 * MS);
	CHECK_U("cross 4K", r->cross4k_ns, 600 * MS);
	CHECK_U("cross 8K", r->cross8k_ns, 1700 * MS);
	CHECK_U("pages", r->pages, 3);
	CHECK_U("pages late 1s", r->pages_late_1s, 1);
	CHECK_U("pages late 10%", r->pages_late_10pct, 2);
	CHECK_U("asleep", r->asleep_ns, 1050 * MS);
	CHECK_D("asleep KiB-s", r->asleep_kib_s, 4.4921875);
	CHECK_U("asleep <=2K", r->bucket_asleep_ns[1], 50 * MS);
	CHECK_D("KiB-s <=2K", r->bucket_kib_s[1], 0.09765625);
	CHECK_U("asleep <=8K", r->bucket_asleep_ns[3], 1000 * MS);
	CHECK_D("KiB-s <=8K", r->bucket_kib_s[3], 4.39453125);
	CHECK_U("asleep <=1K", r->bucket_asleep_ns[0], 0);
	CHECK_U("class", r->klass, KS_TASK_USER);
	CHECK_U("workload", (unsigned)(r->in_workload + 1), 0);
	CHECK_U("comm", strcmp(r->comm, "cc1"), 0);
}

/*
 * Tasks of the start snapshot; classes; a rename at stop; tasks alive at
 * the end.  The trace ends at 100.
 *   0 SNAP 1 kthread "kthreadd" HWM 2000 depth 700: asleep from 0 unless
 *     its first record shows it running.
 *   0 SNAP 2 kthread "kworker/0:1" HWM 1100 depth 900: likewise.
 *   0 SNAP 3 user "bash" (tgid 3) HWM 6000 depth 1500.
 *  10 SW 3 out (sleeping, HWM 6000, depth 1600) -> 1 in: 3's first record
 *     is a switch-out: it was running at the start, not asleep; it sleeps
 *     from 10 at 1600.  1 runs at 10: 10 ms at 700 (<=1K) = 7e9 byte-ns =
 *     0.0068359375 KiB-s.
 *  30 SW 1 out (sleeping, HWM 2100, depth 800) -> 3 in: 1 rises once (at 30,
 *     not late); sleeps from 30 at 800.  3 ran again: 20 ms at 1600 (<=2K)
 *     = 3.2e10 = 0.03125 KiB-s.
 * 100 STOP SNAP 1 (HWM 2100), 2 (1100), 3 "vim" (6000): 3 takes the name.
 * End at 100: 1 asleep 30..100 at 800: 5.6e10 = 0.0546875, in all 80 ms and
 * 0.0615234375; 2 never ran: 0..100 at 900 = 9e10 = 0.087890625.
 * No excursion: 3 was past 4K when first seen.  Rows in order of first
 * naming: 1, 2, 3; none born or dead; life 0..100; pages from the start.
 */
static void test_snapshot(void)
{
	const struct ks_event evs[] = {
		named(ev(0, KS_EV_SNAPSHOT, 1, 0, 2000, 700, 0), 1, KS_F_KTHREAD, "kthreadd"),
		named(ev(0, KS_EV_SNAPSHOT, 2, 0, 1100, 900, 0), 2, KS_F_KTHREAD, "kworker/0:1"),
		named(ev(0, KS_EV_SNAPSHOT, 3, 0, 6000, 1500, 0), 3, 0, "bash"),
		SW(10 * MS, 3, 1, 6000, 1600, KS_STATE_SLEEPING),
		SW(30 * MS, 1, 3, 2100, 800, KS_STATE_SLEEPING),
		named(ev(100 * MS, KS_EV_SNAPSHOT, 1, 0, 2100, 800, 0), 1,
		      KS_F_KTHREAD | KS_F_STOP, "kthreadd"),
		named(ev(100 * MS, KS_EV_SNAPSHOT, 2, 0, 1100, 900, 0), 2,
		      KS_F_KTHREAD | KS_F_STOP, "kworker/0:1"),
		named(ev(100 * MS, KS_EV_SNAPSHOT, 3, 0, 6000, 0, 0), 3, KS_F_STOP, "vim"),
	};
	struct rows rs;

	run(&rs, 0, evs, sizeof(evs) / sizeof(evs[0]), 100 * MS);
	CHECK_U("rows", rs.n, 3);
	CHECK_U("1 tid", rs.r[0].tid, 1);
	CHECK_U("1 class", rs.r[0].klass, KS_TASK_KTHREAD);
	CHECK_U("1 flags", rs.r[0].flags, KS_TASK_TGID);
	CHECK_U("1 life", rs.r[0].life_end_ns - rs.r[0].life_start_ns, 100 * MS);
	CHECK_U("1 hwm first", rs.r[0].hwm_first, 2000);
	CHECK_U("1 hwm first at", rs.r[0].hwm_first_ns, 0);
	CHECK_U("1 hwm final", rs.r[0].hwm_final, 2100);
	CHECK_U("1 rises", rs.r[0].rises, 1);
	CHECK_U("1 last rise", rs.r[0].rise_last_ns, 30 * MS);
	CHECK_U("1 late", rs.r[0].rises_late, 0);
	CHECK_U("1 pages late", rs.r[0].pages_late_10pct, 0);
	CHECK_U("1 asleep", rs.r[0].asleep_ns, 80 * MS);
	CHECK_D("1 KiB-s", rs.r[0].asleep_kib_s, 0.0615234375);
	CHECK_U("1 asleep <=1K", rs.r[0].bucket_asleep_ns[0], 80 * MS);
	CHECK_U("2 tid", rs.r[1].tid, 2);
	CHECK_U("2 class", rs.r[1].klass, KS_TASK_KWORKER);
	CHECK_U("2 asleep", rs.r[1].asleep_ns, 100 * MS);
	CHECK_D("2 KiB-s", rs.r[1].asleep_kib_s, 0.087890625);
	CHECK_U("2 rises", rs.r[1].rises, 0);
	CHECK_U("3 tid", rs.r[2].tid, 3);
	CHECK_U("3 class", rs.r[2].klass, KS_TASK_USER);
	CHECK_U("3 comm", strcmp(rs.r[2].comm, "vim"), 0);
	CHECK_U("3 asleep", rs.r[2].asleep_ns, 20 * MS);
	CHECK_D("3 KiB-s", rs.r[2].asleep_kib_s, 0.03125);
	CHECK_U("3 asleep <=2K", rs.r[2].bucket_asleep_ns[1], 20 * MS);
	CHECK_U("3 flags", rs.r[2].flags, KS_TASK_TGID);
	CHECK_U("3 pages", rs.r[2].pages, 2);
	CHECK_U("3 pages late 1s", rs.r[2].pages_late_1s, 0);
}

/*
 * The workload: the recorded command is 100 (tgid 100).
 *   SNAP 100 "sh", SNAP 200 "sshd": 100 is the workload, 200 not.
 *   NEW 101 (parent 100, tgid 101): forked by the workload: in.
 *   NEW 102 (parent 101, tgid 101): a thread of 101: in.
 *   NEW 201 (parent 200): out.
 *   SW 103 out (tgid 101): a task the trace never saw born, a thread of
 *     101's process: in, by its leader.
 *   NEW 300 (parent 999): 999, never seen, is alive before the trace and
 *     not of the workload (its tid and tgid are not 100): 300 out too.
 *   SW 0 -> 104 (tgid unknown): out.
 * Rows at the end in order of first naming: 100 200 101 102 201 103 999 300 104.
 * Without a recorded command (pid 0), every task has -1.
 */
static void test_workload(void)
{
	struct ks_event evs[] = {
		named(ev(0, KS_EV_SNAPSHOT, 100, 0, 1000, 0, 0), 100, 0, "sh"),
		named(ev(0, KS_EV_SNAPSHOT, 200, 0, 1000, 0, 0), 200, 0, "sshd"),
		named(ev(1 * MS, KS_EV_NEW, 101, 100, 0, 0, 0), 101, 0, "sh"),
		named(ev(2 * MS, KS_EV_NEW, 102, 101, 0, 0, 0), 101, 0, "sh"),
		named(ev(3 * MS, KS_EV_NEW, 201, 200, 0, 0, 0), 201, 0, "sshd"),
		named(SW(4 * MS, 103, 0, 800, 0, 0), 101, 0, ""),
		named(ev(5 * MS, KS_EV_NEW, 300, 999, 0, 0, 0), 300, 0, "x"),
		SW(6 * MS, 0, 104, 0, 0, 0),
	};
	const uint32_t tid[] = { 100, 200, 101, 102, 201, 103, 999, 300, 104 };
	const int in[] = { 1, 0, 1, 1, 0, 1, 0, 0, 0 };
	struct rows rs;
	size_t i;

	run(&rs, 100, evs, sizeof(evs) / sizeof(evs[0]), 10 * MS);
	CHECK_U("rows", rs.n, 9);
	for (i = 0; i < rs.n && i < 9; i++) {
		CHECK_U("tid", rs.r[i].tid, tid[i]);
		CHECK_U("in workload", (unsigned)rs.r[i].in_workload, (unsigned)in[i]);
	}
	CHECK_U("103 tgid", rs.r[5].tgid, 101);
	CHECK_U("104 tgid known", rs.r[8].flags & KS_TASK_TGID, 0);
	run(&rs, 0, evs, sizeof(evs) / sizeof(evs[0]), 10 * MS);
	for (i = 0; i < rs.n; i++)
		CHECK_U("no workload", (unsigned)(rs.r[i].in_workload + 1), 0);
}

/*
 * Excursions: the sighting at which a HWM first went past 4K (8K), when
 * the HWM before it is known.
 *   80: NEW at 1, EXIT at 2 with HWM 4360: born at 0 bytes, first seen past
 *       4K by its exit scan: excursion 4K at 2, none 8K.
 *   81: first named by a switch-out at 3 with HWM 5000 (its HWM before is
 *       unknown: past 4K, no excursion), then a switch-out at 4 with 9000:
 *       excursion 8K at 4.
 *   82: start snapshot at 0 with 6000 (past 4K before the trace), stop
 *       snapshot at 5 with 8200: excursion 8K at 5.
 */
static void test_excursions(void)
{
	const struct ks_event evs[] = {
		ev(0, KS_EV_SNAPSHOT, 82, 0, 6000, 0, 0),
		ev(1 * MS, KS_EV_NEW, 80, 0, 0, 0, 0),
		ev(2 * MS, KS_EV_EXIT, 80, 0, 4360, 0, 0),
		SW(3 * MS, 81, 0, 5000, 0, KS_STATE_RUNNING),
		SW(4 * MS, 81, 0, 9000, 0, KS_STATE_RUNNING),
		named(ev(5 * MS, KS_EV_SNAPSHOT, 82, 0, 8200, 0, 0), 82, KS_F_STOP, ""),
	};
	struct rows rs;

	run(&rs, 0, evs, sizeof(evs) / sizeof(evs[0]), 5 * MS);
	CHECK_U("rows", rs.n, 3);
	CHECK_U("82", rs.r[0].tid, 82);
	CHECK_U("82 flags", rs.r[0].flags & (KS_TASK_CROSS4K | KS_TASK_CROSS8K), KS_TASK_CROSS8K);
	CHECK_U("82 8K", rs.r[0].cross8k_ns, 5 * MS);
	CHECK_U("80", rs.r[1].tid, 80);
	CHECK_U("80 flags", rs.r[1].flags & (KS_TASK_CROSS4K | KS_TASK_CROSS8K), KS_TASK_CROSS4K);
	CHECK_U("80 4K", rs.r[1].cross4k_ns, 2 * MS);
	CHECK_U("81", rs.r[2].tid, 81);
	CHECK_U("81 flags", rs.r[2].flags & (KS_TASK_CROSS4K | KS_TASK_CROSS8K), KS_TASK_CROSS8K);
	CHECK_U("81 8K", rs.r[2].cross8k_ns, 4 * MS);
}

/*
 * Ends of lives.
 *   1 NEW 60; 2 EXIT 60 (HWM 1200): died at 2; 3 FREE 60: released, row 1.
 *   4 NEW 60 again: a new task, seq 2 (70 took seq 1).
 *   1.5 NEW 70; 5 NEW 70 again without an end: the first 70 is released at 5,
 *     died 5 but no exit scan.
 *   6 SW 60 out sleeping at depth 0: unknown depth, not asleep.
 *   8 FREE 999 (never seen): nothing.
 * Rows: 60 (seq 0, died 2, HWM at exit 1200), 70 (seq 1, died 5, no exit),
 * then at the end (10): 60 (seq 2, asleep 0), 70 (seq 3).
 */
static void test_ends(void)
{
	const struct ks_event evs[] = {
		ev(1 * MS, KS_EV_NEW, 60, 0, 0, 0, 0),
		ev(1500000, KS_EV_NEW, 70, 0, 0, 0, 0),
		ev(2 * MS, KS_EV_EXIT, 60, 0, 1200, 0, 0),
		ev(3 * MS, KS_EV_FREE, 60, 0, 0, 0, 0),
		ev(4 * MS, KS_EV_NEW, 60, 0, 0, 0, 0),
		ev(5 * MS, KS_EV_NEW, 70, 0, 0, 0, 0),
		SW(6 * MS, 60, 0, 1300, 0, KS_STATE_SLEEPING),
		ev(8 * MS, KS_EV_FREE, 999, 0, 0, 0, 0),
	};
	struct rows rs;

	run(&rs, 0, evs, sizeof(evs) / sizeof(evs[0]), 10 * MS);
	CHECK_U("rows", rs.n, 4);
	CHECK_U("a tid", rs.r[0].tid, 60);
	CHECK_U("a seq", rs.r[0].seq, 0);
	CHECK_U("a died", rs.r[0].died_ns, 2 * MS);
	CHECK_U("a flags", rs.r[0].flags, KS_TASK_BORN | KS_TASK_DIED | KS_TASK_EXITED);
	CHECK_U("a hwm exit", rs.r[0].hwm_exit, 1200);
	CHECK_U("a first hwm at exit", rs.r[0].hwm_first_ns, 2 * MS);
	CHECK_U("b tid", rs.r[1].tid, 70);
	CHECK_U("b seq", rs.r[1].seq, 1);
	CHECK_U("b died", rs.r[1].died_ns, 5 * MS);
	CHECK_U("b flags", rs.r[1].flags, KS_TASK_BORN | KS_TASK_DIED);
	CHECK_U("c tid", rs.r[2].tid, 60);
	CHECK_U("c seq", rs.r[2].seq, 2);
	CHECK_U("c asleep", rs.r[2].asleep_ns, 0);
	CHECK_U("c hwm", rs.r[2].hwm_final, 1300);
	CHECK_U("c life end", rs.r[2].life_end_ns, 10 * MS);
	CHECK_U("d seq", rs.r[3].seq, 3);
}

/*
 * The buckets of the kernel's histogram: 1K, 2K, 4K, 8K, 16K and "above"
 * (0) for 16 KiB stacks; 1K..8K and above for 8 KiB; 1K..1024K and above
 * for 1 MiB.  A depth is in the first bucket whose bound it does not pass.
 */
static void test_buckets(void)
{
	uint32_t kb[KS_TASKS_MAX_BUCKETS];
	size_t n;

	n = ks_tasks_buckets(16384, kb);
	CHECK_U("16K buckets", n, 6);
	CHECK_U("16K first", kb[0], 1);
	CHECK_U("16K last bound", kb[4], 16);
	CHECK_U("16K above", kb[5], 0);
	n = ks_tasks_buckets(8192, kb);
	CHECK_U("8K buckets", n, 5);
	CHECK_U("8K above", kb[4], 0);
	n = ks_tasks_buckets(1 << 20, kb);
	CHECK_U("1M buckets", n, 12);
	CHECK_U("1M last bound", kb[10], 1024);
	CHECK_U("0", ks_tasks_bucket(16384, 0), 0);
	CHECK_U("1024", ks_tasks_bucket(16384, 1024), 0);
	CHECK_U("1025", ks_tasks_bucket(16384, 1025), 1);
	CHECK_U("4096", ks_tasks_bucket(16384, 4096), 2);
	CHECK_U("4104", ks_tasks_bucket(16384, 4104), 3);
	CHECK_U("16384", ks_tasks_bucket(16384, 16384), 4);
	CHECK_U("16392", ks_tasks_bucket(16384, 16392), 5);
	CHECK_U("8192 of 8K", ks_tasks_bucket(8192, 8192), 3);
	CHECK_U("9000 of 8K", ks_tasks_bucket(8192, 9000), 4);
}

/* A sink that fails stops the analysis with its code; no later row is handed out. */
static void test_sink_fails(void)
{
	const struct ks_event evs[] = {
		ev(1 * MS, KS_EV_NEW, 60, 0, 0, 0, 0),
		ev(2 * MS, KS_EV_FREE, 60, 0, 0, 0, 0),
		ev(3 * MS, KS_EV_NEW, 61, 0, 0, 0, 0),
		ev(4 * MS, KS_EV_FREE, 61, 0, 0, 0, 0),
		ev(5 * MS, KS_EV_NEW, 62, 0, 0, 0, 0),
	};
	struct ks_tasks_config cfg = { .page_size = 4096, .thread_size = 16384 };
	struct ks_tasks *t;
	struct rows rs;

	memset(&rs, 0, sizeof(rs));
	rs.fail_at = 1;
	if (ks_tasks_create(&t, &cfg, sink, &rs)) {
		failures++;
		return;
	}
	ks_tasks_feed(t, evs, 5);
	CHECK_U("status", (unsigned)-ks_tasks_status(t), EIO);
	CHECK_U("finish", (unsigned)-ks_tasks_finish(t, 10 * MS), EIO);
	CHECK_U("rows", rs.n, 1);
	ks_tasks_free(t);
	cfg.thread_size = 12345;
	CHECK_U("bad size", (unsigned)-ks_tasks_create(&t, &cfg, sink, &rs), EINVAL);
}

/*
 * Memory follows the live tasks, not the trace: 200000 tasks born, run
 * and freed one after the other hold one task at a time, yet every one is
 * handed out.
 */
static void test_memory(void)
{
	struct ks_tasks_config cfg = { .page_size = 4096, .thread_size = 16384 };
	struct ks_event e[4];
	struct ks_tasks *t;
	uint64_t i, now = 0;

	if (ks_tasks_create(&t, &cfg, NULL, NULL)) {
		failures++;
		return;
	}
	for (i = 0; i < 200000; i++) {
		uint32_t tid = 1000 + (uint32_t)(i % 50000);

		e[0] = ev(now++, KS_EV_NEW, tid, 0, 0, 0, 0);
		e[1] = SW(now++, tid, 0, 2000, 1000, KS_STATE_SLEEPING);
		e[2] = ev(now++, KS_EV_EXIT, tid, 0, 2100, 0, 0);
		e[3] = ev(now++, KS_EV_FREE, tid, 0, 0, 0, 0);
		ks_tasks_feed(t, e, 4);
	}
	CHECK_U("finish", ks_tasks_finish(t, now), 0);
	CHECK_U("rows", ks_tasks_count(t), 200000);
	CHECK_U("live peak", ks_tasks_live_peak(t), 1);
	ks_tasks_free(t);
}

int main(void)
{
	test_born_rises();
	test_snapshot();
	test_workload();
	test_excursions();
	test_ends();
	test_buckets();
	test_sink_fails();
	test_memory();
	if (failures)
		printf("%d checks failed\n", failures);
	return failures ? 1 : 0;
}
