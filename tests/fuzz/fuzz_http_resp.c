/* libFuzzer target: the HTTP response parser never crashes or reads past
 * its input, whatever the bytes and however they are split, and never
 * consumes more than it was given. The first byte picks the split size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_resp r;
	size_t step, have = 0, pos = 0;
	char *buf;

	if (size < 1)
		return 0;
	step = (size_t)data[0] + 1;
	data++;
	size--;
	buf = malloc(size ? size : 1);
	http_resp_init(&r, false);
	while (pos < size) {
		size_t k = size - pos < step ? size - pos : step, used = 0;
		int rc;

		memcpy(buf + have, data + pos, k);
		have += k;
		pos += k;
		rc = http_resp_feed(&r, buf, have, &used);
		if (used > have)
			abort();
		memmove(buf, buf + used, have - used);
		have -= used;
		if (rc < 0)
			break;
		if (rc == HTTP_DONE)
			http_resp_init(&r, false);  /* the next response on the connection */
	}
	(void)http_resp_eof(&r, have);
	free(buf);
	return 0;
}
