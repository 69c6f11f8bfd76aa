/* SPDX-License-Identifier: MIT */
/*
 * Private to the trace format (common/kst_*.c): constants of the version 1
 * and 2 layouts, little-endian, varint and bit-packing codecs, the checksum
 * of each version, the header/trailer TLV codec.  data/FORMAT.md is the
 * specification these follow.
 */
#ifndef KST_FMT_H
#define KST_FMT_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kst.h"

/* File header: magic[8] version u32 tlv_len u32 tlv[tlv_len] crc32 u32 */
#define KST_MAGIC		"\x89KSTACK\n"
#define KST_MAGIC_LEN		8
#define KST_HDR_FIXED		16	/* magic, version, tlv_len */
#define KST_HDR_TLV_MAX		65536

/* Block header (40 bytes), see FORMAT.md "Blocks" */
#define KST_BLOCK_MAGIC		0x424b534bu	/* "KSKB" little-endian */
#define KST_BLOCK_HDR		40
#define KST_KIND_EVENTS		1
#define KST_KIND_TRAILER	2
#define KST_BF_CODEC		0x03	/* flags bits 0-1: the payload's compression */
#define KST_BF_STORED		0x00
#define KST_BF_DEFLATE		0x01	/* raw DEFLATE stream */
#define KST_BF_ZSTD		0x02	/* one zstd frame */
#define KST_BF_TGID		0x04	/* switches and kfaults carry tgids */
#define KST_BF_KNOWN		(KST_BF_CODEC | KST_BF_TGID)
#define KST_FLAGS_TGID		0x10000	/* in a flags varint: a tgid follows */

/* Footer: trailer offset u64, magic[8] */
#define KST_FOOTER_MAGIC	"KSTFOOT1"
#define KST_FOOTER_LEN		16

/* Writer's block size (version 1) and the reader's sanity limits */
#define KST_BLOCK_EVENTS	4096
#define KST_BLOCK_BYTES		65536
#define KST_MAX_EVENTS		(1u << 20)
#define KST_MAX_RAW		(16u << 20)
#define KST_MAX_PAYLOAD		(32u << 20)
#define KST_MAX_NCPUS		65536
/* page_size: a power of two in this range; thread_size: a multiple of it up to the max */
#define KST_PAGE_MIN		1024
#define KST_PAGE_MAX		(1u << 20)
#define KST_THREAD_MAX		(1u << 20)
/* every time: a signed 64-bit value */
#define KST_TIME_MAX		((1ull << 63) - 1)
#define KST_PAD			256	/* zero bytes after a decoded payload */
#define KST_CPU_STATE		1024	/* cpus with per-CPU switch state */

/* Record tags: 0x00..0x7f is a SWITCH with 7 flag bits, else 0x80 | type */
#define KST_SW_PREV		0x01	/* prev = last next on this cpu */
#define KST_SW_PINGPONG		0x02	/* next = last prev on this cpu */
#define KST_SW_HWM		0x04	/* prev's hwm unchanged */
#define KST_SW_DEPTH		0x08	/* prev's depth unchanged */
#define KST_SW_STATE_SHIFT	4	/* 2 bits: 0 running 1 sleeping 2 dead */
#define KST_SW_FLAGS		0x40	/* flags varint follows */
#define KST_TAG_OTHER		0x80
#define KST_TAG_FLAGS		0x10	/* other types: flags varint follows */
#define KST_TAG_FULL		0x8f	/* generic record: every field explicit */

/* Time word: dt << 2 | cpu code */
#define KST_CPU_SAME		0
#define KST_CPU_OTHER		1
#define KST_CPU_EXPLICIT	2

/*
 * Version 2 event blocks (FORMAT.md "Version 2 records"): a directory, then
 * packed streams of fixed-width fields and byte streams for the rest.
 */
#define KST2_BLOCK_EVENTS	16384	/* the writer closes a block at this many events */
#define KST2_M_BYTES		65536	/* ... or once its M stream reaches this */
#define KST2_WIDTHS		5	/* wT wD wC wK wV */
#define KST2_WT_MAX		8
#define KST2_WD_MAX		32
#define KST2_WC_MAX		32
#define KST2_WK_MAX		21	/* task indices < 2 * KST_MAX_EVENTS */
#define KST2_WV_MAX		29	/* hwm8, depth8 < 2^29: bytes fit 32 bits */
/* Reads past a packed stream's end (values then unused) stay in this padding */
#define KST2_PAD(nev)		(8 * (size_t)(nev) + 64)

/* A record's tag: type, type-specific bits, the event's flags */
#define KST2_TYPE		0x0000000fu
#define KST2_FULL		15	/* a type: every field in M */
#define KST2_PREV_X		0x00000010u	/* switch: prev from K (else the CPU's last next) */
#define KST2_TASK_X		0x00000010u	/* kfault, kentry, kexit: the task from K */
#define KST2_NEXT_X		0x00000020u	/* switch: next from K (else the CPU's last prev) */
#define KST2_HWM_X		0x00000040u	/* switch, exit: hwm8 from V */
#define KST2_DEPTH_X		0x00000080u	/* switch, kfault: depth8 from V */
#define KST2_STATE_SHIFT	8		/* switch: 2 bits, 0..2 */
#define KST2_STATE		0x00000300u
#define KST2_TGID_X		0x00000400u	/* a tgid varint in M */
#define KST2_COMM_X		0x00000800u	/* snapshot, new, exec: a comm in M */
#define KST2_FLAGS_SHIFT	16		/* bits 16-31: the event's flags */

/* Header TLV tags */
enum kst_tag {
	KST_T_PAGE_SIZE = 1,
	KST_T_THREAD_SIZE,
	KST_T_NCPUS,
	KST_T_DEPTH_SOURCE,
	KST_T_RAM_KB,
	KST_T_START_NS,
	KST_T_NR_KSTACK_START,
	KST_T_SEED,
	KST_T_HOST,
	KST_T_KERNEL,
	KST_T_ARCH,
	KST_T_CLOCK,
	KST_T_COLLECTOR,
	KST_T_OPTIONS,
	KST_T_LABEL,
	KST_T_WORKLOAD_PID,	/* optional: written only when non-zero */
};

/* Trailer TLV tags */
enum kst_ttag {
	KST_TT_END_NS = 1,
	KST_TT_NR_KSTACK_END,
	KST_TT_NR_EVENTS,
	KST_TT_NCPUS,
	KST_TT_LOST_TRACEFS,
	KST_TT_LOST_RINGBUF,
};

static inline void kst_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static inline void kst_put_le64(uint8_t *p, uint64_t v)
{
	kst_put_le32(p, (uint32_t)v);
	kst_put_le32(p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t kst_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t kst_get_le64(const uint8_t *p)
{
	return kst_get_le32(p) | (uint64_t)kst_get_le32(p + 4) << 32;
}

/* LEB128: 7 bits per byte, low first, high bit = more; at most 10 bytes */
static inline uint8_t *kst_put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)v | 0x80;
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline uint64_t kst_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t kst_unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/*
 * Bounded varint decoder: returns the position after the varint or NULL if
 * it runs past @end, is longer than 10 bytes or does not fit 64 bits.
 */
static inline const uint8_t *kst_get_varint(const uint8_t *p, const uint8_t *end,
					    uint64_t *out)
{
	uint64_t v = 0;
	unsigned int shift = 0;

	while (p < end && shift < 70) {
		uint8_t b = *p++;

		/* the tenth byte holds bit 63 only: more does not fit 64 bits */
		if (shift == 63 && b > 1)
			return NULL;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return p;
		}
		shift += 7;
	}
	return NULL;
}

/* Value @i of a packed stream of @w-bit values (@w <= 32, 8 bytes readable at the byte) */
static inline uint32_t kst_bits_get(const uint8_t *s, uint64_t bit, uint32_t mask)
{
	uint64_t v;

	memcpy(&v, s + (bit >> 3), 8);
	return (uint32_t)(le64toh(v) >> (bit & 7)) & mask;
}

/* The bytes of @n packed values of @w bits */
static inline size_t kst_bits_bytes(uint64_t n, unsigned int w)
{
	return (size_t)((n * w + 7) >> 3);
}

/* Bits needed for @v (0 for 0) */
static inline unsigned int kst_bitlen(uint64_t v)
{
	return v ? 64 - __builtin_clzll(v) : 0;
}

/* FNV-1a 64 */
#define KST_FNV_INIT 0xcbf29ce484222325ull

static inline uint64_t kst_fnv(uint64_t h, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* kst_crc.c: CRC-32C, the checksum of version 2 */
uint32_t kst_crc32c(uint32_t crc, const void *buf, size_t len);
uint32_t kst_crc32c_soft(uint32_t crc, const void *buf, size_t len);

/* kst_info.c: header and trailer TLV codecs, and the header's limits */
size_t kst_hdr_encode(const struct kst_info *info, uint8_t *buf, size_t size);
int kst_hdr_decode(struct kst_info *info, const uint8_t *p, size_t len, char *why, size_t size);
const char *kst_hdr_check(const struct kst_info *info, char *buf, size_t size);
size_t kst_trailer_encode(const struct kst_info *info, uint32_t ncpus, uint64_t nr_events,
			  uint8_t *buf, size_t size);
int kst_trailer_decode(struct kst_info *info, const uint8_t *p, size_t len);

#endif
