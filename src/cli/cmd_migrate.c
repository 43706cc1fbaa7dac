/* vmlab migrate GUEST --to HOST: live migration with xl migrate between two
 * Xen hosts, refused before trying what Xen cannot do, with its total time
 * and the guest's downtime (a 1 ms probe) as a record. Hosts are
 * src/host; this file parses, prints and records. */
#include "cli/cmd.h"
#include "cli/host_cli.h"

#include "host/guest.h"
#include "host/migrate.h"
#include "measure/clock.h"
#include "measure/probe.h"
#include "run/record.h"
#include "run/results.h"
#include "testbed/guest.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct migrate_opts {
	const char *to, *from, *address, *transport, *output;
	bool no_probe, check;
	uint64_t interval_ns, lead_ns, tail_ns;
	unsigned timeout_s;
	struct host_cli_opts h;
};

#define F(x) offsetof(struct migrate_opts, x)
static const struct opt opts[] = {
	{ "to", 0, OPT_STRING, F(to), .metavar = "HOST", .help = "the target host (testbed:NAME, ssh:USER@HOST[:PORT], local)" },
	{ "from", 0, OPT_STRING, F(from), .def = "testbed", .metavar = "HOST", .help = "the host the guest runs on" },
	{ "address", 0, OPT_STRING, F(address), .metavar = "DEST",
	  .help = "xl migrate's host argument, as the source's dom0 reaches the target (default: chosen)" },
	{ "transport", 0, OPT_STRING, F(transport), .metavar = "CMD",
	  .help = "xl migrate -s CMD: what runs 'DEST xl migrate-receive' (default: chosen)" },
	{ "check", 0, OPT_FLAG, F(check), .help = "only check that the guest can move; migrate nothing" },
	{ "no-probe", 0, OPT_FLAG, F(no_probe), .help = "no downtime probe" },
	{ "interval", 0, OPT_DURATION, F(interval_ns), .def = "1ms", .min = 1e5, .max = 1e9, .metavar = "D",
	  .help = "the probe's echo interval" },
	{ "lead", 0, OPT_DURATION, F(lead_ns), .def = "2s", .min = 0, .max = 600e9, .metavar = "D",
	  .help = "probe this long before xl migrate starts" },
	{ "tail", 0, OPT_DURATION, F(tail_ns), .def = "2s", .min = 0, .max = 600e9, .metavar = "D",
	  .help = "and this long after it ends" },
	{ "timeout", 0, OPT_UINT, F(timeout_s), .def = "600", .min = 1, .max = 86400, .metavar = "S",
	  .help = "give up on xl migrate after S seconds" },
	{ "output", 'o', OPT_STRING, F(output), .metavar = "FILE",
	  .help = "append the migration's record to FILE (the results store; fsync'd)" },
	HOST_CLI_OPTS(F(h)),
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab migrate GUEST --to HOST [--from HOST] [OPTIONS]\n"
	"Moves running guest GUEST from --from's dom0 (default: the testbed) to --to's with\n"
	"xl migrate (always live). Refused before anything is tried: a PV guest when the\n"
	"source's Xen has no shadow paging, a guest with a passed-through PCI device, a target\n"
	"without the guest's bridge or memory or with an older Xen, a name the target runs.\n"
	"Between two testbeds on one net (vmlab testbed up --name N --net NET) xl sends over\n"
	"plain TCP (nc) to a one-shot receiver on the target's dom0; to ssh:USER@HOST over\n"
	"xl's own ssh; --to equal to\n"
	"--from is xl's localhost migration. While it moves, the target's dom0 sends the\n"
	"guest (its vmlab.ip= address) an ICMP echo every --interval (vmlab probe): the\n"
	"largest gap between replies is the downtime. Prints the total time, the downtime\n"
	"and where the guest runs now (read back on both hosts).\n\n",
	opts,
	"\nExit status: 0 migrated, 1 the migration failed (the guest keeps running on the\n"
	"source, as xl guarantees, when the read-back finds it there), 2 bad usage, an\n"
	"unknown host or guest, or a migration Xen cannot do (nothing tried). See\n"
	"vmlab-migrate(1).\n",
};

static const char *const SUB = "migrate";

static void print_plan(const struct migrate_opts *o, const struct migrate_plan *p)
{
	printf("vmlab migrate: %s (%s, %lld MiB, domain %d) from %s (Xen %s) to %s (Xen %s, %lld MiB free)\n",
	       p->name, p->type, p->memory_mib, p->domid, o->from, p->src_xen, o->to, p->dst_xen,
	       p->dst_free_mib);
	if (p->local)
		printf("  xl's localhost migration: xl migrate -s '' %s '%s'\n", p->name, p->dest);
	else if (!p->ssh_default && !p->transport[0])
		printf("  transport: %s (xl migrate -s '': the command itself)\n", p->dest);
	else if (p->ssh_default)
		printf("  transport: ssh %s xl migrate-receive (xl's default)\n", p->dest);
	else
		printf("  transport: %s %s xl migrate-receive\n", p->transport, p->dest);
	if (!o->no_probe && p->ip[0])
		printf("  probe: an ICMP echo every %.3g ms to %s from %s's dom0\n", o->interval_ns / 1e6, p->ip,
		       o->to);
	fflush(stdout);
}

/* Reads the probe's largest gap and the counts from its JSON summary. */
static void probe_figures(const char *text, double *gap_ms, double *at_s, double *sent, double *lost)
{
	struct probe_summary s;
	struct err e = { 0 };

	*gap_ms = *at_s = *sent = *lost = NAN;
	if (!*text || probe_summary_parse(text, strlen(text), "probe", &s, &e))
		return;
	*gap_ms = s.largest_gap_ms;
	*at_s = s.gap_start_s;
	*sent = (double)s.sent;
	*lost = (double)s.lost;
}

static void print_result(const struct migrate_opts *o, const struct migrate_plan *p,
			 const struct migrate_result *r, double gap_ms, double at_s, double sent, double lost)
{
	if (r->ok)
		printf("migrated in %.2f s (xl migrate in the source's dom0); now domain %d on %s%s\n", r->total_s,
		       r->dst_domid, o->to, p->local ? "" : ", gone from the source");
	else
		printf("the migration failed after %.2f s (xl exit %d); the guest %s\n%s", r->total_s, r->xl_status,
		       r->on_src && !p->local ? "keeps running on the source" :
		       r->on_dst ? "runs on the target" : "runs on neither host",
		       sbuf_str(&r->xl_out));
	if (r->probed && isfinite(gap_ms))
		printf("downtime: %.1f ms (the largest gap between the probe's replies, %.2f s after it began; "
		       "%.0f of %.0f echoes lost)\n", gap_ms, at_s, lost, sent);
	else
		printf("downtime: not measured (%s)\n", r->probe_error);
	if (r->ok)
		printf("Clark et al., NSDI 2005 (physical hosts): 210 ms for a SPECweb server, 60 ms for a Quake 3 "
		       "server%s\n", p->local ? "" : "; these figures: the hosts above (a testbed: emulated CPUs)");
}

static int write_record(const struct migrate_opts *o, const struct migrate_plan *p,
			const struct migrate_result *r, double gap_ms)
{
	struct record rec;
	struct err e = { 0 };
	char ts[32], env[192];
	int rc;

	clock_iso8601(clock_real_ns(), ts);
	snprintf(env, sizeof(env), "xen:%s@%s", p->type, o->to);
	record_init(&rec);
	rec.kind = "migrate";
	rec.timestamp = ts;
	rec.environment = env;
	rec.label = (char *)p->name;
	rec.benchmark = "migrate";
	rec.iteration = 1;
	rec.status = r->ok ? "ok" : "failed";
	rec.wall_s = r->total_s;
	rec.value = gap_ms;
	rec.unit = "ms";
	rec.better = "lower";
	rec.metric_name = "downtime";
	record_add_str(&rec, "source", o->from);
	record_add_str(&rec, "target", o->to);
	record_add_num(&rec, "memory_mib", (double)p->memory_mib);
	record_add_num(&rec, "start_s", r->start_epoch_s);
	record_add_num(&rec, "end_s", r->end_epoch_s);
	record_add_num(&rec, "xl_status", r->xl_status);
	record_add_raw(&rec, "probe", r->probed ? sbuf_str(&r->probe_json) : "null");
	if (!r->ok)
		record_add_str(&rec, "xl_output", sbuf_str(&r->xl_out));
	rc = result_append(o->output, &rec, &e);
	record_free_extras(&rec);
	if (rc)
		fprintf(stderr, "vmlab %s: %s\n", SUB, e.msg);
	return rc ? 1 : 0;
}

static int migrate_main(int argc, char **argv)
{
	struct migrate_opts o = { 0 };
	struct opt_res res;
	struct host src = { 0 }, dst = { 0 }, probe = { 0 };
	struct migrate_plan p;
	struct migrate_result r = { 0 };
	struct err e = { 0 };
	double gap, at, sent, lost;
	int st = cli_opts_npos(SUB, &help, &o, argc, argv, &res, 1, 1, "name the guest: vmlab migrate GUEST --to HOST",
			       NULL);

	if (st != CLI_GO)
		return st;
	if (!o.to || !tb_guest_name_valid(res.pos[0])) {
		opt_free(opts, &o);
		return !o.to ? cli_usage_error(SUB, "--to HOST is required") :
			       cli_usage_error(SUB, "'%s': not a guest name (letters, digits, - and _)", res.pos[0]);
	}
	if (host_check(o.to, &e) || host_check(o.from, &e)) {
		opt_free(opts, &o);
		return cli_usage_error(SUB, "%s", e.msg);
	}
	if ((st = host_cli_open(o.from, &o.h, &src)) || (st = host_cli_open(o.to, &o.h, &dst)) ||
	    (!o.check && !o.no_probe && (st = host_cli_open(o.to, &o.h, &probe))))
		goto out;
	if (migrate_check(&src, &dst, o.to, res.pos[0], o.address, o.transport, &p, &e) < 0) {
		bool refused = e.code == -EPERM || e.code == -ENOENT || e.code == -EEXIST || e.code == -EINVAL;

		fprintf(stderr, "vmlab %s: %s, nothing tried: %s\n", SUB, refused ? "refused" : "could not check",
			e.msg);
		st = refused ? 2 : 1;
		goto out;
	}
	print_plan(&o, &p);
	if (o.check) {
		printf("it can move: checked, nothing migrated\n");
		goto out;
	}
	if (migrate_run(&src, &dst, o.no_probe ? NULL : &probe, &p, o.interval_ns, o.lead_ns / 1000000,
			o.tail_ns / 1000000, (long)o.timeout_s, &r, &e) < 0) {
		int on_dst = guest_exists(&dst, p.name), on_src = guest_exists(&src, p.name);

		fprintf(stderr, "vmlab %s: %s; a domain %s runs on the source: %s, on the target: %s%s\n", SUB, e.msg,
			p.name, on_src ? "yes" : "no", on_dst ? "yes" : "no",
			e.code == -ETIMEDOUT ? " (xl migrate may still be at work in the source's dom0)" : "");
		st = 1;
	} else {
		probe_figures(sbuf_str(&r.probe_json), &gap, &at, &sent, &lost);
		print_result(&o, &p, &r, gap, at, sent, lost);
		st = r.ok ? 0 : 1;
		if (o.output && write_record(&o, &p, &r, r.probed ? gap : NAN))
			st = 1;
	}
	migrate_result_free(&r);
out:
	host_close(&probe);
	host_close(&dst);
	host_close(&src);
	opt_free(opts, &o);
	return st;
}

const struct cmd cmd_migrate = { "migrate", "live-migrate a guest between Xen hosts, with its downtime", NULL,
				 migrate_main, .help = &help };
