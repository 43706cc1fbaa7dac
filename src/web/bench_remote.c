/* Multi-host raw load over ssh, with exact merging of the results. */
#include "web/bench_remote.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/proc.h"
#include "base/sshargv.h"

struct job {
	struct bench_remote *r;
	char **argv;
	uint64_t timeout_ms;
	pthread_t tid;
	bool started;
};

static void *job_main(void *arg)
{
	struct job *j = arg;
	struct proc_opts o = { .out = &j->r->out, .errout = &j->r->errout, .timeout_ms = j->timeout_ms };

	j->r->rc = proc_run(j->argv, &o, &j->r->status, &j->r->e);
	return NULL;
}

void bench_remote_run_all(struct bench_remote *r, int n, char *const *ssh_args, int nssh,
			  char *const *remote_argv, uint64_t timeout_ms)
{
	char **ssh_opts = NULL;
	size_t nopts = 0;
	struct job *jobs = xcalloc((size_t)n, sizeof(*jobs));

	for (int a = 0; a < nssh; a++)
		argv_add(&ssh_opts, &nopts, ssh_args[a]);

	for (int i = 0; i < n; i++) {
		struct job *j = &jobs[i];

		j->r = &r[i];
		j->timeout_ms = timeout_ms;
		j->argv = ssh_argv(ssh_opts, r[i].host, remote_argv, NULL);
		r[i].rc = 0;
		r[i].status = -1;
		if (pthread_create(&j->tid, NULL, job_main, j) == 0)
			j->started = true;
		else
			r[i].rc = err_set(&r[i].e, -EAGAIN, "%s: cannot start a thread", r[i].host);
	}
	for (int i = 0; i < n; i++) {
		if (jobs[i].started)
			pthread_join(jobs[i].tid, NULL);
		argv_free(jobs[i].argv);
	}
	free(jobs);
	argv_free(ssh_opts);
}

static int need_num(const struct json *o, const char *key, const char *name, double *v,
		    struct err *e)
{
	/* counts must fit a uint64_t: 2^63 leaves room for adding several hosts */
	if (json_get_num(o, key, v) || !(*v >= 0 && *v < 9.2e18))
		return err_set(e, -EBADMSG, "%s: record lacks a number \"%s\" from 0 to 2^63", name,
			       key);
	return 0;
}

int bench_record_merge(const char *text, size_t len, const char *name, struct http_stats *st,
		       double *elapsed_s, double *cpu_s, struct err *e)
{
	static const char *const cls[] = { "other", "1xx", "2xx", "3xx", "4xx", "5xx" };
	struct http_stats *one = xmalloc(sizeof(*one));
	const struct json *errs, *status;
	const char *kind, *h;
	struct json *j = NULL;
	double v, u, s;
	int rc;

	http_stats_reset(one);
	if ((rc = json_parse(text, len, name, &j, e)))
		goto out;
	rc = -EBADMSG;
	kind = json_get_str(j, "kind");
	if (!kind || strcmp(kind, "web-bench")) {
		err_set(e, rc, "%s: not a web-bench record", name);
		goto out;
	}
	if (need_num(j, "requests", name, &v, e))
		goto out;
	one->requests = (uint64_t)v;
	if (need_num(j, "bytes", name, &v, e))
		goto out;
	one->bytes = (uint64_t)v;
	if (need_num(j, "connects", name, &v, e) )
		goto out;
	one->connects = (uint64_t)v;
	if (need_num(j, "elapsed_s", name, elapsed_s, e) || need_num(j, "cpu_user_s", name, &u, e) ||
	    need_num(j, "cpu_sys_s", name, &s, e))
		goto out;
	*cpu_s = u + s;
	errs = json_get(j, "errors");
	status = json_get(j, "status_classes");
	if (!errs || errs->type != JSON_OBJ || !status || status->type != JSON_OBJ) {
		err_set(e, rc, "%s: record lacks \"errors\" or \"status_classes\"", name);
		goto out;
	}
	for (int i = 0; i < HE_KINDS; i++) {
		if (need_num(errs, http_client_err_name(i), name, &v, e))
			goto out;
		one->err[i] = (uint64_t)v;
	}
	for (int i = 0; i < HTTP_E_KINDS; i++) {
		if (need_num(errs, http_err_name(-i - 1), name, &v, e))
			goto out;
		one->perr[i] = (uint64_t)v;
	}
	for (int i = 0; i < 6; i++) {
		if (need_num(status, cls[i], name, &v, e))
			goto out;
		one->status[i] = (uint64_t)v;
	}
	h = json_get_str(j, "hist");
	if (!h) {
		err_set(e, rc, "%s: record lacks \"hist\"", name);
		goto out;
	}
	if ((rc = hist_parse(&one->lat, h, strlen(h), name, e)))
		goto out;
	if (one->lat.total != one->requests) {
		rc = err_set(e, -EBADMSG, "%s: histogram holds %llu values for %llu requests", name,
			     (unsigned long long)one->lat.total, (unsigned long long)one->requests);
		goto out;
	}
	/* records of a vmlab that did not count failed requests lack both */
	if (json_get(j, "failed")) {
		if ((rc = need_num(j, "failed", name, &v, e)))
			goto out;
		one->failed = (uint64_t)v;
		h = json_get_str(j, "failed_hist");
		if (!h) {
			rc = err_set(e, -EBADMSG, "%s: record lacks \"failed_hist\"", name);
			goto out;
		}
		if ((rc = hist_parse(&one->fail_lat, h, strlen(h), name, e)))
			goto out;
		if (one->fail_lat.total != one->failed) {
			rc = err_set(e, -EBADMSG, "%s: failed_hist holds %llu values for %llu failed "
				     "requests", name, (unsigned long long)one->fail_lat.total,
				     (unsigned long long)one->failed);
			goto out;
		}
	}
	http_stats_merge(st, one);
	rc = 0;
out:
	json_free(j);
	free(one);
	return rc;
}
