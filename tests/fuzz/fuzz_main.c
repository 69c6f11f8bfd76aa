// SPDX-License-Identifier: MIT
/*
 * The corpus driver of every fuzz target when it is not built for libFuzzer:
 * replay each file of the directories (or files) given as arguments through
 * LLVMFuzzerTestOneInput(), so a corpus is a normal meson test.  An empty
 * corpus fails: the test must not pass vacuously.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the target's name, for messages; each target defines it */
extern const char fuzz_name[];

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0) {
		fprintf(stderr, "%s: cannot read %s\n", fuzz_name, path);
		if (f)
			fclose(f);
		return 1;
	}
	rewind(f);
	/* an exact-size copy, so ASan sees any read past the end */
	buf = malloc(len ? len : 1);
	if (!buf || fread(buf, 1, len, f) != (size_t)len) {
		fprintf(stderr, "%s: cannot read %s\n", fuzz_name, path);
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
			fprintf(stderr, "%s: %s: not found\n", fuzz_name, argv[i]);
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
	printf("%s: %d inputs replayed\n", fuzz_name, files);
	/* an empty corpus would make this test pass vacuously */
	return bad || !files ? 1 : 0;
}
