/* The session load generator behind `vmlab web load|run|search`: simulated
 * users follow a workload's Markov chain of pages, think between them, fetch
 * each page's embedded images over two parallel connections (keep-alive for
 * 5-15 requests, TLS where the page is), send If-Modified-Since for cached
 * images, and have each page's response time checked against the QoS. */
#ifndef VMLAB_WEB_SESSION_H
#define VMLAB_WEB_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/err.h"
#include "base/sbuf.h"
#include "measure/hist.h"
#include "web/http_client.h"
#include "web/timeline.h"
#include "web/workload.h"

#define WEB_MAX_PAGES 32

struct web_load_cfg {
	const struct web_workload *wl;
	struct sockaddr_storage http_addr, https_addr;
	socklen_t http_len, https_len;
	char http_host[300], https_host[300];  /* Host header values */
	void *tls_ctx;             /* transport_tls_ctx_new() */
	unsigned sessions;         /* simultaneous user sessions */
	unsigned threads;
	unsigned dirs;             /* session-scaled folders of the server's file set */
	double think_scale;        /* think times are multiplied by this (1 = as designed) */
	uint64_t rampup_ns;        /* sessions start spread over this */
	uint64_t warmup_ns;        /* then load without measuring */
	uint64_t run_ns;           /* then the measured interval */
	uint64_t rampdown_ns;      /* then load without measuring, then stop */
	uint64_t timeout_ns;       /* a request older than this is a timeout */
	uint64_t seed;
	uint32_t min_pages;        /* QoS needs this many pages (0: the workload's MIN_REQUESTS) */
	const char *concurrent;    /* other VMs running beside the load (recorded as
	                            * facts.concurrent), NULL when none */
	volatile sig_atomic_t *stop;   /* non-NULL: once *stop is set, the iteration ends
	                                * within 10 ms, its measured interval cut there */
};

/* Counts of the measured interval (pages completed inside it). */
struct web_load_stats {
	uint64_t pages, pages_good, pages_tolerable, pages_failed;
	uint64_t page_count[WEB_MAX_PAGES];
	uint64_t downloads, dl_good, dl_tolerable;   /* byte-rate QoS (Support) */
	uint64_t requests, bytes, not_modified;
	uint64_t sessions;                           /* sessions started, all phases */
	uint64_t err[HE_KINDS];
	uint64_t perr[HTTP_E_KINDS];
	uint64_t err_content;                        /* a page without its title */
	struct hist page_lat;                        /* page response time, ns */
	/* web_load_run's: the whole iteration (ramp-up to ramp-down) over time,
	 * from its start; measured_from/to: the measured interval on it (ns) */
	struct web_timeline tl;
	uint64_t measured_from, measured_to;
	bool stopped;              /* *cfg->stop ended the iteration early (measured_to, the
	                            * timeline and measured_ns end there) */
	uint64_t measured_ns;      /* the measured interval's length; 0: cfg->run_ns */
};

/* Zeroes s's counts; its timeline is kept (web_load_stats_free frees it). */
void web_load_stats_reset(struct web_load_stats *s);
void web_load_stats_free(struct web_load_stats *s);

/* The length of s's measured interval: cfg->run_ns unless a stop cut it. */
uint64_t web_load_measured_ns(const struct web_load_cfg *cfg, const struct web_load_stats *s);
void web_load_stats_merge(struct web_load_stats *dst, const struct web_load_stats *src);

/* QoS verdict of one interval. */
struct web_qos {
	double good_pct, tolerable_pct;              /* of pages (failed pages count as neither) */
	double dl_good_pct, dl_tolerable_pct;        /* of downloads; 100 when none */
	bool enough;                                 /* at least wl->min_requests pages */
	bool pass;
};

/* Judges s by wl's QoS limits; min_pages 0 means wl->min_requests. */
void web_qos_eval(const struct web_workload *wl, uint32_t min_pages, const struct web_load_stats *s,
		  struct web_qos *q);

/* Runs one iteration (ramp-up, warm-up, run, ramp-down) and fills *out
 * (caller-allocated; its timeline replaced by this iteration's). Server failures are counted, not returned; returns 0
 * or a negative errno when the load could not be set up (e says why). */
int web_load_run(const struct web_load_cfg *cfg, struct web_load_stats *out, struct err *e);

/* Appends the record of one iteration (a web record, struct record's
 * record_to_json, with its newline) to o; env and label (NULL: none) name the
 * environment for the results store. */
void web_load_json(struct sbuf *o, const char *kind, const struct web_load_cfg *cfg,
		   const struct web_load_stats *s, const struct web_qos *q, unsigned iteration,
		   const char *env, const char *label);

#endif
