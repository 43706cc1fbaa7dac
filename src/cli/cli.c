/* Helpers shared by the command files. */
#include "cli/cmd.h"

#include "base/sbuf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

int cli_fail(const char *name, const struct err *e)
{
	fprintf(stderr, "vmlab %s: %s\n", name, e->msg[0] ? e->msg : "failed");
	return err_exit_status(e->code);
}

int cli_usage_error(const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmlab %s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry 'vmlab help %s'\n", name);
	return 2;
}

int cli_wants_help(int argc, char **argv)
{
	for (int k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--"))
			return 0;
		if (!strcmp(argv[k], "-h") || !strcmp(argv[k], "--help"))
			return 1;
	}
	return 0;
}

volatile sig_atomic_t cli_stop;

static void on_stop_signal(int sig)
{
	(void)sig;
	cli_stop = 1;
}

void cli_stop_on_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void cli_print_listening(void *arg, const char *bound)
{
	printf("%s listening on %s\n", (const char *)arg, bound);
	fflush(stdout);
}

int cli_print_usage(const struct cmd *c)
{
	if (c->help)
		cli_usage_write(c->help, stdout);
	else
		fputs(c->usage, stdout);
	return 0;
}

char *cli_usage_str(const struct cli_usage *u)
{
	struct sbuf o = SBUF_INIT;

	sbuf_puts(&o, u->head);
	if (u->opts)
		opt_help(u->opts, &o);
	sbuf_puts(&o, u->tail ? u->tail : "");
	return sbuf_take(&o);
}

void cli_usage_write(const struct cli_usage *u, FILE *f)
{
	char *s = cli_usage_str(u);

	fputs(s, f);
	free(s);
}

static int opts(const char *name, const struct cli_usage *u, void *dst, int argc, char **argv,
		struct opt_res *r, int prefix)
{
	static const struct opt none[] = { { 0 } };
	const struct opt *tab = u->opts ? u->opts : none;
	struct err e = { 0 };
	int rc = prefix ? opt_parse_prefix(tab, dst, argc, argv, r, &e)
			: opt_parse(tab, dst, argc, argv, r, &e);

	if (rc == OPT_HELP) {
		cli_usage_write(u, stdout);
		return 0;
	}
	if (rc)
		return cli_usage_error(name, "%s", e.msg);
	return CLI_GO;
}

int cli_opts(const char *name, const struct cli_usage *u, void *dst, int argc, char **argv,
	     struct opt_res *r)
{
	return opts(name, u, dst, argc, argv, r, 0);
}

int cli_opts_npos(const char *name, const struct cli_usage *u, void *dst, int argc, char **argv,
		  struct opt_res *r, int min, int max, const char *few, const char *many)
{
	struct opt_res mine;
	int rc = opts(name, u, dst, argc, argv, r ? r : (r = &mine), 0);

	if (rc != CLI_GO)
		return rc;
	if (r->npos < min)
		return cli_usage_error(name, "%s", few);
	if (r->npos > max && !many)
		return cli_usage_error(name, "unexpected argument '%s'", r->pos[max]);
	if (r->npos > max)
		return cli_usage_error(name, "%s", many);
	return CLI_GO;
}

int cli_opts_prefix(const char *name, const struct cli_usage *u, void *dst, int argc, char **argv,
		    struct opt_res *r)
{
	return opts(name, u, dst, argc, argv, r, 1);
}

#include "cli/subcmd.h"

int subcmd_dispatch(const char *family, const char *usage, const struct subcmd *tab, int argc,
		    char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	for (const struct subcmd *s = tab; s->name; s++) {
		if (strcmp(s->name, argv[1]))
			continue;
		if (!s->own_help && cli_wants_help(argc - 1, argv + 1)) {
			fputs(s->usage ? s->usage : usage, stdout);
			return 0;
		}
		return s->run(argc - 1, argv + 1);
	}
	return cli_usage_error(family, "unknown subcommand '%s'", argv[1]);
}
