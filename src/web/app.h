/* The web application: a FastCGI responder implementing the dynamic pages of
 * the three workloads. Each page queries BeSim over a pool of keep-alive
 * connections and renders HTML that references the page's images. */
#ifndef VMLAB_WEB_APP_H
#define VMLAB_WEB_APP_H

#include <signal.h>

#include "base/err.h"
#include "base/sbuf.h"
#include "web/fcgi.h"

struct web_app;

/* Creates an application that reaches BeSim at besim_addr ("HOST:PORT",
 * connected lazily) keeping at most pool_max idle connections. Returns 0
 * and *out (web_app_free it) or -EINVAL (bad address). */
int web_app_new(const char *besim_addr, unsigned pool_max, struct web_app **out, struct err *e);
void web_app_free(struct web_app *app);

/* Answers the complete request rq: appends the CGI response (headers
 * "Status: ...", blank line, body) to out. Malformed parameters give 400,
 * unknown paths 404, a BeSim failure 502; never aborts. */
void web_app_handle(struct web_app *app, const struct fcgi_req *rq, struct sbuf *out);

/* Serves FastCGI on listen address addr until *stop becomes non-zero, one
 * thread per connection (at most max_conns). ready(arg, bound) is called once
 * listening. At the stop, open connections are shut down; returns 0 once
 * every connection thread has ended (app may then be freed), -ETIMEDOUT
 * when some did not within 5 s (app must then stay), or -errno. */
int web_app_serve(struct web_app *app, const char *addr, unsigned max_conns,
		  volatile sig_atomic_t *stop, void (*ready)(void *arg, const char *bound), void *arg,
		  struct err *e);

#endif
