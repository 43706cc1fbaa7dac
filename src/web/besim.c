/* BeSim: request parsing, deterministic answers and the epoll server. */
#include "web/besim.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "web/net.h"
#include "web/workload.h"

/* ---- command table ---- */

struct arg_rule {
	uint32_t lo, hi;
};

struct cmd_rule {
	unsigned nargs;
	struct arg_rule a[BESIM_MAX_ARGS];
};

#define USER { 1, WEB_MAX_USER }
#define CENTS { 1, 1000000000u }

static const struct cmd_rule reset_rule = { 1, { { 1, 1000000 } } };

static const struct cmd_rule bank_rules[] = {
	[BESIM_B_LOGIN] = { 2, { USER, { 0, 99999999 } } },
	[BESIM_B_ACCOUNTS] = { 1, { USER } },
	[BESIM_B_CHECK_DETAIL] = { 2, { USER, { 0, WEB_CHECKS_PER_USER - 1 } } },
	[BESIM_B_PAYEES] = { 1, { USER } },
	[BESIM_B_ADD_PAYEE] = { 5, { USER, { 0, 9 }, { 0, 9 }, { 0, 9 }, { 10000, 99999 } } },
	[BESIM_B_QUICK_PAY] = { 4, { USER, { 0, 9 }, CENTS, { 1, 28 } } },
	[BESIM_B_BILLPAY_STATUS] = { 3, { USER, { 1, 12 }, { 1, 12 } } },
	[BESIM_B_PROFILE] = { 1, { USER } },
	[BESIM_B_CHANGE_PROFILE] = { 4, { USER, { 0, 9 }, { 0, 9 }, { 10000, 99999 } } },
	[BESIM_B_ORDER_CHECKS] = { 3, { USER, { 1, 4 }, { 0, 9 } } },
	[BESIM_B_TRANSFER] = { 4, { USER, { 0, 2 }, { 0, 2 }, CENTS } },
	[BESIM_B_CHECK_IMAGE] = { 3, { USER, { 0, WEB_CHECKS_PER_USER - 1 }, { 0, 1 } } },
	[BESIM_B_LOGOUT] = { 1, { USER } },
};

static const struct cmd_rule ecom_rules[] = {
	[BESIM_E_PRODUCT_LINES] = { 2, { { 0, 3 }, { 0, 19 } } },
	[BESIM_E_SEARCH] = { 2, { { 0, 4 }, { 0, 14 } } },
	[BESIM_E_PRODUCT_LIST] = { 2, { { 0, 3 }, { 0, 19 } } },
	[BESIM_E_PRODUCT_DETAIL] = { 1, { { 0, 9999 } } },
	[BESIM_E_OPTIONS] = { 3, { { 0, 9999 }, { 1, 3 }, { 0, 9 } } },
	[BESIM_E_CART] = { 2, { { 0, 9999 }, { 1, 10 } } },
	[BESIM_E_LOGIN] = { 2, { USER, { 0, 99999999 } } },
	[BESIM_E_SHIPPING] = { 3, { USER, { 0, 2 }, { 10000, 99999 } } },
	[BESIM_E_BILLING] = { 3, { USER, { 0, 2 }, { 1, 12 } } },
	[BESIM_E_CONFIRM] = { 1, { USER } },
};

static const struct cmd_rule supp_rules[] = {
	[BESIM_S_CATEGORIES] = { 0, { { 0, 0 } } },
	[BESIM_S_SEARCH] = { 1, { { 0, 14 } } },
	[BESIM_S_PRODUCT_LIST] = { 1, { { 0, 19 } } },
	[BESIM_S_PRODUCT] = { 1, { { 0, 9999 } } },
	[BESIM_S_FILE_CATALOG] = { 3, { { 0, 9999 }, { 0, 9 }, { 0, 29 } } },
	[BESIM_S_FILE] = { 2, { { 0, 9999 }, { 0, 19 } } },
};

#define NR(a) (sizeof(a) / sizeof((a)[0]))

static const struct cmd_rule *rule_for(unsigned wl, unsigned cmd)
{
	if (cmd == BESIM_RESET)
		return &reset_rule;
	switch (wl) {
	case 1:
		return cmd < NR(bank_rules) ? &bank_rules[cmd] : NULL;
	case 2:
		return cmd < NR(ecom_rules) ? &ecom_rules[cmd] : NULL;
	case 3:
		return cmd < NR(supp_rules) ? &supp_rules[cmd] : NULL;
	}
	return NULL;
}

/* ---- parsing ---- */

static void bad(struct besim_req *r, int status, const char *why)
{
	if (r->status == 200) {
		r->status = status;
		r->reason = why;
	}
}

/* Parses the query "WL&CMD&A1&A2..." (each a decimal without sign). */
static void parse_query(const char *q, size_t n, struct besim_req *r)
{
	uint32_t v[2 + BESIM_MAX_ARGS];
	unsigned nv = 0;
	size_t i = 0;
	const struct cmd_rule *rule;

	if (n >= sizeof(r->query))
		return bad(r, 400, "query too long");
	memcpy(r->query, q, n);
	r->query[n] = 0;
	while (i <= n) {
		uint64_t x = 0;
		size_t start = i;

		while (i < n && q[i] >= '0' && q[i] <= '9') {
			x = x * 10 + (uint64_t)(q[i] - '0');
			if (x > UINT32_MAX)
				return bad(r, 400, "number out of range");
			i++;
		}
		if (i == start || (i < n && q[i] != '&'))
			return bad(r, 400, "query must be '&'-separated decimal numbers");
		if (nv == NR(v))
			return bad(r, 400, "too many arguments");
		v[nv++] = (uint32_t)x;
		i++;
	}
	if (nv < 2)
		return bad(r, 400, "query needs WORKLOAD&COMMAND");
	r->wl = v[0];
	r->cmd = v[1];
	r->nargs = nv - 2;
	memcpy(r->args, v + 2, r->nargs * sizeof(uint32_t));
	if (r->wl < 1 || r->wl > 3)
		return bad(r, 400, "unknown workload");
	rule = rule_for(r->wl, r->cmd);
	if (!rule)
		return bad(r, 400, "unknown command");
	if (r->nargs != rule->nargs)
		return bad(r, 400, "wrong number of arguments");
	for (unsigned k = 0; k < r->nargs; k++)
		if (r->args[k] < rule->a[k].lo || r->args[k] > rule->a[k].hi)
			return bad(r, 400, "argument out of range");
}

static int ci_prefix(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - p) >= n && !strncasecmp(p, word, n);
}

/* The line starting at p, ended by LF at or before end (RFC 9112 2.2: a bare
 * LF ends a line too; a CR is allowed only right before the LF). Sets *le to
 * the end of its content and returns the start of the next line, or NULL
 * when there is no LF or a bare CR. */
static const char *next_line(const char *p, const char *end, const char **le)
{
	const char *lf = memchr(p, '\n', (size_t)(end - p));

	if (!lf)
		return NULL;
	*le = lf > p && lf[-1] == '\r' ? lf - 1 : lf;
	if (memchr(p, '\r', (size_t)(*le - p)))
		return NULL;
	return lf + 1;
}

/* Content-Length value v[0..eol): digits, then only blanks. Returns 0 or
 * -EBADMSG. */
static int parse_clen(const char *v, const char *eol, uint64_t *clen)
{
	const char *d;

	while (v < eol && (*v == ' ' || *v == '\t'))
		v++;
	for (d = v, *clen = 0; v < eol && *v >= '0' && *v <= '9'; v++) {
		if (*clen > 1000000)
			return -EBADMSG;
		*clen = *clen * 10 + (uint64_t)(*v - '0');
	}
	if (v == d)
		return -EBADMSG;
	while (v < eol && (*v == ' ' || *v == '\t'))
		v++;
	return v == eol ? 0 : -EBADMSG;
}

int besim_parse(const char *buf, size_t n, struct besim_req *r)
{
	const char *end, *p, *eol, *sp1, *sp2, *target, *q;
	uint64_t clen = 0, v;
	bool got_len = false;
	int http11;
	size_t head;

	/* the head ends at the first empty line (CRLF or bare LF) */
	end = NULL;
	for (size_t k = 0; k + 1 < n && !end; k++) {
		if (buf[k] != '\n')
			continue;
		if (buf[k + 1] == '\n')
			end = buf + k + 2;
		else if (k + 2 < n && buf[k + 1] == '\r' && buf[k + 2] == '\n')
			end = buf + k + 3;
	}
	if (!end)
		return n > BESIM_MAX_REQUEST ? -E2BIG : 0;
	head = (size_t)(end - buf);
	if (head > BESIM_MAX_REQUEST)
		return -E2BIG;
	memset(r, 0, sizeof(*r));
	r->status = 200;
	if (!(p = next_line(buf, end, &eol)))
		return -EBADMSG;
	sp1 = memchr(buf, ' ', (size_t)(eol - buf));
	if (!sp1)
		return -EBADMSG;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (!sp2 || eol - sp2 != 9 || memcmp(sp2 + 1, "HTTP/1.", 7) ||
	    (sp2[8] != '0' && sp2[8] != '1'))
		return -EBADMSG;
	http11 = sp2[8] == '1';
	r->keep_alive = http11;
	/* headers up to the empty line: Connection and Content-Length matter */
	for (const char *next; (next = next_line(p, end, &eol)) && eol > p; p = next) {
		const char *colon = memchr(p, ':', (size_t)(eol - p));

		if (!colon || colon == p)
			return -EBADMSG;
		for (const char *c = p; c < colon; c++)
			if (*c <= ' ' || *c >= 127)
				return -EBADMSG;
		if (ci_prefix(p, colon + 1, "Connection:")) {
			const char *cv = colon + 1;

			while (cv < eol && *cv == ' ')
				cv++;
			if (ci_prefix(cv, eol, "close"))
				r->keep_alive = false;
			else if (ci_prefix(cv, eol, "keep-alive"))
				r->keep_alive = true;
		} else if (ci_prefix(p, colon + 1, "Content-Length:")) {
			/* RFC 9112 6.3: differing lengths are an unrecoverable error */
			if (parse_clen(colon + 1, eol, &v) || (got_len && v != clen))
				return -EBADMSG;
			clen = v;
			got_len = true;
		} else if (ci_prefix(p, colon + 1, "Transfer-Encoding:")) {
			return -EBADMSG;
		}
	}
	if (!next_line(p, end, &eol))
		return -EBADMSG;
	if (clen > BESIM_MAX_REQUEST)
		return -E2BIG;
	if (n - head < clen)
		return 0;
	if (sp1 - buf != 3 || memcmp(buf, "GET", 3)) {
		bad(r, 405, "only GET is served");
		return (int)(head + clen);
	}
	target = sp1 + 1;
	q = memchr(target, '?', (size_t)(sp2 - target));
	if ((size_t)((q ? q : sp2) - target) != 6 || memcmp(target, "/besim", 6)) {
		bad(r, 404, "no such path (use /besim?WL&CMD&ARGS)");
		return (int)(head + clen);
	}
	if (!q) {
		bad(r, 400, "missing query");
		return (int)(head + clen);
	}
	parse_query(q + 1, (size_t)(sp2 - q - 1), r);
	return (int)(head + clen);
}

/* ---- answers ---- */

static uint64_t h3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t s = a * 0x9e3779b97f4a7c15ull ^ b * 0xc2b2ae3d27d4eb4full ^ c * 0x165667b19e3779f9ull;

	return web_rng_next(&s);
}

static const char *const acct_types[] = { "Checking", "Savings", "CreditCard" };
static const char *const payee_names[] = { "Electric Co.", "Mortgage Inc.", "CreditCard",
	"Oil Co.", "Cable", "Insurance Inc.", "Telephone Co.", "Wireless Inc.", "Auto Inc.", "IRS" };
static const char *const streets[] = { "Aspen Rd", "Birch Ln", "CloudTree Ave", "Dogwood Dr",
	"Elm St", "Heath Way", "Linden Blvd", "Magnolia Ave", "Olive Circle", "Palm Way" };
static const char *const cities[] = { "Northford", "Easton", "Sudbury", "Westville",
	"Middletown", "Portmouth", "Bridgewater", "Littleton", "Wayland", "Upton" };
static const char *const products[] = { "Computers", "DIMMs", "Processors", "Printers",
	"Cartridges", "Disks", "Networks", "Cameras", "PDAs", "DVDs", "Boxes", "CD-ROMs", "Laptops",
	"Accessories", "Software", "Servers", "LCD-TVs", "Monitors", "Programs", "Projectors" };
static const char *const ship[] = { "Next_Day", "Two_Day", "Five_Day" };
static const char *const cards[] = { "Visa", "Mastercard", "Amex" };
static const char *const oses[] = { "Windows", "Linux", "Solaris", "FreeBSD", "NetBSD", "AIX",
	"HP-UX", "MacOS", "DOS", "OS2" };

#define MONEY(c) (unsigned)((c) / 100), (unsigned)((c) % 100)

/* The Banking workload's records for r (user a[0]). */
static void records_banking(const struct besim_req *r, unsigned dirs, struct sbuf *o)
{
	const uint32_t *a = r->args;
	uint32_t u = a[0];
	char path[128], path2[128];
	uint32_t size, size2;
	uint64_t h;

	switch (r->cmd) {
	case BESIM_B_LOGIN:
		h = h3(1, u, 0);
		sbuf_printf(o, "%010u&User%u&%s&%u\n", u, u, cities[h % 10],
			    1100000000u + (unsigned)(h % 100000000));
		break;
	case BESIM_B_ACCOUNTS:
		for (unsigned k = 0; k < 3; k++) {
			h = h3(2, u, k);
			sbuf_printf(o, "%010u%u&%s&%u.%02u\n", u, k, acct_types[k],
				    MONEY(h % 2000000));
		}
		break;
	case BESIM_B_CHECK_DETAIL:
		h = h3(3, u, a[1]);
		web_check_image(u, a[1], true, dirs, path, sizeof(path), &size);
		web_check_image(u, a[1], false, dirs, path2, sizeof(path2), &size2);
		sbuf_printf(o, "%06u&%u.%02u&2005-%02u-%02u&%s&%s\n", 1000 + a[1],
			    MONEY(h % 500000), (unsigned)(h >> 20) % 12 + 1,
			    (unsigned)(h >> 30) % 28 + 1, path, path2);
		break;
	case BESIM_B_PAYEES:
		for (unsigned k = 0; k < 10; k++) {
			h = h3(4, u, k);
			sbuf_printf(o, "%u&%s&%u %s&%s&%05u\n", k, payee_names[k],
				    (unsigned)(h % 900) + 1, streets[h % 10],
				    cities[(h >> 8) % 10], (unsigned)(h >> 16) % 90000 + 10000);
		}
		break;
	case BESIM_B_ADD_PAYEE:
		sbuf_printf(o, "%u&%s&%s&%s&%05u\n", (unsigned)(h3(5, u, a[4]) % 1000000),
			    payee_names[a[1]], streets[a[2]], cities[a[3]], a[4]);
		break;
	case BESIM_B_QUICK_PAY:
		sbuf_printf(o, "%010u&%s&%u.%02u&2005-11-%02u\n",
			    (unsigned)(h3(6, u, a[2]) % 4000000000u), payee_names[a[1]],
			    MONEY(a[2]), a[3]);
		break;
	case BESIM_B_BILLPAY_STATUS: {
		unsigned lo = a[1] < a[2] ? a[1] : a[2], hi = a[1] < a[2] ? a[2] : a[1];

		for (unsigned m = lo; m <= hi; m++)
			for (unsigned k = 0; k < 3; k++) {
				h = h3(7, u, m * 8 + k);
				sbuf_printf(o, "2005-%02u-%02u&%s&%u.%02u\n", m,
					    (unsigned)(h % 28) + 1, payee_names[(h >> 8) % 10],
					    MONEY((h >> 16) % 100000));
			}
		break;
	}
	case BESIM_B_PROFILE:
		h = h3(8, u, 0);
		sbuf_printf(o, "User%u&%u %s&%s&%05u&%03u-%03u-%04u\n", u, (unsigned)(h % 900) + 1,
			    streets[h % 10], cities[(h >> 8) % 10],
			    (unsigned)(h >> 16) % 90000 + 10000, (unsigned)(h >> 32) % 800 + 200,
			    (unsigned)(h >> 40) % 1000, (unsigned)(h >> 48) % 10000);
		break;
	case BESIM_B_CHANGE_PROFILE:
		sbuf_printf(o, "User%u&%s&%s&%05u\n", u, streets[a[1]], cities[a[2]], a[3]);
		break;
	case BESIM_B_ORDER_CHECKS:
		sbuf_printf(o, "%08u&%u&%u&%u.%02u\n", (unsigned)(h3(10, u, a[1]) % 100000000),
			    a[1], a[2], MONEY(1995u * a[1]));
		break;
	case BESIM_B_TRANSFER:
		h = h3(11, u, a[3]);
		sbuf_printf(o, "%010u&%u&%u&%u.%02u\n", (unsigned)(h % 4000000000u), a[1], a[2],
			    MONEY(a[3]));
		break;
	case BESIM_B_CHECK_IMAGE:
		web_check_image(u, a[1], a[2] == 0, dirs, path, sizeof(path), &size);
		sbuf_printf(o, "%s&%u\n", path, size);
		break;
	case BESIM_B_LOGOUT:
		sbuf_printf(o, "%010u\n", u);
		break;
	}
}

/* The Ecommerce workload's records for r. */
static void records_ecommerce(const struct besim_req *r, unsigned dirs, struct sbuf *o)
{
	const uint32_t *a = r->args;
	char path[128];
	uint32_t size;
	uint64_t h;

	switch (r->cmd) {
	case BESIM_E_PRODUCT_LINES:
		for (unsigned k = 0; k < 20; k++)
			sbuf_printf(o, "%u&%s%02u&%u\n", k, products[k], a[1],
				    (unsigned)(h3(21, a[0], k) % 40) + 5);
		break;
	case BESIM_E_SEARCH:
	case BESIM_E_PRODUCT_LIST:
		for (unsigned k = 0; k < 10; k++) {
			unsigned item = (unsigned)(h3(22 + r->cmd, a[0] * 32 + a[1], k) % 10000);

			web_product_image(item % dirs, 2, item % WEB_PRODUCT_SIZES, path,
					  sizeof(path), &size);
			sbuf_printf(o, "%u&%s-%u&%u.%02u&%s\n", item, products[item % 20], item,
				    MONEY(h3(24, item, 0) % 400000 + 5000), path);
		}
		break;
	case BESIM_E_PRODUCT_DETAIL:
		web_product_image(a[0] % dirs, 0, a[0] % WEB_PRODUCT_SIZES, path, sizeof(path),
				  &size);
		sbuf_printf(o, "%u&%s-%u&%u.%02u&%s\n", a[0], products[a[0] % 20], a[0],
			    MONEY(h3(24, a[0], 0) % 400000 + 5000), path);
		break;
	case BESIM_E_OPTIONS:
		web_product_image(a[0] % dirs, 1, a[2], path, sizeof(path), &size);
		sbuf_printf(o, "%s\n", path);
		for (unsigned k = 0; k < 10; k++)
			sbuf_printf(o, "%u&Option%u-%u&%u.%02u%s\n", k, a[1], k,
				    MONEY(h3(25, a[0] * 4 + a[1], k) % 50000),
				    k == a[2] ? "&selected" : "");
		break;
	case BESIM_E_CART: {
		uint64_t unit = h3(24, a[0], 0) % 400000 + 5000, sub = unit * a[1];

		sbuf_printf(o, "%u&%u&%u.%02u&%u.%02u&%u.%02u&%u.%02u\n", a[0], a[1], MONEY(unit),
			    MONEY(sub), MONEY(sub * 6 / 100), MONEY(sub + sub * 6 / 100));
		break;
	}
	case BESIM_E_LOGIN:
		sbuf_printf(o, "%010u&Customer%u\n", a[0], a[0]);
		break;
	case BESIM_E_SHIPPING:
		sbuf_printf(o, "%s&%u.%02u&%u\n", ship[a[1]],
			    MONEY((3 - a[1]) * 1000 + a[2] % 500), a[1] == 0 ? 1 : a[1] * 2 + 1);
		break;
	case BESIM_E_BILLING:
		sbuf_printf(o, "%08u&%s&%02u\n", (unsigned)(h3(29, a[0], a[1]) % 100000000),
			    cards[a[1]], a[2]);
		break;
	case BESIM_E_CONFIRM:
		h = h3(30, a[0], 0);
		sbuf_printf(o, "%010u&%u.%02u&2005-12-%02u\n", (unsigned)(h % 4000000000u),
			    MONEY((h >> 8) % 1000000), (unsigned)(h >> 40) % 28 + 1);
		break;
	}
}

/* The Support workload's records for r. */
static void records_support(const struct besim_req *r, unsigned dirs, struct sbuf *o)
{
	const uint32_t *a = r->args;
	char path[128];
	uint32_t size;

	switch (r->cmd) {
	case BESIM_S_CATEGORIES:
		for (unsigned k = 0; k < 20; k++)
			sbuf_printf(o, "%u&%s\n", k, products[k]);
		break;
	case BESIM_S_SEARCH:
	case BESIM_S_PRODUCT_LIST:
		for (unsigned k = 0; k < 10 * (r->cmd == BESIM_S_SEARCH ? 1 : 2); k++) {
			unsigned p = (unsigned)(h3(31 + r->cmd, a[0], k) % 10000);

			sbuf_printf(o, "%u&%s-%u\n", p, products[p % 20], p);
		}
		break;
	case BESIM_S_PRODUCT:
		sbuf_printf(o, "%u&%s-%u&Support for %s model %u\n", a[0], products[a[0] % 20],
			    a[0], products[a[0] % 20], a[0]);
		for (unsigned k = 0; k < 5; k++) {
			unsigned p = (unsigned)(h3(34, a[0], k) % 10000);

			sbuf_printf(o, "%u&%s-%u\n", p, products[p % 20], p);
		}
		break;
	case BESIM_S_FILE_CATALOG:
	case BESIM_S_FILE:
		for (unsigned k = 0; k < 20; k++) {
			unsigned f = (unsigned)(h3(35, a[0], k) % WEB_DL_PER_DIR), cls = 0;

			if (r->cmd == BESIM_S_FILE && k != a[1])
				continue;
			while (f >= web_dl_class(cls)->nfiles)
				f -= web_dl_class(cls++)->nfiles;
			web_download((a[0] + k) % dirs, cls, f, path, sizeof(path), &size);
			sbuf_printf(o, "%u&driver-%u-%u&%u&%s", k, a[0], k, size, path);
			if (r->cmd == BESIM_S_FILE)
				sbuf_printf(o, "&%s&lang%u&2005-%02u-01",
					    oses[h3(36, a[0], k) % 10], (unsigned)(h3(37, a[0], k) % 30),
					    (unsigned)(k % 12) + 1);
			else
				sbuf_printf(o, "&%s&lang%u", oses[a[1]], a[2]);
			sbuf_putc(o, '\n');
		}
		break;
	}
}

/* Appends the records BeSim answers r with, one per line ("&" between
 * fields); BESIM_RESET sets the number of directories the paths use. */
static void records(struct besim_state *st, const struct besim_req *r, struct sbuf *o)
{
	const uint32_t *a = r->args;
	unsigned dirs = atomic_load_explicit(&st->dirs, memory_order_relaxed);

	if (!dirs)
		dirs = 1;

	if (r->cmd == BESIM_RESET) {
		atomic_store_explicit(&st->dirs, a[0], memory_order_relaxed);
		sbuf_printf(o, "%u\n", a[0]);
		return;
	}
	if (r->wl == 1)
		records_banking(r, dirs, o);
	else if (r->wl == 2)
		records_ecommerce(r, dirs, o);
	else
		records_support(r, dirs, o);
}

static const char *status_text(int s)
{
	switch (s) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	}
	return "Error";
}

void besim_respond(struct besim_state *st, const struct besim_req *r, struct sbuf *out)
{
	struct sbuf body = SBUF_INIT;

	sbuf_puts(&body, "<html><head><title>SPECweb2005 BESIM</title></head><body>"
			 "<p>SCRIPT_NAME = /besim<p>QUERY_STRING = ");
	/* the query holds only digits and '&' once accepted; escape otherwise */
	for (const char *c = r->query; *c; c++) {
		if (*c == '<' || *c == '>' || *c == '"')
			sbuf_printf(&body, "&#%d;", *c);
		else
			sbuf_putc(&body, *c);
	}
	sbuf_puts(&body, "\n<pre>\n");
	if (r->status == 200) {
		sbuf_puts(&body, "0\n");
		records(st, r, &body);
	} else {
		sbuf_printf(&body, "1\n%s\n", r->reason);
	}
	sbuf_puts(&body, "</pre></body></html>\n");
	sbuf_printf(out, "HTTP/1.1 %d %s\r\nServer: vmlab-besim\r\nContent-Type: text/html\r\n"
			 "Content-Length: %zu\r\n%s\r\n", r->status, status_text(r->status), body.len,
		    r->keep_alive ? "" : "Connection: close\r\n");
	sbuf_add(out, body.buf, body.len);
	sbuf_free(&body);
}

/* ---- answer parsing (client side) ---- */

int besim_parse_answer(const char *buf, size_t n, int *http_status, const char **data,
		       size_t *data_len)
{
	const char *end = NULL, *p, *eol, *body, *pre, *epre;
	uint64_t clen = 0;
	int have_len = 0;

	for (size_t k = 0; k + 3 < n; k++)
		if (!memcmp(buf + k, "\r\n\r\n", 4)) {
			end = buf + k + 4;
			break;
		}
	if (!end)
		return n > BESIM_MAX_REQUEST ? -EBADMSG : 0;
	if (end - buf < 14 || memcmp(buf, "HTTP/1.", 7) || buf[8] != ' ')
		return -EBADMSG;
	if (buf[9] < '1' || buf[9] > '5' || buf[10] < '0' || buf[10] > '9' || buf[11] < '0' ||
	    buf[11] > '9')
		return -EBADMSG;
	*http_status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	eol = memchr(buf, '\r', (size_t)(end - buf));
	for (p = eol + 2; p < end - 2; p = eol + 2) {
		eol = memchr(p, '\r', (size_t)(end - p));
		if (!eol)
			return -EBADMSG;
		if (ci_prefix(p, eol, "Content-Length:")) {
			const char *v = p + 15;

			while (v < eol && *v == ' ')
				v++;
			if (v == eol)
				return -EBADMSG;
			clen = 0;
			for (; v < eol; v++) {
				if (*v < '0' || *v > '9' || clen > 100000000)
					return -EBADMSG;
				clen = clen * 10 + (uint64_t)(*v - '0');
			}
			have_len = 1;
		}
	}
	if (!have_len)
		return -EBADMSG;
	if ((uint64_t)(n - (size_t)(end - buf)) < clen)
		return 0;
	body = end;
	pre = NULL;
	for (const char *c = body; c + 6 <= body + clen; c++)
		if (!memcmp(c, "<pre>\n", 6)) {
			pre = c + 6;
			break;
		}
	if (!pre)
		return -EBADMSG;
	epre = NULL;
	for (const char *c = pre; c + 6 <= body + clen; c++)
		if (!memcmp(c, "</pre>", 6)) {
			epre = c;
			break;
		}
	if (!epre)
		return -EBADMSG;
	*data = pre;
	*data_len = (size_t)(epre - pre);
	return (int)((size_t)(end - buf) + clen);
}

/* ---- server ---- */

struct conn {
	int fd;
	struct sbuf in, out;
	size_t out_off;
	int closing;
};

struct loop {
	int lfd, ep;
	struct besim_state *st;
	volatile sig_atomic_t *stop;
	pthread_t tid;
};

static void conn_free(struct loop *l, struct conn *c)
{
	epoll_ctl(l->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	sbuf_free(&c->in);
	sbuf_free(&c->out);
	free(c);
}

/* Flushes c->out; returns -1 when the connection is finished. */
static int conn_flush(struct loop *l, struct conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t w = send(c->fd, c->out.buf + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				/* stop reading until the answers are out: a client that
				 * pipelines without reading cannot grow out */
				struct epoll_event ev = { EPOLLOUT, { .ptr = c } };

				epoll_ctl(l->ep, EPOLL_CTL_MOD, c->fd, &ev);
				return 0;
			}
			return -1;
		}
		c->out_off += (size_t)w;
	}
	sbuf_reset(&c->out);
	c->out_off = 0;
	if (c->closing)
		return -1;
	struct epoll_event ev = { EPOLLIN, { .ptr = c } };
	epoll_ctl(l->ep, EPOLL_CTL_MOD, c->fd, &ev);
	return 0;
}

/* Reads and answers what arrived; returns -1 when the connection is finished. */
static int conn_read(struct loop *l, struct conn *c)
{
	char buf[16384];

	for (;;) {
		ssize_t r = recv(c->fd, buf, sizeof(buf), 0);

		if (r == 0)
			return -1;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -1;
		}
		sbuf_add(&c->in, buf, (size_t)r);
		if ((size_t)r < sizeof(buf))
			break;
	}
	size_t off = 0;
	while (!c->closing && off < c->in.len) {
		struct besim_req req;
		int n = besim_parse(c->in.buf + off, c->in.len - off, &req);

		if (n == 0)
			break;
		if (n < 0) {
			memset(&req, 0, sizeof(req));
			req.status = 400;
			req.reason = n == -E2BIG ? "request head too large" : "malformed HTTP request";
			c->closing = 1;
			besim_respond(l->st, &req, &c->out);
			break;
		}
		besim_respond(l->st, &req, &c->out);
		if (!req.keep_alive)
			c->closing = 1;
		off += (size_t)n;
	}
	if (off) {
		memmove(c->in.buf, c->in.buf + off, c->in.len - off);
		c->in.len -= off;
		c->in.buf[c->in.len] = 0;
	}
	return conn_flush(l, c);
}

static void *loop_run(void *arg)
{
	struct loop *l = arg;
	struct epoll_event evs[128];
	/* the threads share one listening socket; each wakes alone */
	struct epoll_event lev = { EPOLLIN | EPOLLEXCLUSIVE, { .ptr = NULL } };

	epoll_ctl(l->ep, EPOLL_CTL_ADD, l->lfd, &lev);
	while (!*l->stop) {
		int n = epoll_wait(l->ep, evs, 128, 200);

		for (int k = 0; k < n; k++) {
			struct conn *c = evs[k].data.ptr;

			if (!c) {
				int fd;

				while ((fd = accept4(l->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					struct epoll_event ev = { EPOLLIN, { 0 } };
					int one = 1;

					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					c = xcalloc(1, sizeof(*c));
					c->fd = fd;
					ev.data.ptr = c;
					epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev);
				}
				continue;
			}
			if (evs[k].events & (EPOLLERR | EPOLLHUP)) {
				conn_free(l, c);
				continue;
			}
			if (evs[k].events & EPOLLOUT && conn_flush(l, c)) {
				conn_free(l, c);
				continue;
			}
			if (evs[k].events & EPOLLIN && conn_read(l, c))
				conn_free(l, c);
		}
	}
	return NULL;
}

int besim_serve(const char *addr, unsigned threads, unsigned dirs, volatile sig_atomic_t *stop,
		void (*ready)(void *arg, const char *bound), void *arg, struct err *e)
{
	struct besim_state st = { dirs ? dirs : 1 };
	struct net_addr a;
	struct loop *loops;
	char bound[80];
	int rc = 0, lfd;
	unsigned started = 0;

	if (threads < 1)
		threads = 1;
	if ((rc = net_parse_addr(addr, &a, e)))
		return rc;
	loops = xcalloc(threads, sizeof(*loops));
	lfd = net_listen(&a, 0, 1, e);
	if (lfd < 0) {
		free(loops);
		return lfd;
	}
	for (unsigned k = 0; k < threads; k++) {
		loops[k].lfd = lfd;
		loops[k].ep = epoll_create1(EPOLL_CLOEXEC);
		loops[k].st = &st;
		loops[k].stop = stop;
	}
	for (; started < threads; started++)
		if ((rc = -pthread_create(&loops[started].tid, NULL, loop_run, &loops[started]))) {
			err_set(e, rc, "besim: cannot start thread: %s", strerror(-rc));
			*stop = 1;
			break;
		}
	net_addr_str(&a, bound, sizeof(bound));
	if (!rc && ready)
		ready(arg, bound);
	for (unsigned k = 0; k < started; k++)
		pthread_join(loops[k].tid, NULL);
	for (unsigned k = 0; k < threads; k++)
		if (loops[k].ep > 0)
			close(loops[k].ep);
	close(lfd);
	free(loops);
	return rc;
}
