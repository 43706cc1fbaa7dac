/* Guests on a Xen host: configs, shape, create, read back, destroy. */
#include "host/guest.h"

#include "base/shquote.h"
#include "testbed/guest.h"
#include "xen/cfgcheck.h"
#include "xen/cpulist.h"
#include "xen/diskspec.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const vmlab_files[] = { "vmlinux", "vmlinuz", "guest-initrd.gz" };
#define HOST_DIR "/var/lib/vmlab"

int guest_shape_apply(struct xlcfg *c, const struct guest_shape *s, struct err *e)
{
	int rc = 0;

	if (s->vcpus > 0 && (rc = xlcfg_set_long(c, "vcpus", s->vcpus, e)))
		return rc;
	if (s->memory_mib > 0 && (rc = xlcfg_set_long(c, "memory", s->memory_mib, e)))
		return rc;
	if (s->cpus && (rc = xlcfg_set_string(c, "cpus", s->cpus, e)))
		return rc;
	if (s->cpus_soft && (rc = xlcfg_set_string(c, "cpus_soft", s->cpus_soft, e)))
		return rc;
	if (s->weight > 0 && (rc = xlcfg_set_long(c, "cpu_weight", s->weight, e)))
		return rc;
	if (s->cap >= 0 && (rc = xlcfg_set_long(c, "cap", s->cap, e)))
		return rc;
	if (s->pool && (rc = xlcfg_set_string(c, "pool", s->pool, e)))
		return rc;
	return 0;
}

/* The lowest guest index whose address no running domain of h has in its
 * vmlab.ip= (xl list -l shows each domain's extra=). */
static int free_index(struct host *h, struct err *e)
{
	static const char pre[] = "vmlab.ip=" TB_NET_PREFIX;
	char *args[] = { "list", "-l", NULL };
	struct sbuf out = SBUF_INIT;
	bool used[TB_MAX_GUESTS] = { false };
	int rc = host_xl(h, args, &out, e);

	if (rc) {
		sbuf_free(&out);
		return rc;
	}
	for (const char *p = sbuf_str(&out); (p = strstr(p, pre)); ) {
		int a;

		p += strlen(pre);
		a = atoi(p) - TB_GUEST_HOST_BASE;
		if (a > 0 && a < TB_MAX_GUESTS)
			used[a] = true;
	}
	sbuf_free(&out);
	for (int k = 1; k < TB_MAX_GUESTS; k++)
		if (!used[k])
			return k;
	return err_set(e, -ENOSPC, "%s: every vmlab guest address is taken", h->spec);
}

/* Parses text, applies s, writes the result back into out (replacing it). */
static int reshape(const char *name, struct sbuf *text, const struct guest_shape *s, struct err *e)
{
	struct xlcfg *c = NULL;
	int rc = xlcfg_parse(name, sbuf_str(text), text->len, &c, e);

	if (rc == 0 && (rc = guest_shape_apply(c, s, e)) == 0) {
		sbuf_reset(text);
		xlcfg_write(c, text);
	}
	xlcfg_free(c);
	return rc;
}

int guest_vmlab_cfg(struct host *h, const char *type, const char *name, const char *tsc_mode,
		    const struct guest_shape *s, struct sbuf *cfg, char ip[32], struct err *e)
{
	struct tb_guest g = { 0 };
	struct tb_guest_opts o = { .type = type, .name = name, .memory_mib = s->memory_mib,
				   .vcpus = s->vcpus, .tsc_mode = tsc_mode };
	int idx = free_index(h, e), rc;

	if (idx < 0)
		return idx;
	if (!tb_guest_name_valid(name))
		return err_set(e, -EINVAL, "guest name '%s': 1..40 letters, digits, - and _", name);
	snprintf(g.name, sizeof(g.name), "%s", name);
	snprintf(g.type, sizeof(g.type), "%s", type);
	snprintf(g.ip, sizeof(g.ip), TB_NET_PREFIX "%d", TB_GUEST_HOST_BASE + idx);
	g.index = idx;
	if ((rc = tb_guest_cfg(&g, &o, cfg, e)) || (rc = reshape("guest.cfg", cfg, s, e)))
		return rc;
	snprintf(ip, 32, "%s", g.ip);
	return 0;
}

/* 1 when path exists on h. */
static int exists_there(struct host *h, const char *path)
{
	char *argv[] = { "test", "-e", (char *)path, NULL };
	struct proc_opts o = { .timeout_ms = 60000 };
	int st = -1;

	return host_run(h, argv, &o, &st, NULL) == 0 && st == 0;
}

int guest_vmlab_files(struct host *h, const char *local_dir, struct err *e)
{
	char *mk[] = { "mkdir", "-p", HOST_DIR, NULL };
	int made = 0, rc;

	for (size_t k = 0; k < sizeof(vmlab_files) / sizeof(vmlab_files[0]); k++) {
		char there[PATH_MAX], here[PATH_MAX];
		struct stat st;

		snprintf(there, sizeof(there), HOST_DIR "/%s", vmlab_files[k]);
		if (exists_there(h, there))
			continue;
		snprintf(here, sizeof(here), "%.*s/%s", PATH_MAX - 40, local_dir ? local_dir : "", vmlab_files[k]);
		if (!local_dir || stat(here, &st) < 0)
			return err_set(e, -ENOENT, "%s has no %s (the vmlab guest's %s) and this machine has no "
				       "testbed build to copy it from: run 'vmlab testbed build'", h->spec, there,
				       k < 2 ? "kernel" : "root file system");
		if (!made++ && (rc = host_run_ok(h, mk, 60000, NULL, e)))
			return rc;
		if ((rc = host_copy_to(h, here, there, e)))
			return rc;
		if (!exists_there(h, there))
			return err_set(e, -EIO, "%s: %s is not there after copying it", h->spec, there);
	}
	return 0;
}

int guest_ip_scan(const char *text, size_t len, char ip[32])
{
	static const char key[] = "vmlab.ip=";
	const size_t k = sizeof(key) - 1;

	for (size_t i = 0; i + k <= len; i++) {
		size_t n = 0;

		if (memcmp(text + i, key, k))
			continue;
		while (i + k + n < len && n < 16 && text[i + k + n] && strchr("0123456789.", text[i + k + n]))
			n++;
		if (n < 7 || n > 15)
			continue;
		snprintf(ip, 32, "%.*s", (int)n, text + i + k);
		return 0;
	}
	return -ENOENT;
}

/* The address in "vmlab.ip=A.B.C.D[/N]" of c's extra=, into ip. */
static int ip_from_extra(const struct xlcfg *c, char ip[32])
{
	const char *x = NULL;

	if (xlcfg_get_string(c, "extra", &x, NULL))
		return -ENOENT;
	return guest_ip_scan(x, strlen(x), ip);
}

int guest_live_ip(struct host *h, const char *name, char ip[32], struct err *e)
{
	char *args[] = { "list", "-l", (char *)name, NULL };
	struct sbuf out = SBUF_INIT;
	int rc = guest_exists(h, name) ? host_xl(h, args, &out, e) : -ENOENT;

	if (rc == -ENOENT)
		rc = err_set(e, rc, "no domain %s runs on %s", name, h->spec);
	else if (rc == 0 && guest_ip_scan(sbuf_str(&out), out.len, ip))
		rc = err_set(e, -ENOENT, "domain %s on %s has no vmlab.ip=A.B.C.D in its kernel command line "
			     "(xl list -l %s)", name, h->spec, name);
	sbuf_free(&out);
	return rc;
}

/* Checks that the files c names (disks, kernel, ramdisk) exist on h. */
static int files_there(struct host *h, const struct xlcfg *c, const char *file, struct err *e)
{
	static const char *const keys[] = { "kernel", "ramdisk" };
	const struct xlcfg_value *l = xlcfg_get(c, "disk");

	for (size_t i = 0; l && l->kind == XLCFG_LIST && i < l->nitems; i++) {
		struct diskspec d;
		int col = 0, rc = 0;
		char *path;

		if (l->items[i]->kind != XLCFG_STRING || diskspec_parse(l->items[i]->str, &d, &col, NULL))
			continue;
		path = diskspec_path(&d);
		if (path && !exists_there(h, path))
			rc = err_at(e, -ENOENT, file, l->items[i]->line, l->items[i]->col,
				    "disk %zu: %s does not exist on %s", i, path, h->spec);
		free(path);
		diskspec_free(&d);
		if (rc)
			return rc;
	}
	for (size_t k = 0; k < 2; k++) {
		const struct xlcfg_value *v = xlcfg_get(c, keys[k]);

		if (v && v->kind == XLCFG_STRING && !exists_there(h, v->str))
			return err_at(e, -ENOENT, file, v->line, v->col, "%s: %s does not exist on %s", keys[k],
				      v->str, h->spec);
	}
	return 0;
}

/* cfg check's verdict on c: its first error as -EINVAL "FILE:LINE:COL: ...". */
static int checked(const struct xlcfg *c, const char *file, struct err *e)
{
	struct cfg_report r = { 0 };
	int rc = 0;

	cfgcheck_run(c, &r);
	for (size_t k = 0; k < r.n && !rc; k++)
		if (r.d[k].sev == CFG_ERROR)
			rc = err_at(e, -EINVAL, file, r.d[k].line, r.d[k].col, "%s (see vmlab cfg check %s)",
				    r.d[k].msg, file);
	cfg_report_free(&r);
	return rc;
}

int guest_user_cfg(struct host *h, const char *file, const char *address, const struct guest_shape *s,
		   struct sbuf *cfg, char name[64], char type[8], char ip[32], struct err *e)
{
	struct xlcfg *c = NULL;
	const char *n = NULL;
	enum guest_type t;
	int rc;

	if ((rc = xlcfg_load(file, &c, e)) || (rc = checked(c, file, e)) ||
	    (rc = guest_shape_apply(c, s, e)) || (rc = cfgcheck_guest_type(c, &t, e)))
		goto out;
	if (xlcfg_get_string(c, "name", &n, NULL) || !tb_guest_name_valid(n)) {
		rc = err_at(e, -EINVAL, file, xlcfg_line(c, "name"), 1,
			    "name: vmlab needs a name of 1..40 letters, digits, - and _");
		goto out;
	}
	if (address)
		snprintf(ip, 32, "%s", address);
	else if (ip_from_extra(c, ip)) {
		rc = err_at(e, -EINVAL, file, xlcfg_line(c, "extra"), 1,
			    "cannot tell the guest's address: set guest_address in the experiment "
			    "(or vmlab.ip=A.B.C.D in extra=)");
		goto out;
	}
	if ((rc = files_there(h, c, file, e)))
		goto out;
	snprintf(name, 64, "%s", n);
	snprintf(type, 8, "%s", guest_type_name(t));
	xlcfg_write(c, cfg);
out:
	xlcfg_free(c);
	return rc;
}

static void cfg_path(const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "/tmp/vmlab-%s.cfg", name);
}

int guest_create(struct host *h, const char *name, const struct sbuf *cfg, struct err *e)
{
	char path[128];
	char *args[] = { "create", path, NULL };
	int rc;

	cfg_path(name, path, sizeof(path));
	if ((rc = host_put(h, cfg->buf, cfg->len, path, 0, e)))
		return rc;
	return host_xl(h, args, NULL, e);
}

int guest_recreate(struct host *h, const char *name, struct err *e)
{
	char path[128];
	char *args[] = { "create", path, NULL };

	cfg_path(name, path, sizeof(path));
	return host_xl(h, args, NULL, e);
}

int guest_exists(struct host *h, const char *name)
{
	char *args[] = { "domid", (char *)name, NULL };
	struct err e = { 0 };

	return host_xl(h, args, NULL, &e) == 0;
}

void guest_destroy(struct host *h, const char *name)
{
	char path[128];
	char *args[] = { "destroy", (char *)name, NULL };
	char *rm[] = { "rm", "-f", path, NULL };
	struct err e = { 0 };

	cfg_path(name, path, sizeof(path));
	if (guest_exists(h, name))
		(void)host_xl(h, args, NULL, &e);
	(void)host_run_ok(h, rm, 60000, NULL, &e);
}

#define MAX_CPUS 256

/* 1 when CPULIST a and b name the same CPUs (of MAX_CPUS). */
static int same_cpus(const char *a, const char *b)
{
	struct cpulist la = { 0 }, lb = { 0 };
	bool sa[MAX_CPUS] = { false }, sb[MAX_CPUS] = { false };
	int col, same;

	if (cpulist_parse(a, &la, &col, NULL) || cpulist_parse(b, &lb, &col, NULL)) {
		cpulist_free(&la);
		return !strcmp(a, b);
	}
	cpulist_apply(&la, MAX_CPUS, NULL, sa);
	cpulist_apply(&lb, MAX_CPUS, NULL, sb);
	same = !memcmp(sa, sb, sizeof(sa));
	cpulist_free(&la);
	cpulist_free(&lb);
	return same;
}

/* What xl reports for guest name. */
struct seen {
	int vcpus;
	unsigned long mem_mib;
	char hard[64], soft[64], pool[64];
	int weight, cap;
};

static int read_seen(struct host *h, const char *name, const char *sched, struct seen *s, struct err *e)
{
	struct xl_vcpus v = { 0 };
	struct xl_domains d = { 0 };
	struct xl_sched sc = { 0 };
	struct xl_cpupools cp = { 0 };
	int rc;

	memset(s, 0, sizeof(*s));
	s->weight = s->cap = -1;
	if ((rc = host_xl_vcpu_list(h, name, &v, e)) || (rc = host_xl_list(h, &d, e)) ||
	    (rc = host_xl_sched(h, sched, &sc, e)) || (rc = host_xl_cpupools(h, &cp, e)))
		goto out;
	for (size_t k = 0; k < v.n; k++)
		if (!strcmp(v.v[k].name, name) && !s->vcpus++) {
			snprintf(s->hard, sizeof(s->hard), "%s", v.v[k].hard);
			snprintf(s->soft, sizeof(s->soft), "%s", v.v[k].soft);
		}
	for (size_t k = 0; k < d.n; k++)
		if (!strcmp(d.d[k].name, name))
			s->mem_mib = d.d[k].mem_mib;
	for (size_t a = 0; a < sc.npools; a++)
		for (size_t b = 0; b < sc.pools[a].ndoms; b++)
			if (!strcmp(sc.pools[a].doms[b].name, name)) {
				snprintf(s->pool, sizeof(s->pool), "%s", sc.pools[a].pool);
				s->weight = sc.pools[a].doms[b].weight;
				s->cap = sc.pools[a].doms[b].cap;
			}
	if (!s->pool[0])
		rc = err_set(e, -EIO, "%s: xl sched-%s does not list guest %s (is its pool's scheduler %s?)",
			     h->spec, sched, name, sched);
	for (size_t k = 0; !rc && k < cp.n; k++)
		if (!strcmp(cp.p[k].name, s->pool) && strcmp(cp.p[k].sched, sched))
			rc = err_set(e, -EIO, "%s: pool %s runs %s, not %s", h->spec, s->pool, cp.p[k].sched, sched);
out:
	xl_vcpus_free(&v);
	xl_domains_free(&d);
	xl_sched_free(&sc);
	xl_cpupools_free(&cp);
	return rc;
}

int guest_readback(struct host *h, const char *name, const char *sched, const struct guest_shape *want,
		   struct sbuf *shape, struct err *e)
{
	struct seen s;
	int rc = read_seen(h, name, sched, &s, e);

	if (rc)
		return rc;
	sbuf_printf(shape, "vcpus=%d memory=%lu cpus=%s cpus_soft=%s weight=%d cap=%d pool=%s", s.vcpus, s.mem_mib,
		    s.hard, s.soft, s.weight, s.cap, s.pool);
	if (want->vcpus > 0 && s.vcpus != want->vcpus)
		return err_set(e, -EIO, "guest %s: xl shows %d vCPUs, not the %ld asked for", name, s.vcpus,
			       want->vcpus);
	if (want->cpus && !same_cpus(want->cpus, s.hard))
		return err_set(e, -EIO, "guest %s: hard affinity is %s, not cpus=\"%s\"", name, s.hard, want->cpus);
	if (want->cpus_soft && !same_cpus(want->cpus_soft, s.soft))
		return err_set(e, -EIO, "guest %s: soft affinity is %s, not cpus_soft=\"%s\"", name, s.soft,
			       want->cpus_soft);
	if (want->weight > 0 && s.weight != want->weight)
		return err_set(e, -EIO, "guest %s: weight is %d, not %ld", name, s.weight, want->weight);
	if (want->cap >= 0 && s.cap != want->cap)
		return err_set(e, -EIO, "guest %s: cap is %d, not %ld", name, s.cap, want->cap);
	if (want->pool && strcmp(want->pool, s.pool))
		return err_set(e, -EIO, "guest %s: runs in pool %s, not %s", name, s.pool, want->pool);
	return 0;
}
