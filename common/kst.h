/* SPDX-License-Identifier: MIT */
/*
 * The kstack trace file (.kst): a header, then blocks of compactly encoded
 * events with a CRC per block, then a trailer block.  Version 2 (written by
 * default) packs each block's fields into fixed-width bit streams; version 1
 * (still read, and written on request) encodes one delta record after the
 * other.  data/FORMAT.md is the specification; this is its API.
 *
 * A file without its trailer (an interrupted recording) is readable up to
 * its last whole block and reported as truncated.  A block whose checksum
 * does not match is rejected with its block number.
 */
#ifndef KST_H
#define KST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ks_err.h"
#include "ks_event.h"

#define KST_VERSION 2		/* the version the writer writes by default */
#define KST_VERSION_OLDEST 1	/* readers read every version from this one on */

/* Where the trace's stack depths come from. */
enum kst_depth_source {
	KST_DEPTH_NONE = 0,	/* lifecycle only: depth-dependent policies refuse it */
	KST_DEPTH_EXACT = 1,	/* BPF high-water-mark scan */
	KST_DEPTH_LOWER = 2,	/* perf stack-pointer samples: a lower bound */
	KST_DEPTH_SYNTH = 3,	/* synthetic: exact by construction */
};

/* Everything known about a trace apart from its events. */
struct kst_info {
	/* header: known when recording starts */
	uint32_t version;		/* the writer writes this one: 1 or KST_VERSION */
	uint32_t ncpus;
	uint32_t depth_source;		/* enum kst_depth_source */
	/* as the file has them, unchecked: a replay checks them */
	uint64_t page_size;		/* bytes */
	uint64_t thread_size;		/* bytes */
	uint64_t ram_kb;		/* MemTotal, KiB; 0 unknown */
	uint64_t start_ns;		/* clock value at start */
	int64_t nr_kernel_stack_start_kb; /* /proc/vmstat at start; -1 unknown */
	uint64_t seed;			/* synthetic traces: the generator's seed */
	char host[64];
	char kernel[128];		/* uname -r */
	char arch[32];			/* uname -m */
	char clock[16];			/* "mono" or "synthetic" */
	char collector[64];		/* "kstack-collect 0.1", "kstack-synth 0.1" */
	char options[256];		/* collector's command line / synth parameters */
	char label[64];			/* workload or machine name for tables */
	uint32_t workload_pid;		/* pid of the recorded command; 0: none */

	/* trailer: known when recording stops; zero/-1 while truncated */
	uint64_t end_ns;
	int64_t nr_kernel_stack_end_kb;	/* -1 unknown */
	uint64_t nr_events;		/* events in the file */
	uint64_t *lost_tracefs;		/* [ncpus] events lost in tracefs buffers */
	uint64_t *lost_ringbuf;		/* [ncpus] records lost in the BPF ring buffer */

	/* reader's findings */
	bool truncated;			/* no trailer: recording was interrupted */
	uint64_t id;			/* identity: hash of header and block CRCs */
};

/**
 * kst_info_init() - fill @info with defaults (-1 unknowns, page 4096, thread 16384,
 * version KST_VERSION)
 */
void kst_info_init(struct kst_info *info);
/** kst_info_set_ncpus() - set ncpus and allocate the zeroed lost arrays; 0 or -ENOMEM */
int kst_info_set_ncpus(struct kst_info *info, uint32_t ncpus);
/** kst_info_lost_total() - all lost events, both sources, plus LOST records seen */
uint64_t kst_info_lost_total(const struct kst_info *info);
/** kst_info_release() - free the arrays inside @info (not @info itself) */
void kst_info_release(struct kst_info *info);

struct kst_writer;

/**
 * kst_writer_create() - create @path and write the header from @info
 * @out: the new writer
 * @path: output file (created or truncated; the format is append-only)
 * @info: header fields (the trailer fields are ignored here)
 * @err: detail on failure
 *
 * Writes format version @info->version: KST_VERSION, or 1 for readers older
 * than version 2.
 *
 * Return: 0 or a negative code: -EINVAL (and no file) for a header field out
 * of the range of data/FORMAT.md "TLV area", or another version.
 */
int kst_writer_create(struct kst_writer **out, const char *path,
		      const struct kst_info *info, struct ks_error *err);
/** kst_writer_fdopen() - same on an open file descriptor (kept open by the caller) */
int kst_writer_fdopen(struct kst_writer **out, int fd, const struct kst_info *info,
		      struct ks_error *err);
/**
 * kst_writer_add() - append one event; events must come in time order
 *
 * Full blocks are written out as they fill, so an interrupted recording
 * loses at most one block.  Return: 0 or a negative code (-ENOSPC...);
 * -EINVAL for an event the format cannot hold: a time before the header's
 * start_ns or the previous event's, or above 2^63 - 1 (FORMAT.md "Time").
 */
int kst_writer_add(struct kst_writer *w, const struct ks_event *ev);
/** kst_writer_flush() - write the current partial block now */
int kst_writer_flush(struct kst_writer *w);
/**
 * kst_writer_close() - flush, write the trailer from @info and close
 * @info: end_ns, nr_kernel_stack_end_kb and the lost arrays are taken from it
 *        (nr_events is counted by the writer); NULL writes no trailer, which
 *        leaves a truncated trace (used by tests).
 *
 * Return: 0 or a negative code; -EINVAL, and no trailer (a truncated trace),
 * if end_ns is before the last event or above 2^63 - 1.
 */
int kst_writer_close(struct kst_writer *w, const struct kst_info *info);
/** kst_writer_free() - discard without a trailer; accepts NULL */
void kst_writer_free(struct kst_writer *w);
/**
 * kst_writer_set_compress() - compression level for the blocks written from
 * now on: 0 = store them uncompressed, else the level of the writer's codec
 * (deflate 1..9, zstd 1..19; larger values are clamped).  The default is
 * zstd at KST_ZSTD_LEVEL for version 1 and no compression for version 2,
 * whose blocks are already packed to a few bits per field (a codec would
 * save little and make reading several times slower).  A block is stored
 * compressed only when that makes it smaller.
 */
void kst_writer_set_compress(struct kst_writer *w, int level);

/* Block compression codecs (data/FORMAT.md "Blocks") */
enum kst_codec {
	KST_CODEC_NONE = 0,	/* store every block */
	KST_CODEC_DEFLATE = 1,	/* raw DEFLATE (zlib), the first codec */
	KST_CODEC_ZSTD = 2,	/* one zstd frame per block: the default */
};

#define KST_DEFLATE_LEVEL 6	/* default level of each codec */
#define KST_ZSTD_LEVEL 3

/**
 * kst_writer_set_codec() - codec for the blocks written from now on
 * @codec: enum kst_codec
 *
 * Also sets the level to the codec's default (KST_DEFLATE_LEVEL,
 * KST_ZSTD_LEVEL); call kst_writer_set_compress() after it for another.
 * Readers read every codec, so one file may mix them.
 *
 * Return: 0, or -EINVAL for an unknown codec (the writer is unchanged).
 */
int kst_writer_set_codec(struct kst_writer *w, int codec);
/** kst_writer_bytes() - bytes written so far */
uint64_t kst_writer_bytes(const struct kst_writer *w);

struct kst_reader;

/**
 * kst_reader_open() - open @path and read its header (and, if the file is
 * seekable, its trailer, so info is complete before the first event)
 */
int kst_reader_open(struct kst_reader **out, const char *path, struct ks_error *err);
/** kst_reader_open_mem() - the same on a buffer (fuzzing); @buf must outlive the reader */
int kst_reader_open_mem(struct kst_reader **out, const void *buf, size_t len,
			struct ks_error *err);
/** kst_reader_info() - header and trailer as far as known */
const struct kst_info *kst_reader_info(const struct kst_reader *r);
/**
 * kst_reader_next_block() - decode the next block of events
 * @evs: set to an array owned by the reader, valid until the next call
 * @n: number of events in it
 *
 * Return: 1 with events, 0 at the end (trailer reached or, for a truncated
 * file, the last whole block), or a negative code: -KS_E_CORRUPT with the
 * block number in @err for a bad checksum or an undecodable record.
 */
int kst_reader_next_block(struct kst_reader *r, const struct ks_event **evs, size_t *n,
			  struct ks_error *err);
/**
 * kst_reader_read_block() - kst_reader_next_block() into the caller's array
 * @buf: *@buf holds *@cap events; it is grown with realloc() (and *@cap
 *       updated) when the block has more, and stays the caller's to free
 * @n: number of events decoded into it
 *
 * Lets a consumer decode straight into the buffer it hands on (the replay's
 * ring), without a copy.  Same return values as kst_reader_next_block();
 * on an error *@buf keeps no meaningful events.
 */
int kst_reader_read_block(struct kst_reader *r, struct ks_event **buf, size_t *cap, size_t *n,
			  struct ks_error *err);
/** kst_reader_rewind() - back to the first block */
int kst_reader_rewind(struct kst_reader *r, struct ks_error *err);
/** kst_reader_free() - close; accepts NULL */
void kst_reader_free(struct kst_reader *r);

/** kst_event_type_name() - "switch", "new", ... for dumps */
const char *kst_event_type_name(unsigned int type);

#endif
