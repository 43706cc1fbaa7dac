/* vmlab testbed up [--bare] [--timeout S]: boot Xen and dom0 in QEMU. */
#include "cli/testbed_cli.h"

#include "base/sbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PORT 10022

int testbed_up_main(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s = { 0 };
	struct tb_up_opts o = { .timeout_s = 300, .start_port = DEFAULT_PORT };
	struct err e = { 0 };
	const char *env;
	uint64_t t0 = tb_now_ms();
	int st, already, rc;

	for (int k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--bare"))
			o.bare = 1;
		else if (!strcmp(argv[k], "--timeout") && k + 1 < argc) {
			if ((st = tbc_uint("--timeout", argv[++k], 1, 86400, &o.timeout_s)))
				return st;
		} else
			return cli_usage_error(TB_CLI, "up: unknown argument '%s'", argv[k]);
	}
	if ((st = tbc_paths(&p)))
		return st;
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
		       s.accel, s.port, (long)s.pid, (double)(tb_now_ms() - t0) / 1000.0, s.log);
	return 0;
}
