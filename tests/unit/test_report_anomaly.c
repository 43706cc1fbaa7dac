/* The report flags an environment faster than its baseline beyond the 95%
 * interval and names the measured differences (src/report/anomaly.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "report/anomaly.h"
#include "report/model.h"

/* n records of bench in env with the given values, machine facts and page faults. */
static void add(struct sbuf *o, const char *env, const char *bench, const double *v, size_t n,
		const char *machine, long faults)
{
	for (size_t i = 0; i < n; i++) {
		sbuf_printf(o, "{\"experiment\":\"t\",\"environment\":\"%s\",\"label\":\"l\",\"facts\":{"
			       "\"hostname\":\"h\"", env);
		if (machine)
			sbuf_printf(o, ",\"machine\":\"%s\"", machine);
		sbuf_printf(o, "},\"benchmark\":\"%s\",\"kind\":\"cpu\",\"size\":\"test\",\"iteration\":%zu,"
			       "\"value\":%g,\"unit\":\"s\",\"better\":\"lower\",\"status\":\"ok\"", bench,
			    i + 1, v[i]);
		if (faults >= 0)
			sbuf_printf(o, ",\"counts\":{\"page-faults\":{\"count\":%ld}}", faults);
		sbuf_puts(o, "}\n");
	}
}

static const double bare[] = { 1.95, 1.96, 1.97, 1.96, 1.95 };
static const double fast[] = { 0.95, 0.96, 0.97, 0.96, 0.95 };     /* 0.49x: the flow anomaly */
static const double slow[] = { 2.60, 2.62, 2.64, 2.61, 2.63 };     /* stencil 1.34x: not flagged */
static const double same[] = { 1.90, 2.02, 1.96, 1.93, 1.99 };     /* within the interval */

#define BARE_M "thp=always clocksource=tsc mem_mib=3931 cpus=2"
#define PV_M "thp=unsupported clocksource=xen mem_mib=460 cpus=1"

static void build(struct sbuf *in, struct model *m, struct result_set *set)
{
	struct err e = { 0 };

	assert_int_equal(results_parse("t.jsonl", sbuf_str(in), in->len, false, set, NULL, &e), 0);
	assert_int_equal(model_build(m, set, NULL, NULL, &e), 0);
}

static size_t env_index(const struct model *m, const char *name)
{
	for (size_t k = 0; k < m->nenv; k++)
		if (!strcmp(m->envs[k].name, name))
			return k;
	fail_msg("no environment %s", name);
	return 0;
}

static size_t bench_index(const struct model *m, const char *name)
{
	for (size_t b = 0; b < m->nbench; b++)
		if (!strcmp(m->benches[b].name, name))
			return b;
	fail_msg("no benchmark %s", name);
	return 0;
}

static void test_flagged_with_reason(void **st)
{
	struct sbuf in = SBUF_INIT, md = SBUF_INIT;
	struct result_set set = { 0 };
	struct model m;
	char why[1024];
	(void)st;

	add(&in, "testbed:bare", "flow", bare, 5, BARE_M, 90000);
	add(&in, "testbed:pv", "flow", fast, 5, PV_M, 12000);
	add(&in, "testbed:bare", "stencil", bare, 5, BARE_M, -1);
	add(&in, "testbed:pv", "stencil", slow, 5, PV_M, -1);
	add(&in, "testbed:pvh", "flow", same, 5, BARE_M, -1);
	build(&in, &m, &set);
	size_t pv = env_index(&m, "testbed:pv"), pvh = env_index(&m, "testbed:pvh");
	size_t bf = bench_index(&m, "flow"), bs = bench_index(&m, "stencil");

	assert_true(anomaly_is(&m, pv, model_cell(&m, bf, pv)));
	assert_false(anomaly_is(&m, pv, model_cell(&m, bs, pv)));
	assert_false(anomaly_is(&m, pvh, model_cell(&m, bf, pvh)));
	assert_false(anomaly_is(&m, env_index(&m, "testbed:bare"), model_cell(&m, bf, 0)));
	assert_true(anomaly_reason(&m, pv, model_cell(&m, bf, pv), why, sizeof(why)));
	assert_non_null(strstr(why, "thp=unsupported in testbed:pv, thp=always in testbed:bare"));
	assert_non_null(strstr(why, "mem_mib=460 in testbed:pv, mem_mib=3931 in testbed:bare"));
	assert_non_null(strstr(why, "page-faults 12000 per run in testbed:pv, 90000 in testbed:bare"));
	render_md(&m, "t", &md);
	assert_non_null(strstr(sbuf_str(&md), "## Faster than the baseline"));
	assert_non_null(strstr(sbuf_str(&md), "- flow on testbed:pv took 0.490x"));
	assert_null(strstr(sbuf_str(&md), "stencil on testbed:pv took"));
	assert_null(strstr(sbuf_str(&md), "flow on testbed:pvh took"));
	sbuf_free(&md);
	model_free(&m);
	results_free(&set);
	sbuf_free(&in);
}

/* Without facts or counts the report still flags it and says it is unexplained. */
static void test_flagged_unexplained(void **st)
{
	struct sbuf in = SBUF_INIT, md = SBUF_INIT;
	struct result_set set = { 0 };
	struct model m;
	char why[1024];
	(void)st;

	add(&in, "testbed:bare", "flow", bare, 5, NULL, -1);
	add(&in, "testbed:hvm", "flow", fast, 5, NULL, -1);
	build(&in, &m, &set);
	size_t hvm = env_index(&m, "testbed:hvm");

	assert_true(anomaly_is(&m, hvm, model_cell(&m, 0, hvm)));
	assert_false(anomaly_reason(&m, hvm, model_cell(&m, 0, hvm), why, sizeof(why)));
	assert_non_null(strstr(why, "no measured difference"));
	render_md(&m, "t", &md);
	assert_non_null(strstr(sbuf_str(&md), "Unexplained: no measured difference"));
	sbuf_free(&md);
	model_free(&m);
	results_free(&set);
	sbuf_free(&in);
}

/* A slower guest, or one within the interval, gets no section. */
static void test_not_flagged(void **st)
{
	struct sbuf in = SBUF_INIT, md = SBUF_INIT;
	struct result_set set = { 0 };
	struct model m;
	(void)st;

	add(&in, "testbed:bare", "flow", bare, 5, BARE_M, -1);
	add(&in, "testbed:pv", "flow", slow, 5, PV_M, -1);
	add(&in, "testbed:hvm", "flow", same, 5, BARE_M, -1);
	build(&in, &m, &set);
	render_md(&m, "t", &md);
	assert_null(strstr(sbuf_str(&md), "Faster than the baseline"));
	sbuf_free(&md);
	model_free(&m);
	results_free(&set);
	sbuf_free(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flagged_with_reason),
		cmocka_unit_test(test_flagged_unexplained),
		cmocka_unit_test(test_not_flagged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
