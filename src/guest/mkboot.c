/* vmlab image mkboot: kernel, initramfs and GRUB on a new boot volume or on
 * the guest's own disk. */
#include "guest/mkboot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/proc.h"
#include "guest/extfs.h"
#include "guest/grubpc.h"
#include "guest/image.h"

#define MIB (1ull << 20)
/* the first partition of a new boot volume starts here, after the MBR gap */
#define PART_START MIB

/* GRUB modules built into the core image: it reads grub.cfg from an ext
 * file system on an MBR partition and needs nothing else from the disk. */
static const char *const grub_modules[] = {
	"biosdisk", "part_msdos", "ext2", "normal", "linux", "boot", "serial", "terminal",
	"echo", "test", "configfile", NULL,
};

/* The characters of kernel and initrd file names (they end up in grub.cfg). */
#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-"

/* What goes onto the disk. */
struct payload {
	struct sbuf kernel, initrd, boot_img, core, cfg;
	const char *kbase, *ibase;   /* file names of kernel and initrd, into req */
};

static void payload_free(struct payload *p)
{
	sbuf_free(&p->kernel);
	sbuf_free(&p->initrd);
	sbuf_free(&p->boot_img);
	sbuf_free(&p->core);
	sbuf_free(&p->cfg);
}

static const char *base_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* "/dev/VG/LV" -> VG and LV (0 when path is not of that form, or /dev/mapper). */
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

void mkboot_grub_cfg(struct sbuf *out, const char *title, const char *kernel_path, const char *initrd_path,
		     const char *root_arg, const char *console, const char *append)
{
	sbuf_puts(out, "# Written by vmlab image mkboot: GRUB's menu and the kernel on the serial port.\n"
		  "serial --unit=0 --speed=115200\nterminal_input serial console\n"
		  "terminal_output serial console\nset timeout=5\nset default=0\n");
	sbuf_printf(out, "menuentry '%s' {\n", title);
	sbuf_printf(out, "\techo 'Loading %s ...'\n", kernel_path);
	sbuf_printf(out, "\tlinux %s root=%s ro console=%s,115200%s%s\n", kernel_path, root_arg, console,
		    append && *append ? " " : "", append ? append : "");
	if (initrd_path) {
		sbuf_printf(out, "\techo 'Loading %s ...'\n", initrd_path);
		sbuf_printf(out, "\tinitrd %s\n", initrd_path);
	}
	sbuf_puts(out, "}\n");
}

/* Reads the regular, non-empty file path into out; what names it. */
static int read_input(const char *path, const char *what, struct sbuf *out, struct err *e)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return err_set(e, -errno, "%s %s: %s", what, path, strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		return err_set(e, -EINVAL, "%s %s: not a non-empty regular file", what, path);
	return file_read(path, out, e);
}

/* The root file system of req: ext2/3/4, not in use; its UUID. */
static int root_facts(const char *path, int part, const char *xl_json, char uuid[40], struct err *e)
{
	struct image img;
	const struct fstype *fs;
	uint64_t off, size;
	int r;

	if ((r = image_load(path, &img, e)) < 0)
		return r;
	if (part < 0 && (r = image_default_part(&img, &part, e)) < 0)
		goto out;
	if ((r = image_part(&img, part, &off, &size, &fs, e)) < 0)
		goto out;
	if (strncmp(fs->type, "ext", 3)) {
		r = err_set(e, -EINVAL, "root volume %s%s%.0d: not an ext2/3/4 file system (%s%s); nothing changed",
			    path, part ? ":" : "", part, fs->type[0] ? "found " : "no known signature", fs->type);
		goto out;
	}
	snprintf(uuid, 40, "%s", fs->uuid);
	r = image_check_unused(path, xl_json, e);
out:
	image_free(&img);
	return r;
}

/* Bytes that kernel, initrd and grub.cfg take in fs, with two folders. */
static uint64_t payload_cost(const struct extfs *fs, const struct payload *p)
{
	uint64_t free_bytes;
	uint32_t bs;

	extfs_space(fs, &free_bytes, &bs);
	return extfs_file_cost(fs, p->kernel.len) + extfs_file_cost(fs, p->initrd.len) +
	       extfs_file_cost(fs, p->cfg.len) + 4ull * bs;
}

/* -E2BIG unless p fits into the free space of fs (label names it). */
static int check_space(const struct extfs *fs, const struct payload *p, const char *label, struct err *e)
{
	uint64_t free_bytes, need = payload_cost(fs, p);
	uint32_t bs;

	extfs_space(fs, &free_bytes, &bs);
	if (need > free_bytes)
		return err_set(e, -E2BIG,
			       "%s: too small: kernel + initrd + grub.cfg need %llu bytes, the file system (block size %u) has %llu free; nothing changed",
			       label, (unsigned long long)need, bs, (unsigned long long)free_bytes);
	return 0;
}

/* Writes kernel, initrd and grub/grub.cfg under dir ("" or "/boot"). */
static int put_files(struct extfs *fs, const char *dir, const struct payload *p, struct err *e)
{
	char path[4200];
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, p->kbase);
	if ((r = extfs_create(fs, path, 0644, p->kernel.buf, p->kernel.len, e)) < 0)
		return r;
	if (p->ibase) {
		snprintf(path, sizeof(path), "%s/%s", dir, p->ibase);
		if ((r = extfs_create(fs, path, 0644, p->initrd.buf, p->initrd.len, e)) < 0)
			return r;
	}
	snprintf(path, sizeof(path), "%s/grub/grub.cfg", dir);
	return extfs_create(fs, path, 0644, p->cfg.buf, p->cfg.len, e);
}

/* pread/pwrite of len bytes at off of path; writes are fsync'd. */
static int disk_io(const char *path, int wr, uint64_t off, void *buf, size_t len, struct err *e)
{
	int fd = open(path, (wr ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	ssize_t n = -1;

	if (fd < 0)
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	n = wr ? pwrite(fd, buf, len, (off_t)off) : pread(fd, buf, len, (off_t)off);
	if (n != (ssize_t)len || (wr && fsync(fd) < 0)) {
		int r = err_set(e, n < 0 || errno ? -errno : -EIO, "%s: %s %zu bytes at %llu: %s", path,
				wr ? "writing" : "reading", len, (unsigned long long)off,
				n >= 0 && n != (ssize_t)len ? "short" : strerror(errno));

		close(fd);
		return r;
	}
	close(fd);
	return 0;
}

/* 0 when path (a file or block device) opens for writing and, for a block
 * device, the kernel does not hold it read-only (losetup -r, lvchange -pr);
 * otherwise -EROFS or -errno, named in e. Nothing is written. */
static int check_writable(const char *path, struct err *e)
{
	int fd = open(path, O_RDWR | O_CLOEXEC), ro = 0;
	struct stat st;

	if (fd < 0)
		return err_set(e, errno == EACCES || errno == EPERM ? -EROFS : -errno,
			       "%s: cannot write: %s; nothing changed", path, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISBLK(st.st_mode) && ioctl(fd, BLKROGET, &ro) == 0 && ro) {
		close(fd);
		return err_set(e, -EROFS, "%s: a read-only block device (blockdev --getro says 1); nothing changed", path);
	}
	close(fd);
	return 0;
}

/* Runs argv (a tool vmlab needs, named in e when missing or failing). */
static int tool(char *const argv[], const char *stdin_data, struct err *e)
{
	struct sbuf errout = SBUF_INIT;
	struct proc_opts o = { .stdin_data = stdin_data, .stdin_len = stdin_data ? strlen(stdin_data) : 0,
			       .out = &errout, .errout = &errout, .timeout_ms = 300000 };
	int status, r;

	if (!proc_have(argv[0]))
		return err_set(e, -ENOPKG, "%s is missing (scripts/install-deps installs it)", argv[0]);
	if ((r = proc_run(argv, &o, &status, e)) == 0 && status != 0)
		r = err_set(e, -EIO, "%s exited with status %d: %s", argv[0], status, sbuf_str(&errout));
	sbuf_free(&errout);
	return r;
}

/* Reads kernel, initrd and GRUB's boot.img, makes the core image (GRUB
 * finds grub.cfg under prefix) and the grub.cfg text. */
static int payload_load(const struct mkboot_req *req, const char *prefix, const char *dir,
			const char *root_arg, struct payload *p, struct err *e)
{
	const char *console = req->console ? req->console : "ttyS0";
	char path[4200], title[600];
	int r;

	p->kbase = base_of(req->kernel);
	p->ibase = req->initrd ? base_of(req->initrd) : NULL;
	if (strspn(p->kbase, NAME_CHARS) != strlen(p->kbase) ||
	    (p->ibase && strspn(p->ibase, NAME_CHARS) != strlen(p->ibase)))
		return err_set(e, -EINVAL, "--kernel %s, --initrd %s: file names may hold only letters, digits and . _ + -",
			       req->kernel, req->initrd ? req->initrd : "(none)");
	if (!*p->kbase || !strcmp(p->kbase, "grub") ||
	    (p->ibase && (!*p->ibase || !strcmp(p->kbase, p->ibase) || !strcmp(p->ibase, "grub"))))
		return err_set(e, -EINVAL, "--kernel %s, --initrd %s: need two different file names, neither 'grub'",
			       req->kernel, req->initrd ? req->initrd : "(none)");
	if ((r = read_input(req->kernel, "kernel", &p->kernel, e)) < 0 ||
	    (p->ibase && (r = read_input(req->initrd, "initrd", &p->initrd, e)) < 0))
		return r;
	snprintf(path, sizeof(path), "%s/boot.img", req->grub_dir ? req->grub_dir : GRUBPC_DIR);
	if (access(path, R_OK) < 0)
		return err_set(e, -ENOPKG, "%s: %s: install grub-pc-bin (GRUB for BIOS)", path, strerror(errno));
	if ((r = file_read(path, &p->boot_img, e)) < 0 ||
	    (r = grubpc_mkcore(req->grub_dir, prefix, grub_modules, &p->core, e)) < 0)
		return r;
	snprintf(title, sizeof(title), "Linux %s, root=%s", p->kbase, root_arg);
	for (char *c = title; *c; c++)
		if (*c == '\'')
			*c = '"';
	snprintf(path, sizeof(path), "%s/%s", dir, p->kbase);
	char ipath[4200];

	snprintf(ipath, sizeof(ipath), "%s/%s", dir, p->ibase ? p->ibase : "");
	mkboot_grub_cfg(&p->cfg, title, path, p->ibase ? ipath : NULL, root_arg, console, req->append);
	return 0;
}

/* Lays out the whole boot volume in the file tmp of size bytes: the MBR with
 * one bootable Linux partition from PART_START, ext2 on it with p's files,
 * GRUB in the gap. mke2fs writes its inode tables (nodiscard): a volume
 * copied by its data extents onto a used LV then reads no stale inodes. */
static int build_volume(const char *tmp, uint64_t size, const struct payload *p, const char *boot,
			struct err *e)
{
	char label[4200];
	char kib[32], *sfdisk[] = { "sfdisk", "-q", (char *)tmp, NULL };
	char *mke2fs[] = { "mke2fs", "-q", "-F", "-t", "ext2", "-L", "boot", "-E", "offset=1048576,nodiscard,lazy_itable_init=0",
			   (char *)tmp, kib, NULL };
	unsigned char *head = NULL;
	struct extfs *fs;
	int r;

	if (truncate(tmp, (off_t)size) < 0)
		return err_set(e, -errno, "%s: %s", tmp, strerror(errno));
	snprintf(kib, sizeof(kib), "%lluk", (unsigned long long)((size - PART_START) / 1024));
	if ((r = tool(sfdisk, "label: dos\nstart=2048, type=83, bootable\n", e)) < 0 || (r = tool(mke2fs, NULL, e)) < 0)
		return r;
	snprintf(label, sizeof(label), "boot volume %s:1", boot);
	if ((r = extfs_open_fresh(tmp, PART_START, label, &fs, e)) < 0)
		return r;
	if ((r = check_space(fs, p, label, e)) < 0 || (r = put_files(fs, "", p, e)) < 0) {
		extfs_discard(fs);
		return r;
	}
	if ((r = extfs_close(fs, e)) < 0)
		return r;
	head = xmalloc(PART_START);
	if ((r = disk_io(tmp, 0, 0, head, PART_START, e)) == 0 &&
	    (r = grubpc_embed(head, PART_START, (const unsigned char *)p->boot_img.buf, p->boot_img.len,
			      (const unsigned char *)p->core.buf, p->core.len, boot, e)) == 0)
		r = disk_io(tmp, 1, 0, head, PART_START, e);
	free(head);
	return r;
}

/* Writes img (the assembled volume) over path at 0 and reads it back;
 * on failure writes old (when not NULL) back. */
static int write_verified(const char *path, const struct sbuf *img, const char *old, struct err *e)
{
	char *back = xmalloc(img->len);
	int r;

	if ((r = disk_io(path, 1, 0, img->buf, img->len, e)) == 0 &&
	    (r = disk_io(path, 0, 0, back, img->len, e)) == 0 && memcmp(back, img->buf, img->len))
		r = err_set(e, -EIO, "%s: reading the boot volume back gave other bytes than written", path);
	free(back);
	if (r < 0 && old) {
		struct err re = { 0 };
		char msg[sizeof(e->msg)];

		snprintf(msg, sizeof(msg), "%s", e->msg);
		if (disk_io(path, 1, 0, (void *)old, img->len, &re) == 0)
			err_set(e, r, "%s; its old bytes are back", msg);
		else
			err_set(e, r, "%s; putting its old bytes back failed too: %s", msg, re.msg);
	}
	return r;
}

/* Puts the assembled volume tmp (size bytes) at req->boot: renamed into
 * place for an absent file, written onto an LV lvcreate makes (removed
 * again on failure), or over an existing blank volume (its bytes saved and
 * put back on failure). */
static int place_volume(const char *boot, const char *tmp, uint64_t size, int exists, struct sbuf *log,
			struct err *e)
{
	struct sbuf img = SBUF_INIT;
	char *old = NULL, vg[256], lv[256], sz[40];
	int r;

	if (!exists && !split_lv(boot, vg, sizeof(vg), lv, sizeof(lv))) {
		if (rename(tmp, boot) < 0)
			return err_set(e, -errno, "%s: %s", boot, strerror(errno));
		sbuf_printf(log, "%s: created (%llu bytes)\n", boot, (unsigned long long)size);
		return 0;
	}
	if ((r = file_read(tmp, &img, e)) < 0)
		return r;
	if (!exists) {
		char *lvc[] = { "lvcreate", "-q", "-y", "-L", sz, "-n", lv, vg, NULL };
		char full[600], *lvr[] = { "lvremove", "-q", "-f", full, NULL };

		snprintf(sz, sizeof(sz), "%llub", (unsigned long long)size);
		snprintf(full, sizeof(full), "%s/%s", vg, lv);
		if ((r = tool(lvc, NULL, e)) < 0)
			goto out;
		sbuf_printf(log, "%s: logical volume created (%llu bytes)\n", boot, (unsigned long long)size);
		if ((r = write_verified(boot, &img, NULL, e)) < 0) {
			struct err re = { 0 };

			if (tool(lvr, NULL, &re) == 0)
				sbuf_printf(log, "%s: removed again\n", boot);
			goto out;
		}
	} else {
		old = xmalloc(img.len);
		if ((r = disk_io(boot, 0, 0, old, img.len, e)) < 0 || (r = write_verified(boot, &img, old, e)) < 0)
			goto out;
	}
	sbuf_printf(log, "%s: %zu bytes written and read back\n", boot, img.len);
out:
	sbuf_free(&img);
	free(old);
	return r;
}

/* Largest existing volume mkboot writes over (it is held in memory twice). */
#define MAX_EXISTING (256ull << 20)

/* The boot volume: absent (*exists 0), or blank and unused, *size set. */
static int boot_target(const struct mkboot_req *req, int *exists, uint64_t *size, struct err *e)
{
	struct image img;
	struct stat st;
	int r;

	*size = req->size_bytes ? req->size_bytes : MKBOOT_DEFAULT_BYTES;
	if (stat(req->boot, &st) < 0) {
		if (errno != ENOENT)
			return err_set(e, -errno, "boot volume %s: %s", req->boot, strerror(errno));
		*exists = 0;
		return 0;
	}
	*exists = 1;
	if ((r = image_check_unused(req->boot, req->xl_json, e)) < 0 || (r = check_writable(req->boot, e)) < 0 ||
	    (r = image_load(req->boot, &img, e)) < 0)
		return r;
	*size = img.pt.disk_bytes;
	if (img.pt.scheme != PART_NONE || img.fs[0].type[0])
		r = err_set(e, -EEXIST, "boot volume %s: holds %s%s already; mkboot writes only a new or blank volume; nothing changed",
			    req->boot, img.pt.scheme != PART_NONE ? "a partition table" : "a file system ",
			    img.pt.scheme != PART_NONE ? "" : img.fs[0].type);
	else if (*size > MAX_EXISTING)
		r = err_set(e, -EINVAL, "boot volume %s: %llu bytes, more than the %llu a boot volume may have here; nothing changed",
			    req->boot, (unsigned long long)*size, MAX_EXISTING);
	image_free(&img);
	return r;
}

/* PV -> HVM: a new boot volume for the root volume req->root. */
static int new_volume(const struct mkboot_req *req, struct payload *p, struct sbuf *log, struct err *e)
{
	char uuid[40] = "", rootarg[80], tmp[4200], vg[256], lv[256];
	const char *root_arg = req->root_arg;
	uint64_t size;
	int exists, fd, r;

	if ((r = root_facts(req->root, req->root_part, req->xl_json, uuid, e)) < 0 ||
	    (r = boot_target(req, &exists, &size, e)) < 0)
		return r;
	if (!root_arg && !uuid[0])
		return err_set(e, -EINVAL, "root volume %s: its file system has no UUID: give --root-arg", req->root);
	snprintf(rootarg, sizeof(rootarg), "UUID=%s", uuid);
	if (!root_arg)
		root_arg = rootarg;
	if ((r = payload_load(req, "(hd0,msdos1)/grub", "", root_arg, p, e)) < 0)
		return r;
	if (p->kernel.len + p->initrd.len + PART_START >= size)
		return err_set(e, -E2BIG,
			       "boot volume %s: too small: %llu bytes hold less than the MBR gap (%llu) + kernel (%zu) + initrd (%zu); nothing changed",
			       req->boot, (unsigned long long)size, PART_START, p->kernel.len, p->initrd.len);
	sbuf_printf(log, "%s: %s, %llu bytes: MBR, partition 1 (ext2 /boot) from %llu with %s, %s, grub/grub.cfg; GRUB %zu-byte core in the MBR gap; root=%s\n",
		    req->boot, exists ? "existing blank volume" : "new volume", (unsigned long long)size, PART_START,
		    p->kbase, p->ibase ? p->ibase : "no initrd", p->core.len, root_arg);
	if (req->dry_run)
		return 0;
	if (exists || split_lv(req->boot, vg, sizeof(vg), lv, sizeof(lv)))
		snprintf(tmp, sizeof(tmp), "%s/vmlab-mkboot-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	else
		snprintf(tmp, sizeof(tmp), "%s.mkboot-XXXXXX", req->boot);
	if ((fd = mkstemp(tmp)) < 0)
		return err_set(e, -errno, "%s: %s; nothing changed", tmp, strerror(errno));
	close(fd);
	if ((r = build_volume(tmp, size, p, req->boot, e)) == 0)
		r = place_volume(req->boot, tmp, size, exists, log, e);
	unlink(tmp);
	return r;
}

/* The disk's head up to its first partition (at most 1 MiB) with GRUB
 * embedded into *grub; the bytes as they are into *orig. */
static int plan_head(const struct image *img, const struct payload *p, unsigned char **orig,
		     unsigned char **grub, size_t *len, struct err *e)
{
	uint64_t first = PART_START;
	int r;

	for (int k = 0; k < img->pt.nparts; k++)
		if (img->pt.parts[k].start_bytes < first)
			first = img->pt.parts[k].start_bytes;
	*len = (size_t)first;
	*orig = xmalloc(*len);
	*grub = xmalloc(*len);
	if ((r = disk_io(img->path, 0, 0, *orig, *len, e)) < 0)
		return r;
	memcpy(*grub, *orig, *len);
	return grubpc_embed(*grub, *len, (const unsigned char *)p->boot_img.buf, p->boot_img.len,
			    (const unsigned char *)p->core.buf, p->core.len, img->path, e);
}

/* Checks that fs has room for p and none of its files under /boot. */
static int check_in_place(const char *img, uint64_t off, const char *label, const struct payload *p,
			  struct err *e)
{
	const char *names[] = { p->kbase, "grub/grub.cfg", p->ibase };
	struct extfs *fs;
	int r;

	if ((r = extfs_open(img, off, label, NULL, &fs, e)) < 0)
		return r;
	r = check_space(fs, p, label, e);
	for (int k = 0; k < 3 && names[k] && r == 0; k++) {
		char path[4200];
		struct extfs_stat st;
		struct err ignore;

		snprintf(path, sizeof(path), "/boot/%s", names[k]);
		if (extfs_stat(fs, path, 0, &st, &ignore) == 0)
			r = err_set(e, -EEXIST, "%s:%s: exists already; nothing changed", label, path);
	}
	extfs_close(fs, NULL);
	return r;
}

/* Writes p's files under /boot of the file system at off, with req->undo. */
static int edit_in_place(const struct mkboot_req *req, uint64_t off, const char *label, const struct payload *p,
			 struct err *e)
{
	struct extfs *fs;
	int r;

	if ((r = extfs_open(req->boot, off, label, req->undo, &fs, e)) < 0)
		return r;
	if ((r = put_files(fs, "/boot", p, e)) < 0) {
		extfs_discard(fs);
		return r;
	}
	return extfs_close(fs, e);
}

/* Writes grub (len bytes) over the disk's head and reads it back, then the
 * files; on failure the head gets orig back. */
static int apply_in_place(const struct mkboot_req *req, uint64_t off, const char *label, const struct payload *p,
			  const unsigned char *orig, const unsigned char *grub, size_t len, struct err *e)
{
	unsigned char *back = xmalloc(len);
	int r;

	if ((r = disk_io(req->boot, 1, 0, (void *)grub, len, e)) == 0 &&
	    (r = disk_io(req->boot, 0, 0, back, len, e)) == 0 && memcmp(back, grub, len))
		r = err_set(e, -EIO, "%s: reading the MBR gap back gave other bytes than written", req->boot);
	if (r == 0)
		r = edit_in_place(req, off, label, p, e);
	if (r < 0) {
		struct err re = { 0 };
		char msg[sizeof(e->msg)];

		snprintf(msg, sizeof(msg), "%s", e->msg);
		if (disk_io(req->boot, 1, 0, (void *)orig, len, &re) == 0)
			err_set(e, r, "%s; the MBR and its gap are back as they were", msg);
		else
			err_set(e, r, "%s; putting the MBR and its gap back failed: %s", msg, re.msg);
	}
	free(back);
	return r;
}

/* HVM boot of the guest's own disk: /boot files and GRUB in the MBR gap. */
static int in_place(const struct mkboot_req *req, struct payload *p, struct sbuf *log, struct err *e)
{
	struct image img;
	const struct fstype *fs;
	uint64_t off, size;
	unsigned char *orig = NULL, *grub = NULL;
	char label[4200], prefix[64], rootarg[80];
	size_t len = 0;
	int part = req->boot_part, r;

	if ((r = image_check_unused(req->boot, req->xl_json, e)) < 0 || (r = check_writable(req->boot, e)) < 0 ||
	    (r = image_load(req->boot, &img, e)) < 0)
		return r;
	if (img.pt.scheme != PART_MBR) {
		r = err_set(e, -EINVAL, "%s: %s: GRUB for BIOS goes into the gap after an MBR; nothing changed", req->boot,
			    img.pt.scheme == PART_GPT ? "a GPT disk" : "no partition table (give --root for a new boot volume)");
		goto out;
	}
	if ((part < 0 && (r = image_default_part(&img, &part, e)) < 0) ||
	    (r = image_part(&img, part, &off, &size, &fs, e)) < 0)
		goto out;
	snprintf(label, sizeof(label), "%s:%d", req->boot, part);
	if (strncmp(fs->type, "ext", 3)) {
		r = err_set(e, -EINVAL, "%s: not an ext2/3/4 file system (%s); nothing changed", label,
			    fs->type[0] ? fs->type : "no known signature");
		goto out;
	}
	snprintf(prefix, sizeof(prefix), "(hd0,msdos%d)/boot/grub", part);
	snprintf(rootarg, sizeof(rootarg), "UUID=%s", fs->uuid);
	if ((r = payload_load(req, prefix, "/boot", req->root_arg ? req->root_arg : rootarg, p, e)) < 0 ||
	    (r = check_in_place(req->boot, off, label, p, e)) < 0 || (r = plan_head(&img, p, &orig, &grub, &len, e)) < 0)
		goto out;
	sbuf_printf(log, "%s: /boot/%s, /boot/%s, /boot/grub/grub.cfg; GRUB %zu-byte core in the MBR gap (prefix %s); root=%s\n",
		    label, p->kbase, p->ibase ? p->ibase : "(no initrd)", p->core.len, prefix,
		    req->root_arg ? req->root_arg : rootarg);
	if (req->dry_run)
		goto out;
	if ((r = apply_in_place(req, off, label, p, orig, grub, len, e)) == 0)
		sbuf_printf(log, "%s: MBR gap written and read back; files written, undo file %s (e2undo -o %llu %s %s)\n",
			    req->boot, req->undo, (unsigned long long)off, req->undo, req->boot);
out:
	free(orig);
	free(grub);
	image_free(&img);
	return r;
}

int mkboot_run(const struct mkboot_req *req, struct sbuf *log, struct err *e)
{
	struct payload p = { 0 };
	int r;

	if (!req->root && !req->undo)
		return err_set(e, -EINVAL, "mkboot in place needs an undo file name");
	r = req->root ? new_volume(req, &p, log, e) : in_place(req, &p, log, e);
	payload_free(&p);
	return r;
}
