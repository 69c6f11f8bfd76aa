/* SPDX-License-Identifier: MIT */
/*
 * Private to the trace format (common/kst_*.c): constants of the version 1
 * layout, little-endian and varint codecs, the header/trailer TLV codec.
 * data/FORMAT.md is the specification these follow.
 */
#ifndef KST_FMT_H
#define KST_FMT_H

#include <stddef.h>
#include <stdint.h>

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

/* Writer's block size and the reader's sanity limits */
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

/* kst_info.c: header and trailer TLV codecs, and the header's limits */
size_t kst_hdr_encode(const struct kst_info *info, uint8_t *buf, size_t size);
int kst_hdr_decode(struct kst_info *info, const uint8_t *p, size_t len, char *why, size_t size);
const char *kst_hdr_check(const struct kst_info *info, char *buf, size_t size);
size_t kst_trailer_encode(const struct kst_info *info, uint32_t ncpus, uint64_t nr_events,
			  uint8_t *buf, size_t size);
int kst_trailer_decode(struct kst_info *info, const uint8_t *p, size_t len);

#endif
