// SPDX-License-Identifier: MIT
/*
 * Fuzz target for the trace reader: open a buffer, read its info, walk every
 * block twice (with a rewind) and touch every event.  Built two ways:
 *
 * - as a normal program (the default): fuzz_main.c replays every file of
 *   the corpus directories or files given as arguments; the meson test "fuzz_trace"
 *   runs it on tests/fuzz/corpus/trace/.
 * - with libFuzzer: compile with -DKST_LIBFUZZER -fsanitize=fuzzer,address
 *   (meson builds fuzz_trace_libfuzzer when the compiler is clang), then
 *   fuzz_trace_libfuzzer -max_total_time=300 NEWDIR tests/fuzz/corpus/trace
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kst.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern const char fuzz_name[];

const char fuzz_name[] = "fuzz_trace";

static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct kst_info *info;
	const struct ks_event *evs;
	struct ks_error err = { 0 };
	struct kst_reader *r;
	uint64_t acc = 0;
	size_t n, i;
	int pass, ret;

	if (kst_reader_open_mem(&r, data, size, &err))
		return 0;
	info = kst_reader_info(r);
	acc += info->id + info->ncpus + info->nr_events + strlen(info->host) +
	       strlen(info->options);
	for (pass = 0; pass < 2; pass++) {
		while ((ret = kst_reader_next_block(r, &evs, &n, &err)) > 0) {
			for (i = 0; i < n; i++)
				acc += evs[i].time ^ evs[i].tid ^ evs[i].tid2 ^ evs[i].hwm ^
				       evs[i].depth ^ evs[i].arg ^ evs[i].type ^
				       (uint8_t)evs[i].comm[KS_COMM_LEN - 1];
		}
		/* an error sticks */
		if (ret < 0 && kst_reader_next_block(r, &evs, &n, &err) != ret)
			__builtin_trap();
		acc += kst_info_lost_total(info) + info->truncated;
		if (kst_reader_rewind(r, &err))
			break;
	}
	sink = acc;
	kst_reader_free(r);
	return 0;
}
