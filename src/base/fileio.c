/* File helpers. */
#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int file_read(const char *path, struct sbuf *out, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[65536];
	ssize_t r;
	struct stat st;

	if (fd < 0)
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return err_set(e, -EISDIR, "%s: is a directory", path);
	}
	while ((r = read(fd, buf, sizeof(buf))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int x = errno;
			close(fd);
			return err_set(e, -x, "%s: read: %s", path, strerror(x));
		}
		sbuf_add(out, buf, (size_t)r);
	}
	close(fd);
	return 0;
}

int fd_write_all(int fd, const void *data, size_t n, bool sock)
{
	const char *p = data;

	while (n) {
		ssize_t w = sock ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (!w)
			return -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int file_write_atomic(const char *path, const void *data, size_t n, struct err *e)
{
	char *dup = xstrdup(path);
	char *dir = dirname(dup);
	struct sbuf tmp = SBUF_INIT;
	struct stat st;
	mode_t mode = 0644;
	int fd, rc;

	if (stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	sbuf_printf(&tmp, "%s/.%s.tmpXXXXXX", dir, strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	free(dup);
	fd = mkstemp(tmp.buf);
	if (fd < 0) {
		rc = err_set(e, -errno, "%s: cannot create temporary file: %s", path, strerror(errno));
		sbuf_free(&tmp);
		return rc;
	}
	if ((rc = fd_write_all(fd, data, n, false)) || fchmod(fd, mode) || fsync(fd)) {
		if (!rc)
			rc = -errno;
		close(fd);
		unlink(tmp.buf);
		sbuf_free(&tmp);
		return err_set(e, rc, "%s: write: %s", path, strerror(-rc));
	}
	close(fd);
	if (rename(tmp.buf, path)) {
		rc = err_set(e, -errno, "%s: rename: %s", path, strerror(errno));
		unlink(tmp.buf);
		sbuf_free(&tmp);
		return rc;
	}
	sbuf_free(&tmp);
	return 0;
}

int file_append_sync(const char *path, const void *data, size_t n, struct err *e)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	int rc;

	if (fd < 0)
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	if ((rc = fd_write_all(fd, data, n, false)) || (fsync(fd) && (rc = -errno))) {
		close(fd);
		return err_set(e, rc, "%s: append: %s", path, strerror(-rc));
	}
	close(fd);
	return 0;
}

int file_append_line_sync(const char *path, const void *data, size_t n, struct err *e)
{
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	struct stat st;
	char last = '\n';
	int rc = 0;

	if (fd < 0)
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
		rc = -errno;
	if (!rc && last != '\n')
		rc = fd_write_all(fd, "\n", 1, false);
	if (rc || (rc = fd_write_all(fd, data, n, false)) || (fsync(fd) && (rc = -errno))) {
		close(fd);
		return err_set(e, rc, "%s: append: %s", path, strerror(-rc));
	}
	close(fd);
	return 0;
}

int file_truncate_sync(const char *path, size_t size, struct err *e)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	if (ftruncate(fd, (off_t)size) || fsync(fd))
		rc = err_set(e, -errno, "%s: truncate: %s", path, strerror(errno));
	close(fd);
	return rc;
}

int file_mkdirs(const char *path, int mode, struct err *e)
{
	char *p = xstrdup(path);

	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == 0) {
			char c = *s;
			*s = 0;
			if (mkdir(p, (mode_t)mode) && errno != EEXIST) {
				int rc = err_set(e, -errno, "%s: mkdir: %s", p, strerror(errno));
				free(p);
				return rc;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return 0;
}
