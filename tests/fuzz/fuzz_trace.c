// SPDX-License-Identifier: MIT
/*
 * Fuzz target for the trace reader: open a buffer, read its info, walk every
 * block twice (with a rewind) and touch every event.  Built two ways:
 *
 * - as a normal program (the default): main() replays every file of the
 *   corpus directories or files given as arguments; the meson test "fuzz_trace"
 *   runs it on tests/fuzz/corpus/trace/.
 * - with libFuzzer: compile with -DKST_LIBFUZZER -fsanitize=fuzzer,address
 *   (meson builds fuzz_trace_libfuzzer when the compiler is clang), then
 *   fuzz_trace_libfuzzer -max_total_time=300 NEWDIR tests/fuzz/corpus/trace
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kst.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

#ifndef KST_LIBFUZZER
static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0) {
		fprintf(stderr, "fuzz_trace: cannot read %s\n", path);
		if (f)
			fclose(f);
		return 1;
	}
	rewind(f);
	/* an exact-size copy, so ASan sees any read past the end */
	buf = malloc(len ? len : 1);
	if (!buf || fread(buf, 1, len, f) != (size_t)len) {
		fprintf(stderr, "fuzz_trace: cannot read %s\n", path);
		free(buf);
		fclose(f);
		return 1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int i, files = 0, bad = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;
		struct dirent *de;
		DIR *d;

		if (stat(argv[i], &st)) {
			fprintf(stderr, "fuzz_trace: %s: not found\n", argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad |= run_file(argv[i]);
			files++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d)
			return 1;
		while ((de = readdir(d))) {
			char path[4096];

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			bad |= run_file(path);
			files++;
		}
		closedir(d);
	}
	printf("fuzz_trace: %d inputs replayed\n", files);
	/* an empty corpus would make this test pass vacuously */
	return bad || !files ? 1 : 0;
}
#endif
