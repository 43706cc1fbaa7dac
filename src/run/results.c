/* JSON Lines results store: writer, durable append and reader. */
#include "run/results.h"
#include "base/fileio.h"
#include "base/json.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int result_append(const char *path, const struct record *r, struct err *e)
{
	struct sbuf line = SBUF_INIT;
	char *dup = xstrdup(path);
	int rc;

	rc = file_mkdirs(dirname(dup), 0755, e);
	free(dup);
	if (rc)
		return rc;
	record_to_json(r, &line);
	rc = file_append_line_sync(path, line.buf, line.len, e);
	sbuf_free(&line);
	return rc;
}

static bool is_time_unit(const char *u)
{
	static const char *const t[] = { "s", "ms", "us", "ns" };

	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		size_t n = strlen(t[k]);
		if (!strncmp(u, t[k], n) && (!u[n] || u[n] == '/'))
			return true;
	}
	return false;
}

/* 0 when j's numeric fields are numbers (or null, or absent), its times are
 * not negative and its "bound" is "upper" or "lower" (or absent); else -EBADMSG with "NAME:LINE: ...". */
static int check_numbers(const struct json *j, const char *name, int line, struct err *e)
{
	static const char *const nums[] = { "value", "wall_s", "user_s", "sys_s", "ratio",
					    "sessions" };
	const char *unit = json_get_str(j, "unit");
	double v;

	for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++) {
		const struct json *f = json_get(j, nums[k]);
		if (f && f->type != JSON_NUM && f->type != JSON_NULL)
			return err_at(e, -EBADMSG, name, line, 0, "\"%s\" must be a number", nums[k]);
	}
	for (size_t k = 1; k < 4; k++)
		if (!json_get_num(j, nums[k], &v) && v < 0)
			return err_at(e, -EBADMSG, name, line, 0, "\"%s\" is a negative time (%g s)",
				      nums[k], v);
	if (!json_get_num(j, "value", &v) && v < 0 && is_time_unit(unit ? unit : "s"))
		return err_at(e, -EBADMSG, name, line, 0, "\"value\" is a negative time (%g %s)", v,
			      unit ? unit : "s");
	if (!json_get_num(j, "sessions", &v) && (v < 1 || v > 1e9 || v != floor(v)))
		return err_at(e, -EBADMSG, name, line, 0, "\"sessions\" must be a positive integer");
	if (json_get(j, "bound") && (!json_get_str(j, "bound") ||
				     (strcmp(json_get_str(j, "bound"), "upper") &&
				      strcmp(json_get_str(j, "bound"), "lower"))))
		return err_at(e, -EBADMSG, name, line, 0, "\"bound\" must be \"upper\" or \"lower\"");
	return 0;
}

/* Fills r from the object j (record_from_json_obj); -EBADMSG with
 * "NAME:LINE: ..." when j breaks a rule of the store (results_parse). */
static int from_json(const struct json *j, const char *name, int line, struct record *r,
		     struct err *e)
{
	static const char *const required[] = { "environment", "benchmark", "status" };
	double it;

	if (j->type != JSON_OBJ)
		return err_at(e, -EBADMSG, name, line, 0, "a record must be a JSON object");
	for (size_t k = 0; k < sizeof(required) / sizeof(required[0]); k++)
		if (!json_get_str(j, required[k]) || !json_get_str(j, required[k])[0])
			return err_at(e, -EBADMSG, name, line, 0, "record lacks a string \"%s\"",
				      required[k]);
	if (json_get_num(j, "iteration", &it) || it < 0 || it > 1e9 || it != floor(it))
		return err_at(e, -EBADMSG, name, line, 0, "record lacks an integer \"iteration\"");
	if (check_numbers(j, name, line, e))
		return -EBADMSG;
	if (record_from_json_obj(j, r, e))
		return -EBADMSG;
	r->file = name ? xstrdup(name) : NULL;
	r->line = line;
	return 0;
}

/* Rewrites json_parse's "NAME:1:COL: what" (NAME empty) as "FILE:LINE:COL: what". */
static int line_error(struct err *e, const char *name, int line, const struct err *je)
{
	int l, col, n = 0;

	if (sscanf(je->msg, ":%d:%d: %n", &l, &col, &n) == 2 && n > 0)
		return err_at(e, -EBADMSG, name, line, col, "%s", je->msg + n);
	return err_at(e, -EBADMSG, name, line, 0, "%s", je->msg);
}

int results_parse(const char *name, const char *text, size_t len, bool skip_bad,
		  struct result_set *set, struct sbuf *warn, struct err *e)
{
	size_t off = 0;
	int line = 0;

	while (off < len) {
		const char *p = text + off, *nl = memchr(p, '\n', len - off);
		size_t n = nl ? (size_t)(nl - p) : len - off;
		struct json *j = NULL;
		struct err le = { 0, "" }, je = { 0, "" };
		struct record r;
		bool blank = true;
		int rc;

		off += n + (nl ? 1 : 0);
		line++;
		for (size_t k = 0; k < n && blank; k++)
			blank = p[k] == ' ' || p[k] == '\t' || p[k] == '\r';
		if (blank)
			continue;
		if (json_parse(p, n, "", &j, &je))
			rc = line_error(&le, name, line, &je);
		else
			rc = from_json(j, name, line, &r, &le);
		json_free(j);
		if (rc) {
			if (!skip_bad) {
				*e = le;
				return rc;
			}
			set->skipped++;
			if (warn)
				sbuf_printf(warn, "%s\n", le.msg);
			continue;
		}
		if (set->n == set->cap) {
			set->cap = set->cap ? set->cap * 2 : 64;
			set->v = xrealloc(set->v, set->cap * sizeof(*set->v));
		}
		set->v[set->n++] = r;
	}
	return 0;
}

enum results_tail results_tail(const char *text, size_t len, size_t *off)
{
	const char *nl = len ? memrchr(text, '\n', len) : NULL;
	size_t start = nl ? (size_t)(nl - text) + 1 : 0;
	struct json *j = NULL;
	struct record r;
	struct err e = { 0, "" };
	bool blank = true;
	int rc;

	*off = start;
	if (start == len)
		return TAIL_CLEAN;
	for (size_t k = start; k < len && blank; k++)
		blank = text[k] == ' ' || text[k] == '\t' || text[k] == '\r';
	if (blank)
		return TAIL_BLANK;
	if (json_parse(text + start, len - start, "", &j, &e))
		return TAIL_TORN;
	rc = from_json(j, "", 1, &r, &e);
	json_free(j);
	if (rc)
		return TAIL_TORN;
	record_clear(&r);
	return TAIL_RECORD;
}

int results_repair_tail(const char *path, struct sbuf *msg, struct err *e)
{
	struct sbuf text = SBUF_INIT, torn = SBUF_INIT;
	enum results_tail t;
	size_t off;
	int rc = file_read(path, &text, e);

	if (rc == -ENOENT)
		return 0;
	if (rc)
		goto out;
	t = results_tail(text.buf, text.len, &off);
	if (t == TAIL_RECORD || t == TAIL_BLANK) {
		rc = file_append_sync(path, "\n", 1, e);
		if (!rc && t == TAIL_RECORD)
			sbuf_printf(msg, "%s: the last record (byte %zu) lacked its newline; added it\n",
				    path, off);
	} else if (t == TAIL_TORN) {
		sbuf_printf(&torn, "%s.torn", path);
		rc = file_append_sync(torn.buf, text.buf + off, text.len - off, e);
		if (!rc)
			rc = file_append_sync(torn.buf, "\n", 1, e);
		if (!rc)
			rc = file_truncate_sync(path, off, e);
		if (!rc)
			sbuf_printf(msg, "%s: torn last line at byte %zu (%zu bytes) moved to %s\n",
				    path, off, text.len - off, torn.buf);
	}
out:
	sbuf_free(&text);
	sbuf_free(&torn);
	return rc;
}

int results_load(const char *path, bool skip_bad, struct result_set *set, struct sbuf *warn,
		 struct err *e)
{
	struct sbuf text = SBUF_INIT;
	int rc = file_read(path, &text, e);

	if (!rc)
		rc = results_parse(path, sbuf_str(&text), text.len, skip_bad, set, warn, e);
	sbuf_free(&text);
	return rc;
}

void results_free(struct result_set *set)
{
	for (size_t k = 0; k < set->n; k++)
		record_clear(&set->v[k]);
	free(set->v);
	memset(set, 0, sizeof(*set));
}
