/* SPDX-License-Identifier: MIT */
/*
 * Trace files built byte by byte from data/FORMAT.md, with valid checksums
 * and any field values (a bad writer rather than random damage), for the
 * reader's validity tests and the corruption walk.  Independent of
 * common/: only zlib's crc32, which FORMAT.md names.
 */
#ifndef CRAFT_H
#define CRAFT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* A growing file image; @seq is the next block's sequence number. */
struct craft {
	uint8_t *buf;
	size_t len, cap;
	uint32_t seq;
	uint64_t nev;		/* events announced by the event blocks so far */
};

static inline void cr_put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static inline void cr_put64(uint8_t *p, uint64_t v)
{
	cr_put32(p, (uint32_t)v);
	cr_put32(p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t cr_get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* LEB128 */
static inline uint8_t *cr_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline uint64_t cr_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline void cr_append(struct craft *c, const void *p, size_t n)
{
	if (c->len + n > c->cap) {
		c->cap = (c->len + n) * 2 + 256;
		c->buf = realloc(c->buf, c->cap);
		if (!c->buf)
			abort();
	}
	memcpy(c->buf + c->len, p, n);
	c->len += n;
}

/* The header's integer fields by tag (1 page_size .. 8 seed), and a label. */
struct cr_hdr {
	uint64_t v[9];
	int omit[9];		/* leave the tag out */
	const char *label;
};

static inline void cr_hdr_default(struct cr_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->v[1] = 4096;		/* page_size */
	h->v[2] = 16384;	/* thread_size */
	h->v[3] = 2;		/* ncpus */
	h->v[4] = 3;		/* depth_source: synthetic */
	h->v[6] = 1000;		/* start_ns */
	h->v[7] = cr_zigzag(-1);	/* nr_kernel_stack_start_kb unknown */
	h->label = "craft";
}

/* Start @c with the file header of @h (magic, version 1, TLV area, crc). */
static inline void cr_header(struct craft *c, const struct cr_hdr *h)
{
	uint8_t tlv[512], *p = tlv, fixed[16], crc[4];
	unsigned int tag;

	memset(c, 0, sizeof(*c));
	for (tag = 1; tag <= 8; tag++) {
		uint8_t val[10];
		size_t n;

		if (h->omit[tag])
			continue;
		n = cr_varint(val, h->v[tag]) - val;
		p = cr_varint(p, tag);
		p = cr_varint(p, n);
		memcpy(p, val, n);
		p += n;
	}
	if (h->label) {
		p = cr_varint(p, 15);
		p = cr_varint(p, strlen(h->label));
		memcpy(p, h->label, strlen(h->label));
		p += strlen(h->label);
	}
	memcpy(fixed, "\x89KSTACK\n", 8);
	cr_put32(fixed + 8, 1);
	cr_put32(fixed + 12, (uint32_t)(p - tlv));
	cr_append(c, fixed, 16);
	cr_append(c, tlv, p - tlv);
	cr_put32(crc, (uint32_t)crc32(0, c->buf, c->len));
	cr_append(c, crc, 4);
}

/* Recompute the header checksum of the block at offset @off (after a change). */
static inline void cr_fix_header(struct craft *c, size_t off)
{
	uint8_t *b = c->buf + off;

	cr_put32(b + 36, (uint32_t)crc32(0, b, 36));
}

/* Recompute both checksums of the block at @off; its payload must be all there. */
static inline void cr_fix(struct craft *c, size_t off)
{
	uint8_t *b = c->buf + off;

	cr_put32(b + 32, (uint32_t)crc32(0, b + 40, cr_get32(b + 12)));
	cr_fix_header(c, off);
}

/*
 * Append a block: @kind 1 events / 2 trailer, @flags, @payload of @plen
 * bytes stored as is, R = @raw_len, @nev events, base time @base.
 * Return: its offset, for changes followed by cr_fix().
 */
static inline size_t cr_block(struct craft *c, uint8_t kind, uint8_t flags, const void *payload,
			      uint32_t plen, uint32_t raw_len, uint32_t nev, uint64_t base)
{
	uint8_t h[40] = { 0 };
	size_t off = c->len;

	cr_put32(h, 0x424b534b);
	cr_put32(h + 4, c->seq++);
	h[8] = kind;
	h[9] = flags;
	cr_put32(h + 12, plen);
	cr_put32(h + 16, raw_len);
	cr_put32(h + 20, nev);
	cr_put64(h + 24, base);
	cr_append(c, h, 40);
	cr_append(c, payload, plen);
	cr_fix(c, off);
	if (kind == 1)
		c->nev += nev;
	return off;
}

/* A stored event block of @nev records. */
static inline size_t cr_events(struct craft *c, const void *records, uint32_t len, uint32_t nev,
			       uint64_t base)
{
	return cr_block(c, 1, 0, records, len, len, nev, base);
}

/*
 * Append the trailer block (end_ns @end as base time and field, the
 * events counted so far, @ncpus zero lost counts) and the footer.
 * Return: the trailer's offset.
 */
static inline size_t cr_trailer(struct craft *c, uint64_t end, uint32_t ncpus)
{
	uint8_t *pl = malloc(64 + 2 * (size_t)ncpus), *p = pl, val[10], foot[16];
	size_t off = c->len, n;
	uint32_t i, k;

	if (!pl)
		abort();
	p = cr_varint(p, 1);
	n = cr_varint(val, end) - val;
	p = cr_varint(p, n);
	memcpy(p, val, n);
	p += n;
	p = cr_varint(p, 2);		/* nr_kernel_stack_end_kb: -1 */
	p = cr_varint(p, 1);
	p = cr_varint(p, cr_zigzag(-1));
	p = cr_varint(p, 3);		/* nr_events */
	n = cr_varint(val, c->nev) - val;
	p = cr_varint(p, n);
	memcpy(p, val, n);
	p += n;
	p = cr_varint(p, 4);		/* ncpus */
	p = cr_varint(p, cr_varint(val, ncpus) - val);
	p = cr_varint(p, ncpus);
	for (k = 5; k <= 6; k++) {	/* lost arrays: one 0 byte per CPU */
		p = cr_varint(p, k);
		p = cr_varint(p, ncpus);
		for (i = 0; i < ncpus; i++)
			*p++ = 0;
	}
	cr_block(c, 2, 0, pl, (uint32_t)(p - pl), (uint32_t)(p - pl), 0, end);
	free(pl);
	cr_put64(foot, off);
	memcpy(foot + 8, "KSTFOOT1", 8);
	cr_append(c, foot, 16);
	return off;
}

#endif
