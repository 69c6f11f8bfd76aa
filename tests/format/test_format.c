// SPDX-License-Identifier: MIT
/*
 * Trace format tests, for each format version (1 and 2): every event type
 * and field round-trips (stored and compressed, across many blocks),
 * header and trailer round-trip, ids, truncated and corrupt files, bad
 * magic and version, writer checks.
 *
 * The expected values are the events that were written, and block
 * boundaries are found by walking the block headers as FORMAT.md lays them
 * out (40-byte header, payload length at byte 12, events at byte 20), not
 * through the reader.  Checksums are recomputed with craft.h's own CRCs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "craft.h"
#include "kst.h"
#include "kst_fmt.h"
#include "test_format.h"

int test_failures;

static char dir[] = "/tmp/kst-test-XXXXXX";

/* The version under test, and its writer's events per block (FORMAT.md "Limits") */
static uint32_t version;
static size_t block_events;

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

/* The header's start_ns: every event comes at or after it */
#define START_NS 123456789012345ull

static void fill_info(struct kst_info *in)
{
	kst_info_init(in);
	in->version = version;
	in->page_size = 16384;
	in->thread_size = 32768;
	in->depth_source = KST_DEPTH_EXACT;
	in->ram_kb = 131072000;
	in->start_ns = START_NS;
	in->nr_kernel_stack_start_kb = 23456;
	in->seed = 0xdeadbeefcafef00dull;
	snprintf(in->host, sizeof(in->host), "build-host.example.org");
	snprintf(in->kernel, sizeof(in->kernel), "6.1.0-18-amd64");
	snprintf(in->arch, sizeof(in->arch), "x86_64");
	snprintf(in->clock, sizeof(in->clock), "mono");
	snprintf(in->collector, sizeof(in->collector), "kstack-collect 0.1");
	/* 255 chars: the longest options string the field holds */
	memset(in->options, 'o', sizeof(in->options) - 1);
	snprintf(in->label, sizeof(in->label), "make -j2 \"quoted\"");
	kst_info_set_ncpus(in, 3);
}

static void set_comm(struct ks_event *e, const char *s)
{
	memset(e->comm, 0, sizeof(e->comm));
	memcpy(e->comm, s, strnlen(s, KS_COMM_LEN - 1));
}

/*
 * A stream with every type and field: mostly switches in the shape of a
 * real trace (prev = the CPU's last next), plus every other type, edge
 * values and records with fields outside their type's table.
 */
static struct ks_event *gen_events(size_t n, uint64_t seed)
{
	struct ks_event *evs = calloc(n, sizeof(*evs));
	uint32_t last_next[4] = { 1, 2, 3, 4 }, hwm[200] = { 0 };
	uint64_t t = START_NS, s = seed;
	size_t i;

	for (i = 0; i < n; i++) {
		struct ks_event *e = &evs[i];
		uint64_t r = splitmix64(&s);
		unsigned int kind = r % 100;

		e->cpu = (r >> 8) % 3;
		/* mostly tens of microseconds, sometimes huge gaps */
		if ((r >> 16) % 1000 == 0)
			t += 1ull << 40;
		else if (i == n / 2)
			t += 1ull << 62;	/* larger than a time word can hold */
		else
			t += (r >> 20) % 60000;
		e->time = t;
		if (kind < 70) {
			uint32_t task = (r >> 32) % 200;

			e->type = KS_EV_SWITCH;
			e->tid = (r >> 40) % 8 ? last_next[e->cpu] : 5000 + task;
			e->tid2 = 5000 + task;
			if (i % 997 == 0)
				e->tid2 = UINT32_MAX - (r >> 50) % 3;
			if ((r >> 48) % 10 == 0)
				hwm[task] = 8 * (1 + (r >> 52) % 8192);
			e->hwm = hwm[task];
			e->depth = 8 * ((r >> 24) % 8193);	/* up to 64 KiB */
			e->state = (r >> 56) % 3;
			e->flags = (r >> 60) % 4 == 0 ? KS_F_HWM_EXACT : 0;
			last_next[e->cpu] = e->tid2;
		} else if (kind < 75) {
			e->type = KS_EV_SNAPSHOT;
			e->tid = (r >> 32) & 1 ? UINT32_MAX : (uint32_t)(r >> 32);
			e->tgid = (uint32_t)(r >> 24);
			e->hwm = 65536;
			e->depth = 8 * ((r >> 40) % 100);
			e->flags = KS_F_KTHREAD | ((r >> 50) & 1 ? KS_F_STOP : 0) | KS_F_HWM_EXACT;
			set_comm(e, "fifteen-chars-x");
		} else if (kind < 80) {
			e->type = KS_EV_NEW;
			e->tid = 70000 + i;
			e->tid2 = (uint32_t)(r >> 32);
			e->tgid = (r >> 40) & 1 ? e->tid : e->tid2;
			e->flags = (r >> 41) & 1 ? KS_F_KTHREAD : 0;
			set_comm(e, (r >> 42) & 1 ? "" : "kworker/u4:2\t\"");
		} else if (kind < 83) {
			e->type = KS_EV_EXIT;
			e->tid = (uint32_t)(r >> 32);
			e->tgid = 1;
			e->hwm = 8 * ((r >> 20) % 8193);
		} else if (kind < 86) {
			e->type = KS_EV_FREE;
			e->tid = (uint32_t)(r >> 32);
		} else if (kind < 89) {
			e->type = KS_EV_KFAULT;
			e->tid = 5000 + (r >> 32) % 200;
			e->depth = 8 * ((r >> 40) % 2048);
			e->flags = KS_F_USER_ADDR | ((r >> 50) & 1 ? KS_F_STACK_ADDR : 0);
		} else if (kind < 92) {
			e->type = (r >> 32) & 1 ? KS_EV_KENTRY : KS_EV_KEXIT;
			e->tid = 5000 + (r >> 33) % 200;
			e->arg = (uint32_t)(r >> 40) << 8 | KS_ENTRY_IRQ;
		} else if (kind < 94) {
			e->type = KS_EV_LOST;
			e->arg = (uint32_t)(r >> 40);
			e->flags = (r >> 33) & 1 ? KS_F_LOST_RB : 0;
		} else if (kind < 96) {
			/* a huge CPU number: no per-CPU state */
			e->type = KS_EV_SWITCH;
			e->cpu = UINT32_MAX - 1;
			e->tid = 1;
			e->tid2 = 2;
			e->depth = 8;
		} else {
			/* fields outside the type's table still round-trip */
			e->type = 1 + (r >> 32) % (KS__EV_MAX - 1);
			e->tid = (uint32_t)(r >> 8);
			e->tid2 = (uint32_t)(r >> 16);
			e->tgid = (uint32_t)(r >> 24);
			e->hwm = 8 * ((r >> 36) % 8193);
			e->depth = 8 * ((r >> 40) % 8193);
			e->arg = (uint32_t)(r >> 28);
			e->flags = (uint16_t)(r >> 44);
			e->state = (r >> 52) % 256;
			memset(e->comm, 'c', KS_COMM_LEN);	/* 16 bytes, no NUL */
		}
	}
	return evs;
}

static int write_trace(const char *path, const struct kst_info *in, const struct ks_event *evs,
		       size_t n, int level, const struct kst_info *end)
{
	struct kst_writer *w;
	struct ks_error err = { 0 };
	size_t i;
	int ret;

	ret = kst_writer_create(&w, path, in, &err);
	if (ret)
		return ret;
	/* version 2 stores by default: compress explicitly */
	if (level)
		kst_writer_set_codec(w, KST_CODEC_ZSTD);
	kst_writer_set_compress(w, level);
	for (i = 0; i < n; i++) {
		ret = kst_writer_add(w, &evs[i]);
		if (ret) {
			kst_writer_free(w);
			return ret;
		}
	}
	return kst_writer_close(w, end);
}

/* Read every event; returns the reader's final code, events in *out. */
static int read_all(const char *path, struct ks_event **out, size_t *count,
		    struct kst_info *info, struct ks_error *err)
{
	struct kst_reader *r;
	const struct ks_event *evs;
	size_t n, total = 0, cap = 0;
	int ret;

	*out = NULL;
	*count = 0;
	ret = kst_reader_open(&r, path, err);
	if (ret)
		return ret;
	while ((ret = kst_reader_next_block(r, &evs, &n, err)) > 0) {
		if (total + n > cap) {
			cap = (total + n) * 2;
			*out = realloc(*out, cap * sizeof(**out));
		}
		memcpy(*out + total, evs, n * sizeof(*evs));
		total += n;
	}
	*count = total;
	if (info) {
		const struct kst_info *ri = kst_reader_info(r);

		*info = *ri;
		info->lost_tracefs = NULL;
		info->lost_ringbuf = NULL;
		kst_info_set_ncpus(info, ri->ncpus);
		if (ri->ncpus) {
			memcpy(info->lost_tracefs, ri->lost_tracefs, ri->ncpus * 8);
			memcpy(info->lost_ringbuf, ri->lost_ringbuf, ri->ncpus * 8);
		}
	}
	kst_reader_free(r);
	return ret;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	*len = fread(buf, 1, n, f);
	fclose(f);
	return buf;
}

static void spit(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	fwrite(buf, 1, len, f);
	fclose(f);
}

/* Block layout per FORMAT.md: offsets and event counts of each block. */
struct layout {
	size_t off[4096];
	uint32_t nev[4096];
	uint8_t kind[4096];
	size_t nblocks;
	size_t end;		/* after the last block */
};

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void walk(const uint8_t *buf, size_t len, struct layout *l)
{
	size_t off = 16 + le32(buf + 12) + 4;

	l->nblocks = 0;
	while (off + 40 <= len && le32(buf + off) == 0x424b534b) {
		l->off[l->nblocks] = off;
		l->kind[l->nblocks] = buf[off + 8];
		l->nev[l->nblocks] = le32(buf + off + 20);
		l->nblocks++;
		off += 40 + le32(buf + off + 12);
	}
	l->end = off;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* Recompute the header checksum of the block at @b after a header field changed. */
static void fix_block_crc(uint8_t *b)
{
	put_le32(b + 36, cr_crc(version, b, 36));
}

static void check_same_events(const struct ks_event *a, const struct ks_event *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (memcmp(&a[i], &b[i], sizeof(a[i]))) {
			fprintf(stderr, "event %zu differs: type %u/%u time %llu/%llu tid %u/%u\n",
				i, a[i].type, b[i].type, (unsigned long long)a[i].time,
				(unsigned long long)b[i].time, a[i].tid, b[i].tid);
			test_failures++;
			return;
		}
	}
}

static void test_roundtrip(int level)
{
	const size_t n = 50000;
	struct kst_info in, end, got;
	struct ks_event *evs, *back;
	struct ks_error err = { 0 };
	char path[256], path2[256];
	size_t count;
	int ret;

	fill_info(&in);
	evs = gen_events(n, 42);
	kst_info_init(&end);
	end.end_ns = (1ull << 63) - 6;		/* near the largest time, 2^63 - 1 */
	end.nr_kernel_stack_end_kb = -1;
	kst_info_set_ncpus(&end, 3);
	end.lost_tracefs[0] = 7;
	end.lost_tracefs[2] = 1ull << 40;
	end.lost_ringbuf[1] = 3;

	path_of(path, sizeof(path), "rt.kst");
	CHECK_EQ(write_trace(path, &in, evs, n, level, &end), 0);
	ret = read_all(path, &back, &count, &got, &err);
	CHECK_EQ(ret, 0);
	CHECK_EQ(count, n);
	if (count == n)
		check_same_events(evs, back, n);

	/* header */
	CHECK_EQ(got.version, version);
	CHECK_EQ(got.page_size, 16384);
	CHECK_EQ(got.thread_size, 32768);
	CHECK_EQ(got.ncpus, 3);
	CHECK_EQ(got.depth_source, KST_DEPTH_EXACT);
	CHECK_EQ(got.ram_kb, 131072000);
	CHECK_EQ(got.start_ns, START_NS);
	CHECK_EQ(got.nr_kernel_stack_start_kb, 23456);
	CHECK_EQ(got.seed, 0xdeadbeefcafef00dull);
	CHECK(!strcmp(got.host, in.host));
	CHECK(!strcmp(got.kernel, in.kernel));
	CHECK(!strcmp(got.arch, in.arch));
	CHECK(!strcmp(got.clock, in.clock));
	CHECK(!strcmp(got.collector, in.collector));
	CHECK(!strcmp(got.options, in.options));
	CHECK_EQ(strlen(got.options), 255);
	CHECK(!strcmp(got.label, in.label));
	/* trailer: the arrays are authoritative, LOST records are not added */
	CHECK(!got.truncated);
	CHECK_EQ(got.end_ns, (1ull << 63) - 6);
	CHECK_EQ(got.nr_kernel_stack_end_kb, -1);
	CHECK_EQ(got.nr_events, n);
	CHECK_EQ(got.lost_tracefs[0], 7);
	CHECK_EQ(got.lost_tracefs[1], 0);
	CHECK_EQ(got.lost_tracefs[2], 1ull << 40);
	CHECK_EQ(got.lost_ringbuf[1], 3);
	CHECK_EQ(kst_info_lost_total(&got), 7 + 3 + (1ull << 40));

	/* identical files have the same id; one event field changed, another */
	path_of(path2, sizeof(path2), "rt2.kst");
	CHECK_EQ(write_trace(path2, &in, evs, n, level, &end), 0);
	{
		struct kst_info got2;
		struct ks_event *b2;
		size_t c2;

		read_all(path2, &b2, &c2, &got2, &err);
		CHECK(got2.id == got.id);
		free(b2);
		kst_info_release(&got2);
		evs[n - 10].arg ^= 1;
		evs[n - 10].type = KS_EV_LOST;
		CHECK_EQ(write_trace(path2, &in, evs, n, level, &end), 0);
		read_all(path2, &b2, &c2, &got2, &err);
		CHECK(got2.id != got.id);
		free(b2);
		kst_info_release(&got2);
	}
	free(evs);
	free(back);
	kst_info_release(&in);
	kst_info_release(&end);
	kst_info_release(&got);
}

/* Switches only: a writer's block of them is under 64 KiB, so blocks are whole. */
static struct ks_event *gen_switches(size_t n)
{
	struct ks_event *evs = calloc(n, sizeof(*evs));
	size_t i;

	for (i = 0; i < n; i++) {
		evs[i].type = KS_EV_SWITCH;
		evs[i].time = START_NS + 1000 * i;
		evs[i].cpu = i % 2;
		evs[i].tid = 100 + i % 50;
		evs[i].tid2 = 100 + (i + 1) % 50;
		evs[i].depth = 8 * (i % 300);
	}
	return evs;
}

static void test_truncated(void)
{
	const size_t n = block_events * 5 + 100;	/* 6 event blocks, the last one short */
	struct ks_event *evs = gen_switches(n), *back;
	struct kst_info in, end, got;
	struct ks_error err = { 0 };
	char path[256], cut[256];
	struct layout l;
	size_t len, count;
	uint8_t *buf;

	fill_info(&in);
	kst_info_init(&end);
	end.end_ns = evs[n - 1].time;
	path_of(path, sizeof(path), "full.kst");
	path_of(cut, sizeof(cut), "cut.kst");
	CHECK_EQ(write_trace(path, &in, evs, n, 6, &end), 0);
	buf = slurp(path, &len);
	walk(buf, len, &l);
	CHECK_EQ(l.nblocks, 7);		/* 6 event blocks and the trailer */
	CHECK_EQ(l.kind[6], 2);
	CHECK_EQ(l.nev[0], block_events);
	CHECK_EQ(l.nev[5], 100);
	CHECK_EQ(len, l.end + 16);	/* the footer */

	/* cut in the middle of block 4: blocks 0..3 are readable */
	spit(cut, buf, l.off[4] + 40 + 7);
	CHECK_EQ(read_all(cut, &back, &count, &got, &err), 0);
	CHECK_EQ(count, 4 * block_events);
	CHECK(got.truncated);
	CHECK_EQ(got.nr_events, 0);
	if (count == 4 * block_events)
		check_same_events(evs, back, count);
	free(back);
	kst_info_release(&got);

	/* cut inside a block header */
	spit(cut, buf, l.off[4] + 20);
	CHECK_EQ(read_all(cut, &back, &count, &got, &err), 0);
	CHECK_EQ(count, 4 * block_events);
	CHECK(got.truncated);
	free(back);
	kst_info_release(&got);

	/* cut right after block 5, the last whole event block: no trailer */
	spit(cut, buf, l.off[6]);
	CHECK_EQ(read_all(cut, &back, &count, &got, &err), 0);
	CHECK_EQ(count, n);
	CHECK(got.truncated);
	free(back);
	kst_info_release(&got);

	/* cut inside the trailer */
	spit(cut, buf, l.off[6] + 45);
	CHECK_EQ(read_all(cut, &back, &count, &got, &err), 0);
	CHECK_EQ(count, n);
	CHECK(got.truncated);
	free(back);
	kst_info_release(&got);

	/* header only */
	spit(cut, buf, l.off[0]);
	CHECK_EQ(read_all(cut, &back, &count, &got, &err), 0);
	CHECK_EQ(count, 0);
	CHECK(got.truncated);
	CHECK(!strcmp(got.host, in.host));
	free(back);
	kst_info_release(&got);

	/* header cut short */
	spit(cut, buf, l.off[0] - 3);
	CHECK_EQ(read_all(cut, &back, &count, NULL, &err), -KS_E_TRUNCATED);

	free(buf);
	free(evs);
	kst_info_release(&in);
	kst_info_release(&end);
}

/* close(NULL) leaves no trailer; LOST records are then summed per CPU. */
static void test_no_trailer_lost(void)
{
	struct ks_event evs[4] = { 0 }, *back;
	struct kst_info in, got;
	struct ks_error err = { 0 };
	char path[256];
	size_t count;

	fill_info(&in);		/* 3 CPUs */
	evs[0] = (struct ks_event){ .time = START_NS + 1, .cpu = 1, .type = KS_EV_LOST, .arg = 5 };
	evs[1] = (struct ks_event){ .time = START_NS + 2, .cpu = 1, .type = KS_EV_LOST, .arg = 6,
				    .flags = KS_F_LOST_RB };
	evs[2] = (struct ks_event){ .time = START_NS + 3, .cpu = 9, .type = KS_EV_LOST,
				    .arg = 100 };
	evs[3] = (struct ks_event){ .time = START_NS + 4, .cpu = 0, .type = KS_EV_FREE, .tid = 3 };
	path_of(path, sizeof(path), "lost.kst");
	CHECK_EQ(write_trace(path, &in, evs, 4, 6, NULL), 0);
	CHECK_EQ(read_all(path, &back, &count, &got, &err), 0);
	CHECK_EQ(count, 4);
	CHECK(got.truncated);
	CHECK_EQ(got.lost_tracefs[1], 5);
	CHECK_EQ(got.lost_ringbuf[1], 6);
	CHECK_EQ(got.lost_tracefs[2], 100);	/* cpu 9 >= ncpus: counted on the last CPU */
	CHECK_EQ(kst_info_lost_total(&got), 111);
	free(back);
	kst_info_release(&got);
	kst_info_release(&in);
}

static int open_code(const char *path, struct ks_error *err)
{
	struct kst_reader *r = NULL;
	int ret;

	memset(err, 0, sizeof(*err));
	ret = kst_reader_open(&r, path, err);
	kst_reader_free(r);
	return ret;
}

static void test_corrupt(void)
{
	const size_t n = block_events * 5;
	struct ks_event *evs = gen_switches(n), *back;
	struct kst_info in, end;
	struct ks_error err = { 0 };
	char path[256], bad[256];
	struct layout l;
	size_t len, count, mid;
	uint8_t *buf;
	int level;

	fill_info(&in);
	kst_info_init(&end);
	end.end_ns = evs[n - 1].time;
	path_of(path, sizeof(path), "c.kst");
	path_of(bad, sizeof(bad), "bad.kst");
	for (level = 0; level <= 6; level += 6) {
		CHECK_EQ(write_trace(path, &in, evs, n, level, &end), 0);
		buf = slurp(path, &len);
		walk(buf, len, &l);
		CHECK_EQ(l.nblocks, 6);

		/* a byte in the middle of block 3's payload */
		mid = l.off[3] + 40 + le32(buf + l.off[3] + 12) / 2;
		buf[mid] ^= 0x10;
		spit(bad, buf, len);
		CHECK_EQ(read_all(bad, &back, &count, NULL, &err), -KS_E_CORRUPT);
		CHECK(!strcmp(err.detail, "block 3: checksum mismatch"));
		CHECK_EQ(count, 3 * block_events);	/* the blocks before it were fine */
		free(back);
		buf[mid] ^= 0x10;

		/* a byte of block 2's header (its event count) */
		buf[l.off[2] + 20] ^= 0x01;
		spit(bad, buf, len);
		CHECK_EQ(read_all(bad, &back, &count, NULL, &err), -KS_E_CORRUPT);
		CHECK(!strncmp(err.detail, "block 2: ", 9));
		free(back);
		buf[l.off[2] + 20] ^= 0x01;

		/* the trailer's payload */
		buf[l.off[5] + 40 + 1] ^= 0x01;
		spit(bad, buf, len);
		CHECK_EQ(read_all(bad, &back, &count, NULL, &err), -KS_E_CORRUPT);
		CHECK(!strcmp(err.detail, "block 5: checksum mismatch"));
		free(back);
		buf[l.off[5] + 40 + 1] ^= 0x01;

		/* a trailer whose R differs from P (FORMAT.md: never compressed, R = P) */
		put_le32(buf + l.off[5] + 16, le32(buf + l.off[5] + 12) + 1);
		fix_block_crc(buf + l.off[5]);
		spit(bad, buf, len);
		CHECK_EQ(read_all(bad, &back, &count, NULL, &err), -KS_E_CORRUPT);
		CHECK(!strcmp(err.detail, "block 5: bad trailer header"));
		CHECK_EQ(count, n);	/* every event block was fine */
		free(back);
		put_le32(buf + l.off[5] + 16, le32(buf + l.off[5] + 12));
		fix_block_crc(buf + l.off[5]);

		/* a header byte: the host name */
		buf[30] ^= 0x01;
		spit(bad, buf, len);
		CHECK_EQ(open_code(bad, &err), -KS_E_CORRUPT);
		buf[30] ^= 0x01;

		/* bad magic */
		buf[1] = 'X';
		spit(bad, buf, len);
		CHECK_EQ(open_code(bad, &err), -KS_E_NOT_TRACE);
		buf[1] = 'K';

		/* version 3 in the little-endian version word at byte 8; 0 */
		buf[8] = 3;
		spit(bad, buf, len);
		CHECK_EQ(open_code(bad, &err), -KS_E_VERSION);
		CHECK(strstr(err.detail, "format version 3") && strstr(err.detail, "versions 1 to 2"));
		buf[8] = 0;
		spit(bad, buf, len);
		CHECK_EQ(open_code(bad, &err), -KS_E_VERSION);
		/* the other known version: the checksums no longer match */
		buf[8] = 3 - version;
		spit(bad, buf, len);
		CHECK_EQ(open_code(bad, &err), -KS_E_CORRUPT);
		CHECK(!strcmp(err.detail, "header: checksum mismatch"));
		buf[8] = version;

		/* intact again */
		spit(bad, buf, len);
		CHECK_EQ(read_all(bad, &back, &count, NULL, &err), 0);
		CHECK_EQ(count, n);
		free(back);
		free(buf);
	}

	spit(bad, (const uint8_t *)"", 0);
	CHECK_EQ(open_code(bad, &err), -KS_E_NOT_TRACE);
	spit(bad, (const uint8_t *)"root:x:0:0:root:/root:/bin/bash\n", 32);
	CHECK_EQ(open_code(bad, &err), -KS_E_NOT_TRACE);
	path_of(bad, sizeof(bad), "missing.kst");
	CHECK_EQ(open_code(bad, &err), -ENOENT);
	free(evs);
	kst_info_release(&in);
	kst_info_release(&end);
}

static void test_writer_checks(void)
{
	struct ks_event e = { .type = KS_EV_SWITCH, .time = 100, .tid = 1, .tid2 = 2 };
	struct kst_writer *w;
	struct kst_info in;
	struct ks_error err = { 0 };
	char path[256];

	kst_info_init(&in);
	kst_info_set_ncpus(&in, 1);
	in.end_ns = 100;
	path_of(path, sizeof(path), "w.kst");
	/* a version the writer does not write */
	in.version = 3;
	CHECK_EQ(kst_writer_create(&w, path, &in, &err), -EINVAL);
	CHECK(strstr(err.detail, "version 3") != NULL);
	in.version = 0;
	CHECK_EQ(kst_writer_create(&w, path, &in, &err), -EINVAL);
	in.version = version;
	CHECK_EQ(kst_writer_create(&w, path, &in, &err), 0);
	e.hwm = 12;	/* not a multiple of 8: rejected */
	CHECK_EQ(kst_writer_add(w, &e), -EINVAL);
	e.hwm = 16;
	e.depth = 4;
	CHECK_EQ(kst_writer_add(w, &e), -EINVAL);
	e.depth = 0;
	CHECK_EQ(kst_writer_add(w, &e), 0);
	e.time = 99;	/* back in time */
	CHECK_EQ(kst_writer_add(w, &e), -EINVAL);
	e.time = 100;
	e.type = 0;
	CHECK_EQ(kst_writer_add(w, &e), -EINVAL);
	e.type = KS__EV_MAX;
	CHECK_EQ(kst_writer_add(w, &e), -EINVAL);
	CHECK(kst_writer_bytes(w) > 16);
	CHECK_EQ(kst_writer_close(w, &in), 0);
	CHECK(kst_writer_create(&w, "/nonexistent/dir/x.kst", &in, &err) == -ENOENT);
	kst_info_release(&in);
}

/* Rewind gives the same events; open_mem reads the same file. */
static void test_rewind_mem(void)
{
	const size_t n = 10000;
	struct ks_event *evs = gen_events(n, 7);
	struct kst_reader *r;
	const struct ks_event *b;
	struct ks_error err = { 0 };
	struct kst_info in, end;
	char path[256];
	size_t len, k, total;
	uint8_t *buf;
	int pass;

	fill_info(&in);
	kst_info_init(&end);
	end.end_ns = evs[n - 1].time;
	path_of(path, sizeof(path), "m.kst");
	CHECK_EQ(write_trace(path, &in, evs, n, 1, &end), 0);
	buf = slurp(path, &len);
	CHECK_EQ(kst_reader_open_mem(&r, buf, len, &err), 0);
	for (pass = 0; pass < 2; pass++) {
		total = 0;
		while (kst_reader_next_block(r, &b, &k, &err) > 0) {
			if (total + k <= n)
				check_same_events(evs + total, b, k);
			total += k;
		}
		CHECK_EQ(total, n);
		CHECK_EQ(kst_reader_rewind(r, &err), 0);
	}
	CHECK(!kst_reader_info(r)->truncated);
	kst_reader_free(r);
	free(buf);
	free(evs);
	kst_info_release(&in);
	kst_info_release(&end);
}

/*
 * From a pipe (not seekable) the trailer and id are known only at the end;
 * they must then equal those of the same file read from disk.
 */
static void test_pipe(void)
{
	const size_t n = 20000;
	struct ks_event *evs = gen_events(n, 9);
	struct kst_info in, end, disk;
	struct ks_error err = { 0 };
	const struct ks_event *b;
	struct kst_reader *r;
	char path[256], fdpath[64];
	size_t len, k, total = 0, i;
	struct ks_event *back;
	uint8_t *buf;
	int fds[2], status;
	pid_t pid;

	fill_info(&in);
	kst_info_init(&end);
	end.end_ns = evs[n - 1].time + 77;
	path_of(path, sizeof(path), "p.kst");
	CHECK_EQ(write_trace(path, &in, evs, n, 6, &end), 0);
	CHECK_EQ(read_all(path, &back, &len, &disk, &err), 0);
	free(back);
	buf = slurp(path, &len);
	if (pipe(fds)) {
		CHECK(0);
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		for (i = 0; i < len;) {
			ssize_t w = write(fds[1], buf + i, len - i);

			if (w <= 0)
				_exit(1);
			i += w;
		}
		_exit(0);
	}
	close(fds[1]);
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fds[0]);
	CHECK_EQ(kst_reader_open(&r, fdpath, &err), 0);
	if (r) {
		while (kst_reader_next_block(r, &b, &k, &err) > 0) {
			if (total + k <= n)
				check_same_events(evs + total, b, k);
			total += k;
		}
		CHECK_EQ(total, n);
		CHECK(!kst_reader_info(r)->truncated);
		CHECK_EQ(kst_reader_info(r)->end_ns, evs[n - 1].time + 77);
		CHECK_EQ(kst_reader_info(r)->nr_events, n);
		CHECK(kst_reader_info(r)->id == disk.id);
		CHECK_EQ(kst_reader_rewind(r, &err), -ESPIPE);
		kst_reader_free(r);
	}
	close(fds[0]);
	waitpid(pid, &status, 0);
	free(buf);
	free(evs);
	kst_info_release(&in);
	kst_info_release(&end);
	kst_info_release(&disk);
}

/* A TLV entry of FORMAT.md: tag, length, value as one varint. */
static size_t put_tlv_uint(uint8_t *p, unsigned int tag, uint64_t v)
{
	uint8_t val[10];
	size_t n = 0, k = 0;

	do {
		val[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	p[k++] = (uint8_t)tag;
	p[k++] = (uint8_t)n;
	memcpy(p + k, val, n);
	return k + n;
}

/*
 * workload_pid (header tag 16): written only when not 0, so a trace without
 * a recorded command has the header bytes of a trace written before the
 * field existed; read back as written; a value beyond 32 bits is refused
 * naming the field.  The header is read by hand: 16 fixed bytes, L at 12.
 */
static void test_workload_pid(void)
{
	struct ks_event ev = { .time = START_NS, .type = KS_EV_FREE, .tid = 9 };
	struct ks_error err = { 0 };
	struct kst_info in, end, got;
	struct kst_reader *r;
	struct ks_event *back;
	uint8_t *plain, *with, *bad;
	size_t lp, lw, count, k, tlv;
	char path[256];
	uint32_t crc;

	fill_info(&in);
	kst_info_init(&end);
	end.end_ns = START_NS + 1;
	path_of(path, sizeof(path), "wl0.kst");
	CHECK_EQ(write_trace(path, &in, &ev, 1, 1, &end), 0);
	plain = slurp(path, &lp);
	CHECK_EQ(read_all(path, &back, &count, &got, &err), 0);
	CHECK_EQ(got.workload_pid, 0);
	free(back);
	kst_info_release(&got);

	in.workload_pid = 4321;
	path_of(path, sizeof(path), "wl1.kst");
	CHECK_EQ(write_trace(path, &in, &ev, 1, 1, &end), 0);
	with = slurp(path, &lw);
	CHECK_EQ(read_all(path, &back, &count, &got, &err), 0);
	CHECK_EQ(got.workload_pid, 4321);
	CHECK_EQ(count, 1);
	free(back);
	kst_info_release(&got);

	/* the same header plus one entry at its end: 16, length 2, 4321 = e1 21 */
	tlv = plain[12] | plain[13] << 8 | plain[14] << 16 | (size_t)plain[15] << 24;
	CHECK_EQ(lw, lp + 4);
	CHECK(!memcmp(with + 16, plain + 16, tlv));
	CHECK(with[16 + tlv] == 16 && with[17 + tlv] == 2 && with[18 + tlv] == 0xe1 &&
	      with[19 + tlv] == 0x21);
	/* the blocks are the same; the footer's trailer offset moves by 4 */
	CHECK(!memcmp(with + 16 + tlv + 8, plain + 16 + tlv + 4, lp - 20 - tlv - 16));

	/* 2^32 does not fit: the plain file with that entry appended to its header */
	bad = malloc(lp + 16);
	if (bad) {
		memcpy(bad, plain, 16 + tlv);
		k = put_tlv_uint(bad + 16 + tlv, 16, 1ull << 32);
		bad[12] = (uint8_t)(tlv + k);
		bad[13] = (uint8_t)((tlv + k) >> 8);
		crc = version == 1 ? (uint32_t)crc32(0, bad, (uInt)(16 + tlv + k)) :
				       kst_crc32c(0, bad, 16 + tlv + k);
		bad[16 + tlv + k] = (uint8_t)crc;
		bad[17 + tlv + k] = (uint8_t)(crc >> 8);
		bad[18 + tlv + k] = (uint8_t)(crc >> 16);
		bad[19 + tlv + k] = (uint8_t)(crc >> 24);
		memcpy(bad + 20 + tlv + k, plain + 20 + tlv, lp - 20 - tlv);
		CHECK_EQ(kst_reader_open_mem(&r, bad, lp + k, &err),
			 -KS_E_CORRUPT);
		CHECK(strstr(err.detail, "workload_pid 4294967296 is out of range") != NULL);
		free(bad);
	}
	free(plain);
	free(with);
	kst_info_release(&in);
	kst_info_release(&end);
}

/*
 * CRC-32C (version 2's checksum): the check value of FORMAT.md, and the
 * library's two ways (the CPU's instruction where there is one, a table
 * elsewhere) against craft.h's bit-by-bit one on every length to 100 and
 * every alignment, and in pieces.
 */
static void test_crc32c(void)
{
	uint8_t buf[256];
	uint64_t s = 3;
	size_t i, len, off;

	CHECK_EQ(kst_crc32c(0, "123456789", 9), 0xe3069283u);
	CHECK_EQ(kst_crc32c_soft(0, "123456789", 9), 0xe3069283u);
	CHECK_EQ(cr_crc32c("123456789", 9), 0xe3069283u);
	CHECK_EQ(kst_crc32c(0, "", 0), 0);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)splitmix64(&s);
	for (off = 0; off < 8; off++) {
		for (len = 0; len <= 100; len++) {
			uint32_t want = cr_crc32c(buf + off, len);

			CHECK_EQ(kst_crc32c(0, buf + off, len), want);
			CHECK_EQ(kst_crc32c_soft(0, buf + off, len), want);
			/* continued over two pieces */
			CHECK_EQ(kst_crc32c(kst_crc32c(0, buf + off, len / 3), buf + off + len / 3,
					    len - len / 3), want);
		}
	}
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_crc32c();
	/* kst_info_init() asks for the current version */
	{
		struct kst_info in;

		kst_info_init(&in);
		CHECK_EQ(in.version, KST_VERSION);
		CHECK_EQ(KST_VERSION, 2);
	}
	for (version = 1; version <= 2; version++) {
		block_events = version == 1 ? 4096 : 16384;
		test_roundtrip(0);
		test_roundtrip(6);
		test_roundtrip(9);
		test_truncated();
		test_no_trailer_lost();
		test_corrupt();
		test_writer_checks();
		test_rewind_mem();
		test_pipe();
		test_workload_pid();
	}
	CHECK(!strcmp(kst_event_type_name(KS_EV_SWITCH), "switch"));
	CHECK(!strcmp(kst_event_type_name(99), "unknown"));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	if (test_failures)
		fprintf(stderr, "%d checks failed\n", test_failures);
	return test_failures ? 1 : 0;
}
