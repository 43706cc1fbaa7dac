/* Incremental HTTP/1.1 response parser for the load generator: status line,
 * headers, Content-Length, chunked bodies, read-until-close, 1xx/204/304
 * without body. Parses in place and never copies the body. */
#ifndef VMLAB_WEB_HTTP_PARSE_H
#define VMLAB_WEB_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A response head (status line and headers) larger than this is an error. */
#define HTTP_HEAD_MAX 16384

/* Results of http_resp_feed / http_resp_eof; errors are negative kinds. */
enum {
	HTTP_MORE = 0,          /* need more bytes */
	HTTP_DONE = 1,          /* one response complete */
	HTTP_E_STATUS = -1,     /* malformed status line */
	HTTP_E_HEADER = -2,     /* malformed header line or value */
	HTTP_E_TOO_LARGE = -3,  /* head larger than HTTP_HEAD_MAX */
	HTTP_E_CHUNK = -4,      /* malformed chunked framing */
	HTTP_E_TRUNCATED = -5,  /* connection closed inside a response */
};
#define HTTP_E_KINDS 5
/* Short name of an error kind ("status-line", ...). */
const char *http_err_name(int kind);

struct http_resp {
	int phase;              /* internal */
	int status;             /* status code once the head is parsed */
	int minor;              /* HTTP/1.minor */
	bool keep_alive;        /* connection reusable after this response */
	bool no_body;           /* request was HEAD */
	bool got_len;
	uint64_t clen;          /* Content-Length */
	uint64_t left;          /* bytes left in the body or current chunk */
	uint64_t body;          /* body bytes seen (not counting chunk framing) */
	size_t head_len;        /* bytes of the head */
	size_t scan;            /* head bytes already searched for the end */
	int chunk_state;        /* internal */
	unsigned chunk_digits;
	uint32_t line_len;      /* length of the current chunk-size or trailer line */
	char last_modified[40]; /* Last-Modified value ("" when absent or too long) */
};

/* Prepares r for a new response; head_request true when the request was HEAD. */
void http_resp_init(struct http_resp *r, bool head_request);

/* Feeds buf[0..n): the bytes received after those already consumed. While the
 * head is incomplete nothing is consumed (*used = 0, HTTP_MORE) and the caller
 * must pass the same bytes again, extended, next time. Otherwise *used bytes
 * were consumed. Returns HTTP_DONE when a response is complete (bytes after
 * *used belong to the next response), HTTP_MORE, or a negative error kind
 * after which the connection must be dropped. */
int http_resp_feed(struct http_resp *r, const char *buf, size_t n, size_t *used);

/* The peer closed the connection with `pending` bytes fed but not consumed:
 * HTTP_DONE when the response was delimited by the close, HTTP_E_TRUNCATED
 * when it was cut inside one, HTTP_MORE when no byte of it had arrived. */
int http_resp_eof(const struct http_resp *r, size_t pending);

#endif
