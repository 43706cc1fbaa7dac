/* The one record: writer and reader of its JSON, in a benchmark's, the
 * store's and the web records' field order. */
#include "run/record.h"
#include "base/json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void record_init(struct record *r)
{
	memset(r, 0, sizeof(*r));
	r->wall_s = r->user_s = r->sys_s = r->ratio = r->metric = NAN;
	r->min = r->median = r->max = NAN;
	r->iteration = r->copies = r->repetitions = -1;
	r->checksum_ok = r->higher_is_better = -1;
	r->exit_status = -1;
	r->value = NAN;
}

void record_add_raw(struct record *r, const char *key, const char *json)
{
	r->extras = xrealloc(r->extras, (r->nextras + 1) * sizeof(*r->extras));
	r->extras[r->nextras].key = xstrdup(key);
	r->extras[r->nextras].json = xstrdup(json);
	r->nextras++;
}

void record_add_fmt(struct record *r, const char *key, const char *fmt, ...)
{
	struct sbuf v = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vprintf(&v, fmt, ap);
	va_end(ap);
	record_add_raw(r, key, sbuf_str(&v));
	sbuf_free(&v);
}

const char *record_extra_json(const struct record *r, const char *key)
{
	for (size_t k = 0; k < r->nextras; k++)
		if (!strcmp(r->extras[k].key, key))
			return r->extras[k].json;
	return NULL;
}

void record_add_num(struct record *r, const char *key, double v)
{
	struct sbuf t = SBUF_INIT;

	json_put_num(&t, v);
	record_add_raw(r, key, sbuf_str(&t));
	sbuf_free(&t);
}

void record_add_str(struct record *r, const char *key, const char *s)
{
	struct sbuf t = SBUF_INIT;

	json_put_str(&t, s);
	record_add_raw(r, key, sbuf_str(&t));
	sbuf_free(&t);
}

static void put_str(struct sbuf *o, const char *key, const char *v)
{
	sbuf_printf(o, ",\"%s\":", key);
	json_put_str(o, v ? v : "");
}

/* A fixed-point number (NaN and infinities become null). */
static void put_fixed(struct sbuf *o, const char *key, double v, int prec)
{
	sbuf_printf(o, ",\"%s\":", key);
	if (isfinite(v))
		sbuf_printf(o, "%.*f", prec, v);
	else
		sbuf_puts(o, "null");
}

static void put_bool(struct sbuf *o, const char *key, int v)
{
	sbuf_printf(o, ",\"%s\":%s", key, v > 0 ? "true" : "false");
}

static void put_times(const struct record *r, struct sbuf *o)
{
	sbuf_printf(o, ",\"iteration\":%ld,\"copies\":%ld", r->iteration, r->copies);
	if (r->pin)
		put_str(o, "pin", r->pin);
	put_fixed(o, "wall_s", r->wall_s, 6);
	put_fixed(o, "user_s", r->user_s, 6);
	put_fixed(o, "sys_s", r->sys_s, 6);
}

/* A benchmark's own record. */
static void bench_to_json(const struct record *r, struct sbuf *o)
{
	const char *k = r->kind ? r->kind : "";

	sbuf_puts(o, "{\"kind\":");
	json_put_str(o, k);
	put_str(o, "benchmark", r->benchmark);
	if (!strcmp(k, "micro")) {
		put_str(o, "unit", r->unit);
		put_bool(o, "higher_is_better", r->higher_is_better);
		put_fixed(o, "min", r->min, 3);
		put_fixed(o, "median", r->median, 3);
		put_fixed(o, "max", r->max, 3);
		sbuf_printf(o, ",\"repetitions\":%ld,\"ops\":%llu", r->repetitions, r->ops);
	} else if (!strcmp(k, "cmd")) {
		put_times(r, o);
		sbuf_puts(o, ",\"metric\":");
		json_put_num(o, r->metric);
		put_str(o, "metric_name", r->metric_name);
		put_bool(o, "higher_is_better", r->higher_is_better);
		sbuf_printf(o, ",\"exit_status\":%d", r->exit_status);
	} else if (!strcmp(k, "jbb")) {
		put_fixed(o, "wall_s", r->wall_s, 6);
		put_fixed(o, "user_s", r->user_s, 6);
		put_fixed(o, "sys_s", r->sys_s, 6);
		sbuf_puts(o, ",\"metric\":");
		json_put_num(o, r->metric);
		put_str(o, "metric_name", r->metric_name);
		put_str(o, "unit", r->unit);
		put_bool(o, "higher_is_better", r->higher_is_better);
		if (r->checksum_ok >= 0)
			put_bool(o, "checksum_ok", r->checksum_ok);
	} else {
		put_str(o, "size", r->size);
		put_times(r, o);
		put_fixed(o, "ratio", r->ratio, 4);
		put_bool(o, "checksum_ok", r->checksum_ok);
		put_str(o, "checksum", r->checksum);
	}
	if (r->counts) {
		sbuf_puts(o, ",\"counts\":");
		sbuf_puts(o, r->counts);
	}
	put_str(o, "status", r->status);
	if (r->error)
		put_str(o, "error", r->error);
	for (size_t x = 0; !strcmp(k, "jbb") && x < r->nextras; x++) {
		sbuf_printf(o, ",\"%s\":", r->extras[x].key);
		sbuf_puts(o, r->extras[x].json);
	}
	sbuf_puts(o, "}\n");
}

/* ---- the store's form ---- */

static void put_key(struct sbuf *o, bool *first, const char *key)
{
	if (!*first)
		sbuf_putc(o, ',');
	*first = false;
	json_put_str(o, key);
	sbuf_putc(o, ':');
}

static void put_s(struct sbuf *o, bool *first, const char *key, const char *v)
{
	if (!v)
		return;
	put_key(o, first, key);
	json_put_str(o, v);
}

static void put_n(struct sbuf *o, bool *first, const char *key, double v)
{
	if (isnan(v))
		return;
	put_key(o, first, key);
	json_put_num(o, v);
}

static bool is_web(const char *kind)
{
	return kind && !strncmp(kind, "web-", 4);
}

static bool any_fact(const struct host_facts *f)
{
	return f->hostname || f->cpu_model || f->kernel || f->xen_version || f->xen_scheduler ||
	       f->virt_caps || f->xen_cpus || f->xen_cmdline || f->guest_type || f->tsc_mode ||
	       f->concurrent || f->xen_host || f->host_kind || f->shape || f->machine;
}

void host_facts_to_json(const struct host_facts *f, struct sbuf *o)
{
	bool first = true;

	sbuf_putc(o, '{');
	put_s(o, &first, "hostname", f->hostname);
	put_s(o, &first, "cpu_model", f->cpu_model);
	put_s(o, &first, "kernel", f->kernel);
	put_s(o, &first, "xen_version", f->xen_version);
	put_s(o, &first, "xen_scheduler", f->xen_scheduler);
	put_s(o, &first, "virt_caps", f->virt_caps);
	put_s(o, &first, "xen_cpus", f->xen_cpus);
	put_s(o, &first, "xen_cmdline", f->xen_cmdline);
	put_s(o, &first, "guest_type", f->guest_type);
	put_s(o, &first, "tsc_mode", f->tsc_mode);
	put_s(o, &first, "concurrent", f->concurrent);
	put_s(o, &first, "xen_host", f->xen_host);
	put_s(o, &first, "host_kind", f->host_kind);
	put_s(o, &first, "shape", f->shape);
	put_s(o, &first, "machine", f->machine);
	sbuf_putc(o, '}');
}

static void put_facts(const struct record *r, struct sbuf *o, bool *first)
{
	put_key(o, first, "facts");
	host_facts_to_json(&r->facts, o);
}

static void put_iteration(const struct record *r, struct sbuf *o, bool *first)
{
	if (r->iteration >= 0)
		put_n(o, first, "iteration", (double)r->iteration);
}

static void put_checksum(const struct record *r, struct sbuf *o, bool *first)
{
	if (r->checksum_ok >= 0) {
		put_key(o, first, "checksum_ok");
		sbuf_puts(o, r->checksum_ok ? "true" : "false");
	}
	put_s(o, first, "checksum", r->checksum);
}

static void put_times_n(const struct record *r, struct sbuf *o, bool *first)
{
	put_n(o, first, "wall_s", r->wall_s);
	put_n(o, first, "user_s", r->user_s);
	put_n(o, first, "sys_s", r->sys_s);
	put_n(o, first, "ratio", r->ratio);
}

/* value, unit, better, sessions, bound. */
static void put_figure(const struct record *r, struct sbuf *o, bool *first)
{
	put_n(o, first, "value", r->value);
	put_s(o, first, "unit", r->unit);
	put_s(o, first, "better", r->better);
	if (r->sessions)
		put_n(o, first, "sessions", r->sessions);
	put_s(o, first, "bound", r->bound);
}

static void put_extras(const struct record *r, struct sbuf *o, bool *first)
{
	for (size_t k = 0; k < r->nextras; k++) {
		put_key(o, first, r->extras[k].key);
		sbuf_puts(o, r->extras[k].json);
	}
}

/* The store's fields, as record_to_json writes them. */
enum store_field {
	SF_EXPERIMENT, SF_ENVIRONMENT, SF_LABEL, SF_FACTS, SF_ANY_FACTS, SF_BENCHMARK, SF_KIND,
	SF_SIZE, SF_PIN, SF_ITERATION, SF_TIMES, SF_FIGURE, SF_CHECKSUM, SF_STATUS, SF_ERROR,
	SF_VERSION, SF_TIMESTAMP, SF_TIME, SF_EXTRAS,
};

static void put_field(const struct record *r, struct sbuf *o, bool *first, enum store_field f)
{
	switch (f) {
	case SF_EXPERIMENT: put_s(o, first, "experiment", r->experiment); break;
	case SF_ENVIRONMENT: put_s(o, first, "environment", r->environment); break;
	case SF_LABEL: put_s(o, first, "label", r->label); break;
	case SF_FACTS: put_facts(r, o, first); break;
	case SF_ANY_FACTS:
		if (any_fact(&r->facts))
			put_facts(r, o, first);
		break;
	case SF_BENCHMARK: put_s(o, first, "benchmark", r->benchmark); break;
	case SF_KIND: put_s(o, first, "kind", r->kind); break;
	case SF_SIZE: put_s(o, first, "size", r->size); break;
	case SF_PIN: put_s(o, first, "pin", r->pin); break;
	case SF_ITERATION: put_iteration(r, o, first); break;
	case SF_TIMES: put_times_n(r, o, first); break;
	case SF_FIGURE: put_figure(r, o, first); break;
	case SF_CHECKSUM: put_checksum(r, o, first); break;
	case SF_STATUS: put_s(o, first, "status", r->status); break;
	case SF_ERROR: put_s(o, first, "error", r->error); break;
	case SF_VERSION: put_s(o, first, "vmlab_version", r->version); break;
	case SF_TIMESTAMP: put_s(o, first, "timestamp", r->timestamp); break;
	case SF_TIME: put_s(o, first, "time", r->timestamp); break;
	case SF_EXTRAS: put_extras(r, o, first); break;
	}
}

static const enum store_field store_order[] = {
	SF_EXPERIMENT, SF_ENVIRONMENT, SF_LABEL, SF_FACTS, SF_BENCHMARK, SF_KIND, SF_SIZE, SF_PIN,
	SF_ITERATION, SF_TIMES, SF_FIGURE, SF_CHECKSUM, SF_STATUS, SF_ERROR, SF_VERSION,
	SF_TIMESTAMP, SF_EXTRAS,
};

static const enum store_field web_order[] = {
	SF_KIND, SF_TIME, SF_ENVIRONMENT, SF_LABEL, SF_ANY_FACTS, SF_BENCHMARK, SF_ITERATION,
	SF_STATUS, SF_ERROR, SF_FIGURE, SF_EXPERIMENT, SF_SIZE, SF_PIN, SF_TIMES, SF_CHECKSUM,
	SF_VERSION, SF_EXTRAS,
};

static void store_to_json(const struct record *r, const enum store_field *order, size_t n,
			  struct sbuf *o)
{
	bool first = true;

	sbuf_putc(o, '{');
	for (size_t k = 0; k < n; k++)
		put_field(r, o, &first, order[k]);
	sbuf_puts(o, "}\n");
}

void record_to_json(const struct record *r, struct sbuf *o)
{
	if (is_web(r->kind))
		store_to_json(r, web_order, sizeof(web_order) / sizeof(web_order[0]), o);
	else if (r->environment)
		store_to_json(r, store_order, sizeof(store_order) / sizeof(store_order[0]), o);
	else
		bench_to_json(r, o);
}

/* An integer field in [lo, hi], or def when absent or not such a number. */
static long long get_int(const struct json *j, const char *key, double lo, double hi,
			 long long def)
{
	double v = json_num_or_nan(j, key);

	return isfinite(v) && v == floor(v) && v >= lo && v <= hi ? (long long)v : def;
}

static int get_bool(const struct json *j, const char *key)
{
	const struct json *f = json_get(j, key);

	return f && f->type == JSON_BOOL ? f->b : -1;
}

/* The byte offset in text of json_parse's "NAME:LINE:COL: what" (NAME
 * empty); 0 when the message does not name one. */
static size_t error_offset(const char *text, size_t len, const char *msg, const char **what)
{
	int line, col, n = 0;
	size_t off = 0;

	*what = msg;
	if (sscanf(msg, ":%d:%d: %n", &line, &col, &n) != 2 || n <= 0)
		return 0;
	*what = msg + n;
	for (int l = 1; l < line && off < len; off++)
		if (text[off] == '\n')
			l++;
	return off + (size_t)(col - 1);
}

/* A jbb record's fields beyond the common ones (its points, figures and
 * validity) are kept as extras, in order, for the store. */
static void keep_jbb_extras(struct record *r, const struct json *j)
{
	static const char *const common[] = {
		"kind", "benchmark", "wall_s", "user_s", "sys_s", "metric", "metric_name", "unit",
		"higher_is_better", "checksum_ok", "status", "error",
	};

	for (size_t k = 0; k < j->len; k++) {
		struct sbuf v = SBUF_INIT;
		bool skip = false;
		for (size_t c = 0; c < sizeof(common) / sizeof(common[0]) && !skip; c++)
			skip = !strcmp(j->keys[k], common[c]);
		if (skip)
			continue;
		json_put_value(&v, j->items[k]);
		record_add_raw(r, j->keys[k], sbuf_str(&v));
		sbuf_free(&v);
	}
}

static void fill(struct record *r, const struct json *j)
{
	r->kind = json_dup_str(j, "kind");
	r->benchmark = json_dup_str(j, "benchmark");
	r->size = json_dup_str(j, "size");
	r->pin = json_dup_str(j, "pin");
	r->checksum = json_dup_str(j, "checksum");
	r->metric_name = json_dup_str(j, "metric_name");
	r->unit = json_dup_str(j, "unit");
	r->status = json_dup_str(j, "status");
	r->error = json_dup_str(j, "error");
	r->iteration = (long)get_int(j, "iteration", 0, 1e9, -1);
	r->copies = (long)get_int(j, "copies", 0, 1e9, -1);
	r->repetitions = (long)get_int(j, "repetitions", 0, 1e9, -1);
	r->ops = (unsigned long long)get_int(j, "ops", 0, 9e15, 0);
	r->exit_status = (int)get_int(j, "exit_status", -1e9, 1e9, -1);
	r->wall_s = json_num_or_nan(j, "wall_s");
	r->user_s = json_num_or_nan(j, "user_s");
	r->sys_s = json_num_or_nan(j, "sys_s");
	r->ratio = json_num_or_nan(j, "ratio");
	r->metric = json_num_or_nan(j, "metric");
	r->min = json_num_or_nan(j, "min");
	r->median = json_num_or_nan(j, "median");
	r->max = json_num_or_nan(j, "max");
	r->checksum_ok = get_bool(j, "checksum_ok");
	r->higher_is_better = get_bool(j, "higher_is_better");
	if (r->kind && !strcmp(r->kind, "jbb"))
		keep_jbb_extras(r, j);
	const struct json *c = json_get(j, "counts");
	if (c && c->type == JSON_OBJ) {
		struct sbuf v = SBUF_INIT;

		json_put_value(&v, c);
		r->counts = sbuf_take(&v);
	}
}

static void fill_facts(struct host_facts *f, const struct json *j)
{
	if (!j || j->type != JSON_OBJ)
		return;
	f->hostname = json_dup_str(j, "hostname");
	f->cpu_model = json_dup_str(j, "cpu_model");
	f->kernel = json_dup_str(j, "kernel");
	f->xen_version = json_dup_str(j, "xen_version");
	f->xen_scheduler = json_dup_str(j, "xen_scheduler");
	f->virt_caps = json_dup_str(j, "virt_caps");
	f->xen_cpus = json_dup_str(j, "xen_cpus");
	f->xen_cmdline = json_dup_str(j, "xen_cmdline");
	f->guest_type = json_dup_str(j, "guest_type");
	f->tsc_mode = json_dup_str(j, "tsc_mode");
	f->concurrent = json_dup_str(j, "concurrent");
	f->xen_host = json_dup_str(j, "xen_host");
	f->host_kind = json_dup_str(j, "host_kind");
	f->shape = json_dup_str(j, "shape");
	f->machine = json_dup_str(j, "machine");
}

/* The fields of a store record (web: a web record) other than extras. */
static bool store_key(const char *key, bool web)
{
	static const char *const keys[] = {
		"experiment", "environment", "label", "facts", "benchmark", "kind", "size", "pin",
		"iteration", "wall_s", "user_s", "sys_s", "ratio", "value", "unit", "better",
		"sessions", "bound", "checksum_ok", "checksum", "status", "error", "vmlab_version",
	};

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (!strcmp(key, keys[k]))
			return true;
	return !strcmp(key, web ? "time" : "timestamp");
}

static void fill_store(struct record *r, const struct json *j)
{
	bool web = is_web(json_get_str(j, "kind"));

	r->experiment = json_dup_str(j, "experiment");
	r->environment = json_dup_str(j, "environment");
	r->label = json_dup_str(j, "label");
	fill_facts(&r->facts, json_get(j, "facts"));
	r->benchmark = json_dup_str(j, "benchmark");
	r->kind = json_dup_str(j, "kind");
	r->size = json_dup_str(j, "size");
	r->pin = json_dup_str(j, "pin");
	r->iteration = (long)get_int(j, "iteration", 0, 1e9, -1);
	r->wall_s = json_num_or_nan(j, "wall_s");
	r->user_s = json_num_or_nan(j, "user_s");
	r->sys_s = json_num_or_nan(j, "sys_s");
	r->ratio = json_num_or_nan(j, "ratio");
	r->value = json_num_or_nan(j, "value");
	r->unit = json_dup_str(j, "unit");
	r->better = json_dup_str(j, "better");
	r->sessions = (unsigned)get_int(j, "sessions", 1, 1e9, 0);
	r->bound = json_dup_str(j, "bound");
	r->checksum_ok = get_bool(j, "checksum_ok");
	r->checksum = json_dup_str(j, "checksum");
	r->status = json_dup_str(j, "status");
	r->error = json_dup_str(j, "error");
	r->version = json_dup_str(j, "vmlab_version");
	r->timestamp = json_dup_str(j, web ? "time" : "timestamp");
	for (size_t k = 0; k < j->len; k++) {
		struct sbuf v = SBUF_INIT;
		if (store_key(j->keys[k], web))
			continue;
		json_put_value(&v, j->items[k]);
		record_add_raw(r, j->keys[k], sbuf_str(&v));
		sbuf_free(&v);
	}
}

int record_from_json_obj(const struct json *j, struct record *r, struct err *e)
{
	record_init(r);
	if (j->type != JSON_OBJ || (!json_get_str(j, "kind") && !json_get_str(j, "environment")))
		return err_set(e, -EBADMSG, "byte 0: a record must be a JSON object with a string "
			       "\"kind\" or \"environment\"");
	if (json_get_str(j, "environment") || is_web(json_get_str(j, "kind")))
		fill_store(r, j);
	else
		fill(r, j);
	return 0;
}

int record_from_json(const char *text, size_t len, struct record *r, struct err *e)
{
	struct json *j = NULL;
	struct err je = { 0, "" };
	const char *what;
	size_t off;
	int rc;

	record_init(r);
	if (json_parse(text, len, "", &j, &je)) {
		off = error_offset(text, len, je.msg, &what);
		return err_set(e, -EBADMSG, "byte %zu: %s", off, what);
	}
	rc = record_from_json_obj(j, r, e);
	json_free(j);
	return rc;
}

void host_facts_clear(struct host_facts *f)
{
	char **s[] = { &f->hostname, &f->cpu_model, &f->kernel, &f->xen_version,
		       &f->xen_scheduler, &f->virt_caps, &f->xen_cpus, &f->xen_cmdline, &f->guest_type,
		       &f->tsc_mode, &f->concurrent, &f->xen_host, &f->host_kind, &f->shape, &f->machine };

	for (size_t k = 0; k < sizeof(s) / sizeof(s[0]); k++)
		free(*s[k]);
	memset(f, 0, sizeof(*f));
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void host_facts_copy(struct host_facts *out, const struct host_facts *f)
{
	out->hostname = dup_or_null(f->hostname);
	out->cpu_model = dup_or_null(f->cpu_model);
	out->kernel = dup_or_null(f->kernel);
	out->xen_version = dup_or_null(f->xen_version);
	out->xen_scheduler = dup_or_null(f->xen_scheduler);
	out->virt_caps = dup_or_null(f->virt_caps);
	out->xen_cpus = dup_or_null(f->xen_cpus);
	out->xen_cmdline = dup_or_null(f->xen_cmdline);
	out->guest_type = dup_or_null(f->guest_type);
	out->tsc_mode = dup_or_null(f->tsc_mode);
	out->concurrent = dup_or_null(f->concurrent);
	out->xen_host = dup_or_null(f->xen_host);
	out->host_kind = dup_or_null(f->host_kind);
	out->shape = dup_or_null(f->shape);
	out->machine = dup_or_null(f->machine);
}

void record_clear(struct record *r)
{
	char **s[] = { &r->kind, &r->benchmark, &r->size, &r->pin, &r->checksum,
		       &r->metric_name, &r->unit, &r->status, &r->error, &r->experiment,
		       &r->environment, &r->label, &r->better, &r->version, &r->timestamp,
		       &r->bound, &r->file, &r->counts };

	for (size_t k = 0; k < sizeof(s) / sizeof(s[0]); k++) {
		free(*s[k]);
		*s[k] = NULL;
	}
	host_facts_clear(&r->facts);
	record_free_extras(r);
}

void record_free_extras(struct record *r)
{
	for (size_t k = 0; k < r->nextras; k++) {
		free(r->extras[k].key);
		free(r->extras[k].json);
	}
	free(r->extras);
	r->extras = NULL;
	r->nextras = 0;
}
