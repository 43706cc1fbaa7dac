/* The jbb warehouse's tables, shared by jbb.c (population, transactions),
 * jbb_check.c (invariants) and the unit tests that corrupt a table. Money
 * is in cents, taxes and discounts in basis points. */
#ifndef VMLAB_BENCH_JBB_IMPL_H
#define VMLAB_BENCH_JBB_IMPL_H

#include "bench/jbb.h"
#include "bench/rng.h"

#include <stdbool.h>
#include <stdint.h>

#define JBB_MAX_LINES 15
#define JBB_MIN_LINES 5
#define JBB_RESTOCK 91            /* TPC-C: a stock row below 10 gets 91 more */

struct jbb_item {
	uint32_t price;               /* 100..10000 */
	char name[24];
	char data[44];
};

struct jbb_stock {
	int32_t quantity;
	int32_t init_quantity;        /* 10..100 at population */
	uint32_t order_cnt, restocks;
	uint64_t ytd;                 /* quantity ordered */
	char dist[10][24];
	char data[40];
};

struct jbb_customer {
	int64_t balance;              /* -1000 at population */
	uint64_t ytd_payment;         /* 1000 at population */
	uint32_t payment_cnt;         /* 1 at population */
	uint32_t delivery_cnt;
	uint64_t last_order;          /* id of its newest order + 1, 0 = none */
	uint32_t discount;            /* 0..5000 */
	uint16_t last;                /* last-name number 0..999 */
	char credit[3];               /* "GC" or "BC" */
	char first[16];
	char data[200];
};

struct jbb_line {
	uint32_t item;
	uint16_t quantity;            /* 1..10 */
	uint16_t delivered;           /* 0 or 1 */
	uint32_t amount;              /* quantity * the item's price */
};

struct jbb_order {
	uint64_t id;
	uint32_t customer;            /* index in the district */
	uint8_t nlines;
	uint8_t carrier;              /* 0: not delivered, else 1..10 */
	uint64_t amount;              /* sum of the lines' amounts */
	struct jbb_line lines[JBB_MAX_LINES];
};

struct jbb_history {
	uint32_t customer;
	uint32_t amount;
	char data[24];
};

struct jbb_district {
	uint64_t ytd;
	uint32_t tax;
	uint64_t next_order;          /* id of the next order */
	uint64_t first_live;          /* oldest order id still in the ring */
	uint64_t oldest_undelivered;  /* orders below it are delivered */
	struct jbb_order *orders;     /* ring: order id k in orders[k % dims.orders] */
	struct jbb_history *hist;     /* ring: row k in hist[k % dims.history] */
	uint64_t hist_next;           /* rows written */
	struct jbb_customer *cust;
	uint32_t *by_last;            /* customer indices sorted by last name */
	/* what left the rings */
	uint64_t arch_orders, arch_lines, arch_qty, arch_amount;
	uint64_t arch_hist_rows, arch_hist_amount;
};

struct jbb_wh {
	struct jbb_dims dims;
	uint64_t ytd;
	uint32_t tax;
	uint32_t nurand_c;            /* NURand's C for item and last-name choices */
	struct jbb_item *items;
	struct jbb_stock *stock;
	struct jbb_district *dist;
	struct rng rng;
	uint8_t deck[JBB_DECK];
	unsigned deck_pos;
	uint64_t digest;
	size_t bytes;
};

#endif
