// SPDX-License-Identifier: MIT
/*
 * struct kst_info helpers and the TLV codecs of the header and the trailer
 * (data/FORMAT.md "Header" and "Trailer").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kst.h"
#include "kst_fmt.h"

void kst_info_init(struct kst_info *info)
{
	memset(info, 0, sizeof(*info));
	info->version = KST_VERSION;
	info->page_size = 4096;
	info->thread_size = 16384;
	info->nr_kernel_stack_start_kb = -1;
	info->nr_kernel_stack_end_kb = -1;
}

int kst_info_set_ncpus(struct kst_info *info, uint32_t ncpus)
{
	uint64_t *a = NULL, *b = NULL;

	if (ncpus) {
		a = calloc(ncpus, sizeof(*a));
		b = calloc(ncpus, sizeof(*b));
		if (!a || !b) {
			free(a);
			free(b);
			return -ENOMEM;
		}
	}
	free(info->lost_tracefs);
	free(info->lost_ringbuf);
	info->lost_tracefs = a;
	info->lost_ringbuf = b;
	info->ncpus = ncpus;
	return 0;
}

/*
 * The arrays are the whole truth: the reader fills them from the trailer
 * when there is one, else from the LOST records of the blocks read so far
 * (FORMAT.md "Lost events").
 */
uint64_t kst_info_lost_total(const struct kst_info *info)
{
	uint64_t total = 0;
	uint32_t i;

	for (i = 0; i < info->ncpus; i++) {
		if (info->lost_tracefs)
			total += info->lost_tracefs[i];
		if (info->lost_ringbuf)
			total += info->lost_ringbuf[i];
	}
	return total;
}

void kst_info_release(struct kst_info *info)
{
	free(info->lost_tracefs);
	free(info->lost_ringbuf);
	info->lost_tracefs = NULL;
	info->lost_ringbuf = NULL;
}

const char *kst_event_type_name(unsigned int type)
{
	static const char *const names[KS__EV_MAX] = {
		[KS_EV_SNAPSHOT] = "snapshot",
		[KS_EV_NEW] = "new",
		[KS_EV_EXIT] = "exit",
		[KS_EV_FREE] = "free",
		[KS_EV_SWITCH] = "switch",
		[KS_EV_KFAULT] = "kfault",
		[KS_EV_KENTRY] = "kentry",
		[KS_EV_KEXIT] = "kexit",
		[KS_EV_LOST] = "lost",
		[KS_EV_EXEC] = "exec",
	};

	if (type < KS__EV_MAX && names[type])
		return names[type];
	return "unknown";
}

/* One TLV entry: tag varint, length varint, value; @end bounds the buffer. */
static uint8_t *tlv_uint(uint8_t *p, unsigned int tag, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = kst_put_varint(tmp, v) - tmp;

	p = kst_put_varint(p, tag);
	p = kst_put_varint(p, n);
	memcpy(p, tmp, n);
	return p + n;
}

static uint8_t *tlv_str(uint8_t *p, unsigned int tag, const char *s, size_t size)
{
	size_t n = strnlen(s, size - 1);

	p = kst_put_varint(p, tag);
	p = kst_put_varint(p, n);
	memcpy(p, s, n);
	return p + n;
}

/**
 * kst_hdr_encode() - the header's TLV part for @info
 * @buf: output, at least 2048 bytes (every string is bounded by its field)
 *
 * Return: bytes written.
 */
size_t kst_hdr_encode(const struct kst_info *info, uint8_t *buf, size_t size)
{
	uint8_t *p = buf;

	(void)size;
	p = tlv_uint(p, KST_T_PAGE_SIZE, info->page_size);
	p = tlv_uint(p, KST_T_THREAD_SIZE, info->thread_size);
	p = tlv_uint(p, KST_T_NCPUS, info->ncpus);
	p = tlv_uint(p, KST_T_DEPTH_SOURCE, info->depth_source);
	p = tlv_uint(p, KST_T_RAM_KB, info->ram_kb);
	p = tlv_uint(p, KST_T_START_NS, info->start_ns);
	p = tlv_uint(p, KST_T_NR_KSTACK_START, kst_zigzag(info->nr_kernel_stack_start_kb));
	p = tlv_uint(p, KST_T_SEED, info->seed);
	p = tlv_str(p, KST_T_HOST, info->host, sizeof(info->host));
	p = tlv_str(p, KST_T_KERNEL, info->kernel, sizeof(info->kernel));
	p = tlv_str(p, KST_T_ARCH, info->arch, sizeof(info->arch));
	p = tlv_str(p, KST_T_CLOCK, info->clock, sizeof(info->clock));
	p = tlv_str(p, KST_T_COLLECTOR, info->collector, sizeof(info->collector));
	p = tlv_str(p, KST_T_OPTIONS, info->options, sizeof(info->options));
	p = tlv_str(p, KST_T_LABEL, info->label, sizeof(info->label));
	/* optional: a trace without a recorded command keeps the bytes it always had */
	if (info->workload_pid)
		p = tlv_uint(p, KST_T_WORKLOAD_PID, info->workload_pid);
	return p - buf;
}

static void get_str(char *dst, size_t size, const uint8_t *v, size_t n)
{
	if (n > size - 1)
		n = size - 1;
	memcpy(dst, v, n);
	memset(dst + n, 0, size - n);
}

static int get_uint(const uint8_t *v, size_t n, uint64_t *out)
{
	const uint8_t *e = kst_get_varint(v, v + n, out);

	return e == v + n ? 0 : -1;
}

/* The header's integer fields by tag, for messages */
static const char *const hdr_names[] = {
	[KST_T_PAGE_SIZE] = "page_size",
	[KST_T_THREAD_SIZE] = "thread_size",
	[KST_T_NCPUS] = "ncpus",
	[KST_T_DEPTH_SOURCE] = "depth_source",
	[KST_T_RAM_KB] = "ram_kb",
	[KST_T_START_NS] = "start_ns",
	[KST_T_NR_KSTACK_START] = "nr_kernel_stack_start_kb",
	[KST_T_SEED] = "seed",
	[KST_T_WORKLOAD_PID] = "workload_pid",
};

/*
 * The 32-bit fields, checked as 64-bit values so that a value too large for
 * its field is reported as it is in the file, not cut to 32 bits.
 */
static const char *check_u32(uint64_t page, uint64_t thread, uint64_t ncpus, uint64_t depth,
			     char *buf, size_t size)
{
	if (page < KST_PAGE_MIN || page > KST_PAGE_MAX || (page & (page - 1)))
		snprintf(buf, size, "page_size %" PRIu64 " is out of range (a power of two "
			 "from %u to %u)", page, KST_PAGE_MIN, KST_PAGE_MAX);
	else if (!thread || thread % page || thread > KST_THREAD_MAX)
		snprintf(buf, size, "thread_size %" PRIu64 " is out of range (a multiple of "
			 "page_size %" PRIu64 ", at most %u)", thread, page, KST_THREAD_MAX);
	else if (!ncpus || ncpus > KST_MAX_NCPUS)
		snprintf(buf, size, "ncpus %" PRIu64 " is out of range (1 to %u)", ncpus,
			 KST_MAX_NCPUS);
	else if (depth > KST_DEPTH_SYNTH)
		snprintf(buf, size, "depth_source %" PRIu64 " is out of range (0 to %d)", depth,
			 KST_DEPTH_SYNTH);
	else
		return NULL;
	return buf;
}

/**
 * kst_hdr_check() - why the header fields of @info are out of range
 * @buf: room for the reason, e.g. "ncpus 0 is out of range (1 to 65536)"
 *
 * The limits of data/FORMAT.md "TLV area": the reader refuses a header
 * outside them and the writer does not write one.
 * Return: NULL if the fields are valid, else @buf.
 */
const char *kst_hdr_check(const struct kst_info *info, char *buf, size_t size)
{
	if (check_u32(info->page_size, info->thread_size, info->ncpus, info->depth_source, buf,
		      size))
		return buf;
	if (info->start_ns > KST_TIME_MAX)
		snprintf(buf, size, "start_ns %" PRIu64 " is out of range (at most 2^63 - 1)",
			 info->start_ns);
	else if (info->nr_kernel_stack_start_kb < -1)
		snprintf(buf, size, "nr_kernel_stack_start_kb %" PRId64 " is out of range "
			 "(-1 for unknown, else at least 0)", info->nr_kernel_stack_start_kb);
	else
		return NULL;
	return buf;
}

/**
 * kst_hdr_decode() - fill @info's header fields from the TLV part
 * @why: on a malformed or out-of-range field, what is wrong (@size bytes)
 *
 * Unknown tags are skipped.  Allocates the lost arrays for ncpus.
 * Return: 0, -1 if malformed (@why says why), or -ENOMEM.
 */
int kst_hdr_decode(struct kst_info *info, const uint8_t *p, size_t len, char *why, size_t size)
{
	uint64_t page = info->page_size, thread = info->thread_size, ncpus = 0, depth = 0;
	uint64_t tag, n, v;
	const uint8_t *end = p + len;

	while (p < end) {
		p = kst_get_varint(p, end, &tag);
		if (p)
			p = kst_get_varint(p, end, &n);
		if (!p || n > (uint64_t)(end - p)) {
			snprintf(why, size, "malformed field");
			return -1;
		}
		if (tag >= KST_T_HOST && tag <= KST_T_LABEL) {
			switch (tag) {
			case KST_T_HOST: get_str(info->host, sizeof(info->host), p, n); break;
			case KST_T_KERNEL: get_str(info->kernel, sizeof(info->kernel), p, n); break;
			case KST_T_ARCH: get_str(info->arch, sizeof(info->arch), p, n); break;
			case KST_T_CLOCK: get_str(info->clock, sizeof(info->clock), p, n); break;
			case KST_T_COLLECTOR:
				get_str(info->collector, sizeof(info->collector), p, n);
				break;
			case KST_T_OPTIONS: get_str(info->options, sizeof(info->options), p, n); break;
			default: get_str(info->label, sizeof(info->label), p, n); break;
			}
		} else if (tag >= KST_T_PAGE_SIZE && tag <= KST_T_SEED) {
			if (get_uint(p, n, &v)) {
				snprintf(why, size, "%s is malformed (not one varint)",
					 hdr_names[tag]);
				return -1;
			}
			switch (tag) {
			case KST_T_PAGE_SIZE: page = v; break;
			case KST_T_THREAD_SIZE: thread = v; break;
			case KST_T_NCPUS: ncpus = v; break;
			case KST_T_DEPTH_SOURCE: depth = v; break;
			case KST_T_RAM_KB: info->ram_kb = v; break;
			case KST_T_START_NS: info->start_ns = v; break;
			case KST_T_NR_KSTACK_START: info->nr_kernel_stack_start_kb = kst_unzigzag(v); break;
			default: info->seed = v; break;
			}
		} else if (tag == KST_T_WORKLOAD_PID) {
			if (get_uint(p, n, &v)) {
				snprintf(why, size, "%s is malformed (not one varint)",
					 hdr_names[tag]);
				return -1;
			}
			if (v > UINT32_MAX) {
				snprintf(why, size, "workload_pid %" PRIu64 " is out of range "
					 "(0 to 4294967295)", v);
				return -1;
			}
			info->workload_pid = (uint32_t)v;
		}
		p += n;
	}
	/* before the arrays are sized by ncpus */
	if (check_u32(page, thread, ncpus, depth, why, size))
		return -1;
	info->page_size = (uint32_t)page;
	info->thread_size = (uint32_t)thread;
	info->depth_source = (uint32_t)depth;
	if (kst_info_set_ncpus(info, (uint32_t)ncpus))
		return -ENOMEM;
	return kst_hdr_check(info, why, size) ? -1 : 0;
}

/**
 * kst_trailer_encode() - the trailer block's payload
 * @info: end fields and lost arrays (arrays may be NULL or shorter: zeros)
 * @ncpus: the header's CPU count, the length of the stored arrays
 * @buf: output of at least 64 + 20 * @ncpus bytes
 *
 * Return: bytes written.
 */
size_t kst_trailer_encode(const struct kst_info *info, uint32_t ncpus, uint64_t nr_events,
			  uint8_t *buf, size_t size)
{
	const uint64_t *arr[2] = { info->lost_tracefs, info->lost_ringbuf };
	uint8_t *p = buf, *lenp;
	uint32_t i, k;

	(void)size;
	p = tlv_uint(p, KST_TT_END_NS, info->end_ns);
	p = tlv_uint(p, KST_TT_NR_KSTACK_END, kst_zigzag(info->nr_kernel_stack_end_kb));
	p = tlv_uint(p, KST_TT_NR_EVENTS, nr_events);
	p = tlv_uint(p, KST_TT_NCPUS, ncpus);
	for (k = 0; k < 2; k++) {
		uint8_t *start;
		size_t n;

		p = kst_put_varint(p, KST_TT_LOST_TRACEFS + k);
		/* the length is not known yet: leave room for a 3-byte varint */
		lenp = p;
		p += 3;
		start = p;
		for (i = 0; i < ncpus; i++) {
			uint64_t v = arr[k] && i < info->ncpus ? arr[k][i] : 0;

			p = kst_put_varint(p, v);
		}
		n = p - start;
		lenp[0] = (n & 0x7f) | 0x80;
		lenp[1] = ((n >> 7) & 0x7f) | 0x80;
		lenp[2] = (n >> 14) & 0x7f;
	}
	return p - buf;
}

static int get_array(uint64_t *dst, uint32_t ncpus, const uint8_t *p, size_t n)
{
	const uint8_t *end = p + n;
	uint32_t i;

	for (i = 0; i < ncpus; i++) {
		p = kst_get_varint(p, end, &dst[i]);
		if (!p)
			return -1;
	}
	return p == end ? 0 : -1;
}

/**
 * kst_trailer_decode() - fill @info's trailer fields; ncpus must match the header
 *
 * Return: 0 or -1 if malformed.
 */
int kst_trailer_decode(struct kst_info *info, const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	uint64_t tag, n, v, total = 0;
	uint32_t i;

	while (p < end) {
		p = kst_get_varint(p, end, &tag);
		if (!p)
			return -1;
		p = kst_get_varint(p, end, &n);
		if (!p || n > (uint64_t)(end - p))
			return -1;
		switch (tag) {
		case KST_TT_END_NS:
		case KST_TT_NR_KSTACK_END:
		case KST_TT_NR_EVENTS:
		case KST_TT_NCPUS:
			if (get_uint(p, n, &v))
				return -1;
			if (tag == KST_TT_END_NS)
				info->end_ns = v;
			else if (tag == KST_TT_NR_KSTACK_END && kst_unzigzag(v) < -1)
				return -1;	/* -1 is unknown; other negatives mean nothing */
			else if (tag == KST_TT_NR_KSTACK_END)
				info->nr_kernel_stack_end_kb = kst_unzigzag(v);
			else if (tag == KST_TT_NR_EVENTS)
				info->nr_events = v;
			else if (v != info->ncpus)
				return -1;
			break;
		case KST_TT_LOST_TRACEFS:
			if (get_array(info->lost_tracefs, info->ncpus, p, n))
				return -1;
			break;
		case KST_TT_LOST_RINGBUF:
			if (get_array(info->lost_ringbuf, info->ncpus, p, n))
				return -1;
			break;
		default:
			break;
		}
		p += n;
	}
	/* the total must stay a count (stored as a signed 64-bit value) */
	for (i = 0; i < info->ncpus; i++) {
		if (info->lost_tracefs[i] > INT64_MAX - total)
			return -1;
		total += info->lost_tracefs[i];
		if (info->lost_ringbuf[i] > INT64_MAX - total)
			return -1;
		total += info->lost_ringbuf[i];
	}
	return 0;
}
