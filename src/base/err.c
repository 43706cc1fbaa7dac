/* Error message buffer helpers. */
#include "base/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

int err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int err_at(struct err *e, int code, const char *file, int line, int col,
	   const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!e)
		return code;
	e->code = code;
	if (col > 0)
		n = snprintf(e->msg, sizeof(e->msg), "%s:%d:%d: ", file, line, col);
	else
		n = snprintf(e->msg, sizeof(e->msg), "%s:%d: ", file, line);
	if (n < 0 || (size_t)n >= sizeof(e->msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(e->msg + n, sizeof(e->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return code;
}

int err_exit_status(int code)
{
	switch (code) {
	case -EINVAL:
	case -EBADMSG:
	case -ERANGE:
	case -ENOENT:
	case -ENOTDIR:
	case -EISDIR:
	case -E2BIG:
	case -ENAMETOOLONG:
	case -EROFS:
	case -EBUSY:
	case -EEXIST:
		return 2;
	default:
		return 1;
	}
}
