/* vmlab testbed guest up|exec|down: guests of the testbed's Xen. */
#include "cli/testbed_cli.h"

#include "base/sbuf.h"
#include "cli/subcmd.h"
#include "testbed/guest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Parses the options of guest up (argv[2..]) into o; 0 or the exit status. */
static int up_args(int argc, char **argv, struct tb_guest_opts *o)
{
	int st;

	for (int k = 2; k < argc; k++) {
		const char *opt = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;

		if (!v)
			return cli_usage_error(TB_CLI, "guest up: %s wants a value", opt);
		k++;
		if (!strcmp(opt, "--name")) {
			if (!tb_guest_name_valid(v))
				return cli_usage_error(TB_CLI, "guest up: name '%s': use letters, digits, - and _", v);
			o->name = v;
		} else if (!strcmp(opt, "--memory")) {
			if ((st = tbc_uint("--memory", v, 32, 65536, &o->memory_mib)))
				return st;
		} else if (!strcmp(opt, "--vcpus")) {
			if ((st = tbc_uint("--vcpus", v, 1, 64, &o->vcpus)))
				return st;
		} else if (!strcmp(opt, "--timeout")) {
			if ((st = tbc_uint("--timeout", v, 1, 86400, &o->timeout_s)))
				return st;
		} else if (!strcmp(opt, "--extra")) {
			if (strpbrk(v, "\"'\\\n"))
				return cli_usage_error(TB_CLI, "guest up: --extra may not hold quotes, backslashes or newlines");
			o->extra = v;
		} else if (!strcmp(opt, "--tsc-mode")) {
			if (!tb_tsc_mode_valid(v))
				return cli_usage_error(TB_CLI, "guest up: --tsc-mode '%s': expected native, default, "
						       "always_emulate or native_paravirt", v);
			o->tsc_mode = v;
		} else
			return cli_usage_error(TB_CLI, "guest up: unknown argument '%s'", opt);
	}
	return 0;
}

static int guest_up(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	struct tb_guest_opts o = { 0 };
	struct tb_guest g;
	struct err e = { 0 };
	struct sbuf diag = SBUF_INIT;
	uint64_t took_ms = 0;
	int st, rc;

	if (argc < 2)
		return cli_usage_error(TB_CLI, "guest up wants a type: pv, pvh or hvm");
	if (!tb_guest_type_valid(argv[1]))
		return cli_usage_error(TB_CLI, "guest up: type '%s' is not pv, pvh or hvm", argv[1]);
	o.type = argv[1];
	if ((st = up_args(argc, argv, &o)))
		return st;
	tb_guest_defaults(&o);
	if ((st = tbc_paths(&p)) || (st = tbc_need_up(&p, &s)))
		return st;
	rc = tb_guest_up(&p, &s, &o, &g, &took_ms, &diag, &e);
	if (rc == -EIO)
		fprintf(stderr, "vmlab %s: %s\n%s", TB_CLI, e.msg, sbuf_str(&diag));
	else if (rc < 0)
		tbc_fail(&e);
	sbuf_free(&diag);
	if (rc < 0)
		return 1;
	fprintf(stderr, "vmlab %s: guest %s (%s, %ld MiB, %ld vCPU) answers on %s after %.1f s\n", TB_CLI, g.name,
		g.type, o.memory_mib, o.vcpus, g.ip, (double)took_ms / 1000.0);
	printf("%s\n", g.name);
	return 0;
}

/* Loads the running testbed and guest name; 0 or the exit status. */
static int need_guest(const char *name, struct tb_paths *p, struct tb_state *s, struct tb_guest *g)
{
	int st;

	if ((st = tbc_paths(p)) || (st = tbc_need_up(p, s)))
		return st;
	if (tb_guest_load(p, name, g) < 0) {
		fprintf(stderr, "vmlab %s: no guest '%s' (see 'vmlab testbed status')\n", TB_CLI, name);
		return 1;
	}
	return 0;
}

static int guest_exec(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	struct tb_guest g;
	long timeout_s = 0;
	int st, k, cmd = tbc_after_dashes(argc, argv, 2);

	if (argc < 2)
		return cli_usage_error(TB_CLI, "guest exec wants NAME -- CMD...");
	for (k = 2; k < (cmd < 0 ? argc : cmd - 1); k++) {
		if (!strcmp(argv[k], "--timeout") && k + 1 < argc) {
			if ((st = tbc_uint("--timeout", argv[++k], 1, 86400, &timeout_s)))
				return st;
		} else
			return cli_usage_error(TB_CLI, "guest exec: unknown argument '%s'", argv[k]);
	}
	if (cmd < 0 || cmd >= argc)
		return cli_usage_error(TB_CLI, "guest exec: no command (write 'guest exec NAME -- CMD...')");
	if ((st = need_guest(argv[1], &p, &s, &g)))
		return st;
	return tbc_exec_in(&p, &s, g.ip, argv + cmd, timeout_s);
}

static int guest_down(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	struct tb_guest g;
	struct err e = { 0 };
	int st;

	if (argc != 2)
		return cli_usage_error(TB_CLI, "guest down wants NAME");
	if ((st = need_guest(argv[1], &p, &s, &g)))
		return st;
	if (tb_guest_down(&p, &s, &g, &e) < 0)
		return tbc_fail(&e);
	printf("guest %s down\n", g.name);
	return 0;
}

static const char usage[] =
	"usage: vmlab testbed guest up pv|pvh|hvm [--name N] [--memory MB] [--vcpus N] [--timeout S]\n"
	"                              [--extra ARGS] [--tsc-mode MODE]\n"
	"       vmlab testbed guest exec NAME [--timeout S] -- CMD...\n"
	"       vmlab testbed guest down NAME\n";

static const struct subcmd subs[] = {
	{ "up", "create a guest", guest_up },
	{ "exec", "run a command in a guest", guest_exec },
	{ "down", "shut a guest down", guest_down },
	{ 0 },
};

int testbed_guest_main(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(TB_CLI, "guest wants up, exec or down");
	return subcmd_dispatch("testbed guest", usage, subs, argc, argv);
}
