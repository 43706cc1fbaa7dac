/* The experiment runner. */
#include "run/runner.h"
#include "base/fileio.h"
#include "base/proc.h"
#include "base/sshargv.h"
#include "base/words.h"
#include "measure/clock.h"
#include "run/env.h"
#include "run/record.h"
#include "run/xtcounts.h"
#include "host/host.h"
#include "xen/xentrace.h"
#include "xen/xtrecord.h"
#include "version.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct bench {
	const char *name, *kind;      /* kind: "cpu", "micro", "cmd" or "jbb" */
	const char *jbb;              /* kind "jbb": its options (name is "jbb OPTIONS", owned) */
};

/* True when done holds an ok record for this run, or an unsupported one (a
 * micro this environment cannot run stays so). */
static bool already_ok(const struct result_set *done, const char *env, const struct bench *b,
		       const char *size, long it)
{
	for (size_t i = 0; i < done->n; i++) {
		const struct record *r = &done->v[i];
		bool finished = !strcmp(r->status, "ok") || !strcmp(r->status, "unsupported");
		if (r->iteration == it && finished && !strcmp(r->environment, env) &&
		    !strcmp(r->benchmark, b->name) && r->kind && !strcmp(r->kind, b->kind) &&
		    r->size && !strcmp(r->size, size))
			return true;
	}
	return false;
}

/* The vmlab arguments that run one iteration of b; an external command gets
 * the run's timeout (tmo, "NNNms") so vmlab cpu run stops it itself; a
 * kernel is bound to pin's CPUs when pin is not NULL; trace (NULL: none) is
 * the events to count, comma-separated. */
static void bench_args(const struct bench *b, const char *size, const char *pin, const char *tmo,
		       const char *trace, char *argv[16])
{
	size_t n = 0;

	if (!strcmp(b->kind, "micro")) {
		argv[n++] = "micro";
		argv[n++] = (char *)b->name;
	} else {
		argv[n++] = "cpu";
		argv[n++] = "run";
		if (!strcmp(b->kind, "cmd"))
			argv[n++] = "--cmd";
		argv[n++] = (char *)b->name;
		if (strcmp(b->kind, "cmd")) {
			argv[n++] = "--size";
			argv[n++] = (char *)size;
			if (pin) {
				argv[n++] = "--pin";
				argv[n++] = (char *)pin;
			}
		} else {
			argv[n++] = "--timeout";
			argv[n++] = (char *)tmo;
		}
		argv[n++] = "--iterations";
		argv[n++] = "1";
	}
	if (trace) {
		argv[n++] = "--trace";
		argv[n++] = (char *)trace;
	}
	argv[n++] = "--json";
	argv[n] = NULL;
}

/* The experiment's trace list as one --trace argument, or NULL; owned. */
static char *trace_arg(const struct experiment *x)
{
	struct sbuf t = SBUF_INIT;

	if (!x->ntrace)
		return NULL;
	for (size_t k = 0; k < x->ntrace; k++)
		sbuf_printf(&t, "%s%s", k ? "," : "", x->trace[k]);
	return sbuf_take(&t);
}

/* The last non-empty line of t that is not a usage hint ("try 'vmlab help ...'"). */
static char *last_nonempty_line(const char *t)
{
	size_t n = strlen(t);

	for (;;) {
		while (n && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' '))
			n--;
		const char *p = memrchr(t, '\n', n);
		p = p ? p + 1 : t;
		if (p == t || strncmp(p, "try '", 5))
			return xstrndup(p, (size_t)(t + n - p));
		n = (size_t)(p - t);
	}
}

/* The benchmark's record in out: the last line that parses as one (a JSON
 * object with a "kind"). Returns false when there is none. */
static bool find_record(const char *out, struct record *found)
{
	const char *p = out;
	bool any = false;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		struct record r;
		if (n && *p == '{' && record_from_json(p, n, &r, NULL) == 0) {
			if (any)
				record_clear(found);
			*found = r;
			any = true;
		}
		p += n + (nl ? 1 : 0);
	}
	return any;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* The value, unit and direction of the benchmark's record j into r. */
static void take_value(struct record *r, const struct bench *b, const struct record *j)
{
	if (!strcmp(b->kind, "micro")) {
		const char *u = j->unit ? j->unit : "ns/op";
		size_t ul = strlen(u);
		bool rate = ul > 2 && !strcmp(u + ul - 2, "/s");
		r->value = j->median;
		r->unit = xstrdup(u);
		if (j->higher_is_better >= 0)
			rate = j->higher_is_better;
		r->better = xstrdup(rate ? "higher" : "lower");
	} else if (!strcmp(b->kind, "jbb")) {
		r->value = j->metric;
		r->unit = xstrdup(j->unit ? j->unit : "bops");
		r->better = xstrdup("higher");
	} else if (!strcmp(b->kind, "cmd") && !isnan(j->metric)) {
		const char *mn = j->metric_name;
		r->value = j->metric;
		if (j->unit)
			r->unit = xstrdup(j->unit);
		else
			r->unit = xstrdup(mn && strcmp(mn, "wall_s") ? mn : "s");
		r->better = xstrdup(j->higher_is_better > 0 ? "higher" : "lower");
	} else {
		r->value = r->wall_s;
		r->unit = xstrdup("s");
		r->better = xstrdup("lower");
	}
}

/* Fills the measured fields of r from the benchmark's record j. A micro
 * that reports "unsupported" stays "unsupported" (with its reason), every
 * other status but "ok" is "failed". */
static void take_record(struct record *r, const struct bench *b, const struct record *j)
{
	const char *st = j->status, *er = j->error;

	r->wall_s = j->wall_s;
	r->user_s = j->user_s;
	r->sys_s = j->sys_s;
	r->ratio = j->ratio;
	r->checksum_ok = j->checksum_ok;
	r->checksum = dup_or_null(j->checksum);
	r->repetitions = j->repetitions;
	r->ops = j->ops;
	if (j->counts)
		record_add_raw(r, "counts", j->counts);
	take_value(r, b, j);
	for (size_t k = 0; !strcmp(b->kind, "jbb") && k < j->nextras; k++)
		record_add_raw(r, j->extras[k].key, j->extras[k].json);
	if (st && !strcmp(st, "unsupported") && !strcmp(b->kind, "micro")) {
		r->status = xstrdup("unsupported");
		r->error = xstrdup(er ? er : "not supported in this environment");
	} else if (st && strcmp(st, "ok")) {
		r->status = xstrdup("failed");
		if (er)
			r->error = xstrdup(er);
		else if (!strcmp(st, "checksum-mismatch"))
			r->error = xstrdup("checksum mismatch");
		else
			r->error = xstrdup(st);
	} else if (r->checksum_ok == 0) {
		r->status = xstrdup("failed");
		r->error = xstrdup("checksum mismatch");
	} else if (isnan(r->value)) {
		r->status = xstrdup("failed");
		r->error = xstrdup("the benchmark's record has no measurement");
	}
}

/* Runs one iteration of b in v and fills r (status ok or failed). */
/* The vmlab arguments of a jbb run: "jbb", the item's words, "--json"
 * (free with argv_free; the item was checked when the experiment was read). */
static char **jbb_args(const struct bench *b)
{
	char **words = NULL, **argv = NULL;
	size_t n = 0;
	int nw;

	argv_add(&argv, &n, "jbb");
	if (words_split(b->jbb, &words, &nw, NULL) == 0)
		for (int k = 0; k < nw; k++)
			argv_add(&argv, &n, words[k]);
	argv_free(words);
	argv_add(&argv, &n, "--json");
	return argv;
}

static void run_one(struct env *v, const struct experiment *x, const struct bench *b,
		    struct record *r)
{
	char *fixed[16], **args = fixed, **dyn = NULL, tmo[32], *trace = trace_arg(x);
	struct sbuf out = SBUF_INIT, eo = SBUF_INIT;
	struct err e = { 0, "" };
	int st = -1, rc;
	struct record j;
	bool found, cmd = !strcmp(b->kind, "cmd");

	snprintf(tmo, sizeof(tmo), "%llums", (unsigned long long)x->timeout_ms);
	if (!strcmp(b->kind, "jbb"))
		args = dyn = jbb_args(b);
	else
		bench_args(b, x->size, x->pin, tmo, trace, fixed);
	/* for a command, vmlab cpu run's own timeout comes first; ours is the backstop */
	rc = v->ops->exec(v, args, x->timeout_ms + (cmd ? 5000 : 0), &out, &eo, &st, &e);
	if (rc) {
		r->status = xstrdup("failed");
		r->error = xstrdup(rc == -ETIMEDOUT ? "timed out" : e.msg);
		if (rc == -ETIMEDOUT) {
			free(r->error);
			struct sbuf m = SBUF_INIT;
			sbuf_printf(&m, "timed out after %llu ms", (unsigned long long)x->timeout_ms);
			r->error = sbuf_take(&m);
		}
		goto out;
	}
	found = find_record(sbuf_str(&out), &j);
	if (found) {
		take_record(r, b, &j);
		record_clear(&j);
	}
	if (!r->status && st != 0) {
		char *line = last_nonempty_line(sbuf_str(&eo));
		struct sbuf m = SBUF_INIT;
		r->status = xstrdup("failed");
		if (st >= 128)
			sbuf_printf(&m, "crashed (signal %d)", st - 128);
		else
			sbuf_printf(&m, "exit status %d", st);
		if (line[0])
			sbuf_printf(&m, ": %s", line);
		free(line);
		r->error = sbuf_take(&m);
	} else if (!r->status && !found) {
		r->status = xstrdup("failed");
		r->error = xstrdup("no result record in the benchmark's output");
	}
	if (!r->status)
		r->status = xstrdup("ok");
out:
	argv_free(dyn);
	free(trace);
	sbuf_free(&out);
	sbuf_free(&eo);
}

/* One run traced by xentrace in its guest's dom0 (xen/xtrecord.h's ops
 * over the env's host; the traced command is the run itself). */
struct xtrun {
	struct env *v;
	struct host *h;
	const struct experiment *x;
	const struct bench *b;
	struct record *r;
};

static int xr_exec(void *ctx, char *const argv[], struct sbuf *out, struct sbuf *errout, int *status,
		   struct err *e)
{
	struct xtrun *t = ctx;
	struct proc_opts po = { .out = out, .errout = errout, .timeout_ms = 120000 };

	return host_run(t->h, argv, &po, status, e);
}

static int xr_run(void *ctx, char *const argv[], int *status, struct err *e)
{
	struct xtrun *t = ctx;

	(void)argv;
	(void)e;
	run_one(t->v, t->x, t->b, t->r);
	*status = 0;
	return 0;
}

static int xr_fetch(void *ctx, const char *remote, const char *local, struct err *e)
{
	struct xtrun *t = ctx;

	return host_copy_from(t->h, remote, local, e);
}

static const struct xt_dom0_ops xr_ops = { "the guest's dom0", xr_exec, xr_run, xr_fetch };

/* The trace's file for iteration it: FOLDER-OF-RESULTS/xentrace/EXP.ENV.BENCH.IT.bin
 * (characters outside [A-Za-z0-9._-] as '-'); rel gets the part after the folder. */
static char *trace_path(const struct experiment *x, const char *env, const char *bench, long it,
			const char **rel)
{
	struct sbuf p = SBUF_INIT;
	char *dup = xstrdup(x->results);
	size_t start;

	sbuf_printf(&p, "%s/", dirname(dup));
	free(dup);
	start = p.len;
	sbuf_printf(&p, "xentrace/%s.%s.%s.%ld.bin", x->name ? x->name : "run", env, bench, it);
	for (size_t k = start + 9; k < p.len - 4; k++) {
		char c = p.buf[k];
		if (!(isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-'))
			p.buf[k] = '-';
	}
	*rel = NULL;
	char *out = sbuf_take(&p);
	*rel = out + start;
	return out;
}

/* The summary's counts of the traced domain into r's counts. */
static int add_trace_counts(struct record *r, const char *path, const struct xt_meta *m,
			    const struct bench *b, struct err *e)
{
	struct xt_file *f;
	struct xt_summary *s;
	struct sbuf mem = SBUF_INIT;
	bool micro = !strcmp(b->kind, "micro");
	double reps = micro && r->repetitions > 0 ? (double)r->repetitions : 1;
	int rc;

	if ((rc = xt_open(path, &f, e)))
		return rc;
	rc = xt_summarize(f, m->vendor, &s, e);
	xt_close(f);
	if (rc)
		return rc;
	xtcounts_json(s, m->domid, reps, micro ? (double)r->ops : 0, m->cpu_hz, &mem);
	xt_summary_free(s);
	for (size_t k = 0; k < r->nextras; k++)
		if (!strcmp(r->extras[k].key, "counts")) {
			xtcounts_merge(&r->extras[k].json, sbuf_str(&mem));
			sbuf_free(&mem);
			return 0;
		}
	char *obj = NULL;
	xtcounts_merge(&obj, sbuf_str(&mem));
	record_add_raw(r, "counts", obj);
	free(obj);
	sbuf_free(&mem);
	return 0;
}

/* run_one, traced with the experiment's xentrace classes when v is a
 * guest of a Xen host: the trace's path (relative to the results file's
 * folder) goes into r's "xentrace", its counts into r's "counts". A trace
 * that cannot be had leaves the run measured, with "xentrace_error". */
static void run_measured(struct env *v, const struct experiment *x, const struct bench *b, long it,
			 struct record *r)
{
	const char *dom = NULL, *rel;
	struct host *h = x->xentrace && v->ops->dom0 ? v->ops->dom0(v, &dom) : NULL;
	struct xtrun t = { v, h, x, b, r };
	struct xt_record_opts o = { .mask = x->xentrace_mask, .classes = x->xentrace, .buf_pages = 256,
				    .domain = dom };
	struct xt_meta m;
	struct err e = { 0, "" };
	char *path;
	int st = 0;

	if (!h) {
		run_one(v, x, b, r);
		return;
	}
	path = trace_path(x, v->name, b->name, it, &rel);
	o.output = path;
	char *dir = xstrdup(path);
	(void)file_mkdirs(dirname(dir), 0755, &e);
	free(dir);
	if (xt_record(&xr_ops, &t, &o, &st, &m, &e) == 0 && r->status && !strcmp(r->status, "ok") &&
	    add_trace_counts(r, path, &m, b, &e) == 0) {
		record_add_str(r, "xentrace", rel);
	} else if (e.msg[0]) {
		record_add_str(r, "xentrace_error", e.msg);
	}
	if (!r->status) {
		r->status = xstrdup("failed");
		r->error = xstrdup(e.msg[0] ? e.msg : "xentrace failed before the run");
	}
	free(path);
}

/* Common fields of a record of b's iteration it in v. */
static void result_begin(struct record *r, const struct experiment *x, const struct env *v,
			 const struct bench *b, long it)
{
	char ts[32];

	record_init(r);
	r->experiment = xstrdup(x->name);
	r->environment = xstrdup(v->name);
	r->label = xstrdup(v->label ? v->label : v->name);
	host_facts_copy(&r->facts, &v->facts);
	r->benchmark = xstrdup(b->name);
	r->kind = xstrdup(b->kind);
	r->size = xstrdup(x->size);
	if (x->pin && !strcmp(b->kind, "cpu"))
		r->pin = xstrdup(x->pin);
	r->iteration = it;
	r->version = xstrdup(VMLAB_VERSION);
	clock_iso8601(clock_real_ns(), ts);
	r->timestamp = xstrdup(ts);
}

/* The pid file next to the results file names the child running now:
 * "vmlab-run RUNNER RUNNER_START CHILD CHILD_START" (start: proc_start_time);
 * it is removed when the child ends. env.on_child writes it. */
static void note_child(void *ctx, pid_t pid)
{
	const char *path = ctx;
	struct sbuf t = SBUF_INIT;
	struct err e = { 0, "" };
	char *dup = xstrdup(path);

	(void)file_mkdirs(dirname(dup), 0755, &e);
	free(dup);
	sbuf_printf(&t, "vmlab-run %d %llu %d %llu\n", (int)getpid(), proc_start_time(getpid()),
		    (int)pid, proc_start_time(pid));
	(void)file_write_atomic(path, t.buf, t.len, &e);
	sbuf_free(&t);
}

/* A child named by the pid file whose runner is gone is a leftover of a
 * runner that was killed before proc_die_with_parent held (or of an older
 * vmlab): its process group is killed, as its result can no longer be
 * recorded and it would disturb the runs to come. A runner still alive is
 * left alone. What was found goes to note. */
static void kill_leftover(const char *path, struct sbuf *note)
{
	struct sbuf t = SBUF_INIT;
	struct err e = { 0, "" };
	int rp, cp;
	unsigned long long rs, cs;

	if (file_read(path, &t, &e))
		return;
	if (sscanf(sbuf_str(&t), "vmlab-run %d %llu %d %llu", &rp, &rs, &cp, &cs) != 4 || cp <= 1) {
		sbuf_printf(note, "%s: not a vmlab run pid file; removed\n", path);
	} else if (rp != getpid() && rs && proc_start_time(rp) == rs) {
		sbuf_printf(note, "%s: vmlab run pid %d is still running on this results file "
			    "(its benchmark: pid %d); two runs on one file measure each other\n",
			    path, rp, cp);
		sbuf_free(&t);
		return;
	} else if (cs && proc_start_time(cp) == cs) {
		kill(-cp, SIGKILL);
		kill(cp, SIGKILL);
		sbuf_printf(note, "%s: killed pid %d and its process group, a benchmark left running "
			    "by vmlab run pid %d, which died\n", path, cp, rp);
	}
	(void)unlink(path);
	sbuf_free(&t);
}

static void emit(const struct run_opts *o, const struct run_event *ev)
{
	if (o->progress)
		o->progress(o->ctx, ev);
}

static bool stopping(const struct run_opts *o)
{
	return o->stop && *o->stop;
}

/* One runner_run: the experiment, its benchmarks, what is left to do. */
struct plan {
	const struct experiment *x;
	const struct run_opts *o;
	struct run_summary *s;
	struct bench *benches;
	size_t nb, todo_total, index;
	bool *todo;                   /* todo[(env * nb + bench) * iterations + it - 1] */
	uint64_t busy_ns;
	char *pidfile;
};

/* Kills a leftover benchmark, repairs the results file's tail (both told as
 * RUN_NOTICE) and loads the records already there into done. */
static int load_done(struct plan *p, struct result_set *done, struct err *e)
{
	struct sbuf note = SBUF_INIT;
	int rc;

	kill_leftover(p->pidfile, &note);
	rc = results_repair_tail(p->x->results, &note, e);
	if (note.len) {
		note.buf[--note.len] = 0;
		struct run_event ev = { .type = RUN_NOTICE, .error = note.buf };
		emit(p->o, &ev);
	}
	sbuf_free(&note);
	if (rc || access(p->x->results, F_OK))
		return rc;
	rc = results_load(p->x->results, true, done, NULL, e);
	p->s->bad_lines = done->skipped;
	return rc;
}

/* Fills p's benchmarks and the runs done lacks. */
static void plan_runs(struct plan *p, const struct result_set *done)
{
	const struct experiment *x = p->x;
	size_t its = (size_t)x->iterations;

	p->benches = xcalloc(x->nbenchmarks + x->nmicro + x->ncmds + x->njbb + 1,
			     sizeof(*p->benches));
	for (size_t i = 0; i < x->nbenchmarks; i++)
		p->benches[p->nb++] = (struct bench){ x->benchmarks[i], "cpu" };
	for (size_t i = 0; i < x->nmicro; i++)
		p->benches[p->nb++] = (struct bench){ x->micro[i], "micro" };
	for (size_t i = 0; i < x->ncmds; i++)
		p->benches[p->nb++] = (struct bench){ x->cmds[i], "cmd" };
	for (size_t i = 0; i < x->njbb; i++) {
		struct sbuf n = SBUF_INIT;
		sbuf_printf(&n, "jbb %s", x->jbb[i]);
		p->benches[p->nb++] = (struct bench){ sbuf_take(&n), "jbb", x->jbb[i] };
	}
	p->todo = xcalloc(x->nenvs * p->nb * its + 1, sizeof(*p->todo));
	for (size_t k = 0; k < x->nenvs; k++)
		for (size_t b = 0; b < p->nb; b++)
			for (long it = 1; it <= x->iterations; it++) {
				bool t = !already_ok(done, x->envs[k], &p->benches[b], x->size, it);
				p->todo[(k * p->nb + b) * its + (size_t)it - 1] = t;
				p->s->planned++;
				if (t)
					p->todo_total++;
				else
					p->s->skipped++;
			}
}

/* Opens the environment of env_init'ed v with the experiment's settings;
 * false (told as RUN_ENV_FAILED, the reason in ee) when it cannot be. */
static bool open_env(struct plan *p, struct env *v, struct err *ee)
{
	const struct experiment *x = p->x;
	bool opened;

	v->connect_timeout_ms = x->connect_timeout_ms;
	v->ssh_options = x->ssh_options;
	v->guest_memory_mb = x->guest_memory_mb;
	v->tsc_mode = x->tsc_mode;
	v->guest_vcpus = x->vcpus;
	v->guest_cpus = x->cpus;
	v->guest_cpus_soft = x->cpus_soft;
	v->guest_weight = x->weight;
	v->guest_cap = x->cap;
	v->guest_pool = x->pool;
	v->guest_address = x->guest_address;
	v->on_child = note_child;
	v->child_ctx = p->pidfile;
	opened = v->ops->open(v, ee) == 0;
	if (!opened) {
		if (err_exit_status(ee->code) == 2 || v->bad_input)
			p->s->bad_env = true;
		struct run_event ev = { .type = RUN_ENV_FAILED, .env = v->name, .error = ee->msg };
		emit(p->o, &ev);
	} else if (v->facts.concurrent) {
		struct run_event ev = { .type = RUN_ENV_SHARED, .env = v->name,
					.error = v->facts.concurrent };
		emit(p->o, &ev);
	}
	return opened;
}

/* The warm-up runs of b in the open environment v (recorded nowhere). */
static void warm_up(struct plan *p, struct env *v, const struct bench *b)
{
	for (long w = 0; w < p->x->warmup && !stopping(p->o); w++) {
		struct record r;
		struct run_event ev = { .type = RUN_WARMUP, .index = p->index + 1,
					.total = p->todo_total, .env = v->name, .bench = b->name,
					.kind = b->kind, .iteration = w + 1,
					.iterations = p->x->warmup };
		emit(p->o, &ev);
		result_begin(&r, p->x, v, b, 0);
		run_one(v, p->x, b, &r);
		(void)unlink(p->pidfile);
		record_clear(&r);
	}
}

/* Runs and records iteration it of b in v (failed with ee when v is not
 * opened); counts it in p->s. Returns 0 or -errno of the append (e). */
static int run_recorded(struct plan *p, struct env *v, bool opened, const struct err *ee,
			const struct bench *b, long it, struct err *e)
{
	struct run_event ev = { .type = RUN_START, .index = ++p->index, .total = p->todo_total,
				.env = v->name, .bench = b->name, .kind = b->kind,
				.iteration = it, .iterations = p->x->iterations };
	uint64_t r0;
	struct record r;
	int rc;

	if (p->index > 1)
		ev.eta_ns = p->busy_ns / (p->index - 1) * (p->todo_total - p->index + 1);
	emit(p->o, &ev);
	r0 = clock_mono_ns();
	result_begin(&r, p->x, v, b, it);
	if (opened) {
		run_measured(v, p->x, b, it, &r);
		(void)unlink(p->pidfile);
		if (p->o->stop && *p->o->stop >= 2) {
			free(r.status);
			free(r.error);
			r.status = xstrdup("failed");
			r.error = xstrdup("aborted (interrupted by the user)");
		}
	} else {
		r.status = xstrdup("failed");
		r.error = xstrdup(ee->msg);
	}
	rc = result_append(p->x->results, &r, e);
	p->busy_ns += clock_mono_ns() - r0;
	if (!rc) {
		if (!strcmp(r.status, "ok"))
			p->s->ok++;
		else if (!strcmp(r.status, "unsupported"))
			p->s->unsupported++;
		else
			p->s->failed++;
		ev.type = RUN_DONE;
		ev.record = &r;
		emit(p->o, &ev);
	}
	record_clear(&r);
	return rc;
}

/* Every run left to do in environment k. Returns 0 or -errno (e). */
static int run_env(struct plan *p, size_t k, struct err *e)
{
	const struct experiment *x = p->x;
	size_t its = (size_t)x->iterations, env_todo = 0;
	struct err ee = { 0, "" };
	struct env v;
	bool opened;
	int rc = 0;

	for (size_t i = 0; i < p->nb * its; i++)
		env_todo += p->todo[k * p->nb * its + i];
	if (!env_todo)
		return 0;
	if (env_init(&v, x->envs[k], e))
		return -EINVAL;
	opened = open_env(p, &v, &ee);
	for (size_t b = 0; b < p->nb && !rc && !stopping(p->o); b++) {
		bool *t = &p->todo[(k * p->nb + b) * its], any = false;
		for (long it = 0; it < x->iterations; it++)
			any = any || t[it];
		if (!any)
			continue;
		if (opened)
			warm_up(p, &v, &p->benches[b]);
		for (long it = 1; it <= x->iterations && !rc && !stopping(p->o); it++)
			if (t[it - 1])
				rc = run_recorded(p, &v, opened, &ee, &p->benches[b], it, e);
	}
	if (opened)
		v.ops->close(&v);
	env_release(&v);
	return rc;
}

int runner_run(const struct experiment *x, const struct run_opts *o, struct run_summary *s,
	       struct err *e)
{
	struct result_set done = { 0 };
	struct plan p = { .x = x, .o = o, .s = s };
	int rc;

	memset(s, 0, sizeof(*s));
	p.pidfile = xmalloc(strlen(x->results) + 5);
	sprintf(p.pidfile, "%s.pid", x->results);
	rc = load_done(&p, &done, e);
	if (rc) {
		results_free(&done);
		free(p.pidfile);
		return rc;
	}
	plan_runs(&p, &done);
	results_free(&done);
	for (size_t k = 0; k < x->nenvs && !rc && !stopping(o); k++)
		rc = run_env(&p, k, e);
	env_finish_all();
	s->interrupted = stopping(o) &&
			 s->ok + s->failed + s->unsupported + s->skipped < s->planned;
	free(p.todo);
	for (size_t b = 0; b < p.nb; b++)
		if (p.benches[b].jbb)
			free((char *)p.benches[b].name);
	free(p.benches);
	free(p.pidfile);
	return rc;
}
