/* SPDX-License-Identifier: MIT */
/*
 * One progress line for long work (collect, replay, demo), redrawn in place
 * on stderr: "kstack replay: compile.kst  1.2M/4.9M events  24%  9.5M/s
 * 0:01 left".  It is drawn only when stderr is a terminal (and the command
 * was not asked to be quiet), at most ten times a second, cut to the width
 * of the terminal so it never wraps; where stderr is a file or a pipe
 * nothing of it is written, so logs hold only whole lines.  Standard output
 * is never touched: it carries results.
 *
 * Nothing is drawn until ks_progress_enable(true): a library used elsewhere
 * (tests, bench) stays silent.  Any other line written to stderr while a
 * progress line is shown must first erase it with ks_progress_clear() (the
 * CLI's error printer and the default log sink do); the next update draws it
 * again.  One thread draws.
 */
#ifndef KS_PROGRESS_H
#define KS_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * ks_progress_enable() - draw progress lines from now on if @want and
 * stderr is a terminal (not TERM=dumb); false stops drawing and erases a
 * line shown
 */
void ks_progress_enable(bool want);

/** ks_progress_on() - whether progress lines are drawn */
bool ks_progress_on(void);

/**
 * ks_progress_count() - show how far counted work is
 * @verb: the command ("replay")
 * @what: the item worked on ("compile.kst")
 * @done: units done so far
 * @total: units in all, 0 if unknown (then no percentage and no time left)
 * @unit: what is counted ("events"), a string that outlives the count
 *
 * The rate is @done over the time since this count began: a count begins
 * when @total or @unit change or @done goes down, so the items of one count
 * (traces of a demo) may each have their own @what.  Cheap when nothing is
 * drawn: call it as often as convenient.
 */
void ks_progress_count(const char *verb, const char *what, uint64_t done, uint64_t total,
		       const char *unit);

/**
 * ks_progress_show() - show a line of free text after "kstack VERB: "
 * (at most ten times a second; later calls in between are dropped)
 */
void ks_progress_show(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** ks_progress_clear() - erase the line shown, if any, before other stderr output */
void ks_progress_clear(void);

/**
 * ks_progress_format() - the text of a counted line, as ks_progress_count()
 * draws it after @elapsed_ns of work on @what
 * @buf: receives the text, without "\r" or terminal codes
 *
 * Return: the length of the text (as snprintf()).
 */
int ks_progress_format(char *buf, size_t len, const char *verb, const char *what, uint64_t done,
		       uint64_t total, const char *unit, uint64_t elapsed_ns);

/** ks_progress_human() - @n with an SI suffix: 999, 12.3k, 4.56M, 1.23G (as snprintf()) */
int ks_progress_human(char *buf, size_t len, double n);

#endif
