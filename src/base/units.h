/* The one place that reads quantities with units: sizes ("500M"), durations
 * ("2s", "250ms") and counts ("10k"). */
#ifndef VMLAB_BASE_UNITS_H
#define VMLAB_BASE_UNITS_H

#include <stdint.h>

/* Size in bytes: a decimal number with optional suffix K, M, G, T (powers of
 * 1024, optional trailing "iB" or "B"). No suffix means bytes. Returns 0 or -EINVAL/-ERANGE. */
int units_parse_size(const char *s, uint64_t *bytes);

/* Duration in nanoseconds: number (may have a fraction) with suffix ns, us, ms,
 * s, m, h. No suffix means seconds. Returns 0 or -EINVAL/-ERANGE. */
int units_parse_duration(const char *s, uint64_t *ns);

/* Count: decimal with optional k, M, G (powers of 1000). Returns 0 or -EINVAL/-ERANGE. */
int units_parse_count(const char *s, uint64_t *n);

/* Human-readable renderings into buf (always NUL-terminated); return buf. */
char *units_fmt_size(uint64_t bytes, char *buf, int len);
char *units_fmt_duration(uint64_t ns, char *buf, int len);

#endif
