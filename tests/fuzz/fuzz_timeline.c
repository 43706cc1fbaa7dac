/* libFuzzer target: the timeline reader (vmlab web window) never crashes,
 * names the file and a line of the input in its messages, and a window
 * over what it accepts has no negative gap and shares within 0-100%. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/window.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web_tl_line *l = NULL;
	struct web_window w;
	struct err e = { 0 };
	size_t n;

	if (web_tl_parse((const char *)data, size, "f", &l, &n, &e) == 0) {
		for (size_t k = 0; k < n; k++)
			if (l[k].line < 1 || l[k].good > l[k].pages)
				abort();
		if (n && web_window_eval(l, n, l[0].epoch_s, l[n - 1].epoch_s + 0.5, &w) == 0 &&
		    (w.gap_ms < -1e-6 || w.seconds == 0 || w.seconds > n ||
		     (!isnan(w.good_pct) && (w.good_pct < 0 || w.good_pct > 100))))
			abort();
		free(l);
	} else if (strncmp(e.msg, "f:", 2) || strtol(e.msg + 2, NULL, 10) < 1) {
		abort();
	}
	return 0;
}
