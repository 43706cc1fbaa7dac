/* libFuzzer target: the persisted-state readers (a qos-persist.list
 * manifest, a cpupool config, a guest config's scheduling keys) never
 * crash; an accepted manifest prints to a text that parses back to the
 * same entries, an accepted pool to a config that parses back the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"
#include "sched/persist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct persist_manifest a, b;
	struct persist_pool p, q;
	struct sched_setting s;
	struct xlcfg *c = NULL;
	struct sbuf o = SBUF_INIT;
	struct err e;

	if (persist_manifest_parse("m", (const char *)data, size, &a, &e) == 0) {
		persist_manifest_format(&a, &o);
		if (persist_manifest_parse("m", o.buf ? o.buf : "", o.len, &b, &e) || a.n != b.n ||
		    memcmp(a.e, b.e, sizeof(a.e[0]) * (size_t)a.n))
			abort();
	}
	sbuf_reset(&o);
	if (persist_pool_parse("p", (const char *)data, size, &p, &e) == 0) {
		if (sched_xl_pool_cfg(p.name, p.sched, p.cpus, &o, &e) == 0 &&
		    (persist_pool_parse("p", o.buf, o.len, &q, &e) || strcmp(p.name, q.name) ||
		     strcmp(p.sched, q.sched) || strcmp(p.cpus, q.cpus)))
			abort();
	}
	if (xlcfg_parse("c", (const char *)data, size, &c, &e) == 0) {
		(void)persist_cfg_get(c, &s, &e);
		xlcfg_free(c);
	}
	sbuf_free(&o);
	return 0;
}
