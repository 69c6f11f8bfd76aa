// SPDX-License-Identifier: MIT
/*
 * struct kst_info helpers and the TLV codecs of the header and the trailer
 * (data/FORMAT.md "Header" and "Trailer").
 */
#include <errno.h>
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

/**
 * kst_hdr_decode() - fill @info's header fields from the TLV part
 *
 * Unknown tags are skipped.  Allocates the lost arrays for ncpus.
 * Return: 0, -1 if malformed, or -ENOMEM.
 */
int kst_hdr_decode(struct kst_info *info, const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	uint64_t tag, n, v;
	uint32_t ncpus = 0;

	while (p < end) {
		p = kst_get_varint(p, end, &tag);
		if (!p)
			return -1;
		p = kst_get_varint(p, end, &n);
		if (!p || n > (uint64_t)(end - p))
			return -1;
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
			if (get_uint(p, n, &v))
				return -1;
			switch (tag) {
			case KST_T_PAGE_SIZE: info->page_size = v; break;
			case KST_T_THREAD_SIZE: info->thread_size = v; break;
			case KST_T_NCPUS:
				if (v > KST_MAX_NCPUS)
					return -1;
				ncpus = v;
				break;
			case KST_T_DEPTH_SOURCE: info->depth_source = v; break;
			case KST_T_RAM_KB: info->ram_kb = v; break;
			case KST_T_START_NS: info->start_ns = v; break;
			case KST_T_NR_KSTACK_START: info->nr_kernel_stack_start_kb = kst_unzigzag(v); break;
			default: info->seed = v; break;
			}
		}
		p += n;
	}
	return kst_info_set_ncpus(info, ncpus) ? -ENOMEM : 0;
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
	uint64_t tag, n, v;

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
	return 0;
}
