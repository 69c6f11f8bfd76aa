// SPDX-License-Identifier: MIT
/*
 * Bootstrap over hosts (fleet_stats.h).  A fleet's traces are a sample of
 * its machines; how far a mean over them could be from the fleet's is read
 * from the spread of the same mean over resamples of those hosts (Efron's
 * bootstrap), with the percentile interval: no assumption that savings are
 * normally distributed, which they are not (a few large machines dominate).
 *
 * Everything is a ratio of sums over the hosts drawn, so one resample gives
 * every figure of a group at once: the mean saving per host (its
 * denominators are ones), the saving per live task, the shares of tasks.
 * The generator is SplitMix64, whose output depends on nothing but its
 * state, and sums are taken in the order drawn: the same hosts, seed and
 * number of resamples give the same intervals bit for bit on any machine
 * with IEEE doubles.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "fleet_stats.h"
#include "ks_stop.h"

uint64_t ks_boot_next(struct ks_boot_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t ks_boot_below(struct ks_boot_rng *r, uint64_t n)
{
	/* 2^64 mod n: the outputs below it would favour the small residues */
	uint64_t floor = -n % n, x;

	do
		x = ks_boot_next(r);
	while (x < floor);
	return x % n;
}

uint64_t ks_boot_stream(uint64_t seed, const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ULL;
	return seed ^ h;
}

double ks_boot_quantile(const double *sorted, size_t n, double p)
{
	double h, f;
	size_t i;

	if (!n)
		return NAN;
	h = (double)(n - 1) * p;
	i = (size_t)h;
	if (i + 1 >= n)
		return sorted[n - 1];
	f = h - (double)i;
	return sorted[i] + f * (sorted[i + 1] - sorted[i]);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int ks_boot_ratios(struct ks_boot_ratio *r, size_t k, size_t n, uint64_t stream,
		   uint32_t resamples, double level, struct ks_error *err)
{
	struct ks_boot_rng rng = { .state = stream };
	double *val = NULL, *num = NULL, *den = NULL;
	size_t *got = NULL, i, j, b;
	int ret = 0;

	for (j = 0; j < k; j++) {
		double sn = 0, sd = 0;

		r[j].hosts = 0;
		for (i = 0; i < n; i++) {
			sn += r[j].num[i];
			sd += r[j].den[i];
			r[j].hosts += r[j].den[i] > 0;
		}
		r[j].value = sd > 0 ? sn / sd : NAN;
		r[j].lo = r[j].hi = NAN;
	}
	if (!n || !k || !resamples)
		return 0;
	val = malloc((size_t)resamples * k * sizeof(*val));
	num = calloc(k, sizeof(*num));
	den = calloc(k, sizeof(*den));
	got = calloc(k, sizeof(*got));
	if (!val || !num || !den || !got) {
		ret = ks_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (b = 0; b < resamples; b++) {
		ret = ks_stop_check(err, "bootstrap");
		if (ret)
			goto out;
		for (j = 0; j < k; j++)
			num[j] = den[j] = 0;
		for (i = 0; i < n; i++) {
			size_t h = (size_t)ks_boot_below(&rng, n);

			for (j = 0; j < k; j++) {
				num[j] += r[j].num[h];
				den[j] += r[j].den[h];
			}
		}
		/* ratio j's values are kept together: val[j * resamples ...] */
		for (j = 0; j < k; j++)
			if (den[j] > 0)
				val[j * resamples + got[j]++] = num[j] / den[j];
	}
	for (j = 0; j < k; j++) {
		double *v = val + j * resamples;

		if (r[j].hosts < 2 || !got[j])
			continue;
		qsort(v, got[j], sizeof(*v), cmp_double);
		r[j].lo = ks_boot_quantile(v, got[j], (1 - level) / 2);
		r[j].hi = ks_boot_quantile(v, got[j], (1 + level) / 2);
	}
out:
	free(val);
	free(num);
	free(den);
	free(got);
	return ret;
}
