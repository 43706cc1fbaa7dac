/* Query-string decoding and parameter checks. */
#include "web/query.h"

#include <errno.h>
#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int web_query_parse(const char *s, size_t n, struct web_query *q, const char **why)
{
	char *o = q->buf;
	size_t i = 0;

	q->n = 0;
	if (n > WEB_QUERY_MAX_BYTES)
		return *why = "query too long", -EBADMSG;
	while (i < n) {
		int in_value = 0;

		if (q->n == WEB_QUERY_MAX_PAIRS)
			return *why = "too many parameters", -EBADMSG;
		q->name[q->n] = o;
		q->value[q->n] = NULL;
		for (; i < n && s[i] != '&'; i++) {
			char c = s[i];

			if (c == '=' && !in_value) {
				*o++ = 0;
				q->value[q->n] = o;
				in_value = 1;
				continue;
			}
			if (c == '+') {
				c = ' ';
			} else if (c == '%') {
				int hi, lo;

				if (n - i < 3 || (hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0)
					return *why = "bad %-escape", -EBADMSG;
				c = (char)(hi << 4 | lo);
				i += 2;
			}
			if (c == 0)
				return *why = "NUL byte in query", -EBADMSG;
			*o++ = c;
		}
		*o++ = 0;
		if (!in_value || !q->name[q->n][0])
			return *why = "parameter without name=value", -EBADMSG;
		q->n++;
		i++;  /* the '&' */
		if (i == n && s[n - 1] == '&')
			return *why = "empty parameter", -EBADMSG;
	}
	return 0;
}

/* Decimal without sign or leading junk, at most 10 digits. */
static int dec(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	size_t k = 0;

	for (; s[k]; k++) {
		if (s[k] < '0' || s[k] > '9' || k == 10)
			return -1;
		x = x * 10 + (uint64_t)(s[k] - '0');
	}
	if (!k)
		return -1;
	*v = x;
	return 0;
}

static int value_of(const struct web_param *p, const char *s, uint32_t *out)
{
	uint64_t v, c;
	const char *dot;
	char whole[16];

	switch (p->kind) {
	case WEB_P_USER:
		if (dec(s, &v) || v < 1 || v > WEB_MAX_USER)
			return -1;
		*out = (uint32_t)v;
		return 0;
	case WEB_P_INT:
		if (dec(s, &v) || v < p->lo || v > p->hi)
			return -1;
		*out = (uint32_t)v;
		return 0;
	case WEB_P_MONEY:
		dot = strchr(s, '.');
		if (!dot) {
			c = 0;
			if (dec(s, &v))
				return -1;
		} else {
			if ((size_t)(dot - s) >= sizeof(whole) || strlen(dot + 1) != 2)
				return -1;
			memcpy(whole, s, (size_t)(dot - s));
			whole[dot - s] = 0;
			if (dec(whole, &v) || dec(dot + 1, &c))
				return -1;
		}
		if (v < p->lo || v > p->hi)
			return -1;
		*out = (uint32_t)(v * 100 + c);
		return 0;
	case WEB_P_WORD:
		for (uint32_t k = 0; p->words[k]; k++)
			if (!strcmp(p->words[k], s)) {
				*out = k;
				return 0;
			}
		return -1;
	}
	return -1;
}

int web_page_values(const struct web_page *page, const struct web_query *q, uint32_t *vals,
		    const char **why)
{
	unsigned seen = 0;

	for (unsigned k = 0; k < q->n; k++) {
		unsigned j;

		for (j = 0; j < page->nparams; j++)
			if (!strcmp(page->params[j].name, q->name[k]))
				break;
		if (j == page->nparams)
			return *why = "unknown parameter", -EINVAL;
		if (seen & (1u << j))
			return *why = "parameter given twice", -EINVAL;
		seen |= 1u << j;
		if (value_of(&page->params[j], q->value[k], &vals[j]))
			return *why = "parameter value out of range", -EINVAL;
	}
	if (seen != (page->nparams >= 32 ? ~0u : (1u << page->nparams) - 1))
		return *why = "missing parameter", -EINVAL;
	return 0;
}
