/* Helpers of the vmlab testbed subcommands. */
#include "cli/testbed_cli.h"

#include "testbed/exec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tbc_uint(const char *opt, const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s ? s : "", &end, 10);
	if (!s || !*s || *end || errno || v < lo || v > hi)
		return cli_usage_error(TB_CLI, "%s wants a whole number in %ld..%ld, not '%s'", opt, lo, hi,
				       s ? s : "");
	*out = v;
	return 0;
}

int tbc_paths(struct tb_paths *p)
{
	struct err e = { 0 };

	if (tb_paths_get(p, &e) < 0)
		return cli_fail(TB_CLI, &e);
	return 0;
}

int tbc_opts_paths(const char *sub, const struct cli_usage *u, void *dst, int argc, char **argv,
		   struct tb_paths *p)
{
	char name[64];
	struct opt_res r;
	int st;

	snprintf(name, sizeof(name), "%s %s", TB_CLI, sub);
	if ((st = cli_opts(name, u, dst, argc, argv, &r)) != CLI_GO)
		return st;
	if (r.npos)
		return cli_usage_error(TB_CLI, "%s: unknown argument '%s'", sub, r.pos[0]);
	st = tbc_paths(p);
	return st ? st : CLI_GO;
}

int tbc_need_up(const struct tb_paths *p, struct tb_state *s)
{
	struct err e = { 0 };
	int rc = tb_state_load(p, s, &e);

	if (rc == -ENOENT || (rc == 0 && !tb_state_alive(s))) {
		fprintf(stderr, "vmlab %s: the testbed is not up (start it with 'vmlab testbed up')\n", TB_CLI);
		return 1;
	}
	if (rc < 0)
		return cli_fail(TB_CLI, &e);
	return 0;
}

double tbc_secs_since(uint64_t t0_ms)
{
	return (double)(tb_now_ms() - t0_ms) / 1000.0;
}

int tbc_fail(const struct err *e)
{
	if (e->msg[0])
		fprintf(stderr, "vmlab %s: %s\n", TB_CLI, e->msg);
	return 1;
}

int tbc_after_dashes(int argc, char **argv, int from)
{
	for (int k = from; k < argc; k++)
		if (!strcmp(argv[k], "--"))
			return k + 1;
	return -1;
}

int tbc_timeout_cmd(const char *what, const char *hint, int argc, char **argv, int from, long *timeout_s,
		    int *cmd)
{
	int st, c = tbc_after_dashes(argc, argv, from);

	for (int k = from; k < (c < 0 ? argc : c - 1); k++) {
		if (!strcmp(argv[k], "--timeout") && k + 1 < argc) {
			if ((st = tbc_uint("--timeout", argv[++k], 1, 86400, timeout_s)))
				return st;
		} else
			return cli_usage_error(TB_CLI, "%s: unknown argument '%s'%s", what, argv[k], hint);
	}
	*cmd = c >= 0 && c < argc ? c : -1;
	return 0;
}

int tbc_exec_in(const struct tb_paths *p, const struct tb_state *s, const char *ip, char *const cmd[],
		long timeout_s)
{
	struct err e = { 0 };
	int st = 0, rc = tb_exec(p, s, ip, cmd, (uint64_t)timeout_s * 1000, NULL, NULL, &st, &e);

	if (rc == -ETIMEDOUT) {
		tbc_fail(&e);
		return 124;
	}
	if (rc < 0)
		return cli_fail(TB_CLI, &e);
	return st;
}

static void say(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "vmlab %s: %s\n", TB_CLI, msg);
}

const struct tb_progress tbc_progress = { say, NULL };
