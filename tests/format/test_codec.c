// SPDX-License-Identifier: MIT
/*
 * Block codecs, TGID blocks and the two versions' event encodings
 * (data/FORMAT.md "Blocks", "Records", "Version 2 event blocks"):
 *
 * - a version-1 block built by hand from FORMAT.md (TGID records:
 *   remembered tgids, arg = state, a tgid carried in a flags varint),
 *   stored and as a zstd frame, decodes to the events worked out below;
 * - so does a version-2 block whose streams are worked out by hand: every
 *   type, each implicit field (prev, next, the CPU's task, remembered
 *   values, the last comm), escaped tags, times and values, table tgids;
 * - in each version, every codec round-trips, one file may mix them, and
 *   the block headers say which codec each block uses;
 * - a damaged payload is a checksum mismatch; a payload that does not
 *   decompress but has a correct CRC is "cannot decompress"; unknown codecs
 *   and flags are refused by name;
 * - collector-shaped events (tgid in switches and kfaults, arg = state) are
 *   written compactly in TGID blocks, not as full records;
 * - the shipped recordings (data/traces, version 2) read whole and
 *   round-trip through every codec of both versions (that their events
 *   are those the version-1 files held is tests/cli/format_dump.sh's).
 *
 *   test_codec TRACES_DIR
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "craft.h"
#include "kst.h"
#include "test_format.h"

int test_failures;

static char dir[] = "/tmp/kst-codec-XXXXXX";

/* The version the writer writes, and its events per block */
static uint32_t version = 1;
static size_t block_events = 4096;

/* --- byte helpers, from FORMAT.md, independent of common/ --- */

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* A file header whose TLV area holds ncpus = 2 only (defaults elsewhere) */
#define HDR_LEN 23

static size_t put_header(uint8_t *p)
{
	memcpy(p, "\x89KSTACK\n", 8);
	put32(p + 8, 1);
	put32(p + 12, 3);
	p[16] = 3;	/* tag ncpus, length 1, value 2 */
	p[17] = 1;
	p[18] = 2;
	put32(p + 19, (uint32_t)crc32(0, p, 19));
	return HDR_LEN;
}

/* Block @seq with @payload; the payload CRC and header CRC are computed. */
static size_t put_block(uint8_t *p, uint32_t seq, uint8_t flags, const uint8_t *payload,
			uint32_t plen, uint32_t raw_len, uint32_t nev, uint64_t base)
{
	put32(p, 0x424b534b);
	put32(p + 4, seq);
	p[8] = 1;
	p[9] = flags;
	p[10] = p[11] = 0;
	put32(p + 12, plen);
	put32(p + 16, raw_len);
	put32(p + 20, nev);
	put32(p + 24, (uint32_t)base);
	put32(p + 28, (uint32_t)(base >> 32));
	memcpy(p + 40, payload, plen);
	put32(p + 32, (uint32_t)crc32(0, payload, plen));
	put32(p + 36, (uint32_t)crc32(0, p, 36));
	return 40 + plen;
}

/* Recompute both CRCs of the block at @b after its payload was changed. */
static void fix_crcs(uint8_t *b)
{
	put32(b + 32, cr_crc(version, b + 40, le32(b + 12)));
	put32(b + 36, cr_crc(version, b, 36));
}

struct layout {
	size_t off[512];
	size_t nblocks;
};

static void walk(const uint8_t *buf, size_t len, struct layout *l)
{
	size_t off = 16 + le32(buf + 12) + 4;

	l->nblocks = 0;
	while (off + 40 <= len && le32(buf + off) == 0x424b534b && l->nblocks < 512) {
		l->off[l->nblocks++] = off;
		off += 40 + le32(buf + off + 12);
	}
}

/* --- reading and writing through the library --- */

/* Read all events of @buf; returns the final code, the message in @err. */
static int read_mem(const uint8_t *buf, size_t len, struct ks_event **out, size_t *count,
		    struct ks_error *err)
{
	const struct ks_event *evs;
	struct kst_reader *r;
	size_t n, cap = 0;
	int ret;

	*out = NULL;
	*count = 0;
	memset(err, 0, sizeof(*err));
	ret = kst_reader_open_mem(&r, buf, len, err);
	if (ret)
		return ret;
	while ((ret = kst_reader_next_block(r, &evs, &n, err)) > 0) {
		if (*count + n > cap) {
			cap = (*count + n) * 2;
			*out = realloc(*out, cap * sizeof(**out));
		}
		memcpy(*out + *count, evs, n * sizeof(*evs));
		*count += n;
	}
	kst_reader_free(r);
	return ret;
}

/*
 * Write @evs to a file with @codec at @level (level -1: the codec's
 * default); with @flush, a block ends every @flush events and the codec
 * cycles none, deflate, zstd from block to block.  Returns the bytes.
 */
static uint8_t *write_mem(const struct ks_event *evs, size_t n, int codec, int level,
			  size_t flush, size_t *len)
{
	struct ks_error err = { 0 };
	struct kst_writer *w;
	struct kst_info in;
	char path[256];
	uint8_t *buf;
	size_t i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/w.kst", dir);
	kst_info_init(&in);
	in.version = version;
	kst_info_set_ncpus(&in, 2);
	in.end_ns = n ? evs[n - 1].time : 0;
	if (kst_writer_create(&w, path, &in, &err)) {
		CHECK(0);
		exit(1);
	}
	if (codec >= 0)
		CHECK_EQ(kst_writer_set_codec(w, codec), 0);
	if (level >= 0)
		kst_writer_set_compress(w, level);
	for (i = 0; i < n; i++) {
		if (flush && i % flush == 0) {
			CHECK_EQ(kst_writer_flush(w), 0);
			CHECK_EQ(kst_writer_set_codec(w, (int)(i / flush % 3)), 0);
		}
		CHECK_EQ(kst_writer_add(w, &evs[i]), 0);
	}
	CHECK_EQ(kst_writer_close(w, &in), 0);
	kst_info_release(&in);
	f = fopen(path, "rb");
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	rewind(f);
	buf = malloc(*len + 1);
	if (fread(buf, 1, *len, f) != *len)
		CHECK(0);
	fclose(f);
	return buf;
}

static int same_events(const struct ks_event *a, const struct ks_event *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (memcmp(&a[i], &b[i], sizeof(a[i]))) {
			fprintf(stderr, "event %zu differs: type %u/%u time %llu/%llu tid %u/%u "
				"tgid %u/%u arg %u/%u\n", i, a[i].type, b[i].type,
				(unsigned long long)a[i].time, (unsigned long long)b[i].time,
				a[i].tid, b[i].tid, a[i].tgid, b[i].tgid, a[i].arg, b[i].arg);
			return 0;
		}
	}
	return 1;
}

/* --- a block by hand --- */

/*
 * Six records of a TGID block (flags 0x04), base time 1000, worked out
 * from FORMAT.md:
 *
 * 1. 81 00 C9 01 13 80 04 40 02 'a' 'b': SNAPSHOT (0x80|1), dt 0 same CPU,
 *    new tid 100 (100<<1|1 = 201), tgid zigzag(90-100) = 19, hwm8 512,
 *    depth8 64, comm "ab".  Task 0 = 100, remembered tgid 90.
 * 2. 14 28 00 91 03 0A: SWITCH with HWM and state 1; dt 10 (40 = 0x28);
 *    prev = task 0, next new tid 200 (401 = 0x91 0x03) = task 1, hwm =
 *    remembered 0, depth8 10.  tgid = prev's remembered 90, arg = state 1.
 *    CPU 0: last_next = task 1, last_prev = task 0.
 * 3. 86 2A 01 02 64: KFAULT, dt 10 with CPU explicit (42), cpu 1, task 1,
 *    depth8 100.  No flags: tgid = task 1's remembered tgid, its tid 200.
 * 4. 96 00 02 64 84 80 04 DB 01: KFAULT with flags (0x10), same time and
 *    CPU, task 1, depth8 100, flags varint 0x10004 (flags 4 and bit 16: a
 *    tgid follows), tgid zigzag(90-200) = 219.  Task 1 now remembers 90.
 * 5. 08 28 02 00 03: SWITCH with DEPTH, state 0, dt 10 on CPU 1; prev task
 *    1, next task 0, hwm8 3; depth = task 1's remembered 0; tgid 90.
 * 6. 2F 29: SWITCH with PREV, PINGPONG, HWM, DEPTH, state 2 (dead); dt 10
 *    on the other CPU (41), CPU 0: prev = last_next task 1, next =
 *    last_prev task 0, hwm 24 and depth 0 remembered by record 5, tgid 90,
 *    arg 2.
 */
static const uint8_t hand_payload[] = {
	0x81, 0x00, 0xC9, 0x01, 0x13, 0x80, 0x04, 0x40, 0x02, 'a', 'b',
	0x14, 0x28, 0x00, 0x91, 0x03, 0x0A,
	0x86, 0x2A, 0x01, 0x02, 0x64,
	0x96, 0x00, 0x02, 0x64, 0x84, 0x80, 0x04, 0xDB, 0x01,
	0x08, 0x28, 0x02, 0x00, 0x03,
	0x2F, 0x29,
};

static void hand_events(struct ks_event *e)
{
	memset(e, 0, 6 * sizeof(*e));
	e[0] = (struct ks_event){ .time = 1000, .cpu = 0, .type = KS_EV_SNAPSHOT, .tid = 100,
				  .tgid = 90, .hwm = 4096, .depth = 512 };
	memcpy(e[0].comm, "ab", 2);
	e[1] = (struct ks_event){ .time = 1010, .cpu = 0, .type = KS_EV_SWITCH, .tid = 100,
				  .tid2 = 200, .tgid = 90, .hwm = 0, .depth = 80, .arg = 1,
				  .state = 1 };
	e[2] = (struct ks_event){ .time = 1020, .cpu = 1, .type = KS_EV_KFAULT, .tid = 200,
				  .tgid = 200, .depth = 800 };
	e[3] = (struct ks_event){ .time = 1020, .cpu = 1, .type = KS_EV_KFAULT, .tid = 200,
				  .tgid = 90, .depth = 800, .flags = 4 };
	e[4] = (struct ks_event){ .time = 1030, .cpu = 1, .type = KS_EV_SWITCH, .tid = 200,
				  .tid2 = 100, .tgid = 90, .hwm = 24, .depth = 0, .arg = 0,
				  .state = 0 };
	e[5] = (struct ks_event){ .time = 1040, .cpu = 0, .type = KS_EV_SWITCH, .tid = 200,
				  .tid2 = 100, .tgid = 90, .hwm = 24, .depth = 0, .arg = 2,
				  .state = 2 };
}

static void test_hand_block(void)
{
	const uint32_t plen = sizeof(hand_payload);
	uint8_t buf[1024], z[512];
	struct ks_event want[6], *got;
	struct ks_error err;
	size_t len, zlen, count;

	hand_events(want);

	/* stored */
	len = put_header(buf);
	len += put_block(buf + len, 0, 0x04, hand_payload, plen, plen, 6, 1000);
	CHECK_EQ(read_mem(buf, len, &got, &count, &err), 0);
	CHECK_EQ(count, 6);
	if (count == 6)
		CHECK(same_events(want, got, 6));
	free(got);

	/* a zstd frame of the same payload (flags 0x04 | 0x02) */
	zlen = ZSTD_compress(z, sizeof(z), hand_payload, plen, 3);
	CHECK(!ZSTD_isError(zlen));
	len = put_header(buf);
	len += put_block(buf + len, 0, 0x06, z, zlen, plen, 6, 1000);
	CHECK_EQ(read_mem(buf, len, &got, &count, &err), 0);
	CHECK_EQ(count, 6);
	if (count == 6)
		CHECK(same_events(want, got, 6));
	free(got);

	/* ... whose magic is damaged, with correct CRCs: not decompressible */
	buf[HDR_LEN + 40] ^= 0xff;
	fix_crcs(buf + HDR_LEN);
	CHECK_EQ(read_mem(buf, len, &got, &count, &err), -KS_E_CORRUPT);
	CHECK(!strcmp(err.detail, "block 0: cannot decompress"));
	free(got);
	buf[HDR_LEN + 40] ^= 0xff;

	/* ... cut by one byte (P - 1), CRCs correct: not one whole frame */
	put32(buf + HDR_LEN + 12, zlen - 1);
	fix_crcs(buf + HDR_LEN);
	CHECK_EQ(read_mem(buf, len - 1, &got, &count, &err), -KS_E_CORRUPT);
	CHECK(!strcmp(err.detail, "block 0: cannot decompress"));
	free(got);

	/* ... announcing one raw byte more than the frame holds */
	put32(buf + HDR_LEN + 12, zlen);
	put32(buf + HDR_LEN + 16, plen + 1);
	fix_crcs(buf + HDR_LEN);
	CHECK_EQ(read_mem(buf, len, &got, &count, &err), -KS_E_CORRUPT);
	CHECK(!strcmp(err.detail, "block 0: cannot decompress"));
	free(got);

	/* the same records in a plain block: record 4's flags > 16 bits are invalid */
	len = put_header(buf);
	len += put_block(buf + len, 0, 0x00, hand_payload, plen, plen, 6, 1000);
	CHECK_EQ(read_mem(buf, len, &got, &count, &err), -KS_E_CORRUPT);
	CHECK(!strcmp(err.detail, "block 0: bad record value"));
	free(got);

	/* codec 3 and an unknown flag bit: refused by name */
	len = put_header(buf);
	len += put_block(buf + len, 0, 0x07, hand_payload, plen, plen, 6, 1000);
	CHECK_EQ(read_mem(buf, len, &got, &count, &err), -KS_E_CORRUPT);
	CHECK(!strcmp(err.detail, "block 0: unsupported compression (unknown block flags)"));
	free(got);
	len = put_header(buf);
	len += put_block(buf + len, 0, 0x0c, hand_payload, plen, plen, 6, 1000);
	CHECK_EQ(read_mem(buf, len, &got, &count, &err), -KS_E_CORRUPT);
	CHECK(!strcmp(err.detail, "block 0: unsupported block flags"));
	free(got);
}


/*
 * A version-2 TGID block of nine events, its streams worked out by hand
 * from FORMAT.md "Version 2 event blocks" (base time 1000; widths wT 3,
 * wD 4, wC 2, wK 2, wV 9, so a delta of 15 and a value of 511 are escapes):
 *
 *   task table: 100, 200, 300, 400; tgids 90, 200, 90, 400
 *   dictionary: the tags of events 0 to 6; events 7 and 8 escape (index 7)
 *
 * 0. SNAPSHOT 0x00010C01 (TGID_X, COMM_X, flags 1), dt 0, cpu 0: K 0 (tid
 *    100); M 0x13 = zigzag(90 - 100), then the comm 02 'a' 'b'; V 511 (an
 *    escape: XV 80 04 = 512, hwm 4096), V 64 (depth 512).  Task 0
 *    remembers tgid 90; the last comm is "ab".
 * 1. SWITCH 0x1B5 (PREV_X, NEXT_X, DEPTH_X, state 1), dt 10, cpu 0: K 0,
 *    K 1 (100 -> 200); hwm = task 0's remembered 0; V 10 (depth 80).  A
 *    TGID block: tgid = task 0's remembered 90, arg = state 1.  CPU 0:
 *    last_next 1, last_prev 0.
 * 2. KFAULT 0x00040086 (DEPTH_X, flags 4), dt 5, cpu 0: the task is CPU
 *    0's current one, task 1 (tid 200); V 100 (depth 800); tgid = task 1's
 *    table tgid 200.
 * 3. KFAULT 0x416 (TASK_X, TGID_X), dt escaped (D 15, XD E8 07 = 1000),
 *    cpu 1: K 2 (tid 300); depth = task 2's remembered kdepth 0; M C9 04 =
 *    585 = zigzag(7 - 300): tgid 7, now task 2's.
 * 4. SWITCH 0x45 (HWM_X, state 0), dt 2, cpu 0: prev = CPU 0's last next
 *    (task 1, 200), next = its last prev (task 0, 100); V 3 (hwm 24);
 *    depth = task 1's remembered 0; tgid 200, arg 0.
 * 5. NEW 0x2, dt 0, cpu 0: K 3 (tid 400), K 0 (parent 100); tgid = tid
 *    400; comm = the last comm "ab".
 * 6. EXIT 0x00200003 (flags 0x20), dt 1, cpu 1: K 1 (200); tgid = tid 200;
 *    hwm = task 1's remembered hwm, 24 since event 4.
 * 7. LOST 0x00100009 (escaped: E), dt 0, cpu 3: M 03: arg 3, flags 0x10.
 * 8. full record 0x0000000F (escaped: E), dt 0, cpu 0: M 04 09 08 07 01 02
 *    03 05 06 and 16 'x': a FREE with every field set, state 6.
 *
 * T packs 0 1 2 3 4 5 6 7 7 at 3 bits: 88 C6 FA 07.
 */
static const uint32_t hand2_tags[7] = {
	0x00010C01, 0x1B5, 0x00040086, 0x416, 0x45, 0x2, 0x00200003,
};

static void hand2_block(struct cr2 *b)
{
	static const uint8_t m[] = {
		0x13, 0x02, 'a', 'b', 0xC9, 0x04, 0x03,
		0x04, 0x09, 0x08, 0x07, 0x01, 0x02, 0x03, 0x05, 0x06,
		'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x',
	};
	static const uint32_t t[] = { 0, 1, 2, 3, 4, 5, 6, 7, 7 };
	static const uint32_t d[] = { 0, 10, 5, 15, 2, 0, 1, 0, 0 };
	static const uint32_t c[] = { 0, 0, 0, 1, 0, 0, 1, 3, 0 };
	static const uint32_t k[] = { 0, 0, 1, 2, 3, 0, 1 };
	static const uint32_t v[] = { 511, 64, 10, 100, 3 };
	static const int64_t tids[] = { 100, 200, 300, 400 }, tgids[] = { 90, 200, 90, 400 };

	cr2_init(b);
	b->wt = 3;
	b->wd = 4;
	b->wc = 2;
	b->wk = 2;
	b->wv = 9;
	b->ndict = 7;
	memcpy(b->dict, hand2_tags, sizeof(hand2_tags));
	b->ntasks = 4;
	memcpy(b->tids, tids, sizeof(tids));
	memcpy(b->tgids, tgids, sizeof(tgids));
	b->tgid_block = 1;
	b->nt = b->nd = b->nc = 9;
	memcpy(b->t, t, sizeof(t));
	memcpy(b->d, d, sizeof(d));
	memcpy(b->c, c, sizeof(c));
	b->ne = 2;
	b->e[0] = 0x00100009;
	b->e[1] = 0x0000000F;
	b->nk = 7;
	memcpy(b->k, k, sizeof(k));
	b->nv = 5;
	memcpy(b->v, v, sizeof(v));
	b->lxd = 2;
	b->xd[0] = 0xE8;
	b->xd[1] = 0x07;
	b->lxv = 2;
	b->xv[0] = 0x80;
	b->xv[1] = 0x04;
	b->lm = sizeof(m);
	memcpy(b->m, m, sizeof(m));
}

static void hand2_events(struct ks_event *e)
{
	memset(e, 0, 9 * sizeof(*e));
	e[0] = (struct ks_event){ .time = 1000, .cpu = 0, .type = KS_EV_SNAPSHOT, .tid = 100,
				  .tgid = 90, .hwm = 4096, .depth = 512, .flags = 1 };
	memcpy(e[0].comm, "ab", 2);
	e[1] = (struct ks_event){ .time = 1010, .cpu = 0, .type = KS_EV_SWITCH, .tid = 100,
				  .tid2 = 200, .tgid = 90, .hwm = 0, .depth = 80, .arg = 1,
				  .state = 1 };
	e[2] = (struct ks_event){ .time = 1015, .cpu = 0, .type = KS_EV_KFAULT, .tid = 200,
				  .tgid = 200, .depth = 800, .flags = 4 };
	e[3] = (struct ks_event){ .time = 2015, .cpu = 1, .type = KS_EV_KFAULT, .tid = 300,
				  .tgid = 7 };
	e[4] = (struct ks_event){ .time = 2017, .cpu = 0, .type = KS_EV_SWITCH, .tid = 200,
				  .tid2 = 100, .tgid = 200, .hwm = 24 };
	e[5] = (struct ks_event){ .time = 2017, .cpu = 0, .type = KS_EV_NEW, .tid = 400,
				  .tid2 = 100, .tgid = 400 };
	memcpy(e[5].comm, "ab", 2);
	e[6] = (struct ks_event){ .time = 2018, .cpu = 1, .type = KS_EV_EXIT, .tid = 200,
				  .tgid = 200, .hwm = 24, .flags = 0x20 };
	e[7] = (struct ks_event){ .time = 2018, .cpu = 3, .type = KS_EV_LOST, .arg = 3,
				  .flags = 0x10 };
	e[8] = (struct ks_event){ .time = 2018, .cpu = 0, .type = KS_EV_FREE, .tid = 9,
				  .tid2 = 8, .tgid = 7, .hwm = 8, .depth = 16, .arg = 3, .flags = 5,
				  .state = 6 };
	memset(e[8].comm, 'x', KS_COMM_LEN);
}

/* Read the events of a version-2 craft */
static int read_craft(struct craft *c, struct ks_event **got, size_t *count,
		      struct ks_error *err)
{
	int ret = read_mem(c->buf, c->len, got, count, err);

	free(c->buf);
	memset(c, 0, sizeof(*c));
	return ret;
}

static void test_hand_block2(void)
{
	static const uint8_t packed_t[] = { 0x88, 0xC6, 0xFA, 0x07 };
	struct ks_event want[9], *got;
	struct ks_error err;
	struct craft c;
	struct cr_hdr h;
	struct cr2 b;
	uint8_t out[8], pl[8192];
	size_t count;
	uint32_t len, i;

	hand2_block(&b);
	hand2_events(want);
	/* the packer agrees with the bits worked out above */
	CHECK_EQ(cr2_pack(out, b.t, 9, 3) - out, 4);
	CHECK(!memcmp(out, packed_t, 4));

	cr_hdr_default(&h);
	h.version = 2;
	h.v[3] = 4;	/* ncpus */
	cr_header(&c, &h);
	cr2_events(&c, &b, 1000);
	CHECK_EQ(read_craft(&c, &got, &count, &err), 0);
	CHECK_EQ(count, 9);
	if (count == 9)
		CHECK(same_events(want, got, 9));
	free(got);

	/* the same payload as one zstd frame (block flags 0x04 | 0x02) */
	{
		uint8_t z[8192];
		size_t zlen;

		len = cr2_payload(&b, pl);
		zlen = ZSTD_compress(z, sizeof(z), pl, len, 3);
		CHECK(!ZSTD_isError(zlen));
		cr_header(&c, &h);
		cr_block(&c, 1, 0x06, z, (uint32_t)zlen, len, 9, 1000);
		CHECK_EQ(read_craft(&c, &got, &count, &err), 0);
		if (count == 9)
			CHECK(same_events(want, got, 9));
		free(got);
	}

	/* a plain block: the switch's and kfault's TGID_X are invalid there */
	b.tgid_block = 0;
	cr_header(&c, &h);
	cr2_events(&c, &b, 1000);
	CHECK_EQ(read_craft(&c, &got, &count, &err), -KS_E_CORRUPT);
	CHECK(!strcmp(err.detail, "block 0: bad tag in the dictionary"));
	free(got);

	/*
	 * Without event 3's TGID_X (and its M bytes) the plain block is valid:
	 * its switches and kfaults read tgid 0 and arg 0, the rest is the same.
	 */
	b.dict[3] &= ~0x400u;
	b.lm -= 2;
	memmove(b.m + 4, b.m + 6, b.lm - 4);
	cr_header(&c, &h);
	cr2_events(&c, &b, 1000);
	CHECK_EQ(read_craft(&c, &got, &count, &err), 0);
	for (i = 1; i <= 4; i++) {
		want[i].tgid = 0;
		want[i].arg = 0;
	}
	if (count == 9)
		CHECK(same_events(want, got, 9));
	free(got);
}

/*
 * Switches that take nothing from V, first in their block: a trace without
 * depths (collect --no-bpf) has no V at all.  Two switches on CPU 0 of
 * tasks 0 and 1 (tids 7, 8), hwm and depth the remembered 0: tags 0x135
 * (PREV_X, NEXT_X, state 1) and 0x105 (state 1, both implicit); then the
 * same with the second switch's depth 16 (0x185, DEPTH_X, V 2), which is
 * V's first value although its switch takes no hwm.
 */
static void test_no_values(void)
{
	struct ks_event want[2], *got;
	struct ks_error err;
	struct craft c;
	struct cr_hdr h;
	struct cr2 b;
	size_t count;

	memset(want, 0, sizeof(want));
	want[0] = (struct ks_event){ .time = 1000, .type = KS_EV_SWITCH, .tid = 7, .tid2 = 8,
				     .state = 1 };
	want[1] = (struct ks_event){ .time = 1001, .type = KS_EV_SWITCH, .tid = 8, .tid2 = 7,
				     .state = 1 };
	cr2_init(&b);
	b.wt = 1;
	b.wk = 1;
	b.ndict = 1;
	b.dict[0] = 0x135;
	b.ne = 1;
	b.e[0] = 0x105;
	b.ntasks = 2;
	b.tids[0] = 7;
	b.tids[1] = 8;
	b.nt = b.nd = b.nc = 2;
	b.t[1] = 1;	/* the escape */
	b.d[1] = 1;
	b.nk = 2;
	b.k[1] = 1;
	cr_hdr_default(&h);
	h.version = 2;
	cr_header(&c, &h);
	cr2_events(&c, &b, 1000);
	CHECK_EQ(read_craft(&c, &got, &count, &err), 0);
	CHECK_EQ(count, 2);
	if (count == 2)
		CHECK(same_events(want, got, 2));
	free(got);

	b.e[0] = 0x185;
	b.nv = 1;
	b.v[0] = 2;
	want[1].depth = 16;
	cr_header(&c, &h);
	cr2_events(&c, &b, 1000);
	CHECK_EQ(read_craft(&c, &got, &count, &err), 0);
	CHECK_EQ(count, 2);
	if (count == 2)
		CHECK(same_events(want, got, 2));
	free(got);
}

/* --- writer-made files --- */

/* Switches and a little lifecycle, tgid 0 (synthetic-shaped), compressible. */
static struct ks_event *gen_plain(size_t n)
{
	struct ks_event *evs = calloc(n, sizeof(*evs));
	uint32_t last_next[2] = { 1, 2 };
	uint64_t s = 5, t = 100;
	size_t i;

	for (i = 0; i < n; i++) {
		struct ks_event *e = &evs[i];
		uint64_t r = splitmix64(&s);
		uint32_t cpu = r & 1, next = 1 + (r >> 8) % 40;

		t += (r >> 16) % 20000;
		e->time = t;
		e->cpu = cpu;
		if ((r >> 40) % 50 == 0) {
			e->type = KS_EV_KFAULT;
			e->tid = last_next[cpu];
			e->depth = 8 * ((r >> 48) % 600);
			continue;
		}
		e->type = KS_EV_SWITCH;
		e->tid = last_next[cpu];
		e->tid2 = next;
		e->hwm = 8 * (200 + e->tid % 7);
		e->depth = 8 * (50 + (r >> 50) % 4);
		e->state = (r >> 56) % 3;
		last_next[cpu] = next;
	}
	return evs;
}

/*
 * Collector-shaped events: tgid filled in switches (prev's) and kfaults,
 * arg = state, threads whose tgid is not their tid, and a few oddities
 * that still round-trip: a tgid that changes, a switch with tgid 0, a
 * switch whose arg is not its state (a full record).  Each CPU starts in
 * its idle task (tid 0, tgid 0, switched out running), as recordings do.
 */
static struct ks_event *gen_collector(size_t n)
{
	struct ks_event *evs = calloc(n, sizeof(*evs));
	uint32_t last_next[2] = { 0, 0 };
	uint64_t s = 11, t = 100;
	size_t i;

	for (i = 0; i < n; i++) {
		struct ks_event *e = &evs[i];
		uint64_t r = splitmix64(&s);
		uint32_t cpu = r & 1, next = 1 + (r >> 8) % 40;

		t += (r >> 16) % 20000;
		e->time = t;
		e->cpu = cpu;
		if ((r >> 40) % 3 == 0) {
			e->type = KS_EV_KFAULT;
			e->tid = last_next[cpu];
			e->tgid = e->tid < 30 ? e->tid : 29;	/* 30..40 are threads of 29 */
			e->depth = 8 * ((r >> 48) % 600);
			e->flags = (r >> 46) & 1 ? KS_F_USER_ADDR : 0;
			continue;
		}
		e->type = KS_EV_SWITCH;
		e->tid = last_next[cpu];
		e->tid2 = next;
		e->tgid = e->tid < 30 ? e->tid : 29;
		e->hwm = 8 * (200 + e->tid % 7);
		e->depth = 8 * (50 + (r >> 50) % 4);
		e->state = e->tid ? (r >> 56) % 3 : KS_STATE_RUNNING;
		e->arg = e->state;
		if (i % 1000 == 7)
			e->tgid = 0;
		if (i % 1000 == 8)
			e->tgid += 100000;
		if (i % 1000 == 9)
			e->arg = 7;
		last_next[cpu] = next;
	}
	return evs;
}

static void test_codecs(void)
{
	const size_t n = 2 * block_events + 1000;	/* three blocks */
	struct ks_event *evs = gen_plain(n), *got;
	static const int want_flags[3] = { 0x00, 0x01, 0x02 };
	struct ks_error err;
	struct layout l;
	size_t len, count, i, sizes[3];
	uint8_t *buf;
	int codec;

	for (codec = KST_CODEC_NONE; codec <= KST_CODEC_ZSTD; codec++) {
		buf = write_mem(evs, n, codec, -1, 0, &len);
		sizes[codec] = len;
		walk(buf, len, &l);
		CHECK(l.nblocks >= 3);
		/* every event block uses the codec (these blocks compress well) */
		for (i = 0; i + 1 < l.nblocks; i++)
			CHECK_EQ(buf[l.off[i] + 9], want_flags[codec]);
		CHECK_EQ(buf[l.off[l.nblocks - 1] + 8], 2);	/* the trailer */
		CHECK_EQ(buf[l.off[l.nblocks - 1] + 9], 0);
		CHECK_EQ(read_mem(buf, len, &got, &count, &err), 0);
		CHECK_EQ(count, n);
		if (count == n)
			CHECK(same_events(evs, got, n));
		free(got);

		/* block 1's payload damaged: a checksum mismatch */
		buf[l.off[1] + 40 + 5] ^= 0x20;
		CHECK_EQ(read_mem(buf, len, &got, &count, &err), -KS_E_CORRUPT);
		CHECK(!strcmp(err.detail, "block 1: checksum mismatch"));
		CHECK_EQ(count, block_events);
		free(got);
		buf[l.off[1] + 40 + 5] ^= 0x20;

		/* block 1's compressed data made invalid, CRCs correct */
		if (codec != KST_CODEC_NONE) {
			/* deflate: first block type 3 (reserved); zstd: bad magic */
			buf[l.off[1] + 40] = codec == KST_CODEC_DEFLATE ? 0x07 : 0x00;
			fix_crcs(buf + l.off[1]);
			CHECK_EQ(read_mem(buf, len, &got, &count, &err), -KS_E_CORRUPT);
			CHECK(!strcmp(err.detail, "block 1: cannot decompress"));
			CHECK_EQ(count, block_events);
			free(got);
		}
		free(buf);
	}
	CHECK(sizes[KST_CODEC_ZSTD] < sizes[KST_CODEC_NONE]);
	CHECK(sizes[KST_CODEC_DEFLATE] < sizes[KST_CODEC_NONE]);

	/* the level: 0 stores even with zstd; an unknown codec is refused */
	buf = write_mem(evs, 5000, KST_CODEC_ZSTD, 0, 0, &len);
	walk(buf, len, &l);
	CHECK_EQ(buf[l.off[0] + 9], 0);
	free(buf);
	buf = write_mem(evs, 5000, KST_CODEC_DEFLATE, 9, 0, &len);
	walk(buf, len, &l);
	CHECK_EQ(buf[l.off[0] + 9], 1);
	free(buf);
	{
		struct kst_writer *w;
		struct kst_info in;
		char path[256];

		kst_info_init(&in);
		in.version = version;
		kst_info_set_ncpus(&in, 1);
		snprintf(path, sizeof(path), "%s/x.kst", dir);
		CHECK_EQ(kst_writer_create(&w, path, &in, &err), 0);
		CHECK_EQ(kst_writer_set_codec(w, 3), -22);
		CHECK_EQ(kst_writer_set_codec(w, -1), -22);
		kst_writer_free(w);
		kst_info_release(&in);
	}

	/*
	 * Mixed codecs in one file: blocks of 1000 cycle none, deflate, zstd.
	 * A version-2 block of random events is packed too tightly for zstd
	 * to shrink it (it is then stored); regular ones still shrink.
	 */
	for (i = 0; i < n; i++) {
		evs[i] = (struct ks_event){ .type = KS_EV_SWITCH, .time = 100 + 1000 * i,
					    .tid = 1 + i % 2, .tid2 = 2 - i % 2, .depth = 64 };
	}
	buf = write_mem(evs, n, -1, -1, 1000, &len);
	walk(buf, len, &l);
	CHECK_EQ(l.nblocks, (n + 999) / 1000 + 1);
	for (i = 0; i + 1 < l.nblocks; i++)
		CHECK_EQ(buf[l.off[i] + 9], want_flags[i % 3]);
	CHECK_EQ(read_mem(buf, len, &got, &count, &err), 0);
	CHECK_EQ(count, n);
	if (count == n)
		CHECK(same_events(evs, got, n));
	free(got);
	free(buf);
	free(evs);
}

static void test_tgid_blocks(void)
{
	const size_t n = 20000;
	struct ks_event *evs, *got;
	struct ks_error err;
	struct layout l;
	size_t len, count, i;
	uint8_t *buf;

	/* tgid in switches and kfaults: TGID blocks, compact */
	evs = gen_collector(n);
	buf = write_mem(evs, n, KST_CODEC_NONE, -1, 0, &len);
	walk(buf, len, &l);
	for (i = 0; i + 1 < l.nblocks; i++)
		CHECK_EQ(buf[l.off[i] + 9], 0x04);
	/*
	 * A full record is at least tag, time word, 8 varints, state and 16
	 * comm bytes: 28 bytes.  Compact records: tag, 2-3 byte time word,
	 * a 1-byte next reference and now and then a depth: under 8.
	 */
	CHECK((double)len / n < 8.0);
	CHECK_EQ(read_mem(buf, len, &got, &count, &err), 0);
	CHECK_EQ(count, n);
	if (count == n)
		CHECK(same_events(evs, got, n));
	free(got);
	free(buf);

	/* the same through zstd */
	buf = write_mem(evs, n, KST_CODEC_ZSTD, -1, 0, &len);
	walk(buf, len, &l);
	CHECK_EQ(buf[l.off[0] + 9], 0x06);
	CHECK_EQ(read_mem(buf, len, &got, &count, &err), 0);
	CHECK_EQ(count, n);
	if (count == n)
		CHECK(same_events(evs, got, n));
	free(got);
	free(buf);
	free(evs);

	/* tgid 0 (synthetic-shaped): no TGID flag */
	evs = gen_plain(n);
	buf = write_mem(evs, n, KST_CODEC_NONE, -1, 0, &len);
	walk(buf, len, &l);
	for (i = 0; i + 1 < l.nblocks; i++)
		CHECK_EQ(buf[l.off[i] + 9], 0x00);
	free(buf);
	free(evs);
}

/* The shipped recordings: readable, and the same events through every codec. */
static void test_shipped(const char *traces)
{
	struct ks_event *evs, *got;
	struct ks_error err;
	struct dirent *de;
	size_t files = 0;
	DIR *d = opendir(traces);

	if (!d) {
		fprintf(stderr, "%s: cannot open\n", traces);
		CHECK(0);
		return;
	}
	while ((de = readdir(d))) {
		const struct kst_info *info;
		struct kst_reader *r;
		char path[4096];
		size_t len, n, count;
		uint8_t *buf;
		int codec;

		if (!strstr(de->d_name, ".kst"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", traces, de->d_name);
		buf = NULL;
		{
			FILE *f = fopen(path, "rb");

			fseek(f, 0, SEEK_END);
			len = ftell(f);
			rewind(f);
			buf = malloc(len);
			if (fread(buf, 1, len, f) != len)
				CHECK(0);
			fclose(f);
		}
		CHECK_EQ(read_mem(buf, len, &evs, &n, &err), 0);
		CHECK_EQ(kst_reader_open_mem(&r, buf, len, &err), 0);
		info = kst_reader_info(r);
		CHECK(!info->truncated);
		CHECK_EQ(info->version, 2);
		CHECK_EQ(n, info->nr_events);
		CHECK(n > 1000);
		kst_reader_free(r);
		free(buf);
		for (codec = KST_CODEC_NONE; codec <= KST_CODEC_ZSTD; codec++) {
			buf = write_mem(evs, n, codec, -1, 0, &len);
			CHECK_EQ(read_mem(buf, len, &got, &count, &err), 0);
			CHECK_EQ(count, n);
			if (count == n && !same_events(evs, got, n)) {
				fprintf(stderr, "%s: codec %d differs\n", de->d_name, codec);
				CHECK(0);
			}
			free(got);
			free(buf);
		}
		free(evs);
		files++;
	}
	closedir(d);
	CHECK(files >= 1);
}

int main(int argc, char **argv)
{
	char cmd[300];

	if (argc < 2) {
		fprintf(stderr, "usage: test_codec TRACES_DIR\n");
		return 2;
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_hand_block();
	test_hand_block2();
	test_no_values();
	for (version = 1; version <= 2; version++) {
		block_events = version == 1 ? 4096 : 16384;
		test_codecs();
		test_tgid_blocks();
		test_shipped(argv[1]);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	if (test_failures)
		fprintf(stderr, "%d checks failed\n", test_failures);
	return test_failures ? 1 : 0;
}
