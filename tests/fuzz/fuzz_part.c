/* libFuzzer target: the partition table reader never crashes and every
 * partition it returns lies on the disk; the file system probe reads the
 * same bytes as a whole disk. The bytes are an image file. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest/fstype.h"
#include "guest/part.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct part_table t;
	struct err e;
	char path[64];
	int fd = memfd_create("fuzz_part", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (part_read(path, &t, &e) == 0) {
		struct fstype f;

		for (int k = 0; k < t.nparts; k++)
			if (t.parts[k].start_bytes + t.parts[k].size_bytes > t.disk_bytes)
				abort();
		fstype_probe(path, 0, t.disk_bytes, &f, &e);
	}
	close(fd);
	return 0;
}
