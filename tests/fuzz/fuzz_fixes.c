/* libFuzzer target: the inittab and fstab edits never crash, and an edited
 * inittab is left alone by a second pass. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/fixes.h"

static const char *uuid_of(int n, void *priv)
{
	(void)priv;
	return n % 2 ? "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = (const char *)data;
	struct sbuf out = SBUF_INIT, ch = SBUF_INIT, g = SBUF_INIT;
	struct err e;

	if (fix_inittab("f", t, size, "hvc0", &out, &ch, &e) > 0) {
		struct sbuf again = SBUF_INIT, ch2 = SBUF_INIT;

		if (fix_inittab("f", out.buf, out.len, "hvc0", &again, &ch2, &e) != 0)
			abort();
		sbuf_free(&again);
		sbuf_free(&ch2);
	}
	inittab_gettys(t, size, &g);
	sbuf_reset(&out);
	fix_fstab("f", t, size, uuid_of, NULL, &out, &ch, &e);
	sbuf_reset(&g);
	fstab_root(t, size, &g);
	sbuf_free(&out);
	sbuf_free(&ch);
	sbuf_free(&g);
	return 0;
}
