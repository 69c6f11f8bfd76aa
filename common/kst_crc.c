// SPDX-License-Identifier: MIT
/*
 * CRC-32C (Castagnoli), the checksum of version-2 trace files
 * (data/FORMAT.md "Encodings").  It is the CRC that x86-64 (SSE 4.2) and
 * ARMv8 compute in hardware, eight bytes per instruction: zlib's CRC-32
 * costs about five instructions per byte, which was a tenth of the decode
 * time of a version-1 trace.  Elsewhere, or on a CPU without the
 * instruction, a table-driven version (slicing by 8) gives the same values.
 */
#include <pthread.h>
#include <string.h>

#include "kst_fmt.h"

#define CRC32C_POLY 0x82f63b78u	/* reflected 0x1edc6f41 */

static uint32_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void table_init(void)
{
	uint32_t i, k, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ CRC32C_POLY : c >> 1;
		table[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (k = 1; k < 8; k++)
			table[k][i] = (table[k - 1][i] >> 8) ^ table[0][table[k - 1][i] & 0xff];
}

/* Slicing by 8 on the inverted register */
static uint32_t crc_soft(uint32_t c, const uint8_t *p, size_t len)
{
	pthread_once(&table_once, table_init);
	while (len && ((uintptr_t)p & 7)) {
		c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
		len--;
	}
	while (len >= 8) {
		uint32_t lo = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
				   (uint32_t)p[3] << 24);

		c = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^
		    table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^
		    table[3][p[4]] ^ table[2][p[5]] ^ table[1][p[6]] ^ table[0][p[7]];
		p += 8;
		len -= 8;
	}
	while (len--)
		c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
	return c;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>

__attribute__((target("sse4.2")))
static uint32_t crc_hw(uint32_t c, const uint8_t *p, size_t len)
{
	uint64_t c64;

	while (len && ((uintptr_t)p & 7)) {
		c = _mm_crc32_u8(c, *p++);
		len--;
	}
	c64 = c;
	while (len >= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		c64 = _mm_crc32_u64(c64, v);
		p += 8;
		len -= 8;
	}
	c = (uint32_t)c64;
	while (len--)
		c = _mm_crc32_u8(c, *p++);
	return c;
}

static int have_hw(void)
{
	static int known;	/* 0 unknown, 1 no, 2 yes: the same answer in every thread */

	if (!__atomic_load_n(&known, __ATOMIC_RELAXED))
		__atomic_store_n(&known, __builtin_cpu_supports("sse4.2") ? 2 : 1,
				 __ATOMIC_RELAXED);
	return __atomic_load_n(&known, __ATOMIC_RELAXED) == 2;
}
#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>

static uint32_t crc_hw(uint32_t c, const uint8_t *p, size_t len)
{
	while (len && ((uintptr_t)p & 7)) {
		c = __crc32cb(c, *p++);
		len--;
	}
	while (len >= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		c = __crc32cd(c, v);
		p += 8;
		len -= 8;
	}
	while (len--)
		c = __crc32cb(c, *p++);
	return c;
}

static int have_hw(void)
{
	return 1;
}
#else
static uint32_t crc_hw(uint32_t c, const uint8_t *p, size_t len)
{
	return crc_soft(c, p, len);
}

static int have_hw(void)
{
	return 0;
}
#endif

/**
 * kst_crc32c() - CRC-32C of @len bytes at @buf, continuing @crc
 * @crc: 0 to start, or the result over the bytes before @buf
 *
 * kst_crc32c(0, "123456789", 9) is 0xe3069283.
 */
uint32_t kst_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	crc = have_hw() ? crc_hw(crc, p, len) : crc_soft(crc, p, len);
	return ~crc;
}

/** kst_crc32c_soft() - the same without the CPU's instruction, for tests */
uint32_t kst_crc32c_soft(uint32_t crc, const void *buf, size_t len)
{
	return ~crc_soft(~crc, buf, len);
}
