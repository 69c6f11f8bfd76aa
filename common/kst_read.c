// SPDX-License-Identifier: MIT
/*
 * The trace reader, of both versions.  At open it reads the header and,
 * when the source is seekable (a regular file or a buffer), walks the block
 * headers to find the trailer and compute the trace id, so info is complete
 * before the first event.  Blocks are then checked, decompressed (deflate or
 * zstd, with one context per reader, reused) and decoded one at a time into
 * an event array (kst_decode.c, kst_decode2.c), the reader's or the
 * caller's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "kst.h"
#include "kst_fmt.h"
#include "kst_read.h"

/*
 * Fuzzing builds accept any checksum, so mutated inputs reach the decoder
 * (the usual FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION convention).
 */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define crc_bad(stored, computed) ((void)(stored), (void)(computed), 0)
#else
#define crc_bad(stored, computed) ((stored) != (computed))
#endif

/* The checksum of the file's version: zlib's CRC-32 (1) or CRC-32C (2) */
static uint32_t rcrc(const struct kst_reader *r, const void *buf, size_t len)
{
	return r->info.version == 1 ? (uint32_t)crc32(0, buf, len) : kst_crc32c(0, buf, len);
}

static ssize_t src_read(struct kst_reader *r, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;
	size_t done = 0;

	if (r->mem) {
		if (off >= r->size)
			return 0;
		if (len > r->size - off)
			len = r->size - off;
		memcpy(buf, r->mem + off, len);
		return len;
	}
	while (done < len) {
		ssize_t n;

		if (r->seekable)
			n = pread(r->fd, p + done, len - done, off + done);
		else
			n = read(r->fd, p + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

/* Grow @buf to @need bytes; new bytes are zero, so every byte is defined. */
static int grow(uint8_t **buf, size_t *cap, size_t need)
{
	uint8_t *p;

	if (need <= *cap)
		return 0;
	p = realloc(*buf, need);
	if (!p)
		return -ENOMEM;
	memset(p + *cap, 0, need - *cap);
	*buf = p;
	*cap = need;
	return 0;
}

/* A corrupt block: the error sticks, later calls return it again. */
static int corrupt(struct kst_reader *r, struct ks_error *err, uint32_t block, const char *what)
{
	r->error = -KS_E_CORRUPT;
	ks_error_set(&r->err, KS_E_CORRUPT, "block %u: %s", block, what);
	if (err)
		*err = r->err;
	return r->error;
}

#define corrupt(r, err, blk, what) corrupt(r, err, blk, what)

/*
 * Time in file order (FORMAT.md "Time"): @what at @t comes before the time
 * the reader is at, that of the last event or the header's start_ns.
 */
static int backwards(struct kst_reader *r, struct ks_error *err, uint32_t block, const char *what,
		     uint64_t t)
{
	char msg[200];

	if (block == 0)
		snprintf(msg, sizeof(msg), "time goes backwards: %s %" PRIu64 " ns is before the "
			 "header's start_ns (%" PRIu64 " ns)", what, t, r->last_time);
	else
		snprintf(msg, sizeof(msg), "time goes backwards: %s %" PRIu64 " ns is before %"
			 PRIu64 " ns, the last event of block %u", what, t, r->last_time,
			 block - 1);
	return corrupt(r, err, block, msg);
}

static int out_of_range(struct kst_reader *r, struct ks_error *err, uint32_t block,
			const char *what, uint64_t t)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "time out of range: %s %" PRIu64 " ns (at most 2^63 - 1)",
		 what, t);
	return corrupt(r, err, block, msg);
}

/*
 * Parse the 40-byte block header at @h.  Return: 0, or the reason it is
 * not a valid header.
 */
static const char *parse_block_header(const struct kst_reader *r, const uint8_t *h, uint32_t seq,
				      struct kst_bhdr *b)
{
	uint64_t min_raw;

	if (kst_get_le32(h) != KST_BLOCK_MAGIC)
		return "bad block magic";
	if (crc_bad(kst_get_le32(h + 36), rcrc(r, h, 36)))
		return "block header checksum mismatch";
	b->seq = kst_get_le32(h + 4);
	b->kind = h[8];
	b->flags = h[9];
	b->payload_len = kst_get_le32(h + 12);
	b->raw_len = kst_get_le32(h + 16);
	b->nev = kst_get_le32(h + 20);
	b->base_time = kst_get_le64(h + 24);
	b->crc = kst_get_le32(h + 32);
	if (b->seq != seq)
		return "out-of-sequence block";
	if (b->kind == KST_KIND_EVENTS) {
		/* a codec or flag of a later kstack: say so rather than misread it */
		if ((b->flags & KST_BF_CODEC) > KST_BF_ZSTD)
			return "unsupported compression (unknown block flags)";
		if (b->flags & ~KST_BF_KNOWN)
			return "unsupported block flags";
		if (h[10] || h[11])
			return "bad block header (reserved bytes not 0)";
		/* a record is at least 2 bytes in version 1, 2 bits in version 2 */
		min_raw = r->info.version == 1 ? 2 * (uint64_t)b->nev : ((uint64_t)b->nev + 3) / 4;
		if (b->nev == 0 || b->nev > KST_MAX_EVENTS || b->raw_len > KST_MAX_RAW ||
		    b->payload_len > KST_MAX_PAYLOAD || min_raw > b->raw_len)
			return "bad block sizes";
		if ((b->flags & KST_BF_CODEC) == KST_BF_STORED && b->raw_len != b->payload_len)
			return "bad block sizes";
	} else if (b->kind == KST_KIND_TRAILER) {
		/* never compressed: R = P, like a stored block */
		if (b->flags || h[10] || h[11] || b->nev || b->payload_len > KST_MAX_PAYLOAD ||
		    b->raw_len != b->payload_len)
			return "bad trailer header";
	} else {
		return "unknown block kind";
	}
	return NULL;
}

static uint64_t id_add_block(uint64_t id, uint32_t crc)
{
	uint8_t b[4];

	kst_put_le32(b, crc);
	return kst_fnv(id, b, 4);
}

/* Read and check the trailer payload; fills info.  Return 0 or an error. */
static int load_trailer(struct kst_reader *r, const struct kst_bhdr *b, uint64_t off,
			struct ks_error *err)
{
	ssize_t n;
	int ret;

	ret = grow(&r->payload, &r->payload_cap, b->payload_len + 1);
	if (ret)
		return ks_error_set(err, ENOMEM, "no memory for the trailer");
	n = src_read(r, r->payload, b->payload_len, off + KST_BLOCK_HDR);
	if (n < 0)
		return ks_error_set(err, -n, "reading the trailer");
	if ((size_t)n < b->payload_len)
		return 1;	/* short: the file ends inside it */
	if (crc_bad(b->crc, rcrc(r, r->payload, b->payload_len)))
		return corrupt(r, err, b->seq, "checksum mismatch");
	if (kst_trailer_decode(&r->info, r->payload, b->payload_len))
		return corrupt(r, err, b->seq, "malformed trailer");
	if (r->info.end_ns > KST_TIME_MAX)
		return out_of_range(r, err, b->seq, "end_ns", r->info.end_ns);
	if (b->base_time != r->info.end_ns) {
		char msg[160];

		snprintf(msg, sizeof(msg), "the trailer's base time (%" PRIu64 " ns) is not its "
			 "end_ns (%" PRIu64 " ns)", b->base_time, r->info.end_ns);
		return corrupt(r, err, b->seq, msg);
	}
	return 0;
}

/*
 * Walk the block headers of a seekable source: finds the trailer and the
 * id.  A problem stops the walk silently; kst_reader_next_block() reports
 * it when it gets there.
 */
static void scan_blocks(struct kst_reader *r)
{
	uint64_t off = r->first_block, id = r->id_hdr, nev = 0;
	struct ks_error tmp;
	uint8_t h[KST_BLOCK_HDR];
	struct kst_bhdr b;
	uint32_t seq = 0;

	for (;; seq++) {
		if (src_read(r, h, KST_BLOCK_HDR, off) != KST_BLOCK_HDR)
			break;
		if (parse_block_header(r, h, seq, &b))
			goto stop;
		if (off + KST_BLOCK_HDR + b.payload_len > r->size)
			break;	/* the last block was cut short */
		id = id_add_block(id, b.crc);
		if (b.kind == KST_KIND_TRAILER) {
			if (load_trailer(r, &b, off, &tmp) || r->info.nr_events != nev) {
				r->error = 0;
				goto stop;
			}
			r->have_trailer = true;
			break;
		}
		nev += b.nev;
		off += KST_BLOCK_HDR + b.payload_len;
	}
	r->info.truncated = !r->have_trailer;
	r->info.id = id;
	r->id_known = true;
	return;
stop:
	/* corrupt: leave the trailer fields unknown and let reading report it */
	r->info.id = id;
	r->id_known = true;
}

static int reader_start(struct kst_reader *r, struct ks_error *err)
{
	uint8_t fixed[KST_HDR_FIXED];
	uint32_t version, tlv_len;
	uint8_t *hdr = NULL;
	char why[160];
	ssize_t n;
	int ret;

	kst_info_init(&r->info);
	n = src_read(r, fixed, KST_HDR_FIXED, 0);
	if (n < 0)
		return ks_error_set(err, -n, "reading the header");
	if (n == 0)
		return ks_error_set(err, KS_E_NOT_TRACE, "empty file");
	if (memcmp(fixed, KST_MAGIC, n < KST_MAGIC_LEN ? n : KST_MAGIC_LEN))
		return ks_error_set(err, KS_E_NOT_TRACE, "bad magic");
	if (n < KST_HDR_FIXED)
		return ks_error_set(err, KS_E_TRUNCATED, "the header is incomplete");
	version = kst_get_le32(fixed + 8);
	if (version < KST_VERSION_OLDEST || version > KST_VERSION)
		return ks_error_set(err, KS_E_VERSION,
				    "file has format version %u, this kstack reads versions %u to %u",
				    version, KST_VERSION_OLDEST, KST_VERSION);
	r->info.version = version;
	tlv_len = kst_get_le32(fixed + 12);
	if (tlv_len > KST_HDR_TLV_MAX)
		return ks_error_set(err, KS_E_CORRUPT, "header: bad length %u", tlv_len);
	hdr = malloc(KST_HDR_FIXED + tlv_len + 4);
	if (!hdr)
		return ks_error_set(err, ENOMEM, "no memory for the header");
	memcpy(hdr, fixed, KST_HDR_FIXED);
	n = src_read(r, hdr + KST_HDR_FIXED, tlv_len + 4, KST_HDR_FIXED);
	if (n < 0) {
		ret = ks_error_set(err, -n, "reading the header");
		goto out;
	}
	if ((size_t)n < tlv_len + 4) {
		ret = ks_error_set(err, KS_E_TRUNCATED, "the header is incomplete");
		goto out;
	}
	if (crc_bad(kst_get_le32(hdr + KST_HDR_FIXED + tlv_len),
		    rcrc(r, hdr, KST_HDR_FIXED + tlv_len))) {
		ret = ks_error_set(err, KS_E_CORRUPT, "header: checksum mismatch");
		goto out;
	}
	ret = kst_hdr_decode(&r->info, hdr + KST_HDR_FIXED, tlv_len, why, sizeof(why));
	if (ret == -ENOMEM) {
		ret = ks_error_set(err, ENOMEM, "no memory for the header");
		goto out;
	}
	if (ret) {
		ret = ks_error_set(err, KS_E_CORRUPT, "header: %s", why);
		goto out;
	}
	r->last_time = r->info.start_ns;
	r->first_block = KST_HDR_FIXED + tlv_len + 4;
	r->id_hdr = kst_fnv(KST_FNV_INIT, hdr, r->first_block);
	r->id_run = r->id_hdr;
	r->off = r->first_block;
	if (r->seekable || r->mem)
		scan_blocks(r);
	ret = 0;
out:
	free(hdr);
	return ret;
}

int kst_reader_open_mem(struct kst_reader **out, const void *buf, size_t len,
			struct ks_error *err)
{
	static const uint8_t empty[1];
	struct kst_reader *r;
	int ret;

	r = calloc(1, sizeof(*r));
	if (!r)
		return ks_error_set(err, ENOMEM, "no memory for the reader");
	r->fd = -1;
	r->mem = buf ? buf : empty;
	r->size = len;
	ret = reader_start(r, err);
	if (ret) {
		kst_reader_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

int kst_reader_open(struct kst_reader **out, const char *path, struct ks_error *err)
{
	struct kst_reader *r;
	struct stat st;
	int ret;

	r = calloc(1, sizeof(*r));
	if (!r)
		return ks_error_set(err, ENOMEM, "no memory for the reader");
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		ret = ks_error_set(err, errno, "%s", "");
		goto fail;
	}
	if (fstat(r->fd, &st)) {
		ret = ks_error_set(err, errno, "%s", "");
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = ks_error_set(err, EISDIR, "%s", "");
		goto fail;
	}
	if (S_ISREG(st.st_mode)) {
		r->seekable = true;
		r->size = st.st_size;
	}
	ret = reader_start(r, err);
	if (ret)
		goto fail;
	*out = r;
	return 0;
fail:
	kst_reader_free(r);
	return ret;
}

const struct kst_info *kst_reader_info(const struct kst_reader *r)
{
	return &r->info;
}

/* The end of the blocks without a trailer: a truncated recording. */
static int reached_end(struct kst_reader *r)
{
	r->done = true;
	r->info.truncated = !r->have_trailer;
	if (!r->id_known)
		r->info.id = r->id_run;
	return 0;
}

/* Add the LOST records of a block to the arrays when there is no trailer. */
static void count_lost(struct kst_reader *r, const struct ks_event *ev, size_t n)
{
	size_t i;

	if (!r->info.ncpus)
		return;
	for (i = 0; i < n; i++) {
		uint32_t cpu = ev[i].cpu;

		if (ev[i].type != KS_EV_LOST)
			continue;
		if (cpu >= r->info.ncpus)
			cpu = r->info.ncpus - 1;
		if (ev[i].flags & KS_F_LOST_RB)
			r->info.lost_ringbuf[cpu] += ev[i].arg;
		else
			r->info.lost_tracefs[cpu] += ev[i].arg;
	}
}

/* Inflate r->payload into r->raw.  Return: 0, 1 for bad data, or -ENOMEM. */
static int inflate_block(struct kst_reader *r, const struct kst_bhdr *b)
{
	if (!r->zs_init) {
		if (inflateInit2(&r->zs, -15) != Z_OK)
			return -ENOMEM;
		r->zs_init = true;
	} else {
		inflateReset(&r->zs);
	}
	r->zs.next_in = r->payload;
	r->zs.avail_in = b->payload_len;
	r->zs.next_out = r->raw;
	r->zs.avail_out = b->raw_len;
	if (inflate(&r->zs, Z_FINISH) != Z_STREAM_END || r->zs.total_out != b->raw_len ||
	    r->zs.avail_in)
		return 1;
	return 0;
}

/*
 * Decompress the zstd frame in r->payload into r->raw: exactly one frame
 * filling the payload, decompressing to exactly raw_len bytes.  One-shot
 * decompression writes straight into r->raw, so a frame's window size
 * costs no memory.  Return: 0, 1 for bad data, or -ENOMEM.
 */
static int unzstd_block(struct kst_reader *r, const struct kst_bhdr *b)
{
	size_t n;

	if (!r->zd) {
		r->zd = ZSTD_createDCtx();
		if (!r->zd)
			return -ENOMEM;
	}
	if (ZSTD_findFrameCompressedSize(r->payload, b->payload_len) != b->payload_len)
		return 1;
	n = ZSTD_decompressDCtx(r->zd, r->raw, b->raw_len, r->payload, b->payload_len);
	if (ZSTD_isError(n) || n != b->raw_len)
		return 1;
	return 0;
}

int kst_reader_read_block(struct kst_reader *r, struct ks_event **buf, size_t *cap, size_t *n,
			  struct ks_error *err)
{
	uint8_t h[KST_BLOCK_HDR];
	struct ks_event *evs;
	const char *why;
	struct kst_bhdr b;
	uint32_t seq = r->seq;
	uint8_t *dst, codec;
	size_t pad;
	ssize_t got;
	int ret;

	*n = 0;
	if (r->error) {
		if (err)
			*err = r->err;
		return r->error;
	}
	if (r->done)
		return 0;
	got = src_read(r, h, KST_BLOCK_HDR, r->off);
	if (got < 0)
		return ks_error_set(err, -got, "reading block %u", seq);
	if (got < KST_BLOCK_HDR)
		return reached_end(r);
	why = parse_block_header(r, h, seq, &b);
	if (why)
		return corrupt(r, err, seq, why);
	if (b.kind == KST_KIND_TRAILER) {
		ret = load_trailer(r, &b, r->off, err);
		if (ret == 1)
			return reached_end(r);
		if (ret)
			return ret;
		if (r->info.end_ns < r->last_time)
			return backwards(r, err, seq, "end_ns", r->info.end_ns);
		if (r->info.nr_events != r->events_read)
			return corrupt(r, err, seq, "trailer's event count differs from the blocks'");
		r->have_trailer = true;
		r->id_run = id_add_block(r->id_run, b.crc);
		return reached_end(r);
	}

	/* uncompressed payloads are read straight into the padded decode buffer */
	pad = r->info.version == 1 ? KST_PAD : KST2_PAD(b.nev);
	if (grow(&r->raw, &r->raw_cap, (size_t)b.raw_len + pad))
		return ks_error_set(err, ENOMEM, "no memory for block %u", seq);
	codec = b.flags & KST_BF_CODEC;
	if (codec != KST_BF_STORED) {
		if (grow(&r->payload, &r->payload_cap, b.payload_len + 1))
			return ks_error_set(err, ENOMEM, "no memory for block %u", seq);
		dst = r->payload;
	} else {
		dst = r->raw;
	}
	got = src_read(r, dst, b.payload_len, r->off + KST_BLOCK_HDR);
	if (got < 0)
		return ks_error_set(err, -got, "reading block %u", seq);
	if ((size_t)got < b.payload_len)
		return reached_end(r);	/* the recording stopped while writing it */
	if (crc_bad(b.crc, rcrc(r, dst, b.payload_len)))
		return corrupt(r, err, seq, "checksum mismatch");
	if (codec == KST_BF_DEFLATE) {
		ret = inflate_block(r, &b);
		if (ret < 0)
			return ks_error_set(err, -ret, "no memory for inflate");
		if (ret)
			return corrupt(r, err, seq, "cannot decompress");
	} else if (codec == KST_BF_ZSTD) {
		ret = unzstd_block(r, &b);
		if (ret < 0)
			return ks_error_set(err, -ret, "no memory for zstd");
		if (ret)
			return corrupt(r, err, seq, "cannot decompress");
	}
	if (b.base_time > KST_TIME_MAX)
		return out_of_range(r, err, seq, "base time", b.base_time);
	if (b.base_time < r->last_time)
		return backwards(r, err, seq, "base time", b.base_time);
	if (b.nev > *cap) {
		evs = realloc(*buf, (size_t)b.nev * sizeof(*evs));
		if (!evs)
			return ks_error_set(err, ENOMEM, "no memory for block %u", seq);
		*buf = evs;
		*cap = b.nev;
	}
	evs = *buf;
	if (r->info.version == 1) {
		/* version 1 decodes varints up to the padding, which must be zero */
		memset(r->raw + b.raw_len, 0, KST_PAD);
		why = kst_decode_block(r, evs, r->raw, b.raw_len, b.nev, b.base_time, b.flags);
	} else {
		why = kst_decode2_block(r, evs, r->raw, b.raw_len, b.nev, b.base_time, b.flags);
	}
	if (why)
		return corrupt(r, err, seq, why);
	/* the base time is the first event's, so base times order the blocks too */
	if (evs[0].time != b.base_time) {
		char msg[160];

		snprintf(msg, sizeof(msg), "the first event's time (%" PRIu64 " ns) is not the "
			 "block's base time (%" PRIu64 " ns)", evs[0].time, b.base_time);
		return corrupt(r, err, seq, msg);
	}
	r->last_time = evs[b.nev - 1].time;
	if (!r->have_trailer)
		count_lost(r, evs, b.nev);
	r->id_run = id_add_block(r->id_run, b.crc);
	r->events_read += b.nev;
	r->off += KST_BLOCK_HDR + b.payload_len;
	r->seq++;
	*n = b.nev;
	return 1;
}

int kst_reader_next_block(struct kst_reader *r, const struct ks_event **evs, size_t *n,
			  struct ks_error *err)
{
	int ret = kst_reader_read_block(r, &r->evs, &r->evs_cap, n, err);

	*evs = ret > 0 ? r->evs : NULL;
	return ret;
}

int kst_reader_rewind(struct kst_reader *r, struct ks_error *err)
{
	uint32_t i;

	if (!r->mem && !r->seekable)
		return ks_error_set(err, ESPIPE, "cannot rewind a stream");
	r->off = r->first_block;
	r->seq = 0;
	r->done = false;
	r->error = 0;
	r->events_read = 0;
	r->last_time = r->info.start_ns;
	r->id_run = r->id_hdr;
	if (!r->have_trailer) {
		for (i = 0; i < r->info.ncpus; i++)
			r->info.lost_tracefs[i] = r->info.lost_ringbuf[i] = 0;
	}
	return 0;
}

void kst_reader_free(struct kst_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	if (r->zs_init)
		inflateEnd(&r->zs);
	ZSTD_freeDCtx(r->zd);
	kst_info_release(&r->info);
	free(r->payload);
	free(r->raw);
	free(r->evs);
	free(r->tids);
	free(r->kbuf);
	free(r->kdepth);
	free(r->vbuf);
	free(r);
}
