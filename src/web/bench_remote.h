/* Multi-host raw load: the prime client starts `vmlab web bench` on each
 * host over ssh with a common start time, collects their JSON records and
 * merges them exactly (counts added, histograms merged bucket by bucket). */
#ifndef VMLAB_WEB_BENCH_REMOTE_H
#define VMLAB_WEB_BENCH_REMOTE_H

#include <stdint.h>

#include "base/err.h"
#include "base/sbuf.h"
#include "web/http_client.h"

struct bench_remote {
	const char *host;          /* "[user@]host" */
	struct sbuf out, errout;   /* the client's stdout (its JSON record) and stderr */
	int status;                /* its exit status */
	int rc;                    /* 0, or why it could not be run (e) */
	struct err e;
};

/* Runs `ssh SSH_ARGS... HOST -- REMOTE_ARGV` (the remote command line quoted
 * by shquote_argv) for every r[0..n) at once and waits for all of them, each
 * at most timeout_ms. Fills out, errout, status and rc of each. */
void bench_remote_run_all(struct bench_remote *r, int n, char *const *ssh_args, int nssh,
			  char *const *remote_argv, uint64_t timeout_ms);

/* Adds one client's web-bench record text[0..len) into st (exactly: counts
 * and histogram buckets) and its elapsed and CPU times into the outputs.
 * Returns 0 or -EBADMSG with e naming "NAME:LINE:COL" or the missing field. */
int bench_record_merge(const char *text, size_t len, const char *name, struct http_stats *st,
		       double *elapsed_s, double *cpu_s, struct err *e);

#endif
