/* libFuzzer target: the connection engine's read path (reads, parsing,
 * leftover bytes, keep-alive reuse, end of stream) never crashes, whatever
 * the server sends and however its bytes are split across reads. A test
 * transport hands the input out; each complete response is answered with
 * the next request on the same connection. The first byte picks the read
 * size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "web/conn.h"

static const uint8_t *in;
static size_t in_len, in_pos, step;

static enum tstatus f_connect(struct tconn *c, void *ctx, const char *sni)
{
	return T_OK;
}

/* Gives out at most step bytes per call; T_RETRY when a piece is used up,
 * then 0 (end of stream) once the input is. */
static enum tstatus f_read(struct tconn *c, char *buf, size_t n, size_t *got)
{
	size_t k = in_len - in_pos < step ? in_len - in_pos : step;

	if (k > n)
		k = n;
	memcpy(buf, in + in_pos, k);
	in_pos += k;
	*got = k;
	return T_OK;
}

static enum tstatus f_write(struct tconn *c, const char *buf, size_t n, size_t *done)
{
	*done = n;
	return T_OK;
}

static void f_close(struct tconn *c)
{
}

static const struct transport_ops fuzz_tp = { "fuzz", true, f_connect, f_read, f_write, f_close };

static const char REQ[] = "GET / HTTP/1.1\r\n\r\n";
static int dead;

static void on_connected(struct conn *c)
{
}

static void on_done(struct conn *c)
{
	if (c->open)
		conn_send(c, REQ, sizeof(REQ) - 1);
	else
		dead = 1;
}

static void on_error(struct conn *c, int kind, bool parse, bool busy)
{
	dead = 1;
}

static void on_closed(struct conn *c)
{
	dead = 1;
}

static void on_body(struct conn *c, const char *p, size_t n)
{
	volatile char sink = n ? p[n - 1] : 0;

	(void)sink;
}

static const struct conn_ops ops = { on_connected, on_done, on_error, on_closed, on_body };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conn c;
	struct conn_loop l = { .epfd = -1, .ops = &ops };

	if (size < 1)
		return 0;
	step = (size_t)data[0] + 1;
	in = data + 1;
	in_len = size - 1;
	in_pos = 0;
	dead = 0;
	conn_init(&c, &l, NULL);
	c.tp = &fuzz_tp;
	c.open = true;          /* a connected socket that is not there */
	conn_send(&c, REQ, sizeof(REQ) - 1);
	for (int i = 0; !dead && c.open && i < 1 << 16; i++)
		conn_event(&c, EPOLLIN);
	conn_close(&c);
	return 0;
}
