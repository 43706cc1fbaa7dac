/* The benchmark run's record: writer and reader of its one JSON schema. */
#include "run/record.h"
#include "base/json.h"

#include <errno.h>
#include <math.h>
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

void record_to_json(const struct record *r, struct sbuf *o)
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
	} else {
		put_str(o, "size", r->size);
		put_times(r, o);
		put_fixed(o, "ratio", r->ratio, 4);
		put_bool(o, "checksum_ok", r->checksum_ok);
		put_str(o, "checksum", r->checksum);
	}
	put_str(o, "status", r->status);
	if (r->error)
		put_str(o, "error", r->error);
	sbuf_puts(o, "}\n");
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
}

int record_from_json(const char *text, size_t len, struct record *r, struct err *e)
{
	struct json *j = NULL;
	struct err je = { 0, "" };
	const char *what;
	size_t off;

	record_init(r);
	if (json_parse(text, len, "", &j, &je)) {
		off = error_offset(text, len, je.msg, &what);
		return err_set(e, -EBADMSG, "byte %zu: %s", off, what);
	}
	if (j->type != JSON_OBJ || !json_get_str(j, "kind")) {
		json_free(j);
		return err_set(e, -EBADMSG, "byte 0: a record must be a JSON object with a string "
			       "\"kind\"");
	}
	fill(r, j);
	json_free(j);
	return 0;
}

void record_clear(struct record *r)
{
	char **s[] = { &r->kind, &r->benchmark, &r->size, &r->pin, &r->checksum,
		       &r->metric_name, &r->unit, &r->status, &r->error };

	for (size_t k = 0; k < sizeof(s) / sizeof(s[0]); k++) {
		free(*s[k]);
		*s[k] = NULL;
	}
}
