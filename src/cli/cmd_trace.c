/* vmlab trace: count events around a command, as perf stat does; list the
 * events this kernel offers. */
#include "base/json.h"
#include "base/proc.h"
#include "cli/cmd.h"
#include "measure/clock.h"
#include "measure/perfev.h"
#include "measure/stats.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct trace_opts {
	struct opt_list events;
	unsigned repeat;
	bool json;
};

#define F(x) offsetof(struct trace_opts, x)
static const struct opt opts[] = {
	{ "event", 'e', OPT_LIST, F(events), .metavar = "EVENT,...",
	  .help = "events to count: SUBSYS:NAME tracepoints (globs: 'xen:*', "
		  "'syscalls:sys_enter_*'), task-clock, context-switches, cpu-migrations, "
		  "page-faults, cycles, instructions, ...; repeatable (default: perf stat's set)" },
	{ "repeat", 'r', OPT_UINT, F(repeat), .def = "1", .min = 1, .max = 100000, .metavar = "N",
	  .help = "run the command N times; counts are means with ( +- x% ) spreads" },
	{ "json", 0, OPT_FLAG, F(json), .help = "one JSON object on stdout instead of the table" },
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab trace [-e EVENT,...] [-r N] [--json] -- CMD [ARGS...]\n"
	"       vmlab trace list [GLOB]\n"
	"Counts events while CMD runs (it and the threads and processes it starts),\n"
	"through perf_event_open, and prints them as perf stat does: count, event,\n"
	"( +- x% ) over the repeats, elapsed time. An event that cannot be counted\n"
	"is shown as <not supported> or <not counted> with the reason, never as 0.\n"
	"'list' shows the events this kernel offers (those matching GLOB).\n\n",
	opts,
	"\nExit status: 0 ok, 1 CMD failed (its counts are still shown), 2 bad usage,\n"
	"an unknown event or a glob that matches nothing. See vmlab-trace(1).\n",
};

static const char *const default_events = "task-clock,context-switches,cpu-migrations,page-faults,"
					  "cycles,instructions,branches,branch-misses";

/* What the repeats gave for one event. */
struct acc {
	struct welford w;
	double running;           /* smallest running fraction seen */
	char *reason;             /* of the last run that did not count it */
	int unsupported;
};

struct trace_run {
	struct perfev_set set;
	struct acc *acc;
	struct welford elapsed, user, sys;
	int status;
};

static int open_counters(void *ctx, pid_t pid, struct err *e)
{
	struct perfev_set *set = ctx;

	(void)e;
	perfev_open(set, pid, true);
	return 0;
}

/* Runs the command once with the counters; -errno when it cannot start. */
static int run_once(struct trace_run *t, char **cmd, struct err *e)
{
	struct proc_opts po = { .before_exec = open_counters, .before_exec_ctx = &t->set };
	uint64_t t0, u0, s0, u1, s1;
	int rc;

	clock_cpu_ns(&u0, &s0);
	t0 = clock_mono_ns();
	rc = proc_run(cmd, &po, &t->status, e);
	welford_add(&t->elapsed, (double)(clock_mono_ns() - t0) * 1e-9);
	clock_cpu_ns(&u1, &s1);
	welford_add(&t->user, (double)(u1 - u0) * 1e-9);
	welford_add(&t->sys, (double)(s1 - s0) * 1e-9);
	if (rc < 0) {
		perfev_close(&t->set);
		return rc;
	}
	perfev_read(&t->set);
	perfev_close(&t->set);
	for (size_t k = 0; k < t->set.n; k++) {
		const struct perfev *ev = &t->set.v[k];
		struct acc *a = &t->acc[k];

		if (ev->state == PERFEV_COUNTED) {
			welford_add(&a->w, ev->value);
			if (a->w.n == 1 || ev->running < a->running)
				a->running = ev->running;
			continue;
		}
		a->unsupported = ev->state == PERFEV_UNSUPPORTED;
		free(a->reason);
		a->reason = xstrdup(ev->reason ? ev->reason : "");
	}
	return 0;
}

/* 1234567 as "1,234,567". */
static void fmt_count(double v, char *buf, size_t n)
{
	char raw[64];
	size_t len, o = 0;

	snprintf(raw, sizeof(raw), "%.0f", v);
	len = strlen(raw);
	for (size_t k = 0; k < len && o + 2 < n; k++) {
		if (k && (len - k) % 3 == 0 && raw[k - 1] != '-')
			buf[o++] = ',';
		buf[o++] = raw[k];
	}
	buf[o] = 0;
}

/* ( +- x% ): the standard error of the mean relative to the mean, as perf. */
static double rel_spread(const struct welford *w)
{
	if (w->n < 2 || w->mean == 0)
		return 0;
	return 100.0 * welford_stddev(w) / sqrt((double)w->n) / fabs(w->mean);
}

static void print_event(const struct trace_run *t, size_t k, unsigned repeat)
{
	const struct perfev *ev = &t->set.v[k];
	const struct acc *a = &t->acc[k];
	char num[64];

	if (!a->w.n) {
		printf("%18s      %s\n", a->unsupported ? "<not supported>" : "<not counted>", ev->name);
		return;
	}
	if (!strcmp(ev->name, "task-clock") || !strcmp(ev->name, "cpu-clock")) {
		double cpus = t->elapsed.mean > 0 ? a->w.mean * 1e-9 / t->elapsed.mean : 0;

		printf("%18.2f msec %-33s #  %7.3f CPUs utilized", a->w.mean / 1e6, ev->name, cpus);
	} else {
		fmt_count(a->w.mean, num, sizeof(num));
		printf("%18s      %-*s", num, repeat > 1 || a->running < 1 ? 33 : 0, ev->name);
	}
	if (repeat > 1)
		printf("  ( +- %5.2f%% )", rel_spread(&a->w));
	if (a->running < 1)
		printf("  (%.2f%%)", a->running * 100);
	putchar('\n');
}

static void print_table(const struct trace_run *t, char **cmd, unsigned repeat)
{
	printf("\n Performance counter stats for '");
	for (char **p = cmd; *p; p++)
		printf("%s%s", p == cmd ? "" : " ", *p);
	if (repeat > 1)
		printf("' (%u runs):\n\n", repeat);
	else
		printf("':\n\n");
	for (size_t k = 0; k < t->set.n; k++)
		print_event(t, k, repeat);
	putchar('\n');
	if (repeat > 1)
		printf("%17.9f +- %.9f seconds time elapsed  ( +- %5.2f%% )\n", t->elapsed.mean,
		       welford_stddev(&t->elapsed) / sqrt((double)t->elapsed.n), rel_spread(&t->elapsed));
	else
		printf("%17.9f seconds time elapsed\n\n%17.9f seconds user\n%17.9f seconds sys\n",
		       t->elapsed.mean, t->user.mean, t->sys.mean);
	for (size_t k = 0; k < t->set.n; k++)
		if (!t->acc[k].w.n)
			printf("\n%s: %s: %s", t->set.v[k].name,
			       t->acc[k].unsupported ? "not supported" : "not counted", t->acc[k].reason);
	printf("\n\n");
}

static void put_welford(struct sbuf *o, const char *key, const struct welford *w)
{
	sbuf_printf(o, ",\"%s\":", key);
	json_put_num(o, w->n ? w->mean : NAN);
	sbuf_printf(o, ",\"%s_stddev\":", key);
	json_put_num(o, w->n ? welford_stddev(w) : NAN);
}

/* {"command":[...],"repeat":N,"status":S,"elapsed_s":...,"events":[...]} */
static void print_json(const struct trace_run *t, char **cmd, unsigned repeat)
{
	struct sbuf o = SBUF_INIT;

	sbuf_puts(&o, "{\"command\":[");
	for (char **p = cmd; *p; p++) {
		if (p != cmd)
			sbuf_putc(&o, ',');
		json_put_str(&o, *p);
	}
	sbuf_printf(&o, "],\"repeat\":%u,\"exit_status\":%d", repeat, t->status);
	put_welford(&o, "elapsed_s", &t->elapsed);
	put_welford(&o, "user_s", &t->user);
	put_welford(&o, "sys_s", &t->sys);
	sbuf_puts(&o, ",\"events\":[");
	for (size_t k = 0; k < t->set.n; k++) {
		const struct acc *a = &t->acc[k];

		sbuf_puts(&o, k ? ",{\"event\":" : "{\"event\":");
		json_put_str(&o, t->set.v[k].name);
		sbuf_puts(&o, ",\"kind\":");
		json_put_str(&o, perfev_kind_name(t->set.v[k].kind));
		if (a->w.n) {
			sbuf_printf(&o, ",\"status\":\"counted\",\"runs\":%llu", (unsigned long long)a->w.n);
			put_welford(&o, "count", &a->w);
			sbuf_puts(&o, ",\"spread_pct\":");
			json_put_num(&o, rel_spread(&a->w));
			sbuf_puts(&o, ",\"running\":");
			json_put_num(&o, a->running);
		} else {
			sbuf_printf(&o, ",\"status\":\"%s\",\"reason\":",
				    a->unsupported ? "unsupported" : "not counted");
			json_put_str(&o, a->reason ? a->reason : "");
		}
		sbuf_putc(&o, '}');
	}
	sbuf_puts(&o, "]}\n");
	fputs(sbuf_str(&o), stdout);
	sbuf_free(&o);
}

/* The events of o (default: perf stat's) resolved strictly; exit status. */
static int resolve(const struct trace_opts *o, struct perfev_set *set)
{
	struct perfev_spec spec = { 0 };
	struct err e = { 0, "" };
	const char *root = getenv("VMLAB_TRACEFS");
	int rc;

	for (int k = 0; k < (o->events.n ? o->events.n : 1); k++) {
		const char *t = o->events.n ? o->events.v[k] : default_events;

		if (perfev_spec_add(&spec, t, strlen(t), &e) < 0) {
			perfev_spec_free(&spec);
			return cli_usage_error("trace", "-e '%s': %s", t, e.msg);
		}
	}
	rc = perfev_resolve(&spec, root && *root ? root : NULL, getenv("VMLAB_XEN_GUEST_TYPE"), true,
			    set, &e);
	perfev_spec_free(&spec);
	if (rc < 0)
		return cli_usage_error("trace", "-e %s", e.msg);
	return 0;
}

static int count_main(int argc, char **argv)
{
	struct trace_opts o = { 0 };
	struct trace_run t = { .status = 0 };
	struct opt_res r;
	struct err e = { 0, "" };
	int rc = cli_opts_prefix("trace", &help, &o, argc, argv, &r), failed = 0;

	if (rc != CLI_GO)
		return rc;
	if (!r.npos) {
		opt_free(opts, &o);
		return cli_usage_error("trace", "no command (write 'vmlab trace [-e EVENT,...] -- CMD...')");
	}
	if ((rc = resolve(&o, &t.set))) {
		opt_free(opts, &o);
		return rc;
	}
	t.acc = xcalloc(t.set.n + 1, sizeof(*t.acc));
	for (unsigned k = 0; k < o.repeat && !rc; k++) {
		if (run_once(&t, r.pos, &e) < 0)
			rc = cli_fail("trace", &e);
		else if (t.status)
			failed = 1;
	}
	if (!rc) {
		if (o.json)
			print_json(&t, r.pos, o.repeat);
		else
			print_table(&t, r.pos, o.repeat);
		if (failed)
			fprintf(stderr, "vmlab trace: '%s' exited with status %d\n", r.pos[0], t.status);
		rc = failed;
	}
	for (size_t k = 0; k < t.set.n; k++)
		free(t.acc[k].reason);
	free(t.acc);
	perfev_free(&t.set);
	opt_free(opts, &o);
	return rc;
}

static const struct cli_usage list_help = {
	"usage: vmlab trace list [GLOB]\n"
	"Lists the events this kernel offers (those whose name matches GLOB), as\n"
	"perf list does; a generic event this machine cannot count shows why.\n",
	NULL,
	"\nExit status: 0 ok, 2 bad usage or a GLOB that matches nothing.\n",
};

static int list_main(int argc, char **argv)
{
	struct perfev_spec spec = { 0 };
	struct perfev_set set;
	struct opt_res r;
	struct err e = { 0, "" };
	const char *root = getenv("VMLAB_TRACEFS"), *glob;
	char *note = NULL;
	int rc = cli_opts_npos("trace list", &list_help, NULL, argc, argv, &r, 0, 1, NULL, NULL);

	if (rc != CLI_GO)
		return rc;
	glob = r.npos ? r.pos[0] : NULL;
	if (glob && (strchr(glob, ',') || perfev_spec_add(&spec, glob, strlen(glob), &e) < 0)) {
		perfev_spec_free(&spec);
		return cli_usage_error("trace list", "'%s': %s", glob,
				       strchr(glob, ',') ? "one glob only" : e.msg);
	}
	perfev_spec_free(&spec);
	perfev_list(root && *root ? root : NULL, glob, &set, &note, &e);
	for (size_t k = 0; k < set.n; k++) {
		const struct perfev *ev = &set.v[k];

		if (ev->state == PERFEV_UNSUPPORTED)
			printf("  %-50s [%s, not supported: %s]\n", ev->name, perfev_kind_name(ev->kind),
			       ev->reason);
		else
			printf("  %-50s [%s]\n", ev->name, perfev_kind_name(ev->kind));
	}
	if (note)
		fprintf(stderr, "vmlab trace list: no tracepoints: %s\n", note);
	rc = 0;
	if (!set.n)
		rc = cli_usage_error("trace list", "'%s': no event matches in this kernel", glob);
	perfev_free(&set);
	free(note);
	return rc;
}

static int run(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "list"))
		return list_main(argc - 1, argv + 1);
	return count_main(argc, argv);
}

const struct cmd cmd_trace = { "trace", "count tracepoints and perf events around a command", NULL,
			       run, .help = &help };
