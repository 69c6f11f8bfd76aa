// SPDX-License-Identifier: MIT
/*
 * Rewrite fields of a trace's header, with a valid checksum, so the CLI
 * tests can hand kstack a well-formed file that says absurd things:
 *   sethdr IN OUT TAG=VALUE...     (e.g. 1=1099511627776 for page_size)
 *   sethdr IN OUT TAG=s:TEXT...    (a string field, e.g. 14=s:-o x.kst)
 * Written from data/FORMAT.md alone (fixed part, TLV area, the version's
 * checksum: zlib's crc32 for version 1, CRC-32C for version 2), not with
 * kstack's own writer, which would not write such values.  Tags given
 * replace the file's entries; the blocks are copied unchanged.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define MAX_SET 8

static uint32_t get_u32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* CRC-32C (FORMAT.md "Encodings"), one bit at a time */
static uint32_t crc32c(const uint8_t *p, size_t len)
{
	uint32_t c = 0xffffffffu;
	int k;

	while (len--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
	}
	return ~c;
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	do {
		p[n] = (uint8_t)(v & 0x7f) | (v > 0x7f ? 0x80 : 0);
		v >>= 7;
		n++;
	} while (v);
	return n;
}

static const uint8_t *get_varint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	int shift = 0;

	*v = 0;
	while (p < end && shift < 64) {
		*v |= (uint64_t)(*p & 0x7f) << shift;
		if (!(*p++ & 0x80))
			return p;
		shift += 7;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	uint64_t tag[MAX_SET], val[MAX_SET], t, n;
	const char *str[MAX_SET] = { NULL };
	uint8_t *in, *out, *o;
	const uint8_t *p, *end;
	size_t size, nset = 0, i, strings = 0;
	uint32_t len;
	FILE *f;

	if (argc < 4 || argc - 3 > MAX_SET) {
		fprintf(stderr, "usage: sethdr IN OUT TAG=VALUE...\n");
		return 2;
	}
	for (i = 3; i < (size_t)argc; i++, nset++) {
		char *eq = strchr(argv[i], '=');

		if (eq && !strncmp(eq, "=s:", 3) &&
		    sscanf(argv[i], "%" SCNu64 "=", &tag[nset]) == 1) {
			str[nset] = eq + 3;
			strings += strlen(str[nset]) + 10;
		} else if (sscanf(argv[i], "%" SCNu64 "=%" SCNu64, &tag[nset], &val[nset]) != 2) {
			return 2;
		}
	}
	f = fopen(argv[1], "rb");
	if (!f || fseek(f, 0, SEEK_END) || (long)(size = (size_t)ftell(f)) < 0)
		return 1;
	rewind(f);
	in = malloc(size);
	out = malloc(size + 16 * MAX_SET + strings);
	if (!in || !out || fread(in, 1, size, f) != size || size < 20)
		return 1;
	fclose(f);
	len = get_u32(in + 12);
	if (20 + (size_t)len > size)
		return 1;

	memcpy(out, in, 16);
	o = out + 16;
	for (p = in + 16, end = p + len; p < end; p += n) {
		const uint8_t *v;

		p = get_varint(p, end, &t);
		v = p ? get_varint(p, end, &n) : NULL;
		if (!v || n > (uint64_t)(end - v))
			return 1;
		p = v;
		for (i = 0; i < nset && tag[i] != t; i++)
			;
		if (i < nset)
			continue;	/* replaced below */
		o += put_varint(o, t);
		o += put_varint(o, n);
		memcpy(o, p, n);
		o += n;
	}
	for (i = 0; i < nset; i++) {
		uint8_t num[10];
		size_t k = put_varint(num, val[i]);

		if (str[i]) {
			k = strlen(str[i]);
			o += put_varint(o, tag[i]);
			o += put_varint(o, k);
			memcpy(o, str[i], k);
			o += k;
			continue;
		}
		o += put_varint(o, tag[i]);
		o += put_varint(o, k);
		memcpy(o, num, k);
		o += k;
	}
	put_u32(out + 12, (uint32_t)(o - out - 16));
	put_u32(o, get_u32(out + 8) == 1 ? (uint32_t)crc32(0, out, (uInt)(o - out)) :
		   crc32c(out, (size_t)(o - out)));
	o += 4;
	memcpy(o, in + 20 + len, size - 20 - len);
	o += size - 20 - len;

	f = fopen(argv[2], "wb");
	if (!f || fwrite(out, 1, (size_t)(o - out), f) != (size_t)(o - out) || fclose(f))
		return 1;
	free(in);
	free(out);
	return 0;
}
