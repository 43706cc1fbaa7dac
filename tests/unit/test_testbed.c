/* Unit tests of src/testbed: state file, ssh command lines, ports, paths and
 * names, the QEMU command line, shared nets, guest allocation and xl.cfg, PCI
 * passthrough (up --iommu, guest up --pci), the shell side's facts. */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/fileio.h"
#include "base/proc.h"
#include "testbed/boot.h"
#include "testbed/guest.h"
#include "testbed/net.h"
#include "testbed/tbconst.h"
#include "testbed/testbed.h"
#include "xen/xlcfg.h"

static void test_state_parse(void **state)
{
	struct tb_state s;
	struct err e = { 0 };
	const char ok[] = "pid=4242\nport=10022\nmode=xen\naccel=tcg\nlog=/x/console.log\nfuture=1\n";

	assert_int_equal(tb_state_parse(ok, strlen(ok), "state", &s, &e), 0);
	assert_int_equal(s.pid, 4242);
	assert_int_equal(s.port, 10022);
	assert_string_equal(s.mode, "xen");
	assert_string_equal(s.accel, "tcg");
	assert_string_equal(s.log, "/x/console.log");

	assert_int_equal(tb_state_parse("pid=1\nport=70000\n", 17, "state", &s, &e), -EBADMSG);
	assert_string_equal(e.msg, "state:2:6: '70000' is not a valid port");
	assert_int_equal(tb_state_parse("pid=1\n", 6, "state", &s, &e), -EBADMSG);
	assert_int_equal(tb_state_parse("pid=12x\nport=1\n", 15, "st", &s, &e), -EBADMSG);
	assert_int_equal(tb_state_parse("garbage\n", 8, "st", &s, &e), -EBADMSG);
	assert_string_equal(e.msg, "st:1:1: expected KEY=VALUE");
	assert_int_equal(tb_state_parse("pid=1\nport=2\nmode=toolongmode\n", 30, "st", &s, &e), -EBADMSG);
}

static void test_state_roundtrip(void **state)
{
	struct tb_paths p;
	struct tb_state s = { .pid = 77, .port = 2222 }, r;
	struct err e = { 0 };
	char dir[] = "/tmp/vmlab-tbunit.XXXXXX";

	assert_non_null(mkdtemp(dir));
	memset(&p, 0, sizeof(p));
	snprintf(p.dir, sizeof(p.dir), "%s", dir);
	strcpy(s.mode, "bare");
	strcpy(s.accel, "kvm");
	strcpy(s.log, "/a b/log");
	assert_int_equal(tb_state_load(&p, &r, &e), -ENOENT);
	assert_int_equal(tb_state_save(&p, &s, &e), 0);
	assert_int_equal(tb_state_load(&p, &r, &e), 0);
	assert_int_equal(r.pid, 77);
	assert_int_equal(r.port, 2222);
	assert_string_equal(r.mode, "bare");
	assert_string_equal(r.log, "/a b/log");
	/* pid 77 is not a QEMU (or does not exist). */
	assert_false(tb_state_alive(&r));
	tb_state_remove(&p);
	assert_int_equal(tb_state_load(&p, &r, &e), -ENOENT);
	rmdir(dir);
}

static int find(char **av, const char *s)
{
	for (int k = 0; av[k]; k++)
		if (!strcmp(av[k], s))
			return k;
	return -1;
}

static void test_ssh_argv(void **state)
{
	struct tb_paths p;
	struct tb_state s = { .pid = 1, .port = 10022 };
	char *cmd[] = { "printf", "%s|", "two words", "it's", NULL };
	char **av;
	int k;

	memset(&p, 0, sizeof(p));
	strcpy(p.dir, "/home/u/my cache/testbed");
	av = tb_ssh_argv(&p, &s, NULL, 0, cmd);
	assert_string_equal(av[0], "ssh");
	assert_true(find(av, "/home/u/my cache/testbed/id_ed25519") > 0);
	assert_true(find(av, "BatchMode=yes") > 0);
	k = find(av, "-p");
	assert_true(k > 0);
	assert_string_equal(av[k + 1], "10022");
	k = find(av, "--");
	assert_true(k > 0);
	assert_string_equal(av[k + 1], "printf '%s|' 'two words' 'it'\\''s'");
	assert_null(av[k + 2]);
	argv_free(av);

	/* Through dom0: the ProxyCommand line is for a local shell, so the key path is quoted. */
	av = tb_ssh_argv(&p, &s, "10.0.0.11", 0, cmd);
	k = find(av, "root@10.0.0.11");
	assert_true(k > 0);
	for (k = 0; av[k] && strncmp(av[k], "ProxyCommand=", 13); k++)
		;
	assert_non_null(av[k]);
	assert_non_null(strstr(av[k], "-i '/home/u/my cache/testbed/id_ed25519'"));
	assert_non_null(strstr(av[k], "-p 10022 -W %h:%p root@127.0.0.1"));
	assert_int_equal(find(av, "-p"), -1);
	argv_free(av);

	av = tb_ssh_argv_sh(&p, &s, NULL, "xl info && xl list");
	k = find(av, "--");
	assert_string_equal(av[k + 1], "xl info && xl list");
	argv_free(av);
}

static void test_free_port(void **state)
{
	struct err e = { 0 };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port, got;

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	port = ntohs(a.sin_port);
	got = tb_free_port(port, &e);
	assert_true(got > port);
	close(fd);
}

static void test_paths(void **state)
{
	struct tb_paths p;
	struct err e = { 0 };

	setenv("VMLAB_HOME", "/tmp/vmlab-home-test", 1);
	unsetenv("VMLAB_DATADIR");
	assert_int_equal(tb_paths_get(&p, &e), 0);
	assert_string_equal(p.home, "/tmp/vmlab-home-test");
	assert_string_equal(p.dir, "/tmp/vmlab-home-test/testbed");
	/* the default testbed keeps its files where they always were */
	assert_string_equal(p.name, TB_DEFAULT_NAME);
	assert_string_equal(p.run, p.dir);
	assert_int_equal(tb_paths_named(&p, NULL, &e), 0);
	assert_string_equal(p.run, p.dir);
	assert_int_equal(tb_paths_named(&p, "a", &e), 0);
	assert_string_equal(p.run, p.dir);
	assert_int_equal(tb_paths_named(&p, "lab-2", &e), 0);
	assert_string_equal(p.name, "lab-2");
	assert_string_equal(p.dir, "/tmp/vmlab-home-test/testbed");
	assert_string_equal(p.run, "/tmp/vmlab-home-test/testbed/beds/lab-2");
	assert_int_equal(tb_paths_named(&p, "../x", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "testbed name '../x'"));
	setenv("VMLAB_DATADIR", "/nonexistent", 1);
	assert_int_equal(tb_paths_get(&p, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "VMLAB_DATADIR=/nonexistent"));
	unsetenv("VMLAB_DATADIR");
	unsetenv("VMLAB_HOME");
}

/* The word after opt in av (NULL when opt is absent). */
static const char *after(char **av, const char *opt)
{
	int k = find(av, opt);

	return k < 0 ? NULL : av[k + 1];
}

static void test_qemu_argv_xen_and_bare(void **state)
{
	struct tb_boot_opts o = { .bare = 0, .kvm = 1, .ram_mib = 3072, .port = 10025 };
	char **av = tb_qemu_argv(&o);

	assert_string_equal(av[0], "qemu-system-x86_64");
	assert_string_equal(after(av, "-accel"), "kvm");
	assert_string_equal(after(av, "-m"), "3072");
	assert_string_equal(after(av, "-netdev"), "user,id=n0,hostfwd=tcp:127.0.0.1:10025-:22");
	assert_string_equal(after(av, "-kernel"), "xen.elf");
	assert_non_null(strstr(after(av, "-append"), "dom0_mem=1024M,max:1024M"));
	assert_string_equal(after(av, "-initrd"), "vmlinuz console=hvc0 quiet " TB_KERNEL_OPTS ",dom0-initrd.cpio");
	assert_string_equal(after(av, "-serial"), "file:console.log");
	assert_string_equal(after(av, "-pidfile"), "qemu.pid");
	assert_true(find(av, "-daemonize") > 0);
	assert_true(find(av, "-no-reboot") > 0);
	argv_free(av);

	o.bare = 1;
	o.kvm = 0;
	av = tb_qemu_argv(&o);
	assert_string_equal(after(av, "-accel"), "tcg");
	assert_string_equal(after(av, "-kernel"), "vmlinuz");
	assert_string_equal(after(av, "-append"), "console=ttyS0 quiet " TB_KERNEL_OPTS);
	assert_string_equal(after(av, "-initrd"), "dom0-initrd.cpio");
	argv_free(av);
}

static void test_name_valid(void **state)
{
	static const char *const good[] = { "a", "b", "lab-1", "0", "abcdefghijklmno" };
	static const char *const bad[] = { "", "A", "-x", "a_b", "a b", "abcdefghijklmnop", "a/b", "..", "b\n" };

	for (size_t k = 0; k < sizeof(good) / sizeof(good[0]); k++)
		assert_true(tb_name_valid(good[k]));
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		assert_false(tb_name_valid(bad[k]));
	assert_false(tb_name_valid(NULL));
}

/* Checks the facts of s that came with names and nets. */
static void facts_are(const struct tb_state *s, const char *name, int cpus, const char *xen_args, const char *net,
		      int net_index, const char *group)
{
	assert_string_equal(s->name, name);
	assert_int_equal(s->cpus, cpus);
	assert_string_equal(s->xen_args, xen_args);
	assert_string_equal(s->net, net);
	assert_int_equal(s->net_index, net_index);
	assert_string_equal(s->net_group, group);
}

static void test_state_parse_new_keys(void **state)
{
	struct tb_state s;
	struct err e = { 0 };
	const char ok[] = "pid=4242\nport=10023\nmode=xen\naccel=tcg\nlog=/h/beds/b/console.log\nname=b\ncpus=4\n"
			  "xen_args=sched=credit dom0_max_vcpus=1 dom0_vcpus_pin\nnet=lab\nnet_index=1\n"
			  "net_group=239.193.12.34:23456\n";
	const char old[] = "pid=1\nport=2\nmode=xen\n";
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "pid=1\nport=2\ncpus=0\n", "st:3:6: '0' is not a valid cpus" },
		{ "pid=1\nport=2\ncpus=17\n", NULL },
		{ "pid=1\nport=2\nnet_index=255\n", NULL },
		{ "pid=1\nport=2\nname=B\n", "st:3:6: 'B' is not a valid testbed name" },
		{ "pid=1\nport=2\nnet=x:y\n", "st:3:5: 'x:y' is not a valid net name" },
		{ "pid=1\nport=2\nnet_group=239.1.1.1;x\n", NULL },
	};
	char big[400];

	assert_int_equal(tb_state_parse(ok, strlen(ok), "state", &s, &e), 0);
	facts_are(&s, "b", 4, "sched=credit dom0_max_vcpus=1 dom0_vcpus_pin", "lab", 1, "239.193.12.34:23456");
	/* a state written before names, cpus and nets: the defaults */
	assert_int_equal(tb_state_parse(old, strlen(old), "state", &s, &e), 0);
	assert_int_equal(s.cpus, TB_CPUS_DEFAULT);
	assert_string_equal(s.name, "");
	assert_string_equal(s.net, "");
	assert_int_equal(s.net_index, 0);

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		assert_int_equal(tb_state_parse(bad[k].text, strlen(bad[k].text), "st", &s, &e), -EBADMSG);
		if (bad[k].msg)
			assert_string_equal(e.msg, bad[k].msg);
	}
	snprintf(big, sizeof(big), "pid=1\nport=2\nxen_args=%0300d\n", 0);
	assert_int_equal(tb_state_parse(big, strlen(big), "st", &s, &e), -EBADMSG);
	assert_string_equal(e.msg, "st:3:10: longer than 255 bytes");
}

static void test_state_named_roundtrip_and_names(void **state)
{
	char home[] = "/tmp/vmlab-tbunit.XXXXXX", cmd[64];
	char names[8][TB_NAME_MAX + 1];
	struct tb_paths a, b, c;
	struct tb_state s = { .pid = 99, .port = 10030, .cpus = 3, .net_index = 2 }, r;
	struct err e = { 0 };

	assert_non_null(mkdtemp(home));
	setenv("VMLAB_HOME", home, 1);
	unsetenv("VMLAB_DATADIR");
	assert_int_equal(tb_paths_named(&a, NULL, &e), 0);
	assert_int_equal(tb_paths_named(&b, "zz", &e), 0);
	assert_int_equal(tb_paths_named(&c, "b", &e), 0);
	assert_int_equal(tb_names(&a, names, 8), 0);
	strcpy(s.mode, "xen");
	strcpy(s.accel, "tcg");
	strcpy(s.xen_args, "sched=credit");
	strcpy(s.net, "lab");
	strcpy(s.net_group, "239.193.1.2:20001");
	assert_int_equal(tb_state_save(&b, &s, &e), 0);
	assert_int_equal(tb_state_load(&a, &r, &e), -ENOENT);
	assert_int_equal(tb_state_load(&b, &r, &e), 0);
	facts_are(&r, "zz", 3, "sched=credit", "lab", 2, "239.193.1.2:20001");
	s.net[0] = 0;
	assert_int_equal(tb_state_save(&c, &s, &e), 0);
	assert_int_equal(tb_state_save(&a, &s, &e), 0);
	/* the default first, the others sorted */
	assert_int_equal(tb_names(&a, names, 8), 3);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "b");
	assert_string_equal(names[2], "zz");
	assert_int_equal(tb_names(&a, names, 2), 2);
	/* none of them runs (pid 99 is no QEMU): every index is free */
	assert_int_equal(tb_net_pick(&a, "lab", &e), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	assert_int_equal(system(cmd), 0);
	unsetenv("VMLAB_HOME");
}

/* The word after the nth (0-based) opt in av (NULL when there is none). */
static const char *after_nth(char **av, const char *opt, int nth)
{
	for (int k = 0; av[k]; k++)
		if (!strcmp(av[k], opt) && nth-- == 0)
			return av[k + 1];
	return NULL;
}

static void test_qemu_argv_named_net_cpus_xen_args(void **state)
{
	struct tb_boot_opts o = { .kvm = 0, .ram_mib = 4096, .port = 10031, .name = "b", .cpus = 4,
				  .xen_args = "sched=credit dom0_max_vcpus=1 dom0_vcpus_pin",
				  .net_group = "239.193.7.9:31000", .net_index = 1 };
	char **av = tb_qemu_argv(&o);

	assert_string_equal(after(av, "-name"), "vmlab-testbed-b");
	assert_string_equal(after(av, "-smp"), "4");
	assert_string_equal(after(av, "-serial"), "file:beds/b/console.log");
	assert_string_equal(after(av, "-pidfile"), "beds/b/qemu.pid");
	assert_string_equal(after(av, "-drive"), "file=beds/b/vg0.img,if=virtio,format=raw,cache=unsafe");
	assert_string_equal(after_nth(av, "-netdev", 0), "user,id=n0,hostfwd=tcp:127.0.0.1:10031-:22");
	assert_string_equal(after_nth(av, "-netdev", 1), "socket,id=n1,mcast=239.193.7.9:31000,localaddr=127.0.0.1");
	assert_string_equal(after_nth(av, "-device", 1), "virtio-net-pci,netdev=n1,mac=52:54:00:aa:01:01");
	assert_string_equal(after(av, "-append"),
			    "console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=2 bootscrub=0 "
			    "noreboot sched=credit dom0_max_vcpus=1 dom0_vcpus_pin");
	assert_string_equal(after(av, "-initrd"), "vmlinuz console=hvc0 quiet " TB_KERNEL_OPTS
			    " vmlab.ip=10.0.1.1/16 vmlab.netmac=52:54:00:aa:01:01,dom0-initrd.cpio");
	argv_free(av);

	/* one CPU: dom0 gets one vCPU; bare on a net: the same facts for its kernel */
	o = (struct tb_boot_opts){ .ram_mib = 2048, .port = 10032, .name = "c", .cpus = 1 };
	av = tb_qemu_argv(&o);
	assert_string_equal(after(av, "-smp"), "1");
	assert_non_null(strstr(after(av, "-append"), " dom0_max_vcpus=1 bootscrub=0 noreboot"));
	assert_null(after_nth(av, "-netdev", 1));
	argv_free(av);
	o = (struct tb_boot_opts){ .bare = 1, .ram_mib = 2048, .port = 10033, .net_group = "239.193.1.1:20000",
				   .net_index = 3 };
	av = tb_qemu_argv(&o);
	assert_string_equal(after(av, "-name"), "vmlab-testbed");
	assert_string_equal(after(av, "-append"), "console=ttyS0 quiet " TB_KERNEL_OPTS
			    " vmlab.ip=10.0.3.1/16 vmlab.netmac=52:54:00:aa:03:01");
	argv_free(av);

	/* the default testbed's command line is what it was before names */
	o = (struct tb_boot_opts){ .kvm = 1, .ram_mib = 3072, .port = 10025, .name = "a" };
	av = tb_qemu_argv(&o);
	assert_string_equal(after(av, "-name"), "vmlab-testbed");
	assert_string_equal(after(av, "-smp"), "2");
	assert_string_equal(after(av, "-append"), "console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M "
			    "dom0_max_vcpus=2 bootscrub=0 noreboot");
	assert_null(after_nth(av, "-netdev", 1));
	argv_free(av);
}

/* The index of the first av[k] == opt whose next word starts with prefix, or -1. */
static int find_arg(char **av, const char *opt, const char *prefix)
{
	for (int k = 0; av[k] && av[k + 1]; k++)
		if (!strcmp(av[k], opt) && !strncmp(av[k + 1], prefix, strlen(prefix)))
			return k;
	return -1;
}

static void test_qemu_argv_iommu(void **state)
{
	struct tb_boot_opts o = { .ram_mib = 3072, .port = 10040, .name = "pt", .net_group = "239.193.7.9:31000",
				  .net_index = 2 };
	char **av = tb_qemu_argv(&o);
	char mac[32], ptmac[32], want[128];
	int iommu;

	/* without --iommu: no IOMMU, no passthrough NIC */
	assert_int_equal(find_arg(av, "-device", "intel-iommu"), -1);
	assert_int_equal(find_arg(av, "-device", "e1000e"), -1);
	assert_int_equal(find_arg(av, "-netdev", "socket,id=pt0"), -1);
	assert_string_equal(after(av, "-machine"), "q35");
	argv_free(av);

	o.iommu = 1;
	av = tb_qemu_argv(&o);
	iommu = find_arg(av, "-device", "intel-iommu");
	assert_true(iommu > 0);
	assert_string_equal(av[iommu + 1], "intel-iommu,intremap=on");
	assert_int_equal(find(av, "-device"), iommu);  /* before every other device */
	assert_true(iommu < find(av, "-netdev"));
	assert_string_equal(after(av, "-machine"), "q35");  /* TCG: no irqchip option */
	assert_string_equal(after_nth(av, "-netdev", 2), "socket,id=pt0,mcast=239.193.7.9:31000,localaddr=127.0.0.1");
	tb_net_pt_mac(2, ptmac, sizeof(ptmac));
	tb_net_mac(2, mac, sizeof(mac));
	assert_string_equal(ptmac, "52:54:00:ab:02:01");
	assert_string_not_equal(ptmac, mac);
	snprintf(want, sizeof(want), "e1000e,netdev=pt0,mac=%s,addr=0x5,romfile=", ptmac);
	assert_string_equal(after_nth(av, "-device", 3), want);
	assert_string_equal(TB_PT_BDF, "0000:00:05.0");
	/* the dom0 kernel learns nothing new: the NIC is for a guest */
	assert_string_equal(after(av, "-initrd"), "vmlinuz console=hvc0 quiet " TB_KERNEL_OPTS
			    " vmlab.ip=10.0.2.1/16 vmlab.netmac=52:54:00:aa:02:01,dom0-initrd.cpio");
	argv_free(av);

	/* KVM's in-kernel irqchip cannot remap interrupts */
	o.kvm = 1;
	av = tb_qemu_argv(&o);
	assert_string_equal(after(av, "-machine"), "q35,kernel-irqchip=split");
	argv_free(av);
}

static void test_up_iommu_needs_net(void **state)
{
	struct tb_paths p;
	struct tb_state s;
	struct tb_up_opts o = { .iommu = 1, .timeout_s = 1 };
	struct err e = { 0 };
	int already = 0;

	memset(&p, 0, sizeof(p));
	assert_int_equal(tb_up(&p, &o, NULL, &s, &already, &e), -EINVAL);
	assert_string_equal(e.msg, "--iommu needs --net NET: the passthrough NIC joins that net");
	o.net = "lab";
	o.bare = 1;
	assert_int_equal(tb_up(&p, &o, NULL, &s, &already, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "--bare"));
}

static void test_state_iommu_roundtrip(void **state)
{
	struct tb_paths p;
	struct tb_state s = { .pid = 78, .port = 2223, .cpus = 2, .net_index = 4 }, r;
	struct err e = { 0 };
	char dir[] = "/tmp/vmlab-tbunit.XXXXXX";
	const char old[] = "pid=1\nport=2\nmode=xen\nnet=lab\nnet_index=0\nnet_group=239.193.1.1:20000\n";
	struct sbuf text = SBUF_INIT;
	char f[PATH_MAX + 8];

	assert_non_null(mkdtemp(dir));
	memset(&p, 0, sizeof(p));
	snprintf(p.dir, sizeof(p.dir), "%s", dir);
	strcpy(s.mode, "xen");
	strcpy(s.accel, "tcg");
	strcpy(s.net, "ptnet");
	strcpy(s.net_group, "239.193.3.4:25000");
	s.iommu = 1;
	assert_int_equal(tb_state_save(&p, &s, &e), 0);
	snprintf(f, sizeof(f), "%s/state", dir);
	assert_int_equal(file_read(f, &text, &e), 0);
	assert_non_null(strstr(sbuf_str(&text), "\niommu=1\n"));
	assert_int_equal(tb_state_load(&p, &r, &e), 0);
	assert_int_equal(r.iommu, 1);
	facts_are(&r, "a", 2, "", "ptnet", 4, "239.193.3.4:25000");
	/* without --iommu the state does not name it, and reads back as 0 */
	s.iommu = 0;
	assert_int_equal(tb_state_save(&p, &s, &e), 0);
	sbuf_reset(&text);
	assert_int_equal(file_read(f, &text, &e), 0);
	assert_null(strstr(sbuf_str(&text), "iommu"));
	assert_int_equal(tb_state_load(&p, &r, &e), 0);
	assert_int_equal(r.iommu, 0);
	/* a state from before --iommu */
	assert_int_equal(tb_state_parse(old, strlen(old), "state", &r, &e), 0);
	assert_int_equal(r.iommu, 0);
	assert_int_equal(tb_state_parse("pid=1\nport=2\niommu=2\n", 21, "st", &r, &e), -EBADMSG);
	assert_string_equal(e.msg, "st:3:7: '2' is not a valid iommu");
	tb_state_remove(&p);
	sbuf_free(&text);
	rmdir(dir);
}

static void test_xen_args_check(void **state)
{
	struct err e = { 0 };
	char big[300];

	assert_int_equal(tb_xen_args_check("sched=credit dom0_max_vcpus=1 dom0_vcpus_pin", &e), 0);
	assert_int_equal(tb_xen_args_check("", &e), 0);
	assert_int_equal(tb_xen_args_check("a\tb", &e), -EINVAL);
	assert_string_equal(e.msg, "--xen-args: byte 1 (0x09) is not printable ASCII");
	assert_int_equal(tb_xen_args_check("x\ny", &e), -EINVAL);
	memset(big, 'x', 256);
	big[256] = 0;
	assert_int_equal(tb_xen_args_check(big, &e), -EINVAL);
	assert_string_equal(e.msg, "--xen-args: 256 bytes, at most 255");
}

static void test_net_forms_groups_addresses(void **state)
{
	struct tb_state s = { .net_index = 2 };
	struct err e = { 0 };
	char g1[32], g2[32], g3[32], ip[32];
	unsigned a, b, port;

	assert_int_equal(tb_net_check("lab", &e), 0);
	assert_int_equal(tb_net_check("x:y", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "'x:y' is no known net form"));
	assert_int_equal(tb_net_check("udp:127.0.0.1:5000", &e), -EINVAL);
	assert_int_equal(tb_net_check("", &e), -EINVAL);

	tb_net_group("/home/u/.cache/vmlab", "lab", g1, sizeof(g1));
	tb_net_group("/home/u/.cache/vmlab", "lab", g2, sizeof(g2));
	assert_string_equal(g1, g2);
	assert_int_equal(sscanf(g1, "239.193.%u.%u:%u", &a, &b, &port), 3);
	assert_true(a < 256 && b < 256 && port >= 20000 && port < 40000);
	tb_net_group("/tmp/other-home", "lab", g2, sizeof(g2));
	tb_net_group("/home/u/.cache/vmlab", "lab2", g3, sizeof(g3));
	assert_string_not_equal(g1, g2);
	assert_string_not_equal(g1, g3);

	/* without a net: the private network of today */
	tb_net_dom0_ip(&s, ip, sizeof(ip));
	assert_string_equal(ip, TB_DOM0_IP);
	tb_net_guest_ip(&s, 3, ip, sizeof(ip));
	assert_string_equal(ip, "10.0.0.13");
	assert_int_equal(tb_net_bits(&s), 24);
	strcpy(s.net, "lab");
	tb_net_dom0_ip(&s, ip, sizeof(ip));
	assert_string_equal(ip, "10.0.2.1");
	tb_net_guest_ip(&s, 3, ip, sizeof(ip));
	assert_string_equal(ip, "10.0.2.13");
	assert_int_equal(tb_net_bits(&s), 16);
	tb_net_mac(2, ip, sizeof(ip));
	assert_string_equal(ip, "52:54:00:aa:02:01");
}

static void test_guest_alloc_lowest_free_index(void **state)
{
	struct tb_guest gs[3] = { { "pv1", "pv", TB_NET_PREFIX "11", 1 }, { "web", "hvm", TB_NET_PREFIX "13", 3 } };
	struct tb_guest_opts o = { .type = "pvh" };
	struct tb_guest g;
	struct err e = { 0 };

	assert_int_equal(tb_guest_alloc(gs, 2, &o, &g, &e), 0);
	assert_int_equal(g.index, 2);
	assert_string_equal(g.name, "pvh2");
	assert_string_equal(g.type, "pvh");
	assert_string_equal(g.ip, "10.0.0.12");
	o.name = "web";
	assert_int_equal(tb_guest_alloc(gs, 2, &o, &g, &e), -EEXIST);
	assert_string_equal(e.msg, "guest web exists already");
	assert_int_equal(tb_guest_alloc(NULL, 0, &o, &g, &e), 0);
	assert_int_equal(g.index, 1);
	assert_string_equal(g.name, "web");
	assert_true(tb_guest_name_valid("a-b_9"));
	assert_false(tb_guest_name_valid("a b"));
	assert_false(tb_guest_name_valid("-x"));
}

static void test_guest_alloc_full_is_enospc(void **state)
{
	static struct tb_guest gs[TB_MAX_GUESTS];
	struct tb_guest_opts o = { .type = "pv" };
	struct tb_guest g;
	struct err e = { 0 };

	for (int k = 0; k < TB_MAX_GUESTS - 1; k++) {
		gs[k].index = k + 1;
		snprintf(gs[k].name, sizeof(gs[k].name), "g%d", k);
	}
	assert_int_equal(tb_guest_alloc(gs, TB_MAX_GUESTS - 1, &o, &g, &e), -ENOSPC);
	assert_string_equal(e.msg, "too many guests");
}

/* The guest's xl.cfg, read back through the xl.cfg engine. */
static struct xlcfg *guest_cfg(const struct tb_guest *g, const struct tb_guest_opts *o)
{
	struct sbuf text = SBUF_INIT;
	struct xlcfg *c = NULL;
	struct err e = { 0 };

	assert_int_equal(tb_guest_cfg(g, o, &text, &e), 0);
	assert_int_equal(xlcfg_parse("guest.cfg", sbuf_str(&text), text.len, &c, &e), 0);
	sbuf_free(&text);
	return c;
}

static const char *str(const struct xlcfg *c, const char *key)
{
	const struct xlcfg_value *v = xlcfg_get(c, key);

	return v && v->kind != XLCFG_LIST ? v->str : NULL;
}

static void test_guest_cfg_through_xlcfg(void **state)
{
	struct tb_guest g = { "pv3", "pv", "10.0.0.13", 3 };
	struct tb_guest_opts o = { .type = "pv", .extra = "loglevel=7" };
	const struct xlcfg_value *vif;
	struct xlcfg *c = guest_cfg(&g, &o);
	long n;
	struct err e = { 0 };

	assert_string_equal(str(c, "name"), "pv3");
	assert_string_equal(str(c, "type"), "pv");
	assert_string_equal(str(c, "kernel"), "/var/lib/vmlab/vmlinux");
	assert_string_equal(str(c, "ramdisk"), "/var/lib/vmlab/guest-initrd.gz");
	assert_string_equal(str(c, "extra"), "console=hvc0 quiet " TB_KERNEL_OPTS
			    " vmlab.ip=10.0.0.13/24 vmlab.name=pv3 loglevel=7");
	assert_int_equal(xlcfg_get_long(c, "memory", &n, &e), 0);
	assert_int_equal(n, 128);
	assert_int_equal(xlcfg_get_long(c, "vcpus", &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(str(c, "tsc_mode"), TB_TSC_MODE_DEFAULT);
	assert_int_equal(xlcfg_get_list(c, "vif", &vif, &e), 0);
	assert_int_equal(vif->nitems, 1);
	assert_string_equal(vif->items[0]->str, "bridge=xenbr0,mac=00:16:3e:00:00:03");
	assert_null(xlcfg_get(c, "serial"));
	assert_string_equal(str(c, "on_crash"), "destroy");
	xlcfg_free(c);

	/* HVM: the bzImage, a serial log, no graphics, the PV NIC only. */
	g = (struct tb_guest){ "h", "hvm", "10.0.0.11", 1 };
	o = (struct tb_guest_opts){ .type = "hvm", .tsc_mode = "default", .memory_mib = 512, .vcpus = 2 };
	c = guest_cfg(&g, &o);
	assert_string_equal(str(c, "kernel"), "/var/lib/vmlab/vmlinuz");
	assert_non_null(strstr(str(c, "extra"), "console=ttyS0 "));
	assert_string_equal(str(c, "serial"), "file:/var/log/xen/console/h-serial.log");
	assert_string_equal(str(c, "nographic"), "1");
	assert_string_equal(str(c, "tsc_mode"), "default");
	assert_string_equal(str(c, "memory"), "512");
	assert_string_equal(str(c, "vcpus"), "2");
	assert_int_equal(xlcfg_get_list(c, "vif", &vif, &e), 0);
	assert_string_equal(vif->items[0]->str, "type=vif,bridge=xenbr0,mac=00:16:3e:00:00:01");
	xlcfg_free(c);
}

static void test_guest_on_shared_net(void **state)
{
	struct tb_state s = { .net_index = 1 };
	struct tb_guest g = { "pv3", "pv", "10.0.0.13", 3 };
	struct tb_guest_opts o = { .type = "pv" };
	const struct xlcfg_value *vif;
	struct xlcfg *c;
	struct err e = { 0 };

	tb_guest_place(&s, &g);    /* no net: nothing moves */
	assert_string_equal(g.ip, "10.0.0.13");
	assert_string_equal(g.gw, "");
	strcpy(s.net, "lab");
	tb_guest_place(&s, &g);
	assert_string_equal(g.ip, "10.0.1.13");
	assert_string_equal(g.gw, "10.0.1.1");
	assert_int_equal(g.bits, 16);
	c = guest_cfg(&g, &o);
	assert_string_equal(str(c, "extra"), "console=hvc0 quiet " TB_KERNEL_OPTS
			    " vmlab.ip=10.0.1.13/16 vmlab.gw=10.0.1.1 vmlab.name=pv3");
	assert_int_equal(xlcfg_get_list(c, "vif", &vif, &e), 0);
	/* the testbed's index in the MAC: guest 3 of testbed 0 differs */
	assert_string_equal(vif->items[0]->str, "bridge=xenbr0,mac=00:16:3e:00:01:03");
	xlcfg_free(c);
}

static void test_guest_pci_cfg_and_refusals(void **state)
{
	struct tb_state s = { .net_index = 3, .iommu = 1 };
	struct tb_guest g = { 0 }, gs[2] = { { "web", "pv", "10.0.3.11", 1 } };
	struct tb_guest_opts o = { .type = "pv", .pci = 1 };
	const struct xlcfg_value *pci;
	struct sbuf text = SBUF_INIT;
	struct xlcfg *c;
	struct err e = { 0 };
	char ip[32];

	strcpy(s.net, "ptnet");
	strcpy(s.name, "pt");
	assert_int_equal(tb_guest_alloc(gs, 1, &o, &g, &e), 0);
	assert_int_equal(g.pci, 1);
	tb_guest_place(&s, &g);
	c = guest_cfg(&g, &o);
	assert_int_equal(xlcfg_get_list(c, "pci", &pci, &e), 0);
	assert_int_equal(pci->nitems, 1);
	assert_string_equal(pci->items[0]->str, TB_PT_BDF);
	assert_string_equal(str(c, "extra"), "console=hvc0 quiet " TB_KERNEL_OPTS " vmlab.ip=10.0.3.12/16 "
			    "vmlab.gw=10.0.3.1 vmlab.name=pv2 vmlab.ptip=10.0.3.250/16 vmlab.ptmac=52:54:00:ab:03:01");
	xlcfg_free(c);
	assert_int_equal(tb_guest_cfg(&g, &o, &text, &e), 0);
	assert_non_null(strstr(sbuf_str(&text), "\npci = [ '" TB_PT_BDF "' ]\n"));
	sbuf_reset(&text);
	tb_net_pt_ip(3, ip, sizeof(ip));
	assert_string_equal(ip, "10.0.3.250");
	/* a guest without --pci has no pci key */
	g.pci = 0;
	c = guest_cfg(&g, &o);
	assert_null(xlcfg_get(c, "pci"));
	assert_null(strstr(str(c, "extra"), "vmlab.pt"));
	xlcfg_free(c);

	/* PVH: libxl's own reason, from the check and from the cfg */
	assert_int_equal(tb_guest_pci_check(&s, gs, 1, "pvh", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "passthrough not yet supported for x86 PVH guests"));
	g = (struct tb_guest){ "pvh1", "pvh", "10.0.3.11", 1, .pci = 1 };
	o.type = "pvh";
	assert_int_equal(tb_guest_cfg(&g, &o, &text, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "passthrough not yet supported for x86 PVH guests"));
	assert_int_equal(text.len, 0);
	sbuf_free(&text);
	/* pv and hvm pass; a testbed without --iommu does not */
	assert_int_equal(tb_guest_pci_check(&s, gs, 1, "pv", &e), 0);
	assert_int_equal(tb_guest_pci_check(&s, gs, 1, "hvm", &e), 0);
	s.iommu = 0;
	assert_int_equal(tb_guest_pci_check(&s, gs, 1, "hvm", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "testbed pt is not up with --iommu"));
	/* one holder at a time: the second is told who has it */
	s.iommu = 1;
	gs[1] = (struct tb_guest){ "ptpv", "pv", "10.0.3.12", 2, .pci = 1 };
	assert_int_equal(tb_guest_pci_check(&s, gs, 2, "hvm", &e), -EBUSY);
	assert_string_equal(e.msg, "--pci: guest ptpv holds the passthrough NIC 0000:00:05.0; "
			    "'vmlab testbed guest down ptpv --testbed pt' first");
}

static void test_guest_cfg_refuses_quotes_in_extra(void **state)
{
	struct tb_guest g = { "pv1", "pv", "10.0.0.11", 1 };
	struct tb_guest_opts o = { .type = "pv", .extra = "a\"b" };
	struct sbuf text = SBUF_INIT;
	struct err e = { 0 };

	assert_int_equal(tb_guest_cfg(&g, &o, &text, &e), -EINVAL);
	assert_int_equal(text.len, 0);
	o.extra = NULL;
	o.tsc_mode = "fast";
	assert_int_equal(tb_guest_cfg(&g, &o, &text, &e), -EINVAL);
	assert_int_equal(text.len, 0);
}

/* The shell side sources testbed.env and sees the C values. */
static void test_const_env_read_by_sh(void **state)
{
	char f[] = "/tmp/vmlab-tbenv.XXXXXX";
	int fd = mkstemp(f);
	struct sbuf env = SBUF_INIT, out = SBUF_INIT;
	struct err e = { 0 };
	char sh[256];
	char *av[] = { "sh", "-c", sh, NULL };
	struct proc_opts o = { .out = &out };
	int st = -1;

	assert_true(fd >= 0);
	close(fd);
	tb_const_env(&env);
	assert_int_equal(file_write_atomic(f, env.buf, env.len, &e), 0);
	snprintf(sh, sizeof(sh), ". %s && printf '%%s|%%s|%%s|%%s|%%s|%%s' \"$VMLAB_DOM0_IP\" \"$VMLAB_NET_BITS\" "
		 "\"$VMLAB_BRIDGE\" \"$VMLAB_READY\" \"$VMLAB_GUEST_READY\" \"$VMLAB_PT_BDF\"", f);
	assert_int_equal(proc_run(av, &o, &st, &e), 0);
	assert_int_equal(st, 0);
	assert_string_equal(sbuf_str(&out), TB_DOM0_IP "|24|" TB_BRIDGE "|" TB_READY_MARKER "|" TB_GUEST_READY_MARKER
			    "|" TB_PT_BDF);
	unlink(f);
	sbuf_free(&env);
	sbuf_free(&out);
}

/* The ready marker is found where a 64 KiB read ends inside it. */
static void test_log_marker_across_reads(void **state)
{
	char f[] = "/tmp/vmlab-tblog.XXXXXX";
	int fd = mkstemp(f);
	size_t pad = 65536 - 5;
	struct sbuf text = SBUF_INIT;
	struct err e = { 0 };
	off_t off = 0;

	assert_true(fd >= 0);
	close(fd);
	for (size_t k = 0; k < pad; k++)
		sbuf_putc(&text, 'x');
	assert_int_equal(file_write_atomic(f, text.buf, text.len, &e), 0);
	assert_false(tb_log_has(f, TB_READY_MARKER, &off));
	sbuf_puts(&text, TB_READY_MARKER " xen\n");
	assert_int_equal(file_write_atomic(f, text.buf, text.len, &e), 0);
	assert_true(tb_log_has(f, TB_READY_MARKER, &off));
	unlink(f);
	sbuf_free(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_parse), cmocka_unit_test(test_state_roundtrip),
		cmocka_unit_test(test_ssh_argv),    cmocka_unit_test(test_free_port),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_qemu_argv_xen_and_bare),
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_state_parse_new_keys),
		cmocka_unit_test(test_state_named_roundtrip_and_names),
		cmocka_unit_test(test_qemu_argv_named_net_cpus_xen_args),
		cmocka_unit_test(test_xen_args_check),
		cmocka_unit_test(test_qemu_argv_iommu),
		cmocka_unit_test(test_up_iommu_needs_net),
		cmocka_unit_test(test_state_iommu_roundtrip),
		cmocka_unit_test(test_net_forms_groups_addresses),
		cmocka_unit_test(test_guest_on_shared_net),
		cmocka_unit_test(test_guest_alloc_lowest_free_index),
		cmocka_unit_test(test_guest_alloc_full_is_enospc),
		cmocka_unit_test(test_guest_cfg_through_xlcfg),
		cmocka_unit_test(test_guest_cfg_refuses_quotes_in_extra),
		cmocka_unit_test(test_guest_pci_cfg_and_refusals),
		cmocka_unit_test(test_const_env_read_by_sh),
		cmocka_unit_test(test_log_marker_across_reads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
