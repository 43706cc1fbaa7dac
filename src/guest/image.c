/* Guest disk images: partitions with their file systems, references, the
 * in-use checks and undo file names. */
#include "guest/image.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/proc.h"
#include "base/sbuf.h"
#include "guest/extfs.h"
#include "xen/xl.h"

int image_load(const char *path, struct image *img, struct err *e)
{
	int r;

	memset(img, 0, sizeof(*img));
	if ((r = part_read(path, &img->pt, e)) < 0)
		return r;
	if (img->pt.disk_bytes == 0)
		return err_set(e, -EINVAL, "%s: empty (0 bytes): not a disk image", path);
	if (img->pt.disk_bytes < img->pt.sector_bytes)
		return err_set(e, -EINVAL, "%s: %llu bytes, less than one %u-byte sector: not a disk image", path,
			       (unsigned long long)img->pt.disk_bytes, img->pt.sector_bytes);
	if (img->pt.scheme == PART_NONE)
		r = fstype_probe(path, 0, img->pt.disk_bytes, &img->fs[0], e);
	for (int k = 0; r == 0 && k < img->pt.nparts; k++)
		r = fstype_probe(path, img->pt.parts[k].start_bytes, img->pt.parts[k].size_bytes, &img->fs[k], e);
	if (r < 0)
		return r;
	img->path = xstrdup(path);
	return 0;
}

void image_free(struct image *img)
{
	free(img->path);
	img->path = NULL;
}

int image_part(const struct image *img, int n, uint64_t *off, uint64_t *size, const struct fstype **fs,
	       struct err *e)
{
	if (img->pt.scheme == PART_NONE) {
		if (n != 0)
			return err_set(e, -ERANGE, "%s: no partition %d: the disk has no partition table (use %s:/PATH)",
				       img->path, n, img->path);
		*off = 0;
		*size = img->pt.disk_bytes;
		*fs = &img->fs[0];
		return 0;
	}
	for (int k = 0; k < img->pt.nparts; k++)
		if (img->pt.parts[k].number == n) {
			*off = img->pt.parts[k].start_bytes;
			*size = img->pt.parts[k].size_bytes;
			*fs = &img->fs[k];
			return 0;
		}
	struct sbuf s = SBUF_INIT;

	for (int k = 0; k < img->pt.nparts; k++)
		sbuf_printf(&s, "%s%d", k ? " " : "", img->pt.parts[k].number);
	err_set(e, -ERANGE, "%s: no partition %d (partitions: %s)", img->path, n, s.len ? sbuf_str(&s) : "none");
	sbuf_free(&s);
	return -ERANGE;
}

static int is_ext(const struct fstype *f)
{
	return !strcmp(f->type, "ext2") || !strcmp(f->type, "ext3") || !strcmp(f->type, "ext4");
}

static int has_etc(const struct image *img, uint64_t off)
{
	struct extfs *fs;
	struct extfs_stat st;
	struct err e;
	int r;

	if (extfs_open(img->path, off, img->path, NULL, &fs, &e) < 0)
		return 0;
	r = extfs_stat(fs, "/etc", 1, &st, &e) == 0 && (st.mode & 0170000) == 0040000;
	extfs_close(fs, &e);
	return r;
}

int image_default_part(const struct image *img, int *n, struct err *e)
{
	int linux_n = 0, nlinux = 0;

	if (img->pt.scheme == PART_NONE) {
		*n = 0;
		return 0;
	}
	for (int k = 0; k < img->pt.nparts; k++) {
		const struct part *p = &img->pt.parts[k];

		if (is_ext(&img->fs[k]) && has_etc(img, p->start_bytes)) {
			*n = p->number;
			return 0;
		}
		if (p->mbr_type == 0x83 || !strcmp(p->type_guid, "0fc63daf-8483-4772-8e79-3d69d8477de4") ||
		    is_ext(&img->fs[k])) {
			linux_n = p->number;
			nlinux++;
		}
	}
	if (nlinux == 1) {
		*n = linux_n;
		return 0;
	}
	return err_set(e, -EINVAL, "%s: no partition holds /etc and %s; name one as %s:N:/PATH", img->path,
		       nlinux ? "several are Linux partitions" : "none is a Linux partition", img->path);
}

int image_parse_ref(const char *arg, char **buf, const char **img, int *part, const char **path, struct err *e)
{
	char *b = xstrdup(arg);

	for (char *p = b; (p = strchr(p, ':')); p++) {
		char *q = p + 1;
		long n = 0;

		if (p == b)
			continue;
		if (*q == '/') {
			*p = 0;
			*buf = b, *img = b, *part = -1, *path = q;
			return 0;
		}
		if (!isdigit((unsigned char)*q))
			continue;
		while (isdigit((unsigned char)*q) && n < 1000)
			n = n * 10 + (*q++ - '0');
		if (q[0] != ':' || q[1] != '/')
			continue;
		*p = 0;
		*buf = b, *img = b, *part = (int)n, *path = q + 1;
		if (n < 1 || n > 128) {
			free(b);
			return err_set(e, -EINVAL, "%s: partition number must be 1..128", arg);
		}
		return 0;
	}
	free(b);
	return err_set(e, -EINVAL, "%s: expected IMG[:PART]:/PATH (e.g. disk.img:1:/etc/fstab)", arg);
}

/* The first line of a sysfs file, without the newline. */
static int read_line(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -1;
	if (!fgets(out, (int)cap, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	n = strlen(out);
	if (n && out[n - 1] == '\n')
		out[--n] = 0;
	return 0;
}

/* Devices (dev_t) of the block device dev and of its partitions. */
static size_t block_and_parts(dev_t dev, dev_t *out, size_t cap)
{
	char sys[PATH_MAX], sub[PATH_MAX + 300], line[64];
	size_t n = 0;
	DIR *d;
	struct dirent *de;

	out[n++] = dev;
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major(dev), minor(dev));
	if (!(d = opendir(sys)))
		return n;
	while ((de = readdir(d)) && n < cap) {
		unsigned ma, mi;

		snprintf(sub, sizeof(sub), "%s/%s/partition", sys, de->d_name);
		if (access(sub, F_OK))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s/dev", sys, de->d_name);
		if (read_line(sub, line, sizeof(line)) == 0 && sscanf(line, "%u:%u", &ma, &mi) == 2)
			out[n++] = makedev(ma, mi);
	}
	closedir(d);
	return n;
}

/* -EBUSY when one of devs[0..n) is mounted. */
static int check_mounted(const char *path, const dev_t *devs, size_t n, struct err *e)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned ma, mi;
		char mnt[2048];

		if (sscanf(line, "%*s %*s %u:%u %*s %2047s", &ma, &mi, mnt) != 3)
			continue;
		for (size_t k = 0; k < n; k++)
			if (devs[k] == makedev(ma, mi)) {
				fclose(f);
				return err_set(e, -EBUSY,
					       "%s is mounted on %s (device %u:%u): unmount it first; nothing changed",
					       path, mnt, ma, mi);
			}
	}
	fclose(f);
	return 0;
}

static int check_xen(const char *path, const char *xl_list_json, struct err *e)
{
	struct sbuf out = SBUF_INIT;
	struct xl_dominfos l;
	struct err xe = { 0 };
	char *args[] = { "list", "-l", NULL };
	const char *name = xl_list_json ? xl_list_json : "xl list -l";
	char **users;
	int r, n;

	if (xl_list_json) {
		if ((r = file_read(xl_list_json, &out, e)) < 0)
			goto out;
	} else {
		if (!proc_have("xl"))
			return 0;
		if (xl_usable(&xe) < 0)
			return 0; /* no hypervisor here: no domain can use the image */
		if ((r = xl_run(args, &out, e)) < 0)
			goto out;
	}
	if ((r = xl_parse_list_json(out.buf ? out.buf : "", out.len, name, &l, e)) < 0)
		goto out;
	n = xl_disk_users(&l, path, &users);
	if (n > 0)
		r = err_set(e, -EBUSY,
			    "%s is a disk of the running Xen domain %s: shut it down first (do not use the image from two places at once); nothing changed",
			    path, users[0]);
	for (int k = 0; users[k]; k++)
		free(users[k]);
	free(users);
	xl_dominfos_free(&l);
out:
	sbuf_free(&out);
	return r;
}

int image_check_unused(const char *path, const char *xl_list_json, struct err *e)
{
	dev_t devs[512];
	size_t n = 0;
	struct stat st;
	int r;

	if (stat(path, &st) < 0)
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		n = block_and_parts(st.st_rdev, devs, 512);
	} else {
		char real[PATH_MAX], line[PATH_MAX + 32], sys[300];
		DIR *d = opendir("/sys/block");
		struct dirent *de;

		if (!realpath(path, real))
			return err_set(e, -errno, "%s: %s", path, strerror(errno));
		while (d && (de = readdir(d))) {
			if (strncmp(de->d_name, "loop", 4))
				continue;
			snprintf(sys, sizeof(sys), "/sys/block/%s/loop/backing_file", de->d_name);
			if (read_line(sys, line, sizeof(line)) < 0)
				continue;
			char *del = strstr(line, " (deleted)");

			if (del && !del[10])
				*del = 0;
			if (!strcmp(line, real)) {
				char dev[256];

				snprintf(dev, sizeof(dev), "%s", de->d_name);
				closedir(d);
				return err_set(e, -EBUSY,
					       "%s is attached to /dev/%s: detach it (losetup -d /dev/%s) when nothing uses it; nothing changed",
					       path, dev, dev);
			}
		}
		if (d)
			closedir(d);
	}
	if (n && (r = check_mounted(path, devs, n, e)) < 0)
		return r;
	return check_xen(path, xl_list_json, e);
}

char *image_undo_name(const char *path, int n)
{
	struct sbuf s = SBUF_INIT;
	struct stat st;
	const char *base = path;

	/* a block device's undo file goes to the current folder, not /dev */
	if (stat(path, &st) == 0 && S_ISBLK(st.st_mode) && strrchr(path, '/'))
		base = strrchr(path, '/') + 1;
	for (int k = 1;; k++) {
		sbuf_reset(&s);
		sbuf_puts(&s, base);
		if (n)
			sbuf_printf(&s, ".p%d", n);
		if (k > 1)
			sbuf_printf(&s, ".%d", k);
		sbuf_puts(&s, ".e2undo");
		if (access(sbuf_str(&s), F_OK))
			return sbuf_take(&s);
	}
}
