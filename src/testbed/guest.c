/* The testbed's guests: records, allocation, xl.cfg, create and destroy. */
#include "testbed/guest.h"

#include "base/fileio.h"
#include "base/proc.h"
#include "base/shquote.h"
#include "testbed/net.h"
#include "xen/xl.h"
#include "xen/xlcfg.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tb_guest_name_valid(const char *n)
{
	size_t l = strlen(n);

	if (!l || l > 40 || !isalnum((unsigned char)n[0]))
		return 0;
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && *n != '-' && *n != '_')
			return 0;
	return 1;
}

int tb_guest_type_valid(const char *t)
{
	return t && (!strcmp(t, "pv") || !strcmp(t, "pvh") || !strcmp(t, "hvm"));
}

void tb_guest_defaults(struct tb_guest_opts *o)
{
	int hvm = !strcmp(o->type, "hvm");

	if (!o->memory_mib)
		o->memory_mib = hvm ? 256 : 128;
	if (!o->timeout_s)
		o->timeout_s = hvm ? 600 : 120;
	if (!o->vcpus)
		o->vcpus = TB_GUEST_VCPUS_DEFAULT;
	if (!o->tsc_mode)
		o->tsc_mode = TB_TSC_MODE_DEFAULT;
	if (!o->extra)
		o->extra = "";
}

static void guest_file(const struct tb_paths *p, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%.*s/guests/%s", (int)(n - strlen(name) - 9), tb_own_dir(p), name);
}

int tb_guest_load(const struct tb_paths *p, const char *name, struct tb_guest *g)
{
	char f[PATH_MAX];
	FILE *fp;
	char line[128];

	memset(g, 0, sizeof(*g));
	if (!tb_guest_name_valid(name))
		return -ENOENT;
	guest_file(p, name, f, sizeof(f));
	if (!(fp = fopen(f, "re")))
		return -ENOENT;
	snprintf(g->name, sizeof(g->name), "%s", name);
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "type=", 5))
			snprintf(g->type, sizeof(g->type), "%.7s", line + 5);
		else if (!strncmp(line, "ip=", 3))
			snprintf(g->ip, sizeof(g->ip), "%.31s", line + 3);
		else if (!strncmp(line, "index=", 6))
			g->index = atoi(line + 6);
		else if (!strncmp(line, "host=", 5))
			g->host = atoi(line + 5);
		else if (!strncmp(line, "bits=", 5))
			g->bits = atoi(line + 5);
		else if (!strncmp(line, "gw=", 3))
			snprintf(g->gw, sizeof(g->gw), "%.31s", line + 3);
		else if (!strcmp(line, "pci=1"))
			g->pci = 1;
	}
	fclose(fp);
	return g->ip[0] ? 0 : -ENOENT;
}

int tb_guest_list(const struct tb_paths *p, struct tb_guest *gs, int max)
{
	char dir[PATH_MAX + 8];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/guests", tb_own_dir(p));
	if (!(d = opendir(dir)))
		return 0;
	while ((de = readdir(d)) && n < max)
		if (de->d_name[0] != '.' && tb_guest_load(p, de->d_name, &gs[n]) == 0)
			n++;
	closedir(d);
	return n;
}

void tb_guests_clear(const struct tb_paths *p)
{
	char dir[PATH_MAX + 8], f[2 * PATH_MAX];
	DIR *d;
	struct dirent *de;

	snprintf(dir, sizeof(dir), "%s/guests", tb_own_dir(p));
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(f, sizeof(f), "%s/%s", dir, de->d_name);
			(void)unlink(f);
		}
	closedir(d);
}

int tb_guest_alloc(const struct tb_guest *gs, int n, const struct tb_guest_opts *o, struct tb_guest *g,
		   struct err *e)
{
	memset(g, 0, sizeof(*g));
	for (int idx = 1; idx < TB_MAX_GUESTS && !g->index; idx++) {
		int used = 0;

		for (int k = 0; k < n; k++)
			used |= gs[k].index == idx;
		if (!used)
			g->index = idx;
	}
	if (!g->index)
		return err_set(e, -ENOSPC, "too many guests");
	if (o->name && o->name[0])
		snprintf(g->name, sizeof(g->name), "%s", o->name);
	else
		snprintf(g->name, sizeof(g->name), "%s%d", o->type, g->index);
	for (int k = 0; k < n; k++)
		if (!strcmp(gs[k].name, g->name))
			return err_set(e, -EEXIST, "guest %s exists already", g->name);
	snprintf(g->type, sizeof(g->type), "%s", o->type);
	snprintf(g->ip, sizeof(g->ip), TB_NET_PREFIX "%d", TB_GUEST_HOST_BASE + g->index);
	g->pci = !!o->pci;
	return 0;
}

void tb_guest_place(const struct tb_state *s, struct tb_guest *g)
{
	if (!s->net[0])
		return;
	tb_net_guest_ip(s, g->index, g->ip, sizeof(g->ip));
	tb_net_dom0_ip(s, g->gw, sizeof(g->gw));
	g->bits = tb_net_bits(s);
	g->host = s->net_index;
}

/* The kernel options that tell a g->pci guest its passthrough NIC and its
 * address (testbed/guest/rc reads them), or "". */
static void pt_kernel_opts(const struct tb_guest *g, char *buf, size_t n)
{
	char ip[32], mac[32];

	buf[0] = 0;
	if (!g->pci)
		return;
	tb_net_pt_ip(g->host, ip, sizeof(ip));
	tb_net_pt_mac(g->host, mac, sizeof(mac));
	snprintf(buf, n, " vmlab.ptip=%s/%d vmlab.ptmac=%s", ip, TB_SHARED_NET_BITS, mac);
}

/* Sets the keys of g's xl.cfg in c, in the order a reader expects them. */
static int cfg_keys(struct xlcfg *c, const struct tb_guest *g, const struct tb_guest_opts *o, struct err *e)
{
	int hvm = !strcmp(g->type, "hvm"), rc;
	char kernel[64], extra[640], vif[96], serial[128], gw[48] = "", pt[96];
	const char *vifs[] = { vif }, *pcis[] = { TB_PT_BDF };

	/* PV and PVH load the ELF kernel; HVM's device model boots the bzImage. */
	snprintf(kernel, sizeof(kernel), "/var/lib/vmlab/%s", hvm ? "vmlinuz" : "vmlinux");
	if (g->gw[0])
		snprintf(gw, sizeof(gw), " vmlab.gw=%s", g->gw);
	pt_kernel_opts(g, pt, sizeof(pt));
	snprintf(extra, sizeof(extra), "console=%s quiet " TB_KERNEL_OPTS " vmlab.ip=%s/%d%s vmlab.name=%s%s%s%s",
		 hvm ? "ttyS0" : "hvc0", g->ip, g->bits ? g->bits : TB_NET_BITS, gw, g->name, pt,
		 *o->extra ? " " : "", o->extra);
	/* HVM gets the PV NIC only (type=vif): an emulated NIC brings its iPXE
	 * option ROM, which SeaBIOS runs for over 20 minutes under TCG. The
	 * guest is still HVM: firmware, serial port and platform device come
	 * from qemu-system-xen, and Linux uses netfront as a PVHVM guest does. */
	snprintf(vif, sizeof(vif), "%sbridge=" TB_BRIDGE ",mac=00:16:3e:00:%02x:%02x", hvm ? "type=vif," : "",
		 g->host & 255, g->index);
	snprintf(serial, sizeof(serial), "file:/var/log/xen/console/%s-serial.log", g->name);
	if ((rc = xlcfg_set_string(c, "name", g->name, e)) || (rc = xlcfg_set_string(c, "type", g->type, e)) ||
	    (rc = xlcfg_set_string(c, "kernel", kernel, e)) ||
	    (rc = xlcfg_set_string(c, "ramdisk", "/var/lib/vmlab/guest-initrd.gz", e)) ||
	    (rc = xlcfg_set_string(c, "extra", extra, e)) || (rc = xlcfg_set_long(c, "memory", o->memory_mib, e)) ||
	    (rc = xlcfg_set_long(c, "vcpus", o->vcpus, e)) || (rc = xlcfg_set_string(c, "tsc_mode", o->tsc_mode, e)) ||
	    (rc = xlcfg_set_list(c, "vif", vifs, 1, e)))
		return rc;
	if (g->pci && (rc = xlcfg_set_list(c, "pci", pcis, 1, e)))
		return rc;
	if (hvm && ((rc = xlcfg_set_long(c, "nographic", 1, e)) || (rc = xlcfg_set_long(c, "vnc", 0, e)) ||
		    (rc = xlcfg_set_long(c, "sdl", 0, e)) || (rc = xlcfg_set_string(c, "serial", serial, e))))
		return rc;
	if ((rc = xlcfg_set_string(c, "on_poweroff", "destroy", e)) ||
	    (rc = xlcfg_set_string(c, "on_reboot", "destroy", e)) ||
	    (rc = xlcfg_set_string(c, "on_crash", "destroy", e)))
		return rc;
	return 0;
}

int tb_guest_cfg(const struct tb_guest *g, const struct tb_guest_opts *o, struct sbuf *out, struct err *e)
{
	static const char head[] = "# written by vmlab testbed guest up\n";
	struct tb_guest_opts d = *o;
	struct xlcfg *c = NULL, *back = NULL;
	struct sbuf text = SBUF_INIT;
	int rc;

	tb_guest_defaults(&d);
	if (strpbrk(d.extra, "\"'\\\n"))
		return err_set(e, -EINVAL, "--extra may not hold quotes, backslashes or newlines");
	if (!tb_tsc_mode_valid(d.tsc_mode))
		return err_set(e, -EINVAL, "tsc_mode '%s': expected native, default, always_emulate or "
			       "native_paravirt", d.tsc_mode);
	if (g->pci && !strcmp(g->type, "pvh"))
		return err_set(e, -EINVAL, "--pci: passthrough not yet supported for x86 PVH guests (libxl): "
			       "use pv or hvm");
	if ((rc = xlcfg_parse("guest.cfg", head, strlen(head), &c, e)) < 0)
		return rc;
	rc = cfg_keys(c, g, &d, e);
	if (rc == 0) {
		xlcfg_write(c, &text);
		rc = xlcfg_parse("guest.cfg", sbuf_str(&text), text.len, &back, e);
	}
	if (rc == 0)
		sbuf_add(out, text.buf, text.len);
	xlcfg_free(back);
	xlcfg_free(c);
	sbuf_free(&text);
	return rc;
}

/* Runs the remote command line sh in dom0 with stdin in; output into out
 * and er. Returns the exit status, or a negative errno. */
static int dom0_sh(const struct tb_paths *p, const struct tb_state *s, const char *sh, const struct sbuf *in,
		   uint64_t timeout_ms, struct sbuf *out, struct sbuf *er, struct err *e)
{
	char **av = tb_ssh_argv_sh(p, s, NULL, sh);
	struct proc_opts o = { .stdin_data = in ? sbuf_str(in) : NULL, .stdin_len = in ? in->len : 0,
			       .out = out, .errout = er, .timeout_ms = timeout_ms };
	int st = -1, rc = proc_run(av, &o, &st, e);

	argv_free(av);
	return rc < 0 ? rc : st;
}

static int record(const struct tb_paths *p, const struct tb_guest *g, struct err *e)
{
	char dir[PATH_MAX + 8], f[PATH_MAX];
	struct sbuf rec = SBUF_INIT;
	int rc;

	snprintf(dir, sizeof(dir), "%s/guests", tb_own_dir(p));
	guest_file(p, g->name, f, sizeof(f));
	sbuf_printf(&rec, "type=%s\nip=%s\nindex=%d\n", g->type, g->ip, g->index);
	if (g->gw[0])
		sbuf_printf(&rec, "host=%d\nbits=%d\ngw=%s\n", g->host, g->bits, g->gw);
	if (g->pci)
		sbuf_puts(&rec, "pci=1\n");
	rc = file_mkdirs(dir, 0755, e);
	if (rc == 0)
		rc = file_write_atomic(f, rec.buf, rec.len, e);
	sbuf_free(&rec);
	return rc;
}

int tb_guest_pci_check(const struct tb_state *s, const struct tb_guest *gs, int n, const char *type,
		       struct err *e)
{
	const char *name = s->name[0] ? s->name : TB_DEFAULT_NAME;

	if (type && !strcmp(type, "pvh"))
		return err_set(e, -EINVAL, "--pci: passthrough not yet supported for x86 PVH guests (libxl): "
			       "use pv or hvm");
	if (!s->iommu)
		return err_set(e, -EINVAL, "--pci: testbed %s is not up with --iommu, and Xen 4.17 passes no "
			       "device through without an IOMMU: 'vmlab testbed down --name %s', then "
			       "'vmlab testbed up --name %s --iommu --net NET'", name, name, name);
	for (int k = 0; k < n; k++)
		if (gs[k].pci)
			return err_set(e, -EBUSY, "--pci: guest %s holds the passthrough NIC %s; "
				       "'vmlab testbed guest down %s%s%s' first", gs[k].name, TB_PT_BDF, gs[k].name,
				       strcmp(name, TB_DEFAULT_NAME) ? " --testbed " : "",
				       strcmp(name, TB_DEFAULT_NAME) ? name : "");
	return 0;
}

/* Makes TB_PT_BDF assignable in dom0 of s (binds it to xen-pciback) unless
 * xl pci-assignable-list lists it already. */
static int pt_assignable(const struct tb_paths *p, const struct tb_state *s, struct err *e)
{
	static const char sh[] =
		"xl pci-assignable-list 2>/dev/null | awk -v d=" TB_PT_BDF " '$1 == d { f = 1 } END { exit f ? 0 : 1 }' || "
		"xl pci-assignable-add " TB_PT_BDF;
	struct sbuf out = SBUF_INIT, er = SBUF_INIT;
	int rc = dom0_sh(p, s, sh, NULL, 120000, &out, &er, e);

	sbuf_chomp(&er);
	if (rc > 0)
		rc = err_set(e, -EIO, "xl pci-assignable-add %s failed in dom0 (exit %d): %s", TB_PT_BDF, rc,
			     er.len ? sbuf_str(&er) : "no message");
	else if (rc == -ETIMEDOUT)
		rc = err_set(e, rc, "xl pci-assignable-add %s timed out", TB_PT_BDF);
	sbuf_free(&out);
	sbuf_free(&er);
	return rc;
}

/* 0 when xl pci-list in dom0 of s lists TB_PT_BDF for guest g. */
static int pt_listed(const struct tb_paths *p, const struct tb_state *s, const struct tb_guest *g,
		     struct err *e)
{
	struct sbuf sh = SBUF_INIT, out = SBUF_INIT;
	struct xl_pcidevs l = { 0 };
	char *qn = shquote(g->name);
	int rc;

	sbuf_printf(&sh, "xl pci-list %s", qn);
	free(qn);
	rc = dom0_sh(p, s, sbuf_str(&sh), NULL, 60000, &out, NULL, e);
	if (rc > 0)
		rc = err_set(e, -EIO, "guest %s: xl pci-list failed in dom0 (exit %d)", g->name, rc);
	if (rc == 0 && (rc = xl_parse_pci_list(sbuf_str(&out), out.len, "xl pci-list", &l, e)) == 0) {
		if (!xl_pcidevs_has(&l, TB_PT_BDF))
			rc = err_set(e, -EIO, "guest %s is up but xl pci-list %s does not list %s (it lists %zu "
				     "device%s); the guest is left up: 'vmlab testbed guest down %s'", g->name,
				     g->name, TB_PT_BDF, l.n, l.n == 1 ? "" : "s", g->name);
		xl_pcidevs_free(&l);
	}
	sbuf_free(&sh);
	sbuf_free(&out);
	return rc;
}

/* Runs sh (xl create and the wait, cfg on its stdin) in dom0 of s, once
 * more after an HVM or PVH guest's reset at boot; the exit status or a
 * negative errno, dom0's words in out and er. */
static int create_wait(const struct tb_paths *p, const struct tb_state *s, struct tb_guest *g,
		       const struct sbuf *sh, const struct sbuf *cfg, long timeout_s, struct sbuf *out,
		       struct sbuf *er, struct sbuf *diag, struct err *e)
{
	int rc;

	g->resets = 0;
	for (;;) {
		sbuf_reset(out);
		sbuf_reset(er);
		rc = dom0_sh(p, s, sbuf_str(sh), cfg, (uint64_t)(timeout_s + 120) * 1000, out, er, e);
		/* vmlab-guest-wait's words for a domain gone before its marker;
		 * HVM and PVH guests (an HVM container under TCG's emulated
		 * SVM) triple-fault at boot now and then: booted once more, up
		 * to TB_GUEST_MAX_RESETS times */
		if (rc <= 0 || !strcmp(g->type, "pv") || g->resets >= TB_GUEST_MAX_RESETS ||
		    !strstr(sbuf_str(out), "is no longer running"))
			return rc;
		g->resets++;
		if (diag)
			sbuf_printf(diag, "guest %s reset while booting; booted once more. Boot %d:\n%s", g->name,
				    g->resets, sbuf_str(out));
	}
}

int tb_guest_up(const struct tb_paths *p, const struct tb_state *s, const struct tb_guest_opts *o,
		struct tb_guest *g, uint64_t *took_ms, struct sbuf *diag, struct err *e)
{
	struct tb_guest gs[TB_MAX_GUESTS];
	struct tb_guest_opts d = *o;
	struct sbuf cfg = SBUF_INIT, sh = SBUF_INIT, out = SBUF_INIT, er = SBUF_INIT;
	uint64_t t0 = tb_now_ms();
	char *qn;
	int rc, ng;

	tb_guest_defaults(&d);
	*took_ms = 0;
	if (strcmp(s->mode, "xen"))
		return err_set(e, -EPERM, "the testbed is up without Xen (--bare): no guests there");
	ng = tb_guest_list(p, gs, TB_MAX_GUESTS);
	if (d.pci && (rc = tb_guest_pci_check(s, gs, ng, d.type, e)) < 0)
		return rc;
	if ((rc = tb_guest_alloc(gs, ng, &d, g, e)) < 0)
		goto out;
	tb_guest_place(s, g);
	if ((rc = tb_guest_cfg(g, &d, &cfg, e)) < 0 || (g->pci && (rc = pt_assignable(p, s, e)) < 0))
		goto out;
	qn = shquote(g->name);
	sbuf_printf(&sh,
		    "mkdir -p /etc/xen/vmlab && cat > /etc/xen/vmlab/%s.cfg && "
		    "rm -f /var/log/xen/console/guest-%s.log /var/log/xen/console/%s-serial.log && "
		    "xl create /etc/xen/vmlab/%s.cfg && "
		    "{ vmlab-guest-wait %s %ld || { xl destroy %s >/dev/null 2>&1; exit 3; }; }",
		    qn, qn, qn, qn, qn, d.timeout_s, qn);
	free(qn);
	t0 = tb_now_ms();
	rc = create_wait(p, s, g, &sh, &cfg, d.timeout_s, &out, &er, diag, e);
	*took_ms = tb_now_ms() - t0;
	if (rc == -ETIMEDOUT)
		rc = err_set(e, rc, "guest up timed out");
	else if (rc > 0) {
		if (diag) {
			sbuf_add(diag, er.buf ? er.buf : "", er.len);
			sbuf_add(diag, out.buf ? out.buf : "", out.len);
		}
		rc = err_set(e, -EIO, "guest %s (%s) did not come up:", g->name, g->type);
	} else if (rc == 0 && (rc = record(p, g, e)) == 0) {
		if (g->pci)
			rc = pt_listed(p, s, g, e);
		if (rc == 0 && !tb_ssh_answers(p, s, g->ip, 5))
			rc = err_set(e, -EHOSTUNREACH, "guest %s booted but its ssh (%s) does not answer", g->name,
				     g->ip);
	}
	*took_ms = tb_now_ms() - t0;
out:
	sbuf_free(&cfg);
	sbuf_free(&sh);
	sbuf_free(&out);
	sbuf_free(&er);
	return rc;
}

int tb_guest_down(const struct tb_paths *p, const struct tb_state *s, const struct tb_guest *g,
		  struct err *e)
{
	struct sbuf sh = SBUF_INIT;
	char f[PATH_MAX], *qn = shquote(g->name);
	int rc;

	/* xl shutdown -w returns once the guest is down; the domain is then
	 * destroyed here rather than left to xl's background monitor. */
	sbuf_printf(&sh,
		    "timeout 60 xl shutdown -w %s >/dev/null 2>&1; xl destroy %s >/dev/null 2>&1; "
		    "! xl domid %s >/dev/null 2>&1",
		    qn, qn, qn);
	free(qn);
	rc = dom0_sh(p, s, sbuf_str(&sh), NULL, 120000, NULL, NULL, e);
	sbuf_free(&sh);
	guest_file(p, g->name, f, sizeof(f));
	(void)unlink(f);
	if (rc == -ETIMEDOUT)
		return err_set(e, rc, "guest down timed out");
	if (rc != 0)
		return err_set(e, rc < 0 ? rc : -EIO, "guest %s: xl shutdown and destroy failed", g->name);
	return 0;
}
