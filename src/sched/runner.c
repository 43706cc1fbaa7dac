/* The runner of the xl back ends: a Xen host of src/host (local, ssh,
 * testbed[:NAME]) through its host_ops; and running xl through it. */
#include "sched/sched.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/proc.h"
#include "base/shquote.h"
#include "host/host.h"

#define SCHED_CMD_TIMEOUT_MS 60000

static int run_host(void *ctx, char *const argv[], struct sbuf *out, struct sbuf *errout, int *status,
		    struct err *e)
{
	struct sbuf o = SBUF_INIT, er = SBUF_INIT;
	struct proc_opts po = { .out = out ? out : &o, .errout = errout ? errout : &er,
				.timeout_ms = SCHED_CMD_TIMEOUT_MS };
	int r = host_run(ctx, argv, &po, status, e);

	sbuf_free(&o);
	sbuf_free(&er);
	return r;
}

void sched_runner_host(struct sched_runner *r, struct host *h)
{
	r->where = h->spec;
	r->run = run_host;
	r->ctx = h;
}

int sched_xl(const struct sched_runner *r, char *const args[], struct sbuf *out, struct err *e)
{
	struct sbuf er = SBUF_INIT;
	char *argv[32];
	int n = 0, st = 0, rc;

	argv[n++] = "xl";
	while (args[n - 1] && n < 31) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;
	rc = r->run(r->ctx, argv, out, &er, &st, e);
	if (rc == 0 && st == 127)
		rc = err_set(e, -ENOENT, "%s: xl is not installed there (no Xen toolstack in this dom0?)", r->where);
	else if (rc == 0 && st) {
		const char *m = sbuf_str(&er), *nl;
		char *cmd = shquote_argv(argv);

		/* xl's useful line is its last: libxl's details come first */
		sbuf_chomp(&er);
		nl = strrchr(m, '\n');
		rc = err_set(e, -EIO, "%s: %s: exit status %d: %s", r->where, cmd, st, nl ? nl + 1 : m);
		free(cmd);
	}
	sbuf_free(&er);
	return rc;
}
