/* libFuzzer target: the disk spec parser never crashes, reports a column
 * inside the spec, and what it accepts the formatter writes back as a spec
 * it reads as the same disk (or refuses, for strings no spec can carry). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"
#include "xen/diskspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct diskspec d, back;
	struct sbuf o = SBUF_INIT;
	struct vdev v;
	struct err e;
	int col;

	if (diskspec_parse(s, &d, &col, &e) == 0) {
		if (diskspec_format(&d, &o) == 0) {
			if (diskspec_parse(sbuf_str(&o), &back, &col, &e) != 0)
				abort();
			if (strcmp(back.vdev, d.vdev) || back.readwrite != d.readwrite ||
			    back.is_cdrom != d.is_cdrom || back.format != d.format)
				abort();
			diskspec_free(&back);
		} else if (!strchr(d.target ? d.target : "", '\n') && !strchr(d.vdev, ',') &&
			   !strchr(d.vdev, '\n')) {
			abort();   /* only such strings have no spelling */
		}
		(void)vdev_decode(d.vdev, &v, &e);
		diskspec_free(&d);
	} else if (col < 1 || (size_t)col > strlen(s) + 1) {
		abort();
	}
	sbuf_free(&o);
	free(s);
	return 0;
}
