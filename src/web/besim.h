/* BeSim, the backend simulator: a keep-alive HTTP/1.1 server that answers
 * the application's backend commands "GET /besim?WL&CMD&ARG..." with a small
 * HTML page whose <pre> block holds a status line and '&'-separated records,
 * deterministic in the arguments, as in SPECweb2005's BeSim design. */
#ifndef VMLAB_WEB_BESIM_H
#define VMLAB_WEB_BESIM_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/sbuf.h"

/* Command numbers: 0 resets (all workloads; argument: session-scaled folder
 * count), the others are per workload (BeSim workload 1 Banking, 2 Ecommerce,
 * 3 Support). */
enum {
	BESIM_RESET = 0,
	/* Banking */
	BESIM_B_LOGIN = 1, BESIM_B_ACCOUNTS, BESIM_B_CHECK_DETAIL, BESIM_B_PAYEES, BESIM_B_ADD_PAYEE,
	BESIM_B_QUICK_PAY, BESIM_B_BILLPAY_STATUS, BESIM_B_PROFILE, BESIM_B_CHANGE_PROFILE,
	BESIM_B_ORDER_CHECKS, BESIM_B_TRANSFER, BESIM_B_CHECK_IMAGE, BESIM_B_LOGOUT,
	/* Ecommerce */
	BESIM_E_PRODUCT_LINES = 1, BESIM_E_SEARCH, BESIM_E_PRODUCT_LIST, BESIM_E_PRODUCT_DETAIL,
	BESIM_E_OPTIONS, BESIM_E_CART, BESIM_E_LOGIN, BESIM_E_SHIPPING, BESIM_E_BILLING,
	BESIM_E_CONFIRM,
	/* Support */
	BESIM_S_CATEGORIES = 1, BESIM_S_SEARCH, BESIM_S_PRODUCT_LIST, BESIM_S_PRODUCT,
	BESIM_S_FILE_CATALOG, BESIM_S_FILE,
};

#define BESIM_MAX_ARGS 8
#define BESIM_MAX_REQUEST 8192   /* request line + headers */

/* One parsed request. */
struct besim_req {
	bool keep_alive;            /* false: close after answering */
	int status;                 /* 200, or 400/404/405 with reason */
	const char *reason;         /* static text when status != 200 */
	unsigned wl, cmd, nargs;
	uint32_t args[BESIM_MAX_ARGS];
	char query[256];            /* the query string echoed in the answer */
};

/* Parses one HTTP/1.x request at buf[0..n). Returns the bytes it spans (> 0)
 * and fills r (r->status 400 for a malformed BeSim query, which is still
 * answered on the same connection); 0 when the request is incomplete; -EBADMSG
 * when the HTTP framing is broken (answer 400 and close); -E2BIG when the
 * head exceeds BESIM_MAX_REQUEST. Never reads outside buf[0..n). */
int besim_parse(const char *buf, size_t n, struct besim_req *r);

/* Shared state: the folder count set by a reset. */
struct besim_state {
	_Atomic unsigned dirs;     /* read and written by every server thread */
};

/* Appends the full HTTP response for r to out (status line, headers, body). */
void besim_respond(struct besim_state *st, const struct besim_req *r, struct sbuf *out);

/* Runs the server on listen address addr with threads event loops sharing
 * one listening socket until *stop becomes non-zero. ready(arg, bound)
 * is called once listening (bound "HOST:PORT"). Returns 0 or -errno. */
int besim_serve(const char *addr, unsigned threads, unsigned dirs, volatile sig_atomic_t *stop,
		void (*ready)(void *arg, const char *bound), void *arg, struct err *e);

/* ---- client side (the application) ---- */

/* Parses a BeSim answer at buf[0..n): Returns the bytes the response spans
 * (> 0), 0 when incomplete, -EBADMSG when malformed. On success *http_status
 * is the status code, and [*data, *data + *data_len) the text inside <pre>
 * (status line and records), pointing into buf. */
int besim_parse_answer(const char *buf, size_t n, int *http_status, const char **data,
		       size_t *data_len);

#endif
