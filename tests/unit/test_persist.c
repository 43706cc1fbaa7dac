/* Unit tests of src/sched/persist*.c: the xl.cfg keys a persist writes and
 * reads (temporary files, every other byte kept), cpupool configs, the
 * pool check and the live-versus-persisted diff against the live state the
 * credit back end reads from the testbed's recorded xl output
 * (tests/fixtures/xl-testbed/), the boot unit, the manifest, and the file
 * commit / put back / undo on this machine through the local host. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/fileio.h"
#include "host/host.h"
#include "sched/persist.h"

static char *fixture(const char *name)
{
	struct sbuf b = SBUF_INIT;
	struct err e = { 0 };
	char path[256];

	snprintf(path, sizeof(path), "../fixtures/xl-testbed/%s", name);
	assert_int_equal(file_read(path, &b, &e), 0);
	return sbuf_take(&b);
}

/* A runner answering xl's read commands with the recorded qos outputs. */
static int rec_run(void *ctx, char *const argv[], struct sbuf *out, struct sbuf *errout, int *status,
		   struct err *e)
{
	static const char *const map[][2] = {
		{ "xl info", "info.txt" },
		{ "xl cpupool-list", "cpupool-list-qos.txt" },
		{ "xl cpupool-list -c", "cpupool-list-c-qos.txt" },
		{ "xl sched-credit2", "sched-credit2-qos.txt" },
		{ "xl sched-credit", "sched-credit.txt" },
		{ "xl vcpu-list gb", "vcpu-list-gb.txt" },
	};
	struct sbuf cmd = SBUF_INIT;

	(void)ctx;
	(void)errout;
	(void)e;
	for (int k = 0; argv[k]; k++)
		sbuf_printf(&cmd, "%s%s", k ? " " : "", argv[k]);
	*status = 1;
	for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++)
		if (!strcmp(map[k][0], sbuf_str(&cmd))) {
			char *t = fixture(map[k][1]);

			if (out)
				sbuf_puts(out, t);
			free(t);
			*status = 0;
		}
	sbuf_free(&cmd);
	return 0;
}

/* gb's live state: credit pool qos on CPU 1, vCPU 0 pinned to 1. */
static void live_gb(struct sched_state *st)
{
	struct sched_runner r = { "testbed", rec_run, NULL };
	struct sched_target t = { &r, NULL, "gb" };
	struct err e = { 0 };

	assert_ptr_equal(sched_xl_for_domain(&r, "gb", &e), &sched_credit);
	assert_int_equal(sched_credit.get(&t, st, &e), 0);
	assert_string_equal(st->s.pool, "qos");
}

static const char cfg_text[] = "# gb, a PV guest\n"
			       "name = \"gb\"\n"
			       "type = \"pv\"\n"
			       "vcpus = 2   # two\n"
			       "cpu_weight = 128\n"
			       "memory = 256\n";

static void test_cfg_put_get(void **state)
{
	struct xlcfg *c = NULL;
	struct sched_setting s, got;
	struct sbuf out = SBUF_INIT;
	struct err e = { 0 };

	assert_int_equal(xlcfg_parse("gb.cfg", cfg_text, strlen(cfg_text), &c, &e), 0);
	assert_int_equal(sched_setting_parse("weight=512,cap=50,cpus=1,pool=qos,tslice_ms=10", "S", &s, &e), 0);
	assert_int_equal(persist_cfg_put(c, &s, &e), 0);
	xlcfg_write(c, &out);
	/* the weight changes in place, the rest is added; other bytes stay */
	assert_string_equal(sbuf_str(&out), "# gb, a PV guest\n"
					    "name = \"gb\"\n"
					    "type = \"pv\"\n"
					    "vcpus = 2   # two\n"
					    "cpu_weight = 512\n"
					    "memory = 256\n"
					    "cap = 50\n"
					    "cpus = '1'\n"
					    "pool = 'qos'\n");
	xlcfg_free(c);
	assert_int_equal(xlcfg_parse("gb.cfg", out.buf, out.len, &c, &e), 0);
	assert_int_equal(persist_cfg_get(c, &got, &e), 0);
	assert_int_equal(got.set, SCHED_K_WEIGHT | SCHED_K_CAP | SCHED_K_CPUS | SCHED_K_POOL);
	assert_int_equal(got.weight, 512);
	assert_int_equal(got.cap, 50);
	assert_string_equal(got.cpus, "1");
	assert_string_equal(got.pool, "qos");
	xlcfg_free(c);
	sbuf_free(&out);

	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "cap = \"x\"\n", "x.cfg:1:7" },
		{ "cpu_weight = 0\n", "x.cfg:1:14: cpu_weight = 0: out of range" },
		{ "cpus = [ \"1\", \"0\" ]\n", "x.cfg:1:8: cpus: a list (per-vCPU affinity)" },
		{ "cpus_soft = \"1-x\"\n", "x.cfg:1:13: cpus_soft = \"1-x\": not a CPU list" },
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		assert_int_equal(xlcfg_parse("x.cfg", bad[k].text, strlen(bad[k].text), &c, &e), 0);
		assert_int_equal(persist_cfg_get(c, &got, &e), -EINVAL);
		if (!strstr(e.msg, bad[k].msg))
			fail_msg("%s: got '%s', want '%s'", bad[k].text, e.msg, bad[k].msg);
		xlcfg_free(c);
	}
}

static void test_pool_parse(void **state)
{
	struct persist_pool p;
	struct sbuf t = SBUF_INIT;
	struct err e = { 0 };
	const char *rtds = "name=\"a\"\nsched=\"rtds\"\ncpus=\"1\"\n", *nocpus = "name=\"a\"\nsched=\"credit\"\n";
	const char *list = "name = \"q2\"\nsched = \"credit2\"\ncpus = [ 2, 3 ]\n";

	/* what sched_xl_pool_cfg writes (and xl cpupool-create reads) reads back */
	assert_int_equal(sched_xl_pool_cfg("qos", "credit", "1", &t, &e), 0);
	assert_int_equal(persist_pool_parse("p.cfg", t.buf, t.len, &p, &e), 0);
	assert_string_equal(p.name, "qos");
	assert_string_equal(p.sched, "credit");
	assert_string_equal(p.cpus, "1");
	assert_int_equal(persist_pool_parse("p.cfg", list, strlen(list), &p, &e), 0);
	assert_string_equal(p.cpus, "2,3");
	assert_int_equal(persist_pool_parse("p.cfg", rtds, strlen(rtds), &p, &e), -EINVAL);
	if (!strstr(e.msg, "p.cfg:2:7: sched = \"rtds\""))
		fail_msg("%s", e.msg);
	assert_int_equal(persist_pool_parse("p.cfg", nocpus, strlen(nocpus), &p, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "no cpus"));
	assert_int_equal(persist_pool_parse("p.cfg", "name=", 5, &p, &e), -EINVAL);
	sbuf_free(&t);
}

static void test_pool_check(void **state)
{
	struct sched_state st;
	struct err e = { 0 };
	int create = -1;

	live_gb(&st);   /* Pool-0 on CPU 0, qos on CPU 1, 2 CPUs */
	assert_int_equal(persist_pool_check(&st, "qos", NULL, &create, &e), 0);
	assert_int_equal(create, 0);
	assert_int_equal(persist_pool_check(&st, "qos", "1", &create, &e), 0);
	assert_int_equal(persist_pool_check(&st, "qos", "0", &create, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "pool=qos: it exists on CPUs 1, not 0"));
	assert_int_equal(persist_pool_check(&st, "new", NULL, &create, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "give --pool-cpus"));
	assert_int_equal(persist_pool_check(&st, "new", "1", &create, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "CPU 1 is in pool qos: pools never overlap"));
	assert_int_equal(persist_pool_check(&st, "new", "0", &create, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "Pool-0 (Domain-0's) would keep no CPU"));
	assert_int_equal(persist_pool_check(&st, "new", "2", &create, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "the host has CPUs 0..1 only"));
	/* with qos gone, CPU 1 is free to take */
	st.npools = 1;
	snprintf(st.pools[0].cpus, sizeof(st.pools[0].cpus), "0,1");
	assert_int_equal(persist_pool_check(&st, "new", "1", &create, &e), 0);
	assert_int_equal(create, 1);
}

static void test_diff(void **state)
{
	struct sched_state st;
	struct sched_setting f;
	struct sbuf out = SBUF_INIT;
	struct err e = { 0 };

	live_gb(&st);   /* weight 256, cap 0, vCPU 0 hard 1, vCPU 1 all, pool qos */
	assert_int_equal(sched_setting_parse("pool=qos", "S", &f, &e), 0);
	assert_int_equal(persist_diff(&f, &st, &out), 1);
	assert_non_null(strstr(sbuf_str(&out), "  weight     live 256          persisted 256 (default)\n"));
	assert_non_null(strstr(sbuf_str(&out), "  cpus       live 1,...        persisted all (default)  DIFFERS\n"));
	assert_non_null(strstr(sbuf_str(&out), "  pool       live qos          persisted qos\n"));
	sbuf_reset(&out);
	/* CPU lists compare as sets over the host's CPUs: "0-1" is all */
	st.hard[0][0] = 0;
	strcpy(st.hard[0], "0-1");
	assert_int_equal(persist_diff(&f, &st, &out), 0);
	sbuf_reset(&out);
	assert_int_equal(sched_setting_parse("weight=512,cap=20,cpus_soft=1,pool=Pool-0", "S", &f, &e), 0);
	assert_int_equal(persist_diff(&f, &st, &out), 4);
	assert_non_null(strstr(sbuf_str(&out), "  cap        live 0            persisted 20  DIFFERS\n"));
	sbuf_free(&out);
}

static void test_boot_unit(void **state)
{
	struct persist_pool p[2] = { { "qos", "credit", "1" }, { "it's", "credit2", "2-3" } };
	struct sbuf s = SBUF_INIT;

	persist_boot_script(p, 2, "/etc/xen/vmlab", &s);
	assert_non_null(strstr(sbuf_str(&s), "#!/bin/sh\n"));
	assert_non_null(strstr(sbuf_str(&s), "\nset -e\n"
					     "xl cpupool-cpu-remove Pool-0 1\n"
					     "xl cpupool-create /etc/xen/vmlab/cpupool-qos.cfg\n"
					     "xl cpupool-cpu-remove Pool-0 2-3\n"
					     "xl cpupool-create '/etc/xen/vmlab/cpupool-it'\\''s.cfg'\n"));
	sbuf_reset(&s);
	persist_systemd_unit("/etc/xen/vmlab/vmlab-cpupools.sh", &s);
	assert_non_null(strstr(sbuf_str(&s), "ExecStart=/etc/xen/vmlab/vmlab-cpupools.sh\n"));
	assert_non_null(strstr(sbuf_str(&s), "Before=xendomains.service\n"));
	sbuf_free(&s);
}

static void test_manifest(void **state)
{
	struct persist_manifest m;
	struct sbuf s = SBUF_INIT;
	struct err e = { 0 };
	const char *text = "changed\t/etc/xen/vmlab/gb.cfg\nnew\t/etc/xen/vmlab/cpupool-qos.cfg\n\nsame\t/a b\n";

	assert_int_equal(persist_manifest_parse("M", text, strlen(text), &m, &e), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.e[1].state, PERSIST_NEW);
	assert_string_equal(m.e[2].path, "/a b");
	persist_manifest_format(&m, &s);
	assert_string_equal(sbuf_str(&s), "changed\t/etc/xen/vmlab/gb.cfg\nnew\t/etc/xen/vmlab/cpupool-qos.cfg\n"
					  "same\t/a b\n");
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "changed /x\n", "M:1:1: expected STATE<TAB>PATH" },
		{ "new\t/x\nold\t/y\n", "M:2:1: state 'old'" },
		{ "new\tx\n", "M:1:5: the path must be absolute" },
		{ "new\t/x\ty\n", "M:1:7: control byte 0x09" },
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		assert_int_equal(persist_manifest_parse("M", bad[k].text, strlen(bad[k].text), &m, &e), -EINVAL);
		if (!strstr(e.msg, bad[k].msg))
			fail_msg("%s: got '%s', want '%s'", bad[k].text, e.msg, bad[k].msg);
	}
	sbuf_free(&s);
}

static char *slurp(const char *path)
{
	struct sbuf b = SBUF_INIT;
	struct err e = { 0 };

	if (file_read(path, &b, &e))
		return NULL;
	return sbuf_take(&b);
}

/* Commit, backup, undo; and a failed commit puts everything back. */
static void test_commit_undo(void **state)
{
	char dir[] = "/tmp/vmlab-persist-XXXXXX", cfg[256], pool[256], man[256], bak[300], bad[300];
	struct persist_file f[3] = { 0 };
	struct host h = { 0 };
	struct sbuf out = SBUF_INIT;
	struct err e = { 0 };
	char *t;

	assert_non_null(mkdtemp(dir));
	snprintf(cfg, sizeof(cfg), "%s/gb.cfg", dir);
	snprintf(pool, sizeof(pool), "%s/cpupool-qos.cfg", dir);
	snprintf(man, sizeof(man), "%s/" PERSIST_MANIFEST, dir);
	snprintf(bak, sizeof(bak), "%s" PERSIST_BAK, cfg);
	assert_int_equal(file_write_atomic(cfg, cfg_text, strlen(cfg_text), &e), 0);
	assert_int_equal(host_open(&h, "local", NULL, &e), 0);

	assert_int_equal(persist_file_load(&h, cfg, &f[0], &e), 0);
	assert_true(f[0].exists);
	assert_int_equal(persist_file_load(&h, pool, &f[1], &e), 0);
	assert_false(f[1].exists);
	sbuf_puts(&f[0].new, "cpu_weight = 512\n");
	sbuf_puts(&f[1].new, "name=\"qos\"\n");
	assert_int_equal(persist_files_commit(&h, f, 2, man, &e), 0);
	assert_string_equal((t = slurp(cfg)), "cpu_weight = 512\n");
	free(t);
	assert_string_equal((t = slurp(bak)), cfg_text);
	free(t);
	t = slurp(man);
	assert_true(t && !strncmp(t, "changed\t/tmp/", 13) && strstr(t, "\nnew\t/tmp/"));
	free(t);
	assert_int_equal(persist_undo(&h, man, &out, &e), 0);
	assert_string_equal((t = slurp(cfg)), cfg_text);
	free(t);
	assert_int_equal(access(pool, F_OK), -1);
	assert_int_equal(access(bak, F_OK), -1);
	assert_int_equal(access(man, F_OK), -1);
	assert_int_equal(persist_undo(&h, man, &out, &e), -ENOENT);

	/* the third file cannot be written (its folder is missing): all go back */
	snprintf(bad, sizeof(bad), "%s/nosuch/x.cfg", dir);
	assert_int_equal(persist_file_load(&h, bad, &f[2], &e), 0);
	sbuf_puts(&f[2].new, "x\n");
	assert_true(persist_files_commit(&h, f, 3, man, &e) < 0);
	assert_non_null(strstr(e.msg, "the previous files are back"));
	assert_string_equal((t = slurp(cfg)), cfg_text);
	free(t);
	assert_int_equal(access(pool, F_OK), -1);
	assert_int_equal(access(bak, F_OK), -1);
	assert_int_equal(access(man, F_OK), -1);

	for (int k = 0; k < 3; k++)
		persist_file_free(&f[k]);
	sbuf_free(&out);
	host_close(&h);
	unlink(cfg);
	rmdir(dir);
}

/* Two persists in a row (A's file, then B's and A's again), one undo: all
 * as before the first; the second keeps the first's backup of A's file. */
static void test_commit_merges(void **state)
{
	char dir[] = "/tmp/vmlab-persist-XXXXXX", a[256], b[256], pool[256], man[256], bak[300];
	struct persist_file f[3] = { 0 };
	struct host h = { 0 };
	struct sbuf out = SBUF_INIT;
	struct err e = { 0 };
	char *t;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/ga.cfg", dir);
	snprintf(b, sizeof(b), "%s/gb.cfg", dir);
	snprintf(pool, sizeof(pool), "%s/cpupool-qos.cfg", dir);
	snprintf(man, sizeof(man), "%s/" PERSIST_MANIFEST, dir);
	snprintf(bak, sizeof(bak), "%s" PERSIST_BAK, a);
	assert_int_equal(file_write_atomic(a, "name = \"ga\"\n", 12, &e), 0);
	assert_int_equal(file_write_atomic(b, "name = \"gb\"\n", 12, &e), 0);
	assert_int_equal(host_open(&h, "local", NULL, &e), 0);

	assert_int_equal(persist_file_load(&h, a, &f[0], &e), 0);
	sbuf_puts(&f[0].new, "cpu_weight = 1024\n");
	assert_int_equal(persist_files_commit(&h, f, 1, man, &e), 0);
	persist_file_free(&f[0]);

	assert_int_equal(persist_file_load(&h, a, &f[0], &e), 0);
	assert_int_equal(persist_file_load(&h, b, &f[1], &e), 0);
	assert_int_equal(persist_file_load(&h, pool, &f[2], &e), 0);
	sbuf_puts(&f[0].new, "cpu_weight = 4096\n");
	sbuf_puts(&f[1].new, "cpus = \"0\"\n");
	sbuf_puts(&f[2].new, "name=\"qos\"\n");
	assert_int_equal(persist_files_commit(&h, f, 3, man, &e), 0);
	assert_string_equal((t = slurp(bak)), "name = \"ga\"\n");  /* the first's backup */
	free(t);
	t = slurp(man);
	assert_non_null(t);
	assert_int_equal(strncmp(t, "changed\t", 8), 0);
	assert_non_null(strstr(t, "/ga.cfg\nchanged\t"));
	assert_non_null(strstr(t, "/gb.cfg\nnew\t"));
	free(t);

	assert_int_equal(persist_undo(&h, man, &out, &e), 0);
	assert_string_equal((t = slurp(a)), "name = \"ga\"\n");
	free(t);
	assert_string_equal((t = slurp(b)), "name = \"gb\"\n");
	free(t);
	assert_int_equal(access(pool, F_OK), -1);
	assert_int_equal(access(bak, F_OK), -1);
	assert_int_equal(access(man, F_OK), -1);

	for (int k = 0; k < 3; k++)
		persist_file_free(&f[k]);
	sbuf_free(&out);
	host_close(&h);
	unlink(a);
	unlink(b);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cfg_put_get),
		cmocka_unit_test(test_pool_parse),
		cmocka_unit_test(test_pool_check),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_boot_unit),
		cmocka_unit_test(test_manifest),
		cmocka_unit_test(test_commit_undo),
		cmocka_unit_test(test_commit_merges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
