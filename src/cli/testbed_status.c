/* vmlab testbed status: up or not, Xen version, scheduler, guests. */
#include "cli/testbed_cli.h"

#include "base/sbuf.h"
#include "testbed/exec.h"
#include "testbed/guest.h"
#include "xen/xl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *info_or(const struct xl_info *i, const char *key)
{
	const char *v = xl_info_get(i, key);

	return v && *v ? v : "?";
}

/* Prints the dom0 view: xl info, xl list and xl sched-credit2, each parsed
 * by vmlab's xl parsers (src/xen/xl.h). Returns the exit status. */
static int print_xen(const struct tb_paths *p, const char *info, const char *list, const char *sched)
{
	struct xl_info xi = { 0 };
	struct xl_domains xd = { 0 };
	struct xl_sched xs = { 0 };
	struct err e = { 0 };
	struct tb_guest gs[TB_MAX_GUESTS];
	int ng, rc = 0;

	if (xl_parse_info(info, strlen(info), "xl info", &xi, &e) < 0 ||
	    xl_parse_list(list, strlen(list), "xl list", &xd, &e) < 0 ||
	    xl_parse_sched(sched, strlen(sched), "xl sched-credit2", &xs, &e) < 0) {
		rc = cli_fail(TB_CLI, &e);
		goto out;
	}
	printf("xen: %s, scheduler %s, %s CPUs, memory %s MiB (%s free), virt_caps %s\n",
	       info_or(&xi, "xen_version"), info_or(&xi, "xen_scheduler"), info_or(&xi, "nr_cpus"),
	       info_or(&xi, "total_memory"), info_or(&xi, "free_memory"), info_or(&xi, "virt_caps"));
	printf("dom0: Linux %s\n", info_or(&xi, "release"));
	ng = tb_guest_list(p, gs, TB_MAX_GUESTS);
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
			ip = TB_DOM0_IP;
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

int testbed_status_main(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	struct err e = { 0 };
	struct sbuf info = SBUF_INIT, list = SBUF_INIT, sched = SBUF_INIT;
	int st;

	if (argc > 1)
		return cli_usage_error(TB_CLI, "status: unknown argument '%s'", argv[1]);
	if ((st = tbc_paths(&p)))
		return st;
	st = tb_state_load(&p, &s, &e);
	if (st == -ENOENT || (st == 0 && !tb_state_alive(&s))) {
		printf("testbed: down\n");
		return 1;
	}
	if (st < 0)
		return cli_fail(TB_CLI, &e);
	printf("testbed: up (%s, accel %s), ssh 127.0.0.1:%d, pid %ld, log %s\n", s.mode, s.accel, s.port,
	       (long)s.pid, s.log);
	fflush(stdout);
	if (strcmp(s.mode, "xen")) {
		char *cmd[] = { "uname", "-r", NULL };

		return tbc_exec_in(&p, &s, NULL, cmd, 60) ? 1 : 0;
	}
	if (tb_xl_views(&p, &s, &info, &list, &sched, &e) < 0)
		st = tbc_fail(&e);
	else
		st = print_xen(&p, sbuf_str(&info), sbuf_str(&list), sbuf_str(&sched));
	sbuf_free(&info);
	sbuf_free(&list);
	sbuf_free(&sched);
	return st;
}
