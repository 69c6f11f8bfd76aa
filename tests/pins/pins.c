// SPDX-License-Identifier: MIT
/*
 * The results of the shipped traces, pinned.
 *
 *   pins TRACES_DIR PINS_FILE
 *
 * Replays every .kst trace of TRACES_DIR (data/traces) under every policy
 * of the registry at its defaults, through the real replay path
 * (ks_replay_trace()), and compares each run's digest (ks_result_digest():
 * every counter, the means, the crashes and the memory-over-time series)
 * and a few headline counters with PINS_FILE.  A trace or policy without a
 * pin, or a pin nothing replayed, fails too, so a new trace or policy gets
 * pinned on purpose.
 *
 * The pins are not worked out by hand: they record what the engine gives,
 * so that a change which moves a shipped result cannot pass unnoticed.  Hand
 * derivations live in the golden tests; the kernel's own counters check
 * these traces in tests/validate.  With KS_PINS_REGEN=1 the pins are printed
 * to stdout in PINS_FILE's format (its leading comment kept), for a
 * deliberate update whose commit says why the results moved.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

#define MAX_PINS 256
#define MAX_TRACES 64

/* The headline counters of a pin line, in order. */
#define PIN_COUNTERS(X)		\
	X(stack_pages_end)	\
	X(stack_pages_peak)	\
	X(total_pages_peak)	\
	X(kernel_stack_kb_end)	\
	X(faults)		\
	X(pool_hits)		\
	X(maps)			\
	X(crashes)

struct pin {
	char trace[64];
	char policy[32];
	uint64_t digest;
#define PIN_FIELD(k) uint64_t k;
	PIN_COUNTERS(PIN_FIELD)
#undef PIN_FIELD
	int used;
};

static struct pin pins[MAX_PINS];
static size_t npins;
static int failures;

static void fail(const char *trace, const char *policy, const char *what, uint64_t got,
		 uint64_t want)
{
	fprintf(stderr, "FAIL %s %s: %s %" PRIu64 ", pinned %" PRIu64 "\n", trace, policy, what,
		got, want);
	failures++;
}

/* One "TRACE POLICY DIGEST key=value..." line; 0, or -1 if malformed. */
static int pin_parse(const char *line, struct pin *p)
{
	char digest[17], rest[512];
	const char *s;
	int n;

	memset(p, 0, sizeof(*p));
	if (sscanf(line, "%63s %31s %16s %511[^\n]", p->trace, p->policy, digest, rest) != 4 ||
	    strlen(digest) != 16 || strspn(digest, "0123456789abcdef") != 16)
		return -1;
	p->digest = strtoull(digest, NULL, 16);
	s = rest;
#define PIN_PARSE(k)							\
	if (sscanf(s, " " #k "=%" SCNu64 "%n", &p->k, &n) != 1)		\
		return -1;						\
	s += n;
	PIN_COUNTERS(PIN_PARSE)
#undef PIN_PARSE
	return s[strspn(s, " ")] ? -1 : 0;
}

/* Read PINS_FILE; with @regen, copy its leading comment to stdout. */
static int pins_load(const char *path, int regen)
{
	char line[1024];
	int in_header = 1, lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n') {
			if (regen && in_header)
				fputs(line, stdout);
			continue;
		}
		in_header = 0;
		if (npins == MAX_PINS || pin_parse(line, &pins[npins])) {
			fprintf(stderr, "%s:%d: bad pin line\n", path, lineno);
			fclose(f);
			return -1;
		}
		npins++;
	}
	fclose(f);
	return 0;
}

static struct pin *pin_find(const char *trace, const char *policy)
{
	size_t i;

	for (i = 0; i < npins; i++)
		if (!strcmp(pins[i].trace, trace) && !strcmp(pins[i].policy, policy))
			return &pins[i];
	return NULL;
}

static void check_result(const char *trace, const struct ks_result *r, int regen)
{
	uint64_t digest = ks_result_digest(r, 0);
	struct pin *p = pin_find(trace, r->policy);

	if (regen) {
		printf("%s %s %016" PRIx64, trace, r->policy, digest);
#define PIN_PRINT(k) printf(" " #k "=%" PRIu64, r->c.k);
		PIN_COUNTERS(PIN_PRINT)
#undef PIN_PRINT
		printf("\n");
	}
	if (!p) {
		fprintf(stderr, "FAIL %s %s: not pinned\n", trace, r->policy);
		failures++;
		return;
	}
	p->used = 1;
#define PIN_CHECK(k)							\
	if (r->c.k != p->k)						\
		fail(trace, r->policy, #k, r->c.k, p->k);
	PIN_COUNTERS(PIN_CHECK)
#undef PIN_CHECK
	if (digest != p->digest) {
		fprintf(stderr, "FAIL %s %s: digest %016" PRIx64 ", pinned %016" PRIx64 "\n", trace,
			r->policy, digest, p->digest);
		failures++;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .kst files of @dir, sorted. */
static size_t traces_list(const char *dir, char **names)
{
	struct dirent *d;
	size_t n = 0, len;
	DIR *dp = opendir(dir);

	if (!dp) {
		perror(dir);
		exit(1);
	}
	while ((d = readdir(dp)) && n < MAX_TRACES) {
		len = strlen(d->d_name);
		if (len > 4 && !strcmp(d->d_name + len - 4, ".kst"))
			names[n++] = strdup(d->d_name);
	}
	closedir(dp);
	qsort(names, n, sizeof(*names), cmp_str);
	return n;
}

int main(int argc, char **argv)
{
	const char **policies;
	char *names[MAX_TRACES], path[4096];
	struct ks_replay_opts opts;
	struct ks_speclist specs = { 0 };
	struct ks_error err = { 0 };
	int regen = getenv("KS_PINS_REGEN") != NULL;
	size_t ntraces, npol, nspecs, i, j;

	if (argc != 3) {
		fprintf(stderr, "usage: pins TRACES_DIR PINS_FILE\n");
		return 2;
	}
	if (pins_load(argv[2], regen))
		return 1;
	npol = ks_policy_count();
	policies = calloc(npol, sizeof(*policies));
	if (!policies)
		return 1;
	for (i = 0; i < npol; i++) {
		const struct ks_param *params;
		const char *desc;

		ks_policy_describe(i, &policies[i], &desc, &params);
	}
	if (ks_speclist_expand(&specs, policies, npol, NULL, 0, &err)) {
		fprintf(stderr, "pins: %s\n", err.detail);
		return 1;
	}
	ks_replay_opts_default(&opts);
	ntraces = traces_list(argv[1], names);
	if (!ntraces) {
		fprintf(stderr, "FAIL: no trace in %s\n", argv[1]);
		return 1;
	}
	for (i = 0; i < ntraces; i++) {
		struct ks_replay_summary sum;
		struct ks_result *res = NULL;

		snprintf(path, sizeof(path), "%s/%s", argv[1], names[i]);
		if (ks_replay_trace(path, &specs, NULL, &opts, &sum, &res, &err)) {
			fprintf(stderr, "FAIL %s: %s\n", names[i], err.detail);
			failures++;
			continue;
		}
		for (j = 0; j < specs.n; j++)
			check_result(names[i], &res[j], regen);
		free(res);
	}
	for (i = 0; i < npins; i++) {
		if (!pins[i].used) {
			fprintf(stderr, "FAIL %s %s: pinned but not replayed\n", pins[i].trace,
				pins[i].policy);
			failures++;
		}
	}
	for (i = 0; i < ntraces; i++)
		free(names[i]);
	nspecs = specs.n;
	ks_speclist_release(&specs);
	free(policies);
	if (failures)
		fprintf(stderr, "%d pin failure(s): an engine change moved shipped results; "
			"update %s deliberately (KS_PINS_REGEN=1) and say why in the commit\n",
			failures, argv[2]);
	else
		fprintf(stderr, "%zu traces x %zu policies match their pins\n", ntraces, nspecs);
	return failures ? 1 : 0;
}
