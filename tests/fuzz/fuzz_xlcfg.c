/* libFuzzer target for the xl.cfg engine: whatever it accepts is written
 * back byte for byte, its canonical layout parses to the same values, and a
 * set or del picked by the input re-parses with the intended value while
 * every other key keeps its value. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xen/xlcfg.h"

static const char *const values[] = {
	"1", "0x10", "08", "'x'", "\"q\\\"s\"", "''", "[]", "[ 'a', [ 1, 'b' ], [] ]",
	"[\n# c\n'a',\n]", "'\\101'",
};

static int value_eq(const struct xlcfg_value *a, const struct xlcfg_value *b)
{
	if (a->kind != b->kind || a->nitems != b->nitems)
		return 0;
	if (a->kind != XLCFG_LIST)
		return !strcmp(a->str, b->str);
	for (size_t k = 0; k < a->nitems; k++)
		if (!value_eq(a->items[k], b->items[k]))
			return 0;
	return 1;
}

/* Every key of a other than skip has the same value in b. */
static void same_values(const struct xlcfg *a, const struct xlcfg *b, const char *skip)
{
	for (size_t k = 0; k < xlcfg_nkeys(a); k++) {
		const char *key = xlcfg_key(a, k);
		const struct xlcfg_value *vb = xlcfg_get(b, key);
		if (skip && !strcmp(key, skip))
			continue;
		if (!vb || !value_eq(xlcfg_get(a, key), vb))
			abort();
	}
}

static struct xlcfg *reparse(const struct xlcfg *c)
{
	struct sbuf b = SBUF_INIT;
	struct xlcfg *r;
	struct err e;

	xlcfg_write(c, &b);
	if (xlcfg_parse("out", sbuf_str(&b), b.len, &r, &e))
		abort();
	sbuf_free(&b);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xlcfg *c, *c2, *orig;
	struct sbuf b = SBUF_INIT;
	struct err e;

	if (xlcfg_parse("fuzz", (const char *)data, size, &c, &e))
		return 0;
	xlcfg_write(c, &b);
	if (b.len != size || (size && memcmp(b.buf, data, size)))
		abort();
	sbuf_reset(&b);

	xlcfg_format(c, &b);
	if (xlcfg_parse("fmt", sbuf_str(&b), b.len, &c2, &e))
		abort();
	same_values(c, c2, NULL);
	if (xlcfg_nkeys(c) != xlcfg_nkeys(c2))
		abort();
	xlcfg_free(c2);
	sbuf_free(&b);

	orig = reparse(c);
	unsigned pick = size ? data[size - 1] : 0;
	size_t nk = xlcfg_nkeys(c);
	char *key = nk ? strdup(xlcfg_key(c, pick % nk)) : strdup("newkey");
	if (!(pick & 0x80) && nk) {
		if (xlcfg_del(c, key, &e))
			abort();
		c2 = reparse(c);
		if (xlcfg_get(c2, key))
			abort();
	} else {
		const char *v = values[(pick >> 3) % (sizeof(values) / sizeof(values[0]))];
		struct xlcfg *want;
		struct sbuf src = SBUF_INIT;
		if (pick & 0x40) {
			free(key);
			key = strdup("zz.new_key");
		}
		if (xlcfg_set(c, key, v, &e))
			abort();
		c2 = reparse(c);
		sbuf_printf(&src, "k = %s\n", v);
		if (xlcfg_parse("want", src.buf, src.len, &want, &e))
			abort();
		if (!xlcfg_get(c2, key) || !value_eq(xlcfg_get(c2, key), xlcfg_get(want, "k")))
			abort();
		xlcfg_free(want);
		sbuf_free(&src);
		/* set then del of a new key gives back the input's bytes */
		if (!xlcfg_get(orig, key)) {
			if (xlcfg_del(c, key, &e))
				abort();
			xlcfg_write(c, &b);
			if (b.len != size || (size && memcmp(b.buf, data, size)))
				abort();
			sbuf_free(&b);
		}
	}
	same_values(orig, c2, key);
	free(key);
	xlcfg_free(c2);
	xlcfg_free(orig);
	xlcfg_free(c);
	return 0;
}
