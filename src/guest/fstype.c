/* File system signature probing from raw bytes. */
#include "guest/fstype.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PROBE_BYTES (0x10000 + 4096)

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void uuid_text(const unsigned char *u, char *out)
{
	snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
		 u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
		 u[15]);
}

/* Copies a label of at most n bytes, stopping at NUL, trimming trailing
 * spaces (FAT pads with them) and replacing control bytes. */
static void label_copy(char *out, size_t cap, const unsigned char *p, size_t n)
{
	size_t k = 0;

	for (; k < n && k + 1 < cap && p[k]; k++)
		out[k] = p[k] < 0x20 || p[k] == 0x7f ? '?' : (char)p[k];
	while (k && out[k - 1] == ' ')
		k--;
	out[k] = 0;
}

int fstype_probe(const char *path, uint64_t offset, uint64_t size, struct fstype *t, struct err *e)
{
	static unsigned char b[PROBE_BYTES];
	ssize_t got;
	size_t n;
	int fd;

	memset(t, 0, sizeof(*t));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	memset(b, 0, sizeof(b));
	n = size < sizeof(b) ? (size_t)size : sizeof(b);
	got = pread(fd, b, n, (off_t)offset);
	close(fd);
	if (got < 0)
		return err_set(e, -errno, "%s: reading at %llu: %s", path, (unsigned long long)offset,
			       strerror(errno));
	n = (size_t)got;
	if (n >= 2048 && b[1024 + 56] == 0x53 && b[1024 + 57] == 0xef) {
		const unsigned char *s = b + 1024;
		uint32_t compat = le32(s + 92), incompat = le32(s + 96), ro = le32(s + 100);

		/* as blkid tells them: a journal device; features beyond ext3's
		 * (filetype, recover, meta_bg; sparse_super, large_file,
		 * btree_dir) make ext4; a journal makes ext3 */
		if (incompat & 0x0008)
			strcpy(t->type, "jbd");
		else if ((incompat & ~0x0016u) || (ro & ~0x0007u))
			strcpy(t->type, "ext4");
		else if (compat & 0x0004)
			strcpy(t->type, "ext3");
		else
			strcpy(t->type, "ext2");
		uuid_text(s + 104, t->uuid);
		label_copy(t->label, sizeof(t->label), s + 120, 16);
		return 0;
	}
	if (n >= 4096 && !memcmp(b + 4096 - 10, "SWAPSPACE2", 10)) {
		strcpy(t->type, "swap");
		uuid_text(b + 1024 + 12, t->uuid);
		label_copy(t->label, sizeof(t->label), b + 1024 + 28, 16);
		return 0;
	}
	if (offset == 0 && n >= 4 && !memcmp(b, "QFI\xfb", 4)) {
		strcpy(t->type, "qcow2"); /* an image format, not a file system: qemu-img convert -O raw */
		return 0;
	}
	if (n >= 512 && !memcmp(b, "XFSB", 4)) {
		strcpy(t->type, "xfs");
		uuid_text(b + 32, t->uuid);
		label_copy(t->label, sizeof(t->label), b + 108, 12);
		return 0;
	}
	if (n >= 0x10040 + 8 && !memcmp(b + 0x10040, "_BHRfS_M", 8)) {
		strcpy(t->type, "btrfs");
		uuid_text(b + 0x10020, t->uuid);
		label_copy(t->label, sizeof(t->label), b + 0x1012b, 63);
		return 0;
	}
	if (n >= 512 && b[510] == 0x55 && b[511] == 0xaa) {
		const unsigned char *id = NULL, *lab = NULL;

		if (!memcmp(b + 82, "FAT32   ", 8) && b[66] == 0x29)
			id = b + 67, lab = b + 71;
		else if ((!memcmp(b + 54, "FAT12   ", 8) || !memcmp(b + 54, "FAT16   ", 8) ||
			  !memcmp(b + 54, "FAT     ", 8)) && b[38] == 0x29)
			id = b + 39, lab = b + 43;
		if (id) {
			strcpy(t->type, "vfat");
			snprintf(t->uuid, sizeof(t->uuid), "%02X%02X-%02X%02X", id[3], id[2], id[1], id[0]);
			label_copy(t->label, sizeof(t->label), lab, 11);
			if (!strcmp(t->label, "NO NAME"))
				t->label[0] = 0;
			return 0;
		}
	}
	return 0;
}
