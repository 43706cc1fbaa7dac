/* Unit tests of src/host: host specs, the local back end (real processes),
 * the host probe's parser and judge on recorded outputs
 * (tests/fixtures/host/), and guest shapes written through the xl.cfg engine. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/fileio.h"
#include "base/json.h"
#include "host/check.h"
#include "host/guest.h"
#include "host/host.h"
#include "run/env.h"

static struct sbuf fixture(const char *name)
{
	struct sbuf b = SBUF_INIT;
	struct err e = { 0 };
	char path[256];

	snprintf(path, sizeof(path), "../fixtures/host/%s", name);
	assert_int_equal(file_read(path, &b, &e), 0);
	return b;
}

static void test_specs(void **state)
{
	static const char *const good[] = { "local", "ssh:root@box", "ssh:me@10.0.0.2:2222", "testbed",
					    "testbed:a", "testbed:lab-2" };
	static const char *const bad[] = { "", "remote", "local:x", "ssh:", "ssh:box", "ssh:@box", "ssh:root@",
					   "ssh:root@box:", "ssh:root@box:0", "ssh:root@box:65536",
					   "ssh:root@box:22x", "ssh:-oProxyCommand=x@box", "ssh:root@-box",
					   "ssh:ro ot@box", "ssh:a@b@c", "ssh:ssh:root@box:22", "testbed:", "testbed:a b", "testbed:-a" };
	struct err e = { 0 };
	char *dest, *port;

	for (size_t k = 0; k < sizeof(good) / sizeof(good[0]); k++)
		assert_int_equal(host_check(good[k], &e), 0);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		assert_int_equal(host_check(bad[k], &e), -EINVAL);
		assert_non_null(strstr(e.msg, "host '"));
	}
	assert_int_equal(host_check("remote:x", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unknown kind of host"));
	assert_int_equal(host_ssh_split("me@box:2222", &dest, &port), 0);
	assert_string_equal(dest, "me@box");
	assert_string_equal(port, "2222");
	free(dest);
	free(port);
	assert_int_equal(host_ssh_split("me@box", &dest, &port), 0);
	assert_string_equal(dest, "me@box");
	assert_null(port);
	free(dest);
}

/* xen: environment names: TYPE or FILE.cfg, then @HOST (default local). */
static void test_xen_envs(void **state)
{
	static const char *const good[] = { "xen:pv", "xen:pvh@local", "xen:hvm@testbed", "xen:pv@testbed:b",
					    "xen:pv@ssh:root@box:2222", "testbed:pv" };
	static const char *const bad[] = { "xen:", "xen:pv@", "xen:pv@remote", "xen:pv@ssh:box", "xen:vm@local",
					   "xen:nofile.cfg@local" };
	struct err e = { 0 };

	for (size_t k = 0; k < sizeof(good) / sizeof(good[0]); k++)
		if (env_check(good[k], &e))
			fail_msg("%s: %s", good[k], e.msg);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		assert_int_not_equal(env_check(bad[k], &e), 0);
		assert_non_null(strstr(e.msg, "environment 'xen:"));
	}
	assert_int_equal(env_check("xen:pv@remote:x", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "host 'remote:x': unknown kind of host"));
}

static void test_local(void **state)
{
	struct host h;
	struct err e = { 0 };
	struct sbuf out = SBUF_INIT;
	char dir[] = "/tmp/vmlab-test-host.XXXXXX", f[64], g[64];
	char *echo[] = { "sh", "-c", "printf '%s|' \"$@\"; exit 4", "sh", "a b", "'c'", NULL };
	struct proc_opts o = { .out = &out };
	int st = -1;

	assert_int_equal(host_open(&h, "local", NULL, &e), 0);
	assert_false(host_is_testbed(&h));
	assert_null(h.ops->jump_argv);
	/* words reach the program unchanged, the status comes back */
	assert_int_equal(host_run(&h, echo, &o, &st, &e), 0);
	assert_int_equal(st, 4);
	assert_string_equal(sbuf_str(&out), "a b|'c'|");
	sbuf_reset(&out);
	assert_int_equal(host_run_ok(&h, echo, 10000, &out, &e), -EIO);
	assert_non_null(strstr(e.msg, "local: "));
	assert_non_null(strstr(e.msg, "exit 4"));
	/* files in and out */
	assert_non_null(mkdtemp(dir));
	snprintf(f, sizeof(f), "%s/it's here", dir);
	snprintf(g, sizeof(g), "%s/back", dir);
	assert_int_equal(host_put(&h, "data\n", 5, f, 0, &e), 0);
	assert_int_equal(host_copy_from(&h, f, g, &e), 0);
	sbuf_reset(&out);
	assert_int_equal(file_read(g, &out, &e), 0);
	assert_string_equal(sbuf_str(&out), "data\n");
	assert_int_equal(host_copy_from(&h, "/nonexistent/x", g, &e), -EIO);
	assert_non_null(strstr(e.msg, "/nonexistent/x"));
	unlink(f);
	unlink(g);
	rmdir(dir);
	sbuf_free(&out);
	host_close(&h);
	host_close(&h); /* a closed host is nothing */
}

static void test_unreachable(void **state)
{
	struct host h;
	struct err e = { 0 };
	struct host_conf c = { .connect_timeout_ms = 3000 };

	if (access("/usr/bin/ssh", X_OK) != 0)
		skip();
	assert_int_equal(host_open(&h, "ssh:nobody@127.0.0.1:1", &c, &e), -EHOSTUNREACH);
	assert_non_null(strstr(e.msg, "ssh:nobody@127.0.0.1:1: unreachable"));
	assert_null(h.ops);
	assert_int_equal(host_open(&h, "bogus:1", &c, &e), -EINVAL);
}

static void test_probe_xenhost(void **state)
{
	struct sbuf b = fixture("probe-xenhost.txt"), out = SBUF_INIT;
	struct host_probe p;
	struct host_fact f[HOST_NFACTS];
	struct err e = { 0 };
	struct json *j = NULL;

	assert_int_equal(host_probe_parse(b.buf, b.len, "probe", &p, &e), 0);
	assert_string_equal(p.hostname, "xenhost");
	assert_int_equal(p.xl_info_rc, 0);
	assert_string_equal(p.pciback, "driver");
	/* a host with everything: every fact OK */
	assert_int_equal(host_facts_judge(&p, f), 0);
	host_facts_text(f, HOST_NFACTS, &out);
	assert_non_null(strstr(sbuf_str(&out), "OK      xen            Xen 4.17.6-pre\n"));
	assert_non_null(strstr(sbuf_str(&out), "OK      scheduler      credit2\n"));
	assert_non_null(strstr(sbuf_str(&out), "OK      iommu          hvm_directio\n"));
	assert_non_null(strstr(sbuf_str(&out), "OK      pci-assignable 0000:03:00.0, 0000:04:00.1\n"));
	assert_non_null(strstr(sbuf_str(&out), "OK      memory         3891 MiB free\n"));
	assert_non_null(strstr(sbuf_str(&out), "OK      cpus           4 CPUs\n"));
	assert_non_null(strstr(sbuf_str(&out), "OK      lvm            vg0 (7688 MiB free), data (102400 MiB free)\n"));
	assert_non_null(strstr(sbuf_str(&out), "OK      bridge         xenbr0\n"));
	sbuf_reset(&out);
	host_facts_json_out("ssh:root@xenhost", p.hostname, 0, f, HOST_NFACTS, &out);
	assert_int_equal(json_parse(out.buf, out.len, "json", &j, &e), 0);
	assert_string_equal(json_get_str(j, "hostname"), "xenhost");
	assert_non_null(strstr(sbuf_str(&out), "\"testbed\":false,\"missing\":0,"));
	json_free(j);
	host_probe_free(&p);
	sbuf_free(&out);
	sbuf_free(&b);
}

static void test_probe_nonxen(void **state)
{
	struct sbuf b = fixture("probe-nonxen.txt"), out = SBUF_INIT;
	struct host_probe p;
	struct host_fact f[HOST_NFACTS];
	struct err e = { 0 };

	assert_int_equal(host_probe_parse(b.buf, b.len, "probe", &p, &e), 0);
	assert_int_not_equal(p.xl_info_rc, 0);
	assert_true(host_facts_judge(&p, f) >= 8);
	host_facts_text(f, HOST_NFACTS, &out);
	assert_non_null(strstr(sbuf_str(&out), "MISSING xen            xl info: "));
	assert_non_null(strstr(sbuf_str(&out), "boot the host with Xen"));
	assert_non_null(strstr(sbuf_str(&out), "(needed by every task)\n"));
	assert_non_null(strstr(sbuf_str(&out), "MISSING hap "));
	host_probe_free(&p);
	sbuf_free(&out);
	sbuf_free(&b);
}

static void test_probe_testbed(void **state)
{
	struct sbuf b = fixture("probe-testbed.txt"), out = SBUF_INIT;
	struct host_probe p;
	struct host_fact f[HOST_NFACTS];
	struct err e = { 0 };

	assert_int_equal(host_probe_parse(b.buf, b.len, "probe", &p, &e), 0);
	assert_string_equal(p.hostname, "dom0");
	/* libxl's complaint (exit 0) is no device; no IOMMU, no pciback */
	assert_int_equal(host_facts_judge(&p, f), 3);
	host_facts_text(f, HOST_NFACTS, &out);
	assert_non_null(strstr(sbuf_str(&out), "OK      xen            Xen 4.17.7\n"));
	assert_non_null(strstr(sbuf_str(&out), "OK      hvm            virt_caps pv hvm hap gnttab-v1 gnttab-v2\n"));
	assert_non_null(strstr(sbuf_str(&out), "OK      hap            hap\n"));
	assert_non_null(strstr(sbuf_str(&out), "MISSING iommu          no IOMMU in virt_caps: "));
	assert_non_null(strstr(sbuf_str(&out), "MISSING pci-assignable libxl: error: libxl_pci.c:444:"));
	assert_non_null(strstr(sbuf_str(&out), "MISSING pciback        absent: "));
	assert_non_null(strstr(sbuf_str(&out), "OK      memory         3028 MiB free\n"));
	assert_non_null(strstr(sbuf_str(&out), "OK      cpus           2 CPUs\n"));
	assert_non_null(strstr(sbuf_str(&out), "OK      lvm            vg0 (8188 MiB free)\n"));
	assert_non_null(strstr(sbuf_str(&out), "OK      bridge         xenbr0\n"));
	host_probe_free(&p);
	sbuf_free(&out);
	sbuf_free(&b);
}

/* A damaged probe output is an error naming its line. */
static void test_probe_damaged(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "", "no section @@hostname" },
		{ "junk\n", "probe:1:1: text before the first section" },
		{ "@@hostname\nh\n@@xl_info\nx\n@@pci\n", "section @@xl_info has no @@rc line" },
		{ "@@hostname\nh\n@@hostname\n", "probe:3:1: section '@@hostname' repeated" },
		{ "@@what\n", "unknown section" },
		{ "@@hostname\nh\n@@xl_info\n@@rc 999\n", "probe:4:6: exit status is not 0..255" },
		{ "@@hostname\nh\n@@xl_info\n@@rc 0\n@@pci\n@@rc 0\n@@pciback\nno\n@@xentrace\nno\n@@vgs\n@@rc 0\n"
		  "@@bridges\n", "no @@end" },
	};
	struct host_probe p;
	struct err e = { 0 };

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		assert_int_equal(host_probe_parse(cases[k].text, strlen(cases[k].text), "probe", &p, &e), -EBADMSG);
		if (!strstr(e.msg, cases[k].msg))
			fail_msg("case %zu: '%s' lacks '%s'", k, e.msg, cases[k].msg);
		assert_null(p.hostname);
	}
}

static void test_shape(void **state)
{
	static const char cfg[] = "name = \"g\"\ntype = \"pv\"\nvcpus = 1\nmemory = 128\n";
	struct guest_shape s = { .vcpus = 2, .memory_mib = 256, .cpus = "1", .cpus_soft = "0-1", .weight = 512,
				 .cap = 0, .pool = "pool1" };
	struct guest_shape none = { .cap = -1 };
	struct xlcfg *c = NULL;
	struct sbuf out = SBUF_INIT;
	struct err e = { 0 };
	long v;
	const char *str;

	assert_int_equal(xlcfg_parse("g.cfg", cfg, strlen(cfg), &c, &e), 0);
	assert_int_equal(guest_shape_apply(c, &none, &e), 0);
	xlcfg_write(c, &out);
	assert_string_equal(sbuf_str(&out), cfg);
	assert_int_equal(guest_shape_apply(c, &s, &e), 0);
	assert_int_equal(xlcfg_get_long(c, "vcpus", &v, &e), 0);
	assert_int_equal(v, 2);
	assert_int_equal(xlcfg_get_long(c, "memory", &v, &e), 0);
	assert_int_equal(v, 256);
	assert_int_equal(xlcfg_get_long(c, "cpu_weight", &v, &e), 0);
	assert_int_equal(v, 512);
	assert_int_equal(xlcfg_get_long(c, "cap", &v, &e), 0);
	assert_int_equal(v, 0);
	assert_int_equal(xlcfg_get_string(c, "cpus", &str, &e), 0);
	assert_string_equal(str, "1");
	assert_int_equal(xlcfg_get_string(c, "cpus_soft", &str, &e), 0);
	assert_string_equal(str, "0-1");
	assert_int_equal(xlcfg_get_string(c, "pool", &str, &e), 0);
	assert_string_equal(str, "pool1");
	xlcfg_free(c);
	sbuf_free(&out);
}

/* A host that answers xl's commands with recorded outputs
 * (tests/fixtures/xl/), for reading a guest's shape back. */
static int replay_run(struct host *h, char *const argv[], const struct proc_opts *o, int *status, struct err *e)
{
	static const char *const map[][2] = { { "vcpu-list", "vcpu-list.txt" }, { "list", "list.txt" },
					      { "sched-credit2", "sched-credit2.txt" },
					      { "cpupool-list", "cpupool-list.txt" } };
	struct err fe = { 0 };
	char path[128];

	*status = 1;
	if (strcmp(argv[0], "xl") || !argv[1])
		return 0;
	for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++)
		if (!strcmp(argv[1], map[k][0])) {
			snprintf(path, sizeof(path), "../fixtures/xl/%s", map[k][1]);
			assert_int_equal(file_read(path, o->out, &fe), 0);
			*status = 0;
		}
	return 0;
}

static int replay_open(struct host *h, struct err *e)
{
	return 0;
}

/* guest_ip_scan: the first well-formed vmlab.ip= address, never past len. */
static void test_ip_scan(void **state)
{
	static const char json[] = "{\"cmdline\": \"console=hvc0 quiet vmlab.ip=10.0.0.12/24 vmlab.name=qa\"}";
	static const char two[] = "vmlab.ip=10.0 vmlab.ip=10.0.0.13";
	char ip[32] = "";

	(void)state;
	assert_int_equal(guest_ip_scan(json, strlen(json), ip), 0);
	assert_string_equal(ip, "10.0.0.12");
	assert_int_equal(guest_ip_scan(two, strlen(two), ip), 0);
	assert_string_equal(ip, "10.0.0.13");
	assert_int_equal(guest_ip_scan(two, 13, ip), -ENOENT);
	assert_int_equal(guest_ip_scan("vmlab.ip=10.0.0.130000000000", 28, ip), -ENOENT);
	assert_int_equal(guest_ip_scan("console=hvc0 ip=10.0.0.12", 25, ip), -ENOENT);
	assert_int_equal(guest_ip_scan("vmlab.ip=", 9, ip), -ENOENT);
	assert_int_equal(guest_ip_scan(json, 0, ip), -ENOENT);
}

static void replay_close(struct host *h)
{
}

static void test_readback(void **state)
{
	const struct host_ops ops = { "replay", "replay", NULL, replay_open, replay_run, NULL, replay_close, 0 };
	struct host h = { .ops = &ops, .spec = "replay" };
	struct guest_shape want = { .vcpus = 2, .cpus = "1", .weight = 256, .cap = 0, .pool = "Pool-0" };
	struct sbuf shape = SBUF_INIT;
	struct err e = { 0 };

	assert_int_equal(guest_readback(&h, "hvm1", "credit2", &want, &shape, &e), 0);
	assert_string_equal(sbuf_str(&shape), "vcpus=2 memory=1024 cpus=1 cpus_soft=all weight=256 cap=0 pool=Pool-0");
	/* what xl does not show fails, naming it */
	sbuf_reset(&shape);
	want.weight = 512;
	assert_int_equal(guest_readback(&h, "hvm1", "credit2", &want, &shape, &e), -EIO);
	assert_string_equal(e.msg, "guest hvm1: weight is 256, not 512");
	want.weight = 0;
	want.cpus = "0-1";
	sbuf_reset(&shape);
	assert_int_equal(guest_readback(&h, "hvm1", "credit2", &want, &shape, &e), -EIO);
	assert_string_equal(e.msg, "guest hvm1: hard affinity is 1, not cpus=\"0-1\"");
	want.cpus = NULL;
	want.cap = 100;
	sbuf_reset(&shape);
	assert_int_equal(guest_readback(&h, "pv-guest", "credit2", &want, &shape, &e), -EIO);
	assert_string_equal(e.msg, "guest pv-guest: xl shows 1 vCPUs, not the 2 asked for");
	want.vcpus = 1;
	sbuf_reset(&shape);
	assert_int_equal(guest_readback(&h, "pv-guest", "credit2", &want, &shape, &e), 0);
	assert_string_equal(sbuf_str(&shape), "vcpus=1 memory=512 cpus=0,2-3 cpus_soft=none weight=128 cap=100 pool=Pool-0");
	/* nothing asked (no shape keys): the record gets what is live all the same */
	struct guest_shape none = { .cap = -1 };
	sbuf_reset(&shape);
	assert_int_equal(guest_readback(&h, "hvm1", "credit2", &none, &shape, &e), 0);
	assert_string_equal(sbuf_str(&shape), "vcpus=2 memory=1024 cpus=1 cpus_soft=all weight=256 cap=0 pool=Pool-0");
	/* a pool whose scheduler is another: sched-credit lists no such guest */
	sbuf_reset(&shape);
	assert_int_equal(guest_readback(&h, "nosuch", "credit2", &want, &shape, &e), -EIO);
	assert_non_null(strstr(e.msg, "does not list guest nosuch"));
	sbuf_free(&shape);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_specs),
		cmocka_unit_test(test_xen_envs),
		cmocka_unit_test(test_local),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_probe_xenhost),
		cmocka_unit_test(test_probe_nonxen),
		cmocka_unit_test(test_probe_testbed),
		cmocka_unit_test(test_probe_damaged),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_readback),
		cmocka_unit_test(test_ip_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
