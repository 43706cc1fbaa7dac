/* vmlab xentrace record -- CMD...: xentrace(8) in dom0 around a command,
 * in dom0 or in a guest; the trace and FILE.meta land here. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "base/proc.h"
#include "testbed/exec.h"
#include "testbed/guest.h"
#include "testbed/testbed.h"
#include "xen/xtrecord.h"

#define NAME "xentrace record"

struct rec_opts {
	const char *events, *output, *host, *domain;
	uint64_t duration_ns;
	unsigned pages;
};

#define F(x) offsetof(struct rec_opts, x)
static const struct opt opts[] = {
	{ "events", 'e', OPT_STRING, F(events), .def = "hvm,sched,pv", .metavar = "CLASS,...",
	  .help = "event classes to trace: hvm, sched, pv, gen, mem, all, or 0xMASK" },
	{ "duration", 'T', OPT_DURATION, F(duration_ns), .def = "0", .min = 0, .max = 86400e9,
	  .metavar = "DURATION", .help = "stop tracing after DURATION (whole seconds; 0: when CMD ends)" },
	{ "output", 'o', OPT_STRING, F(output), .def = "xentrace.bin", .metavar = "FILE",
	  .help = "the trace; FILE.meta gets the CPU frequency and the facts" },
	{ "host", 0, OPT_STRING, F(host), .metavar = "HOST",
	  .help = "where dom0 is: 'testbed' (the running vmlab testbed); default this machine" },
	{ "domain", 0, OPT_STRING, F(domain), .metavar = "GUEST",
	  .help = "run CMD in the testbed guest GUEST over ssh (needs --host testbed)" },
	{ "buffer-pages", 'S', OPT_UINT, F(pages), .def = "256", .min = 1, .max = 65536, .metavar = "N",
	  .help = "xentrace's trace buffer per CPU, in pages (set once per boot)" },
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab xentrace record [-e CLASS,...] [-T DURATION] [-o FILE] [--host testbed]\n"
	"                             [--domain GUEST] [-S PAGES] -- CMD [ARGS...]\n"
	"Runs Xen's own xentrace(8) in dom0 while CMD runs (in dom0, or in a testbed\n"
	"guest), stops it with SIGINT so that it writes out its buffers, and keeps the\n"
	"trace in FILE with the CPU frequency (xl info's cpu_mhz), the exit naming of\n"
	"the CPU vendor, the event mask and CMD's exit status in FILE.meta. Read it\n"
	"with 'vmlab xentrace summary FILE'.\n\n",
	opts,
	"\nExit status: CMD's exit status when tracing worked, 1 when it did not, 2 bad\n"
	"usage. See vmlab-xentrace(1).\n",
};

/* dom0 is this machine */
static int local_exec(void *ctx, char *const argv[], struct sbuf *out, struct sbuf *errout, int *status,
		      struct err *e)
{
	struct proc_opts po = { .out = out, .errout = errout };

	(void)ctx;
	return proc_run(argv, &po, status, e);
}

static int local_run(void *ctx, char *const argv[], int *status, struct err *e)
{
	struct proc_opts po = { 0 };

	(void)ctx;
	return proc_run(argv, &po, status, e);
}

static const struct xt_dom0_ops local_ops = { "this machine", local_exec, local_run, NULL };

/* dom0 of the running testbed; the command in guest_ip when set */
struct tbctx {
	struct tb_paths p;
	struct tb_state s;
	const char *guest_ip;
};

static int tb_x(void *ctx, char *const argv[], struct sbuf *out, struct sbuf *errout, int *status,
		struct err *e)
{
	struct tbctx *t = ctx;

	return tb_exec(&t->p, &t->s, NULL, argv, 0, out, errout, status, e);
}

static int tb_run(void *ctx, char *const argv[], int *status, struct err *e)
{
	struct tbctx *t = ctx;

	return tb_exec(&t->p, &t->s, t->guest_ip, argv, 0, NULL, NULL, status, e);
}

static int tb_fetch(void *ctx, const char *remote, const char *local, struct err *e)
{
	struct tbctx *t = ctx;

	return tb_cp_from(&t->p, &t->s, NULL, remote, local, e);
}

static const struct xt_dom0_ops tb_ops = { "testbed", tb_x, tb_run, tb_fetch };

int xentrace_record_main(int argc, char **argv)
{
	struct rec_opts o = { 0 };
	struct opt_res r;
	struct xt_record_opts ro = { 0 };
	struct xt_meta m;
	struct tbctx t = { 0 };
	struct tb_guest g;
	struct err e = { 0 };
	const struct xt_dom0_ops *ops = &local_ops;
	void *ctx = NULL;
	int status = 0, rc = cli_opts_prefix(NAME, &help, &o, argc, argv, &r);

	if (rc != CLI_GO)
		return rc;
	if (r.npos < 1)
		return cli_usage_error(NAME, "no command (write 'vmlab xentrace record [OPTIONS] -- CMD...')");
	if (xt_mask_parse(o.events, &ro.mask, &e))
		return cli_usage_error(NAME, "--events %s", e.msg);
	if (o.host && strcmp(o.host, "testbed"))
		return cli_usage_error(NAME, "--host '%s': only 'testbed' is known (run vmlab in dom0 "
				       "for this machine)", o.host);
	if (o.domain && !o.host)
		return cli_usage_error(NAME, "--domain needs --host testbed (elsewhere write the ssh "
				       "command as CMD)");
	if (o.domain && !tb_guest_name_valid(o.domain))
		return cli_usage_error(NAME, "--domain '%s': not a guest name", o.domain);
	if (o.host) {
		if (tb_paths_get(&t.p, &e) || tb_state_load(&t.p, &t.s, &e) ||
		    (!tb_state_alive(&t.s) && err_set(&e, -ESRCH, "the testbed is not running "
						      "(vmlab testbed up)"))) {
			(void)cli_fail(NAME, &e);
			return 1;
		}
		if (o.domain) {
			if (tb_guest_load(&t.p, o.domain, &g)) {
				fprintf(stderr, "vmlab %s: --domain %s: no such testbed guest (vmlab testbed "
					"guest list)\n", NAME, o.domain);
				return 2;
			}
			t.guest_ip = g.ip;
		}
		ops = &tb_ops;
		ctx = &t;
	}
	ro.classes = o.events;
	ro.duration_s = (unsigned)((o.duration_ns + 999999999ull) / 1000000000ull);
	ro.buf_pages = o.pages;
	ro.output = o.output;
	ro.domain = o.domain;
	ro.cmd = r.pos;
	if (xt_record(ops, ctx, &ro, &status, &m, &e)) {
		(void)cli_fail(NAME, &e);
		return 1;
	}
	fprintf(stderr, "vmlab %s: %s and %s.meta written (CPU %.2f MHz, mask 0x%08x)\n", NAME, o.output,
		o.output, m.cpu_hz / 1e6, m.mask);
	return status;
}
