// SPDX-License-Identifier: MIT
/*
 * The reader's validity rules for files a bad writer could produce, with
 * valid checksums (data/FORMAT.md "Time", "Header", "Encodings"):
 *
 * - time never goes backwards in file order (header start_ns, each block's
 *   base time and events, the trailer's end_ns) and stays below 2^63, so an
 *   event's time cannot wrap; the first event of a block is at its base
 *   time; each is refused naming the block, by file and through a pipe, in
 *   both versions (version 2: short deltas packed, long ones escaped);
 * - header fields out of range are refused naming the field and its value;
 * - a varint whose value does not fit in 64 bits is refused;
 * - the writer refuses to write what the reader would refuse.
 *
 * The files are built byte by byte (craft.h); the expected messages are
 * those FORMAT.md and kst_read.c define, the numbers worked out below.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "craft.h"
#include "kst.h"
#include "test_format.h"

int test_failures;

static char dir[] = "/tmp/kst-bounds-XXXXXX";

/* The version test_times() crafts */
static uint32_t version = 1;

#define T63 (1ull << 63)

/*
 * Read every block of @c's image; return the final code with the message in
 * @err and the number of events read in *@count.  Twice, with a rewind in
 * between, to check that the time rules restart with it.
 */
static int read_img(const struct craft *c, uint64_t *count, struct ks_error *err)
{
	const struct ks_event *evs;
	struct kst_reader *r;
	int ret, pass, first = 0;
	uint64_t n0 = 0;
	size_t n;

	memset(err, 0, sizeof(*err));
	*count = 0;
	ret = kst_reader_open_mem(&r, c->buf, c->len, err);
	if (ret)
		return ret;
	for (pass = 0; pass < 2; pass++) {
		*count = 0;
		while ((ret = kst_reader_next_block(r, &evs, &n, err)) > 0)
			*count += n;
		if (pass == 0) {
			first = ret;
			n0 = *count;
			CHECK_EQ(kst_reader_rewind(r, NULL), 0);
		}
	}
	CHECK_EQ(ret, first);
	CHECK_EQ(*count, n0);
	kst_reader_free(r);
	return ret;
}

/* The same through a pipe: the reader cannot look ahead. */
static int read_pipe(const struct craft *c, uint64_t *count, struct ks_error *err)
{
	const struct ks_event *evs;
	struct kst_reader *r;
	char path[64];
	int fds[2], ret, status;
	size_t n;
	pid_t pid;

	memset(err, 0, sizeof(*err));
	*count = 0;
	if (pipe(fds))
		return -errno;
	pid = fork();
	if (pid == 0) {
		size_t i;

		close(fds[0]);
		for (i = 0; i < c->len;) {
			ssize_t w = write(fds[1], c->buf + i, c->len - i);

			if (w <= 0)
				_exit(0);	/* the reader stopped early */
			i += w;
		}
		_exit(0);
	}
	close(fds[1]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	ret = kst_reader_open(&r, path, err);
	if (!ret) {
		while ((ret = kst_reader_next_block(r, &evs, &n, err)) > 0)
			*count += n;
		kst_reader_free(r);
	}
	close(fds[0]);
	waitpid(pid, &status, 0);
	return ret;
}

/*
 * Expect @c to fail with -KS_E_CORRUPT and exactly @msg, by file and by
 * pipe; @c's image is freed.
 */
static void expect_corrupt(struct craft *c, const char *msg, uint64_t events_before)
{
	struct ks_error err;
	uint64_t count;

	CHECK_EQ(read_img(c, &count, &err), -KS_E_CORRUPT);
	if (strcmp(err.detail, msg)) {
		fprintf(stderr, "got '%s'\nwant '%s'\n", err.detail, msg);
		CHECK(0);
	}
	CHECK_EQ(count, events_before);
	CHECK_EQ(read_pipe(c, &count, &err), -KS_E_CORRUPT);
	if (strcmp(err.detail, msg)) {
		fprintf(stderr, "pipe: got '%s'\nwant '%s'\n", err.detail, msg);
		CHECK(0);
	}
	CHECK_EQ(count, events_before);
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

/* Expect @c to read whole, by file and by pipe; @c's image is freed. */
static void expect_ok(struct craft *c, uint64_t events)
{
	struct ks_error err;
	uint64_t count;

	CHECK_EQ(read_img(c, &count, &err), 0);
	if (err.detail[0])
		fprintf(stderr, "unexpected: %s\n", err.detail);
	CHECK_EQ(count, events);
	CHECK_EQ(read_pipe(c, &count, &err), 0);
	CHECK_EQ(count, events);
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

/*
 * FREE records (tag 0x84, time word dt << 2 on the same CPU, tid): the first
 * names tid 7 as new to the block (7 << 1 | 1 = 15), the others task 0.
 * Return: the payload length.
 */
static uint32_t frees(uint8_t *p, const uint64_t *dt, size_t n)
{
	uint8_t *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		*p++ = 0x84;
		p = cr_varint(p, dt[i] << 2);
		*p++ = i ? 0x00 : 0x0f;
	}
	return (uint32_t)(p - s);
}

static void header(struct craft *c, uint64_t start)
{
	struct cr_hdr h;

	cr_hdr_default(&h);
	h.v[6] = start;
	h.version = version;
	cr_header(c, &h);
}

/*
 * A block of @n FREE events of tid 7, @dt apart, at @base, in the version
 * of @c.  Version 1: frees().  Version 2: one task (wK 0), the FREE tag 0x4
 * alone in the dictionary (wT 1), deltas of 8 bits (255 escapes to a varint
 * of XD), one CPU (wC 0).
 */
static void events(struct craft *c, const uint64_t *dt, size_t n, uint64_t base)
{
	uint8_t rec[256], *x;
	struct cr2 b;
	size_t i;

	if (c->version == 1) {
		cr_events(c, rec, frees(rec, dt, n), (uint32_t)n, base);
		return;
	}
	cr2_init(&b);
	b.wt = 1;
	b.wd = 8;
	b.wc = 0;
	b.wk = 0;
	b.ndict = 1;
	b.dict[0] = 0x4;
	b.ntasks = 1;
	b.tids[0] = 7;
	b.nt = b.nd = b.nc = b.nk = (uint32_t)n;
	x = b.xd;
	for (i = 0; i < n; i++) {
		b.d[i] = dt[i] < 255 ? (uint32_t)dt[i] : 255;
		if (dt[i] >= 255)
			x = cr_varint(x, dt[i]);
	}
	b.lxd = (uint32_t)(x - b.xd);
	cr2_events(c, &b, base);
}

static void test_times(void)
{
	const uint64_t d0[2] = { 0, 10 }, dfar[3] = { 0, 1ull << 61, 1ull << 61 };
	const uint64_t dwrap[5] = { 0, (1ull << 62) - 1, (1ull << 62) - 1, (1ull << 62) - 1,
				    (1ull << 62) - 1 };
	struct craft c = { 0 };
	size_t off;

	/* valid: start 1000, block 0 at 1000 and 1010, block 1 at 1010 (equal), end 1010 */
	header(&c, 1000);
	events(&c, d0, 2, 1000);
	events(&c, d0, 1, 1010);
	cr_trailer(&c, 1010, 2);
	expect_ok(&c, 3);

	/* the largest times allowed: everything at 2^63 - 1 */
	header(&c, T63 - 1);
	events(&c, d0, 1, T63 - 1);
	cr_trailer(&c, T63 - 1, 2);
	expect_ok(&c, 1);

	/* block 1 starts before block 0's last event (1010) */
	header(&c, 1000);
	events(&c, d0, 2, 1000);
	events(&c, d0, 1, 1005);
	cr_trailer(&c, 2000, 2);
	expect_corrupt(&c, "block 1: time goes backwards: base time 1005 ns is before 1010 ns, "
		       "the last event of block 0", 2);

	/* block 0 before the header's start */
	header(&c, 2000);
	events(&c, d0, 2, 1000);
	cr_trailer(&c, 2000, 2);
	expect_corrupt(&c, "block 0: time goes backwards: base time 1000 ns is before the "
		       "header's start_ns (2000 ns)", 0);

	/* a base time near 2^64: 2^64 - 10 = 18446744073709551606 */
	header(&c, 1000);
	events(&c, d0, 1, UINT64_MAX - 9);
	cr_trailer(&c, UINT64_MAX - 9, 2);
	expect_corrupt(&c, "block 0: time out of range: base time 18446744073709551606 ns "
		       "(at most 2^63 - 1)", 0);

	/* deltas of 2^61 from 2^62: 2^62 + 2^61, then 2^63, one past the limit */
	header(&c, 1000);
	events(&c, dfar, 3, 1ull << 62);
	cr_trailer(&c, T63 - 1, 2);
	expect_corrupt(&c, "block 0: time out of range: an event's time passes 2^63 - 1 ns", 0);

	/* short deltas (5 ns) from 2^63 - 10: the third event is at 2^63 + 5 */
	{
		const uint64_t d5[4] = { 0, 5, 5, 5 };

		header(&c, 1000);
		events(&c, d5, 4, T63 - 10);
		cr_trailer(&c, T63 - 1, 2);
		expect_corrupt(&c, "block 0: time out of range: an event's time passes "
			       "2^63 - 1 ns", 0);
	}

	/*
	 * long and short deltas mixed, from 2^62: 2^63 - 8 (long), 2^63 - 3,
	 * 2^63 + 2 (short: past the limit), 2^63 + 2^62 + 1 (long), then 2^64,
	 * which wraps to 0 (long): the end is below 2^63 again
	 */
	{
		const uint64_t dmix[6] = { 0, (1ull << 62) - 8, 5, 5, (1ull << 62) - 1,
					   (1ull << 62) - 1 };

		header(&c, 1000);
		events(&c, dmix, 6, 1ull << 62);
		cr_trailer(&c, T63 - 1, 2);
		expect_corrupt(&c, "block 0: time out of range: an event's time passes "
			       "2^63 - 1 ns", 0);
	}

	/* four deltas of 2^62 - 1 from 2^62 wrap around 2^64 back to 2^62 - 4 */
	header(&c, 1000);
	events(&c, dwrap, 5, 1ull << 62);
	cr_trailer(&c, T63 - 1, 2);
	expect_corrupt(&c, "block 0: time out of range: an event's time passes 2^63 - 1 ns", 0);

	/* the first event 5 ns after its block's base time */
	{
		const uint64_t d5[1] = { 5 };

		header(&c, 1000);
		events(&c, d5, 1, 1000);
		cr_trailer(&c, 2000, 2);
		expect_corrupt(&c, "block 0: the first event's time (1005 ns) is not the "
			       "block's base time (1000 ns)", 0);
	}

	/* the trailer's end_ns before the last event (1010) */
	header(&c, 1000);
	events(&c, d0, 2, 1000);
	cr_trailer(&c, 1005, 2);
	expect_corrupt(&c, "block 1: time goes backwards: end_ns 1005 ns is before 1010 ns, "
		       "the last event of block 0", 2);

	/* ... before the header's start, no event block */
	header(&c, 2000);
	cr_trailer(&c, 1000, 2);
	expect_corrupt(&c, "block 0: time goes backwards: end_ns 1000 ns is before the "
		       "header's start_ns (2000 ns)", 0);

	/* ... beyond 2^63 - 1 */
	header(&c, 1000);
	cr_trailer(&c, T63, 2);
	expect_corrupt(&c, "block 0: time out of range: end_ns 9223372036854775808 ns "
		       "(at most 2^63 - 1)", 0);

	/* a trailer whose base time is not its end_ns field */
	header(&c, 1000);
	events(&c, d0, 2, 1000);
	off = cr_trailer(&c, 3000, 2);
	cr_put64(c.buf + off + 24, 2000);
	cr_fix(&c, off);
	expect_corrupt(&c, "block 1: the trailer's base time (2000 ns) is not its end_ns "
		       "(3000 ns)", 2);
}

/* A header with field @tag set to @v (or left out with @omit); expect @msg or success. */
static void hdr_case(unsigned int tag, uint64_t v, int omit, const char *msg)
{
	const uint64_t d0[1] = { 0 };
	struct ks_error err;
	struct craft c;
	struct cr_hdr h;
	uint64_t count;

	cr_hdr_default(&h);
	h.v[tag] = v;
	h.omit[tag] = omit;
	cr_header(&c, &h);
	events(&c, d0, 1, 1000);
	cr_trailer(&c, 1000, h.v[3] <= 64 && !h.omit[3] ? (uint32_t)h.v[3] : 2);
	if (!msg) {
		expect_ok(&c, 1);
	} else {
		CHECK_EQ(read_img(&c, &count, &err), -KS_E_CORRUPT);
		if (strcmp(err.detail, msg)) {
			fprintf(stderr, "tag %u value %llu: got '%s'\nwant '%s'\n", tag,
				(unsigned long long)v, err.detail, msg);
			CHECK(0);
		}
	}
	free(c.buf);
}

static void test_header_fields(void)
{
	/* edges that are valid */
	hdr_case(1, 1024, 0, NULL);
	hdr_case(1, 16384, 0, NULL);
	hdr_case(2, 4096, 0, NULL);		/* thread_size = page_size */
	hdr_case(2, 1 << 20, 0, NULL);
	hdr_case(3, 1, 0, NULL);
	hdr_case(3, 64, 0, NULL);
	hdr_case(4, 0, 0, NULL);
	hdr_case(7, 0, 0, NULL);		/* nr_kernel_stack_start_kb 0 */

	/* page_size: 2^40 = 1099511627776, not a power of two, too small, too large */
	hdr_case(1, 1ull << 40, 0, "header: page_size 1099511627776 is out of range "
		 "(a power of two from 1024 to 1048576)");
	hdr_case(1, 3000, 0, "header: page_size 3000 is out of range "
		 "(a power of two from 1024 to 1048576)");
	hdr_case(1, 512, 0, "header: page_size 512 is out of range "
		 "(a power of two from 1024 to 1048576)");
	hdr_case(1, 0, 0, "header: page_size 0 is out of range "
		 "(a power of two from 1024 to 1048576)");
	hdr_case(1, 1 << 21, 0, "header: page_size 2097152 is out of range "
		 "(a power of two from 1024 to 1048576)");
	/* thread_size: not a multiple of 4096, 0, one page short, too large */
	hdr_case(2, 10000, 0, "header: thread_size 10000 is out of range "
		 "(a multiple of page_size 4096, at most 1048576)");
	hdr_case(2, 0, 0, "header: thread_size 0 is out of range "
		 "(a multiple of page_size 4096, at most 1048576)");
	hdr_case(2, (1 << 20) + 4096, 0, "header: thread_size 1052672 is out of range "
		 "(a multiple of page_size 4096, at most 1048576)");
	hdr_case(2, 1ull << 33, 0, "header: thread_size 8589934592 is out of range "
		 "(a multiple of page_size 4096, at most 1048576)");
	/* ncpus: 0, left out (0), 100000 */
	hdr_case(3, 0, 0, "header: ncpus 0 is out of range (1 to 65536)");
	hdr_case(3, 0, 1, "header: ncpus 0 is out of range (1 to 65536)");
	hdr_case(3, 100000, 0, "header: ncpus 100000 is out of range (1 to 65536)");
	/* depth_source 4: not one of the four */
	hdr_case(4, 4, 0, "header: depth_source 4 is out of range (0 to 3)");
	/* start_ns 2^63, and near 2^64 */
	hdr_case(6, T63, 0, "header: start_ns 9223372036854775808 is out of range "
		 "(at most 2^63 - 1)");
	hdr_case(6, UINT64_MAX - 999, 0, "header: start_ns 18446744073709550616 is out of range "
		 "(at most 2^63 - 1)");
	/* nr_kernel_stack_start_kb -5 (zigzag 9) */
	hdr_case(7, 9, 0, "header: nr_kernel_stack_start_kb -5 is out of range "
		 "(-1 for unknown, else at least 0)");
}

/* Varints of 10 bytes: the 64th bit is the last one a value may use. */
static void test_varints(void)
{
	/* FREE, time word 0, tid as a 10-byte varint */
	uint8_t rec[16] = { 0x84, 0x00 };
	struct craft c;
	struct cr_hdr h;

	/* valid: a second FREE naming task 0 by a 10-byte varint of 0 (not minimal) */
	{
		const uint64_t d0[1] = { 0 };
		uint8_t two[32];
		uint32_t len = frees(two, d0, 1);

		two[len++] = 0x84;
		two[len++] = 0x28;		/* dt 10 */
		memset(two + len, 0x80, 9);
		two[len + 9] = 0x00;
		len += 10;
		header(&c, 1000);
		cr_events(&c, two, len, 2, 1000);
		cr_trailer(&c, 1010, 2);
		expect_ok(&c, 2);
	}

	/* 0x81 0x80 x8 0x01: 1 + 2^63, an odd tref with tid 2^62: too large a tid */
	memset(rec + 2, 0x80, 9);
	rec[2] = 0x81;
	rec[11] = 0x01;
	header(&c, 1000);
	cr_events(&c, rec, 12, 1, 1000);
	cr_trailer(&c, 1000, 2);
	expect_corrupt(&c, "block 0: bad record value", 0);

	/* ... with 0x02 in the tenth byte: bit 64, beyond 64 bits */
	rec[11] = 0x02;
	header(&c, 1000);
	cr_events(&c, rec, 12, 1, 1000);
	cr_trailer(&c, 1000, 2);
	expect_corrupt(&c, "block 0: bad varint", 0);

	/* a header field the same way: page_size 4096 with bit 64 set */
	cr_hdr_default(&h);
	h.omit[1] = 1;
	h.label = NULL;
	cr_header(&c, &h);
	{
		/* append tag 1, length 10, 0x80 | 0, 0xa0, 0x80 x7, 0x02 */
		uint8_t tlv[12] = { 0x01, 0x0a, 0x80, 0xa0, 0x80, 0x80, 0x80, 0x80,
				    0x80, 0x80, 0x80, 0x02 };
		uint32_t l = cr_get32(c.buf + 12);
		struct craft d;

		memset(&d, 0, sizeof(d));
		cr_append(&d, c.buf, 16 + l);
		cr_append(&d, tlv, sizeof(tlv));
		cr_put32(d.buf + 12, l + sizeof(tlv));
		{
			uint8_t crc[4];

			cr_put32(crc, (uint32_t)crc32(0, d.buf, d.len));
			cr_append(&d, crc, 4);
		}
		{
			struct ks_error err;
			uint64_t count;

			CHECK_EQ(read_img(&d, &count, &err), -KS_E_CORRUPT);
			CHECK(!strcmp(err.detail,
				      "header: page_size is malformed (not one varint)"));
		}
		free(d.buf);
	}
	free(c.buf);
}
static int write_file(const char *name, const struct kst_info *in, const struct ks_event *evs,
		      size_t n, size_t flush_after, const struct kst_info *end, int *add_ret)
{
	struct ks_error err = { 0 };
	struct kst_writer *w;
	char path[256];
	size_t i;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ret = kst_writer_create(&w, path, in, &err);
	if (ret)
		return ret;
	*add_ret = 0;
	for (i = 0; i < n && !*add_ret; i++) {
		*add_ret = kst_writer_add(w, &evs[i]);
		if (i + 1 == flush_after)
			CHECK_EQ(kst_writer_flush(w), 0);
	}
	return kst_writer_close(w, end);
}

/* The writer refuses what the reader would refuse. */
static void test_writer(void)
{
	struct ks_event ev[2] = {
		{ .type = KS_EV_FREE, .time = 1000, .tid = 5 },
		{ .type = KS_EV_FREE, .time = 2000, .tid = 6 },
	};
	struct ks_error err = { 0 };
	struct kst_writer *w;
	struct kst_info in;
	char path[256];
	int add, fd;

	kst_info_init(&in);
	kst_info_set_ncpus(&in, 2);
	in.start_ns = 1000;
	in.end_ns = 2000;
	CHECK_EQ(write_file("ok.kst", &in, ev, 2, 1, &in, &add), 0);
	CHECK_EQ(add, 0);

	/* a header field out of range: nothing is created */
	snprintf(path, sizeof(path), "%s/bad-hdr.kst", dir);
	in.page_size = 3000;
	CHECK_EQ(kst_writer_create(&w, path, &in, &err), -EINVAL);
	CHECK(!strcmp(err.detail, "bad trace header: page_size 3000 is out of range "
		      "(a power of two from 1024 to 1048576)"));
	CHECK(access(path, F_OK) != 0);
	in.page_size = 4096;
	in.start_ns = T63;
	CHECK_EQ(kst_writer_create(&w, path, &in, &err), -EINVAL);
	in.start_ns = 1000;
	in.ncpus = 0;
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	CHECK_EQ(kst_writer_fdopen(&w, fd, &in, &err), -EINVAL);
	CHECK(!strcmp(err.detail, "bad trace header: ncpus 0 is out of range (1 to 65536)"));
	CHECK_EQ(lseek(fd, 0, SEEK_END), 0);	/* nothing written */
	close(fd);
	in.ncpus = 2;

	/* an event before start_ns, or at 2^63 */
	ev[0].time = 999;
	CHECK_EQ(write_file("early.kst", &in, ev, 2, 0, &in, &add), 0);
	CHECK_EQ(add, -EINVAL);
	ev[0].time = 1000;
	ev[1].time = T63;
	in.end_ns = T63;
	CHECK_EQ(write_file("late.kst", &in, ev, 2, 0, &in, &add), -EINVAL);
	CHECK_EQ(add, -EINVAL);

	/* back in time across a block boundary (the flush after event 0) */
	ev[1].time = 1000;
	ev[0].time = 1500;
	in.end_ns = 2000;
	CHECK_EQ(write_file("back.kst", &in, ev, 2, 1, &in, &add), 0);
	CHECK_EQ(add, -EINVAL);

	/* end_ns before the last event: no trailer (a truncated file) */
	ev[0].time = 1000;
	ev[1].time = 2000;
	in.end_ns = 1999;
	CHECK_EQ(write_file("end.kst", &in, ev, 2, 0, &in, &add), -EINVAL);
	CHECK_EQ(add, 0);
	{
		const struct ks_event *evs;
		struct kst_reader *r;
		size_t n, total = 0;

		snprintf(path, sizeof(path), "%s/end.kst", dir);
		CHECK_EQ(kst_reader_open(&r, path, &err), 0);
		while (kst_reader_next_block(r, &evs, &n, &err) > 0)
			total += n;
		CHECK_EQ(total, 2);
		CHECK(kst_reader_info(r)->truncated);
		kst_reader_free(r);
	}
	kst_info_release(&in);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	/* the rest is about the header and version 1's varints */
	version = 2;
	test_times();
	version = 1;
	test_times();
	test_header_fields();
	test_varints();
	test_writer();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	if (test_failures)
		fprintf(stderr, "%d checks failed\n", test_failures);
	return test_failures ? 1 : 0;
}
