/* vmlab up: start a domain with `xl create` unless one of its disks is
 * already in use by a running domain; wait (bounded) for domains that have
 * shut down but still hold a disk. */
#include "cli/cmd.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/fileio.h"
#include "base/proc.h"
#include "base/shquote.h"
#include "base/units.h"
#include "measure/clock.h"
#include "xen/domdisks.h"
#include "xen/xl.h"
#include "xen/xlcfg.h"

struct up_opts {
	const char *json, *states;
	bool dry, no_wait;
	uint64_t wait_ns;
};

#define F(x) offsetof(struct up_opts, x)
static const struct opt opts[] = {
	{ "dry-run", 0, OPT_FLAG, F(dry), .help = "check, then print the xl command instead of running it" },
	{ "wait", 0, OPT_DURATION, F(wait_ns), .def = "60s",
	  .help = "wait at most T (e.g. 30s, 2m) for shut-down or dying domains to release CFG's disks" },
	{ "no-wait", 0, OPT_FLAG, F(no_wait), .help = "fail at once when such a domain still holds a disk" },
	{ "xl-list-json", 0, OPT_STRING, F(json), .metavar = "FILE",
	  .help = "take the domains from FILE (recorded `xl list -l` output) instead of asking xl; "
		  "re-read while waiting" },
	{ "xl-list", 0, OPT_STRING, F(states), .metavar = "FILE",
	  .help = "with --xl-list-json: their states from FILE (recorded `xl list` output); without "
		  "it every domain counts as running" },
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab up [--dry-run] [--wait T | --no-wait] [--xl-list-json FILE [--xl-list FILE]]\n"
	"                CFG [XL-CREATE-OPTIONS...]\n"
	"Starts the domain of the xl config CFG with `xl create CFG OPTIONS...`, after\n"
	"checking with `xl list -l` that no running domain uses one of its disks: one\n"
	"image booted twice (say as HVM and as PV) at once corrupts its file systems.\n"
	"A domain that has shut down or is dying (state s or d in `xl list`) still\n"
	"holds its disks until it is destroyed: up waits for it to be gone.\n\n",
	opts,
	"\nExit status: 0 started, 1 a disk is in use, still held after the wait, or xl\n"
	"failed, 2 bad config or usage. See vmlab-image(1).\n",
};

/* The domains (`xl list -l`) and, when known, their states (`xl list`,
 * *have_rows set), from the recorded files of o or from xl itself. */
static int read_domains(const struct up_opts *o, struct xl_dominfos *doms, struct xl_domains *rows,
			int *have_rows, struct err *e)
{
	struct sbuf out = SBUF_INIT, lst = SBUF_INIT;
	int r;

	*have_rows = 0;
	if (o->json) {
		if ((r = file_read(o->json, &out, e)) < 0 || (o->states && (r = file_read(o->states, &lst, e)) < 0))
			goto out;
	} else {
		char *args[] = { "list", "-l", NULL }, *plain[] = { "list", NULL };

		if ((r = xl_usable(e)) < 0) {
			char m[sizeof(e->msg)];

			snprintf(m, sizeof(m), "%s", e->msg);
			r = err_set(e, -EIO, "cannot ask Xen which disks are in use: %s", m);
			goto out;
		}
		if ((r = xl_run(args, &out, e)) < 0 || (r = xl_run(plain, &lst, e)) < 0)
			goto out;
	}
	if ((r = xl_parse_list_json(out.buf ? out.buf : "", out.len, o->json ? o->json : "xl list -l", doms, e)) < 0)
		goto out;
	if (!o->json || o->states) {
		if ((r = xl_parse_list(lst.buf ? lst.buf : "", lst.len, o->states ? o->states : "xl list", rows, e)) < 0) {
			xl_dominfos_free(doms);
			goto out;
		}
		*have_rows = 1;
	}
out:
	sbuf_free(&out);
	sbuf_free(&lst);
	return r;
}

/* One line per domain of going that holds a disk of d[0..n): its name and
 * state, into msg. */
static void describe_going(const char *cfgpath, const struct cfg_disk *d, size_t n, const struct xl_dominfos *going,
			   const struct xl_domains *rows, struct sbuf *msg)
{
	for (size_t k = 0; k < going->n; k++) {
		struct xl_dominfos one = { 1, &going->d[k] };
		struct sbuf m = SBUF_INIT;

		if (disks_in_use(cfgpath, d, n, &one, &m) > 0)
			sbuf_printf(msg, "%s  (domain %s: %s; a domain holds its disks until it is destroyed)\n",
				    sbuf_str(&m), going->d[k].name, dom_state_word(rows, going->d[k].domid));
		sbuf_free(&m);
	}
}

/* Checks CFG's disks against the domains until none holds one. Returns 0
 * when all are free, 1 when a running domain uses one or a shut-down one
 * still holds one after the wait (message printed), <0 on error. */
static int wait_disks_free(const struct up_opts *o, const char *cfgpath, const struct cfg_disk *d, size_t n,
			   struct err *e)
{
	uint64_t deadline = clock_mono_ns() + o->wait_ns;
	int said = 0;

	for (;;) {
		struct xl_dominfos doms = { 0 }, live = { 0 }, going = { 0 };
		struct xl_domains rows = { 0 };
		struct sbuf msg = SBUF_INIT;
		int have_rows, r, busy;

		if ((r = read_domains(o, &doms, &rows, &have_rows, e)) < 0)
			return r;
		doms_split_by_state(&doms, have_rows ? &rows : NULL, &live, &going);
		if ((busy = disks_in_use(cfgpath, d, n, &live, &msg)) > 0) {
			fputs(sbuf_str(&msg), stderr);
			fprintf(stderr, "vmlab up: %s not started: do not boot both simultaneously; "
				"shut the other domain down first\n", cfgpath);
			r = 1;
		} else {
			describe_going(cfgpath, d, n, &going, have_rows ? &rows : NULL, &msg);
			busy = msg.len > 0;
			r = busy ? 1 : 0;
			if (busy && clock_mono_ns() >= deadline) {
				fputs(sbuf_str(&msg), stderr);
				fprintf(stderr, "vmlab up: %s not started: its disk is still held%s; "
					"`xl destroy` the domain or wait longer (--wait T)\n", cfgpath,
					o->wait_ns ? " after the wait" : " (--no-wait)");
			} else if (busy) {
				if (!said) {
					fputs(sbuf_str(&msg), stderr);
					fprintf(stderr, "vmlab up: waiting up to %.0f s for it to be gone\n",
						(double)o->wait_ns / 1e9);
					said = 1;
				}
				r = -EAGAIN;
			} else if (said) {
				fprintf(stderr, "vmlab up: the disks of %s are free\n", cfgpath);
			}
		}
		free(live.d);
		free(going.d);
		xl_dominfos_free(&doms);
		xl_domains_free(&rows);
		sbuf_free(&msg);
		if (r != -EAGAIN)
			return r;
		nanosleep(&(struct timespec){ 0, 250 * 1000 * 1000 }, NULL);
	}
}

/* Runs (or with dry prints) `xl create CFG` with the n arguments xargs. */
static int create(const char *cfgpath, size_t ndisks, int dry, int n_x, char **xargs, struct err *e)
{
	char **argvx = xcalloc((size_t)n_x + 4, sizeof(char *));
	int n = 0, r = 0, st = 0;

	argvx[n++] = "xl";
	argvx[n++] = "create";
	argvx[n++] = (char *)cfgpath;
	for (int i = 0; i < n_x; i++)
		argvx[n++] = xargs[i];
	if (dry) {
		char *s = shquote_argv(argvx);

		printf("%s: %zu disk%s free; would run: %s\n", cfgpath, ndisks, ndisks == 1 ? "" : "s", s);
		free(s);
	} else if ((r = proc_run(argvx, NULL, &st, e)) == 0 && st) {
		fprintf(stderr, "vmlab up: xl create %s: exit status %d\n", cfgpath, st);
		r = 1;
	}
	free(argvx);
	return r;
}

static int run(int argc, char **argv)
{
	struct up_opts o = { 0 };
	struct opt_res res;
	const char *cfgpath;
	struct err e = { 0 };
	struct xlcfg *c = NULL;
	struct cfg_disk *disks = NULL;
	size_t ndisks = 0;
	int r = cli_opts_prefix("up", &help, &o, argc, argv, &res);

	if (r != CLI_GO)
		return r;
	if (o.no_wait)
		o.wait_ns = 0;
	if (o.states && !o.json)
		return cli_usage_error("up", "--xl-list goes with --xl-list-json");
	if (!res.npos)
		return cli_usage_error("up", "needs CFG");
	cfgpath = res.pos[0];
	if (xlcfg_load(cfgpath, &c, &e) < 0)
		return cli_fail("up", &e);
	if ((r = cfg_disks(c, &disks, &ndisks, &e)) == 0 && (r = wait_disks_free(&o, cfgpath, disks, ndisks, &e)) == 0)
		r = create(cfgpath, ndisks, o.dry, res.npos - 1, res.pos + 1, &e);
	if (r < 0)
		r = cli_fail("up", &e);
	cfg_disks_free(disks, ndisks);
	xlcfg_free(c);
	return r;
}

const struct cmd cmd_up = { "up", "start a domain unless its disks are in use", NULL, run,
			    .help = &help };
