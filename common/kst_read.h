/* SPDX-License-Identifier: MIT */
/*
 * Private to the trace reader: its state, shared by kst_read.c (blocks,
 * files) and the record decoders of the replay hot path, kst_decode.c
 * (version 1) and kst_decode2.c (version 2).
 */
#ifndef KST_READ_H
#define KST_READ_H

#include <stdbool.h>
#include <stdint.h>
#include <zlib.h>
#include <zstd.h>

#include "kst.h"
#include "kst_fmt.h"

/* A block header, decoded */
struct kst_bhdr {
	uint64_t base_time;
	uint32_t seq;
	uint32_t payload_len;
	uint32_t raw_len;
	uint32_t nev;
	uint32_t crc;
	uint8_t kind;
	uint8_t flags;
};

/* Per-task state of the block being decoded: remembered hwm and depth in bytes */
struct kst_rtask {
	uint32_t tid;
	uint32_t hwm;
	uint32_t depth;
	uint32_t tgid;			/* used in KST_BF_TGID blocks; initially the tid */
};

/*
 * Per-CPU switch state of the block being decoded.  CPUs >= KST_CPU_STATE
 * have none: they use one of two spare entries whose poison (all ones)
 * keeps last_next and last_prev at "none" whatever is stored there.
 */
struct kst_rcpu {
	uint32_t gen;			/* valid when equal to the reader's */
	uint32_t last_next;		/* task index, or UINT32_MAX for none */
	uint32_t last_prev;
	uint32_t cpu;
	uint32_t poison;		/* 0, or UINT32_MAX for a spare entry */
};

/* Version 2: what a tag says, ready for the record loop (kst_decode2.c) */
struct kst_tdesc {
	uint64_t hdx;			/* all ones for HWM_X, DEPTH_X: a pair like (hwm, depth) */
	uint64_t word;			/* the event's arg, flags, type and state, as in memory */
	uint32_t px, nx;		/* all ones for PREV_X (TASK_X), NEXT_X */
	uint32_t tag;
	uint8_t kind;			/* KST2_K_*: which loop decodes the record */
	uint8_t hv, dv;			/* 1 for HWM_X, DEPTH_X: values taken from V */
};

#define KST2_K_SWITCH	0	/* a switch without TGID_X */
#define KST2_K_KFAULT	1	/* a kfault without TGID_X */
#define KST2_K_OTHER	2
#define KST2_CHUNK	256	/* records decoded a pass at a time */
#define KST2_DICT_MAX	(1u << KST2_WT_MAX)

struct kst_reader {
	struct kst_info info;
	struct ks_error err;		/* sticky error of next_block */
	const uint8_t *mem;		/* kst_reader_open_mem's buffer */
	uint64_t size;			/* bytes, when seekable or in memory */
	uint64_t first_block;		/* offset of block 0 */
	uint64_t off;			/* offset of the next block */
	uint64_t id_hdr;		/* FNV-1a of the header bytes */
	uint64_t id_run;		/* ... and of the CRCs of the blocks read */
	uint64_t events_read;
	uint64_t last_time;		/* of the last event read, or start_ns */
	uint32_t seq;			/* number of the next block */
	uint32_t gen;			/* decoder's block generation */
	int fd;
	int error;			/* sticky negative code */
	bool seekable;
	bool have_trailer;
	bool id_known;
	bool done;
	bool zs_init;
	z_stream zs;
	ZSTD_DCtx *zd;			/* created at the first zstd block */
	uint8_t *payload;		/* compressed payload */
	size_t payload_cap;
	uint8_t *raw;			/* decoded payload + KST_PAD zero bytes */
	size_t raw_cap;
	struct ks_event *evs;
	size_t evs_cap;
	struct kst_rtask *tids;		/* the block's task table */
	size_t tids_cap;
	/* version 2: the dictionary's tags, then those a chunk escapes */
	struct kst_tdesc desc[KST2_DICT_MAX + KST2_CHUNK];
	uint32_t *kdepth;		/* version 2: per task, the depth of its last kfault */
	/* version 2: per CPU, last_next and last_prev; the last pair for CPUs >= 1024 */
	uint32_t cst[2 * (KST_CPU_STATE + 1)];
	uint32_t *kbuf;			/* version 2: stream K unpacked */
	size_t kbuf_cap;
	uint32_t *vbuf;			/* version 2: stream V unpacked, in bytes */
	size_t vbuf_cap;
	struct kst_rcpu cpus[KST_CPU_STATE + 2];	/* + the two spares */
};

/**
 * kst_decode_block() - decode @nev version-1 records of @raw into @evs
 * @raw: the payload followed by KST_PAD zero bytes
 * @base_time: the block's, at most KST_TIME_MAX
 * @flags: the block's flags (KST_BF_TGID matters)
 *
 * Return: NULL, or what is wrong with the block (an event's time above
 * KST_TIME_MAX included).
 */
const char *kst_decode_block(struct kst_reader *r, struct ks_event *evs, const uint8_t *raw,
			     size_t len, uint32_t nev, uint64_t base_time, uint8_t flags);

/**
 * kst_decode2_block() - decode a version-2 block's @nev events into @evs
 * @raw: the payload followed by KST2_PAD(@nev) readable bytes
 *
 * As kst_decode_block().
 */
const char *kst_decode2_block(struct kst_reader *r, struct ks_event *evs, const uint8_t *raw,
			      size_t len, uint32_t nev, uint64_t base_time, uint8_t flags);

#endif
