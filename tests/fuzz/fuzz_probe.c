/* libFuzzer target: the probe summary reader never crashes, names its
 * input in every message, and what it accepts writes back to JSON that
 * reads as the same summary. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "measure/probe.h"

static int same(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct probe_summary s, back;
	struct sbuf out = SBUF_INIT;
	struct err e = { 0 };

	if (probe_summary_parse((const char *)data, size, "f", &s, &e) == 0) {
		probe_summary_json(&s, &out);
		if (probe_summary_parse(out.buf, out.len, "g", &back, &e) ||
		    strcmp(s.addr, back.addr) || strcmp(s.socket, back.socket) ||
		    strcmp(s.first_error, back.first_error) || s.sent != back.sent ||
		    s.received != back.received || s.lost != back.lost || s.lost_in_gap != back.lost_in_gap ||
		    s.late != back.late || s.errors != back.errors || s.truncated != back.truncated ||
		    !same(s.interval_ms, back.interval_ms) || !same(s.duration_s, back.duration_s) ||
		    !same(s.largest_gap_ms, back.largest_gap_ms) || !same(s.gap_start_s, back.gap_start_s) ||
		    !same(s.rtt_median_ms, back.rtt_median_ms) || !same(s.rtt_p99_ms, back.rtt_p99_ms) ||
		    !same(s.rtt_max_ms, back.rtt_max_ms))
			abort();
	} else if (e.code != -EBADMSG || strncmp(e.msg, "f: ", 3)) {
		abort();
	}
	sbuf_free(&out);
	return 0;
}
