// SPDX-License-Identifier: MIT
/*
 * The trace writer: events are encoded into the current block as they come
 * (data/FORMAT.md "Records": version 1, one record after the other, here;
 * version 2, into per-field streams packed at the end of the block, in
 * kst_write2.c); a full block is optionally compressed, checksummed and
 * written with one write() so that an interrupted recording leaves a file
 * that is valid up to its last whole block.  Version 1 blocks are
 * compressed with zstd by default; version 2 blocks are stored, being
 * packed already (data/FORMAT.md "Blocks").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kst_write2.h"

#define TID_HASH	16384	/* version 1: > 2 tids per event * KST_BLOCK_EVENTS, load <= 0.5 */
#define TID_HASH2	65536	/* version 2: > 2 * KST2_BLOCK_EVENTS, load <= 0.5 */
#define RAW_SIZE	(KST_BLOCK_BYTES + 512)
#define FULL_MAX	200	/* largest record: the generic one */

static int write_all(struct kst_writer *w, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(w->fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= n;
		w->bytes += n;
	}
	return 0;
}

/* The checksum of the file's version: zlib's CRC-32 (1) or CRC-32C (2) */
static uint32_t wcrc(const struct kst_writer *w, const void *buf, size_t len)
{
	return w->version == 1 ? (uint32_t)crc32(0, buf, len) : kst_crc32c(0, buf, len);
}

static void block_reset(struct kst_writer *w)
{
	w->nev = 0;
	w->raw_len = 0;
	w->ntasks = 0;
	w->cpu = 0;
	w->other_cpu = 0;
	w->tgid_mode = -1;
	/* generation 0 is never current, so zeroed slots are empty */
	if (++w->gen == 0) {
		memset(w->tids, 0, ((size_t)w->hmask + 1) * sizeof(*w->tids));
		memset(w->cpus, 0, sizeof(w->cpus));
		w->gen = 1;
	}
	if (w->w2)
		kst_w2_reset(w);
}

static void fill_block_header(const struct kst_writer *w, uint8_t *h, uint8_t kind,
			      uint8_t flags, uint32_t payload_len, uint32_t raw_len, uint32_t nev,
			      uint64_t base_time, uint32_t crc)
{
	uint32_t seq = w->seq;

	kst_put_le32(h, KST_BLOCK_MAGIC);
	kst_put_le32(h + 4, seq);
	h[8] = kind;
	h[9] = flags;
	h[10] = 0;
	h[11] = 0;
	kst_put_le32(h + 12, payload_len);
	kst_put_le32(h + 16, raw_len);
	kst_put_le32(h + 20, nev);
	kst_put_le64(h + 24, base_time);
	kst_put_le32(h + 32, crc);
	kst_put_le32(h + 36, wcrc(w, h, 36));
}

/* Deflate raw into out + header; return the stored length or 0 if not smaller. */
static size_t try_deflate(struct kst_writer *w)
{
	size_t cap = w->out_size - KST_BLOCK_HDR;

	if (!w->zs_init) {
		if (deflateInit2(&w->zs, w->level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			return 0;
		w->zs_init = 1;
	} else if (deflateReset(&w->zs) != Z_OK) {
		return 0;
	}
	w->zs.next_in = w->raw;
	w->zs.avail_in = w->raw_len;
	w->zs.next_out = w->out + KST_BLOCK_HDR;
	w->zs.avail_out = cap < w->raw_len ? cap : w->raw_len;
	if (deflate(&w->zs, Z_FINISH) != Z_STREAM_END)
		return 0;	/* did not fit in raw_len bytes: store */
	return w->zs.total_out < w->raw_len ? w->zs.total_out : 0;
}

/* Compress raw into out + header as one zstd frame; the length, or 0 if not smaller. */
static size_t try_zstd(struct kst_writer *w)
{
	size_t cap = w->out_size - KST_BLOCK_HDR, n;

	if (!w->zc) {
		w->zc = ZSTD_createCCtx();
		if (!w->zc)
			return 0;
	}
	/* the parameters stick to the context; frames carry no checksum (the CRC checks) */
	if (ZSTD_isError(ZSTD_CCtx_setParameter(w->zc, ZSTD_c_compressionLevel, w->level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->zc, ZSTD_c_checksumFlag, 0)))
		return 0;
	n = ZSTD_compress2(w->zc, w->out + KST_BLOCK_HDR, cap < w->raw_len ? cap : w->raw_len,
			   w->raw, w->raw_len);
	if (ZSTD_isError(n) || n >= w->raw_len)
		return 0;	/* did not fit in fewer than raw_len bytes: store */
	return n;
}

/* Room for a payload of @len bytes in out, after the block header */
static int out_reserve(struct kst_writer *w, size_t len)
{
	uint8_t *p;

	if (KST_BLOCK_HDR + len <= w->out_size)
		return 0;
	p = realloc(w->out, KST_BLOCK_HDR + len);
	if (!p)
		return -ENOMEM;
	w->out = p;
	w->out_size = KST_BLOCK_HDR + len;
	return 0;
}

int kst_writer_flush(struct kst_writer *w)
{
	size_t plen = 0;
	uint8_t flags = KST_BF_STORED, bflags = 0;
	uint32_t crc;
	int ret;

	if (w->error)
		return w->error;
	if (!w->nev)
		return 0;
	if (w->version == 1) {
		bflags = w->tgid_mode == 1 ? KST_BF_TGID : 0;
		ret = 0;
	} else {
		ret = kst_w2_pack(w, &bflags);
	}
	if (!ret)
		ret = out_reserve(w, w->raw_len);
	if (ret) {
		w->error = ret;
		return ret;
	}
	if (w->level > 0 && w->codec == KST_CODEC_ZSTD) {
		plen = try_zstd(w);
		flags = KST_BF_ZSTD;
	} else if (w->level > 0 && w->codec == KST_CODEC_DEFLATE) {
		plen = try_deflate(w);
		flags = KST_BF_DEFLATE;
	}
	if (!plen) {
		flags = KST_BF_STORED;
		plen = w->raw_len;
		memcpy(w->out + KST_BLOCK_HDR, w->raw, plen);
	}
	crc = wcrc(w, w->out + KST_BLOCK_HDR, plen);
	fill_block_header(w, w->out, KST_KIND_EVENTS, flags | bflags, plen, w->raw_len, w->nev,
			  w->base_time, crc);
	ret = write_all(w, w->out, KST_BLOCK_HDR + plen);
	if (ret) {
		w->error = ret;
		return ret;
	}
	w->seq++;
	block_reset(w);
	return 0;
}

/* Version 1: the index of @tid, its task state initialized if it is new */
static inline uint32_t tid_lookup(struct kst_writer *w, uint32_t tid, int *fresh)
{
	uint32_t idx = kst_tid_lookup(w, tid, fresh);

	if (*fresh) {
		w->tasks[idx].hwm8 = 0;
		w->tasks[idx].depth8 = 0;
		w->tasks[idx].tgid = tid;
	}
	return idx;
}

/* The tgid a reader remembers for @tid in this block: its tid until set. */
static uint32_t remembered_tgid(const struct kst_writer *w, uint32_t tid)
{
	uint32_t h = tid_hash(w, tid);

	for (;; h = (h + 1) & w->hmask) {
		const struct kst_tid_slot *s = &w->tids[h];

		if (s->gen != w->gen)
			return tid;
		if (s->tid == tid)
			return w->tasks[s->idx].tgid;
	}
}

/*
 * Plain or TGID block?  The live collector fills tgid in switches and
 * kfaults (and arg = state in switches); synthetic traces leave them 0.
 * A switch or kfault that reads the same either way (tgid and arg 0, state
 * running, a remembered tgid of 0: the idle task, which often comes first)
 * leaves the choice to a later one, so that it rests on a real task.
 */
static void decide_tgid_mode(struct kst_writer *w, const struct ks_event *ev)
{
	if (ev->tgid || (ev->type == KS_EV_SWITCH && ev->arg))
		w->tgid_mode = 1;
	else if ((ev->type == KS_EV_SWITCH && ev->state) || remembered_tgid(w, ev->tid))
		w->tgid_mode = 0;
}

/* A task reference: index << 1 if known in this block, else tid << 1 | 1. */
static inline uint8_t *put_tid(struct kst_writer *w, uint8_t *p, uint32_t tid, uint32_t *idx)
{
	int fresh;

	*idx = tid_lookup(w, tid, &fresh);
	if (fresh)
		return kst_put_varint(p, (uint64_t)tid << 1 | 1);
	return kst_put_varint(p, (uint64_t)*idx << 1);
}

static inline uint8_t *put_comm(uint8_t *p, const char *comm)
{
	size_t n = strnlen(comm, KS_COMM_LEN - 1);

	*p++ = n;
	memcpy(p, comm, n);
	return p + n;
}

static uint8_t *put_full(uint8_t *p, const struct ks_event *ev)
{
	p = kst_put_varint(p, ev->type);
	p = kst_put_varint(p, ev->tid);
	p = kst_put_varint(p, ev->tid2);
	p = kst_put_varint(p, ev->tgid);
	p = kst_put_varint(p, ev->hwm >> 3);
	p = kst_put_varint(p, ev->depth >> 3);
	p = kst_put_varint(p, ev->arg);
	p = kst_put_varint(p, ev->flags);
	*p++ = ev->state;
	memcpy(p, ev->comm, KS_COMM_LEN);
	return p + KS_COMM_LEN;
}

/*
 * The flags varint, if needed, setting @bit in *@tag.  In a TGID block a
 * tgid other than the task's remembered one is written after it (bit 16 of
 * the varint) and becomes the remembered one.
 */
static inline uint8_t *put_flags(struct kst_writer *w, uint8_t *p, uint8_t *tag, uint8_t bit,
				 const struct ks_event *ev, uint32_t idx)
{
	int ext = w->tgid_mode == 1 && ev->tgid != w->tasks[idx].tgid;

	if (!ev->flags && !ext)
		return p;
	*tag |= bit;
	p = kst_put_varint(p, ev->flags | (ext ? KST_FLAGS_TGID : 0));
	if (ext) {
		p = kst_put_varint(p, kst_zigzag((int64_t)ev->tgid - ev->tid));
		w->tasks[idx].tgid = ev->tgid;
	}
	return p;
}

static uint8_t *put_switch(struct kst_writer *w, uint8_t *p, uint8_t *tagp,
			   const struct ks_event *ev)
{
	struct kst_wcpu *cs = ev->cpu < KST_CPU_STATE ? &w->cpus[ev->cpu] : NULL;
	uint8_t tag = ev->state << KST_SW_STATE_SHIFT;
	uint32_t prev, next, hwm8 = ev->hwm >> 3, depth8 = ev->depth >> 3;
	int fresh;

	if (cs && cs->gen != w->gen)
		cs = (cs->gen = w->gen, cs->last_next = cs->last_prev = UINT32_MAX, cs);
	prev = tid_lookup(w, ev->tid, &fresh);
	if (cs && !fresh && cs->last_next == prev)
		tag |= KST_SW_PREV;
	else if (fresh)
		p = kst_put_varint(p, (uint64_t)ev->tid << 1 | 1);
	else
		p = kst_put_varint(p, (uint64_t)prev << 1);
	next = tid_lookup(w, ev->tid2, &fresh);
	if (cs && !fresh && cs->last_prev == next)
		tag |= KST_SW_PINGPONG;
	else if (fresh)
		p = kst_put_varint(p, (uint64_t)ev->tid2 << 1 | 1);
	else
		p = kst_put_varint(p, (uint64_t)next << 1);
	if (w->tasks[prev].hwm8 == hwm8)
		tag |= KST_SW_HWM;
	else
		p = kst_put_varint(p, hwm8);
	if (w->tasks[prev].depth8 == depth8)
		tag |= KST_SW_DEPTH;
	else
		p = kst_put_varint(p, depth8);
	p = put_flags(w, p, &tag, KST_SW_FLAGS, ev, prev);
	w->tasks[prev].hwm8 = hwm8;
	w->tasks[prev].depth8 = depth8;
	if (cs) {
		cs->last_next = next;
		cs->last_prev = prev;
	}
	*tagp = tag;
	return p;
}

/* Version 1: one record into raw; the block is flushed when full. */
static int add1(struct kst_writer *w, const struct ks_event *ev)
{
	uint8_t *p, *tagp, tw[10], *twe;
	uint64_t code;
	uint32_t idx = 0;

	/* time word: dt << 2 | cpu code; written after the tag */
	if (ev->cpu == w->cpu) {
		code = KST_CPU_SAME;
	} else if (ev->cpu == w->other_cpu) {
		code = KST_CPU_OTHER;
	} else {
		code = KST_CPU_EXPLICIT;
	}
	p = w->raw + w->raw_len;
	tagp = p++;
	twe = kst_put_varint(tw, (ev->time - w->last_time) << 2 | code);
	if (ev->time - w->last_time >= (1ull << 62)) {
		/* the delta does not fit beside the code: end the block first */
		int ret = kst_writer_flush(w);

		if (ret)
			return ret;
		return kst_writer_add(w, ev);
	}
	memcpy(p, tw, twe - tw);
	p += twe - tw;
	if (code == KST_CPU_EXPLICIT)
		p = kst_put_varint(p, ev->cpu);
	if (ev->cpu != w->cpu) {
		w->other_cpu = w->cpu;
		w->cpu = ev->cpu;
	}

	if (w->tgid_mode < 0 && (ev->type == KS_EV_SWITCH || ev->type == KS_EV_KFAULT))
		decide_tgid_mode(w, ev);
	if (!kst_w_canonical(ev, w->tgid_mode == 1)) {
		*tagp = KST_TAG_FULL;
		p = put_full(p, ev);
	} else if (ev->type == KS_EV_SWITCH) {
		p = put_switch(w, p, tagp, ev);
	} else {
		uint8_t tag = KST_TAG_OTHER | ev->type;

		if (ev->type != KS_EV_LOST)
			p = put_tid(w, p, ev->tid, &idx);
		if (ev->type == KS_EV_SNAPSHOT || ev->type == KS_EV_NEW || ev->type == KS_EV_EXIT)
			w->tasks[idx].tgid = ev->tgid;
		switch (ev->type) {
		case KS_EV_SNAPSHOT:
			p = kst_put_varint(p, kst_zigzag((int64_t)ev->tgid - ev->tid));
			p = kst_put_varint(p, ev->hwm >> 3);
			p = kst_put_varint(p, ev->depth >> 3);
			p = put_comm(p, ev->comm);
			break;
		case KS_EV_NEW:
			p = put_tid(w, p, ev->tid2, &idx);
			p = kst_put_varint(p, kst_zigzag((int64_t)ev->tgid - ev->tid));
			p = put_comm(p, ev->comm);
			break;
		case KS_EV_EXIT:
			p = kst_put_varint(p, kst_zigzag((int64_t)ev->tgid - ev->tid));
			p = kst_put_varint(p, ev->hwm >> 3);
			break;
		case KS_EV_KFAULT:
			p = kst_put_varint(p, ev->depth >> 3);
			break;
		case KS_EV_KENTRY:
		case KS_EV_KEXIT:
		case KS_EV_LOST:
			p = kst_put_varint(p, ev->arg);
			break;
		case KS_EV_EXEC:
			p = put_comm(p, ev->comm);
			break;
		}
		if (ev->type == KS_EV_KFAULT) {
			p = put_flags(w, p, &tag, KST_TAG_FLAGS, ev, idx);
		} else if (ev->flags) {
			tag |= KST_TAG_FLAGS;
			p = kst_put_varint(p, ev->flags);
		}
		*tagp = tag;
	}
	w->raw_len = p - w->raw;
	w->last_time = ev->time;
	w->nev++;
	w->nr_events++;
	if (w->nev >= KST_BLOCK_EVENTS || w->raw_len >= KST_BLOCK_BYTES)
		return kst_writer_flush(w);
	return 0;
}

int kst_writer_add(struct kst_writer *w, const struct ks_event *ev)
{
	int full;

	if (w->error)
		return w->error;
	if (ev->type < KS_EV_SNAPSHOT || ev->type >= KS__EV_MAX || (ev->hwm | ev->depth) & 7)
		return -EINVAL;
	/* FORMAT.md "Time": never backwards, even across blocks, and below 2^63 */
	if (ev->time < w->last_time || ev->time > KST_TIME_MAX)
		return -EINVAL;
	if (!w->nev)
		w->last_time = w->base_time = ev->time;
	if (w->version == 1)
		return add1(w, ev);
	full = kst_w2_add(w, ev);
	w->last_time = ev->time;
	w->nev++;
	w->nr_events++;
	return full ? kst_writer_flush(w) : 0;
}

/**
 * kst_writer_set_compress() - the codec's level for the next blocks (0 = store)
 *
 * A block is stored compressed only when that makes it smaller.
 */
void kst_writer_set_compress(struct kst_writer *w, int level)
{
	int max = w->codec == KST_CODEC_ZSTD ? ZSTD_maxCLevel() : 9;

	if (level > max)
		level = max;
	if (level < 0)
		level = 0;
	if (level != w->level && w->zs_init) {
		deflateEnd(&w->zs);	/* the deflate level is fixed at init */
		w->zs_init = 0;
	}
	w->level = level;
}

/**
 * kst_writer_set_codec() - codec for the next blocks, at its default level
 */
int kst_writer_set_codec(struct kst_writer *w, int codec)
{
	switch (codec) {
	case KST_CODEC_NONE:
		w->codec = codec;
		kst_writer_set_compress(w, 0);
		return 0;
	case KST_CODEC_DEFLATE:
		w->codec = codec;
		kst_writer_set_compress(w, KST_DEFLATE_LEVEL);
		return 0;
	case KST_CODEC_ZSTD:
		w->codec = codec;
		kst_writer_set_compress(w, KST_ZSTD_LEVEL);
		return 0;
	}
	return -EINVAL;
}

static int writer_start(struct kst_writer **out, int fd, int own_fd,
			const struct kst_info *info, struct ks_error *err)
{
	uint8_t hdr[KST_HDR_FIXED + 2048 + 4];
	struct kst_writer *w;
	size_t tlv;
	int ret;

	w = calloc(1, sizeof(*w));
	if (!w) {
		ret = ks_error_set(err, ENOMEM, "no memory for the trace writer");
		goto fail;
	}
	w->fd = fd;
	w->own_fd = own_fd;
	w->version = info->version;
	w->ncpus = info->ncpus;
	w->last_time = info->start_ns;
	if (w->version == 1) {
		/* records go straight into raw, which is never grown */
		w->codec = KST_CODEC_ZSTD;
		w->level = KST_ZSTD_LEVEL;
		w->hmask = TID_HASH - 1;
		w->raw_size = RAW_SIZE;
		w->raw = calloc(1, RAW_SIZE);
		w->tasks = calloc(TID_HASH, sizeof(*w->tasks));
	} else {
		w->codec = KST_CODEC_NONE;
		w->hmask = TID_HASH2 - 1;
	}
	w->tids = calloc((size_t)w->hmask + 1, sizeof(*w->tids));
	if (!w->tids || (w->version == 1 ? !w->raw || !w->tasks : kst_w2_create(w)) ||
	    out_reserve(w, RAW_SIZE)) {
		ret = ks_error_set(err, ENOMEM, "no memory for the trace writer");
		goto fail;
	}
	block_reset(w);

	memcpy(hdr, KST_MAGIC, KST_MAGIC_LEN);
	kst_put_le32(hdr + 8, w->version);
	tlv = kst_hdr_encode(info, hdr + KST_HDR_FIXED, 2048);
	kst_put_le32(hdr + 12, tlv);
	kst_put_le32(hdr + KST_HDR_FIXED + tlv, wcrc(w, hdr, KST_HDR_FIXED + tlv));
	ret = write_all(w, hdr, KST_HDR_FIXED + tlv + 4);
	if (ret) {
		ks_error_set(err, -ret, "cannot write the trace header");
		goto fail;
	}
	*out = w;
	return 0;
fail:
	if (w)
		w->own_fd = 0;	/* the caller closes or unlinks */
	kst_writer_free(w);
	return ret;
}

/* A header the reader would refuse is a bug of the producer: write nothing. */
static int check_header(const struct kst_info *info, struct ks_error *err)
{
	char why[160];

	if (info->version != 1 && info->version != KST_VERSION)
		return ks_error_set(err, EINVAL, "bad trace header: version %u (1 or %u)",
				    info->version, KST_VERSION);
	if (kst_hdr_check(info, why, sizeof(why)))
		return ks_error_set(err, EINVAL, "bad trace header: %s", why);
	return 0;
}

int kst_writer_fdopen(struct kst_writer **out, int fd, const struct kst_info *info,
		      struct ks_error *err)
{
	int ret = check_header(info, err);

	return ret ? ret : writer_start(out, fd, 0, info, err);
}

int kst_writer_create(struct kst_writer **out, const char *path,
		      const struct kst_info *info, struct ks_error *err)
{
	int fd, ret;

	ret = check_header(info, err);
	if (ret)
		return ret;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return ks_error_set(err, errno, "cannot create %s", path);
	ret = writer_start(out, fd, 1, info, err);
	if (ret)
		close(fd);
	else
		(*out)->own_fd = 1;
	return ret;
}

static int write_trailer(struct kst_writer *w, const struct kst_info *info)
{
	size_t size = KST_BLOCK_HDR + 64 + 20 * (size_t)w->ncpus + KST_FOOTER_LEN;
	uint64_t offset = w->bytes;
	uint8_t *buf;
	size_t len;
	int ret;

	/* the trailer's time comes after every event's (FORMAT.md "Time") */
	if (info->end_ns < w->last_time || info->end_ns > KST_TIME_MAX ||
	    info->nr_kernel_stack_end_kb < -1)
		return -EINVAL;
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	len = kst_trailer_encode(info, w->ncpus, w->nr_events, buf + KST_BLOCK_HDR, size);
	fill_block_header(w, buf, KST_KIND_TRAILER, 0, len, len, 0, info->end_ns,
			  wcrc(w, buf + KST_BLOCK_HDR, len));
	kst_put_le64(buf + KST_BLOCK_HDR + len, offset);
	memcpy(buf + KST_BLOCK_HDR + len + 8, KST_FOOTER_MAGIC, 8);
	ret = write_all(w, buf, KST_BLOCK_HDR + len + KST_FOOTER_LEN);
	free(buf);
	return ret;
}

int kst_writer_close(struct kst_writer *w, const struct kst_info *info)
{
	int ret;

	ret = kst_writer_flush(w);
	if (!ret && info)
		ret = write_trailer(w, info);
	if (w->own_fd && close(w->fd) && !ret)
		ret = -errno;
	w->own_fd = 0;
	kst_writer_free(w);
	return ret;
}

void kst_writer_free(struct kst_writer *w)
{
	if (!w)
		return;
	if (w->zs_init)
		deflateEnd(&w->zs);
	ZSTD_freeCCtx(w->zc);
	if (w->own_fd)
		close(w->fd);
	kst_w2_free(w);
	free(w->raw);
	free(w->out);
	free(w->tids);
	free(w->tasks);
	free(w);
}

uint64_t kst_writer_bytes(const struct kst_writer *w)
{
	return w->bytes;
}
