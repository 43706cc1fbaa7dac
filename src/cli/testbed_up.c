/* vmlab testbed up [--bare] [--timeout S]: boot Xen and dom0 in QEMU. */
#include "cli/testbed_cli.h"

#include "base/sbuf.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PORT 10022

struct args {
	bool bare;
	long long timeout_s;
};

static const struct opt opts[] = {
	{ "bare", 0, OPT_FLAG, offsetof(struct args, bare), .help = "boot the same kernel without Xen" },
	{ "timeout", 0, OPT_LONG, offsetof(struct args, timeout_s), .def = "300", .min = 1, .max = 86400,
	  .metavar = "S", .help = "seconds until dom0 is ready" },
	{ 0 },
};

static const struct cli_usage help = {
	"usage: vmlab testbed up [--bare] [--timeout S]\n"
	"Boots Xen and dom0 in QEMU (--bare: the same kernel without Xen).\n\n",
	opts, "\nEnvironment: VMLAB_TESTBED_PORT (first ssh port tried, default 10022),\n"
	"VMLAB_TESTBED_ACCEL=kvm|tcg.\n",
};

int testbed_up_main(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s = { 0 };
	struct tb_up_opts o = { .start_port = DEFAULT_PORT };
	struct args a = { 0 };
	struct err e = { 0 };
	const char *env;
	uint64_t t0 = tb_now_ms();
	int st = tbc_opts_paths("up", &help, &a, argc, argv, &p), already, rc;

	if (st != CLI_GO)
		return st;
	o.bare = a.bare;
	o.timeout_s = (long)a.timeout_s;
	if ((env = getenv("VMLAB_TESTBED_PORT")) && *env) {
		long v;

		if ((st = tbc_uint("VMLAB_TESTBED_PORT", env, 1024, 65535, &v)))
			return st;
		o.start_port = (int)v;
	}
	rc = tb_up(&p, &o, &tbc_progress, &s, &already, &e);
	if (rc < 0) {
		tbc_fail(&e);
		if (rc == -ECHILD || rc == -ETIMEDOUT) {
			struct sbuf tail = SBUF_INIT;

			tb_log_tail(s.log, 30, &tail);
			if (tail.len)
				fprintf(stderr, "--- last lines of %s ---\n%s\n---\n", s.log, sbuf_str(&tail));
			sbuf_free(&tail);
		}
		return 1;
	}
	if (already)
		printf("testbed already up: %s, accel %s, ssh 127.0.0.1:%d, pid %ld, log %s\n", s.mode, s.accel,
		       s.port, (long)s.pid, s.log);
	else
		printf("testbed up: %s, accel %s, ssh 127.0.0.1:%d, pid %ld, ready in %.1f s, log %s\n", s.mode,
		       s.accel, s.port, (long)s.pid, tbc_secs_since(t0), s.log);
	return 0;
}
