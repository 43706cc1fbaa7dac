/* The host registry and what every back end shares: files and xl through run. */
#include "host/host.h"

#include "base/fileio.h"
#include "base/shquote.h"
#include "base/sshargv.h"
#include "base/text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XL_TIMEOUT_MS 60000
#define COPY_TIMEOUT_MS 600000

static const struct host_ops *const registry[] = {
	&host_local_ops,
	&host_ssh_ops,
	&host_testbed_ops,
};

#define NREG (sizeof(registry) / sizeof(registry[0]))

static const struct host_ops *lookup(const char *spec, const char **arg)
{
	const char *c = strchr(spec, ':');
	size_t n = c ? (size_t)(c - spec) : strlen(spec);

	*arg = c ? c + 1 : NULL;
	for (size_t k = 0; k < NREG; k++)
		if (strlen(registry[k]->kind) == n && !strncmp(registry[k]->kind, spec, n))
			return registry[k];
	return NULL;
}

int host_check(const char *spec, struct err *e)
{
	const char *arg;
	const struct host_ops *ops = lookup(spec, &arg);
	struct err sub = { 0 };

	if (!ops)
		return err_set(e, -EINVAL, "host '%s': unknown kind of host (local, ssh:USER@HOST[:PORT], "
			       "testbed[:NAME])", spec);
	if (ops->check(arg, &sub))
		return err_set(e, -EINVAL, "host '%s': %s (expected %s)", spec, sub.msg, ops->syntax);
	return 0;
}

int host_open(struct host *h, const char *spec, const struct host_conf *c, struct err *e)
{
	int rc;

	memset(h, 0, sizeof(*h));
	if ((rc = host_check(spec, e)))
		return rc;
	h->spec = xstrdup(spec);
	h->ops = lookup(h->spec, &h->arg);
	if (c)
		h->conf = *c;
	if (!h->conf.connect_timeout_ms)
		h->conf.connect_timeout_ms = 10000;
	h->testbed = h->ops->testbed;
	if ((rc = h->ops->open(h, e))) {
		free(h->spec);
		memset(h, 0, sizeof(*h));
	}
	return rc;
}

void host_close(struct host *h)
{
	if (!h->ops)
		return;
	h->ops->close(h);
	free(h->spec);
	memset(h, 0, sizeof(*h));
}

int host_is_testbed(const struct host *h)
{
	return h->ops && h->testbed;
}

int host_run(struct host *h, char *const argv[], const struct proc_opts *o, int *status, struct err *e)
{
	return h->ops->run(h, argv, o, status, e);
}

/* host_run_ok with stdin. */
static int run_in(struct host *h, char *const argv[], const void *in, size_t in_len, uint64_t timeout_ms,
		  struct sbuf *out, struct err *e)
{
	struct sbuf eo = SBUF_INIT, drop = SBUF_INIT;
	struct proc_opts o = { .stdin_data = in, .stdin_len = in_len, .out = out ? out : &drop,
			       .errout = &eo, .timeout_ms = timeout_ms };
	char line[400];
	int st = -1, rc = host_run(h, argv, &o, &st, e);

	if (!rc && st != 0) {
		char *cmd = shquote_argv(argv);

		rc = err_set(e, st == 127 ? -ENOENT : -EIO, "%s: %.200s: exit %d: %s", h->spec, cmd, st,
			     eo.len ? text_last_line(sbuf_str(&eo), eo.len, line, sizeof(line)) : "no message");
		free(cmd);
	}
	sbuf_free(&eo);
	sbuf_free(&drop);
	return rc;
}

int host_run_ok(struct host *h, char *const argv[], uint64_t timeout_ms, struct sbuf *out, struct err *e)
{
	return run_in(h, argv, NULL, 0, timeout_ms, out, e);
}

int host_put(struct host *h, const void *data, size_t n, const char *path, int exec, struct err *e)
{
	/* $1 is the path, passed as a word: the script itself is fixed text */
	char *argv[] = { "sh", "-c",
			 "umask 022 && cat > \"$1.vmlab-new\" && chmod \"$2\" \"$1.vmlab-new\" && "
			 "mv -f \"$1.vmlab-new\" \"$1\"",
			 "sh", (char *)path, exec ? "755" : "644", NULL };

	return run_in(h, argv, data, n, COPY_TIMEOUT_MS, NULL, e);
}

int host_copy_to(struct host *h, const char *src, const char *dst, struct err *e)
{
	struct sbuf data = SBUF_INIT;
	int rc = file_read(src, &data, e);

	if (rc == 0)
		rc = host_put(h, data.buf ? data.buf : "", data.len, dst, 0, e);
	sbuf_free(&data);
	return rc;
}

int host_copy_from(struct host *h, const char *src, const char *dst, struct err *e)
{
	struct sbuf data = SBUF_INIT;
	char *argv[] = { "cat", "--", (char *)src, NULL };
	int rc = run_in(h, argv, NULL, 0, COPY_TIMEOUT_MS, &data, e);

	if (rc == 0)
		rc = file_write_atomic(dst, data.buf ? data.buf : "", data.len, e);
	sbuf_free(&data);
	return rc;
}

int host_xl(struct host *h, char *const args[], struct sbuf *out, struct err *e)
{
	char **argv = argv_prefixed("xl", args);
	int rc = host_run_ok(h, argv, XL_TIMEOUT_MS, out, e);

	if (rc == -ENOENT)
		rc = err_set(e, -ENOENT, "%s: xl is not installed there (no Xen toolstack in this dom0?)", h->spec);
	argv_free(argv);
	return rc;
}

/* Runs `xl ARGS...` and hands its output to parse. */
#define XL_PARSED(h, args, label, parse, out, e)                                             \
	({                                                                                   \
		struct sbuf o_ = SBUF_INIT;                                                  \
		int r_ = host_xl(h, args, &o_, e);                                           \
		if (r_ == 0)                                                                 \
			r_ = parse(sbuf_str(&o_), o_.len, label, out, e);                    \
		sbuf_free(&o_);                                                              \
		r_;                                                                          \
	})

int host_xl_info(struct host *h, struct xl_info *out, struct err *e)
{
	char *args[] = { "info", NULL };

	return XL_PARSED(h, args, "xl info", xl_parse_info, out, e);
}

int host_xl_list(struct host *h, struct xl_domains *out, struct err *e)
{
	char *args[] = { "list", NULL };

	return XL_PARSED(h, args, "xl list", xl_parse_list, out, e);
}

int host_xl_vcpu_list(struct host *h, const char *dom, struct xl_vcpus *out, struct err *e)
{
	char *args[] = { "vcpu-list", (char *)dom, NULL };

	return XL_PARSED(h, args, "xl vcpu-list", xl_parse_vcpu_list, out, e);
}

int host_xl_sched(struct host *h, const char *sched, struct xl_sched *out, struct err *e)
{
	char cmd[32];
	char *args[] = { cmd, NULL };

	if (strcmp(sched, "credit") && strcmp(sched, "credit2"))
		return err_set(e, -EINVAL, "scheduler '%s': expected credit or credit2", sched);
	snprintf(cmd, sizeof(cmd), "sched-%s", sched);
	return XL_PARSED(h, args, cmd, xl_parse_sched, out, e);
}

int host_xl_cpupools(struct host *h, struct xl_cpupools *out, struct err *e)
{
	char *args[] = { "cpupool-list", NULL };

	return XL_PARSED(h, args, "xl cpupool-list", xl_parse_cpupool_list, out, e);
}
