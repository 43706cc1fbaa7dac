/* vmlab image: look into and edit guest disk images without mounting them. */
#include "cli/cmd.h"
#include "cli/subcmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/sbuf.h"
#include "guest/editlog.h"
#include "guest/extfs.h"
#include "guest/fixes.h"
#include "guest/image.h"
#include "guest/grubpc.h"
#include "guest/mkboot.h"

static const char usage[] =
	"usage: vmlab image SUBCOMMAND [ARGS...]\n"
	"Reads and edits the ext2/3/4 file systems of guest disk images (raw files or\n"
	"block devices with an MBR or GPT partition table, or none) through libext2fs,\n"
	"without mounting them. Every edit saves the blocks it overwrites to an undo\n"
	"file first; `e2undo -o OFFSET UNDOFILE IMG` (printed after each edit) reverts it.\n"
	"An edit is staged whole, recorded in IMG.vmlab-edit, then written; the next\n"
	"vmlab image command rolls back one that was interrupted.\n\n"
	"  inspect IMG                        partitions, file systems, labels, UUIDs,\n"
	"                                     and the guest's console and root set-up\n"
	"  cat IMG[:PART]:/PATH               print a file\n"
	"  ls IMG[:PART]:/PATH                list a folder (or one file) like ls -l\n"
	"  fix-console IMG[:PART] [--console TTY] [--dry-run]\n"
	"                                     run a getty on the Xen console (default\n"
	"                                     hvc0): /etc/inittab's tty2 getty line moves\n"
	"                                     to it; systemd guests get\n"
	"                                     serial-getty@TTY.service enabled\n"
	"  fix-root IMG[:PART] [--dry-run]    /etc/fstab entries naming /dev/sdaN,\n"
	"                                     /dev/hdaN, /dev/xvdaN, /dev/vdaN use UUID=\n"
	"                                     so the image boots as HVM and as PV\n"
	"  mkboot BOOTVOL --root ROOTVOL[:PART] --kernel K --initrd I [--size S]\n"
	"                                     a new boot volume (partition table, ext2\n"
	"                                     /boot, kernel, initrd, GRUB for BIOS on the\n"
	"                                     serial console) for a root volume without\n"
	"                                     one: a PV guest's disk booted as HVM\n"
	"  mkboot IMG[:PART] --in-place --kernel K --initrd I\n"
	"                                     the same into the disk's own /boot and MBR\n"
	"                                     gap: the disk boots as HVM through SeaBIOS\n\n"
	"PART is a partition number (Linux numbering: 5+ are logical); it defaults to\n"
	"the partition holding /etc. Edits refuse images that are mounted, attached to\n"
	"a loop device, used by a running Xen domain (`xl list -l`; or the recorded\n"
	"output given with --xl-list-json FILE), or read-only (no write permission\n"
	"bits, even for root). Bad input: exit status 2, nothing changed.\n"
	"See vmlab-image(1).\n";

/* An opened reference to a file system inside an image. */
struct target {
	struct image img;
	int part;
	uint64_t off, size;
	const struct fstype *fs;
	char label[4200];
};

/* Loads img_path and selects partition part (-1: the default); checks that
 * it holds an ext file system. */
static int target_open(const char *img_path, int part, struct target *t, struct err *e)
{
	int r;

	memset(t, 0, sizeof(*t));
	if ((r = image_load(img_path, &t->img, e)) < 0)
		return r;
	if (part < 0 && (r = image_default_part(&t->img, &part, e)) < 0)
		goto fail;
	t->part = part;
	if ((r = image_part(&t->img, part, &t->off, &t->size, &t->fs, e)) < 0)
		goto fail;
	if (part)
		snprintf(t->label, sizeof(t->label), "%s:%d", img_path, part);
	else
		snprintf(t->label, sizeof(t->label), "%s", img_path);
	if (!strcmp(t->fs->type, "qcow2")) {
		r = err_set(e, -EINVAL,
			    "%s: a qcow2 image, vmlab reads raw ones: qemu-img convert -O raw %s IMG.raw; nothing changed",
			    t->label, img_path);
		goto fail;
	}
	if (strncmp(t->fs->type, "ext", 3)) {
		r = err_set(e, -EINVAL, "%s: not an ext2/3/4 file system (%s%s); nothing changed", t->label,
			    t->fs->type[0] ? "found " : "no known signature", t->fs->type);
		goto fail;
	}
	return 0;
fail:
	image_free(&t->img);
	return r;
}

/* Rolls back an interrupted edit of img (one that left IMAGE.vmlab-edit),
 * saying so on stderr as command name; refused (-EBUSY) while the image is
 * in use. 0 or -errno with e set. */
static int recover(const char *name, const char *img, const char *xl_json, struct err *e)
{
	char *log = editlog_name(img);
	struct sbuf note = SBUF_INIT;
	int r = 0;

	if (access(log, F_OK) == 0 && (r = image_check_unused(img, xl_json, e)) == 0 &&
	    (r = editlog_recover(img, log, &note, e)) > 0) {
		fprintf(stderr, "vmlab %s: %s", name, sbuf_str(&note));
		r = 0;
	}
	sbuf_free(&note);
	free(log);
	return r;
}

/* "IMG" or "IMG:N" (an existing file named like "IMG:N" wins). */
static int split_img_part(const char *arg, char **img, int *part, struct err *e)
{
	const char *c = strrchr(arg, ':');
	struct stat st;

	*part = -1;
	if (c && c[1] && strspn(c + 1, "0123456789") == strlen(c + 1) && stat(arg, &st) < 0) {
		long n = strtol(c + 1, NULL, 10);

		if (n < 1 || n > 128 || strlen(c + 1) > 3)
			return err_set(e, -EINVAL, "%s: partition number must be 1..128", arg);
		*part = (int)n;
		*img = strndup(arg, (size_t)(c - arg));
		return 0;
	}
	*img = strdup(arg);
	return 0;
}

static void mode_string(uint32_t m, char out[11])
{
	static const char *rwx = "rwxrwxrwx";
	char t = '?';

	switch (m & 0170000) {
	case 0040000: t = 'd'; break;
	case 0100000: t = '-'; break;
	case 0120000: t = 'l'; break;
	case 0020000: t = 'c'; break;
	case 0060000: t = 'b'; break;
	case 0010000: t = 'p'; break;
	case 0140000: t = 's'; break;
	}
	out[0] = t;
	for (int k = 0; k < 9; k++)
		out[k + 1] = (m & (0400 >> k)) ? rwx[k] : '-';
	if (m & 04000)
		out[3] = out[3] == 'x' ? 's' : 'S';
	if (m & 02000)
		out[6] = out[6] == 'x' ? 's' : 'S';
	if (m & 01000)
		out[9] = out[9] == 'x' ? 't' : 'T';
	out[10] = 0;
}

static void print_long(struct extfs *fs, const char *path, const char *name, const struct extfs_stat *st)
{
	char mode[11], when[32];
	time_t t = (time_t)st->mtime;
	struct tm tm;

	mode_string(st->mode, mode);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	printf("%s %3u %5u %5u %9llu %s %s", mode, st->nlink, st->uid, st->gid, (unsigned long long)st->size,
	       when, name);
	if ((st->mode & 0170000) == 0120000) {
		struct sbuf l = SBUF_INIT;
		struct err e;

		if (extfs_readlink(fs, path, &l, &e) == 0)
			printf(" -> %s", sbuf_str(&l));
		sbuf_free(&l);
	}
	putchar('\n');
}

static const struct cli_usage cat_help, ls_help, inspect_help;

static int cmd_ls_cat(int argc, char **argv, int cat)
{
	const char *name = cat ? "image cat" : "image ls";
	const char *img, *path;
	struct target t;
	struct extfs *fs = NULL;
	struct err e = { 0 };
	char *buf = NULL;
	struct opt_res res;
	int part, r = cli_opts_npos(name, cat ? &cat_help : &ls_help, NULL, argc, argv, &res, 1, 1,
				   "takes one IMG[:PART]:/PATH argument", "takes one IMG[:PART]:/PATH argument");

	if (r != CLI_GO)
		return r;
	if (image_parse_ref(argv[1], &buf, &img, &part, &path, &e) < 0)
		return cli_fail(name, &e);
	if (recover(name, img, NULL, &e) < 0 || (r = target_open(img, part, &t, &e)) < 0) {
		free(buf);
		return cli_fail(name, &e);
	}
	if ((r = extfs_open(img, t.off, t.label, NULL, &fs, &e)) < 0)
		goto out;
	if (cat) {
		struct sbuf out = SBUF_INIT;

		if ((r = extfs_read(fs, path, &out, &e)) == 0)
			fwrite(out.buf ? out.buf : "", 1, out.len, stdout);
		sbuf_free(&out);
	} else {
		struct extfs_stat st;

		if ((r = extfs_stat(fs, path, 0, &st, &e)) < 0)
			goto out;
		if ((st.mode & 0170000) == 0040000 ||
		    ((st.mode & 0170000) == 0120000 && extfs_stat(fs, path, 1, &st, &e) == 0 &&
		     (st.mode & 0170000) == 0040000)) {
			struct extfs_dirent *ents;
			size_t n;

			if ((r = extfs_list(fs, path, &ents, &n, &e)) < 0)
				goto out;
			for (size_t k = 0; k < n; k++) {
				struct sbuf p = SBUF_INIT;

				sbuf_printf(&p, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
					    ents[k].name);
				print_long(fs, sbuf_str(&p), ents[k].name, &ents[k].st);
				sbuf_free(&p);
			}
			extfs_dirents_free(ents, n);
		} else {
			extfs_stat(fs, path, 0, &st, &e);
			print_long(fs, path, path, &st);
		}
	}
out:
	if (fs)
		extfs_close(fs, NULL);
	image_free(&t.img);
	free(buf);
	if (r < 0)
		return cli_fail(name, &e);
	return fflush(stdout) ? 1 : 0;
}

/* Reads path into out; 1 when present, 0 when absent, <0 on error. */
static int read_opt(struct extfs *fs, const char *path, struct sbuf *out, struct err *e)
{
	int r = extfs_read(fs, path, out, e);

	if (r == -ENOENT)
		return 0;
	return r < 0 ? r : 1;
}

static int is_dir(struct extfs *fs, const char *path)
{
	struct extfs_stat st;
	struct err e;

	return extfs_stat(fs, path, 1, &st, &e) == 0 && (st.mode & 0170000) == 0040000;
}

static int exists(struct extfs *fs, const char *path)
{
	struct extfs_stat st;
	struct err e;

	return extfs_stat(fs, path, 0, &st, &e) == 0;
}

/* Prints one guest set-up line "  LABEL VALUE", VALUE aligned: s's text, or
 * none when s is NULL or empty. */
static void setup_line(const char *label, const struct sbuf *s, const char *none)
{
	printf("  %-28s%s\n", label, s && s->len ? sbuf_str(s) : none);
}

/* Appends to s, space-separated, the names in folder dir that start with
 * prefix, each without it. Returns 0, or extfs_list's error. */
static int list_names(struct extfs *fs, const char *dir, const char *prefix, struct sbuf *s)
{
	struct extfs_dirent *ents;
	struct err e;
	size_t n, lp = strlen(prefix);
	int r = extfs_list(fs, dir, &ents, &n, &e);

	if (r < 0)
		return r;
	for (size_t k = 0; k < n; k++)
		if (!strncmp(ents[k].name, prefix, lp))
			sbuf_printf(s, "%s%s", s->len ? " " : "", ents[k].name + lp);
	extfs_dirents_free(ents, n);
	return 0;
}

static void print_guest(struct target *t, struct extfs *fs)
{
	struct sbuf b = SBUF_INIT, s = SBUF_INIT;
	struct err e;

	printf("\nguest set-up (%s, %s):\n", t->label, extfs_kind(fs));
	if (read_opt(fs, "/etc/inittab", &b, &e) == 1) {
		inittab_gettys(b.buf ? b.buf : "", b.len, &s);
		setup_line("/etc/inittab gettys:", &s, "(none)");
	} else {
		setup_line("/etc/inittab gettys:", NULL, "(no /etc/inittab)");
	}
	sbuf_reset(&s);
	if (list_names(fs, "/etc/systemd/system/getty.target.wants", "", &s) == 0) {
		setup_line("systemd gettys enabled:", &s, "(none)");
	} else {
		setup_line("systemd gettys enabled:", NULL,
			   is_dir(fs, "/etc/systemd/system") ? "(none)" : "(no systemd)");
	}
	sbuf_reset(&b);
	sbuf_reset(&s);
	if (read_opt(fs, "/etc/fstab", &b, &e) == 1 && fstab_root(b.buf ? b.buf : "", b.len, &s) == 0)
		setup_line("/etc/fstab root:", &s, "");
	else
		setup_line("/etc/fstab root:", NULL, "(none)");
	sbuf_reset(&b);
	sbuf_reset(&s);
	if (read_opt(fs, "/etc/default/grub", &b, &e) == 1) {
		const char *p = b.buf ? b.buf : "";

		while ((p = strstr(p, "console="))) {
			size_t w = strcspn(p, " \t\n\"'");

			sbuf_printf(&s, "%s%.*s", s.len ? " " : "", (int)w, p);
			p += w;
		}
		setup_line("/etc/default/grub consoles:", &s, "(none)");
	} else {
		setup_line("/etc/default/grub consoles:", NULL, "(no /etc/default/grub)");
	}
	sbuf_reset(&s);
	(void)list_names(fs, "/boot", "vmlinuz-", &s);
	setup_line("kernels in /boot:", &s, "(none)");
	sbuf_free(&b);
	sbuf_free(&s);
}

static const char *scheme_name(enum part_scheme s)
{
	return s == PART_MBR ? "MBR" : s == PART_GPT ? "GPT" : "no";
}

/* One line per ext file system of img: its block size and free bytes (what
 * vmlab image mkboot needs room for). */
static void print_space(const struct image *img)
{
	int n = img->pt.scheme == PART_NONE ? 1 : img->pt.nparts, head = 0;

	for (int k = 0; k < n; k++) {
		uint64_t off = img->pt.scheme == PART_NONE ? 0 : img->pt.parts[k].start_bytes, free_bytes;
		char label[4200], num[16] = "";
		struct extfs *fs;
		struct err e;
		uint32_t bs;

		if (strncmp(img->fs[k].type, "ext", 3))
			continue;
		if (img->pt.scheme != PART_NONE)
			snprintf(num, sizeof(num), "%d", img->pt.parts[k].number);
		snprintf(label, sizeof(label), "%s%s%s", img->path, num[0] ? ":" : "", num);
		if (!head++)
			printf("\nfile systems:\n");
		if (extfs_open(img->path, off, label, NULL, &fs, &e) < 0) {
			printf("  %s: %s\n", label, e.msg);
			continue;
		}
		extfs_space(fs, &free_bytes, &bs);
		printf("  %s: %s, block size %u, %llu bytes, %llu free\n", label, extfs_kind(fs), bs,
		       (unsigned long long)extfs_bytes(fs), (unsigned long long)free_bytes);
		extfs_close(fs, NULL);
	}
}

static int cmd_inspect(int argc, char **argv)
{
	struct image img;
	struct err e = { 0 };
	struct target t;
	struct extfs *fs;
	struct opt_res res;
	int part, r = cli_opts_npos("image inspect", &inspect_help, NULL, argc, argv, &res, 1, 1,
				    "takes one IMG argument", "takes one IMG argument");

	if (r != CLI_GO)
		return r;
	if (recover("image inspect", argv[1], NULL, &e) < 0 || image_load(argv[1], &img, &e) < 0)
		return cli_fail("image inspect", &e);
	printf("%s: %llu bytes, %s partition table\n", argv[1], (unsigned long long)img.pt.disk_bytes,
	       scheme_name(img.pt.scheme));
	printf("%-4s %12s %12s %-8s %-4s %-6s %-16s %s\n", "PART", "START", "SIZE", "TYPE", "BOOT", "FS",
	       "LABEL", "UUID");
	if (img.pt.scheme == PART_NONE) {
		printf("%-4s %12s %12llu %-8s %-4s %-6s %-16s %s\n", "-", "0",
		       (unsigned long long)img.pt.disk_bytes, "-", "-", img.fs[0].type[0] ? img.fs[0].type : "-",
		       img.fs[0].label[0] ? img.fs[0].label : "-", img.fs[0].uuid[0] ? img.fs[0].uuid : "-");
	}
	for (int k = 0; k < img.pt.nparts; k++) {
		const struct part *p = &img.pt.parts[k];
		const struct fstype *f = &img.fs[k];
		char type[40];

		if (img.pt.scheme == PART_MBR)
			snprintf(type, sizeof(type), "0x%02x", p->mbr_type);
		else
			snprintf(type, sizeof(type), "%.8s", p->type_guid);
		printf("%-4d %12llu %12llu %-8s %-4s %-6s %-16s %s\n", p->number,
		       (unsigned long long)p->start_bytes, (unsigned long long)p->size_bytes, type,
		       p->bootable ? "*" : "-", f->type[0] ? f->type : "-", f->label[0] ? f->label : "-",
		       f->uuid[0] ? f->uuid : "-");
	}
	print_space(&img);
	if (image_default_part(&img, &part, &e) < 0) {
		printf("\nguest set-up: %s\n", e.msg);
		image_free(&img);
		return 0;
	}
	image_free(&img);
	if (target_open(argv[1], part, &t, &e) < 0) {
		printf("\nguest set-up: %s\n", e.msg);
		return 0;
	}
	if (extfs_open(argv[1], t.off, t.label, NULL, &fs, &e) < 0) {
		image_free(&t.img);
		return cli_fail("image inspect", &e);
	}
	print_guest(&t, fs);
	extfs_close(fs, NULL);
	image_free(&t.img);
	return fflush(stdout) ? 1 : 0;
}

/* One planned edit of a file system. */
struct edit {
	enum edit_kind { EDIT_WRITE, EDIT_SYMLINK } kind;
	char *path;
	struct sbuf data;      /* WRITE: new contents; SYMLINK: target */
};

struct plan {
	struct edit v[4];
	int n;
};

/* Appends the edit kind of path (owned now) with *data, which is moved
 * (left empty); p has room (at most 4 edits). */
static void plan_add(struct plan *p, enum edit_kind kind, char *path, struct sbuf *data)
{
	p->v[p->n].kind = kind;
	p->v[p->n].path = path;
	p->v[p->n].data = *data;
	*data = (struct sbuf)SBUF_INIT;
	p->n++;
}

static void plan_free(struct plan *p)
{
	for (int k = 0; k < p->n; k++) {
		free(p->v[k].path);
		sbuf_free(&p->v[k].data);
	}
}

static int plan_console(struct extfs *fs, const char *console, struct plan *p, struct sbuf *changes,
			struct err *e)
{
	struct sbuf b = SBUF_INIT, out = SBUF_INIT;
	int r, found = 0;

	if ((r = read_opt(fs, "/etc/inittab", &b, e)) < 0)
		goto out;
	if (r == 1) {
		found = 1;
		r = fix_inittab("/etc/inittab", b.buf ? b.buf : "", b.len, console, &out, changes, e);
		if (r < 0)
			goto out;
		if (r > 0) {
			plan_add(p, EDIT_WRITE, xstrdup("/etc/inittab"), &out);
		} else {
			sbuf_printf(changes, "/etc/inittab: a getty already runs on %s\n", console);
		}
	}
	if (is_dir(fs, "/etc/systemd/system")) {
		const char *tmpl = NULL;
		struct sbuf link = SBUF_INIT;

		found = 1;
		if (exists(fs, "/lib/systemd/system/serial-getty@.service"))
			tmpl = "/lib/systemd/system/serial-getty@.service";
		else if (exists(fs, "/usr/lib/systemd/system/serial-getty@.service"))
			tmpl = "/usr/lib/systemd/system/serial-getty@.service";
		sbuf_printf(&link, "/etc/systemd/system/getty.target.wants/serial-getty@%s.service", console);
		if (exists(fs, sbuf_str(&link))) {
			sbuf_printf(changes, "%s: already enabled\n", sbuf_str(&link));
			sbuf_free(&link);
		} else if (!tmpl) {
			sbuf_printf(changes,
				    "/etc/systemd/system exists but no serial-getty@.service unit was found: systemd gettys left alone\n");
			sbuf_free(&link);
		} else {
			sbuf_printf(changes, "%s: + symbolic link -> %s\n", sbuf_str(&link), tmpl);
			struct sbuf target = SBUF_INIT;

			sbuf_puts(&target, tmpl);
			plan_add(p, EDIT_SYMLINK, sbuf_take(&link), &target);
		}
	}
	r = 0;
	if (!found)
		r = err_set(e, -ENOENT, "no /etc/inittab and no /etc/systemd/system: cannot tell how the guest starts gettys");
out:
	sbuf_free(&b);
	sbuf_free(&out);
	return r;
}

struct uuids {
	const struct image *img;
};

static const char *part_uuid(int n, void *priv)
{
	const struct image *img = ((struct uuids *)priv)->img;

	for (int k = 0; k < img->pt.nparts; k++)
		if (img->pt.parts[k].number == n && img->fs[k].uuid[0])
			return img->fs[k].uuid;
	return NULL;
}

static int plan_root(struct extfs *fs, const struct image *img, struct plan *p, struct sbuf *changes,
		     struct err *e)
{
	struct sbuf b = SBUF_INIT, out = SBUF_INIT;
	struct uuids u = { img };
	int r;

	if ((r = read_opt(fs, "/etc/fstab", &b, e)) < 0)
		goto out;
	if (r == 0) {
		r = err_set(e, -ENOENT, "no /etc/fstab in the guest");
		goto out;
	}
	r = fix_fstab("/etc/fstab", b.buf ? b.buf : "", b.len, part_uuid, &u, &out, changes, e);
	if (r > 0) {
		plan_add(p, EDIT_WRITE, xstrdup("/etc/fstab"), &out);
	} else if (r == 0) {
		sbuf_printf(changes, "/etc/fstab: no entry to rewrite\n");
	}
	r = r < 0 ? r : 0;
out:
	sbuf_free(&b);
	sbuf_free(&out);
	return r;
}

struct fix_opts {
	bool dry;
	const char *console, *xl_json;
};

#define F(x) offsetof(struct fix_opts, x)
#define FIX_DRY { "dry-run", 'n', OPT_FLAG, F(dry), .help = "print the changes, change nothing" }
#define FIX_XL_JSON { "xl-list-json", 0, OPT_STRING, F(xl_json), .metavar = "FILE", \
		      .help = "recorded `xl list -l` output for the in-use check" }
static const struct opt fix_console_opts[] = {
	{ "console", 0, OPT_STRING, F(console), .def = "hvc0", .metavar = "TTY",
	  .help = "the Xen console's terminal" },
	FIX_DRY,
	FIX_XL_JSON,
	{ 0 },
};

static const struct opt fix_root_opts[] = {
	FIX_DRY,
	FIX_XL_JSON,
	{ 0 },
};
#undef F

static const struct cli_usage fix_console_help, fix_root_help;

/* The options of fix-console / fix-root into o, the IMG[:PART] into *ref.
 * Returns CLI_GO or the exit status. */
static int fix_args(const char *name, int console_fix, int argc, char **argv, struct fix_opts *o,
		    const char **ref)
{
	struct opt_res res;
	int r = cli_opts_npos(name, console_fix ? &fix_console_help : &fix_root_help, o, argc, argv, &res, 1,
			      1, "needs IMG[:PART]", "takes one IMG[:PART] argument");

	if (r != CLI_GO)
		return r;
	*ref = res.pos[0];
	if (!o->console[0] || strchr(o->console, '/') || strlen(o->console) > 32)
		return cli_usage_error(name, "--console '%s': expected a terminal name like hvc0",
				       o->console);
	return CLI_GO;
}

/* Opens the file system of t in img for writing with its undo file and
 * makes the edits of p. Returns 0 or a negative errno; *closing says the
 * failure came when the edits were written out on close (the undo file may
 * then hold a partial edit), else nothing changed. */
static int write_plan(const char *img, const struct target *t, const char *undo,
		      const struct plan *p, int *closing, struct err *e)
{
	struct extfs *fs;
	int r;

	*closing = 0;
	if ((r = extfs_open(img, t->off, t->label, undo, &fs, e)) < 0)
		return r;
	for (int k = 0; k < p->n && r == 0; k++) {
		if (p->v[k].kind == EDIT_WRITE)
			r = extfs_write(fs, p->v[k].path, p->v[k].data.buf ? p->v[k].data.buf : "",
					p->v[k].data.len, e);
		else
			r = extfs_symlink(fs, p->v[k].path, sbuf_str(&p->v[k].data), e);
	}
	if (r < 0) {
		char msg[sizeof(e->msg)];

		extfs_discard(fs);
		snprintf(msg, sizeof(msg), "%s", e->msg);
		err_set(e, r, "%s; nothing changed", msg);
		return r;
	}
	r = extfs_close(fs, e);
	*closing = r < 0;
	return r;
}

static int cmd_fix(int argc, char **argv, int console_fix)
{
	const char *name = console_fix ? "image fix-console" : "image fix-root";
	const char *console, *xl_json, *ref = NULL;
	struct fix_opts o = { .console = "hvc0" };
	int dry, part, closing, r = fix_args(name, console_fix, argc, argv, &o, &ref);
	char *img = NULL, *undo = NULL;
	struct err e = { 0 };
	struct target t;
	struct extfs *fs = NULL;
	struct plan p = { .n = 0 };
	struct sbuf changes = SBUF_INIT;

	if (r != CLI_GO)
		return r;
	console = o.console, xl_json = o.xl_json, dry = o.dry;
	if (split_img_part(ref, &img, &part, &e) < 0)
		return cli_fail(name, &e);
	if ((r = recover(name, img, xl_json, &e)) < 0 || (r = target_open(img, part, &t, &e)) < 0) {
		free(img);
		return cli_fail(name, &e);
	}
	/* Plan on a read-only open, so a refused edit changes nothing. */
	if ((r = extfs_open(img, t.off, t.label, NULL, &fs, &e)) < 0)
		goto out;
	if (extfs_bytes(fs) > t.size) {
		r = err_set(&e, -EINVAL,
			    "%s: the file system (%llu bytes) is larger than its partition (%llu bytes): editing it could overwrite what follows; nothing changed",
			    t.label, (unsigned long long)extfs_bytes(fs), (unsigned long long)t.size);
		goto out;
	}
	r = console_fix ? plan_console(fs, console, &p, &changes, &e) : plan_root(fs, &t.img, &p, &changes, &e);
	extfs_close(fs, NULL);
	fs = NULL;
	if (r < 0) {
		char msg[sizeof(e.msg)];

		snprintf(msg, sizeof(msg), "%s", e.msg);
		err_set(&e, r, "%s: %s; nothing changed", t.label, msg);
		goto out;
	}
	fputs(sbuf_str(&changes), stdout);
	if (!p.n) {
		printf("%s: nothing to change\n", t.label);
		goto out;
	}
	if (dry) {
		printf("%s: dry run, nothing changed\n", t.label);
		goto out;
	}
	if ((r = image_check_unused(img, xl_json, &e)) < 0)
		goto out;
	undo = image_undo_name(img, t.part);
	if ((r = write_plan(img, &t, undo, &p, &closing, &e)) < 0 && !closing)
		goto out;
	if (r < 0) {
		char *log = editlog_name(img);

		fprintf(stderr, "vmlab %s: %s%s\n", name, e.msg, access(log, F_OK) ? "; nothing changed" : "");
		free(log);
		r = 1;
		goto done;
	}
	printf("%s: %d file%s changed; undo file %s\nrevert with: e2undo -o %llu %s %s\n", t.label, p.n,
	       p.n == 1 ? "" : "s", undo, (unsigned long long)t.off, undo, img);
out:
	if (r < 0)
		r = cli_fail(name, &e);
done:
	if (fs)
		extfs_close(fs, NULL);
	plan_free(&p);
	sbuf_free(&changes);
	image_free(&t.img);
	free(img);
	free(undo);
	return r;
}

struct mkboot_opts {
	const char *root, *kernel, *initrd, *root_arg, *console, *append, *grub_dir, *xl_json;
	uint64_t size;
	bool in_place, dry;
};

#define F(x) offsetof(struct mkboot_opts, x)
static const struct opt mkboot_opts[] = {
	{ "root", 0, OPT_STRING, F(root), .metavar = "ROOTVOL[:PART]",
	  .help = "the root volume (ext2/3/4) the kernel mounts; BOOTVOL is then a new boot volume" },
	{ "in-place", 0, OPT_FLAG, F(in_place),
	  .help = "install into IMG itself: /boot of its root partition and GRUB in its MBR gap" },
	{ "kernel", 0, OPT_STRING, F(kernel), .metavar = "FILE", .help = "the kernel to copy in (required)" },
	{ "initrd", 0, OPT_STRING, F(initrd), .metavar = "FILE", .help = "the initramfs to copy in (default: none)" },
	{ "size", 0, OPT_SIZE, F(size), .def = "64M", .min = 2 << 20, .max = 256 << 20,
	  .help = "size of a boot volume made here (an existing blank one keeps its size)" },
	{ "root-arg", 0, OPT_STRING, F(root_arg), .metavar = "ROOT",
	  .help = "the kernel's root= (default: UUID= of the root file system)" },
	{ "console", 0, OPT_STRING, F(console), .def = "ttyS0", .metavar = "TTY",
	  .help = "the kernel's console=TTY,115200 (GRUB's menu is on the first serial port)" },
	{ "append", 0, OPT_STRING, F(append), .metavar = "WORDS", .help = "more kernel command-line words" },
	{ "grub-dir", 0, OPT_STRING, F(grub_dir), .def = GRUBPC_DIR, .metavar = "DIR",
	  .help = "GRUB's i386-pc modules and boot.img" },
	{ "dry-run", 'n', OPT_FLAG, F(dry), .help = "check and print the plan, change nothing" },
	FIX_XL_JSON,
	{ 0 },
};
#undef F

static const struct cli_usage mkboot_help;

/* Words a kernel command line or grub.cfg must not receive from an option. */
static int bad_word(const char *s)
{
	return s && strpbrk(s, "'\"\\\n\r;{}$`");
}

static int mkboot_main(int argc, char **argv)
{
	const char *name = "image mkboot";
	struct mkboot_opts o = { 0 };
	struct mkboot_req q = { .boot_part = -1, .root_part = -1 };
	struct sbuf log = SBUF_INIT;
	struct err e = { 0 };
	struct opt_res res;
	char *boot = NULL, *root = NULL, *undo = NULL;
	int r = cli_opts_npos(name, &mkboot_help, &o, argc, argv, &res, 1, 1, "needs BOOTVOL (or IMG[:PART])",
			      "takes one BOOTVOL argument");

	if (r != CLI_GO)
		return r;
	if (!o.root == !o.in_place)
		return cli_usage_error(name, "give exactly one of --root ROOTVOL (a new boot volume) and --in-place");
	if (!o.kernel)
		return cli_usage_error(name, "--kernel FILE is required");
	if (bad_word(o.root_arg) || bad_word(o.append) || bad_word(o.console) || !o.console[0] ||
	    strchr(o.console, ' ') || strchr(o.console, '/'))
		return cli_usage_error(name, "--root-arg, --append, --console: no quotes, backslashes, ';', braces, '$' or newlines");
	if (o.in_place) {
		if (split_img_part(res.pos[0], &boot, &q.boot_part, &e) < 0)
			goto fail;
	} else {
		boot = xstrdup(res.pos[0]);
		if (split_img_part(o.root, &root, &q.root_part, &e) < 0)
			goto fail;
		if (!strcmp(root, boot)) {
			err_set(&e, -EINVAL, "the boot volume %s is the root volume: use --in-place", boot);
			goto fail;
		}
	}
	if (recover(name, boot, o.xl_json, &e) < 0 || (root && recover(name, root, o.xl_json, &e) < 0))
		goto fail;
	q.boot = boot, q.root = root, q.size_bytes = o.size, q.kernel = o.kernel, q.initrd = o.initrd;
	q.root_arg = o.root_arg, q.console = o.console, q.append = o.append, q.grub_dir = o.grub_dir;
	q.xl_json = o.xl_json, q.dry_run = o.dry;
	if (o.in_place)
		q.undo = undo = image_undo_name(boot, q.boot_part < 0 ? 1 : q.boot_part);
	r = mkboot_run(&q, &log, &e);
	fputs(sbuf_str(&log), stdout);
	if (r == 0 && o.dry)
		printf("dry run, nothing changed\n");
	sbuf_free(&log);
	if (r < 0)
		goto fail;
	free(boot);
	free(root);
	free(undo);
	return fflush(stdout) ? 1 : 0;
fail:
	free(boot);
	free(root);
	free(undo);
	return cli_fail(name, &e);
}

static int inspect_main(int argc, char **argv)
{
	return cmd_inspect(argc, argv);
}

static int cat_main(int argc, char **argv)
{
	return cmd_ls_cat(argc, argv, 1);
}

static int ls_main(int argc, char **argv)
{
	return cmd_ls_cat(argc, argv, 0);
}

static int fix_console_main(int argc, char **argv)
{
	return cmd_fix(argc, argv, 1);
}

static int fix_root_main(int argc, char **argv)
{
	return cmd_fix(argc, argv, 0);
}

static const struct cli_usage inspect_help = {
	"usage: vmlab image inspect IMG\n"
	"Prints the partitions of IMG (start, size, type, boot flag), the file system\n"
	"of each with its label and UUID, the block size, size and free bytes of each\n"
	"ext file system, then the guest's console and root set-up:\n"
	"inittab gettys, enabled systemd gettys, the fstab line mounting /, grub's\n"
	"console= words and the kernels in /boot.\n"
	"See vmlab-image(1).\n",
};

static const struct cli_usage cat_help = {
	"usage: vmlab image cat IMG[:PART]:/PATH\n"
	"Writes the file /PATH of partition PART (default: the one holding /etc) to\n"
	"standard output; links inside the guest are followed inside the guest.\n"
	"See vmlab-image(1).\n",
};

static const struct cli_usage ls_help = {
	"usage: vmlab image ls IMG[:PART]:/PATH\n"
	"Lists the folder /PATH (or the one file) like ls -l: mode, links, numeric\n"
	"owner and group, size, modification time (UTC), name, a link's target.\n"
	"See vmlab-image(1).\n",
};

static const struct cli_usage fix_console_help = {
	"usage: vmlab image fix-console IMG[:PART] [--console TTY] [--dry-run]\n"
	"                               [--xl-list-json FILE]\n"
	"Makes a getty run on the Xen console TTY (default hvc0): /etc/inittab's tty2\n"
	"getty line moves to it (without one, a copy of the first getty line is\n"
	"added); systemd guests get serial-getty@TTY.service enabled. Prints each\n"
	"change, then the undo file and the e2undo command that reverts the edit.\n",
	fix_console_opts,
	"An interrupted edit is rolled back by the next vmlab image command.\n"
	"See vmlab-image(1).\n",
};

static const struct cli_usage fix_root_help = {
	"usage: vmlab image fix-root IMG[:PART] [--dry-run] [--xl-list-json FILE]\n"
	"Rewrites the /etc/fstab entries naming /dev/sdaN, /dev/hdaN, /dev/xvdaN or\n"
	"/dev/vdaN to UUID= of the file system on partition N, so the image boots as\n"
	"HVM and as PV. Prints each change, then the undo file and the e2undo\n"
	"command that reverts the edit.\n",
	fix_root_opts,
	"An interrupted edit is rolled back by the next vmlab image command.\n"
	"See vmlab-image(1).\n",
};

static const struct cli_usage mkboot_help = {
	"usage: vmlab image mkboot BOOTVOL --root ROOTVOL[:PART] --kernel FILE [--initrd FILE]\n"
	"                          [--size SIZE] [OPTIONS]\n"
	"       vmlab image mkboot IMG[:PART] --in-place --kernel FILE [--initrd FILE] [OPTIONS]\n"
	"Makes a disk boot as an HVM guest through SeaBIOS: GRUB 2 for BIOS, its menu\n"
	"and the kernel (console=ttyS0) on the serial port.\n"
	"With --root: BOOTVOL is a new boot volume (a file, or an LV for an absent\n"
	"/dev/VG/LV, of --size; or an existing blank volume): an MBR with one bootable\n"
	"partition from 1 MiB holding ext2 /boot with the kernel, the initrd and\n"
	"grub/grub.cfg (root=UUID= of ROOTVOL's file system), GRUB's core image in the\n"
	"gap after the MBR. ROOTVOL is read, never written: a PV guest's disk keeps\n"
	"booting as PV. The volume is assembled in a temporary file, then put in\n"
	"place and read back; a volume made here is removed again on failure.\n"
	"With --in-place: IMG (an MBR disk) gets the files under /boot of its root\n"
	"partition (an edit with an undo file, as fix-console) and GRUB in its MBR gap\n"
	"(which must be free; written and read back first, put back on failure).\n"
	"The core image is made by GRUB's grub-mkimage; vmlab embeds it as\n"
	"grub-bios-setup would (which cannot target an image file); nothing is mounted.\n",
	mkboot_opts,
	"Refused, exit status 2, nothing changed: a disk in use (mounted, on a loop\n"
	"device, a running domain's disk), a root volume that is not ext2/3/4, a boot\n"
	"volume or file system too small for kernel + initrd, a boot volume that is\n"
	"not blank, files already in /boot, an MBR gap that is too small or used.\n"
	"See vmlab-image(1).\n",
};

static const struct subcmd subs[] = {
	{ "inspect", inspect_main, 1 },
	{ "cat", cat_main, 1 },
	{ "ls", ls_main, 1 },
	{ "fix-console", fix_console_main, 1 },
	{ "fix-root", fix_root_main, 1 },
	{ "mkboot", mkboot_main, 1 },
	{ 0 },
};

const struct cmd cmd_image = { "image", "look into and edit guest disk images without mounting", usage, NULL, subs };
