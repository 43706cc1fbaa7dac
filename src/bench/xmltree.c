/* xmltree: parse a generated XML document into a tree, transform it (sort
 * children by key, rename elements, add subtree sums) and serialize the
 * result, with many small strings and nodes, like 523.xalancbmk_r. */
#include "bench/rng.h"
#include "bench/suite.h"
#include "base/sbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct xml_size {
	uint32_t elements, passes;
};

static const struct xml_size sizes[BENCH_NSIZES] = {
	{ 3000, 1 },
	{ 60000, 3 },
	{ 100000, 10 },
	{ 200000, 20 },
};

static const char *const tags[] = {
	"item", "entry", "record", "para", "section", "title", "list", "row", "cell", "note",
	"author", "date", "link", "group", "value", "meta",
};
#define NTAGS (sizeof(tags) / sizeof(tags[0]))

struct node {
	char *name;
	char *text;              /* element text before the children, or NULL */
	char *attr[3][2];        /* name/value pairs, NULL when unused */
	long key, sum;
	struct node *child, *next;
};

struct xml {
	const struct xml_size *s;
	char *doc;               /* the input document */
	size_t len;
};

static void gen(struct sbuf *b, struct rng *r, uint32_t *left, int depth)
{
	const char *t = tags[rng_below(r, NTAGS)];
	uint32_t kids = depth > 12 ? 0 : rng_below(r, depth < 2 ? 12 : 6);

	(*left)--;
	sbuf_printf(b, "<%s k=\"%u\"", t, rng_below(r, 100000));
	if (rng_below(r, 2))
		sbuf_printf(b, " class=\"c%u\"", rng_below(r, 40));
	if (!kids && rng_below(r, 3)) {
		sbuf_puts(b, "/>");
		return;
	}
	sbuf_putc(b, '>');
	if (rng_below(r, 2)) {
		uint32_t a = rng_below(r, 1000), c = rng_below(r, 1000);

		sbuf_printf(b, "text %u &amp; more %u", a, c);
	}
	for (uint32_t k = 0; k < kids && *left; k++)
		gen(b, r, left, depth + 1);
	sbuf_printf(b, "</%s>", t);
}

static int xml_setup(const struct bench_params *p, void **state, struct err *e)
{
	struct xml *x = xcalloc(1, sizeof(*x));
	struct sbuf b = SBUF_INIT;
	struct rng r;
	uint32_t left;

	x->s = &sizes[p->size];
	left = x->s->elements;
	rng_seed(&r, p->seed);
	sbuf_puts(&b, "<?xml version=\"1.0\"?><doc>");
	while (left)
		gen(&b, &r, &left, 0);
	sbuf_puts(&b, "</doc>");
	x->len = b.len;
	x->doc = sbuf_take(&b);
	*state = x;
	(void)e;
	return 0;
}

static void node_free(struct node *n)
{
	while (n) {
		struct node *next = n->next;

		node_free(n->child);
		free(n->name), free(n->text);
		for (int k = 0; k < 3; k++)
			free(n->attr[k][0]), free(n->attr[k][1]);
		free(n);
		n = next;
	}
}

static void xml_free(void *state)
{
	struct xml *x = state;

	if (x)
		free(x->doc), free(x);
}

static int is_name(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Parses one element at *pp (which points at '<'); NULL on malformed input. */
static struct node *parse_elem(const char **pp)
{
	const char *p = *pp + 1, *s;
	struct node *n = xcalloc(1, sizeof(*n)), **tail = &n->child;
	int na = 0;

	for (s = p; is_name(*p); p++)
		;
	n->name = xstrndup(s, (size_t)(p - s));
	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '/' && p[1] == '>') {
			*pp = p + 2;
			return n;
		}
		if (*p == '>')
			break;
		for (s = p; is_name(*p); p++)
			;
		if (s == p || p[0] != '=' || p[1] != '"' || na == 3)
			goto bad;
		n->attr[na][0] = xstrndup(s, (size_t)(p - s));
		for (s = p += 2; *p && *p != '"'; p++)
			;
		if (!*p)
			goto bad;
		n->attr[na][1] = xstrndup(s, (size_t)(p - s));
		if (!strcmp(n->attr[na][0], "k"))
			n->key = strtol(n->attr[na][1], NULL, 10);
		na++, p++;
	}
	p++;
	for (s = p; *p && *p != '<'; p++)
		;
	if (p > s)
		n->text = xstrndup(s, (size_t)(p - s));
	while (*p == '<' && p[1] != '/') {
		struct node *c = parse_elem(&p);

		if (!c)
			goto bad;
		*tail = c;
		tail = &c->next;
	}
	if (*p != '<' || strncmp(p + 2, n->name, strlen(n->name)))
		goto bad;
	p += 2 + strlen(n->name);
	if (*p != '>')
		goto bad;
	*pp = p + 1;
	return n;
bad:
	node_free(n);
	return NULL;
}

static struct node *merge(struct node *a, struct node *b)
{
	struct node head, *t = &head;

	while (a && b) {
		if (b->key < a->key)
			t->next = b, b = b->next;
		else
			t->next = a, a = a->next;
		t = t->next;
	}
	t->next = a ? a : b;
	return head.next;
}

/* Stable merge sort of a sibling list by key. */
static struct node *sort(struct node *n)
{
	struct node *slow = n, *fast;

	if (!n || !n->next)
		return n;
	for (fast = n->next; fast && fast->next; fast = fast->next->next)
		slow = slow->next;
	fast = slow->next;
	slow->next = NULL;
	return merge(sort(n), sort(fast));
}

/* The transform: children sorted by key, names rewritten, subtree sums. */
static long transform(struct node *n)
{
	long sum = n->key;
	char buf[64];
	size_t len = strlen(n->name);

	n->child = sort(n->child);
	for (struct node *c = n->child; c; c = c->next)
		sum += transform(c);
	for (size_t k = 0; k < len && k < 60; k++)
		buf[k] = (char)(n->name[k] >= 'a' && n->name[k] <= 'z' ? n->name[k] - 32 : n->name[k]);
	buf[len < 60 ? len : 60] = 0;
	free(n->name);
	n->name = xstrdup(buf);
	n->sum = sum;
	return sum;
}

static void emit(struct sbuf *b, const struct node *n)
{
	sbuf_putc(b, '<');
	sbuf_puts(b, n->name);
	for (int k = 0; k < 3 && n->attr[k][0]; k++)
		sbuf_printf(b, " %s=\"%s\"", n->attr[k][0], n->attr[k][1]);
	sbuf_printf(b, " sum=\"%ld\">", n->sum);
	if (n->text)
		sbuf_puts(b, n->text);
	for (const struct node *c = n->child; c; c = c->next)
		emit(b, c);
	sbuf_printf(b, "</%s>", n->name);
}

static int xml_run(void *state, struct bench_result *r)
{
	struct xml *x = state;
	uint64_t h = 0;

	for (uint32_t pass = 0; pass < x->s->passes; pass++) {
		const char *p = strstr(x->doc, "<doc>");
		struct sbuf out = SBUF_INIT;
		struct node *root;

		if (!p || !(root = parse_elem(&p)))
			return -EBADMSG;
		transform(root);
		emit(&out, root);
		for (size_t k = 0; k + 8 <= out.len; k += 8) {
			uint64_t w;

			memcpy(&w, out.buf + k, 8);
			h = bench_mix(h, w);
		}
		h = bench_mix(h, out.len);
		node_free(root);
		sbuf_free(&out);
	}
	r->checksum = h;
	return 0;
}

BENCH_KERNEL(xmltree, xml,
	     "parse, transform and serialize a generated XML document tree", "523.xalancbmk_r",
	     0x194161e3eae2b29bull, 0x28b1d6ff0f4f9ef1ull, 0xfac685fca415f07aull, 0x7b8d9fb204f361a2ull);
