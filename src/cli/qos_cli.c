/* The parts `vmlab qos measure` and `vmlab qos tune` share (qos_cli.h). */
#include "cli/qos_cli.h"

#include "base/fileio.h"
#include "cli/cmd.h"
#include "measure/stats.h"
#include "testbed/guest.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int qos_cli_begin(const char *sub, const struct qos_opts *o, struct qos_book *b)
{
	struct sbuf text = SBUF_INIT;
	struct err e = { 0 };

	memset(b, 0, sizeof(*b));
	b->sub = sub;
	b->path = o->output;
	b->quiet = o->json;
	if (!o->protect || !o->against)
		return cli_usage_error(sub, "--protect GUEST and --against GUEST are required");
	if (!tb_guest_name_valid(o->protect))
		return cli_usage_error(sub, "--protect '%s': not a guest name (letters, digits, - and _)",
				       o->protect);
	if (!tb_guest_name_valid(o->against))
		return cli_usage_error(sub, "--against '%s': not a guest name (letters, digits, - and _)",
				       o->against);
	if (!strcmp(o->protect, o->against))
		return cli_usage_error(sub, "--protect and --against name the same guest %s", o->protect);
	if (!b->path || access(b->path, F_OK) != 0)
		return CLI_GO;
	if (file_read(b->path, &text, &e) < 0 ||
	    qos_trials_parse(text.buf ? text.buf : "", text.len, b->path, &b->ts, &b->n, &e) < 0) {
		sbuf_free(&text);
		fprintf(stderr, "vmlab %s: %s (nothing was run; fix or move the trial file)\n", sub, e.msg);
		return 2;
	}
	sbuf_free(&text);
	return CLI_GO;
}

void qos_cli_jbb(const struct qos_opts *o, struct qos_lab *l, struct qos_book *b, struct qos_jbb *j)
{
	j->warehouses = o->warehouses ? o->warehouses : (unsigned)qos_lab_vcpus_a(l);
	if (!j->warehouses)
		j->warehouses = 1;
	j->rampup_ns = o->rampup_ns;
	j->measure_ns = o->measure_ns;
	j->lead_ns = o->lead_ns;
	snprintf(b->config, sizeof(b->config), "A=%s B=%s warehouses=%u rampup_ms=%llu measure_ms=%llu",
		 o->protect, o->against, j->warehouses, (unsigned long long)(o->rampup_ns / 1000000),
		 (unsigned long long)(o->measure_ns / 1000000));
}

static void progress(const struct qos_book *b, const struct qos_trial *t, bool done)
{
	if (b->quiet)
		return;
	printf("  %-6s %-12s run %d: ", qos_phase_names[t->phase], t->setting, t->run);
	if (isfinite(t->bops_a))
		printf("A %.0f bops ", t->bops_a);
	if (isfinite(t->bops_b))
		printf("B %.0f bops ", t->bops_b);
	if (t->phase == QOS_PAIR && isfinite(t->skew_ms))
		printf("skew %.1f ms overlap %.3f ", t->skew_ms, t->overlap);
	printf("%s%s\n", t->valid ? "valid" : "INVALID", done ? " (done before, skipped)" : "");
	fflush(stdout);
}

int qos_cli_record(struct qos_book *b, const struct qos_trial *t, const char *extra)
{
	struct sbuf line = SBUF_INIT;
	struct err e = { 0 };
	int rc = 0;

	qos_trial_format(t, extra, &line);
	if (b->path && file_append_sync(b->path, line.buf, line.len, &e) < 0)
		rc = cli_fail(b->sub, &e);
	sbuf_free(&line);
	if (!rc) {
		b->ts = xrealloc(b->ts, (b->n + 1) * sizeof(*b->ts));
		b->ts[b->n++] = *t;
	}
	return rc;
}

int qos_cli_trial(struct qos_book *b, struct qos_lab *l, const struct qos_jbb *j, int phase,
		  const char *setting, int run, const char *readback, const struct qos_trial **out)
{
	const struct qos_trial *done = qos_trial_find(b->ts, b->n, b->config, phase, setting, run);
	struct qos_trial t = { 0 };
	struct err e = { 0 };
	int rc;

	if (done) {
		progress(b, done, true);
		*out = done;
		return 0;
	}
	if (qos_lab_trial(l, j, phase, &t, &e) < 0) {
		fprintf(stderr, "vmlab %s: %s %s run %d: %s\n", b->sub, qos_phase_names[phase], setting, run, e.msg);
		return 1;
	}
	snprintf(t.config, sizeof(t.config), "%s", b->config);
	snprintf(t.setting, sizeof(t.setting), "%s", setting);
	t.run = run;
	if ((rc = qos_cli_record(b, &t, readback)))
		return rc;
	progress(b, &t, false);
	*out = &b->ts[b->n - 1];
	return 0;
}

void qos_cli_print_stats(const char *label, const double *v, size_t n, const char *unit)
{
	struct qos_stats s;

	qos_stats_of(v, n, &s);
	if (!n) {
		printf("  %-28s no valid run\n", label);
		return;
	}
	printf("  %-28s median %.3f%s (min %.3f, max %.3f; %s %.3f..%.3f; mean %.3f +- %.3f; n=%zu)\n",
	       label, s.median, unit, s.min, s.max, s.ci_exact ? "95% CI of the median" : "n < 6, CI = min..max",
	       s.ci_lo, s.ci_hi, s.mean, s.sd, s.n);
}

void qos_cli_end(struct qos_book *b)
{
	free(b->ts);
	b->ts = NULL;
	b->n = 0;
}
