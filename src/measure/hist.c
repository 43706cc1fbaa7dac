/* Log-linear latency histogram. */
#include "measure/hist.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

uint64_t hist_bucket_lo(unsigned i)
{
	unsigned shift;

	if (i < 2 * HIST_SUB)
		return i;
	shift = i / HIST_SUB - 1;
	return (uint64_t)(i - shift * HIST_SUB) << shift;
}

uint64_t hist_bucket_hi(unsigned i)
{
	unsigned shift;

	if (i < 2 * HIST_SUB)
		return i;
	if (i == HIST_BUCKETS - 1)
		return UINT64_MAX;
	shift = i / HIST_SUB - 1;
	return hist_bucket_lo(i) + (1ull << shift) - 1;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	for (unsigned i = 0; i < HIST_BUCKETS; i++)
		dst->counts[i] += src->counts[i];
	dst->total += src->total;
	dst->over += src->over;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->sum += src->sum;
	dst->sumsq += src->sumsq;
}

static uint64_t bucket_mid(const struct hist *h, unsigned i)
{
	uint64_t lo = hist_bucket_lo(i), hi = hist_bucket_hi(i), v;

	if (i == HIST_BUCKETS - 1)
		hi = h->max;
	v = lo + (hi - lo) / 2;
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}

uint64_t hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0;

	if (h->total == 0)
		return 0;
	if (q <= 0)
		return h->min;
	if (q >= 1)
		return h->max;
	rank = (uint64_t)ceil(q * (double)h->total);
	if (rank == 0)
		rank = 1;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		seen += h->counts[i];
		if (seen >= rank)
			return bucket_mid(h, i);
	}
	return h->max;
}

double hist_mean(const struct hist *h)
{
	return h->total ? (double)h->sum / (double)h->total : 0;
}

double hist_stddev(const struct hist *h)
{
	double n = (double)h->total, m, var;

	if (h->total < 2)
		return 0;
	m = (double)h->sum / n;
	var = (h->sumsq - n * m * m) / (n - 1);
	return var > 0 ? sqrt(var) : 0;
}

double hist_share_le(const struct hist *h, uint64_t v)
{
	unsigned last = hist_index(v);
	uint64_t n = 0;

	if (h->total == 0)
		return 0;
	for (unsigned i = 0; i <= last; i++)
		n += h->counts[i];
	return (double)n / (double)h->total;
}

void hist_serialise(const struct hist *h, struct sbuf *out)
{
	unsigned i = 0;

	sbuf_printf(out, "hist1 %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %.17g",
		    h->total, h->over, h->min, h->max, h->sum, h->sumsq);
	while (i < HIST_BUCKETS) {
		if (!h->counts[i]) {
			i++;
			continue;
		}
		sbuf_printf(out, " %u:%" PRIu64, i, h->counts[i]);
		for (i++; i < HIST_BUCKETS && h->counts[i]; i++)
			sbuf_printf(out, ",%" PRIu64, h->counts[i]);
	}
}

struct hp {
	const char *s, *p, *end, *name;
	struct err *e;
};

static int hp_fail(struct hp *p, const char *what)
{
	return err_at(p->e, -EBADMSG, p->name, 1, (int)(p->p - p->s) + 1, "histogram: %s", what);
}

static int hp_u64(struct hp *p, uint64_t *v)
{
	uint64_t x = 0;
	const char *start = p->p;

	while (p->p < p->end && *p->p >= '0' && *p->p <= '9') {
		unsigned d = (unsigned)(*p->p - '0');

		if (x > (UINT64_MAX - d) / 10)
			return hp_fail(p, "number out of range");
		x = x * 10 + d;
		p->p++;
	}
	if (p->p == start)
		return hp_fail(p, "expected a number");
	*v = x;
	return 0;
}

static int hp_space(struct hp *p)
{
	if (p->p >= p->end || *p->p != ' ')
		return hp_fail(p, "expected a space");
	p->p++;
	return 0;
}

int hist_parse(struct hist *h, const char *s, size_t n, const char *name, struct err *e)
{
	struct hp p = { s, s, s + n, name, e };
	uint64_t hdr[5], sum = 0, v;
	char num[64], *endp;
	size_t k;
	int rc;

	hist_reset(h);
	if (n < 6 || memcmp(s, "hist1 ", 6) != 0) {
		rc = hp_fail(&p, "expected \"hist1 \"");
		goto fail;
	}
	p.p += 6;
	for (int i = 0; i < 5; i++) {
		if ((rc = hp_u64(&p, &hdr[i])) || (rc = hp_space(&p)))
			goto fail;
	}
	for (k = 0; p.p + k < p.end && p.p[k] != ' ' && k < sizeof(num) - 1; k++)
		num[k] = p.p[k];
	num[k] = 0;
	h->sumsq = strtod(num, &endp);
	if (k == 0 || *endp || !isfinite(h->sumsq) || h->sumsq < 0) {
		rc = hp_fail(&p, "bad sum of squares");
		goto fail;
	}
	p.p += k;
	while (p.p < p.end) {
		uint64_t idx;

		if ((rc = hp_space(&p)) || (rc = hp_u64(&p, &idx)))
			goto fail;
		if (p.p >= p.end || *p.p != ':') {
			rc = hp_fail(&p, "expected ':'");
			goto fail;
		}
		do {
			p.p++;
			if (idx >= HIST_BUCKETS) {
				rc = hp_fail(&p, "bucket index out of range");
				goto fail;
			}
			if (h->counts[idx]) {
				rc = hp_fail(&p, "bucket given twice");
				goto fail;
			}
			if ((rc = hp_u64(&p, &v)))
				goto fail;
			if (v == 0 || sum + v < sum) {
				rc = hp_fail(&p, "bad bucket count");
				goto fail;
			}
			h->counts[idx++] = v;
			sum += v;
		} while (p.p < p.end && *p.p == ',');
	}
	h->total = hdr[0];
	h->over = hdr[1];
	h->min = hdr[2];
	h->max = hdr[3];
	h->sum = hdr[4];
	if (sum != h->total || h->over > h->total) {
		rc = hp_fail(&p, "bucket counts do not add up to the total");
		goto fail;
	}
	if (h->total && (h->min > h->max || hist_index(h->min) >= HIST_BUCKETS ||
			 !h->counts[hist_index(h->min)] || !h->counts[hist_index(h->max)])) {
		rc = hp_fail(&p, "min or max do not match the buckets");
		goto fail;
	}
	if (!h->total && (h->min != UINT64_MAX || h->max || h->sum)) {
		rc = hp_fail(&p, "empty histogram with values");
		goto fail;
	}
	return 0;
fail:
	hist_reset(h);
	return rc;
}
