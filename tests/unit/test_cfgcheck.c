/* Unit tests of src/xen/cfgcheck: each rule on a small config, with the
 * place it reports. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/sbuf.h"
#include "xen/cfgcheck.h"
#include "xen/xlcfg.h"

#define PV "name='g'\nkernel='/boot/vmlinuz'\n"
#define HVM "name='g'\ntype='hvm'\n"

/* Checks text; the report (as "t:LINE:COL: ...") must contain want (NULL:
 * be empty) and have nerr errors. */
static void expect(const char *text, int nerr, const char *want)
{
	struct xlcfg *c = NULL;
	struct cfg_report r = { 0 };
	struct sbuf out = SBUF_INIT;
	struct err e;

	assert_int_equal(xlcfg_parse("t", text, strlen(text), &c, &e), 0);
	cfgcheck_run(c, &r);
	cfg_report_text(&r, "t", &out);
	if (r.nerrors != nerr || (want && !strstr(sbuf_str(&out), want)) || (!want && r.n)) {
		fprintf(stderr, "config:\n%s\nreport:\n%s\nwanted %d errors and `%s'\n", text,
			sbuf_str(&out), nerr, want ? want : "(nothing)");
		fail();
	}
	sbuf_free(&out);
	cfg_report_free(&r);
	xlcfg_free(c);
}

static void test_type(void **state)
{
	enum guest_type t;
	struct xlcfg *c;
	struct err e;
	static const struct { const char *src; int ok; enum guest_type t; } cases[] = {
		{ "type='h'", 1, GUEST_HVM }, { "type=''", 1, GUEST_HVM },
		{ "type='p'", 1, GUEST_PV }, { "type='pv'", 1, GUEST_PV },
		{ "type='pvh'", 1, GUEST_PVH }, { "type='pvhx'", 0, GUEST_PV },
		{ "type='hvmx'", 0, GUEST_PV }, { "builder='hvm'", 1, GUEST_HVM },
		{ "builder='gen'", 1, GUEST_PV }, { "type='pv'\nbuilder='hvm'", 0, GUEST_PV },
		{ "type='hvm'\nbuilder='h'", 1, GUEST_HVM }, { "x=1", 1, GUEST_PV },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(xlcfg_parse("t", cases[i].src, strlen(cases[i].src), &c, &e), 0);
		assert_int_equal(cfgcheck_guest_type(c, &t, &e) == 0, cases[i].ok);
		if (cases[i].ok)
			assert_int_equal(t, cases[i].t);
		xlcfg_free(c);
	}
	expect(PV "type='pv'\nbuilder='hvm'\n", 1, "t:4:9: error: contradicting");
	expect(PV "builder='generic'\n", 0, "t:3:9: warning: builder= is deprecated");
	expect(PV "type='xen'\n", 1, "t:3:6: error: invalid domain type");
}

static void test_basic_keys(void **state)
{
	expect(PV, 0, NULL);
	expect("kernel='/k'\n", 1, "t: error: domain name must be specified");
	expect(PV "memory=512\nmaxmem=256\n", 1, "t:4:8: error: maxmem (256 MB) < memory (512 MB)");
	expect(HVM "memory=256\nmaxmem=512\n", 0, "t:4:8: warning: maxmem > memory");
	expect(PV "memory='x'\n", 1, "t:3:8: error: memory:");
	expect(PV "vcpus=4\nmaxvcpus=2\n", 1, "t:4:10: error: maxvcpus (2) < vcpus (4)");
	expect(PV "vcpus=0\n", 0, "warning: vcpus = 0: xl uses 1");
	expect(PV "cpu_weight=0\n", 1, "t:3:12: error: cpu_weight 0 out of range 1..65535");
	expect(PV "cpu_weight=65535\n", 0, NULL);
	expect(PV "vcpus=2\ncap=200\n", 0, NULL);
	expect(PV "vcpus=2\ncap=201\n", 1, "error: cap 201 out of range 0..200");
	expect(PV "vcpus=1\nmaxvcpus=4\ncap=400\n", 0, NULL);
	expect(PV "on_crash='preserve'\non_reboot='reboot'\n", 1,
	       "t:4:11: error: unknown on_reboot action \"reboot\"");
}

static void test_boot(void **state)
{
	expect("name='g'\n", 1, "neither kernel nor bootloader specified");
	expect("name='g'\ntype='pvh'\n", 1, "pvh guests need kernel=");
	expect("name='g'\nbootloader='pygrub'\n", 0, NULL);
	expect("name='g'\nfirmware='pvgrub64'\n", 0, NULL);
	expect("name='g'\nfirmware='seabios'\n", 1, "only pvgrub32 or pvgrub64");
	expect(PV "firmware='pvgrub64'\n", 1, "both kernel and firmware");
	expect(PV "cmdline='root=/dev/xvda1'\nroot='/dev/xvda1'\n", 0,
	       "t:3:9: warning: root= and extra= are ignored in favour of cmdline=");
	expect(HVM "root='/dev/xvda1'\n", 0, "t:3:6: warning: root is set but there is no kernel=");
	expect(PV "timer_mode='no_delay_for_missed_ticks'\n", 1, "not supported for PV guests");
	expect(PV "vga='stdvga'\nboot='c'\n", 0, "t:3:5: warning: vga is an HVM-only setting");
	expect(HVM "vga='stdvga'\nboot='c'\n", 0, NULL);
}

static void test_disks(void **state)
{
	expect(PV "disk=[ 'phy:/dev/vg/lv,xvda,w' ]\n", 0, NULL);
	/* the column points into the string: the quote is col 8, `xvda' col 20 */
	expect(PV "disk=[ '/dev/vg/lv,xvda,w' ]\n", 1,
	       "t:3:20: error: disk 0: unknown value for format: near `xvda'");
	expect(PV "disk='/dev/vg/lv,,xvda'\n", 1, "must be a list");
	expect(PV "disk=[ '/dev/a,,hda' ]\n", 0, "warning: disk 0: pv guests see only PV block devices");
	expect(PV "disk=[ '/dev/a,,xvda', '/dev/b,,d0p0' ]\n", 1, "same device (51712)");
	expect(PV "disk=[ '/dev/a,,xvde,r' ]\n", 0, NULL);
	expect(PV "disk=[ '/dev/a,,hde' ]\n", 1, "invalid virtual device `hde'");
	expect(HVM "disk=[ '/dev/a,,hda', '/root/x.iso,,hdc,cdrom' ]\n", 0, NULL);
	expect(HVM "disk=[ '/dev/a,,xvda,r' ]\n", 1, "read-only xvda: qemu-xen does not support");
	expect(HVM "disk=[ '/dev/a,,xvde' ]\n", 0, "only 4 emulated IDE disks exist");
	expect(HVM "hdtype='ahci'\ndisk=[ '/dev/a,,xvde' ]\n", 0, NULL);
	expect(HVM "disk=[ '/x.iso,,xvde,cdrom' ]\n", 1, "only the first 4 disks can be emulated CD-ROM");
	expect(HVM "disk=[ '/dev/a,,xvda1' ]\n", 0, "the device model ignores partition numbers");
	expect(HVM "disk=[ '/dev/a,,xvda', '/dev/b,,hda' ]\n", 1, "both emulated as IDE disk 0");
	expect(HVM "disk=[ '/dev/a,,xvda', '/dev/b,,sda,r' ]\n", 0, NULL);
	expect(PV "disk=[ ',hdc:cdrom,r' ]\n", 0, "CD-ROM drives are emulated by the device model");
}

static void test_vif_pci_cpus(void **state)
{
	expect(PV "vif=[ '', 'bridge=xenbr0,mac=00:16:3e:00:00:01' ]\n", 0, NULL);
	expect(PV "vif=[ 'bridge=xenbr0,mac=00:16:3e:00:00' ]\n", 1, "invalid mac");
	expect(PV "vif=[ 'mac=01:16:3e:00:00:01' ]\n", 0, "multicast");
	expect(PV "vif=[ 'mac=00-16-3e-00-00-01,mtu=9000' ]\n", 0, NULL);
	expect(PV "vif=[ 'mtu=big' ]\n", 1, "mtu needs a number");
	expect(PV "vif=[ 'bridge=br0,colour=red' ]\n", 0, "t:3:19: warning: vif 0: unknown setting `colour=red'");
	expect(PV "vif=[ 'type=ioemu' ]\n", 0, "only HVM guests have");
	expect(PV "pci=[ '0000:03:00.0,permissive=1' ]\n", 0, NULL);
	expect(PV "pci=[ '03:00.8' ]\n", 1, "t:3:8: error: pci 0: invalid PCI BDF");
	expect(HVM "pci=[ '0000:00:05.0' ]\n", 0, NULL);
	expect("name='g'\ntype='pvh'\nkernel='/k'\npci=[ '0000:00:05.0' ]\n", 1,
	       "t:4:5: error: pci: passthrough not yet supported for x86 PVH guests");
	expect(PV "cpus='0-3,^2'\ncpus_soft='node:0'\n", 0, NULL);
	expect(PV "cpus='0-3,^all'\n", 1, "t:3:11: error: cpus: can't combine");
	expect(PV "vcpus=2\ncpus=[ '0', '1', '2' ]\n", 0, "3 per-vCPU entries but only 2 vCPUs");
	expect(PV "vcpus=2\ncpus=[ '0', 'x' ]\n", 1, "cpus (vCPU 1): invalid pcpu range `x'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type),
		cmocka_unit_test(test_basic_keys),
		cmocka_unit_test(test_boot),
		cmocka_unit_test(test_disks),
		cmocka_unit_test(test_vif_pci_cpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
