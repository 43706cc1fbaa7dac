/* The "ssh:USER@HOST[:PORT]" environment: copies this vmlab to
 * ~/.cache/vmlab/vmlab on the remote host and runs it there through the
 * OpenSSH client (BatchMode, one ControlMaster connection reused, its socket
 * in a private temporary folder). Remote command lines go through shquote. */
#include "run/env.h"
#include "base/fileio.h"
#include "base/proc.h"
#include "base/shquote.h"
#include "base/sshargv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REMOTE_DIR ".cache/vmlab"
#define REMOTE_BIN ".cache/vmlab/vmlab"

struct ssh_state {
	char dir[64];          /* private folder of the control socket */
	char *dest;            /* USER@HOST */
	char *port;            /* NULL: ssh's default */
	char ctl[128];         /* -oControlPath=... */
	char cto[64];          /* -oConnectTimeout=... */
};

/* Splits USER@HOST[:PORT]; returns 0 or -EINVAL. */
static int split(const char *arg, char **dest, char **port)
{
	const char *at, *colon;

	if (!arg || !(at = strchr(arg, '@')) || at == arg || !at[1])
		return -EINVAL;
	for (const char *p = arg; *p; p++)
		if (isspace((unsigned char)*p) || (*p == '-' && p == arg))
			return -EINVAL;
	colon = strchr(at, ':');
	if (colon) {
		if (!colon[1] || colon == at + 1)
			return -EINVAL;
		for (const char *p = colon + 1; *p; p++)
			if (!isdigit((unsigned char)*p))
				return -EINVAL;
	}
	if (dest)
		*dest = xstrndup(arg, colon ? (size_t)(colon - arg) : strlen(arg));
	if (port)
		*port = colon ? xstrdup(colon + 1) : NULL;
	return 0;
}

static int ssh_check(const char *arg, struct err *e)
{
	if (split(arg, NULL, NULL))
		return err_set(e, -EINVAL, "environment 'ssh:%s': expected ssh:USER@HOST[:PORT]",
			       arg ? arg : "");
	return 0;
}

/* Runs ssh with the shared options, then the words of pre (NULL-terminated,
 * may be NULL), the destination and the remote command line sh (NULL: none). */
static int ssh_run(struct env *v, char *const pre[], const char *sh, const struct proc_opts *o,
		   int *status, struct err *e)
{
	struct ssh_state *s = v->priv;
	char **opts = NULL, **argv;
	size_t n = 0;
	int rc;

	argv_add(&opts, &n, "-oBatchMode=yes");
	argv_add(&opts, &n, "-oControlMaster=auto");
	argv_add(&opts, &n, s->ctl);
	argv_add(&opts, &n, "-oControlPersist=120");
	argv_add(&opts, &n, s->cto);
	argv_add(&opts, &n, "-oServerAliveInterval=15");
	argv_add(&opts, &n, "-oStrictHostKeyChecking=accept-new");
	if (s->port) {
		argv_add(&opts, &n, "-p");
		argv_add(&opts, &n, s->port);
	}
	for (size_t k = 0; v->ssh_options && v->ssh_options[k]; k++)
		argv_add(&opts, &n, v->ssh_options[k]);
	for (size_t k = 0; pre && pre[k]; k++)
		argv_add(&opts, &n, pre[k]);
	argv = ssh_argv(opts, s->dest, NULL, sh);
	rc = proc_run(argv, o, status, e);
	argv_free(argv);
	argv_free(opts);
	return rc;
}

/* Last non-empty line of text (ssh's reason comes after its warnings), into buf. */
static const char *last_line(const char *text, char *buf, size_t len)
{
	size_t n = strlen(text);
	const char *p;

	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
		n--;
	p = memrchr(text, '\n', n);
	p = p ? p + 1 : text;
	snprintf(buf, len, "%.*s", (int)(text + n - p), p);
	return buf;
}

static void ssh_close(struct env *v)
{
	struct ssh_state *s = v->priv;

	if (!s)
		return;
	char *pre[] = { "-O", "exit", NULL };
	struct sbuf eo = SBUF_INIT;
	struct proc_opts o = { .errout = &eo, .out = &eo, .timeout_ms = 10000 };
	int st;
	(void)ssh_run(v, pre, NULL, &o, &st, NULL);
	sbuf_free(&eo);
	char sock[96];
	snprintf(sock, sizeof(sock), "%s/cm", s->dir);
	unlink(sock);
	rmdir(s->dir);
	free(s->dest);
	free(s->port);
	free(s);
	v->priv = NULL;
}

static int ssh_open(struct env *v, struct err *e)
{
	struct ssh_state *s = xcalloc(1, sizeof(*s));
	struct sbuf bin = SBUF_INIT, out = SBUF_INIT, eo = SBUF_INIT;
	char line[512];
	int rc, st = -1;

	split(v->arg, &s->dest, &s->port);
	strcpy(s->dir, "/tmp/vmlab-ssh.XXXXXX");
	if (!mkdtemp(s->dir)) {
		rc = err_set(e, -errno, "%s: cannot create a private folder: %s", v->name,
			     strerror(errno));
		free(s->dest);
		free(s->port);
		free(s);
		return rc;
	}
	snprintf(s->ctl, sizeof(s->ctl), "-oControlPath=%s/cm", s->dir);
	snprintf(s->cto, sizeof(s->cto), "-oConnectTimeout=%llu",
		 (unsigned long long)(v->connect_timeout_ms + 999) / 1000);
	v->priv = s;

	rc = file_read(proc_self_exe(), &bin, e);
	if (rc)
		goto fail;
	{
		char *cmd = NULL;
		struct sbuf c = SBUF_INIT;
		sbuf_printf(&c, "mkdir -p %s && cat > %s.new && chmod 755 %s.new && mv -f %s.new %s",
			    REMOTE_DIR, REMOTE_BIN, REMOTE_BIN, REMOTE_BIN, REMOTE_BIN);
		cmd = sbuf_take(&c);
		struct proc_opts o = { .stdin_data = bin.buf, .stdin_len = bin.len, .out = &out,
				       .errout = &eo,
				       .timeout_ms = v->connect_timeout_ms + 120000 };
		rc = ssh_run(v, NULL, cmd, &o, &st, e);
		free(cmd);
	}
	if (!rc && st != 0)
		rc = err_set(e, st == 255 ? -EHOSTUNREACH : -EIO, "%s: unreachable: %s", v->name,
			     eo.len ? last_line(sbuf_str(&eo), line, sizeof(line))
				    : "ssh failed");
	else if (rc) {
		char why[sizeof(e->msg)];
		snprintf(why, sizeof(why), "%s", e->msg);
		err_set(e, rc, "%s: unreachable: %.900s", v->name, why);
	}
	if (rc)
		goto fail;
	sbuf_reset(&out);
	sbuf_reset(&eo);
	{
		char *args[] = { "run", "--facts", NULL };
		rc = v->ops->exec(v, args, v->connect_timeout_ms + 30000, &out, &eo, &st, e);
	}
	if (!rc && st != 0)
		rc = err_set(e, -EIO, "%s: vmlab run --facts failed there (exit %d): %s", v->name, st,
			     last_line(sbuf_str(&eo), line, sizeof(line)));
	if (!rc)
		rc = host_facts_parse(sbuf_str(&out), out.len, &v->facts, e);
	if (rc)
		goto fail;
	v->label = xstrdup("remote host");
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

static int ssh_exec(struct env *v, char *const args[], uint64_t timeout_ms, struct sbuf *out,
		    struct sbuf *errout, int *status, struct err *e)
{
	char **argv = argv_prefixed(REMOTE_BIN, args);
	char *cmd = shquote_argv(argv);
	int rc;
	struct proc_opts o = { .out = out, .errout = errout, .timeout_ms = timeout_ms,
			       .started = v->on_child, .started_ctx = v->child_ctx };
	rc = ssh_run(v, NULL, cmd, &o, status, e);
	if (!rc && *status == 255)
		rc = err_set(e, -EHOSTUNREACH, "%s: connection lost", v->name);
	free(cmd);
	argv_free(argv);
	return rc;
}

const struct env_ops env_ssh_ops = {
	"ssh", "ssh:USER@HOST[:PORT]", ssh_check, ssh_open, ssh_exec, ssh_close,
};
