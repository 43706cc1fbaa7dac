/* The jbb workload: SPECjbb2005's design in C. A wholesale company of
 * warehouses, each a set of in-memory tables (items, stock, districts,
 * customers, orders with their lines, history) owned by one worker thread
 * that runs the TPC-C-style transactions by SPECjbb2005's deck, with no
 * think time. Every warehouse checks its own invariants (stock, order and
 * money totals) after a run. The driver (jbb_run) is in jbb_run.h. */
#ifndef VMLAB_BENCH_JBB_H
#define VMLAB_BENCH_JBB_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum jbb_tx {
	JBB_NEW_ORDER,
	JBB_PAYMENT,
	JBB_ORDER_STATUS,
	JBB_DELIVERY,
	JBB_STOCK_LEVEL,
	JBB_CUST_REPORT,
	JBB_NTX,
};

/* "new_order", "payment", "order_status", "delivery", "stock_level",
 * "cust_report". */
extern const char *const jbb_tx_names[JBB_NTX];

/* SPECjbb2005's deck of 33 cards: 10 new order, 10 payment, 1 order status,
 * 1 delivery, 1 stock level, 10 customer report; shuffled per deck. */
#define JBB_DECK 33
extern const unsigned jbb_deck_counts[JBB_NTX];

/* A warehouse's table sizes. */
struct jbb_dims {
	unsigned items;           /* items and stock rows */
	unsigned districts;
	unsigned customers;       /* per district */
	unsigned orders;          /* order table of a district: kept orders (a ring) */
	unsigned history;         /* history rows of a district (a ring) */
};

/* 20000 items, 10 districts of 3000 customers, 4096 orders and 4096
 * history rows a district: about 27 MB. */
extern const struct jbb_dims jbb_dims_default;

struct jbb_wh;

/* Builds and populates a warehouse of dims d from seed (deterministic:
 * the same seed gives the same tables and transaction stream). Returns 0
 * with *out owned by the caller, or -EINVAL (dims out of range: e says
 * which) or -ENOMEM. */
int jbb_wh_new(const struct jbb_dims *d, uint64_t seed, struct jbb_wh **out, struct err *e);
void jbb_wh_free(struct jbb_wh *w);

/* Bytes the tables of w hold. */
size_t jbb_wh_bytes(const struct jbb_wh *w);

/* The next transaction from w's deck. */
enum jbb_tx jbb_wh_draw(struct jbb_wh *w);

/* Runs one transaction of type t on w. Returns 0, or -ENOSPC when a new
 * order finds its district's order table full of undelivered orders (the
 * transaction then changed nothing and counts as an error). */
int jbb_wh_run(struct jbb_wh *w, enum jbb_tx t);

/* Verifies w's invariants: the warehouse's year-to-date equals its
 * districts' and their history's; every order's amount is its lines' sum at
 * the item prices, and delivered exactly when older than the district's
 * oldest undelivered order; each stock row's quantity equals its initial
 * quantity less what was ordered plus its restocks, and the ordered
 * quantities and counts equal those in the order lines; each district's
 * customers' balances plus payments equal the delivered amounts, and their
 * payment and delivery counts equal the history rows and delivered orders.
 * Returns 0, or -EUCLEAN with e naming the first violated invariant and the
 * row ("district 3 order 1234: amount 5100, lines sum to 5000"). */
int jbb_wh_check(const struct jbb_wh *w, struct err *e);

/* A digest of the read-only transactions' results (order status, stock
 * level, customer report), so no work can be skipped. */
uint64_t jbb_wh_digest(const struct jbb_wh *w);

#endif
