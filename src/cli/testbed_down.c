/* vmlab testbed down [--name N | --all] [--timeout S]: shut down cleanly,
 * kill after the timeout. */
#include "cli/testbed_cli.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct args {
	const char *name;
	bool all;
	long long timeout_s;
};

#define A(f) offsetof(struct args, f)
static const struct opt opts[] = {
	TBC_OPT_NAME(A(name)),
	{ "all", 0, OPT_FLAG, A(all), .help = "every testbed of this VMLAB_HOME" },
	{ "timeout", 0, OPT_LONG, A(timeout_s), .def = "60", .min = 0, .max = 86400, .metavar = "S",
	  .help = "seconds for a clean shutdown before QEMU is killed (0: kill now)" },
	{ 0 },
};
#undef A

static const struct cli_usage help = {
	"usage: vmlab testbed down [--name N | --all] [--timeout S]\n"
	"Shuts the testbed down cleanly, kills QEMU after the timeout.\n\n",
	opts, NULL,
};

/* Takes testbed p down and says how; returns the exit status. */
static int down_one(const struct tb_paths *p, long timeout_s)
{
	struct tb_state s;
	struct err e = { 0 };
	char label[TB_NAME_MAX + 16] = "testbed";
	uint64_t t0 = tb_now_ms();
	int how;

	if (strcmp(p->name, TB_DEFAULT_NAME))
		snprintf(label, sizeof(label), "testbed %s", p->name);
	if (tb_down(p, timeout_s, &s, &how, &e) < 0)
		return cli_fail(TB_CLI, &e);
	if (how == 0)
		printf("%s is not up\n", label);
	else if (how == 2)
		printf("%s down: QEMU (pid %ld) killed after %ld s without a clean shutdown\n", label, (long)s.pid,
		       timeout_s);
	else
		printf("%s down: clean shutdown in %.1f s\n", label, tbc_secs_since(t0));
	return 0;
}

int testbed_down_main(int argc, char **argv)
{
	struct tb_paths p;
	struct args a = { 0 };
	char names[64][TB_NAME_MAX + 1];
	int st = tbc_opts_paths("down", &help, &a, argc, argv, &a.name, &p), n, worst = 0;

	if (st != CLI_GO)
		return st;
	if (a.all && a.name)
		return cli_usage_error(TB_CLI, "down: --all or --name, not both");
	if (!a.all)
		return down_one(&p, (long)a.timeout_s);
	n = tb_names(&p, names, 64);
	if (n == 0)
		printf("no testbed is up\n");
	for (int k = 0; k < n; k++) {
		struct tb_paths q;

		if ((st = tbc_paths_named(&q, names[k])) == 0)
			st = down_one(&q, (long)a.timeout_s);
		if (st > worst)
			worst = st;
	}
	return worst;
}
