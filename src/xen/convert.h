/* Conversion of an xl.cfg domain config between guest types (HVM -> PV on
 * the same disk, PV <-> PVH, PV -> HVM with a separate boot volume), as edits
 * that keep the rest of the file byte for byte. */
#ifndef VMLAB_XEN_CONVERT_H
#define VMLAB_XEN_CONVERT_H

#include "base/err.h"
#include "base/sbuf.h"
#include "xen/cfgcheck.h"
#include "xen/xlcfg.h"

struct convert_opts {
	enum guest_type to;
	const char *kernel;        /* NULL: newest vmlinuz-V with initrd.img-V in boot_dir */
	const char *ramdisk;       /* NULL: initrd.img-V of the chosen kernel */
	const char *boot_dir;      /* NULL: "/boot" */
	int root_partition;        /* 0: from the disk's partition table, else 1 */
	const char *name;          /* NULL: "<name>-<to>" */
	const char *boot_volume;   /* PV -> HVM: path of the new boot volume (NULL: derived) */
	const char *boot_size;     /* PV -> HVM: size of the boot volume (NULL: "256M") */
};

struct convert_result {
	enum guest_type from;
	struct sbuf changes;       /* one line per change: "what: why\n" */
	struct sbuf commands;      /* PV -> HVM: a POSIX sh script creating the boot volume */
};

/* Edits c in place into a config of type o->to and describes each change.
 * c must pass cfgcheck without errors. Returns 0, or -EINVAL (conversion
 * not possible: same type, no kernel found, ...) with e explaining why; c
 * may be partly edited then and must be discarded. res is owned by the
 * caller (free its sbufs) and filled in both cases. */
int convert_config(struct xlcfg *c, const struct convert_opts *o, struct convert_result *res,
		   struct err *e);

/* Finds the newest vmlinuz-V in dir (version order) that has an
 * initrd.img-V beside it; caller frees *kernel and *ramdisk. -ENOENT when
 * there is none. */
int convert_find_kernel(const char *dir, char **kernel, char **ramdisk, struct err *e);

/* Appends to sh a POSIX sh script (set -e) whose one command, `vmlab image
 * mkboot`, creates bootvol of size (an LV for an absent "/dev/VG/LV", else a
 * file) with an MBR, ext2 /boot holding kernel and ramdisk (NULL: none) and
 * GRUB for BIOS booting with root=UUID= of rootvol's file system on the
 * serial console. Every argument is shell-quoted. */
void convert_boot_script(struct sbuf *sh, const char *bootvol, const char *size, const char *kernel,
			 const char *ramdisk, const char *rootvol);

#endif
