// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ks_err.h"

static const char *const ks_messages[] = {
#define KS_X_MSG(name, msg) [name - KS_E_BASE] = msg,
	KS_ERRORS(KS_X_MSG)
#undef KS_X_MSG
};

const char *ks_strerror(int code)
{
	if (code < 0)
		code = -code;
	if (code >= KS_E_BASE && code < KS__E_LAST)
		return ks_messages[code - KS_E_BASE];
	return strerror(code);
}

int ks_error_set(struct ks_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (code < 0)
		code = -code;
	if (err) {
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
		va_end(ap);
	}
	return -code;
}

const char *ks_error_format(const struct ks_error *err, char *buf, size_t len)
{
	/* an interruption's detail says it all ("replay interrupted") */
	if (err->code == EINTR && err->detail[0])
		snprintf(buf, len, "%s", err->detail);
	else if (err->detail[0])
		snprintf(buf, len, "%s: %s", ks_strerror(err->code), err->detail);
	else
		snprintf(buf, len, "%s", ks_strerror(err->code));
	return buf;
}
