/* SPDX-License-Identifier: MIT */
/*
 * The generator's only source of randomness: xoshiro256** seeded through
 * splitmix64 (Blackman and Vigna's published algorithms), so a trace is a
 * pure function of its parameters.
 */
#ifndef KS_SYNTH_RNG_H
#define KS_SYNTH_RNG_H

#include <stdint.h>

struct ks_rng {
	uint64_t s[4];
};

static inline uint64_t ks_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void ks_rng_seed(struct ks_rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = ks_splitmix64(&seed);
}

static inline uint64_t ks_rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t ks_rng_next(struct ks_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = ks_rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = ks_rng_rotl(s[3], 45);
	return result;
}

/* uniform in [0, n), n > 0 (multiply-shift; bias below 2^-32) */
static inline uint32_t ks_rng_below(struct ks_rng *r, uint32_t n)
{
	return (uint32_t)(((ks_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* uniform in [0, 1) with 53 bits */
static inline double ks_rng_unit(struct ks_rng *r)
{
	return (double)(ks_rng_next(r) >> 11) * 0x1.0p-53;
}

/*
 * ln(x) for x in (0, 1], to about 1e-6: exponent plus an odd series in
 * t = (m - 1) / (m + 1) for the mantissa m in [1, 2).  Several times
 * faster than libm, and as deterministic: only + * / on doubles.
 */
static inline double ks_fast_ln(double x)
{
	union { double d; uint64_t u; } v = { .d = x };
	int e = (int)((v.u >> 52) & 0x7ff) - 1023;
	double m, t, t2;

	v.u = (v.u & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
	m = v.d;
	t = (m - 1) / (m + 1);
	t2 = t * t;
	return e * 0.6931471805599453 +
	       2 * t * (1 + t2 * (1.0 / 3 + t2 * (1.0 / 5 + t2 * (1.0 / 7 + t2 * (1.0 / 9)))));
}

/* exponential with the given mean */
static inline double ks_rng_exp(struct ks_rng *r, double mean)
{
	return -ks_fast_ln(1 - ks_rng_unit(r)) * mean;
}

#endif
