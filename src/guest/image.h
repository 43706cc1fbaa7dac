/* A guest disk image as vmlab edits it: its partitions and their file
 * systems, the IMG[:PART]:/PATH notation, the default partition, the
 * "is anything using it" checks, and the names of undo files. */
#ifndef VMLAB_GUEST_IMAGE_H
#define VMLAB_GUEST_IMAGE_H

#include <stdint.h>

#include "base/err.h"
#include "guest/fstype.h"
#include "guest/part.h"

struct image {
	char *path;
	struct part_table pt;
	struct fstype fs[128];       /* fs[k] for pt.parts[k]; fs[0] for the whole disk when PART_NONE */
};

/* Reads the partition table of path and probes each partition's file
 * system. An empty path, or one shorter than a sector, is -EINVAL naming
 * it (not a disk image). Caller frees with image_free. */
int image_load(const char *path, struct image *img, struct err *e);
void image_free(struct image *img);

/* Byte range and file system of partition n (0: the whole disk, only when
 * it has no partition table). -ERANGE naming the partitions there are. */
int image_part(const struct image *img, int n, uint64_t *off, uint64_t *size, const struct fstype **fs,
	       struct err *e);

/* The partition holding /etc (an ext file system with /etc a folder), else
 * the only Linux one; 0 for a disk without a table. -EINVAL when it cannot
 * be told. */
int image_default_part(const struct image *img, int *n, struct err *e);

/* Splits "IMG[:PART]:/PATH". *img and *path point into a copy the caller
 * frees through *buf; *part is -1 when not given. -EINVAL naming arg. */
int image_parse_ref(const char *arg, char **buf, const char **img, int *part, const char **path,
		    struct err *e);

/* Refuses (-EBUSY, naming who) an image that is mounted, attached to a
 * loop device, or used as a disk by a running Xen domain (asked through
 * `xl list -l` when xl works; xl_list_json, when not NULL, is a file with
 * recorded `xl list -l` output used instead). */
int image_check_unused(const char *path, const char *xl_list_json, struct err *e);

/* A new undo file name for partition n of path: "PATH.pN.e2undo" (or
 * "PATH.e2undo" for n 0), with ".2", ".3"... before ".e2undo" when taken;
 * for a block device "NAME.pN.e2undo" in the current folder. Caller frees. */
char *image_undo_name(const char *path, int n);

#endif
