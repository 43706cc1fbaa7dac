/* Event counts per benchmark, environment and event. */
#include "report/counts.h"
#include "base/json.h"
#include "measure/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct rcount *entry(struct rcounts *c, const char *bench, const char *env, const char *ev)
{
	for (size_t k = 0; k < c->n; k++)
		if (!strcmp(c->v[k].bench, bench) && !strcmp(c->v[k].env, env) &&
		    !strcmp(c->v[k].event, ev))
			return &c->v[k];
	c->v = xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
	struct rcount *x = &c->v[c->n++];

	memset(x, 0, sizeof(*x));
	x->bench = xstrdup(bench);
	x->env = xstrdup(env);
	x->event = xstrdup(ev);
	return x;
}

static void push(double **v, size_t *n, double x)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = x;
}

/* The entries of one record's counts object j. */
static void add_record(struct rcounts *c, const struct record *r, const struct json *j)
{
	for (size_t k = 0; k < j->len; k++) {
		const struct json *e = j->items[k];
		double n, p;
		struct rcount *x;

		if (e->type != JSON_OBJ)
			continue;
		x = entry(c, r->benchmark, r->environment, j->keys[k]);
		if (json_get_num(e, "count", &n) == 0) {
			push(&x->v, &x->n, n);
			if (json_get_num(e, "per_op", &p) == 0)
				push(&x->per_op, &x->nper, p);
			if (json_get_num(e, "ns_each", &p) == 0)
				push(&x->ns_each, &x->nns, p);
		} else {
			x->unsupported++;
			if (!x->why)
				x->why = xstrdup(json_get_str(e, "reason") ? json_get_str(e, "reason") : "");
		}
	}
}

void counts_build(const struct result_set *set, struct rcounts *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < set->n; i++) {
		const struct record *r = &set->v[i];
		const char *t = record_extra_json(r, "counts");
		struct json *j = NULL;

		if (!t || !r->status || strcmp(r->status, "ok") || !r->benchmark || !r->environment)
			continue;
		if (json_parse(t, strlen(t), "", &j, NULL) == 0 && j->type == JSON_OBJ)
			add_record(c, r, j);
		json_free(j);
	}
	for (size_t k = 0; k < c->n; k++) {
		c->v[k].median = c->v[k].n ? stats_median(c->v[k].v, c->v[k].n) : NAN;
		c->v[k].per_op_median = c->v[k].nper ? stats_median(c->v[k].per_op, c->v[k].nper) : NAN;
		c->v[k].ns_each_median = c->v[k].nns ? stats_median(c->v[k].ns_each, c->v[k].nns) : NAN;
	}
}

void counts_free(struct rcounts *c)
{
	for (size_t k = 0; k < c->n; k++) {
		free(c->v[k].bench);
		free(c->v[k].env);
		free(c->v[k].event);
		free(c->v[k].v);
		free(c->v[k].per_op);
		free(c->v[k].ns_each);
		free(c->v[k].why);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* v with prec significant digits (0: as an integer), "-" for NaN. */
static void num(struct sbuf *o, double v, int prec)
{
	if (isnan(v))
		sbuf_puts(o, "-");
	else if (!prec)
		sbuf_printf(o, "%.0f", v);
	else
		sbuf_printf(o, "%.*g", prec, v);
}

void counts_rows(const struct rcounts *c, const struct counts_fmt *f, struct sbuf *o)
{
	for (size_t k = 0; k < c->n; k++) {
		const struct rcount *x = &c->v[k];

		sbuf_puts(o, f->open);
		f->text(o, x->bench);
		sbuf_puts(o, f->sep);
		f->text(o, x->env);
		sbuf_puts(o, f->sep);
		f->text(o, x->event);
		sbuf_printf(o, "%s%zu%s", f->sep, x->n + x->unsupported, f->sep);
		num(o, x->median, 0);
		sbuf_puts(o, f->sep);
		num(o, x->per_op_median, 4);
		sbuf_puts(o, f->sep);
		if (x->unsupported) {
			struct sbuf t = SBUF_INIT;

			sbuf_printf(&t, "%s: %s", x->n ? "not counted in some runs" : "<not supported>",
				    x->why ? x->why : "");
			f->text(o, sbuf_str(&t));
			sbuf_free(&t);
		}
		sbuf_puts(o, f->close);
	}
}

void counts_json(const struct rcounts *c, struct sbuf *o)
{
	sbuf_putc(o, '[');
	for (size_t k = 0; k < c->n; k++) {
		const struct rcount *x = &c->v[k];

		sbuf_puts(o, k ? ",{\"benchmark\":" : "{\"benchmark\":");
		json_put_str(o, x->bench);
		sbuf_puts(o, ",\"environment\":");
		json_put_str(o, x->env);
		sbuf_puts(o, ",\"event\":");
		json_put_str(o, x->event);
		sbuf_printf(o, ",\"runs\":%zu,\"median\":", x->n + x->unsupported);
		json_put_num(o, x->median);
		sbuf_puts(o, ",\"per_op\":");
		json_put_num(o, x->per_op_median);
		sbuf_printf(o, ",\"unsupported\":%zu,\"reason\":", x->unsupported);
		if (x->why)
			json_put_str(o, x->why);
		else
			sbuf_puts(o, "null");
		sbuf_putc(o, '}');
	}
	sbuf_putc(o, ']');
}
