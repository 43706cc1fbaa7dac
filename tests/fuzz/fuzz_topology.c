/* libFuzzer target: the web topology parser never crashes, and what it
 * rejects it names with FILE:LINE:COL. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web_topology t;
	struct err e = { 0, "" };

	if (web_topology_parse("/tmp/fuzz.topo", (const char *)data, size, &t, &e) == 0)
		web_topology_free(&t);
	else if (strncmp(e.msg, "/tmp/fuzz.topo:", 15))
		abort();
	return 0;
}
