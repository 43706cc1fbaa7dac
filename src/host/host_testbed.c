/* The "testbed[:NAME]" host: the dom0 of the running vmlab testbed
 * (src/testbed), reached by the ssh back end with the testbed's loopback
 * port and key: testbed (the default, "a") or testbed:NAME, a testbed
 * started with `vmlab testbed up --name NAME`. */
#include "host/host.h"

#include "base/sshargv.h"
#include "testbed/testbed.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_NAME "a"

static int tb_check(const char *arg, struct err *e)
{
	if (arg && !tb_name_valid(arg))
		return err_set(e, -EINVAL, "testbed name '%s': 1..%d of a-z, 0-9 and '-', starting with "
			       "a letter or digit", arg, TB_NAME_MAX);
	return 0;
}

static int tb_open(struct host *h, struct err *e)
{
	struct host *ssh = xcalloc(1, sizeof(*ssh));
	struct host_conf c = h->conf;
	struct tb_paths p;
	struct tb_state s;
	char **opts = NULL, spec[64];
	size_t n = 0;
	int rc;

	if ((rc = tb_paths_named(&p, h->arg, e)) < 0) {
		free(ssh);
		return rc;
	}
	rc = tb_state_load(&p, &s, e);
	if (rc == -ENOENT || (rc == 0 && !tb_state_alive(&s))) {
		free(ssh);
		return err_set(e, -ENOENT, "no testbed named %s is up (start it with 'vmlab testbed up%s%s')",
			       h->arg ? h->arg : DEFAULT_NAME, h->arg ? " --name " : "", h->arg ? h->arg : "");
	}
	if (rc < 0) {
		free(ssh);
		return rc;
	}
	tb_ssh_opts(&p, &opts, &n);
	for (size_t k = 0; h->conf.ssh_options && h->conf.ssh_options[k]; k++)
		argv_add(&opts, &n, h->conf.ssh_options[k]);
	c.ssh_options = opts;
	snprintf(spec, sizeof(spec), "ssh:root@127.0.0.1:%d", s.port);
	rc = host_open(ssh, spec, &c, e);
	argv_free(opts);
	if (rc) {
		free(ssh);
		return rc;
	}
	ssh->conf.ssh_options = NULL;   /* copied by the open; opts is gone */
	h->priv = ssh;
	return 0;
}

static int tb_run(struct host *h, char *const argv[], const struct proc_opts *o, int *status, struct err *e)
{
	return host_run(h->priv, argv, o, status, e);
}

static char **tb_jump(struct host *h)
{
	struct host *ssh = h->priv;

	return ssh->ops->jump_argv(ssh);
}

static void tb_close(struct host *h)
{
	if (!h->priv)
		return;
	host_close(h->priv);
	free(h->priv);
	h->priv = NULL;
}

const struct host_ops host_testbed_ops = {
	"testbed", "testbed[:NAME]", tb_check, tb_open, tb_run, tb_jump, tb_close, 1,
};
