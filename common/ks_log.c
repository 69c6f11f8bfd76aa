// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>

#include "ks_log.h"
#include "ks_progress.h"

static ks_log_sink_t log_sink;
static void *log_arg;
static enum ks_log_level log_level = KS_LOG_WARN;

void ks_log_set_sink(ks_log_sink_t sink, void *arg)
{
	log_sink = sink;
	log_arg = arg;
}

void ks_log_set_level(enum ks_log_level level)
{
	log_level = level;
}

void ks_log(enum ks_log_level level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_sink) {
		log_sink(level, msg, log_arg);
	} else {
		ks_progress_clear();
		fprintf(stderr, "kstack: %s\n", msg);
	}
}
