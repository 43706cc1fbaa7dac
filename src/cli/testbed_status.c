/* vmlab testbed status [--name N]: the testbeds that run; for one, its Xen
 * version, scheduler and guests. */
#include "cli/testbed_cli.h"

#include "base/sbuf.h"
#include "testbed/exec.h"
#include "testbed/guest.h"
#include "testbed/net.h"
#include "testbed/tbconst.h"
#include "xen/xl.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char *info_or(const struct xl_info *i, const char *key)
{
	const char *v = xl_info_get(i, key);

	return v && *v ? v : "?";
}

/* Prints the dom0 view: xl info, xl list and xl sched-credit or -credit2, each parsed
 * by vmlab's xl parsers (src/xen/xl.h). Returns the exit status. */
static int print_xen(const struct tb_paths *p, const struct tb_state *s, const char *info, const char *list,
		     const char *sched)
{
	char dom0[32];
	struct xl_info xi = { 0 };
	struct xl_domains xd = { 0 };
	struct xl_sched xs = { 0 };
	struct err e = { 0 };
	struct tb_guest gs[TB_MAX_GUESTS];
	int ng, rc = 0;

	if (xl_parse_info(info, strlen(info), "xl info", &xi, &e) < 0 ||
	    xl_parse_list(list, strlen(list), "xl list", &xd, &e) < 0 ||
	    xl_parse_sched(sched, strlen(sched), "xl sched-credit*", &xs, &e) < 0) {
		rc = cli_fail(TB_CLI, &e);
		goto out;
	}
	printf("xen: %s, scheduler %s, %s CPUs, memory %s MiB (%s free), virt_caps %s\n",
	       info_or(&xi, "xen_version"), info_or(&xi, "xen_scheduler"), info_or(&xi, "nr_cpus"),
	       info_or(&xi, "total_memory"), info_or(&xi, "free_memory"), info_or(&xi, "virt_caps"));
	printf("xen command line: %s\n", info_or(&xi, "xen_commandline"));
	printf("dom0: Linux %s\n", info_or(&xi, "release"));
	ng = tb_guest_list(p, gs, TB_MAX_GUESTS);
	tb_net_dom0_ip(s, dom0, sizeof(dom0));
	printf("%-16s %5s %6s %5s %-6s %9s %-7s %6s %4s %-5s %s\n", "domain", "id", "MiB", "vcpus", "state",
	       "cpu_s", "pool", "weight", "cap", "type", "ip");
	for (size_t k = 0; k < xd.n; k++) {
		const struct xl_domain *d = &xd.d[k];
		const char *type = "", *ip = "", *pool = "-";
		int weight = -1, cap = -1;

		for (size_t a = 0; a < xs.npools; a++)
			for (size_t b = 0; b < xs.pools[a].ndoms; b++)
				if (xs.pools[a].doms[b].domid == d->domid) {
					pool = xs.pools[a].pool;
					weight = xs.pools[a].doms[b].weight;
					cap = xs.pools[a].doms[b].cap;
				}
		for (int g = 0; g < ng; g++)
			if (!strcmp(gs[g].name, d->name)) {
				type = gs[g].type;
				ip = gs[g].ip;
			}
		if (d->domid == 0) {
			type = "dom0";
			ip = dom0;
		}
		printf("%-16s %5d %6lu %5d %-6s %9.1f %-7s %6d %4d %-5s %s\n", d->name, d->domid, d->mem_mib,
		       d->vcpus, d->state, d->cpu_s, pool, weight, cap, type, ip);
	}
out:
	xl_info_free(&xi);
	xl_domains_free(&xd);
	xl_sched_free(&xs);
	return rc;
}

struct args {
	const char *name;
};

static const struct opt opts[] = {
	TBC_OPT_NAME(offsetof(struct args, name)),
	{ 0 },
};

static const struct cli_usage help = {
	"usage: vmlab testbed status [--name N]\n"
	"Lists the testbeds that run; for testbed N (without --name: the default one,\n"
	"when it runs) also Xen's version, scheduler, domains and guests.\n\n",
	opts, NULL,
};

/* Loads testbed p into s: 1 when it runs, 0 when not, else the negative
 * errno (e says why). */
static int load_up(const struct tb_paths *p, struct tb_state *s, struct err *e)
{
	int rc = tb_state_load(p, s, e);

	if (rc == -ENOENT || (rc == 0 && !tb_state_alive(s)))
		return 0;
	return rc < 0 ? rc : 1;
}

static void print_line(const struct tb_paths *p, const struct tb_state *s)
{
	char dom0[32];

	tb_net_dom0_ip(s, dom0, sizeof(dom0));
	printf("testbed %s: up (%s, accel %s), ssh 127.0.0.1:%d, pid %ld, %d CPUs, ", p->name, s->mode, s->accel,
	       s->port, (long)s->pid, s->cpus);
	if (s->net[0])
		printf("net %s (%s) dom0 %s/%d, ", s->net, s->net_group, dom0, tb_net_bits(s));
	else
		printf("net none, ");
	if (s->iommu)
		printf("iommu, passthrough NIC %s, ", TB_PT_BDF);
	if (s->xen_args[0])
		printf("xen-args '%s', ", s->xen_args);
	printf("log %s\n", s->log);
}

/* Prints the line of every testbed that runs; returns how many run. */
static int print_all(const struct tb_paths *p)
{
	char names[64][TB_NAME_MAX + 1];
	int n = tb_names(p, names, 64), up = 0;

	for (int k = 0; k < n; k++) {
		struct tb_paths q;
		struct tb_state s;
		struct err e = { 0 };

		if (tb_paths_named(&q, names[k], &e) == 0 && load_up(&q, &s, &e) == 1) {
			print_line(&q, &s);
			up++;
		}
	}
	return up;
}

/* dom0's view of the running testbed s through xl. */
static int print_detail(const struct tb_paths *p, const struct tb_state *s)
{
	struct sbuf info = SBUF_INIT, list = SBUF_INIT, sched = SBUF_INIT;
	struct err e = { 0 };
	int st;

	fflush(stdout);
	if (strcmp(s->mode, "xen")) {
		char *cmd[] = { "uname", "-r", NULL };

		return tbc_exec_in(p, s, NULL, cmd, 60) ? 1 : 0;
	}
	if (tb_xl_views(p, s, &info, &list, &sched, &e) < 0)
		st = tbc_fail(&e);
	else
		st = print_xen(p, s, sbuf_str(&info), sbuf_str(&list), sbuf_str(&sched));
	sbuf_free(&info);
	sbuf_free(&list);
	sbuf_free(&sched);
	return st;
}

int testbed_status_main(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	struct args a = { 0 };
	struct err e = { 0 };
	int st = tbc_opts_paths("status", &help, &a, argc, argv, &a.name, &p), up, n;

	if (st != CLI_GO)
		return st;
	if ((up = load_up(&p, &s, &e)) < 0)
		return cli_fail(TB_CLI, &e);
	if (a.name) {
		if (!up) {
			printf("testbed %s: down\n", p.name);
			return 1;
		}
		print_line(&p, &s);
		return print_detail(&p, &s);
	}
	n = print_all(&p);
	if (!n) {
		printf("testbed: down\n");
		return 1;
	}
	return up ? print_detail(&p, &s) : 0;
}
