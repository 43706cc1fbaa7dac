/* vmlab testbed guest up|exec|down: guests of the testbed's Xen (--testbed N
 * picks the testbed; --name is the guest's own name). */
#include "cli/testbed_cli.h"

#include "base/sbuf.h"
#include "cli/subcmd.h"
#include "testbed/guest.h"
#include "testbed/net.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct up_args {
	const char *name, *extra, *tsc_mode, *testbed;
	long long memory_mib, vcpus, timeout_s;
	bool pci;
};

static int parse_name(const char *arg, void *dst, struct err *e)
{
	if (!tb_guest_name_valid(arg))
		return err_set(e, -EINVAL, "'%s': use letters, digits, - and _", arg);
	*(const char **)dst = arg;
	return 0;
}

static int parse_extra(const char *arg, void *dst, struct err *e)
{
	if (strpbrk(arg, "\"'\\\n"))
		return err_set(e, -EINVAL, "may not hold quotes, backslashes or newlines");
	*(const char **)dst = arg;
	return 0;
}

static int parse_tsc(const char *arg, void *dst, struct err *e)
{
	if (!tb_tsc_mode_valid(arg))
		return err_set(e, -EINVAL, "'%s': expected native, default, always_emulate or native_paravirt", arg);
	*(const char **)dst = arg;
	return 0;
}

#define UP(f) offsetof(struct up_args, f)
static const struct opt up_opts[] = {
	{ "testbed", 0, OPT_CUSTOM, UP(testbed), .parse = tbc_parse_name, .metavar = "T",
	  .help = "the testbed to create it on (default " TB_DEFAULT_NAME ")" },
	{ "name", 0, OPT_CUSTOM, UP(name), .parse = parse_name, .metavar = "N",
	  .help = "the guest's name (default: TYPE and its index)" },
	{ "memory", 0, OPT_LONG, UP(memory_mib), .min = 128, .max = 65536, .metavar = "MB",
	  .help = "memory in MiB, at least 128 (the guest kernel and its initramfs: at 96 a PVH guest "
	  "runs out of memory at boot, at 64 xl cannot load it; default 128, hvm 256)" },
	{ "vcpus", 0, OPT_LONG, UP(vcpus), .min = 1, .max = 64, .metavar = "N", .help = "virtual CPUs (default 1)" },
	{ "timeout", 0, OPT_LONG, UP(timeout_s), .min = 1, .max = 86400, .metavar = "S",
	  .help = "seconds until its ssh answers (default 120, hvm 600)" },
	{ "extra", 0, OPT_CUSTOM, UP(extra), .parse = parse_extra, .metavar = "ARGS",
	  .help = "more kernel options" },
	{ "tsc-mode", 0, OPT_CUSTOM, UP(tsc_mode), .parse = parse_tsc, .metavar = "MODE",
	  .help = "xl's tsc_mode: native (default), default, always_emulate, native_paravirt" },
	{ "pci", 0, OPT_FLAG, UP(pci),
	  .help = "pass the testbed's NIC " TB_PT_BDF " through (pv or hvm; the testbed up with --iommu)" },
	{ 0 },
};
#undef UP

static const struct cli_usage up_help = {
	"usage: vmlab testbed guest up pv|pvh|hvm [OPTIONS]\n"
	"Creates a guest, waits until its ssh answers, prints its name.\n\n",
	up_opts, NULL,
};

static int guest_up(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	struct up_args a = { 0 };
	struct tb_guest_opts o;
	struct tb_guest g;
	struct err e = { 0 };
	struct sbuf diag = SBUF_INIT;
	struct opt_res r;
	uint64_t took_ms = 0;
	int st = cli_opts("testbed guest up", &up_help, &a, argc, argv, &r), rc;

	if (st != CLI_GO)
		return st;
	if (r.npos < 1)
		return cli_usage_error(TB_CLI, "guest up wants a type: pv, pvh or hvm");
	if (!tb_guest_type_valid(r.pos[0]))
		return cli_usage_error(TB_CLI, "guest up: type '%s' is not pv, pvh or hvm", r.pos[0]);
	if (r.npos > 1)
		return cli_usage_error(TB_CLI, "guest up: unknown argument '%s'", r.pos[1]);
	if (a.pci && !strcmp(r.pos[0], "pvh"))
		return cli_usage_error(TB_CLI, "guest up --pci: passthrough not yet supported for x86 PVH guests "
				       "(libxl): use pv or hvm");
	o = (struct tb_guest_opts){ .type = r.pos[0], .name = a.name, .memory_mib = (long)a.memory_mib,
				    .vcpus = (long)a.vcpus, .timeout_s = (long)a.timeout_s, .extra = a.extra,
				    .tsc_mode = a.tsc_mode, .pci = a.pci };
	tb_guest_defaults(&o);
	if ((st = tbc_paths_named(&p, a.testbed)) || (st = tbc_need_up(&p, &s)))
		return st;
	rc = tb_guest_up(&p, &s, &o, &g, &took_ms, &diag, &e);
	if (rc == -EIO)
		fprintf(stderr, "vmlab %s: %s\n%s", TB_CLI, e.msg, sbuf_str(&diag));
	else if (rc == -EINVAL || rc == -EBUSY)
		st = cli_fail(TB_CLI, &e);
	else if (rc < 0)
		tbc_fail(&e);
	sbuf_free(&diag);
	if (rc < 0)
		return st ? st : 1;
	fprintf(stderr, "vmlab %s: guest %s (%s, %ld MiB, %ld vCPU) answers on %s after %.1f s%s\n", TB_CLI, g.name,
		g.type, o.memory_mib, o.vcpus, g.ip, (double)took_ms / 1000.0,
		g.resets == 1 ? " (its first boot reset; it was booted once more)" :
		g.resets ? " (its first boots reset; it was booted again)" : "");
	if (g.pci) {
		char ip[32], mac[32];

		tb_net_pt_ip(g.host, ip, sizeof(ip));
		tb_net_pt_mac(g.host, mac, sizeof(mac));
		fprintf(stderr, "vmlab %s: guest %s holds the passthrough NIC %s (mac %s, address %s/%d)\n", TB_CLI,
			g.name, TB_PT_BDF, mac, ip, TB_SHARED_NET_BITS);
	}
	printf("%s\n", g.name);
	return 0;
}

/* Loads the running testbed tb (NULL: the default one) and guest name; 0 or
 * the exit status. */
static int need_guest(const char *tb, const char *name, struct tb_paths *p, struct tb_state *s,
		      struct tb_guest *g)
{
	int st;

	if ((st = tbc_paths_named(p, tb)) || (st = tbc_need_up(p, s)))
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
	const char *tb = NULL;
	long timeout_s = 0;
	int st, cmd;

	if (argc < 2)
		return cli_usage_error(TB_CLI, "guest exec wants NAME -- CMD...");
	if ((st = tbc_timeout_cmd("guest exec", "", argc, argv, 2, &timeout_s, "--testbed", &tb, &cmd)))
		return st;
	if (cmd < 0)
		return cli_usage_error(TB_CLI, "guest exec: no command (write 'guest exec NAME -- CMD...')");
	if ((st = need_guest(tb, argv[1], &p, &s, &g)))
		return st;
	return tbc_exec_in(&p, &s, g.ip, argv + cmd, timeout_s);
}

static int guest_down(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	struct tb_guest g;
	struct err e = { 0 };
	const char *tb = NULL;
	int st;

	if (argc == 4 && !strcmp(argv[2], "--testbed")) {
		if ((st = tbc_check_name("guest down --testbed", argv[3])))
			return st;
		tb = argv[3];
	} else if (argc != 2)
		return cli_usage_error(TB_CLI, "guest down wants NAME [--testbed T]");
	if ((st = need_guest(tb, argv[1], &p, &s, &g)))
		return st;
	if (tb_guest_down(&p, &s, &g, &e) < 0)
		return tbc_fail(&e);
	printf("guest %s down\n", g.name);
	return 0;
}

static const char usage[] =
	"usage: vmlab testbed guest up pv|pvh|hvm [--testbed T] [--name N] [--memory MB] [--vcpus N]\n"
	"                              [--timeout S] [--extra ARGS] [--tsc-mode MODE] [--pci]\n"
	"       vmlab testbed guest exec NAME [--testbed T] [--timeout S] -- CMD...\n"
	"       vmlab testbed guest down NAME [--testbed T]\n";

static const struct subcmd subs[] = {
	{ "up", guest_up, 1 },
	{ "exec", guest_exec },
	{ "down", guest_down },
	{ 0 },
};

int testbed_guest_main(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(TB_CLI, "guest wants up, exec or down");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		/* the family's usage, then guest up's options from its table */
		fputs(usage, stdout);
		putchar('\n');
		cli_usage_write(&up_help, stdout);
		return 0;
	}
	return subcmd_dispatch("testbed guest", usage, subs, argc, argv);
}
