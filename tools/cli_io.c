// SPDX-License-Identifier: MIT
/*
 * Streams and shell words for the commands: "-" as standard input or
 * output, -o FILE in place of standard output, and command lines quoted as
 * a shell reads them, so what `kstack info` shows can be copied and run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"

const char *cli_input(const char *verb, const char *arg)
{
	if (strcmp(arg, "-"))
		return arg;
	/* a trace typed at the keyboard: nobody means that, and it would hang */
	if (isatty(STDIN_FILENO)) {
		cli_error(verb, "standard input is a terminal, not a trace (pipe one into '-')");
		return NULL;
	}
	return "/dev/stdin";
}

int cli_output(const char *verb, const char *path)
{
	int fd;

	if (!path || !strcmp(path, "-"))
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		cli_error(verb, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	/* standard output becomes the file: every printf of the command goes there */
	fflush(stdout);
	if (dup2(fd, STDOUT_FILENO) < 0) {
		cli_error(verb, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/* A word a shell reads as itself, unquoted. */
static bool word_plain(const char *w)
{
	if (!*w)
		return false;
	for (; *w; w++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "_@%+=:,./-", *w))
			return false;
	return true;
}

/* Append @w to @buf (holding @*used bytes) as a shell word; false if it does not fit. */
static bool word_append(char *buf, size_t len, size_t *used, const char *w)
{
	bool plain = word_plain(w);
	size_t need = strlen(w) + (*used ? 1 : 0), u = *used;
	const char *p;

	/* '...' keeps every byte as it is; a quote inside ends it and resumes: '\'' */
	if (!plain) {
		need += 2;
		for (p = w; *p; p++)
			need += *p == '\'' ? 3 : 0;
	}
	if (u + need + 1 > len)
		return false;
	if (u)
		buf[u++] = ' ';
	if (!plain)
		buf[u++] = '\'';
	for (p = w; *p; p++) {
		if (!plain && *p == '\'') {
			memcpy(buf + u, "'\\''", 4);
			u += 4;
			continue;
		}
		buf[u++] = *p;
	}
	if (!plain)
		buf[u++] = '\'';
	buf[u] = 0;
	*used = u;
	return true;
}

bool cli_shell_join(char *buf, size_t len, const char *const *words, size_t n)
{
	size_t used = 0, i, keep;

	if (!len)
		return false;
	buf[0] = 0;
	for (i = 0; i < n; i++) {
		keep = used;
		if (word_append(buf, len, &used, words[i]))
			continue;
		/* cut after the last whole word that leaves room to say so */
		used = keep;
		while (used + 4 >= len && used) {
			char *sp = memrchr(buf, ' ', used);

			used = sp ? (size_t)(sp - buf) : 0;
		}
		snprintf(buf + used, len - used, "%s...", used ? " " : "");
		return false;
	}
	return true;
}

/*
 * Split @store in place at single spaces into @w, at most @max words.
 * Return: their number, or 0 if there are more.
 */
static size_t split_spaces(char *store, const char **w, size_t max)
{
	size_t n = 0;
	char *p = store;

	for (;;) {
		if (n == max)
			return 0;
		w[n++] = p;
		p = strchr(p, ' ');
		if (!p)
			return n;
		*p++ = 0;
	}
}

bool cli_shell_rebuild(const char *joined, size_t field, char *buf, size_t len)
{
	const char *w[128], *cmd = NULL;
	char store[512], script[512];
	size_t n, i, at = 0, dash = 0;
	bool plain = true;

	buf[0] = 0;
	if (!*joined)
		return true;	/* collect without options */
	/* a line as long as the field was cut: its end is lost */
	if (strlen(joined) + 1 >= field || strlen(joined) >= sizeof(store))
		goto unsure;
	snprintf(store, sizeof(store), "%s", joined);
	n = split_spaces(store, w, sizeof(w) / sizeof(w[0]));
	if (!n)
		goto unsure;
	for (i = 0; i < n; i++) {
		if (!dash && !strcmp(w[i], "--"))
			dash = i + 1;
		else if (!word_plain(w[i]) && !(dash && i >= dash + 2))
			plain = false;
	}
	/*
	 * `sh -c SCRIPT`: the words after -c are one argument, the script;
	 * with any other command an unquoted special character leaves the
	 * words' boundaries unknown
	 */
	if (dash && dash + 2 < n) {
		cmd = strrchr(w[dash], '/');
		cmd = cmd ? cmd + 1 : w[dash];
	}
	if (cmd && (!strcmp(cmd, "sh") || !strcmp(cmd, "bash") || !strcmp(cmd, "dash")) &&
	    !strcmp(w[dash + 1], "-c")) {
		/* fits: the words come from @store, no longer than @script */
		script[0] = 0;
		for (i = dash + 2; i < n; i++)
			at += snprintf(script + at, sizeof(script) - at, "%s%s", i > dash + 2 ? " " : "",
				       w[i]);
		w[dash + 2] = script;
		n = dash + 3;
	} else {
		for (i = dash ? dash + 2 : n; i < n; i++)
			plain &= word_plain(w[i]);
	}
	if (!plain)
		goto unsure;
	at = 0;
	for (i = 0; i < n; i++)
		if (!word_append(buf, len, &at, w[i]))
			goto unsure;
	return true;
unsure:
	snprintf(buf, len, "%s", joined);
	return false;
}
