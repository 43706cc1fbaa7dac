/* The raw HTTP/1.1 load engine behind `vmlab web bench`: THREADS event loops
 * (epoll, edge-triggered), each owning its connections and statistics;
 * keep-alive, one request in flight per connection, closed loop or a
 * constant rate with latency from the intended send time (wrk2-style
 * coordinated-omission correction). At a constant rate every intended send
 * time (slot) is used once: a request that fails consumes its slot, and a
 * closed connection is opened again no earlier than its next slot, so the
 * rate holds whatever the server does. */
#ifndef VMLAB_WEB_HTTP_CLIENT_H
#define VMLAB_WEB_HTTP_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/err.h"
#include "base/sbuf.h"
#include "measure/hist.h"
#include "web/conn.h"
#include "web/http_parse.h"
#include "web/transport.h"

struct http_url {
	bool tls;               /* https */
	char host[256];         /* without brackets */
	char port[8];
	char path[2048];        /* starts with '/', includes the query */
	char hostport[300];     /* Host header value */
};

/* Parses "http[s]://HOST[:PORT][/PATH]" (HOST may be [v6]). Returns 0 or
 * -EINVAL with e saying what is wrong (col counted from 1 in the URL). */
int http_url_parse(const char *url, struct http_url *u, struct err *e);

/* Appends "GET PATH HTTP/1.1\r\nHost: ...\r\n" plus each of headers[0..n)
 * ("Name: value", checked for CR/LF and a colon) and the final CRLF to out.
 * Returns 0 or -EINVAL naming the bad header. */
int http_build_get(const struct http_url *u, char *const *headers, int n, struct sbuf *out,
		   struct err *e);

/* Name of an HE_* error kind (web/conn.h). */
const char *http_client_err_name(int kind);

struct http_load_cfg {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	const struct transport_ops *tp;
	void *tls_ctx;          /* transport_tls_ctx_new() when tp is TLS */
	const char *sni;
	const char *req;        /* the request bytes, sent as they are */
	size_t req_len;
	unsigned threads;
	unsigned conns;         /* total, spread over the threads */
	uint64_t duration_ns;
	uint64_t timeout_ns;    /* a request (or connect) older than this is a timeout */
	double rate;            /* total requests/s; 0 = as fast as possible */
	uint64_t busy_poll_ns;  /* each thread's conn_loop.busy_poll_ns (0: block at once) */
};

struct http_stats {
	uint64_t requests;      /* complete responses */
	uint64_t bytes;         /* bytes read */
	uint64_t connects;      /* connections established */
	uint64_t err[HE_KINDS];
	uint64_t perr[HTTP_E_KINDS];  /* parser errors, index -kind - 1 */
	uint64_t status[6];     /* responses by status class (index status/100) */
	uint64_t failed;        /* requests that ended in an error before a complete response */
	struct hist lat;        /* latency of complete responses (any status), ns */
	struct hist fail_lat;   /* failed requests: from the latency origin to the error, ns */
};

void http_stats_reset(struct http_stats *s);
/* Adds src into dst (exact). */
void http_stats_merge(struct http_stats *dst, const struct http_stats *src);
/* Sum of every error count. */
uint64_t http_stats_errors(const struct http_stats *s);

/* Runs the load for cfg->duration_ns (or until http_load_stop()); fills *out
 * (caller-allocated, reset here) and *elapsed_ns. The server failing is
 * counted in *out, not returned; returns 0, or a negative errno when threads
 * or sockets could not be set up at all (e says why). */
int http_load_run(const struct http_load_cfg *cfg, struct http_stats *out, uint64_t *elapsed_ns,
		  struct err *e);

/* Asks a running http_load_run to finish now (async-signal-safe). */
void http_load_stop(void);

#endif
