/* Making a disk boot as an HVM guest through SeaBIOS: a kernel, an
 * initramfs and GRUB 2 for BIOS on an ext file system, the menu and the
 * kernel on the serial console. Two shapes: a new boot volume (its own
 * partition table and ext2 /boot) for a root volume that has none, as a PV
 * guest's disk; or the guest's own disk, its root file system getting /boot
 * and its MBR gap GRUB's core. */
#ifndef VMLAB_GUEST_MKBOOT_H
#define VMLAB_GUEST_MKBOOT_H

#include <stdint.h>

#include "base/err.h"
#include "base/sbuf.h"

#define MKBOOT_DEFAULT_BYTES (64ull << 20)

struct mkboot_req {
	const char *boot;          /* the disk GRUB goes on: image file or block device */
	int boot_part;             /* in place: the partition getting /boot (-1: the one holding /etc) */
	const char *root;          /* the root volume (NULL: in place, boot is the guest's own disk) */
	int root_part;             /* its partition (-1: default; 0 for a disk without a table) */
	uint64_t size_bytes;       /* a boot volume made here (0: MKBOOT_DEFAULT_BYTES) */
	const char *kernel;        /* files on this machine, copied in */
	const char *initrd;        /* NULL: none */
	const char *root_arg;      /* the kernel's root= (NULL: UUID= of the root file system) */
	const char *console;       /* NULL: "ttyS0" */
	const char *append;        /* more kernel command-line words, or NULL */
	const char *grub_dir;      /* NULL: GRUBPC_DIR */
	const char *xl_json;       /* recorded `xl list -l` for the in-use checks, or NULL */
	const char *undo;          /* in place: the undo file of the file-system edit */
	int dry_run;               /* check and plan, change nothing */
};

/* Checks req, then (unless dry_run) does it, appending one line per step
 * to log. A new boot volume is assembled in a temporary file next to it
 * (TMPDIR for a device), then created (a sparse file; an LV for an absent
 * "/dev/VG/LV", through lvcreate) or written over an existing blank one,
 * and read back; on failure a volume made here is removed and an existing
 * one gets its old bytes back. In place, the MBR gap is written (and read
 * back) first, then the files through extfs's undo edit; a failed edit
 * puts the gap back. Refuses, changing nothing: a disk in use
 * (image_check_unused: -EBUSY), a root that is not ext2/3/4 (-EINVAL), a
 * boot volume or file system too small for kernel + initrd (-E2BIG naming
 * the bytes needed and free), an existing boot volume that is not blank or
 * files already in /boot (-EEXIST), no MBR gap (-ENOSPC). */
int mkboot_run(const struct mkboot_req *req, struct sbuf *log, struct err *e);

/* The grub.cfg text: serial console, one menu entry booting kernel_path
 * with initrd_path (NULL: none; paths as GRUB sees them on its partition),
 * root=root_arg, console=CONSOLE,115200 and append. */
void mkboot_grub_cfg(struct sbuf *out, const char *title, const char *kernel_path, const char *initrd_path,
		     const char *root_arg, const char *console, const char *append);

#endif
