/* Whole-file reads, atomic replacement and durable appends. */
#ifndef VMLAB_BASE_FILEIO_H
#define VMLAB_BASE_FILEIO_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/sbuf.h"

/* Writes all n bytes of data to fd, again after EINTR and short writes; with
 * sock through send(2) with MSG_NOSIGNAL (a closed peer is -EPIPE, not
 * SIGPIPE). Returns 0 or a negative errno (-EIO when fd takes no more). */
int fd_write_all(int fd, const void *data, size_t n, bool sock);

/* Reads all of path into out (appended). Returns 0 or -errno (e names path). */
int file_read(const char *path, struct sbuf *out, struct err *e);

/* Replaces path with data[0..n) atomically: a temporary file in the same
 * folder is written, fsync'd and renamed over path, keeping path's mode when
 * it exists. On failure path is unchanged. */
int file_write_atomic(const char *path, const void *data, size_t n, struct err *e);

/* Appends data[0..n) to path (created 0644), then fsyncs it: when this
 * returns 0 the bytes are on disk. */
int file_append_sync(const char *path, const void *data, size_t n, struct err *e);

/* As file_append_sync, but the data starts on a fresh line: when path is
 * not empty and does not end with '\n', a '\n' is written first. */
int file_append_line_sync(const char *path, const void *data, size_t n, struct err *e);

/* Cuts path to its first size bytes and fsyncs it. */
int file_truncate_sync(const char *path, size_t size, struct err *e);

/* mkdir -p; mode for created folders. */
int file_mkdirs(const char *path, int mode, struct err *e);

#endif
