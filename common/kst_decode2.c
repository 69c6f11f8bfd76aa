// SPDX-License-Identifier: MIT
/*
 * The version-2 block decoder (data/FORMAT.md "Version 2 event blocks"),
 * the replay hot path of version-2 files.
 *
 * - Every hot field has its own stream of fixed-width values, so no field
 *   waits for the length of the one before, as each varint of a version-1
 *   record does.  The streams are unpacked in tight loops of their own,
 *   each with few live values (a loop over all the streams at once keeps
 *   more than the registers hold): K and V for the whole block, T, D and C
 *   a chunk of records at a time into arrays that stay in the L1 cache;
 *   escaped values are substituted there.  The record loop then reads
 *   plain arrays.
 * - A value a switch may or may not take from K or V (its next, its hwm
 *   and depth) is loaded either way and selected with a mask: which one it
 *   takes is a coin toss on a real stream, and a mispredicted branch costs
 *   more than the unused load.  The arrays have room for the loads of a
 *   chunk past their end, and the counts are checked after each chunk; a
 *   block whose records do not use exactly the values its directory
 *   announces is rejected as a whole, so the events of a bad block are
 *   never delivered.  K's indices are checked once, when unpacked, so a
 *   switch only checks that its CPU had the state it refers to.
 * - Adjacent pairs of 32-bit fields (a CPU's last next and prev, a task's
 *   and an event's hwm and depth) move as one 64-bit word; the candidates
 *   of hwm and depth are one unaligned 8-byte load from V.
 * - The record loop keeps its positions in locals whose address is never
 *   taken: with -fno-strict-aliasing, every store to an event would
 *   otherwise make the compiler reload them.
 * - Rare things (escaped tags, CPUs without state, the M stream, records
 *   other than switches and kfaults) take a branch that is almost never
 *   taken, and read with bounds checks.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kst_read.h"

#define NONE UINT32_MAX
#define CHUNK KST2_CHUNK
#define DICT_MAX KST2_DICT_MAX

/* Fields the record loop moves 8 bytes at a time */
_Static_assert(offsetof(struct ks_event, flags) == offsetof(struct ks_event, arg) + 4 &&
	       offsetof(struct ks_event, type) == offsetof(struct ks_event, arg) + 6 &&
	       offsetof(struct ks_event, state) == offsetof(struct ks_event, arg) + 7,
	       "the event's arg, flags, type and state fill 8 bytes");
_Static_assert(offsetof(struct ks_event, depth) == offsetof(struct ks_event, hwm) + 4 &&
	       offsetof(struct ks_event, tgid) == offsetof(struct ks_event, tid2) + 4 &&
	       offsetof(struct kst_rtask, depth) == offsetof(struct kst_rtask, hwm) + 4,
	       "pairs of 32-bit fields are adjacent");

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/*
 * The 64-bit word whose memory image is the 32-bit @lo then @hi, as two
 * adjacent fields are; and back.
 */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define PAIR(lo, hi)	((uint64_t)(lo) | (uint64_t)(hi) << 32)
#define PAIR_LO(p)	((uint32_t)(p))
#define PAIR_HI(p)	((uint32_t)((p) >> 32))
#else
#define PAIR(lo, hi)	((uint64_t)(lo) << 32 | (uint64_t)(hi))
#define PAIR_LO(p)	((uint32_t)((p) >> 32))
#define PAIR_HI(p)	((uint32_t)(p))
#endif

/* A byte stream read in order with bounds checks: XD, XV and M */
struct bstream {
	const uint8_t *p, *end;
};

static inline int bs_varint(struct bstream *s, uint64_t *v)
{
	const uint8_t *q = kst_get_varint(s->p, s->end, v);

	if (!q)
		return -1;
	s->p = q;
	return 0;
}

/* The bits each type's tag may have (besides the type and the flags) */
static uint32_t tag_bits(uint32_t type, int tgid_block)
{
	switch (type) {
	case KS_EV_SNAPSHOT:
	case KS_EV_NEW:
		return KST2_TGID_X | KST2_COMM_X;
	case KS_EV_EXIT:
		return KST2_TGID_X | KST2_HWM_X;
	case KS_EV_SWITCH:
		return KST2_PREV_X | KST2_NEXT_X | KST2_HWM_X | KST2_DEPTH_X | KST2_STATE |
		       (tgid_block ? KST2_TGID_X : 0);
	case KS_EV_KFAULT:
		return KST2_TASK_X | KST2_DEPTH_X | (tgid_block ? KST2_TGID_X : 0);
	case KS_EV_KENTRY:
	case KS_EV_KEXIT:
		return KST2_TASK_X;
	case KS_EV_EXEC:
		return KST2_COMM_X;
	default:
		return 0;
	}
}

/* Is @tag a valid tag in this kind of block? */
static int tag_valid(uint32_t tag, int tgid_block)
{
	uint32_t type = tag & KST2_TYPE;

	if (type == KST2_FULL)
		return tag == KST2_FULL;
	if (type < KS_EV_SNAPSHOT || type >= KS__EV_MAX)
		return 0;
	if (tag & 0xfff0 & ~tag_bits(type, tgid_block))
		return 0;
	return type != KS_EV_SWITCH || (tag & KST2_STATE) >> KST2_STATE_SHIFT <= KS_STATE_DEAD;
}

/* What the record loops need of a valid @tag */
static void desc_set(struct kst_tdesc *d, uint32_t tag, int tgid_block)
{
	struct ks_event e = { 0 };
	uint32_t type = tag & KST2_TYPE, state = (tag & KST2_STATE) >> KST2_STATE_SHIFT;

	d->tag = tag;
	d->px = -(tag >> 4 & 1);
	d->nx = -(tag >> 5 & 1);
	d->hv = tag >> 6 & 1;
	d->dv = tag >> 7 & 1;
	d->hdx = PAIR(-(uint32_t)d->hv, -(uint32_t)d->dv);
	e.flags = (uint16_t)(tag >> KST2_FLAGS_SHIFT);
	e.type = (uint8_t)type;
	if (type == KS_EV_SWITCH) {
		e.state = (uint8_t)state;
		e.arg = tgid_block ? state : 0;
	}
	memcpy(&d->word, &e.arg, 8);
	/* a switch whose prev is not its CPU's last next is rare: the slow path */
	if (tag & (KST2_TGID_X | (type == KS_EV_SWITCH ? KST2_PREV_X : 0)))
		d->kind = KST2_K_OTHER;
	else if (type == KS_EV_SWITCH)
		d->kind = KST2_K_SWITCH;
	else if (type == KS_EV_KFAULT)
		d->kind = KST2_K_KFAULT;
	else
		d->kind = KST2_K_OTHER;
}

/* An escaped hwm8 or depth8 from XV, in bytes; -1 if bad */
static int64_t value_escape(struct bstream *xv)
{
	uint64_t v;

	if (bs_varint(xv, &v) || v > (UINT32_MAX >> 3))
		return -1;
	return (int64_t)(v << 3);
}

/* comm: a length byte n < 16 and n bytes, NUL-padded to 16 */
static int get_comm(struct bstream *m, char *comm)
{
	size_t n;

	if (m->p >= m->end || *m->p >= KS_COMM_LEN || (size_t)(m->end - m->p) < 1u + *m->p)
		return -1;
	n = *m->p++;
	memset(comm, 0, KS_COMM_LEN);
	memcpy(comm, m->p, n);
	m->p += n;
	return 0;
}

/* A varint of M that must fit 32 bits (and @max) */
static int m_u32(struct bstream *m, uint32_t *v, uint64_t max)
{
	uint64_t x;

	if (bs_varint(m, &x) || x > max)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

/* A full record from M into @ev (time and cpu set by the caller) */
static const char *get_full(struct bstream *m, struct ks_event *ev)
{
	uint32_t type, hwm8, depth8, flags;

	if (m_u32(m, &type, KS__EV_MAX - 1) || type < KS_EV_SNAPSHOT ||
	    m_u32(m, &ev->tid, UINT32_MAX) || m_u32(m, &ev->tid2, UINT32_MAX) ||
	    m_u32(m, &ev->tgid, UINT32_MAX) || m_u32(m, &hwm8, UINT32_MAX >> 3) ||
	    m_u32(m, &depth8, UINT32_MAX >> 3) || m_u32(m, &ev->arg, UINT32_MAX) ||
	    m_u32(m, &flags, UINT16_MAX))
		return "bad full record";
	if ((size_t)(m->end - m->p) < 1 + KS_COMM_LEN)
		return "bad full record";
	ev->type = (uint8_t)type;
	ev->hwm = hwm8 << 3;
	ev->depth = depth8 << 3;
	ev->flags = (uint16_t)flags;
	ev->state = *m->p++;
	memcpy(ev->comm, m->p, KS_COMM_LEN);
	m->p += KS_COMM_LEN;
	return NULL;
}

/* The block's directory and streams, located */
struct dir {
	unsigned int wt, wd, wc, wk, wv;
	uint32_t ndict, ntasks, nesc, nk, nv;
	const uint8_t *t, *e, *d, *c, *k, *v;
	struct bstream xd, xv, m;
};

/* Checked reads of the directory */
static int dir_varint(const uint8_t **p, const uint8_t *end, uint64_t *v, uint64_t max)
{
	const uint8_t *q = kst_get_varint(*p, end, v);

	if (!q || *v > max)
		return -1;
	*p = q;
	return 0;
}

/*
 * Read the directory and the task table (into r->tids) and locate the
 * streams, which must fill the payload exactly.
 */
static const char *read_dir(struct kst_reader *r, struct dir *d, const uint8_t *raw, size_t len,
			    uint32_t nev, int tgid_block)
{
	const uint8_t *p = raw + KST2_WIDTHS, *end = raw + len;
	uint64_t v, lxd, lxv, lm, need;
	int64_t tid = 0, tgid = 0;
	uint32_t i;

	if (len < KST2_WIDTHS)
		return "bad block directory";
	d->wt = raw[0];
	d->wd = raw[1];
	d->wc = raw[2];
	d->wk = raw[3];
	d->wv = raw[4];
	if (d->wt < 1 || d->wt > KST2_WT_MAX || d->wd < 1 || d->wd > KST2_WD_MAX ||
	    d->wc > KST2_WC_MAX || d->wk > KST2_WK_MAX || d->wv < 1 || d->wv > KST2_WV_MAX)
		return "bad block directory (a field width is out of range)";
	if (dir_varint(&p, end, &v, (1u << d->wt) - 1) || (size_t)(end - p) < 4 * v)
		return "bad block directory (tag dictionary)";
	d->ndict = (uint32_t)v;
	for (i = 0; i < d->ndict; i++, p += 4) {
		uint32_t tag = kst_get_le32(p);

		if (!tag_valid(tag, tgid_block))
			return "bad tag in the dictionary";
		desc_set(&r->desc[i], tag, tgid_block);
	}
	if (dir_varint(&p, end, &v, 2 * (uint64_t)nev))
		return "bad block directory (task table)";
	d->ntasks = (uint32_t)v;
	if (r->tids_cap < d->ntasks) {
		struct kst_rtask *t = realloc(r->tids, (size_t)d->ntasks * sizeof(*t));
		uint32_t *k = realloc(r->kdepth, (size_t)d->ntasks * sizeof(*k));

		if (t)
			r->tids = t;
		if (k)
			r->kdepth = k;
		if (!t || !k)
			return "out of memory";
		r->tids_cap = d->ntasks;
	}
	/* in a plain block no event shows a remembered tgid: keep them 0 */
	for (i = 0; i < d->ntasks; i++) {
		if (dir_varint(&p, end, &v, UINT64_MAX))
			return "bad block directory (task table)";
		tid += kst_unzigzag(v);
		if (tid < 0 || tid > UINT32_MAX)
			return "bad task in the task table";
		r->tids[i] = (struct kst_rtask){ .tid = (uint32_t)tid };
		r->kdepth[i] = 0;
	}
	for (i = 0; tgid_block && i < d->ntasks; i++) {
		if (dir_varint(&p, end, &v, UINT64_MAX))
			return "bad block directory (task table)";
		tgid += kst_unzigzag(v);
		if (tgid < 0 || tgid > UINT32_MAX)
			return "bad tgid in the task table";
		r->tids[i].tgid = (uint32_t)tgid;
	}
	if (dir_varint(&p, end, &v, nev))
		return "bad block directory (stream sizes)";
	d->nesc = (uint32_t)v;
	if (dir_varint(&p, end, &v, 2 * (uint64_t)nev))
		return "bad block directory (stream sizes)";
	d->nk = (uint32_t)v;
	if (dir_varint(&p, end, &v, 2 * (uint64_t)nev) || dir_varint(&p, end, &lxd, len) ||
	    dir_varint(&p, end, &lxv, len) || dir_varint(&p, end, &lm, len))
		return "bad block directory (stream sizes)";
	d->nv = (uint32_t)v;
	need = kst_bits_bytes(nev, d->wt) + 4 * (uint64_t)d->nesc + kst_bits_bytes(nev, d->wd) +
	       kst_bits_bytes(nev, d->wc) + kst_bits_bytes(d->nk, d->wk) +
	       kst_bits_bytes(d->nv, d->wv) + lxd + lxv + lm;
	if (need != (uint64_t)(end - p))
		return "the streams do not fill the block exactly";
	d->t = p;
	d->e = d->t + kst_bits_bytes(nev, d->wt);
	d->d = d->e + 4 * (size_t)d->nesc;
	d->c = d->d + kst_bits_bytes(nev, d->wd);
	d->k = d->c + kst_bits_bytes(nev, d->wc);
	d->v = d->k + kst_bits_bytes(d->nk, d->wk);
	d->xd.p = d->v + kst_bits_bytes(d->nv, d->wv);
	d->xd.end = d->xd.p + lxd;
	d->xv.p = d->xd.end;
	d->xv.end = d->xv.p + lxv;
	d->m.p = d->xv.end;
	d->m.end = end;
	return NULL;
}

/*
 * Unpacking, eight values at a time: a group of eight w-bit values is w
 * whole bytes, so with w a constant each value is one load, one shift and
 * one mask, all with constant offsets (a generic loop spends twice that
 * computing them).  One function per width, from a table.  A chunk starts
 * at a multiple of 8 values (CHUNK is), so at a byte; the last group may
 * read past the stream (into the next one or the padding) and write up to
 * 7 values past @n.
 */
static inline uint32_t ld_bits(const uint8_t *s, unsigned int bit, unsigned int w)
{
	uint64_t v;

	memcpy(&v, s + bit / 8, 8);
	return (uint32_t)(le64toh(v) >> (bit % 8)) & (uint32_t)((1ull << w) - 1);
}

typedef void unpack_fn(const uint8_t *s, uint32_t n, uint32_t *out);

#define UNPACK(W)							\
static void unpack_##W(const uint8_t *s, uint32_t n, uint32_t *out)	\
{									\
	uint32_t g;							\
									\
	for (g = 0; g < n; g += 8, s += W, out += 8) {			\
		out[0] = ld_bits(s, 0 * W, W);				\
		out[1] = ld_bits(s, 1 * W, W);				\
		out[2] = ld_bits(s, 2 * W, W);				\
		out[3] = ld_bits(s, 3 * W, W);				\
		out[4] = ld_bits(s, 4 * W, W);				\
		out[5] = ld_bits(s, 5 * W, W);				\
		out[6] = ld_bits(s, 6 * W, W);				\
		out[7] = ld_bits(s, 7 * W, W);				\
	}								\
}

UNPACK(1) UNPACK(2) UNPACK(3) UNPACK(4) UNPACK(5) UNPACK(6) UNPACK(7) UNPACK(8)
UNPACK(9) UNPACK(10) UNPACK(11) UNPACK(12) UNPACK(13) UNPACK(14) UNPACK(15) UNPACK(16)
UNPACK(17) UNPACK(18) UNPACK(19) UNPACK(20) UNPACK(21) UNPACK(22) UNPACK(23) UNPACK(24)
UNPACK(25) UNPACK(26) UNPACK(27) UNPACK(28) UNPACK(29) UNPACK(30) UNPACK(31) UNPACK(32)

static void unpack_0(const uint8_t *s, uint32_t n, uint32_t *out)
{
	(void)s;
	memset(out, 0, ((size_t)n + 7) / 8 * 8 * sizeof(*out));
}

static unpack_fn *const unpackers[KST2_WD_MAX + 1] = {
	unpack_0, unpack_1, unpack_2, unpack_3, unpack_4, unpack_5, unpack_6, unpack_7,
	unpack_8, unpack_9, unpack_10, unpack_11, unpack_12, unpack_13, unpack_14, unpack_15,
	unpack_16, unpack_17, unpack_18, unpack_19, unpack_20, unpack_21, unpack_22, unpack_23,
	unpack_24, unpack_25, unpack_26, unpack_27, unpack_28, unpack_29, unpack_30, unpack_31,
	unpack_32,
};

/* Values @first to @first + @n of a packed stream of @w-bit values; @first % 8 == 0 */
static void unpack(const uint8_t *s, unsigned int w, uint32_t first, uint32_t n, uint32_t *out)
{
	unpackers[w](s + (size_t)first / 8 * w, n, out);
}

/*
 * Room for @n values, the 7 an unpacking writes past them, the unused
 * loads of a chunk past them and one value before them (V's pairs).
 */
static uint32_t *unpack_buf(uint32_t **buf, size_t *cap, uint32_t n)
{
	size_t need = (size_t)n + 2 * CHUNK + 9;

	if (need > *cap) {
		uint32_t *p = realloc(*buf, need * sizeof(*p));

		if (!p)
			return NULL;
		*buf = p;
		*cap = need;
	}
	return *buf;
}

/*
 * K, every index checked against the task table, and V with its escapes
 * from XV, in bytes, for the whole block.  V is at r->vbuf + 1: a switch
 * loads the candidates of its hwm and depth as one 8-byte pair, from one
 * value before its depth's.
 */
static const char *unpack_kv(struct kst_reader *r, struct dir *d)
{
	const uint32_t mv = (uint32_t)((1ull << d->wv) - 1);
	uint32_t *kb, *vb, i, esc, max = 0;

	kb = unpack_buf(&r->kbuf, &r->kbuf_cap, d->nk);
	vb = unpack_buf(&r->vbuf, &r->vbuf_cap, d->nv);
	if (!kb || !vb)
		return "out of memory";
	vb[0] = 0;
	vb++;
	unpack(d->k, d->wk, 0, d->nk, kb);
	unpack(d->v, d->wv, 0, d->nv, vb);
	/* the loads past the end read zeros */
	memset(kb + d->nk, 0, (r->kbuf_cap - d->nk) * sizeof(*kb));
	memset(vb + d->nv, 0, (r->vbuf_cap - 1 - d->nv) * sizeof(*vb));
	/* then a task is always a valid index or a CPU's none (the loop vectorizes) */
	for (i = 0; i < d->nk; i++)
		max = kb[i] > max ? kb[i] : max;
	if (d->nk && max >= d->ntasks)
		return "reference to an unknown task";
	/* values in bytes; escapes, rare, looked for first (both loops vectorize) */
	for (i = 0, esc = 0; i < d->nv; i++)
		esc |= vb[i] == mv;
	for (i = 0; i < d->nv; i++)
		vb[i] <<= 3;
	for (i = 0; esc && i < d->nv; i++) {
		if (vb[i] == mv << 3) {
			int64_t e = value_escape(&d->xv);

			if (e < 0)
				return "bad value in stream XV";
			vb[i] = (uint32_t)e;
		}
	}
	if (d->xv.p != d->xv.end)
		return "stream XV has more values than the records use";
	return NULL;
}

/*
 * A chunk's tags, as indices into r->desc: a dictionary index, or, for an
 * escaped tag of E, DICT_MAX + its rank among the chunk's escapes.
 */
static const char *unpack_tags(struct kst_reader *r, struct dir *d, uint32_t first, uint32_t n,
			       uint32_t *ei, int tgid_block, uint32_t *idx)
{
	const uint32_t mt = (1u << d->wt) - 1, ndict = d->ndict;
	uint32_t i, ti, tag, esc = 0, max = 0;

	unpack(d->t, d->wt, first, n, idx);
	/* escapes, rare, looked for first (the loop vectorizes) */
	for (i = 0; i < n; i++)
		max = idx[i] > max ? idx[i] : max;
	for (i = 0; max >= ndict && i < n; i++) {
		ti = idx[i];
		if (unlikely(ti >= ndict)) {
			if (ti != mt)
				return "bad tag index";
			if (*ei >= d->nesc)
				return "the records use more tags than stream E has";
			tag = kst_get_le32(d->e + 4 * (size_t)(*ei)++);
			if (!tag_valid(tag, tgid_block))
				return "bad tag";
			desc_set(&r->desc[DICT_MAX + esc], tag, tgid_block);
			idx[i] = DICT_MAX + esc++;
		}
	}
	return NULL;
}

/*
 * The fields of a chunk's events that need no state: time (from D and
 * XD), CPU (from C), arg, flags, type and state (from the tag) and a zero
 * comm.  The records then fill in the rest.  @dd and @cc are room for the
 * chunk's D and C values.
 */
static const char *fill_chunk(const struct kst_reader *r, struct dir *d, uint32_t first,
			      uint32_t n, const uint32_t *idx, uint64_t *t, struct ks_event *ev,
			      uint32_t *dd, uint32_t *cc)
{
	const uint32_t md = (uint32_t)((1ull << d->wd) - 1);
	const struct kst_tdesc *desc = r->desc;
	uint64_t dt, now = *t;
	uint32_t i;

	unpack(d->d, d->wd, first, n, dd);
	unpack(d->c, d->wc, first, n, cc);
	for (i = 0; i < n; i++, ev++) {
		dt = dd[i];
		if (unlikely(dt == md)) {
			if (bs_varint(&d->xd, &dt))
				return "bad varint in stream XD";
			/* now is below 2^64 - 2^52 (short deltas), so the test cannot wrap */
			if (now > KST_TIME_MAX || dt > KST_TIME_MAX - now)
				return "time out of range: an event's time passes 2^63 - 1 ns";
		}
		now += dt;
		ev->time = now;
		ev->cpu = cc[i];
		memcpy(&ev->arg, &desc[idx[i]].word, 8);
		memset(ev->comm, 0, KS_COMM_LEN);
	}
	*t = now;
	return NULL;
}

/*
 * A record the loops of kst_decode2_block() leave: any but a switch or
 * kfault without TGID_X on a CPU with state.  @ev has its time and CPU;
 * @cs its CPU's last_next and last_prev.  Advances *@ki and *@vi.
 */
static const char *decode_other(struct kst_reader *r, const struct dir *d, struct ks_event *ev,
				uint32_t tag, uint32_t *cs, uint32_t *ki, uint32_t *vi,
				struct bstream *m, char *last_comm, uint32_t tgmask)
{
	const uint32_t *kb = r->kbuf, *vb = r->vbuf + 1;
	uint32_t type = tag & KST2_TYPE, idx = NONE, next, hwm, depth, state, tgid;
	struct kst_rtask *t = NULL;
	uint64_t z;

	ev->tid = ev->tid2 = ev->tgid = ev->hwm = ev->depth = ev->arg = 0;
	ev->flags = (uint16_t)(tag >> KST2_FLAGS_SHIFT);
	ev->type = (uint8_t)type;
	ev->state = 0;
	memset(ev->comm, 0, KS_COMM_LEN);
	if (type == KST2_FULL)
		return get_full(m, ev);

	/* the task: from K, or the CPU's current one */
	if (type != KS_EV_LOST) {
		if (type >= KS_EV_SWITCH && type <= KS_EV_KEXIT && !(tag & KST2_TASK_X)) {
			idx = cs[0];
			if (idx == NONE)
				return type == KS_EV_SWITCH ?
				       "switch refers to no previous switch on its CPU" :
				       "record refers to no task running on its CPU";
		} else {
			idx = kb[(*ki)++];
		}
		if (idx >= d->ntasks)
			return "reference to an unknown task";
		t = &r->tids[idx];
		ev->tid = t->tid;
	}
	/* a tgid carried in M: tid + zigzag */
	if (tag & KST2_TGID_X) {
		if (bs_varint(m, &z))
			return "bad varint in stream M";
		tgid = (uint32_t)(t->tid + kst_unzigzag(z));
	} else {
		tgid = ev->tid;
	}
	switch (type) {
	case KS_EV_SWITCH:
		next = tag & KST2_NEXT_X ? kb[(*ki)++] : cs[1];
		if (next == NONE)
			return "switch refers to no previous switch on its CPU";
		if (next >= d->ntasks)
			return "reference to an unknown task";
		hwm = tag & KST2_HWM_X ? vb[(*vi)++] : t->hwm;
		depth = tag & KST2_DEPTH_X ? vb[(*vi)++] : t->depth;
		if (tag & KST2_TGID_X)
			t->tgid = tgid;
		state = (tag & KST2_STATE) >> KST2_STATE_SHIFT;
		t->hwm = hwm;
		t->depth = depth;
		cs[0] = next;
		cs[1] = idx;
		ev->tid2 = r->tids[next].tid;
		ev->tgid = t->tgid;
		ev->hwm = hwm;
		ev->depth = depth;
		ev->arg = state & tgmask;
		ev->state = (uint8_t)state;
		break;
	case KS_EV_NEW:
		idx = kb[(*ki)++];
		if (idx >= d->ntasks)
			return "reference to an unknown task";
		ev->tid2 = r->tids[idx].tid;
		/* fall through */
	case KS_EV_SNAPSHOT:
	case KS_EV_EXIT:
		ev->tgid = tgid;
		t->tgid = tgid & tgmask;
		if (type != KS_EV_EXIT) {
			if ((tag & KST2_COMM_X) && get_comm(m, last_comm))
				return "bad comm";
			memcpy(ev->comm, last_comm, KS_COMM_LEN);
		}
		if (type == KS_EV_SNAPSHOT) {
			ev->hwm = vb[(*vi)++];
			ev->depth = vb[(*vi)++];
		} else if (type == KS_EV_EXIT) {
			if (tag & KST2_HWM_X)
				t->hwm = vb[(*vi)++];
			ev->hwm = t->hwm;
		}
		break;
	case KS_EV_KFAULT:
		if (tag & KST2_DEPTH_X)
			r->kdepth[idx] = vb[(*vi)++];
		if (tag & KST2_TGID_X)
			t->tgid = tgid;
		ev->depth = r->kdepth[idx];
		ev->tgid = t->tgid;
		break;
	case KS_EV_KENTRY:
	case KS_EV_KEXIT:
	case KS_EV_LOST:
		if (m_u32(m, &ev->arg, UINT32_MAX))
			return "bad varint in stream M";
		break;
	case KS_EV_EXEC:
		if ((tag & KST2_COMM_X) && get_comm(m, last_comm))
			return "bad comm";
		memcpy(ev->comm, last_comm, KS_COMM_LEN);
		break;
	default:
		break;
	}
	return NULL;
}

/* Why a switch's prev or next is no task */
static const char *bad_switch(uint32_t tag, uint32_t prev, uint32_t next)
{
	if ((prev == NONE && !(tag & KST2_PREV_X)) || (next == NONE && !(tag & KST2_NEXT_X)))
		return "switch refers to no previous switch on its CPU";
	return "reference to an unknown task";
}

/* The selection of "see above": @a where @mask is all ones, else @b */
static inline uint32_t pick(uint32_t mask, uint32_t a, uint32_t b)
{
	return b ^ ((a ^ b) & mask);
}

/* What the record loop keeps from chunk to chunk */
struct loop {
	uint32_t ki, vi;		/* the next values of K and V */
	uint32_t tgmask;		/* all ones in a TGID block */
	char last_comm[KS_COMM_LEN];
};

/*
 * The records of a chunk, whose stateless fields fill_chunk() wrote: the
 * tasks, their remembered values and the CPUs' state.  With @all_state
 * (a constant), every CPU of the block is below KST_CPU_STATE and the
 * loop does not check it.
 */
static inline __attribute__((always_inline)) const char *
records(struct kst_reader *r, struct dir *d, struct ks_event *ev, uint32_t n,
	const uint32_t *idx, struct loop *lp, const int all_state)
{
	const struct kst_tdesc *desc = r->desc;
	const uint32_t *kb = r->kbuf, *vb = r->vbuf + 1;
	uint32_t *cst = r->cst, *kdepth = r->kdepth, ki = lp->ki, vi = lp->vi, j, *cs;
	struct kst_rtask *tasks = r->tids;
	const char *why;

	for (j = 0; j < n; j++, ev++) {
		const struct kst_tdesc *ds = &desc[idx[j]];
		uint32_t cpu = ev->cpu;

		if (likely(ds->kind == KST2_K_SWITCH && (all_state || cpu < KST_CPU_STATE))) {
			/*
			 * Both candidates of next, hwm and depth: see above.  The
			 * CPU's (last_next, last_prev), the task's (hwm, depth) and
			 * the event's (hwm, depth) and (tid2, tgid) are adjacent
			 * pairs of 32-bit fields, moved as one 64-bit word each.
			 */
			uint32_t nx = ds->nx, prev, next;
			uint64_t c, cand, cur;
			struct kst_rtask *tp;

			cs = &cst[2 * cpu];
			memcpy(&c, cs, 8);
			prev = PAIR_LO(c);
			next = pick(nx, kb[ki], PAIR_HI(c));
			ki -= nx;
			/* each is a task (K was checked) or NONE: their or is NONE iff one is */
			if (unlikely((prev | next) == NONE))
				return bad_switch(ds->tag, prev, next);
			tp = &tasks[prev];
			/*
			 * The candidates (hwm, depth): V's next two values if the
			 * switch takes hwm, else the one before and the next.
			 */
			memcpy(&cand, vb + vi + ds->hv - 1, 8);
			memcpy(&cur, &tp->hwm, 8);
			cur ^= (cand ^ cur) & ds->hdx;
			vi += ds->hv + ds->dv;
			memcpy(&tp->hwm, &cur, 8);
			memcpy(&ev->hwm, &cur, 8);
			c = PAIR(next, prev);
			memcpy(cs, &c, 8);
			ev->tid = tp->tid;
			ev->tid2 = tasks[next].tid;
			ev->tgid = tp->tgid;
			continue;
		}
		if (likely(ds->kind == KST2_K_KFAULT && (all_state || cpu < KST_CPU_STATE))) {
			/* the task: the CPU's current one, or from K */
			uint32_t px = ds->px, dx = -(uint32_t)ds->dv, task, depth;

			task = pick(px, kb[ki], cst[2 * cpu]);
			ki -= px;
			if (unlikely(task == NONE))
				return "record refers to no task running on its CPU";
			depth = pick(dx, vb[vi], kdepth[task]);
			vi -= dx;
			kdepth[task] = depth;
			ev->tid = tasks[task].tid;
			ev->tid2 = 0;
			ev->tgid = tasks[task].tgid;
			ev->hwm = 0;
			ev->depth = depth;
			continue;
		}
		/* a CPU without state gets the last pair, emptied every time */
		if (all_state || cpu < KST_CPU_STATE) {
			cs = &cst[2 * cpu];
		} else {
			cs = &cst[2 * KST_CPU_STATE];
			cs[0] = cs[1] = NONE;
		}
		/* copies: ki and vi stay in registers only if their address is not taken */
		lp->ki = ki;
		lp->vi = vi;
		why = decode_other(r, d, ev, ds->tag, cs, &lp->ki, &lp->vi, &d->m, lp->last_comm,
				   lp->tgmask);
		if (why)
			return why;
		ki = lp->ki;
		vi = lp->vi;
	}
	lp->ki = ki;
	lp->vi = vi;
	/* the loads past the end of K and V stayed in the arrays' spare room */
	if (ki > d->nk)
		return "the records use more values than stream K has";
	if (vi > d->nv)
		return "the records use more values than stream V has";
	return NULL;
}

const char *kst_decode2_block(struct kst_reader *r, struct ks_event *evs, const uint8_t *raw,
			      size_t len, uint32_t nev, uint64_t base_time, uint8_t bflags)
{
	/* TGID blocks: switches carry prev's tgid and arg = state, kfaults a tgid */
	const int tgid_block = !!(bflags & KST_BF_TGID);
	struct loop lp = { .tgmask = tgid_block ? UINT32_MAX : 0 };
	uint32_t idx[CHUNK], dd[CHUNK], cc[CHUNK];
	uint64_t t = base_time;
	uint32_t ei = 0, first, n, j, ncs;
	struct dir d;
	const char *why;

	why = read_dir(r, &d, raw, len, nev, tgid_block);
	if (!why)
		why = unpack_kv(r, &d);
	if (why)
		return why;
	/* every CPU the block can name starts without state */
	ncs = d.wc >= 10 ? KST_CPU_STATE : 1u << d.wc;
	for (j = 0; j < 2 * ncs; j++)
		r->cst[j] = NONE;

	for (first = 0; first < nev; first += n) {
		n = nev - first < CHUNK ? nev - first : CHUNK;
		why = unpack_tags(r, &d, first, n, &ei, tgid_block, idx);
		if (!why)
			why = fill_chunk(r, &d, first, n, idx, &t, evs + first, dd, cc);
		if (!why)
			why = d.wc <= 10 ? records(r, &d, evs + first, n, idx, &lp, 1) :
					   records(r, &d, evs + first, n, idx, &lp, 0);
		if (why)
			return why;
	}
	if (t > KST_TIME_MAX)
		return "time out of range: an event's time passes 2^63 - 1 ns";
	if (ei != d.nesc)
		return "stream E has more tags than the records use";
	if (lp.ki != d.nk)
		return "stream K has more values than the records use";
	if (lp.vi != d.nv)
		return "stream V has more values than the records use";
	if (d.xd.p != d.xd.end || d.m.p != d.m.end)
		return "bytes left after the last record";
	return NULL;
}
