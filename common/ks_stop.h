/* SPDX-License-Identifier: MIT */
/*
 * One way to stop a long command: SIGINT and SIGTERM set a process-wide
 * flag, and every loop that can run for more than a moment polls it
 * (decoding trace blocks for replay, generating synthetic events, bench's
 * timing loops, waiting for gnuplot) and returns -EINTR with the detail
 * "WHAT interrupted".  The command then cleans up (whole runs or nothing in
 * the database, no temporary left) and exits with 128 + the signal, within
 * a fraction of a second.  The first signal restores the default actions,
 * so a second SIGINT or SIGTERM ends the process at once.
 *
 * Nothing is caught until ks_stop_catch() is called: a library used
 * elsewhere (tests, fuzzers) never sees the flag set.  A signal ignored
 * when it is called (nohup, a background job of a script) stays ignored.
 */
#ifndef KS_STOP_H
#define KS_STOP_H

#include <signal.h>

#include "ks_err.h"

extern volatile sig_atomic_t ks_stop_sig;

/**
 * ks_stop_catch() - catch SIGINT and SIGTERM (unless ignored) from now on;
 * the flag starts clear
 *
 * Return: 0 or -errno.
 */
int ks_stop_catch(void);

/** ks_stop_release() - the actions before ks_stop_catch() again (the flag stays) */
void ks_stop_release(void);

/** ks_stop_signal() - the signal that asked to stop, or 0: poll this in long loops */
static inline int ks_stop_signal(void)
{
	return ks_stop_sig;
}

/**
 * ks_stop_check() - the error of an interrupted loop, if a stop was asked
 * @err: receives EINTR and "@what interrupted"
 * @what: what stops ("replay", "synthesis", ...)
 *
 * Return: 0 to go on, or -EINTR.
 */
int ks_stop_check(struct ks_error *err, const char *what);

#endif
