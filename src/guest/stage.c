/* An in-memory write stage over an image, as a libext2fs I/O manager. */
#include "guest/stage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/sbuf.h"

static struct stage *current;

int stage_begin(struct stage *st, const char *image)
{
	memset(st, 0, sizeof(*st));
	if ((st->fd = open(image, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	current = st;
	return 0;
}

void stage_end(struct stage *st)
{
	if (st->fd >= 0)
		close(st->fd);
	free(st->unit);
	free(st->data);
	if (current == st)
		current = NULL;
	memset(st, 0, sizeof(*st));
	st->fd = -1;
}

/* Index of unit u in st, or where it would go (*found 0). */
static size_t find(const struct stage *st, uint64_t u, int *found)
{
	size_t lo = 0, hi = st->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (st->unit[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < st->n && st->unit[lo] == u;
	return lo;
}

static int read_image(struct stage *st, uint64_t pos, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = pread(st->fd, (char *)buf + done, len - done, (off_t)(st->offset + pos + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		done += (size_t)r;
	}
	return 0;
}

int stage_read_base(struct stage *st, uint64_t pos, void *buf, size_t len)
{
	return read_image(st, pos, buf, len);
}

int stage_read(struct stage *st, uint64_t pos, void *buf, size_t len)
{
	int r, found;
	size_t k;

	if ((r = read_image(st, pos, buf, len)) < 0)
		return r;
	for (k = find(st, pos / STAGE_UNIT, &found); k < st->n; k++) {
		uint64_t ustart = st->unit[k] * STAGE_UNIT, from, to;

		if (ustart >= pos + len)
			break;
		from = ustart > pos ? ustart : pos;
		to = ustart + STAGE_UNIT < pos + len ? ustart + STAGE_UNIT : pos + len;
		memcpy((char *)buf + (from - pos), st->data + k * STAGE_UNIT + (from - ustart), to - from);
	}
	return 0;
}

/* Stages len bytes at pos: whole units are replaced, partial ones merged. */
static int stage_write(struct stage *st, uint64_t pos, const void *buf, size_t len)
{
	for (uint64_t u = pos / STAGE_UNIT; u * STAGE_UNIT < pos + len; u++) {
		uint64_t ustart = u * STAGE_UNIT;
		uint64_t from = ustart > pos ? ustart : pos;
		uint64_t to = ustart + STAGE_UNIT < pos + len ? ustart + STAGE_UNIT : pos + len;
		int found, r;
		size_t k = find(st, u, &found);

		if (!found) {
			if ((uint64_t)(st->n + 1) * STAGE_UNIT > STAGE_MAX_BYTES)
				return -EFBIG;
			if (st->n == st->cap) {
				st->cap = st->cap ? 2 * st->cap : 64;
				st->unit = xrealloc(st->unit, st->cap * sizeof(*st->unit));
				st->data = xrealloc(st->data, st->cap * STAGE_UNIT);
			}
			memmove(st->unit + k + 1, st->unit + k, (st->n - k) * sizeof(*st->unit));
			memmove(st->data + (k + 1) * STAGE_UNIT, st->data + k * STAGE_UNIT, (st->n - k) * STAGE_UNIT);
			st->unit[k] = u;
			st->n++;
			if (to - from < STAGE_UNIT && (r = read_image(st, ustart, st->data + k * STAGE_UNIT, STAGE_UNIT)) < 0)
				return r;
		}
		memcpy(st->data + k * STAGE_UNIT + (from - ustart), (const char *)buf + (from - pos), to - from);
	}
	return 0;
}

static size_t span(io_channel ch, int count)
{
	return count < 0 ? (size_t)-(long)count : (size_t)count * (size_t)ch->block_size;
}

static errcode_t st_open(const char *name, int flags, io_channel *out)
{
	io_channel ch;

	if (!current)
		return EXT2_ET_BAD_DEVICE_NAME;
	ch = xcalloc(1, sizeof(*ch));
	ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	ch->manager = stage_io_manager;
	ch->name = xstrdup(name);
	ch->block_size = 1024;
	ch->refcount = 1;
	ch->private_data = current;
	*out = ch;
	return 0;
}

static errcode_t st_close(io_channel ch)
{
	if (--ch->refcount > 0)
		return 0;
	free(ch->name);
	free(ch);
	return 0;
}

static errcode_t st_set_blksize(io_channel ch, int blksize)
{
	ch->block_size = blksize;
	return 0;
}

static errcode_t st_read64(io_channel ch, unsigned long long block, int count, void *buf)
{
	struct stage *st = ch->private_data;
	int r = stage_read(st, block * (uint64_t)ch->block_size, buf, span(ch, count));

	if (r == -EIO)
		return EXT2_ET_SHORT_READ;
	return r < 0 ? (errcode_t)-r : 0;
}

static errcode_t st_write64(io_channel ch, unsigned long long block, int count, const void *buf)
{
	struct stage *st = ch->private_data;
	int r = stage_write(st, block * (uint64_t)ch->block_size, buf, span(ch, count));

	if (r < 0 && !st->err)
		st->err = -r;
	return r < 0 ? (errcode_t)-r : 0;
}

static errcode_t st_read(io_channel ch, unsigned long block, int count, void *buf)
{
	return st_read64(ch, block, count, buf);
}

static errcode_t st_write(io_channel ch, unsigned long block, int count, const void *buf)
{
	return st_write64(ch, block, count, buf);
}

static errcode_t st_flush(io_channel ch)
{
	return 0;
}

static errcode_t st_set_option(io_channel ch, const char *option, const char *arg)
{
	struct stage *st = ch->private_data;
	char *end;

	if (strcmp(option, "offset") || !arg)
		return EXT2_ET_INVALID_ARGUMENT;
	st->offset = strtoull(arg, &end, 0);
	return *end ? EXT2_ET_INVALID_ARGUMENT : 0;
}

static struct struct_io_manager stage_manager = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "vmlab stage I/O manager",
	.open = st_open,
	.close = st_close,
	.set_blksize = st_set_blksize,
	.read_blk = st_read,
	.write_blk = st_write,
	.flush = st_flush,
	.set_option = st_set_option,
	.read_blk64 = st_read64,
	.write_blk64 = st_write64,
};

io_manager stage_io_manager = &stage_manager;
