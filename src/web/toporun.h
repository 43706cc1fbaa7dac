/* Running a web load over a topology (web/topology.h): every role started
 * where the file places it (guests created through the xen environments,
 * this vmlab copied in), CPUs pinned (guests: hard affinity in their config,
 * read back after xl create; dom0: xl vcpu-pin, read back, restored at the
 * end), addresses wired, readiness awaited from the client, the client's
 * command run, then everything torn down, also on failure or a stop. */
#ifndef VMLAB_WEB_TOPORUN_H
#define VMLAB_WEB_TOPORUN_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "base/sbuf.h"
#include "web/topology.h"

struct web_topo_run_cfg {
	const struct web_topology *t;
	const char *workload;          /* the server's workload (web serve -w) */
	unsigned fileset_sessions;     /* its file set's and BeSim's session count (-s) */
	/* `vmlab ARGS...` the client runs (NULL-terminated, e.g. "web",
	 * "search", ...); the runner appends --url, --tls-url, --env, --label
	 * and --json */
	char *const *client_args;
	const char *label;             /* the records' label; NULL: the placement */
	uint64_t client_timeout_ms;    /* the client's command's limit */
	uint64_t ready_timeout_ms;     /* the server's readiness limit */
	FILE *info;                    /* progress lines (NULL: none) */
	volatile sig_atomic_t *stop;   /* set (by a signal): tear down at the next step */
};

struct web_topo_result {
	struct sbuf client_out;        /* the client's stdout: its JSON records */
	struct sbuf client_err;
	int client_status;             /* its exit status; -1 when it did not run */
	struct sbuf record;            /* the "web-topology" record: placement, pinning read back */
};

/* Runs c. Returns 0 when the client's command ran (whatever its status),
 * else a negative errno with e filled: -EINVAL "FILE:LINE:COL: ..." when a
 * role's CPUs are not on its Xen host (checked before anything is created),
 * -EINTR when stopped, others when a role could not be started or never
 * became ready. r is filled as far as the run got (no record when nothing
 * was opened); free with
 * web_topo_result_free. */
int web_topo_run(const struct web_topo_run_cfg *c, struct web_topo_result *r, struct err *e);
void web_topo_result_free(struct web_topo_result *r);

#endif
