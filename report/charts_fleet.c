// SPDX-License-Identifier: MIT
/*
 * The fleet chart, drawn alone with the fleet report (kstack report
 * --fleet --charts DIR): the saving of every host as a point, a column per group
 * (a strip plot: the points of a group spread sideways so that they do not
 * hide each other), and beside each column the group's mean saving per
 * host with its bootstrap interval.  Files: fleet.dat (the title),
 * fleet-groups.dat (a row per group: its position, hosts, mean and bounds)
 * and fleet-hosts.dat (a row per host: its position and saving); group
 * names are read from the data, sanitised.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "charts.h"
#include "fleet.h"

/* How far the points of a group spread each side of its column, and where its interval is. */
#define STRIP_HALF 0.25
#define INTERVAL_AT 0.38

/*
 * The sideways place of the @i-th host of a group in [-STRIP_HALF,
 * STRIP_HALF]: the fractional parts of multiples of the golden ratio, which
 * spread any number of points evenly and depend on nothing but @i.
 */
static double strip_offset(size_t i)
{
	double f = fmod((double)(i + 1) * 0.6180339887498949, 1.0);

	return (2 * f - 1) * STRIP_HALF;
}

static int write_groups(struct chart_ctx *x, const struct ks_fleet *fl)
{
	char path[KS_CHART_PATH], name[KS_CHART_TITLE], raw[KS_CHART_TITLE];
	const struct ks_boot_ratio *r;
	size_t i;
	FILE *f;

	f = chart_open(x, path, "fleet-groups.dat");
	if (!f)
		return -x->err->code;
	fprintf(f, "group\tx\thosts\tmean_kb\tlo_kb\thi_kb\n");
	for (i = 0; i < fl->ngroups; i++) {
		r = &fl->groups[i].r[KS_FLEET_PER_HOST];
		if (fl->groups[i].all)
			snprintf(raw, sizeof(raw), "all hosts (%zu)", fl->groups[i].n);
		else
			snprintf(raw, sizeof(raw), "%s (%zu)", fl->groups[i].name,
				 fl->groups[i].n);
		chart_sanitize(name, sizeof(name), raw);
		/* gnuplot takes a missing value for NaN: a group without an interval has none */
		fprintf(f, "%s\t%zu\t%zu\t%.3f\t%.3f\t%.3f\n", name, i + 1, fl->groups[i].n,
			r->value, isnan(r->lo) ? r->value : r->lo,
			isnan(r->hi) ? r->value : r->hi);
	}
	return chart_close(x, f, path);
}

static int write_hosts(struct chart_ctx *x, const struct ks_fleet *fl)
{
	char path[KS_CHART_PATH];
	size_t i, j;
	FILE *f;

	f = chart_open(x, path, "fleet-hosts.dat");
	if (!f)
		return -x->err->code;
	fprintf(f, "x\tsaved_kb\tcrashed\n");
	for (i = 0; i < fl->ngroups; i++) {
		const struct ks_fleet_row *g = &fl->groups[i];

		for (j = 0; j < g->n; j++) {
			const struct ks_fleet_host *h = &fl->hosts[g->hosts[j]];

			if (!h->has_saving)
				continue;
			fprintf(f, "%.4f\t%.3f\t%d\n", (double)(i + 1) + strip_offset(j),
				h->regular_kb - h->dynamic_kb, h->crashes > 0);
		}
	}
	return chart_close(x, f, path);
}

/* The hosts' savings per group, with each group's mean and interval. */
int chart_fleet(struct chart_ctx *x)
{
	char path[KS_CHART_PATH], raw[2 * KS_CHART_TITLE], title[KS_CHART_TITLE], body[2048];
	struct ks_fleet fl;
	size_t i, saved = 0;
	bool crashed = false;
	FILE *f;
	int ret;

	ret = ks_fleet_compute(x->s, x->o, &fl, x->err);
	if (ret)
		goto out;
	for (i = 0; i < fl.nhosts; i++)
		saved += fl.hosts[i].has_saving;
	if (!saved)
		goto out;
	f = chart_open(x, path, "fleet.dat");
	if (!f) {
		ret = -x->err->code;
		goto out;
	}
	snprintf(raw, sizeof(raw), "Kernel stack memory saved per host by %s against static "
		 "(time-weighted mean)", fl.policy);
	chart_sanitize(title, sizeof(title), raw);
	fprintf(f, "title\n%s\n", title);
	fprintf(f, "a point per host; beside each group its mean and %.0f%% interval "
		"(bootstrap over hosts, %u resamples, seed %" PRIu64 ")\n",
		100 * KS_FLEET_LEVEL, fl.opts.resamples, fl.opts.seed);
	ret = chart_close(x, f, path);
	if (!ret)
		ret = write_groups(x, &fl);
	if (!ret)
		ret = write_hosts(x, &fl);
	if (ret)
		goto out;
	for (i = 0; i < fl.nhosts; i++)
		crashed |= fl.hosts[i].has_saving && fl.hosts[i].crashes > 0;
	snprintf(body, sizeof(body),
		 "T = ''\n"
		 "S = ''\n"
		 "stats 'fleet.dat' every ::1::1 using (T = strcol(1), 0) nooutput\n"
		 "stats 'fleet.dat' every ::2::2 using (S = strcol(1), 0) nooutput\n"
		 "set title T . \"\\n\" . S\n"
		 "set xrange [0.4:%zu.6]\n"
		 "set yrange [*<0:*]\n"
		 "set grid ytics\n"
		 "set xtics scale 0\n"
		 "set ylabel 'saved per host (KiB)'\n"
		 "set key below noenhanced\n"
		 "plot 'fleet-hosts.dat' using 1:($3 > 0 ? NaN : $2) with points lt 1 pt 7 "
		 "ps 0.6 title 'a host', \\\n"
		 "%s"
		 "\t'fleet-groups.dat' using ($2 + %.2f):4:5:6 with yerrorbars "
		 "lt 3 lw 2 pt 5 ps 1 title 'mean per host and its interval', \\\n"
		 "\t'' using 2:(NaN):xticlabels(1) notitle\n",
		 fl.ngroups,
		 crashed ? "\t'' using 1:($3 > 0 ? $2 : NaN) with points lt 2 pt 6 ps 1.2 "
			   "title 'a host whose run had a would-be crash', \\\n" : "",
		 INTERVAL_AT);
	ret = chart_script(x, "fleet", 1100, 600, body);
out:
	ks_fleet_release(&fl);
	return ret;
}
