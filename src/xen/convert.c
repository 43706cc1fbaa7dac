/* Guest type conversion of xl.cfg files: HVM -> PV/PVH on the same disk,
 * PV <-> PVH, and PV/PVH -> HVM with a new boot volume (the lab handout's
 * two-volume layout). */
#include "xen/convert.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/part.h"
#include "xen/diskspec.h"

/* Keys a PV or PVH guest does not use, dropped when leaving HVM: the
 * cfgcheck_hvm_only_key set plus the device model's display and firmware
 * keys (vnc and sdl would give a PV guest a framebuffer, not a console). */
static const char *const hvm_extra_keys[] = {
	"vnc", "vnclisten", "vncdisplay", "vncunused", "vncpasswd", "sdl", "opengl", "keymap",
	"firmware", "device_model_version", "device_model_override", "device_model_args",
	"device_model_args_hvm", "device_model_user", "acpi", "hap", "nestedhvm", "builder",
	"usbctrl", "usbdev", "xauthority", "display", NULL,
};

/* Keys of PV and PVH direct boot, dropped when going to HVM (the boot
 * volume's GRUB boots the guest). */
static const char *const pv_boot_keys[] = {
	"kernel", "ramdisk", "root", "extra", "cmdline", "bootloader", "bootloader_args",
	"bootloader_restrict", "bootloader_user", "firmware", "builder", "e820_host", NULL,
};

static void change(struct convert_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void change(struct convert_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vprintf(&res->changes, fmt, ap);
	va_end(ap);
	sbuf_putc(&res->changes, '\n');
}

/* One disk of the config: its text and parse. */
struct disk {
	char *spec;
	struct diskspec d;
	struct vdev v;
};

static void free_disks(struct disk *dk, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(dk[i].spec);
		diskspec_free(&dk[i].d);
	}
	free(dk);
}

/* Reads disk=; the config passed cfgcheck, so every spec parses. With none
 * set, no disk at all is the error -EINVAL "none". */
static int load_disks(const struct xlcfg *c, const char *none, struct disk **out, size_t *n,
		      struct err *e)
{
	const struct xlcfg_value *l = xlcfg_get(c, "disk");
	struct disk *dk;
	int col;

	*out = NULL;
	*n = 0;
	if (none && (!l || l->kind != XLCFG_LIST || !l->nitems))
		return err_set(e, -EINVAL, "%s", none);
	if (!l || l->kind != XLCFG_LIST)
		return 0;
	dk = xcalloc(l->nitems ? l->nitems : 1, sizeof(*dk));
	for (size_t i = 0; i < l->nitems; i++) {
		dk[i].spec = xstrdup(l->items[i]->str);
		if (diskspec_parse(dk[i].spec, &dk[i].d, &col, e) ||
		    vdev_decode(dk[i].d.vdev, &dk[i].v, e)) {
			free_disks(dk, i + 1);
			return err_set(e, -EINVAL, "disk %zu: %s", i, e->msg);
		}
	}
	*out = dk;
	*n = l->nitems;
	return 0;
}

static bool same_but_vdev(const struct diskspec *a, const struct diskspec *b)
{
#define SEQ(x, y) (((x) == NULL && (y) == NULL) || ((x) && (y) && !strcmp((x), (y))))
	return SEQ(a->target, b->target) && a->format == b->format && a->backend == b->backend &&
	       a->readwrite == b->readwrite && a->is_cdrom == b->is_cdrom &&
	       a->direct_io_safe == b->direct_io_safe && a->discard == b->discard &&
	       SEQ(a->script, b->script) && SEQ(a->backend_domname, b->backend_domname) &&
	       a->specification == b->specification;
#undef SEQ
}

/* The spec with its vdev replaced by vdev, written like the original when
 * possible (the vdev token swapped in place), else in canonical form; NULL
 * when no spec can carry it. */
static char *respec(const struct disk *dk, const char *vdev)
{
	const char *s = dk->spec, *old = dk->d.vdev;
	size_t ol = strlen(old);
	struct sbuf b = SBUF_INIT;
	const char *p = s;

	while (*p) {
		size_t len = strcspn(p, ",");
		const char *tok = p;
		size_t skip = 0;

		while (tok[skip] == ' ' || tok[skip] == '\t')
			skip++;
		tok += skip;
		if (!strncmp(tok, "target=", 7))
			break;
		if (!strncmp(tok, "vdev=", 5) && len - skip == 5 + ol && !strncmp(tok + 5, old, ol))
			tok += 5;
		if ((len - (size_t)(tok - p) == ol || (tok[ol] == ':' && tok + ol < p + len)) &&
		    !strncmp(tok, old, ol)) {
			struct diskspec back;
			struct err e;
			int col;

			sbuf_add(&b, s, (size_t)(tok - s));
			sbuf_puts(&b, vdev);
			sbuf_puts(&b, tok + ol);
			if (!diskspec_parse(sbuf_str(&b), &back, &col, &e)) {
				bool ok = !strcmp(back.vdev, vdev) && same_but_vdev(&dk->d, &back);

				diskspec_free(&back);
				if (ok)
					return sbuf_take(&b);
			}
			sbuf_reset(&b);
			break;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	{
		struct diskspec d = dk->d;

		d.vdev = (char *)vdev;
		if (diskspec_format(&d, &b))
			return NULL;
	}
	return sbuf_take(&b);
}

static int set_disks(struct xlcfg *c, char **specs, size_t n, struct err *e)
{
	if (!n)
		return xlcfg_del(c, "disk", e);
	return xlcfg_set_list(c, "disk", (const char *const *)specs, n, e);
}

static int versioncmp(const void *a, const void *b)
{
	return strverscmp(*(char *const *)b, *(char *const *)a);
}

int convert_find_kernel(const char *dir, char **kernel, char **ramdisk, struct err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int rc = -ENOENT;

	*kernel = *ramdisk = NULL;
	if (!d)
		return err_set(e, -ENOENT, "%s: %s; give --kernel and --ramdisk", dir,
			       strerror(errno));
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "vmlinuz-", 8) || !de->d_name[8])
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name + 8);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), versioncmp);
	for (size_t i = 0; i < n; i++) {
		struct sbuf k = SBUF_INIT, r = SBUF_INIT;
		struct stat st;

		sbuf_printf(&k, "%s/vmlinuz-%s", dir, names[i]);
		sbuf_printf(&r, "%s/initrd.img-%s", dir, names[i]);
		if (rc && !stat(sbuf_str(&r), &st) && S_ISREG(st.st_mode)) {
			*kernel = sbuf_take(&k);
			*ramdisk = sbuf_take(&r);
			rc = 0;
		}
		sbuf_free(&k);
		sbuf_free(&r);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc)
		err_set(e, -ENOENT, "%s: no vmlinuz-VERSION with a matching initrd.img-VERSION; "
			"give --kernel and --ramdisk", dir);
	return rc;
}

static const char *const gpt_linux_types[] = {
	"0fc63daf-8483-4772-8e79-3d69d8477de4",   /* Linux filesystem */
	"4f68bce3-e8cd-4db1-96e7-fbcaf984b709",   /* Linux root (x86-64) */
	"44479540-f297-41b2-9af7-d131d5f0458a",   /* Linux root (x86) */
	"e6d6d379-f507-44c2-a23c-238f2a3df928",   /* Linux LVM: not a file system */
	NULL,
};

/* First partition of t that holds a Linux file system: 0 when none. */
static int first_linux_partition(const struct part_table *t)
{
	for (int i = 0; i < t->nparts; i++) {
		const struct part *p = &t->parts[i];

		if (t->scheme == PART_MBR && p->mbr_type == 0x83)
			return p->number;
		if (t->scheme == PART_GPT)
			for (int k = 0; k < 3; k++)
				if (!strcmp(p->type_guid, gpt_linux_types[k]))
					return p->number;
	}
	return 0;
}

/* Drops every key of the list present in c, one change line each. */
static int drop_keys(struct xlcfg *c, const char *const *keys, int hvm_only_too,
		     const char *why, struct convert_result *res, struct err *e)
{
	size_t n = xlcfg_nkeys(c);
	char **names = xcalloc(n + 1, sizeof(*names));
	size_t m = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		const char *k = xlcfg_key(c, i);
		int hit = hvm_only_too && cfgcheck_hvm_only_key(k);

		for (const char *const *q = keys; *q && !hit; q++)
			hit = !strcmp(*q, k);
		if (hit)
			names[m++] = xstrdup(k);
	}
	for (size_t i = 0; i < m && !rc; i++) {
		rc = xlcfg_del(c, names[i], e);
		if (!rc)
			change(res, "%s: removed: %s", names[i], why);
	}
	for (size_t i = 0; i < m; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* Renames every disk to xvd* (same disk index and partition) and drops
 * CD-ROM drives, for PV and PVH guests. */
static int disks_to_pv(struct xlcfg *c, enum guest_type to, struct convert_result *res,
		       struct err *e)
{
	struct disk *dk;
	size_t n, m = 0;
	char **specs;
	int rc = load_disks(c, NULL, &dk, &n, e), changed = 0;

	if (rc)
		return rc;
	specs = xcalloc(n + 1, sizeof(*specs));
	for (size_t i = 0; i < n && !rc; i++) {
		char name[32];

		if (dk[i].d.is_cdrom) {
			change(res, "disk: %s (CD-ROM %s) dropped: %s guests have no device model "
			       "to emulate a CD-ROM drive", dk[i].d.vdev,
			       dk[i].d.target && *dk[i].d.target ? dk[i].d.target : "empty",
			       guest_type_name(to));
			changed = 1;
			continue;
		}
		if (dk[i].v.kind == VDEV_HD || dk[i].v.kind == VDEV_SD) {
			vdev_name("xvd", dk[i].v.disk, dk[i].v.partition, name, sizeof(name));
			for (size_t k = 0; k < n; k++)
				if (k != i && !dk[k].d.is_cdrom && !strcmp(dk[k].d.vdev, name))
					rc = err_set(e, -EINVAL, "disk: cannot rename %s to %s: %s is "
						     "already used by another disk", dk[i].d.vdev,
						     name, name);
			specs[m] = respec(&dk[i], name);
			if (!specs[m++])
				rc = err_set(e, -EINVAL, "disk: no spec can carry `%s' with vdev %s",
					     dk[i].spec, name);
			change(res, "disk: %s -> %s: %s guests see only PV block devices "
			       "(xen-vbd-interface(7))", dk[i].d.vdev, name, guest_type_name(to));
			changed = 1;
		} else {
			specs[m++] = xstrdup(dk[i].spec);
		}
	}
	if (!rc && changed)
		rc = set_disks(c, specs, m, e);
	for (size_t i = 0; i < m; i++)
		free(specs[i]);
	free(specs);
	free_disks(dk, n);
	return rc;
}

/* Drops type=ioemu and model= from vif specs: a PV NIC has neither. */
static int vifs_to_pv(struct xlcfg *c, struct convert_result *res, struct err *e)
{
	const struct xlcfg_value *l = xlcfg_get(c, "vif");
	char **specs;
	size_t n;
	int changed = 0, rc = 0;

	if (!l || l->kind != XLCFG_LIST)
		return 0;
	specs = xcalloc(l->nitems + 1, sizeof(*specs));
	for (size_t i = 0; i < l->nitems; i++) {
		struct sbuf b = SBUF_INIT;
		const char *p = l->items[i]->str;

		while (*p) {
			size_t len = strcspn(p, ",");
			const char *tok = p;

			while (*tok == ' ')
				tok++;
			if (!strncmp(tok, "type=ioemu", 10) && (size_t)(tok - p) + 10 == len) {
				change(res, "vif %zu: type=ioemu removed: PV guests have no emulated "
				       "NIC", i);
				changed = 1;
			} else if (!strncmp(tok, "model=", 6)) {
				change(res, "vif %zu: %.*s removed: the NIC model is for the emulated "
				       "NIC of HVM guests", i, (int)(len - (size_t)(tok - p)), tok);
				changed = 1;
			} else if (len) {
				if (b.len)
					sbuf_putc(&b, ',');
				sbuf_add(&b, p, len);
			}
			p += len;
			if (*p == ',')
				p++;
		}
		specs[i] = sbuf_take(&b);
		if (!specs[i])
			specs[i] = xstrdup("");
	}
	n = l->nitems;   /* l dies with the edit */
	if (changed)
		rc = xlcfg_set_list(c, "vif", (const char *const *)specs, n, e);
	for (size_t i = 0; i < n; i++)
		free(specs[i]);
	free(specs);
	return rc;
}

static int set_name(struct xlcfg *c, const struct convert_opts *o, struct convert_result *res,
		    struct err *e)
{
	const char *cur = NULL;
	char *old;
	struct sbuf b = SBUF_INIT;
	int rc;

	(void)xlcfg_get_string(c, "name", &cur, NULL);
	old = cur ? xstrdup(cur) : NULL;
	if (o->name)
		sbuf_puts(&b, o->name);
	else {
		/* "web-pv" -> "web-pvh", not "web-pv-pvh" */
		size_t l = old ? strlen(old) : 0;
		static const char *const sfx[] = { "-pvh", "-pv", "-hvm" };

		for (size_t i = 0; i < 3; i++) {
			size_t sl = strlen(sfx[i]);

			if (l > sl && !strcmp(old + l - sl, sfx[i])) {
				l -= sl;
				break;
			}
		}
		sbuf_printf(&b, "%.*s-%s", (int)l, old ? old : "guest", guest_type_name(o->to));
	}
	rc = xlcfg_set_string(c, "name", sbuf_str(&b), e);
	if (!rc)
		change(res, "name: \"%s\" -> \"%s\": a new domain name, so both configs can be "
		       "listed (never run both at once: they share the disk)", old ? old : "",
		       sbuf_str(&b));
	sbuf_free(&b);
	free(old);
	return rc;
}

static int set_type(struct xlcfg *c, enum guest_type to, const char *why,
		    struct convert_result *res, struct err *e)
{
	int rc = xlcfg_set_string(c, "type", guest_type_name(to), e);

	if (!rc)
		change(res, "type: %s -> %s: %s", guest_type_name(res->from), guest_type_name(to),
		       why);
	return rc;
}

/* The kernel and ramdisk to boot: options, else the newest pair in boot_dir. */
static int pick_kernel(const struct convert_opts *o, char **kernel, char **ramdisk,
		       struct err *e)
{
	if (o->kernel) {
		*kernel = xstrdup(o->kernel);
		*ramdisk = o->ramdisk ? xstrdup(o->ramdisk) : NULL;
		return 0;
	}
	if (convert_find_kernel(o->boot_dir ? o->boot_dir : "/boot", kernel, ramdisk, e))
		return -EINVAL;
	if (o->ramdisk) {
		free(*ramdisk);
		*ramdisk = xstrdup(o->ramdisk);
	}
	return 0;
}

/* s with console=ttyS* words dropped and console=hvc0 added when missing;
 * *changed says whether that differs from s. Caller frees. */
static char *console_to_hvc(const char *s, int *changed, int *dropped)
{
	struct sbuf x = SBUF_INIT;
	const char *p = s ? s : "";
	int had = 0;

	*dropped = 0;
	while (*p) {
		size_t len = strcspn(p, " \t");

		if (len >= 13 && !strncmp(p, "console=ttyS", 12)) {
			*dropped = 1;
		} else if (len) {
			had |= len == 12 && !strncmp(p, "console=hvc0", 12);
			if (x.len)
				sbuf_putc(&x, ' ');
			sbuf_add(&x, p, len);
		}
		p += len;
		p += strspn(p, " \t");
	}
	if (!had) {
		if (x.len)
			sbuf_putc(&x, ' ');
		sbuf_puts(&x, "console=hvc0");
	}
	*changed = !had || *dropped;
	return sbuf_take(&x);
}

/* The root= of the PV guest, on the lowest xvd disk of dk[0..n), with why
 * that partition: o's --root-partition, else the first Linux partition in
 * the disk's table, the whole disk without a table, else partition 1. */
static void pv_root(const struct disk *dk, size_t n, const struct convert_opts *o, char *root,
		    size_t root_len, char *why, size_t why_len)
{
	size_t boot = 0;
	int part = o->root_partition;
	char *path;

	for (size_t i = 1; i < n; i++)
		if (dk[i].v.devnum < dk[boot].v.devnum)
			boot = i;
	snprintf(why, why_len, "default (--root-partition N to choose)");
	path = diskspec_path(&dk[boot].d);
	if (!part && path && !access(path, R_OK)) {
		struct part_table t;
		struct err pe;

		if (!part_read(path, &t, &pe)) {
			if (t.scheme == PART_NONE) {
				part = -1;
				snprintf(why, why_len, "%s has no partition table: the whole "
					 "disk is the file system", path);
			} else if ((part = first_linux_partition(&t)) > 0) {
				snprintf(why, why_len, "partition %d is the first Linux "
					 "partition in %s's %s table", part, path,
					 t.scheme == PART_GPT ? "GPT" : "MBR");
			}
		} else {
			snprintf(why, why_len, "%s's partition table unreadable (%s); default",
				 path, pe.msg);
		}
	}
	free(path);
	if (!part)
		part = 1;
	if (dk[boot].v.partition || part < 0)
		snprintf(root, root_len, "/dev/%s ro", dk[boot].d.vdev);
	else
		snprintf(root, root_len, "/dev/%s%d ro", dk[boot].d.vdev, part);
	if (o->root_partition)
		snprintf(why, why_len, "--root-partition %d", o->root_partition);
}

/* Sets kernel= and ramdisk= (a kept kernel keeps its ramdisk unless o names
 * one; no ramdisk deletes the key). */
static int pv_set_kernel(struct xlcfg *c, const struct convert_opts *o, int keep_kernel,
			 const char *kernel, const char *ramdisk, struct convert_result *res,
			 struct err *e)
{
	int rc;

	if (keep_kernel) {
		change(res, "kernel: \"%s\" kept: the HVM guest already boots it directly", kernel);
	} else {
		rc = xlcfg_set_string(c, "kernel", kernel, e);
		if (rc)
			return rc;
		change(res, "kernel: \"%s\": dom0's kernel boots the guest directly", kernel);
	}
	if (keep_kernel && !o->ramdisk)
		return 0;       /* its ramdisk stays as it is */
	if (ramdisk) {
		rc = xlcfg_set_string(c, "ramdisk", ramdisk, e);
		if (!rc)
			change(res, "ramdisk: \"%s\": the initrd of that kernel", ramdisk);
		return rc;
	}
	return xlcfg_get(c, "ramdisk") ? xlcfg_del(c, "ramdisk", e) : 0;
}

/* Points the kernel console of extra= (cmdline= when it is set) at hvc0. */
static int pv_console(struct xlcfg *c, int has_cmdline, struct convert_result *res,
		      struct err *e)
{
	const char *key = has_cmdline ? "cmdline" : "extra", *extra = NULL;
	int changed, dropped, rc = 0;
	char *v;

	(void)xlcfg_get_string(c, key, &extra, NULL);
	v = console_to_hvc(extra, &changed, &dropped);
	if (changed) {
		rc = xlcfg_set_string(c, key, v, e);
		if (!rc)
			change(res, "%s: \"%s\": the PV console hvc0%s; give the guest a "
			       "getty on hvc0 (/etc/inittab or serial-getty@hvc0)", key, v,
			       dropped ? " instead of the emulated serial port" : "");
	}
	free(v);
	return rc;
}

static int hvm_to_pv(struct xlcfg *c, const struct convert_opts *o, struct convert_result *res,
		     struct err *e)
{
	char *kernel = NULL, *ramdisk = NULL;
	struct disk *dk = NULL;
	size_t n = 0;
	int rc;
	char root[64], why[2048];
	const char *cur = NULL;
	int keep_kernel = 0, keep_root = 0, has_cmdline = xlcfg_get(c, "cmdline") != NULL;

	/* an HVM guest with direct kernel boot keeps its kernel and root */
	if (!o->kernel && xlcfg_get_string(c, "kernel", &cur, NULL) == 0 && *cur) {
		const char *r = NULL;

		keep_kernel = 1;
		kernel = xstrdup(cur);
		if (o->ramdisk)
			ramdisk = xstrdup(o->ramdisk);
		else if (xlcfg_get_string(c, "ramdisk", &r, NULL) == 0)
			ramdisk = xstrdup(r);
		rc = 0;
	} else {
		rc = pick_kernel(o, &kernel, &ramdisk, e);
	}
	if (!o->root_partition && xlcfg_get_string(c, "root", &cur, NULL) == 0 &&
	    (!strncmp(cur, "/dev/xvd", 8) || !strncmp(cur, "UUID=", 5) ||
	     !strncmp(cur, "LABEL=", 6) || !strncmp(cur, "PARTUUID=", 9)))
		keep_root = 1;
	if (!rc)
		rc = set_type(c, o->to, o->to == GUEST_PV ? "boot dom0's kernel directly, no "
			      "device model" : "boot dom0's kernel directly in a PVH container", res, e);
	if (!rc)
		rc = drop_keys(c, hvm_extra_keys, 1, "only HVM guests (device model, firmware, "
			       "emulated devices) use it", res, e);
	if (!rc)
		rc = disks_to_pv(c, o->to, res, e);
	if (!rc)
		rc = vifs_to_pv(c, res, e);
	if (!rc)
		rc = load_disks(c, "disk: no disk to boot from", &dk, &n, e);
	if (rc)
		goto out;
	pv_root(dk, n, o, root, sizeof(root), why, sizeof(why));
	if ((rc = pv_set_kernel(c, o, keep_kernel, kernel, ramdisk, res, e)))
		goto out;
	if (has_cmdline) {
		change(res, "root: not set: cmdline= names the whole kernel command line");
	} else if (keep_root) {
		(void)xlcfg_get_string(c, "root", &cur, NULL);
		change(res, "root: \"%s\" kept: it already names a PV disk or a file system",
		       cur);
	} else {
		rc = xlcfg_set_string(c, "root", root, e);
		if (rc)
			goto out;
		change(res, "root: \"%s\": %s", root, why);
	}
	if (!(rc = pv_console(c, has_cmdline, res, e)))
		rc = set_name(c, o, res, e);
out:
	free_disks(dk, n);
	free(kernel);
	free(ramdisk);
	return rc;
}

static int pv_pvh(struct xlcfg *c, const struct convert_opts *o, struct convert_result *res,
		  struct err *e)
{
	int rc = set_type(c, o->to, o->to == GUEST_PVH ?
			  "same kernel in a PVH container (needs VT-x/AMD-V and a kernel with "
			  "CONFIG_XEN_PVH)" : "same kernel as a PV guest (no hardware "
			  "virtualization needed)", res, e);

	if (!rc && xlcfg_get(c, "builder")) {
		rc = xlcfg_del(c, "builder", e);
		if (!rc)
			change(res, "builder: removed: deprecated, and type= says it");
	}
	if (!rc && o->to == GUEST_PVH && xlcfg_get(c, "e820_host")) {
		rc = xlcfg_del(c, "e820_host", e);
		if (!rc)
			change(res, "e820_host: removed: a PV-only setting");
	}
	if (!rc)
		rc = drop_keys(c, hvm_extra_keys, 1, "only HVM guests use it", res, e);
	if (!rc)
		rc = disks_to_pv(c, o->to, res, e);
	if (!rc)
		rc = set_name(c, o, res, e);
	return rc;
}

/* The disk of dk[0..n) that holds root= (the first disk when root= names
 * none) in *rootdisk, and in *rootpart the partition of root= on it when the
 * disk is a whole device (0 otherwise). */
static void find_root_disk(const struct xlcfg *c, const struct disk *dk, size_t n,
			   size_t *rootdisk, int *rootpart)
{
	const char *root = NULL;
	char dev[64];
	struct vdev rv;
	struct err ve;

	*rootdisk = 0;
	*rootpart = 0;
	if (xlcfg_get_string(c, "root", &root, NULL))
		return;
	sscanf(root, "%63s", dev);
	if (strncmp(dev, "/dev/", 5) || vdev_decode(dev + 5, &rv, &ve))
		return;
	for (size_t i = 0; i < n; i++) {
		if (dk[i].v.disk != rv.disk || dk[i].v.kind == VDEV_NUMBER)
			continue;
		if (dk[i].v.partition == rv.partition) {
			*rootdisk = i;
			*rootpart = 0;
			return;
		}
		if (!dk[i].v.partition) {
			*rootdisk = i;
			*rootpart = rv.partition;
		}
	}
}

/* The kernel and ramdisk GRUB will boot (caller frees): o's or the newest in
 * the boot folder when o names one or c has none, else c's own. */
static int hvm_kernel(const struct xlcfg *c, const struct convert_opts *o, char **kernel,
		      char **ramdisk, struct err *e)
{
	const char *k = NULL, *r = NULL;

	if (o->kernel || !xlcfg_get(c, "kernel"))
		return pick_kernel(o, kernel, ramdisk, e);
	(void)xlcfg_get_string(c, "kernel", &k, NULL);
	(void)xlcfg_get_string(c, "ramdisk", &r, NULL);
	*kernel = xstrdup(k);
	*ramdisk = o->ramdisk ? xstrdup(o->ramdisk) : r ? xstrdup(r) : NULL;
	return 0;
}

static int disk_ro(const struct disk *d)
{
	return !d->d.readwrite && !d->d.is_cdrom;
}

/* Fills order[] (n entries at most) with the disks in HVM order: the root
 * volume, CD-ROMs, writable disks, then read-only disks (qemu-xen cannot
 * emulate a read-only IDE disk, so those stay PV only). Returns how many. */
static size_t hvm_disk_order(const struct disk *dk, size_t n, size_t rootdisk, size_t *order)
{
	size_t no = 0;
	int root_ro = disk_ro(&dk[rootdisk]);

	if (!root_ro)
		order[no++] = rootdisk;
	for (int pass = 0; pass < 3; pass++) {
		if (pass == 2 && root_ro)
			order[no++] = rootdisk;
		for (size_t i = 0; i < n; i++) {
			int ro = disk_ro(&dk[i]);

			if (i != rootdisk && ((pass == 0 && dk[i].d.is_cdrom) ||
					      (pass == 1 && !dk[i].d.is_cdrom && !ro) ||
					      (pass == 2 && ro)))
				order[no++] = i;
		}
	}
	return no;
}

/* Sets disk= to the boot volume as xvda and dk[0..n) after it in HVM order,
 * read-only disks from xvde on; a CD-ROM past the 4 IDE slots is dropped.
 * guestroot gets the root device as the HVM guest sees it. */
static int hvm_disks(struct xlcfg *c, const struct disk *dk, size_t n, size_t rootdisk,
		     int rootpart, const char *bootvol, char *guestroot, size_t groot_len,
		     struct convert_result *res, struct err *e)
{
	char **specs = xcalloc(n + 2, sizeof(*specs)), name[32];
	size_t k = 1, *order = xcalloc(n, sizeof(*order)), no;
	int next = 1, rootidx = 1, rc = 0;
	struct sbuf b = SBUF_INIT;

	sbuf_printf(&b, "format=raw,vdev=xvda,access=rw,target=%s", bootvol);
	specs[0] = sbuf_take(&b);
	change(res, "disk: xvda = %s (new): the boot volume with a partition table, /boot "
	       "and GRUB, which the HVM firmware boots", bootvol);
	no = hvm_disk_order(dk, n, rootdisk, order);
	for (size_t q = 0; q < no && !rc; q++) {
		size_t i = order[q];
		int ro = disk_ro(&dk[i]);
		int idx = ro && next < 4 ? 4 : next;

		if (dk[i].d.is_cdrom && idx >= 4) {
			change(res, "disk: %s (CD-ROM) dropped: only the first 4 disks can be "
			       "emulated CD-ROM drives", dk[i].d.vdev);
			continue;
		}
		next = idx + 1;
		vdev_name("xvd", idx, 0, name, sizeof(name));
		specs[k] = respec(&dk[i], name);
		if (!specs[k])
			rc = err_set(e, -EINVAL, "disk: no spec can carry `%s' with vdev %s",
				     dk[i].spec, name);
		k++;
		if (i == rootdisk) {
			rootidx = idx;
			change(res, "disk: %s -> %s: the PV volume, unchanged, holds /%s",
			       dk[i].d.vdev, name, ro ? " (read-only, so PV only: qemu "
			       "cannot emulate a read-only IDE disk)" : " (emulated as an IDE "
			       "disk, PV once the guest's drivers load)");
		} else {
			change(res, "disk: %s -> %s: %s", dk[i].d.vdev, name,
			       ro ? "read-only, so PV only (qemu cannot emulate a read-only "
			       "IDE disk)" : "after the boot and root disks");
		}
	}
	free(order);
	if (!rc)
		rc = set_disks(c, specs, k, e);
	for (size_t q = 0; q < k; q++)
		free(specs[q]);
	free(specs);
	vdev_name("/dev/xvd", rootidx, rootpart, guestroot, groot_len);
	return rc;
}

/* The keys of an HVM guest in console mode that boots from its first disk. */
static int hvm_keys(struct xlcfg *c, const struct convert_opts *o, struct convert_result *res,
		    struct err *e)
{
	int rc = set_type(c, GUEST_HVM, "fully virtualized: firmware, GRUB from the boot volume, "
			  "emulated devices", res, e);

	if (!rc)
		rc = drop_keys(c, pv_boot_keys, 0, "GRUB on the boot volume loads the kernel",
			       res, e);
	if (!rc)
		rc = xlcfg_set_string(c, "serial", "pty", e);
	if (!rc)
		change(res, "serial: \"pty\": console mode (xl console NAME attaches to ttyS0)");
	if (!rc)
		rc = xlcfg_set(c, "vnc", "0", e);
	if (!rc)
		change(res, "vnc: 0: console mode, no graphical display");
	if (!rc)
		rc = xlcfg_set_string(c, "boot", "c", e);
	if (!rc)
		change(res, "boot: \"c\": boot from the first disk (the boot volume)");
	if (!rc)
		rc = set_name(c, o, res, e);
	return rc;
}

/* The boot volume's path (caller frees): o's, else "<root volume>-boot". */
static int boot_volume(const struct convert_opts *o, const char *rootpath, char **out,
		       struct err *e)
{
	struct sbuf b = SBUF_INIT;

	if (o->boot_volume)
		sbuf_puts(&b, o->boot_volume);
	else
		sbuf_printf(&b, "%s-boot", rootpath);
	*out = sbuf_take(&b);
	if (strchr(*out, '\n') || !**out)
		return err_set(e, -EINVAL, "boot volume `%s': not a usable path", *out);
	return 0;
}

static int pv_to_hvm(struct xlcfg *c, const struct convert_opts *o, struct convert_result *res,
		     struct err *e)
{
	struct disk *dk = NULL;
	size_t n = 0, rootdisk = 0;
	char *kernel = NULL, *ramdisk = NULL, *rootpath = NULL, *bootvol = NULL;
	char guestroot[64];
	int rc, rootpart = 0;

	rc = load_disks(c, "disk: no disk holds the root file system", &dk, &n, e);
	if (rc)
		return rc;
	find_root_disk(c, dk, n, &rootdisk, &rootpart);
	if ((rc = hvm_kernel(c, o, &kernel, &ramdisk, e)))
		goto out;
	rootpath = diskspec_path(&dk[rootdisk].d);
	if (!rootpath) {
		rc = err_set(e, -EINVAL, "disk %zu: the root disk has no target", rootdisk);
		goto out;
	}
	if ((rc = boot_volume(o, rootpath, &bootvol, e)))
		goto out;
	rc = hvm_disks(c, dk, n, rootdisk, rootpart, bootvol, guestroot, sizeof(guestroot), res, e);
	if (!rc)
		rc = hvm_keys(c, o, res, e);
	if (rc)
		goto out;
	change(res, "note: the guest's /etc/fstab must mount / from %s (or by UUID/LABEL): "
	       "that is where the PV volume is in the HVM guest", guestroot);
	convert_boot_script(&res->commands, bootvol, o->boot_size ? o->boot_size : "64M", kernel,
			    ramdisk, rootpath);
out:
	free_disks(dk, n);
	free(kernel);
	free(ramdisk);
	free(rootpath);
	free(bootvol);
	return rc;
}

int convert_config(struct xlcfg *c, const struct convert_opts *o, struct convert_result *res,
		   struct err *e)
{
	int rc = cfgcheck_guest_type(c, &res->from, e);

	if (rc)
		return rc;
	if (res->from == o->to)
		return err_set(e, -EINVAL, "%s: already a %s guest", xlcfg_name(c),
			       guest_type_name(o->to));
	if (res->from == GUEST_HVM)
		return hvm_to_pv(c, o, res, e);
	if (o->to == GUEST_HVM)
		return pv_to_hvm(c, o, res, e);
	return pv_pvh(c, o, res, e);
}
