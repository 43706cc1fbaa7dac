/* A downtime probe: one ICMP echo request to an IPv4 address every interval
 * on a CLOCK_MONOTONIC schedule, and the gaps in the replies (the largest is
 * a live migration's downtime as the network sees it). */
#ifndef VMLAB_MEASURE_PROBE_H
#define VMLAB_MEASURE_PROBE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/sbuf.h"

/* The samples kept at most: this long's worth at the interval. */
#define PROBE_MAX_SPAN_NS (600ull * 1000000000ull)

struct probe_opts {
	const char *addr;        /* dotted IPv4 address "10.0.0.11" */
	uint64_t interval_ns;    /* between two requests (> 0) */
	uint64_t duration_ns;    /* requests are sent at interval multiples below this;
	                          * 0: until stopped */
	const char *stop_file;   /* non-NULL: stop once this file exists (checked
	                          * about every 10 ms) */
};

/* One echo request: when it left and when its reply came (CLOCK_MONOTONIC
 * ns); recv_ns 0: no reply. */
struct probe_sample {
	uint64_t sent_ns, recv_ns;
};

/* What a probe gave. */
struct probe_summary {
	char addr[64];            /* "" when not known (probe_summarize leaves it so) */
	char socket[8];           /* "raw", "dgram" (Linux's ping socket) or "" */
	uint64_t sent, received, lost;   /* received + lost == sent */
	double interval_ms;
	double duration_s;        /* first request to last request */
	double largest_gap_ms;    /* see probe_summarize; NaN when nothing was sent */
	double gap_start_s;       /* when that gap began, seconds after the first
	                           * request; NaN when nothing was sent */
	uint64_t lost_in_gap;     /* requests sent inside it that got no reply */
	double rtt_median_ms, rtt_p99_ms, rtt_max_ms;   /* NaN without a reply */
	uint64_t late;            /* requests sent over half an interval after their
	                           * deadline (sent then, none skipped) */
	uint64_t errors;          /* failed sends and socket errors (such a request
	                           * counts as sent and lost) */
	char first_error[128];    /* the first of them, "" when none */
	bool truncated;           /* stopped at the sample limit (PROBE_MAX_SPAN_NS
	                           * at the interval) before being told to */
};

/* Summarizes the samples v[0..n) (in the order sent; times on one clock,
 * recv_ns 0 for no reply, a recv_ns below its sent_ns counts as an RTT of 0)
 * into s, which is cleared first: the counts, interval_ms, duration_s,
 * RTT median, p99 (linear interpolation between order statistics) and max,
 * and the largest gap: the longest time between two consecutive replies in
 * the order received, the first request to the first reply and the last
 * reply to the last request counting as gaps too; with no reply at all the
 * whole duration from the first request (gap_start_s 0). lost_in_gap counts
 * the unanswered requests sent within [gap start, gap end]. Pure (no I/O);
 * addr, socket, late, errors, first_error and truncated are left empty. */
void probe_summarize(const struct probe_sample *v, size_t n, uint64_t interval_ns,
		     struct probe_summary *s);

/* Probes o->addr until *stop becomes non-zero (stop may be NULL), the stop
 * file appears, o->duration_ns is over or the sample limit is reached;
 * then waits for the replies still on their way (at most 1 s) and fills s
 * (probe_summarize, then addr, socket, late, errors, first_error,
 * truncated). Uses a raw ICMP socket with its own identifier, or Linux's
 * unprivileged ping socket when a raw one is not permitted; replies that
 * are not to its own requests are ignored; a reply belongs to the newest
 * request with its 16-bit sequence number. Each request is sent at its
 * absolute deadline (first + k x interval), a late one at once. Returns 0
 * (also when no reply came: s says so), -EINVAL for a bad address ("probe:
 * ADDR: not an IPv4 address") or a zero interval, -EPERM when neither
 * socket is permitted, or another negative errno, e saying what failed. */
int probe_run(const struct probe_opts *o, volatile sig_atomic_t *stop, struct probe_summary *s,
	      struct err *e);

/* Appends s as one JSON object without a newline:
 * {"kind":"probe","addr":"10.0.0.11","socket":"raw","sent":5000,...}, every
 * field of struct probe_summary by its name, NaN as null. */
void probe_summary_json(const struct probe_summary *s, struct sbuf *out);

/* Reads what probe_summary_json wrote from text[0..n) into s. Unknown fields
 * are ignored; every known one is required (null allowed where NaN is; the
 * strings are printable ASCII, as probe_run writes them). On bad input
 * returns -EBADMSG and e says "WHERE: byte N: what" (not JSON) or "WHERE:
 * FIELD: what"; s is then unspecified. */
int probe_summary_parse(const char *text, size_t n, const char *where, struct probe_summary *s,
			struct err *e);

#endif
