/* SPDX-License-Identifier: MIT */
/*
 * The fleet report's statistics (report/ only): ratios over hosts and their
 * percentile intervals by bootstrap over hosts, drawn from a seeded
 * SplitMix64 stream, so an interval is a pure function of the hosts' figures,
 * their order, the seed and the number of resamples.
 */
#ifndef KS_FLEET_STATS_H
#define KS_FLEET_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "ks_err.h"

/* A SplitMix64 generator (the one replay derives replicate seeds with). */
struct ks_boot_rng {
	uint64_t state;
};

/** ks_boot_next() - the next 64-bit output of @r */
uint64_t ks_boot_next(struct ks_boot_rng *r);

/**
 * ks_boot_below() - uniform in [0, @n), @n > 0, without bias: outputs below
 * 2^64 mod @n are drawn again, the rest taken modulo @n
 */
uint64_t ks_boot_below(struct ks_boot_rng *r, uint64_t n);

/**
 * ks_boot_stream() - the state a stream of resamples named @name starts
 * from: @seed XOR the 64-bit FNV-1a hash of @name, so that each group of
 * hosts draws its own resamples and adding hosts to one group moves no
 * other group's interval
 */
uint64_t ks_boot_stream(uint64_t seed, const char *name);

/**
 * ks_boot_quantile() - the @p quantile (0..1) of @n sorted values, linear
 * between the two nearest ranks: h = (@n - 1) @p, x[floor h] + (h - floor
 * h) (x[floor h + 1] - x[floor h]) (Hyndman and Fan's definition 7)
 */
double ks_boot_quantile(const double *sorted, size_t n, double p);

/*
 * One ratio over hosts, sum(num) / sum(den): a mean per host (den 1 for
 * every host that has the figure), a saving per live task, a share of tasks.
 * A host with den 0 does not have the figure.
 */
struct ks_boot_ratio {
	const double *num;	/* per host */
	const double *den;	/* per host, >= 0 */
	double value;		/* over every host; NAN when no host has the figure */
	double lo, hi;		/* the percentile interval; NAN with fewer than 2 hosts */
	size_t hosts;		/* hosts that have the figure (den > 0) */
};

/**
 * ks_boot_ratios() - each ratio of @r over @n hosts, and its percentile
 * interval at @level (0.95: the 2.5% and 97.5% quantiles)
 * @stream: the generator's start (ks_boot_stream())
 * @resamples: resamples of the hosts, >= 1
 *
 * Each resample draws @n hosts with replacement, one ks_boot_below(@n) after
 * another, and computes every ratio over the hosts drawn (a host drawn
 * twice counts twice), summing in the order drawn; every ratio shares the
 * resamples.  A resample that drew no host with a figure gives that ratio no
 * value.  The interval is ks_boot_quantile() of the values, at (1 - @level)
 * / 2 and (1 + @level) / 2, when two hosts at least have the figure.
 * Identical hosts give identical resamples: an interval of width zero.
 *
 * Return: 0, -ENOMEM, or -EINTR when asked to stop (ks_stop.h), @err set.
 */
int ks_boot_ratios(struct ks_boot_ratio *r, size_t k, size_t n, uint64_t stream,
		   uint32_t resamples, double level, struct ks_error *err);

#endif
