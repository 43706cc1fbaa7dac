/* One HTTP/1.1 client connection engine under both load generators: a
 * non-blocking TCP connect and the transport's handshake, one request in
 * flight, its response read and parsed (split across any number of reads),
 * keep-alive reuse, over an edge-triggered epoll set. Every transport call
 * goes through the connection's transport_ops. The owner's policy (when to
 * send what, what to count) lives in the callbacks. */
#ifndef VMLAB_WEB_CONN_H
#define VMLAB_WEB_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "base/err.h"
#include "web/http_parse.h"
#include "web/transport.h"

/* One response head must fit in a connection's read buffer. */
#define CONN_BUF HTTP_HEAD_MAX

/* Error kinds besides the parser's (which are counted by HTTP_E_* kind). */
enum { HE_CONNECT, HE_READ, HE_WRITE, HE_TIMEOUT, HE_STATUS, HE_KINDS };

struct conn;

/* The policy's side. Each callback may close, open or send on c again. */
struct conn_ops {
	/* TCP connect and handshake are done; c is idle, ready for a request. */
	void (*connected)(struct conn *c);
	/* The response to the request in flight is complete (c->resp holds it,
	 * c->t_send when it was sent); c is idle and open, unless the peer
	 * closed it (then c->resp.keep_alive is false). */
	void (*done)(struct conn *c);
	/* c was dropped (already closed) after an error: kind is an HE_* kind,
	 * or an HTTP_E_* parser kind when parse; busy: a request was in flight. */
	void (*error)(struct conn *c, int kind, bool parse, bool busy);
	/* The peer closed c while no request was in flight (nothing lost); c is
	 * closed. */
	void (*closed)(struct conn *c);
	/* Optional: body bytes (chunk framing included) of the response in
	 * flight, in order, as they are consumed. */
	void (*body)(struct conn *c, const char *p, size_t n);
};

/* One event loop's shared state: the epoll set, the clock and counters. */
struct conn_loop {
	int epfd;
	uint64_t now;           /* ns, clock_mono; the owner updates it per wake-up */
	uint64_t bytes;         /* bytes read by all its connections */
	const struct conn_ops *ops;
	void *tls_ctx;          /* given to the transport's connect */
	/* Requests started inside conn_loop_dispatch wait here and are written
	 * after the whole batch, as one burst (see conn_loop_dispatch). */
	struct conn *pending;
	bool dispatching;
	/* Before blocking, conn_loop_wait polls for up to this long (yielding
	 * the CPU between polls); 0 blocks at once. See conn_loop_wait. */
	uint64_t busy_poll_ns;
	unsigned poll_misses;   /* busy polls in a row that found nothing */
};

/* The engine's default busy_poll_ns: about the time a loopback server takes
 * to answer a burst of requests, and a few times what a wake-up costs it. */
#define CONN_BUSY_POLL_NS 20000ull

enum conn_state { CONN_IDLE, CONN_CONNECTING, CONN_HANDSHAKE, CONN_WRITING, CONN_READING };

struct conn {
	struct conn_loop *loop;
	void *owner;            /* the policy's object */
	const struct transport_ops *tp;
	const char *sni;
	struct tconn t;
	enum conn_state state;
	bool open;
	bool busy;              /* a request was sent and has no complete response yet */
	unsigned gen;           /* bumped by every close */
	const char *req;        /* the request in flight (owned by the policy) */
	size_t req_len, woff;
	uint64_t t_op;          /* start of the pending connect or request (timeouts) */
	uint64_t t_send;        /* when the request in flight was sent */
	size_t have;            /* unconsumed bytes in buf */
	struct conn *next_pending;
	bool queued;            /* on loop->pending */
	struct http_resp resp;
	char buf[CONN_BUF];
};

/* Prepares a closed connection of loop l for owner. */
void conn_init(struct conn *c, struct conn_loop *l, void *owner);

/* Opens closed c to addr over tp (sni: the TLS server name, or NULL); the
 * connected callback follows, or error(HE_CONNECT), possibly before this
 * returns. */
void conn_open(struct conn *c, const struct sockaddr *addr, socklen_t addrlen,
	       const struct transport_ops *tp, const char *sni);

/* Sends req[0..len) on idle open c; req must stay valid until the done or
 * error callback. Inside conn_loop_dispatch the write waits for the end of
 * the batch. */
void conn_send(struct conn *c, const char *req, size_t len);

/* Closes c (no callback); a closed c may be closed again or reopened. */
void conn_close(struct conn *c);

/* Drops c after an error of kind (see conn_ops.error), which is called. */
void conn_fail(struct conn *c, int kind, bool parse);

/* Handles the epoll events ev reported for c (data.ptr is c). */
void conn_event(struct conn *c, uint32_t ev);

/* Sets l up for ops and tls_ctx with a new epoll set. Returns 0 or a
 * negative errno (e says why). */
int conn_loop_init(struct conn_loop *l, const struct conn_ops *ops, void *tls_ctx, struct err *e);

/* Closes l's epoll set (its connections must be closed). */
void conn_loop_free(struct conn_loop *l);

/* Waits for events until the clock reaches until_ns at the latest, sets
 * l->now and dispatches them (conn_loop_dispatch). Returns the number of
 * events (0 on a timeout or a signal) or a negative errno.
 * Busy polling: a client that sleeps between responses makes the server pay
 * a wake-up inside its send of each response that finds the client asleep,
 * and a server on its own CPU then serves fewer requests than it could. So
 * before blocking it polls the epoll set for up to l->busy_poll_ns (never
 * past until_ns), calling sched_yield between polls so a server sharing this
 * CPU runs meanwhile. After 8 polls in a row that found nothing (a server
 * slower than the poll, a fixed rate with gaps), only every 8th wait polls
 * until one finds events again: the CPU spent waiting stays bounded. */
int conn_loop_wait(struct conn_loop *l, uint64_t until_ns, struct epoll_event *evs, int max);

/* Handles a batch of n events of l's epoll set (data.ptr a struct conn),
 * then writes every request started meanwhile. Reading all ready responses
 * before writing the next requests keeps this client awake across the
 * server's burst of responses, so the server is not made to wake it for
 * each one (a wake-up is paid on the server's CPU, inside its send), and
 * hands the server its next requests together. */
void conn_loop_dispatch(struct conn_loop *l, const struct epoll_event *ev, int n);

/* Runs fn(base + i * stride) for i in [0, n), one thread each, and waits for
 * them. When a thread cannot be started, stop (if not NULL) is called so the
 * started ones end, and a negative errno is returned (e says why). *started:
 * how many threads ran. */
int conn_threads_run(void *(*fn)(void *), void *base, size_t stride, unsigned n,
		     void (*stop)(void), unsigned *started, struct err *e);

#endif
