/* The FastCGI record protocol (responder role, one request at a time per
 * connection): record framing, name-value pairs, and the writer side. */
#ifndef VMLAB_WEB_FCGI_H
#define VMLAB_WEB_FCGI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/sbuf.h"

enum fcgi_type {
	FCGI_BEGIN_REQUEST = 1, FCGI_ABORT_REQUEST, FCGI_END_REQUEST, FCGI_PARAMS, FCGI_STDIN,
	FCGI_STDOUT, FCGI_STDERR, FCGI_DATA, FCGI_GET_VALUES, FCGI_GET_VALUES_RESULT,
	FCGI_UNKNOWN_TYPE,
};

#define FCGI_RESPONDER 1
#define FCGI_KEEP_CONN 1
#define FCGI_REQUEST_COMPLETE 0
#define FCGI_CANT_MPX_CONN 1
#define FCGI_UNKNOWN_ROLE 3
#define FCGI_MAX_PARAMS_BYTES 65536
#define FCGI_MAX_STDIN_BYTES 65536

/* One record; content points into the caller's buffer. */
struct fcgi_rec {
	uint8_t type;
	uint16_t id;
	const uint8_t *content;
	uint16_t len;
};

/* Parses the record at buf[0..n). Returns the bytes it spans (header,
 * content, padding) and fills r, 0 when incomplete, -EBADMSG for a version
 * other than 1. */
int fcgi_parse_record(const uint8_t *buf, size_t n, struct fcgi_rec *r);

/* Calls fn(arg, name, nlen, value, vlen) for each name-value pair in
 * p[0..n); stops early when fn returns non-zero (and returns that). Returns
 * 0 or -EBADMSG when a length runs past the end. */
int fcgi_pairs(const uint8_t *p, size_t n,
	       int (*fn)(void *arg, const char *name, size_t nlen, const char *val, size_t vlen),
	       void *arg);

/* The request being assembled on one connection. */
struct fcgi_req {
	bool active;           /* BEGIN_REQUEST seen, END_REQUEST not yet sent */
	bool keep_conn;
	bool params_done, stdin_done;
	uint16_t id;
	struct sbuf params;    /* the raw FCGI_PARAMS stream */
	struct sbuf in;        /* FCGI_STDIN */
};

enum fcgi_feed_result {
	FCGI_MORE = 0,         /* need more records */
	FCGI_READY = 1,        /* params and stdin complete: answer the request */
	FCGI_ABORTED = 2,      /* the server aborted it: send END_REQUEST, no output */
	FCGI_PROTO_ERROR = -1, /* protocol violation: close the connection */
};

/* Feeds record r to rq. Replies the protocol requires by itself
 * (GET_VALUES_RESULT, UNKNOWN_TYPE, END_REQUEST for a refused role or a
 * second concurrent request) are appended to out. */
int fcgi_feed(struct fcgi_req *rq, const struct fcgi_rec *r, struct sbuf *out);

/* Looks up param name in rq->params; returns the value (NUL-terminated
 * copy in buf of size len; truncated values are refused) or NULL. */
const char *fcgi_param(const struct fcgi_req *rq, const char *name, char *buf, size_t len);

/* Length of param name's value in rq->params, or -1 when absent. */
long fcgi_param_len(const struct fcgi_req *rq, const char *name);

/* Forgets the finished request (keeps the buffers' memory). */
void fcgi_req_reset(struct fcgi_req *rq);
void fcgi_req_free(struct fcgi_req *rq);

/* Appends records of type carrying data[0..n) (split at 65535 bytes, padded
 * to 8); n == 0 writes the empty end-of-stream record. */
void fcgi_put(struct sbuf *out, uint8_t type, uint16_t id, const void *data, size_t n);
/* Appends END_REQUEST. */
void fcgi_put_end(struct sbuf *out, uint16_t id, uint32_t app_status, uint8_t proto_status);
/* Appends one name-value pair in FastCGI encoding. */
void fcgi_put_pair(struct sbuf *out, const char *name, const char *val);

#endif
