/* The "testbed:bare|pv|pvh|hvm" environments: the vmlab testbed (real Xen in
 * QEMU, src/testbed), booted when it is not up. bare runs in the testbed
 * machine booted without Xen; pv, pvh and hvm are short names of
 * xen:TYPE@testbed (env_xen.c): a guest created on open and destroyed on
 * close. Results are labelled as emulated hardware. */
#include "run/env.h"
#include "base/proc.h"
#include "testbed/boot.h"
#include "testbed/exec.h"
#include "testbed/guest.h"
#include "base/text.h"

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

/* Rewrites a failed testbed step's error as "ENV: unreachable: testbed STEP: why". */
static int unreachable(struct env *v, const char *step, struct err *e)
{
	char why[sizeof(e->msg)];

	snprintf(why, sizeof(why), "%s", e->msg[0] ? e->msg : "failed");
	return err_set(e, -EHOSTUNREACH, "%s: unreachable: vmlab testbed %s: %.800s", v->name,
		       step, why);
}

static int is_bare(const struct env *v)
{
	return !strcmp(v->arg, "bare");
}

/* Undoes open: the guest of pv, pvh and hvm (env_xen.c); bare holds only
 * its struct tb_env. */
static void tb_close(struct env *v)
{
	if (!v->priv)
		return;
	if (!is_bare(v)) {
		env_xen_close(v);
		return;
	}
	free(v->priv);
	v->priv = NULL;
}

/* Runs cmd[] in the testbed machine (bare). */
static int tb_raw(struct env *v, char *const cmd[], uint64_t timeout_ms, struct sbuf *out,
		  struct sbuf *errout, int *status, struct err *e)
{
	struct tb_env *s = v->priv;

	return tb_exec(&s->p, &s->s, NULL, cmd, timeout_ms, out, errout, status, e);
}

/* The testbed images carry /usr/bin/vmlab, copied when they were built. */
static int tb_exec_vmlab(struct env *v, char *const args[], uint64_t timeout_ms, struct sbuf *out,
			 struct sbuf *errout, int *status, struct err *e)
{
	if (!is_bare(v))
		return env_xen_exec(v, args, timeout_ms, out, errout, status, e);
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
				     st, text_last_line(sbuf_str(&eo), eo.len, line, sizeof(line)));
	}
	if (!rc) {
		v->facts.kernel = xstrdup(text_last_line(sbuf_str(&out[0]), out[0].len, line, sizeof(line)));
		v->facts.hostname = xstrdup(text_last_line(sbuf_str(&out[1]), out[1].len, line, sizeof(line)));
		host_facts_from_cpuinfo(&v->facts, sbuf_str(&out[2]));
	}
	for (size_t i = 0; i < 3; i++)
		sbuf_free(&out[i]);
	sbuf_free(&eo);
	return rc;
}

/* Boots the testbed in the mode v needs (taking one in the other mode down
 * first). bare boots with as many CPUs as the guests get vCPUs (the
 * experiment's vcpus, else TB_GUEST_VCPUS_DEFAULT): the same shape as the
 * guests it is the baseline of (measured under TCG: a new process's first
 * iteration of flow took 2.4-6.6x its fourth on a 2-CPU bare machine,
 * 1.3-2.1x on a 1-CPU one, about 1x in a 1-vCPU PV guest). */
static int tb_bring_up(struct env *v, struct tb_env *s, struct err *e)
{
	struct sbuf log = SBUF_INIT;
	struct tb_up_opts o = { .bare = is_bare(v), .timeout_s = UP_TIMEOUT_S,
				.start_port = FIRST_PORT, .build_log = &log };
	int rc, already, how;

	if (o.bare)
		o.cpus = v->guest_vcpus > 0 ? (int)v->guest_vcpus : TB_GUEST_VCPUS_DEFAULT;

	if ((rc = tb_paths_get(&s->p, e)) < 0)
		return unreachable(v, "up", e);
	/* one found up in the mode v needs is used as it is, whatever its
	 * --cpus, --xen-args or --net (its facts record them) */
	if (tb_state_load(&s->p, &s->s, NULL) == 0 && tb_state_alive(&s->s) &&
	    !strcmp(s->s.mode, o.bare ? "bare" : "xen")) {
		sbuf_free(&log);
		return 0;
	}
	rc = tb_up(&s->p, &o, NULL, &s->s, &already, e);
	if (rc == -EBUSY) {
		/* the testbed is up in one mode at a time: bare (no Xen) or xen */
		if ((rc = tb_down(&s->p, DOWN_TIMEOUT_S, &s->s, &how, e)) == 0)
			rc = tb_up(&s->p, &o, NULL, &s->s, &already, e);
	}
	sbuf_free(&log);
	if (rc < 0)
		return unreachable(v, o.bare ? "up --bare" : "up", e);
	return 0;
}

static int tb_open(struct env *v, struct err *e)
{
	struct tb_env *s = xcalloc(1, sizeof(*s));
	struct sbuf out = SBUF_INIT, eo = SBUF_INIT;
	int rc, st = -1;

	if (!tb_looked) {
		tb_looked = 1;
		tb_found_up = tb_running();
	}
	if ((rc = tb_bring_up(v, s, e))) {
		free(s);
		return rc;
	}
	if (!is_bare(v)) {
		free(s);
		return env_xen_open_on(v, v->arg, "testbed", e);
	}
	v->priv = s;
	v->label = xstrdup(LABEL);
	{
		char *args[] = { "run", "--facts", NULL };
		rc = tb_exec_vmlab(v, args, 5 * 60 * 1000, &out, &eo, &st, e);
	}
	if (!rc && st != 0)
		rc = tb_plain_facts(v, e);
	else if (!rc)
		rc = host_facts_parse(sbuf_str(&out), out.len, &v->facts, e);
	sbuf_free(&out);
	sbuf_free(&eo);
	if (rc)
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

/* pv, pvh, hvm: the guest's testbed dom0; bare: none. */
static struct host *tb_dom0(struct env *v, const char **domain)
{
	return is_bare(v) ? NULL : env_xen_dom0(v, domain);
}

const struct env_ops env_testbed_ops = {
	"testbed", "testbed:bare|pv|pvh|hvm", tb_check, tb_open, tb_exec_vmlab, tb_close, tb_finish,
	tb_dom0,
};
