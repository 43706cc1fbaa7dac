/* The text form both xlcfg probes print, so their outputs compare with diff:
 * "parse ok" or "parse error", then per key one line per getter. */
#ifndef VMLAB_TESTS_CANON_H
#define VMLAB_TESTS_CANON_H

#include <errno.h>
#include <stdio.h>

/* s in double quotes; bytes outside printable ASCII, '"' and '\' as \xHH. */
static inline void canon_str(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* A getter's error as libxlutil names it (positive errno). */
static inline const char *canon_errno(int e)
{
	switch (e) {
	case ESRCH: return "ESRCH";
	case EINVAL: return "EINVAL";
	case ERANGE: return "ERANGE";
	default: return "EOTHER";
	}
}

#endif
