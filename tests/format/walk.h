/* SPDX-License-Identifier: MIT */
/* The corruption walk (walk.c): a case, what it must give, and the crafted cases. */
#ifndef WALK_H
#define WALK_H

#include <stddef.h>
#include <stdint.h>

/* What a case must give */
enum outcome {
	WANT_OK,	/* read whole: exit 0, every event, complete runs stored */
	WANT_TRUNC,	/* an interrupted recording: exit 0, runs stored incomplete */
	WANT_ERROR,	/* one stderr line, exit 1, nothing stored */
};

struct want {
	enum outcome kind;
	uint64_t events;	/* OK, TRUNC: the events readable */
	uint64_t blocks;	/* TRUNC: the whole event blocks */
	const char *msg;	/* ERROR: in the message (NULL: anything) */
	const char *msg2;	/* ERROR: or this */
	const char *msg3;	/* ERROR: or this */
};

/**
 * add_case() - queue @buf as a case file, to be run through kstack info,
 * and with @each through dump and replay too, and checked against @w;
 * with @pipe_in, through a pipe on stdin (one process per tool)
 */
void add_case(const char *name, const uint8_t *buf, size_t len, const struct want *w,
	      int pipe_in, int each);

struct craft;

/** crafted() - check @c (craft.h) by file and through a pipe, then free it */
void crafted(const char *name, struct craft *c, const struct want *w);
/** error_case() - crafted() wanting one error line that says @msg */
void error_case(const char *name, struct craft *c, const char *msg);
/** ok_case() - crafted() wanting @events events read whole */
void ok_case(const char *name, struct craft *c, uint64_t events);

/** walk_crafted() - the files with valid checksums (walk_crafted.c) */
void walk_crafted(void);
/** walk_crafted2() - version 2's directory, streams and references (walk_crafted2.c) */
void walk_crafted2(void);

#endif
