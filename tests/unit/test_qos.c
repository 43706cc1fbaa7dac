/* Unit tests of src/sched/qos_plan.c: the order of the search, the stop
 * rule, the guaranteed minimum and resuming, on recorded trial records
 * (data/qos/trials.jsonl), and the trial parser's messages. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/fileio.h"
#include "sched/qos.h"

#define CONFIG "A=qa B=qb warehouses=2 rampup_ms=3000 measure_ms=10000"

static struct qos_trial *load(size_t *n)
{
	struct sbuf b = SBUF_INIT;
	struct err e = { 0 };
	struct qos_trial *ts = NULL;

	assert_int_equal(file_read("data/qos/trials.jsonl", &b, &e), 0);
	assert_int_equal(qos_trials_parse(b.buf, b.len, "trials.jsonl", &ts, n, &e), 0);
	sbuf_free(&b);
	return ts;
}

static int index_of(const struct qos_candidate *cs, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(cs[i].name, name))
			return i;
	return -1;
}

/* least to most intrusive, as documented; pools keep CPU 0 in Pool-0 */
static void test_order(void **state)
{
	struct qos_candidate cs[QOS_CANDIDATES_MAX];
	const char *want[] = { "default", "weight-2:1", "weight-4:1", "weight-16:1", "cap-b-100", "cap-b-50",
			       "pin", "pool", "pool-credit", "pin-dom0" };
	int n = qos_candidates(2, 2, cs, QOS_CANDIDATES_MAX);
	struct sbuf d = SBUF_INIT;

	(void)state;
	assert_int_equal(n, 10);
	for (int i = 0; i < n; i++)
		assert_string_equal(cs[i].name, want[i]);
	assert_int_equal(cs[0].a.set | cs[0].b.set | cs[0].dom0.set | (unsigned)cs[0].npools, 0);
	assert_int_equal(cs[2].a.weight, 1024);
	assert_int_equal(cs[5].b.cap, 50);
	assert_string_equal(cs[6].a.cpus, "1");
	assert_string_equal(cs[6].b.cpus, "0");
	assert_int_equal(cs[7].npools, 1);
	assert_string_equal(cs[7].pools[0].cpus, "1");
	assert_string_equal(cs[8].pools[0].sched, "credit");
	assert_string_equal(cs[9].dom0.cpus, "0");
	qos_candidate_describe(&cs[8], "qa", "qb", &d);
	assert_string_equal(sbuf_str(&d), "pool vmlab-qos-a (credit) on CPUs 1; qa pool=vmlab-qos-a");
	sbuf_free(&d);
	/* four CPUs: B gets a pool of its own beside Pool-0's CPU 0 */
	n = qos_candidates(4, 2, cs, QOS_CANDIDATES_MAX);
	int p = index_of(cs, n, "pool");
	assert_int_equal(cs[p].npools, 2);
	assert_string_equal(cs[p].pools[0].cpus, "2-3");
	assert_string_equal(cs[p].pools[1].cpus, "1");
	assert_string_equal(cs[p].b.pool, QOS_POOL_B);
	/* one CPU: nothing to pin or pool */
	assert_int_equal(qos_candidates(1, 2, cs, QOS_CANDIDATES_MAX), 6);
	/* max is respected */
	assert_int_equal(qos_candidates(2, 2, cs, 3), 3);
}

/* the commands that persist a candidate: one apply per guest, pool options
 * for a pool the candidate makes, dom0's pinning said not persisted */
static void test_persist_cmds(void **state)
{
	struct qos_candidate cs[QOS_CANDIDATES_MAX];
	int n = qos_candidates(2, 2, cs, QOS_CANDIDATES_MAX);
	struct sbuf d = SBUF_INIT;

	(void)state;
	qos_candidate_persist(&cs[index_of(cs, n, "default")], "qa", "qb", &d);
	assert_string_equal(sbuf_str(&d), "# Xen's defaults: nothing to persist\n");
	sbuf_reset(&d);
	qos_candidate_persist(&cs[index_of(cs, n, "weight-4:1")], "qa", "qb", &d);
	assert_string_equal(sbuf_str(&d), "vmlab qos apply weight=1024 --persist qa\n");
	sbuf_reset(&d);
	qos_candidate_persist(&cs[index_of(cs, n, "pin")], "qa", "qb", &d);
	assert_string_equal(sbuf_str(&d), "vmlab qos apply cpus=1 --persist qa\nvmlab qos apply cpus=0 --persist qb\n");
	sbuf_reset(&d);
	qos_candidate_persist(&cs[index_of(cs, n, "pool-credit")], "qa", "qb", &d);
	assert_string_equal(sbuf_str(&d), "vmlab qos apply pool=vmlab-qos-a --pool-cpus 1 --pool-sched credit "
					  "--persist qa\n");
	sbuf_reset(&d);
	qos_candidate_persist(&cs[index_of(cs, n, "pin-dom0")], "qa", "qb", &d);
	assert_non_null(strstr(sbuf_str(&d), "vmlab qos apply cpus=0 --persist qb\n# Domain-0 cpus=0: not persisted"));
	sbuf_free(&d);
}

/* the reference is the median; the first setting holding K of K stops */
static void test_stop_rule(void **state)
{
	struct qos_candidate cs[QOS_CANDIDATES_MAX];
	int nc = qos_candidates(2, 2, cs, QOS_CANDIDATES_MAX);
	size_t n;
	struct qos_trial *ts = load(&n);
	struct qos_verdict v;
	double ref = qos_reference(ts, n, CONFIG, QOS_NATIVE);

	(void)state;
	assert_true(fabs(ref - 1000) < 1e-9);
	assert_true(fabs(qos_reference(ts, n, CONFIG, QOS_SOLO_A) - 960) < 1e-9);
	assert_true(isnan(qos_reference(ts, n, "other", QOS_NATIVE)));
	/* 0.8: weight-2:1 misses once (0.70), weight-4:1 holds all three */
	qos_decide(cs, nc, ts, n, CONFIG, ref, 0.8, 3, &v);
	assert_int_equal(v.found, 2);
	/* 0.7: weight-2:1 holds */
	qos_decide(cs, nc, ts, n, CONFIG, ref, 0.7, 3, &v);
	assert_int_equal(v.found, 1);
	/* 0.4: the defaults hold; nothing more is tried */
	qos_decide(cs, nc, ts, n, CONFIG, ref, 0.4, 3, &v);
	assert_int_equal(v.found, 0);
	/* 0.95: none of the three run holds; the next to run is weight-16:1 (resume) */
	qos_decide(cs, nc, ts, n, CONFIG, ref, 0.95, 3, &v);
	assert_int_equal(v.found, -1);
	assert_int_equal(v.next, 3);
	/* K = 4: the defaults have only 3 runs, so they run next */
	qos_decide(cs, nc, ts, n, CONFIG, ref, 0.8, 4, &v);
	assert_int_equal(v.next, 0);
	free(ts);
}

/* all settings run, none holds: the guaranteed minimum is the best least run */
static void test_guaranteed_minimum(void **state)
{
	struct qos_candidate cs[QOS_CANDIDATES_MAX];
	int nc = qos_candidates(2, 2, cs, 3);
	size_t n;
	struct qos_trial *ts = load(&n);
	struct qos_verdict v;
	struct qos_evidence ev;

	(void)state;
	qos_decide(cs, nc, ts, n, CONFIG, 1000, 0.95, 3, &v);
	assert_int_equal(v.found, -1);
	assert_int_equal(v.next, -1);
	assert_int_equal(v.best, 2);
	assert_true(fabs(v.guaranteed - 0.85) < 1e-9);
	qos_evidence_of(ts, n, CONFIG, "weight-2:1", 1000, 0.8, &ev);
	assert_int_equal(ev.runs, 3);
	assert_int_equal(ev.held, 2);
	assert_true(fabs(ev.min - 0.70) < 1e-9 && fabs(ev.median - 0.81) < 1e-9 && fabs(ev.max - 0.82) < 1e-9);
	/* an invalid run guarantees nothing: weight-4:1 then counts 0 */
	for (size_t k = 0; k < n; k++)
		if (!strcmp(ts[k].setting, "weight-4:1") && ts[k].run == 2)
			ts[k].valid = false;
	qos_decide(cs, nc, ts, n, CONFIG, 1000, 0.8, 3, &v);
	assert_int_equal(v.found, -1);
	assert_int_equal(v.best, 1);
	assert_true(fabs(v.guaranteed - 0.70) < 1e-9);
	free(ts);
}

/* a record written is the record read; resuming finds it */
static void test_resume_roundtrip(void **state)
{
	struct qos_trial t = { .phase = QOS_PAIR, .run = 2, .valid = true, .bops_a = 812.5, .bops_b = NAN,
			       .skew_ms = 3.25, .overlap = 0.995, .late_ms = NAN };
	struct qos_trial back, *all = NULL;
	struct sbuf s = SBUF_INIT;
	struct err e = { 0 };
	size_t n;

	(void)state;
	snprintf(t.config, sizeof(t.config), "%s", CONFIG);
	snprintf(t.setting, sizeof(t.setting), "pin");
	qos_trial_format(&t, "{\"qa\":{\"x\":1}}", &s);
	assert_int_equal(qos_trial_parse(s.buf, s.len - 1, "x", &back, &e), 0);
	assert_string_equal(back.setting, "pin");
	assert_int_equal(back.run, 2);
	assert_true(back.valid && back.bops_a == 812.5 && isnan(back.bops_b) && back.skew_ms == 3.25);
	sbuf_puts(&s, "\n\n");
	qos_trial_format(&t, NULL, &s);
	assert_int_equal(qos_trials_parse(s.buf, s.len, "f", &all, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_non_null(qos_trial_find(all, n, CONFIG, QOS_PAIR, "pin", 2));
	assert_null(qos_trial_find(all, n, CONFIG, QOS_PAIR, "pin", 1));
	assert_null(qos_trial_find(all, n, "A=x", QOS_PAIR, "pin", 2));
	free(all);
	sbuf_free(&s);
}

/* malformed trial files: FILE:LINE and what is wrong */
static void test_parse_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "{\"kind\":\"qos-trial\"", "f:1:" },
		{ "\n{\"kind\":\"x\"}\n", "f:2: kind: expected \"qos-trial\"" },
		{ "{\"kind\":\"qos-trial\",\"config\":\"c\",\"phase\":\"solo\",\"setting\":\"d\"}",
		  "f:1: phase: 'solo' is not" },
		{ "{\"kind\":\"qos-trial\",\"config\":\"c\",\"phase\":\"pair\",\"setting\":\"d\",\"run\":0}",
		  "f:1: run: expected 1..1000" },
		{ "{\"kind\":\"qos-trial\",\"config\":\"c\",\"phase\":\"pair\",\"setting\":\"d\",\"run\":1,"
		  "\"valid\":true,\"bops_a\":\"9\"}", "f:1: bops_a: expected a number or null" },
		{ "[1]", "f:1: expected a JSON object" },
	};
	struct qos_trial *ts = NULL;
	size_t n;

	(void)state;
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct err e = { 0 };

		assert_int_equal(qos_trials_parse(bad[k].text, strlen(bad[k].text), "f", &ts, &n, &e), -EBADMSG);
		if (!strstr(e.msg, bad[k].msg))
			fail_msg("%zu: '%s' lacks '%s'", k, e.msg, bad[k].msg);
	}
}

static void test_stats(void **state)
{
	double v[] = { 3, 1, 2 };
	struct qos_stats s;

	(void)state;
	qos_stats_of(v, 3, &s);
	assert_true(s.median == 2 && s.min == 1 && s.max == 3 && !s.ci_exact && s.mean == 2 && s.sd == 1);
	qos_stats_of(v, 0, &s);
	assert_true(isnan(s.median));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_persist_cmds),
		cmocka_unit_test(test_stop_rule),
		cmocka_unit_test(test_guaranteed_minimum),
		cmocka_unit_test(test_resume_roundtrip),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_stats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
