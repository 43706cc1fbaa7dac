/* The POSIX sh script that makes the boot volume of a PV guest converted to
 * HVM: one `vmlab image mkboot` command (an MBR, ext2 /boot with the kernel
 * and initrd, GRUB for BIOS on the serial console). */
#include "xen/convert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/shquote.h"

void convert_boot_script(struct sbuf *sh, const char *bootvol, const char *size, const char *kernel,
			 const char *ramdisk, const char *rootvol)
{
	char *a[] = { "vmlab", "image", "mkboot", (char *)bootvol, "--root", (char *)rootvol, "--size",
		      (char *)size, "--kernel", (char *)kernel, ramdisk ? "--initrd" : NULL, (char *)ramdisk,
		      NULL };
	char *q = shquote_argv(a);

	sbuf_printf(sh, "#!/bin/sh\n# Creates the boot volume %s: an MBR, one bootable partition with ext2 /boot\n"
		    "# (the kernel%s, grub.cfg with root=UUID= of %s) and GRUB for BIOS.\nset -e\n%s\n",
		    bootvol, ramdisk ? " and initrd" : "", rootvol, q);
	free(q);
}
