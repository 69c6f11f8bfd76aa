// SPDX-License-Identifier: MIT
/*
 * ks_grid_task_pages() and the stop snapshot's final growth, on a tiny
 * trace worked out by hand (rfc, 4 KiB pages, 16 KiB stacks, 2 CPUs,
 * prealloc 1, pool 3 per CPU, cache 2 per CPU):
 *
 *   t1  SNAPSHOT 10 hwm 5000          start: 2 pages (born 2)
 *   t2  SNAPSHOT 11 hwm 0             start, HWM unknown: prealloc, 1 page
 *   t3  NEW 20 (parent 10) on cpu0    fresh fork: 1 page (born 1)
 *   t4  SWITCH cpu0 10 -> 20          10's HWM 5000 is not news; 20 runs on cpu0
 *   t5  SWITCH cpu1 0 -> 30           30 first seen here: missed, HWM 0, 1 page
 *   t6  SWITCH cpu0 20 DEAD hwm 6000  20 grows 1 -> 2 (1 fault, 1 pool page,
 *                                     1 refill), then its 2-page stack enters
 *                                     cpu0's cache
 *   t7  NEW 21 on cpu0                takes the cached stack: born 2, inherited
 *   t8  SWITCH cpu0 0 -> 21           21 runs on cpu0
 *   t9  STOP SNAPSHOT 21 hwm 9000     3 pages: 21 is running on cpu0, so it grew
 *                                     in the final interval: 2 -> 3, 1 fault,
 *                                     1 page from cpu0's pool, NO refill
 *   t10 STOP SNAPSHOT 10 hwm 13000    10 is not running: HWM rises to 13000
 *                                     (need 4), nothing is mapped
 *   t11 STOP SNAPSHOT 99 hwm 100      not a live task: the stop snapshot
 *                                     creates nothing
 *
 * End: stacks 10:2 + 11:1 + 21:3 + 30:1 = 7 pages; pools 3 + 3 - 1 = 5 pages;
 * faults 2; refills 1.  With cache=0, 20's stack is freed at t6, 21 is a
 * fresh 1-page fork and its stop growth 1 -> 3 takes 2 pages (2 faults):
 * stacks 7, pools 4, faults 3, refills 1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"

static int bad;

#define EXPECT(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
			bad++;						\
		}							\
	} while (0)

static const struct ks_machine machine = {
	.start_ns = 0, .page_size = 4096, .thread_size = 16384, .ncpus = 2, .depth_known = true,
};

static struct ks_event ev(uint64_t t, uint8_t type, uint32_t cpu, uint32_t tid, uint32_t tid2,
			  uint32_t hwm, uint16_t flags, uint8_t state)
{
	struct ks_event e;

	memset(&e, 0, sizeof(e));
	e.time = t;
	e.type = type;
	e.cpu = cpu;
	e.tid = tid;
	e.tid2 = tid2;
	e.tgid = tid;
	e.hwm = hwm;
	e.flags = flags;
	e.state = state;
	return e;
}

static void expect_task(const struct ks_grid *e, uint32_t tid, uint32_t hwm, uint32_t need,
			uint32_t mapped, uint32_t born, uint32_t flags)
{
	struct ks_task_pages tp;
	int ret = ks_grid_task_pages(e, 0, tid, &tp);

	EXPECT(ret == 0);
	if (ret)
		return;
	if (tp.hwm != hwm || tp.need != need || tp.mapped != mapped || tp.born != born ||
	    tp.flags != flags) {
		fprintf(stderr, "tid %u: hwm %u need %u mapped %u born %u flags %#x, expected "
			"%u %u %u %u %#x\n", tid, tp.hwm, tp.need, tp.mapped, tp.born, tp.flags,
			hwm, need, mapped, born, flags);
		bad++;
	}
}

static void run(const char *spec, bool cached)
{
	struct ks_event evs[] = {
		ev(1, KS_EV_SNAPSHOT, 0, 10, 0, 5000, 0, 0),
		ev(2, KS_EV_SNAPSHOT, 0, 11, 0, 0, KS_F_KTHREAD, 0),
		ev(3, KS_EV_NEW, 0, 20, 10, 0, 0, 0),
		ev(4, KS_EV_SWITCH, 0, 10, 20, 5000, 0, KS_STATE_SLEEPING),
		ev(5, KS_EV_SWITCH, 1, 0, 30, 0, 0, KS_STATE_RUNNING),
		ev(6, KS_EV_SWITCH, 0, 20, 0, 6000, 0, KS_STATE_DEAD),
		ev(7, KS_EV_NEW, 0, 21, 10, 0, 0, 0),
		ev(8, KS_EV_SWITCH, 0, 0, 21, 0, 0, KS_STATE_RUNNING),
		ev(9, KS_EV_SNAPSHOT, 1, 21, 0, 9000, KS_F_STOP, 0),
		ev(10, KS_EV_SNAPSHOT, 1, 10, 0, 13000, KS_F_STOP, 0),
		ev(11, KS_EV_SNAPSHOT, 1, 99, 0, 100, KS_F_STOP, 0),
	};
	static struct ks_result res;
	struct ks_error err = { 0 };
	struct ks_task_pages tp;
	struct ks_grid *e;

	if (ks_grid_create(&e, &spec, 1, &machine, &err)) {
		fprintf(stderr, "%s: %s\n", spec, err.detail);
		bad++;
		return;
	}
	/* while feeding: 21 has just been born */
	ks_grid_feed(e, evs, 7);
	if (cached)
		expect_task(e, 21, 0, 1, 2, 2, KS_TP_FORK | KS_TP_INHERITED | KS_TP_NO_HWM);
	else
		expect_task(e, 21, 0, 1, 1, 1, KS_TP_FORK | KS_TP_NO_HWM);
	ks_grid_feed(e, evs + 7, sizeof(evs) / sizeof(evs[0]) - 7);
	ks_grid_finish(e, 20, &res);

	expect_task(e, 10, 13000, 4, 2, 2, KS_TP_SNAPSHOT);
	expect_task(e, 11, 0, 1, 1, 1, KS_TP_SNAPSHOT | KS_TP_KTHREAD | KS_TP_NO_HWM);
	expect_task(e, 30, 0, 1, 1, 1, KS_TP_MISSED | KS_TP_NO_HWM);
	if (cached)
		expect_task(e, 21, 9000, 3, 3, 2, KS_TP_FORK | KS_TP_INHERITED | KS_TP_STOP_GROWN);
	else
		expect_task(e, 21, 9000, 3, 3, 1, KS_TP_FORK | KS_TP_STOP_GROWN);
	EXPECT(ks_grid_task_pages(e, 0, 20, &tp) == -ENOENT);	/* released at t6 */
	EXPECT(ks_grid_task_pages(e, 0, 99, &tp) == -ENOENT);	/* only in the stop snapshot */
	EXPECT(ks_grid_task_pages(e, 0, 0, &tp) == -EINVAL);

	EXPECT(res.c.stack_pages_end == 7);
	EXPECT(res.c.pool_pages_end == (cached ? 5u : 4u));
	EXPECT(res.c.faults == (cached ? 2u : 3u));
	EXPECT(res.c.refills == 1);
	EXPECT(res.c.tasks_end == 4);
	ks_grid_free(e);
}

int main(void)
{
	run("rfc:pool=3", true);
	run("rfc:pool=3,cache=0", false);
	/* static maps whole stacks: the stop snapshot changes nothing */
	{
		static struct ks_result res;
		struct ks_error err = { 0 };
		struct ks_event evs[] = {
			ev(1, KS_EV_SNAPSHOT, 0, 10, 0, 5000, 0, 0),
			ev(2, KS_EV_SWITCH, 0, 0, 10, 0, 0, KS_STATE_RUNNING),
			ev(3, KS_EV_SNAPSHOT, 0, 10, 0, 15000, KS_F_STOP, 0),
		};
		struct ks_grid *e;

		if (ks_grid_create(&e, &(const char *){ "static" }, 1, &machine, &err)) {
			bad++;
		} else {
			ks_grid_feed(e, evs, 3);
			ks_grid_finish(e, 5, &res);
			expect_task(e, 10, 15000, 4, 4, 4, KS_TP_SNAPSHOT | KS_TP_STOP_GROWN);
			EXPECT(res.c.faults == 0);
			ks_grid_free(e);
		}
	}
	if (bad)
		fprintf(stderr, "%d check(s) failed\n", bad);
	return bad ? 1 : 0;
}
