/* Byte transports for the HTTP client: plain TCP and TLS (OpenSSL), each a
 * table of non-blocking operations on a connected socket. */
#ifndef VMLAB_WEB_TRANSPORT_H
#define VMLAB_WEB_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* Outcome of a non-blocking operation. */
enum tstatus { T_OK, T_ERROR, T_RETRY };

/* One connection's transport state. fd is owned by the caller. */
struct tconn {
	int fd;
	void *ssl;              /* SSL * for TLS, NULL for plain */
};

struct transport_ops {
	const char *name;
	/* True when a read shorter than asked means the socket is drained (so an
	 * edge-triggered loop may stop reading without waiting for EAGAIN). */
	bool short_read_drains;
	/* Called after the TCP connect completed, again on every readiness event
	 * until it returns T_OK (handshake done) or T_ERROR. ctx is the value
	 * given to transport_tls_ctx_new (NULL for plain), sni the server name. */
	enum tstatus (*connect)(struct tconn *c, void *ctx, const char *sni);
	/* Reads up to n bytes; T_OK with *got == 0 means the peer closed. */
	enum tstatus (*read)(struct tconn *c, char *buf, size_t n, size_t *got);
	/* Writes up to n bytes; T_OK with *done <= n written. */
	enum tstatus (*write)(struct tconn *c, const char *buf, size_t n, size_t *done);
	/* Frees transport state (not the fd); c may be reused for a new fd. */
	void (*close)(struct tconn *c);
};

extern const struct transport_ops transport_plain;
extern const struct transport_ops transport_tls;

/* A client TLS context (an SSL_CTX *) that does not verify the server: load
 * generators talk to test servers with self-signed certificates. Shared by
 * all threads. Returns NULL and fills e on failure. */
void *transport_tls_ctx_new(struct err *e);
void transport_tls_ctx_free(void *ctx);

#endif
