/* libFuzzer target: a client's web-bench record as the prime client reads it
 * back over ssh: never a crash, and a rejected record changes nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/bench_remote.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_stats st;
	double el, cpu;
	struct err e;

	http_stats_reset(&st);
	if (bench_record_merge((const char *)data, size, "fuzz", &st, &el, &cpu, &e) != 0 &&
	    (st.requests || st.lat.total))
		abort();
	return 0;
}
