/* Disk spec parser: a longest-match scanner with the rules, order and
 * actions of libxlutil 4.17's disk lexer, and vdev name decoding. */
#include "xen/diskspec.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Scanner state: one spec, one disk. */
struct scan {
	const char *s;
	size_t len;
	struct diskspec *d;
	bool access_set;
	int err;
	int errcol;
	struct err *e;
};

static int fail(struct scan *sc, size_t at, const char *near, const char *msg)
{
	if (sc->err)
		return sc->err;
	sc->err = -EINVAL;
	sc->errcol = (int)at + 1;
	if (near)
		err_set(sc->e, -EINVAL, "%s: near `%s'", msg, near);
	else
		err_set(sc->e, -EINVAL, "%s", msg);
	return sc->err;
}

/* Length of the run of chars at p[0..n) not in set. */
static size_t run_not(const char *p, size_t n, const char *set)
{
	size_t i = 0;

	while (i < n && !memchr(set, p[i], strlen(set) + 1))
		i++;
	return i;
}

/* Length of ".*" at p: up to the next newline. */
static size_t dotstar(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] != '\n')
		i++;
	return i;
}

enum rule {
	R_NONE, R_WS, R_FORMAT, R_CDROM, R_DEVTYPE_CDROM, R_DEVTYPE_DISK, R_DEVTYPE_BAD,
	R_ACCESS, R_BACKEND, R_BACKENDTYPE, R_SPECIFICATION, R_VDEV, R_SCRIPT,
	R_DIRECT_IO_SAFE, R_DISCARD, R_NO_DISCARD, R_COLO, R_NO_COLO, R_COLO_HOST,
	R_COLO_PORT, R_COLO_EXPORT, R_ACTIVE_DISK, R_HIDDEN_DISK, R_TARGET,
	R_UNKNOWN_PARAM, R_PFX_FORMAT, R_PFX_SCRIPT, R_PFX_IGNORED, R_PFX_UNKNOWN,
	R_POSITIONAL, R_BAD,
};

/* Rules "WORD,?" (flags). */
static const struct { const char *word; enum rule r; } flags[] = {
	{ "cdrom", R_CDROM },
	{ "devtype=cdrom", R_DEVTYPE_CDROM },
	{ "devtype=disk", R_DEVTYPE_DISK },
};
static const struct { const char *word; enum rule r; } flags2[] = {
	{ "direct-io-safe", R_DIRECT_IO_SAFE },
	{ "discard", R_DISCARD },
	{ "no-discard", R_NO_DISCARD },
	{ "colo", R_COLO },
	{ "no-colo", R_NO_COLO },
};
/* Rules "KEY=[^,]*,?" in lexer order; R_DEVTYPE_BAD sits between flags. */
static const struct { const char *key; enum rule r; } keys[] = {
	{ "access=", R_ACCESS },
	{ "backend=", R_BACKEND },
	{ "backendtype=", R_BACKENDTYPE },
	{ "specification=", R_SPECIFICATION },
	{ "vdev=", R_VDEV },
	{ "script=", R_SCRIPT },
};
static const struct { const char *key; enum rule r; } colokeys[] = {
	{ "colo-host=", R_COLO_HOST },
	{ "colo-port=", R_COLO_PORT },
	{ "colo-export=", R_COLO_EXPORT },
	{ "active-disk=", R_ACTIVE_DISK },
	{ "hidden-disk=", R_HIDDEN_DISK },
};

static size_t m_flag(const char *p, size_t n, const char *w)
{
	size_t l = strlen(w);

	if (n < l || memcmp(p, w, l))
		return 0;
	return l + (n > l && p[l] == ',');
}

static size_t m_key(const char *p, size_t n, const char *k)
{
	size_t l = strlen(k);

	if (n < l || memcmp(p, k, l))
		return 0;
	l += run_not(p + l, n - l, ",");
	return l + (n > l && p[l] == ',');
}

/* "(a|b|...):/.*": the whole line when p starts with one of the words and ':'. */
static size_t m_prefix(const char *p, size_t n, const char *const *words, size_t *head)
{
	for (; *words; words++) {
		size_t l = strlen(*words);

		if (n > l && !memcmp(p, *words, l) && p[l] == ':') {
			*head = l + 1;
			return l + 1 + dotstar(p + l + 1, n - l - 1);
		}
	}
	return 0;
}

/* Keeps the longest match; an equal length keeps the earlier rule. */
static void offer(enum rule *best, size_t *blen, size_t *bhead, enum rule r, size_t len,
		  size_t head)
{
	if (len > *blen) {
		*best = r;
		*blen = len;
		*bhead = head;
	}
}

/* Finds the rule flex would pick at p. *head is the length of yytext
 * (the match without trailing context). */
static enum rule next_rule(const char *p, size_t n, size_t *len, size_t *head)
{
	static const char *const pfx_format[] = { "raw", "qcow", "qcow2", "vhd", NULL };
	static const char *const pfx_script[] = { "iscsi", "nbd", "enbd", "drbd", NULL };
	static const char *const pfx_ign[] = { "tapdisk", "tap", "tap2", "aio", "ioemu", "file",
					       "phy", NULL };
	enum rule best = R_NONE;
	size_t blen = 0, bhead = 0, l, h;
	size_t i;

	/* [ \t\n]+/([^ \t\n].*)? */
	l = 0;
	while (l < n && (p[l] == ' ' || p[l] == '\t' || p[l] == '\n'))
		l++;
	if (l) {
		h = l;
		if (l < n)
			l += 1 + dotstar(p + l + 1, n - l - 1);
		offer(&best, &blen, &bhead, R_WS, l, h);
	}
	l = m_key(p, n, "format=");
	offer(&best, &blen, &bhead, R_FORMAT, l, l);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		l = m_flag(p, n, flags[i].word);
		offer(&best, &blen, &bhead, flags[i].r, l, l);
	}
	l = m_key(p, n, "devtype=");
	offer(&best, &blen, &bhead, R_DEVTYPE_BAD, l, l);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		l = m_key(p, n, keys[i].key);
		offer(&best, &blen, &bhead, keys[i].r, l, l);
	}
	for (i = 0; i < sizeof(flags2) / sizeof(flags2[0]); i++) {
		l = m_flag(p, n, flags2[i].word);
		offer(&best, &blen, &bhead, flags2[i].r, l, l);
	}
	for (i = 0; i < sizeof(colokeys) / sizeof(colokeys[0]); i++) {
		l = m_key(p, n, colokeys[i].key);
		offer(&best, &blen, &bhead, colokeys[i].r, l, l);
	}
	/* target=.* */
	if (n >= 7 && !memcmp(p, "target=", 7)) {
		l = 7 + dotstar(p + 7, n - 7);
		offer(&best, &blen, &bhead, R_TARGET, l, l);
	}
	/* [a-z][-a-z0-9]*=[^,],? */
	if (n && islower((unsigned char)p[0])) {
		l = 1;
		while (l < n && (islower((unsigned char)p[l]) || isdigit((unsigned char)p[l]) ||
				 p[l] == '-'))
			l++;
		if (l + 1 < n && p[l] == '=' && p[l + 1] != ',') {
			l += 2;
			l += (l < n && p[l] == ',');
			offer(&best, &blen, &bhead, R_UNKNOWN_PARAM, l, l);
		}
	}
	/* deprecated prefixes; "qcow2?" and "tap2?" try the longer word too */
	l = m_prefix(p, n, pfx_format, &h);
	offer(&best, &blen, &bhead, R_PFX_FORMAT, l, h);
	l = m_prefix(p, n, pfx_script, &h);
	offer(&best, &blen, &bhead, R_PFX_SCRIPT, l, h);
	l = m_prefix(p, n, pfx_ign, &h);
	offer(&best, &blen, &bhead, R_PFX_IGNORED, l, h);
	/* [a-z][a-z0-9]*:/([^a-z0-9].*)? */
	if (n && islower((unsigned char)p[0])) {
		l = 1;
		while (l < n && (islower((unsigned char)p[l]) || isdigit((unsigned char)p[l])))
			l++;
		if (l < n && p[l] == ':') {
			h = ++l;
			if (l < n && !islower((unsigned char)p[l]) && !isdigit((unsigned char)p[l]))
				l += 1 + dotstar(p + l + 1, n - l - 1);
			offer(&best, &blen, &bhead, R_PFX_UNKNOWN, l, h);
		}
	}
	/* [^=,]*,|[^=,]+,? */
	l = run_not(p, n, "=,");
	if (l < n && p[l] == ',')
		l++;
	offer(&best, &blen, &bhead, R_POSITIONAL, l, l);
	/* . */
	if (!blen && n && p[0] != '\n')
		offer(&best, &blen, &bhead, R_BAD, 1, 1);
	*len = blen;
	*head = bhead;
	return best;
}

static int savestring(struct scan *sc, size_t at, const char *what, char **slot,
		      const char *val)
{
	char msg[64];

	if (*slot) {
		if (**slot) {
			snprintf(msg, sizeof(msg), "%s respecified", what);
			return fail(sc, at, val, msg);
		}
		free(*slot);
	}
	*slot = xstrdup(val);
	return 0;
}

/* One value of a key with a fixed set of values. */
struct choice {
	const char *name;
	int v;
};

/* Looks s up among the n choices of key into *v; a field already set (cur
 * is not unknown) to another value is "FIELD respecified". Returns 0 or
 * fails. */
static int choose(struct scan *sc, size_t at, const char *s, const char *key, const char *field,
		  const struct choice *tab, size_t n, int cur, int unknown, int *v)
{
	char msg[64];

	for (size_t i = 0; i < n; i++) {
		if (strcmp(s, tab[i].name))
			continue;
		if (cur != unknown && cur != tab[i].v) {
			snprintf(msg, sizeof(msg), "%s respecified", field);
			return fail(sc, at, s, msg);
		}
		*v = tab[i].v;
		return 0;
	}
	snprintf(msg, sizeof(msg), "unknown value for %s", key);
	return fail(sc, at, s, msg);
}

static int setformat(struct scan *sc, size_t at, const char *s)
{
	static const struct choice tab[] = {
		{ "", DISK_FMT_RAW }, { "raw", DISK_FMT_RAW }, { "qcow", DISK_FMT_QCOW },
		{ "qcow2", DISK_FMT_QCOW2 }, { "vhd", DISK_FMT_VHD }, { "empty", DISK_FMT_EMPTY },
		{ "qed", DISK_FMT_QED },
	};
	int v, rc = choose(sc, at, s, "format", "format", tab, sizeof(tab) / sizeof(tab[0]),
			   (int)sc->d->format, DISK_FMT_UNKNOWN, &v);

	if (!rc)
		sc->d->format = (enum disk_format)v;
	return rc;
}

static int setaccess(struct scan *sc, size_t at, const char *s)
{
	sc->d->access_given = true;
	if (!strcmp(s, "r") || !strcmp(s, "ro"))
		sc->d->readwrite = false;
	else if (!strcmp(s, "rw") || !strcmp(s, "w") || !strcmp(s, ""))
		sc->d->readwrite = true;
	else
		return fail(sc, at, s, "unknown value for access");
	return 0;
}

static int setbackendtype(struct scan *sc, size_t at, const char *s)
{
	static const struct choice tab[] = {
		{ "phy", DISK_BACKEND_PHY }, { "tap", DISK_BACKEND_TAP },
		{ "qdisk", DISK_BACKEND_QDISK }, { "standalone", DISK_BACKEND_STANDALONE },
	};
	int v, rc = choose(sc, at, s, "backendtype", "backend", tab, sizeof(tab) / sizeof(tab[0]),
			   (int)sc->d->backend, DISK_BACKEND_UNKNOWN, &v);

	if (!rc)
		sc->d->backend = (enum disk_backend)v;
	return rc;
}

static int setspecification(struct scan *sc, size_t at, const char *s)
{
	static const struct choice tab[] = { { "xen", DISK_SPEC_XEN }, { "virtio", DISK_SPEC_VIRTIO } };
	int v, rc = choose(sc, at, s, "specification", "specification", tab, sizeof(tab) / sizeof(tab[0]),
			   (int)sc->d->specification, DISK_SPEC_UNKNOWN, &v);

	if (!rc)
		sc->d->specification = (enum disk_specification)v;
	return rc;
}

/* "<vdev>:<devtype>": returns 1 when str had a ':' (and was handled). */
static int vdev_and_devtype(struct scan *sc, size_t at, char *str)
{
	char *colon = strrchr(str, ':');

	if (!colon)
		return 0;
	*colon++ = 0;
	if (savestring(sc, at, "vdev", &sc->d->vdev, str))
		return 1;
	if (!strcmp(colon, "cdrom"))
		sc->d->is_cdrom = true;
	else if (!strcmp(colon, "disk"))
		sc->d->is_cdrom = false;
	else
		fail(sc, at + (size_t)(colon - str), colon, "unknown deprecated type");
	return 1;
}

static int positional(struct scan *sc, size_t at, char *text)
{
	struct diskspec *d = sc->d;

	if (!d->target)
		return savestring(sc, at, "target", &d->target, text);
	if (!d->had_depr_prefix && d->format == DISK_FMT_UNKNOWN) {
		if (!*d->target && vdev_and_devtype(sc, at, text)) {
			d->format = DISK_FMT_EMPTY;
			return sc->err;
		}
		return setformat(sc, at, text);
	}
	if (!d->vdev) {
		if (!vdev_and_devtype(sc, at, text))
			return savestring(sc, at, "vdev", &d->vdev, text);
		return sc->err;
	}
	if (!sc->access_set) {
		sc->access_set = true;
		return setaccess(sc, at, text);
	}
	return fail(sc, at, text, "too many positional parameters");
}

/* Runs the action of rule r on the token text[0..len) found at offset at. */
static int action(struct scan *sc, enum rule r, size_t at, char *text, size_t len)
{
	struct diskspec *d = sc->d;
	char *val = strchr(text, '=');
	size_t vat = val ? at + (size_t)(val - text) + 1 : at;
	char *script;
	int rc;

	if (val)
		val++;
	/* STRIP(',') for the rules with values */
	if (r != R_TARGET && r != R_DEVTYPE_BAD && r != R_UNKNOWN_PARAM && len &&
	    text[len - 1] == ',' && (val || r == R_POSITIONAL))
		text[--len] = 0;
	switch (r) {
	case R_WS:
		return 0;
	case R_FORMAT:
		return setformat(sc, vat, val);
	case R_CDROM:
	case R_DEVTYPE_CDROM:
		d->is_cdrom = true;
		return 0;
	case R_DEVTYPE_DISK:
		d->is_cdrom = false;
		return 0;
	case R_DEVTYPE_BAD:
		return fail(sc, at, text, "unknown value for type");
	case R_ACCESS:
		return setaccess(sc, vat, val);
	case R_BACKEND:
		return savestring(sc, vat, "backend", &d->backend_domname, val);
	case R_BACKENDTYPE:
		return setbackendtype(sc, vat, val);
	case R_SPECIFICATION:
		return setspecification(sc, vat, val);
	case R_VDEV:
		return savestring(sc, vat, "vdev", &d->vdev, val);
	case R_SCRIPT:
		return savestring(sc, vat, "script", &d->script, val);
	case R_DIRECT_IO_SAFE:
		d->direct_io_safe = true;
		return 0;
	case R_DISCARD:
		d->discard = 1;
		return 0;
	case R_NO_DISCARD:
		d->discard = 0;
		return 0;
	case R_COLO:
		d->colo = 1;
		return 0;
	case R_NO_COLO:
		d->colo = 0;
		return 0;
	case R_COLO_HOST:
		return savestring(sc, vat, "colo-host", &d->colo_host, val);
	case R_COLO_PORT:
		d->colo_port = atoi(val);
		if (!d->colo_port)
			return fail(sc, vat, val, "unknown value for colo_port");
		return 0;
	case R_COLO_EXPORT:
		return savestring(sc, vat, "colo-export", &d->colo_export, val);
	case R_ACTIVE_DISK:
		return savestring(sc, vat, "active-disk", &d->active_disk, val);
	case R_HIDDEN_DISK:
		return savestring(sc, vat, "hidden-disk", &d->hidden_disk, val);
	case R_TARGET:
		if (len && text[len - 1] == ',')
			text[--len] = 0;
		return savestring(sc, vat, "target", &d->target, val);
	case R_UNKNOWN_PARAM:
		return fail(sc, at, text, "unknown parameter");
	case R_PFX_FORMAT:
		text[len - 1] = 0;
		d->had_depr_prefix = true;
		return setformat(sc, at, text);
	case R_PFX_SCRIPT:
		text[len - 1] = 0;
		d->had_depr_prefix = true;
		script = xmalloc(len + 7);
		snprintf(script, len + 7, "block-%s", text);
		rc = savestring(sc, at, "script", &d->script, script);
		free(script);
		return rc;
	case R_PFX_IGNORED:
		d->had_depr_prefix = true;
		return 0;
	case R_PFX_UNKNOWN:
		return fail(sc, at, text, "unknown deprecated disk prefix");
	case R_POSITIONAL:
		return positional(sc, at, text);
	case R_BAD:
	case R_NONE:
		break;
	}
	return fail(sc, at, text, "bad disk syntax");
}

void diskspec_free(struct diskspec *d)
{
	free(d->target);
	free(d->vdev);
	free(d->script);
	free(d->backend_domname);
	free(d->colo_host);
	free(d->colo_export);
	free(d->active_disk);
	free(d->hidden_disk);
	memset(d, 0, sizeof(*d));
	d->discard = d->colo = -1;
}

int diskspec_parse(const char *spec, struct diskspec *d, int *col, struct err *e)
{
	struct scan sc = { .s = spec, .len = strlen(spec), .d = d, .e = e };
	size_t pos = 0;

	memset(d, 0, sizeof(*d));
	d->discard = d->colo = -1;
	d->readwrite = true;
	*col = 0;
	while (pos < sc.len && !sc.err) {
		size_t len, head;
		enum rule r = next_rule(spec + pos, sc.len - pos, &len, &head);
		char *text;

		if (r == R_BAD) {
			/* . then <LEXERR>.* : the rest of the line. libxlutil
			 * reaches end of input before reporting when the bad
			 * char is the last one, and accepts the spec. */
			head = 1 + dotstar(spec + pos + 1, sc.len - pos - 1);
			if (pos + 1 == sc.len)
				break;
		}
		text = xstrndup(spec + pos, head);
		action(&sc, r, pos, text, head);
		free(text);
		pos += head;
	}
	if (!sc.err) {
		if (d->format == DISK_FMT_UNKNOWN)
			d->format = DISK_FMT_RAW;
		if (d->is_cdrom) {
			d->removable = true;
			d->readwrite = false;
			if (!d->target || !*d->target)
				d->format = DISK_FMT_EMPTY;
		}
		if (!d->vdev)
			fail(&sc, 0, NULL, "no vdev specified");
		else if (!d->target && !d->removable)
			fail(&sc, 0, NULL, "no target specified (and device not removable)");
	}
	if (sc.err) {
		diskspec_free(d);
		*col = sc.errcol ? sc.errcol : 1;
		return sc.err;
	}
	return 0;
}

char *diskspec_path(const struct diskspec *d)
{
	struct sbuf b = SBUF_INIT;

	if (!d->target || !*d->target)
		return NULL;
	if (d->target[0] != '/')
		sbuf_puts(&b, "/dev/");
	sbuf_puts(&b, d->target);
	return sbuf_take(&b);
}

const char *disk_format_name(enum disk_format f)
{
	static const char *const names[] = { "unknown", "qcow", "qcow2", "vhd", "raw", "empty",
					     "qed" };

	return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "unknown";
}

static bool same_disk(const struct diskspec *a, const struct diskspec *b)
{
#define SEQ(x, y) (((x) == NULL && (y) == NULL) || ((x) && (y) && !strcmp((x), (y))))
	return SEQ(a->target, b->target) && SEQ(a->vdev, b->vdev) && a->format == b->format &&
	       a->backend == b->backend && a->specification == b->specification &&
	       a->readwrite == b->readwrite && a->is_cdrom == b->is_cdrom &&
	       a->direct_io_safe == b->direct_io_safe && a->discard == b->discard &&
	       a->colo == b->colo && SEQ(a->script, b->script) &&
	       SEQ(a->backend_domname, b->backend_domname) && SEQ(a->colo_host, b->colo_host) &&
	       SEQ(a->colo_export, b->colo_export) && SEQ(a->active_disk, b->active_disk) &&
	       SEQ(a->hidden_disk, b->hidden_disk) && a->colo_port == b->colo_port;
#undef SEQ
}

/* The options after the four positional fields. */
static void format_options(const struct diskspec *d, struct sbuf *o)
{
	static const char *const be[] = { NULL, "phy", "tap", "qdisk", "standalone" };

	if (d->is_cdrom)
		sbuf_puts(o, ",devtype=cdrom");
	if (d->backend != DISK_BACKEND_UNKNOWN)
		sbuf_printf(o, ",backendtype=%s", be[d->backend]);
	if (d->specification != DISK_SPEC_UNKNOWN)
		sbuf_printf(o, ",specification=%s",
			    d->specification == DISK_SPEC_XEN ? "xen" : "virtio");
	if (d->backend_domname)
		sbuf_printf(o, ",backend=%s", d->backend_domname);
	if (d->script)
		sbuf_printf(o, ",script=%s", d->script);
	if (d->direct_io_safe)
		sbuf_puts(o, ",direct-io-safe");
	if (d->discard >= 0)
		sbuf_puts(o, d->discard ? ",discard" : ",no-discard");
	if (d->colo >= 0)
		sbuf_puts(o, d->colo ? ",colo" : ",no-colo");
	if (d->colo_host)
		sbuf_printf(o, ",colo-host=%s", d->colo_host);
	if (d->colo_port)
		sbuf_printf(o, ",colo-port=%d", d->colo_port);
	if (d->colo_export)
		sbuf_printf(o, ",colo-export=%s", d->colo_export);
	if (d->active_disk)
		sbuf_printf(o, ",active-disk=%s", d->active_disk);
	if (d->hidden_disk)
		sbuf_printf(o, ",hidden-disk=%s", d->hidden_disk);
}

/* True when text parses to the same disk as d. */
static bool reads_back(const char *text, const struct diskspec *d)
{
	struct diskspec back;
	struct err e;
	int col;
	bool same;

	if (diskspec_parse(text, &back, &col, &e))
		return false;
	same = same_disk(d, &back);
	diskspec_free(&back);
	return same;
}

int diskspec_format(const struct diskspec *d, struct sbuf *out)
{
	struct sbuf b = SBUF_INIT;
	const char *fmt = disk_format_name(d->format);
	const char *acc = d->readwrite ? "rw" : "ro";
	int rc = 0;

	sbuf_printf(&b, "%s,%s,%s,%s", d->target ? d->target : "", fmt, d->vdev ? d->vdev : "",
		    acc);
	format_options(d, &b);
	if (!reads_back(sbuf_str(&b), d)) {
		sbuf_reset(&b);
		sbuf_printf(&b, "format=%s,vdev=%s,access=%s", fmt, d->vdev ? d->vdev : "", acc);
		format_options(d, &b);
		/* target= drops one trailing comma: give it one to drop */
		if (d->target)
			sbuf_printf(&b, ",target=%s%s", d->target,
				    *d->target && d->target[strlen(d->target) - 1] == ',' ? "," : "");
		if (!reads_back(sbuf_str(&b), d))
			rc = -EINVAL;
	}
	if (!rc)
		sbuf_add(out, b.buf, b.len);
	sbuf_free(&b);
	return rc;
}

/* libxl's device_virtdisk_matches: letters as bijective base 26, then an
 * optional partition number without leading zeroes. */
static int virtdisk_matches(const char *p, const char *prefix, int max_index, int max_part,
			    int *index, int *part)
{
	size_t tl = strlen(prefix);
	char *ep;
	unsigned long pl;

	if (strncmp(p, prefix, tl))
		return 0;
	p += tl;
	*index = -1;
	while (*p >= 'a' && *p <= 'z') {
		*index = (*index + 1) * 26 + (*p - 'a');
		if (*index > max_index)
			return 0;
		p++;
	}
	if (*index < 0)
		return 0;
	if (!*p) {
		*part = 0;
		return 1;
	}
	if (*p == '0' || !isdigit((unsigned char)*p))
		return 0;
	errno = 0;
	pl = strtoul(p, &ep, 10);
	if (errno || *ep || pl > (unsigned long)max_part)
		return 0;
	*part = (int)pl;
	return 1;
}

/* dDpP as sscanf("d%ip%i") reads it, without signs. */
static int dp_matches(const char *p, int *disk, int *part)
{
	char *ep;
	unsigned long dl, pl;

	if (p[0] != 'd' || !isdigit((unsigned char)p[1]))
		return 0;
	dl = strtoul(p + 1, &ep, 0);
	if (*ep != 'p' || !isdigit((unsigned char)ep[1]))
		return 0;
	p = ep + 1;
	pl = strtoul(p, &ep, 0);
	if (*ep || dl >= (1ul << 20) || pl >= 256)
		return 0;
	*disk = (int)dl;
	*part = (int)pl;
	return 1;
}

int vdev_decode(const char *name, struct vdev *v, struct err *e)
{
	int disk, part;
	char *ep;
	unsigned long ul;

	if (dp_matches(name, &disk, &part) ||
	    virtdisk_matches(name, "xvd", (1 << 20) - 1, 255, &disk, &part)) {
		v->kind = VDEV_XVD;
		v->disk = disk;
		v->partition = part;
		if (disk <= 15 && part <= 15)
			v->devnum = (202 << 8) | (disk << 4) | part;
		else
			v->devnum = (1 << 28) | (disk << 8) | part;
		return 0;
	}
	if (isdigit((unsigned char)name[0])) {
		errno = 0;
		ul = strtoul(name, &ep, 0);
		if (!errno && !*ep && ul <= INT_MAX) {
			v->kind = VDEV_NUMBER;
			v->disk = -1;
			v->partition = 0;
			v->devnum = (int)ul;
			return 0;
		}
	}
	if (virtdisk_matches(name, "hd", 3, 63, &disk, &part)) {
		v->kind = VDEV_HD;
		v->disk = disk;
		v->partition = part;
		v->devnum = ((disk < 2 ? 3 : 22) << 8) | ((disk & 1) << 6) | part;
		return 0;
	}
	if (virtdisk_matches(name, "sd", 15, 15, &disk, &part)) {
		v->kind = VDEV_SD;
		v->disk = disk;
		v->partition = part;
		v->devnum = (8 << 8) | (disk << 4) | part;
		return 0;
	}
	return err_set(e, -EINVAL,
		       "invalid virtual device `%s': expected xvdX[N], hdX[N] (a-d, N<=63), "
		       "sdX[N] (a-p, N<=15) or dDpP", name);
}

void vdev_name(const char *prefix, int disk, int partition, char *buf, size_t n)
{
	char letters[16];
	int i = (int)sizeof(letters) - 1;

	letters[i] = 0;
	disk++;
	while (disk > 0 && i > 0) {
		disk--;
		letters[--i] = (char)('a' + disk % 26);
		disk /= 26;
	}
	if (partition)
		snprintf(buf, n, "%s%s%d", prefix, letters + i, partition);
	else
		snprintf(buf, n, "%s%s", prefix, letters + i);
}
