/* Reference times of the CPU suite, recorded on the reference machine named
 * below with `vmlab cpu run --size S --iterations 5` (median kernel seconds). */
#include "bench/suite.h"

#include <string.h>

const char bench_ref_machine[] =
	"vmlab-ref-2026: Intel Xeon (Sapphire Rapids, 2 vCPUs under KVM), Debian 12, gcc 12.2 -O2";

static const struct {
	const char *name;
	double secs[BENCH_NSIZES];   /* tiny, test, train, ref */
} reftimes[] = {
	{ "flow", { 0, 0.184, 1.041, 4.704 } },
	{ "des", { 0, 0.293, 1.301, 6.753 } },
	{ "compress", { 0, 0.185, 1.027, 4.016 } },
	{ "search", { 0, 0.151, 1.098, 2.328 } },
	{ "xmltree", { 0, 0.198, 1.060, 4.324 } },
	{ "interp", { 0, 0.187, 0.939, 3.615 } },
	{ "stencil", { 0, 0.210, 0.939, 3.894 } },
	{ "align", { 0, 0.184, 0.997, 3.646 } },
	{ "nbody", { 0, 0.179, 1.028, 3.892 } },
};

double bench_reftime(const char *name, enum bench_size size)
{
	for (size_t k = 0; k < sizeof(reftimes) / sizeof(reftimes[0]); k++)
		if (!strcmp(reftimes[k].name, name))
			return size < BENCH_NSIZES ? reftimes[k].secs[size] : 0;
	return 0;
}
