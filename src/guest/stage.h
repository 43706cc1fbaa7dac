/* A libext2fs I/O manager that reads through to an image and keeps every
 * write in memory: an edit is staged whole, then committed block by block
 * (guest/editlog.h), so nothing reaches the image while it is half made. */
#ifndef VMLAB_GUEST_STAGE_H
#define VMLAB_GUEST_STAGE_H

#include <ext2fs/ext2fs.h>
#include <stddef.h>
#include <stdint.h>

/* The staged writes of one edit, in 1 KiB units (the smallest ext block)
 * relative to the file system's byte offset in the image. */
struct stage {
	int fd;                  /* the image, read-only; owned */
	uint64_t offset;         /* byte offset of the file system */
	size_t n, cap;
	uint64_t *unit;          /* sorted unit numbers */
	unsigned char *data;     /* n * 1024 bytes, data of unit[k] at k * 1024 */
	int err;                 /* first failure of a staged write (errno), sticky */
};

#define STAGE_UNIT 1024u
/* Most bytes one edit may stage (-EFBIG beyond). */
#define STAGE_MAX_BYTES (64u << 20)

/* The manager; ext2fs_open2 through it opens the image given to
 * stage_begin (its name argument is ignored) with the options "offset=N".
 * It has no write_byte, so libext2fs writes the superblock whole. Only one
 * stage is open at a time. */
extern io_manager stage_io_manager;

/* Opens image read-only into st for the next open through
 * stage_io_manager. 0 or -errno. */
int stage_begin(struct stage *st, const char *image);
/* Frees what st holds and closes the image. */
void stage_end(struct stage *st);

/* Copies len bytes at byte pos (relative to the file system) as the edit
 * would leave them: the image's bytes with the staged units over them.
 * 0 or -errno (-EIO for a short read). */
int stage_read(struct stage *st, uint64_t pos, void *buf, size_t len);

/* The same bytes as the image holds them, without the staged units. */
int stage_read_base(struct stage *st, uint64_t pos, void *buf, size_t len);

#endif
