/* SPDX-License-Identifier: MIT */
/*
 * The replay grid demo and analyze run on a recorded trace (tools/cli_grid.c).
 */
#ifndef KS_CLI_GRID_H
#define KS_CLI_GRID_H

#include <stddef.h>
#include <stdint.h>

#include "replay.h"

struct cli_grid {
	struct ks_speclist base;	/* every policy at its defaults */
	struct ks_speclist sweep;	/* the dynamic policies over pools and failure rates */
	struct ks_speclist once;	/* entry over the same grid, one seed */
};

/**
 * cli_grid_build() - the grid: @policies (NULL: every policy of the
 * registry) at their defaults; rfc, rfc+global and watermark among them
 * over pools 0..8 and failure rates 0, 1e-4 and 1e-2, each failing rate
 * under @seeds seeds (kstack replay --replicates); entry over the same grid
 * once, since without kernel entry events it never allocates and its seeds
 * would all give the same run
 * Return: 0 or a negative code with @err set; release @g in any case.
 */
int cli_grid_build(struct cli_grid *g, const char *const *policies, size_t npol,
		   uint32_t seeds, struct ks_error *err);

/**
 * cli_grid_designs() - replay trace @path under every policy of @g's base
 * and every design of kstack report --designs its machine takes, in one pass
 * @verb: the command, for the note naming the designs left out (unless @quiet)
 * Return: 0 or a negative code with @err set.
 */
int cli_grid_designs(const char *verb, const char *path, const struct cli_grid *g,
		     struct ks_store *store, const struct ks_replay_opts *o, bool quiet,
		     struct ks_error *err);

/** cli_grid_release() - free what @g holds */
void cli_grid_release(struct cli_grid *g);

#endif
