/* libFuzzer target: the qos trial file parser never crashes, names the
 * file and a line of the input in its messages, and what it accepts
 * formats to lines that parse back to the same trials. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"
#include "sched/qos.h"

static int same(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b || fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qos_trial *ts = NULL, *back = NULL;
	struct sbuf o = SBUF_INIT;
	struct err e = { 0 };
	size_t n, m;

	if (qos_trials_parse((const char *)data, size, "f", &ts, &n, &e) == 0) {
		for (size_t k = 0; k < n; k++)
			qos_trial_format(&ts[k], NULL, &o);
		if (qos_trials_parse(o.buf ? o.buf : "", o.len, "g", &back, &m, &e) || m != n)
			abort();
		for (size_t k = 0; k < n; k++)
			if (strcmp(ts[k].config, back[k].config) || strcmp(ts[k].setting, back[k].setting) ||
			    ts[k].phase != back[k].phase || ts[k].run != back[k].run || ts[k].valid != back[k].valid ||
			    !same(ts[k].bops_a, back[k].bops_a) || !same(ts[k].skew_ms, back[k].skew_ms))
				abort();
		free(back);
		free(ts);
	} else if (strncmp(e.msg, "f:", 2) || strtol(e.msg + 2, NULL, 10) < 1) {
		abort();
	}
	sbuf_free(&o);
	return 0;
}
