/* The "testbed:bare|pv|pvh|hvm" environments: the vmlab testbed (real Xen in
 * QEMU, see vmlab testbed), driven through its command line. bare runs in
 * the testbed machine booted without Xen; pv, pvh and hvm in a guest created
 * on open and destroyed on close. Results are labelled as emulated hardware. */
#include "run/env.h"
#include "base/proc.h"
#include "testbed/testbed.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LABEL "testbed (emulated hardware)"
#define UP_TIMEOUT_MS (15 * 60 * 1000)

struct tb_env {
	char *guest;           /* name of the guest we created, NULL for bare */
};

/* Whether this process has looked at the testbed yet, and whether it found
 * one running then: a testbed this process booted is taken down by finish,
 * one it found is left up. */
static int tb_looked, tb_found_up;

/* 1 when a testbed runs now (its state names a live QEMU). */
static int tb_running(void)
{
	struct tb_paths p;
	struct tb_state s;
	struct err e = { 0 };

	return tb_paths_get(&p, &e) == 0 && tb_state_load(&p, &s, &e) == 0 && tb_state_alive(&s);
}

static int tb_check(const char *arg, struct err *e)
{
	static const char *const types[] = { "bare", "pv", "pvh", "hvm" };

	for (size_t k = 0; arg && k < sizeof(types) / sizeof(types[0]); k++)
		if (!strcmp(arg, types[k]))
			return 0;
	return err_set(e, -EINVAL, "environment 'testbed:%s': expected testbed:bare, testbed:pv, "
		       "testbed:pvh or testbed:hvm", arg ? arg : "");
}

/* Runs `vmlab testbed ARGS...` (this binary); stdout into out. */
static int tb_cli(char *const args[], uint64_t timeout_ms, struct sbuf *out, struct sbuf *errout,
		  int *status, struct err *e)
{
	size_t n = 0;
	char **argv;
	int rc;

	while (args[n])
		n++;
	argv = xcalloc(n + 3, sizeof(*argv));
	argv[0] = (char *)proc_self_exe();
	argv[1] = "testbed";
	for (size_t k = 0; k < n; k++)
		argv[k + 2] = args[k];
	struct proc_opts o = { .out = out, .errout = errout, .timeout_ms = timeout_ms };
	rc = proc_run(argv, &o, status, e);
	free(argv);
	return rc;
}

static const char *last_line(const struct sbuf *s, char *buf, size_t len)
{
	const char *t = sbuf_str(s);
	size_t n = s->len;

	while (n && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' '))
		n--;
	const char *p = memrchr(t, '\n', n);
	p = p ? p + 1 : t;
	snprintf(buf, len, "%.*s", (int)(t + n - p), p);
	return buf;
}

/* The reason in a failed testbed command's stderr: its last "vmlab ..."
 * message (guest consoles and libxl print around it), else its last line. */
static const char *why_line(const struct sbuf *s, char *buf, size_t len)
{
	const char *t = sbuf_str(s), *found = NULL;

	for (const char *p = t; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
		if (!strncmp(p, "vmlab ", 6))
			found = p;
	if (!found)
		return last_line(s, buf, len);
	snprintf(buf, len, "%.*s", (int)strcspn(found, "\r\n"), found);
	return buf;
}

/* Runs a testbed command that must succeed; its stdout into out, its
 * stderr into errout when non-NULL. */
static int tb_must(struct env *v, char *const args[], uint64_t timeout_ms, struct sbuf *out,
		   struct sbuf *errout, struct err *e)
{
	struct sbuf eo = SBUF_INIT;
	char line[600];
	int st = -1, rc = tb_cli(args, timeout_ms, out, &eo, &st, e);

	if (errout)
		sbuf_add(errout, eo.buf ? eo.buf : "", eo.len);

	if (!rc && st != 0) {
		why_line(&eo, line, sizeof(line));
		if (strstr(line, "unknown command") || strstr(line, "unknown subcommand") ||
		    strstr(line, "not part of this build"))
			rc = err_set(e, -ENOSYS, "%s: not available: this vmlab has no testbed "
				     "(%s)", v->name, line);
		else
			rc = err_set(e, -EHOSTUNREACH, "%s: unreachable: vmlab testbed %s %s: %s",
				     v->name, args[0], args[1] ? args[1] : "",
				     line[0] ? line : "failed");
	} else if (rc) {
		char why[sizeof(e->msg)];
		snprintf(why, sizeof(why), "%s", e->msg);
		err_set(e, rc, "%s: unreachable: %.900s", v->name, why);
	}
	sbuf_free(&eo);
	return rc;
}

static void tb_close(struct env *v)
{
	struct tb_env *s = v->priv;

	if (!s)
		return;
	if (s->guest) {
		char *args[] = { "guest", "down", s->guest, NULL };
		struct sbuf out = SBUF_INIT;
		(void)tb_must(v, args, 5 * 60 * 1000, &out, NULL, NULL);
		sbuf_free(&out);
		free(s->guest);
	}
	free(s);
	v->priv = NULL;
}

/* Runs cmd[] in the testbed machine (bare) or our guest. */
static int tb_raw(struct env *v, char *const cmd[], uint64_t timeout_ms, struct sbuf *out,
		  struct sbuf *errout, int *status, struct err *e)
{
	struct tb_env *s = v->priv;
	size_t n = 0, k = 0;
	char **argv;
	int rc;

	while (cmd[n])
		n++;
	argv = xcalloc(n + 5, sizeof(*argv));
	if (s->guest) {
		argv[k++] = "guest";
		argv[k++] = "exec";
		argv[k++] = s->guest;
	} else {
		argv[k++] = "exec";
	}
	argv[k++] = "--";
	for (size_t i = 0; i < n; i++)
		argv[k++] = cmd[i];
	rc = tb_cli(argv, timeout_ms, out, errout, status, e);
	free(argv);
	return rc;
}

/* The testbed images carry /usr/bin/vmlab, copied when they were built. */
static int tb_exec(struct env *v, char *const args[], uint64_t timeout_ms, struct sbuf *out,
		   struct sbuf *errout, int *status, struct err *e)
{
	size_t n = 0;
	char **argv;
	int rc;

	while (args[n])
		n++;
	argv = xcalloc(n + 2, sizeof(*argv));
	argv[0] = "vmlab";
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = args[i];
	rc = tb_raw(v, argv, timeout_ms, out, errout, status, e);
	free(argv);
	return rc;
}

/* Facts from plain commands, for a vmlab there that predates `run --facts`. */
static int tb_plain_facts(struct env *v, struct err *e)
{
	char *kern[] = { "uname", "-r", NULL }, *host[] = { "uname", "-n", NULL };
	char *cpu[] = { "cat", "/proc/cpuinfo", NULL };
	char *const *cmds[] = { kern, host, cpu };
	struct sbuf out[3] = { SBUF_INIT, SBUF_INIT, SBUF_INIT }, eo = SBUF_INIT;
	char line[600];
	int rc = 0, st = -1;

	for (size_t i = 0; i < 3 && !rc; i++) {
		rc = tb_raw(v, cmds[i], 60000, &out[i], &eo, &st, e);
		if (!rc && st != 0)
			rc = err_set(e, -EIO, "%s: %s failed there (exit %d): %s", v->name, cmds[i][0],
				     st, last_line(&eo, line, sizeof(line)));
	}
	if (!rc) {
		v->facts.kernel = xstrdup(last_line(&out[0], line, sizeof(line)));
		v->facts.hostname = xstrdup(last_line(&out[1], line, sizeof(line)));
		host_facts_from_cpuinfo(&v->facts, sbuf_str(&out[2]));
	}
	for (size_t i = 0; i < 3; i++)
		sbuf_free(&out[i]);
	sbuf_free(&eo);
	return rc;
}

static int tb_open(struct env *v, struct err *e)
{
	struct tb_env *s = xcalloc(1, sizeof(*s));
	struct sbuf out = SBUF_INIT, eo = SBUF_INIT;
	bool bare = !strcmp(v->arg, "bare");
	char line[600];
	int rc, st = -1;

	v->priv = s;
	v->label = xstrdup(LABEL);
	if (!tb_looked) {
		tb_looked = 1;
		tb_found_up = tb_running();
	}
	{
		/* the testbed is up in one mode at a time: bare (no Xen) or xen */
		char *up_bare[] = { "up", "--bare", NULL }, *up[] = { "up", NULL };
		char *down[] = { "down", NULL };
		rc = tb_must(v, bare ? up_bare : up, UP_TIMEOUT_MS, &out, &eo, e);
		if (rc == -EHOSTUNREACH && strstr(sbuf_str(&eo), "testbed down' first")) {
			sbuf_reset(&out);
			rc = tb_must(v, down, UP_TIMEOUT_MS, &out, NULL, e);
			if (!rc)
				rc = tb_must(v, bare ? up_bare : up, UP_TIMEOUT_MS, &out, NULL, e);
		}
		sbuf_reset(&eo);
	}
	if (rc)
		goto fail;
	if (!bare) {
		char name[64];
		snprintf(name, sizeof(name), "vmlab-run-%s-%ld", v->arg, (long)getpid());
		char mem[24];
		snprintf(mem, sizeof(mem), "%ld", v->guest_memory_mb);
		const char *tsc = v->tsc_mode ? v->tsc_mode : "native";
		char *args[] = { "guest", "up", (char *)v->arg, "--name", name, "--tsc-mode", (char *)tsc,
				 v->guest_memory_mb ? "--memory" : NULL, mem, NULL };
		sbuf_reset(&out);
		rc = tb_must(v, args, UP_TIMEOUT_MS, &out, NULL, e);
		if (rc)
			goto fail;
		last_line(&out, line, sizeof(line));
		s->guest = xstrdup(line[0] ? line : name);
	}
	sbuf_reset(&out);
	{
		char *args[] = { "run", "--facts", NULL };
		rc = tb_exec(v, args, 5 * 60 * 1000, &out, &eo, &st, e);
	}
	if (!rc && st != 0)
		rc = tb_plain_facts(v, e);
	else if (!rc)
		rc = host_facts_parse(sbuf_str(&out), out.len, &v->facts, e);
	if (rc)
		goto fail;
	if (!bare) {
		/* the hypervisor's facts come from dom0's xl info */
		char *args[] = { "exec", "--", "xl", "info", NULL };
		sbuf_reset(&out);
		if (tb_must(v, args, 60000, &out, NULL, NULL) == 0)
			host_facts_from_xl_info(&v->facts, sbuf_str(&out));
		free(v->facts.guest_type);
		v->facts.guest_type = xstrdup(v->arg);
		free(v->facts.tsc_mode);
		v->facts.tsc_mode = xstrdup(v->tsc_mode ? v->tsc_mode : "native");
	}
	sbuf_free(&out);
	sbuf_free(&eo);
	return 0;
fail:
	sbuf_free(&out);
	sbuf_free(&eo);
	tb_close(v);
	return rc;
}

/* Takes down the testbed this process booted (none when it found one up). */
static void tb_finish(void)
{
	char *down[] = { "down", NULL };
	struct sbuf out = SBUF_INIT, eo = SBUF_INIT;
	int st = -1;

	if (tb_looked && !tb_found_up && tb_running())
		(void)tb_cli(down, 5 * 60 * 1000, &out, &eo, &st, NULL);
	tb_looked = tb_found_up = 0;
	sbuf_free(&out);
	sbuf_free(&eo);
}

const struct env_ops env_testbed_ops = {
	"testbed", "testbed:bare|pv|pvh|hvm", tb_check, tb_open, tb_exec, tb_close, tb_finish,
};
