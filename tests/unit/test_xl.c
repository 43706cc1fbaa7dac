/* Unit tests of src/xen/xl.c on outputs in xl's own formats
 * (tests/fixtures/xl/) and on damaged copies of them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/fileio.h"
#include "xen/xl.h"

static struct sbuf fixture(const char *name)
{
	struct sbuf b = SBUF_INIT;
	struct err e = { 0 };
	char path[256];

	snprintf(path, sizeof(path), "../fixtures/xl/%s", name);
	assert_int_equal(file_read(path, &b, &e), 0);
	return b;
}

static void test_list(void **state)
{
	struct sbuf b = fixture("list.txt");
	struct xl_domains l;
	struct err e = { 0 };

	assert_int_equal(xl_parse_list(b.buf, b.len, "list.txt", &l, &e), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.d[0].name, "Domain-0");
	assert_int_equal(l.d[0].domid, 0);
	assert_int_equal(l.d[0].mem_mib, 4096);
	assert_int_equal(l.d[0].vcpus, 2);
	assert_string_equal(l.d[0].state, "r-----");
	assert_true(l.d[0].cpu_s > 1234.4 && l.d[0].cpu_s < 1234.6);
	assert_string_equal(l.d[2].name, "pv-guest");
	assert_int_equal(l.d[2].domid, 7);
	assert_string_equal(l.d[2].state, "--p---");
	assert_string_equal(l.d[3].state, "---sc-");
	xl_domains_free(&l);

	/* A damaged row names its line and column. */
	char *bad = xstrdup(b.buf);
	char *p = strstr(bad, "hvm1");
	p[45] = 'x'; /* the ID column */
	assert_int_equal(xl_parse_list(bad, strlen(bad), "list.txt", &l, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "list.txt:3:"));
	assert_non_null(strstr(e.msg, "domain ID"));
	free(bad);
	assert_int_equal(xl_parse_list("garbage\n", 8, "x", &l, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "x:1:1:"));
	sbuf_free(&b);
}

static void test_list_json(void **state)
{
	struct sbuf b = fixture("list-l.json");
	struct xl_dominfos l;
	struct err e = { 0 };
	char **users;

	assert_int_equal(xl_parse_list_json(b.buf, b.len, "list-l.json", &l, &e), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.d[0].domid, 0);
	assert_string_equal(l.d[0].name, "Domain-0");
	assert_int_equal(l.d[0].ndisks, 0);
	assert_string_equal(l.d[1].name, "hvm1");
	assert_string_equal(l.d[1].type, "hvm");
	assert_int_equal(l.d[1].ndisks, 2);
	assert_string_equal(l.d[1].disks[0].pdev_path, "/srv/xen/debian.img");
	assert_string_equal(l.d[1].disks[0].vdev, "hda");
	assert_string_equal(l.d[1].disks[1].pdev_path, "");
	assert_string_equal(l.d[2].disks[0].pdev_path, "/dev/vg0/pv-guest");
	assert_string_equal(l.d[2].type, "pv");
	assert_int_equal(l.d[1].memory_kib, 1048576);
	assert_int_equal(l.d[1].nnics, 1);
	assert_string_equal(l.d[1].bridges[0], "xenbr0");
	assert_int_equal(l.d[1].npci, 0);
	assert_int_equal(l.d[2].memory_kib, -1);
	assert_int_equal(l.d[2].nnics, 0);

	assert_int_equal(xl_disk_users(&l, "/srv/xen/debian.img", &users), 1);
	assert_string_equal(users[0], "hvm1 (domain 3, disk hda)");
	assert_null(users[1]);
	free(users[0]);
	free(users);
	assert_int_equal(xl_disk_users(&l, "/srv/xen/other.img", &users), 0);
	assert_null(users[0]);
	free(users);
	xl_dominfos_free(&l);

	{
		static const char pt[] = "[{\"domid\": 4, \"config\": {\"c_info\": {\"type\": \"hvm\", \"name\": \"s\"}, "
					 "\"b_info\": {\"target_memkb\": 262144}, \"pcidevs\": [{\"bus\": 0, \"dev\": 5}], "
					 "\"nics\": [{\"devid\": 0}]}}]";

		assert_int_equal(xl_parse_list_json(pt, strlen(pt), "pt", &l, &e), 0);
		assert_int_equal(l.d[0].memory_kib, 262144);
		assert_int_equal(l.d[0].npci, 1);
		assert_string_equal(l.d[0].bridges[0], "");
		xl_dominfos_free(&l);
		assert_int_equal(xl_parse_list_json("[{\"config\": {\"pcidevs\": 1}}]", 28, "p", &l, &e), -EBADMSG);
		assert_non_null(strstr(e.msg, "pcidevs"));
		assert_int_equal(xl_parse_list_json("[{\"config\": {\"nics\": [1]}}]", 27, "n", &l, &e), -EBADMSG);
		assert_non_null(strstr(e.msg, "NIC 0"));
	}
	assert_int_equal(xl_parse_list_json("", 0, "empty", &l, &e), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(xl_parse_list_json("{\"domid\": 1}", 12, "obj", &l, &e), -EBADMSG);
	assert_int_equal(xl_parse_list_json("[ {\"domid\": \"x\"} ]", 18, "j", &l, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "domid"));
	assert_int_equal(xl_parse_list_json("[ {\"domid\": 1, ", 15, "cut", &l, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "cut:1:"));
	sbuf_free(&b);
}

static void test_info(void **state)
{
	struct sbuf b = fixture("info.txt");
	struct xl_info i;
	struct err e = { 0 };

	assert_int_equal(xl_parse_info(b.buf, b.len, "info.txt", &i, &e), 0);
	assert_string_equal(xl_info_get(&i, "host"), "xenhost");
	assert_string_equal(xl_info_get(&i, "nr_cpus"), "4");
	assert_string_equal(xl_info_get(&i, "xen_scheduler"), "credit2");
	assert_string_equal(xl_info_get(&i, "virt_caps"),
			    "pv hvm hvm_directio pv_directio hap shadow gnttab-v1 gnttab-v2");
	assert_string_equal(xl_info_get(&i, "xen_changeset"), "");
	assert_string_equal(xl_info_get(&i, "hw_caps"),
			    "178bfbff:f6d8320b:2c100800:000007ff:f1bf07a9:00000000:00000000:00000100");
	assert_string_equal(xl_info_get(&i, "xen_version"), "4.17.6-pre");
	assert_null(xl_info_get(&i, "nope"));
	xl_info_free(&i);
	assert_int_equal(xl_parse_info("host xen\n", 9, "i", &i, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "i:1:1:"));
	sbuf_free(&b);
}

static void test_sched(void **state)
{
	struct sbuf b = fixture("sched-credit.txt");
	struct xl_sched s;
	struct err e = { 0 };

	assert_int_equal(xl_parse_sched(b.buf, b.len, "sched-credit.txt", &s, &e), 0);
	assert_int_equal(s.npools, 2);
	assert_string_equal(s.pools[0].pool, "Pool-0");
	assert_int_equal(s.pools[0].tslice_ms, 30);
	assert_int_equal(s.pools[0].ratelimit_us, 1000);
	assert_int_equal(s.pools[0].migration_delay_us, 0);
	assert_int_equal(s.pools[0].ndoms, 2);
	assert_string_equal(s.pools[0].doms[1].name, "hvm1");
	assert_int_equal(s.pools[0].doms[1].weight, 512);
	assert_int_equal(s.pools[0].doms[1].cap, 50);
	assert_string_equal(s.pools[1].pool, "pool1");
	assert_int_equal(s.pools[1].tslice_ms, 10);
	assert_int_equal(s.pools[1].doms[0].domid, 7);
	xl_sched_free(&s);
	sbuf_free(&b);

	b = fixture("sched-credit2.txt");
	assert_int_equal(xl_parse_sched(b.buf, b.len, "sched-credit2.txt", &s, &e), 0);
	assert_int_equal(s.npools, 1);
	assert_int_equal(s.pools[0].tslice_ms, -1);
	assert_int_equal(s.pools[0].ratelimit_us, 1000);
	assert_int_equal(s.pools[0].ndoms, 3);
	assert_int_equal(s.pools[0].doms[2].weight, 128);
	assert_int_equal(s.pools[0].doms[2].cap, 100);
	xl_sched_free(&s);
	sbuf_free(&b);

	static const char one[] = "Name                                ID Weight  Cap\n"
				  "hvm1                                 3    256    0\n";
	assert_int_equal(xl_parse_sched(one, strlen(one), "one", &s, &e), 0);
	assert_int_equal(s.npools, 1);
	assert_string_equal(s.pools[0].pool, "");
	assert_int_equal(s.pools[0].doms[0].domid, 3);
	xl_sched_free(&s);
	static const char unavail[] = "Cpupool Pool-0: [sched params unavailable]\n"
				      "Name                                ID Weight  Cap\n"
				      "Domain-0                             0    256    0\n"
				      "Cpupool pool1: ratelimit=500us\n";
	assert_int_equal(xl_parse_sched(unavail, strlen(unavail), "u", &s, &e), 0);
	assert_int_equal(s.npools, 2);
	assert_int_equal(s.pools[0].ratelimit_us, -1);
	assert_int_equal(s.pools[0].ndoms, 1);
	assert_int_equal(s.pools[1].ratelimit_us, 500);
	assert_int_equal(s.pools[1].ndoms, 0);
	xl_sched_free(&s);
	static const char badp[] = "Cpupool Pool-0: quantum=5ms\n";
	assert_int_equal(xl_parse_sched(badp, strlen(badp), "p", &s, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "p:1:17:"));
}

static void test_vcpu_list(void **state)
{
	struct sbuf b = fixture("vcpu-list.txt");
	struct xl_vcpus l;
	struct err e = { 0 };

	assert_int_equal(xl_parse_vcpu_list(b.buf, b.len, "vcpu-list.txt", &l, &e), 0);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[0].name, "Domain-0");
	assert_int_equal(l.v[0].cpu, 0);
	assert_string_equal(l.v[0].state, "r--");
	assert_string_equal(l.v[0].hard, "all");
	assert_int_equal(l.v[3].cpu, -1);
	assert_string_equal(l.v[3].state, "--p");
	assert_string_equal(l.v[3].hard, "0-1");
	assert_int_equal(l.v[4].domid, 7);
	assert_string_equal(l.v[4].hard, "0,2-3");
	assert_string_equal(l.v[4].soft, "none");
	assert_true(l.v[1].cpu_s > 98.6 && l.v[1].cpu_s < 98.8);
	xl_vcpus_free(&l);
	char *bad = xstrdup(b.buf);
	char *p = strstr(bad, "r--");
	p[0] = 'x';
	assert_int_equal(xl_parse_vcpu_list(bad, strlen(bad), "v", &l, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "v:2:"));
	assert_non_null(strstr(e.msg, "state"));
	free(bad);
	sbuf_free(&b);
}

static void test_cpupool_list(void **state)
{
	struct sbuf b = fixture("cpupool-list.txt");
	struct xl_cpupools l;
	struct err e = { 0 };

	assert_int_equal(xl_parse_cpupool_list(b.buf, b.len, "cpupool-list.txt", &l, &e), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.p[0].name, "Pool-0");
	assert_int_equal(l.p[0].ncpus, 3);
	assert_string_equal(l.p[0].sched, "credit2");
	assert_int_equal(l.p[0].active, 1);
	assert_int_equal(l.p[0].ndoms, 3);
	assert_string_equal(l.p[1].name, "pool1");
	assert_string_equal(l.p[1].sched, "credit");
	assert_int_equal(l.p[1].ndoms, 1);
	xl_cpupools_free(&l);

	/* the testbed's own outputs, recorded */
	struct sbuf t = fixture("testbed-cpupool-list.txt");
	assert_int_equal(xl_parse_cpupool_list(t.buf, t.len, "t", &l, &e), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.p[0].name, "Pool-0");
	assert_int_equal(l.p[0].ncpus, 2);
	assert_string_equal(l.p[0].sched, "credit2");
	assert_int_equal(l.p[0].ndoms, 1);
	xl_cpupools_free(&l);
	sbuf_free(&t);
	struct xl_sched sc;
	t = fixture("testbed-sched-credit2.txt");
	assert_int_equal(xl_parse_sched(t.buf, t.len, "t", &sc, &e), 0);
	assert_int_equal(sc.npools, 1);
	assert_int_equal(sc.pools[0].ratelimit_us, 1000);
	assert_int_equal(sc.pools[0].doms[0].weight, 256);
	xl_sched_free(&sc);
	sbuf_free(&t);
	struct xl_vcpus vl;
	t = fixture("testbed-vcpu-list.txt");
	assert_int_equal(xl_parse_vcpu_list(t.buf, t.len, "t", &vl, &e), 0);
	assert_int_equal(vl.n, 2);
	assert_string_equal(vl.v[1].hard, "all");
	xl_vcpus_free(&vl);
	sbuf_free(&t);

	char *bad = xstrdup(b.buf);
	char *p = strstr(bad, "pool1");
	p[21] = 'x'; /* pool1's CPU count */
	assert_int_equal(xl_parse_cpupool_list(bad, strlen(bad), "c", &l, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "c:3:"));
	assert_non_null(strstr(e.msg, "CPUs"));
	free(bad);
	assert_int_equal(xl_parse_cpupool_list("", 0, "c", &l, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "no `xl cpupool-list` header"));
	const char *q = "Name CPUs Sched Active Domain count\nPool-0 2 credit2 q 1\n";
	assert_int_equal(xl_parse_cpupool_list(q, strlen(q), "c", &l, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "Active is neither y nor n"));
	sbuf_free(&b);
}

static void test_pci_list(void **state)
{
	struct sbuf pv = fixture("pci-list-pv.txt"), hvm = fixture("pci-list-hvm.txt");
	struct xl_pcidevs l;
	struct err e = { 0 };
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "00.0 0000:00:05.0\n", "p:1:1: expected the `xl pci-list` header" },
		{ "Vdev Device\n00.0 0000:00:05\n", "p:2:6: Device is not a BDF" },
		{ "Vdev Device\n20.0 0000:00:05.0\n", "p:2:1: Vdev is not SLOT.FUNCTION" },
		{ "Vdev Device\n00.8 0000:00:05.0\n", "p:2:1: Vdev is not SLOT.FUNCTION" },
		{ "Vdev Device\n00.0 0000:00:20.0\n", "p:2:6: Device is not a BDF" },
		{ "Vdev Device\n00.0 0000:00:05.0 x\n", "p:2:1: expected VDEV DEVICE" },
	};

	assert_int_equal(xl_parse_pci_list(pv.buf, pv.len, "pv", &l, &e), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.d[0].vslot, 0);
	assert_int_equal(l.d[0].vfunc, 0);
	assert_int_equal(l.d[0].domain, 0);
	assert_int_equal(l.d[0].bus, 0);
	assert_int_equal(l.d[0].dev, 5);
	assert_int_equal(l.d[0].func, 0);
	assert_true(xl_pcidevs_has(&l, "0000:00:05.0"));
	assert_false(xl_pcidevs_has(&l, "0000:00:02.0"));
	assert_false(xl_pcidevs_has(&l, "00:05.0"));
	xl_pcidevs_free(&l);
	assert_int_equal(xl_parse_pci_list(hvm.buf, hvm.len, "hvm", &l, &e), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.d[0].vslot, 4);
	assert_true(xl_pcidevs_has(&l, "0000:00:05.0"));
	xl_pcidevs_free(&l);

	/* several devices, upper-case asked for; no device: xl prints nothing */
	const char *two = "Vdev Device\n00.0 0000:00:05.0\n01.7 abcd:ef:1f.7\n";
	assert_int_equal(xl_parse_pci_list(two, strlen(two), "p", &l, &e), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.d[1].vslot, 1);
	assert_int_equal(l.d[1].vfunc, 7);
	assert_int_equal(l.d[1].domain, 0xabcd);
	assert_int_equal(l.d[1].bus, 0xef);
	assert_true(xl_pcidevs_has(&l, "ABCD:EF:1F.7"));
	xl_pcidevs_free(&l);
	assert_int_equal(xl_parse_pci_list("", 0, "p", &l, &e), 0);
	assert_int_equal(l.n, 0);
	assert_false(xl_pcidevs_has(&l, "0000:00:05.0"));
	assert_int_equal(xl_parse_pci_list("Vdev Device\n", 12, "p", &l, &e), 0);
	assert_int_equal(l.n, 0);

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		assert_int_equal(xl_parse_pci_list(bad[k].text, strlen(bad[k].text), "p", &l, &e), -EBADMSG);
		assert_non_null(strstr(e.msg, bad[k].msg));
	}
	sbuf_free(&pv);
	sbuf_free(&hvm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_cpupool_list),
		cmocka_unit_test(test_list_json),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_sched),
		cmocka_unit_test(test_vcpu_list),
		cmocka_unit_test(test_pci_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
