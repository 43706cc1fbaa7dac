/* Error reporting for library code: functions return 0 or a negative errno
 * and describe the failure in a caller-owned struct err. Only cmd_* code prints. */
#ifndef VMLAB_BASE_ERR_H
#define VMLAB_BASE_ERR_H

#include <stddef.h>

struct err {
	int code;        /* negative errno of the first failure, 0 if none */
	char msg[1024];  /* "FILE:LINE:COL: what is wrong" or "object: what: why" */
};

/* Record a failure: formats msg (printf style), stores code, returns code.
 * A later call overwrites an earlier one. e may be NULL. */
int err_set(struct err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Same with a source location prefix "FILE:LINE:COL: ". col 0 omits the column. */
int err_at(struct err *e, int code, const char *file, int line, int col,
	   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Exit status a command should use for a negative errno: 2 for bad input
 * (-EINVAL, -EBADMSG, -ERANGE, -ENOENT of an input...), 1 otherwise. */
int err_exit_status(int code);

#endif
