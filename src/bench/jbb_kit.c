/* Parsers of SPECjbb2005 and SPECjbb2015 output. */
#include "bench/jbb_kit.h"
#include "base/sbuf.h"
#include "base/text.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One line being read: its text, number and the reading position. */
struct cur {
	const char *name, *s;
	size_t n, i;
	int line;
};

static void skip_blanks(struct cur *c)
{
	while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\r'))
		c->i++;
}


/* A number at c's position: digits grouped by ',' and an optional fraction.
 * -EBADMSG (e) when there is none. */
static int number(struct cur *c, double *v, const char *what, struct err *e)
{
	char buf[64];
	size_t k = 0, at;

	skip_blanks(c);
	at = c->i;
	while (c->i < c->n && k + 1 < sizeof(buf) &&
	       (isdigit((unsigned char)c->s[c->i]) ||
		(c->s[c->i] == ',' && c->i > at && c->i + 1 < c->n &&
		 isdigit((unsigned char)c->s[c->i + 1])) ||
		(c->s[c->i] == '.' && c->i > at && c->i + 1 < c->n &&
		 isdigit((unsigned char)c->s[c->i + 1]) && !memchr(buf, '.', k)))) {
		if (c->s[c->i] != ',')
			buf[k++] = c->s[c->i];
		c->i++;
	}
	buf[k] = 0;
	if (!k || (c->i < c->n && (isalnum((unsigned char)c->s[c->i]) || c->s[c->i] == '.')))
		return err_at(e, -EBADMSG, c->name, c->line, (int)at + 1, "%s: expected a number", what);
	*v = strtod(buf, NULL);
	return 0;
}

/* Moves past literal lit (after blanks); false when it is not there. */
static bool literal(struct cur *c, const char *lit)
{
	size_t l = strlen(lit);

	skip_blanks(c);
	if (c->n - c->i < l || strncmp(c->s + c->i, lit, l))
		return false;
	c->i += l;
	return true;
}

static const char *find_in(const struct cur *c, const char *what)
{
	return memmem(c->s, c->n, what, strlen(what));
}

/* "SPECjbb2005 bops = N[, SPECjbb2005 bops/JVM = N]", or the per-JVM part
 * alone, starting at p. */
static int score_line(struct cur *c, const char *p, struct jbb_kit_result *r, struct err *e)
{
	c->i = (size_t)(p - c->s) + strlen("SPECjbb2005 bops");
	if (literal(c, "/JVM")) {
		if (!literal(c, "="))
			return err_at(e, -EBADMSG, c->name, c->line, (int)c->i + 1, "expected '=' after "
				      "'SPECjbb2005 bops/JVM'");
		return number(c, &r->score_per_jvm, "SPECjbb2005 bops/JVM", e) ? -EBADMSG : 0;
	}
	if (!literal(c, "="))
		return err_at(e, -EBADMSG, c->name, c->line, (int)c->i + 1, "expected '=' after "
			      "'SPECjbb2005 bops'");
	if (number(c, &r->score, "SPECjbb2005 bops", e))
		return -EBADMSG;
	if (literal(c, ",") && literal(c, "SPECjbb2005 bops/JVM")) {
		if (!literal(c, "="))
			return err_at(e, -EBADMSG, c->name, c->line, (int)c->i + 1, "expected '=' after "
				      "'SPECjbb2005 bops/JVM'");
		if (number(c, &r->score_per_jvm, "SPECjbb2005 bops/JVM", e))
			return -EBADMSG;
	}
	return 0;
}

/* A table row "W BOPS [*]" (the '*' may also lead). 1 when the line is a
 * row, 0 when it ends the table, -EBADMSG when it is a malformed row. */
static int table_row(struct cur *c, struct jbb_kit_result *r, struct err *e)
{
	struct jbb_kit_point pt = { 0 };
	double w;

	c->i = 0;
	pt.in_metric = literal(c, "*");
	skip_blanks(c);
	if (c->i == c->n || !isdigit((unsigned char)c->s[c->i]))
		return 0;
	if (number(c, &w, "warehouses", e))
		return -EBADMSG;
	if (w < 1 || w > 1e6 || w != floor(w))
		return err_at(e, -EBADMSG, c->name, c->line, 1, "warehouses: not a count");
	if (number(c, &pt.bops, "bops", e))
		return -EBADMSG;
	pt.in_metric = literal(c, "*") || pt.in_metric;
	skip_blanks(c);
	if (c->i != c->n)
		return err_at(e, -EBADMSG, c->name, c->line, (int)c->i + 1,
			      "unexpected text after the bops of %g warehouses", w);
	pt.warehouses = (unsigned)w;
	r->points = xrealloc(r->points, (r->npoints + 1) * sizeof(*r->points));
	r->points[r->npoints++] = pt;
	return 1;
}

/* "RUN RESULT: hbIR (max attempted) = N, hbIR (settled) = N, max-jOPS = N,
 * critical-jOPS = N" starting at p. */
static int run_result(struct cur *c, const char *p, struct jbb_kit_result *r, struct err *e)
{
	static const char *const labels[] = {
		"hbIR (max attempted)", "hbIR (settled)", "max-jOPS", "critical-jOPS",
	};
	double *dst[] = { &r->hbir_max, &r->hbir_settled, &r->max_jops, &r->critical_jops };

	c->i = (size_t)(p - c->s) + strlen("RUN RESULT:");
	for (unsigned k = 0; k < 4; k++) {
		if ((k && !literal(c, ",")) || !literal(c, labels[k]) || !literal(c, "="))
			return err_at(e, -EBADMSG, c->name, c->line, (int)c->i + 1, "expected '%s%s = N'",
				      k ? ", " : "", labels[k]);
		if (number(c, dst[k], labels[k], e))
			return -EBADMSG;
	}
	r->version = 2015;
	return 0;
}

static void result_init(struct jbb_kit_result *r)
{
	memset(r, 0, sizeof(*r));
	r->score = r->score_per_jvm = NAN;
	r->hbir_max = r->hbir_settled = r->max_jops = r->critical_jops = NAN;
}

/* One line: the score, a table heading or row, or the 2015 result. */
static int one_line(struct cur *c, bool *in_table, struct jbb_kit_result *r, struct err *e)
{
	const char *p;
	int rc;

	if (*in_table) {
		rc = table_row(c, r, e);
		if (rc)
			return rc < 0 ? rc : 0;
		*in_table = false;
	}
	if ((p = find_in(c, "RUN RESULT:")))
		return run_result(c, p, r, e);
	if ((p = find_in(c, "SPECjbb2005 bops")) && !find_in(c, "Warehouses")) {
		rc = score_line(c, p, r, e);
		if (!rc && !isnan(r->score))
			r->version = 2005;
		return rc;
	}
	if (find_in(c, "Warehouses") && (find_in(c, "bops") || find_in(c, "Throughput")))
		*in_table = true;
	return 0;
}

int jbb_kit_parse(const char *text, size_t len, const char *name, struct jbb_kit_result *r,
		  struct err *e)
{
	struct cur c = { .name = name };
	size_t pos = 0;
	bool in_table = false;
	int rc = 0;

	result_init(r);
	while (!rc && text_next_line(text, len, &pos, &c.s, &c.n)) {
		c.line++;
		c.i = 0;
		if (memchr(c.s, 0, c.n))
			rc = err_at(e, -EBADMSG, name, c.line, (int)((const char *)memchr(c.s, 0, c.n) -
				    c.s) + 1, "a NUL byte: not a text output");
		else
			rc = one_line(&c, &in_table, r, e);
	}
	if (!rc && !r->version)
		rc = err_at(e, -EBADMSG, name, c.line + 1, 1, "no SPECjbb result: neither "
			    "'SPECjbb2005 bops = N' nor 'RUN RESULT: ... critical-jOPS = N'");
	if (!rc && r->version == 2005 && r->npoints == 0)
		rc = err_at(e, -EBADMSG, name, c.line + 1, 1, "SPECjbb2005 score without the table "
			    "of points ('Warehouses ... bops' and rows 'W BOPS')");
	if (rc)
		jbb_kit_free(r);
	return rc;
}

void jbb_kit_free(struct jbb_kit_result *r)
{
	free(r->points);
	r->points = NULL;
	r->npoints = 0;
}
