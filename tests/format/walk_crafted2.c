// SPDX-License-Identifier: MIT
/*
 * The corruption walk's crafted version-2 files: valid checksums around a
 * directory, streams and references that break a rule of FORMAT.md
 * "Version 2 event blocks", as a bad writer would make them (craft.h packs
 * them).  Each goes through kstack info, dump and replay by file and
 * through a pipe; the expected message is the one the rule's paragraph
 * gives.
 *
 * The base block (valid) has four events, base time 1000, tasks 100 and
 * 200 (indices 0, 1), widths wT 2, wD 4, wC 1, wK 1, wV 8:
 *
 *   0. SWITCH 0x1B5 (PREV_X, NEXT_X, DEPTH_X, state 1), dt 0, cpu 0:
 *      K 0, 1 (100 -> 200), V 4 (depth 32)
 *   1. KFAULT 0x86 (DEPTH_X), dt 10, cpu 0: task = CPU 0's current, 1;
 *      V 10 (depth 80)
 *   2. SWITCH 0x105 (state 1), dt 10, cpu 0: prev 1, next 0 (the CPU's)
 *   3. FREE 0x4, escaped (T 3, E), dt 10, cpu 1: K 0
 *
 * so T 0 1 2 3, E 0x4, D 0 10 10 10, C 0 0 0 1, K 0 1 0, V 4 10.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craft.h"
#include "walk.h"

static void base2(struct cr2 *b)
{
	static const uint32_t t[] = { 0, 1, 2, 3 }, d[] = { 0, 10, 10, 10 };
	static const uint32_t c[] = { 0, 0, 0, 1 }, k[] = { 0, 1, 0 }, v[] = { 4, 10 };

	cr2_init(b);
	b->wt = 2;
	b->wd = 4;
	b->wc = 1;
	b->wk = 1;
	b->wv = 8;
	b->ndict = 3;
	b->dict[0] = 0x1B5;
	b->dict[1] = 0x86;
	b->dict[2] = 0x105;
	b->ntasks = 2;
	b->tids[0] = 100;
	b->tids[1] = 200;
	b->nt = b->nd = b->nc = 4;
	memcpy(b->t, t, sizeof(t));
	memcpy(b->d, d, sizeof(d));
	memcpy(b->c, c, sizeof(c));
	b->ne = 1;
	b->e[0] = 0x4;
	b->nk = 3;
	memcpy(b->k, k, sizeof(k));
	b->nv = 2;
	memcpy(b->v, v, sizeof(v));
}

/* A file of the version-2 header (2 CPUs, start_ns 1000), @b at 1000, a trailer */
static void file2(struct craft *c, const struct cr2 *b)
{
	struct cr_hdr h;

	cr_hdr_default(&h);
	h.version = 2;
	cr_header(c, &h);
	cr2_events(c, b, 1000);
	cr_trailer(c, 1000000, 2);
}

static void bad2(const char *name, const struct cr2 *b, const char *msg)
{
	char full[200];
	struct craft c;

	file2(&c, b);
	snprintf(full, sizeof(full), "block 0: %s", msg);
	error_case(name, &c, full);
}

static void good2(const char *name, const struct cr2 *b)
{
	struct craft c;

	file2(&c, b);
	ok_case(name, &c, b->nt);
}

static void walk_directory(void)
{
	static const char wmsg[] = "bad block directory (a field width is out of range)";
	struct cr2 b;

	base2(&b);
	good2("v2: the base block", &b);

	base2(&b);
	b.wt = 0;
	bad2("v2: wT 0", &b, wmsg);
	base2(&b);
	b.wt = 9;
	bad2("v2: wT 9", &b, wmsg);
	base2(&b);
	b.wd = 33;
	bad2("v2: wD 33", &b, wmsg);
	base2(&b);
	b.wc = 33;
	bad2("v2: wC 33", &b, wmsg);
	base2(&b);
	b.wk = 22;
	bad2("v2: wK 22", &b, wmsg);
	base2(&b);
	b.wv = 30;
	bad2("v2: wV 30", &b, wmsg);

	/* 2^wT - 1 = 3 entries at most */
	base2(&b);
	b.ndict = 4;
	b.dict[3] = 0x4;
	bad2("v2: 4 tags in a 2-bit dictionary", &b, "bad block directory (tag dictionary)");

	/* invalid tags: type 0, bit 12, a switch's state 3, TGID_X in a plain block,
	 * a full record with another bit */
	base2(&b);
	b.dict[1] = 0x0;
	bad2("v2: a tag of type 0", &b, "bad tag in the dictionary");
	base2(&b);
	b.dict[1] = 0x1086;
	bad2("v2: a tag with bit 12", &b, "bad tag in the dictionary");
	base2(&b);
	b.dict[0] = 0x3B5;
	bad2("v2: a switch of state 3", &b, "bad tag in the dictionary");
	base2(&b);
	b.dict[1] = 0x486;
	bad2("v2: TGID_X in a plain block", &b, "bad tag in the dictionary");
	base2(&b);
	b.dict[2] = 0x1F;
	bad2("v2: a full record with another bit", &b, "bad tag in the dictionary");

	/* the task table: more than 2n entries, a tid below 0 or above 2^32 - 1 */
	base2(&b);
	b.ntasks = 9;
	bad2("v2: 9 tasks for 4 events", &b, "bad block directory (task table)");
	base2(&b);
	b.tids[0] = -1;
	bad2("v2: tid -1", &b, "bad task in the task table");
	base2(&b);
	b.tids[1] = 1ll << 32;
	bad2("v2: tid 2^32", &b, "bad task in the task table");

	/* counts beyond their limits: E n, K and V 2n */
	base2(&b);
	b.say_ne = 5;
	bad2("v2: 5 escapes for 4 events", &b, "bad block directory (stream sizes)");
	base2(&b);
	b.say_nk = 9;
	bad2("v2: 9 task indices for 4 events", &b, "bad block directory (stream sizes)");
	base2(&b);
	b.say_nv = 9;
	bad2("v2: 9 values for 4 events", &b, "bad block directory (stream sizes)");
}

/* The streams, one byte too many or too few for the directory */
static void walk_fill(void)
{
	uint8_t pl[8192];
	struct craft c;
	struct cr_hdr h;
	struct cr2 b;
	uint32_t len;
	int extra;

	for (extra = -1; extra <= 1; extra += 2) {
		base2(&b);
		len = cr2_payload(&b, pl);
		pl[len] = 0;
		len += extra;
		cr_hdr_default(&h);
		h.version = 2;
		cr_header(&c, &h);
		cr_block(&c, 1, 0, pl, len, len, 4, 1000);
		cr_trailer(&c, 1000000, 2);
		error_case(extra > 0 ? "v2: a byte after the streams" :
				       "v2: a byte short of the streams", &c,
			   "block 0: the streams do not fill the block exactly");
	}

	/* a header announcing more events than 4 per byte of payload */
	base2(&b);
	len = cr2_payload(&b, pl);
	cr_hdr_default(&h);
	h.version = 2;
	cr_header(&c, &h);
	cr_block(&c, 1, 0, pl, len, len, 4 * len + 1, 1000);
	cr_trailer(&c, 1000000, 2);
	error_case("v2: more than 4 events per byte", &c, "block 0: bad block sizes");
}

static void walk_streams(void)
{
	struct cr2 b;

	/* T: an index past the dictionary that is not the escape (wT 3: 7 escapes) */
	base2(&b);
	b.wt = 3;
	b.t[3] = 7;
	good2("v2: a 3-bit T", &b);
	base2(&b);
	b.wt = 3;
	b.t[3] = 5;
	bad2("v2: tag index 5 of 3", &b, "bad tag index");

	/* E: missing, left over, invalid (an EXIT with DEPTH_X) */
	base2(&b);
	b.ne = 0;
	bad2("v2: an escape without E", &b, "the records use more tags than stream E has");
	base2(&b);
	b.ne = 2;
	b.e[1] = 0x4;
	bad2("v2: E left over", &b, "stream E has more tags than the records use");
	base2(&b);
	b.e[0] = 0x83;
	bad2("v2: an EXIT with DEPTH_X in E", &b, "bad tag");

	/* K: left over, missing, an index past the task table */
	base2(&b);
	b.nk = 4;
	bad2("v2: K left over", &b, "stream K has more values than the records use");
	base2(&b);
	b.nk = 2;
	bad2("v2: K short", &b, "the records use more values than stream K has");
	base2(&b);
	b.wk = 2;
	b.k[1] = 2;
	bad2("v2: task index 2 of 2", &b, "reference to an unknown task");

	/* V: left over, missing */
	base2(&b);
	b.nv = 3;
	bad2("v2: V left over", &b, "stream V has more values than the records use");
	base2(&b);
	b.nv = 1;
	bad2("v2: V short", &b, "the records use more values than stream V has");

	/* the CPU's state: a switch or kfault that names none */
	base2(&b);
	b.dict[0] = 0x185;	/* prev and next from the CPU, which has none yet */
	b.nk = 1;
	b.k[0] = 0;
	bad2("v2: an implicit prev first", &b, "switch refers to no previous switch on its CPU");
	base2(&b);
	b.c[1] = 1;		/* the kfault on CPU 1, which ran nothing */
	bad2("v2: a kfault on an idle CPU", &b, "record refers to no task running on its CPU");
	base2(&b);
	b.wc = 11;
	b.c[2] = 1500;		/* no state: the implicit switch cannot be */
	bad2("v2: an implicit switch on CPU 1500", &b,
	     "switch refers to no previous switch on its CPU");
	base2(&b);
	b.wc = 32;
	b.c[3] = UINT32_MAX;	/* the FREE names its task */
	good2("v2: a FREE on CPU 4294967295", &b);
}

static void walk_bytes(void)
{
	struct cr2 b;

	/* XD: an unterminated varint, a byte left over */
	base2(&b);
	b.d[1] = 15;
	b.lxd = 1;
	b.xd[0] = 0x80;
	bad2("v2: a bad varint in XD", &b, "bad varint in stream XD");
	base2(&b);
	b.d[1] = 15;
	b.lxd = 2;
	b.xd[0] = 10;
	b.xd[1] = 0;
	bad2("v2: XD left over", &b, "bytes left after the last record");
	base2(&b);
	b.d[1] = 15;
	b.lxd = 1;
	b.xd[0] = 10;
	good2("v2: an escaped delta", &b);

	/* XV: 2^29 (its bytes pass 2^32), a value left over */
	base2(&b);
	b.v[0] = 255;
	b.lxv = (uint32_t)(cr_varint(b.xv, 1u << 29) - b.xv);
	bad2("v2: a value of 2^29 in XV", &b, "bad value in stream XV");
	base2(&b);
	b.v[0] = 255;
	b.lxv = 2;
	b.xv[0] = 4;
	b.xv[1] = 4;
	bad2("v2: XV left over", &b, "stream XV has more values than the records use");

	/* M: a bad varint (a KENTRY's arg), a comm of 16, a full record of type 0 */
	base2(&b);
	b.e[0] = 0x7;		/* KENTRY of the CPU's task... */
	b.c[3] = 0;		/* ...on CPU 0, which has one */
	b.nk = 2;
	b.lm = 1;
	b.m[0] = 0x80;
	bad2("v2: a bad varint in M", &b, "bad varint in stream M");
	base2(&b);
	b.e[0] = 0x801;		/* SNAPSHOT with COMM_X: K 0, V hwm8 and depth8 */
	b.nv = 4;
	b.lm = 1;
	b.m[0] = 16;
	bad2("v2: a comm of 16 bytes", &b, "bad comm");
	base2(&b);
	b.e[0] = 0xF;
	b.nk = 2;
	b.lm = 26;
	memset(b.m, 0, 26);	/* type 0 */
	bad2("v2: a full record of type 0", &b, "bad full record");
	base2(&b);
	b.lm = 1;
	bad2("v2: M left over", &b, "bytes left after the last record");
}

static void walk_times2(void)
{
	struct cr2 b;
	struct craft c;
	struct cr_hdr h;

	/* the first event 5 ns after the base time */
	base2(&b);
	b.d[0] = 5;
	bad2("v2: the first event after the base time", &b,
	     "the first event's time (1005 ns) is not the block's base time (1000 ns)");

	/* an escaped delta of 2^63 - 1000 from 1000 + 10: past 2^63 - 1 */
	base2(&b);
	b.d[2] = 15;
	b.lxd = (uint32_t)(cr_varint(b.xd, (1ull << 63) - 1000) - b.xd);
	bad2("v2: an escaped delta past 2^63 - 1", &b,
	     "time out of range: an event's time passes 2^63 - 1 ns");

	/* valid: the same delta one less, the trailer at 2^63 - 1 */
	base2(&b);
	b.d[2] = 15;
	b.d[3] = 0;
	b.lxd = (uint32_t)(cr_varint(b.xd, (1ull << 63) - 1011) - b.xd);
	cr_hdr_default(&h);
	h.version = 2;
	cr_header(&c, &h);
	cr2_events(&c, &b, 1000);
	cr_trailer(&c, (1ull << 63) - 1, 2);
	ok_case("v2: an event at 2^63 - 1", &c, 4);
}

/* A TGID block: tgids in the task table; one below 0 is refused */
static void walk_tgid(void)
{
	struct cr2 b;

	base2(&b);
	b.tgid_block = 1;
	b.tgids[0] = 90;
	b.tgids[1] = 200;
	good2("v2: a TGID block", &b);
	b.tgids[0] = -5;
	bad2("v2: tgid -5", &b, "bad tgid in the task table");
}

void walk_crafted2(void)
{
	walk_directory();
	walk_fill();
	walk_streams();
	walk_bytes();
	walk_times2();
	walk_tgid();
}
