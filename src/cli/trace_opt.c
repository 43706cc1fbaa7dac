/* --trace: counting events around the measured iterations of a benchmark. */
#include "cli/trace_opt.h"
#include "cli/cmd.h"

#include <stdlib.h>
#include <string.h>

int cli_trace_init(const char *name, const struct opt_list *l, struct cli_trace *t)
{
	struct err e = { 0, "" };

	memset(t, 0, sizeof(*t));
	for (int k = 0; k < l->n; k++)
		if (perfev_spec_add(&t->spec, l->v[k], strlen(l->v[k]), &e) < 0) {
			perfev_spec_free(&t->spec);
			return cli_usage_error(name, "--trace '%s': %s", l->v[k], e.msg);
		}
	return CLI_GO;
}

bool cli_trace_on(const struct cli_trace *t)
{
	return t->spec.n > 0;
}

void cli_trace_start(struct cli_trace *t)
{
	const char *root = getenv("VMLAB_TRACEFS");

	perfev_free(&t->set);
	(void)perfev_resolve(&t->spec, root && *root ? root : NULL, getenv("VMLAB_XEN_GUEST_TYPE"),
			     false, &t->set, NULL);
	perfev_open(&t->set, 0, false);
}

char *cli_trace_counts(struct cli_trace *t, double div, double per_ops)
{
	struct sbuf o = SBUF_INIT;

	perfev_read(&t->set);
	perfev_close(&t->set);
	perfev_to_json(&t->set, div, per_ops, &o);
	perfev_free(&t->set);
	return sbuf_take(&o);
}

void cli_trace_free(struct cli_trace *t)
{
	perfev_free(&t->set);
	perfev_spec_free(&t->spec);
}
