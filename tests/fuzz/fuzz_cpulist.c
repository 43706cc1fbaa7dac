/* libFuzzer target: the CPULIST and PCI spec parsers never crash and
 * report a column inside their input. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"
#include "xen/cpulist.h"
#include "xen/pcispec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct cpulist l;
	struct pcispec p;
	struct err e;
	bool set[64] = { false };
	int col;

	if (cpulist_parse(s, &l, &col, &e) == 0) {
		if (cpulist_apply(&l, 64, NULL, set) > 64)
			abort();
		cpulist_free(&l);
	} else if (col < 1 || (size_t)col > strlen(s) + 1) {
		abort();
	}
	if (pcispec_parse(s, &p, &col, &e) != 0 && (col < 1 || (size_t)col > strlen(s) + 1))
		abort();
	free(s);
	return 0;
}
