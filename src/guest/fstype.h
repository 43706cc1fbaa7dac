/* File system signatures (ext2/3/4, swap, vfat, xfs, btrfs) with their
 * labels and UUIDs, read from raw bytes without mounting. */
#ifndef VMLAB_GUEST_FSTYPE_H
#define VMLAB_GUEST_FSTYPE_H

#include <stdint.h>

#include "base/err.h"

struct fstype {
	char type[8];      /* "ext2" "ext3" "ext4" "swap" "vfat" "xfs" "btrfs", "" unknown;
			    * "qcow2" for a QEMU image file (not raw) */
	char label[64];    /* "" when none */
	char uuid[40];     /* as fstab's UUID= wants it: lower-case 8-4-4-4-12, or XXXX-XXXX for vfat */
};

/* Identifies the file system in the size bytes at offset of path. An
 * unknown one is not an error (type ""). */
int fstype_probe(const char *path, uint64_t offset, uint64_t size, struct fstype *t, struct err *e);

#endif
