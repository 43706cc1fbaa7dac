/* vmlab testbed exec [--name N] [--timeout S] -- CMD...: run CMD in dom0. */
#include "cli/testbed_cli.h"

int testbed_exec_main(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	const char *name = NULL;
	long timeout_s = 0;
	int st, cmd;

	if ((st = tbc_timeout_cmd("exec", " (the command follows '--')", argc, argv, 1, &timeout_s, "--name", &name,
				  &cmd)))
		return st;
	if (cmd < 0)
		return cli_usage_error(TB_CLI, "exec: no command (write 'vmlab testbed exec -- CMD...')");
	if ((st = tbc_paths_named(&p, name)) || (st = tbc_need_up(&p, &s)))
		return st;
	return tbc_exec_in(&p, &s, NULL, argv + cmd, timeout_s);
}
