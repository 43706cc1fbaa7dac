/* Test probe: vmlab's disk spec parser on one spec per stdin line, printed
 * in the format of xlu_spec_oracle -disk (to diff the two). */
#include <stdio.h>
#include <string.h>

#include "xen/diskspec.h"

int main(void)
{
	char line[8192];

	while (fgets(line, sizeof(line), stdin)) {
		struct diskspec d;
		struct err e;
		int col;

		line[strcspn(line, "\n")] = 0;
		printf("[%s] => ", line);
		if (diskspec_parse(line, &d, &col, &e)) {
			printf("ERR\n");
			continue;
		}
		printf("target=%s format=%d vdev=%s rw=%d cdrom=%d removable=%d script=%s "
		       "backend=%d bdom=%s dio=%d discard=%s spec=%d\n",
		       d.target ? d.target : "(null)", d.format, d.vdev, d.readwrite, d.is_cdrom,
		       d.removable, d.script ? d.script : "(null)", d.backend,
		       d.backend_domname ? d.backend_domname : "(null)", d.direct_io_safe,
		       d.discard < 0 ? "def" : d.discard ? "1" : "0", d.specification);
		diskspec_free(&d);
	}
	return 0;
}
