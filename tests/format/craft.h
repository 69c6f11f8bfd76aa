/* SPDX-License-Identifier: MIT */
/*
 * Trace files built byte by byte from data/FORMAT.md, with valid checksums
 * and any field values (a bad writer rather than random damage), for the
 * reader's validity tests and the corruption walk, in both versions.
 * Independent of common/: zlib's crc32 (version 1) and a bit-by-bit CRC-32C
 * (version 2), as FORMAT.md defines them, and version-2 payloads packed
 * here from FORMAT.md "Version 2 event blocks".
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
	uint32_t version;	/* 1 or 2: the checksum of every part */
};

/* CRC-32C (FORMAT.md "Encodings"), one bit at a time */
static inline uint32_t cr_crc32c(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t c = 0xffffffffu;
	int k;

	while (len--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
	}
	return ~c;
}

/* The checksum of @version: zlib's CRC-32 (1) or CRC-32C (2) */
static inline uint32_t cr_crc(uint32_t version, const void *buf, size_t len)
{
	return version == 2 ? cr_crc32c(buf, len) : (uint32_t)crc32(0, buf, len);
}

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
	uint32_t version;	/* 0: 1 */
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

/* Start @c with the file header of @h (magic, version, TLV area, crc). */
static inline void cr_header(struct craft *c, const struct cr_hdr *h)
{
	uint8_t tlv[512], *p = tlv, fixed[16], crc[4];
	unsigned int tag;

	memset(c, 0, sizeof(*c));
	c->version = h->version ? h->version : 1;
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
	cr_put32(fixed + 8, c->version);
	cr_put32(fixed + 12, (uint32_t)(p - tlv));
	cr_append(c, fixed, 16);
	cr_append(c, tlv, p - tlv);
	cr_put32(crc, cr_crc(c->version, c->buf, c->len));
	cr_append(c, crc, 4);
}

/* Recompute the header checksum of the block at offset @off (after a change). */
static inline void cr_fix_header(struct craft *c, size_t off)
{
	uint8_t *b = c->buf + off;

	cr_put32(b + 36, cr_crc(c->version, b, 36));
}

/* Recompute both checksums of the block at @off; its payload must be all there. */
static inline void cr_fix(struct craft *c, size_t off)
{
	uint8_t *b = c->buf + off;

	cr_put32(b + 32, cr_crc(c->version, b + 40, cr_get32(b + 12)));
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

/* ---- version 2 payloads (FORMAT.md "Version 2 event blocks") ---- */

#define CR2_MAX 256	/* values per stream in a crafted block */

/*
 * A version-2 payload: the directory's fields and each stream's values.
 * The counts the directory announces are the arrays' lengths unless an
 * override (>= 0) says otherwise; the byte streams are given as bytes.
 */
struct cr2 {
	uint32_t wt, wd, wc, wk, wv;
	uint32_t dict[CR2_MAX], ndict;
	int64_t tids[CR2_MAX];	/* the task table (TGID blocks: and tgids) */
	int64_t tgids[CR2_MAX];
	uint32_t ntasks;
	int tgid_block;
	uint32_t t[CR2_MAX], nt;	/* tag indices, one per event */
	uint32_t e[CR2_MAX], ne;	/* escaped tags */
	uint32_t d[CR2_MAX], nd;	/* time deltas */
	uint32_t c[CR2_MAX], nc;	/* CPUs */
	uint32_t k[CR2_MAX], nk;	/* task indices */
	uint32_t v[CR2_MAX], nv;	/* hwm8 / depth8 values */
	uint8_t xd[CR2_MAX], xv[CR2_MAX], m[CR2_MAX];
	uint32_t lxd, lxv, lm;
	int64_t say_ne, say_nk, say_nv;	/* announced counts, if >= 0 */
};

static inline void cr2_init(struct cr2 *b)
{
	memset(b, 0, sizeof(*b));
	b->wt = 4;
	b->wd = 16;
	b->wc = 1;
	b->wk = 4;
	b->wv = 12;
	b->say_ne = b->say_nk = b->say_nv = -1;
}

/* Append @n values of @w bits, LSB first, ending at a byte boundary */
static inline uint8_t *cr2_pack(uint8_t *p, const uint32_t *v, uint32_t n, uint32_t w)
{
	uint64_t acc = 0;
	uint32_t bits = 0, i;

	for (i = 0; i < n; i++) {
		acc |= (uint64_t)(v[i] & (uint32_t)((1ull << w) - 1)) << bits;
		bits += w;
		while (bits >= 8) {
			*p++ = (uint8_t)acc;
			acc >>= 8;
			bits -= 8;
		}
	}
	if (bits)
		*p++ = (uint8_t)acc;
	return p;
}

/* Serialize @b into @out (room for 8 KiB); returns its length. */
static inline uint32_t cr2_payload(const struct cr2 *b, uint8_t *out)
{
	uint8_t *p = out;
	int64_t prev = 0;
	uint32_t i;

	*p++ = (uint8_t)b->wt;
	*p++ = (uint8_t)b->wd;
	*p++ = (uint8_t)b->wc;
	*p++ = (uint8_t)b->wk;
	*p++ = (uint8_t)b->wv;
	p = cr_varint(p, b->ndict);
	for (i = 0; i < b->ndict; i++, p += 4)
		cr_put32(p, b->dict[i]);
	p = cr_varint(p, b->ntasks);
	for (i = 0; i < b->ntasks; prev = b->tids[i++])
		p = cr_varint(p, cr_zigzag(b->tids[i] - prev));
	prev = 0;
	for (i = 0; b->tgid_block && i < b->ntasks; prev = b->tgids[i++])
		p = cr_varint(p, cr_zigzag(b->tgids[i] - prev));
	p = cr_varint(p, b->say_ne >= 0 ? (uint64_t)b->say_ne : b->ne);
	p = cr_varint(p, b->say_nk >= 0 ? (uint64_t)b->say_nk : b->nk);
	p = cr_varint(p, b->say_nv >= 0 ? (uint64_t)b->say_nv : b->nv);
	p = cr_varint(p, b->lxd);
	p = cr_varint(p, b->lxv);
	p = cr_varint(p, b->lm);
	p = cr2_pack(p, b->t, b->nt, b->wt);
	for (i = 0; i < b->ne; i++, p += 4)
		cr_put32(p, b->e[i]);
	p = cr2_pack(p, b->d, b->nd, b->wd);
	p = cr2_pack(p, b->c, b->nc, b->wc);
	p = cr2_pack(p, b->k, b->nk, b->wk);
	p = cr2_pack(p, b->v, b->nv, b->wv);
	memcpy(p, b->xd, b->lxd);
	p += b->lxd;
	memcpy(p, b->xv, b->lxv);
	p += b->lxv;
	memcpy(p, b->m, b->lm);
	p += b->lm;
	return (uint32_t)(p - out);
}

/* A stored version-2 event block of @b's events (nt of them) at @base */
static inline size_t cr2_events(struct craft *c, const struct cr2 *b, uint64_t base)
{
	uint8_t pl[8192];
	uint32_t len = cr2_payload(b, pl);

	return cr_block(c, 1, b->tgid_block ? 4 : 0, pl, len, len, b->nt, base);
}

#endif
