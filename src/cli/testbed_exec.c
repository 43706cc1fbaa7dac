/* vmlab testbed exec [--timeout S] -- CMD...: run CMD in dom0. */
#include "cli/testbed_cli.h"

int testbed_exec_main(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	long timeout_s = 0;
	int st, cmd;

	if ((st = tbc_timeout_cmd("exec", " (the command follows '--')", argc, argv, 1, &timeout_s, &cmd)))
		return st;
	if (cmd < 0)
		return cli_usage_error(TB_CLI, "exec: no command (write 'vmlab testbed exec -- CMD...')");
	if ((st = tbc_paths(&p)) || (st = tbc_need_up(&p, &s)))
		return st;
	return tbc_exec_in(&p, &s, NULL, argv + cmd, timeout_s);
}
