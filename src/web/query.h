/* application/x-www-form-urlencoded query strings and their check against
 * a workload page's parameter rules. */
#ifndef VMLAB_WEB_QUERY_H
#define VMLAB_WEB_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "web/workload.h"

#define WEB_QUERY_MAX_PAIRS 16
#define WEB_QUERY_MAX_BYTES 4096

struct web_query {
	unsigned n;
	const char *name[WEB_QUERY_MAX_PAIRS];   /* decoded, NUL-terminated, into buf */
	const char *value[WEB_QUERY_MAX_PAIRS];
	char buf[WEB_QUERY_MAX_BYTES + WEB_QUERY_MAX_PAIRS * 2];
};

/* Decodes s[0..n) ("a=1&b=x%20y", '+' is a space) into q. Empty input gives
 * no pairs. Returns 0, or -EBADMSG with *why set (bad %-escape, NUL byte,
 * too many pairs, longer than WEB_QUERY_MAX_BYTES, a pair without '='). */
int web_query_parse(const char *s, size_t n, struct web_query *q, const char **why);

/* Checks q against page's parameters: each present exactly once, nothing
 * else, each value within its rule. vals[k] receives parameter k's value:
 * the number (WEB_P_USER, WEB_P_INT), cents (WEB_P_MONEY) or the word's
 * index (WEB_P_WORD). Returns 0 or -EINVAL with *why set. */
int web_page_values(const struct web_page *page, const struct web_query *q, uint32_t *vals,
		    const char **why);

#endif
