/* Plain TCP and TLS transports. */
#include "web/transport.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

static enum tstatus plain_connect(struct tconn *c, void *ctx, const char *sni)
{
	return T_OK;
}

static enum tstatus plain_read(struct tconn *c, char *buf, size_t n, size_t *got)
{
	ssize_t r = read(c->fd, buf, n);

	if (r >= 0) {
		*got = (size_t)r;
		return T_OK;
	}
	*got = 0;
	return errno == EAGAIN || errno == EINTR ? T_RETRY : T_ERROR;
}

static enum tstatus plain_write(struct tconn *c, const char *buf, size_t n, size_t *done)
{
	ssize_t r = write(c->fd, buf, n);

	if (r >= 0) {
		*done = (size_t)r;
		return T_OK;
	}
	*done = 0;
	return errno == EAGAIN || errno == EINTR ? T_RETRY : T_ERROR;
}

static void plain_close(struct tconn *c)
{
}

const struct transport_ops transport_plain = {
	"plain", true, plain_connect, plain_read, plain_write, plain_close,
};

void *transport_tls_ctx_new(struct err *e)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx) {
		err_set(e, -ENOMEM, "TLS: cannot create a context: %s",
			ERR_reason_error_string(ERR_get_error()));
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
			 SSL_MODE_RELEASE_BUFFERS);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
	return ctx;
}

void transport_tls_ctx_free(void *ctx)
{
	SSL_CTX_free(ctx);
}

static enum tstatus tls_status(SSL *ssl, int r)
{
	switch (SSL_get_error(ssl, r)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return T_RETRY;
	default:
		ERR_clear_error();
		return T_ERROR;
	}
}

static enum tstatus tls_connect(struct tconn *c, void *ctx, const char *sni)
{
	int r;

	if (!c->ssl) {
		SSL *ssl = SSL_new(ctx);

		if (!ssl)
			return T_ERROR;
		if (!SSL_set_fd(ssl, c->fd)) {
			SSL_free(ssl);
			return T_ERROR;
		}
		if (sni && *sni)
			SSL_set_tlsext_host_name(ssl, sni);
		SSL_set_connect_state(ssl);
		c->ssl = ssl;
	}
	r = SSL_do_handshake(c->ssl);
	return r == 1 ? T_OK : tls_status(c->ssl, r);
}

static enum tstatus tls_read(struct tconn *c, char *buf, size_t n, size_t *got)
{
	int r = SSL_read(c->ssl, buf, n > 0x7fffffff ? 0x7fffffff : (int)n);

	*got = 0;
	if (r > 0) {
		*got = (size_t)r;
		return T_OK;
	}
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_ZERO_RETURN:
		return T_OK;
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return T_RETRY;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		return errno == 0 ? T_OK : T_ERROR;
	default:
		ERR_clear_error();
		return T_ERROR;
	}
}

static enum tstatus tls_write(struct tconn *c, const char *buf, size_t n, size_t *done)
{
	int r = SSL_write(c->ssl, buf, n > 0x7fffffff ? 0x7fffffff : (int)n);

	*done = 0;
	if (r > 0) {
		*done = (size_t)r;
		return T_OK;
	}
	return tls_status(c->ssl, r);
}

static void tls_close(struct tconn *c)
{
	if (c->ssl) {
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
}

const struct transport_ops transport_tls = {
	"tls", false, tls_connect, tls_read, tls_write, tls_close,
};
