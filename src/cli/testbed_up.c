/* vmlab testbed up [--name N] [--bare] [--cpus N] [--xen-args ARGS] [--net NET]
 * [--iommu] [--timeout S]: boot Xen and dom0 in QEMU. */
#include "cli/testbed_cli.h"

#include "base/sbuf.h"
#include "testbed/net.h"
#include "testbed/tbconst.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PORT 10022

struct args {
	const char *name, *xen_args, *net;
	bool bare, iommu;
	long long timeout_s, cpus;
};

static int parse_xen_args(const char *arg, void *dst, struct err *e)
{
	int rc = tb_xen_args_check(arg, e);

	if (rc == 0)
		*(const char **)dst = arg;
	return rc;
}

static int parse_net(const char *arg, void *dst, struct err *e)
{
	int rc = tb_net_check(arg, e);

	if (rc == 0)
		*(const char **)dst = arg;
	return rc;
}

#define A(f) offsetof(struct args, f)
static const struct opt opts[] = {
	TBC_OPT_NAME(A(name)),
	{ "bare", 0, OPT_FLAG, A(bare), .help = "boot the same kernel without Xen" },
	{ "cpus", 0, OPT_LONG, A(cpus), .def = "2", .min = 1, .max = TB_CPUS_MAX, .metavar = "N",
	  .help = "physical CPUs the machine (and Xen) has" },
	{ "xen-args", 0, OPT_CUSTOM, A(xen_args), .parse = parse_xen_args, .metavar = "ARGS",
	  .help = "more of Xen's command line, e.g. 'sched=credit dom0_max_vcpus=1 dom0_vcpus_pin'" },
	{ "net", 0, OPT_CUSTOM, A(net), .parse = parse_net, .metavar = "NET",
	  .help = "join shared net NET: testbeds given the same NET reach each other (dom0 10.0.K.1/16)" },
	{ "iommu", 0, OPT_FLAG, A(iommu),
	  .help = "an Intel IOMMU (VT-d) and an e1000e on NET at " TB_PT_BDF " for 'guest up --pci' (needs --net)" },
	{ "timeout", 0, OPT_LONG, A(timeout_s), .def = "300", .min = 1, .max = 86400, .metavar = "S",
	  .help = "seconds until dom0 is ready" },
	{ 0 },
};
#undef A

static const struct cli_usage help = {
	"usage: vmlab testbed up [--name N] [--bare] [--cpus N] [--xen-args ARGS] [--net NET] [--iommu]\n"
	"                        [--timeout S]\n"
	"Boots Xen and dom0 in QEMU (--bare: the same kernel without Xen).\n\n",
	opts, "\nEnvironment: VMLAB_TESTBED_PORT (first ssh port tried, default 10022),\n"
	"VMLAB_TESTBED_ACCEL=kvm|tcg.\n",
};

static void print_up(const struct tb_paths *p, const struct tb_state *s, int already, uint64_t t0)
{
	char label[TB_NAME_MAX + 16], dom0[32], ready[48] = "";

	if (strcmp(p->name, TB_DEFAULT_NAME))
		snprintf(label, sizeof(label), "testbed %s", p->name);
	else
		snprintf(label, sizeof(label), "testbed");
	tb_net_dom0_ip(s, dom0, sizeof(dom0));
	if (!already)
		snprintf(ready, sizeof(ready), ", ready in %.1f s", tbc_secs_since(t0));
	printf("%s %s: %s, accel %s, %d CPUs, ssh 127.0.0.1:%d, pid %ld%s, log %s\n", label,
	       already ? "already up" : "up", s->mode, s->accel, s->cpus, s->port, (long)s->pid, ready, s->log);
	if (s->net[0])
		printf("%s: net %s (%s), dom0 %s/%d\n", label, s->net, s->net_group, dom0, tb_net_bits(s));
	if (s->iommu) {
		char ip[32], mac[32];

		tb_net_pt_ip(s->net_index, ip, sizeof(ip));
		tb_net_pt_mac(s->net_index, mac, sizeof(mac));
		printf("%s: iommu (intel-iommu), passthrough NIC %s (e1000e, mac %s; its guest gets %s/%d)\n", label,
		       TB_PT_BDF, mac, ip, TB_SHARED_NET_BITS);
	}
	if (s->xen_args[0])
		printf("%s: xen-args %s\n", label, s->xen_args);
}

int testbed_up_main(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s = { 0 };
	struct tb_up_opts o = { .start_port = DEFAULT_PORT };
	struct args a = { 0 };
	struct err e = { 0 };
	const char *env;
	uint64_t t0 = tb_now_ms();
	int st = tbc_opts_paths("up", &help, &a, argc, argv, &a.name, &p), already, rc;

	if (st != CLI_GO)
		return st;
	o.bare = a.bare;
	o.timeout_s = (long)a.timeout_s;
	o.cpus = (int)a.cpus;
	o.xen_args = a.xen_args;
	o.net = a.net;
	o.iommu = a.iommu;
	if (a.bare && a.xen_args)
		return cli_usage_error(TB_CLI, "up: --xen-args: a --bare testbed runs no Xen");
	if (a.iommu && !a.net)
		return cli_usage_error(TB_CLI, "up: --iommu needs --net NET: the passthrough NIC joins that net");
	if (a.iommu && a.bare)
		return cli_usage_error(TB_CLI, "up: --iommu: a --bare testbed runs no Xen to pass the NIC through");
	if ((env = getenv("VMLAB_TESTBED_PORT")) && *env) {
		long v;

		if ((st = tbc_uint("VMLAB_TESTBED_PORT", env, 1024, 65535, &v)))
			return st;
		o.start_port = (int)v;
	}
	rc = tb_up(&p, &o, &tbc_progress, &s, &already, &e);
	if (rc == -EBUSY || rc == -EINVAL)
		return cli_fail(TB_CLI, &e);
	if (rc < 0) {
		tbc_fail(&e);
		if (rc == -ECHILD || rc == -ETIMEDOUT) {
			struct sbuf tail = SBUF_INIT;

			tb_log_tail(s.log, 30, &tail);
			if (tail.len)
				fprintf(stderr, "--- last lines of %s ---\n%s\n---\n", s.log, sbuf_str(&tail));
			sbuf_free(&tail);
		}
		return 1;
	}
	print_up(&p, &s, already, t0);
	return 0;
}
