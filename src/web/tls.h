/* The self-signed TLS certificate `vmlab web serve` gives nginx, made with
 * OpenSSL's libcrypto. */
#ifndef VMLAB_WEB_TLS_H
#define VMLAB_WEB_TLS_H

#include "base/err.h"

/* Writes a new P-256 key (key_path, mode 0600, PEM) and a self-signed X.509 v3
 * certificate (crt_path, PEM) for CN=host, valid for days days, with
 * subjectAltName DNS:localhost, IP:127.0.0.1, IP:::1 and host (as DNS or IP).
 * Returns 0 or -errno / -EPROTO (OpenSSL error text in e). */
int web_tls_selfsigned(const char *key_path, const char *crt_path, const char *host, int days,
		       struct err *e);

#endif
