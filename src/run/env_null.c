/* The "null" environment, for testing the harness only: it runs nothing and
 * answers each benchmark command with a synthetic, clearly labelled record.
 * Options after "null:" (comma-separated): delay=DURATION per run,
 * fail=NAME (that benchmark reports a checksum mismatch), unreachable. */
#include "run/env.h"
#include "base/json.h"
#include "base/units.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct null_state {
	uint64_t delay_ns;
	char *fail;
	bool unreachable;
	unsigned calls;
};

static int parse(const char *arg, struct null_state *s, struct err *e)
{
	char *dup, *save = NULL;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	if (!arg)
		return 0;
	dup = xstrdup(arg);
	for (char *t = strtok_r(dup, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save)) {
		if (!strncmp(t, "delay=", 6)) {
			if (units_parse_duration(t + 6, &s->delay_ns))
				rc = err_set(e, -EINVAL, "null: bad delay '%s'", t + 6);
		} else if (!strncmp(t, "fail=", 5) && t[5]) {
			free(s->fail);
			s->fail = xstrdup(t + 5);
		} else if (!strcmp(t, "unreachable")) {
			s->unreachable = true;
		} else {
			rc = err_set(e, -EINVAL, "null: unknown option '%s' (delay=D, fail=NAME, "
				     "unreachable)", t);
		}
	}
	free(dup);
	if (rc)
		free(s->fail);
	return rc;
}

static int null_check(const char *arg, struct err *e)
{
	struct null_state s;
	int rc = parse(arg, &s, e);

	if (!rc)
		free(s.fail);
	return rc;
}

static int null_open(struct env *v, struct err *e)
{
	struct null_state *s = xcalloc(1, sizeof(*s));
	int rc = parse(v->arg, s, e);

	if (!rc && s->unreachable)
		rc = err_set(e, -EHOSTUNREACH, "%s: unreachable (as configured)", v->name);
	if (rc) {
		free(s->fail);
		free(s);
		return rc;
	}
	v->priv = s;
	v->label = xstrdup("null (synthetic records, harness test only)");
	v->facts.hostname = xstrdup("null");
	v->facts.cpu_model = xstrdup("synthetic");
	v->facts.kernel = xstrdup("none");
	return 0;
}

/* A deterministic value in [0.5, 1.5) from the benchmark's name. */
static double name_scale(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return 0.5 + (double)(h % 1000) / 1000.0;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) }, rem;

	while (nanosleep(&ts, &rem) && errno == EINTR)
		ts = rem;
}

static const char *opt(char *const args[], const char *name)
{
	for (size_t k = 0; args[k]; k++)
		if (!strcmp(args[k], name) && args[k + 1])
			return args[k + 1];
	return NULL;
}

static int null_exec(struct env *v, char *const args[], uint64_t timeout_ms, struct sbuf *out,
		     struct sbuf *errout, int *status, struct err *e)
{
	struct null_state *s = v->priv;
	const char *name, *cmd = opt(args, "--cmd");
	double jitter = 1.0 + 0.01 * (double)(s->calls++ % 5);

	sleep_ns(s->delay_ns);
	*status = 0;
	if (!strcmp(args[0], "micro")) {
		name = args[1];
		double med = 100.0 * name_scale(name) * jitter;
		sbuf_puts(out, "{\"kind\":\"micro\",\"benchmark\":");
		json_put_str(out, name);
		sbuf_printf(out, ",\"unit\":\"ns/op\",\"min\":%.3f,\"median\":%.3f,\"max\":%.3f,"
				 "\"repetitions\":5,\"ops\":1000,\"status\":\"ok\"}\n",
			    med * 0.98, med, med * 1.03);
		return 0;
	}
	if (cmd) {
		double m = 10.0 * name_scale(cmd) * jitter;
		sbuf_puts(out, "{\"kind\":\"cmd\",\"benchmark\":");
		json_put_str(out, cmd);
		sbuf_printf(out, ",\"iteration\":1,\"wall_s\":%.6f,\"user_s\":%.6f,\"sys_s\":0,"
				 "\"metric\":%.6f,\"unit\":\"s\",\"higher_is_better\":false,"
				 "\"status\":\"ok\"}\n", m, m, m);
		return 0;
	}
	name = args[2];
	double wall = 0.1 * name_scale(name) * jitter;
	bool bad = s->fail && !strcmp(s->fail, name);
	sbuf_puts(out, "{\"kind\":\"cpu\",\"benchmark\":");
	json_put_str(out, name);
	sbuf_puts(out, ",\"size\":");
	json_put_str(out, opt(args, "--size") ? opt(args, "--size") : "test");
	sbuf_printf(out, ",\"iteration\":1,\"copies\":1,\"wall_s\":%.6f,\"user_s\":%.6f,"
			 "\"sys_s\":0.001,\"ratio\":%.4f,\"checksum_ok\":%s,\"checksum\":\"%s\","
			 "\"status\":\"%s\"%s}\n", wall, wall, 1.0 / wall, bad ? "false" : "true",
		    bad ? "0xdeadbeef" : "0x00c0ffee", bad ? "checksum-mismatch" : "ok",
		    bad ? ",\"error\":\"checksum 0xdeadbeef, expected 0x00c0ffee\"" : "");
	if (bad)
		*status = 1;
	return 0;
}

static void null_close(struct env *v)
{
	struct null_state *s = v->priv;

	if (s)
		free(s->fail);
	free(s);
	v->priv = NULL;
}

const struct env_ops env_null_ops = {
	"null", "null[:delay=D,fail=NAME,unreachable]", null_check, null_open, null_exec, null_close,
};
