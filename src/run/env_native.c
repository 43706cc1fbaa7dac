/* The "native" environment: this machine, running this vmlab binary as a child. */
#include "run/env.h"
#include "base/proc.h"
#include "base/sshargv.h"

#include <errno.h>
#include <stdlib.h>

static int native_check(const char *arg, struct err *e)
{
	if (arg)
		return err_set(e, -EINVAL, "environment 'native' takes no argument");
	return 0;
}

static int native_open(struct env *v, struct err *e)
{
	struct sbuf vms = SBUF_INIT;

	host_facts_probe(&v->facts);
	if (host_concurrent_vms(&vms) > 0)
		v->facts.concurrent = xstrdup(sbuf_str(&vms));
	sbuf_free(&vms);
	v->label = xstrdup("native");
	return 0;
}

static int native_exec(struct env *v, char *const args[], uint64_t timeout_ms, struct sbuf *out,
		       struct sbuf *errout, int *status, struct err *e)
{
	char **argv = argv_prefixed(proc_self_exe(), args);
	int rc;
	struct proc_opts o = { .out = out, .errout = errout, .timeout_ms = timeout_ms,
				.started = v->on_child, .started_ctx = v->child_ctx };
	rc = proc_run(argv, &o, status, e);
	argv_free(argv);
	return rc;
}

static void native_close(struct env *v)
{
}

const struct env_ops env_native_ops = {
	"native", "native", native_check, native_open, native_exec, native_close,
};
