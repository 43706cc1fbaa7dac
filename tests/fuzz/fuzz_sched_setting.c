/* libFuzzer target: the scheduling setting parser never crashes, reports a
 * column inside its input, and what it accepts prints to a text that
 * parses back to the same setting. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"
#include "sched/sched.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct sched_setting a, b;
	struct sbuf o = SBUF_INIT;
	struct err e;

	if (sched_setting_parse(s, "f", &a, &e) == 0) {
		sched_setting_format(&a, &o);
		if (sched_setting_parse(sbuf_str(&o), "f", &b, &e) || a.set != b.set)
			abort();
		sbuf_reset(&o);
		sched_setting_json(&a, &o);
	} else if (strncmp(e.msg, "f:1:", 4)) {
		abort();
	} else {
		long col = strtol(e.msg + 4, NULL, 10);

		if (col < 1 || (size_t)col > strlen(s) + 1)
			abort();
	}
	sbuf_free(&o);
	free(s);
	return 0;
}
