/* The "xen:TYPE[@HOST]" environments: a guest on a Xen host (src/host:
 * local, ssh:USER@HOST[:PORT], testbed[:NAME]; default local). TYPE pv, pvh
 * or hvm is a vmlab guest (the testbed's guest kernel and root), a FILE.cfg
 * the user's own guest, checked as `vmlab cfg check` does. The guest is
 * created on open with the environment's shape (read back after `xl
 * create`), reached over ssh (through the host when its guests are behind
 * it) and destroyed on close. */
#include "run/env.h"

#include "base/shquote.h"
#include "base/sshargv.h"
#include "base/text.h"
#include "host/guest.h"
#include "host/host.h"
#include "testbed/tbconst.h"
#include "testbed/testbed.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TB_LABEL "testbed (emulated hardware)"
#define HOST_LABEL "Xen host"

struct xen_env {
	struct host h;
	char name[64];         /* the guest's domain name */
	char type[8];
	char ip[32];
	int created;
	int boots;             /* xl creates of the guest beyond the first (resets at boot) */
	struct env guest;      /* the ssh environment inside the guest */
	char **guest_opts;     /* its ssh options */
};

static int is_cfg(const char *t, size_t n)
{
	return n > 4 && !memcmp(t + n - 4, ".cfg", 4);
}

static int is_type(const char *t, size_t n)
{
	return (n == 2 && !memcmp(t, "pv", 2)) || (n == 3 && (!memcmp(t, "pvh", 3) || !memcmp(t, "hvm", 3)));
}

/* Splits "TYPE[@HOST]" at the first '@' that a host spec follows; type
 * and spec are malloc'd (spec "local" when none is given). */
static int split(const char *arg, char **type, char **spec, struct err *e)
{
	const char *at = arg ? strchr(arg, '@') : NULL;
	struct err first = { 0 };

	for (const char *p = at; p; p = strchr(p + 1, '@')) {
		struct err sub = { 0 };

		if (host_check(p + 1, &sub) == 0) {
			*type = xstrndup(arg, (size_t)(p - arg));
			*spec = xstrdup(p + 1);
			return 0;
		}
		if (!first.code)
			first = sub;
	}
	if (at && first.code)
		return err_set(e, -EINVAL, "environment 'xen:%s': %s", arg, first.msg);
	*type = xstrdup(arg ? arg : "");
	*spec = xstrdup("local");
	return 0;
}

static int xen_check(const char *arg, struct err *e)
{
	char *type = NULL, *spec = NULL;
	int rc = split(arg, &type, &spec, e);

	if (rc == 0 && !is_type(type, strlen(type)) && !is_cfg(type, strlen(type)))
		rc = err_set(e, -EINVAL, "environment 'xen:%s': expected xen:pv, xen:pvh, xen:hvm or "
			     "xen:FILE.cfg, then @HOST (local, ssh:USER@HOST[:PORT], testbed[:NAME])", arg ? arg : "");
	if (rc == 0 && is_cfg(type, strlen(type)) && access(type, R_OK) != 0)
		rc = err_set(e, -ENOENT, "environment 'xen:%s': %s: %s", arg, type, strerror(errno));
	free(type);
	free(spec);
	return rc;
}

/* The ssh options that reach the guest: through the host when its guests
 * are behind it, the testbed's key (the vmlab guests accept it), no host
 * key checks (each boot makes new keys), then the environment's own. */
char **env_xen_guest_ssh_opts(struct host *h, char *const *extra)
{
	char **o = NULL, **jump = h->ops->jump_argv ? h->ops->jump_argv(h) : NULL;
	struct tb_paths p;
	struct err e = { 0 };
	size_t n = 0;

	if (jump) {
		char *line = shquote_argv(jump);
		struct sbuf b = SBUF_INIT;

		sbuf_printf(&b, "-oProxyCommand=%s", line);
		argv_add(&o, &n, sbuf_str(&b));
		sbuf_free(&b);
		free(line);
		argv_free(jump);
	}
	if (tb_paths_get(&p, &e) == 0)
		tb_ssh_opts(&p, &o, &n);
	else {
		argv_add(&o, &n, "-oUserKnownHostsFile=/dev/null");
		argv_add(&o, &n, "-oLogLevel=ERROR");
	}
	for (size_t k = 0; extra && extra[k]; k++)
		argv_add(&o, &n, extra[k]);
	return o;
}

/* The last line of the guest's console log on the host (xenconsoled's
 * guest-NAME.log, an HVM guest's serial NAME-serial.log, as the testbed's
 * dom0 and tb_guest_cfg place them) into buf, or "(none)". */
static void console_tail(struct xen_env *s, char *buf, size_t n)
{
	char path[160], line[400];
	char *argv[] = { "tail", "-c", "2000", path, NULL };
	struct sbuf out = SBUF_INIT;
	struct err e = { 0 };

	snprintf(path, sizeof(path), "/var/log/xen/console/%s%s.log", strcmp(s->type, "hvm") ? "guest-" : s->name,
		 strcmp(s->type, "hvm") ? s->name : "-serial");
	if (host_run_ok(&s->h, argv, 30000, &out, &e) == 0 && out.len)
		snprintf(buf, n, "%s", text_last_line(sbuf_str(&out), out.len, line, sizeof(line)));
	else
		snprintf(buf, n, "(none)");
	sbuf_free(&out);
}

/* Waits until the guest's ssh answers (or it is gone, or timeout_s passed). */
static int wait_ssh(struct env *v, struct xen_env *s, long timeout_s, struct err *e)
{
	struct host_conf c = { .connect_timeout_ms = 5000, .ssh_options = s->guest_opts };
	char spec[64];
	time_t end = time(NULL) + timeout_s;
	struct err last = { 0 };
	char con[320];

	snprintf(spec, sizeof(spec), "ssh:root@%s", s->ip);
	while (time(NULL) < end) {
		struct host g;

		if (host_open(&g, spec, &c, &last) == 0) {
			host_close(&g);
			return 0;
		}
		if (!guest_exists(&s->h, s->name))
			return err_set(e, -EIO, "%s: guest %s stopped before its ssh answered", v->name, s->name);
		sleep(1);
	}
	console_tail(s, con, sizeof(con));
	return err_set(e, -ETIMEDOUT, "%s: guest %s (%s) did not answer ssh within %ld s: %.500s; its console's "
		       "last line: %.300s", v->name, s->name, s->ip, timeout_s, last.msg, con);
}

#define MAX_REBOOTS 2   /* creates once more after a reset at boot */

/* 1 when guest s of type is vmlab's own HVM or PVH guest on a testbed: such
 * a guest triple-faults at boot now and then under TCG's emulated SVM
 * (Xen: "Triple fault - invoking HVM shutdown action 1"), and may be
 * created once more. */
static int may_reboot(const struct xen_env *s, const char *type)
{
	return strcmp(s->type, "pv") && is_type(type, strlen(type)) && host_is_testbed(&s->h) &&
	       s->boots < MAX_REBOOTS;
}

/* Creates guest s once more after a reset at boot (why says how it showed),
 * said on stderr. */
static int reboot_guest(struct xen_env *s, const char *why, struct err *e)
{
	s->boots++;
	fprintf(stderr, "vmlab: guest %s %s (a reset at boot); booting it once more\n", s->name, why);
	return guest_recreate(&s->h, s->name, e);
}

/* guest_readback; a guest gone before it (a reset at boot) is created
 * again and read back once more. */
static int readback_booted(struct xen_env *s, const char *type, const char *sched, const struct guest_shape *sh,
			   struct sbuf *shape, struct err *e)
{
	int rc;

	while ((rc = guest_readback(&s->h, s->name, sched, sh, shape, e)) && may_reboot(s, type) &&
	       !guest_exists(&s->h, s->name)) {
		sbuf_reset(shape);
		if ((rc = reboot_guest(s, "was gone before its settings could be read back", e)))
			return rc;
	}
	return rc;
}

/* wait_ssh; vmlab's own HVM or PVH guest on a testbed that is gone before
 * its ssh answers is created once more from its config. */
static int wait_booted(struct env *v, struct xen_env *s, const char *type, struct err *e)
{
	long t = !strcmp(s->type, "hvm") ? 600 : 180;
	int rc;

	while ((rc = wait_ssh(v, s, t, e)) == -EIO && may_reboot(s, type)) {
		char why[sizeof(e->msg) + 32];

		snprintf(why, sizeof(why), "is gone: %s", e->msg);
		if ((rc = reboot_guest(s, why, e)))
			return rc;
	}
	return rc;
}

/* The host's Xen facts (xl info) and scheduler of pool (NULL: Xen's). */
static int host_facts(struct xen_env *s, const char *pool, struct host_facts *f, char sched[16], struct err *e)
{
	struct sbuf out = SBUF_INIT;
	struct xl_info xi = { 0 };
	struct xl_cpupools cp = { 0 };
	char *args[] = { "info", NULL };
	int rc = host_xl(&s->h, args, &out, e), found = !pool;

	if (rc == 0)
		rc = xl_parse_info(sbuf_str(&out), out.len, "xl info", &xi, e);
	if (rc == 0) {
		const char *hn = xl_info_get(&xi, "host"), *sc = xl_info_get(&xi, "xen_scheduler");

		host_facts_from_xl_info(f, sbuf_str(&out));
		f->xen_host = hn ? xstrdup(hn) : NULL;
		snprintf(sched, 16, "%s", sc ? sc : "credit2");
	}
	if (rc == 0 && pool && (rc = host_xl_cpupools(&s->h, &cp, e)) == 0)
		for (size_t k = 0; k < cp.n; k++)
			if (!strcmp(cp.p[k].name, pool)) {
				snprintf(sched, 16, "%s", cp.p[k].sched);
				found = 1;
			}
	if (rc == 0 && !found)
		rc = err_set(e, -ENOENT, "%s has no cpupool named %s (see xl cpupool-list there)", s->h.spec, pool);
	xl_info_free(&xi);
	xl_cpupools_free(&cp);
	sbuf_free(&out);
	return rc;
}

/* Writes the guest's config and creates it; s->created once it exists. */
static int create(struct env *v, struct xen_env *s, const char *type, const struct guest_shape *sh, struct err *e)
{
	struct sbuf cfg = SBUF_INIT;
	struct tb_paths p;
	struct err ignored = { 0 };
	int rc;

	if (is_type(type, strlen(type))) {
		snprintf(s->name, sizeof(s->name), "vmlab-run-%s-%ld", type, (long)getpid());
		snprintf(s->type, sizeof(s->type), "%s", type);
		rc = guest_vmlab_files(&s->h, tb_paths_get(&p, &ignored) == 0 ? p.dir : NULL, e);
		if (rc == 0)
			rc = guest_vmlab_cfg(&s->h, type, s->name, v->tsc_mode, sh, &cfg, s->ip, e);
	} else
		rc = guest_user_cfg(&s->h, type, v->guest_address, sh, &cfg, s->name, s->type, s->ip, e);
	if (rc == 0 && guest_exists(&s->h, s->name))
		rc = err_set(e, -EEXIST, "%s: a domain named %s runs there already", s->h.spec, s->name);
	if (rc == 0) {
		s->created = 1;
		rc = guest_create(&s->h, s->name, &cfg, e);
	}
	sbuf_free(&cfg);
	return rc;
}

/* Opens the ssh environment inside the guest and takes its facts. */
static int open_guest(struct env *v, struct xen_env *s, const char *type, struct err *e)
{
	char spec[64];
	int rc;

	snprintf(spec, sizeof(spec), "ssh:root@%s", s->ip);
	s->guest.ops = &env_ssh_ops;
	s->guest.name = xstrdup(spec);
	s->guest.connect_timeout_ms = 30000;
	s->guest.ssh_options = s->guest_opts;
	rc = env_ssh_open_on(&s->guest, spec, host_is_testbed(&s->h) ? TB_LABEL : HOST_LABEL, e);
	if (rc)
		return rc;
	v->label = xstrdup(s->guest.label);
	host_facts_copy(&v->facts, &s->guest.facts);
	free(v->facts.guest_type);
	v->facts.guest_type = xstrdup(s->type);
	if (is_type(type, strlen(type))) {
		free(v->facts.tsc_mode);
		v->facts.tsc_mode = xstrdup(v->tsc_mode ? v->tsc_mode : TB_TSC_MODE_DEFAULT);
	}
	return 0;
}

int env_xen_open_on(struct env *v, const char *type, const char *spec, struct err *e)
{
	struct xen_env *s = xcalloc(1, sizeof(*s));
	struct host_conf c = { .connect_timeout_ms = v->connect_timeout_ms, .ssh_options = v->ssh_options };
	struct guest_shape sh = { .vcpus = v->guest_vcpus, .memory_mib = v->guest_memory_mb, .cpus = v->guest_cpus,
				  .cpus_soft = v->guest_cpus_soft, .weight = v->guest_weight, .cap = v->guest_cap,
				  .pool = v->guest_pool };
	struct host_facts hf = { 0 };
	struct sbuf shape = SBUF_INIT;
	char sched[16];
	int rc;

	if ((rc = host_open(&s->h, spec, &c, e))) {
		/* a dom0 the user named that does not answer is bad input, as
		 * for vmlab host; a testbed's is the testbed's failure */
		v->bad_input = rc == -EHOSTUNREACH && !strncmp(spec, "ssh:", 4);
		free(s);
		return rc;
	}
	v->priv = s;
	if ((rc = host_facts(s, sh.pool, &hf, sched, e)) || (rc = create(v, s, type, &sh, e)) ||
	    (rc = readback_booted(s, type, sched, &sh, &shape, e)))
		goto fail;
	s->guest_opts = env_xen_guest_ssh_opts(&s->h, v->ssh_options);
	if ((rc = wait_booted(v, s, type, e)) || (rc = open_guest(v, s, type, e)))
		goto fail;
	/* the hypervisor's facts are the host's */
	free(v->facts.xen_version);
	free(v->facts.xen_scheduler);
	free(v->facts.virt_caps);
	v->facts.xen_version = hf.xen_version;
	v->facts.xen_scheduler = hf.xen_scheduler;
	v->facts.virt_caps = hf.virt_caps;
	free(v->facts.xen_cpus);
	free(v->facts.xen_cmdline);
	v->facts.xen_cpus = hf.xen_cpus;
	v->facts.xen_cmdline = hf.xen_cmdline;
	v->facts.xen_host = hf.xen_host;
	v->facts.host_kind = xstrdup(s->h.ops->kind);
	v->facts.shape = sbuf_take(&shape);
	return 0;
fail:
	host_facts_clear(&hf);
	sbuf_free(&shape);
	env_xen_close(v);
	return rc;
}

int env_xen_exec(struct env *v, char *const args[], uint64_t timeout_ms, struct sbuf *out, struct sbuf *errout,
		 int *status, struct err *e)
{
	struct xen_env *s = v->priv;

	s->guest.on_child = v->on_child;
	s->guest.child_ctx = v->child_ctx;
	return s->guest.ops->exec(&s->guest, args, timeout_ms, out, errout, status, e);
}

void env_xen_close(struct env *v)
{
	struct xen_env *s = v->priv;

	if (!s)
		return;
	if (s->guest.priv)
		s->guest.ops->close(&s->guest);
	env_release(&s->guest);
	if (s->created)
		guest_destroy(&s->h, s->name);
	host_close(&s->h);
	argv_free(s->guest_opts);
	free(s);
	v->priv = NULL;
}

struct host *env_xen_dom0(struct env *v, const char **domain)
{
	struct xen_env *s = v->priv;

	if (!s || !s->created)
		return NULL;
	*domain = s->name;
	return &s->h;
}

int env_xen_host_spec(const char *name, char **spec, struct err *e)
{
	char *type = NULL;
	int rc = split(name, &type, spec, e);

	free(type);
	return rc;
}

const char *env_xen_address(const struct env *v)
{
	const struct xen_env *s = v->priv;

	return s && s->ip[0] ? s->ip : NULL;
}

const char *env_xen_domain(const struct env *v)
{
	const struct xen_env *s = v->priv;

	return s && s->created ? s->name : NULL;
}

static int xen_open(struct env *v, struct err *e)
{
	char *type = NULL, *spec = NULL;
	int rc = split(v->arg, &type, &spec, e);

	if (rc == 0)
		rc = env_xen_open_on(v, type, spec, e);
	free(type);
	free(spec);
	return rc;
}

const struct env_ops env_xen_ops = {
	"xen", "xen:pv|pvh|hvm|FILE.cfg[@HOST]", xen_check, xen_open, env_xen_exec, env_xen_close,
	.dom0 = env_xen_dom0,
};
