/* The "null" environment, for testing the harness only: it runs nothing and
 * answers each benchmark command with a synthetic, clearly labelled record.
 * Options after "null:" (comma-separated): delay=DURATION per run,
 * fail=NAME (that benchmark reports a checksum mismatch), unsupported=NAME
 * (that microbenchmark reports it cannot run here), unreachable. Events a
 * run is asked to count (--trace) are recorded unsupported: nothing runs. */
#include "run/env.h"
#include "base/json.h"
#include "base/units.h"
#include "run/record.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct null_state {
	uint64_t delay_ns;
	char *fail, *unsupported;
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
		} else if (!strncmp(t, "unsupported=", 12) && t[12]) {
			free(s->unsupported);
			s->unsupported = xstrdup(t + 12);
		} else if (!strcmp(t, "unreachable")) {
			s->unreachable = true;
		} else {
			rc = err_set(e, -EINVAL, "null: unknown option '%s' (delay=D, fail=NAME, "
				     "unsupported=NAME, unreachable)", t);
		}
	}
	free(dup);
	if (rc) {
		free(s->fail);
		free(s->unsupported);
	}
	return rc;
}

static int null_check(const char *arg, struct err *e)
{
	struct null_state s;
	int rc = parse(arg, &s, e);

	if (!rc) {
		free(s.fail);
		free(s.unsupported);
	}
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
		free(s->unsupported);
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

/* The synthetic record of micro name (unsupported when s says so, the
 * reason written to why, which r borrows). */
static void null_micro(const struct null_state *s, const char *name, double jitter,
		       struct record *r, char why[128])
{
	double med = 100.0 * name_scale(name) * jitter;

	r->kind = "micro";
	r->benchmark = (char *)name;
	r->unit = "ns/op";
	r->higher_is_better = 0;
	r->repetitions = 5;
	r->ops = 1000;
	if (s->unsupported && !strcmp(s->unsupported, name)) {
		r->status = "unsupported";
		snprintf(why, 128, "not supported in this environment (null:unsupported=%.60s)", name);
		r->error = why;
		return;
	}
	r->min = med * 0.98;
	r->median = med;
	r->max = med * 1.03;
	r->status = "ok";
}

/* The synthetic record of an external command: its wall time is the metric. */
static void null_cmd(const char *cmd, double jitter, struct record *r)
{
	double m = round(10.0 * name_scale(cmd) * jitter * 1e6) / 1e6;

	r->kind = "cmd";
	r->benchmark = (char *)cmd;
	r->iteration = r->copies = 1;
	r->wall_s = r->user_s = r->metric = m;
	r->sys_s = 0;
	r->metric_name = "wall_s";
	r->higher_is_better = 0;
	r->exit_status = 0;
	r->status = "ok";
}

/* The synthetic record of CPU kernel name; a checksum mismatch when s->fail names it. */
static bool null_cpu(const struct null_state *s, const char *name, const char *size,
		     double jitter, struct record *r)
{
	double wall = 0.1 * name_scale(name) * jitter;
	bool bad = s->fail && !strcmp(s->fail, name);

	r->kind = "cpu";
	r->benchmark = (char *)name;
	r->size = (char *)(size ? size : "test");
	r->iteration = r->copies = 1;
	r->wall_s = r->user_s = wall;
	r->sys_s = 0.001;
	r->ratio = 1.0 / wall;
	r->checksum_ok = !bad;
	r->checksum = bad ? "0xdeadbeef" : "0x00c0ffee";
	r->status = bad ? "checksum-mismatch" : "ok";
	if (bad)
		r->error = "checksum 0xdeadbeef, expected 0x00c0ffee";
	return bad;
}

/* The synthetic record of a jbb run (options args[1..]): invalid when
 * s->fail is "jbb". */
static bool null_jbb(const struct null_state *s, char *const args[], double jitter,
		     struct record *r)
{
	bool bad = s->fail && !strcmp(s->fail, "jbb");
	const char *mode = opt(args, "--mode");
	bool critical = mode && !strcmp(mode, "critical");

	r->kind = "jbb";
	r->benchmark = "jbb";
	r->wall_s = r->user_s = 0.1 * jitter;
	r->sys_s = 0.001;
	r->metric = bad ? NAN : round(10000.0 * jitter);
	r->metric_name = critical ? "critical-jOPS" : "bops";
	r->unit = critical ? "jOPS" : "bops";
	r->higher_is_better = 1;
	r->checksum_ok = !bad;
	r->status = bad ? "invalid" : "ok";
	if (bad)
		r->error = "1 warehouses: warehouse 1: invariant violated: synthetic (null:fail=jbb)";
	record_add_raw(r, "valid", bad ? "false" : "true");
	return bad;
}

/* The counts of a --trace list: every item unsupported. */
static char *null_counts(const char *list)
{
	struct sbuf o = SBUF_INIT;
	const char *p = list;

	sbuf_putc(&o, '{');
	while (*p) {
		size_t n = strcspn(p, ",");

		if (p != list)
			sbuf_putc(&o, ',');
		json_put_strn(&o, p, n);
		sbuf_puts(&o, ":{\"status\":\"unsupported\",\"reason\":\"the null environment runs "
			      "nothing and counts nothing\"}");
		p += n + (p[n] == ',');
	}
	sbuf_putc(&o, '}');
	return sbuf_take(&o);
}

static int null_exec(struct env *v, char *const args[], uint64_t timeout_ms, struct sbuf *out,
		     struct sbuf *errout, int *status, struct err *e)
{
	const char *trace = opt(args, "--trace");
	char *counts = NULL;
	struct null_state *s = v->priv;
	const char *cmd = opt(args, "--cmd");
	double jitter = 1.0 + 0.01 * (double)(s->calls++ % 5);
	struct record r;
	char why[128];

	sleep_ns(s->delay_ns);
	*status = 0;
	record_init(&r);
	if (!strcmp(args[0], "micro"))
		null_micro(s, args[1], jitter, &r, why);
	else if (!strcmp(args[0], "jbb"))
		*status = null_jbb(s, args, jitter, &r);
	else if (cmd)
		null_cmd(cmd, jitter, &r);
	else if (null_cpu(s, args[2], opt(args, "--size"), jitter, &r))
		*status = 1;
	if (trace)
		r.counts = counts = null_counts(trace);
	record_to_json(&r, out);
	record_free_extras(&r);
	free(counts);
	return 0;
}

static void null_close(struct env *v)
{
	struct null_state *s = v->priv;

	if (s) {
		free(s->fail);
		free(s->unsupported);
	}
	free(s);
	v->priv = NULL;
}

const struct env_ops env_null_ops = {
	"null", "null[:delay=D,fail=NAME,unsupported=NAME,unreachable]", null_check, null_open, null_exec, null_close,
};
