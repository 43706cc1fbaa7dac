/* Unit tests of src/testbed/testbed: state file, ssh command lines, ports, paths. */
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

#include "testbed/testbed.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_parse), cmocka_unit_test(test_state_roundtrip),
		cmocka_unit_test(test_ssh_argv),    cmocka_unit_test(test_free_port),
		cmocka_unit_test(test_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
