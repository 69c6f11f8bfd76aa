/* SPDX-License-Identifier: MIT */
/* Helpers shared by the trace format tests. */
#ifndef TEST_FORMAT_H
#define TEST_FORMAT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "kst.h"

extern int test_failures;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			test_failures++;				\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		unsigned long long a_ = (a), b_ = (b);			\
		if (a_ != b_) {						\
			fprintf(stderr, "%s:%d: %s = %llu, expected %llu\n", \
				__FILE__, __LINE__, #a, a_, b_);	\
			test_failures++;				\
		}							\
	} while (0)

static inline uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif
