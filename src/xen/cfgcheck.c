/* xl.cfg semantic checks: guest type, memory, vCPUs, devices, affinity,
 * scheduling and boot keys, with the rules of xl_parse.c and libxl (4.17). */
#include "xen/cfgcheck.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "xen/cpulist.h"
#include "xen/diskspec.h"
#include "xen/pcispec.h"

const char *guest_type_name(enum guest_type t)
{
	return t == GUEST_HVM ? "hvm" : t == GUEST_PVH ? "pvh" : "pv";
}

static void diag(struct cfg_report *r, enum cfg_severity sev, int line, int col,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void diag(struct cfg_report *r, enum cfg_severity sev, int line, int col,
		 const char *fmt, ...)
{
	struct sbuf b = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	r->d = xrealloc(r->d, (r->n + 1) * sizeof(*r->d));
	r->d[r->n].sev = sev;
	r->d[r->n].line = line;
	r->d[r->n].col = col;
	r->d[r->n].msg = sbuf_take(&b);
	r->n++;
	if (sev == CFG_ERROR)
		r->nerrors++;
	else
		r->nwarnings++;
}

void cfg_report_free(struct cfg_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->d[i].msg);
	free(r->d);
	memset(r, 0, sizeof(*r));
}

static int cmp_diag(const void *a, const void *b)
{
	const struct cfg_diag *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

void cfg_report_text(const struct cfg_report *r, const char *file, struct sbuf *out)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct cfg_diag *d = &r->d[i];

		if (d->line)
			sbuf_printf(out, "%s:%d:%d: ", file, d->line, d->col ? d->col : 1);
		else
			sbuf_printf(out, "%s: ", file);
		sbuf_printf(out, "%s: %s\n", d->sev == CFG_ERROR ? "error" : "warning", d->msg);
	}
}

void cfg_report_json(const struct cfg_report *r, const char *file, struct sbuf *out)
{
	sbuf_puts(out, "{\"file\":");
	json_put_str(out, file);
	sbuf_printf(out, ",\"errors\":%d,\"warnings\":%d,\"diagnostics\":[", r->nerrors,
		    r->nwarnings);
	for (size_t i = 0; i < r->n; i++) {
		const struct cfg_diag *d = &r->d[i];

		sbuf_printf(out, "%s{\"severity\":\"%s\",\"line\":%d,\"col\":%d,\"message\":",
			    i ? "," : "", d->sev == CFG_ERROR ? "error" : "warning", d->line,
			    d->col);
		json_put_str(out, d->msg);
		sbuf_putc(out, '}');
	}
	sbuf_puts(out, "]}");
}

/* Place of a key's value: line and column of its first character. */
static void where(const struct xlcfg *c, const char *key, int *line, int *col)
{
	const struct xlcfg_value *v = xlcfg_get(c, key);

	*line = v ? v->line : 0;
	*col = v ? v->col : 0;
}

/* The message of e without the "FILE:LINE[:COL]: " prefix the getters add. */
static const char *bare(const struct xlcfg *c, const struct err *e)
{
	const char *m = e->msg, *name = xlcfg_name(c), *p;
	size_t n = strlen(name);

	if (strncmp(m, name, n))
		return m;
	p = m + n;
	for (int k = 0; k < 2 && *p == ':' && isdigit((unsigned char)p[1]); k++) {
		p++;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p != ':')
		return m;
	p++;
	while (*p == ' ')
		p++;
	return p;
}

/* What a getter's rc means: 1 present and valid, 0 absent (-ENOENT), -1
 * after reporting e at key's place. */
static int got(const struct xlcfg *c, struct cfg_report *r, const char *key, int rc,
	       const struct err *e)
{
	int line, col;

	if (rc == -ENOENT)
		return 0;
	if (rc) {
		where(c, key, &line, &col);
		diag(r, CFG_ERROR, line, col, "%s: %s", key, bare(c, e));
		return -1;
	}
	return 1;
}

/* Reads key as a number into *v; returns as got() does. */
static int get_long(const struct xlcfg *c, struct cfg_report *r, const char *key, long *v)
{
	struct err e = { 0 };

	return got(c, r, key, xlcfg_get_long(c, key, v, &e), &e);
}

/* Same for strings. */
static int get_string(const struct xlcfg *c, struct cfg_report *r, const char *key,
		      const char **s)
{
	struct err e = { 0 };

	return got(c, r, key, xlcfg_get_string(c, key, s, &e), &e);
}

/* xl's type matching: strncmp(buf, word, strlen(buf)). */
static int prefix_of(const char *buf, const char *word)
{
	return !strncmp(buf, word, strlen(buf));
}

int cfgcheck_guest_type(const struct xlcfg *c, enum guest_type *t, struct err *e)
{
	const struct xlcfg_value *v;
	const char *buf;
	int have_type = 0, rc;

	*t = GUEST_PV;
	rc = xlcfg_get_string(c, "type", &buf, e);
	if (rc && rc != -ENOENT)
		return rc;
	if (!rc) {
		v = xlcfg_get(c, "type");
		if (prefix_of(buf, "hvm"))
			*t = GUEST_HVM;
		else if (prefix_of(buf, "pv"))
			*t = GUEST_PV;
		else if (prefix_of(buf, "pvh"))
			*t = GUEST_PVH;
		else
			return err_at(e, -EINVAL, xlcfg_name(c), v->line, v->col,
				      "invalid domain type \"%s\" (pv, pvh or hvm)", buf);
		have_type = 1;
	}
	rc = xlcfg_get_string(c, "builder", &buf, e);
	if (rc && rc != -ENOENT)
		return rc;
	if (!rc) {
		enum guest_type b;

		v = xlcfg_get(c, "builder");
		if (prefix_of(buf, "hvm"))
			b = GUEST_HVM;
		else if (prefix_of(buf, "generic"))
			b = GUEST_PV;
		else
			return err_at(e, -EINVAL, xlcfg_name(c), v->line, v->col,
				      "invalid builder \"%s\" (generic or hvm)", buf);
		if (have_type && b != *t)
			return err_at(e, -EINVAL, xlcfg_name(c), v->line, v->col,
				      "contradicting \"builder\" and \"type\" options specified "
				      "(builder means %s, type means %s)", guest_type_name(b),
				      guest_type_name(*t));
		*t = b;
	}
	return 0;
}

/* Keys that only HVM guests use. vnc, sdl and keymap are not here: a PV
 * guest without vfb= gets a PV framebuffer from them. */
static const char *const hvm_only_keys[] = {
	"acpi_s3", "acpi_s4", "acpi_laptop_slate", "altp2mhvm", "apic", "bios",
	"bios_path_override", "boot", "device_model_stubdomain_override", "firmware_override",
	"gfx_passthru", "hdtype", "hpet", "mmio_hole", "ms_vm_genid", "nographic", "nx", "pae",
	"rdm", "serial", "smbios_firmware", "acpi_firmware", "soundhw", "spice", "spicehost",
	"spiceport", "spicetls_port", "spicedisable_ticketing", "spicepasswd",
	"spiceagent_mouse", "spicevdagent", "spice_clipboard_sharing", "spiceusbredirection",
	"stdvga", "timer_mode", "usb", "usbdevice", "usbversion", "vga", "videoram", "viridian",
	"vpt_align", "xen_platform_pci", NULL,
};

int cfgcheck_hvm_only_key(const char *key)
{
	for (const char *const *k = hvm_only_keys; *k; k++)
		if (!strcmp(*k, key))
			return 1;
	return 0;
}

/* The list items of key as strings (a single string counts as a list of
 * one when single_ok). Returns the list or NULL (absent, or reported). */
static const struct xlcfg_value *get_list(const struct xlcfg *c, struct cfg_report *r,
					  const char *key)
{
	const struct xlcfg_value *v = xlcfg_get(c, key);

	if (!v)
		return NULL;
	if (v->kind != XLCFG_LIST) {
		diag(r, CFG_ERROR, v->line, v->col,
		     "%s: must be a list ([ '...', ... ]); xl ignores a single value here", key);
		return NULL;
	}
	for (size_t i = 0; i < v->nitems; i++)
		if (v->items[i]->kind == XLCFG_LIST) {
			diag(r, CFG_ERROR, v->items[i]->line, v->items[i]->col,
			     "%s: item %zu is a list, expected a string", key, i);
			return NULL;
		}
	return v;
}

/* Column in the file of offset off inside string value v (after its quote). */
static int strcol(const struct xlcfg_value *v, int off)
{
	return v->col + (v->kind == XLCFG_STRING ? 1 : 0) + (off > 0 ? off - 1 : 0);
}

static void check_disks(const struct xlcfg *c, struct cfg_report *r, enum guest_type t)
{
	const struct xlcfg_value *l = get_list(c, r, "disk");
	int seen_dev[64], nseen = 0, emul_disk[8], nemul = 0;
	const char *hdtype = NULL;
	int max_emul;

	if (!l)
		return;
	if (xlcfg_get_string(c, "hdtype", &hdtype, NULL) != 0)
		hdtype = NULL;
	max_emul = hdtype && !strcmp(hdtype, "ahci") ? 6 : 4;
	for (size_t i = 0; i < l->nitems; i++) {
		const struct xlcfg_value *it = l->items[i];
		struct diskspec d;
		struct vdev v;
		struct err e;
		int col;

		if (diskspec_parse(it->str, &d, &col, &e)) {
			diag(r, CFG_ERROR, it->line, strcol(it, col), "disk %zu: %s", i, e.msg);
			continue;
		}
		if (vdev_decode(d.vdev, &v, &e)) {
			diag(r, CFG_ERROR, it->line, it->col, "disk %zu: %s", i, e.msg);
			diskspec_free(&d);
			continue;
		}
		for (int k = 0; k < nseen; k++)
			if (seen_dev[k] == v.devnum)
				diag(r, CFG_ERROR, it->line, it->col,
				     "disk %zu: vdev %s is the same device (%d) as an earlier disk",
				     i, d.vdev, v.devnum);
		if (nseen < 64)
			seen_dev[nseen++] = v.devnum;
		if (t != GUEST_HVM) {
			if (v.kind == VDEV_HD || v.kind == VDEV_SD)
				diag(r, CFG_WARNING, it->line, it->col,
				     "disk %zu: %s guests see only PV block devices; name it xvd%c%s "
				     "(xen-vbd-interface(7))", i, guest_type_name(t),
				     'a' + v.disk, v.partition ? "N" : "");
			if (d.is_cdrom)
				diag(r, CFG_WARNING, it->line, it->col,
				     "disk %zu: CD-ROM drives are emulated by the device model, "
				     "which %s guests do not have", i, guest_type_name(t));
		} else if (v.kind != VDEV_NUMBER) {
			int emulated = v.kind == VDEV_SD || v.disk < max_emul;

			if (v.kind != VDEV_SD && emulated) {
				for (int k = 0; k < nemul; k++)
					if (emul_disk[k] == v.disk)
						diag(r, CFG_ERROR, it->line, it->col,
						     "disk %zu: %s and an earlier disk are both emulated "
						     "as IDE disk %d", i, d.vdev, v.disk);
				if (nemul < 8)
					emul_disk[nemul++] = v.disk;
			}
			if (v.partition && emulated && !d.is_cdrom)
				diag(r, CFG_WARNING, it->line, it->col,
				     "disk %zu: %s names a partition, but the device model ignores "
				     "partition numbers: the HVM firmware sees %s as the whole "
				     "emulated disk %d", i, d.vdev, d.target ? d.target : "it", v.disk);
			if (d.is_cdrom && !emulated)
				diag(r, CFG_ERROR, it->line, it->col,
				     "disk %zu: CD-ROM %s: only the first %d disks can be emulated "
				     "CD-ROM drives", i, d.vdev, max_emul);
			else if (!emulated)
				diag(r, CFG_WARNING, it->line, it->col,
				     "disk %zu: %s is disk %d: only %d emulated %s disks exist, so "
				     "it is a PV device only (the firmware cannot boot from it)", i,
				     d.vdev, v.disk, max_emul, max_emul == 6 ? "AHCI" : "IDE");
			else if (!d.readwrite && !d.is_cdrom && v.kind != VDEV_SD)
				diag(r, CFG_ERROR, it->line, it->col,
				     "disk %zu: read-only %s: qemu-xen does not support read-only "
				     "emulated IDE disks", i, d.vdev);
		}
		diskspec_free(&d);
	}
}

/* The keys of parse_nic_config (xl_parse.c). */
static const char *const vif_keys[] = {
	"type", "mac", "bridge", "netdev", "gatewaydev", "ip", "script", "backend", "vifname",
	"model", "rate", "forwarddev", "accel", "devid", "mtu", "colo_sock_mirror_id",
	"colo_sock_mirror_ip", "colo_sock_mirror_port", "colo_sock_compare_sec_in_id",
	"colo_sock_compare_sec_in_ip", "colo_sock_compare_sec_in_port",
	"colo_sock_redirector0_id", "colo_sock_redirector0_ip", "colo_sock_redirector0_port",
	"colo_sock_redirector1_id", "colo_sock_redirector1_ip", "colo_sock_redirector1_port",
	"colo_sock_redirector2_id", "colo_sock_redirector2_ip", "colo_sock_redirector2_port",
	"colo_sock_compare_pri_in_id", "colo_sock_compare_pri_in_ip",
	"colo_sock_compare_pri_in_port", "colo_sock_compare_notify_id",
	"colo_sock_compare_notify_ip", "colo_sock_compare_notify_port",
	"colo_filter_mirror_queue", "colo_filter_mirror_outdev", "colo_filter_redirector0_queue",
	"colo_filter_redirector0_indev", "colo_filter_redirector0_outdev",
	"colo_filter_redirector1_queue", "colo_filter_redirector1_indev",
	"colo_filter_redirector1_outdev", "colo_compare_pri_in", "colo_compare_sec_in",
	"colo_compare_out", "colo_compare_notify_dev", "colo_sock_sec_redirector0_id",
	"colo_sock_sec_redirector0_ip", "colo_sock_sec_redirector0_port",
	"colo_sock_sec_redirector1_id", "colo_sock_sec_redirector1_ip",
	"colo_sock_sec_redirector1_port", "colo_filter_sec_redirector0_queue",
	"colo_filter_sec_redirector0_indev", "colo_filter_sec_redirector0_outdev",
	"colo_filter_sec_redirector1_queue", "colo_filter_sec_redirector1_indev",
	"colo_filter_sec_redirector1_outdev", "colo_filter_sec_rewriter0_queue",
	"colo_checkpoint_host", "colo_checkpoint_port", NULL,
};

static int valid_mac(const char *s)
{
	for (int i = 0; i < 6; i++) {
		char *ep;
		unsigned long v = strtoul(s, &ep, 16);

		if (ep == s || v > 255 || !isxdigit((unsigned char)*s))
			return 0;
		if (i < 5 && !*ep)   /* xl skips any one separator */
			return 0;
		if (i == 5 && *ep)
			return 0;
		s = ep + 1;
	}
	return 1;
}

/* xl prints a message for a bad vif item and carries on, so these are
 * warnings, except where libxl then fails. */
static void check_vifs(const struct xlcfg *c, struct cfg_report *r, enum guest_type t)
{
	const struct xlcfg_value *l = get_list(c, r, "vif");

	if (!l)
		return;
	for (size_t i = 0; i < l->nitems; i++) {
		const struct xlcfg_value *it = l->items[i];
		const char *s = it->str, *p = s;

		while (*p) {
			size_t len = strcspn(p, ",");
			const char *tok = p, *eq;
			size_t klen;
			int known = 0;

			while (*tok == ' ')
				tok++;
			eq = memchr(tok, '=', len - (size_t)(tok - p));
			klen = eq ? (size_t)(eq - tok) : len - (size_t)(tok - p);
			for (const char *const *k = vif_keys; *k && eq; k++)
				if (strlen(*k) == klen && !strncmp(*k, tok, klen))
					known = 1;
			if (len && !known) {
				diag(r, CFG_WARNING, it->line, strcol(it, (int)(tok - s) + 1),
				     "vif %zu: unknown setting `%.*s' (xl ignores it)", i,
				     (int)(len - (size_t)(tok - p)), tok);
			} else if (known && klen == 3 && !strncmp(tok, "mac", 3)) {
				char *mac = xstrndup(eq + 1, len - (size_t)(eq + 1 - p));

				if (!valid_mac(mac))
					diag(r, CFG_ERROR, it->line, strcol(it, (int)(eq + 1 - s) + 1),
					     "vif %zu: invalid mac `%s' (six hex bytes, like "
					     "00:16:3e:01:02:03)", i, mac);
				else if (strtoul(mac, NULL, 16) & 1)
					diag(r, CFG_WARNING, it->line, strcol(it, (int)(eq + 1 - s) + 1),
					     "vif %zu: mac `%s' is a multicast address", i, mac);
				free(mac);
			} else if (known && ((klen == 3 && !strncmp(tok, "mtu", 3)) ||
					     (klen == 5 && !strncmp(tok, "devid", 5))) &&
				   !isdigit((unsigned char)eq[1])) {
				diag(r, CFG_ERROR, it->line, strcol(it, (int)(eq + 1 - s) + 1),
				     "vif %zu: %.*s needs a number (xl stops here)", i, (int)klen, tok);
			} else if (known && klen == 4 && !strncmp(tok, "type", 4)) {
				size_t vl = len - (size_t)(eq + 1 - p);

				if (!(vl == 3 && !strncmp(eq + 1, "vif", 3)) &&
				    !(vl == 5 && !strncmp(eq + 1, "ioemu", 5)))
					diag(r, CFG_WARNING, it->line, strcol(it, (int)(eq + 1 - s) + 1),
					     "vif %zu: invalid type `%.*s' (vif or ioemu; xl ignores it)",
					     i, (int)vl, eq + 1);
				else if (t != GUEST_HVM && vl == 5)
					diag(r, CFG_WARNING, it->line, it->col,
					     "vif %zu: type=ioemu means an emulated NIC, which only HVM "
					     "guests have", i);
			}
			p += len;
			if (*p == ',')
				p++;
		}
	}
}

/* pci= entries parse, and the guest type can have them: libxl refuses
 * passthrough to PVH guests (libxl_x86.c). */
static void check_pci(const struct xlcfg *c, struct cfg_report *r, enum guest_type t)
{
	const struct xlcfg_value *l = get_list(c, r, "pci");

	if (!l)
		return;
	if (t == GUEST_PVH && l->nitems) {
		int line, col;

		where(c, "pci", &line, &col);
		diag(r, CFG_ERROR, line, col, "pci: passthrough not yet supported for x86 PVH guests (libxl); "
		     "use type=\"hvm\" or \"pv\"");
	}
	for (size_t i = 0; i < l->nitems; i++) {
		const struct xlcfg_value *it = l->items[i];
		struct pcispec p;
		struct err e;
		int col;

		if (pcispec_parse(it->str, &p, &col, &e))
			diag(r, CFG_ERROR, it->line, strcol(it, col), "pci %zu: %s", i, e.msg);
	}
}

static void check_one_cpulist(struct cfg_report *r, const char *key, const struct xlcfg_value *v,
			      long vcpu)
{
	struct cpulist l;
	struct err e;
	int col;

	if (cpulist_parse(v->str, &l, &col, &e)) {
		if (vcpu >= 0)
			diag(r, CFG_ERROR, v->line, strcol(v, col), "%s (vCPU %ld): %s", key, vcpu,
			     e.msg);
		else
			diag(r, CFG_ERROR, v->line, strcol(v, col), "%s: %s", key, e.msg);
		return;
	}
	if (!l.n)
		diag(r, CFG_WARNING, v->line, v->col, "%s: empty CPU list", key);
	cpulist_free(&l);
}

static void check_cpus(const struct xlcfg *c, struct cfg_report *r, const char *key,
		       long maxvcpus)
{
	const struct xlcfg_value *v = xlcfg_get(c, key);

	if (!v)
		return;
	if (v->kind != XLCFG_LIST) {
		check_one_cpulist(r, key, v, -1);
		return;
	}
	for (size_t i = 0; i < v->nitems; i++) {
		if (v->items[i]->kind == XLCFG_LIST) {
			diag(r, CFG_ERROR, v->items[i]->line, v->items[i]->col,
			     "%s: item %zu is a list, expected a CPULIST string", key, i);
			continue;
		}
		check_one_cpulist(r, key, v->items[i], (long)i);
	}
	if (maxvcpus > 0 && (long)v->nitems > maxvcpus)
		diag(r, CFG_WARNING, v->line, v->col,
		     "%s: %zu per-vCPU entries but only %ld vCPUs; xl ignores the rest", key,
		     v->nitems, maxvcpus);
}

static const char *const actions[] = { "destroy", "restart", "rename-restart", "preserve",
				       "coredump-destroy", "coredump-restart", "soft-reset",
				       NULL };

static void check_actions(const struct xlcfg *c, struct cfg_report *r)
{
	static const char *const keys[] = { "on_poweroff", "on_reboot", "on_watchdog",
					    "on_crash", "on_soft_reset", NULL };

	for (const char *const *k = keys; *k; k++) {
		const char *s;
		int ok = 0, line, col;

		if (get_string(c, r, *k, &s) != 1)
			continue;
		for (const char *const *a = actions; *a; a++)
			ok |= !strcmp(*a, s);
		if (!ok) {
			where(c, *k, &line, &col);
			diag(r, CFG_ERROR, line, col,
			     "unknown %s action \"%s\" (destroy, restart, rename-restart, preserve, "
			     "coredump-destroy, coredump-restart, soft-reset)", *k, s);
		}
	}
}

static void check_boot(const struct xlcfg *c, struct cfg_report *r, enum guest_type t)
{
	const char *kernel = NULL, *boot = NULL, *fw = NULL;
	int line, col, hk, hb, hf;

	hk = get_string(c, r, "kernel", &kernel) == 1;
	hb = get_string(c, r, "bootloader", &boot) == 1;
	hf = get_string(c, r, "firmware", &fw) == 1;
	if (t != GUEST_HVM) {
		if (hf && hk) {
			where(c, "firmware", &line, &col);
			diag(r, CFG_ERROR, line, col, "both kernel and firmware specified");
		} else if (hf && !prefix_of(fw, "pvgrub32") && !prefix_of(fw, "pvgrub64")) {
			where(c, "firmware", &line, &col);
			diag(r, CFG_ERROR, line, col,
			     "firmware \"%s\": only pvgrub32 or pvgrub64 for %s guests", fw,
			     guest_type_name(t));
		}
		if (!hk && !hb && !hf)
			diag(r, CFG_ERROR, 0, 0,
			     "neither kernel nor bootloader specified: %s guests need kernel= "
			     "(direct boot) or bootloader= (pygrub)", guest_type_name(t));
	}
	if (xlcfg_get(c, "cmdline") && (xlcfg_get(c, "root") || xlcfg_get(c, "extra"))) {
		where(c, "cmdline", &line, &col);
		diag(r, CFG_WARNING, line, col,
		     "root= and extra= are ignored in favour of cmdline=");
	}
	if (!hk && !hb && (xlcfg_get(c, "root") || xlcfg_get(c, "extra") ||
			   xlcfg_get(c, "cmdline") || xlcfg_get(c, "ramdisk"))) {
		const char *k = xlcfg_get(c, "ramdisk") ? "ramdisk" : xlcfg_get(c, "cmdline") ?
				"cmdline" : xlcfg_get(c, "root") ? "root" : "extra";

		where(c, k, &line, &col);
		diag(r, CFG_WARNING, line, col, "%s is set but there is no kernel= to use it", k);
	}
	if (t == GUEST_PV && xlcfg_get(c, "timer_mode")) {
		where(c, "timer_mode", &line, &col);
		diag(r, CFG_ERROR, line, col, "\"timer_mode\" option is not supported for PV guests");
	}
}

static void check_keys_for_type(const struct xlcfg *c, struct cfg_report *r, enum guest_type t)
{
	size_t n = xlcfg_nkeys(c);

	if (t == GUEST_HVM)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *k = xlcfg_key(c, i);
		int line, col;

		if (!cfgcheck_hvm_only_key(k) || (t == GUEST_PV && !strcmp(k, "timer_mode")))
			continue;
		where(c, k, &line, &col);
		diag(r, CFG_WARNING, line, col, "%s is an HVM-only setting; %s guests ignore it", k,
		     guest_type_name(t));
	}
}

void cfgcheck_run(const struct xlcfg *c, struct cfg_report *r)
{
	enum guest_type t;
	struct err e = { 0 };
	const char *s;
	long mem = 0, maxmem = 0, vcpus = 1, maxvcpus = 0, l, capmax;
	int hm, hmm, hv, hmv, line, col;

	if (cfgcheck_guest_type(c, &t, &e)) {
		/* report it at its place, then check the rest as xl's default, pv */
		const char *m = bare(c, &e);
		const struct xlcfg_value *v = xlcfg_get(c, "builder");

		if (strstr(m, "type \""))
			v = xlcfg_get(c, "type");
		diag(r, CFG_ERROR, v ? v->line : 0, v ? v->col : 0, "%s", m);
		t = GUEST_PV;
	} else if (xlcfg_get(c, "builder")) {
		where(c, "builder", &line, &col);
		diag(r, CFG_WARNING, line, col, "builder= is deprecated since Xen 4.10; use type=\"%s\"",
		     guest_type_name(t));
	}
	hm = get_string(c, r, "name", &s);
	if (hm == 0)
		diag(r, CFG_ERROR, 0, 0, "domain name must be specified (name=\"...\")");
	else if (hm == 1 && !*s) {
		where(c, "name", &line, &col);
		diag(r, CFG_ERROR, line, col, "name is empty");
	}
	hm = get_long(c, r, "memory", &mem);
	hmm = get_long(c, r, "maxmem", &maxmem);
	if (hm == 1 && mem <= 0) {
		where(c, "memory", &line, &col);
		diag(r, CFG_ERROR, line, col, "memory must be at least 1 (MB), got %ld", mem);
	}
	if (hmm == 1 && hm == 1 && maxmem < mem) {
		where(c, "maxmem", &line, &col);
		diag(r, CFG_ERROR, line, col, "maxmem (%ld MB) < memory (%ld MB)", maxmem, mem);
	} else if (hmm == 1 && hm == 1 && maxmem > mem && t == GUEST_HVM) {
		where(c, "maxmem", &line, &col);
		diag(r, CFG_WARNING, line, col,
		     "maxmem > memory: the HVM guest starts pre-ballooned (populate-on-demand) and "
		     "needs a balloon driver; PCI passthrough refuses it");
	}
	hv = get_long(c, r, "vcpus", &vcpus);
	if (hv == 1 && vcpus < 1) {
		where(c, "vcpus", &line, &col);
		diag(r, CFG_WARNING, line, col, "vcpus = %ld: xl uses 1", vcpus);
		vcpus = 1;
	}
	if (hv != 1)
		vcpus = 1;
	hmv = get_long(c, r, "maxvcpus", &maxvcpus);
	if (hmv == 1 && maxvcpus < vcpus) {
		where(c, "maxvcpus", &line, &col);
		diag(r, CFG_ERROR, line, col, "maxvcpus (%ld) < vcpus (%ld)", maxvcpus, vcpus);
	}
	if (hmv != 1 || maxvcpus < 1)
		maxvcpus = vcpus;
	check_cpus(c, r, "cpus", maxvcpus);
	check_cpus(c, r, "cpus_soft", maxvcpus);
	if (get_long(c, r, "cpu_weight", &l) == 1 && (l < 1 || l > 65535)) {
		where(c, "cpu_weight", &line, &col);
		diag(r, CFG_ERROR, line, col, "cpu_weight %ld out of range 1..65535", l);
	}
	capmax = maxvcpus < LONG_MAX / 100 ? 100 * maxvcpus : LONG_MAX;
	if (get_long(c, r, "cap", &l) == 1 && (l < 0 || l > capmax)) {
		where(c, "cap", &line, &col);
		diag(r, CFG_ERROR, line, col,
		     "cap %ld out of range 0..%ld (100 per vCPU, %ld vCPUs; 0 = no cap)", l,
		     capmax, maxvcpus);
	}
	check_actions(c, r);
	check_boot(c, r, t);
	check_disks(c, r, t);
	check_vifs(c, r, t);
	check_pci(c, r, t);
	check_keys_for_type(c, r, t);
	if (r->n)
		qsort(r->d, r->n, sizeof(*r->d), cmp_diag);
}
