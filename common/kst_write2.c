// SPDX-License-Identifier: MIT
/*
 * The version-2 block encoder (data/FORMAT.md "Version 2 event blocks").
 * Each event becomes a 32-bit tag and values appended to per-field arrays
 * (times, CPUs, task indices, hwm/depth values, and the bytes of the rare
 * fields); when the block ends, the tags get their dictionary, every field
 * the width that makes its stream smallest, and the arrays are packed into
 * the payload.  Packing at the end is what lets a width fit the block: a
 * reader then takes every field of a record from a known bit position.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kst_write2.h"

#define TAG_HASH	32768	/* >= 2 * KST2_BLOCK_EVENTS distinct tags */
#define M_SLACK		256	/* the most one record adds to M */
#define NONE		UINT32_MAX

struct w2_task {
	uint32_t tid;
	uint32_t hwm8;		/* remembered, as a reader will have them */
	uint32_t depth8;
	uint32_t kdepth8;
	uint32_t tgid;
	uint32_t tgid0;		/* the task table's: the remembered tgid at the block's start */
	int decided;		/* tgid0 is fixed: a record used or set the tgid */
};

struct tag_slot {
	uint32_t tag;
	uint32_t gen;
	uint32_t count;
	uint32_t index;		/* in the dictionary, or the escape index */
};

struct kst_w2 {
	uint32_t *tag;		/* per event */
	uint32_t *tslot;	/* per event: the slot of its tag */
	uint64_t *dt;		/* per event: time since the previous one */
	uint32_t *cpu;		/* per event */
	uint32_t *k;		/* the K stream: task indices */
	uint32_t nk;
	uint32_t *v;		/* the V stream: hwm8 and depth8 values */
	uint32_t nv;
	uint8_t *m;		/* the M stream */
	size_t mlen;
	struct w2_task *tasks;
	struct tag_slot *th;
	uint32_t *distinct;	/* slots of the block's distinct tags */
	uint32_t ndistinct;
	uint32_t gen;
	uint32_t maxcpu;
	char comm[KS_COMM_LEN];	/* the block's last comm */
};

int kst_w2_create(struct kst_writer *w)
{
	struct kst_w2 *b = calloc(1, sizeof(*b));
	const size_t n = KST2_BLOCK_EVENTS;

	if (!b)
		return -ENOMEM;
	w->w2 = b;
	b->tag = malloc(n * sizeof(*b->tag));
	b->tslot = malloc(n * sizeof(*b->tslot));
	b->dt = malloc(n * sizeof(*b->dt));
	b->cpu = malloc(n * sizeof(*b->cpu));
	b->k = malloc(2 * n * sizeof(*b->k));
	b->v = malloc(2 * n * sizeof(*b->v));
	b->m = malloc(KST2_M_BYTES + M_SLACK);
	b->tasks = malloc(2 * n * sizeof(*b->tasks));
	b->th = calloc(TAG_HASH, sizeof(*b->th));
	b->distinct = malloc(n * sizeof(*b->distinct));
	if (!b->tag || !b->tslot || !b->dt || !b->cpu || !b->k || !b->v || !b->m || !b->tasks ||
	    !b->th || !b->distinct)
		return -ENOMEM;
	return 0;
}

void kst_w2_free(struct kst_writer *w)
{
	struct kst_w2 *b = w->w2;

	if (!b)
		return;
	free(b->tag);
	free(b->tslot);
	free(b->dt);
	free(b->cpu);
	free(b->k);
	free(b->v);
	free(b->m);
	free(b->tasks);
	free(b->th);
	free(b->distinct);
	free(b);
	w->w2 = NULL;
}

void kst_w2_reset(struct kst_writer *w)
{
	struct kst_w2 *b = w->w2;

	b->nk = 0;
	b->nv = 0;
	b->mlen = 0;
	b->ndistinct = 0;
	b->maxcpu = 0;
	memset(b->comm, 0, sizeof(b->comm));
	if (++b->gen == 0) {
		memset(b->th, 0, TAG_HASH * sizeof(*b->th));
		b->gen = 1;
	}
}

/* The index of @tid in the block's task table, its state set up if new */
static struct w2_task *task(struct kst_writer *w, uint32_t tid, uint32_t *idx)
{
	int fresh;
	struct w2_task *t;

	*idx = kst_tid_lookup(w, tid, &fresh);
	t = &w->w2->tasks[*idx];
	if (fresh) {
		memset(t, 0, sizeof(*t));
		t->tid = tid;
		t->tgid = t->tgid0 = tid;
	}
	return t;
}

/*
 * A record reads @t's remembered tgid as @tgid.  The first one fixes the
 * tgid the task table gives the task.  Return: 1 if the record must carry
 * the tgid (KST2_TGID_X), which then becomes the remembered one.
 */
static int tgid_use(struct w2_task *t, uint32_t tgid)
{
	if (!t->decided) {
		t->decided = 1;
		t->tgid0 = t->tgid = tgid;
		return 0;
	}
	if (t->tgid == tgid)
		return 0;
	t->tgid = tgid;
	return 1;
}

/* A record sets @t's remembered tgid (snapshot, new, exit) */
static void tgid_set(struct w2_task *t, uint32_t tgid)
{
	if (!t->decided) {
		t->decided = 1;
		t->tgid0 = tgid;
	}
	t->tgid = tgid;
}

/*
 * Plain or TGID block?  As in version 1 (kst_write.c): the first switch or
 * kfault that reads differently in the two kinds decides.  One with tgid
 * 0, arg 0 and state 0 reads the same in both unless its task's tgid is
 * already known and not 0.
 */
static void decide_tgid_mode(struct kst_writer *w, const struct ks_event *ev)
{
	uint32_t idx;
	struct w2_task *t = task(w, ev->tid, &idx);

	if (ev->tgid || (ev->type == KS_EV_SWITCH && ev->arg))
		w->tgid_mode = 1;
	else if ((ev->type == KS_EV_SWITCH && ev->state) || (t->decided && t->tgid))
		w->tgid_mode = 0;
}

static inline void m_varint(struct kst_w2 *b, uint64_t v)
{
	b->mlen = kst_put_varint(b->m + b->mlen, v) - b->m;
}

/* zigzag(tgid - tid) in M */
static inline void m_tgid(struct kst_w2 *b, const struct ks_event *ev)
{
	m_varint(b, kst_zigzag((int64_t)ev->tgid - ev->tid));
}

/* The comm of a snapshot, new or exec: none if it is the block's last comm */
static uint32_t put_comm(struct kst_w2 *b, const struct ks_event *ev)
{
	char c[KS_COMM_LEN] = { 0 };
	size_t n = strnlen(ev->comm, KS_COMM_LEN - 1);

	memcpy(c, ev->comm, n);
	if (!memcmp(c, b->comm, KS_COMM_LEN))
		return 0;
	memcpy(b->comm, c, KS_COMM_LEN);
	b->m[b->mlen++] = (uint8_t)n;
	memcpy(b->m + b->mlen, c, n);
	b->mlen += n;
	return KST2_COMM_X;
}

static void put_full(struct kst_w2 *b, const struct ks_event *ev)
{
	m_varint(b, ev->type);
	m_varint(b, ev->tid);
	m_varint(b, ev->tid2);
	m_varint(b, ev->tgid);
	m_varint(b, ev->hwm >> 3);
	m_varint(b, ev->depth >> 3);
	m_varint(b, ev->arg);
	m_varint(b, ev->flags);
	b->m[b->mlen++] = ev->state;
	memcpy(b->m + b->mlen, ev->comm, KS_COMM_LEN);
	b->mlen += KS_COMM_LEN;
}

/* The switch state of @cpu in this block, or NULL for a CPU without one */
static struct kst_wcpu *cpu_state(struct kst_writer *w, uint32_t cpu)
{
	struct kst_wcpu *cs;

	if (cpu >= KST_CPU_STATE)
		return NULL;
	cs = &w->cpus[cpu];
	if (cs->gen != w->gen) {
		cs->gen = w->gen;
		cs->last_next = cs->last_prev = NONE;
	}
	return cs;
}

static uint32_t put_switch(struct kst_writer *w, const struct ks_event *ev,
			   struct kst_wcpu *cs)
{
	struct kst_w2 *b = w->w2;
	uint32_t tag = KS_EV_SWITCH | (uint32_t)ev->state << KST2_STATE_SHIFT;
	uint32_t prev, next, hwm8 = ev->hwm >> 3, depth8 = ev->depth >> 3;
	struct w2_task *tp;

	task(w, ev->tid, &prev);
	task(w, ev->tid2, &next);
	tp = &b->tasks[prev];
	if (!cs || cs->last_next != prev) {
		tag |= KST2_PREV_X;
		b->k[b->nk++] = prev;
	}
	if (!cs || cs->last_prev != next) {
		tag |= KST2_NEXT_X;
		b->k[b->nk++] = next;
	}
	if (tp->hwm8 != hwm8) {
		tag |= KST2_HWM_X;
		b->v[b->nv++] = hwm8;
		tp->hwm8 = hwm8;
	}
	if (tp->depth8 != depth8) {
		tag |= KST2_DEPTH_X;
		b->v[b->nv++] = depth8;
		tp->depth8 = depth8;
	}
	if (w->tgid_mode != 0 && tgid_use(tp, ev->tgid)) {
		tag |= KST2_TGID_X;
		m_tgid(b, ev);
	}
	if (cs) {
		cs->last_next = next;
		cs->last_prev = prev;
	}
	return tag;
}

/* The task of a kfault, kentry or kexit: the CPU's current one, or from K */
static uint32_t put_task(struct kst_writer *w, const struct ks_event *ev,
			 const struct kst_wcpu *cs, uint32_t *idx)
{
	struct kst_w2 *b = w->w2;

	task(w, ev->tid, idx);
	if (cs && cs->last_next == *idx)
		return 0;
	b->k[b->nk++] = *idx;
	return KST2_TASK_X;
}

static uint32_t put_other(struct kst_writer *w, const struct ks_event *ev,
			  const struct kst_wcpu *cs)
{
	struct kst_w2 *b = w->w2;
	uint32_t tag = ev->type, idx, idx2;
	struct w2_task *t;

	switch (ev->type) {
	case KS_EV_SNAPSHOT:
	case KS_EV_NEW:
	case KS_EV_EXIT:
		t = task(w, ev->tid, &idx);
		b->k[b->nk++] = idx;
		if (ev->type == KS_EV_NEW) {
			task(w, ev->tid2, &idx2);
			b->k[b->nk++] = idx2;
		}
		if (ev->tgid != ev->tid) {
			tag |= KST2_TGID_X;
			m_tgid(b, ev);
		}
		tgid_set(t, ev->tgid);
		if (ev->type != KS_EV_EXIT)
			tag |= put_comm(b, ev);
		if (ev->type == KS_EV_SNAPSHOT) {
			b->v[b->nv++] = ev->hwm >> 3;
			b->v[b->nv++] = ev->depth >> 3;
		} else if (ev->type == KS_EV_EXIT && t->hwm8 != ev->hwm >> 3) {
			tag |= KST2_HWM_X;
			t->hwm8 = ev->hwm >> 3;
			b->v[b->nv++] = t->hwm8;
		}
		break;
	case KS_EV_FREE:
	case KS_EV_EXEC:
		task(w, ev->tid, &idx);
		b->k[b->nk++] = idx;
		if (ev->type == KS_EV_EXEC)
			tag |= put_comm(b, ev);
		break;
	case KS_EV_KFAULT:
		tag |= put_task(w, ev, cs, &idx);
		t = &b->tasks[idx];
		if (t->kdepth8 != ev->depth >> 3) {
			tag |= KST2_DEPTH_X;
			t->kdepth8 = ev->depth >> 3;
			b->v[b->nv++] = t->kdepth8;
		}
		if (w->tgid_mode != 0 && tgid_use(t, ev->tgid)) {
			tag |= KST2_TGID_X;
			m_tgid(b, ev);
		}
		break;
	case KS_EV_KENTRY:
	case KS_EV_KEXIT:
		tag |= put_task(w, ev, cs, &idx);
		m_varint(b, ev->arg);
		break;
	case KS_EV_LOST:
		m_varint(b, ev->arg);
		break;
	}
	return tag;
}

/* Count @tag in the block's tag histogram; the slot is kept per event. */
static void tag_count(struct kst_w2 *b, uint32_t i, uint32_t tag)
{
	uint32_t h = (tag * 2654435761u) >> 17;	/* top 15 bits: TAG_HASH */

	for (;; h = (h + 1) & (TAG_HASH - 1)) {
		struct tag_slot *s = &b->th[h];

		if (s->gen != b->gen) {
			s->gen = b->gen;
			s->tag = tag;
			s->count = 0;
			b->distinct[b->ndistinct++] = h;
		}
		if (s->tag == tag) {
			s->count++;
			b->tag[i] = tag;
			b->tslot[i] = h;
			return;
		}
	}
}

int kst_w2_add(struct kst_writer *w, const struct ks_event *ev)
{
	struct kst_w2 *b = w->w2;
	struct kst_wcpu *cs = cpu_state(w, ev->cpu);
	uint32_t i = w->nev, tag;

	b->dt[i] = ev->time - w->last_time;
	b->cpu[i] = ev->cpu;
	if (ev->cpu > b->maxcpu)
		b->maxcpu = ev->cpu;
	if (w->tgid_mode < 0 && (ev->type == KS_EV_SWITCH || ev->type == KS_EV_KFAULT))
		decide_tgid_mode(w, ev);
	if (!kst_w_canonical(ev, w->tgid_mode == 1)) {
		tag = KST2_FULL;
		put_full(b, ev);
	} else {
		if (ev->type == KS_EV_SWITCH)
			tag = put_switch(w, ev, cs);
		else
			tag = put_other(w, ev, cs);
		tag |= (uint32_t)ev->flags << KST2_FLAGS_SHIFT;
	}
	tag_count(b, i, tag);
	return i + 1 >= KST2_BLOCK_EVENTS || b->mlen >= KST2_M_BYTES;
}

/* ---- packing ---- */

/* LSB-first bit writer (FORMAT.md "Packed streams") */
struct bitw {
	uint8_t *p;
	uint64_t acc;
	unsigned int n;		/* bits in acc, < 8 between calls */
};

static inline void bw_put(struct bitw *bw, uint32_t v, unsigned int w)
{
	bw->acc |= (uint64_t)v << bw->n;
	bw->n += w;
	while (bw->n >= 8) {
		*bw->p++ = (uint8_t)bw->acc;
		bw->acc >>= 8;
		bw->n -= 8;
	}
}

/* The stream ends at a byte boundary; its last bits are 0. */
static inline uint8_t *bw_end(struct bitw *bw)
{
	if (bw->n)
		*bw->p++ = (uint8_t)bw->acc;
	bw->n = 0;
	bw->acc = 0;
	return bw->p;
}

static unsigned int varint_len(uint64_t v)
{
	unsigned int n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/*
 * An escape costs its varint, (L + 6) / 7 bytes for a value of L bits, and
 * is counted a byte more: a reader takes it on a slower path.  On the
 * heavy-tailed time deltas of real recordings the narrowest width that
 * packs the stream smallest escapes nearly every delta (it is then a
 * stream of varints); the penalty picks a width that escapes a few per
 * cent, for about 0.1 byte per event.
 */
#define ESCAPE_PENALTY	8	/* bits */

/*
 * The width from @lo to @hi that packs @n values smallest, a value of all
 * ones being an escape to a varint: from the histogram of the values' bit
 * lengths (@len[L]) and of those that are all ones (@ones[L]).  Ties go to
 * the narrower width.
 */
static unsigned int best_width(const uint64_t *len, const uint64_t *ones, uint64_t n,
			       unsigned int lo, unsigned int hi)
{
	uint64_t best = UINT64_MAX, esc;
	unsigned int w, l, bw = lo;

	for (w = lo; w <= hi; w++) {
		esc = ones[w] * (8 * ((w + 6) / 7) + ESCAPE_PENALTY);
		for (l = w + 1; l <= 64; l++)
			esc += len[l] * (8 * ((l + 6) / 7) + ESCAPE_PENALTY);
		if (n * w + esc < best) {
			best = n * w + esc;
			bw = w;
		}
	}
	return bw;
}

static void histogram_add(uint64_t *len, uint64_t *ones, uint64_t v)
{
	unsigned int l = kst_bitlen(v);

	len[l]++;
	if (l && v == (l == 64 ? UINT64_MAX : (1ull << l) - 1))
		ones[l]++;
}

static int cmp_slot(const void *a, const void *b, void *arg)
{
	const struct tag_slot *th = arg;
	const struct tag_slot *x = &th[*(const uint32_t *)a], *y = &th[*(const uint32_t *)b];

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->tag < y->tag ? -1 : x->tag > y->tag;
}

/* The dictionary: the most frequent tags, as many as the best width holds */
static unsigned int choose_tags(struct kst_w2 *b, uint32_t nev, uint32_t *ndict)
{
	uint64_t best = UINT64_MAX, cost, beyond;
	unsigned int w, bw = 1;
	uint32_t i, k, d = b->ndistinct;

	qsort_r(b->distinct, d, sizeof(*b->distinct), cmp_slot, b->th);
	for (w = 1; w <= KST2_WT_MAX; w++) {
		k = (1u << w) - 1;
		beyond = 0;
		for (i = k; i < d; i++)
			beyond += b->th[b->distinct[i]].count;
		/* each escaped tag is 4 bytes in E, each dictionary entry 4 bytes */
		cost = (uint64_t)nev * w + 32 * beyond + 32 * (uint64_t)(k < d ? k : d);
		if (cost < best) {
			best = cost;
			bw = w;
		}
	}
	k = (1u << bw) - 1;
	*ndict = k < d ? k : d;
	for (i = 0; i < d; i++)
		b->th[b->distinct[i]].index = i < *ndict ? i : k;
	return bw;
}

int kst_w2_pack(struct kst_writer *w, uint8_t *flags)
{
	struct kst_w2 *b = w->w2;
	uint64_t hd[65] = { 0 }, od[65] = { 0 }, hv[65] = { 0 }, ov[65] = { 0 };
	uint32_t nev = w->nev, ndict, nesc = 0, i, mask_d, mask_v, prev_tid = 0, prev_tgid = 0;
	unsigned int wt, wd, wc, wk, wv;
	size_t xd = 0, xv = 0, need;
	struct bitw bw = { 0 };
	uint8_t *p;
	int tgid = w->tgid_mode == 1;

	wt = choose_tags(b, nev, &ndict);
	for (i = 0; i < nev; i++) {
		histogram_add(hd, od, b->dt[i]);
		nesc += b->th[b->tslot[i]].index == (1u << wt) - 1;
	}
	for (i = 0; i < b->nv; i++)
		histogram_add(hv, ov, b->v[i]);
	wd = best_width(hd, od, nev, 1, KST2_WD_MAX);
	wv = best_width(hv, ov, b->nv, 1, KST2_WV_MAX);
	wc = kst_bitlen(b->maxcpu);
	wk = w->ntasks > 1 ? kst_bitlen(w->ntasks - 1) : 0;
	mask_d = (uint32_t)((1ull << wd) - 1);
	mask_v = (uint32_t)((1ull << wv) - 1);
	for (i = 0; i < nev; i++)
		if (b->dt[i] >= mask_d)
			xd += varint_len(b->dt[i]);
	for (i = 0; i < b->nv; i++)
		if (b->v[i] >= mask_v)
			xv += varint_len(b->v[i]);

	need = KST2_WIDTHS + 7 * 10 + 4 * (size_t)ndict + 20 * (size_t)w->ntasks +
	       kst_bits_bytes(nev, wt) + 4 * (size_t)nesc + kst_bits_bytes(nev, wd) +
	       kst_bits_bytes(nev, wc) + kst_bits_bytes(b->nk, wk) + kst_bits_bytes(b->nv, wv) +
	       xd + xv + b->mlen;
	if (need > w->raw_size) {
		p = realloc(w->raw, need);
		if (!p)
			return -ENOMEM;
		w->raw = p;
		w->raw_size = need;
	}

	/* the directory */
	p = w->raw;
	*p++ = wt;
	*p++ = wd;
	*p++ = wc;
	*p++ = wk;
	*p++ = wv;
	p = kst_put_varint(p, ndict);
	for (i = 0; i < ndict; i++) {
		kst_put_le32(p, b->th[b->distinct[i]].tag);
		p += 4;
	}
	p = kst_put_varint(p, w->ntasks);
	for (i = 0; i < w->ntasks; i++) {
		p = kst_put_varint(p, kst_zigzag((int64_t)b->tasks[i].tid - prev_tid));
		prev_tid = b->tasks[i].tid;
	}
	if (tgid) {
		for (i = 0; i < w->ntasks; i++) {
			/* a tgid no record reads costs least as the one before */
			uint32_t g = b->tasks[i].decided ? b->tasks[i].tgid0 : prev_tgid;

			p = kst_put_varint(p, kst_zigzag((int64_t)g - prev_tgid));
			prev_tgid = g;
		}
	}
	p = kst_put_varint(p, nesc);
	p = kst_put_varint(p, b->nk);
	p = kst_put_varint(p, b->nv);
	p = kst_put_varint(p, xd);
	p = kst_put_varint(p, xv);
	p = kst_put_varint(p, b->mlen);

	/* T, E, D, C, K, V */
	bw.p = p;
	for (i = 0; i < nev; i++)
		bw_put(&bw, b->th[b->tslot[i]].index, wt);
	p = bw_end(&bw);
	for (i = 0; i < nev; i++) {
		if (b->th[b->tslot[i]].index == (1u << wt) - 1) {
			kst_put_le32(p, b->tag[i]);
			p += 4;
		}
	}
	bw.p = p;
	for (i = 0; i < nev; i++)
		bw_put(&bw, b->dt[i] < mask_d ? (uint32_t)b->dt[i] : mask_d, wd);
	p = bw_end(&bw);
	if (wc) {
		for (i = 0; i < nev; i++)
			bw_put(&bw, b->cpu[i], wc);
		p = bw_end(&bw);
	}
	if (wk) {
		for (i = 0; i < b->nk; i++)
			bw_put(&bw, b->k[i], wk);
		p = bw_end(&bw);
	}
	for (i = 0; i < b->nv; i++)
		bw_put(&bw, b->v[i] < mask_v ? b->v[i] : mask_v, wv);
	p = bw_end(&bw);

	/* XD, XV, M */
	for (i = 0; i < nev; i++)
		if (b->dt[i] >= mask_d)
			p = kst_put_varint(p, b->dt[i]);
	for (i = 0; i < b->nv; i++)
		if (b->v[i] >= mask_v)
			p = kst_put_varint(p, b->v[i]);
	memcpy(p, b->m, b->mlen);
	p += b->mlen;
	w->raw_len = (uint32_t)(p - w->raw);
	*flags = tgid ? KST_BF_TGID : 0;
	return 0;
}
