// SPDX-License-Identifier: MIT
/*
 * The grid demo and analyze replay on a recorded trace, defined once so
 * that both answer the same question the same way: every policy at its
 * defaults, and the pool sweep with failure injection that the minimum
 * safe pool table reads.
 */
#include <stdbool.h>
#include <string.h>

#include "cli_grid.h"
#include "cmds.h"
#include "engine.h"

#define GRID_MAX_POLICIES 32

static const char *const grid_sweeps[] = { "pool=0..8", "fail_rate=0,1e-4,1e-2" };
static const char *const grid_swept[] = { "rfc", "rfc+global", "watermark" };
static const char *const grid_once[] = { "entry" };

static bool in(const char *name, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return true;
	return false;
}

/* The policies of @from that are among @allowed, into @out; returns how many. */
static size_t pick(const char **out, const char *const *from, size_t nfrom,
		   const char *const *allowed, size_t nallowed)
{
	size_t i, n = 0;

	for (i = 0; i < nfrom; i++)
		if (in(from[i], allowed, nallowed))
			out[n++] = from[i];
	return n;
}

int cli_grid_build(struct cli_grid *g, const char *const *policies, size_t npol,
		   uint32_t seeds, struct ks_error *err)
{
	const char *all[GRID_MAX_POLICIES], *swept[3], *once[1];
	const struct ks_param *pd;
	const char *desc;
	size_t i, nsw, non;
	int ret;

	memset(g, 0, sizeof(*g));
	if (!policies) {
		for (i = 0, npol = 0; i < ks_policy_count() && npol < GRID_MAX_POLICIES; i++)
			ks_policy_describe(i, &all[npol++], &desc, &pd);
		policies = all;
	}
	nsw = pick(swept, grid_swept, 3, policies, npol);
	non = pick(once, grid_once, 1, policies, npol);
	ret = ks_speclist_expand(&g->base, policies, npol, NULL, 0, err);
	if (!ret && nsw)
		ret = ks_speclist_expand(&g->sweep, swept, nsw, grid_sweeps, 2, err);
	if (!ret && nsw)
		ret = ks_speclist_replicate(&g->sweep, seeds, err);
	if (!ret && non)
		ret = ks_speclist_expand(&g->once, once, non, grid_sweeps, 2, err);
	return ret;
}

int cli_grid_designs(const char *verb, const char *path, const struct cli_grid *g,
		     struct ks_store *store, const struct ks_replay_opts *o, bool quiet,
		     struct ks_error *err)
{
	struct ks_replay_input *in = NULL;
	struct ks_speclist specs = { 0 };
	struct ks_replay_summary sum;
	int rc;

	rc = ks_replay_input_open(&in, path, &g->base, err);
	if (!rc)
		rc = cli_designs_specs(verb, path, in, &g->base, 1, quiet, &specs, err);
	if (!rc)
		rc = ks_replay_input_run(in, &specs, store, o, &sum, NULL, err);
	ks_speclist_release(&specs);
	ks_replay_input_free(in);
	return rc;
}

void cli_grid_release(struct cli_grid *g)
{
	ks_speclist_release(&g->base);
	ks_speclist_release(&g->sweep);
	ks_speclist_release(&g->once);
}
