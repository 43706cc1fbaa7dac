/* The "testbed:bare|pv|pvh|hvm" environments: the vmlab testbed (real Xen in
 * QEMU, src/testbed), driven through its library. bare runs in the testbed
 * machine booted without Xen; pv, pvh and hvm in a guest created on open and
 * destroyed on close. Results are labelled as emulated hardware. */
#include "run/env.h"
#include "base/proc.h"
#include "testbed/boot.h"
#include "testbed/exec.h"
#include "testbed/guest.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LABEL "testbed (emulated hardware)"
#define UP_TIMEOUT_S (15 * 60)
#define DOWN_TIMEOUT_S 60
#define FIRST_PORT 10022

struct tb_env {
	struct tb_paths p;
	struct tb_state s;     /* the running testbed */
	struct tb_guest g;     /* the guest we created (g.name[0] == 0 for bare) */
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

/* Rewrites a failed testbed step's error as "ENV: unreachable: testbed STEP: why". */
static int unreachable(struct env *v, const char *step, struct err *e)
{
	char why[sizeof(e->msg)];

	snprintf(why, sizeof(why), "%s", e->msg[0] ? e->msg : "failed");
	return err_set(e, -EHOSTUNREACH, "%s: unreachable: vmlab testbed %s: %.800s", v->name,
		       step, why);
}

static void tb_close(struct env *v)
{
	struct tb_env *s = v->priv;

	if (!s)
		return;
	if (s->g.name[0]) {
		struct err e = { 0 };

		(void)tb_guest_down(&s->p, &s->s, &s->g, &e);
	}
	free(s);
	v->priv = NULL;
}

/* Runs cmd[] in the testbed machine (bare) or our guest. */
static int tb_raw(struct env *v, char *const cmd[], uint64_t timeout_ms, struct sbuf *out,
		  struct sbuf *errout, int *status, struct err *e)
{
	struct tb_env *s = v->priv;

	return tb_exec(&s->p, &s->s, s->g.name[0] ? s->g.ip : NULL, cmd, timeout_ms, out, errout, status, e);
}

/* The testbed images carry /usr/bin/vmlab, copied when they were built. */
static int tb_exec_vmlab(struct env *v, char *const args[], uint64_t timeout_ms, struct sbuf *out,
			 struct sbuf *errout, int *status, struct err *e)
{
	char **argv = argv_prefixed("vmlab", args);
	int rc = tb_raw(v, argv, timeout_ms, out, errout, status, e);

	argv_free(argv);
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

/* Boots the testbed in the mode v needs (taking one in the other mode down
 * first) and, for pv, pvh and hvm, creates our guest. */
static int tb_bring_up(struct env *v, struct tb_env *s, struct err *e)
{
	struct sbuf log = SBUF_INIT;
	struct tb_up_opts o = { .bare = !strcmp(v->arg, "bare"), .timeout_s = UP_TIMEOUT_S,
				.start_port = FIRST_PORT, .build_log = &log };
	struct tb_guest_opts go = { .type = v->arg, .memory_mib = v->guest_memory_mb, .tsc_mode = v->tsc_mode };
	char name[64];
	uint64_t took_ms;
	int rc, already, how;

	if ((rc = tb_paths_get(&s->p, e)) < 0)
		return unreachable(v, "up", e);
	rc = tb_up(&s->p, &o, NULL, &s->s, &already, e);
	if (rc == -EBUSY) {
		/* the testbed is up in one mode at a time: bare (no Xen) or xen */
		if ((rc = tb_down(&s->p, DOWN_TIMEOUT_S, &s->s, &how, e)) == 0)
			rc = tb_up(&s->p, &o, NULL, &s->s, &already, e);
	}
	sbuf_free(&log);
	if (rc < 0)
		return unreachable(v, o.bare ? "up --bare" : "up", e);
	if (o.bare)
		return 0;
	snprintf(name, sizeof(name), "vmlab-run-%s-%ld", v->arg, (long)getpid());
	go.name = name;
	rc = tb_guest_up(&s->p, &s->s, &go, &s->g, &took_ms, NULL, e);
	if (rc < 0) {
		memset(&s->g, 0, sizeof(s->g));
		return unreachable(v, "guest up", e);
	}
	return 0;
}

static int tb_open(struct env *v, struct err *e)
{
	struct tb_env *s = xcalloc(1, sizeof(*s));
	struct sbuf out = SBUF_INIT, eo = SBUF_INIT;
	bool bare = !strcmp(v->arg, "bare");
	int rc, st = -1;

	v->priv = s;
	v->label = xstrdup(LABEL);
	if (!tb_looked) {
		tb_looked = 1;
		tb_found_up = tb_running();
	}
	if ((rc = tb_bring_up(v, s, e)))
		goto fail;
	{
		char *args[] = { "run", "--facts", NULL };
		rc = tb_exec_vmlab(v, args, 5 * 60 * 1000, &out, &eo, &st, e);
	}
	if (!rc && st != 0)
		rc = tb_plain_facts(v, e);
	else if (!rc)
		rc = host_facts_parse(sbuf_str(&out), out.len, &v->facts, e);
	if (rc)
		goto fail;
	if (!bare) {
		/* the hypervisor's facts come from dom0's xl info */
		char *xl[] = { "xl", "info", NULL };
		struct err ignored = { 0 };

		sbuf_reset(&out);
		if (tb_exec(&s->p, &s->s, NULL, xl, 60000, &out, NULL, &st, &ignored) == 0 && st == 0)
			host_facts_from_xl_info(&v->facts, sbuf_str(&out));
		free(v->facts.guest_type);
		v->facts.guest_type = xstrdup(v->arg);
		free(v->facts.tsc_mode);
		v->facts.tsc_mode = xstrdup(v->tsc_mode ? v->tsc_mode : TB_TSC_MODE_DEFAULT);
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
	struct tb_paths p;
	struct tb_state s;
	struct err e = { 0 };
	int how;

	if (tb_looked && !tb_found_up && tb_running() && tb_paths_get(&p, &e) == 0)
		(void)tb_down(&p, DOWN_TIMEOUT_S, &s, &how, &e);
	tb_looked = tb_found_up = 0;
}

const struct env_ops env_testbed_ops = {
	"testbed", "testbed:bare|pv|pvh|hvm", tb_check, tb_open, tb_exec_vmlab, tb_close, tb_finish,
};
