/* Starting programs: always an argv array, never a shell string. */
#ifndef VMLAB_BASE_PROC_H
#define VMLAB_BASE_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "base/sbuf.h"

struct proc_opts {
	const char *stdin_data;   /* written to the child's stdin, then closed; NULL = /dev/null */
	size_t stdin_len;
	struct sbuf *out;         /* captures stdout when non-NULL, else inherited */
	struct sbuf *errout;      /* captures stderr when non-NULL, else inherited */
	uint64_t timeout_ms;      /* 0 = none; on expiry the child's process group gets SIGTERM, then SIGKILL after 2 s */
	const char *cwd;          /* NULL = current */
	char *const *envp;        /* NULL = inherit */
	/* Called once the child has exec'd, with its pid (which is also its
	 * process group); NULL = none. */
	void (*started)(void *ctx, pid_t pid);
	void *started_ctx;
	/* Called in the parent after the fork and before the child may exec,
	 * with its pid: what must be in place before the program's first
	 * instruction (counters that start at its exec). A negative errno
	 * (e filled) kills the child and is proc_run's return. NULL = none. */
	int (*before_exec)(void *ctx, pid_t pid, struct err *e);
	void *before_exec_ctx;
};

/* Runs argv[0] (looked up in PATH) to completion. Returns 0 and stores the
 * exit status in *status (0..255, or 128+signal), or a negative errno when it
 * could not be started (-ENOENT: not found) or timed out (-ETIMEDOUT, child
 * killed). e names the program on failure. */
int proc_run(char *const argv[], const struct proc_opts *o, int *status, struct err *e);

/* In a child just forked from parent: it gets SIGKILL when the thread that
 * forked it dies, and exits (127) at once when parent already died before
 * the request took effect. Every child vmlab starts does this, so none is
 * left behind by a killed vmlab. */
void proc_die_with_parent(pid_t parent);

/* The start time of process pid (clock ticks since boot, /proc/PID/stat's
 * field 22), 0 when it does not exist or is a zombie. With the pid it
 * names one process across pid reuse. */
unsigned long long proc_start_time(pid_t pid);

/* Path of the running vmlab binary (from /proc/self/exe; "/proc/self/exe"
 * itself when it cannot be read); static storage, valid for the process. */
const char *proc_self_exe(void);

/* True when prog is found in PATH (or is an executable path). */
int proc_have(const char *prog);

#endif
