/* The jbb warehouse: population and the six transactions. */
#include "bench/jbb_impl.h"
#include "base/sbuf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const jbb_tx_names[JBB_NTX] = {
	"new_order", "payment", "order_status", "delivery", "stock_level", "cust_report",
};

const unsigned jbb_deck_counts[JBB_NTX] = { 10, 10, 1, 1, 1, 10 };

const struct jbb_dims jbb_dims_default = {
	.items = 20000, .districts = 10, .customers = 3000, .orders = 4096, .history = 4096,
};

static const char *const syllables[10] = {
	"BAR", "OUGHT", "ABLE", "PRI", "PRES", "ESE", "ANTI", "CALLY", "ATION", "EING",
};

static uint32_t uniform(struct jbb_wh *w, uint32_t lo, uint32_t hi)
{
	return lo + rng_below(&w->rng, hi - lo + 1);
}

/* TPC-C's non-uniform random NURand(A, 0, n-1). */
static uint32_t nurand(struct jbb_wh *w, uint32_t a, uint32_t n)
{
	return ((uniform(w, 0, a) | uniform(w, 0, n - 1)) + w->nurand_c) % n;
}

static void random_text(struct jbb_wh *w, char *s, size_t size)
{
	size_t n = size / 2 + rng_below(&w->rng, (uint32_t)(size / 2));

	for (size_t k = 0; k < n; k++)
		s[k] = (char)('a' + rng_below(&w->rng, 26));
	s[n] = 0;
}

/* The last name of number num (TPC-C's three syllables) into s[16+]. */
static void last_name(unsigned num, char s[24])
{
	snprintf(s, 24, "%s%s%s", syllables[num / 100], syllables[num / 10 % 10], syllables[num % 10]);
}

static void mix(struct jbb_wh *w, uint64_t v)
{
	w->digest = (w->digest ^ v) * 0x100000001b3ull;
}

static int dims_check(const struct jbb_dims *d, struct err *e)
{
	if (d->items < 100 || d->items > 10000000)
		return err_set(e, -EINVAL, "items %u: must be 100..10000000", d->items);
	if (d->districts < 1 || d->districts > 100)
		return err_set(e, -EINVAL, "districts %u: must be 1..100", d->districts);
	if (d->customers < 10 || d->customers > 100000)
		return err_set(e, -EINVAL, "customers %u: must be 10..100000", d->customers);
	if (d->orders < 64 || d->orders > 1000000)
		return err_set(e, -EINVAL, "orders %u: must be 64..1000000", d->orders);
	if (d->history < 64 || d->history > 1000000)
		return err_set(e, -EINVAL, "history %u: must be 64..1000000", d->history);
	return 0;
}

static void *alloc(struct jbb_wh *w, size_t n, size_t size)
{
	void *p = calloc(n, size);

	w->bytes += n * size;
	return p;
}

static struct jbb_wh *wh_alloc(const struct jbb_dims *d)
{
	struct jbb_wh *w = calloc(1, sizeof(*w));
	bool ok;

	if (!w)
		return NULL;
	w->dims = *d;
	w->items = alloc(w, d->items, sizeof(*w->items));
	w->stock = alloc(w, d->items, sizeof(*w->stock));
	w->dist = alloc(w, d->districts, sizeof(*w->dist));
	ok = w->items && w->stock && w->dist;
	for (unsigned k = 0; ok && k < d->districts; k++) {
		struct jbb_district *t = &w->dist[k];
		t->orders = alloc(w, d->orders, sizeof(*t->orders));
		t->hist = alloc(w, d->history, sizeof(*t->hist));
		t->cust = alloc(w, d->customers, sizeof(*t->cust));
		t->by_last = alloc(w, d->customers, sizeof(*t->by_last));
		ok = t->orders && t->hist && t->cust && t->by_last;
	}
	if (!ok) {
		jbb_wh_free(w);
		return NULL;
	}
	return w;
}

void jbb_wh_free(struct jbb_wh *w)
{
	if (!w)
		return;
	for (unsigned k = 0; w->dist && k < w->dims.districts; k++) {
		free(w->dist[k].orders);
		free(w->dist[k].hist);
		free(w->dist[k].cust);
		free(w->dist[k].by_last);
	}
	free(w->dist);
	free(w->items);
	free(w->stock);
	free(w);
}

size_t jbb_wh_bytes(const struct jbb_wh *w)
{
	return w->bytes;
}

uint64_t jbb_wh_digest(const struct jbb_wh *w)
{
	return w->digest;
}

static void add_history(struct jbb_wh *w, struct jbb_district *t, uint32_t c, uint32_t amount)
{
	struct jbb_history *h = &t->hist[t->hist_next % w->dims.history];

	if (t->hist_next >= w->dims.history) {
		t->arch_hist_rows++;
		t->arch_hist_amount += h->amount;
	}
	h->customer = c;
	h->amount = amount;
	snprintf(h->data, sizeof(h->data), "%.10s    %.8s", w->items[c % w->dims.items].name,
		 t->cust[c].first);
	t->hist_next++;
}

static int by_last_cmp(const void *a, const void *b, void *ctx)
{
	const struct jbb_customer *cust = ctx;
	const struct jbb_customer *x = &cust[*(const uint32_t *)a];
	const struct jbb_customer *y = &cust[*(const uint32_t *)b];

	if (x->last != y->last)
		return x->last < y->last ? -1 : 1;
	return strcmp(x->first, y->first);
}

static void populate_customers(struct jbb_wh *w, struct jbb_district *t)
{
	for (uint32_t c = 0; c < w->dims.customers; c++) {
		struct jbb_customer *u = &t->cust[c];
		u->balance = -1000;
		u->ytd_payment = 1000;
		u->payment_cnt = 1;
		u->discount = uniform(w, 0, 5000);
		u->last = (uint16_t)(c < 1000 ? c : nurand(w, 255, 1000));
		strcpy(u->credit, rng_below(&w->rng, 10) ? "GC" : "BC");
		random_text(w, u->first, sizeof(u->first));
		random_text(w, u->data, sizeof(u->data));
		t->by_last[c] = c;
		t->ytd += 1000;
		add_history(w, t, c, 1000);
	}
	qsort_r(t->by_last, w->dims.customers, sizeof(*t->by_last), by_last_cmp, t->cust);
}

/* A customer of district t: 60% by last name (the middle one of that name,
 * as TPC-C), else (and when no one has the name) by number. */
static uint32_t pick_customer(struct jbb_wh *w, const struct jbb_district *t)
{
	uint32_t n = w->dims.customers, lo = 0, hi = n, first, num;

	if (rng_below(&w->rng, 100) >= 60)
		return nurand(w, 1023, n);
	num = nurand(w, 255, 1000);
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (t->cust[t->by_last[mid]].last < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < n && t->cust[t->by_last[lo]].last == num)
		lo++;
	if (lo == first)
		return nurand(w, 1023, n);
	return t->by_last[first + (lo - first - 1) / 2];
}

/* Enters an order of customer c in district t: 5..15 lines of NURand items,
 * the stock updated (TPC-C's restock of 91 below 10). -ENOSPC when the
 * order ring holds only undelivered orders. */
static int enter_order(struct jbb_wh *w, struct jbb_district *t, uint32_t c)
{
	const struct jbb_dims *d = &w->dims;
	struct jbb_order *o;
	uint64_t taxed;

	if (t->next_order - t->first_live == d->orders) {
		if (t->first_live >= t->oldest_undelivered)
			return -ENOSPC;
		o = &t->orders[t->first_live % d->orders];
		t->arch_orders++;
		t->arch_lines += o->nlines;
		for (unsigned k = 0; k < o->nlines; k++)
			t->arch_qty += o->lines[k].quantity;
		t->arch_amount += o->amount;
		t->first_live++;
	}
	o = &t->orders[t->next_order % d->orders];
	memset(o, 0, sizeof(*o));
	o->id = t->next_order;
	o->customer = c;
	o->nlines = (uint8_t)uniform(w, JBB_MIN_LINES, JBB_MAX_LINES);
	for (unsigned k = 0; k < o->nlines; k++) {
		struct jbb_line *l = &o->lines[k];
		struct jbb_stock *s;
		l->item = nurand(w, 8191, d->items);
		l->quantity = (uint16_t)uniform(w, 1, 10);
		l->amount = l->quantity * w->items[l->item].price;
		s = &w->stock[l->item];
		if (s->quantity >= (int32_t)l->quantity + 10) {
			s->quantity -= l->quantity;
		} else {
			s->quantity += JBB_RESTOCK - l->quantity;
			s->restocks++;
		}
		s->ytd += l->quantity;
		s->order_cnt++;
		o->amount += l->amount;
	}
	taxed = o->amount * (10000 - t->cust[c].discount) / 10000 * (10000 + w->tax + t->tax) / 10000;
	mix(w, taxed);
	t->cust[c].last_order = o->id + 1;
	t->next_order++;
	return 0;
}

/* Delivers district t's oldest undelivered order, if any, by carrier. */
static void deliver_one(struct jbb_district *t, const struct jbb_dims *d, uint8_t carrier)
{
	struct jbb_order *o;
	struct jbb_customer *u;

	if (t->oldest_undelivered == t->next_order)
		return;
	o = &t->orders[t->oldest_undelivered % d->orders];
	o->carrier = carrier;
	for (unsigned k = 0; k < o->nlines; k++)
		o->lines[k].delivered = 1;
	u = &t->cust[o->customer];
	u->balance += (int64_t)o->amount;
	u->delivery_cnt++;
	t->oldest_undelivered++;
}

static void populate_items(struct jbb_wh *w)
{
	for (unsigned i = 0; i < w->dims.items; i++) {
		struct jbb_item *it = &w->items[i];
		struct jbb_stock *s = &w->stock[i];
		it->price = uniform(w, 100, 10000);
		random_text(w, it->name, sizeof(it->name));
		random_text(w, it->data, sizeof(it->data));
		s->quantity = s->init_quantity = (int32_t)uniform(w, 10, 100);
		for (unsigned k = 0; k < 10; k++)
			random_text(w, s->dist[k], sizeof(s->dist[k]));
		random_text(w, s->data, sizeof(s->data));
	}
}

/* Populates w: items and stock, then per district its customers (each with
 * one history row of 1000), then 3/4 of its order ring entered by the
 * transactions' own code, the older 70% of them delivered. */
static void populate(struct jbb_wh *w)
{
	const struct jbb_dims *d = &w->dims;

	w->tax = uniform(w, 0, 2000);
	w->nurand_c = uniform(w, 0, 255);
	populate_items(w);
	for (unsigned k = 0; k < d->districts; k++) {
		struct jbb_district *t = &w->dist[k];
		unsigned n = d->orders / 4 * 3;
		t->tax = uniform(w, 0, 2000);
		populate_customers(w, t);
		for (unsigned i = 0; i < n; i++)
			(void)enter_order(w, t, i % d->customers);
		for (unsigned i = 0; i < n * 7 / 10; i++)
			deliver_one(t, d, (uint8_t)uniform(w, 1, 10));
		w->ytd += t->ytd;
	}
}

int jbb_wh_new(const struct jbb_dims *d, uint64_t seed, struct jbb_wh **out, struct err *e)
{
	struct jbb_wh *w;
	int rc = dims_check(d, e);

	*out = NULL;
	if (rc)
		return rc;
	w = wh_alloc(d);
	if (!w)
		return err_set(e, -ENOMEM, "a warehouse of %u items and %u customers: out of memory",
			       d->items, d->districts * d->customers);
	rng_seed(&w->rng, seed);
	populate(w);
	w->deck_pos = JBB_DECK;
	*out = w;
	return 0;
}

enum jbb_tx jbb_wh_draw(struct jbb_wh *w)
{
	if (w->deck_pos == JBB_DECK) {
		unsigned n = 0;
		for (unsigned t = 0; t < JBB_NTX; t++)
			for (unsigned k = 0; k < jbb_deck_counts[t]; k++)
				w->deck[n++] = (uint8_t)t;
		for (unsigned k = JBB_DECK - 1; k > 0; k--) {
			unsigned j = rng_below(&w->rng, k + 1);
			uint8_t x = w->deck[k];
			w->deck[k] = w->deck[j];
			w->deck[j] = x;
		}
		w->deck_pos = 0;
	}
	return (enum jbb_tx)w->deck[w->deck_pos++];
}

static struct jbb_district *pick_district(struct jbb_wh *w)
{
	return &w->dist[rng_below(&w->rng, w->dims.districts)];
}

static void payment(struct jbb_wh *w)
{
	struct jbb_district *t = pick_district(w);
	uint32_t c = pick_customer(w, t), amount = uniform(w, 100, 500000);
	struct jbb_customer *u = &t->cust[c];

	w->ytd += amount;
	t->ytd += amount;
	u->balance -= amount;
	u->ytd_payment += amount;
	u->payment_cnt++;
	if (u->credit[0] == 'B') {
		char note[64];
		int n = snprintf(note, sizeof(note), "%u %u %u ", c, (unsigned)(t - w->dist), amount);
		memmove(u->data + n, u->data, sizeof(u->data) - (size_t)n - 1);
		memcpy(u->data, note, (size_t)n);
		u->data[sizeof(u->data) - 1] = 0;
	}
	add_history(w, t, c, amount);
}

/* Formats the lines of order o (if still kept) into out; returns their count. */
static unsigned format_order(const struct jbb_wh *w, const struct jbb_district *t, uint64_t id,
			     struct sbuf *out)
{
	const struct jbb_order *o;

	if (id < t->first_live || id >= t->next_order)
		return 0;
	o = &t->orders[id % w->dims.orders];
	sbuf_printf(out, "<order id=\"%llu\" carrier=\"%u\">", (unsigned long long)o->id, o->carrier);
	for (unsigned k = 0; k < o->nlines; k++)
		sbuf_printf(out, "<line item=\"%u\" qty=\"%u\" amount=\"%u\" name=\"%s\"/>",
			    o->lines[k].item, o->lines[k].quantity, o->lines[k].amount,
			    w->items[o->lines[k].item].name);
	sbuf_puts(out, "</order>");
	return o->nlines;
}

static void digest_text(struct jbb_wh *w, const struct sbuf *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t k = 0; k < s->len; k++)
		h = (h ^ (uint8_t)s->buf[k]) * 0x100000001b3ull;
	mix(w, h);
}

static void order_status(struct jbb_wh *w)
{
	struct jbb_district *t = pick_district(w);
	const struct jbb_customer *u = &t->cust[pick_customer(w, t)];
	struct sbuf out = SBUF_INIT;

	sbuf_printf(&out, "<customer last=\"%u\" balance=\"%lld\">", u->last, (long long)u->balance);
	if (u->last_order)
		(void)format_order(w, t, u->last_order - 1, &out);
	digest_text(w, &out);
	sbuf_free(&out);
}

static void delivery(struct jbb_wh *w)
{
	uint8_t carrier = (uint8_t)uniform(w, 1, 10);

	for (unsigned k = 0; k < w->dims.districts; k++)
		deliver_one(&w->dist[k], &w->dims, carrier);
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The distinct items of district t's last 20 orders whose stock is below a
 * threshold of 10..20. */
static void stock_level(struct jbb_wh *w)
{
	const struct jbb_district *t = pick_district(w);
	int32_t threshold = (int32_t)uniform(w, 10, 20);
	uint32_t items[20 * JBB_MAX_LINES];
	unsigned n = 0, low = 0;
	uint64_t from = t->next_order >= 20 ? t->next_order - 20 : 0;

	if (from < t->first_live)
		from = t->first_live;
	for (uint64_t id = from; id < t->next_order; id++) {
		const struct jbb_order *o = &t->orders[id % w->dims.orders];
		for (unsigned k = 0; k < o->nlines; k++)
			items[n++] = o->lines[k].item;
	}
	qsort(items, n, sizeof(*items), u32_cmp);
	for (unsigned k = 0; k < n; k++)
		if ((k == 0 || items[k] != items[k - 1]) && w->stock[items[k]].quantity < threshold)
			low++;
	mix(w, low);
}

/* A customer's report: its last 5 payments among the district's recent
 * history rows and its last order. */
static void cust_report(struct jbb_wh *w)
{
	struct jbb_district *t = pick_district(w);
	uint32_t c = pick_customer(w, t);
	const struct jbb_customer *u = &t->cust[c];
	struct sbuf out = SBUF_INIT;
	unsigned found = 0;
	uint64_t kept = t->hist_next < w->dims.history ? t->hist_next : w->dims.history;
	char last[24];

	last_name(u->last, last);
	sbuf_printf(&out, "<report customer=\"%u\" name=\"%s %s\" credit=\"%s\" balance=\"%lld\" "
		    "ytd=\"%llu\">", c, u->first, last, u->credit, (long long)u->balance,
		    (unsigned long long)u->ytd_payment);
	for (uint64_t k = 1; k <= kept && k <= 256 && found < 5; k++) {
		const struct jbb_history *h = &t->hist[(t->hist_next - k) % w->dims.history];
		if (h->customer != c)
			continue;
		sbuf_printf(&out, "<payment amount=\"%u\" data=\"%s\"/>", h->amount, h->data);
		found++;
	}
	if (u->last_order)
		(void)format_order(w, t, u->last_order - 1, &out);
	sbuf_puts(&out, "</report>");
	digest_text(w, &out);
	sbuf_free(&out);
}

int jbb_wh_run(struct jbb_wh *w, enum jbb_tx t)
{
	struct jbb_district *d;

	switch (t) {
	case JBB_NEW_ORDER:
		d = pick_district(w);
		return enter_order(w, d, nurand(w, 1023, w->dims.customers));
	case JBB_PAYMENT: payment(w); break;
	case JBB_ORDER_STATUS: order_status(w); break;
	case JBB_DELIVERY: delivery(w); break;
	case JBB_STOCK_LEVEL: stock_level(w); break;
	case JBB_CUST_REPORT: cust_report(w); break;
	case JBB_NTX: break;
	}
	return 0;
}
