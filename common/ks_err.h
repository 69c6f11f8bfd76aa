/* SPDX-License-Identifier: MIT */
/*
 * Domain errors of kstack: one X-macro table gives both the enum and the
 * message, so a code and its text can never drift apart.
 *
 * Library functions return 0 or a negative value: -errno for system errors,
 * -KS_E_* for domain errors (all KS_E_* are above any errno value).  A
 * function that wants to say more (which key, which block) also fills a
 * struct ks_error given by the caller.
 */
#ifndef KS_ERR_H
#define KS_ERR_H

#include <stddef.h>

#define KS_ERRORS(X)							\
	X(KS_E_USAGE,       "bad usage")					\
	X(KS_E_NOT_TRACE,   "not a kstack trace")				\
	X(KS_E_VERSION,     "unsupported trace format version")		\
	X(KS_E_TRUNCATED,   "trace is truncated")				\
	X(KS_E_CORRUPT,     "trace is corrupt")				\
	X(KS_E_POLICY,      "unknown policy")				\
	X(KS_E_PARAM,       "bad policy parameter")			\
	X(KS_E_SCHEMA,      "database schema mismatch")			\
	X(KS_E_DB,          "database error")				\
	X(KS_E_DEPTH,       "trace has no stack depth")			\
	X(KS_E_NOTRACEFS,   "tracefs is not available")			\
	X(KS_E_NOBPF,       "BPF is not available")			\
	X(KS_E_PERM,        "permission denied")				\
	X(KS_E_PROFILE,     "bad machine profile")				\
	X(KS_E_IO,          "input/output error")				\
	X(KS_E_NOMEM,       "out of memory")				\
	X(KS_E_INTERNAL,    "internal error")

#define KS_E_BASE 4096

enum ks_errcode {
	KS_E_NONE = 0,
	KS__E_FIRST = KS_E_BASE - 1,
#define KS_X_ENUM(name, msg) name,
	KS_ERRORS(KS_X_ENUM)
#undef KS_X_ENUM
	KS__E_LAST
};

/* Detail of the last error: the generic message plus what exactly failed. */
struct ks_error {
	int code;		/* KS_E_* or errno, positive */
	char detail[240];	/* e.g. "unknown key 'poool' for policy 'rfc'" */
};

/**
 * ks_strerror() - text for a code returned by a kstack function
 * @code: negative or positive KS_E_* or errno value
 */
const char *ks_strerror(int code);

/**
 * ks_error_set() - record an error and return it as a negative code
 * @err: may be NULL; the detail is then dropped
 * @code: positive KS_E_* or errno
 * @fmt: printf format of the detail
 *
 * Return: -@code, so callers can write "return ks_error_set(...)".
 */
int ks_error_set(struct ks_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * ks_error_format() - the one-line message "generic: detail" for @err (an
 * interruption, EINTR, gives its detail alone: "replay interrupted")
 * @err: the error
 * @buf: output buffer
 * @len: its size
 */
const char *ks_error_format(const struct ks_error *err, char *buf, size_t len);

#endif
