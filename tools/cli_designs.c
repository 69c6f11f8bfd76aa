// SPDX-License-Identifier: MIT
/*
 * The designs' runs added to a trace's configurations (replay --designs,
 * demo): every run the designs table reads (report/designs.c), but those
 * the trace's machine refuses, which are named rather than failing the
 * command: a trace without stack depths cannot be replayed under sp-reclaim,
 * abit or gc, a machine of 16 KiB pages has no 12 KiB stack, and the other
 * designs are still worth replaying there.  The table then says which runs
 * it lacks.
 */
#include <errno.h>
#include <stdlib.h>

#include "cmds.h"
#include "replay.h"
#include "report.h"

/* More than the designs' runs: ks_design_specs() says how many there are. */
#define CLI_MAX_DESIGN_SPECS 64

int cli_designs_specs(const char *verb, const char *path, const struct ks_replay_input *in,
		      const struct ks_speclist *base, uint32_t replicates, bool quiet,
		      struct ks_speclist *out, struct ks_error *err)
{
	const char *designs[CLI_MAX_DESIGN_SPECS], **list;
	size_t nd, i, n = 0;
	struct ks_error why = { 0 };
	char msg[512];
	int rc;

	nd = ks_design_specs(designs, CLI_MAX_DESIGN_SPECS);
	if (nd > CLI_MAX_DESIGN_SPECS)
		return ks_error_set(err, KS_E_INTERNAL, "more design runs than %d",
				    CLI_MAX_DESIGN_SPECS);
	list = calloc(base->n + nd, sizeof(*list));
	if (!list)
		return ks_error_set(err, ENOMEM, "out of memory");
	for (i = 0; i < base->n; i++)
		list[n++] = base->specs[i];
	for (i = 0; i < nd; i++) {
		if (!ks_spec_check(designs[i], ks_replay_input_machine(in), &why)) {
			list[n++] = designs[i];
			continue;
		}
		if (!quiet)
			cli_error(verb, "%s: not replaying %s: %s", path, designs[i],
				  ks_error_format(&why, msg, sizeof(msg)));
	}
	/* one canonical list: a design the base has already is replayed once */
	rc = ks_speclist_expand(out, list, n, NULL, 0, err);
	if (!rc)
		rc = ks_speclist_replicate(out, replicates, err);
	free(list);
	return rc;
}
