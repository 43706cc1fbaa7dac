/* Unit tests of src/sched: the setting's text form, the cpupool-list
 * parser, and the xl back ends' check / apply / read back / restore path
 * against a runner that answers with recorded xl output
 * (tests/fixtures/xl/, and the testbed's real xl in tests/fixtures/xl-testbed/)
 * and can be told to fail a command or to keep the
 * old values on read back. */
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
#include "run/record.h"
#include "sched/sched.h"
#include "xen/xl.h"

static char *fixture(const char *dir, const char *name)
{
	struct sbuf b = SBUF_INIT;
	struct err e = { 0 };
	char path[256];

	snprintf(path, sizeof(path), "../fixtures/%s/%s", dir, name);
	assert_int_equal(file_read(path, &b, &e), 0);
	return sbuf_take(&b);
}

/* ---- the setting ---- */

static void test_setting_parse(void **state)
{
	struct sched_setting s;
	struct sbuf o = SBUF_INIT;
	struct err e = { 0 };

	assert_int_equal(sched_setting_parse("weight=512,cap=50,cpus=0,2-3,cpus_soft=1,pool=qos", "S", &s, &e), 0);
	assert_int_equal(s.set, SCHED_K_WEIGHT | SCHED_K_CAP | SCHED_K_CPUS | SCHED_K_SOFT | SCHED_K_POOL);
	assert_int_equal(s.weight, 512);
	assert_int_equal(s.cap, 50);
	assert_string_equal(s.cpus, "0,2-3");
	assert_string_equal(s.cpus_soft, "1");
	assert_string_equal(s.pool, "qos");
	sched_setting_format(&s, &o);
	assert_string_equal(sbuf_str(&o), "weight=512,cap=50,cpus=0,2-3,cpus_soft=1,pool=qos");
	sbuf_reset(&o);
	sched_setting_json(&s, &o);
	assert_string_equal(sbuf_str(&o),
			    "{\"weight\":512,\"cap\":50,\"cpus\":\"0,2-3\",\"cpus_soft\":\"1\",\"pool\":\"qos\"}");
	sbuf_free(&o);

	/* the printed form parses back to the same setting */
	struct sched_setting t;

	assert_int_equal(sched_setting_parse("tslice_ms=10,ratelimit_us=500", "S", &s, &e), 0);
	sched_setting_format(&s, &o);
	assert_int_equal(sched_setting_parse(sbuf_str(&o), "S", &t, &e), 0);
	assert_memory_equal(&s, &t, sizeof(s));
	sbuf_free(&o);

	/* errors name the place and the knob */
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "", "S:1:1: empty setting" },
		{ "weight", "S:1:1: expected KNOB=VALUE" },
		{ "weight=0", "S:1:8: weight=0: not a whole number in 1..65535" },
		{ "weight=512,cap=-1", "S:1:16: cap=-1" },
		{ "cap=50,colour=red", "S:1:8: unknown knob 'colour'" },
		{ "cpus=3-1", "S:1:6: cpus=3-1" },
		{ "weight=5,cpus=0-1,^9-3", "S:1:19: cpus=0-1,^9-3" },
		{ "pool=a b", "S:1:6: pool=a b: a pool name" },
		{ "weight=1,weight=2", "S:1:17: weight: given twice" },
		{ "tslice_ms=1001", "tslice_ms=1001: not a whole number in 1..1000" },
		{ "ratelimit_us=99", "ratelimit_us=99" },
		{ "tslice_ms=5,ratelimit_us=6000", "must be less than tslice_ms=5" },
		{ "weight=512,", "S:1:12: expected KNOB=VALUE" },
		{ "cpus=", "cpus: a CPU list of 1.." },
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		e.msg[0] = 0;
		assert_int_equal(sched_setting_parse(bad[k].text, "S", &s, &e), -EINVAL);
		if (!strstr(e.msg, bad[k].msg))
			fail_msg("'%s': got \"%s\", want \"%s\"", bad[k].text, e.msg, bad[k].msg);
	}
}

static void test_cgroup_max(void **state)
{
	struct err e = { 0 };
	int cap = -1;

	assert_int_equal(sched_cgroup_parse_max("max 100000\n", &cap, &e), 0);
	assert_int_equal(cap, 0);
	assert_int_equal(sched_cgroup_parse_max("50000 100000", &cap, &e), 0);
	assert_int_equal(cap, 50);
	assert_int_equal(sched_cgroup_parse_max("150000 100000", &cap, &e), 0);
	assert_int_equal(cap, 150);
	assert_int_equal(sched_cgroup_parse_max("max", &cap, &e), -EBADMSG);
	assert_int_equal(sched_cgroup_parse_max("x 100000", &cap, &e), -EBADMSG);
	assert_int_equal(sched_cgroup_parse_max("50000 100000 7", &cap, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "cpu.max"));
}

/* ---- xl cpupool-list ---- */

static void test_cpupool_list(void **state)
{
	char *a = fixture("xl", "cpupool-list-1pool.txt"), *c = fixture("xl", "cpupool-list-c.txt");
	struct xl_cpupools l;
	struct err e = { 0 };

	assert_int_equal(xl_parse_cpupool_list(a, strlen(a), "a", &l, &e), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.p[0].name, "Pool-0");
	assert_int_equal(l.p[0].ncpus, 4);
	assert_string_equal(l.p[0].sched, "credit2");
	assert_int_equal(l.p[0].ndoms, 3);
	assert_null(l.p[0].cpus);
	xl_cpupools_free(&l);
	assert_int_equal(xl_parse_cpupool_list(c, strlen(c), "c", &l, &e), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.p[0].cpus, "0,1,2,3");
	assert_int_equal(l.p[0].ncpus, -1);
	xl_cpupools_free(&l);

	/* a pool without CPUs, a second pool */
	const char *two = "Name               CPU list\nPool-0             0,1\nqos                \n";

	assert_int_equal(xl_parse_cpupool_list(two, strlen(two), "two", &l, &e), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.p[1].name, "qos");
	assert_string_equal(l.p[1].cpus, "");
	xl_cpupools_free(&l);

	assert_int_equal(xl_parse_cpupool_list("Pool-0 4 credit2 y 1\n", 21, "nohdr", &l, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "nohdr:1:1:"));
	const char *badrow = "Name               CPUs   Sched     Active   Domain count\nPool-0  x credit2 y 3\n";

	assert_int_equal(xl_parse_cpupool_list(badrow, strlen(badrow), "b", &l, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "b:2:9: CPUs"));
	const char *badc = "Name               CPU list\nPool-0             0,,1\n";

	assert_int_equal(xl_parse_cpupool_list(badc, strlen(badc), "bc", &l, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "bc:2:20:"));
	free(a);
	free(c);
}

/* ---- a runner answering from recorded output ---- */

/* One answer: the command (words joined by spaces), its stdout (a fixture
 * file "@NAME" or the text itself), its exit status; phase -1 answers in
 * every phase, else only in that one; a command with next >= 0 moves the
 * runner to phase next. */
struct answer {
	const char *cmd, *out;
	int status, phase, next;
};

struct fake {
	const char *dir;
	const struct answer *a;
	int phase;
	struct sbuf log;     /* every command run, one a line */
	/* text replacements applied to every answer from phase 1 on */
	const char *from, *to;
};

static int fake_run(void *ctx, char *const argv[], struct sbuf *out, struct sbuf *errout, int *status,
		    struct err *e)
{
	struct fake *f = ctx;
	struct sbuf cmd = SBUF_INIT;

	for (int k = 0; argv[k]; k++)
		sbuf_printf(&cmd, "%s%s", k ? " " : "", argv[k]);
	sbuf_printf(&f->log, "%s\n", sbuf_str(&cmd));
	for (const struct answer *a = f->a; a->cmd; a++) {
		if (strcmp(a->cmd, sbuf_str(&cmd)) || (a->phase >= 0 && a->phase != f->phase))
			continue;
		char *text = a->out[0] == '@' ? fixture(f->dir, a->out + 1) : xstrdup(a->out);

		if (f->phase >= 1 && f->from) {
			char *p = strstr(text, f->from);

			if (p) {
				struct sbuf t = SBUF_INIT;

				sbuf_add(&t, text, (size_t)(p - text));
				sbuf_puts(&t, f->to);
				sbuf_puts(&t, p + strlen(f->from));
				free(text);
				text = sbuf_take(&t);
			}
		}
		if (out)
			sbuf_puts(out, text);
		free(text);
		if (a->status && errout)
			sbuf_puts(errout, "libxl: error: details\nxl: the command failed\n");
		*status = a->status;
		if (a->next >= 0)
			f->phase = a->next;
		sbuf_free(&cmd);
		return 0;
	}
	if (errout)
		sbuf_printf(errout, "no answer for %s\n", sbuf_str(&cmd));
	*status = 1;
	sbuf_free(&cmd);
	(void)e;
	return 0;
}

#define VIEW                                                            \
	{ "xl info", "@info.txt", 0, -1, -1 },                            \
	{ "xl list", "@list.txt", 0, -1, -1 },                            \
	{ "xl cpupool-list", "@cpupool-list-1pool.txt", 0, -1, -1 },            \
	{ "xl cpupool-list -c", "@cpupool-list-c.txt", 0, -1, -1 },       \
	{ "xl sched-credit2", "@sched-credit2.txt", 0, -1, -1 },          \
	{ "xl vcpu-list hvm1", "@vcpu-list.txt", 0, -1, -1 }

static int has_line(const struct fake *f, const char *line)
{
	const char *l = sbuf_str(&f->log);
	size_t n = strlen(line);

	for (const char *p = l; (p = strstr(p, line)); p += n)
		if ((p == l || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

static int count_lines(const struct fake *f, const char *prefix)
{
	int n = 0;

	for (const char *p = sbuf_str(&f->log); (p = strstr(p, prefix)); p++)
		n++;
	return n;
}

static void apply(struct fake *f, const char *text, int want, struct sched_state *after, struct err *e)
{
	struct sched_runner r = { "recorded", fake_run, f };
	struct sched_target t = { &r, NULL, "hvm1" };
	struct sched_setting s;

	assert_int_equal(sched_setting_parse(text, "S", &s, e), 0);
	int rc = sched_apply(&sched_credit2, &t, &s, after, e);

	if (rc != want)
		fail_msg("%s: got %d (%s), want %d; commands:\n%s", text, rc, e->msg, want, sbuf_str(&f->log));
}

static void test_apply_ok(void **state)
{
	static const struct answer a[] = {
		VIEW,
		{ "xl sched-credit2 -d hvm1 -w 512 -c 50", "", 0, 0, 1 },
		{ 0 },
	};
	struct fake f = { "xl", a, 0, SBUF_INIT,
			  "hvm1                                 3    256    0",
			  "hvm1                                 3    512   50" };
	struct sched_state after;
	struct err e = { 0 };

	apply(&f, "weight=512,cap=50", 0, &after, &e);

	/* what was read back goes into a record */
	struct record rec;
	struct sbuf j = SBUF_INIT;

	record_init(&rec);
	rec.environment = "testbed:pv";
	sched_record_state(&rec, &after);
	record_to_json(&rec, &j);
	assert_non_null(strstr(sbuf_str(&j),
			       "\"sched\":{\"scheduler\":\"credit2\",\"setting\":{\"weight\":512,\"cap\":50,"
			       "\"cpus\":\"1\",\"cpus_soft\":\"all\",\"pool\":\"Pool-0\",\"ratelimit_us\":1000},"
			       "\"vcpus\":[{\"vcpu\":0,\"hard\":\"1\",\"soft\":\"all\"},"
			       "{\"vcpu\":1,\"hard\":\"0-1\",\"soft\":\"all\"}]}"));
	sbuf_free(&j);
	for (size_t k = 0; k < rec.nextras; k++) {
		free(rec.extras[k].key);
		free(rec.extras[k].json);
	}
	free(rec.extras);
	assert_int_equal(after.s.weight, 512);
	assert_int_equal(after.s.cap, 50);
	assert_string_equal(after.s.pool, "Pool-0");
	assert_string_equal(after.scheduler, "credit2");
	assert_int_equal(after.nvcpus, 2);
	assert_string_equal(after.hard[0], "1");
	assert_string_equal(after.hard[1], "0-1");
	assert_int_equal(after.nr_cpus, 4);
	sbuf_free(&f.log);
}

/* xl says yes, but the read back still shows the old weight: the old
 * weight and cap are put back and the error says both. */
static void test_apply_readback_mismatch(void **state)
{
	static const struct answer a[] = {
		VIEW,
		{ "xl sched-credit2 -d hvm1 -w 512", "", 0, -1, -1 },
		{ "xl sched-credit2 -d hvm1 -w 256", "", 0, -1, -1 },
		{ 0 },
	};
	struct fake f = { "xl", a, 0, SBUF_INIT, NULL, NULL };
	struct err e = { 0 };

	apply(&f, "weight=512", -EIO, NULL, &e);
	assert_non_null(strstr(e.msg, "hvm1: read back: weight: set 512, read back 256"));
	assert_non_null(strstr(e.msg, "the previous settings are back"));
	assert_true(has_line(&f, "xl sched-credit2 -d hvm1 -w 256"));
	sbuf_free(&f.log);
}

/* vcpu-pin fails half-way: every vCPU gets its own old hard affinity. */
static void test_apply_pin_fails(void **state)
{
	static const struct answer a[] = {
		VIEW,
		{ "xl vcpu-pin hvm1 all 2 -", "", 1, -1, -1 },
		{ "xl vcpu-pin hvm1 0 1 -", "", 0, -1, -1 },
		{ "xl vcpu-pin hvm1 1 0-1 -", "", 0, -1, -1 },
		{ 0 },
	};
	struct fake f = { "xl", a, 0, SBUF_INIT, NULL, NULL };
	struct err e = { 0 };

	apply(&f, "cpus=2", -EIO, NULL, &e);
	assert_non_null(strstr(e.msg, "xl vcpu-pin hvm1 all 2 -: exit status 1: xl: the command failed"));
	assert_non_null(strstr(e.msg, "the previous settings are back"));
	assert_true(has_line(&f, "xl vcpu-pin hvm1 0 1 -"));
	assert_true(has_line(&f, "xl vcpu-pin hvm1 1 0-1 -"));
	sbuf_free(&f.log);
}

/* the restore fails as well: the error says so */
static void test_apply_restore_fails(void **state)
{
	static const struct answer a[] = {
		VIEW,
		{ "xl sched-credit2 -d hvm1 -c 100", "", 0, -1, -1 },
		{ "xl sched-credit2 -d hvm1 -c 0", "", 1, -1, -1 },
		{ 0 },
	};
	struct fake f = { "xl", a, 0, SBUF_INIT, NULL, NULL };
	struct err e = { 0 };

	apply(&f, "cap=100", -EIO, NULL, &e);
	assert_non_null(strstr(e.msg, "cap: set 100, read back 0"));
	assert_non_null(strstr(e.msg, "restoring the previous settings failed too"));
	sbuf_free(&f.log);
}

/* Refused before anything changes: no command but the views ran. */
static void test_check_refuses(void **state)
{
	static const struct answer a[] = { VIEW, { 0 } };
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "cap=201", "cap=201: domain hvm1 has 2 vCPUs, so cap is 0..200" },
		{ "cpus=4", "cpus=4: the host has CPUs 0..3 only" },
		{ "cpus_soft=0-7", "cpus_soft=0-7: the host has CPUs 0..3 only" },
		{ "pool=qos", "pool=qos: recorded has no such cpupool" },
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct fake f = { "xl", a, 0, SBUF_INIT, NULL, NULL };
		struct err e = { 0 };

		apply(&f, bad[k].text, -EINVAL, NULL, &e);
		if (!strstr(e.msg, bad[k].msg))
			fail_msg("'%s': got \"%s\", want \"%s\"", bad[k].text, e.msg, bad[k].msg);
		assert_int_equal(count_lines(&f, "xl sched-credit2 -d"), 0);
		assert_int_equal(count_lines(&f, "xl vcpu-pin"), 0);
		assert_int_equal(count_lines(&f, "xl cpupool-migrate"), 0);
		sbuf_free(&f.log);
	}
	/* the credit2 back end has no tslice at all */
	struct fake f = { "xl", a, 0, SBUF_INIT, NULL, NULL };
	struct err e = { 0 };

	apply(&f, "tslice_ms=10", -EINVAL, NULL, &e);
	assert_non_null(strstr(e.msg, "hvm1: the credit2 scheduler has no tslice_ms knob"));
	assert_int_equal(count_lines(&f, "xl"), 0);
	sbuf_free(&f.log);

	/* the credit back end has it, but hvm1's pool runs credit2 */
	f.log = (struct sbuf)SBUF_INIT;
	struct sched_runner r0 = { "recorded", fake_run, &f };
	struct sched_target t0 = { &r0, NULL, "hvm1" };
	struct sched_setting s0;

	assert_int_equal(sched_setting_parse("tslice_ms=10", "S", &s0, &e), 0);
	assert_int_equal(sched_apply(&sched_credit, &t0, &s0, NULL, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "tslice_ms=10: pool Pool-0 runs credit2, which has no time slice"));
	sbuf_free(&f.log);

	/* an unknown domain */
	struct sched_runner r = { "recorded", fake_run, &f };
	struct sched_target t = { &r, NULL, "nosuch" };
	struct sched_setting s = { .set = SCHED_K_WEIGHT, .weight = 5 };

	f.log = (struct sbuf)SBUF_INIT;
	assert_int_equal(sched_apply(&sched_credit2, &t, &s, NULL, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "no domain nosuch"));
	sbuf_free(&f.log);
}

/* Moving into a credit pool: migrate, then credit's weight; the read back
 * still shows Pool-0, so weight, cap and affinity come back (the domain
 * never left, so no migration back). A CPU outside the pool is refused. */
static void test_apply_pool(void **state)
{
	static const struct answer a[] = {
		{ "xl info", "@info.txt", 0, -1, -1 },
		{ "xl list", "@list.txt", 0, -1, -1 },
		{ "xl cpupool-list",
		  "Name               CPUs   Sched     Active   Domain count\n"
		  "Pool-0               2   credit2       y          3\n"
		  "qos                  2    credit       y          0\n", 0, -1, -1 },
		{ "xl cpupool-list -c", "Name               CPU list\nPool-0             0,1\nqos                2,3\n", 0,
		  -1, -1 },
		{ "xl sched-credit2", "@sched-credit2.txt", 0, -1, -1 },
		{ "xl sched-credit",
		  "Cpupool qos: tslice=30ms ratelimit=1000us migration-delay=0us\nName                                ID Weight  Cap\n",
		  0, -1, -1 },
		{ "xl vcpu-list hvm1", "@vcpu-list.txt", 0, -1, -1 },
		{ "xl cpupool-migrate hvm1 qos", "", 0, -1, -1 },
		{ "xl sched-credit -d hvm1 -w 512", "", 0, -1, -1 },
		{ "xl sched-credit2 -d hvm1 -w 256 -c 0", "", 0, -1, -1 },
		{ "xl vcpu-pin hvm1 0 1 all", "", 0, -1, -1 },
		{ "xl vcpu-pin hvm1 1 0-1 all", "", 0, -1, -1 },
		{ 0 },
	};
	struct fake f = { "xl", a, 0, SBUF_INIT, NULL, NULL };
	struct err e = { 0 };

	apply(&f, "pool=qos,weight=512", -EIO, NULL, &e);
	/* a pool move resets affinity, so each vCPU gets its own back */
	assert_true(has_line(&f, "xl vcpu-pin hvm1 0 1 all"));
	assert_true(has_line(&f, "xl vcpu-pin hvm1 1 0-1 all"));
	assert_non_null(strstr(e.msg, "read back: weight: set 512, read back 256"));
	assert_non_null(strstr(e.msg, "the previous settings are back"));
	assert_true(has_line(&f, "xl cpupool-migrate hvm1 qos"));
	assert_true(has_line(&f, "xl sched-credit2 -d hvm1 -w 256 -c 0"));
	assert_int_equal(count_lines(&f, "xl cpupool-migrate hvm1 Pool-0"), 0);
	sbuf_free(&f.log);

	f.log = (struct sbuf)SBUF_INIT;
	apply(&f, "pool=qos,cpus=0-1", -EINVAL, NULL, &e);
	assert_non_null(strstr(e.msg, "cpus=0-1: none of these CPUs is in pool qos (CPUs 2,3)"));
	assert_int_equal(count_lines(&f, "xl cpupool-migrate"), 0);
	sbuf_free(&f.log);

	f.log = (struct sbuf)SBUF_INIT;
	apply(&f, "pool=qos,ratelimit_us=500", -EINVAL, NULL, &e);
	assert_non_null(strstr(e.msg, "apart from moving the domain into it"));
	sbuf_free(&f.log);
}

/* show: pools with their parameters, each domain's weight, cap and vCPUs */
static void test_show(void **state)
{
	static const struct answer a[] = { VIEW, { "xl vcpu-list", "@vcpu-list.txt", 0, -1, -1 }, { 0 } };
	struct fake f = { "xl", a, 0, SBUF_INIT, NULL, NULL };
	struct sched_runner r = { "recorded", fake_run, &f };
	struct sbuf o = SBUF_INIT;
	struct err e = { 0 };

	assert_int_equal(sched_xl_show(&r, false, &o, &e), 0);
	assert_non_null(strstr(sbuf_str(&o), "host recorded: scheduler credit2, 4 CPUs\n"));
	assert_non_null(strstr(sbuf_str(&o), "\nPool-0           credit2  0,1,2,3            3  ratelimit_us=1000\n"));
	assert_non_null(strstr(sbuf_str(&o),
			       "\nhvm1                     3 Pool-0          256    0    0   1 1          all\n"
			       "                                                       1   - 0-1        all\n"));
	assert_non_null(strstr(sbuf_str(&o), "\npv-guest                 7 Pool-0          128  100    0   0 0,2-3      none\n"));
	sbuf_reset(&o);
	assert_int_equal(sched_xl_show(&r, true, &o, &e), 0);
	assert_non_null(strstr(sbuf_str(&o),
			       "{\"host\":\"recorded\",\"scheduler\":\"credit2\",\"nr_cpus\":4,\"pools\":[{\"name\":"
			       "\"Pool-0\",\"sched\":\"credit2\",\"cpus\":\"0,1,2,3\",\"domains\":3,\"ratelimit_us\":1000}]"));
	assert_non_null(strstr(sbuf_str(&o),
			       "{\"name\":\"hvm1\",\"domid\":3,\"pool\":\"Pool-0\",\"sched\":\"credit2\",\"weight\":256,"
			       "\"cap\":0,\"vcpus\":[{\"vcpu\":0,\"cpu\":1,\"state\":\"-b-\",\"hard\":\"1\",\"soft\":\"all\"},"));
	/* crashed is in xl list, but in no sched block: no pool, weight or cap */
	assert_non_null(strstr(sbuf_str(&o), "{\"name\":\"crashed\",\"domid\":9,\"vcpus\":[]}"));
	sbuf_free(&o);
	sbuf_free(&f.log);
}

/* The real xl of the testbed: gb runs in the credit pool qos on CPU 1;
 * a time slice that does not read back is put back to 30 ms. */
static void test_testbed_outputs(void **state)
{
	static const struct answer a[] = {
		{ "xl info", "@info.txt", 0, -1, -1 },
		{ "xl cpupool-list", "@cpupool-list-qos.txt", 0, -1, -1 },
		{ "xl cpupool-list -c", "@cpupool-list-c-qos.txt", 0, -1, -1 },
		{ "xl sched-credit2", "@sched-credit2-qos.txt", 0, -1, -1 },
		{ "xl sched-credit", "@sched-credit.txt", 0, -1, -1 },
		{ "xl vcpu-list gb", "@vcpu-list-gb.txt", 0, -1, -1 },
		{ "xl sched-credit -s -p qos -t 10", "", 0, -1, -1 },
		{ "xl sched-credit -s -p qos -t 30", "", 0, -1, -1 },
		{ 0 },
	};
	struct fake f = { "xl-testbed", a, 0, SBUF_INIT, NULL, NULL };
	struct sched_runner r = { "testbed", fake_run, &f };
	struct sched_target t = { &r, NULL, "gb" };
	struct sched_state st;
	struct sched_setting s;
	struct err e = { 0 };

	assert_ptr_equal(sched_xl_for_domain(&r, "gb", &e), &sched_credit);
	assert_int_equal(sched_credit.get(&t, &st, &e), 0);
	assert_string_equal(st.scheduler, "credit");
	assert_string_equal(st.s.pool, "qos");
	assert_int_equal(st.s.weight, 256);
	assert_int_equal(st.s.tslice_ms, 30);
	assert_int_equal(st.s.ratelimit_us, 1000);
	assert_int_equal(st.nr_cpus, 2);
	assert_int_equal(st.nvcpus, 2);
	assert_string_equal(st.hard[0], "1");
	assert_string_equal(st.hard[1], "all");
	assert_int_equal(st.npools, 2);
	assert_string_equal(st.pools[1].cpus, "1");

	assert_int_equal(sched_setting_parse("tslice_ms=10", "S", &s, &e), 0);
	assert_int_equal(sched_apply(&sched_credit, &t, &s, NULL, &e), -EIO);
	assert_non_null(strstr(e.msg, "gb: read back: tslice_ms: set 10, read back 30; the previous settings are back"));
	assert_true(has_line(&f, "xl sched-credit -s -p qos -t 30"));
	sbuf_free(&f.log);

	/* CPU 0 is Pool-0's now: pinning gb there is refused */
	f.log = (struct sbuf)SBUF_INIT;
	assert_int_equal(sched_setting_parse("cpus=0", "S", &s, &e), 0);
	assert_int_equal(sched_apply(&sched_credit, &t, &s, NULL, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "cpus=0: none of these CPUs is in pool qos (CPUs 1)"));
	sbuf_free(&f.log);

	/* the plain lists parse too */
	char *l = fixture("xl-testbed", "cpupool-list.txt"), *v = fixture("xl-testbed", "vcpu-list.txt");
	struct xl_cpupools pl;
	struct xl_vcpus vl;

	assert_int_equal(xl_parse_cpupool_list(l, strlen(l), "c", &pl, &e), 0);
	assert_int_equal(pl.n, 1);
	assert_int_equal(pl.p[0].ncpus, 2);
	assert_int_equal(pl.p[0].ndoms, 2);
	xl_cpupools_free(&pl);
	assert_int_equal(xl_parse_vcpu_list(v, strlen(v), "v", &vl, &e), 0);
	assert_int_equal(vl.n, 4);
	xl_vcpus_free(&vl);
	free(l);
	free(v);
}

static void test_detect(void **state)
{
	static const struct answer a[] = { VIEW, { 0 } };
	struct fake f = { "xl", a, 0, SBUF_INIT, NULL, NULL };
	struct sched_runner r = { "recorded", fake_run, &f };
	struct err e = { 0 };
	char name[16];

	assert_int_equal(sched_xl_detect(&r, name, sizeof(name), &e), 0);
	assert_string_equal(name, "credit2");
	assert_ptr_equal(sched_xl_for_domain(&r, "hvm1", &e), &sched_credit2);
	assert_null(sched_xl_for_domain(&r, "nosuch", &e));
	assert_ptr_equal(sched_find("credit"), &sched_credit);
	assert_ptr_equal(sched_find("cgroup"), &sched_cgroup);
	assert_null(sched_find("rtds"));
	sbuf_free(&f.log);
}

/* A pool on CPUs 2-3: taken from Pool-0, created, read back wrong, so
 * destroyed and the CPUs given back. */
static void test_pool_create_readback(void **state)
{
	static const struct answer a[] = {
		VIEW,
		{ "xl cpupool-cpu-remove Pool-0 2,3", "", 0, -1, 1 },
		{ "xl cpupool-create name=\"qos\" sched=\"credit\" cpus=\"2,3\"", "", 0, -1, 2 },
		{ "xl cpupool-destroy qos", "", 0, -1, 3 },
		{ "xl cpupool-cpu-add Pool-0 2,3", "", 0, -1, 0 },
		{ 0 },
	};
	struct fake f = { "xl", a, 0, SBUF_INIT, NULL, NULL };
	struct sched_runner r = { "recorded", fake_run, &f };
	struct err e = { 0 };

	/* every cpupool-list says Pool-0 0,1,2,3 only: the new pool never shows */
	assert_int_equal(sched_xl_pool_create(&r, "qos", "credit", "2-3", &e), -EIO);
	assert_non_null(strstr(e.msg, "pool qos: read back: xl cpupool-list does not show it"));
	assert_true(has_line(&f, "xl cpupool-destroy qos"));
	sbuf_free(&f.log);

	/* refused before anything changes */
	static const struct {
		const char *name, *sched, *cpus, *msg;
	} bad[] = {
		{ "Pool-0", "credit", "1", "pool=Pool-0: a cpupool of this name exists" },
		{ "qos", "credit", "0-3", "Pool-0 (Domain-0's) would keep no CPU" },
		{ "qos", "credit", "4", "cpus=4: the host has CPUs 0..3 only" },
		{ "qos", "rtds", "1", "sched=rtds" },
		{ "q s", "credit", "1", "pool name 'q s'" },
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		f.log = (struct sbuf)SBUF_INIT;
		assert_true(sched_xl_pool_create(&r, bad[k].name, bad[k].sched, bad[k].cpus, &e) < 0);
		if (!strstr(e.msg, bad[k].msg))
			fail_msg("%s: got \"%s\", want \"%s\"", bad[k].cpus, e.msg, bad[k].msg);
		assert_int_equal(count_lines(&f, "xl cpupool-cpu-remove"), 0);
		sbuf_free(&f.log);
	}
}

static void test_pool_cfg(void **state)
{
	struct sbuf o = SBUF_INIT;
	struct err e = { 0 };

	assert_int_equal(sched_xl_pool_cfg("qos", "credit2", "1,2", &o, &e), 0);
	assert_string_equal(sbuf_str(&o), "name=\"qos\"\nsched=\"credit2\"\ncpus=\"1,2\"\n");
	sbuf_free(&o);
	assert_int_equal(sched_xl_pool_cfg("qos", "credit2", "2-1", &o, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "cpus=2-1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setting_parse),
		cmocka_unit_test(test_cgroup_max),
		cmocka_unit_test(test_cpupool_list),
		cmocka_unit_test(test_apply_ok),
		cmocka_unit_test(test_apply_readback_mismatch),
		cmocka_unit_test(test_apply_pin_fails),
		cmocka_unit_test(test_apply_restore_fails),
		cmocka_unit_test(test_check_refuses),
		cmocka_unit_test(test_apply_pool),
		cmocka_unit_test(test_show),
		cmocka_unit_test(test_testbed_outputs),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_pool_create_readback),
		cmocka_unit_test(test_pool_cfg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
