/* `vmlab web serve`: the server side assembled from real processes: nginx
 * (static file set, FastCGI to the application, TLS), the application and
 * BeSim, started, supervised and stopped together. */
#ifndef VMLAB_WEB_SERVE_H
#define VMLAB_WEB_SERVE_H

#include <signal.h>
#include <stdio.h>

#include "base/err.h"
#include "base/sbuf.h"

struct web_serve_opts {
	const char *dir;            /* state folder: www/, tls/, logs/, nginx.conf, serve.pid */
	const char *listen;         /* nginx HTTP "HOST:PORT" (port 0: a free port) */
	const char *tls_listen;     /* nginx HTTPS */
	const char *app_listen;     /* the application, started here */
	const char *app;            /* or an application already running there (not started) */
	const char *besim_listen;   /* BeSim, started here */
	const char *besim;          /* or a BeSim already running there (not started) */
	unsigned wl_mask, sessions;
	unsigned nginx_workers;     /* 0: one per CPU */
	unsigned besim_threads;
	const char *self;           /* the vmlab binary the application and BeSim run from */
	const char *nginx;          /* the nginx binary */
};

/* Writes nginx's configuration for o (addresses already resolved, dir
 * absolute) to out. */
void web_nginx_conf(const struct web_serve_opts *o, const char *app_addr, struct sbuf *out);

/* Prepares dir (file set, certificate, configuration), starts BeSim, the
 * application and nginx in one process group of their own (recorded in
 * dir/serve.pid; each child gets SIGTERM when this process dies), prints the URLs to info, and supervises them until
 * *stop becomes non-zero (then stops them all, returns 0) or one of them
 * exits (stops the others, returns -ECHILD naming it in e). */
int web_serve_run(struct web_serve_opts *o, volatile sig_atomic_t *stop, FILE *info,
		  struct err *e);

/* Stops the `vmlab web serve` running for dir (its dir/serve.pid) and waits
 * up to 20 s for it to finish, then stops what is left of the process group
 * its children ran in (after a serve that was killed), counted in
 * *leftovers. Returns 0, -ENOENT (nothing running) or -ETIMEDOUT. */
int web_serve_stop(const char *dir, unsigned *leftovers, struct err *e);

#endif
