/* Web runs over a topology: places opened, roles started, client run,
 * everything torn down. */
#include "web/toporun.h"

#include "base/fileio.h"
#include "base/proc.h"
#include "host/host.h"
#include "run/env.h"
#include "run/record.h"
#include "measure/clock.h"
#include "xen/cpulist.h"
#include "xen/xl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PLACES 66
#define SERVE_DIR "/tmp/vmlab-web-topology"

/* One environment that holds one or more roles. */
struct place {
	const char *name;        /* the environment */
	const char *cpus;        /* its CPU list, NULL: unpinned */
	char roles[64];          /* "server+besim" */
	struct env v;
	int inited, opened;
	char addr[64];           /* where the other roles reach it */
};

/* A Xen host some role's guest runs on. */
struct xhost {
	char *spec;
	struct host h;
	int opened, ncpus;
	struct xl_vcpus saved;   /* dom0's vCPUs before pinning */
	int pinned;
	char readback[256];      /* dom0's hard affinity after pinning, per vCPU */
};

/* A role running in the background: a child of this process running the
 * role's command through its environment; its output in out/err. */
struct bg {
	pid_t pid;
	int status;              /* once reaped; -1 before */
	const char *what;
	char out[128], err[128];
};

struct run {
	const struct web_topo_run_cfg *c;
	struct place pl[MAX_PLACES];
	size_t npl;
	size_t server, besim, client;   /* indices into pl */
	struct xhost xh[MAX_PLACES];
	size_t nxh;
	struct bg besim_bg, server_bg;
	char tmp[64];            /* local folder of the children's output */
	char serve_dir[96];      /* the server's state folder where it runs */
	unsigned port, tls_port, app_port, besim_port;
	uint64_t t0_ns;          /* the run's start (CLOCK_MONOTONIC) */
};

static void info(const struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void info(const struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->c->info)
		return;
	va_start(ap, fmt);
	vfprintf(r->c->info, fmt, ap);
	va_end(ap);
	fputc('\n', r->c->info);
	fflush(r->c->info);
}

static int stopped(const struct run *r, struct err *e)
{
	if (r->c->stop && *r->c->stop)
		return err_set(e, -EINTR, "stopped by a signal: tearing down");
	return 0;
}

/* The place of env name for role (created on first use). */
static size_t place_of(struct run *r, const char *name, const char *cpus, const char *role)
{
	size_t i;

	for (i = 0; i < r->npl; i++)
		if (!strcmp(r->pl[i].name, name))
			break;
	if (i == r->npl) {
		r->pl[r->npl].name = name;
		r->npl++;
	}
	if (cpus)
		r->pl[i].cpus = cpus;
	snprintf(r->pl[i].roles + strlen(r->pl[i].roles), sizeof(r->pl[i].roles) - strlen(r->pl[i].roles),
		 "%s%s", r->pl[i].roles[0] ? "+" : "", role);
	return i;
}

/* A free TCP port on loopback (for the native roles). */
static unsigned free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned p = 0;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		p = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return p;
}

/* Applies CPU list cpus to this process (native roles); 0 or -EINVAL. */
static int pin_self(const char *cpus, struct err *e)
{
	struct cpulist cl = { 0 };
	bool set[CPU_SETSIZE] = { 0 };
	cpu_set_t cs;
	int col;

	if (!cpus)
		return 0;
	if (cpulist_parse(cpus, &cl, &col, e))
		return -EINVAL;
	cpulist_apply(&cl, CPU_SETSIZE, NULL, set);
	cpulist_free(&cl);
	CPU_ZERO(&cs);
	for (int k = 0; k < CPU_SETSIZE; k++)
		if (set[k])
			CPU_SET(k, &cs);
	if (sched_setaffinity(0, sizeof(cs), &cs) < 0)
		return err_set(e, -errno, "sched_setaffinity %s: %s", cpus, strerror(errno));
	return 0;
}

/* The Xen hosts of the guest roles, opened; every role's CPUs and dom0's
 * checked against each host's CPUs before anything is created there. */
static int open_hosts(struct run *r, struct err *e)
{
	const struct web_topology *t = r->c->t;
	int rc;

	for (size_t i = 0; i < r->npl; i++) {
		char *spec = NULL;
		size_t k;
		struct xl_info xi = { 0 };
		const char *nc;

		if ((rc = web_topology_xen_host(r->pl[i].name, &spec, e)))
			return rc;
		if (!spec)
			continue;
		for (k = 0; k < r->nxh && strcmp(r->xh[k].spec, spec); k++)
			;
		if (k < r->nxh) {
			free(spec);
			continue;
		}
		r->xh[r->nxh].spec = spec;
		if ((rc = host_open(&r->xh[r->nxh].h, spec, NULL, e))) {
			free(spec);
			r->xh[r->nxh].spec = NULL;
			return rc;
		}
		r->xh[r->nxh++].opened = 1;
		if ((rc = host_xl_info(&r->xh[k].h, &xi, e)))
			return rc;
		nc = xl_info_get(&xi, "nr_cpus");
		r->xh[k].ncpus = nc ? atoi(nc) : 0;
		xl_info_free(&xi);
		if (r->xh[k].ncpus <= 0)
			return err_set(e, -EIO, "%s: xl info shows no nr_cpus", spec);
	}
	for (size_t k = 0; k < r->nxh; k++) {
		char *spec = NULL;

		rc = web_topology_check_cpus(t, t->dom0_cpus, t->dom0_at, WEB_ROLE_DOM0, r->xh[k].spec,
					     r->xh[k].ncpus, e);
		for (size_t i = 0; rc == 0 && i < 2 + t->nclients; i++) {
			const struct web_topo_place *p = i == 0 ? &t->server : i == 1 ? &t->besim : &t->clients[i - 2];

			if ((rc = web_topology_xen_host(p->env, &spec, e)))
				break;
			if (spec && !strcmp(spec, r->xh[k].spec))
				rc = web_topology_check_cpus(t, p->cpus, p->cpus_at,
							     i == 0 ? WEB_ROLE_SERVER : i == 1 ? WEB_ROLE_BESIM
							     : WEB_ROLE_CLIENTS, r->xh[k].spec, r->xh[k].ncpus, e);
			free(spec);
			spec = NULL;
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* Pins dom0's vCPUs on every host to dom0_cpus (xl vcpu-pin) and reads
 * them back: each must show the same CPU set. Saved first for restore. */
static int pin_dom0(struct run *r, struct err *e)
{
	const char *cpus = r->c->t->dom0_cpus;
	int rc;

	for (size_t k = 0; cpus && k < r->nxh; k++) {
		struct xhost *x = &r->xh[k];
		char *pin[] = { "vcpu-pin", "Domain-0", "all", (char *)cpus, NULL };
		struct xl_vcpus now = { 0 };

		if ((rc = host_xl_vcpu_list(&x->h, "Domain-0", &x->saved, e)))
			return rc;
		x->pinned = 1;
		if ((rc = host_xl(&x->h, pin, NULL, e)) || (rc = host_xl_vcpu_list(&x->h, "Domain-0", &now, e)))
			return rc;
		for (size_t i = 0; rc == 0 && i < now.n; i++) {
			bool want[256] = { 0 }, got[256] = { 0 };
			struct cpulist a = { 0 }, b = { 0 };
			int col;

			if (cpulist_parse(cpus, &a, &col, e) == 0 && cpulist_parse(now.v[i].hard, &b, &col, e) == 0) {
				cpulist_apply(&a, x->ncpus < 256 ? x->ncpus : 256, NULL, want);
				cpulist_apply(&b, x->ncpus < 256 ? x->ncpus : 256, NULL, got);
			}
			cpulist_free(&a);
			cpulist_free(&b);
			if (memcmp(want, got, sizeof(want)))
				rc = err_set(e, -EIO, "%s: dom0 vCPU %d shows hard affinity %s after xl "
					     "vcpu-pin Domain-0 all %s", x->spec, now.v[i].vcpu, now.v[i].hard, cpus);
			snprintf(x->readback + strlen(x->readback), sizeof(x->readback) - strlen(x->readback),
				 "%svcpu%d=%s", i ? " " : "", now.v[i].vcpu, now.v[i].hard);
		}
		xl_vcpus_free(&now);
		if (rc)
			return rc;
		info(r, "dom0 on %s pinned: %s", x->spec, x->readback);
	}
	return 0;
}

/* Puts dom0's vCPUs back as they were. */
static void unpin_dom0(struct run *r)
{
	for (size_t k = 0; k < r->nxh; k++) {
		struct xhost *x = &r->xh[k];

		for (size_t i = 0; x->pinned && i < x->saved.n; i++) {
			char v[16];
			char *pin[] = { "vcpu-pin", "Domain-0", v, x->saved.v[i].hard, NULL };
			struct err e = { 0 };

			snprintf(v, sizeof(v), "%d", x->saved.v[i].vcpu);
			if (host_xl(&x->h, pin, NULL, &e))
				info(r, "warning: %s: could not restore dom0's vCPU %d: %s", x->spec,
				     x->saved.v[i].vcpu, e.msg);
		}
		x->pinned = 0;
	}
}

/* Opens every place: guests created with their CPUs and memory. */
static int open_places(struct run *r, struct err *e)
{
	int rc;

	for (size_t i = 0; i < r->npl; i++) {
		struct place *p = &r->pl[i];
		const char *ip;

		if ((rc = stopped(r, e)) || (rc = env_init(&p->v, p->name, e)))
			return rc;
		p->inited = 1;
		if (!web_topology_native(p->name)) {
			p->v.guest_cpus = p->cpus;
			p->v.guest_memory_mb = r->c->t->guest_memory_mb;
		}
		info(r, "%s: opening %s", p->roles, p->name);
		if ((rc = p->v.ops->open(&p->v, e)))
			return rc;
		p->opened = 1;
		ip = web_topology_native(p->name) ? "127.0.0.1" : env_xen_address(&p->v);
		if (!ip)
			return err_set(e, -EIO, "%s: no address known for %s", p->roles, p->name);
		snprintf(p->addr, sizeof(p->addr), "%s", ip);
		info(r, "%s: %s at %s%s%s", p->roles, p->name, p->addr, p->v.facts.shape ? ", " : "",
		     p->v.facts.shape ? p->v.facts.shape : "");
	}
	return 0;
}

/* Starts args in place p in the background (b), pinned to cpus when native. */
static int bg_start(struct run *r, struct place *p, const char *cpus, char *const args[], struct bg *b,
		    const char *what, struct err *e)
{
	pid_t parent = getpid();

	b->what = what;
	b->status = -1;
	snprintf(b->out, sizeof(b->out), "%s/%s.out", r->tmp, what);
	snprintf(b->err, sizeof(b->err), "%s/%s.err", r->tmp, what);
	b->pid = fork();
	if (b->pid < 0)
		return err_set(e, -errno, "fork: %s", strerror(errno));
	if (b->pid == 0) {
		struct sbuf out = SBUF_INIT, err = SBUF_INIT;
		struct err ce = { 0 };
		int st = 125, fo, fe;

		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		proc_die_with_parent(parent);
		if (web_topology_native(p->name) && pin_self(cpus, &ce))
			_exit(125);
		if (p->v.ops->exec(&p->v, args, 0, &out, &err, &st, &ce))
			sbuf_printf(&err, "%s\n", ce.msg), st = 125;
		fo = open(b->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		fe = open(b->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fo >= 0 && out.len)
			(void)!write(fo, out.buf, out.len);
		if (fe >= 0 && err.len)
			(void)!write(fe, err.buf, err.len);
		_exit(st & 0xff);
	}
	return 0;
}

/* 1 while b runs; reaps it when it ended. */
static int bg_alive(struct bg *b)
{
	int st;

	if (b->pid <= 0 || b->status >= 0)
		return 0;
	if (waitpid(b->pid, &st, WNOHANG) == b->pid) {
		b->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		return 0;
	}
	return 1;
}

/* Ends b: waits up to wait_s for it to end by itself, then SIGTERM, SIGKILL. */
static void bg_end(struct bg *b, int wait_s)
{
	for (int i = 0; i < wait_s * 10 && bg_alive(b); i++)
		usleep(100000);
	if (bg_alive(b)) {
		kill(b->pid, SIGTERM);
		for (int i = 0; i < 50 && bg_alive(b); i++)
			usleep(100000);
	}
	if (bg_alive(b)) {
		kill(b->pid, SIGKILL);
		waitpid(b->pid, NULL, 0);
		b->status = 137;
	}
}

/* e gets why b ended: its exit status and the last of its stderr. */
static int bg_failed(struct bg *b, struct err *e)
{
	struct sbuf s = SBUF_INIT;
	struct err ig = { 0 };
	const char *t;

	(void)file_read(b->err, &s, &ig);
	sbuf_chomp(&s);
	t = s.len > 600 ? sbuf_str(&s) + s.len - 600 : sbuf_str(&s);
	err_set(e, -EIO, "the %s ended (exit %d) before the run: %s", b->what, b->status, t);
	sbuf_free(&s);
	return -EIO;
}

/* The ports: fixed ones in guests (each role has its guest), free ones on
 * loopback when the roles run natively. */
static void choose_ports(struct run *r)
{
	if (web_topology_native(r->pl[r->server].name)) {
		r->port = free_port();
		r->tls_port = free_port();
		r->app_port = free_port();
		r->besim_port = free_port();
		snprintf(r->serve_dir, sizeof(r->serve_dir), "%s/serve", r->tmp);
	} else {
		r->port = 8080;
		r->tls_port = 8443;
		r->app_port = 9300;
		r->besim_port = 9400;
		snprintf(r->serve_dir, sizeof(r->serve_dir), "%s", SERVE_DIR);
	}
}

/* Starts BeSim where it is placed apart from the server, then the server
 * (nginx, the application, and BeSim when it shares the server's place). */
static int start_roles(struct run *r, struct err *e)
{
	struct place *sp = &r->pl[r->server], *bp = &r->pl[r->besim];
	char sess[16], listen[96], tls[96], app[96], bl[96], bx[96];
	const char *any = web_topology_native(sp->name) ? "127.0.0.1" : "0.0.0.0";
	char *serve[24] = { "web", "serve", "--dir", r->serve_dir, "--listen", listen, "--tls-listen", tls,
			    "--app-listen", app, "-w", (char *)r->c->workload, "-s", sess };
	int n = 14, rc;

	snprintf(sess, sizeof(sess), "%u", r->c->fileset_sessions);
	snprintf(listen, sizeof(listen), "%s:%u", any, r->port);
	snprintf(tls, sizeof(tls), "%s:%u", any, r->tls_port);
	snprintf(app, sizeof(app), "127.0.0.1:%u", r->app_port);
	snprintf(bl, sizeof(bl), "%s:%u", web_topology_native(bp->name) ? "127.0.0.1" : "0.0.0.0",
		 r->besim_port);
	if (r->besim != r->server) {
		char *besim[] = { "web", "besim", "--listen", bl, "-s", sess, NULL };

		snprintf(bx, sizeof(bx), "%s:%u", bp->addr, r->besim_port);
		info(r, "besim: starting in %s, listening on %s", bp->name, bx);
		if ((rc = bg_start(r, bp, r->c->t->besim.cpus, besim, &r->besim_bg, "besim", e)))
			return rc;
		serve[n++] = "--besim";
		serve[n++] = bx;
	} else {
		snprintf(bl, sizeof(bl), "127.0.0.1:%u", r->besim_port);
		serve[n++] = "--besim-listen";
		serve[n++] = bl;
	}
	if (!web_topology_native(sp->name)) {
		/* the vmlab guests' nginx (testbed/build.sh), whatever PATH ssh gives */
		serve[n++] = "--nginx";
		serve[n++] = "/usr/sbin/nginx";
	}
	serve[n] = NULL;
	info(r, "server: starting in %s: http://%s:%u/", sp->name, sp->addr, r->port);
	return bg_start(r, sp, r->c->t->server.cpus, serve, &r->server_bg, "server", e);
}

/* Waits until the client gets an answer from the server's nginx (a
 * one-second `vmlab web bench` from the client's place), or a role ended. */
static int wait_ready(struct run *r, struct err *e)
{
	struct place *cp = &r->pl[r->client];
	char url[128];
	char *bench[] = { "web", "bench", url, "-t", "1", "-c", "1", "-d", "1s", "--timeout", "2s", NULL };
	uint64_t end = clock_mono_ns() + r->c->ready_timeout_ms * 1000000ull;
	struct sbuf out = SBUF_INIT, err = SBUF_INIT;
	int rc = -ETIMEDOUT, st;

	snprintf(url, sizeof(url), "http://%s:%u/", r->pl[r->server].addr, r->port);
	while (clock_mono_ns() < end) {
		struct err ie = { 0 };

		if ((rc = stopped(r, e)))
			break;
		if (!bg_alive(&r->server_bg)) {
			rc = bg_failed(&r->server_bg, e);
			break;
		}
		if (r->besim != r->server && !bg_alive(&r->besim_bg)) {
			rc = bg_failed(&r->besim_bg, e);
			break;
		}
		sbuf_reset(&out);
		sbuf_reset(&err);
		if (cp->v.ops->exec(&cp->v, bench, 30000, &out, &err, &st, &ie) == 0 && st == 0) {
			info(r, "server: answers %s from %s", url, cp->name);
			rc = 0;
			break;
		}
		rc = -ETIMEDOUT;
		sleep(2);
	}
	if (rc == -ETIMEDOUT)
		err_set(e, rc, "the server did not answer %s from %s within %" PRIu64 " s", url, cp->name,
			r->c->ready_timeout_ms / 1000);
	sbuf_free(&out);
	sbuf_free(&err);
	return rc;
}

/* Runs the client's command in its place (pinned when native). */
static int run_client(struct run *r, struct web_topo_result *res, struct err *e)
{
	struct place *cp = &r->pl[r->client];
	char url[128], tls[128];
	char *argv[128];
	const char *label = r->c->label;
	char placement[512];
	cpu_set_t saved;
	size_t n = 0;
	int rc;

	snprintf(url, sizeof(url), "http://%s:%u", r->pl[r->server].addr, r->port);
	snprintf(tls, sizeof(tls), "https://%s:%u", r->pl[r->server].addr, r->tls_port);
	snprintf(placement, sizeof(placement), "server %s, besim %s, clients %s", r->pl[r->server].name,
		 r->pl[r->besim].name, cp->name);
	for (; r->c->client_args[n] && n < 110; n++)
		argv[n] = r->c->client_args[n];
	argv[n++] = "--url";
	argv[n++] = url;
	argv[n++] = "--tls-url";
	argv[n++] = tls;
	argv[n++] = "--env";
	argv[n++] = r->c->t->name;
	argv[n++] = "--label";
	argv[n++] = (char *)(label ? label : placement);
	argv[n++] = "--json";
	argv[n] = NULL;
	info(r, "clients: %s %s in %s", argv[0], argv[1], cp->name);
	sched_getaffinity(0, sizeof(saved), &saved);
	if (web_topology_native(cp->name) && (rc = pin_self(r->c->t->clients[0].cpus, e)))
		return rc;
	rc = cp->v.ops->exec(&cp->v, argv, r->c->client_timeout_ms, &res->client_out, &res->client_err,
			     &res->client_status, e);
	sched_setaffinity(0, sizeof(saved), &saved);
	return rc;
}

/* The web-topology record: where each role ran, pinned how (read back). */
static void topo_record(struct run *r, int rc, const struct err *e, struct web_topo_result *res)
{
	struct record rec;
	char ts[32];

	clock_iso8601(clock_real_ns(), ts);
	record_init(&rec);
	rec.kind = xstrdup("web-topology");
	rec.timestamp = xstrdup(ts);
	rec.environment = xstrdup(r->c->t->name);
	rec.label = r->c->label ? xstrdup(r->c->label) : NULL;
	rec.benchmark = xstrdup("web-topology");
	rec.iteration = 1;
	/* its figure: the whole run's wall time, roles started and torn down */
	rec.value = (double)(clock_mono_ns() - r->t0_ns) / 1e9;
	rec.unit = xstrdup("s");
	rec.better = xstrdup("lower");
	rec.status = xstrdup(rc == 0 ? "ok" : "failed");
	rec.error = rc ? xstrdup(e->msg) : NULL;
	record_add_str(&rec, "workload", r->c->workload);
	record_add_str(&rec, "server_cpus", r->c->t->server.cpus ? r->c->t->server.cpus : "unpinned");
	record_add_str(&rec, "besim_cpus", r->c->t->besim.cpus ? r->c->t->besim.cpus : "unpinned");
	record_add_str(&rec, "clients_cpus", r->c->t->clients[0].cpus ? r->c->t->clients[0].cpus : "unpinned");
	record_add_str(&rec, "dom0_cpus", r->c->t->dom0_cpus ? r->c->t->dom0_cpus : "unpinned");
	for (size_t i = 0; i < r->npl; i++) {
		struct place *p = &r->pl[i];
		struct sbuf k = SBUF_INIT, v = SBUF_INIT;

		sbuf_printf(&k, "place%zu", i);
		sbuf_printf(&v, "%s: %s at %s%s%s", p->roles, p->name, p->addr[0] ? p->addr : "-",
			    p->v.facts.shape ? ", read back: " : "",
			    p->v.facts.shape ? p->v.facts.shape : "");
		record_add_str(&rec, sbuf_str(&k), sbuf_str(&v));
		sbuf_free(&k);
		sbuf_free(&v);
	}
	for (size_t k = 0; k < r->nxh; k++)
		if (r->xh[k].readback[0]) {
			char key[32];

			snprintf(key, sizeof(key), "dom0_%zu", k);
			record_add_str(&rec, key, r->xh[k].readback);
		}
	record_add_fmt(&rec, "client_status", "%d", res->client_status);
	record_to_json(&rec, &res->record);
	record_clear(&rec);
}

/* Stops the roles, restores dom0, closes the places and hosts. */
static void teardown(struct run *r)
{
	if (r->server_bg.pid > 0) {
		char *stop[] = { "web", "serve", "--stop", r->serve_dir, NULL };
		struct sbuf o = SBUF_INIT, er = SBUF_INIT;
		struct err e = { 0 };
		int st;

		if (bg_alive(&r->server_bg))
			(void)r->pl[r->server].v.ops->exec(&r->pl[r->server].v, stop, 60000, &o, &er, &st, &e);
		bg_end(&r->server_bg, 20);
		sbuf_free(&o);
		sbuf_free(&er);
	}
	if (r->besim_bg.pid > 0)
		bg_end(&r->besim_bg, 0);
	unpin_dom0(r);
	for (size_t i = r->npl; i-- > 0;) {
		if (r->pl[i].opened) {
			info(r, "%s: closing %s", r->pl[i].roles, r->pl[i].name);
			r->pl[i].v.ops->close(&r->pl[i].v);
		}
		if (r->pl[i].inited)
			env_release(&r->pl[i].v);
	}
	env_finish_all();
	for (size_t k = 0; k < r->nxh; k++) {
		if (r->xh[k].opened)
			host_close(&r->xh[k].h);
		xl_vcpus_free(&r->xh[k].saved);
		free(r->xh[k].spec);
	}
	if (r->tmp[0]) {
		char *rm[] = { "rm", "-rf", r->tmp, NULL };
		int st;
		struct err e = { 0 };

		(void)proc_run(rm, &(struct proc_opts){ .timeout_ms = 60000 }, &st, &e);
	}
}

int web_topo_run(const struct web_topo_run_cfg *c, struct web_topo_result *res, struct err *e)
{
	const struct web_topology *t = c->t;
	struct run *r = xcalloc(1, sizeof(*r));
	int rc;

	memset(res, 0, sizeof(*res));
	res->client_status = -1;
	r->c = c;
	r->t0_ns = clock_mono_ns();
	if (t->nclients != 1) {
		free(r);
		return err_at(e, -EINVAL, t->file, t->clients[1].env_at.line, t->clients[1].env_at.col,
			      "clients: a run from %zu clients is not built yet: place one", t->nclients);
	}
	r->server = place_of(r, t->server.env, t->server.cpus, "server");
	r->besim = place_of(r, t->besim.env, t->besim.cpus, "besim");
	r->client = place_of(r, t->clients[0].env, t->clients[0].cpus, "clients");
	snprintf(r->tmp, sizeof(r->tmp), "/tmp/vmlab-topo-XXXXXX");
	if (!mkdtemp(r->tmp)) {
		rc = err_set(e, -errno, "mkdtemp %s: %s", r->tmp, strerror(errno));
		r->tmp[0] = 0;
		goto out;
	}
	choose_ports(r);
	if ((rc = open_hosts(r, e)) || (rc = stopped(r, e)) || (rc = pin_dom0(r, e)) ||
	    (rc = open_places(r, e)) || (rc = stopped(r, e)) || (rc = start_roles(r, e)) ||
	    (rc = wait_ready(r, e)) || (rc = stopped(r, e)))
		goto out;
	rc = run_client(r, res, e);
out:
	/* a run refused before any place was opened changes nothing */
	if (rc == 0 || (r->npl && r->pl[0].inited))
		topo_record(r, rc, e, res);
	teardown(r);
	free(r);
	return rc;
}

void web_topo_result_free(struct web_topo_result *r)
{
	sbuf_free(&r->client_out);
	sbuf_free(&r->client_err);
	sbuf_free(&r->record);
}
