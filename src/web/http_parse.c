/* Incremental HTTP/1.1 response parser. */
#include "web/http_parse.h"

#include <string.h>

enum { P_HEAD, P_LEN, P_CLOSE, P_CHUNK, P_DONE };
enum { C_SIZE, C_EXT, C_SIZE_LF, C_DATA, C_DATA_CR, C_DATA_LF, C_TRAILER, C_TRAILER_LF };

static const char *const err_names[HTTP_E_KINDS] = {
	"status-line", "header", "header-too-large", "chunk", "truncated",
};

const char *http_err_name(int kind)
{
	if (kind < 0 && -kind <= HTTP_E_KINDS)
		return err_names[-kind - 1];
	return "?";
}

void http_resp_init(struct http_resp *r, bool head_request)
{
	memset(r, 0, sizeof(*r));
	r->no_body = head_request;
}

static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool name_is(const char *p, size_t n, const char *want)
{
	size_t i;

	for (i = 0; i < n && want[i]; i++)
		if (lower((unsigned char)p[i]) != want[i])
			return false;
	return i == n && !want[i];
}

/* True when the comma-separated list v[0..n) holds token tok (lower case). */
static bool list_has(const char *v, size_t n, const char *tok)
{
	size_t i = 0;

	while (i < n) {
		size_t s, e;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e > s && name_is(v + s, e - s, tok))
			return true;
	}
	return false;
}

static int parse_status(struct http_resp *r, const char *p, size_t n)
{
	/* "HTTP/1.x SSS[ reason]" */
	if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 || p[7] < '0' || p[7] > '9' || p[8] != ' ')
		return HTTP_E_STATUS;
	for (int i = 9; i < 12; i++)
		if (p[i] < '0' || p[i] > '9')
			return HTTP_E_STATUS;
	if (n > 12 && p[12] != ' ')
		return HTTP_E_STATUS;
	for (size_t i = 12; i < n; i++)
		if ((unsigned char)p[i] < 0x20 && p[i] != '\t')
			return HTTP_E_STATUS;
	r->minor = p[7] - '0';
	r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if (r->status < 100)
		return HTTP_E_STATUS;
	return 0;
}

/* Parses the head buf[0..len) (ending in CRLF CRLF) and picks the body framing. */
static int parse_head(struct http_resp *r, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len - 2, *eol;
	bool chunked = false, close = false, ka = false;
	int rc;

	eol = memchr(p, '\r', (size_t)(end - p));
	if (!eol || eol[1] != '\n')
		return HTTP_E_STATUS;
	if ((rc = parse_status(r, p, (size_t)(eol - p))))
		return rc;
	for (p = eol + 2; p < end; p = eol + 2) {
		const char *colon, *v, *ve;

		eol = memchr(p, '\r', (size_t)(end - p));
		if (!eol || eol[1] != '\n')
			return HTTP_E_HEADER;
		for (colon = p; colon < eol && is_tchar((unsigned char)*colon); colon++)
			;
		if (colon == p || colon == eol || *colon != ':')
			return HTTP_E_HEADER;
		for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		for (ve = eol; ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
			;
		for (const char *q = v; q < ve; q++)
			if (((unsigned char)*q < 0x20 && *q != '\t') || *q == 0x7f)
				return HTTP_E_HEADER;
		if (name_is(p, (size_t)(colon - p), "content-length")) {
			uint64_t x = 0;

			if (v == ve)
				return HTTP_E_HEADER;
			for (const char *q = v; q < ve; q++) {
				if (*q < '0' || *q > '9' || x > (UINT64_MAX - 9) / 10)
					return HTTP_E_HEADER;
				x = x * 10 + (uint64_t)(*q - '0');
			}
			if (r->got_len && r->clen != x)
				return HTTP_E_HEADER;
			r->got_len = true;
			r->clen = x;
		} else if (name_is(p, (size_t)(colon - p), "transfer-encoding")) {
			if (!list_has(v, (size_t)(ve - v), "chunked"))
				return HTTP_E_HEADER;  /* no other coding is asked for */
			chunked = true;
		} else if (name_is(p, (size_t)(colon - p), "last-modified")) {
			size_t n = (size_t)(ve - v);

			if (n < sizeof(r->last_modified)) {
				memcpy(r->last_modified, v, n);
				r->last_modified[n] = 0;
			}
		} else if (name_is(p, (size_t)(colon - p), "connection")) {
			close |= list_has(v, (size_t)(ve - v), "close");
			ka |= list_has(v, (size_t)(ve - v), "keep-alive");
		}
	}
	r->keep_alive = r->minor >= 1 ? !close : ka && !close;
	if (r->status < 200 || r->status == 204 || r->status == 304 || r->no_body) {
		r->phase = P_DONE;
	} else if (chunked) {
		r->phase = P_CHUNK;
		r->chunk_state = C_SIZE;
	} else if (r->got_len) {
		r->left = r->clen;
		r->phase = r->left ? P_LEN : P_DONE;
	} else {
		r->phase = P_CLOSE;
		r->keep_alive = false;
	}
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Chunked framing over buf[0..n); *used bytes consumed. */
static int feed_chunked(struct http_resp *r, const char *buf, size_t n, size_t *used)
{
	size_t i = 0;

	while (i < n) {
		int c = (unsigned char)buf[i];

		switch (r->chunk_state) {
		case C_SIZE: {
			int h = hexval(c);

			if (h >= 0) {
				if (r->chunk_digits >= 15)
					return HTTP_E_CHUNK;
				r->left = r->left * 16 + (uint64_t)h;
				r->chunk_digits++;
				i++;
				break;
			}
			if (!r->chunk_digits)
				return HTTP_E_CHUNK;
			if (c == ';' || c == ' ' || c == '\t') {
				r->chunk_state = C_EXT;
				r->line_len = 0;
			} else if (c == '\r') {
				r->chunk_state = C_SIZE_LF;
			} else {
				return HTTP_E_CHUNK;
			}
			i++;
			break;
		}
		case C_EXT:
			if (c == '\r')
				r->chunk_state = C_SIZE_LF;
			else if (c == '\n' || ++r->line_len > 4096)
				return HTTP_E_CHUNK;
			i++;
			break;
		case C_SIZE_LF:
			if (c != '\n')
				return HTTP_E_CHUNK;
			i++;
			r->chunk_digits = 0;
			if (r->left == 0) {
				r->chunk_state = C_TRAILER;
				r->line_len = 0;
			} else {
				r->chunk_state = C_DATA;
			}
			break;
		case C_DATA: {
			size_t k = n - i < r->left ? n - i : (size_t)r->left;

			i += k;
			r->left -= k;
			r->body += k;
			if (!r->left)
				r->chunk_state = C_DATA_CR;
			break;
		}
		case C_DATA_CR:
		case C_DATA_LF: {
			/* the CRLF that ends a chunk's data */
			bool cr = r->chunk_state == C_DATA_CR;

			if (c != (cr ? '\r' : '\n'))
				return HTTP_E_CHUNK;
			r->chunk_state = cr ? C_DATA_LF : C_SIZE;
			i++;
			break;
		}
		case C_TRAILER:
			/* trailer lines up to an empty line; line_len counts the line */
			if (c == '\r') {
				r->chunk_state = C_TRAILER_LF;
			} else if (c == '\n' || ++r->line_len > HTTP_HEAD_MAX) {
				return HTTP_E_CHUNK;
			}
			i++;
			break;
		case C_TRAILER_LF:
			if (c != '\n')
				return HTTP_E_CHUNK;
			i++;
			if (r->line_len == 0) {
				r->phase = P_DONE;
				*used = i;
				return HTTP_DONE;
			}
			r->line_len = 0;
			r->chunk_state = C_TRAILER;
			break;
		}
	}
	*used = i;
	return HTTP_MORE;
}

int http_resp_feed(struct http_resp *r, const char *buf, size_t n, size_t *used)
{
	size_t off = 0;
	int rc;

	*used = 0;
again:
	if (r->phase == P_HEAD) {
		const char *p = buf + off;
		size_t have = n - off, s = r->scan, hl = 0;

		if (s > have)
			s = 0;

		for (;;) {
			const char *cr = memchr(p + s, '\r', have - s > 3 ? have - s - 3 : 0);

			if (!cr)
				break;
			if (cr[1] == '\n' && cr[2] == '\r' && cr[3] == '\n') {
				hl = (size_t)(cr - p) + 4;
				break;
			}
			s = (size_t)(cr - p) + 1;
		}
		if (!hl) {
			if (have >= HTTP_HEAD_MAX)
				return HTTP_E_TOO_LARGE;
			r->scan = have > 3 ? have - 3 : 0;
			*used = off;
			return HTTP_MORE;
		}
		if (hl > HTTP_HEAD_MAX)
			return HTTP_E_TOO_LARGE;
		if ((rc = parse_head(r, p, hl)))
			return rc;
		r->head_len += hl;
		off += hl;
		if (r->status < 200) {
			/* interim response (100 Continue): the real one follows */
			bool head = r->no_body;
			size_t total = r->head_len;

			http_resp_init(r, head);
			r->head_len = total;
			goto again;
		}
	}
	switch (r->phase) {
	case P_DONE:
		*used = off;
		return HTTP_DONE;
	case P_LEN: {
		size_t k = n - off < r->left ? n - off : (size_t)r->left;

		r->left -= k;
		r->body += k;
		*used = off + k;
		if (!r->left) {
			r->phase = P_DONE;
			return HTTP_DONE;
		}
		return HTTP_MORE;
	}
	case P_CLOSE:
		r->body += n - off;
		*used = n;
		return HTTP_MORE;
	case P_CHUNK: {
		size_t k = 0;

		rc = feed_chunked(r, buf + off, n - off, &k);
		*used = off + k;
		return rc;
	}
	}
	return HTTP_MORE;
}

int http_resp_eof(const struct http_resp *r, size_t pending)
{
	if (r->phase == P_CLOSE || r->phase == P_DONE)
		return HTTP_DONE;
	if (r->phase == P_HEAD && r->head_len == 0 && pending == 0)
		return HTTP_MORE;
	return HTTP_E_TRUNCATED;
}
