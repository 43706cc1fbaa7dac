/* The QoS lab: jbb in the testbed's dom0 and in two of its guests over ssh,
 * both guests started at one barrier; candidate settings applied through
 * sched_apply and the originals put back (see qos.h). */
#include "sched/qos.h"

#include "base/json.h"
#include "base/sshargv.h"
#include "base/text.h"
#include "host/guest.h"
#include "host/host.h"
#include "run/env.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TB_LABEL "testbed (emulated hardware)"
#define SLACK_MS 900000u     /* building tables and ssh, beyond ramp-up + measurement */

enum { DOM_A, DOM_B, DOM_0, NDOMS };

struct qos_lab {
	struct host h;                   /* the testbed's dom0 */
	struct sched_runner r;           /* xl there, for sched_apply */
	char names[NDOMS][QOS_NAME_MAX];
	struct env g[2];                 /* vmlab inside A and B, over ssh */
	char **opts;
	int ncpus, vcpus_a, vcpus_b;
	struct sched_state *orig[NDOMS]; /* the snapshot, or NULL */
	char made[2][QOS_NAME_MAX];      /* pools this lab created and did not destroy yet */
	int nmade;
};

/* What one jbb run reported. */
struct jbb_res {
	bool valid;
	double bops;
	uint64_t t0, t1;                 /* the measured interval, CLOCK_REALTIME ns there */
	double late_ms;
};

static int count_vcpus(struct host *h, const char *dom, int *n, struct err *e)
{
	struct xl_vcpus v = { 0 };
	int rc = host_xl_vcpu_list(h, dom, &v, e);

	*n = (int)v.n;
	xl_vcpus_free(&v);
	return rc;
}

static int host_ncpus(struct host *h, int *n, struct err *e)
{
	struct sbuf out = SBUF_INIT;
	struct xl_info xi = { 0 };
	char *args[] = { "info", NULL };
	const char *v;
	int rc = host_xl(h, args, &out, e);

	if (rc == 0)
		rc = xl_parse_info(sbuf_str(&out), out.len, "xl info", &xi, e);
	if (rc == 0 && (!(v = xl_info_get(&xi, "nr_cpus")) || (*n = atoi(v)) < 1))
		rc = err_set(e, -EIO, "xl info: no nr_cpus");
	xl_info_free(&xi);
	sbuf_free(&out);
	return rc;
}

#define BOOT_WAIT_S 180   /* a guest just created from its config file still boots */

/* Waits until ssh:root@ip answers (a guest created a moment ago boots for
 * 15-60 s under TCG), at most BOOT_WAIT_S while domain name runs. */
static int wait_ssh(struct qos_lab *l, const char *name, const char *spec, struct err *e)
{
	struct host_conf c = { .connect_timeout_ms = 5000, .ssh_options = l->opts };
	time_t end = time(NULL) + BOOT_WAIT_S;
	char ip[32];

	for (;;) {
		struct host g;
		int rc = host_open(&g, spec, &c, e);

		if (rc == 0) {
			host_close(&g);
			return 0;
		}
		if (time(NULL) >= end) {
			char why[sizeof(e->msg)];

			snprintf(why, sizeof(why), "%s", e->msg);
			return err_set(e, rc, "guest %s (%s) did not answer ssh within %d s: %.400s", name, spec,
				       BOOT_WAIT_S, why);
		}
		if (guest_live_ip(&l->h, name, ip, e))
			return err_set(e, -EIO, "guest %s stopped before its ssh answered", name);
		sleep(2);
	}
}

/* Reaches guest name of the testbed over ssh as env g (vmlab copied in), at
 * the vmlab.ip= of its kernel command line: a guest made by `testbed guest
 * up` or one created since from its config file (waited for while it
 * boots). */
static int open_guest(struct qos_lab *l, const char *name, struct env *g, struct err *e)
{
	char spec[64], ip[32], why[sizeof(e->msg)];
	int rc = guest_live_ip(&l->h, name, ip, e);

	snprintf(why, sizeof(why), "%s", e->msg);
	if (rc == -ENOENT)
		return err_set(e, rc, "no guest %s: %s (see vmlab testbed status; vmlab testbed guest up pv "
			       "--name %s --vcpus 2 makes one)", name, why, name);
	if (rc)
		return rc;
	snprintf(spec, sizeof(spec), "ssh:root@%s", ip);
	g->ops = &env_ssh_ops;
	g->name = xstrdup(spec);
	g->connect_timeout_ms = 30000;
	g->ssh_options = l->opts;
	if ((rc = wait_ssh(l, name, spec, e)))
		return rc;
	return env_ssh_open_on(g, spec, TB_LABEL, e);
}

int qos_lab_open(struct qos_lab **out, const char *a, const char *b, struct err *e)
{
	struct qos_lab *l = xcalloc(1, sizeof(*l));
	int rc;

	*out = NULL;
	if (!strcmp(a, b)) {
		free(l);
		return err_set(e, -EINVAL, "--protect and --against name the same guest %s", a);
	}
	snprintf(l->names[DOM_A], QOS_NAME_MAX, "%s", a);
	snprintf(l->names[DOM_B], QOS_NAME_MAX, "%s", b);
	snprintf(l->names[DOM_0], QOS_NAME_MAX, "Domain-0");
	if ((rc = host_open(&l->h, "testbed", NULL, e))) {
		free(l);
		return rc;
	}
	l->opts = env_xen_guest_ssh_opts(&l->h, NULL);
	sched_runner_host(&l->r, &l->h);
	if ((rc = open_guest(l, a, &l->g[0], e)) || (rc = open_guest(l, b, &l->g[1], e)) ||
	    (rc = host_ncpus(&l->h, &l->ncpus, e)) ||
	    (rc = count_vcpus(&l->h, a, &l->vcpus_a, e)) || (rc = count_vcpus(&l->h, b, &l->vcpus_b, e))) {
		qos_lab_close(l);
		return rc;
	}
	*out = l;
	return 0;
}

void qos_lab_close(struct qos_lab *l)
{
	if (!l)
		return;
	for (int k = 0; k < 2; k++) {
		if (l->g[k].priv)
			l->g[k].ops->close(&l->g[k]);
		l->g[k].ssh_options = NULL;
		env_release(&l->g[k]);
	}
	for (int k = 0; k < NDOMS; k++)
		free(l->orig[k]);
	host_close(&l->h);
	argv_free(l->opts);
	free(l);
}

int qos_lab_ncpus(const struct qos_lab *l)
{
	return l->ncpus;
}

int qos_lab_vcpus_a(const struct qos_lab *l)
{
	return l->vcpus_a;
}

int qos_lab_vcpus_b(const struct qos_lab *l)
{
	return l->vcpus_b;
}

/* jbb's JSON record in text into r; -EIO when it is not one. */
static int parse_jbb(const char *text, size_t n, const char *who, struct jbb_res *r, struct err *e)
{
	struct json *j = NULL;
	const struct json *pts, *p0, *v;
	const char *st;
	struct err sub = { 0 };

	memset(r, 0, sizeof(*r));
	r->bops = NAN;
	if (json_parse(text, n, who, &j, &sub) < 0)
		return err_set(e, -EIO, "%s: vmlab jbb gave no record: %s", who, sub.msg);
	st = json_get_str(j, "status");
	v = json_get(j, "valid");
	r->valid = st && !strcmp(st, "ok") && v && v->type == JSON_BOOL && v->b;
	r->bops = json_num_or_nan(j, "metric");
	pts = json_get(j, "points");
	p0 = pts && pts->type == JSON_ARR && pts->len ? pts->items[0] : NULL;
	if (p0) {
		r->t0 = (uint64_t)json_num_or_nan(p0, "t0_real_ns");
		r->t1 = (uint64_t)json_num_or_nan(p0, "t1_real_ns");
		r->late_ms = json_num_or_nan(p0, "late_ns") / 1e6;
	}
	if (!isfinite(r->bops))
		r->valid = false;
	json_free(j);
	return 0;
}

/* The jbb arguments (after "vmlab") for j, with a barrier at start (0: none). */
static char **jbb_args(const struct qos_jbb *j, uint64_t start)
{
	char **av = NULL, w[16], ru[32], me[32], at[48];
	size_t n = 0;

	snprintf(w, sizeof(w), "%u", j->warehouses);
	snprintf(ru, sizeof(ru), "%lluns", (unsigned long long)j->rampup_ns);
	snprintf(me, sizeof(me), "%lluns", (unsigned long long)j->measure_ns);
	snprintf(at, sizeof(at), "%llu.%09llu", (unsigned long long)(start / 1000000000u),
		 (unsigned long long)(start % 1000000000u));
	const char *words[] = { "jbb", "--warehouses", w, "--peak", w, "--rampup", ru, "--measure", me, "--json" };
	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
		argv_add(&av, &n, words[k]);
	if (start) {
		argv_add(&av, &n, "--start-at");
		argv_add(&av, &n, at);
	}
	return av;
}

static uint64_t timeout_ms(const struct qos_jbb *j)
{
	return (j->rampup_ns + j->measure_ns + j->lead_ns) / 1000000u + SLACK_MS;
}

/* One guest's run, as a thread of a pair. */
struct job {
	struct env *g;
	const struct qos_jbb *j;
	uint64_t start;
	struct jbb_res res;
	int rc;
	struct err e;
};

static void *job_main(void *arg)
{
	struct job *b = arg;
	struct sbuf out = SBUF_INIT, eo = SBUF_INIT;
	char **av = jbb_args(b->j, b->start);
	int st = 0;

	b->rc = b->g->ops->exec(b->g, av, timeout_ms(b->j), &out, &eo, &st, &b->e);
	if (!b->rc && !out.len) {
		char line[512];
		b->rc = err_set(&b->e, -EIO, "%s: vmlab jbb exit %d: %s", b->g->name, st,
				text_last_line(sbuf_str(&eo), eo.len, line, sizeof(line)));
	}
	if (!b->rc)
		b->rc = parse_jbb(sbuf_str(&out), out.len, b->g->name, &b->res, &b->e);
	argv_free(av);
	sbuf_free(&out);
	sbuf_free(&eo);
	return NULL;
}

/* dom0's clock now (CLOCK_REALTIME, whole seconds rounded up), which its
 * guests share: Xen gives every domain its wall clock. The barrier needs
 * a time all participants read alike, not a precise one. */
static int dom0_now(struct qos_lab *l, uint64_t *now, struct err *e)
{
	char *av[] = { "date", "+%s", NULL };
	struct sbuf out = SBUF_INIT;
	int rc = host_run_ok(&l->h, av, 30000, &out, e);
	unsigned long long s = rc ? 0 : strtoull(sbuf_str(&out), NULL, 10);

	if (rc == 0 && s < 1000000000ull)
		rc = err_set(e, -EIO, "testbed dom0: date +%%s gave '%.40s'", sbuf_str(&out));
	*now = (s + 1) * 1000000000ull;
	sbuf_free(&out);
	return rc;
}

static int run_native(struct qos_lab *l, const struct qos_jbb *j, struct jbb_res *r, struct err *e)
{
	char **av = jbb_args(j, 0), **full = NULL;
	struct sbuf out = SBUF_INIT;
	struct proc_opts po = { .out = &out, .timeout_ms = timeout_ms(j) };
	size_t n = 0;
	int st = 0, rc;

	argv_add(&full, &n, "vmlab");
	for (size_t k = 0; av[k]; k++)
		argv_add(&full, &n, av[k]);
	rc = host_run(&l->h, full, &po, &st, e);
	if (!rc && !out.len)
		rc = err_set(e, -EIO, "testbed dom0: vmlab jbb exit %d and no record", st);
	if (!rc)
		rc = parse_jbb(sbuf_str(&out), out.len, "testbed dom0", r, e);
	argv_free(av);
	argv_free(full);
	sbuf_free(&out);
	return rc;
}

/* Both guests at one barrier; skew and overlap of their measured intervals. */
static int run_pair(struct qos_lab *l, const struct qos_jbb *j, struct qos_trial *t, struct err *e)
{
	struct job jb[2] = { { &l->g[0], j, 0 }, { &l->g[1], j, 0 } };
	pthread_t tid[2];
	uint64_t now;
	int rc;

	if ((rc = dom0_now(l, &now, e)))
		return rc;
	for (int k = 0; k < 2; k++) {
		jb[k].start = now + j->lead_ns;
		if (pthread_create(&tid[k], NULL, job_main, &jb[k])) {
			for (int i = 0; i < k; i++)
				pthread_join(tid[i], NULL);
			return err_set(e, -EAGAIN, "cannot start a thread for the pair");
		}
	}
	for (int k = 0; k < 2; k++)
		pthread_join(tid[k], NULL);
	for (int k = 0; k < 2; k++)
		if (jb[k].rc) {
			*e = jb[k].e;
			return jb[k].rc;
		}
	struct jbb_res *a = &jb[0].res, *b = &jb[1].res;
	t->valid = a->valid && b->valid;
	t->bops_a = a->bops;
	t->bops_b = b->bops;
	t->skew_ms = fabs((double)a->t0 - (double)b->t0) / 1e6;
	t->late_ms = fmax(a->late_ms, b->late_ms);
	double lo = fmax((double)a->t0, (double)b->t0), hi = fmin((double)a->t1, (double)b->t1);
	double longer = fmax((double)(a->t1 - a->t0), (double)(b->t1 - b->t0));
	t->overlap = longer > 0 ? fmax(0, hi - lo) / longer : 0;
	return 0;
}

int qos_lab_trial(struct qos_lab *l, const struct qos_jbb *j, int p, struct qos_trial *t, struct err *e)
{
	struct jbb_res r;
	int rc;

	t->phase = p;
	t->valid = false;
	t->bops_a = t->bops_b = t->skew_ms = t->overlap = t->late_ms = NAN;
	if (p == QOS_PAIR)
		return run_pair(l, j, t, e);
	if (p == QOS_NATIVE) {
		rc = run_native(l, j, &r, e);
	} else {
		struct job jb = { &l->g[p == QOS_SOLO_A ? 0 : 1], j, 0 };
		job_main(&jb);
		r = jb.res;
		if ((rc = jb.rc))
			*e = jb.e;
	}
	if (rc)
		return rc;
	t->valid = r.valid;
	if (p == QOS_SOLO_B)
		t->bops_b = r.bops;
	else
		t->bops_a = r.bops;
	return 0;
}

static int target_ops(struct qos_lab *l, int d, struct sched_target *t, const struct sched_ops **o,
		      struct err *e)
{
	t->runner = &l->r;
	t->root = NULL;
	t->name = l->names[d];
	*o = sched_xl_for_domain(&l->r, l->names[d], e);
	return *o ? 0 : e->code ? e->code : -EIO;
}

int qos_lab_snapshot(struct qos_lab *l, struct err *e)
{
	for (int d = 0; d < NDOMS; d++) {
		struct sched_target t;
		const struct sched_ops *o;
		int rc;

		if (!l->orig[d])
			l->orig[d] = xcalloc(1, sizeof(*l->orig[d]));
		if ((rc = target_ops(l, d, &t, &o, e)) || (rc = o->get(&t, l->orig[d], e)))
			return rc;
	}
	return 0;
}

void qos_lab_found_json(const struct qos_lab *l, struct sbuf *out)
{
	bool first = true;

	sbuf_putc(out, '{');
	for (int d = 0; d < NDOMS; d++) {
		if (!l->orig[d])
			continue;
		if (!first)
			sbuf_putc(out, ',');
		first = false;
		json_put_str(out, l->names[d]);
		sbuf_putc(out, ':');
		sched_state_json(l->orig[d], out);
	}
	sbuf_putc(out, '}');
}

/* Puts domain d back to its snapshot: its pool first (which resets the
 * rest), then weight, cap and each vCPU's affinity; read back. */
static int restore_dom(struct qos_lab *l, int d, struct err *e)
{
	const unsigned knobs = SCHED_K_WEIGHT | SCHED_K_CAP | SCHED_K_CPUS | SCHED_K_SOFT;
	struct sched_state *now = xcalloc(1, sizeof(*now));
	const struct sched_state *was = l->orig[d];
	struct sched_target t;
	const struct sched_ops *o;
	int rc;

	if ((rc = target_ops(l, d, &t, &o, e)) || (rc = o->get(&t, now, e)))
		goto out;
	if (strcmp(now->s.pool, was->s.pool)) {
		struct sched_setting s = { .set = SCHED_K_POOL };

		snprintf(s.pool, sizeof(s.pool), "%s", was->s.pool);
		if ((rc = sched_apply(o, &t, &s, NULL, e)) || (rc = target_ops(l, d, &t, &o, e)))
			goto out;
	}
	if ((rc = o->restore(&t, was, knobs & o->knobs, e)) || (rc = o->get(&t, now, e)) ||
	    (rc = sched_compare_state(was, knobs & o->knobs, now, e)))
		goto out;
out:
	free(now);
	return rc;
}

int qos_lab_restore(struct qos_lab *l, struct err *e)
{
	int first = 0;

	for (int d = 0; d < NDOMS; d++) {
		struct err sub = { 0 };
		int rc = l->orig[d] ? restore_dom(l, d, &sub) : 0;

		if (rc && !first) {
			first = rc;
			err_set(e, rc, "restoring %s: %s", l->names[d], sub.msg);
		}
	}
	while (l->nmade > 0) {
		struct err sub = { 0 };
		int rc = sched_xl_pool_destroy(&l->r, l->made[l->nmade - 1], &sub);

		if (rc && !first) {
			first = rc;
			err_set(e, rc, "destroying pool %s: %s", l->made[l->nmade - 1], sub.msg);
		}
		if (rc)
			break;
		l->nmade--;
	}
	return first;
}

int qos_lab_apply(struct qos_lab *l, const struct qos_candidate *c, struct sbuf *readback, struct err *e)
{
	const struct sched_setting *s[NDOMS] = { &c->a, &c->b, &c->dom0 };
	struct sched_state *after = xcalloc(1, sizeof(*after));
	int rc = 0;

	sbuf_putc(readback, '{');
	for (int k = 0; k < c->npools && !rc; k++) {
		rc = sched_xl_pool_create(&l->r, c->pools[k].name, c->pools[k].sched, c->pools[k].cpus, e);
		if (!rc)
			snprintf(l->made[l->nmade++], QOS_NAME_MAX, "%s", c->pools[k].name);
	}
	for (int d = 0; d < NDOMS && !rc; d++) {
		struct sched_target t;
		const struct sched_ops *o;

		if (!s[d]->set)
			continue;
		if (!(rc = target_ops(l, d, &t, &o, e)) && !(rc = sched_apply(o, &t, s[d], after, e))) {
			if (readback->len > 1)
				sbuf_putc(readback, ',');
			json_put_str(readback, l->names[d]);
			sbuf_putc(readback, ':');
			sched_state_json(after, readback);
		}
	}
	sbuf_putc(readback, '}');
	free(after);
	if (rc) {
		struct err sub = { 0 };
		char msg[sizeof(e->msg)];

		memcpy(msg, e->msg, sizeof(msg));
		if (qos_lab_restore(l, &sub))
			err_set(e, rc, "%s; putting the originals back failed too: %s", msg, sub.msg);
		else
			err_set(e, rc, "%s; the original settings are back", msg);
	}
	return rc;
}
