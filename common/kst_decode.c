// SPDX-License-Identifier: MIT
/*
 * The version-1 record decoder (data/FORMAT.md "Records"): one tight loop
 * over a block's payload, the replay hot path of version-1 files.
 *
 * - The payload is followed by KST_PAD zero bytes and no record is longer
 *   than KST_REC_MAX, so a record is decoded without a bounds check per
 *   byte: the position is checked once per record, before it.
 * - Each record is decoded into locals and the event is written once, field
 *   by field, at the end: no zeroing of the whole struct, and no payload or
 *   table loads after a store (the build has -fno-strict-aliasing, so every
 *   store to the event would otherwise force the compiler to reload).
 * - The per-CPU switch state of the current and the other CPU is kept in
 *   two pointers that swap on a change between them, so the common records
 *   (same CPU / the other CPU) look nothing up.
 * - Where the data decide at random (same or other CPU, the time word's
 *   length, ping-pong or not, a new depth or not), the choice is made with
 *   masks instead of branches: on a real or synthetic stream a mispredicted
 *   branch costs more than the extra instructions (bench_format: 1.8 to 0.1
 *   mispredictions per event, 35 to 55 M events/s).  Rare cases (long
 *   varints, tasks new to the block) keep a branch that is almost never
 *   taken.
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "kst_read.h"

#define NONE UINT32_MAX

/* The longest record: tag, time word, cpu, a full record's 8 varints, state, comm */
#define KST_REC_MAX (1 + 10 + 10 + 8 * 10 + 1 + KS_COMM_LEN)
_Static_assert(KST_REC_MAX <= KST_PAD, "a record must fit in the zero padding");

/* 4 payload bytes, little-endian, from any position (no alignment needed) */
static inline uint32_t kst_ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* The rest of a long varint, from bit @shift on; NULL past 10 bytes or 64 bits. */
static const uint8_t *vslow(const uint8_t *p, uint64_t *v, unsigned int shift)
{
	for (; shift < 70; shift += 7) {
		uint64_t b = *p++;

		if (shift == 63 && b > 1)
			return NULL;

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
		if (likely(!(b0_ & 0x80))) {			\
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
		if (unlikely(b2_ & 0x80)) {			\
			p = vslow(p, &(v), 21);			\
			if (!p)					\
				goto bad_varint;		\
		}						\
	} while (0)

/*
 * A varint of 1 or 2 bytes decoded without a branch, from one load (the
 * padding makes it safe): @v its value, @len its length, @big set (and @v,
 * @len meaningless) when it is longer.
 */
#define SMALL(p_, v, len, big)					\
	uint32_t x_ = kst_ld32(p_), c_ = (x_ >> 7) & 1;	\
	uint32_t v = (x_ & 0x7f) | ((x_ >> 1) & 0x3f80 & -c_);	\
	uint32_t len = 1 + c_, big = c_ & (x_ >> 15)

/* All ones if @bit of @tag is clear (the field is in the record), else 0 */
#define ABSENT_MASK(tag, bit) (((tag) >> __builtin_ctz(bit) & 1) - 1)

/*
 * The time word: up to 4 bytes (dt < 2^26 ns, nearly all) decoded without
 * a branch on the length, from one load; longer ones by VGET, which also
 * keep the bits of the time they lead to in @tmax.
 *
 * Why that finds every time above KST_TIME_MAX (the block's base time is
 * at most that): short deltas add up to less than 2^46 in a block, and a
 * delta is below 2^62, so a time that passes 2^63 has bit 63 set either at
 * the end of the block or at the next long delta; it cannot wrap around
 * 2^64 before, which would need more than 2^62 of short deltas.
 */
#define VTIME(w, tmax)						\
	do {							\
		uint32_t x_ = kst_ld32(p), s_ = ~x_ & 0x80808080u; \
		if (unlikely(!s_)) {				\
			VGET(w);				\
			(tmax) |= t + ((w) >> 2);		\
			break;					\
		}						\
		x_ &= s_ ^ (s_ - 1);				\
		(w) = (x_ & 0x7f) | (x_ >> 1 & 0x3f80) | (x_ >> 2 & 0x1fc000) | \
		      (x_ >> 3 & 0xfe00000);			\
		p += (__builtin_ctz(s_) + 1) >> 3;		\
	} while (0)

/* A value that must fit 32 bits */
#define VGET32(v)						\
	do {							\
		VGET(v64);					\
		if (unlikely(v64 > UINT32_MAX))			\
			goto bad_value;				\
		(v) = (uint32_t)v64;				\
	} while (0)

/* hwm or depth, stored divided by 8: the value returned is in bytes */
#define VGET8(v)						\
	do {							\
		VGET(v64);					\
		if (unlikely(v64 > (UINT32_MAX >> 3)))		\
			goto bad_value;				\
		(v) = (uint32_t)v64 << 3;			\
	} while (0)

/* flags, 16 bits */
#define VGET16(v)						\
	do {							\
		VGET(v64);					\
		if (unlikely(v64 > UINT16_MAX))			\
			goto bad_value;				\
		(v) = (uint16_t)v64;				\
	} while (0)

/* A task reference: index << 1, or tid << 1 | 1 for a task new in the block */
#define TASK(idx)						\
	do {							\
		VGET(v64);					\
		if (!(v64 & 1)) {				\
			if (unlikely((v64 >> 1) >= ntasks))	\
				goto bad_task;			\
			(idx) = (uint32_t)(v64 >> 1);		\
		} else {					\
			if (unlikely(v64 >> 33))		\
				goto bad_value;			\
			(idx) = ntasks;				\
			tasks[ntasks].tid = (uint32_t)(v64 >> 1); \
			tasks[ntasks].hwm = 0;			\
			tasks[ntasks].depth = 0;		\
			tasks[ntasks].tgid = (uint32_t)(v64 >> 1); \
			ntasks++;				\
		}						\
	} while (0)

/*
 * flags of a switch or kfault: in a KST_BF_TGID block, bit 16 of the
 * varint says that the task's tgid follows (zigzag from its tid).
 */
#define FLAGS_TGID(f, tp_)					\
	do {							\
		VGET(v64);					\
		(f) = (uint16_t)v64;				\
		if (unlikely(v64 > UINT16_MAX)) {		\
			if ((v64 >> 16) != 1 || !tgmask)	\
				goto bad_value;			\
			VGET(v64);				\
			(tp_)->tgid = (uint32_t)((tp_)->tid + kst_unzigzag(v64)); \
		}						\
	} while (0)

/* comm: a length byte n < 16 and n bytes, NUL-padded to 16 in the event */
#define COMM()							\
	do {							\
		n = *p++;					\
		if (unlikely(n >= KS_COMM_LEN))			\
			goto bad_comm;				\
		memset(ev->comm, 0, KS_COMM_LEN);		\
		memcpy(ev->comm, p, n);				\
		p += n;						\
		comm = 1;					\
	} while (0)

/*
 * The switch state of @cpu, valid for this block.  A CPU without state
 * (>= KST_CPU_STATE) gets the spare entry that @other is not using.
 */
static inline struct kst_rcpu *cpu_state(struct kst_rcpu *cpus, const struct kst_rcpu *other,
					 uint32_t cpu, uint32_t gen)
{
	struct kst_rcpu *cs;

	if (unlikely(cpu >= KST_CPU_STATE)) {
		cs = &cpus[KST_CPU_STATE + (other == &cpus[KST_CPU_STATE])];
		cs->cpu = cpu;
		cs->last_next = cs->last_prev = NONE;
		cs->poison = NONE;
		return cs;
	}
	cs = &cpus[cpu];
	if (cs->gen != gen) {
		cs->gen = gen;
		cs->cpu = cpu;
		cs->last_next = cs->last_prev = NONE;
		cs->poison = 0;
	}
	return cs;
}

const char *kst_decode_block(struct kst_reader *r, struct ks_event *evs, const uint8_t *raw,
			     size_t len, uint32_t nev, uint64_t base_time, uint8_t bflags)
{
	/* TGID blocks: switches carry prev's tgid and arg = state, kfaults a tgid */
	const uint32_t tgmask = bflags & KST_BF_TGID ? UINT32_MAX : 0;
	const uint8_t *p = raw, *end = raw + len;
	struct ks_event *ev = evs, *evend = ev + nev;
	struct kst_rcpu *cs_cur, *cs_other, *cs;
	struct kst_rtask *tasks;
	uint32_t ntasks = 0, gen, tag = 0;
	uint64_t t = base_time, v64, tmax = 0;

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
		memset(r->cpus, 0, sizeof(r->cpus));
		r->gen = 1;
	}
	gen = r->gen;
	/* cur and other are CPU 0 at the start of a block */
	cs_cur = cs_other = cpu_state(r->cpus, NULL, 0, gen);

	for (; ev < evend; ev++) {
		uint32_t cpu, tid, tid2, tgid, hwm, depth, arg, type, state, n;
		uint16_t flags;
		int comm = 0;
		uint64_t w;

		if (unlikely(p >= end))
			return p == end ? "fewer records than the header says" :
					  "record runs past the end of the block";
		tag = *p++;
		VTIME(w, tmax);
		t += w >> 2;
		if (likely((w & 3) <= KST_CPU_OTHER)) {
			/*
			 * Swap cur and other for KST_CPU_OTHER without a branch: in
			 * a merged per-CPU stream it is a coin toss.  Also right when
			 * other == cur (both CPU 0 at the start).
			 */
			uintptr_t d = ((uintptr_t)cs_cur ^ (uintptr_t)cs_other) & -(uintptr_t)(w & 1);

			cs_cur = (struct kst_rcpu *)((uintptr_t)cs_cur ^ d);
			cs_other = (struct kst_rcpu *)((uintptr_t)cs_other ^ d);
		} else {
			if ((w & 3) != KST_CPU_EXPLICIT)
				goto bad_value;
			VGET32(cpu);
			if (cpu != cs_cur->cpu) {
				cs_other = cs_cur;
				cs_cur = cpu_state(r->cpus, cs_other, cpu, gen);
			}
		}

		if (likely(!(tag & KST_TAG_OTHER))) {
			struct kst_rtask *tp;
			uint32_t prev, next;

			cs = cs_cur;
			if (likely(tag & KST_SW_PREV)) {
				prev = cs->last_next;
				if (unlikely(prev == NONE))
					goto bad_ref;
			} else {
				TASK(prev);
			}
			/* next: the CPU's last prev or a known task's index */
			{
				SMALL(p, v, nb, big);
				uint32_t m = ABSENT_MASK(tag, KST_SW_PINGPONG);

				/* one branch, rarely taken: a tref that is long or new */
				if (likely(!((big | v) & 1 & m))) {
					next = (v >> 1 & m) | (cs->last_prev & ~m);
					p += nb & m;
				} else {
					TASK(next);
				}
				/* also catches a missing last_prev (NONE) */
				if (unlikely(next >= ntasks))
					goto bad_next;
			}
			tp = &tasks[prev];
			/* a task's hwm rarely changes: a branch predicts it well */
			if (likely(tag & KST_SW_HWM))
				hwm = tp->hwm;
			else
				VGET8(hwm);
			/* its depth at switch-out often does: no branch on which */
			{
				SMALL(p, v, nb, big);
				uint32_t m = ABSENT_MASK(tag, KST_SW_DEPTH);

				if (likely(!(big & m))) {
					depth = (v << 3 & m) | (tp->depth & ~m);
					p += nb & m;
				} else {
					VGET8(depth);
				}
			}
			flags = 0;
			if (unlikely(tag & KST_SW_FLAGS))
				FLAGS_TGID(flags, tp);
			state = (tag >> KST_SW_STATE_SHIFT) & 3;
			if (unlikely(state > KS_STATE_DEAD))
				goto bad_value;
			tid = tp->tid;
			tgid = tp->tgid & tgmask;
			tid2 = tasks[next].tid;
			tp->hwm = hwm;
			tp->depth = depth;
			cs->last_next = next | cs->poison;
			cs->last_prev = prev | cs->poison;
			ev->time = t;
			ev->cpu = cs->cpu;
			ev->tid = tid;
			ev->tid2 = tid2;
			ev->tgid = tgid;
			ev->hwm = hwm;
			ev->depth = depth;
			ev->arg = state & tgmask;
			ev->flags = flags;
			ev->type = KS_EV_SWITCH;
			ev->state = state;
			memset(ev->comm, 0, KS_COMM_LEN);
			continue;
		}

		if ((tag & ~KST_TAG_FLAGS) == (KST_TAG_OTHER | KS_EV_KFAULT)) {
			/* kernel faults are the other common record of a recording */
			struct kst_rtask *tp;
			uint32_t idx;

			{
				SMALL(p, v, nb, big);
				if (likely(!(big | (v & 1)))) {
					idx = v >> 1;
					p += nb;
					if (unlikely(idx >= ntasks))
						goto bad_task;
				} else {
					TASK(idx);
				}
			}
			tp = &tasks[idx];
			{
				SMALL(p, v, nb, big);
				if (likely(!big)) {
					depth = v << 3;
					p += nb;
				} else {
					VGET8(depth);
				}
			}
			flags = 0;
			if (tag & KST_TAG_FLAGS)
				FLAGS_TGID(flags, tp);
			tid = tp->tid;
			tgid = tp->tgid & tgmask;
			ev->time = t;
			ev->cpu = cs_cur->cpu;
			ev->tid = tid;
			ev->tid2 = 0;
			ev->tgid = tgid;
			ev->hwm = 0;
			ev->depth = depth;
			ev->arg = 0;
			ev->flags = flags;
			ev->type = KS_EV_KFAULT;
			ev->state = 0;
			memset(ev->comm, 0, KS_COMM_LEN);
			continue;
		}

		tid = tid2 = tgid = hwm = depth = arg = state = 0;
		flags = 0;
		if (tag == KST_TAG_FULL) {
			VGET32(type);
			if (unlikely(type < KS_EV_SNAPSHOT || type >= KS__EV_MAX))
				goto bad_value;
			VGET32(tid);
			VGET32(tid2);
			VGET32(tgid);
			VGET8(hwm);
			VGET8(depth);
			VGET32(arg);
			VGET16(flags);
			state = *p++;
			memcpy(ev->comm, p, KS_COMM_LEN);
			p += KS_COMM_LEN;
			comm = 1;
		} else {
			uint32_t idx = 0, idx2;

			type = tag & 0x0f;
			if (unlikely(tag & 0x60 || type < KS_EV_SNAPSHOT || type >= KS__EV_MAX ||
				     type == KS_EV_SWITCH))
				goto bad_value;
			if (type != KS_EV_LOST) {
				TASK(idx);
				tid = tasks[idx].tid;
			}
			switch (type) {
			case KS_EV_SNAPSHOT:
				VGET(v64);
				tgid = (uint32_t)(tid + kst_unzigzag(v64));
				tasks[idx].tgid = tgid;
				VGET8(hwm);
				VGET8(depth);
				COMM();
				break;
			case KS_EV_NEW:
				TASK(idx2);
				tid2 = tasks[idx2].tid;
				VGET(v64);
				tgid = (uint32_t)(tid + kst_unzigzag(v64));
				tasks[idx].tgid = tgid;
				COMM();
				break;
			case KS_EV_EXIT:
				VGET(v64);
				tgid = (uint32_t)(tid + kst_unzigzag(v64));
				tasks[idx].tgid = tgid;
				VGET8(hwm);
				break;
			case KS_EV_KFAULT:
				VGET8(depth);
				if (tag & KST_TAG_FLAGS)
					FLAGS_TGID(flags, &tasks[idx]);
				tgid = tasks[idx].tgid & tgmask;
				break;
			case KS_EV_KENTRY:
			case KS_EV_KEXIT:
			case KS_EV_LOST:
				VGET32(arg);
				break;
			case KS_EV_EXEC:
				COMM();
				break;
			default:
				break;
			}
			if (tag & KST_TAG_FLAGS && type != KS_EV_KFAULT)
				VGET16(flags);
		}
		ev->time = t;
		ev->cpu = cs_cur->cpu;
		ev->tid = tid;
		ev->tid2 = tid2;
		ev->tgid = tgid;
		ev->hwm = hwm;
		ev->depth = depth;
		ev->arg = arg;
		ev->flags = flags;
		ev->type = type;
		ev->state = state;
		if (!comm)
			memset(ev->comm, 0, KS_COMM_LEN);
	}
	if (p > end)
		return "record runs past the end of the block";
	if (p != end)
		return "bytes left after the last record";
	if ((tmax | t) > KST_TIME_MAX)
		return "time out of range: an event's time passes 2^63 - 1 ns";
	return NULL;

bad_varint:
	return "bad varint";
bad_value:
	return "bad record value";
bad_task:
	return "reference to an unknown task";
bad_ref:
	return "switch refers to no previous switch on its CPU";
bad_next:
	if (tag & KST_SW_PINGPONG)
		goto bad_ref;
	goto bad_task;
bad_comm:
	return "bad comm length";
}
