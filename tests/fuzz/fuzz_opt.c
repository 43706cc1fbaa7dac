/* libFuzzer target: the option table parser never crashes on any argv (the
 * input split at NUL bytes), keeps every value in range, and permutes only
 * argv's own words. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/opt.h"

struct v {
	bool flag;
	int i;
	unsigned u, uc;
	long long l;
	double d;
	const char *s;
	uint64_t size, dur, count;
	int e;
	struct opt_list list;
};

static const char *const words[] = { "pv", "pvh", "hvm", NULL };

#define F(x) offsetof(struct v, x)
static const struct opt tab[] = {
	{ "flag", 'f', OPT_FLAG, F(flag) },
	{ "int", 'i', OPT_INT, F(i), .def = "3", .min = -5, .max = 5 },
	{ "uint", 'u', OPT_UINT, F(u), .min = 1, .max = 100000 },
	{ "long", 0, OPT_LONG, F(l) },
	{ "double", 'd', OPT_DOUBLE, F(d), .min = 0, .max = 1 },
	{ "string", 's', OPT_STRING, F(s) },
	{ "size", 0, OPT_SIZE, F(size), .min = 4096, .max = OPT_NOMAX },
	{ "duration", 'D', OPT_DURATION, F(dur), .def = "2s", .min = 1, .max = 3600e9 },
	{ "count", 'c', OPT_COUNT, F(count) },
	{ "ucount", 0, OPT_UCOUNT, F(uc), .min = 1, .max = 1e6 },
	{ "enum", 'e', OPT_ENUM, F(e), .words = words },
	{ "list", 'H', OPT_LIST, F(list) },
	{ 0 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), **argv, **orig;
	struct v v = { 0 };
	struct opt_res r;
	struct err e = { 0 };
	int argc = 1, rc;

	memcpy(buf, data, size);
	buf[size] = 0;
	for (size_t k = 0; k < size; k++)
		argc += !data[k];
	argv = calloc((size_t)argc + 2, sizeof(*argv));
	orig = calloc((size_t)argc + 2, sizeof(*argv));
	argv[0] = "cmd";
	for (int k = 1, off = 0; k <= argc; k++) {
		argv[k] = buf + off;
		off += (int)strlen(buf + off) + 1;
	}
	argc++;
	memcpy(orig, argv, (size_t)argc * sizeof(*argv));
	rc = (size && data[0] & 1 ? opt_parse_prefix : opt_parse)(tab, &v, argc, argv, &r, &e);
	if (rc == 0) {
		if (v.i < -5 || v.i > 5 || v.u > 100000 || !(v.d >= 0 && v.d <= 1) ||
		    v.dur < 1 || v.dur > 3600000000000ull || v.uc > 1000000 || v.e < 0 || v.e > 2)
			abort();
		if (r.npos < 0 || r.npos >= argc || r.pos < argv + 1)
			abort();
		for (int k = 0; k < r.npos; k++) {
			int found = 0;

			for (int j = 1; j < argc; j++)
				found |= r.pos[k] == orig[j];
			if (!found)
				abort();
		}
	} else if (rc < 0 && !e.msg[0]) {
		abort();
	}
	opt_free(tab, &v);
	free(orig);
	free(argv);
	free(buf);
	return 0;
}
