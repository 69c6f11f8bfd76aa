// SPDX-License-Identifier: MIT
/*
 * Option parsing shared by every command: getopt_long() with kstack's
 * one-line errors, and one rule getopt does not have: an option that takes
 * a value is given at most once, unless the command lists it as repeatable
 * (--policy, --sweep).  "-d a.db -d b.db" would otherwise keep b.db without
 * a word, and the user would look for results in a.db.
 */
#include <getopt.h>
#include <string.h>

#include "cmds.h"

/* getopt_long's '?': an unknown option, or one missing its value. */
static int bad_option(const struct cli_getopt *g, char **argv)
{
	const char *arg = argv[optind - 1];

	if (optopt == 0)	/* an unknown long option */
		cli_error(g->verb, "unknown option '%s' (kstack %s --help)", arg, g->verb);
	else if (strncmp(arg, "--", 2) == 0 || strchr(g->optstring, optopt))
		cli_error(g->verb, "option '%s' needs a value (kstack %s --help)",
			  strncmp(arg, "--", 2) == 0 ? arg : (char[]){ '-', (char)optopt, 0 },
			  g->verb);
	else
		cli_error(g->verb, "unknown option '-%c' (kstack %s --help)", optopt, g->verb);
	return '?';
}

int cli_getopt(struct cli_getopt *g, int argc, char **argv)
{
	const char *s = NULL;
	bool takes_value;
	int c, idx = -1;
	unsigned int key;

	if (!g->started) {
		optind = 1;
		opterr = 0;
		g->started = true;
	}
	c = getopt_long(argc, argv, g->optstring, g->opts, &idx);
	g->longindex = idx;
	if (c == -1)
		return -1;
	if (c == '?')
		return bad_option(g, argv);
	/*
	 * Track an option by its letter, which its long name shares (-d and
	 * --db are one option), or by its entry when it has no letter.
	 */
	if (c > 0 && c < 256 && c != ':' && c != '+' && c != '-')
		s = strchr(g->optstring, c);
	if (s) {
		key = (unsigned int)c;
		takes_value = s[1] == ':';
	} else if (idx >= 0 && idx < CLI_MAX_LONG) {
		key = 256 + (unsigned int)idx;
		takes_value = g->opts[idx].has_arg == required_argument;
	} else {
		return c;
	}
	if (!takes_value || (c < 256 && g->repeatable && strchr(g->repeatable, c)))
		return c;
	if (g->seen[key / 8] & (1u << (key % 8))) {
		if (idx >= 0)
			cli_error(g->verb, "option '--%s' given more than once (kstack %s --help)",
				  g->opts[idx].name, g->verb);
		else
			cli_error(g->verb, "option '-%c' given more than once (kstack %s --help)",
				  c, g->verb);
		return '?';
	}
	g->seen[key / 8] |= (unsigned char)(1u << (key % 8));
	return c;
}
