/* Partition tables (MBR with extended/logical partitions, and GPT) of a disk
 * image file or block device, read without mounting anything. */
#ifndef VMLAB_GUEST_PART_H
#define VMLAB_GUEST_PART_H

#include <stdint.h>

#include "base/err.h"

enum part_scheme { PART_NONE, PART_MBR, PART_GPT };

struct part {
	int number;            /* Linux numbering: MBR 1-4 primary, 5+ logical; GPT 1-128 */
	uint64_t start_bytes;
	uint64_t size_bytes;
	unsigned mbr_type;     /* MBR type byte (0x83 Linux, 0x82 swap, 0xee protective...), 0 for GPT */
	char type_guid[37];    /* GPT type GUID, lower-case text; "" for MBR */
	char name[72];         /* GPT partition name as UTF-8; "" for MBR */
	int bootable;          /* MBR active flag or GPT legacy-BIOS-bootable attribute */
};

struct part_table {
	enum part_scheme scheme;
	uint64_t disk_bytes;
	uint32_t sector_bytes;  /* 512 */
	int nparts;
	struct part parts[128];
};

/* Reads the partition table of path (image file or block device). A disk
 * without a table gives scheme PART_NONE and 0 parts (the whole disk may
 * hold a file system). Malformed tables (entries beyond the disk, bad GPT
 * header CRC, loops in the extended chain) are -EBADMSG with a message
 * naming path and the entry. */
int part_read(const char *path, struct part_table *t, struct err *e);

/* The partition numbered n, or NULL. */
const struct part *part_find(const struct part_table *t, int n);

#endif
