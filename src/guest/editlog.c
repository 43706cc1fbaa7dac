/* Intent records of image edits: format, durable write, roll-back. */
#include "guest/editlog.h"

#include <errno.h>
#include <ext2fs/ext2fs.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"

#define MAGIC "VMLABED1"
#define HEAD (8 + 8 + 4 + 4 + 4)
#define MAX_UNDO_PATH 4096

char *editlog_name(const char *image)
{
	struct sbuf s = SBUF_INIT;
	struct stat st;
	const char *base = image;

	if (stat(image, &st) == 0 && S_ISBLK(st.st_mode) && strrchr(image, '/'))
		base = strrchr(image, '/') + 1;
	sbuf_printf(&s, "%s.vmlab-edit", base);
	return sbuf_take(&s);
}

void editlog_add(struct editlog *l, uint64_t blk, const void *before, const void *after)
{
	size_t bs = l->block_size;

	l->blk = xrealloc(l->blk, (l->n + 1) * sizeof(*l->blk));
	l->before = xrealloc(l->before, (l->n + 1) * bs);
	l->after = xrealloc(l->after, (l->n + 1) * bs);
	l->blk[l->n] = blk;
	memcpy(l->before + l->n * bs, before, bs);
	memcpy(l->after + l->n * bs, after, bs);
	l->n++;
}

void editlog_free(struct editlog *l)
{
	free(l->undo_path);
	free(l->blk);
	free(l->before);
	free(l->after);
	memset(l, 0, sizeof(*l));
}

static void put(struct sbuf *s, uint64_t v, int bytes)
{
	for (int k = 0; k < bytes; k++)
		sbuf_putc(s, (char)(v >> (8 * k)));
}

static uint64_t get(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	for (int k = bytes - 1; k >= 0; k--)
		v = v << 8 | p[k];
	return v;
}

void editlog_serialize(const struct editlog *l, struct sbuf *out)
{
	size_t start = out->len, ulen = strlen(l->undo_path);

	sbuf_add(out, MAGIC, 8);
	put(out, l->offset, 8);
	put(out, l->block_size, 4);
	put(out, l->n, 4);
	put(out, ulen, 4);
	sbuf_add(out, l->undo_path, ulen);
	for (size_t k = 0; k < l->n; k++) {
		put(out, l->blk[k], 8);
		sbuf_add(out, l->before + k * l->block_size, l->block_size);
		sbuf_add(out, l->after + k * l->block_size, l->block_size);
	}
	put(out, ext2fs_crc32c_le(~0u, (const unsigned char *)out->buf + start, out->len - start), 4);
}

int editlog_parse(const char *name, const void *buf, size_t len, struct editlog *l, struct err *e)
{
	const unsigned char *p = buf;
	uint64_t n, bs, ulen, want;

	memset(l, 0, sizeof(*l));
	if (len < HEAD + 4 || memcmp(p, MAGIC, 8))
		return err_set(e, -EBADMSG, "%s: byte 0: not a vmlab edit record", name);
	bs = get(p + 16, 4);
	n = get(p + 20, 4);
	ulen = get(p + 24, 4);
	if (bs < 1024 || bs > 65536 || (bs & (bs - 1)))
		return err_set(e, -EBADMSG, "%s: byte 16: block size %llu is not a power of two in 1024..65536",
			       name, (unsigned long long)bs);
	if (ulen == 0 || ulen > MAX_UNDO_PATH || memchr(p + HEAD, 0, ulen > len - HEAD ? len - HEAD : ulen))
		return err_set(e, -EBADMSG, "%s: byte 24: bad undo file name", name);
	want = HEAD + ulen + n * (8 + 2 * bs) + 4;
	if (n > (1u << 20) || want != len)
		return err_set(e, -EBADMSG, "%s: byte %zu: %s (%llu blocks of %llu bytes need %llu bytes)", name,
			       len < want ? len : (size_t)want, len < want ? "cut short" : "trailing bytes",
			       (unsigned long long)n, (unsigned long long)bs, (unsigned long long)want);
	if (get(p + len - 4, 4) != ext2fs_crc32c_le(~0u, p, len - 4))
		return err_set(e, -EBADMSG, "%s: byte %zu: checksum does not match", name, len - 4);
	l->offset = get(p + 8, 8);
	l->block_size = (uint32_t)bs;
	l->undo_path = xstrndup((const char *)p + HEAD, ulen);
	p += HEAD + ulen;
	for (uint64_t k = 0; k < n; k++, p += 8 + 2 * bs)
		editlog_add(l, get(p, 8), p + 8, p + 8 + bs);
	return 0;
}

static int sync_dir_of(const char *path)
{
	char *dup = xstrdup(path);
	int fd = open(dirname(dup), O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	free(dup);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

int editlog_write(const char *path, const struct editlog *l, struct err *e)
{
	struct sbuf s = SBUF_INIT;
	int r;

	editlog_serialize(l, &s);
	r = file_write_atomic(path, s.buf, s.len, e);
	sbuf_free(&s);
	if (r == 0 && (r = sync_dir_of(path)) < 0)
		err_set(e, r, "%s: fsync of its folder: %s", path, strerror(-r));
	return r;
}

int editlog_remove(const char *path, struct err *e)
{
	int r;

	if (unlink(path) < 0 && errno != ENOENT)
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	if ((r = sync_dir_of(path)) < 0)
		return err_set(e, r, "%s: fsync of its folder: %s", path, strerror(-r));
	return 0;
}

int editlog_restore(const char *image, const struct editlog *l, struct err *e)
{
	int fd = open(image, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return err_set(e, -errno, "%s: cannot be opened for writing: %s", image, strerror(errno));
	for (size_t k = 0; k < l->n && r == 0; k++) {
		const unsigned char *b = l->before + k * l->block_size;
		off_t at = (off_t)(l->offset + l->blk[k] * l->block_size);
		size_t done = 0;

		while (done < l->block_size) {
			ssize_t w = pwrite(fd, b + done, l->block_size - done, at + (off_t)done);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				r = err_set(e, w < 0 ? -errno : -EIO, "%s: writing block %llu back: %s", image,
					    (unsigned long long)l->blk[k], w < 0 ? strerror(errno) : "short write");
				break;
			}
			done += (size_t)w;
		}
	}
	if (r == 0 && fsync(fd) < 0)
		r = err_set(e, -errno, "%s: fsync: %s", image, strerror(errno));
	close(fd);
	return r;
}

int editlog_recover(const char *image, const char *log_path, struct sbuf *note, struct err *e)
{
	struct sbuf buf = SBUF_INIT;
	struct editlog l;
	int r;

	if (access(log_path, F_OK) < 0)
		return 0;
	if ((r = file_read(log_path, &buf, e)) < 0)
		goto out;
	if ((r = editlog_parse(log_path, buf.buf ? buf.buf : "", buf.len, &l, e)) < 0) {
		char msg[sizeof(e->msg)];

		snprintf(msg, sizeof(msg), "%s", e->msg);
		r = err_set(e, r,
			    "%s; it records an interrupted edit of %s, which may be half made: restore the image from a copy, then remove %s; nothing changed",
			    msg, image, log_path);
		goto out;
	}
	if ((r = editlog_restore(image, &l, e)) == 0) {
		int had_undo = unlink(l.undo_path) == 0;

		if ((r = editlog_remove(log_path, e)) == 0) {
			sbuf_printf(note,
				    "%s: an edit was interrupted; rolled back from %s (%zu block%s): the image is as it was before that edit%s%s\n",
				    image, log_path, l.n, l.n == 1 ? "" : "s", had_undo ? "; its unfinished undo file was removed: " : "",
				    had_undo ? l.undo_path : "");
			r = 1;
		}
	}
	editlog_free(&l);
out:
	sbuf_free(&buf);
	return r;
}

void editlog_write_point(void)
{
	static long count;
	const char *env = getenv("VMLAB_TEST_KILL_AT_WRITE");

	if (env && *env && ++count == strtol(env, NULL, 10))
		raise(SIGKILL);
}
