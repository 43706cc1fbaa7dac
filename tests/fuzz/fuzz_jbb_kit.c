/* libFuzzer target: the SPECjbb kit output parser and the command word
 * splitter never crash, and their errors point inside the input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"
#include "base/sshargv.h"
#include "base/words.h"
#include "bench/jbb_kit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jbb_kit_result r;
	struct err e = { 0, "" };
	char *s = xstrndup((const char *)data, size), **v;
	int line, col, n, lines = 1;

	for (size_t k = 0; k < size; k++)
		lines += data[k] == '\n';
	if (jbb_kit_parse((const char *)data, size, "f", &r, &e) == 0) {
		if ((r.version != 2005 && r.version != 2015) || (r.version == 2005 && !r.npoints))
			abort();
		jbb_kit_free(&r);
	} else if (sscanf(e.msg, "f:%d:%d:", &line, &col) != 2 || line < 1 || line > lines + 1 ||
		   col < 1) {
		abort();
	}
	if (words_split(s, &v, &n, &e) == 0) {
		if (v[n] != NULL)
			abort();
		argv_free(v);
	} else if (sscanf(e.msg, "col %d:", &col) != 1 || col < 1 || (size_t)col > strlen(s)) {
		abort();
	}
	free(s);
	return 0;
}
