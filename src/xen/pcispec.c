/* PCI spec parsing: BDF, virtual slot and the per-device options. */
#include "xen/pcispec.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"

/* Hex number s[0..len) <= max; -1 when malformed. */
static long hexnum(const char *s, size_t len, unsigned long max)
{
	unsigned long v = 0;
	size_t i;

	if (!len || len > 8)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		v = v * 16 + (unsigned long)(isdigit((unsigned char)s[i]) ? s[i] - '0'
									 : (tolower((unsigned char)s[i]) - 'a' + 10));
	}
	return v <= max ? (long)v : -1;
}

int pcispec_parse_bdf(const char *s, size_t len, struct pcispec *p, struct err *e)
{
	const char *c1 = memchr(s, ':', len), *c2 = NULL, *dot;
	const char *bus;
	long v;

	if (c1)
		c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - s));
	dot = memchr(s, '.', len);
	if (!c1 || !dot || dot < c1 || (c2 && dot < c2))
		goto bad;
	if (c2) {
		if ((v = hexnum(s, (size_t)(c1 - s), 0xffff)) < 0)
			goto bad;
		p->domain = (unsigned)v;
		bus = c1 + 1;
		c1 = c2;
	} else {
		p->domain = 0;
		bus = s;
	}
	if ((v = hexnum(bus, (size_t)(c1 - bus), 0xff)) < 0)
		goto bad;
	p->bus = (unsigned)v;
	if ((v = hexnum(c1 + 1, (size_t)(dot - c1 - 1), 0x1f)) < 0)
		goto bad;
	p->dev = (unsigned)v;
	if ((size_t)(s + len - dot - 1) == 1 && dot[1] == '*') {
		p->all_funcs = true;
		p->func = 0;
	} else {
		if ((v = hexnum(dot + 1, (size_t)(s + len - dot - 1), 7)) < 0)
			goto bad;
		p->func = (unsigned)v;
	}
	p->has_bdf = true;
	return 0;
bad:
	return err_set(e, -EINVAL, "invalid PCI BDF `%.*s' (expected [DDDD:]BB:DD.F in hex, "
		       "F 0-7 or *)", (int)len, s);
}

static int boolopt(const char *v, int *out)
{
	/* libxlutil reads these with atoi(): junk reads as 0 */
	*out = atoi(v) != 0;
	return 0;
}

int pcispec_parse(const char *s, struct pcispec *p, int *col, struct err *e)
{
	const char *tok = s;
	bool first = true;
	long v;

	memset(p, 0, sizeof(*p));
	p->permissive = p->msitranslate = p->seize = p->power_mgmt = p->rdm_policy = -1;
	*col = 0;
	for (;;) {
		size_t len = strcspn(tok, ",");
		const char *eq = memchr(tok, '=', len);
		char val[128];
		size_t klen = eq ? (size_t)(eq - tok) : len;
		int rc = 0;

		if (!len && !tok[len] && !first)
			break;    /* a trailing comma */
		if (!eq && first) {
			const char *at = memchr(tok, '@', len);
			size_t blen = at ? (size_t)(at - tok) : len;

			rc = pcispec_parse_bdf(tok, blen, p, e);
			if (!rc && at) {
				v = hexnum(at + 1, len - blen - 1, 0x1f);
				if (v < 0) {
					*col = (int)(at + 1 - s) + 1;
					return err_set(e, -EINVAL, "invalid virtual slot `%.*s' "
						       "(hex 0-1f)", (int)(len - blen - 1), at + 1);
				}
				p->vslot = (unsigned)v;
			}
		} else if (!eq) {
			rc = err_set(e, -EINVAL, "expected KEY=VALUE, got `%.*s'", (int)len, tok);
		} else {
			size_t vlen = len - klen - 1;

			snprintf(val, sizeof(val), "%.*s", (int)vlen, eq + 1);
#define KEY(k) (klen == strlen(k) && !strncmp(tok, k, klen))
			if (KEY("bdf")) {
				if (p->name[0] || p->has_bdf)
					rc = err_set(e, -EINVAL, "bdf= given with a BDF or name=");
				else
					rc = pcispec_parse_bdf(eq + 1, vlen, p, e);
			} else if (KEY("name")) {
				if (p->has_bdf)
					rc = err_set(e, -EINVAL, "name= given with a BDF");
				else if (!vlen || vlen >= sizeof(p->name))
					rc = err_set(e, -EINVAL, "invalid name `%s'", val);
				else
					memcpy(p->name, eq + 1, vlen), p->name[vlen] = 0;
			} else if (KEY("vslot")) {
				v = hexnum(eq + 1, vlen, 0x1f);
				if (v < 0)
					rc = err_set(e, -EINVAL, "invalid vslot `%s' (hex 0-1f)", val);
				else
					p->vslot = (unsigned)v;
			} else if (KEY("permissive") || KEY("msitranslate") || KEY("seize") ||
				   KEY("power_mgmt")) {
				int *slot = KEY("permissive") ? &p->permissive :
					    KEY("msitranslate") ? &p->msitranslate :
					    KEY("seize") ? &p->seize : &p->power_mgmt;

				if (boolopt(val, slot))
					rc = err_set(e, -EINVAL, "invalid value `%s' for %.*s (0 or 1)",
						     val, (int)klen, tok);
			} else if (KEY("rdm_policy")) {
				if (!strcmp(val, "strict"))
					p->rdm_policy = 0;
				else if (!strcmp(val, "relaxed"))
					p->rdm_policy = 1;
				else
					rc = err_set(e, -EINVAL, "invalid rdm_policy `%s' (strict or "
						     "relaxed)", val);
			} else {
				rc = err_set(e, -EINVAL, "unknown PCI option `%.*s'", (int)klen, tok);
			}
#undef KEY
		}
		if (rc) {
			*col = (int)(tok - s) + 1;
			return rc;
		}
		first = false;
		if (!tok[len])
			break;
		tok += len + 1;
	}
	if (!p->has_bdf && !p->name[0]) {
		*col = 1;
		return err_set(e, -EINVAL, "no PCI device given (BDF, bdf= or name=)");
	}
	return 0;
}
