/* vmlab run: run an experiment file's matrix of benchmarks and environments. */
#include "cli/cmd.h"
#include "base/units.h"
#include "run/env.h"
#include "run/experiment.h"
#include "run/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct run_args {
	const char *results;
	bool facts;
};

static const struct opt opts[] = {
	{ "results", 0, OPT_STRING, offsetof(struct run_args, results), .metavar = "FILE",
	  .help = "write to FILE instead of the experiment's results path" },
	{ "facts", 0, OPT_FLAG, offsetof(struct run_args, facts),
	  .help = "print this host's facts as JSON (used in environments)" },
	{ 0 },
};

static const struct cli_usage help = {
	"usage: vmlab run EXPERIMENT [--results FILE]\n"
	"       vmlab run --facts\n"
	"Runs every benchmark of the experiment file in every environment, the\n"
	"given number of iterations after warm-up runs, and appends one JSON Lines\n"
	"record per finished run to the results file (fsync'd at once). Running it\n"
	"again resumes: runs that already have an ok record are skipped. Ctrl-C\n"
	"stops after the current run (twice: aborts it, recorded failed); nothing\n"
	"finished is lost.\n\n"
	"Experiment files use xl.cfg syntax:\n"
	"  name = \"task2\"\n"
	"  benchmarks = [ \"flow\", \"stencil\" ]     # vmlab cpu kernels\n"
	"  micro = [ \"null_syscall\" ]             # vmlab micro benchmarks\n"
	"  cmds = [ \"make -C /src\" ]              # external (vmlab cpu run --cmd)\n"
	"  environments = [ \"native\", \"ssh:USER@HOST[:PORT]\", \"testbed:bare\",\n"
	"                   \"testbed:pv\", \"testbed:pvh\", \"testbed:hvm\",\n"
	"                   \"xen:pv@ssh:root@HOST\", \"xen:guest.cfg@testbed\", \"xen:hvm@local\" ]\n"
	"  size = \"test\"          # test, train or ref\n"
	"  iterations = 3\n"
	"  warmup = 1\n"
	"  results = \"results/task2.jsonl\"   # relative to the experiment file\n"
	"  timeout = \"30m\"         # per run\n"
	"  connect_timeout = 10    # seconds, ssh\n"
	"  ssh_options = [ \"-i\", \"KEY\" ]   # extra ssh arguments\n"
	"  guest_memory = 512      # MiB for testbed and xen: guests\n"
	"  vcpus = 2               # xen: guests' shape, written into their xl.cfg and\n"
	"  cpus = \"1\"              # read back after xl create: hard and soft affinity,\n"
	"  cpus_soft = \"0-1\"       # cpu_weight, cap and cpupool\n"
	"  weight = 512\n"
	"  cap = 50\n"
	"  pool = \"Pool-0\"\n"
	"  guest_address = \"10.0.0.50\"   # a xen:FILE.cfg guest's ssh address (else\n"
	"                                 # vmlab.ip= in its extra=)\n\n",
	opts,
	"\nExit status: 0 all runs ok (or not supported here), 1 some run failed, 2 bad\n"
	"experiment file (FILE:LINE:COL: message) or an environment that cannot be made\n"
	"for bad input (a guest config naming a missing disk, no such testbed), 130\n"
	"interrupted. See vmlab-run(1).\n",
};

static volatile sig_atomic_t stop_flag;

/* SIGTERM to the process group of each descendant of pid, depth levels
 * down (children started by proc_run lead their own groups), using only
 * async-signal-safe calls. */
static void kill_tree(pid_t pid, int depth)
{
	char path[64], buf[512], num[16];
	const char *pre = "/proc/", *mid = "/task/", *post = "/children";
	int i = 0, k, fd;
	ssize_t n;
	pid_t c = 0;

	for (const char *const *part = (const char *const[]){ pre, "#", mid, "#", post, NULL };
	     *part; part++) {
		if (**part != '#') {
			for (const char *t = *part; *t; t++)
				path[i++] = *t;
			continue;
		}
		k = 0;
		for (pid_t x = pid; x && k < 15; x /= 10)
			num[k++] = (char)('0' + x % 10);
		while (k)
			path[i++] = num[--k];
	}
	path[i] = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	for (ssize_t j = 0; j <= n; j++) {
		if (j < n && buf[j] >= '0' && buf[j] <= '9') {
			c = c * 10 + (buf[j] - '0');
		} else if (c) {
			if (depth > 1)
				kill_tree(c, depth - 1);
			kill(-c, SIGTERM);
			kill(c, SIGTERM);
			c = 0;
		}
	}
}

/* First Ctrl-C: finish the current run. Second: abort it (its children get
 * SIGTERM, it is recorded failed, the environment is closed). Third: exit. */
static void on_sigint(int sig)
{
	static const char msg[] = "\nvmlab run: interrupted: finishing the current run "
				  "(Ctrl-C again to abort it)\n";
	static const char msg2[] = "\nvmlab run: aborting the current run\n";
	static const char msg3[] = "\nvmlab run: exiting at once\n";

	(void)sig;
	if (stop_flag >= 2) {
		(void)!write(2, msg3, sizeof(msg3) - 1);
		_exit(130);
	}
	if (stop_flag == 1) {
		stop_flag = 2;
		(void)!write(2, msg2, sizeof(msg2) - 1);
		kill_tree(getpid(), 3);
		return;
	}
	stop_flag = 1;
	(void)!write(2, msg, sizeof(msg) - 1);
}

struct progress {
	bool tty;
	bool line_open;
};

static void fmt_eta(uint64_t ns, char *buf, size_t len)
{
	uint64_t s = (ns + 500000000u) / 1000000000u;

	if (!ns)
		snprintf(buf, len, "?");
	else if (!s)
		snprintf(buf, len, "<1s");
	else if (s >= 3600)
		snprintf(buf, len, "%lluh%02llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else
		snprintf(buf, len, "%llus", (unsigned long long)s);
}

static void clear_line(struct progress *p)
{
	if (p->tty && p->line_open) {
		fputs("\r\033[K", stderr);
		p->line_open = false;
	}
}

static void on_progress(void *ctx, const struct run_event *ev)
{
	struct progress *p = ctx;
	char eta[32];

	switch (ev->type) {
	case RUN_ENV_FAILED:
		clear_line(p);
		fprintf(stderr, "vmlab run: %s; the runs in %s are recorded failed\n", ev->error,
			ev->env);
		break;
	case RUN_ENV_SHARED:
		clear_line(p);
		fprintf(stderr, "vmlab run: warning: %s shares this machine with virtual machines it did not "
			"start (%s): its numbers are disturbed; `vmlab testbed down` first for clean ones "
			"(recorded in the facts as \"concurrent\")\n", ev->env, ev->error);
		break;
	case RUN_NOTICE:
		clear_line(p);
		fprintf(stderr, "vmlab run: %s\n", ev->error);
		break;
	case RUN_WARMUP:
		if (p->tty) {
			clear_line(p);
			fprintf(stderr, "[%zu/%zu] %s %s warm-up %ld/%ld", ev->index, ev->total,
				ev->env, ev->bench, ev->iteration, ev->iterations);
			p->line_open = true;
		}
		break;
	case RUN_START:
		if (p->tty) {
			fmt_eta(ev->eta_ns, eta, sizeof(eta));
			clear_line(p);
			fprintf(stderr, "[%zu/%zu] %s %s iter %ld/%ld ETA %s", ev->index, ev->total,
				ev->env, ev->bench, ev->iteration, ev->iterations, eta);
			p->line_open = true;
		}
		break;
	case RUN_DONE: {
		const struct record *r = ev->record;
		bool ok = !strcmp(r->status, "ok");
		if (p->tty && ok)
			break;
		clear_line(p);
		if (ok)
			fprintf(stdout, "[%zu/%zu] %s %s iter %ld/%ld: ok %.4g %s\n", ev->index,
				ev->total, ev->env, ev->bench, ev->iteration, ev->iterations,
				r->value, r->unit ? r->unit : "");
		else if (!strcmp(r->status, "unsupported"))
			fprintf(stdout, "[%zu/%zu] %s %s iter %ld/%ld: <not supported>: %s\n",
				ev->index, ev->total, ev->env, ev->bench, ev->iteration,
				ev->iterations, r->error ? r->error : "unsupported");
		else
			fprintf(p->tty ? stderr : stdout, "[%zu/%zu] %s %s iter %ld/%ld: FAILED: %s\n",
				ev->index, ev->total, ev->env, ev->bench, ev->iteration,
				ev->iterations, r->error ? r->error : "failed");
		fflush(stdout);
		break;
	}
	}
	fflush(stderr);
}

static int print_facts(void)
{
	struct host_facts f;
	struct sbuf out = SBUF_INIT;

	host_facts_probe(&f);
	host_facts_json(&f, &out);
	fputs(sbuf_str(&out), stdout);
	sbuf_free(&out);
	host_facts_clear(&f);
	return 0;
}

static int run(int argc, char **argv)
{
	struct experiment x;
	struct err e = { 0, "" };
	struct run_summary s;
	struct progress p = { isatty(2) != 0, false };
	struct run_opts o = { &stop_flag, on_progress, &p };
	struct sigaction sa, old;
	const char *file, *results;
	struct run_args a = { 0 };
	struct opt_res r;
	int rc = cli_opts("run", &help, &a, argc, argv, &r);

	if (rc != CLI_GO)
		return rc;
	if (a.facts) {
		if (argc != 2)
			return cli_usage_error("run", "--facts takes nothing else");
		return print_facts();
	}
	if (r.npos > 1)
		return cli_usage_error("run", "one experiment file at a time");
	if (!r.npos)
		return cli_usage_error("run", "no experiment file given");
	file = r.pos[0];
	results = a.results;
	rc = experiment_load(file, &x, &e);
	if (rc) {
		fprintf(stderr, "vmlab run: %s\n", e.msg);
		return 2;
	}
	if (results) {
		free(x.results);
		x.results = xstrdup(results);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	/* a remote end that goes away must fail the run, not kill vmlab */
	signal(SIGPIPE, SIG_IGN);
	rc = runner_run(&x, &o, &s, &e);
	sigaction(SIGINT, &old, NULL);
	clear_line(&p);
	if (s.bad_lines)
		fprintf(stderr, "vmlab run: %s: ignored %zu malformed line%s\n", x.results,
			s.bad_lines, s.bad_lines == 1 ? "" : "s");
	if (s.skipped)
		printf("skipped %zu of %zu runs: already done in %s\n", s.skipped, s.planned,
		       x.results);
	printf("%s: %zu runs now: %zu ok, %zu failed", x.name, s.ok + s.failed + s.unsupported, s.ok,
	       s.failed);
	if (s.unsupported)
		printf(", %zu not supported here", s.unsupported);
	printf("; %zu of %zu planned remain; results in %s\n",
	       s.planned - s.skipped - s.ok - s.failed - s.unsupported, s.planned, x.results);
	experiment_free(&x);
	if (rc)
		return cli_fail("run", &e);
	if (s.interrupted) {
		fprintf(stderr, "vmlab run: interrupted; run the same command again to resume\n");
		return 130;
	}
	return s.bad_env ? 2 : s.failed ? 1 : 0;
}

const struct cmd cmd_run = { "run", "run an experiment (benchmarks x environments)", NULL, run,
			     .help = &help };
