/* GRUB 2 for BIOS ("i386-pc") on a disk image file or block device, without
 * mounting it or attaching a loop device: GRUB's grub-mkimage makes the core
 * image; vmlab embeds it in the gap between the MBR and the first partition
 * the way grub-bios-setup does (grub-bios-setup itself cannot target an image
 * file: it guesses the root device from the folder of its GRUB files). */
#ifndef VMLAB_GUEST_GRUBPC_H
#define VMLAB_GUEST_GRUBPC_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/sbuf.h"

/* Where Debian's grub-pc-bin puts the i386-pc modules and boot.img. */
#define GRUBPC_DIR "/usr/lib/grub/i386-pc"

/* Makes a core image with grub-mkimage -O i386-pc from the modules in dir
 * (NULL: GRUBPC_DIR): modules (NULL-terminated) built in, prefix (e.g.
 * "(hd0,msdos1)/boot/grub", where it finds grub.cfg) set; appends it to
 * core. -ENOPKG when grub-mkimage or dir is missing, -EIO when it fails (e
 * carries its message). */
int grubpc_mkcore(const char *dir, const char *prefix, const char *const *modules, struct sbuf *core,
		  struct err *e);

/* Installs GRUB into head, the first head_len bytes of a disk with an MBR
 * partition table (head_len: the first partition's start): sector 0 gets
 * boot_img's code (the disk signature, partition table and BPB bytes are
 * kept) pointing at sector 1, sectors 1.. get core, whose first block list
 * then points at sector 2. Checks first, changing nothing on failure:
 * boot_img is 512 bytes, core is an i386-pc core image whose block list
 * covers it, head has the 0x55AA signature, the gap holds core (-ENOSPC
 * naming the bytes needed and free), and the boot code and gap sectors are
 * zero or already what GRUB would write (-EBUSY: another boot loader or
 * data there). label names the disk in messages. */
int grubpc_embed(unsigned char *head, size_t head_len, const unsigned char *boot_img, size_t boot_len,
		 const unsigned char *core, size_t core_len, const char *label, struct err *e);

#endif
