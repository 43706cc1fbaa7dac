/* The intent record of an edit of a file system inside an image
 * (IMAGE.vmlab-edit): written and fsync'd before the first write to the
 * image, removed after the last. It holds every block the edit changes,
 * before and after, so an interrupted edit is rolled back exactly. */
#ifndef VMLAB_GUEST_EDITLOG_H
#define VMLAB_GUEST_EDITLOG_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/sbuf.h"

struct editlog {
	uint64_t offset;         /* byte offset of the file system in the image */
	uint32_t block_size;     /* 1024..65536, a power of two */
	char *undo_path;         /* the e2undo file the edit writes */
	size_t n;
	uint64_t *blk;           /* block numbers, relative to offset */
	unsigned char *before;   /* n * block_size bytes */
	unsigned char *after;    /* n * block_size bytes */
};

/* The record's name for an edit of image: "IMAGE.vmlab-edit"; for a block
 * device "NAME.vmlab-edit" in the current folder. Caller frees. */
char *editlog_name(const char *image);

/* Adds block blk with its contents before and after the edit. */
void editlog_add(struct editlog *l, uint64_t blk, const void *before, const void *after);
void editlog_free(struct editlog *l);

/* The file format: "VMLABED1", offset (u64), block size (u32), block
 * count (u32), undo path length (u32) and bytes, per block its number
 * (u64) and its bytes before and after, then the CRC32C of all that (u32);
 * little-endian. */
void editlog_serialize(const struct editlog *l, struct sbuf *out);
/* Parses buf[0..len) of the file name into l (caller frees). -EBADMSG
 * naming name and the byte offset of what is wrong. */
int editlog_parse(const char *name, const void *buf, size_t len, struct editlog *l, struct err *e);

/* Writes l to path atomically and durably (temporary file, fsync, rename,
 * fsync of the folder): path then holds all of l or nothing. */
int editlog_write(const char *path, const struct editlog *l, struct err *e);
/* Removes path durably (unlink, fsync of the folder). */
int editlog_remove(const char *path, struct err *e);

/* Writes every block of l into image as it was before the edit, then
 * fsyncs the image. */
int editlog_restore(const char *image, const struct editlog *l, struct err *e);

/* When log_path exists: restores image from it, removes the edit's undo
 * file and log_path, appends a sentence saying so to note and returns 1.
 * 0 when there is no log_path. A damaged log_path is -EBADMSG naming its
 * byte offset; then nothing is changed. */
int editlog_recover(const char *image, const char *log_path, struct sbuf *note, struct err *e);

/* Test hook: counts the writes of edits; when the environment variable
 * VMLAB_TEST_KILL_AT_WRITE is N, the N-th write point raises SIGKILL. */
void editlog_write_point(void);

#endif
