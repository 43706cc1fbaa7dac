/* vmlab testbed exec [--timeout S] -- CMD...: run CMD in dom0. */
#include "cli/testbed_cli.h"

#include <string.h>

int testbed_exec_main(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	long timeout_s = 0;
	int st, k, cmd = tbc_after_dashes(argc, argv, 1);

	for (k = 1; k < (cmd < 0 ? argc : cmd - 1); k++) {
		if (!strcmp(argv[k], "--timeout") && k + 1 < argc) {
			if ((st = tbc_uint("--timeout", argv[++k], 1, 86400, &timeout_s)))
				return st;
		} else
			return cli_usage_error(TB_CLI, "exec: unknown argument '%s' (the command follows '--')", argv[k]);
	}
	if (cmd < 0 || cmd >= argc)
		return cli_usage_error(TB_CLI, "exec: no command (write 'vmlab testbed exec -- CMD...')");
	if ((st = tbc_paths(&p)) || (st = tbc_need_up(&p, &s)))
		return st;
	return tbc_exec_in(&p, &s, NULL, argv + cmd, timeout_s);
}
