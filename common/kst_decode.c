// SPDX-License-Identifier: MIT
/*
 * The record decoder (data/FORMAT.md "Records"): one tight loop over a
 * block's payload.  The payload is followed by KST_PAD zero bytes, so a
 * record is decoded without a bounds check per byte; the position is
 * checked against the end once per record, and no record can read more
 * than KST_PAD bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "kst_read.h"

#define NONE UINT32_MAX

/* The rest of a long varint, from bit @shift on. */
static const uint8_t *vslow(const uint8_t *p, uint64_t *v, unsigned int shift)
{
	for (; shift < 70; shift += 7) {
		uint64_t b = *p++;

		*v |= (b & 0x7f) << shift;
		if (!(b & 0x80))
			return p;
	}
	return NULL;
}

/* Varints of up to 3 bytes (nearly all) are decoded inline. */
#define VGET(v)							\
	do {							\
		uint64_t b0_ = p[0], b1_, b2_;			\
		if (!(b0_ & 0x80)) {				\
			(v) = b0_;				\
			p += 1;					\
			break;					\
		}						\
		b1_ = p[1];					\
		if (!(b1_ & 0x80)) {				\
			(v) = (b0_ & 0x7f) | b1_ << 7;		\
			p += 2;					\
			break;					\
		}						\
		b2_ = p[2];					\
		(v) = (b0_ & 0x7f) | (b1_ & 0x7f) << 7 | (b2_ & 0x7f) << 14; \
		p += 3;						\
		if (b2_ & 0x80) {				\
			p = vslow(p, &(v), 21);			\
			if (!p)					\
				goto bad_varint;		\
		}						\
	} while (0)

/* A value that must fit 32 bits */
#define VGET32(v)						\
	do {							\
		VGET(v64);					\
		if (v64 > UINT32_MAX)				\
			goto bad_value;				\
		(v) = (uint32_t)v64;				\
	} while (0)

/* hwm or depth, stored divided by 8 */
#define VGET8(v)						\
	do {							\
		VGET(v64);					\
		if (v64 > (UINT32_MAX >> 3))			\
			goto bad_value;				\
		(v) = (uint32_t)v64;				\
	} while (0)

/* A task reference: index << 1, or tid << 1 | 1 for a task new in the block */
#define TASK(idx)						\
	do {							\
		VGET(v64);					\
		if (v64 & 1) {					\
			if (v64 >> 33)				\
				goto bad_value;			\
			(idx) = ntasks;				\
			tasks[ntasks].tid = (uint32_t)(v64 >> 1); \
			tasks[ntasks].hwm8 = 0;			\
			tasks[ntasks].depth8 = 0;		\
			ntasks++;				\
		} else {					\
			if ((v64 >> 1) >= ntasks)		\
				goto bad_task;			\
			(idx) = (uint32_t)(v64 >> 1);		\
		}						\
	} while (0)

static inline const uint8_t *get_comm(const uint8_t *p, char *comm, int *bad)
{
	unsigned int n = *p++;

	if (n >= KS_COMM_LEN) {
		*bad = 1;
		return p;
	}
	memcpy(comm, p, n);
	memset(comm + n, 0, KS_COMM_LEN - n);
	return p + n;
}

const char *kst_decode_block(struct kst_reader *r, const uint8_t *raw, size_t len,
			     uint32_t nev, uint64_t base_time)
{
	const uint8_t *p = raw, *end = raw + len;
	struct ks_event *ev = r->evs;
	struct kst_rtask *tasks;
	struct kst_rcpu *cpus = r->cpus;
	uint32_t ntasks = 0, cur = 0, other = 0, gen, i;
	uint64_t t = base_time, v64;
	int bad = 0;

	/* each record names at most two tasks new to the block */
	if (r->tids_cap < (size_t)nev * 2) {
		tasks = realloc(r->tids, (size_t)nev * 2 * sizeof(*tasks));
		if (!tasks)
			return "out of memory";
		r->tids = tasks;
		r->tids_cap = (size_t)nev * 2;
	}
	tasks = r->tids;
	if (++r->gen == 0) {
		memset(cpus, 0, sizeof(r->cpus));
		r->gen = 1;
	}
	gen = r->gen;

	for (i = 0; i < nev; i++, ev++) {
		uint32_t tag, code, cpu, idx, prev, next;
		uint64_t w;

		if (p >= end)
			return "fewer records than the header says";
		tag = *p++;
		VGET(w);
		code = w & 3;
		t += w >> 2;
		if (code == KST_CPU_SAME) {
			cpu = cur;
		} else if (code == KST_CPU_OTHER) {
			cpu = other;
		} else if (code == KST_CPU_EXPLICIT) {
			VGET32(cpu);
		} else {
			goto bad_value;
		}
		if (cpu != cur) {
			other = cur;
			cur = cpu;
		}
		ev->time = t;
		ev->cpu = cpu;
		ev->tid2 = 0;
		ev->tgid = 0;
		ev->hwm = 0;
		ev->depth = 0;
		ev->arg = 0;
		ev->flags = 0;
		ev->state = 0;
		memset(ev->comm, 0, KS_COMM_LEN);

		if (!(tag & KST_TAG_OTHER)) {
			struct kst_rcpu *cs = cpu < KST_CPU_STATE ? &cpus[cpu] : NULL;
			uint32_t h8, d8;

			if (cs && cs->gen != gen) {
				cs->gen = gen;
				cs->last_next = cs->last_prev = NONE;
			}
			if (tag & KST_SW_PREV) {
				if (!cs || cs->last_next == NONE)
					goto bad_ref;
				prev = cs->last_next;
			} else {
				TASK(prev);
			}
			if (tag & KST_SW_PINGPONG) {
				if (!cs || cs->last_prev == NONE)
					goto bad_ref;
				next = cs->last_prev;
			} else {
				TASK(next);
			}
			if (tag & KST_SW_HWM)
				h8 = tasks[prev].hwm8;
			else
				VGET8(h8);
			if (tag & KST_SW_DEPTH)
				d8 = tasks[prev].depth8;
			else
				VGET8(d8);
			if (tag & KST_SW_FLAGS) {
				VGET(v64);
				if (v64 > UINT16_MAX)
					goto bad_value;
				ev->flags = (uint16_t)v64;
			}
			tasks[prev].hwm8 = h8;
			tasks[prev].depth8 = d8;
			if (cs) {
				cs->last_next = next;
				cs->last_prev = prev;
			}
			ev->type = KS_EV_SWITCH;
			ev->state = (tag >> KST_SW_STATE_SHIFT) & 3;
			if (ev->state > KS_STATE_DEAD)
				goto bad_value;
			ev->tid = tasks[prev].tid;
			ev->tid2 = tasks[next].tid;
			ev->hwm = h8 << 3;
			ev->depth = d8 << 3;
		} else if (tag == KST_TAG_FULL) {
			uint32_t type;

			VGET32(type);
			if (type < KS_EV_SNAPSHOT || type >= KS__EV_MAX)
				goto bad_value;
			ev->type = type;
			VGET32(ev->tid);
			VGET32(ev->tid2);
			VGET32(ev->tgid);
			VGET8(ev->hwm);
			ev->hwm <<= 3;
			VGET8(ev->depth);
			ev->depth <<= 3;
			VGET32(ev->arg);
			VGET(v64);
			if (v64 > UINT16_MAX)
				goto bad_value;
			ev->flags = (uint16_t)v64;
			ev->state = *p++;
			memcpy(ev->comm, p, KS_COMM_LEN);
			p += KS_COMM_LEN;
		} else {
			uint32_t type = tag & 0x0f;

			if (tag & 0x60 || type < KS_EV_SNAPSHOT || type >= KS__EV_MAX ||
			    type == KS_EV_SWITCH)
				goto bad_value;
			ev->type = type;
			if (type != KS_EV_LOST) {
				TASK(idx);
				ev->tid = tasks[idx].tid;
			} else {
				ev->tid = 0;
			}
			switch (type) {
			case KS_EV_SNAPSHOT:
				VGET(v64);
				ev->tgid = (uint32_t)(ev->tid + kst_unzigzag(v64));
				VGET8(ev->hwm);
				ev->hwm <<= 3;
				VGET8(ev->depth);
				ev->depth <<= 3;
				p = get_comm(p, ev->comm, &bad);
				break;
			case KS_EV_NEW:
				TASK(idx);
				ev->tid2 = tasks[idx].tid;
				VGET(v64);
				ev->tgid = (uint32_t)(ev->tid + kst_unzigzag(v64));
				p = get_comm(p, ev->comm, &bad);
				break;
			case KS_EV_EXIT:
				VGET(v64);
				ev->tgid = (uint32_t)(ev->tid + kst_unzigzag(v64));
				VGET8(ev->hwm);
				ev->hwm <<= 3;
				break;
			case KS_EV_KFAULT:
				VGET8(ev->depth);
				ev->depth <<= 3;
				break;
			case KS_EV_KENTRY:
			case KS_EV_KEXIT:
			case KS_EV_LOST:
				VGET32(ev->arg);
				break;
			default:
				break;
			}
			if (bad)
				return "bad comm length";
			if (tag & KST_TAG_FLAGS) {
				VGET(v64);
				if (v64 > UINT16_MAX)
					goto bad_value;
				ev->flags = (uint16_t)v64;
			}
		}
		if (p > end)
			return "record runs past the end of the block";
	}
	if (p != end)
		return "bytes left after the last record";
	return NULL;

bad_varint:
	return "bad varint";
bad_value:
	return "bad record value";
bad_task:
	return "reference to an unknown task";
bad_ref:
	return "switch refers to no previous switch on its CPU";
}
