/* The testbed's facts for the shell side. */
#include "testbed/tbconst.h"

#include "base/shquote.h"

#include <stdio.h>
#include <stdlib.h>

_Static_assert(TB_GUEST_HOST_BASE + TB_MAX_GUESTS - 1 < TB_PT_GUEST_HOST && TB_PT_GUEST_HOST < 255,
	       "the passthrough guest's address collides with a guest's");

static void put(struct sbuf *out, const char *key, const char *val)
{
	char *q = shquote(val);

	sbuf_printf(out, "%s=%s\n", key, q);
	free(q);
}

void tb_const_env(struct sbuf *out)
{
	char bits[16];

	snprintf(bits, sizeof(bits), "%d", TB_NET_BITS);
	sbuf_puts(out, "# written by vmlab (src/testbed/tbconst.h): the testbed's fixed facts\n");
	put(out, "VMLAB_DOM0_IP", TB_DOM0_IP);
	put(out, "VMLAB_NET_BITS", bits);
	put(out, "VMLAB_BRIDGE", TB_BRIDGE);
	put(out, "VMLAB_READY", TB_READY_MARKER);
	put(out, "VMLAB_GUEST_READY", TB_GUEST_READY_MARKER);
	put(out, "VMLAB_PT_BDF", TB_PT_BDF);
}
