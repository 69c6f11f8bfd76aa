// SPDX-License-Identifier: MIT
/*
 * Fuzz target for the configuration parsers: the input's first line is a
 * spec ("policy:key=value,..."), every further line a --sweep.  The spec is
 * canonicalised, expanded with the sweeps, and each resulting configuration
 * replays a small fixed trace.  Nothing may crash, leak or read out of
 * bounds, whatever the text; bad text must come back as an error.
 *
 * Built like fuzz_trace: a corpus driver by default (the meson test
 * "fuzz_spec" replays tests/fuzz/corpus/spec/), libFuzzer with clang.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern const char fuzz_name[];
const char fuzz_name[] = "fuzz_spec";

#define MAX_LINES 8
#define MAX_RUNS 64

/* Two CPUs: births, a growth to three pages, a kernel fault, an exit. */
static const struct ks_event trace[] = {
	{ .time = 0, .cpu = 0, .tid = 10, .type = KS_EV_SNAPSHOT, .hwm = 2000 },
	{ .time = 10, .cpu = 0, .tid = 11, .tid2 = 10, .type = KS_EV_NEW },
	{ .time = 20, .cpu = 0, .tid = 10, .tid2 = 11, .type = KS_EV_SWITCH, .hwm = 9000,
	  .depth = 800, .state = KS_STATE_SLEEPING },
	{ .time = 25, .cpu = 1, .tid = 11, .type = KS_EV_KENTRY, .arg = KS_ENTRY_SYSCALL },
	{ .time = 30, .cpu = 1, .tid = 11, .type = KS_EV_KFAULT, .flags = KS_F_USER_ADDR,
	  .depth = 1200 },
	{ .time = 35, .cpu = 1, .tid = 11, .type = KS_EV_KEXIT, .arg = KS_ENTRY_SYSCALL },
	{ .time = 40, .cpu = 0, .tid = 11, .type = KS_EV_EXIT, .hwm = 5000 },
	{ .time = 50, .cpu = 0, .tid = 11, .tid2 = 10, .type = KS_EV_SWITCH, .hwm = 5000,
	  .state = KS_STATE_DEAD },
	{ .time = 60, .cpu = 0, .tid = 11, .type = KS_EV_FREE },
};

static void replay_spec(const char *spec)
{
	static const struct ks_machine m = {
		.start_ns = 0, .page_size = 4096, .thread_size = 16384, .ncpus = 2,
		.depth_known = true,
	};
	struct ks_error err = { 0 };
	struct ks_grid *e = NULL;
	struct ks_result *res;

	if (ks_grid_create(&e, &spec, 1, &m, &err))
		return;
	res = calloc(1, sizeof(*res));
	if (res) {
		ks_grid_feed(e, trace, sizeof(trace) / sizeof(trace[0]));
		ks_grid_finish(e, 100, res);
	}
	free(res);
	ks_grid_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *lines[MAX_LINES], *p, canon[1024];
	struct ks_error err = { 0 };
	struct ks_speclist l;
	size_t n = 0, i;

	if (size > 4096)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	for (p = text; p && n < MAX_LINES; n++) {
		lines[n] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = 0;
	}
	if (ks_spec_canonical(lines[0], canon, sizeof(canon), &err) == 0)
		replay_spec(lines[0]);
	if (ks_speclist_expand(&l, (const char *const *)lines, 1, (const char *const *)lines + 1,
			       n - 1, &err) == 0) {
		for (i = 0; i < l.n && i < MAX_RUNS; i++)
			replay_spec(l.specs[i]);
		ks_speclist_release(&l);
	}
	free(text);
	return 0;
}
