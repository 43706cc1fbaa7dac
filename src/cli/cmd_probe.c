/* vmlab probe ADDR: an ICMP echo every --interval and the gaps in the
 * replies (the downtime probe vmlab migrate runs). The probe is
 * measure/probe; this file parses and prints. */
#include "cli/cmd.h"

#include "measure/probe.h"

#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct probe_args {
	uint64_t interval_ns, duration_ns;
	const char *stop_file;
	bool json;
};

#define F(x) offsetof(struct probe_args, x)
static const struct opt opts[] = {
	{ "interval", 0, OPT_DURATION, F(interval_ns), .def = "1ms", .min = 1e5, .max = 1e9, .metavar = "D",
	  .help = "one echo request every D (100us to 1s)" },
	{ "duration", 0, OPT_DURATION, F(duration_ns), .def = "0", .min = 0, .max = OPT_NOMAX, .metavar = "D",
	  .help = "send requests for D (0: until SIGINT, SIGTERM or the stop file)" },
	{ "stop-file", 0, OPT_STRING, F(stop_file), .metavar = "PATH",
	  .help = "stop once PATH exists (looked for every 10 ms)" },
	{ "json", 0, OPT_FLAG, F(json), .help = "print the summary as one JSON line" },
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab probe ADDR [--interval D] [--duration D] [--stop-file PATH] [--json]\n"
	"Sends an ICMP echo request to the IPv4 address ADDR every --interval on a fixed\n"
	"schedule (a late request goes out at once; none is skipped). When it stops, it\n"
	"prints the requests sent and answered, the largest gap between two replies in\n"
	"the order they came (the first and the last request end gaps too): a live\n"
	"migration's downtime, as vmlab migrate measures it; when that gap began, the\n"
	"requests lost in it, and the round-trip times. A raw ICMP socket needs root\n"
	"(CAP_NET_RAW); without it Linux's ping socket is used (the groups of sysctl\n"
	"net.ipv4.ping_group_range). At most 10 minutes' worth of requests are kept:\n"
	"the probe ends there, saying so.\n\n",
	opts,
	"\nExit status: 0 it ran, 1 no reply came or no ICMP socket is permitted, 2 bad\n"
	"usage or not an IPv4 address. See vmlab-probe(1).\n",
};

static void print_human(const struct probe_summary *s)
{
	printf("probe %s: %" PRIu64 " sent, ", s->addr, s->sent);
	if (!s->received)
		printf("no reply in %.3f s", s->duration_s);
	else
		printf("%" PRIu64 " replies, largest gap %.1f ms at %.3f s (%" PRIu64 " lost in it), "
		       "rtt median %.3f ms p99 %.3f ms max %.3f ms", s->received, s->largest_gap_ms,
		       s->gap_start_s, s->lost_in_gap, s->rtt_median_ms, s->rtt_p99_ms, s->rtt_max_ms);
	if (s->late)
		printf(", %" PRIu64 " sent late", s->late);
	printf("\n");
}

static int run(int argc, char **argv)
{
	struct probe_args a = { 0 };
	struct probe_opts po;
	struct probe_summary s;
	struct sbuf out = SBUF_INIT;
	struct err e = { 0 };
	struct opt_res r;
	int rc = cli_opts_npos("probe", &help, &a, argc, argv, &r, 1, 1,
			       "name the address: vmlab probe ADDR", NULL);

	if (rc != CLI_GO)
		return rc;
	po = (struct probe_opts){ r.pos[0], a.interval_ns, a.duration_ns, a.stop_file };
	cli_stop_on_signals();
	if ((rc = probe_run(&po, &cli_stop, &s, &e))) {
		fprintf(stderr, "vmlab %s\n", e.msg);   /* e.msg starts with "probe: " */
		return err_exit_status(rc);
	}
	if (s.truncated)
		fprintf(stderr, "vmlab probe: stopped at the limit of %" PRIu64 " requests (10 minutes at "
			"this interval)\n", s.sent);
	if (s.errors)
		fprintf(stderr, "vmlab probe: %" PRIu64 " socket errors, the first: %s\n", s.errors,
			s.first_error);
	if (a.json) {
		probe_summary_json(&s, &out);
		printf("%s\n", sbuf_str(&out));
		sbuf_free(&out);
	} else {
		print_human(&s);
	}
	fflush(stdout);
	return s.received ? 0 : 1;
}

const struct cmd cmd_probe = {
	"probe", "ICMP echoes every 1 ms and the largest gap in the replies (downtime)", NULL, run,
	.help = &help,
};
