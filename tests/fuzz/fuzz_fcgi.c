/* libFuzzer target: a FastCGI byte stream fed record by record to the request
 * assembler never crashes; complete requests have their params looked up. */
#include <stddef.h>
#include <stdint.h>

#include "web/fcgi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fcgi_req rq = { 0 };
	struct sbuf out = SBUF_INIT;
	size_t off = 0;
	char v[128];

	while (off < size) {
		struct fcgi_rec r;
		int n = fcgi_parse_record(data + off, size - off, &r), res;

		if (n <= 0)
			break;
		off += (size_t)n;
		res = fcgi_feed(&rq, &r, &out);
		if (res == FCGI_PROTO_ERROR)
			break;
		if (res == FCGI_READY || res == FCGI_ABORTED) {
			fcgi_param(&rq, "SCRIPT_NAME", v, sizeof(v));
			fcgi_param(&rq, "QUERY_STRING", v, sizeof(v));
			fcgi_param_len(&rq, "CONTENT_TYPE");
			fcgi_req_reset(&rq);
		}
	}
	fcgi_pairs(data, size, NULL, NULL);
	fcgi_req_free(&rq);
	sbuf_free(&out);
	return 0;
}
