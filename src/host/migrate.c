/* Live migration with xl migrate between two Xen hosts (see migrate.h). */
#include "host/migrate.h"

#include "host/guest.h"
#include "measure/clock.h"
#include "testbed/net.h"
#include "testbed/testbed.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KEY_PATH "/root/.vmlab-migrate-key"
/* The script that times xl migrate in the source's dom0; its arguments are
 * passed as words after it, never pasted into it. It prints dom0's uptime
 * before and after (busybox's date has no %N) and exits with xl's status. */
static const char timed_xl[] =
	"read t0 x </proc/uptime; xl migrate \"$@\"; st=$?; read t1 x </proc/uptime; "
	"echo \"vmlab-migrate-uptime=$t0 $t1\" >&2; exit $st";
#define UPTIME_TAG "vmlab-migrate-uptime="

/* 1 and *s = t1 - t0 when text starts with "T0 T1" (seconds, t1 >= t0). */
static int uptime_span(const char *text, double *s)
{
	char *end;
	double t0 = strtod(text, &end), t1;

	if (end == text || *end != ' ')
		return 0;
	text = end + 1;
	t1 = strtod(text, &end);
	if (end == text || t1 < t0)
		return 0;
	*s = t1 - t0;
	return 1;
}

/* 1 when word w is one of the blank-separated words of list. */
static int has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; p && (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

static const struct xl_dominfo *find_dom(const struct xl_dominfos *l, const char *name)
{
	for (size_t k = 0; l && k < l->n; k++)
		if (!strcmp(l->d[k].name, name))
			return &l->d[k];
	return NULL;
}

/* xen_major * 1000 + xen_minor of i, or -1. */
static long xen_rank(const struct xl_info *i)
{
	const char *ma = xl_info_get(i, "xen_major"), *mi = xl_info_get(i, "xen_minor");

	return ma && mi ? atol(ma) * 1000 + atol(mi) : -1;
}

static void xen_version(const struct xl_info *i, char *buf, size_t n)
{
	const char *v = xl_info_get(i, "xen_version");
	const char *ma = xl_info_get(i, "xen_major"), *mi = xl_info_get(i, "xen_minor");

	if (v)
		snprintf(buf, n, "%s", v);
	else
		snprintf(buf, n, "%s.%s", ma ? ma : "?", mi ? mi : "?");
}

int migrate_judge(const char *name, const struct xl_dominfos *src_doms, const struct xl_info *src_info,
		  const struct xl_dominfos *dst_doms, const struct xl_info *dst_info, bool local,
		  const bool *bridge_missing, struct migrate_plan *p, struct err *e)
{
	const struct xl_dominfo *d = find_dom(src_doms, name);
	const char *caps = xl_info_get(src_info, "virt_caps"), *fm = xl_info_get(dst_info, "free_memory");

	if (!d || d->domid == 0)
		return err_set(e, -ENOENT, "no domain %s runs on the source", name);
	snprintf(p->name, sizeof(p->name), "%s", d->name);
	snprintf(p->type, sizeof(p->type), "%s", d->type);
	p->domid = d->domid;
	p->memory_mib = d->memory_kib >= 0 ? d->memory_kib / 1024 : -1;
	xen_version(src_info, p->src_xen, sizeof(p->src_xen));
	xen_version(dst_info, p->dst_xen, sizeof(p->dst_xen));
	p->dst_free_mib = fm ? atoll(fm) : -1;
	if (!local && find_dom(dst_doms, name))
		return err_set(e, -EEXIST, "a domain %s runs on the target already", name);
	if (!strcmp(d->type, "pv") && !has_word(caps, "shadow"))
		return err_set(e, -EPERM, "%s is a PV guest and the source's Xen has no shadow paging (xl info "
			       "virt_caps: %s): a PV guest's live migration needs log-dirty mode, which Xen "
			       "builds without CONFIG_SHADOW_PAGING lack; PVH and HVM guests migrate",
			       name, caps ? caps : "none");
	if (d->npci)
		return err_set(e, -EPERM, "%s has %zu PCI device%s passed through (xl pci-list %s): Xen cannot "
			       "migrate a guest with an assigned device; detach it first (xl pci-detach)",
			       name, d->npci, d->npci == 1 ? "" : "s", name);
	for (size_t k = 0; k < d->nnics; k++)
		if (bridge_missing && bridge_missing[k])
			return err_set(e, -EPERM, "%s's NIC %zu is on bridge %s, which the target lacks", name, k,
				       d->bridges[k]);
	if (!local && p->memory_mib > 0 && p->dst_free_mib >= 0 && p->dst_free_mib < p->memory_mib)
		return err_set(e, -EPERM, "%s has %lld MiB; the target has %lld MiB free (xl info free_memory)",
			       name, p->memory_mib, p->dst_free_mib);
	if (xen_rank(dst_info) >= 0 && xen_rank(dst_info) < xen_rank(src_info))
		return err_set(e, -EPERM, "the target runs Xen %s, older than the source's %s: xl migrates "
			       "only to the same or a newer Xen", p->dst_xen, p->src_xen);
	return 0;
}

/* The testbed name of a "testbed[:NAME]" spec (NULL for other specs). */
static const char *testbed_name(const char *spec, char *buf, size_t n)
{
	if (strncmp(spec, "testbed", 7) || (spec[7] && spec[7] != ':'))
		return NULL;
	snprintf(buf, n, "%s", spec[7] ? spec + 8 : TB_DEFAULT_NAME);
	return buf;
}

/* Between testbeds: dbclient with the testbed key to the target dom0's
 * address on the net both joined. */
static int testbed_route(struct host *src, const char *sn, const char *dn, struct migrate_plan *p,
			 struct err *e)
{
	struct tb_paths ps, pd;
	struct tb_state ss, sd;
	char key[PATH_MAX + 32], ip[32];
	char *chmod[] = { "chmod", "600", KEY_PATH, NULL };
	int rc;

	if ((rc = tb_paths_named(&ps, sn, e)) || (rc = tb_state_load(&ps, &ss, e)) ||
	    (rc = tb_paths_named(&pd, dn, e)) || (rc = tb_state_load(&pd, &sd, e)))
		return rc;
	if (!ss.net[0] || strcmp(ss.net, sd.net))
		return err_set(e, -EPERM, "testbeds %s and %s share no net (%s, %s): start both with "
			       "'vmlab testbed up --name N --net NET' so that one dom0 reaches the other", sn, dn,
			       ss.net[0] ? ss.net : "none", sd.net[0] ? sd.net : "none");
	tb_net_dom0_ip(&sd, ip, sizeof(ip));
	snprintf(p->dest, sizeof(p->dest), "root@%s", ip);
	snprintf(key, sizeof(key), "%s/id_ed25519.dropbear", ps.dir);
	if ((rc = host_copy_to(src, key, KEY_PATH, e)) || (rc = host_run_ok(src, chmod, 30000, NULL, e)))
		return rc;
	snprintf(p->key_path, sizeof(p->key_path), "%s", KEY_PATH);
	p->listen_port = 9000 + (unsigned)getpid() % 1000;
	snprintf(p->dest, sizeof(p->dest), "nc %s %u", ip, p->listen_port);
	p->transport[0] = 0;
	return 0;
}

/* How xl reaches the target: p->dest and p->transport. */
static int route(struct host *src, const char *dst_spec, struct migrate_plan *p, struct err *e)
{
	char sb[TB_NAME_MAX + 1], db[TB_NAME_MAX + 1];
	const char *sn = testbed_name(src->spec, sb, sizeof(sb)), *dn = testbed_name(dst_spec, db, sizeof(db));
	char *dest = NULL;

	if (p->local) {
		snprintf(p->dest, sizeof(p->dest), "xl migrate-receive");
		p->transport[0] = 0;
		return 0;
	}
	if (sn && dn)
		return testbed_route(src, sn, dn, p, e);
	if (!strncmp(dst_spec, "ssh:", 4) && host_ssh_split(dst_spec + 4, &dest, NULL) == 0) {
		snprintf(p->dest, sizeof(p->dest), "%s", dest);
		p->ssh_default = true;
		free(dest);
		return 0;
	}
	return err_set(e, -EINVAL, "no way known from %s to %s: give --address (the target dom0 as the source's "
		       "dom0 reaches it) and --transport", src->spec, dst_spec);
}

/* Marks the NICs of name (on the source) whose bridge the target lacks. */
static int bridges_on(struct host *dst, const struct xl_dominfo *d, bool *missing, struct err *e)
{
	for (size_t k = 0; d && k < d->nnics; k++) {
		char path[128];
		char *argv[] = { "test", "-d", path, NULL };
		int st = 0, rc;

		if (!d->bridges[k][0])
			continue;
		snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", d->bridges[k]);
		if ((rc = host_run(dst, argv, &(struct proc_opts){ .timeout_ms = 30000 }, &st, e)))
			return rc;
		missing[k] = st != 0;
	}
	return 0;
}

static int read_facts(struct host *h, struct xl_dominfos *doms, struct xl_info *info, struct err *e)
{
	char *args[] = { "list", "-l", NULL };
	struct sbuf out = SBUF_INIT;
	int rc = host_xl(h, args, &out, e);

	if (rc == 0)
		rc = xl_parse_list_json(sbuf_str(&out), out.len, "xl list -l", doms, e);
	sbuf_free(&out);
	return rc ? rc : host_xl_info(h, info, e);
}

int migrate_check(struct host *src, struct host *dst, const char *dst_spec, const char *name,
		  const char *dest_override, const char *transport_override, struct migrate_plan *p,
		  struct err *e)
{
	struct xl_dominfos sd = { 0 }, dd = { 0 };
	struct xl_info si = { 0 }, di = { 0 };
	const struct xl_dominfo *d;
	bool *missing = NULL;
	int rc;

	memset(p, 0, sizeof(*p));
	p->local = !strcmp(src->spec, dst_spec);
	if ((rc = read_facts(src, &sd, &si, e)) || (rc = read_facts(dst, &dd, &di, e)))
		goto out;
	d = find_dom(&sd, name);
	missing = xcalloc(d && d->nnics ? d->nnics : 1, sizeof(*missing));
	if ((rc = bridges_on(dst, d, missing, e)) ||
	    (rc = migrate_judge(name, &sd, &si, &dd, &di, p->local, missing, p, e)))
		goto out;
	if (guest_live_ip(src, name, p->ip, e))
		p->ip[0] = 0;
	if (dest_override) {
		snprintf(p->dest, sizeof(p->dest), "%s", dest_override);
		p->ssh_default = !transport_override;
	} else if ((rc = route(src, dst_spec, p, e))) {
		goto out;
	}
	if (transport_override) {
		snprintf(p->transport, sizeof(p->transport), "%s", transport_override);
		p->ssh_default = false;
	}
out:
	free(missing);
	xl_dominfos_free(&sd);
	xl_dominfos_free(&dd);
	xl_info_free(&si);
	xl_info_free(&di);
	return rc;
}

struct probe_job {
	struct host *h;
	char *argv[12];
	char interval[32], duration[32];
	struct sbuf out, err;
	int status, rc;
	struct err e;
};

static void *probe_thread(void *arg)
{
	struct probe_job *j = arg;

	j->rc = host_run(j->h, j->argv, &(struct proc_opts){ .out = &j->out, .errout = &j->err }, &j->status,
			 &j->e);
	return NULL;
}

static void sleep_ms(uint64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The receiver's script: PORT then the command; prints the receiver's pid. */
static const char receiver_sh[] = "setsid nc -l -p \"$1\" -e xl migrate-receive </dev/null >/dev/null 2>&1 & echo $!";

/* 1 when h has a TCP socket listening on port (any IPv4 or IPv6 address). */
static int listening(struct host *h, unsigned port)
{
	char pat[40];
	char *argv[] = { "grep", "-qsE", pat, "/proc/net/tcp", "/proc/net/tcp6", NULL };
	int st = 1;
	struct err e = { 0 };

	/* busybox nc -l listens on :: (tcp6) when the kernel has IPv6 */
	snprintf(pat, sizeof(pat), ":%04X 0+:0000 0A ", port);
	return host_run(h, argv, &(struct proc_opts){ .timeout_ms = 30000 }, &st, &e) == 0 && st == 0;
}

/* Starts p's one-shot receiver on dst, listening within 20 s; its pid in
 * *pid. 0 or -errno (e). */
static int receiver_start(struct host *dst, const struct migrate_plan *p, long *pid, struct err *e)
{
	char port[16];
	char *argv[] = { "sh", "-c", (char *)receiver_sh, "sh", port, NULL };
	struct sbuf out = SBUF_INIT;
	int rc;

	snprintf(port, sizeof(port), "%u", p->listen_port);
	if (listening(dst, p->listen_port))
		return err_set(e, -EADDRINUSE, "port %u is in use on the target's dom0: no receiver there",
			       p->listen_port);
	rc = host_run_ok(dst, argv, 30000, &out, e);
	*pid = rc ? 0 : atol(sbuf_str(&out));
	sbuf_free(&out);
	if (rc)
		return rc;
	for (int k = 0; k < 100; k++) {
		if (listening(dst, p->listen_port))
			return 0;
		sleep_ms(200);
	}
	return err_set(e, -ETIMEDOUT, "the receiver (nc -l -p %u -e xl migrate-receive) on the target's "
		       "dom0 did not listen within 20 s", p->listen_port);
}

/* Stops a receiver still running (pid from receiver_start). */
static void receiver_stop(struct host *dst, long pid)
{
	char num[24];
	char *argv[] = { "kill", num, NULL };
	struct err e = { 0 };

	if (pid <= 0)
		return;
	snprintf(num, sizeof(num), "%ld", pid);
	(void)host_run_ok(dst, argv, 30000, NULL, &e);
}

/* xl migrate in the source's dom0, timed there; into r. */
static int run_xl(struct host *src, const struct migrate_plan *p, long timeout_s, struct migrate_result *r,
		  struct err *e)
{
	struct sbuf out = SBUF_INIT, err = SBUF_INIT;
	char *argv[10];
	int n = 0, rc;
	double t0 = mono_s();
	const char *m;

	argv[n++] = "sh";
	argv[n++] = "-c";
	argv[n++] = (char *)timed_xl;
	argv[n++] = "sh";
	if (!p->ssh_default) {
		argv[n++] = "-s";
		argv[n++] = (char *)p->transport;
	}
	argv[n++] = (char *)p->name;
	argv[n++] = (char *)p->dest;
	argv[n] = NULL;
	r->start_epoch_s = (double)clock_real_ns() / 1e9;
	rc = host_run(src, argv, &(struct proc_opts){ .out = &out, .errout = &err,
						      .timeout_ms = (uint64_t)timeout_s * 1000 },
		      &r->xl_status, e);
	r->total_s = mono_s() - t0;
	r->end_epoch_s = (double)clock_real_ns() / 1e9;
	sbuf_add(&r->xl_out, out.buf ? out.buf : "", out.len);
	if ((m = strstr(sbuf_str(&err), UPTIME_TAG)) && uptime_span(m + strlen(UPTIME_TAG), &r->total_s)) {
		sbuf_add(&r->xl_out, err.buf, (size_t)(m - err.buf));
	} else {
		sbuf_add(&r->xl_out, err.buf ? err.buf : "", err.len);
	}
	sbuf_free(&out);
	sbuf_free(&err);
	if (rc == -ETIMEDOUT)
		return err_set(e, rc, "xl migrate %s did not end within %ld s", p->name, timeout_s);
	return rc;
}

static int domid_on(struct host *h, const char *name)
{
	char *args[] = { "domid", (char *)name, NULL };
	struct sbuf out = SBUF_INIT;
	struct err e = { 0 };
	int id = host_xl(h, args, &out, &e) == 0 ? atoi(sbuf_str(&out)) : -1;

	sbuf_free(&out);
	return id;
}

/* Starts the probe job j on h for p's guest; 0 or -errno. */
static int probe_start(struct probe_job *j, struct host *h, const struct migrate_plan *p, uint64_t interval_ns,
		       long limit_s, char *stop, pthread_t *t)
{
	char *iv = j->interval, *dur = j->duration;
	int n = 0;

	snprintf(j->interval, sizeof(j->interval), "%" PRIu64 "us", interval_ns / 1000);
	snprintf(j->duration, sizeof(j->duration), "%lds", limit_s);
	j->h = h;
	j->argv[n++] = "vmlab";
	j->argv[n++] = "probe";
	j->argv[n++] = (char *)p->ip;
	j->argv[n++] = "--interval";
	j->argv[n++] = iv;
	j->argv[n++] = "--duration";
	j->argv[n++] = dur;
	j->argv[n++] = "--stop-file";
	j->argv[n++] = stop;
	j->argv[n++] = "--json";
	j->argv[n] = NULL;
	return -pthread_create(t, NULL, probe_thread, j);
}

/* Ends the probe (its stop file made on the target through dst), into r. */
static void probe_end(struct probe_job *j, pthread_t t, struct host *dst, char *stop, struct migrate_result *r)
{
	char *touch[] = { "touch", stop, NULL }, *rm[] = { "rm", "-f", stop, NULL };
	struct err e = { 0 };

	if (host_run_ok(dst, touch, 30000, NULL, &e))
		snprintf(r->probe_error, sizeof(r->probe_error), "could not stop the probe: %.200s", e.msg);
	pthread_join(t, NULL);
	(void)host_run_ok(dst, rm, 30000, NULL, &e);
	if (j->rc)
		snprintf(r->probe_error, sizeof(r->probe_error), "the probe did not run: %.200s", j->e.msg);
	else if (!strstr(sbuf_str(&j->out), "\"kind\":\"probe\""))
		snprintf(r->probe_error, sizeof(r->probe_error), "the probe gave no summary (exit %d): %.200s",
			 j->status, sbuf_str(&j->err));
	else {
		r->probed = true;
		sbuf_add(&r->probe_json, j->out.buf, j->out.len);
		while (r->probe_json.len && r->probe_json.buf[r->probe_json.len - 1] == '\n')
			r->probe_json.buf[--r->probe_json.len] = 0;
	}
	sbuf_free(&j->out);
	sbuf_free(&j->err);
}

int migrate_run(struct host *src, struct host *dst, struct host *probe_host, const struct migrate_plan *p,
		uint64_t interval_ns, uint64_t lead_ms, uint64_t tail_ms, long timeout_s,
		struct migrate_result *r, struct err *e)
{
	struct probe_job j = { .out = SBUF_INIT, .err = SBUF_INIT };
	char stop[80];
	pthread_t t;
	bool probing = false;
	long receiver = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	r->dst_domid = -1;
	if (p->listen_port && (rc = receiver_start(dst, p, &receiver, e))) {
		receiver_stop(dst, receiver);
		return rc;
	}
	snprintf(stop, sizeof(stop), "/tmp/vmlab-probe-stop.%d.%ld", (int)getpid(), (long)time(NULL));
	if (!probe_host || !p->ip[0])
		snprintf(r->probe_error, sizeof(r->probe_error), "%s", !p->ip[0] ?
			 "the guest has no vmlab.ip= address: no probe" : "no probe asked for");
	else if ((rc = probe_start(&j, probe_host, p, interval_ns,
				   timeout_s + (long)((lead_ms + tail_ms) / 1000) + 60, stop, &t)))
		snprintf(r->probe_error, sizeof(r->probe_error), "the probe did not start: %s", strerror(-rc));
	else
		probing = true;
	if (probing)
		sleep_ms(lead_ms);
	rc = run_xl(src, p, timeout_s, r, e);
	if (probing) {
		sleep_ms(tail_ms);
		probe_end(&j, t, dst, stop, r);
	}
	if (rc) {
		receiver_stop(dst, receiver);
		return rc;
	}
	r->on_dst = (r->dst_domid = domid_on(dst, p->name)) >= 0;
	r->on_src = p->local ? r->on_dst : domid_on(src, p->name) >= 0;
	r->ok = r->xl_status == 0 && strstr(sbuf_str(&r->xl_out), "Migration successful") && r->on_dst &&
		(p->local || !r->on_src);
	if (!r->ok)
		receiver_stop(dst, receiver);
	return 0;
}

void migrate_result_free(struct migrate_result *r)
{
	sbuf_free(&r->xl_out);
	sbuf_free(&r->probe_json);
}
