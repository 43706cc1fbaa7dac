/* A Xen host vmlab drives: a dom0 where it runs argvs, copies files in and
 * out, and reads `xl` through the parsers of src/xen/xl.h. Back ends are
 * `const struct host_ops` tables in one registry: "local" (vmlab runs in
 * dom0), "ssh:USER@HOST[:PORT]" (OpenSSH, one ControlMaster per host) and
 * "testbed[:NAME]" (the ssh back end with the testbed's port and key).
 * Every call returns 0 or a negative errno with e filled; none prints. */
#ifndef VMLAB_HOST_HOST_H
#define VMLAB_HOST_HOST_H

#include <stdint.h>

#include "base/err.h"
#include "base/proc.h"
#include "base/sbuf.h"
#include "xen/xl.h"

struct host;

struct host_ops {
	const char *kind;      /* the part of the spec before ':' */
	const char *syntax;    /* "ssh:USER@HOST[:PORT]", for messages */
	/* Checks the part after ':' (NULL when there is none); -EINVAL (e) if bad. */
	int (*check)(const char *arg, struct err *e);
	/* Connects (h->arg passed check). -EHOSTUNREACH (e says why) when the
	 * host does not answer within h->conf.connect_timeout_ms, -ENOENT when
	 * there is no such host (a testbed that is not up). Nothing is left
	 * open on failure. */
	int (*open)(struct host *h, struct err *e);
	/* Runs argv there (words passed unchanged to the program) with o's
	 * stdin, capture and timeout (o->cwd and o->envp are local only).
	 * Returns 0 with the exit status in *status, -ETIMEDOUT, or
	 * -EHOSTUNREACH when the connection failed. */
	int (*run)(struct host *h, char *const argv[], const struct proc_opts *o, int *status, struct err *e);
	/* Optional: a new argv (argv_free) that, run locally, connects its
	 * stdin and stdout to TCP "%h:%p" as seen from the host: what ssh takes
	 * as ProxyCommand (after shquote_argv) to reach the host's guests. NULL
	 * when the host's guests are reachable from here directly. */
	char **(*jump_argv)(struct host *h);
	void (*close)(struct host *h);
	int testbed;           /* 1: a testbed, whose numbers are testbed numbers */
};

struct host_conf {
	uint64_t connect_timeout_ms;   /* 0: 10 s */
	char *const *ssh_options;      /* more ssh words (-i KEY, -oX=Y), NULL-terminated, or NULL */
};

struct host {
	const struct host_ops *ops;
	char *spec;            /* as written: "ssh:root@box:2222" */
	const char *arg;       /* after the first ':' in spec, or NULL */
	struct host_conf conf;
	int testbed;           /* ops->testbed, or what open found (a local dom0 that is a testbed's) */
	void *priv;            /* the back end's state between open and close */
};

/* Checks spec against the registry: -EINVAL with "host 'SPEC': ..." in e
 * when no back end takes it or its argument is bad. */
int host_check(const char *spec, struct err *e);

/* Opens spec (host_check first) with c (NULL: defaults) into h. On failure h
 * holds nothing. */
int host_open(struct host *h, const char *spec, const struct host_conf *c, struct err *e);
/* Closes what host_open opened (h may be zeroed: nothing). */
void host_close(struct host *h);

/* 1 when h is a testbed (the testbed back end, or local in a testbed's dom0). */
int host_is_testbed(const struct host *h);

/* h->ops->run. */
int host_run(struct host *h, char *const argv[], const struct proc_opts *o, int *status, struct err *e);

/* Runs argv there with timeout_ms, stdout into out (may be NULL: dropped).
 * A non-zero exit status is -EIO with "HOST: CMD: exit N: LAST STDERR LINE"
 * (-ENOENT for 127, command not found). */
int host_run_ok(struct host *h, char *const argv[], uint64_t timeout_ms, struct sbuf *out, struct err *e);

/* Writes data[0..n) into the file path there (through a temporary name,
 * mode 0644 unless exec, then 0755). */
int host_put(struct host *h, const void *data, size_t n, const char *path, int exec, struct err *e);
/* Copies local file src to path dst there, or its file src to local dst. */
int host_copy_to(struct host *h, const char *src, const char *dst, struct err *e);
int host_copy_from(struct host *h, const char *src, const char *dst, struct err *e);

/* `xl ARGS...` there (args NULL-terminated, after "xl"): stdout into out;
 * -ENOENT when xl is missing, -EIO (xl's message) when it fails. */
int host_xl(struct host *h, char *const args[], struct sbuf *out, struct err *e);

/* xl info, xl list, xl vcpu-list [DOM], xl sched-credit|sched-credit2
 * (sched is "credit" or "credit2"), xl cpupool-list there, parsed. */
int host_xl_info(struct host *h, struct xl_info *out, struct err *e);
int host_xl_list(struct host *h, struct xl_domains *out, struct err *e);
int host_xl_vcpu_list(struct host *h, const char *dom, struct xl_vcpus *out, struct err *e);
int host_xl_sched(struct host *h, const char *sched, struct xl_sched *out, struct err *e);
int host_xl_cpupools(struct host *h, struct xl_cpupools *out, struct err *e);

/* Splits "USER@HOST[:PORT]": dest gets "USER@HOST", port the digits or
 * NULL (both malloc'd; either pointer may be NULL to only check). Returns
 * 0, or -EINVAL for an empty user or host, white space, a leading '-', a
 * ':' in the user, or a port that is not 1..65535. */
int host_ssh_split(const char *arg, char **dest, char **port);

extern const struct host_ops host_local_ops;
extern const struct host_ops host_ssh_ops;
extern const struct host_ops host_testbed_ops;

#endif
