/* Xen disk specifications (xl-disk-configuration(5)) as libxlutil 4.17's
 * xlu_disk_parse reads them, and virtual device names (xen-vbd-interface(7))
 * decoded as libxl does. */
#ifndef VMLAB_XEN_DISKSPEC_H
#define VMLAB_XEN_DISKSPEC_H

#include <stdbool.h>

#include "base/err.h"
#include "base/sbuf.h"

/* Same numbering as libxl_disk_format. */
enum disk_format {
	DISK_FMT_UNKNOWN = 0, DISK_FMT_QCOW, DISK_FMT_QCOW2, DISK_FMT_VHD,
	DISK_FMT_RAW, DISK_FMT_EMPTY, DISK_FMT_QED,
};
/* Same numbering as libxl_disk_backend. */
enum disk_backend {
	DISK_BACKEND_UNKNOWN = 0, DISK_BACKEND_PHY, DISK_BACKEND_TAP,
	DISK_BACKEND_QDISK, DISK_BACKEND_STANDALONE,
};
enum disk_specification { DISK_SPEC_UNKNOWN = 0, DISK_SPEC_XEN, DISK_SPEC_VIRTIO };

/* A parsed spec, with xlu_disk_parse's defaults applied. Strings are owned
 * (free with diskspec_free); NULL means "not given". */
struct diskspec {
	char *target;          /* as written; "" for an empty CD-ROM drive */
	char *vdev;
	enum disk_format format;
	enum disk_backend backend;
	enum disk_specification specification;
	bool readwrite;
	bool is_cdrom;
	bool removable;
	bool direct_io_safe;
	int discard;           /* -1 default, 0 no-discard, 1 discard */
	int colo;              /* -1 default, 0 no-colo, 1 colo */
	char *script;
	char *backend_domname;
	char *colo_host, *colo_export, *active_disk, *hidden_disk;
	int colo_port;
	bool had_depr_prefix;  /* a "phy:", "raw:", "iscsi:"... prefix was used */
	bool access_given;     /* access was written (positional or access=) */
};

/* Parses spec. On success fills *d (caller frees with diskspec_free) and
 * returns 0. On error returns -EINVAL, *d is left empty, e->msg holds
 * libxlutil's message ("unknown value for format: near `xvda'") and *col
 * the 1-based column in spec where the offending text starts (1 for errors
 * of the whole spec such as "no vdev specified"). */
int diskspec_parse(const char *spec, struct diskspec *d, int *col, struct err *e);
void diskspec_free(struct diskspec *d);

/* The path the backend opens: target with "/dev/" prepended when it does
 * not start with '/'. NULL for an empty drive. Caller frees. */
char *diskspec_path(const struct diskspec *d);

/* Appends a spec string that diskspec_parse (and libxlutil) read back as
 * the same disk: positional "target,format,vdev,access" when the target
 * allows it, else key=value form with target= last. Returns 0, or -EINVAL
 * (nothing appended) when no spec can carry d's strings (a newline in the
 * target, a comma in the vdev...). */
int diskspec_format(const struct diskspec *d, struct sbuf *out);

const char *disk_format_name(enum disk_format f);

enum vdev_kind { VDEV_XVD, VDEV_HD, VDEV_SD, VDEV_NUMBER };

/* A decoded virtual device name. */
struct vdev {
	enum vdev_kind kind;
	int disk;              /* 0-based index: xvda 0, xvdaa 26; -1 for VDEV_NUMBER */
	int partition;         /* 0 for the whole disk */
	int devnum;            /* xenstore device number, as libxl computes it */
};

/* Decodes name as libxl__device_disk_dev_number does: xvdX[N] and dDpP
 * (disk < 2^20, partition <= 255), hdX[N] (a-d, partition <= 63), sdX[N]
 * (a-p, partition <= 15), or a plain number. Returns 0 or -EINVAL (e says
 * why). */
int vdev_decode(const char *name, struct vdev *v, struct err *e);

/* Writes the name of disk index `disk` (partition 0) with prefix ("xvd",
 * "hd", "sd") into buf: 0 -> "a", 26 -> "aa". */
void vdev_name(const char *prefix, int disk, int partition, char *buf, size_t n);

#endif
