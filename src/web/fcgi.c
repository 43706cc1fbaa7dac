/* FastCGI record codec and request assembly. */
#include "web/fcgi.h"

#include <errno.h>
#include <string.h>

int fcgi_parse_record(const uint8_t *buf, size_t n, struct fcgi_rec *r)
{
	size_t len, pad;

	if (n < 8)
		return 0;
	if (buf[0] != 1)
		return -EBADMSG;
	len = (size_t)buf[4] << 8 | buf[5];
	pad = buf[6];
	if (n < 8 + len + pad)
		return 0;
	r->type = buf[1];
	r->id = (uint16_t)(buf[2] << 8 | buf[3]);
	r->content = buf + 8;
	r->len = (uint16_t)len;
	return (int)(8 + len + pad);
}

static int get_len(const uint8_t **p, const uint8_t *end, size_t *len)
{
	if (*p >= end)
		return -EBADMSG;
	if (!(**p & 0x80)) {
		*len = *(*p)++;
		return 0;
	}
	if (end - *p < 4)
		return -EBADMSG;
	*len = (size_t)((*p)[0] & 0x7f) << 24 | (size_t)(*p)[1] << 16 | (size_t)(*p)[2] << 8 | (*p)[3];
	*p += 4;
	return 0;
}

int fcgi_pairs(const uint8_t *p, size_t n,
	       int (*fn)(void *arg, const char *name, size_t nlen, const char *val, size_t vlen),
	       void *arg)
{
	const uint8_t *end;

	if (!n)
		return 0;
	end = p + n;
	while (p < end) {
		size_t nl, vl;
		int rc;

		if (get_len(&p, end, &nl) || get_len(&p, end, &vl))
			return -EBADMSG;
		if (nl > (size_t)(end - p) || vl > (size_t)(end - p) - nl)
			return -EBADMSG;
		if (fn && (rc = fn(arg, (const char *)p, nl, (const char *)p + nl, vl)))
			return rc;
		p += nl + vl;
	}
	return 0;
}

static void put_header(struct sbuf *out, uint8_t type, uint16_t id, size_t len, size_t pad)
{
	uint8_t h[8] = { 1, type, (uint8_t)(id >> 8), (uint8_t)id, (uint8_t)(len >> 8), (uint8_t)len,
			 (uint8_t)pad, 0 };

	sbuf_add(out, h, 8);
}

void fcgi_put(struct sbuf *out, uint8_t type, uint16_t id, const void *data, size_t n)
{
	static const uint8_t zeros[8];
	const uint8_t *p = data;

	do {
		size_t chunk = n > 65528 ? 65528 : n, pad = (8 - chunk % 8) % 8;

		put_header(out, type, id, chunk, pad);
		if (chunk) {
			sbuf_add(out, p, chunk);
			p += chunk;
		}
		sbuf_add(out, zeros, pad);
		n -= chunk;
	} while (n);
}

void fcgi_put_end(struct sbuf *out, uint16_t id, uint32_t app_status, uint8_t proto_status)
{
	uint8_t b[8] = { (uint8_t)(app_status >> 24), (uint8_t)(app_status >> 16),
			 (uint8_t)(app_status >> 8), (uint8_t)app_status, proto_status, 0, 0, 0 };

	put_header(out, FCGI_END_REQUEST, id, 8, 0);
	sbuf_add(out, b, 8);
}

static void put_len(struct sbuf *out, size_t n)
{
	if (n < 128) {
		sbuf_putc(out, (char)n);
	} else {
		uint8_t b[4] = { (uint8_t)(0x80 | n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8),
				 (uint8_t)n };

		sbuf_add(out, b, 4);
	}
}

void fcgi_put_pair(struct sbuf *out, const char *name, const char *val)
{
	put_len(out, strlen(name));
	put_len(out, strlen(val));
	sbuf_puts(out, name);
	sbuf_puts(out, val);
}

/* GET_VALUES: answer the three variables the specification names. */
static int get_values_cb(void *arg, const char *name, size_t nlen, const char *val, size_t vlen)
{
	struct sbuf *o = arg;
	static const struct { const char *n, *v; } vars[] = {
		{ "FCGI_MAX_CONNS", "1024" }, { "FCGI_MAX_REQS", "1024" }, { "FCGI_MPXS_CONNS", "0" },
	};

	(void)val;
	(void)vlen;
	for (size_t k = 0; k < 3; k++)
		if (strlen(vars[k].n) == nlen && !memcmp(vars[k].n, name, nlen))
			fcgi_put_pair(o, vars[k].n, vars[k].v);
	return 0;
}

int fcgi_feed(struct fcgi_req *rq, const struct fcgi_rec *r, struct sbuf *out)
{
	if (r->id == 0) {
		struct sbuf v = SBUF_INIT;
		uint8_t body[8] = { r->type };

		if (r->type != FCGI_GET_VALUES) {
			put_header(out, FCGI_UNKNOWN_TYPE, 0, 8, 0);
			sbuf_add(out, body, 8);
			return FCGI_MORE;
		}
		if (fcgi_pairs(r->content, r->len, get_values_cb, &v)) {
			sbuf_free(&v);
			return FCGI_PROTO_ERROR;
		}
		fcgi_put(out, FCGI_GET_VALUES_RESULT, 0, v.buf, v.len);
		sbuf_free(&v);
		return FCGI_MORE;
	}
	switch (r->type) {
	case FCGI_BEGIN_REQUEST: {
		unsigned role;

		if (r->len != 8)
			return FCGI_PROTO_ERROR;
		role = (unsigned)r->content[0] << 8 | r->content[1];
		if (rq->active) {
			fcgi_put_end(out, r->id, 0, FCGI_CANT_MPX_CONN);
			return FCGI_MORE;
		}
		if (role != FCGI_RESPONDER) {
			fcgi_put_end(out, r->id, 0, FCGI_UNKNOWN_ROLE);
			return FCGI_MORE;
		}
		fcgi_req_reset(rq);
		rq->active = true;
		rq->id = r->id;
		rq->keep_conn = r->content[2] & FCGI_KEEP_CONN;
		return FCGI_MORE;
	}
	case FCGI_ABORT_REQUEST:
		if (!rq->active || r->id != rq->id)
			return FCGI_MORE;
		return FCGI_ABORTED;
	case FCGI_PARAMS:
	case FCGI_STDIN: {
		struct sbuf *b = r->type == FCGI_PARAMS ? &rq->params : &rq->in;
		bool *done = r->type == FCGI_PARAMS ? &rq->params_done : &rq->stdin_done;
		size_t max = r->type == FCGI_PARAMS ? FCGI_MAX_PARAMS_BYTES : FCGI_MAX_STDIN_BYTES;

		if (!rq->active || r->id != rq->id)
			return FCGI_MORE;  /* records of a refused or finished request */
		if (*done || (r->type == FCGI_STDIN && !rq->params_done))
			return FCGI_PROTO_ERROR;
		if (r->len == 0)
			*done = true;
		else if (b->len + r->len > max)
			return FCGI_PROTO_ERROR;
		else
			sbuf_add(b, r->content, r->len);
		if (r->type == FCGI_PARAMS && *done &&
		    fcgi_pairs((const uint8_t *)rq->params.buf, rq->params.len, NULL, NULL))
			return FCGI_PROTO_ERROR;
		return rq->params_done && rq->stdin_done ? FCGI_READY : FCGI_MORE;
	}
	case FCGI_DATA:
		return FCGI_MORE;
	default: {
		uint8_t body[8] = { r->type };

		put_header(out, FCGI_UNKNOWN_TYPE, 0, 8, 0);
		sbuf_add(out, body, 8);
		return FCGI_MORE;
	}
	}
}

struct lookup {
	const char *name;
	char *buf;
	size_t len;
	int found;
};

static int lookup_cb(void *arg, const char *name, size_t nlen, const char *val, size_t vlen)
{
	struct lookup *l = arg;

	if (strlen(l->name) != nlen || memcmp(l->name, name, nlen))
		return 0;
	if (vlen >= l->len || memchr(val, 0, vlen))
		return -1;
	memcpy(l->buf, val, vlen);
	l->buf[vlen] = 0;
	l->found = 1;
	return 1;
}

const char *fcgi_param(const struct fcgi_req *rq, const char *name, char *buf, size_t len)
{
	struct lookup l = { name, buf, len, 0 };

	fcgi_pairs((const uint8_t *)rq->params.buf, rq->params.len, lookup_cb, &l);
	return l.found ? buf : NULL;
}

struct len_lookup {
	const char *name;
	long len;
};

static int len_cb(void *arg, const char *name, size_t nlen, const char *val, size_t vlen)
{
	struct len_lookup *l = arg;

	(void)val;
	if (strlen(l->name) != nlen || memcmp(l->name, name, nlen))
		return 0;
	l->len = (long)vlen;
	return 1;
}

long fcgi_param_len(const struct fcgi_req *rq, const char *name)
{
	struct len_lookup l = { name, -1 };

	fcgi_pairs((const uint8_t *)rq->params.buf, rq->params.len, len_cb, &l);
	return l.len;
}

void fcgi_req_reset(struct fcgi_req *rq)
{
	rq->active = rq->keep_conn = rq->params_done = rq->stdin_done = false;
	rq->id = 0;
	rq->params.len = 0;
	rq->in.len = 0;
	if (rq->params.buf)
		rq->params.buf[0] = 0;
	if (rq->in.buf)
		rq->in.buf[0] = 0;
}

void fcgi_req_free(struct fcgi_req *rq)
{
	sbuf_free(&rq->params);
	sbuf_free(&rq->in);
}
