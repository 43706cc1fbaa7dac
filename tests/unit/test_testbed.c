/* Unit tests of src/testbed: state file, ssh command lines, ports, paths, the
 * QEMU command line, guest allocation and xl.cfg, the shell side's facts. */
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
	snprintf(sh, sizeof(sh), ". %s && printf '%%s|%%s|%%s|%%s|%%s' \"$VMLAB_DOM0_IP\" \"$VMLAB_NET_BITS\" "
		 "\"$VMLAB_BRIDGE\" \"$VMLAB_READY\" \"$VMLAB_GUEST_READY\"", f);
	assert_int_equal(proc_run(av, &o, &st, &e), 0);
	assert_int_equal(st, 0);
	assert_string_equal(sbuf_str(&out), TB_DOM0_IP "|24|" TB_BRIDGE "|" TB_READY_MARKER "|" TB_GUEST_READY_MARKER);
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
		cmocka_unit_test(test_guest_alloc_lowest_free_index),
		cmocka_unit_test(test_guest_alloc_full_is_enospc),
		cmocka_unit_test(test_guest_cfg_through_xlcfg),
		cmocka_unit_test(test_guest_cfg_refuses_quotes_in_extra),
		cmocka_unit_test(test_const_env_read_by_sh),
		cmocka_unit_test(test_log_marker_across_reads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
