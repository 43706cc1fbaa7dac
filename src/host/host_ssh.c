/* The "ssh:USER@HOST[:PORT]" host: a dom0 reached with the OpenSSH client,
 * BatchMode, one ControlMaster connection per host whose socket lives in a
 * private temporary folder; every remote command line goes through
 * shquote_argv. */
#include "host/host.h"

#include "base/shquote.h"
#include "base/sshargv.h"
#include "base/text.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ssh_state {
	char dir[64];          /* private folder of the control socket */
	char *dest;            /* USER@HOST */
	char *port;            /* NULL: ssh's default */
	char **opts;           /* every ssh option, NULL-terminated */
};

int host_ssh_split(const char *arg, char **dest, char **port)
{
	const char *at, *colon;

	if (!arg || !(at = strchr(arg, '@')) || at == arg || !at[1])
		return -EINVAL;
	for (const char *p = arg; *p; p++)
		if (isspace((unsigned char)*p) || (unsigned char)*p < 0x20 || (*p == '-' && p == arg))
			return -EINVAL;
	colon = strchr(at, ':');
	if (colon) {
		long v = 0;

		if (!colon[1] || colon == at + 1 || strlen(colon + 1) > 5)
			return -EINVAL;
		for (const char *p = colon + 1; *p; p++) {
			if (!isdigit((unsigned char)*p))
				return -EINVAL;
			v = v * 10 + (*p - '0');
		}
		if (v < 1 || v > 65535)
			return -EINVAL;
	}
	if (at[1] == '-' || strchr(at + 1, '@') || memchr(arg, ':', (size_t)(at - arg)))
		return -EINVAL;
	if (dest)
		*dest = xstrndup(arg, colon ? (size_t)(colon - arg) : strlen(arg));
	if (port)
		*port = colon ? xstrdup(colon + 1) : NULL;
	return 0;
}

static int ssh_check(const char *arg, struct err *e)
{
	if (host_ssh_split(arg, NULL, NULL))
		return err_set(e, -EINVAL, "'%s' is not USER@HOST[:PORT] (port 1..65535)", arg ? arg : "");
	return 0;
}

/* Runs ssh with the shared options, then the words of pre (NULL-terminated,
 * may be NULL), the destination and cmd (NULL: none). */
static int ssh_exec(struct ssh_state *s, char *const pre[], char *const cmd[], const struct proc_opts *o,
		    int *status, struct err *e)
{
	char **opts = NULL, **argv;
	size_t n = 0;
	int rc;

	for (size_t k = 0; s->opts[k]; k++)
		argv_add(&opts, &n, s->opts[k]);
	for (size_t k = 0; pre && pre[k]; k++)
		argv_add(&opts, &n, pre[k]);
	argv = ssh_argv(opts, s->dest, cmd, NULL);
	rc = proc_run(argv, o, status, e);
	argv_free(argv);
	argv_free(opts);
	return rc;
}

static void ssh_free(struct ssh_state *s)
{
	char sock[96];

	snprintf(sock, sizeof(sock), "%s/cm", s->dir);
	unlink(sock);
	rmdir(s->dir);
	free(s->dest);
	free(s->port);
	argv_free(s->opts);
	free(s);
}

static void ssh_close(struct host *h)
{
	struct ssh_state *s = h->priv;
	char *pre[] = { "-O", "exit", NULL };
	struct sbuf eo = SBUF_INIT;
	struct proc_opts o = { .errout = &eo, .out = &eo, .timeout_ms = 10000 };
	int st;

	if (!s)
		return;
	(void)ssh_exec(s, pre, NULL, &o, &st, NULL);
	sbuf_free(&eo);
	ssh_free(s);
	h->priv = NULL;
}

static void build_opts(struct host *h, struct ssh_state *s)
{
	char buf[128];
	size_t n = 0;

	argv_add(&s->opts, &n, "-oBatchMode=yes");
	argv_add(&s->opts, &n, "-oControlMaster=auto");
	snprintf(buf, sizeof(buf), "-oControlPath=%s/cm", s->dir);
	argv_add(&s->opts, &n, buf);
	argv_add(&s->opts, &n, "-oControlPersist=120");
	snprintf(buf, sizeof(buf), "-oConnectTimeout=%llu",
		 (unsigned long long)(h->conf.connect_timeout_ms + 999) / 1000);
	argv_add(&s->opts, &n, buf);
	argv_add(&s->opts, &n, "-oServerAliveInterval=15");
	argv_add(&s->opts, &n, "-oStrictHostKeyChecking=accept-new");
	argv_add(&s->opts, &n, "-T");
	if (s->port) {
		argv_add(&s->opts, &n, "-p");
		argv_add(&s->opts, &n, s->port);
	}
	for (size_t k = 0; h->conf.ssh_options && h->conf.ssh_options[k]; k++)
		argv_add(&s->opts, &n, h->conf.ssh_options[k]);
}

static int ssh_open(struct host *h, struct err *e)
{
	struct ssh_state *s = xcalloc(1, sizeof(*s));
	struct sbuf eo = SBUF_INIT;
	char *cmd[] = { "true", NULL }, line[512];
	struct proc_opts o = { .errout = &eo, .timeout_ms = h->conf.connect_timeout_ms + 5000 };
	int rc, st = -1;

	(void)host_ssh_split(h->arg, &s->dest, &s->port);
	strcpy(s->dir, "/tmp/vmlab-ssh.XXXXXX");
	if (!mkdtemp(s->dir)) {
		rc = err_set(e, -errno, "%s: cannot create a private folder: %s", h->spec, strerror(errno));
		free(s->dest);
		free(s->port);
		free(s);
		return rc;
	}
	build_opts(h, s);
	rc = ssh_exec(s, NULL, cmd, &o, &st, e);
	if (rc == -ETIMEDOUT)
		rc = err_set(e, -EHOSTUNREACH, "%s: unreachable: no answer within %llu s", h->spec,
			     (unsigned long long)(h->conf.connect_timeout_ms + 999) / 1000);
	else if (rc)
		rc = err_set(e, -EHOSTUNREACH, "%s: unreachable: %.900s", h->spec, e ? e->msg : "");
	else if (st != 0)
		rc = err_set(e, -EHOSTUNREACH, "%s: unreachable: %s", h->spec,
			     eo.len ? text_last_line(sbuf_str(&eo), eo.len, line, sizeof(line)) : "ssh failed");
	sbuf_free(&eo);
	if (rc) {
		h->priv = s;
		ssh_close(h);
		return rc;
	}
	h->priv = s;
	return 0;
}

static int ssh_run(struct host *h, char *const argv[], const struct proc_opts *o, int *status, struct err *e)
{
	struct proc_opts so = *o;
	int rc;

	so.cwd = NULL;
	so.envp = NULL;
	rc = ssh_exec(h->priv, NULL, argv, &so, status, e);
	if (!rc && *status == 255)
		rc = err_set(e, -EHOSTUNREACH, "%s: connection lost", h->spec);
	return rc;
}

static char **ssh_jump(struct host *h)
{
	struct ssh_state *s = h->priv;
	char **opts = NULL, **av;
	size_t n = 0;

	for (size_t k = 0; s->opts[k]; k++)
		argv_add(&opts, &n, s->opts[k]);
	argv_add(&opts, &n, "-W");
	argv_add(&opts, &n, "%h:%p");
	av = ssh_argv(opts, s->dest, NULL, NULL);
	argv_free(opts);
	return av;
}

const struct host_ops host_ssh_ops = {
	"ssh", "ssh:USER@HOST[:PORT]", ssh_check, ssh_open, ssh_run, ssh_jump, ssh_close, 0,
};
