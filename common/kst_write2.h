/* SPDX-License-Identifier: MIT */
/*
 * Private to the trace writer: the version-2 block encoder of kst_write2.c,
 * called by kst_write.c as a block fills and ends.
 */
#ifndef KST_WRITE2_H
#define KST_WRITE2_H

#include "kst_wstate.h"

/** kst_w2_create() - the version-2 block state of @w (w->w2); 0 or -ENOMEM */
int kst_w2_create(struct kst_writer *w);
/** kst_w2_free() - free w->w2; accepts a writer without one */
void kst_w2_free(struct kst_writer *w);
/** kst_w2_reset() - start a new block (after kst_writer's own reset) */
void kst_w2_reset(struct kst_writer *w);
/**
 * kst_w2_add() - encode @ev into the current block
 * Return: 1 if the block is full now (flush it), else 0.
 */
int kst_w2_add(struct kst_writer *w, const struct ks_event *ev);
/**
 * kst_w2_pack() - the current block's payload into w->raw, w->raw_len
 * @flags: set to the block flags it needs (KST_BF_TGID)
 * Return: 0 or -ENOMEM.
 */
int kst_w2_pack(struct kst_writer *w, uint8_t *flags);

#endif
