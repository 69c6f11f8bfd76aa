// SPDX-License-Identifier: MIT
/* The progress line: see ks_progress.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "ks_progress.h"

/* redraw at most this often: faster is flicker, and costs a write each */
#define PROGRESS_PERIOD_NS 100000000ull

static struct {
	uint64_t t_start;	/* when the current count was first shown */
	uint64_t t_drawn;	/* when a line was last drawn */
	uint64_t done, total;	/* the current count, to tell a new one */
	const char *unit;
	bool on;
	bool shown;		/* a line is on the terminal now */
	bool started;		/* t_start and the count are set */
} pg;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void ks_progress_enable(bool want)
{
	const char *term = getenv("TERM");

	if (!want)
		ks_progress_clear();
	pg.on = want && isatty(STDERR_FILENO) && !(term && !strcmp(term, "dumb"));
	pg.started = false;
}

bool ks_progress_on(void)
{
	return pg.on;
}

void ks_progress_clear(void)
{
	if (!pg.shown)
		return;
	fputs("\r\033[K", stderr);
	pg.shown = false;
}

/* Draw @line over the one shown, cut to the terminal's width so it never wraps. */
static void draw(const char *line, uint64_t now)
{
	struct winsize ws;
	int n = (int)strlen(line);

	if (!ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) && ws.ws_col > 1 && n > ws.ws_col - 1)
		n = ws.ws_col - 1;
	fprintf(stderr, "\r%.*s\033[K", n, line);
	pg.shown = true;
	pg.t_drawn = now;
}

int ks_progress_human(char *buf, size_t len, double n)
{
	static const char suffix[] = " kMGTP";
	int i = 0;

	while (n >= 999.5 && i < 5) {
		n /= 1000;
		i++;
	}
	if (i == 0)
		return snprintf(buf, len, "%.0f", n);
	return snprintf(buf, len, n < 9.995 ? "%.2f%c" : n < 99.95 ? "%.1f%c" : "%.0f%c", n,
			suffix[i]);
}

int ks_progress_format(char *buf, size_t len, const char *verb, const char *what, uint64_t done,
		       uint64_t total, const char *unit, uint64_t elapsed_ns)
{
	double secs = elapsed_ns / 1e9, rate = secs > 0 ? done / secs : 0;
	char d[16], t[16], r[16], left[32] = "";
	int pct;

	ks_progress_human(d, sizeof(d), (double)done);
	/* a rate needs a little time behind it to mean anything */
	if (secs >= 0.2 && done)
		ks_progress_human(r, sizeof(r), rate);
	else
		r[0] = 0;
	if (!total)
		return snprintf(buf, len, "kstack %s: %s  %s %s%s%s%s", verb, what, d, unit,
				r[0] ? "  " : "", r, r[0] ? "/s" : "");
	ks_progress_human(t, sizeof(t), (double)total);
	pct = (int)((done > total ? total : done) * 100 / total);
	if (r[0] && done < total) {
		/* rounded up: never "0:00 left" while work remains */
		double need = (total - done) / rate;
		unsigned long s = (unsigned long)need;

		if (s < need)
			s++;

		if (s < 3600)
			snprintf(left, sizeof(left), "  %lu:%02lu left", s / 60, s % 60);
		else
			snprintf(left, sizeof(left), "  %luh%02lu left", s / 3600, s / 60 % 60);
	}
	return snprintf(buf, len, "kstack %s: %s  %s/%s %s  %d%%%s%s%s%s", verb, what, d, t, unit,
			pct, r[0] ? "  " : "", r, r[0] ? "/s" : "", left);
}

void ks_progress_count(const char *verb, const char *what, uint64_t done, uint64_t total,
		       const char *unit)
{
	char line[512];
	uint64_t now;
	bool fresh;

	if (!pg.on)
		return;
	now = now_ns();
	fresh = !pg.started || done < pg.done || total != pg.total ||
		strcmp(unit, pg.unit);
	pg.done = done;
	if (fresh) {
		pg.total = total;
		pg.unit = unit;
		pg.t_start = now;
		pg.started = true;
	} else if (pg.shown && now - pg.t_drawn < PROGRESS_PERIOD_NS) {
		return;
	}
	ks_progress_format(line, sizeof(line), verb, what, done, total, unit, now - pg.t_start);
	draw(line, now);
}

void ks_progress_show(const char *verb, const char *fmt, ...)
{
	char line[512];
	uint64_t now;
	va_list ap;
	int n;

	if (!pg.on)
		return;
	now = now_ns();
	if (pg.shown && now - pg.t_drawn < PROGRESS_PERIOD_NS)
		return;
	n = snprintf(line, sizeof(line), "kstack %s: ", verb);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	pg.started = false;
	draw(line, now);
}
