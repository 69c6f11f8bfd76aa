// SPDX-License-Identifier: MIT
/*
 * The corruption walk's crafted files: valid checksums around absurd
 * times, sizes, counts, CPU numbers, varints, block sequences and header
 * fields, as a bad writer would make them (craft.h builds them byte by byte
 * from FORMAT.md).  Each goes through kstack info, dump and replay by file
 * and through a pipe; the expected message is the one FORMAT.md gives for
 * the rule it breaks, the numbers worked out in the comments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craft.h"
#include "walk.h"

void crafted(const char *name, struct craft *c, const struct want *w)
{
	char pname[128];

	add_case(name, c->buf, c->len, w, 0, 1);
	snprintf(pname, sizeof(pname), "%s, piped", name);
	add_case(pname, c->buf, c->len, w, 1, 1);
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

void error_case(const char *name, struct craft *c, const char *msg)
{
	struct want w = { .kind = WANT_ERROR, .msg = msg };

	crafted(name, c, &w);
}

void ok_case(const char *name, struct craft *c, uint64_t events)
{
	struct want w = { .kind = WANT_OK, .events = events };

	crafted(name, c, &w);
}

/*
 * A FREE record (tag 0x84): time word dt << 2 | code (0 same CPU, 2 with
 * the CPU @cpu after it), then the tid as a task reference: @first names
 * tid 7 new to the block (7 << 1 | 1), else task 0.
 */
static uint8_t *rec_free(uint8_t *p, uint64_t dt, int first, int64_t cpu)
{
	*p++ = 0x84;
	p = cr_varint(p, dt << 2 | (cpu >= 0 ? 2 : 0));
	if (cpu >= 0)
		p = cr_varint(p, (uint64_t)cpu);
	*p++ = first ? 0x0f : 0x00;
	return p;
}

/* A header with the defaults of craft.h (2 CPUs, start_ns 1000) and @nblocks
 * blocks of @per FREE records 10 ns apart, the first at start_ns. */
static uint64_t plain(struct craft *c, unsigned int nblocks, unsigned int per)
{
	uint64_t t = 1000;
	struct cr_hdr h;
	unsigned int b, i;

	cr_hdr_default(&h);
	cr_header(c, &h);
	for (b = 0; b < nblocks; b++) {
		uint8_t rec[4096], *p = rec;

		for (i = 0; i < per; i++)
			p = rec_free(p, i ? 10 : 0, !i, -1);
		cr_events(c, rec, (uint32_t)(p - rec), per, t);
		t += 10 * (per - 1);
	}
	return t;	/* the last event's time */
}

static void header_case(const char *name, unsigned int tag, uint64_t v, int omit,
			const char *msg)
{
	uint8_t rec[16], *p = rec;
	struct craft c;
	struct cr_hdr h;

	cr_hdr_default(&h);
	h.v[tag] = v;
	h.omit[tag] = omit;
	cr_header(&c, &h);
	p = rec_free(p, 0, 1, -1);
	cr_events(&c, rec, (uint32_t)(p - rec), 1, 1000);
	cr_trailer(&c, 1000, omit || v > 65536 || tag != 3 ? 2 : (uint32_t)v);
	if (msg)
		error_case(name, &c, msg);
	else
		ok_case(name, &c, 1);
}

static void walk_header_fields(void)
{
	struct craft c;
	struct cr_hdr h;

	header_case("page_size 2^40", 1, 1ull << 40, 0,
		    "header: page_size 1099511627776 is out of range");
	header_case("page_size 3000", 1, 3000, 0, "header: page_size 3000 is out of range");
	header_case("thread_size 10000", 2, 10000, 0,
		    "header: thread_size 10000 is out of range (a multiple of page_size 4096");
	header_case("thread_size 0", 2, 0, 0, "header: thread_size 0 is out of range");
	header_case("ncpus 0", 3, 0, 0, "header: ncpus 0 is out of range (1 to 65536)");
	header_case("no ncpus", 3, 0, 1, "header: ncpus 0 is out of range (1 to 65536)");
	header_case("ncpus 100000", 3, 100000, 0,
		    "header: ncpus 100000 is out of range (1 to 65536)");
	header_case("depth_source 7", 4, 7, 0, "header: depth_source 7 is out of range");
	header_case("start_ns near 2^64", 6, UINT64_MAX - 999, 0,
		    "header: start_ns 18446744073709550616 is out of range");
	header_case("nr_kernel_stack_start_kb -5", 7, cr_zigzag(-5), 0,
		    "header: nr_kernel_stack_start_kb -5 is out of range");
	/* the format allows these */
	header_case("page_size 64 KiB over thread_size 16 KiB", 1, 65536, 0,
		    "header: thread_size 16384 is out of range");
	header_case("ncpus 65536", 3, 65536, 0, NULL);
	header_case("huge ram_kb and seed", 5, UINT64_MAX, 0, NULL);

	/* an unknown tag is skipped; a long label is cut */
	cr_hdr_default(&h);
	h.label = "a label far longer than the sixty-three bytes its field holds, "
		  "which the reader cuts";
	cr_header(&c, &h);
	{
		uint8_t rec[16], *p = rec_free(rec, 0, 1, -1);

		cr_events(&c, rec, (uint32_t)(p - rec), 1, 1000);
	}
	cr_trailer(&c, 1000, 2);
	ok_case("a long label", &c, 1);

	/* a TLV length of 70000 (at most 65536) */
	cr_hdr_default(&h);
	cr_header(&c, &h);
	cr_put32(c.buf + 12, 70000);
	error_case("TLV length 70000", &c, "header: bad length 70000");
}

static void walk_times(void)
{
	uint8_t rec[256], *p;
	struct craft c;
	size_t off;
	uint64_t last;

	/* a base time near 2^64 */
	plain(&c, 1, 2);
	p = rec_free(rec, 0, 1, -1);
	cr_events(&c, rec, (uint32_t)(p - rec), 1, UINT64_MAX - 9);
	cr_trailer(&c, UINT64_MAX - 9, 2);
	error_case("base time near 2^64", &c, "trace is corrupt: block 1: time out of range: "
		   "base time 18446744073709551606 ns");

	/* block 1 starting before block 0's last event (1010) */
	plain(&c, 1, 2);
	p = rec_free(rec, 0, 1, -1);
	cr_events(&c, rec, (uint32_t)(p - rec), 1, 1005);
	cr_trailer(&c, 2000, 2);
	error_case("time backwards across blocks", &c, "block 1: time goes backwards: base "
		   "time 1005 ns is before 1010 ns, the last event of block 0");

	/* block 0 before the header's start_ns (1000) */
	{
		struct cr_hdr h;

		cr_hdr_default(&h);
		cr_header(&c, &h);
		p = rec_free(rec, 0, 1, -1);
		cr_events(&c, rec, (uint32_t)(p - rec), 1, 999);
		cr_trailer(&c, 1000, 2);
		error_case("an event before start_ns", &c, "block 0: time goes backwards: base "
			   "time 999 ns is before the header's start_ns (1000 ns)");
	}

	/* deltas of 2^62 - 1 wrapping around 2^64 within a block */
	{
		struct cr_hdr h;
		int i;

		cr_hdr_default(&h);
		cr_header(&c, &h);
		p = rec;
		for (i = 0; i < 5; i++)
			p = rec_free(p, i ? (1ull << 62) - 1 : 0, !i, -1);
		cr_events(&c, rec, (uint32_t)(p - rec), 5, 1000);
		cr_trailer(&c, 2000, 2);
		error_case("time wrapping within a block", &c, "block 0: time out of range: an "
			   "event's time passes 2^63 - 1 ns");
	}

	/* the first event 5 ns after its block's base time */
	plain(&c, 0, 0);
	p = rec_free(rec, 5, 1, -1);
	cr_events(&c, rec, (uint32_t)(p - rec), 1, 1000);
	cr_trailer(&c, 2000, 2);
	error_case("the first event after the base time", &c, "block 0: the first event's "
		   "time (1005 ns) is not the block's base time (1000 ns)");

	/* end_ns before the last event, before start_ns, beyond 2^63 - 1 */
	last = plain(&c, 2, 3);
	cr_trailer(&c, last - 1, 2);
	error_case("end_ns before the last event", &c, "block 2: time goes backwards: end_ns "
		   "1039 ns is before 1040 ns, the last event of block 1");
	plain(&c, 0, 0);
	cr_trailer(&c, 999, 2);
	error_case("end_ns before start_ns", &c, "block 0: time goes backwards: end_ns 999 ns "
		   "is before the header's start_ns (1000 ns)");
	plain(&c, 1, 1);
	cr_trailer(&c, 1ull << 63, 2);
	error_case("end_ns 2^63", &c, "block 1: time out of range: end_ns 9223372036854775808");

	/* a trailer whose base time is not its end_ns */
	plain(&c, 1, 1);
	off = cr_trailer(&c, 3000, 2);
	cr_put64(c.buf + off + 24, 2000);
	cr_fix(&c, off);
	error_case("trailer base time", &c, "block 1: the trailer's base time (2000 ns) is not "
		   "its end_ns (3000 ns)");

	/* valid: a gap of 2^62 - 1 ns (146 years) and events at 2^63 - 1 */
	plain(&c, 1, 1);
	p = rec_free(rec, 0, 1, -1);
	p = rec_free(p, (1ull << 62) - 1, 0, -1);
	cr_events(&c, rec, (uint32_t)(p - rec), 2, 1000);
	p = rec_free(rec, 0, 1, -1);
	cr_events(&c, rec, (uint32_t)(p - rec), 1, (1ull << 63) - 1);
	cr_trailer(&c, (1ull << 63) - 1, 2);
	ok_case("a 146-year trace", &c, 4);
}

static void walk_sizes_counts(void)
{
	uint8_t rec[256], *p;
	struct craft c;
	size_t off;
	uint64_t last;

	/* block header sizes: FORMAT.md "Limits" */
	static const struct {
		const char *name;
		uint32_t flags, p, r, nev;
	} sizes[] = {
		{ "0 events", 0, 3, 3, 0 },
		{ "2^20 + 1 events", 0, 1 << 22, 1 << 22, (1 << 20) + 1 },
		{ "R over 16 MiB", 1, 3, (16 << 20) + 1, 1 },
		{ "P over 32 MiB", 1, (32u << 20) + 1, 3, 1 },
		{ "more events than R / 2", 0, 3, 3, 2 },
		{ "stored with P != R", 0, 3, 4, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		plain(&c, 1, 1);
		p = rec_free(rec, 0, 1, -1);
		off = cr_events(&c, rec, (uint32_t)(p - rec), 1, 1000);
		c.buf[off + 9] = (uint8_t)sizes[i].flags;
		cr_put32(c.buf + off + 12, sizes[i].p);
		cr_put32(c.buf + off + 16, sizes[i].r);
		cr_put32(c.buf + off + 20, sizes[i].nev);
		cr_fix_header(&c, off);
		cr_trailer(&c, 1000, 2);
		error_case(sizes[i].name, &c, "block 1: bad block sizes");
	}

	/* a payload announced longer than the file: a block cut short, truncated */
	{
		struct want w = { .kind = WANT_TRUNC, .events = 2, .blocks = 1 };

		plain(&c, 1, 2);
		p = rec_free(rec, 0, 1, -1);
		off = cr_events(&c, rec, (uint32_t)(p - rec), 1, 1010);
		cr_put32(c.buf + off + 12, 1000);
		cr_put32(c.buf + off + 16, 1000);
		cr_fix_header(&c, off);
		crafted("payload beyond the end", &c, &w);
	}

	/* deflate flag on bytes that are no deflate stream */
	plain(&c, 0, 0);
	p = rec_free(rec, 0, 1, -1);
	off = cr_events(&c, rec, (uint32_t)(p - rec), 1, 1000);
	c.buf[off + 9] = 1;
	cr_put32(c.buf + off + 16, 40);
	cr_fix(&c, off);
	cr_trailer(&c, 1000, 2);
	error_case("not deflate", &c, "block 0: cannot decompress");

	/* records against the count: one short, one over */
	plain(&c, 0, 0);
	p = rec_free(rec, 0, 1, -1);
	p = rec_free(p, 10, 0, -1);
	cr_events(&c, rec, (uint32_t)(p - rec), 3, 1000);
	cr_trailer(&c, 2000, 2);
	error_case("fewer records than events", &c, "block 0: fewer records than the header says");
	plain(&c, 0, 0);
	p = rec_free(rec, 0, 1, -1);
	p = rec_free(p, 10, 0, -1);
	cr_events(&c, rec, (uint32_t)(p - rec), 1, 1000);
	cr_trailer(&c, 2000, 2);
	error_case("more records than events", &c, "block 0: bytes left after the last record");

	/* the trailer's counts: events, CPUs, lost events */
	last = plain(&c, 2, 2);
	c.nev = 5;
	cr_trailer(&c, last, 2);
	error_case("trailer event count", &c, "block 2: trailer's event count differs");
	last = plain(&c, 1, 2);
	cr_trailer(&c, last, 3);
	error_case("trailer ncpus", &c, "block 1: malformed trailer");
	{
		/* end_ns, nr_events 2, ncpus 2, lost_tracefs { 2^63, 0 } */
		uint8_t pl[64], *q = pl;

		last = plain(&c, 1, 2);
		*q++ = 1;
		*q++ = 2;
		q = cr_varint(q, last);
		q = cr_varint(cr_varint(cr_varint(q, 3), 1), 2);
		q = cr_varint(cr_varint(cr_varint(q, 4), 1), 2);
		*q++ = 5;
		*q++ = 11;
		q = cr_varint(q, 1ull << 63);
		*q++ = 0;
		cr_block(&c, 2, 0, pl, (uint32_t)(q - pl), (uint32_t)(q - pl), 0, last);
		error_case("lost events 2^63", &c, "block 1: malformed trailer");
	}

	/* a trailer whose R is not its P (never compressed: R = P) */
	last = plain(&c, 1, 2);
	off = cr_trailer(&c, last, 2);
	cr_put32(c.buf + off + 16, cr_get32(c.buf + off + 12) + 1);
	cr_fix_header(&c, off);
	error_case("trailer R != P", &c, "block 1: bad trailer header");

	/* block sequence: 5 where 1 belongs, an unknown kind, many blocks */
	plain(&c, 1, 1);
	c.seq = 5;
	p = rec_free(rec, 0, 1, -1);
	cr_events(&c, rec, (uint32_t)(p - rec), 1, 1000);
	cr_trailer(&c, 1000, 2);
	error_case("block out of sequence", &c, "block 1: out-of-sequence block");
	plain(&c, 1, 1);
	p = rec_free(rec, 0, 1, -1);
	cr_block(&c, 3, 0, rec, (uint32_t)(p - rec), (uint32_t)(p - rec), 1, 1000);
	error_case("block kind 3", &c, "block 1: unknown block kind");
	last = plain(&c, 2000, 1);
	cr_trailer(&c, last, 2);
	ok_case("2000 blocks", &c, 2000);
	plain(&c, 0, 0);
	cr_trailer(&c, 1000, 2);
	ok_case("no event block", &c, 0);
	last = plain(&c, 1, 3);
	cr_trailer(&c, last, 2);
	cr_append(&c, "garbage after the footer", 24);
	ok_case("data after the trailer", &c, 3);
}

static void walk_records(void)
{
	uint8_t rec[64], *p;
	struct craft c;

	/* CPU numbers: 2^32 - 1 is allowed (no per-CPU state), 2^32 does not fit */
	plain(&c, 0, 0);
	p = rec_free(rec, 0, 1, UINT32_MAX);
	p = rec_free(p, 10, 0, 70000);
	cr_events(&c, rec, (uint32_t)(p - rec), 2, 1000);
	cr_trailer(&c, 1010, 2);
	ok_case("CPUs 4294967295 and 70000", &c, 2);
	plain(&c, 0, 0);
	p = rec_free(rec, 0, 1, 1ll << 32);
	cr_events(&c, rec, (uint32_t)(p - rec), 1, 1000);
	cr_trailer(&c, 1000, 2);
	error_case("CPU 2^32", &c, "block 0: bad record value");

	/* varints: 11 bytes; 10 bytes beyond 64 bits; an index far past the tasks */
	plain(&c, 0, 0);
	p = rec;
	*p++ = 0x84;
	*p++ = 0x00;
	memset(p, 0xff, 10);
	p[10] = 0x01;
	p += 11;
	cr_events(&c, rec, (uint32_t)(p - rec), 1, 1000);
	cr_trailer(&c, 1000, 2);
	error_case("an 11-byte varint", &c, "block 0: bad varint");
	plain(&c, 0, 0);
	p = rec;
	*p++ = 0x84;
	*p++ = 0x00;
	memset(p, 0x80, 9);
	p[9] = 0x7f;
	p += 10;
	cr_events(&c, rec, (uint32_t)(p - rec), 1, 1000);
	cr_trailer(&c, 1000, 2);
	error_case("a varint beyond 64 bits", &c, "block 0: bad varint");
	plain(&c, 0, 0);
	p = rec;
	*p++ = 0x84;
	*p++ = 0x00;
	p = cr_varint(p, 1ull << 41);
	cr_events(&c, rec, (uint32_t)(p - rec), 1, 1000);
	cr_trailer(&c, 1000, 2);
	error_case("a task index of 2^40", &c, "block 0: reference to an unknown task");

	/* an EXIT whose hwm8 (2^29) is 2^32 bytes: more than 32 bits */
	plain(&c, 0, 0);
	p = rec;
	*p++ = 0x83;
	*p++ = 0x00;
	*p++ = 0x0f;
	*p++ = 0x00;
	p = cr_varint(p, 1ull << 29);
	cr_events(&c, rec, (uint32_t)(p - rec), 1, 1000);
	cr_trailer(&c, 1000, 2);
	error_case("hwm of 2^32 bytes", &c, "block 0: bad record value");

	/* a switch that names the previous switch on a CPU that had none */
	plain(&c, 0, 0);
	p = rec;
	*p++ = 0x01;
	*p++ = 0x00;
	*p++ = 0x0f;
	*p++ = 0x00;
	cr_events(&c, rec, (uint32_t)(p - rec), 1, 1000);
	cr_trailer(&c, 1000, 2);
	error_case("PREV with no previous switch", &c,
		   "block 0: switch refers to no previous switch on its CPU");
}

void walk_crafted(void)
{
	walk_header_fields();
	walk_times();
	walk_sizes_counts();
	walk_records();
}
