/* Self-signed certificate generation through libcrypto. */
#include "web/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/fileio.h"
#include "base/sbuf.h"

static int ssl_fail(struct err *e, const char *what)
{
	char buf[256];
	unsigned long c = ERR_get_error();

	ERR_error_string_n(c, buf, sizeof(buf));
	ERR_clear_error();
	return err_set(e, -EPROTO, "tls: %s: %s", what, c ? buf : "failed");
}

static int add_ext(X509 *crt, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ex;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, crt, crt, NULL, NULL, 0);
	ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ex)
		return 0;
	ok = X509_add_ext(crt, ex, -1);
	X509_EXTENSION_free(ex);
	return ok;
}

/* PEM of a key or certificate into an sbuf. */
static int pem_out(EVP_PKEY *key, X509 *crt, struct sbuf *out)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;
	int ok;

	if (!b)
		return 0;
	ok = key ? PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL) : PEM_write_bio_X509(b, crt);
	if (ok) {
		n = BIO_get_mem_data(b, &p);
		sbuf_add(out, p, (size_t)n);
	}
	BIO_free(b);
	return ok;
}

int web_tls_selfsigned(const char *key_path, const char *crt_path, const char *host, int days,
		       struct err *e)
{
	EVP_PKEY *key = NULL;
	X509 *crt = NULL;
	X509_NAME *name;
	struct sbuf san = SBUF_INIT, kpem = SBUF_INIT, cpem = SBUF_INIT;
	unsigned char serial[16];
	unsigned char ip[16];
	BIGNUM *bn = NULL;
	int rc = 0;

	key = EVP_EC_gen("P-256");
	if (!key) {
		rc = ssl_fail(e, "EC key generation");
		goto out;
	}
	crt = X509_new();
	if (!crt || !X509_set_version(crt, 2)) {
		rc = ssl_fail(e, "X509_new");
		goto out;
	}
	if (RAND_bytes(serial, sizeof(serial)) != 1) {
		rc = ssl_fail(e, "serial number");
		goto out;
	}
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(crt))) {
		rc = ssl_fail(e, "serial number");
		goto out;
	}
	X509_gmtime_adj(X509_getm_notBefore(crt), -3600);
	X509_gmtime_adj(X509_getm_notAfter(crt), (long)days * 86400);
	X509_set_pubkey(crt, key);
	name = X509_get_subject_name(crt);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"vmlab", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)host, -1, -1, 0);
	X509_set_issuer_name(crt, name);
	sbuf_puts(&san, "DNS:localhost,IP:127.0.0.1,IP:::1");
	if (strcmp(host, "localhost") && strcmp(host, "127.0.0.1") && strcmp(host, "::1")) {
		int is_ip = inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1;

		sbuf_printf(&san, ",%s:%s", is_ip ? "IP" : "DNS", host);
	}
	if (!add_ext(crt, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(crt, NID_key_usage, "critical,digitalSignature") ||
	    !add_ext(crt, NID_ext_key_usage, "serverAuth") ||
	    !add_ext(crt, NID_subject_alt_name, san.buf)) {
		rc = ssl_fail(e, "certificate extensions");
		goto out;
	}
	if (!X509_sign(crt, key, EVP_sha256())) {
		rc = ssl_fail(e, "signing");
		goto out;
	}
	if (!pem_out(key, NULL, &kpem) || !pem_out(NULL, crt, &cpem)) {
		rc = ssl_fail(e, "PEM encoding");
		goto out;
	}
	/* the key is written 0600: file_write_atomic keeps an existing file's mode */
	if ((rc = file_write_atomic(key_path, "", 0, e)))
		goto out;
	if (chmod(key_path, 0600)) {
		rc = err_set(e, -errno, "%s: chmod: %s", key_path, strerror(errno));
		goto out;
	}
	if ((rc = file_write_atomic(key_path, kpem.buf, kpem.len, e)) ||
	    (rc = file_write_atomic(crt_path, cpem.buf, cpem.len, e)))
		goto out;
out:
	BN_free(bn);
	X509_free(crt);
	EVP_PKEY_free(key);
	sbuf_free(&san);
	OPENSSL_cleanse(kpem.buf ? kpem.buf : (char *)serial, kpem.buf ? kpem.len : 0);
	sbuf_free(&kpem);
	sbuf_free(&cpem);
	return rc;
}
