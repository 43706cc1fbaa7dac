/* vmlab sched: show and change CPU scheduling: Xen's credit2 / credit
 * through xl (on the testbed or this dom0), cgroup v2 for native runs. */
#include "cli/cmd.h"
#include "cli/host_cli.h"
#include "cli/subcmd.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/json.h"
#include "base/proc.h"
#include "host/host.h"
#include "sched/sched.h"

/* The --host word that is not a Xen host: cgroup v2 on this machine. */
#define NATIVE "native"

struct sched_opts {
	const char *host;
	struct host_cli_opts h;
	bool json;
	const char *cpus;
	int sched;
	bool keep;
};

static const char *const pool_scheds[] = { "credit2", "credit", NULL };

#define F(x) offsetof(struct sched_opts, x)
#define OPT_HOST(help_)                                                                         \
	{ "host", 0, OPT_STRING, F(host), .def = "testbed", .metavar = "HOST", .help = help_ },   \
	HOST_CLI_OPTS(F(h))
#define HOST_HELP "a Xen host: testbed[:NAME] (a running testbed's dom0), local (xl in this dom0), " \
		  "ssh:USER@HOST[:PORT] (a dom0 over ssh)"
static const struct opt show_tab[] = {
	OPT_HOST(HOST_HELP "; or native (cgroup v2 on this machine)"),
	{ "json", 0, OPT_FLAG, F(json), .help = "one JSON object" },
	{ 0 },
};
static const struct opt set_tab[] = {
	OPT_HOST(HOST_HELP "; or native (cgroup v2 on this machine)"),
	{ "json", 0, OPT_FLAG, F(json), .help = "the setting and what was read back, as JSON" },
	{ 0 },
};
static const struct opt pool_tab[] = {
	OPT_HOST(HOST_HELP " (pools are Xen's)"),
	{ "cpus", 0, OPT_STRING, F(cpus), .metavar = "CPUS",
	  .help = "create: the pool's CPUs (xl syntax: 1, 0-3,^2), taken from Pool-0" },
	{ "sched", 0, OPT_ENUM, F(sched), .def = "credit2", .words = pool_scheds, .metavar = "SCHED",
	  .help = "create: the pool's scheduler, credit2 or credit" },
	{ 0 },
};
static const struct opt cgroup_tab[] = {
	{ "keep", 0, OPT_FLAG, F(keep), .help = "run: keep the cgroup after the command" },
	{ 0 },
};
#undef F

static const struct cli_usage show_help = {
	"usage: vmlab sched show [--host HOST|native] [--json]\n"
	"Shows the scheduler, the cpupools (scheduler, CPUs, tslice / ratelimit) and\n"
	"each domain's pool, weight, cap and its vCPUs' hard / soft affinity; with\n"
	"--host native the cgroups vmlab made (cpu.weight, cpu.max, cpuset.cpus).\n\n",
	show_tab, NULL,
};

static const struct cli_usage set_help = {
	"usage: vmlab sched set DOMAIN SETTING [--host HOST|native] [--json]\n"
	"Applies SETTING to DOMAIN (a cgroup of 'vmlab sched cgroup' with --host\n"
	"native) after checking it against the host, reads it back and prints what was\n"
	"read back; on a failure or mismatch the previous settings are restored.\n"
	"SETTING: KNOB=VALUE,... of weight=1..65535, cap=% of one CPU (0: none),\n"
	"cpus=CPUS (hard affinity), cpus_soft=CPUS, pool=POOL, tslice_ms=1..1000\n"
	"(credit), ratelimit_us=100..500000, e.g. weight=512,cap=50,cpus=0-1.\n\n",
	set_tab,
	"\nExit status: 0 applied and read back, 1 xl or the host failed (restored),\n"
	"2 bad usage, a bad setting or an unknown domain (nothing changed).\n",
};

static const struct cli_usage pool_help = {
	"usage: vmlab sched pool create NAME --cpus CPUS [--sched credit2|credit] [--host H]\n"
	"       vmlab sched pool destroy NAME [--host H]\n"
	"create moves CPUS out of Pool-0 into a new cpupool running SCHED and reads it\n"
	"back; destroy (of a pool no domain runs in) gives its CPUs back to Pool-0.\n"
	"Any failure puts the CPUs back.\n\n",
	pool_tab, NULL,
};

static const struct cli_usage cgroup_help = {
	"usage: vmlab sched cgroup run NAME SETTING [--keep] -- CMD...\n"
	"       vmlab sched cgroup rm NAME\n"
	"run creates the cgroup v2 NAME under vmlab.slice, applies SETTING (weight =\n"
	"cpu.weight 1..10000, cap = cpu.max in % of one CPU, cpus = cpuset.cpus), reads\n"
	"it back, runs CMD in it, then removes it (unless --keep); its exit status is\n"
	"CMD's. rm removes a kept cgroup.\n\n",
	cgroup_tab, NULL,
};

/* Opens the Xen host of o into h and its runner into r; or prints why
 * not and returns 2 (an unknown or bad host, one not up, one that does
 * not answer: bad input, nothing changed). */
static int runner_for(const char *sub, const struct sched_opts *o, struct host *h, struct sched_runner *r)
{
	struct host_conf c = { .connect_timeout_ms = (uint64_t)(o->h.connect_timeout_s * 1000),
			       .ssh_options = o->h.ssh_args.n ? (char *const *)o->h.ssh_args.v : NULL };
	struct err e = { 0 };

	if (host_open(h, o->host, &c, &e) < 0) {
		fprintf(stderr, "vmlab %s: %s\n", sub, e.msg);
		return 2;
	}
	sched_runner_host(r, h);
	return 0;
}

/* The cgroup root, or the exit status of the failure (1: none usable). */
static int cgroup_root(const char *sub, char *root, size_t n)
{
	struct err e = { 0 };

	if (sched_cgroup_root(root, n, &e) < 0) {
		cli_fail(sub, &e);
		return 1;
	}
	return 0;
}

static int show_native(bool json)
{
	char root[PATH_MAX];
	int st, first = 1;

	if ((st = cgroup_root("sched show", root, sizeof(root))))
		return st;
	if (json)
		printf("{\"host\":\"native\",\"root\":\"%s\",\"cgroups\":[", root);
	else
		printf("host native: cgroups under %s\n\n%-24s %s\n", root, "CGROUP", "SETTING");
	DIR *d = opendir(root);
	struct dirent *de;

	/* the cgroups are the folders of root */
	while (d && (de = readdir(d))) {
		struct sched_state stt;
		struct sched_target t = { NULL, root, de->d_name };
		struct sbuf s = SBUF_INIT;
		struct err e;

		if (de->d_type != DT_DIR || de->d_name[0] == '.' || sched_cgroup.get(&t, &stt, &e) < 0)
			continue;
		if (json) {
			json_put_str(&s, de->d_name);
			sbuf_puts(&s, ",\"setting\":");
			sched_setting_json(&stt.s, &s);
			printf("%s{\"name\":%s}", first ? "" : ",", sbuf_str(&s));
		} else {
			sched_setting_format(&stt.s, &s);
			printf("%-24s %s\n", de->d_name, sbuf_str(&s));
		}
		first = 0;
		sbuf_free(&s);
	}
	if (d)
		closedir(d);
	if (json)
		printf("]}\n");
	return 0;
}

static int show_main(int argc, char **argv)
{
	struct sched_opts o = { 0 };
	struct sched_runner r;
	struct host h;
	struct sbuf out = SBUF_INIT;
	struct err e = { 0 };
	int st;

	if ((st = cli_opts_npos("sched show", &show_help, &o, argc, argv, NULL, 0, 0, NULL, NULL)) != CLI_GO)
		return st;
	if (!strcmp(o.host, NATIVE))
		st = show_native(o.json);
	else if (!(st = runner_for("sched show", &o, &h, &r))) {
		if (sched_xl_show(&r, o.json, &out, &e) < 0)
			st = cli_fail("sched show", &e);
		else
			fputs(sbuf_str(&out), stdout);
		host_close(&h);
	}
	sbuf_free(&out);
	opt_free(show_tab, &o);
	return st;
}

/* Prints the outcome of a set: the setting and the read-back state;
 * backend is the scheduler the target has now. */
static void print_set(const char *host, const char *target, const char *backend, const struct sched_setting *s,
		      const struct sched_state *after, bool json)
{
	struct sbuf o = SBUF_INIT;

	if (json) {
		sbuf_puts(&o, "{\"host\":");
		json_put_str(&o, host);
		sbuf_puts(&o, ",\"target\":");
		json_put_str(&o, target);
		sbuf_puts(&o, ",\"backend\":");
		json_put_str(&o, backend);
		sbuf_puts(&o, ",\"set\":");
		sched_setting_json(s, &o);
		sbuf_puts(&o, ",\"read_back\":");
		sched_state_json(after, &o);
		sbuf_puts(&o, "}\n");
	} else {
		sbuf_printf(&o, "%s on %s (%s): read back ", target, host, backend);
		sched_setting_format(&after->s, &o);
		sbuf_putc(&o, '\n');
	}
	fputs(sbuf_str(&o), stdout);
	sbuf_free(&o);
}

static int set_main(int argc, char **argv)
{
	struct sched_opts o = { 0 };
	struct opt_res res;
	struct sched_setting s;
	struct sched_runner r = { 0 };
	struct host h = { 0 };
	struct sched_state *after = NULL;
	struct err e = { 0 };
	const struct sched_ops *ops;
	char root[PATH_MAX];
	int st;

	if ((st = cli_opts_npos("sched set", &set_help, &o, argc, argv, &res, 2, 2,
				"expected DOMAIN SETTING (e.g. vmlab sched set guest1 weight=512)", NULL)) != CLI_GO)
		return st;
	if (sched_setting_parse(res.pos[1], "SETTING", &s, &e) < 0) {
		opt_free(set_tab, &o);
		return cli_fail("sched set", &e);
	}
	struct sched_target t = { &r, root, res.pos[0] };

	if (!strcmp(o.host, NATIVE)) {
		if ((st = cgroup_root("sched set", root, sizeof(root))))
			goto out;
		ops = &sched_cgroup;
	} else {
		if ((st = runner_for("sched set", &o, &h, &r)))
			goto out;
		if (!(ops = sched_xl_for_domain(&r, res.pos[0], &e))) {
			st = cli_fail("sched set", &e);
			goto out;
		}
	}
	after = xcalloc(1, sizeof(*after));
	if (sched_apply(ops, &t, &s, after, &e) < 0)
		st = cli_fail("sched set", &e);
	else
		print_set(o.host, res.pos[0], after->scheduler, &s, after, o.json);
out:
	free(after);
	host_close(&h);
	opt_free(set_tab, &o);
	return st;
}

static int pool_main(int argc, char **argv)
{
	struct sched_opts o = { 0 };
	struct opt_res res;
	struct sched_runner r;
	struct host h;
	struct err e = { 0 };
	int st, create;

	if ((st = cli_opts_npos("sched pool", &pool_help, &o, argc, argv, &res, 2, 2,
				"expected create NAME --cpus CPUS or destroy NAME", NULL)) != CLI_GO)
		return st;
	create = !strcmp(res.pos[0], "create");
	if (!create && strcmp(res.pos[0], "destroy"))
		return cli_usage_error("sched pool", "unknown action '%s' (create or destroy)", res.pos[0]);
	if (!strcmp(o.host, NATIVE))
		return cli_usage_error("sched pool", "--host native: cpupools are Xen's (a Xen host: testbed, "
				       "local or ssh:USER@HOST)");
	if (create && !o.cpus)
		return cli_usage_error("sched pool", "create: --cpus CPUS is required");
	if (!create && o.cpus)
		return cli_usage_error("sched pool", "destroy: --cpus is for create");
	if (create) {
		struct sbuf cfg = SBUF_INIT;
		int r0 = sched_xl_pool_cfg(res.pos[1], pool_scheds[o.sched], o.cpus, &cfg, &e);

		sbuf_free(&cfg);
		if (r0 < 0)
			return cli_fail("sched pool", &e);
	}
	if ((st = runner_for("sched pool", &o, &h, &r))) {
		opt_free(pool_tab, &o);
		return st;
	}
	if (create ? sched_xl_pool_create(&r, res.pos[1], pool_scheds[o.sched], o.cpus, &e)
		   : sched_xl_pool_destroy(&r, res.pos[1], &e))
		st = cli_fail("sched pool", &e);
	else
		printf("pool %s %s on %s\n", res.pos[1], create ? "created" : "destroyed", o.host);
	host_close(&h);
	opt_free(pool_tab, &o);
	return st;
}

/* This process's cgroup v2 path ("0::/PATH" of /proc/self/cgroup) under
 * mount mnt into out. */
static int own_cgroup(const char *root, char *out, size_t n, struct err *e)
{
	struct sbuf s = SBUF_INIT;
	const char *p;
	char mnt[PATH_MAX];
	const char *sl = strrchr(root, '/');
	int rc;

	if ((rc = file_read("/proc/self/cgroup", &s, e)))
		return rc;
	p = strstr(sbuf_str(&s), "0::");
	snprintf(mnt, sizeof(mnt), "%.*s", sl ? (int)(sl - root) : 0, root);
	if (!p)
		rc = err_set(e, -ENOTSUP, "/proc/self/cgroup: no cgroup v2 line");
	else if ((size_t)snprintf(out, n, "%s%.*s", mnt, (int)strcspn(p + 3, "\n"), p + 3) >= n)
		rc = err_set(e, -ENAMETOOLONG, "/proc/self/cgroup: the path is too long");
	sbuf_free(&s);
	return rc;
}

/* Runs cmd in cgroup name: moves this process in, runs cmd (it inherits
 * the cgroup), moves back to home. Returns cmd's exit status or -errno. */
static int run_in(const char *root, const char *name, const char *home, char **cmd, struct err *e)
{
	char *sl = strrchr(home, '/');
	char parent[PATH_MAX], leaf[PATH_MAX];
	int rc, status = 0;

	snprintf(parent, sizeof(parent), "%.*s", (int)(sl - home), home);
	snprintf(leaf, sizeof(leaf), "%s", sl + 1);
	if ((rc = sched_cgroup_enter(root, name, (long)getpid(), e)))
		return rc;
	rc = proc_run(cmd, &(struct proc_opts){ 0 }, &status, e);
	if (sched_cgroup_enter(*leaf ? parent : home, *leaf ? leaf : ".", (long)getpid(), e) < 0)
		return -EIO;
	return rc < 0 ? rc : status;
}

static int cgroup_main(int argc, char **argv)
{
	struct sched_opts o = { 0 };
	struct opt_res res;
	struct sched_setting s;
	struct sched_state *after;
	struct err e = { 0 };
	char root[PATH_MAX], home[PATH_MAX];
	int st, dd = -1, run;

	for (int k = 1; k < argc; k++)
		if (!strcmp(argv[k], "--")) {
			dd = k;
			break;
		}
	if ((st = cli_opts_npos("sched cgroup", &cgroup_help, &o, dd >= 0 ? dd : argc, argv, &res, 2, 3,
				"expected run NAME SETTING -- CMD... or rm NAME", NULL)) != CLI_GO)
		return st;
	run = !strcmp(res.pos[0], "run");
	if (!run && strcmp(res.pos[0], "rm"))
		return cli_usage_error("sched cgroup", "unknown action '%s' (run or rm)", res.pos[0]);
	if (run && (res.npos != 3 || dd < 0 || dd + 1 >= argc))
		return cli_usage_error("sched cgroup", "run: expected NAME SETTING -- CMD...");
	if (!run && (res.npos != 2 || dd >= 0))
		return cli_usage_error("sched cgroup", "rm: expected NAME only");
	if (run && sched_setting_parse(res.pos[2], "SETTING", &s, &e) < 0)
		return cli_fail("sched cgroup", &e);
	if (run && (s.set & ~sched_cgroup.knobs))
		return cli_usage_error("sched cgroup", "%s: a cgroup has weight, cap and cpus only",
				       sched_knob_name(s.set & ~sched_cgroup.knobs & -(s.set & ~sched_cgroup.knobs)));
	if ((st = cgroup_root("sched cgroup", root, sizeof(root))))
		return st;
	if (!run)
		return sched_cgroup_remove(root, res.pos[1], &e) < 0 ? cli_fail("sched cgroup", &e) : 0;
	if (own_cgroup(root, home, sizeof(home), &e) < 0 || sched_cgroup_create(root, res.pos[1], &e) < 0)
		return cli_fail("sched cgroup", &e);
	struct sched_target t = { NULL, root, res.pos[1] };

	after = xcalloc(1, sizeof(*after));
	if (sched_apply(&sched_cgroup, &t, &s, after, &e) < 0) {
		st = cli_fail("sched cgroup", &e);
	} else {
		print_set("native", res.pos[1], "cgroup", &s, after, false);
		fflush(stdout);
		st = run_in(root, res.pos[1], home, argv + dd + 1, &e);
		if (st < 0)
			st = cli_fail("sched cgroup", &e);
	}
	free(after);
	if (!o.keep && sched_cgroup_remove(root, res.pos[1], &e) < 0)
		return cli_fail("sched cgroup", &e);
	return st;
}

static const char usage[] =
	"usage: vmlab sched SUBCOMMAND [ARGS...]\n"
	"CPU scheduling as back ends: Xen's credit2 and credit through xl (weight,\n"
	"cap, vCPU hard / soft affinity, cpupools, tslice / ratelimit) on a Xen host\n"
	"(testbed[:NAME], local, ssh:USER@HOST[:PORT]), and cgroup v2 for native runs. Every change is checked first,\n"
	"read back after, and undone on failure.\n\n"
	"  show       the scheduler, pools and every domain's settings\n"
	"  set        apply a setting to a domain (or a cgroup)\n"
	"  pool       create or destroy a cpupool\n"
	"  cgroup     run a command in a cgroup with a setting; remove a kept one\n\n"
	"See vmlab-sched(1).\n";

static const struct subcmd subs[] = {
	{ "show", show_main, 1 },
	{ "set", set_main, 1 },
	{ "pool", pool_main, 1 },
	{ "cgroup", cgroup_main, 1 },
	{ 0 },
};

const struct cmd cmd_sched = { "sched", "CPU scheduling: credit2, credit, cpupools, cgroups", usage, NULL, subs };
