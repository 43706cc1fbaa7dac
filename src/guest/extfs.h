/* ext2/3/4 file systems inside disk images, through libext2fs: read files
 * and folders, and edit them with every change recorded in an e2undo file. */
#ifndef VMLAB_GUEST_EXTFS_H
#define VMLAB_GUEST_EXTFS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/sbuf.h"

struct extfs;

/* Opens the file system starting at byte offset of image. With undo_path
 * NULL it is opened read-only; else for an edit, which is staged in memory
 * (guest/stage.h): the image is not written before extfs_close. -EINVAL when there is no ext2/3/4 file system there,
 * -EROFS when a writable open is refused (read-only file, journal needing
 * recovery, unsupported features). label names the file system in messages
 * ("disk.img:1"). */
int extfs_open(const char *image, uint64_t offset, const char *label, const char *undo_path,
	       struct extfs **out, struct err *e);
/* Opens the file system at offset of image for writing straight into the
 * image: no staging, no undo file, no intent record. Only for a file system
 * the caller has just made and discards whole on failure (vmlab image
 * mkboot). Same errors as extfs_open. */
int extfs_open_fresh(const char *image, uint64_t offset, const char *label, struct extfs **out,
		     struct err *e);

/* Closes; fs is freed even on failure. For an edit, commits it: the
 * changed blocks, before and after, go to the intent record
 * IMAGE.vmlab-edit (guest/editlog.h), durably; then into the image through
 * libext2fs's undo I/O manager, which saves what they held into undo_path
 * (created; it must not exist), so `e2undo -o OFFSET UNDO IMAGE` restores
 * the image; then the record is removed. A kill at any point leaves the
 * image as before (with the record, which the next editlog_recover rolls
 * back) or as after, with a complete undo file. On failure the image is
 * put back as before when possible. */
int extfs_close(struct extfs *fs, struct err *e);

/* Closes without writing anything: a staged edit is dropped. */
void extfs_discard(struct extfs *fs);

/* Bytes the file system spans (blocks count times block size). */
uint64_t extfs_bytes(const struct extfs *fs);

/* Free bytes (free blocks times block size, as the superblock counts them)
 * and the block size. */
void extfs_space(const struct extfs *fs, uint64_t *free_bytes, uint32_t *block_size);

/* Bytes a new regular file of size bytes takes: its data blocks plus the
 * blocks that map them (extent tree or indirect blocks), upper bound. */
uint64_t extfs_file_cost(const struct extfs *fs, uint64_t size);

/* "ext2", "ext3" or "ext4" (by features). */
const char *extfs_kind(const struct extfs *fs);

struct extfs_stat {
	uint32_t ino;
	uint32_t mode;           /* st_mode bits (S_IFREG | 0644 ...) */
	uint32_t uid, gid;
	uint32_t nlink;
	uint64_t size;
	int64_t mtime;
};

/* Looks up path (absolute inside the file system; symbolic links in
 * folders on the way are followed, the last one only when follow). */
int extfs_stat(struct extfs *fs, const char *path, int follow, struct extfs_stat *st,
	       struct err *e);
/* Appends the contents of the file at path (links followed) to out.
 * -EISDIR for a folder; files larger than 64 MiB are -EFBIG. */
int extfs_read(struct extfs *fs, const char *path, struct sbuf *out, struct err *e);
/* The target of the symbolic link at path, appended to out. */
int extfs_readlink(struct extfs *fs, const char *path, struct sbuf *out, struct err *e);

struct extfs_dirent {
	char *name;
	struct extfs_stat st;
};

/* The entries of the folder at path (without "." and ".."), sorted by
 * name. Caller frees with extfs_dirents_free. */
int extfs_list(struct extfs *fs, const char *path, struct extfs_dirent **ents, size_t *n,
	       struct err *e);
void extfs_dirents_free(struct extfs_dirent *ents, size_t n);

/* Replaces the contents of the existing regular file at path with
 * data[0..n): same inode, so owner, mode and links are kept; mtime and
 * ctime become now. */
int extfs_write(struct extfs *fs, const char *path, const void *data, size_t n, struct err *e);
/* Creates the regular file path (-EEXIST when path exists) with mode
 * (permission bits), owner root, holding data[0..n); the folders on the
 * way are created (mode 0755, owner root) when missing. -ENOSPC when the
 * file system is full. */
int extfs_create(struct extfs *fs, const char *path, unsigned mode, const void *data, size_t n,
		 struct err *e);
/* Creates the symbolic link path -> target (-EEXIST when path exists) and
 * the folder path's parent (mode 0755, owner root) when missing. */
int extfs_symlink(struct extfs *fs, const char *path, const char *target, struct err *e);

#endif
