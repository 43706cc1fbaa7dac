/* TCP helpers of the web server side. */
#include "web/net.h"
#include "base/fileio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int net_parse_addr(const char *s, struct net_addr *a, struct err *e)
{
	char host[256];
	const char *colon, *port;
	struct addrinfo hints = { 0 }, *res = NULL;
	char *endp;
	long p;
	size_t hl;
	int rc;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return err_set(e, -EINVAL, "'%s': expected [ADDR]:PORT", s);
		hl = (size_t)(rb - s - 1);
		memcpy(host, s + 1, hl < sizeof(host) ? hl : 0);
		port = rb + 2;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return err_set(e, -EINVAL, "'%s': expected ADDR:PORT", s);
		hl = (size_t)(colon - s);
		memcpy(host, s, hl < sizeof(host) ? hl : 0);
		port = colon + 1;
	}
	if (hl == 0 || hl >= sizeof(host))
		return err_set(e, -EINVAL, "'%s': missing or too long address", s);
	host[hl] = 0;
	errno = 0;
	p = strtol(port, &endp, 10);
	if (!*port || *endp || errno || p < 0 || p > 65535)
		return err_set(e, -EINVAL, "'%s': port must be 0..65535", s);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = AF_UNSPEC;
	if ((rc = getaddrinfo(host, port, &hints, &res)) || !res)
		return err_set(e, -EINVAL, "'%s': cannot resolve '%s': %s", s, host, gai_strerror(rc));
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	a->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

void net_addr_str(const struct net_addr *a, char *buf, size_t len)
{
	char h[INET6_ADDRSTRLEN] = "?";

	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)&a->ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, h, sizeof(h));
		snprintf(buf, len, "[%s]:%u", h, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)&a->ss;

		inet_ntop(AF_INET, &s4->sin_addr, h, sizeof(h));
		snprintf(buf, len, "%s:%u", h, ntohs(s4->sin_port));
	}
}

int net_listen(struct net_addr *a, int reuseport, int nonblock, struct err *e)
{
	char name[80];
	int one = 1, fd, x;

	net_addr_str(a, name, sizeof(name));
	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return err_set(e, -errno, "%s: socket: %s", name, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a->ss, a->len) || listen(fd, 1024)) {
		x = errno;
		close(fd);
		return err_set(e, -x, "%s: cannot listen: %s", name, strerror(x));
	}
	a->len = sizeof(a->ss);
	getsockname(fd, (struct sockaddr *)&a->ss, &a->len);
	return fd;
}

int net_connect(const struct net_addr *a, struct err *e)
{
	char name[80];
	int one = 1, fd, x;

	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(e, -errno, "socket: %s", strerror(errno));
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len)) {
		x = errno;
		close(fd);
		net_addr_str(a, name, sizeof(name));
		return err_set(e, -x, "%s: cannot connect: %s", name, strerror(x));
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int net_write_all(int fd, const void *p, size_t n)
{
	return fd_write_all(fd, p, n, true);
}
