/* Unit tests of the web application against a real BeSim server thread, and
 * of the file set and its manifest. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/fileio.h"
#include "base/proc.h"
#include "web/app.h"
#include "web/besim.h"
#include "web/fileset.h"
#include "web/tls.h"
#include "web/serve.h"
#include "web/workload.h"

static volatile sig_atomic_t besim_stop;
static char besim_addr[80];
static pthread_t besim_tid;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void ready(void *arg, const char *bound)
{
	pthread_mutex_lock(&mu);
	snprintf(besim_addr, sizeof(besim_addr), "%s", bound);
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

static void *besim_thread(void *arg)
{
	struct err e;

	if (besim_serve("127.0.0.1:0", 1, 1, &besim_stop, ready, NULL, &e))
		fprintf(stderr, "besim: %s\n", e.msg);
	return NULL;
}

static int setup(void **state)
{
	besim_stop = 0;
	pthread_create(&besim_tid, NULL, besim_thread, NULL);
	pthread_mutex_lock(&mu);
	while (!besim_addr[0])
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	return 0;
}

static int teardown(void **state)
{
	besim_stop = 1;
	pthread_join(besim_tid, NULL);
	return 0;
}

/* Runs one request through the application: returns its CGI output. */
static void ask(struct web_app *app, const char *method, const char *script, const char *query,
		struct sbuf *out)
{
	struct fcgi_req rq = { 0 };

	rq.active = rq.params_done = rq.stdin_done = true;
	rq.id = 1;
	fcgi_put_pair(&rq.params, "SCRIPT_NAME", script);
	fcgi_put_pair(&rq.params, "REQUEST_METHOD", method);
	if (!strcmp(method, "POST")) {
		fcgi_put_pair(&rq.params, "CONTENT_TYPE", "application/x-www-form-urlencoded");
		sbuf_puts(&rq.in, query);
	} else {
		fcgi_put_pair(&rq.params, "QUERY_STRING", query);
	}
	sbuf_reset(out);
	web_app_handle(app, &rq, out);
	fcgi_req_free(&rq);
}

static void test_every_page(void **state)
{
	struct web_app *app;
	struct err e;
	struct sbuf out = SBUF_INIT;
	uint64_t rng = 5;

	assert_int_equal(web_app_new(besim_addr, 4, &app, &e), 0);
	for (int w = 0; w < WEB_NWORKLOADS; w++) {
		const struct web_workload *wl = web_workload(w);

		for (size_t p = 0; p < wl->npages; p++) {
			const struct web_page *pg = &wl->pages[p];
			struct sbuf q = SBUF_INIT;

			if (pg->download)
				continue;
			web_page_query(pg, 1234, &rng, &q);
			ask(app, pg->post ? "POST" : "GET", pg->path, sbuf_str(&q), &out);
			if (strncmp(out.buf, "Status: 200 OK\r\n", 16))
				fail_msg("%s %s?%s: %.200s", wl->name, pg->name, sbuf_str(&q), out.buf);
			if (!strcmp(pg->name, "check_image_front") || !strcmp(pg->name, "check_image_back")) {
				assert_non_null(strstr(out.buf, "X-Accel-Redirect: /internal/bank/checks/"));
				assert_non_null(strstr(out.buf, pg->name[12] == 'f' ? "_f.jpg" : "_b.jpg"));
			} else {
				assert_non_null(strstr(out.buf, pg->title));
				for (size_t k = 0; k < pg->nfiles; k++) {
					char img[256];

					snprintf(img, sizeof(img), "<img src=\"/%s/%s\"", wl->image_dir,
						 web_page_image(wl, pg, k)->name);
					assert_non_null(strstr(out.buf, img));
				}
				assert_true(out.len > pg->pad_bytes);
			}
			sbuf_free(&q);
		}
	}
	/* product pages embed the product image BeSim names */
	ask(app, "GET", "/ecommerce/productdetail", "item=17", &out);
	assert_non_null(strstr(out.buf, "<img src=\"/ecommerce/products/dir00000/p0_7.jpg\""));
	web_app_free(app);
	sbuf_free(&out);
}

static void test_bad_requests(void **state)
{
	struct web_app *app;
	struct err e;
	struct sbuf out = SBUF_INIT;
	static const char *const bad[][2] = {
		{ "/bank/account_summary", "" },
		{ "/bank/account_summary", "userid=abc" },
		{ "/bank/account_summary", "userid=1&userid=2" },
		{ "/bank/check_image", "userid=1&check_no=3&side=sideways" },
		{ "/bank/check_image", "userid=1&check_no=10&side=back" },
		{ "/ecommerce/search", "seg=all&kw=%ZZ" },
		{ "/support/fileCatalog", "product=1&os=10&lang=0" },
		{ "/support/home", "x=1" },
	};

	assert_int_equal(web_app_new(besim_addr, 4, &app, &e), 0);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		ask(app, "GET", bad[k][0], bad[k][1], &out);
		if (strncmp(out.buf, "Status: 400 ", 12))
			fail_msg("%s?%s: %.100s", bad[k][0], bad[k][1], out.buf);
	}
	{
		char *longq = xmalloc(9000);

		memset(longq, 'a', 8999);
		longq[8999] = 0;
		memcpy(longq, "userid=", 7);
		ask(app, "GET", "/bank/logout", longq, &out);
		assert_memory_equal(out.buf, "Status: 400 ", 12);
		assert_non_null(strstr(out.buf, "query too long"));
		free(longq);
	}
	ask(app, "GET", "/bank/nosuch", "", &out);
	assert_memory_equal(out.buf, "Status: 404 ", 12);
	ask(app, "DELETE", "/bank/logout", "userid=1", &out);
	assert_memory_equal(out.buf, "Status: 405 ", 12);
	/* and the application still serves */
	ask(app, "GET", "/bank/logout", "userid=1", &out);
	assert_memory_equal(out.buf, "Status: 200 ", 12);
	web_app_free(app);
	/* no BeSim: 502, not a crash */
	assert_int_equal(web_app_new("127.0.0.1:1", 4, &app, &e), 0);
	ask(app, "GET", "/bank/logout", "userid=1", &out);
	assert_memory_equal(out.buf, "Status: 502 ", 12);
	web_app_free(app);
	sbuf_free(&out);
}

static void test_fileset(void **state)
{
	char dir[] = "/tmp/vmlab-fs.XXXXXX";
	struct web_fileset_opts o = { 5, 1u << WEB_BANKING, WEB_FILESET_SEED };
	struct web_fileset_stats st;
	struct web_manifest m;
	struct sbuf text = SBUF_INIT, data = SBUF_INIT;
	struct err e;
	char path[512], a[100], b[100];

	assert_non_null(mkdtemp(dir));
	assert_int_equal(web_fileset_write(dir, &o, &st, &e), 0);
	assert_false(st.reused);
	/* 44 images + 2 folders x 10 checks x 2 sides */
	assert_int_equal(st.files, 44 + 40);
	snprintf(path, sizeof(path), "%s/MANIFEST", dir);
	assert_int_equal(file_read(path, &text, &e), 0);
	assert_int_equal(web_manifest_parse(text.buf, text.len, "MANIFEST", &m, &e), 0);
	assert_int_equal(m.n, 84);
	assert_int_equal(m.sessions, 5);
	assert_int_equal(m.wl_mask, 1u << WEB_BANKING);
	for (size_t k = 0; k < m.n; k += 7) {
		sbuf_reset(&data);
		snprintf(path, sizeof(path), "%s/%s", dir, m.ents[k].path);
		assert_int_equal(file_read(path, &data, &e), 0);
		assert_int_equal(data.len, m.ents[k].size);
		assert_true(web_sum(WEB_SUM_INIT, data.buf, data.len) == m.ents[k].sum);
		/* any range regenerates alone */
		web_content(WEB_FILESET_SEED, m.ents[k].path, 3, a, 50);
		assert_memory_equal(a, data.buf + 3, 50);
	}
	web_content(1, "x", 0, a, 100);
	web_content(2, "x", 0, b, 100);
	assert_memory_not_equal(a, b, 100);
	web_manifest_free(&m);
	assert_int_equal(web_fileset_write(dir, &o, &st, &e), 0);
	assert_true(st.reused);
	assert_int_equal(st.files, 84);
	/* bad manifests */
	static const char *const bad[] = { "", "# other\n", "# vmlab web fileset seed=1 sessions=0 workloads=banking\n",
		"# vmlab web fileset seed=1 sessions=1 workloads=banking\n12 zz a\n",
		"# vmlab web fileset seed=1 sessions=1 workloads=banking\n12 0000000000000000 ../a\n",
		"# vmlab web fileset seed=1 sessions=1 workloads=banking\n12 0000000000000000 /a\n",
		"# vmlab web fileset seed=1 sessions=1 workloads=nope\n",
		"# vmlab web fileset seed=1 sessions=1 workloads=banking\n12 0000000000000000 a", NULL };
	for (int k = 0; bad[k]; k++)
		if (web_manifest_parse(bad[k], strlen(bad[k]), "M", &m, &e) != -EBADMSG)
			fail_msg("accepted manifest %d", k);
	assert_non_null(strstr(e.msg, "M:2:"));
	sbuf_free(&text);
	sbuf_free(&data);
	{
		char *argv[] = { "rm", "-rf", dir, NULL };
		int status;

		assert_int_equal(proc_run(argv, &(struct proc_opts){ 0 }, &status, &e), 0);
		assert_int_equal(status, 0);
	}
}

/* The certificate parses back, matches its key, names the host and is valid now. */
static void test_tls_cert(void **state)
{
	char dir[] = "/tmp/vmlab-tls.XXXXXX", key[128], crt[128];
	struct err e;
	FILE *f;
	X509 *x;
	EVP_PKEY *k;
	struct stat st;

	assert_non_null(mkdtemp(dir));
	snprintf(key, sizeof(key), "%s/k.pem", dir);
	snprintf(crt, sizeof(crt), "%s/c.pem", dir);
	assert_int_equal(web_tls_selfsigned(key, crt, "10.1.2.3", 30, &e), 0);
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	f = fopen(crt, "r");
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	f = fopen(key, "r");
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	assert_non_null(k);
	assert_int_equal(X509_check_private_key(x, k), 1);
	assert_int_equal(X509_check_ip_asc(x, "10.1.2.3", 0), 1);
	assert_int_equal(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
	assert_int_equal(X509_check_host(x, "localhost", 0, 0, NULL), 1);
	assert_int_equal(X509_check_ip_asc(x, "10.9.9.9", 0), 0);
	assert_true(X509_cmp_current_time(X509_get0_notBefore(x)) < 0);
	assert_true(X509_cmp_current_time(X509_get0_notAfter(x)) > 0);
	assert_int_equal(EVP_PKEY_get_base_id(k), EVP_PKEY_EC);
	X509_free(x);
	EVP_PKEY_free(k);
	unlink(key);
	unlink(crt);
	rmdir(dir);
}

/* The nginx configuration routes dynamic pages to the application and serves
 * the rest from the file set. */
static void test_nginx_conf(void **state)
{
	struct web_serve_opts o = { .dir = "/srv/w", .listen = "127.0.0.1:80", .tls_listen = "[::1]:443",
				    .nginx_workers = 3 };
	struct sbuf c = SBUF_INIT;

	web_nginx_conf(&o, "10.0.0.2:9300", &c);
	assert_non_null(strstr(c.buf, "daemon off;"));
	assert_non_null(strstr(c.buf, "worker_processes 3;"));
	assert_non_null(strstr(c.buf, "pid \"/srv/w/nginx.pid\";"));
	assert_non_null(strstr(c.buf, "server 10.0.0.2:9300;"));
	assert_non_null(strstr(c.buf, "keepalive 64;"));
	assert_non_null(strstr(c.buf, "fastcgi_keep_conn on;"));
	assert_non_null(strstr(c.buf, "listen [::1]:443 ssl"));
	assert_non_null(strstr(c.buf, "ssl_certificate \"/srv/w/tls/server.crt\";"));
	assert_non_null(strstr(c.buf, "root \"/srv/w/www\";"));
	sbuf_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_page),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_fileset),
		cmocka_unit_test(test_tls_cert),
		cmocka_unit_test(test_nginx_conf),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
