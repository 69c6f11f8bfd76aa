// SPDX-License-Identifier: MIT
/*
 * The stop flag (common/ks_stop.h): nothing is caught before
 * ks_stop_catch(); the first SIGINT or SIGTERM only sets the flag, which
 * ks_stop_check() turns into -EINTR and "WHAT interrupted" (formatted
 * without "Interrupted system call"); the second ends the process at once
 * by its default action; an ignored signal stays ignored.  Each case runs
 * in a child, since it kills.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ks_stop.h"

static int failures;

/* Child: catch, take @first (must survive), then @second (must kill). */
static void child(int first, int second)
{
	struct ks_error err = { 0 };
	char msg[256];

	if (ks_stop_signal() || ks_stop_check(&err, "replay"))
		_exit(3);
	if (ks_stop_catch())
		_exit(4);
	raise(first);
	if (ks_stop_signal() != first)
		_exit(5);
	if (ks_stop_check(&err, "replay") != -EINTR || err.code != EINTR)
		_exit(6);
	if (strcmp(ks_error_format(&err, msg, sizeof(msg)), "replay interrupted"))
		_exit(7);
	raise(second);
	_exit(8);	/* the second signal did not end the process */
}

static void check(int first, int second)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		child(first, second);
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		printf("FAIL: fork/wait\n");
		failures++;
		return;
	}
	if (!WIFSIGNALED(status) || WTERMSIG(status) != second) {
		printf("FAIL: signals %d then %d: %s %d\n", first, second,
		       WIFEXITED(status) ? "exit" : "signal",
		       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		failures++;
	}
}

/*
 * SIGINT ignored on entry (a script's background job): it stays ignored,
 * before and after a SIGTERM asked to stop; the second SIGTERM kills.
 */
static void child_ignored(void)
{
	signal(SIGINT, SIG_IGN);
	if (ks_stop_catch())
		_exit(4);
	raise(SIGINT);
	if (ks_stop_signal())
		_exit(5);
	raise(SIGTERM);
	if (ks_stop_signal() != SIGTERM)
		_exit(6);
	raise(SIGINT);
	raise(SIGTERM);
	_exit(8);
}

int main(void)
{
	int status;
	pid_t pid;

	check(SIGINT, SIGINT);
	check(SIGTERM, SIGTERM);
	check(SIGINT, SIGTERM);
	check(SIGTERM, SIGINT);
	pid = fork();
	if (pid == 0)
		child_ignored();
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status) ||
	    WTERMSIG(status) != SIGTERM) {
		printf("FAIL: an ignored SIGINT was not left ignored\n");
		failures++;
	}
	return failures ? 1 : 0;
}
