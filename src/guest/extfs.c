/* ext2/3/4 access through libext2fs; writes go through the undo I/O manager. */
#include "guest/extfs.h"

#include <errno.h>
#include <et/com_err.h>
#include <ext2fs/ext2_err.h>
#include <ext2fs/ext2fs.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "guest/editlog.h"
#include "guest/stage.h"

#define MAX_READ (64u << 20)

struct extfs {
	ext2_filsys fs;
	char *label;
	char *undo_path;         /* NULL: read-only */
	char *image;
	uint64_t offset;
	uint32_t blocksize;
	struct stage *stage;     /* the edit, until extfs_close commits it */
	int fresh;               /* opened by extfs_open_fresh: writes go straight to the image */
};

static void stage_free(struct stage *st)
{
	if (st) {
		stage_end(st);
		free(st);
	}
}

/* A negative errno for a libext2fs or com_err code. */
static int map_code(errcode_t c)
{
	if (c > 0 && c < 4096)
		return -(int)c;
	switch (c) {
	case EXT2_ET_BAD_MAGIC:
	case EXT2_ET_SB_CSUM_INVALID:
	case EXT2_ET_CORRUPT_SUPERBLOCK:
	case EXT2_ET_SHORT_READ:
		return -EINVAL;
	case EXT2_ET_FILE_NOT_FOUND:
		return -ENOENT;
	case EXT2_ET_NO_DIRECTORY:
		return -ENOTDIR;
	case EXT2_ET_RO_FILSYS:
	case EXT2_ET_UNSUPP_FEATURE:
	case EXT2_ET_RO_UNSUPP_FEATURE:
		return -EROFS;
	case EXT2_ET_SYMLINK_LOOP:
		return -ELOOP;
	case EXT2_ET_DIR_EXISTS:
		return -EEXIST;
	case EXT2_ET_BLOCK_ALLOC_FAIL:
	case EXT2_ET_INODE_ALLOC_FAIL:
	case EXT2_ET_DIR_NO_SPACE:
		return -ENOSPC;
	default:
		return -EIO;
	}
}

static int ext_err(struct err *e, errcode_t c, const char *label, const char *what, const char *path)
{
	return err_set(e, map_code(c), "%s:%s: %s: %s", label, path ? path : "", what, error_message(c));
}

static void init_tables(void)
{
	static int done;

	if (!done) {
		initialize_ext2_error_table();
		done = 1;
	}
}

int extfs_open(const char *image, uint64_t offset, const char *label, const char *undo_path,
	       struct extfs **out, struct err *e)
{
	char opts[64];
	io_manager io = unix_io_manager;
	int flags = EXT2_FLAG_64BITS;
	ext2_filsys fs = NULL;
	struct stage *stage = NULL;
	errcode_t c;
	struct stat st;

	init_tables();
	snprintf(opts, sizeof(opts), "offset=%llu", (unsigned long long)offset);
	if (stat(image, &st) < 0)
		return err_set(e, -errno, "%s: %s", image, strerror(errno));
	if (undo_path) {
		int fd;

		if (!(st.st_mode & 0222))
			return err_set(e, -EROFS,
				       "%s: the image is read-only (mode %04o): nothing changed; 'chmod u+w %s' to allow edits",
				       image, (unsigned)(st.st_mode & 07777), image);
		if ((fd = open(image, O_RDWR | O_CLOEXEC)) < 0)
			return err_set(e, errno == EACCES || errno == EROFS || errno == EPERM ? -EROFS : -errno,
				       "%s: cannot be opened for writing: %s; nothing changed", image,
				       strerror(errno));
		close(fd);
		if (access(undo_path, F_OK) == 0)
			return err_set(e, -EEXIST, "%s: undo file already exists; move it away first",
				       undo_path);
		stage = xcalloc(1, sizeof(*stage));
		if ((fd = stage_begin(stage, image)) < 0) {
			free(stage);
			return err_set(e, fd, "%s: %s", image, strerror(-fd));
		}
		io = stage_io_manager;
		flags |= EXT2_FLAG_RW;
	}
	c = ext2fs_open2(image, opts, flags, 0, 0, io, &fs);
	if (c) {
		int r;

		if (c == EXT2_ET_BAD_MAGIC || c == EXT2_ET_SHORT_READ)
			r = err_set(e, -EINVAL, "%s: no ext2/3/4 file system at byte offset %llu", label,
				    (unsigned long long)offset);
		else
			r = ext_err(e, c, label, "opening the file system", NULL);
		stage_free(stage);
		return r;
	}
	if (undo_path && ext2fs_has_feature_journal_needs_recovery(fs->super)) {
		ext2fs_close_free(&fs);
		stage_free(stage);
		return err_set(e, -EROFS,
			       "%s: the journal needs recovery (the guest was not shut down cleanly); boot it or run e2fsck first; nothing changed",
			       label);
	}
	if (undo_path && (c = ext2fs_read_bitmaps(fs))) {
		ext2fs_close_free(&fs);
		stage_free(stage);
		return ext_err(e, c, label, "reading bitmaps", NULL);
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->fs = fs;
	(*out)->label = xstrdup(label);
	(*out)->undo_path = undo_path ? xstrdup(undo_path) : NULL;
	(*out)->image = xstrdup(image);
	(*out)->offset = offset;
	(*out)->blocksize = fs->blocksize;
	(*out)->stage = stage;
	return 0;
}

int extfs_open_fresh(const char *image, uint64_t offset, const char *label, struct extfs **out,
		     struct err *e)
{
	char opts[64];
	ext2_filsys fs = NULL;
	errcode_t c;

	init_tables();
	snprintf(opts, sizeof(opts), "offset=%llu", (unsigned long long)offset);
	c = ext2fs_open2(image, opts, EXT2_FLAG_64BITS | EXT2_FLAG_RW, 0, 0, unix_io_manager, &fs);
	if (c == EXT2_ET_BAD_MAGIC || c == EXT2_ET_SHORT_READ)
		return err_set(e, -EINVAL, "%s: no ext2/3/4 file system at byte offset %llu", label,
			       (unsigned long long)offset);
	if (c)
		return ext_err(e, c, label, "opening the file system", NULL);
	if ((c = ext2fs_read_bitmaps(fs))) {
		ext2fs_close_free(&fs);
		return ext_err(e, c, label, "reading bitmaps", NULL);
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->fs = fs;
	(*out)->label = xstrdup(label);
	(*out)->image = xstrdup(image);
	(*out)->offset = offset;
	(*out)->blocksize = fs->blocksize;
	(*out)->fresh = 1;
	return 0;
}

/* Writes the blocks of l into the image through libext2fs's undo I/O
 * manager (so l->undo_path records what they held) with the image's cache
 * off, then fsyncs the image and the undo file. */
static int write_through_undo(struct extfs *x, const struct editlog *l, struct err *e)
{
	char opts[64];
	io_channel ch;
	errcode_t c, closed;
	int fd;

	snprintf(opts, sizeof(opts), "offset=%llu&cache=off", (unsigned long long)x->offset);
	set_undo_io_backing_manager(unix_io_manager);
	set_undo_io_backup_file(l->undo_path);
	if ((c = undo_io_manager->open(x->image, IO_FLAG_RW, &ch)))
		return ext_err(e, c, x->label, "opening for writing", NULL);
	if ((c = io_channel_set_options(ch, opts)) || (c = io_channel_set_blksize(ch, (int)l->block_size))) {
		io_channel_close(ch);
		return ext_err(e, c, x->label, "opening for writing", NULL);
	}
	for (size_t k = 0; k < l->n && !c; k++) {
		editlog_write_point();
		c = io_channel_write_blk64(ch, l->blk[k], 1, l->after + k * l->block_size);
	}
	editlog_write_point();
	closed = io_channel_close(ch);
	if (c || (c = closed))
		return ext_err(e, c, x->label, "writing", NULL);
	for (int k = 0; k < 2; k++) {
		const char *f = k ? l->undo_path : x->image;

		if ((fd = open(f, O_RDONLY | O_CLOEXEC)) < 0 || fsync(fd) < 0) {
			int r = err_set(e, -errno, "%s: fsync: %s", f, strerror(errno));

			if (fd >= 0)
				close(fd);
			return r;
		}
		close(fd);
	}
	return 0;
}

/* The blocks the staged edit changes, with their contents before and after. */
static int collect(struct extfs *x, struct editlog *l, struct err *e)
{
	uint32_t bs = x->blocksize;
	unsigned char *before = xmalloc(bs), *after = xmalloc(bs);
	int r = 0;

	l->offset = x->offset;
	l->block_size = bs;
	for (size_t k = 0; k < x->stage->n && r == 0; k++) {
		uint64_t b = x->stage->unit[k] * STAGE_UNIT / bs;

		if (l->n && l->blk[l->n - 1] == b)
			continue;
		if ((r = stage_read_base(x->stage, b * bs, before, bs)) < 0 ||
		    (r = stage_read(x->stage, b * bs, after, bs)) < 0) {
			r = err_set(e, r, "%s: reading block %llu: %s", x->label, (unsigned long long)b, strerror(-r));
			break;
		}
		if (memcmp(before, after, bs))
			editlog_add(l, b, before, after);
	}
	free(before);
	free(after);
	return r;
}

/* Makes the staged edit durable: the intent record first, then the
 * blocks, then the record goes. A failure on the way writes the old
 * blocks back; when even that fails the record stays for editlog_recover. */
static int commit(struct extfs *x, struct err *e)
{
	struct editlog l = { 0 };
	char *log = editlog_name(x->image);
	int r;

	if ((r = collect(x, &l, e)) < 0 || l.n == 0)
		goto out;
	l.undo_path = xstrdup(x->undo_path);
	editlog_write_point();
	if ((r = editlog_write(log, &l, e)) < 0)
		goto out;
	editlog_write_point();
	if ((r = write_through_undo(x, &l, e)) < 0) {
		struct err re = { 0 };

		if (editlog_restore(x->image, &l, &re) == 0 && editlog_remove(log, &re) == 0) {
			unlink(l.undo_path);
			goto out;
		}
		char msg[sizeof(e->msg)];

		snprintf(msg, sizeof(msg), "%s", e->msg);
		err_set(e, r, "%s; %s; the next vmlab image command on %s rolls the edit back", msg, re.msg,
			x->image);
		goto out;
	}
	r = editlog_remove(log, e);
	editlog_write_point();
out:
	editlog_free(&l);
	free(log);
	return r;
}

int extfs_close(struct extfs *x, struct err *e)
{
	errcode_t c;
	int r = 0;

	if (!x)
		return 0;
	if ((c = ext2fs_close_free(&x->fs)))
		r = ext_err(e, c, x->label, "writing back the file system", NULL);
	else if (x->undo_path && x->stage->err)
		r = err_set(e, -x->stage->err, "%s: staging the edit: %s", x->label, strerror(x->stage->err));
	else if (x->undo_path)
		r = commit(x, e);
	stage_free(x->stage);
	free(x->label);
	free(x->undo_path);
	free(x->image);
	free(x);
	return r;
}

void extfs_discard(struct extfs *x)
{
	if (!x)
		return;
	ext2fs_free(x->fs);
	stage_free(x->stage);
	free(x->label);
	free(x->undo_path);
	free(x->image);
	free(x);
}

uint64_t extfs_bytes(const struct extfs *x)
{
	return (uint64_t)ext2fs_blocks_count(x->fs->super) * x->fs->blocksize;
}

void extfs_space(const struct extfs *x, uint64_t *free_bytes, uint32_t *block_size)
{
	*free_bytes = (uint64_t)ext2fs_free_blocks_count(x->fs->super) * x->fs->blocksize;
	*block_size = x->fs->blocksize;
}

uint64_t extfs_file_cost(const struct extfs *x, uint64_t size)
{
	uint64_t bs = x->fs->blocksize, blocks = (size + bs - 1) / bs;

	/* at worst one 12-byte extent (or 4-byte block pointer) per block,
	 * plus the tree's or the indirect chain's upper levels */
	return (blocks + blocks * 12 / bs + 3) * bs;
}

const char *extfs_kind(const struct extfs *x)
{
	struct ext2_super_block *s = x->fs->super;

	if (ext2fs_has_feature_extents(s) || ext2fs_has_feature_flex_bg(s) ||
	    ext2fs_has_feature_64bit(s) || ext2fs_has_feature_huge_file(s) ||
	    ext2fs_has_feature_metadata_csum(s) || ext2fs_has_feature_dir_nlink(s))
		return "ext4";
	if (ext2fs_has_feature_journal(s))
		return "ext3";
	return "ext2";
}

static int lookup(struct extfs *x, const char *path, int follow, ext2_ino_t *ino, struct err *e)
{
	errcode_t c;

	if (path[0] != '/')
		return err_set(e, -EINVAL, "%s:%s: path must be absolute", x->label, path);
	if (!strcmp(path, "/")) {
		*ino = EXT2_ROOT_INO;
		return 0;
	}
	c = follow ? ext2fs_namei_follow(x->fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path, ino)
		   : ext2fs_namei(x->fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path, ino);
	if (c == EXT2_ET_FILE_NOT_FOUND)
		return err_set(e, -ENOENT, "%s:%s: no such file or folder", x->label, path);
	if (c)
		return ext_err(e, c, x->label, "lookup", path);
	return 0;
}

static void fill_stat(ext2_ino_t ino, const struct ext2_inode *in, struct extfs_stat *st)
{
	st->ino = ino;
	st->mode = in->i_mode;
	st->uid = inode_uid(*in);
	st->gid = inode_gid(*in);
	st->nlink = in->i_links_count;
	st->size = EXT2_I_SIZE(in);
	st->mtime = (int64_t)in->i_mtime;
}

/* Looks up path (following a final symbolic link when follow) and reads
 * its inode into *in. Returns 0 or a negative errno (e names path). */
static int lookup_inode(struct extfs *x, const char *path, int follow, ext2_ino_t *ino,
			struct ext2_inode *in, struct err *e)
{
	errcode_t c;
	int r;

	if ((r = lookup(x, path, follow, ino, e)) < 0)
		return r;
	if ((c = ext2fs_read_inode(x->fs, *ino, in)))
		return ext_err(e, c, x->label, "reading inode", path);
	return 0;
}

int extfs_stat(struct extfs *x, const char *path, int follow, struct extfs_stat *st, struct err *e)
{
	struct ext2_inode in;
	ext2_ino_t ino;
	int r;

	if ((r = lookup_inode(x, path, follow, &ino, &in, e)) < 0)
		return r;
	fill_stat(ino, &in, st);
	return 0;
}

static int read_ino(struct extfs *x, ext2_ino_t ino, const char *path, struct sbuf *out, struct err *e)
{
	ext2_file_t f;
	errcode_t c;
	__u64 size;
	char buf[65536];
	int r = 0;

	if ((c = ext2fs_file_open(x->fs, ino, 0, &f)))
		return ext_err(e, c, x->label, "opening", path);
	if ((c = ext2fs_file_get_lsize(f, &size))) {
		r = ext_err(e, c, x->label, "size", path);
		goto out;
	}
	if (size > MAX_READ) {
		r = err_set(e, -EFBIG, "%s:%s: file is larger than %u MiB", x->label, path, MAX_READ >> 20);
		goto out;
	}
	for (;;) {
		unsigned int got = 0;

		if ((c = ext2fs_file_read(f, buf, sizeof(buf), &got))) {
			r = ext_err(e, c, x->label, "reading", path);
			goto out;
		}
		if (!got)
			break;
		sbuf_add(out, buf, got);
	}
out:
	ext2fs_file_close(f);
	return r;
}

int extfs_read(struct extfs *x, const char *path, struct sbuf *out, struct err *e)
{
	struct ext2_inode in;
	ext2_ino_t ino;
	int r;

	if ((r = lookup_inode(x, path, 1, &ino, &in, e)) < 0)
		return r;
	if (LINUX_S_ISDIR(in.i_mode))
		return err_set(e, -EISDIR, "%s:%s: is a folder", x->label, path);
	if (!LINUX_S_ISREG(in.i_mode))
		return err_set(e, -EINVAL, "%s:%s: not a regular file", x->label, path);
	return read_ino(x, ino, path, out, e);
}

int extfs_readlink(struct extfs *x, const char *path, struct sbuf *out, struct err *e)
{
	struct ext2_inode in;
	ext2_ino_t ino;
	errcode_t c;
	int r;

	if ((r = lookup_inode(x, path, 0, &ino, &in, e)) < 0)
		return r;
	if (!LINUX_S_ISLNK(in.i_mode))
		return err_set(e, -EINVAL, "%s:%s: not a symbolic link", x->label, path);
	if (ext2fs_is_fast_symlink(&in)) {
		size_t n = EXT2_I_SIZE(&in);

		if (n > sizeof(in.i_block))
			n = sizeof(in.i_block);
		sbuf_add(out, (const char *)in.i_block, strnlen((const char *)in.i_block, n));
		return 0;
	}
	if (in.i_flags & EXT4_INLINE_DATA_FL) {
		char buf[EXT2_MIN_BLOCK_SIZE * 4];
		size_t n = sizeof(buf);

		if (EXT2_I_SIZE(&in) > sizeof(buf))
			return err_set(e, -EINVAL, "%s:%s: inline link target too long", x->label, path);
		if ((c = ext2fs_inline_data_get(x->fs, ino, &in, buf, &n)))
			return ext_err(e, c, x->label, "reading link", path);
		sbuf_add(out, buf, EXT2_I_SIZE(&in) < n ? EXT2_I_SIZE(&in) : n);
		return 0;
	}
	return read_ino(x, ino, path, out, e);
}

struct listing {
	struct extfs_dirent *v;
	size_t n, cap;
};

static int list_cb(struct ext2_dir_entry *d, int offset, int blocksize, char *buf, void *priv)
{
	struct listing *l = priv;
	int len = ext2fs_dirent_name_len(d);

	if ((len == 1 && d->name[0] == '.') || (len == 2 && d->name[0] == '.' && d->name[1] == '.'))
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 32;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	l->v[l->n].name = xstrndup(d->name, (size_t)len);
	l->v[l->n].st.ino = d->inode;
	l->n++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct extfs_dirent *)a)->name, ((const struct extfs_dirent *)b)->name);
}

int extfs_list(struct extfs *x, const char *path, struct extfs_dirent **ents, size_t *n, struct err *e)
{
	struct listing l = { 0 };
	struct ext2_inode in;
	ext2_ino_t ino;
	errcode_t c;
	int r;

	if ((r = lookup_inode(x, path, 1, &ino, &in, e)) < 0)
		return r;
	if (!LINUX_S_ISDIR(in.i_mode))
		return err_set(e, -ENOTDIR, "%s:%s: not a folder", x->label, path);
	if ((c = ext2fs_dir_iterate(x->fs, ino, 0, NULL, list_cb, &l))) {
		extfs_dirents_free(l.v, l.n);
		return ext_err(e, c, x->label, "reading folder", path);
	}
	for (size_t k = 0; k < l.n; k++) {
		if ((c = ext2fs_read_inode(x->fs, l.v[k].st.ino, &in))) {
			extfs_dirents_free(l.v, l.n);
			return ext_err(e, c, x->label, "reading inode", path);
		}
		fill_stat(l.v[k].st.ino, &in, &l.v[k].st);
	}
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), by_name);
	*ents = l.v;
	*n = l.n;
	return 0;
}

void extfs_dirents_free(struct extfs_dirent *ents, size_t n)
{
	for (size_t k = 0; k < n; k++)
		free(ents[k].name);
	free(ents);
}

static int need_rw(struct extfs *x, const char *path, struct err *e)
{
	if (!x->undo_path && !x->fresh)
		return err_set(e, -EROFS, "%s:%s: file system opened read-only", x->label, path);
	return 0;
}

static void touch(struct extfs *x, ext2_ino_t ino)
{
	struct ext2_inode in;
	__u32 now = (__u32)time(NULL);

	if (ext2fs_read_inode(x->fs, ino, &in))
		return;
	in.i_mtime = in.i_ctime = now;
	(void)ext2fs_write_inode(x->fs, ino, &in);
}

/* Writes data[0..n) at the position of the open file f (path names it). */
static int write_data(struct extfs *x, ext2_file_t f, const char *path, const void *data, size_t n,
		      struct err *e)
{
	size_t done = 0;
	errcode_t c;

	while (done < n) {
		unsigned int chunk = n - done > (1u << 20) ? (1u << 20) : (unsigned int)(n - done);
		unsigned int got = 0;

		if ((c = ext2fs_file_write(f, (const char *)data + done, chunk, &got)))
			return ext_err(e, c, x->label, "writing", path);
		if (!got)
			return err_set(e, -EIO, "%s:%s: short write", x->label, path);
		done += got;
	}
	return 0;
}

int extfs_write(struct extfs *x, const char *path, const void *data, size_t n, struct err *e)
{
	struct ext2_inode in;
	ext2_file_t f;
	ext2_ino_t ino;
	errcode_t c;
	int r;

	if ((r = need_rw(x, path, e)) < 0 || (r = lookup_inode(x, path, 1, &ino, &in, e)) < 0)
		return r;
	if (!LINUX_S_ISREG(in.i_mode))
		return err_set(e, -EINVAL, "%s:%s: not a regular file", x->label, path);
	if ((c = ext2fs_file_open(x->fs, ino, EXT2_FILE_WRITE, &f)))
		return ext_err(e, c, x->label, "opening for writing", path);
	if ((c = ext2fs_file_set_size2(f, 0)))
		r = ext_err(e, c, x->label, "truncating", path);
	else
		r = write_data(x, f, path, data, n, e);
	if ((c = ext2fs_file_close(f)) && !r)
		r = ext_err(e, c, x->label, "closing", path);
	if (!r)
		touch(x, ino);
	return r;
}

/* Splits "/a/b/c" into the parent's inode (created when mkparents) and "c". */
static int parent_of(struct extfs *x, const char *path, int mkparents, ext2_ino_t *dir, const char **base,
		     struct err *e)
{
	const char *p = path + 1;
	ext2_ino_t cur = EXT2_ROOT_INO;
	errcode_t c;

	if (path[0] != '/' || !path[1])
		return err_set(e, -EINVAL, "%s:%s: needs an absolute path to a file", x->label, path);
	for (;;) {
		const char *slash = strchr(p, '/');
		char name[EXT2_NAME_LEN + 1];
		ext2_ino_t next;
		size_t len;

		if (!slash) {
			if (!*p)
				return err_set(e, -EINVAL, "%s:%s: ends in '/'", x->label, path);
			*dir = cur;
			*base = p;
			return 0;
		}
		len = (size_t)(slash - p);
		if (len == 0 || len > EXT2_NAME_LEN)
			return err_set(e, -EINVAL, "%s:%s: bad path component", x->label, path);
		memcpy(name, p, len);
		name[len] = 0;
		c = ext2fs_lookup(x->fs, cur, name, (int)len, NULL, &next);
		if (c == EXT2_ET_FILE_NOT_FOUND && mkparents) {
			c = ext2fs_mkdir(x->fs, cur, 0, name);
			if (c == EXT2_ET_DIR_NO_SPACE) {
				if ((c = ext2fs_expand_dir(x->fs, cur)) == 0)
					c = ext2fs_mkdir(x->fs, cur, 0, name);
			}
			if (!c)
				c = ext2fs_lookup(x->fs, cur, name, (int)len, NULL, &next);
		}
		if (c)
			return ext_err(e, c, x->label, "folder on the way", path);
		/* follow a symbolic link to a folder */
		if ((c = ext2fs_follow_link(x->fs, EXT2_ROOT_INO, cur, next, &next)))
			return ext_err(e, c, x->label, "folder on the way", path);
		cur = next;
		p = slash + 1;
	}
}

int extfs_symlink(struct extfs *x, const char *path, const char *target, struct err *e)
{
	ext2_ino_t dir, ino;
	const char *base;
	errcode_t c;
	int r;

	if ((r = need_rw(x, path, e)) < 0)
		return r;
	if (strlen(target) >= x->fs->blocksize)
		return err_set(e, -EINVAL, "%s:%s: link target too long", x->label, path);
	if ((r = parent_of(x, path, 0, &dir, &base, e)) < 0 && r != -ENOENT)
		return r;
	if (r == 0 && ext2fs_lookup(x->fs, dir, base, (int)strlen(base), NULL, &ino) == 0)
		return err_set(e, -EEXIST, "%s:%s: already exists", x->label, path);
	if ((r = parent_of(x, path, 1, &dir, &base, e)) < 0)
		return r;
	c = ext2fs_symlink(x->fs, dir, 0, base, target);
	if (c == EXT2_ET_DIR_NO_SPACE) {
		if ((c = ext2fs_expand_dir(x->fs, dir)) == 0)
			c = ext2fs_symlink(x->fs, dir, 0, base, target);
	}
	if (c)
		return ext_err(e, c, x->label, "creating symbolic link", path);
	return 0;
}

/* A new inode for a regular file of mode, linked as base in folder dir. */
static int new_file_inode(struct extfs *x, ext2_ino_t dir, const char *base, unsigned mode, ext2_ino_t *ino,
			  const char *path, struct err *e)
{
	struct ext2_inode in;
	errcode_t c;

	if ((c = ext2fs_new_inode(x->fs, dir, LINUX_S_IFREG | 0644, 0, ino)))
		return ext_err(e, c, x->label, "allocating an inode", path);
	c = ext2fs_link(x->fs, dir, base, *ino, EXT2_FT_REG_FILE);
	if (c == EXT2_ET_DIR_NO_SPACE && (c = ext2fs_expand_dir(x->fs, dir)) == 0)
		c = ext2fs_link(x->fs, dir, base, *ino, EXT2_FT_REG_FILE);
	if (c)
		return ext_err(e, c, x->label, "linking", path);
	ext2fs_inode_alloc_stats2(x->fs, *ino, +1, 0);
	memset(&in, 0, sizeof(in));
	in.i_mode = (__u16)(LINUX_S_IFREG | (mode & 07777));
	in.i_atime = in.i_ctime = in.i_mtime = (__u32)time(NULL);
	in.i_links_count = 1;
	if (ext2fs_has_feature_extents(x->fs->super)) {
		ext2_extent_handle_t h;

		if ((c = ext2fs_extent_open2(x->fs, *ino, &in, &h)))
			return ext_err(e, c, x->label, "making the extent tree", path);
		ext2fs_extent_free(h);
	}
	if ((c = ext2fs_write_new_inode(x->fs, *ino, &in)))
		return ext_err(e, c, x->label, "writing the inode", path);
	return 0;
}

int extfs_create(struct extfs *x, const char *path, unsigned mode, const void *data, size_t n, struct err *e)
{
	ext2_ino_t dir, ino;
	const char *base;
	ext2_file_t f;
	errcode_t c;
	int r;

	if ((r = need_rw(x, path, e)) < 0 || (r = parent_of(x, path, 1, &dir, &base, e)) < 0)
		return r;
	if (ext2fs_lookup(x->fs, dir, base, (int)strlen(base), NULL, &ino) == 0)
		return err_set(e, -EEXIST, "%s:%s: already exists", x->label, path);
	if ((r = new_file_inode(x, dir, base, mode, &ino, path, e)) < 0)
		return r;
	if ((c = ext2fs_file_open(x->fs, ino, EXT2_FILE_WRITE, &f)))
		return ext_err(e, c, x->label, "opening for writing", path);
	r = write_data(x, f, path, data, n, e);
	if ((c = ext2fs_file_close(f)) && !r)
		r = ext_err(e, c, x->label, "closing", path);
	return r;
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EXTFS_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(EXTFS_ASAN)
/* LeakSanitizer hook of sanitizer builds. libext2fs 1.47's undo I/O manager
 * allocates its written-block map as a 64-bit bitmap and releases it with
 * the 32-bit ext2fs_free_generic_bitmap, which ignores it: that leak is the
 * library's, once per edit. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:ext2fs_alloc_generic_bmap\n";
}
#endif
