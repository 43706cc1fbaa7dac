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
	return tbc_paths_named(p, NULL);
}

int tbc_paths_named(struct tb_paths *p, const char *name)
{
	struct err e = { 0 };

	if (tb_paths_named(p, name, &e) < 0)
		return cli_fail(TB_CLI, &e);
	return 0;
}

#define NAME_RULE "use 1..%d of a-z, 0-9 and '-', starting with a letter or digit"

int tbc_parse_name(const char *arg, void *dst, struct err *e)
{
	if (!tb_name_valid(arg))
		return err_set(e, -EINVAL, "'%s': " NAME_RULE, arg, TB_NAME_MAX);
	*(const char **)dst = arg;
	return 0;
}

int tbc_check_name(const char *what, const char *name)
{
	if (tb_name_valid(name))
		return 0;
	return cli_usage_error(TB_CLI, "%s '%s': " NAME_RULE, what, name, TB_NAME_MAX);
}

int tbc_opts_paths(const char *sub, const struct cli_usage *u, void *dst, int argc, char **argv,
		   const char *const *tb, struct tb_paths *p)
{
	char name[64];
	struct opt_res r;
	int st;

	snprintf(name, sizeof(name), "%s %s", TB_CLI, sub);
	if ((st = cli_opts(name, u, dst, argc, argv, &r)) != CLI_GO)
		return st;
	if (r.npos)
		return cli_usage_error(TB_CLI, "%s: unknown argument '%s'", sub, r.pos[0]);
	st = tbc_paths_named(p, tb ? *tb : NULL);
	return st ? st : CLI_GO;
}

int tbc_need_up(const struct tb_paths *p, struct tb_state *s)
{
	struct err e = { 0 };
	int rc = tb_state_load(p, s, &e);

	if (rc == -ENOENT || (rc == 0 && !tb_state_alive(s))) {
		if (!strcmp(p->name, TB_DEFAULT_NAME))
			fprintf(stderr, "vmlab %s: the testbed is not up (start it with 'vmlab testbed up')\n", TB_CLI);
		else
			fprintf(stderr, "vmlab %s: testbed %s is not up (start it with 'vmlab testbed up --name %s')\n",
				TB_CLI, p->name, p->name);
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
		    const char *name_opt, const char **name, int *cmd)
{
	int st, c = tbc_after_dashes(argc, argv, from);
	int end = c < 0 ? argc : c - 1;

	for (int k = from; k < end; k++) {
		if (!strcmp(argv[k], "--timeout") && k + 1 < end) {
			if ((st = tbc_uint("--timeout", argv[++k], 1, 86400, timeout_s)))
				return st;
		} else if (!strcmp(argv[k], name_opt) && k + 1 < end) {
			char w[64];

			snprintf(w, sizeof(w), "%s %s", what, name_opt);
			if ((st = tbc_check_name(w, argv[++k])))
				return st;
			*name = argv[k];
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
