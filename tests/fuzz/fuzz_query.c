/* libFuzzer target: the query-string decoder and every page's parameter
 * rules never crash on any input. */
#include <stddef.h>
#include <stdint.h>

#include "web/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct web_query q;
	const char *why;
	uint32_t vals[16];

	if (web_query_parse((const char *)data, size, &q, &why))
		return 0;
	for (int w = 0; w < WEB_NWORKLOADS; w++) {
		const struct web_workload *wl = web_workload(w);

		for (size_t p = 0; p < wl->npages; p++)
			web_page_values(&wl->pages[p], &q, vals, &why);
	}
	return 0;
}
