/* Quantities with units. */
#include "base/units.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Splits s into a non-negative finite number and its suffix. */
static int split_number(const char *s, double *v, const char **suffix)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	if (!((*s >= '0' && *s <= '9') || *s == '.'))
		return -EINVAL;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || errno || !isfinite(*v) || *v < 0)
		return errno == ERANGE ? -ERANGE : -EINVAL;
	if ((*end && strchr("xXpP", *end)) || (end > s && (end[-1] == 'x' || end[-1] == 'X')))
		return -EINVAL;
	for (const char *p = s; p < end; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '.'))
			return -EINVAL; /* no hex, exponents or inf */
	*suffix = end;
	return 0;
}

static int scale(double v, double mult, uint64_t *out)
{
	double r = v * mult;

	if (r >= 18446744073709551615.0)
		return -ERANGE;
	*out = (uint64_t)(r + 0.5);
	return 0;
}

struct suffix {
	const char *sfx;
	double mult;
};

/* Number with one of the suffixes in tab (matched case-insensitively when
 * icase), scaled to the base unit. */
static int parse_with(const char *s, const struct suffix *tab, size_t n, int icase, uint64_t *out)
{
	const char *sfx;
	double v;
	int rc = split_number(s, &v, &sfx);

	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (icase ? !strcasecmp(sfx, tab[i].sfx) : !strcmp(sfx, tab[i].sfx))
			return scale(v, tab[i].mult, out);
	return -EINVAL;
}

#define NSUFFIX(t) (sizeof(t) / sizeof((t)[0]))

int units_parse_size(const char *s, uint64_t *bytes)
{
	static const struct suffix tab[] = {
		{ "", 1 }, { "b", 1 },
		{ "k", 1024.0 }, { "kb", 1024.0 }, { "kib", 1024.0 },
		{ "m", 1048576.0 }, { "mb", 1048576.0 }, { "mib", 1048576.0 },
		{ "g", 1073741824.0 }, { "gb", 1073741824.0 }, { "gib", 1073741824.0 },
		{ "t", 1099511627776.0 }, { "tb", 1099511627776.0 }, { "tib", 1099511627776.0 },
	};

	return parse_with(s, tab, NSUFFIX(tab), 1, bytes);
}

int units_parse_duration(const char *s, uint64_t *ns)
{
	static const struct suffix tab[] = {
		{ "", 1e9 }, { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		{ "m", 60e9 }, { "min", 60e9 }, { "h", 3600e9 },
	};

	return parse_with(s, tab, NSUFFIX(tab), 0, ns);
}

int units_parse_count(const char *s, uint64_t *n)
{
	static const struct suffix tab[] = {
		{ "", 1 }, { "k", 1e3 }, { "K", 1e3 }, { "M", 1e6 }, { "G", 1e9 },
	};

	return parse_with(s, tab, NSUFFIX(tab), 0, n);
}

char *units_fmt_size(uint64_t bytes, char *buf, int len)
{
	static const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, (size_t)len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, (size_t)len, "%.1f %s", v, u[i]);
	return buf;
}

char *units_fmt_duration(uint64_t ns, char *buf, int len)
{
	if (ns < 1000)
		snprintf(buf, (size_t)len, "%llu ns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, (size_t)len, "%.2f us", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, (size_t)len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, (size_t)len, "%.2f s", ns / 1e9);
	return buf;
}
