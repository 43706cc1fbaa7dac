/* libFuzzer target: the experiment loader never crashes, and what it rejects
 * it names with FILE:LINE:COL. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "run/experiment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct experiment x;
	struct err e = { 0, "" };

	if (experiment_parse("/tmp/fuzz.vmlab", (const char *)data, size, &x, &e) == 0)
		experiment_free(&x);
	else if (strncmp(e.msg, "/tmp/fuzz.vmlab:", 16))
		abort();
	return 0;
}
