/* Unit tests of src/web/topology: the places, the defaults and the
 * refusals with their FILE:LINE:COL. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "web/topology.h"

static int parse(const char *text, struct web_topology *t, struct err *e)
{
	return web_topology_parse("dir/t4.topo", text, strlen(text), t, e);
}

/* text must be refused with a message that starts with want. */
static void refused(const char *text, const char *want)
{
	struct web_topology t;
	struct err e = { 0, "" };

	if (parse(text, &t, &e) != -EINVAL) {
		fprintf(stderr, "accepted: %s\n", text);
		fail();
	}
	if (strncmp(e.msg, want, strlen(want))) {
		fprintf(stderr, "got: %s\nwant: %s...\n", e.msg, want);
		fail();
	}
	assert_null(t.server.env);
	assert_null(t.clients);
}

static void test_full(void **state)
{
	struct web_topology t;
	struct err e = { 0, "" };
	int rc = parse("server = \"xen:hvm@testbed\"\n"
		       "besim = \"xen:pvh@testbed:b\"\n"
		       "clients = [ \"xen:pvh@testbed\", \"xen:pv@testbed:b\" ]\n"
		       "server_cpus = \"1\"\nclients_cpus = \"0\"\ndom0_cpus = \"0\"\n"
		       "guest_memory = 384\n", &t, &e);

	if (rc)
		fprintf(stderr, "%s\n", e.msg);
	assert_int_equal(rc, 0);
	assert_string_equal(t.name, "t4");
	assert_string_equal(t.server.env, "xen:hvm@testbed");
	assert_string_equal(t.server.cpus, "1");
	assert_int_equal(t.server.cpus_at.line, 4);
	assert_int_equal(t.server.cpus_at.col, 15);
	assert_string_equal(t.besim.env, "xen:pvh@testbed:b");
	assert_null(t.besim.cpus);
	assert_int_equal(t.nclients, 2);
	assert_string_equal(t.clients[1].env, "xen:pv@testbed:b");
	assert_int_equal(t.clients[1].env_at.line, 3);
	assert_int_equal(t.clients[1].env_at.col, 32);
	assert_string_equal(t.clients[0].cpus, "0");
	assert_string_equal(t.clients[1].cpus, "0");
	assert_string_equal(t.dom0_cpus, "0");
	assert_int_equal(t.guest_memory_mb, 384);
	web_topology_free(&t);
}

static void test_defaults(void **state)
{
	struct web_topology t;
	struct err e = { 0, "" };
	char *spec = NULL;

	assert_int_equal(parse("name = \"loop\"\nserver = \"native\"\nclients = \"native\"\n", &t, &e), 0);
	assert_string_equal(t.name, "loop");
	/* BeSim goes with the server when the file does not place it */
	assert_string_equal(t.besim.env, "native");
	assert_int_equal(t.nclients, 1);
	assert_null(t.dom0_cpus);
	assert_int_equal(t.guest_memory_mb, 0);
	assert_true(web_topology_native(t.server.env));
	web_topology_free(&t);
	/* native roles share the machine, each pinned to its own CPUs */
	assert_int_equal(parse("server = \"native\"\nclients = \"native\"\nserver_cpus = \"0\"\n"
			       "clients_cpus = \"0-0\"\n", &t, &e), 0);
	assert_string_equal(t.server.cpus, "0");
	assert_string_equal(t.clients[0].cpus, "0-0");
	web_topology_free(&t);
	assert_int_equal(web_topology_xen_host("xen:pvh@testbed:b", &spec, &e), 0);
	assert_string_equal(spec, "testbed:b");
	free(spec);
	assert_int_equal(web_topology_xen_host("xen:hvm", &spec, &e), 0);
	assert_string_equal(spec, "local");
	free(spec);
	assert_int_equal(web_topology_xen_host("native", &spec, &e), 0);
	assert_null(spec);
}

static void test_refusals(void **state)
{
	refused("server = \"native\"\nclients = [ \"native\" ]\ndatabase = \"native\"\n",
		"dir/t4.topo:3:1: unknown role or key 'database'");
	refused("server = \"native\"\nclients = [ \"native\" ]\ndb_cpus = \"0\"\n",
		"dir/t4.topo:3:1: db_cpus: unknown role 'db'");
	refused("clients = [ \"native\" ]\n", "dir/t4.topo:1:1: server: the role has no environment");
	refused("server = \"native\"\n", "dir/t4.topo:1:1: clients: the role has no environment");
	refused("server = \"native\"\nclients = [ ]\n", "dir/t4.topo:2:11: clients: the role has no environment");
	refused("server = \"native\"\nclients = [ \"native\" ]\nserver_cpus = \"1000\"\n",
		"dir/t4.topo:3:15: server_cpus: CPU 1000 is not one this host lets vmlab run on");
	refused("server = \"native\"\nclients = [ \"native\" ]\nserver_cpus = \"0-x\"\n",
		"dir/t4.topo:3:16: server_cpus: ");
	refused("server = \"moon\"\nclients = [ \"native\" ]\n",
		"dir/t4.topo:1:10: server: unknown environment 'moon'");
	refused("server = \"testbed:pvh\"\nclients = [ \"native\" ]\n",
		"dir/t4.topo:1:10: server: 'testbed:pvh' cannot hold a role");
	refused("server = \"xen:pvh@testbed\"\nclients = [ \"native\" ]\n",
		"dir/t4.topo:2:13: clients: a native role listens on this machine's loopback");
	refused("server = \"native\"\nclients = [ \"native\" ]\ndom0_cpus = \"0\"\n",
		"dir/t4.topo:3:13: dom0_cpus: no role runs in a guest on a Xen host");
	refused("server = \"xen:pvh@testbed\"\nbesim = \"xen:pv@testbed\"\nclients = [ \"xen:pv@testbed\" ]\n"
		"besim_cpus = \"0\"\nclients_cpus = \"1\"\n",
		"dir/t4.topo:5:16: clients_cpus: '1' shares its environment xen:pv@testbed with besim");
	refused("server = \"native\"\nclients = [ \"native\", \"native\" ]\n",
		"dir/t4.topo:2:23: clients: 'native' is listed twice");
	refused("server = 1\nclients = [ \"native\" ]\n", "dir/t4.topo:1:10: server: expected a string");
	refused("server = \"native\"\nclients = [ \"native\" ]\nguest_memory = 8\n",
		"dir/t4.topo:3:16: guest_memory: expected MiB");
	refused("server = \"native\"\nclients = [ \"native\" \n", "dir/t4.topo:");
}

static void test_host_cpus(void **state)
{
	struct web_topology t;
	struct err e = { 0, "" };

	assert_int_equal(parse("server = \"xen:pvh@testbed\"\nclients = [ \"xen:pvh@testbed\" ]\n"
			       "server_cpus = \"1-3\"\n", &t, &e), 0);
	assert_int_equal(web_topology_check_cpus(&t, t.server.cpus, t.server.cpus_at, WEB_ROLE_SERVER,
						 "testbed", 4, &e), 0);
	assert_int_equal(web_topology_check_cpus(&t, t.server.cpus, t.server.cpus_at, WEB_ROLE_SERVER,
						 "testbed", 2, &e), -EINVAL);
	assert_string_equal(e.msg, "dir/t4.topo:3:15: server_cpus: CPU 3: testbed has CPUs 0-1");
	web_topology_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_host_cpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
