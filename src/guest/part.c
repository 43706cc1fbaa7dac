/* Partition table reader: MBR (primary, extended and logical) and GPT with
 * its protective MBR, checked strictly so a damaged table is an error. */
#include "guest/part.h"
#include "base/sbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECTOR 512u
#define MAX_PARTS 128

/* CRC-32 (IEEE 802.3, reflected, as GPT uses), bitwise: tables are small. */
static uint32_t crc32_ieee(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

struct disk {
	int fd;
	const char *path;
	uint64_t bytes;
};

/* Reads n bytes at off; a short read (past the end) is -EBADMSG. */
static int rd(const struct disk *d, uint64_t off, void *buf, size_t n, struct err *e, const char *what)
{
	size_t got = 0;

	if (off > d->bytes || n > d->bytes - off)
		return err_set(e, -EBADMSG, "%s: %s at byte %llu lies beyond the end of the disk (%llu bytes)",
			       d->path, what, (unsigned long long)off, (unsigned long long)d->bytes);
	while (got < n) {
		ssize_t r = pread(d->fd, (char *)buf + got, n - got, (off_t)(off + got));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return err_set(e, -errno, "%s: reading %s: %s", d->path, what, strerror(errno));
		}
		if (r == 0)
			return err_set(e, -EBADMSG, "%s: %s: unexpected end of file", d->path, what);
		got += (size_t)r;
	}
	return 0;
}

static struct part *add(struct part_table *t)
{
	struct part *p = &t->parts[t->nparts++];

	memset(p, 0, sizeof(*p));
	return p;
}

static int is_extended(unsigned type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

/* Checks that sectors [start, start+count) lie on the disk. */
static int in_disk(const struct disk *d, uint64_t start, uint64_t count, struct err *e, const char *what)
{
	uint64_t sectors = d->bytes / SECTOR;

	if (start >= sectors || count > sectors - start)
		return err_set(e, -EBADMSG,
			       "%s: %s: sectors %llu..%llu lie beyond the end of the disk (%llu sectors)",
			       d->path, what, (unsigned long long)start,
			       (unsigned long long)(start + count - 1), (unsigned long long)sectors);
	return 0;
}

/* Walks the chain of extended boot records of the extended partition at
 * ext_start (ext_count sectors long), adding logical partitions 5, 6, ... */
static int read_logical(const struct disk *d, struct part_table *t, uint64_t ext_start, uint64_t ext_count,
			struct err *e)
{
	uint64_t visited[MAX_PARTS];
	int nvisited = 0, nlogical = 0;
	uint64_t ebr = ext_start;
	unsigned char s[SECTOR];
	char what[96];
	int r;

	for (;;) {
		int number = 5 + nlogical;

		for (int k = 0; k < nvisited; k++)
			if (visited[k] == ebr)
				return err_set(e, -EBADMSG,
					       "%s: extended partition chain loops: the boot record at sector %llu (before logical partition %d) was already visited",
					       d->path, (unsigned long long)ebr, number);
		if (nvisited == MAX_PARTS || t->nparts == MAX_PARTS)
			return err_set(e, -EBADMSG, "%s: more than %d partitions in the extended chain",
				       d->path, MAX_PARTS);
		visited[nvisited++] = ebr;
		snprintf(what, sizeof(what), "extended boot record of logical partition %d", number);
		if ((r = rd(d, ebr * SECTOR, s, SECTOR, e, what)) < 0)
			return r;
		if (s[510] != 0x55 || s[511] != 0xaa)
			return err_set(e, -EBADMSG,
				       "%s: %s at sector %llu lacks the 0x55aa signature", d->path, what,
				       (unsigned long long)ebr);
		const unsigned char *ent = s + 446;
		unsigned type = ent[4];
		uint64_t start = le32(ent + 8), count = le32(ent + 12);

		if (type && count) {
			struct part *p;

			snprintf(what, sizeof(what), "logical partition %d", number);
			if (ebr + start < ebr || (r = in_disk(d, ebr + start, count, e, what)) < 0)
				return r < 0 ? r : err_set(e, -EBADMSG, "%s: %s: start overflows", d->path, what);
			if (ebr + start < ext_start || ebr + start + count > ext_start + ext_count)
				return err_set(e, -EBADMSG,
					       "%s: %s: sectors %llu..%llu lie outside its extended partition (sectors %llu..%llu)",
					       d->path, what, (unsigned long long)(ebr + start),
					       (unsigned long long)(ebr + start + count - 1),
					       (unsigned long long)ext_start,
					       (unsigned long long)(ext_start + ext_count - 1));
			p = add(t);
			p->number = number;
			p->start_bytes = (ebr + start) * SECTOR;
			p->size_bytes = count * SECTOR;
			p->mbr_type = type;
			p->bootable = ent[0] == 0x80;
			nlogical++;
		}
		ent += 16;
		if (!is_extended(ent[4]) || !le32(ent + 12))
			return 0;
		uint64_t next = ext_start + le32(ent + 8);

		if (next >= ext_start + ext_count)
			return err_set(e, -EBADMSG,
				       "%s: the boot record after logical partition %d points to sector %llu, outside its extended partition",
				       d->path, number, (unsigned long long)next);
		ebr = next;
	}
}

static void guid_text(const unsigned char *g, char out[37])
{
	snprintf(out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", le32(g),
		 (unsigned)(g[4] | g[5] << 8), (unsigned)(g[6] | g[7] << 8), g[8], g[9], g[10], g[11],
		 g[12], g[13], g[14], g[15]);
}

/* UTF-16LE (36 units) to UTF-8; unpaired surrogates become U+FFFD. */
static void name_utf8(const unsigned char *u, char *out, size_t cap)
{
	size_t o = 0;

	for (int k = 0; k < 36; k++) {
		uint32_t c = (uint32_t)(u[2 * k] | u[2 * k + 1] << 8);

		if (!c)
			break;
		if (c >= 0xd800 && c < 0xdc00 && k + 1 < 36) {
			uint32_t lo = (uint32_t)(u[2 * k + 2] | u[2 * k + 3] << 8);

			if (lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				k++;
			} else {
				c = 0xfffd;
			}
		} else if (c >= 0xd800 && c < 0xe000) {
			c = 0xfffd;
		}
		unsigned char b[4];
		size_t n;

		if (c < 0x80) {
			b[0] = (unsigned char)c, n = 1;
		} else if (c < 0x800) {
			b[0] = (unsigned char)(0xc0 | c >> 6), b[1] = (unsigned char)(0x80 | (c & 0x3f)), n = 2;
		} else if (c < 0x10000) {
			b[0] = (unsigned char)(0xe0 | c >> 12), b[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
			b[2] = (unsigned char)(0x80 | (c & 0x3f)), n = 3;
		} else {
			b[0] = (unsigned char)(0xf0 | c >> 18), b[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
			b[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f)), b[3] = (unsigned char)(0x80 | (c & 0x3f));
			n = 4;
		}
		if (o + n >= cap)
			break;
		memcpy(out + o, b, n);
		o += n;
	}
	out[o] = 0;
}

static int read_gpt(const struct disk *d, struct part_table *t, struct err *e)
{
	unsigned char h[SECTOR];
	unsigned char *ents = NULL;
	uint64_t sectors = d->bytes / SECTOR;
	int r;

	if ((r = rd(d, SECTOR, h, SECTOR, e, "GPT header")) < 0)
		return r;
	if (memcmp(h, "EFI PART", 8))
		return err_set(e, -EBADMSG,
			       "%s: protective MBR (type 0xee) but no GPT header signature \"EFI PART\" at sector 1",
			       d->path);
	uint32_t hsize = le32(h + 12), hcrc = le32(h + 16);

	if (hsize < 92 || hsize > SECTOR)
		return err_set(e, -EBADMSG, "%s: GPT header size %u is not within 92..%u", d->path, hsize,
			       SECTOR);
	unsigned char hc[SECTOR];

	memcpy(hc, h, hsize);
	memset(hc + 16, 0, 4);
	if (crc32_ieee(hc, hsize) != hcrc)
		return err_set(e, -EBADMSG, "%s: GPT header CRC32 mismatch (stored %08x, computed %08x)",
			       d->path, hcrc, crc32_ieee(hc, hsize));
	uint64_t my_lba = le64(h + 24), first = le64(h + 40), last = le64(h + 48);
	uint64_t ent_lba = le64(h + 72);
	uint32_t nent = le32(h + 80), esize = le32(h + 84), ecrc = le32(h + 88);

	if (my_lba != 1)
		return err_set(e, -EBADMSG, "%s: GPT header at sector 1 says it is at sector %llu", d->path,
			       (unsigned long long)my_lba);
	if (first > last || last >= sectors)
		return err_set(e, -EBADMSG,
			       "%s: GPT usable sectors %llu..%llu do not fit the disk (%llu sectors)", d->path,
			       (unsigned long long)first, (unsigned long long)last,
			       (unsigned long long)sectors);
	if (esize < 128 || esize % 8 || esize > 4096)
		return err_set(e, -EBADMSG, "%s: GPT entry size %u is invalid", d->path, esize);
	if (nent == 0 || nent > 4096)
		return err_set(e, -EBADMSG, "%s: GPT entry count %u is invalid", d->path, nent);
	if (ent_lba < 2 || ent_lba >= sectors)
		return err_set(e, -EBADMSG, "%s: GPT entry array at sector %llu is outside the disk", d->path,
			       (unsigned long long)ent_lba);
	size_t alen = (size_t)nent * esize;

	ents = xmalloc(alen);
	if ((r = rd(d, ent_lba * SECTOR, ents, alen, e, "GPT entry array")) < 0)
		goto out;
	if (crc32_ieee(ents, alen) != ecrc) {
		r = err_set(e, -EBADMSG, "%s: GPT entry array CRC32 mismatch (stored %08x, computed %08x)",
			    d->path, ecrc, crc32_ieee(ents, alen));
		goto out;
	}
	t->scheme = PART_GPT;
	for (uint32_t k = 0; k < nent; k++) {
		const unsigned char *en = ents + (size_t)k * esize;
		static const unsigned char zero[16];
		uint64_t s, l;
		struct part *p;

		if (!memcmp(en, zero, 16))
			continue;
		s = le64(en + 32), l = le64(en + 40);
		if (s > l || s < first || l > last) {
			r = err_set(e, -EBADMSG,
				    "%s: GPT entry %u: sectors %llu..%llu lie outside the usable area %llu..%llu",
				    d->path, k + 1, (unsigned long long)s, (unsigned long long)l,
				    (unsigned long long)first, (unsigned long long)last);
			goto out;
		}
		if (k >= MAX_PARTS) {
			r = err_set(e, -EBADMSG, "%s: GPT entry %u: vmlab reads at most %d partitions",
				    d->path, k + 1, MAX_PARTS);
			goto out;
		}
		p = add(t);
		p->number = (int)k + 1;
		p->start_bytes = s * SECTOR;
		p->size_bytes = (l - s + 1) * SECTOR;
		guid_text(en, p->type_guid);
		name_utf8(en + 56, p->name, sizeof(p->name));
		p->bootable = (le64(en + 48) >> 2) & 1;
	}
	r = 0;
out:
	free(ents);
	return r;
}

static int read_mbr(const struct disk *d, struct part_table *t, const unsigned char *s, struct err *e)
{
	char what[64];
	int r, next = 0;

	t->scheme = PART_MBR;
	for (int k = 0; k < 4; k++) {
		const unsigned char *ent = s + 446 + 16 * k;
		unsigned type = ent[4];
		uint64_t start = le32(ent + 8), count = le32(ent + 12);
		struct part *p;

		if (!type || !count)
			continue;
		snprintf(what, sizeof(what), "partition %d (MBR entry %d)", k + 1, k + 1);
		if ((r = in_disk(d, start, count, e, what)) < 0)
			return r;
		if (start == 0)
			return err_set(e, -EBADMSG, "%s: %s starts at sector 0, over the table itself",
				       d->path, what);
		p = add(t);
		p->number = k + 1;
		p->start_bytes = start * SECTOR;
		p->size_bytes = count * SECTOR;
		p->mbr_type = type;
		p->bootable = ent[0] == 0x80;
		if (is_extended(type)) {
			if (next++)
				return err_set(e, -EBADMSG, "%s: %s is a second extended partition",
					       d->path, what);
		}
	}
	int nprim = t->nparts;

	for (int k = 0; k < nprim; k++)
		if (is_extended(t->parts[k].mbr_type)) {
			r = read_logical(d, t, t->parts[k].start_bytes / SECTOR,
					 t->parts[k].size_bytes / SECTOR, e);
			if (r < 0)
				return r;
		}
	return 0;
}

/* A boot sector of a file system (FAT, NTFS) also ends in 0x55aa; it is told
 * from an MBR by boot flags that are neither 0x00 nor 0x80. */
static int mbr_flags_valid(const unsigned char *s)
{
	for (int k = 0; k < 4; k++) {
		unsigned f = s[446 + 16 * k];

		if (f != 0 && f != 0x80)
			return 0;
	}
	return 1;
}

/* A FAT, exFAT or NTFS boot sector (whose partition area may be zero, so
 * it also reads as an MBR without partitions). */
static int fs_boot_sector(const unsigned char *s)
{
	if (s[0] != 0xeb && s[0] != 0xe9)
		return 0;
	return !memcmp(s + 54, "FAT", 3) || !memcmp(s + 82, "FAT32", 5) || !memcmp(s + 3, "NTFS", 4) ||
	       !memcmp(s + 3, "EXFAT", 5);
}

int part_read(const char *path, struct part_table *t, struct err *e)
{
	struct disk d = { -1, path, 0 };
	unsigned char s[SECTOR];
	struct stat st;
	int r = 0, prot = 0;

	memset(t, 0, sizeof(*t));
	t->sector_bytes = SECTOR;
	if ((d.fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	if (fstat(d.fd, &st) < 0) {
		r = err_set(e, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(d.fd, BLKGETSIZE64, &d.bytes) < 0) {
			r = err_set(e, -errno, "%s: size of block device: %s", path, strerror(errno));
			goto out;
		}
	} else if (S_ISREG(st.st_mode)) {
		d.bytes = (uint64_t)st.st_size;
	} else {
		r = err_set(e, -EINVAL, "%s: not a regular file or block device", path);
		goto out;
	}
	t->disk_bytes = d.bytes;
	if (d.bytes < SECTOR)
		goto out;
	if ((r = rd(&d, 0, s, SECTOR, e, "MBR")) < 0)
		goto out;
	if (s[510] != 0x55 || s[511] != 0xaa || !mbr_flags_valid(s))
		goto out;
	for (int k = 0; k < 4; k++)
		if (s[446 + 16 * k + 4] == 0xee)
			prot = 1;
	r = prot ? read_gpt(&d, t, e) : read_mbr(&d, t, s, e);
	if (r == 0 && !prot && t->nparts == 0 && fs_boot_sector(s))
		t->scheme = PART_NONE;
	if (r < 0) {
		t->scheme = PART_NONE;
		t->nparts = 0;
	}
out:
	close(d.fd);
	return r;
}

const struct part *part_find(const struct part_table *t, int n)
{
	for (int k = 0; k < t->nparts; k++)
		if (t->parts[k].number == n)
			return &t->parts[k];
	return NULL;
}
