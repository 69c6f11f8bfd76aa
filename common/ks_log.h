/* SPDX-License-Identifier: MIT */
/*
 * Logging with a level and a replaceable sink, so tests can capture what a
 * module says.  The default sink writes "kstack: message" to stderr.
 */
#ifndef KS_LOG_H
#define KS_LOG_H

enum ks_log_level { KS_LOG_ERROR, KS_LOG_WARN, KS_LOG_INFO, KS_LOG_DEBUG };

typedef void (*ks_log_sink_t)(enum ks_log_level level, const char *msg, void *arg);

/** ks_log_set_sink() - replace the sink (NULL restores stderr) */
void ks_log_set_sink(ks_log_sink_t sink, void *arg);
/** ks_log_set_level() - messages above @level are dropped */
void ks_log_set_level(enum ks_log_level level);
/** ks_log() - format and send one message to the sink */
void ks_log(enum ks_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define ks_err(...)	ks_log(KS_LOG_ERROR, __VA_ARGS__)
#define ks_warn(...)	ks_log(KS_LOG_WARN, __VA_ARGS__)
#define ks_info(...)	ks_log(KS_LOG_INFO, __VA_ARGS__)
#define ks_dbg(...)	ks_log(KS_LOG_DEBUG, __VA_ARGS__)

#endif
