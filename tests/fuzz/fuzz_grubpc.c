/* libFuzzer target: embedding GRUB's core after the MBR of arbitrary disk
 * bytes never crashes, changes nothing when it refuses, and when it accepts
 * keeps the partition table and points sector 0 at sector 1. The input is
 * split in two: the disk's head, then the core image (its block list made to
 * match every other time, so both paths are reached). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/grubpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char boot[512], *head, *before, *core;
	size_t hl, cl;
	struct err e;

	if (size < 2)
		return 0;
	hl = (size_t)data[0] * 64 % (size - 1);
	cl = size - 1 - hl;
	head = malloc(hl + 1);
	before = malloc(hl + 1);
	core = malloc(cl + 1);
	memcpy(head, data + 1, hl);
	memcpy(core, data + 1 + hl, cl);
	memcpy(before, head, hl);
	memset(boot, 0x90, sizeof(boot));
	boot[510] = 0x55;
	boot[511] = 0xaa;
	if ((data[0] & 1) && cl >= 512) {
		size_t sectors = (cl + 511) / 512;

		core[508] = (unsigned char)((sectors - 1) & 0xff);
		core[509] = (unsigned char)((sectors - 1) >> 8);
		core[510] = 0x20;
		core[511] = 0x08;
	}
	if (grubpc_embed(head, hl, boot, sizeof(boot), core, cl, "fuzz", &e) < 0) {
		if (memcmp(head, before, hl))
			abort();
	} else if (memcmp(head + 0x1b8, before + 0x1b8, 512 - 0x1b8) || head[0x5c] != 1) {
		abort();
	}
	free(head);
	free(before);
	free(core);
	return 0;
}
