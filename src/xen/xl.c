/* Parsers of `xl` output (tools/xl formats of Xen 4.17) and the xl runner. */
#include "xen/xl.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/json.h"
#include "base/proc.h"
#include "base/shquote.h"
#include "base/text.h"

#define XL_TIMEOUT_MS 60000

/* Lines of a text, with the whitespace-separated words of each. */
struct words {
	const char *line;
	size_t len;
	int n;
	const char *w[16];
	size_t wl[16];
};

/* Splits a line into at most 16 words (-E2BIG past that). */
static int split(const char *l, size_t n, struct words *w)
{
	size_t k = 0;

	w->line = l;
	w->len = n;
	w->n = 0;
	for (;;) {
		while (k < n && isspace((unsigned char)l[k]))
			k++;
		if (k == n)
			return 0;
		if (w->n == 16)
			return -E2BIG;
		w->w[w->n] = l + k;
		while (k < n && !isspace((unsigned char)l[k]))
			k++;
		w->wl[w->n] = (size_t)(l + k - w->w[w->n]);
		w->n++;
	}
}

/* Whether the n > 0 bytes at w (not NUL-terminated) are all in set. */
static int all_of(const char *w, size_t n, const char *set)
{
	for (size_t k = 0; k < n; k++)
		if (!w[k] || !strchr(set, w[k]))
			return 0;
	return n > 0;
}

static int is_blank(const char *l, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (!isspace((unsigned char)l[k]))
			return 0;
	return 1;
}

/* Parses a whole word as a non-negative decimal integer. */
static int word_long(const char *w, size_t n, long *v)
{
	long r = 0;

	if (!n || n > 18)
		return -1;
	for (size_t k = 0; k < n; k++) {
		if (!isdigit((unsigned char)w[k]))
			return -1;
		r = r * 10 + (w[k] - '0');
	}
	*v = r;
	return 0;
}

static int word_double(const char *w, size_t n, double *v)
{
	char buf[40], *end;

	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, w, n);
	buf[n] = 0;
	if (!isdigit((unsigned char)buf[0]) && buf[0] != '-')
		return -1;
	*v = strtod(buf, &end);
	return *end ? -1 : 0;
}

/* The name column: everything before word k, trimmed. */
static char *name_before(const struct words *w, int k)
{
	const char *s = w->line, *e = w->w[k];

	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	while (s < e && isspace((unsigned char)*s))
		s++;
	return xstrndup(s, (size_t)(e - s));
}

static int col_of(const struct words *w, int k)
{
	return (int)(w->w[k] - w->line) + 1;
}

static int bad(struct err *e, const char *name, int line, int col, const char *what)
{
	return err_at(e, -EBADMSG, name, line, col, "%s", what);
}

/* A table xl prints: a header line starting "Name" and naming col, then
 * rows; blank lines are skipped. */
struct table {
	const char *text, *name;
	size_t len, pos;
	int lineno, header;
	const char *col, *header_msg, *row_msg;
	int min_words;
};

/* The next row of t split into w. Returns 1, 0 at the end, or -EBADMSG (e
 * names the line) for a wrong header or a row of fewer than min_words. */
static int next_row(struct table *t, struct words *w, struct err *e)
{
	const char *line;
	size_t n;

	while (text_next_line(t->text, t->len, &t->pos, &line, &n)) {
		t->lineno++;
		if (is_blank(line, n))
			continue;
		if (!t->header) {
			if (n < 4 || memcmp(line, "Name", 4) || !memmem(line, n, t->col, strlen(t->col)))
				return bad(e, t->name, t->lineno, 1, t->header_msg);
			t->header = 1;
			continue;
		}
		if (split(line, n, w) < 0 || w->n < t->min_words)
			return bad(e, t->name, t->lineno, 1, t->row_msg);
		return 1;
	}
	return 0;
}

/* Word k of w as a number <= max into *v; else -EBADMSG naming its column. */
static int field_long(const struct words *w, int k, long max, const struct table *t, long *v,
		      const char *what, struct err *e)
{
	if (word_long(w->w[k], w->wl[k], v) || *v > max)
		return bad(e, t->name, t->lineno, col_of(w, k), what);
	return 0;
}

/* Word k of w as seconds >= 0 into *v, else an error at its column. */
static int field_secs(const struct words *w, int k, const struct table *t, double *v, struct err *e)
{
	if (word_double(w->w[k], w->wl[k], v) || *v < 0)
		return bad(e, t->name, t->lineno, col_of(w, k), "time is not a number of seconds");
	return 0;
}

/* ---- xl list ---- */

int xl_parse_list(const char *text, size_t len, const char *name, struct xl_domains *out, struct err *e)
{
	struct xl_domains l = { 0 };
	struct table tb = { text, name, len, 0, 0, 0, "State",
		"expected the `xl list` header \"Name ID Mem VCPUs State Time(s)\"",
		"expected NAME ID MEM VCPUS STATE TIME", 6 };
	size_t cap = 0;
	int r;
	struct words w;

	while ((r = next_row(&tb, &w, e)) > 0) {
		int k = w.n - 5;
		long id, mem, vcpus;
		double t;

		if ((r = field_long(&w, k, 65535, &tb, &id, "domain ID is not a number", e)) ||
		    (r = field_long(&w, k + 1, LONG_MAX, &tb, &mem, "memory (MiB) is not a number", e)) ||
		    (r = field_long(&w, k + 2, INT_MAX, &tb, &vcpus, "VCPUs is not a number", e)))
			goto fail;
		if (w.wl[k + 3] != 6 || !all_of(w.w[k + 3], 6, "-rbpscwSd?")) {
			r = bad(e, name, tb.lineno, col_of(&w, k + 3), "state is not 6 of the letters r b p s c w S d or -");
			goto fail;
		}
		if ((r = field_secs(&w, k + 4, &tb, &t, e)))
			goto fail;
		if (l.n == cap) {
			cap = cap ? 2 * cap : 8;
			l.d = xrealloc(l.d, cap * sizeof(*l.d));
		}
		struct xl_domain *d = &l.d[l.n++];

		d->name = name_before(&w, k);
		d->domid = (int)id;
		d->mem_mib = (unsigned long)mem;
		d->vcpus = (int)vcpus;
		memcpy(d->state, w.w[k + 3], 6);
		d->state[6] = 0;
		d->cpu_s = t;
		if (!d->name[0]) {
			r = bad(e, name, tb.lineno, 1, "domain name is empty");
			goto fail;
		}
	}
	if (r < 0)
		goto fail;
	if (!tb.header) {
		r = bad(e, name, tb.lineno ? tb.lineno : 1, 1, "no `xl list` header");
		goto fail;
	}
	*out = l;
	return 0;
fail:
	xl_domains_free(&l);
	return r;
}

void xl_domains_free(struct xl_domains *l)
{
	for (size_t k = 0; k < l->n; k++)
		free(l->d[k].name);
	free(l->d);
	l->d = NULL;
	l->n = 0;
}

/* ---- xl list -l ---- */

static char *str_or_empty(const struct json *obj, const char *key)
{
	const char *s = obj ? json_get_str(obj, key) : NULL;

	return xstrdup(s ? s : "");
}

/* A kibibyte count of 0..2^50, or -1. */
static long long memkb(const struct json *bi, const char *key)
{
	const struct json *v = bi ? json_get(bi, key) : NULL;

	return v && v->type == JSON_NUM && v->num >= 0 && v->num < 1125899906842624.0 ? (long long)v->num : -1;
}

/* Memory, PCI devices and NIC bridges of domain d from its config cfg. */
static int dominfo_rest(const struct json *cfg, const char *name, struct xl_dominfo *d, struct err *e)
{
	const struct json *bi = cfg ? json_get(cfg, "b_info") : NULL, *pci, *nics;

	if (bi && bi->type != JSON_OBJ)
		bi = NULL;
	d->memory_kib = memkb(bi, "max_memkb") >= 0 ? memkb(bi, "max_memkb") : memkb(bi, "target_memkb");
	pci = cfg ? json_get(cfg, "pcidevs") : NULL;
	if (pci && pci->type != JSON_ARR)
		return err_set(e, -EBADMSG, "%s: domain %s: \"pcidevs\" is not an array", name, d->name);
	d->npci = pci ? pci->len : 0;
	nics = cfg ? json_get(cfg, "nics") : NULL;
	if (nics && nics->type != JSON_ARR)
		return err_set(e, -EBADMSG, "%s: domain %s: \"nics\" is not an array", name, d->name);
	if (!nics || !nics->len)
		return 0;
	d->bridges = xcalloc(nics->len, sizeof(*d->bridges));
	for (size_t i = 0; i < nics->len; i++) {
		if (nics->items[i]->type != JSON_OBJ)
			return err_set(e, -EBADMSG, "%s: domain %s: NIC %zu is not an object", name, d->name, i);
		d->bridges[d->nnics++] = str_or_empty(nics->items[i], "bridge");
	}
	return 0;
}

int xl_parse_list_json(const char *text, size_t len, const char *name, struct xl_dominfos *out,
		       struct err *e)
{
	struct xl_dominfos l = { 0 };
	struct json *j = NULL;
	int r;

	if (is_blank(text, len)) {
		*out = l;
		return 0;
	}
	if ((r = json_parse(text, len, name, &j, e)) < 0)
		return r;
	if (j->type != JSON_ARR) {
		json_free(j);
		return err_at(e, -EBADMSG, name, 1, 1, "expected a JSON array of domains (`xl list -l`)");
	}
	l.d = xcalloc(j->len ? j->len : 1, sizeof(*l.d));
	for (size_t k = 0; k < j->len; k++) {
		const struct json *o = j->items[k], *cfg, *id, *disks;
		struct xl_dominfo *d = &l.d[l.n];

		if (o->type != JSON_OBJ) {
			r = err_set(e, -EBADMSG, "%s: element %zu of the array is not an object", name, k);
			goto fail;
		}
		l.n++;
		id = json_get(o, "domid");
		if (id && id->type == JSON_NUM && id->num >= 0 && id->num <= 65535 && id->num == (int)id->num)
			d->domid = (int)id->num;
		else if (!id || id->type == JSON_NULL)
			d->domid = -1;
		else {
			r = err_set(e, -EBADMSG, "%s: element %zu: \"domid\" is not a domain ID", name, k);
			goto fail;
		}
		cfg = json_get(o, "config");
		if (cfg && cfg->type != JSON_OBJ) {
			r = err_set(e, -EBADMSG, "%s: element %zu: \"config\" is not an object", name, k);
			goto fail;
		}
		const struct json *ci = cfg ? json_get(cfg, "c_info") : NULL;

		if (ci && ci->type != JSON_OBJ)
			ci = NULL;
		d->name = str_or_empty(ci, "name");
		d->type = str_or_empty(ci, "type");
		disks = cfg ? json_get(cfg, "disks") : NULL;
		if (disks && disks->type != JSON_ARR) {
			r = err_set(e, -EBADMSG, "%s: domain %s: \"disks\" is not an array", name, d->name);
			goto fail;
		}
		if (disks && disks->len) {
			d->disks = xcalloc(disks->len, sizeof(*d->disks));
			for (size_t i = 0; i < disks->len; i++) {
				const struct json *dk = disks->items[i];

				if (dk->type != JSON_OBJ) {
					r = err_set(e, -EBADMSG, "%s: domain %s: disk %zu is not an object",
						    name, d->name, i);
					goto fail;
				}
				d->disks[d->ndisks].pdev_path = str_or_empty(dk, "pdev_path");
				d->disks[d->ndisks].vdev = str_or_empty(dk, "vdev");
				d->ndisks++;
			}
		}
		if ((r = dominfo_rest(cfg, name, d, e)) < 0)
			goto fail;
	}
	json_free(j);
	*out = l;
	return 0;
fail:
	json_free(j);
	xl_dominfos_free(&l);
	return r;
}

void xl_dominfos_free(struct xl_dominfos *l)
{
	for (size_t k = 0; k < l->n; k++) {
		struct xl_dominfo *d = &l->d[k];

		for (size_t i = 0; i < d->ndisks; i++) {
			free(d->disks[i].pdev_path);
			free(d->disks[i].vdev);
		}
		free(d->disks);
		for (size_t i = 0; i < d->nnics; i++)
			free(d->bridges[i]);
		free(d->bridges);
		free(d->name);
		free(d->type);
	}
	free(l->d);
	l->d = NULL;
	l->n = 0;
}

/* ---- xl info ---- */

int xl_parse_info(const char *text, size_t len, const char *name, struct xl_info *out, struct err *e)
{
	struct xl_info i = { 0 };
	size_t pos = 0, n, cap = 0;
	const char *line;
	int lineno = 0;

	while (text_next_line(text, len, &pos, &line, &n)) {
		const char *colon, *ks, *ke, *vs, *ve;

		lineno++;
		if (is_blank(line, n))
			continue;
		if (!(colon = memchr(line, ':', n)) || colon == line || line[0] == ' ') {
			xl_info_free(&i);
			return bad(e, name, lineno, 1, "expected \"key : value\"");
		}
		ks = line;
		ke = colon;
		while (ke > ks && ke[-1] == ' ')
			ke--;
		vs = colon + 1;
		ve = line + n;
		while (vs < ve && *vs == ' ')
			vs++;
		while (ve > vs && isspace((unsigned char)ve[-1]))
			ve--;
		if (i.n == cap) {
			cap = cap ? 2 * cap : 32;
			i.keys = xrealloc(i.keys, cap * sizeof(char *));
			i.values = xrealloc(i.values, cap * sizeof(char *));
		}
		i.keys[i.n] = xstrndup(ks, (size_t)(ke - ks));
		i.values[i.n] = xstrndup(vs, (size_t)(ve - vs));
		i.n++;
	}
	if (!i.n)
		return bad(e, name, 1, 1, "empty `xl info` output");
	*out = i;
	return 0;
}

const char *xl_info_get(const struct xl_info *i, const char *key)
{
	for (size_t k = 0; k < i->n; k++)
		if (!strcmp(i->keys[k], key))
			return i->values[k];
	return NULL;
}

void xl_info_free(struct xl_info *i)
{
	for (size_t k = 0; k < i->n; k++) {
		free(i->keys[k]);
		free(i->values[k]);
	}
	free(i->keys);
	free(i->values);
	memset(i, 0, sizeof(*i));
}

/* ---- xl sched-credit / sched-credit2 ---- */

/* Parses "KEY=NUMBERunit" words of a Cpupool line. */
static int pool_param(const char *w, size_t n, const char *key, const char *unit, int *v)
{
	size_t kl = strlen(key), ul = strlen(unit);
	long x;

	if (n <= kl + ul || memcmp(w, key, kl) || memcmp(w + n - ul, unit, ul))
		return -1;
	if (word_long(w + kl, n - kl - ul, &x) || x > INT_MAX)
		return -2;
	*v = (int)x;
	return 0;
}

/* Appends to s the pool of the line "Cpupool NAME: params" (line[0..n))
 * with its parameters; 0 or -EBADMSG. */
static int sched_pool(struct xl_sched *s, size_t *pcap, const char *line, size_t n,
		      const char *name, int lineno, struct err *e)
{
	const char *colon = NULL;
	struct xl_sched_pool *p;
	struct words w;

	for (size_t k = n; k > 8; k--)
		if (line[k - 1] == ':') {
			colon = line + k - 1;
			break;
		}
	if (!colon)
		return bad(e, name, lineno, 1, "expected \"Cpupool NAME: params\"");
	if (s->npools == *pcap) {
		*pcap = *pcap ? 2 * *pcap : 4;
		s->pools = xrealloc(s->pools, *pcap * sizeof(*s->pools));
	}
	p = &s->pools[s->npools++];
	memset(p, 0, sizeof(*p));
	p->pool = xstrndup(line + 8, (size_t)(colon - line - 8));
	p->tslice_ms = p->ratelimit_us = p->migration_delay_us = -1;
	/* xl prints this when it cannot read the pool's parameters */
	if (memmem(colon, (size_t)(line + n - colon), "[sched params unavailable]", 26))
		return 0;
	if (split(colon + 1, (size_t)(line + n - colon - 1), &w) < 0)
		return bad(e, name, lineno, 1, "too many pool parameters");
	for (int k = 0; k < w.n; k++) {
		int col = (int)(w.w[k] - line) + 1;

		if (pool_param(w.w[k], w.wl[k], "tslice=", "ms", &p->tslice_ms) &&
		    pool_param(w.w[k], w.wl[k], "ratelimit=", "us", &p->ratelimit_us) &&
		    pool_param(w.w[k], w.wl[k], "migration-delay=", "us", &p->migration_delay_us))
			return bad(e, name, lineno, col, "unknown pool parameter");
	}
	return 0;
}

/* Appends to pool p the domain of the row line[0..n) "NAME ID WEIGHT CAP". */
static int sched_dom(struct xl_sched_pool *p, size_t *dcap, const char *line, size_t n,
		     const struct table *t, struct err *e)
{
	struct words w;
	long id, weight, cap;
	int k, r;

	if (split(line, n, &w) < 0 || w.n < 4)
		return bad(e, t->name, t->lineno, 1, "expected NAME ID WEIGHT CAP");
	k = w.n - 3;
	if ((r = field_long(&w, k, 65535, t, &id, "domain ID is not a number", e)) ||
	    (r = field_long(&w, k + 1, 65535, t, &weight, "weight is not a number in 0..65535", e)) ||
	    (r = field_long(&w, k + 2, 65535, t, &cap, "cap is not a number", e)))
		return r;
	if (p->ndoms == *dcap) {
		*dcap = *dcap ? 2 * *dcap : 8;
		p->doms = xrealloc(p->doms, *dcap * sizeof(*p->doms));
	}
	struct xl_sched_dom *d = &p->doms[p->ndoms++];

	d->name = name_before(&w, k);
	d->domid = (int)id;
	d->weight = (int)weight;
	d->cap = (int)cap;
	return 0;
}

int xl_parse_sched(const char *text, size_t len, const char *name, struct xl_sched *out, struct err *e)
{
	struct xl_sched s = { 0 };
	struct xl_sched_pool *p = NULL;
	struct table tb = { .text = text, .name = name, .len = len };
	size_t n, pcap = 0, dcap = 0;
	const char *line;
	int r;

	while (text_next_line(text, len, &tb.pos, &line, &n)) {
		tb.lineno++;
		if (is_blank(line, n))
			continue;
		if (n > 8 && !memcmp(line, "Cpupool ", 8)) {
			if ((r = sched_pool(&s, &pcap, line, n, name, tb.lineno, e)))
				goto fail;
			p = &s.pools[s.npools - 1];
			dcap = 0;
			tb.header = 0;
			continue;
		}
		if (n >= 4 && !memcmp(line, "Name", 4)) {
			if (!memmem(line, n, "Weight", 6)) {
				r = bad(e, name, tb.lineno, 1, "expected the header \"Name ID Weight Cap\"");
				goto fail;
			}
			if (!p) { /* `xl sched-credit -d DOM` prints no pool line */
				s.pools = xcalloc(1, sizeof(*s.pools));
				pcap = s.npools = 1;
				p = s.pools;
				p->pool = xstrdup("");
				p->tslice_ms = p->ratelimit_us = p->migration_delay_us = -1;
				dcap = 0;
			}
			tb.header = 1;
			continue;
		}
		if (!tb.header) {
			r = bad(e, name, tb.lineno, 1, "domain row before the \"Name ID Weight Cap\" header");
			goto fail;
		}
		if ((r = sched_dom(p, &dcap, line, n, &tb, e)))
			goto fail;
	}
	*out = s;
	return 0;
fail:
	xl_sched_free(&s);
	return r;
}

void xl_sched_free(struct xl_sched *s)
{
	for (size_t k = 0; k < s->npools; k++) {
		for (size_t i = 0; i < s->pools[k].ndoms; i++)
			free(s->pools[k].doms[i].name);
		free(s->pools[k].doms);
		free(s->pools[k].pool);
	}
	free(s->pools);
	memset(s, 0, sizeof(*s));
}

/* ---- xl vcpu-list ---- */

static int affinity_ok(const char *w, size_t n)
{
	if ((n == 3 && !memcmp(w, "all", 3)) || (n == 4 && !memcmp(w, "none", 4)))
		return 1;
	return all_of(w, n, "0123456789,-");
}

int xl_parse_vcpu_list(const char *text, size_t len, const char *name, struct xl_vcpus *out, struct err *e)
{
	struct xl_vcpus l = { 0 };
	struct table tb = { text, name, len, 0, 0, 0, "VCPU",
		"expected the `xl vcpu-list` header \"Name ID VCPU CPU State Time(s) Affinity\"",
		"expected NAME ID VCPU CPU STATE TIME HARD / SOFT", 9 };
	size_t cap = 0;
	int r;
	struct words w;

	while ((r = next_row(&tb, &w, e)) > 0) {
		int k = w.n - 8;
		long id, vcpu, cpu = -1;
		double t;

		if ((r = field_long(&w, k, 65535, &tb, &id, "domain ID is not a number", e)) ||
		    (r = field_long(&w, k + 1, INT_MAX, &tb, &vcpu, "VCPU is not a number", e)))
			goto fail;
		if (!(w.wl[k + 2] == 1 && w.w[k + 2][0] == '-') &&
		    (word_long(w.w[k + 2], w.wl[k + 2], &cpu) || cpu > INT_MAX)) {
			r = bad(e, name, tb.lineno, col_of(&w, k + 2), "CPU is neither a number nor '-'");
			goto fail;
		}
		const char *st = w.w[k + 3];

		if (w.wl[k + 3] != 3 || (st[0] != 'r' && st[0] != '-') || (st[1] != 'b' && st[1] != '-') ||
		    (st[2] != 'p' && st[2] != '-')) {
			r = bad(e, name, tb.lineno, col_of(&w, k + 3), "state is not [r-][b-][p-]");
			goto fail;
		}
		if ((r = field_secs(&w, k + 4, &tb, &t, e)))
			goto fail;
		if (!affinity_ok(w.w[k + 5], w.wl[k + 5]) || w.wl[k + 6] != 1 || w.w[k + 6][0] != '/' ||
		    !affinity_ok(w.w[k + 7], w.wl[k + 7])) {
			r = bad(e, name, tb.lineno, col_of(&w, k + 5), "affinity is not \"HARD / SOFT\" CPU lists");
			goto fail;
		}
		if (l.n == cap) {
			cap = cap ? 2 * cap : 8;
			l.v = xrealloc(l.v, cap * sizeof(*l.v));
		}
		struct xl_vcpu *v = &l.v[l.n++];

		v->name = name_before(&w, k);
		v->domid = (int)id;
		v->vcpu = (int)vcpu;
		v->cpu = (int)cpu;
		memcpy(v->state, st, 3);
		v->state[3] = 0;
		v->cpu_s = t;
		v->hard = xstrndup(w.w[k + 5], w.wl[k + 5]);
		v->soft = xstrndup(w.w[k + 7], w.wl[k + 7]);
	}
	if (r < 0)
		goto fail;
	if (!tb.header) {
		r = bad(e, name, 1, 1, "no `xl vcpu-list` header");
		goto fail;
	}
	*out = l;
	return 0;
fail:
	xl_vcpus_free(&l);
	return r;
}

void xl_vcpus_free(struct xl_vcpus *l)
{
	for (size_t k = 0; k < l->n; k++) {
		free(l->v[k].name);
		free(l->v[k].hard);
		free(l->v[k].soft);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- xl cpupool-list [-c] ---- */

/* The CPU list of -c: CPU numbers joined by commas. */
static int cpus_ok(const char *w, size_t n)
{
	return all_of(w, n, "0123456789,") && w[0] != ',' && w[n - 1] != ',' && !memmem(w, n, ",,", 2);
}

/* Appends the pool of row w (table t; cpus: the -c form) to l. */
static int cpupool_row(struct xl_cpupools *l, size_t *cap, const struct words *w, int cpus,
		       const struct table *t, struct err *e)
{
	struct xl_cpupool p = { .ncpus = -1, .active = -1, .ndoms = -1 };
	long n, d;
	int k, r;

	if (cpus) {
		if (w->n > 2)
			return bad(e, t->name, t->lineno, col_of(w, 2), "expected NAME CPU-LIST");
		if (w->n == 2 && !cpus_ok(w->w[1], w->wl[1]))
			return bad(e, t->name, t->lineno, col_of(w, 1), "CPU list is not CPU numbers joined by ','");
		p.name = xstrndup(w->w[0], w->wl[0]);
		p.cpus = w->n == 2 ? xstrndup(w->w[1], w->wl[1]) : xstrdup("");
	} else {
		if (w->n < 5)
			return bad(e, t->name, t->lineno, 1, "expected NAME CPUS SCHED ACTIVE DOMAINS");
		k = w->n - 4;
		if ((r = field_long(w, k, 65535, t, &n, "CPUs is not a number", e)))
			return r;
		if (w->wl[k + 1] >= sizeof(p.sched) || !w->wl[k + 1])
			return bad(e, t->name, t->lineno, col_of(w, k + 1), "scheduler name is too long");
		if (w->wl[k + 2] != 1 || (w->w[k + 2][0] != 'y' && w->w[k + 2][0] != 'n'))
			return bad(e, t->name, t->lineno, col_of(w, k + 2), "Active is neither y nor n");
		if ((r = field_long(w, k + 3, 65535, t, &d, "domain count is not a number", e)))
			return r;
		memcpy(p.sched, w->w[k + 1], w->wl[k + 1]);
		p.ncpus = (int)n;
		p.active = w->w[k + 2][0] == 'y';
		p.ndoms = (int)d;
		p.name = name_before(w, k);
		if (!p.name[0]) {
			free(p.name);
			return bad(e, t->name, t->lineno, 1, "pool name is empty");
		}
	}
	if (l->n == *cap) {
		*cap = *cap ? 2 * *cap : 4;
		l->p = xrealloc(l->p, *cap * sizeof(*l->p));
	}
	l->p[l->n++] = p;
	return 0;
}

int xl_parse_cpupool_list(const char *text, size_t len, const char *name, struct xl_cpupools *out,
			  struct err *e)
{
	struct xl_cpupools l = { 0 };
	struct table tb = { text, name, len, 0, 0, 0, "C",
		"expected the `xl cpupool-list` header \"Name CPUs Sched ...\" or \"Name CPU list\"",
		"expected a pool row", 1 };
	size_t cap = 0;
	int r, cpus = 0;
	struct words w;

	while ((r = next_row(&tb, &w, e)) > 0) {
		if (l.n == 0 && !cpus) {
			/* the header line tells the form: the table has just read it */
			const char *hd = memmem(text, len, "Name", 4);
			size_t rest = hd ? len - (size_t)(hd - text) : 0;
			const char *nl = hd ? memchr(hd, '\n', rest) : NULL;
			const char *h = hd ? memmem(hd, nl ? (size_t)(nl - hd) : rest, "CPU list", 8) : NULL;

			cpus = h ? 1 : -1;
		}
		if ((r = cpupool_row(&l, &cap, &w, cpus > 0, &tb, e)))
			goto fail;
	}
	if (r < 0)
		goto fail;
	if (!tb.header) {
		r = bad(e, name, 1, 1, "no `xl cpupool-list` header");
		goto fail;
	}
	*out = l;
	return 0;
fail:
	xl_cpupools_free(&l);
	return r;
}

void xl_cpupools_free(struct xl_cpupools *l)
{
	for (size_t k = 0; k < l->n; k++) {
		free(l->p[k].name);
		free(l->p[k].cpus);
	}
	free(l->p);
	memset(l, 0, sizeof(*l));
}

/* ---- xl pci-list ---- */

/* The hex number of exactly n digits at w, at most max, into *v. */
static int hex_exact(const char *w, size_t n, unsigned max, unsigned *v)
{
	unsigned r = 0;

	for (size_t k = 0; k < n; k++) {
		int c = tolower((unsigned char)w[k]);

		if (!isxdigit(c))
			return -1;
		r = r * 16 + (unsigned)(isdigit(c) ? c - '0' : c - 'a' + 10);
	}
	*v = r;
	return n && r <= max ? 0 : -1;
}

/* Parses the host BDF "DDDD:BB:DD.F" of n bytes at w into d. */
static int host_bdf(const char *w, size_t n, struct xl_pcidev *d)
{
	if (n != 12 || w[4] != ':' || w[7] != ':' || w[10] != '.')
		return -1;
	return hex_exact(w, 4, 0xffff, &d->domain) || hex_exact(w + 5, 2, 0xff, &d->bus) ||
	       hex_exact(w + 8, 2, 0x1f, &d->dev) || hex_exact(w + 11, 1, 7, &d->func) ? -1 : 0;
}

/* Parses row w ("VS.F DDDD:BB:DD.F") of line lineno into d. */
static int pci_row(const struct words *w, const char *name, int lineno, struct xl_pcidev *d, struct err *e)
{
	if (w->n != 2)
		return bad(e, name, lineno, 1, "expected VDEV DEVICE, e.g. \"00.0 0000:00:05.0\"");
	if (w->wl[0] != 4 || w->w[0][2] != '.' || hex_exact(w->w[0], 2, 0x1f, &d->vslot) ||
	    hex_exact(w->w[0] + 3, 1, 7, &d->vfunc))
		return bad(e, name, lineno, 1, "Vdev is not SLOT.FUNCTION (hex, slot <= 1f, function <= 7)");
	if (host_bdf(w->w[1], w->wl[1], d))
		return bad(e, name, lineno, col_of(w, 1), "Device is not a BDF DDDD:BB:DD.F");
	return 0;
}

int xl_parse_pci_list(const char *text, size_t len, const char *name, struct xl_pcidevs *out, struct err *e)
{
	struct xl_pcidevs l = { 0 };
	size_t pos = 0, n, cap = 0;
	const char *line;
	int lineno = 0, header = 0, r;
	struct words w;

	while (text_next_line(text, len, &pos, &line, &n)) {
		lineno++;
		if (is_blank(line, n))
			continue;
		if (split(line, n, &w) < 0) {
			r = bad(e, name, lineno, 1, "too many words");
			goto fail;
		}
		if (!header) {
			if (w.n != 2 || w.wl[0] != 4 || memcmp(w.w[0], "Vdev", 4) || w.wl[1] != 6 ||
			    memcmp(w.w[1], "Device", 6)) {
				r = bad(e, name, lineno, 1, "expected the `xl pci-list` header \"Vdev Device\"");
				goto fail;
			}
			header = 1;
			continue;
		}
		if (l.n == cap) {
			cap = cap ? 2 * cap : 4;
			l.d = xrealloc(l.d, cap * sizeof(*l.d));
		}
		if ((r = pci_row(&w, name, lineno, &l.d[l.n], e)))
			goto fail;
		l.n++;
	}
	*out = l;
	return 0;
fail:
	xl_pcidevs_free(&l);
	return r;
}

void xl_pcidevs_free(struct xl_pcidevs *l)
{
	free(l->d);
	memset(l, 0, sizeof(*l));
}

int xl_pcidevs_has(const struct xl_pcidevs *l, const char *bdf)
{
	struct xl_pcidev want;

	if (!bdf || host_bdf(bdf, strlen(bdf), &want))
		return 0;
	for (size_t k = 0; k < l->n; k++)
		if (l->d[k].domain == want.domain && l->d[k].bus == want.bus && l->d[k].dev == want.dev &&
		    l->d[k].func == want.func)
			return 1;
	return 0;
}

/* ---- running xl ---- */

int xl_run(char *const args[], struct sbuf *out, struct err *e)
{
	struct sbuf eout = SBUF_INIT;
	struct proc_opts o = { 0 };
	char *argv[64];
	int n = 0, st = 0, r;

	argv[n++] = "xl";
	for (; args[n - 1] && n < 63; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	o.out = out;
	o.errout = &eout;
	o.timeout_ms = XL_TIMEOUT_MS;
	if ((r = proc_run(argv, &o, &st, e)) < 0)
		goto out;
	if (st) {
		const char *msg = sbuf_str(&eout);
		const char *nl = strchr(msg, '\n');
		char *cmd = shquote_argv(argv);

		r = err_set(e, -EIO, "%s: exit status %d: %.*s", cmd, st, nl ? (int)(nl - msg) : (int)strlen(msg),
			    msg);
		free(cmd);
	}
out:
	sbuf_free(&eout);
	return r;
}

int xl_usable(struct err *e)
{
	struct sbuf out = SBUF_INIT;
	char *args[] = { "info", NULL };
	int r;

	if (!proc_have("xl"))
		return err_set(e, -ENOENT, "xl is not installed");
	r = xl_run(args, &out, e);
	sbuf_free(&out);
	return r;
}

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (stat(a, &sa) == 0 && stat(b, &sb) == 0) {
		if (S_ISBLK(sa.st_mode) && S_ISBLK(sb.st_mode))
			return sa.st_rdev == sb.st_rdev;
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	}
	return !strcmp(a, b);
}

int xl_disk_users(const struct xl_dominfos *l, const char *path, char ***users)
{
	size_t n = 0;
	char **u = xcalloc(1, sizeof(char *));

	for (size_t k = 0; k < l->n; k++)
		for (size_t i = 0; i < l->d[k].ndisks; i++) {
			const struct xl_disk *d = &l->d[k].disks[i];
			struct sbuf s = SBUF_INIT;

			if (!d->pdev_path[0] || !same_file(d->pdev_path, path))
				continue;
			sbuf_printf(&s, "%s (domain %d, disk %s)", l->d[k].name[0] ? l->d[k].name : "?",
				    l->d[k].domid, d->vdev[0] ? d->vdev : "?");
			u = xrealloc(u, (n + 2) * sizeof(char *));
			u[n++] = sbuf_take(&s);
			u[n] = NULL;
		}
	*users = u;
	return (int)n;
}
