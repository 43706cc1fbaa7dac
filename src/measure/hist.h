/* Log-linear latency histogram (HdrHistogram-style): values in nanoseconds,
 * 128 linear sub-buckets per power of two, so every bucket is at most 0.79%
 * of its value wide; constant-time record, exact merge, text serialisation. */
#ifndef VMLAB_MEASURE_HIST_H
#define VMLAB_MEASURE_HIST_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/sbuf.h"

#define HIST_SUB_BITS 7
#define HIST_SUB (1u << HIST_SUB_BITS)
/* Largest value kept apart: 2^40 ns (about 18 minutes); larger ones are
 * counted in the last bucket (and in `over`). */
#define HIST_MAX_BITS 40
#define HIST_BUCKETS ((HIST_MAX_BITS - HIST_SUB_BITS) * HIST_SUB + HIST_SUB)

struct hist {
	uint64_t total;          /* number of values */
	uint64_t over;           /* values above 2^40 - 1, clamped */
	uint64_t min, max;       /* exact extremes (min is UINT64_MAX when empty) */
	uint64_t sum;            /* exact sum of the values (wraps after 584 years) */
	double sumsq;            /* sum of squares, for the standard deviation */
	uint64_t counts[HIST_BUCKETS];
};

/* Empties h (also the initialiser: struct hist is plain data, about 34 KiB). */
void hist_reset(struct hist *h);

/* Bucket index of value v (ns). */
static inline unsigned hist_index(uint64_t v)
{
	unsigned msb, shift;

	if (v < 2 * HIST_SUB)
		return (unsigned)v;
	if (v >= (1ull << HIST_MAX_BITS))
		return HIST_BUCKETS - 1;
	msb = 63u - (unsigned)__builtin_clzll(v);
	shift = msb - HIST_SUB_BITS;
	return shift * HIST_SUB + (unsigned)(v >> shift);
}

/* Records one value in constant time. */
static inline void hist_record(struct hist *h, uint64_t v)
{
	h->counts[hist_index(v)]++;
	h->total++;
	if (v >= (1ull << HIST_MAX_BITS))
		h->over++;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->sum += v;
	h->sumsq += (double)v * (double)v;
}

/* Lowest and highest value that fall into bucket i. */
uint64_t hist_bucket_lo(unsigned i);
uint64_t hist_bucket_hi(unsigned i);

/* Adds every count of src to dst: the result equals the histogram of both
 * value sets (exactly, except sumsq which is a floating-point sum). */
void hist_merge(struct hist *dst, const struct hist *src);

/* Value at quantile q in [0,1] by nearest rank (the smallest recorded value
 * with at least ceil(q*total) values at or below it), as the middle of its
 * bucket clamped to [min,max]: within 0.4% of the exact order statistic.
 * 0 when empty. */
uint64_t hist_quantile(const struct hist *h, double q);
/* Mean and sample standard deviation in ns; 0 when empty. */
double hist_mean(const struct hist *h);
double hist_stddev(const struct hist *h);
/* Share of values <= v (by bucket: values in v's bucket count as <= v). */
double hist_share_le(const struct hist *h, uint64_t v);

/* Appends a one-line text form "hist1 TOTAL OVER MIN MAX SUM SUMSQ I:C,I:C..."
 * (only non-zero buckets; I in decimal, runs of adjacent buckets as I:C;C;C)
 * that hist_parse reads back to an identical histogram. */
void hist_serialise(const struct hist *h, struct sbuf *out);
/* Parses s[0..n) written by hist_serialise into h. Returns 0, or -EBADMSG
 * with e naming "NAME:1:COL: what" (h is then reset). Totals are checked. */
int hist_parse(struct hist *h, const char *s, size_t n, const char *name, struct err *e);

#endif
