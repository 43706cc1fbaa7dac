/* Sockets for the web server side: ADDR:PORT parsing, listening and
 * connecting TCP sockets. */
#ifndef VMLAB_WEB_NET_H
#define VMLAB_WEB_NET_H

#include <sys/socket.h>

#include "base/err.h"

struct net_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* Parses "HOST:PORT" or "[V6]:PORT" (HOST a numeric address or a name
 * resolved now; PORT 0..65535). Returns 0 or -EINVAL (e names s). */
int net_parse_addr(const char *s, struct net_addr *a, struct err *e);

/* Formats a as "HOST:PORT" ("[V6]:PORT") into buf. */
void net_addr_str(const struct net_addr *a, char *buf, size_t len);

/* A listening TCP socket bound to a (SO_REUSEADDR; SO_REUSEPORT when
 * reuseport), non-blocking when nonblock. Returns the fd or -errno. When the
 * port is 0, a is updated to the bound port. */
int net_listen(struct net_addr *a, int reuseport, int nonblock, struct err *e);

/* A blocking TCP connection to a with TCP_NODELAY. Returns the fd or -errno. */
int net_connect(const struct net_addr *a, struct err *e);

/* Writes all n bytes to blocking fd; returns 0 or -errno. */
int net_write_all(int fd, const void *p, size_t n);

#endif
