/* The declarative option table: parsing, checks and help rendering. */
#include "base/opt.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/units.h"

static int is_end(const struct opt *o)
{
	return !o->name && !o->short_name;
}

static void *field_of(const struct opt *o, void *dst)
{
	return o->ptr ? o->ptr : (char *)dst + o->off;
}

/* Renders v as the option's own notation: "2s", "512M", "10", "0.5". */
static void fmt_value(const struct opt *o, double v, char *buf, size_t len)
{
	static const struct { const char *sfx; double mult; } dur[] = {
		{ "h", 3600e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 },
	}, size[] = {
		{ "T", 1099511627776.0 }, { "G", 1073741824.0 }, { "M", 1048576.0 }, { "K", 1024.0 },
	};

	if (o->type == OPT_DURATION || o->type == OPT_SIZE) {
		int dur_type = o->type == OPT_DURATION;
		size_t n = dur_type ? sizeof(dur) / sizeof(dur[0]) : sizeof(size) / sizeof(size[0]);

		for (size_t i = 0; i < n; i++) {
			double m = dur_type ? dur[i].mult : size[i].mult;

			if (v >= m && fmod(v, m) == 0) {
				snprintf(buf, len, "%.0f%s", v / m, dur_type ? dur[i].sfx : size[i].sfx);
				return;
			}
		}
		snprintf(buf, len, "%.0f%s", v, dur_type ? "ns" : "");
		return;
	}
	snprintf(buf, len, "%.15g", v);
}

int opt_check_range(const struct opt *o, double v, struct err *e)
{
	char a[48], lo[32], hi[32];

	if (!(o->min < o->max) || (v >= o->min && v <= o->max))
		return 0;
	fmt_value(o, v, a, sizeof(a));
	fmt_value(o, o->min, lo, sizeof(lo));
	fmt_value(o, o->max, hi, sizeof(hi));
	if (o->max == OPT_NOMAX)
		return err_set(e, -ERANGE, "%s: must be at least %s", a, lo);
	if (o->min == OPT_NOMIN)
		return err_set(e, -ERANGE, "%s: must be at most %s", a, hi);
	return err_set(e, -ERANGE, "%s: must be between %s and %s", a, lo, hi);
}

/* Decimal integer, the whole of s. */
static int parse_ll(const char *s, long long *v)
{
	char *end;

	if (!*s || *s == ' ' || *s == '\t' || *s == '+')
		return -EINVAL;
	errno = 0;
	*v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	return *end || end == s ? -EINVAL : 0;
}

static int parse_double(const char *s, double *v)
{
	char *end;

	if (!*s || strspn(s, "0123456789.eE+-") != strlen(s))
		return -EINVAL; /* no hex, inf or nan */
	errno = 0;
	*v = strtod(s, &end);
	if (errno == ERANGE || !isfinite(*v))
		return -ERANGE;
	return *end || end == s ? -EINVAL : 0;
}

static int enum_value(const struct opt *o, const char *arg, int *idx, struct err *e)
{
	struct sbuf w = SBUF_INIT;
	int n = 0;

	for (; o->words[n]; n++)
		if (!strcmp(o->words[n], arg)) {
			*idx = n;
			return 0;
		}
	for (int k = 0; k < n; k++)
		sbuf_printf(&w, "%s%s", k == 0 ? "" : k == n - 1 ? " or " : ", ", o->words[k]);
	err_set(e, -EINVAL, "'%s': expected %s", arg, sbuf_str(&w));
	sbuf_free(&w);
	return -EINVAL;
}

/* Integer types: parse, check the C type's and the table's range, store. */
static int int_value(const struct opt *o, const char *arg, void *field, struct err *e)
{
	long long v;
	int rc = parse_ll(arg, &v);
	struct opt lim = *o;

	if (rc == -EINVAL)
		return err_set(e, rc, "'%s': not an integer", arg);
	if (o->type == OPT_INT) {
		lim.min = INT_MIN, lim.max = INT_MAX;
	} else if (o->type == OPT_UINT) {
		lim.min = 0, lim.max = UINT_MAX;
	} else {
		lim.min = (double)LLONG_MIN, lim.max = (double)LLONG_MAX;
	}
	if (rc || opt_check_range(&lim, (double)v, e) || opt_check_range(o, (double)v, e)) {
		if (rc)
			err_set(e, rc, "'%s': too large", arg);
		return -ERANGE;
	}
	if (o->type == OPT_INT)
		*(int *)field = (int)v;
	else if (o->type == OPT_UINT)
		*(unsigned *)field = (unsigned)v;
	else
		*(long long *)field = v;
	return 0;
}

/* Size, duration and count: through base/units, then the range. */
static int unit_value(const struct opt *o, const char *arg, void *field, struct err *e)
{
	uint64_t v;
	int rc;
	const char *what;
	struct opt lim = *o;

	if (o->type == OPT_SIZE)
		rc = units_parse_size(arg, &v), what = "a size such as 512K or 2G";
	else if (o->type == OPT_DURATION)
		rc = units_parse_duration(arg, &v), what = "a duration such as 2s or 250ms";
	else
		rc = units_parse_count(arg, &v), what = "a count such as 100 or 10k";
	if (rc == -ERANGE)
		return err_set(e, rc, "'%s': too large", arg);
	if (rc)
		return err_set(e, rc, "'%s': not %s", arg, what);
	lim.min = 0, lim.max = o->type == OPT_UCOUNT ? UINT_MAX : 18446744073709551615.0;
	if (opt_check_range(&lim, (double)v, e) || opt_check_range(o, (double)v, e))
		return -ERANGE;
	if (o->type == OPT_UCOUNT)
		*(unsigned *)field = (unsigned)v;
	else
		*(uint64_t *)field = v;
	return 0;
}

int opt_value(const struct opt *o, const char *arg, void *field, struct err *e)
{
	double d;
	int rc;

	switch (o->type) {
	case OPT_FLAG:
		*(bool *)field = true;
		return 0;
	case OPT_INT:
	case OPT_UINT:
	case OPT_LONG:
		return int_value(o, arg, field, e);
	case OPT_DOUBLE:
		if ((rc = parse_double(arg, &d)))
			return err_set(e, rc, "'%s': not a number", arg);
		if (opt_check_range(o, d, e))
			return -ERANGE;
		*(double *)field = d;
		return 0;
	case OPT_STRING:
		*(const char **)field = arg;
		return 0;
	case OPT_SIZE:
	case OPT_DURATION:
	case OPT_COUNT:
	case OPT_UCOUNT:
		return unit_value(o, arg, field, e);
	case OPT_ENUM:
		return enum_value(o, arg, (int *)field, e);
	case OPT_LIST: {
		struct opt_list *l = field;

		l->v = xrealloc(l->v, (size_t)(l->n + 2) * sizeof(*l->v));
		l->v[l->n++] = arg;
		l->v[l->n] = NULL;
		return 0;
	}
	case OPT_CUSTOM:
		return o->parse(arg, field, e);
	}
	return err_set(e, -EINVAL, "unknown option type %d", (int)o->type);
}

/* "--name" or "-x": how messages name o. */
static const char *label(const struct opt *o, char *buf, size_t len)
{
	if (o->name)
		snprintf(buf, len, "--%s", o->name);
	else
		snprintf(buf, len, "-%c", o->short_name);
	return buf;
}

/* Stores arg for entry k of tab; messages get the "--name " prefix. */
static int take(const struct opt *tab, int k, void *dst, const char *arg, struct opt_res *r,
		struct err *e)
{
	char l[80];
	struct err sub = { 0 };
	int rc = opt_value(&tab[k], arg, field_of(&tab[k], dst), &sub);

	if (rc)
		return err_set(e, rc, "%s %s", label(&tab[k], l, sizeof(l)), sub.msg);
	if (k < 64)
		r->given |= UINT64_C(1) << k;
	return 0;
}

static int find_long(const struct opt *tab, const char *name, size_t len)
{
	for (int k = 0; !is_end(&tab[k]); k++)
		if (tab[k].name && strlen(tab[k].name) == len && !strncmp(tab[k].name, name, len))
			return k;
	return -1;
}

static int find_short(const struct opt *tab, char c)
{
	for (int k = 0; !is_end(&tab[k]); k++)
		if (tab[k].short_name == c)
			return k;
	return -1;
}

/* argv[*i] is "--name[=V]". */
static int long_opt(const struct opt *tab, void *dst, int argc, char **argv, int *i,
		    struct opt_res *r, struct err *e)
{
	const char *name = argv[*i] + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	int k = find_long(tab, name, len);

	if (k < 0 && len == 4 && !strncmp(name, "help", 4))
		return OPT_HELP;
	if (k < 0)
		return err_set(e, -EINVAL, "unknown option '--%.*s'", (int)len, name);
	if (tab[k].type == OPT_FLAG) {
		if (eq)
			return err_set(e, -EINVAL, "--%s takes no value", tab[k].name);
		return take(tab, k, dst, "", r, e);
	}
	if (eq)
		return take(tab, k, dst, eq + 1, r, e);
	if (*i + 1 >= argc)
		return err_set(e, -EINVAL, "--%s needs a value", tab[k].name);
	return take(tab, k, dst, argv[++*i], r, e);
}

/* argv[*i] is "-abc" or "-xV". */
static int short_opts(const struct opt *tab, void *dst, int argc, char **argv, int *i,
		      struct opt_res *r, struct err *e)
{
	char l[80];

	for (const char *p = argv[*i] + 1; *p; p++) {
		int k = find_short(tab, *p), rc;

		if (k < 0 && *p == 'h')
			return OPT_HELP;
		if (k < 0)
			return err_set(e, -EINVAL, "unknown option '-%c'", *p);
		if (tab[k].type == OPT_FLAG) {
			if ((rc = take(tab, k, dst, "", r, e)))
				return rc;
			continue;
		}
		if (p[1])
			return take(tab, k, dst, p + 1, r, e);
		if (*i + 1 >= argc)
			return err_set(e, -EINVAL, "%s needs a value", label(&tab[k], l, sizeof(l)));
		return take(tab, k, dst, argv[++*i], r, e);
	}
	return 0;
}

static int apply_defaults(const struct opt *tab, void *dst, struct err *e)
{
	char l[80];

	for (int k = 0; !is_end(&tab[k]); k++) {
		struct err sub = { 0 };
		int rc;

		if (!tab[k].def || tab[k].type == OPT_LIST || tab[k].type == OPT_FLAG)
			continue;
		if ((rc = opt_value(&tab[k], tab[k].def, field_of(&tab[k], dst), &sub)))
			return err_set(e, rc, "default of %s: %s", label(&tab[k], l, sizeof(l)),
				       sub.msg);
	}
	return 0;
}

/* opt_parse and opt_parse_prefix: prefix stops at the first positional. */
static int parse(const struct opt *tab, void *dst, int argc, char **argv, struct opt_res *r,
		 int prefix, struct err *e)
{
	int only_pos = 0, rc;

	r->npos = 0;
	r->pos = argv + 1;
	r->given = 0;
	if ((rc = apply_defaults(tab, dst, e)))
		return rc;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];

		if (!only_pos && !strcmp(a, "--")) {
			only_pos = 1;
			if (prefix) {
				r->pos = argv + i + 1;
				r->npos = argc - i - 1;
				return 0;
			}
			continue;
		}
		if (prefix && (a[0] != '-' || !a[1])) {
			r->pos = argv + i;
			r->npos = argc - i;
			return 0;
		}
		if (only_pos || a[0] != '-' || !a[1]) {
			argv[1 + r->npos++] = a; /* 1 + npos <= i: a slot already read */
			continue;
		}
		rc = a[1] == '-' ? long_opt(tab, dst, argc, argv, &i, r, e)
				 : short_opts(tab, dst, argc, argv, &i, r, e);
		if (rc)
			return rc;
	}
	return 0;
}

int opt_parse(const struct opt *tab, void *dst, int argc, char **argv, struct opt_res *r,
	      struct err *e)
{
	return parse(tab, dst, argc, argv, r, 0, e);
}

int opt_parse_prefix(const struct opt *tab, void *dst, int argc, char **argv, struct opt_res *r,
		     struct err *e)
{
	return parse(tab, dst, argc, argv, r, 1, e);
}

bool opt_given(const struct opt *tab, const struct opt_res *r, const char *name)
{
	for (int k = 0; k < 64 && !is_end(&tab[k]); k++)
		if ((tab[k].name && !strcmp(tab[k].name, name)) ||
		    (tab[k].short_name && name[0] == tab[k].short_name && !name[1]))
			return (r->given >> k) & 1;
	return false;
}

static void metavar(const struct opt *o, struct sbuf *out)
{
	static const char *const by_type[] = {
		[OPT_INT] = "N", [OPT_UINT] = "N", [OPT_LONG] = "N", [OPT_DOUBLE] = "X",
		[OPT_STRING] = "STR", [OPT_SIZE] = "SIZE", [OPT_DURATION] = "T",
		[OPT_COUNT] = "N", [OPT_LIST] = "STR", [OPT_CUSTOM] = "VALUE", [OPT_UCOUNT] = "N",
	};

	if (o->type == OPT_FLAG)
		return;
	sbuf_putc(out, ' ');
	if (o->metavar) {
		sbuf_puts(out, o->metavar);
	} else if (o->type == OPT_ENUM) {
		for (int k = 0; o->words[k]; k++)
			sbuf_printf(out, "%s%s", k ? "|" : "", o->words[k]);
	} else {
		sbuf_puts(out, by_type[o->type]);
	}
}

#define HELP_COL 24
#define HELP_WIDTH 79

/* Appends text word by word from column col, wrapping to HELP_COL. */
static void wrap(struct sbuf *out, const char *text, size_t col)
{
	const char *p = text;

	while (*p) {
		size_t w;

		while (*p == ' ')
			p++;
		w = strcspn(p, " ");
		if (!w)
			break;
		if (col > HELP_COL && col + 1 + w > HELP_WIDTH) {
			sbuf_printf(out, "\n%*s", HELP_COL, "");
			col = HELP_COL;
		} else if (col > HELP_COL) {
			sbuf_putc(out, ' ');
			col++;
		}
		sbuf_add(out, p, w);
		col += w;
		p += w;
	}
}

void opt_help(const struct opt *tab, struct sbuf *out)
{
	for (const struct opt *o = tab; !is_end(o); o++) {
		struct sbuf line = SBUF_INIT, text = SBUF_INIT;

		if (o->short_name)
			sbuf_printf(&line, "  -%c%s", o->short_name, o->name ? ", " : "");
		else
			sbuf_puts(&line, "      ");
		if (o->name)
			sbuf_printf(&line, "--%s", o->name);
		metavar(o, &line);
		sbuf_puts(out, sbuf_str(&line));
		if (line.len + 1 >= HELP_COL)
			sbuf_printf(out, "\n%*s", HELP_COL, "");
		else
			sbuf_printf(out, "%*s", (int)(HELP_COL - line.len), "");
		sbuf_puts(&text, o->help ? o->help : "");
		if (o->def && o->type != OPT_FLAG)
			sbuf_printf(&text, " (default %s)", o->def);
		if (o->type == OPT_LIST)
			sbuf_puts(&text, " (repeatable)");
		wrap(out, sbuf_str(&text), HELP_COL);
		sbuf_putc(out, '\n');
		sbuf_free(&line);
		sbuf_free(&text);
	}
}

void opt_free(const struct opt *tab, void *dst)
{
	for (const struct opt *o = tab; !is_end(o); o++)
		if (o->type == OPT_LIST) {
			struct opt_list *l = field_of(o, dst);

			free(l->v);
			l->v = NULL;
			l->n = 0;
		}
}
