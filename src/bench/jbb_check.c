/* The jbb warehouse's invariants (jbb_wh_check). */
#include "bench/jbb_impl.h"

#include <errno.h>
#include <inttypes.h>

/* Order id of district t (number k) is consistent: lines, amount, delivery.
 * Adds its lines and quantities to *lines and *qty. */
static int check_order(const struct jbb_wh *w, const struct jbb_district *t, unsigned k,
		       uint64_t id, uint64_t *lines, uint64_t *qty, struct err *e)
{
	const struct jbb_order *o = &t->orders[id % w->dims.orders];
	bool delivered = id < t->oldest_undelivered;
	uint64_t sum = 0;

	if (o->id != id)
		return err_set(e, -EUCLEAN, "district %u order %" PRIu64 ": slot holds order %" PRIu64,
			       k, id, o->id);
	if (o->nlines < JBB_MIN_LINES || o->nlines > JBB_MAX_LINES || o->customer >= w->dims.customers)
		return err_set(e, -EUCLEAN, "district %u order %" PRIu64 ": %u lines, customer %u",
			       k, id, o->nlines, o->customer);
	if (delivered != (o->carrier != 0) || o->carrier > 10)
		return err_set(e, -EUCLEAN, "district %u order %" PRIu64 ": carrier %u but %s", k, id,
			       o->carrier, delivered ? "delivered" : "not delivered");
	for (unsigned l = 0; l < o->nlines; l++) {
		const struct jbb_line *ln = &o->lines[l];
		if (ln->item >= w->dims.items || ln->quantity < 1 || ln->quantity > 10 ||
		    ln->amount != ln->quantity * w->items[ln->item].price || ln->delivered != delivered)
			return err_set(e, -EUCLEAN, "district %u order %" PRIu64 " line %u: item %u "
				       "quantity %u amount %u delivered %u do not agree", k, id, l,
				       ln->item, ln->quantity, ln->amount, ln->delivered);
		sum += ln->amount;
		*qty += ln->quantity;
	}
	if (sum != o->amount)
		return err_set(e, -EUCLEAN, "district %u order %" PRIu64 ": amount %" PRIu64
			       ", lines sum to %" PRIu64, k, id, o->amount, sum);
	*lines += o->nlines;
	return 0;
}

/* District k's money: D_YTD is its history's sum; its customers' balances
 * plus payments are the delivered amounts; payment and delivery counts are
 * the history rows and delivered orders. */
static int check_money(const struct jbb_wh *w, const struct jbb_district *t, unsigned k,
		       struct err *e)
{
	uint64_t hist = t->arch_hist_amount, rows = t->hist_next, pays = 0, dels = 0;
	uint64_t delivered = t->arch_amount, ndelivered = t->arch_orders;
	uint64_t kept = t->hist_next < w->dims.history ? t->hist_next : w->dims.history;
	int64_t bal = 0;

	for (uint64_t r = 0; r < kept; r++)
		hist += t->hist[r].amount;
	if (hist != t->ytd)
		return err_set(e, -EUCLEAN, "district %u: year-to-date %" PRIu64 ", history sums to %"
			       PRIu64, k, t->ytd, hist);
	for (uint64_t id = t->first_live; id < t->oldest_undelivered; id++) {
		delivered += t->orders[id % w->dims.orders].amount;
		ndelivered++;
	}
	for (unsigned c = 0; c < w->dims.customers; c++) {
		bal += t->cust[c].balance + (int64_t)t->cust[c].ytd_payment;
		pays += t->cust[c].payment_cnt;
		dels += t->cust[c].delivery_cnt;
	}
	if (bal != (int64_t)delivered)
		return err_set(e, -EUCLEAN, "district %u: balances plus payments %" PRId64
			       ", delivered orders sum to %" PRIu64, k, bal, delivered);
	if (pays != rows || dels != ndelivered)
		return err_set(e, -EUCLEAN, "district %u: %" PRIu64 " payments and %" PRIu64
			       " deliveries counted, %" PRIu64 " history rows and %" PRIu64
			       " delivered orders kept", k, pays, dels, rows, ndelivered);
	return 0;
}

static int check_district(const struct jbb_wh *w, unsigned k, uint64_t *lines, uint64_t *qty,
			  struct err *e)
{
	const struct jbb_district *t = &w->dist[k];
	int rc;

	if (!(t->first_live <= t->oldest_undelivered && t->oldest_undelivered <= t->next_order &&
	      t->next_order - t->first_live <= w->dims.orders &&
	      t->first_live == t->arch_orders))
		return err_set(e, -EUCLEAN, "district %u: order ids %" PRIu64 "..%" PRIu64
			       " (undelivered from %" PRIu64 ", %" PRIu64 " archived) out of order",
			       k, t->first_live, t->next_order, t->oldest_undelivered, t->arch_orders);
	*lines += t->arch_lines;
	*qty += t->arch_qty;
	for (uint64_t id = t->first_live; id < t->next_order; id++)
		if ((rc = check_order(w, t, k, id, lines, qty, e)))
			return rc;
	return check_money(w, t, k, e);
}

/* Each stock row's quantity follows from its orders and restocks; the
 * ordered totals equal the order lines'. */
static int check_stock(const struct jbb_wh *w, uint64_t lines, uint64_t qty, struct err *e)
{
	uint64_t cnt = 0, ytd = 0;

	for (unsigned i = 0; i < w->dims.items; i++) {
		const struct jbb_stock *s = &w->stock[i];
		int64_t want = (int64_t)s->init_quantity - (int64_t)s->ytd +
			       (int64_t)JBB_RESTOCK * s->restocks;
		if (s->quantity != want || s->quantity < 0)
			return err_set(e, -EUCLEAN, "stock of item %u: quantity %d, its orders and "
				       "restocks leave %" PRId64, i, s->quantity, want);
		cnt += s->order_cnt;
		ytd += s->ytd;
	}
	if (cnt != lines || ytd != qty)
		return err_set(e, -EUCLEAN, "stock: %" PRIu64 " order lines of %" PRIu64 " units "
			       "counted, the orders hold %" PRIu64 " lines of %" PRIu64, cnt, ytd,
			       lines, qty);
	return 0;
}

int jbb_wh_check(const struct jbb_wh *w, struct err *e)
{
	uint64_t ytd = 0, lines = 0, qty = 0;
	int rc;

	for (unsigned k = 0; k < w->dims.districts; k++) {
		ytd += w->dist[k].ytd;
		if ((rc = check_district(w, k, &lines, &qty, e)))
			return rc;
	}
	if (ytd != w->ytd)
		return err_set(e, -EUCLEAN, "warehouse: year-to-date %" PRIu64 ", its districts sum to %"
			       PRIu64, w->ytd, ytd);
	return check_stock(w, lines, qty, e);
}
