// SPDX-License-Identifier: MIT
/*
 * The progress line (common/ks_progress.h): its text, with rates and time
 * left worked out by hand below; that it is drawn on a terminal only, in
 * place ("\r" ... erase to the end of the line), at most ten times a
 * second, and erased by ks_progress_clear(); and that nothing at all is
 * written where stderr is a pipe.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ks_progress.h"

static int failures;

#define CHECK_STR(got, want)                                                              \
	do {                                                                              \
		if (strcmp((got), (want))) {                                              \
			fprintf(stdout, "FAIL line %d: got '%s', want '%s'\n", __LINE__,  \
				(got), (want));                                           \
			failures++;                                                       \
		}                                                                         \
	} while (0)

#define CHECK(cond, ...)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stdout, "FAIL line %d: ", __LINE__);                      \
			fprintf(stdout, __VA_ARGS__);                                     \
			fputc('\n', stdout);                                              \
			failures++;                                                       \
		}                                                                         \
	} while (0)

static void test_human(void)
{
	char b[32];

	ks_progress_human(b, sizeof(b), 0);
	CHECK_STR(b, "0");
	ks_progress_human(b, sizeof(b), 999);
	CHECK_STR(b, "999");
	ks_progress_human(b, sizeof(b), 1000);
	CHECK_STR(b, "1.00k");
	ks_progress_human(b, sizeof(b), 12345);	/* 12.345k, three digits */
	CHECK_STR(b, "12.3k");
	ks_progress_human(b, sizeof(b), 4560000);
	CHECK_STR(b, "4.56M");
	ks_progress_human(b, sizeof(b), 123456789);
	CHECK_STR(b, "123M");
	ks_progress_human(b, sizeof(b), 1.5e9);
	CHECK_STR(b, "1.50G");
}

static void test_format(void)
{
	char b[256];

	/* 1 M of 5 M in 2 s: 500k/s, 4 M left = 8 s, 20% */
	ks_progress_format(b, sizeof(b), "replay", "t.kst", 1000000, 5000000, "events",
			   2000000000ull);
	CHECK_STR(b, "kstack replay: t.kst  1.00M/5.00M events  20%  500k/s  0:08 left");
	/* under 0.2 s there is no rate yet, so no time left either */
	ks_progress_format(b, sizeof(b), "replay", "t.kst", 1000000, 5000000, "events",
			   100000000ull);
	CHECK_STR(b, "kstack replay: t.kst  1.00M/5.00M events  20%");
	/* 3 of 10 in 2 s: 1.5/s, 7 left = 4.67 s, shown as 5 (rounded up) */
	ks_progress_format(b, sizeof(b), "demo", "replaying x", 3, 10, "traces", 2000000000ull);
	CHECK_STR(b, "kstack demo: replaying x  3/10 traces  30%  2/s  0:05 left");
	/* 1 of 7201 in 1 s: 7200 s left = 2 h 00 min */
	ks_progress_format(b, sizeof(b), "replay", "big", 1, 7201, "events", 1000000000ull);
	CHECK_STR(b, "kstack replay: big  1/7.20k events  0%  1/s  2h00 left");
	/* no total: the count and the rate only (12 in 2 s = 6/s) */
	ks_progress_format(b, sizeof(b), "replay", "-", 12, 0, "events", 2000000000ull);
	CHECK_STR(b, "kstack replay: -  12 events  6/s");
	/* done: 100%, nothing left to wait for */
	ks_progress_format(b, sizeof(b), "replay", "t", 10, 10, "events", 1000000000ull);
	CHECK_STR(b, "kstack replay: t  10/10 events  100%  10/s");
}

/* Everything written to the terminal's other end so far. */
static size_t drain(int master, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got + 1 < len && (n = read(master, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = 0;
	return got;
}

static void test_terminal(void)
{
	char buf[4096];
	int master, slave, saved = dup(STDERR_FILENO);
	int p[2];

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master)) {
		printf("skip: no pseudo-terminal\n");
		return;
	}
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	CHECK(slave >= 0, "open the terminal");
	fcntl(master, F_SETFL, O_NONBLOCK);
	unsetenv("TERM");
	dup2(slave, STDERR_FILENO);

	ks_progress_count("replay", "t.kst", 1, 10, "events");
	CHECK(!ks_progress_on(), "on before ks_progress_enable()");
	ks_progress_enable(true);
	CHECK(ks_progress_on(), "not on, on a terminal");
	ks_progress_count("replay", "t.kst", 1, 10, "events");
	/* the same count again at once: dropped, at most ten lines a second */
	ks_progress_count("replay", "t.kst", 2, 10, "events");
	ks_progress_clear();
	ks_progress_clear();	/* nothing shown: writes nothing */
	drain(master, buf, sizeof(buf));
	CHECK_STR(buf, "\rkstack replay: t.kst  1/10 events  10%\033[K\r\033[K");

	/* a new count (another total) draws at once; free text too, then clear */
	ks_progress_count("demo", "a", 1, 4, "traces");
	usleep(120000);
	ks_progress_show("collect", "%d s", 3);
	ks_progress_clear();
	drain(master, buf, sizeof(buf));
	CHECK_STR(buf, "\rkstack demo: a  1/4 traces  25%\033[K"
		       "\rkstack collect: 3 s\033[K\r\033[K");

	/* TERM=dumb cannot move back over a line */
	setenv("TERM", "dumb", 1);
	ks_progress_enable(true);
	CHECK(!ks_progress_on(), "on with TERM=dumb");
	unsetenv("TERM");

	/* not a terminal: nothing, whatever is asked */
	CHECK(!pipe(p), "pipe");
	dup2(p[1], STDERR_FILENO);
	ks_progress_enable(true);
	CHECK(!ks_progress_on(), "on, on a pipe");
	ks_progress_count("replay", "t.kst", 5, 10, "events");
	ks_progress_show("collect", "x");
	ks_progress_clear();
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	CHECK(drain(p[0], buf, sizeof(buf)) == 0, "wrote '%s' to a pipe", buf);

	dup2(saved, STDERR_FILENO);
	close(saved);
	close(slave);
	close(master);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	setvbuf(stderr, NULL, _IONBF, 0);
	test_human();
	test_format();
	test_terminal();
	if (failures)
		return 1;
	printf("ok\n");
	return 0;
}
