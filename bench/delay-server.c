/* A tiny HTTP/1.1 server with a known, deterministic service time, for
 * checking a load generator's latency percentiles: on each connection every
 * SLOW_EVERY-th request waits SLOW_US, the others FAST_US, then a 2-byte
 * body is sent. One thread per connection; keep-alive; loopback only.
 *
 * usage: delay-server PORT FAST_US SLOW_US SLOW_EVERY [MODE]
 * MODE (for error-path tests) answers instead: "garbage" a non-HTTP line,
 * "huge" a head larger than any client accepts, "truncate" half a body and a
 * close, "chunked" a valid chunked body.
 * Build: cc -O2 -pthread -o delay-server bench/delay-server.c */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long fast_us, slow_us, slow_every;
static const char *mode = "ok";

static void wait_us(long us)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_nsec += (us % 1000000) * 1000;
	t.tv_sec += us / 1000000 + t.tv_nsec / 1000000000;
	t.tv_nsec %= 1000000000;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
		;
}

/* Writes the MODE answer; returns non-zero when the connection must close. */
static int answer_mode(int fd)
{
	static const char garbage[] = "SSH-2.0-OpenSSH_9.2\r\n\r\n";
	static const char trunc[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly half";
	static const char chunked[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				      "2\r\nok\r\n0\r\n\r\n";
	static char huge[40000];

	if (!strcmp(mode, "garbage"))
		return write(fd, garbage, sizeof(garbage) - 1) < 0 || 1;
	if (!strcmp(mode, "truncate"))
		return write(fd, trunc, sizeof(trunc) - 1) < 0 || 1;
	if (!strcmp(mode, "chunked"))
		return write(fd, chunked, sizeof(chunked) - 1) != (ssize_t)sizeof(chunked) - 1;
	if (!huge[0]) {
		memset(huge, 'a', sizeof(huge));
		memcpy(huge, "HTTP/1.1 200 OK\r\nX-Huge: ", 26);
	}
	return write(fd, huge, sizeof(huge)) < 0 || 1;
}

static void *serve(void *arg)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	int fd = (int)(long)arg, one = 1;
	char buf[8192];
	size_t have = 0;
	long n = 0;

	prctl(PR_SET_TIMERSLACK, 1UL);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (;;) {
		ssize_t r = read(fd, buf + have, sizeof(buf) - have);
		char *end;

		if (r <= 0)
			break;
		have += (size_t)r;
		while ((end = memmem(buf, have, "\r\n\r\n", 4))) {
			size_t len = (size_t)(end - buf) + 4;

			wait_us(++n % slow_every == 0 ? slow_us : fast_us);
			if (strcmp(mode, "ok") && answer_mode(fd))
				goto out;
			if (!strcmp(mode, "ok") &&
			    write(fd, resp, sizeof(resp) - 1) != (ssize_t)sizeof(resp) - 1)
				goto out;
			memmove(buf, buf + len, have - len);
			have -= len;
		}
		if (have == sizeof(buf))
			break;
	}
out:
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int ls, one = 1;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: delay-server PORT FAST_US SLOW_US SLOW_EVERY [MODE]\n");
		return 2;
	}
	if (argc == 6)
		mode = argv[5];
	fast_us = atol(argv[2]);
	slow_us = atol(argv[3]);
	slow_every = atol(argv[4]);
	if (slow_every < 1)
		slow_every = 1;
	signal(SIGPIPE, SIG_IGN);
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 1024)) {
		perror("delay-server: bind/listen");
		return 1;
	}
	for (;;) {
		int fd = accept(ls, NULL, NULL);
		pthread_t t;

		if (fd < 0)
			continue;
		if (pthread_create(&t, NULL, serve, (void *)(long)fd)) {
			close(fd);
			continue;
		}
		pthread_detach(t);
	}
}
