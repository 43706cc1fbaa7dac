/* A load's counts over time: fixed-width buckets from the start of an
 * iteration (responses, errors, pages and their QoS class), with the first
 * and last response inside each bucket, so that the largest gap between
 * responses (the clients' view of a server's downtime, as Clark et al.
 * measured a live migration's) is exact for gaps longer than a bucket. One
 * timeline per thread, merged after the run. */
#ifndef VMLAB_WEB_TIMELINE_H
#define VMLAB_WEB_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "base/sbuf.h"

#define WEB_TL_BUCKET_NS 10000000ull   /* 10 ms */

/* pages: pages and downloads that ended in the bucket; good and tolerable
 * by the workload's page-time limits, downloads by its byte-rate limits;
 * failed: those with an error (neither good nor tolerable). */
struct web_tl_bucket {
	uint32_t responses, errors, pages, good, tolerable, failed;
	uint32_t first, last;      /* ns into the bucket of its first and last response */
};

struct web_timeline {
	uint64_t start_ns;         /* clock_mono_ns() at bucket 0 */
	uint64_t start_real_ns;    /* clock_real_ns() then */
	uint64_t bucket_ns;
	size_t n;
	struct web_tl_bucket *b;
};

/* Buckets covering span_ns from start_ns (at least one); real_ns is the wall
 * clock at start_ns. */
void web_timeline_init(struct web_timeline *t, uint64_t start_ns, uint64_t real_ns, uint64_t span_ns);
void web_timeline_free(struct web_timeline *t);

/* The bucket of time now_ns (the first or last one outside the span). */
struct web_tl_bucket *web_timeline_at(struct web_timeline *t, uint64_t now_ns);

/* Counts a response at now_ns. */
void web_timeline_response(struct web_timeline *t, uint64_t now_ns);

/* Adds src's counts into dst (the same start and size; else nothing). */
void web_timeline_merge(struct web_timeline *dst, const struct web_timeline *src);

/* The largest gap between two responses, or from `from` to the first one, or
 * from the last one to `to`, within [from, to) (ns since the timeline's
 * start); *at its start (ns since the start). Gaps inside one bucket are not
 * resolved: a result below bucket_ns means "under one bucket". */
uint64_t web_timeline_gap(const struct web_timeline *t, uint64_t from, uint64_t to, uint64_t *at);

/* Appends one JSON line per every_ns (a multiple of bucket_ns) of the
 * timeline: kind "web-timeline", the workload, the given iteration and
 * session count, t_s (since the start), epoch_s (wall clock), the counts
 * summed over the interval, first_ms and last_ms (its first and last
 * response, ms into it; null without) and gap_ms (the largest gap between
 * two of its responses; 0 with fewer than two), so that gaps across lines
 * can be found again (web/window.h). */
void web_timeline_json(const struct web_timeline *t, uint64_t every_ns, const char *workload,
		       unsigned iteration, unsigned sessions, struct sbuf *o);

#endif
