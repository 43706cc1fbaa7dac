/* The "ssh:USER@HOST[:PORT]" environment: copies this vmlab to
 * ~/.cache/vmlab/vmlab on the remote host and runs it there, through the ssh
 * host back end (src/host: OpenSSH, one ControlMaster per host). */
#include "run/env.h"
#include "base/fileio.h"
#include "base/proc.h"
#include "base/sshargv.h"
#include "host/host.h"
#include "base/text.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REMOTE_DIR ".cache/vmlab"
#define REMOTE_BIN ".cache/vmlab/vmlab"

static int ssh_check(const char *arg, struct err *e)
{
	if (host_ssh_split(arg, NULL, NULL))
		return err_set(e, -EINVAL, "environment 'ssh:%s': expected ssh:USER@HOST[:PORT]",
			       arg ? arg : "");
	return 0;
}

static void ssh_close(struct env *v)
{
	if (!v->priv)
		return;
	host_close(v->priv);
	free(v->priv);
	v->priv = NULL;
}

static int ssh_exec(struct env *v, char *const args[], uint64_t timeout_ms, struct sbuf *out,
		    struct sbuf *errout, int *status, struct err *e)
{
	char **argv = argv_prefixed(REMOTE_BIN, args);
	int rc;
	struct proc_opts o = { .out = out, .errout = errout, .timeout_ms = timeout_ms,
			       .started = v->on_child, .started_ctx = v->child_ctx };
	rc = host_run(v->priv, argv, &o, status, e);
	argv_free(argv);
	return rc;
}

int env_ssh_open_on(struct env *v, const char *spec, const char *label, struct err *e)
{
	struct host *h = xcalloc(1, sizeof(*h));
	struct host_conf c = { .connect_timeout_ms = v->connect_timeout_ms, .ssh_options = v->ssh_options };
	struct sbuf bin = SBUF_INIT, out = SBUF_INIT, eo = SBUF_INIT;
	char line[512];
	int rc, st = -1;

	if ((rc = host_open(h, spec, &c, e))) {
		free(h);
		return rc;
	}
	v->priv = h;
	if ((rc = file_read(proc_self_exe(), &bin, e)))
		goto fail;
	{
		char *mk[] = { "mkdir", "-p", REMOTE_DIR, NULL };

		if ((rc = host_run_ok(h, mk, v->connect_timeout_ms + 30000, NULL, e)) ||
		    (rc = host_put(h, bin.buf, bin.len, REMOTE_BIN, 1, e)))
			goto fail;
	}
	{
		char *args[] = { "run", "--facts", NULL };
		rc = ssh_exec(v, args, v->connect_timeout_ms + 30000, &out, &eo, &st, e);
	}
	if (!rc && st != 0)
		rc = err_set(e, -EIO, "%s: vmlab run --facts failed there (exit %d): %s", v->name, st,
			     text_last_line(sbuf_str(&eo), eo.len, line, sizeof(line)));
	if (!rc)
		rc = host_facts_parse(sbuf_str(&out), out.len, &v->facts, e);
	if (rc)
		goto fail;
	v->label = xstrdup(label);
	sbuf_free(&bin);
	sbuf_free(&out);
	sbuf_free(&eo);
	return 0;
fail:
	sbuf_free(&bin);
	sbuf_free(&out);
	sbuf_free(&eo);
	ssh_close(v);
	return rc;
}

static int ssh_open(struct env *v, struct err *e)
{
	struct sbuf spec = SBUF_INIT;
	int rc;

	sbuf_printf(&spec, "ssh:%s", v->arg);
	rc = env_ssh_open_on(v, sbuf_str(&spec), "remote host", e);
	sbuf_free(&spec);
	return rc;
}

const struct env_ops env_ssh_ops = {
	"ssh", "ssh:USER@HOST[:PORT]", ssh_check, ssh_open, ssh_exec, ssh_close,
};
