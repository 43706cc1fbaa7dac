/* vmlab testbed cp [--name N] SRC DEST: copy one file to or from dom0 (dom0:PATH). */
#include "cli/testbed_cli.h"

#include "testbed/exec.h"

#include <errno.h>
#include <string.h>

static const char *remote_path(const char *arg)
{
	return !strncmp(arg, "dom0:", 5) ? arg + 5 : NULL;
}

int testbed_cp_main(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	struct err e = { 0 };
	const char *rsrc, *rdst, *name = NULL;
	int st, rc;

	if (argc == 5 && !strcmp(argv[1], "--name")) {
		if ((st = tbc_check_name("cp --name", argv[2])))
			return st;
		name = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 3)
		return cli_usage_error(TB_CLI, "cp wants [--name N] SRC DEST, one of them dom0:PATH");
	rsrc = remote_path(argv[1]);
	rdst = remote_path(argv[2]);
	if (!!rsrc == !!rdst || (rsrc && !*rsrc) || (rdst && !*rdst))
		return cli_usage_error(TB_CLI, "cp: exactly one of SRC and DEST must be dom0:PATH");
	if ((st = tbc_paths_named(&p, name)) || (st = tbc_need_up(&p, &s)))
		return st;
	rc = rdst ? tb_cp_to(&p, &s, NULL, argv[1], rdst, &e) : tb_cp_from(&p, &s, NULL, rsrc, argv[2], &e);
	if (rc == -EIO || rc == -ETIMEDOUT)
		return tbc_fail(&e);
	if (rc < 0 && rdst)
		return cli_fail(TB_CLI, &e);  /* the local file cannot be read */
	if (rc < 0) {
		(void)cli_fail(TB_CLI, &e);
		return 1;
	}
	return 0;
}
