/* SPDX-License-Identifier: MIT */
/*
 * Private to the trace writer: its state and the task table of a block,
 * shared by kst_write.c (files, blocks, version-1 records) and kst_write2.c
 * (version-2 blocks), which both include this through kst_write2.h; the
 * functions are in kst_wstate.c.
 */
#ifndef KST_WSTATE_H
#define KST_WSTATE_H

#include <stdint.h>
#include <zlib.h>
#include <zstd.h>

#include "kst.h"
#include "kst_fmt.h"

/* Slot of the tid hash: a tid's index in the current block's task table */
struct kst_tid_slot {
	uint32_t tid;
	uint32_t gen;
	uint32_t idx;
};

/* Per-CPU switch state of the current block (FORMAT.md "Records") */
struct kst_wcpu {
	uint32_t gen;
	uint32_t last_next;	/* task index */
	uint32_t last_prev;
};

/* Version-1 per-task state */
struct kst_wtask {
	uint32_t hwm8;
	uint32_t depth8;
	uint32_t tgid;		/* remembered tgid (TGID blocks), initially the tid */
};

struct kst_w2;

struct kst_writer {
	uint64_t bytes;		/* written so far */
	uint64_t nr_events;
	uint64_t last_time;	/* time of the previous record, at first start_ns */
	uint64_t base_time;
	uint32_t version;	/* 1 or 2 */
	uint32_t nev;		/* events in the current block */
	uint32_t raw_len;	/* bytes of the current block's payload in raw */
	uint32_t seq;		/* next block's sequence number */
	uint32_t gen;		/* current block's generation */
	uint32_t ntasks;	/* tasks indexed in this block */
	uint32_t hmask;		/* tid hash size - 1 */
	uint32_t cpu;		/* version 1: cpu of the previous record */
	uint32_t other_cpu;	/* version 1: the cpu before the last change */
	uint32_t ncpus;
	int tgid_mode;		/* this block: -1 undecided, 0 plain, 1 KST_BF_TGID */
	int fd;
	int own_fd;
	int codec;		/* enum kst_codec */
	int level;		/* the codec's level, 0 = store */
	int error;		/* sticky negative code */
	z_stream zs;
	int zs_init;
	ZSTD_CCtx *zc;
	uint8_t *raw;		/* the block's payload before compression */
	size_t raw_size;
	uint8_t *out;		/* block header + compressed payload */
	size_t out_size;
	struct kst_tid_slot *tids;	/* hmask + 1 slots */
	struct kst_wtask *tasks;	/* version 1: hmask + 1 */
	struct kst_w2 *w2;		/* version 2: the block's streams */
	struct kst_wcpu cpus[KST_CPU_STATE];
};

/* Multiplicative hash: the top bits index the table (hmask + 1 a power of two) */
static inline uint32_t tid_hash(const struct kst_writer *w, uint32_t tid)
{
	return (uint32_t)(((uint64_t)(tid * 2654435761u) * (w->hmask + 1)) >> 32);
}

/**
 * kst_tid_lookup() - index of @tid in the current block's task table
 * @fresh: set to 1 if it was added now (the caller initializes its state)
 */
uint32_t kst_tid_lookup(struct kst_writer *w, uint32_t tid, int *fresh);

/**
 * kst_w_canonical() - can @ev be a compact record (else a full one)?
 * @tgid_mode: in a TGID block
 */
int kst_w_canonical(const struct ks_event *ev, int tgid_mode);

#endif
