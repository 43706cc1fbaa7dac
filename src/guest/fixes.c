/* inittab and fstab edits for guests that boot both as HVM and as PV. */
#include "guest/fixes.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

/* A terminal name as getty takes it: tty*, hvc*, console or /dev/..., of
 * letters, digits and '/' only. */
static int tty_word(const char *p, size_t w)
{
	for (size_t k = 0; k < w; k++)
		if (!isalnum((unsigned char)p[k]) && p[k] != '/')
			return 0;
	return (w > 3 && !memcmp(p, "tty", 3)) || (w > 3 && !memcmp(p, "hvc", 3)) ||
	       (w == 7 && !memcmp(p, "console", 7)) || (w > 5 && !memcmp(p, "/dev/", 5));
}

/* A getty line "id:runlevels:action:process" whose process runs a getty:
 * the byte range of its terminal word, the first one after the word naming
 * the getty program. */
static int getty_tty(const char *l, size_t n, size_t *ts, size_t *tn)
{
	size_t k = 0, colons = 0, proc = 0;

	while (k < n && (l[k] == ' ' || l[k] == '\t'))
		k++;
	if (k == n || l[k] == '#')
		return 0;
	for (size_t j = k; j < n; j++)
		if (l[j] == ':' && ++colons == 3) {
			proc = j + 1;
			break;
		}
	if (colons < 3)
		return 0;
	int getty_seen = 0;

	for (size_t j = proc; j < n;) {
		while (j < n && isspace((unsigned char)l[j]))
			j++;
		size_t s = j;

		while (j < n && !isspace((unsigned char)l[j]))
			j++;
		size_t w = j - s;

		if (w == 0)
			break;
		if (!getty_seen) {
			getty_seen = memmem(l + s, w, "getty", 5) != NULL;
			continue;
		}
		if (!tty_word(l + s, w))
			continue;
		*ts = s;
		*tn = w;
		return 1;
	}
	return 0;
}

static int word_is(const char *p, size_t n, const char *w)
{
	if (n > 5 && !memcmp(p, "/dev/", 5))
		p += 5, n -= 5;
	return strlen(w) == n && !memcmp(p, w, n);
}

void inittab_gettys(const char *text, size_t len, struct sbuf *out)
{
	size_t pos = 0, n, ts, tn;
	const char *l;
	int first = 1;

	while (text_next_line(text, len, &pos, &l, &n))
		if (getty_tty(l, n, &ts, &tn)) {
			if (!first)
				sbuf_putc(out, ' ');
			sbuf_add(out, l + ts, tn);
			first = 0;
		}
}

/* An inittab id (1-4 characters) not used by any line. */
static void free_id(const char *text, size_t len, char id[8])
{
	static const char *cand[] = { "hvc", "hv", "h0", "x0", "X0", NULL };

	for (int c = 0; cand[c]; c++) {
		size_t pos = 0, n, idl = strlen(cand[c]);
		const char *l;
		int used = 0;

		while (text_next_line(text, len, &pos, &l, &n))
			if (n > idl && !memcmp(l, cand[c], idl) && l[idl] == ':')
				used = 1;
		if (!used) {
			strcpy(id, cand[c]);
			return;
		}
	}
	strcpy(id, "hvX");
}

int fix_inittab(const char *name, const char *text, size_t len, const char *console, struct sbuf *out,
		struct sbuf *changes, struct err *e)
{
	size_t pos = 0, n, ts, tn;
	const char *l;
	int lineno = 0, tty2 = 0, first = 0;

	while (text_next_line(text, len, &pos, &l, &n)) {
		lineno++;
		if (!getty_tty(l, n, &ts, &tn))
			continue;
		if (word_is(l + ts, tn, console)) {
			sbuf_add(out, text, len);
			return 0;
		}
		if (!tty2 && word_is(l + ts, tn, "tty2"))
			tty2 = lineno;
		if (!first)
			first = lineno;
	}
	if (!first)
		return err_set(e, -ENOENT, "%s: no getty line to put on %s", name, console);
	int target = tty2 ? tty2 : first;
	char id[8];

	free_id(text, len, id);
	pos = 0;
	lineno = 0;
	while (text_next_line(text, len, &pos, &l, &n)) {
		int had_nl = pos <= len && (l + n < text + len);

		lineno++;
		if (lineno != target) {
			sbuf_add(out, l, n);
			if (had_nl)
				sbuf_putc(out, '\n');
			continue;
		}
		getty_tty(l, n, &ts, &tn);
		struct sbuf nl = SBUF_INIT;

		if (tty2) {
			sbuf_add(&nl, l, ts);
		} else {
			const char *colon = memchr(l, ':', n);

			sbuf_puts(&nl, id);
			sbuf_add(&nl, colon, (size_t)(l + ts - colon));
		}
		sbuf_puts(&nl, console);
		sbuf_add(&nl, l + ts + tn, n - ts - tn);
		if (tty2) {
			sbuf_printf(changes, "%s:%d: - %.*s\n", name, lineno, (int)n, l);
			sbuf_printf(changes, "%s:%d: + %s\n", name, lineno, sbuf_str(&nl));
		} else {
			sbuf_add(out, l, n);
			sbuf_putc(out, '\n');
			sbuf_printf(changes, "%s:%d: + %s\n", name, lineno + 1, sbuf_str(&nl));
		}
		sbuf_add(out, nl.buf, nl.len);
		if (had_nl || !tty2)
			sbuf_putc(out, '\n');
		sbuf_free(&nl);
	}
	return 1;
}

/* Partition number of "/dev/{sd,hd,xvd,vd}aN", 0 if the word is not one;
 * -1 for such a device on another disk (sdbN). */
static int disk_a_part(const char *w, size_t n)
{
	static const char *pre[] = { "/dev/sd", "/dev/hd", "/dev/xvd", "/dev/vd", NULL };

	for (int k = 0; pre[k]; k++) {
		size_t pl = strlen(pre[k]);
		size_t j;
		long v = 0;

		if (n <= pl + 1 || memcmp(w, pre[k], pl) || !islower((unsigned char)w[pl]))
			continue;
		for (j = pl + 1; j < n && isdigit((unsigned char)w[j]); j++)
			if (v <= 128)
				v = v * 10 + (w[j] - '0');
		if (j != n || j == pl + 1 || v <= 0 || v > 128)
			return 0;
		return w[pl] == 'a' ? (int)v : -1;
	}
	return 0;
}

int fix_fstab(const char *name, const char *text, size_t len, fix_uuid_fn uuid, void *priv, struct sbuf *out,
	      struct sbuf *changes, struct err *e)
{
	size_t pos = 0, n;
	const char *l;
	int lineno = 0, changed = 0;

	while (text_next_line(text, len, &pos, &l, &n)) {
		int had_nl = l + n < text + len;
		size_t s = 0, w;
		int part;

		lineno++;
		while (s < n && (l[s] == ' ' || l[s] == '\t'))
			s++;
		for (w = s; w < n && !isspace((unsigned char)l[w]); w++)
			;
		if (s == n || l[s] == '#' || (part = disk_a_part(l + s, w - s)) == 0) {
			sbuf_add(out, l, n);
		} else if (part < 0) {
			sbuf_add(out, l, n);
			sbuf_printf(changes, "%s:%d: kept %.*s: names another disk than this image\n", name,
				    lineno, (int)(w - s), l + s);
		} else {
			const char *u = uuid(part, priv);

			if (!u) {
				sbuf_add(out, l, n);
				sbuf_printf(changes,
					    "%s:%d: kept %.*s: the image has no file system with a UUID on partition %d\n",
					    name, lineno, (int)(w - s), l + s, part);
			} else {
				struct sbuf nl = SBUF_INIT;

				sbuf_add(&nl, l, s);
				sbuf_printf(&nl, "UUID=%s", u);
				sbuf_add(&nl, l + w, n - w);
				sbuf_printf(changes, "%s:%d: - %.*s\n", name, lineno, (int)n, l);
				sbuf_printf(changes, "%s:%d: + %s\n", name, lineno, sbuf_str(&nl));
				sbuf_add(out, nl.buf, nl.len);
				sbuf_free(&nl);
				changed++;
			}
		}
		if (had_nl)
			sbuf_putc(out, '\n');
	}
	(void)e;
	return changed;
}

int fstab_root(const char *text, size_t len, struct sbuf *out)
{
	size_t pos = 0, n;
	const char *l;

	while (text_next_line(text, len, &pos, &l, &n)) {
		size_t k = 0, s;
		int field = 0;

		while (k < n && isspace((unsigned char)l[k]))
			k++;
		if (k == n || l[k] == '#')
			continue;
		for (;;) {
			while (k < n && isspace((unsigned char)l[k]))
				k++;
			s = k;
			while (k < n && !isspace((unsigned char)l[k]))
				k++;
			if (k == s)
				break;
			if (++field == 2) {
				if (k - s == 1 && l[s] == '/') {
					sbuf_add(out, l, n);
					return 0;
				}
				break;
			}
		}
	}
	return -ENOENT;
}
