// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "ks_stop.h"

volatile sig_atomic_t ks_stop_sig;

static const int stop_signals[] = { SIGINT, SIGTERM };
#define NR_STOP (sizeof(stop_signals) / sizeof(stop_signals[0]))

static struct sigaction stop_saved[NR_STOP];
static bool stop_caught[NR_STOP];

/* The default action for the signals we catch: the next one kills. */
static void stop_default(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (i = 0; i < NR_STOP; i++)
		if (stop_caught[i])
			sigaction(stop_signals[i], &sa, NULL);
}

/* Only async-signal-safe work: record the signal, let the next one kill. */
static void stop_handler(int sig)
{
	ks_stop_sig = sig;
	stop_default();
}

int ks_stop_catch(void)
{
	struct sigaction sa;
	size_t i;
	int e;

	ks_stop_sig = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = stop_handler;
	/* restart interrupted system calls: the loops poll the flag instead */
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NR_STOP; i++)
		sigaddset(&sa.sa_mask, stop_signals[i]);
	for (i = 0; i < NR_STOP; i++) {
		if (sigaction(stop_signals[i], NULL, &stop_saved[i]))
			goto fail;
		/* ignored on entry (nohup, a script's background job): leave it so */
		if (stop_saved[i].sa_handler == SIG_IGN)
			continue;
		if (sigaction(stop_signals[i], &sa, NULL))
			goto fail;
		stop_caught[i] = true;
	}
	return 0;
fail:
	e = errno;
	ks_stop_release();
	return -e;
}

void ks_stop_release(void)
{
	size_t i;

	for (i = 0; i < NR_STOP; i++) {
		if (stop_caught[i])
			sigaction(stop_signals[i], &stop_saved[i], NULL);
		stop_caught[i] = false;
	}
}

int ks_stop_check(struct ks_error *err, const char *what)
{
	if (!ks_stop_sig)
		return 0;
	return ks_error_set(err, EINTR, "%s interrupted", what);
}
