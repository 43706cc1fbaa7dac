/* Experiment file loader: one table of keys, types and checks. */
#include "run/experiment.h"
#include "base/fileio.h"
#include "base/sbuf.h"
#include "base/units.h"
#include "bench/micro.h"
#include "bench/suite.h"
#include "run/env.h"
#include "testbed/testbed.h"
#include "xen/cpulist.h"
#include "xen/xlcfg.h"

#include <errno.h>
#include <libgen.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum key_type { K_STRING, K_LONG, K_LIST };

static const struct {
	const char *key;

	enum key_type type;
} keys[] = {
	{ "name", K_STRING },         { "benchmarks", K_LIST }, { "micro", K_LIST },
	{ "cmds", K_LIST },           { "environments", K_LIST }, { "size", K_STRING },
	{ "iterations", K_LONG },     { "warmup", K_LONG },       { "results", K_STRING },
	{ "timeout", K_STRING },      { "connect_timeout", K_LONG }, { "ssh_options", K_LIST },
	{ "guest_memory", K_LONG },   { "pin", K_STRING },         { "tsc_mode", K_STRING },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static int key_index(const char *k)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].key, k))
			return (int)i;
	return -1;
}

/* A list of non-empty strings without control characters into *out. */
static int get_names(const struct xlcfg *c, const char *key, bool unique, char ***out, size_t *n,
		     struct err *e)
{
	const struct xlcfg_value *l;
	int rc = xlcfg_get_list(c, key, &l, e);

	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	*out = xcalloc(l->nitems + 1, sizeof(**out));
	for (size_t i = 0; i < l->nitems; i++) {
		const struct xlcfg_value *v = l->items[i];
		if (v->kind != XLCFG_STRING)
			return err_at(e, -EINVAL, xlcfg_name(c), v->line, v->col,
				      "%s: each item must be a string", key);
		if (!v->str[0])
			return err_at(e, -EINVAL, xlcfg_name(c), v->line, v->col,
				      "%s: empty item", key);
		for (const char *p = v->str; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return err_at(e, -EINVAL, xlcfg_name(c), v->line, v->col,
					      "%s: control character in a name", key);
		for (size_t j = 0; unique && j < i; j++)
			if (!strcmp((*out)[j], v->str))
				return err_at(e, -EINVAL, xlcfg_name(c), v->line, v->col,
					      "%s: '%s' is listed twice", key, v->str);
		(*out)[(*n)++] = xstrdup(v->str);
	}
	return 0;
}

static int at_value(const struct xlcfg *c, const char *key, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* An error at key's value (or its line when absent). */
static int at_value(const struct xlcfg *c, const char *key, struct err *e, const char *fmt, ...)
{
	const struct xlcfg_value *v = xlcfg_get(c, key);
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_at(e, -EINVAL, xlcfg_name(c), v ? v->line : xlcfg_line(c, key), v ? v->col : 1,
		      "%s: %s", key, msg);
}

static int get_long(const struct xlcfg *c, const char *key, long lo, long hi, long *out,
		    struct err *e)
{
	const struct xlcfg_value *v = xlcfg_get(c, key);
	int rc;

	if (!v)
		return 0;
	if (v->kind != XLCFG_NUMBER)
		return at_value(c, key, e, "expected a number");
	rc = xlcfg_get_long(c, key, out, e);
	if (rc)
		return rc;
	if (*out < lo || *out > hi) {
		return at_value(c, key, e, "expected a number from %ld to %ld", lo, hi);
	}
	return 0;
}

static int get_str(const struct xlcfg *c, const char *key, const char **out, struct err *e)
{
	const struct xlcfg_value *v = xlcfg_get(c, key);

	if (!v)
		return 0;
	if (v->kind != XLCFG_STRING)
		return at_value(c, key, e, "expected a string");
	return xlcfg_get_string(c, key, out, e);
}

/* Each name of key must be in the kernel (micro false) or microbenchmark
 * registry: the error is at the first unknown item and lists the known. */
static int check_registry(const struct xlcfg *c, const char *key, char **names, size_t n,
			  bool micro, struct err *e)
{
	const struct xlcfg_value *l = xlcfg_get(c, key);

	for (size_t i = 0; i < n; i++) {
		struct sbuf known = SBUF_INIT;
		int rc;
		if (micro ? micro_find(names[i]) != NULL : bench_find(names[i]) != NULL)
			continue;
		for (size_t k = 0; micro ? micro_suite[k] != NULL : bench_suite[k] != NULL; k++)
			sbuf_printf(&known, "%s%s", k ? ", " : "",
				    micro ? micro_suite[k]->name : bench_suite[k]->name);
		rc = err_at(e, -EINVAL, xlcfg_name(c), l->items[i]->line, l->items[i]->col,
			    "%s: unknown %s '%s' (known: %s)", key,
			    micro ? "microbenchmark" : "kernel", names[i], sbuf_str(&known));
		sbuf_free(&known);
		return rc;
	}
	return 0;
}

/* pin = "CPUS": xl CPULIST syntax, CPUs below CPU_SETSIZE (what vmlab cpu
 * run --pin takes anywhere), and present where each environment's CPUs are
 * known before running (env_check_cpus). */
static int check_pin(const struct xlcfg *c, const char *s, const struct experiment *x,
		     struct err *e)
{
	struct cpulist l = { 0 };
	struct err ee = { 0, "" };
	bool set[CPU_SETSIZE];
	int col = 0, rc = 0;
	long max;

	if (cpulist_parse(s, &l, &col, &ee) < 0)
		return at_value(c, "pin", e, "%s", ee.msg);
	max = cpulist_max(&l, false);
	memset(set, 0, sizeof(set));
	if (max < CPU_SETSIZE)
		cpulist_apply(&l, CPU_SETSIZE, NULL, set);
	cpulist_free(&l);
	if (max >= CPU_SETSIZE)
		return at_value(c, "pin", e, "CPU %ld is beyond %d, the highest vmlab can bind to",
				max, CPU_SETSIZE - 1);
	for (size_t i = 0; i < x->nenvs && !rc; i++)
		if (env_check_cpus(x->envs[i], set, max < 0 ? 0 : (int)max + 1, &ee))
			rc = at_value(c, "pin", e, "%s", ee.msg);
	return rc;
}

static char *default_name(const char *file)
{
	const char *b = strrchr(file, '/');
	const char *dot;

	b = b ? b + 1 : file;
	dot = strrchr(b, '.');
	return dot && dot != b ? xstrndup(b, (size_t)(dot - b)) : xstrdup(b);
}

static int check_all(const struct xlcfg *c, struct experiment *x, struct err *e)
{
	const char *file = xlcfg_name(c), *s;
	int rc;

	for (size_t i = 0; i < xlcfg_nkeys(c); i++) {
		const char *k = xlcfg_key(c, i);
		int ki = key_index(k);
		const struct xlcfg_value *v = xlcfg_get(c, k);
		if (ki < 0)
			return err_at(e, -EINVAL, file, xlcfg_line(c, k), 1,
				      "unknown key '%s' (known: name, benchmarks, micro, cmds, "
				      "environments, size, iterations, warmup, results, timeout, "
				      "connect_timeout, ssh_options, guest_memory, pin, tsc_mode)", k);
		if (keys[ki].type == K_LIST && v->kind != XLCFG_LIST)
			return err_at(e, -EINVAL, file, v->line, v->col,
				      "%s: expected a list [ \"...\", ... ]", k);
		if (keys[ki].type != K_LIST && v->kind == XLCFG_LIST)
			return err_at(e, -EINVAL, file, v->line, v->col, "%s: expected a %s, not a "
				      "list", k, keys[ki].type == K_LONG ? "number" : "string");
	}
	s = NULL;
	if ((rc = get_str(c, "name", &s, e)))
		return rc;
	if (s && !s[0])
		return at_value(c, "name", e, "must not be empty");
	x->name = s ? xstrdup(s) : default_name(file);
	if ((rc = get_names(c, "benchmarks", true, &x->benchmarks, &x->nbenchmarks, e)) ||
	    (rc = get_names(c, "micro", true, &x->micro, &x->nmicro, e)) ||
	    (rc = get_names(c, "cmds", true, &x->cmds, &x->ncmds, e)) ||
	    (rc = get_names(c, "environments", true, &x->envs, &x->nenvs, e)) ||
	    (rc = get_names(c, "ssh_options", false, &x->ssh_options, &x->nssh_options, e)))
		return rc;
	if ((rc = check_registry(c, "benchmarks", x->benchmarks, x->nbenchmarks, false, e)) ||
	    (rc = check_registry(c, "micro", x->micro, x->nmicro, true, e)))
		return rc;
	if (!x->nbenchmarks && !x->nmicro && !x->ncmds)
		return err_at(e, -EINVAL, file, 1, 1, "nothing to run: set benchmarks, micro or cmds");
	if (!x->nenvs)
		return err_at(e, -EINVAL, file, xlcfg_line(c, "environments") ?
			      xlcfg_line(c, "environments") : 1, 1,
			      "environments: at least one environment is needed");
	{
		const struct xlcfg_value *l = xlcfg_get(c, "environments");
		for (size_t i = 0; i < x->nenvs; i++) {
			struct err ee = { 0, "" };
			if (env_check(x->envs[i], &ee))
				return err_at(e, -EINVAL, file, l->items[i]->line, l->items[i]->col,
					      "%s", ee.msg);
		}
	}
	s = NULL;
	if ((rc = get_str(c, "size", &s, e)))
		return rc;
	if (s && strcmp(s, "test") && strcmp(s, "train") && strcmp(s, "ref"))
		return at_value(c, "size", e, "expected \"test\", \"train\" or \"ref\", not '%s'",
				s);
	x->size = xstrdup(s ? s : "test");
	s = NULL;
	if ((rc = get_str(c, "pin", &s, e)))
		return rc;
	if (s) {
		if ((rc = check_pin(c, s, x, e)))
			return rc;
		x->pin = xstrdup(s);
	}
	x->iterations = 3;
	x->warmup = 1;
	if ((rc = get_long(c, "iterations", 1, 10000, &x->iterations, e)) ||
	    (rc = get_long(c, "warmup", 0, 100, &x->warmup, e)))
		return rc;
	{
		long ct = 10;
		if ((rc = get_long(c, "connect_timeout", 1, 3600, &ct, e)))
			return rc;
		x->connect_timeout_ms = (uint64_t)ct * 1000;
	}
	if ((rc = get_long(c, "guest_memory", 32, 65536, &x->guest_memory_mb, e)))
		return rc;
	s = NULL;
	if ((rc = get_str(c, "tsc_mode", &s, e)))
		return rc;
	if (s && !tb_tsc_mode_valid(s))
		return at_value(c, "tsc_mode", e, "expected \"native\", \"default\", \"always_emulate\" "
				"or \"native_paravirt\", not '%s'", s);
	x->tsc_mode = s ? xstrdup(s) : NULL;
	s = NULL;
	if ((rc = get_str(c, "timeout", &s, e)))
		return rc;
	x->timeout_ms = 30ULL * 60 * 1000;
	if (s) {
		uint64_t ns;
		if (units_parse_duration(s, &ns) || ns < 1000000)
			return at_value(c, "timeout", e, "expected a duration such as \"30m\" "
					"or \"90s\", not '%s'", s);
		x->timeout_ms = ns / 1000000;
	}
	s = NULL;
	if ((rc = get_str(c, "results", &s, e)))
		return rc;
	if (s && !s[0])
		return at_value(c, "results", e, "must not be empty");
	{
		struct sbuf p = SBUF_INIT;
		char *dup = xstrdup(file), *dir = dirname(dup);
		if (s && s[0] == '/')
			sbuf_puts(&p, s);
		else if (s)
			sbuf_printf(&p, "%s/%s", dir, s);
		else
			sbuf_printf(&p, "%s/results/%s.jsonl", dir, x->name);
		free(dup);
		x->results = sbuf_take(&p);
	}
	return 0;
}

int experiment_parse(const char *file, const char *text, size_t len, struct experiment *x,
		     struct err *e)
{
	struct xlcfg *c = NULL;
	int rc;

	memset(x, 0, sizeof(*x));
	rc = xlcfg_parse(file, text, len, &c, e);
	if (rc)
		return rc == -ENOENT ? -EINVAL : rc;
	rc = check_all(c, x, e);
	xlcfg_free(c);
	if (rc) {
		experiment_free(x);
		return rc == -ENOENT ? -EINVAL : rc;
	}
	return 0;
}

int experiment_load(const char *path, struct experiment *x, struct err *e)
{
	struct sbuf text = SBUF_INIT;
	int rc;

	memset(x, 0, sizeof(*x));
	rc = file_read(path, &text, e);
	if (!rc)
		rc = experiment_parse(path, sbuf_str(&text), text.len, x, e);
	sbuf_free(&text);
	return rc;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void experiment_free(struct experiment *x)
{
	free(x->name);
	free_list(x->benchmarks, x->nbenchmarks);
	free_list(x->micro, x->nmicro);
	free_list(x->cmds, x->ncmds);
	free_list(x->envs, x->nenvs);
	free_list(x->ssh_options, x->nssh_options);
	free(x->size);
	free(x->pin);
	free(x->tsc_mode);
	free(x->results);
	memset(x, 0, sizeof(*x));
}
