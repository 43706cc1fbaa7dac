/* The POSIX sh script that makes the boot volume of a PV guest converted to
 * HVM: one bootable Linux partition with /boot and GRUB. */
#include "xen/convert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/shquote.h"

/* "/dev/VG/LV" -> VG and LV; 0 when path is not of that form. */
static int split_lv(const char *path, char *vg, size_t vgn, char *lv, size_t lvn)
{
	const char *a, *b;

	if (strncmp(path, "/dev/", 5))
		return 0;
	a = path + 5;
	b = strchr(a, '/');
	if (!b || b == a || !b[1] || strchr(b + 1, '/') || !strncmp(a, "mapper/", 7) ||
	    (size_t)(b - a) >= vgn || strlen(b + 1) >= lvn)
		return 0;
	snprintf(vg, vgn, "%.*s", (int)(b - a), a);
	snprintf(lv, lvn, "%s", b + 1);
	return 1;
}

static void cmd(struct sbuf *out, char *const argv[])
{
	char *s = shquote_argv(argv);

	sbuf_printf(out, "%s\n", s);
	free(s);
}

static char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return xstrdup(s ? s + 1 : p);
}

/* Appends the command that creates bootvol of size: an LVM volume for
 * "/dev/VG/LV", else a sparse file. */
static void create_volume(struct sbuf *sh, const char *bootvol, const char *size)
{
	char vg[256], lv[256];

	if (split_lv(bootvol, vg, sizeof(vg), lv, sizeof(lv))) {
		char *a[] = { "lvcreate", "-L", (char *)size, "-n", lv, vg, NULL };

		cmd(sh, a);
	} else {
		char *a[] = { "truncate", "-s", (char *)size, (char *)bootvol, NULL };

		cmd(sh, a);
	}
}

/* Appends the grub.cfg here-document booting kernel (and ramdisk) from the
 * boot partition with / on guestroot. */
static void grub_cfg(struct sbuf *sh, const char *kernel, const char *ramdisk,
		     const char *guestroot)
{
	char *kb = base_name(kernel), *rb = ramdisk ? base_name(ramdisk) : NULL;

	sbuf_puts(sh, "cat >\"$mnt/grub/grub.cfg\" <<'EOF'\n");
	sbuf_puts(sh, "serial --unit=0 --speed=115200\nterminal_input serial console\n"
		  "terminal_output serial console\nset timeout=3\n");
	sbuf_printf(sh, "menuentry 'Linux, / on the PV volume (%s)' {\n", guestroot);
	sbuf_puts(sh, "\tinsmod part_msdos\n\tinsmod ext2\n\tset root=(hd0,msdos1)\n");
	sbuf_printf(sh, "\tlinux /%s root=%s ro console=ttyS0,115200\n", kb, guestroot);
	if (rb)
		sbuf_printf(sh, "\tinitrd /%s\n", rb);
	sbuf_puts(sh, "}\nEOF\n");
	free(kb);
	free(rb);
}

void convert_boot_script(struct sbuf *sh, const char *bootvol, const char *size,
			 const char *kernel, const char *ramdisk, const char *guestroot)
{
	char *q;

	sbuf_puts(sh, "#!/bin/sh\n# Creates the boot volume ");
	sbuf_puts(sh, bootvol);
	sbuf_puts(sh, ": one bootable Linux partition with /boot and GRUB.\nset -e\n");
	create_volume(sh, bootvol, size);
	q = shquote(bootvol);
	sbuf_printf(sh, "printf '%%s\\n' 'label: dos' ',,L,*' | sfdisk %s\n", q);
	sbuf_printf(sh, "loop=$(losetup --find --show --partscan %s)\n", q);
	free(q);
	sbuf_puts(sh, "mkfs.ext4 -q -L boot \"${loop}p1\"\n");
	sbuf_puts(sh, "mnt=$(mktemp -d)\n");
	sbuf_puts(sh, "mount \"${loop}p1\" \"$mnt\"\n");
	q = shquote(kernel);
	sbuf_printf(sh, "cp %s", q);
	free(q);
	if (ramdisk) {
		q = shquote(ramdisk);
		sbuf_printf(sh, " %s", q);
		free(q);
	}
	sbuf_puts(sh, " \"$mnt\"/\n");
	sbuf_puts(sh, "grub-install --target=i386-pc --boot-directory=\"$mnt\" "
		  "--modules='part_msdos ext2' \"$loop\"\n");
	grub_cfg(sh, kernel, ramdisk, guestroot);
	sbuf_puts(sh, "umount \"$mnt\"\nrmdir \"$mnt\"\nlosetup -d \"$loop\"\n");
}
