/* vmlab up: start a domain with `xl create` unless one of its disks is
 * already in use by a running domain. */
#include "cli/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/proc.h"
#include "xen/domdisks.h"
#include "xen/xl.h"
#include "xen/xlcfg.h"

static const char usage[] =
	"usage: vmlab up [--dry-run] [--xl-list-json FILE] CFG [XL-CREATE-OPTIONS...]\n"
	"Starts the domain of the xl config CFG with `xl create CFG OPTIONS...`, after\n"
	"checking with `xl list -l` that no running domain uses one of its disks: one\n"
	"image booted twice (say as HVM and as PV) at once corrupts its file systems.\n\n"
	"  --dry-run            check, then print the xl command instead of running it\n"
	"  --xl-list-json FILE  take the running domains from FILE (recorded\n"
	"                       `xl list -l` output) instead of asking xl\n\n"
	"Exit status: 0 started, 1 a disk is in use or xl failed, 2 bad config or\n"
	"usage. See vmlab-image(1).\n";

static int run(int argc, char **argv)
{
	const char *json = NULL, *cfgpath = NULL;
	int dry = 0, k, r, status = 0;
	struct err e = { 0 };
	struct xlcfg *c = NULL;
	struct cfg_disk *disks = NULL;
	size_t ndisks = 0;
	struct xl_dominfos doms = { 0 };
	struct sbuf out = SBUF_INIT, msg = SBUF_INIT;

	for (k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--dry-run"))
			dry = 1;
		else if (!strcmp(argv[k], "--xl-list-json") && k + 1 < argc)
			json = argv[++k];
		else if (!strcmp(argv[k], "--"))
			continue;
		else if (argv[k][0] == '-')
			return cli_usage_error("up", "unknown option '%s' (xl create options go after CFG)", argv[k]);
		else
			break;
	}
	if (k >= argc)
		return cli_usage_error("up", "needs CFG");
	cfgpath = argv[k++];
	if ((r = xlcfg_load(cfgpath, &c, &e)) < 0)
		return cli_fail("up", &e);
	if ((r = cfg_disks(c, &disks, &ndisks, &e)) < 0)
		goto out;
	if (json) {
		if ((r = file_read(json, &out, &e)) < 0)
			goto out;
	} else {
		char *args[] = { "list", "-l", NULL };

		if ((r = xl_usable(&e)) < 0) {
			char m[sizeof(e.msg)];

			snprintf(m, sizeof(m), "%s", e.msg);
			r = err_set(&e, -EIO, "cannot ask Xen which disks are in use: %s", m);
			goto out;
		}
		if ((r = xl_run(args, &out, &e)) < 0)
			goto out;
	}
	if ((r = xl_parse_list_json(out.buf ? out.buf : "", out.len, json ? json : "xl list -l", &doms, &e)) < 0)
		goto out;
	if (disks_in_use(cfgpath, disks, ndisks, &doms, &msg) > 0) {
		fputs(sbuf_str(&msg), stderr);
		fprintf(stderr, "vmlab up: %s not started: do not boot both simultaneously; shut the other domain down first\n",
			cfgpath);
		status = 1;
		goto done;
	}
	{
		char **argvx = xcalloc((size_t)(argc - k) + 4, sizeof(char *));
		int n = 0;

		argvx[n++] = "xl";
		argvx[n++] = "create";
		argvx[n++] = (char *)cfgpath;
		for (int i = k; i < argc; i++)
			argvx[n++] = argv[i];
		if (dry) {
			char *s = proc_argv_str(argvx);

			printf("%s: %zu disk%s free; would run: %s\n", cfgpath, ndisks, ndisks == 1 ? "" : "s", s);
			free(s);
		} else {
			int st = 0;

			r = proc_run(argvx, NULL, &st, &e);
			if (r == 0 && st) {
				fprintf(stderr, "vmlab up: xl create %s: exit status %d\n", cfgpath, st);
				status = 1;
			}
		}
		free(argvx);
	}
out:
	if (r < 0)
		status = cli_fail("up", &e);
done:
	xl_dominfos_free(&doms);
	cfg_disks_free(disks, ndisks);
	xlcfg_free(c);
	sbuf_free(&out);
	sbuf_free(&msg);
	return status;
}

const struct cmd cmd_up = { "up", "start a domain unless its disks are in use", usage, run };
