/* GRUB 2 for BIOS: the core image through grub-mkimage, and its embedding
 * after the MBR (the layout of GRUB's boot.S and diskboot.S). */
#include "guest/grubpc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/proc.h"

#define SECTOR 512u
/* boot.img: the BIOS parameter block a floppy may have, kept from the disk */
#define BPB_START 0x03u
#define BPB_END 0x5au
/* boot.img: LBA (64-bit) of the core image's first sector */
#define KERNEL_SECTOR 0x5cu
/* boot.img: a 2-byte jump over the "is the boot drive a hard disk" check;
 * replaced by two NOPs for hard disks, as grub-bios-setup does */
#define DRIVE_CHECK 0x66u
/* sector 0 from here on: disk signature, partition table, 0x55AA */
#define NT_MAGIC 0x1b8u
/* diskboot.img (the core's first sector): its first block list, 12 bytes
 * before the sector's end: start LBA (64-bit), sectors (16), segment (16) */
#define BLOCKLIST (SECTOR - 12u)
#define CORE_SEGMENT 0x820u

static uint64_t get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int k = n - 1; k >= 0; k--)
		v = v << 8 | p[k];
	return v;
}

static void put_le(unsigned char *p, uint64_t v, int n)
{
	for (int k = 0; k < n; k++, v >>= 8)
		p[k] = (unsigned char)v;
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (p[k])
			return 0;
	return 1;
}

int grubpc_embed(unsigned char *head, size_t head_len, const unsigned char *boot_img, size_t boot_len,
		 const unsigned char *core, size_t core_len, const char *label, struct err *e)
{
	size_t sectors = (core_len + SECTOR - 1) / SECTOR, need = SECTOR + sectors * SECTOR;
	unsigned char mbr[SECTOR], *gap;
	int r = 0;

	if (boot_len != SECTOR || boot_img[SECTOR - 2] != 0x55 || boot_img[SECTOR - 1] != 0xaa)
		return err_set(e, -EINVAL, "GRUB's boot.img: %zu bytes, not a 512-byte boot sector", boot_len);
	if (core_len < SECTOR || get_le(core + BLOCKLIST + 8, 2) != sectors - 1 ||
	    get_le(core + BLOCKLIST + 10, 2) != CORE_SEGMENT)
		return err_set(e, -EINVAL, "GRUB core image (%zu bytes): its block list does not describe it; not an i386-pc core image",
			       core_len);
	if (head_len < SECTOR || head[SECTOR - 2] != 0x55 || head[SECTOR - 1] != 0xaa)
		return err_set(e, -EINVAL, "%s: no MBR partition table (no 0x55AA signature in sector 0)", label);
	if (head_len < need)
		return err_set(e, -ENOSPC,
			       "%s: GRUB's core image needs %zu bytes before the first partition, there are %zu: start it at 1 MiB",
			       label, need, head_len);
	memcpy(mbr, boot_img, SECTOR);
	memcpy(mbr + BPB_START, head + BPB_START, BPB_END - BPB_START);
	put_le(mbr + KERNEL_SECTOR, 1, 8);
	mbr[DRIVE_CHECK] = 0x90;
	mbr[DRIVE_CHECK + 1] = 0x90;
	memcpy(mbr + NT_MAGIC, head + NT_MAGIC, SECTOR - NT_MAGIC);
	gap = xcalloc(sectors, SECTOR);
	memcpy(gap, core, core_len);
	put_le(gap + BLOCKLIST, 2, 8);
	if (!all_zero(head + BPB_END, NT_MAGIC - BPB_END) && memcmp(head, mbr, NT_MAGIC))
		r = err_set(e, -EBUSY, "%s: sector 0 holds boot code that is not this GRUB's: another boot loader is installed",
			    label);
	else if (!all_zero(head + SECTOR, sectors * SECTOR) && memcmp(head + SECTOR, gap, sectors * SECTOR))
		r = err_set(e, -EBUSY, "%s: bytes %u..%zu (after the MBR) hold data: another boot loader or a partition uses them",
			    label, SECTOR, need - 1);
	if (r == 0) {
		memcpy(head, mbr, SECTOR);
		memcpy(head + SECTOR, gap, sectors * SECTOR);
	}
	free(gap);
	return r;
}

int grubpc_mkcore(const char *dir, const char *prefix, const char *const *modules, struct sbuf *core,
		  struct err *e)
{
	char tmp[] = "/tmp/vmlab-core-XXXXXX", *argv[64];
	struct sbuf errout = SBUF_INIT;
	struct proc_opts o = { .errout = &errout, .timeout_ms = 60000 };
	struct stat st;
	int n = 0, fd, status, r;

	if (!dir)
		dir = GRUBPC_DIR;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || !proc_have("grub-mkimage"))
		return err_set(e, -ENOPKG, "GRUB for BIOS is missing (%s%s): install grub-pc-bin and grub2-common",
			       proc_have("grub-mkimage") ? "no folder " : "no grub-mkimage",
			       proc_have("grub-mkimage") ? dir : "");
	if ((fd = mkstemp(tmp)) < 0)
		return err_set(e, -errno, "%s: %s", tmp, strerror(errno));
	close(fd);
	argv[n++] = "grub-mkimage";
	argv[n++] = "-O";
	argv[n++] = "i386-pc";
	argv[n++] = "-d";
	argv[n++] = (char *)dir;
	argv[n++] = "-p";
	argv[n++] = (char *)prefix;
	argv[n++] = "-o";
	argv[n++] = tmp;
	for (int k = 0; modules[k] && n < 63; k++)
		argv[n++] = (char *)modules[k];
	argv[n] = NULL;
	if ((r = proc_run(argv, &o, &status, e)) == 0 && status != 0)
		r = err_set(e, -EIO, "grub-mkimage exited with status %d: %s", status, sbuf_str(&errout));
	if (r == 0)
		r = file_read(tmp, core, e);
	unlink(tmp);
	sbuf_free(&errout);
	return r;
}
