/* Experiment file loader: one table of keys, types and checks. */
#include "run/experiment.h"
#include "base/fileio.h"
#include "base/opt.h"
#include "base/sbuf.h"
#include "bench/jbb_args.h"
#include "bench/micro.h"
#include "bench/suite.h"
#include "measure/perfev.h"
#include "run/env.h"
#include "testbed/testbed.h"
#include "xen/cpulist.h"
#include "xen/xlcfg.h"
#include "xen/xtmeta.h"

#include <errno.h>
#include <libgen.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The keys: their types, defaults and ranges, checked by base/opt's value
 * checker. OPT_LIST keys take a list of strings, OPT_LONG a number, the
 * others a string. */
static const char *const sizes[] = { "test", "train", "ref", NULL };

static const struct opt keys[] = {
	{ "name", 0, OPT_STRING },
	{ "benchmarks", 0, OPT_LIST },
	{ "micro", 0, OPT_LIST },
	{ "cmds", 0, OPT_LIST },
	{ "jbb", 0, OPT_LIST },
	{ "environments", 0, OPT_LIST },
	{ "size", 0, OPT_ENUM, .def = "test", .words = sizes },
	{ "iterations", 0, OPT_LONG, .def = "3", .min = 1, .max = 10000 },
	{ "warmup", 0, OPT_LONG, .def = "1", .min = 0, .max = 100 },
	{ "results", 0, OPT_STRING },
	{ "timeout", 0, OPT_DURATION, .def = "30m", .min = 1e6, .max = OPT_NOMAX },
	{ "connect_timeout", 0, OPT_LONG, .def = "10", .min = 1, .max = 3600 },
	{ "ssh_options", 0, OPT_LIST },
	{ "guest_memory", 0, OPT_LONG, .min = 32, .max = 65536 },
	{ "pin", 0, OPT_STRING },
	{ "tsc_mode", 0, OPT_STRING },
	{ "vcpus", 0, OPT_LONG, .min = 1, .max = 128 },
	{ "cpus", 0, OPT_STRING },
	{ "cpus_soft", 0, OPT_STRING },
	{ "weight", 0, OPT_LONG, .min = 1, .max = 65535 },
	{ "cap", 0, OPT_LONG, .min = 0, .max = 12800 },
	{ "pool", 0, OPT_STRING },
	{ "guest_address", 0, OPT_STRING },
	{ "trace", 0, OPT_LIST },
	{ "xentrace", 0, OPT_STRING },
	{ 0 },
};

static const struct opt *key_opt(const char *k)
{
	for (const struct opt *o = keys; o->name; o++)
		if (!strcmp(o->name, k))
			return o;
	return NULL;
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

/* Number key into *out: its table default when absent, else checked
 * against the table's range. */
static int get_long(const struct xlcfg *c, const char *key, long *out, struct err *e)
{
	const struct xlcfg_value *v = xlcfg_get(c, key);
	const struct opt *o = key_opt(key);
	struct err sub = { 0, "" };
	long long d = 0;
	int rc;

	if (!v) {
		if (o->def && opt_value(o, o->def, &d, &sub))
			return err_set(e, -EINVAL, "%s: default: %s", key, sub.msg);
		*out = (long)d;
		return 0;
	}
	if (v->kind != XLCFG_NUMBER)
		return at_value(c, key, e, "expected a number");
	rc = xlcfg_get_long(c, key, out, e);
	if (rc)
		return rc;
	if (opt_check_range(o, (double)*out, &sub))
		return at_value(c, key, e, "expected a number from %.0f to %.0f", o->min, o->max);
	return 0;
}

/* String key of an enum or a duration into field: its table default
 * when absent, else parsed and checked by the table's type. */
static int get_typed(const struct xlcfg *c, const char *key, void *field, struct err *e)
{
	const struct xlcfg_value *v = xlcfg_get(c, key);
	const struct opt *o = key_opt(key);
	struct err sub = { 0, "" };
	struct sbuf w = SBUF_INIT;
	const char *s = o->def;
	int rc;

	if (v && v->kind != XLCFG_STRING)
		return at_value(c, key, e, "expected a string");
	if (v && (rc = xlcfg_get_string(c, key, &s, e)))
		return rc;
	if (!opt_value(o, s, field, &sub))
		return 0;
	if (o->type != OPT_ENUM)
		return at_value(c, key, e, "expected a duration such as \"30m\" or \"90s\", not '%s'",
				s);
	for (int k = 0; o->words[k]; k++)
		sbuf_printf(&w, "%s\"%s\"", !k ? "" : o->words[k + 1] ? ", " : " or ", o->words[k]);
	rc = at_value(c, key, e, "expected %s, not '%s'", sbuf_str(&w), s);
	sbuf_free(&w);
	return rc;
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

/* Each jbb item is a valid set of vmlab jbb options; the error is at the
 * item. */
static int check_jbb(const struct xlcfg *c, const struct experiment *x, struct err *e)
{
	const struct xlcfg_value *l = xlcfg_get(c, "jbb");

	for (size_t i = 0; i < x->njbb; i++) {
		struct err ee = { 0, "" };
		if (jbb_args_check_item(x->jbb[i], &ee))
			return err_at(e, -EINVAL, xlcfg_name(c), l->items[i]->line, l->items[i]->col,
				      "jbb: '%s': %s", x->jbb[i], ee.msg);
	}
	return 0;
}

/* trace = [ ... ]: each item an event or glob as vmlab trace -e takes
 * them (whether this kernel has it is each environment's business: the
 * runs record an event it lacks as unsupported). */
static int check_trace(const struct xlcfg *c, char **names, size_t n, struct err *e)
{
	const struct xlcfg_value *l = xlcfg_get(c, "trace");

	for (size_t i = 0; i < n; i++) {
		struct perfev_spec s = { 0 };
		struct err ee = { 0, "" };
		int rc = perfev_spec_add(&s, names[i], strlen(names[i]), &ee);

		perfev_spec_free(&s);
		if (rc < 0 || strchr(names[i], ','))
			return err_at(e, -EINVAL, xlcfg_name(c), l->items[i]->line, l->items[i]->col,
				      "trace: '%s': %s", names[i],
				      rc < 0 ? ee.msg : "one event or glob per item");
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

/* The guest shape keys: vcpus, cpus, cpus_soft (CPULISTs), weight, cap,
 * pool (a name), guest_address (an IPv4 address). */
static int get_shape(const struct xlcfg *c, struct experiment *x, struct err *e)
{
	static const char *const strs[] = { "cpus", "cpus_soft", "pool", "guest_address" };
	char **dst[] = { &x->cpus, &x->cpus_soft, &x->pool, &x->guest_address };
	int rc;

	if ((rc = get_long(c, "vcpus", &x->vcpus, e)) || (rc = get_long(c, "weight", &x->weight, e)) ||
	    (rc = get_long(c, "cap", &x->cap, e)))
		return rc;
	if (!xlcfg_get(c, "cap"))
		x->cap = -1;
	for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++) {
		const char *s = NULL;
		struct cpulist l = { 0 };
		struct err ee = { 0, "" };
		int col = 0;

		if ((rc = get_str(c, strs[k], &s, e)))
			return rc;
		if (!s)
			continue;
		if (k < 2 && cpulist_parse(s, &l, &col, &ee) < 0)
			return at_value(c, strs[k], e, "%s", ee.msg);
		cpulist_free(&l);
		if (k == 2 && (!s[0] || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") !=
				strlen(s)))
			return at_value(c, strs[k], e, "a cpupool name of letters, digits, -, _ and ., not '%s'", s);
		if (k == 3 && (strlen(s) > 15 || strspn(s, "0123456789.") != strlen(s) || strlen(s) < 7))
			return at_value(c, strs[k], e, "an IPv4 address such as \"10.0.0.50\", not '%s'", s);
		*dst[k] = xstrdup(s);
	}
	return 0;
}

static char *default_name(const char *file)
{
	const char *b = strrchr(file, '/');
	const char *dot;

	b = b ? b + 1 : file;
	dot = strrchr(b, '.');
	return dot && dot != b ? xstrndup(b, (size_t)(dot - b)) : xstrdup(b);
}

/* Every key is in the table and of its kind (list, number, string). */
static int check_kinds(const struct xlcfg *c, struct err *e)
{
	const char *file = xlcfg_name(c);

	for (size_t i = 0; i < xlcfg_nkeys(c); i++) {
		const char *k = xlcfg_key(c, i);
		const struct opt *o = key_opt(k);
		const struct xlcfg_value *v = xlcfg_get(c, k);

		if (!o) {
			struct sbuf known = SBUF_INIT;
			int rc;

			for (const struct opt *p = keys; p->name; p++)
				sbuf_printf(&known, "%s%s", p == keys ? "" : ", ", p->name);
			rc = err_at(e, -EINVAL, file, xlcfg_line(c, k), 1, "unknown key '%s' (known: %s)",
				    k, sbuf_str(&known));
			sbuf_free(&known);
			return rc;
		}
		if (o->type == OPT_LIST && v->kind != XLCFG_LIST)
			return err_at(e, -EINVAL, file, v->line, v->col,
				      "%s: expected a list [ \"...\", ... ]", k);
		if (o->type != OPT_LIST && v->kind == XLCFG_LIST)
			return err_at(e, -EINVAL, file, v->line, v->col, "%s: expected a %s, not a "
				      "list", k, o->type == OPT_LONG ? "number" : "string");
	}
	return 0;
}

static int check_all(const struct xlcfg *c, struct experiment *x, struct err *e)
{
	const char *file = xlcfg_name(c), *s;
	int rc, size;
	long ct;
	uint64_t ns;

	if ((rc = check_kinds(c, e)))
		return rc;
	s = NULL;
	if ((rc = get_str(c, "name", &s, e)))
		return rc;
	if (s && !s[0])
		return at_value(c, "name", e, "must not be empty");
	x->name = s ? xstrdup(s) : default_name(file);
	if ((rc = get_names(c, "benchmarks", true, &x->benchmarks, &x->nbenchmarks, e)) ||
	    (rc = get_names(c, "micro", true, &x->micro, &x->nmicro, e)) ||
	    (rc = get_names(c, "cmds", true, &x->cmds, &x->ncmds, e)) ||
	    (rc = get_names(c, "jbb", true, &x->jbb, &x->njbb, e)) ||
	    (rc = get_names(c, "environments", true, &x->envs, &x->nenvs, e)) ||
	    (rc = get_names(c, "ssh_options", false, &x->ssh_options, &x->nssh_options, e)) ||
	    (rc = get_names(c, "trace", true, &x->trace, &x->ntrace, e)) ||
	    (rc = check_trace(c, x->trace, x->ntrace, e)))
		return rc;
	if ((rc = check_registry(c, "benchmarks", x->benchmarks, x->nbenchmarks, false, e)) ||
	    (rc = check_registry(c, "micro", x->micro, x->nmicro, true, e)) ||
	    (rc = check_jbb(c, x, e)))
		return rc;
	if (!x->nbenchmarks && !x->nmicro && !x->ncmds && !x->njbb)
		return err_at(e, -EINVAL, file, 1, 1, "nothing to run: set benchmarks, micro, cmds or jbb");
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
	if ((rc = get_typed(c, "size", &size, e)))
		return rc;
	x->size = xstrdup(sizes[size]);
	s = NULL;
	if ((rc = get_str(c, "pin", &s, e)))
		return rc;
	if (s) {
		if ((rc = check_pin(c, s, x, e)))
			return rc;
		x->pin = xstrdup(s);
	}
	if ((rc = get_long(c, "iterations", &x->iterations, e)) ||
	    (rc = get_long(c, "warmup", &x->warmup, e)) ||
	    (rc = get_long(c, "connect_timeout", &ct, e)) ||
	    (rc = get_long(c, "guest_memory", &x->guest_memory_mb, e)))
		return rc;
	x->connect_timeout_ms = (uint64_t)ct * 1000;
	if ((rc = get_shape(c, x, e)))
		return rc;
	s = NULL;
	if ((rc = get_str(c, "tsc_mode", &s, e)))
		return rc;
	if (s && !tb_tsc_mode_valid(s))
		return at_value(c, "tsc_mode", e, "expected \"native\", \"default\", \"always_emulate\" "
				"or \"native_paravirt\", not '%s'", s);
	x->tsc_mode = s ? xstrdup(s) : NULL;
	s = NULL;
	if ((rc = get_str(c, "xentrace", &s, e)))
		return rc;
	if (s) {
		struct err me = { 0, "" };
		if (xt_mask_parse(s, &x->xentrace_mask, &me))
			return at_value(c, "xentrace", e, "%s", me.msg);
		x->xentrace = xstrdup(s);
	}
	if ((rc = get_typed(c, "timeout", &ns, e)))
		return rc;
	x->timeout_ms = ns / 1000000;
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
	free_list(x->jbb, x->njbb);
	free_list(x->envs, x->nenvs);
	free_list(x->ssh_options, x->nssh_options);
	free_list(x->trace, x->ntrace);
	free(x->size);
	free(x->pin);
	free(x->tsc_mode);
	free(x->xentrace);
	free(x->cpus);
	free(x->cpus_soft);
	free(x->pool);
	free(x->guest_address);
	free(x->results);
	memset(x, 0, sizeof(*x));
}
