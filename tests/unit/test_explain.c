/* Unit tests of src/report/explain (the slowdown decomposition) on the
 * fixture ../fixtures/results/explain.jsonl, and of src/run/xtcounts (a
 * xentrace summary as record counts) on the real testbed trace
 * data/xentrace_hvm_cpuid.bin (see test_xentrace.c). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/json.h"
#include "report/explain.h"
#include "run/results.h"
#include "run/xtcounts.h"
#include "xen/xentrace.h"
#include "xen/xtmeta.h"

struct fx {
	struct result_set set;
	struct model m;
	struct explanation x;
};

static void load(struct fx *f)
{
	struct err e = { 0, "" };

	memset(f, 0, sizeof(*f));
	assert_int_equal(results_load("../fixtures/results/explain.jsonl", false, &f->set, NULL, &e), 0);
	assert_int_equal(model_build(&f->m, &f->set, NULL, NULL, &e), 0);
	assert_int_equal(explain_build(&f->m, &f->x, &e), 0);
}

static void unload(struct fx *f)
{
	explain_free(&f->x);
	model_free(&f->m);
	results_free(&f->set);
}

static const struct xtarget *target(const struct fx *f, const char *env, const char *bench)
{
	for (size_t i = 0; i < f->x.n; i++)
		if (!strcmp(f->x.v[i].env, env) && !strcmp(f->x.v[i].bench, bench))
			return &f->x.v[i];
	fail_msg("no target %s in %s", bench, env);
	return NULL;
}

static const struct xpart *part(const struct xtarget *t, const char *name)
{
	for (size_t i = 0; i < t->nparts; i++)
		if (!strcmp(t->parts[i].m->name, name))
			return &t->parts[i];
	fail_msg("no part %s", name);
	return NULL;
}

/* PV search: page faults 80000 x (5000-1000 ns) + 79000 extra x 1000 ns,
 * system calls 200000 x 500 ns + 199800 x 100 ns, of 600 ms extra. */
static void test_pv_kernel(void **state)
{
	struct fx f;
	(void)state;
	load(&f);
	const struct xtarget *t = target(&f, "testbed:pv", "search");
	assert_string_equal(t->base, "testbed:bare");
	assert_float_equal(t->extra_ns, 600e6, 1);
	const struct xpart *pf = part(t, "page faults"), *sc = part(t, "system calls");
	assert_float_equal(pf->cost_ns, 4000, 1e-6);
	assert_float_equal(pf->base_cost_ns, 1000, 1e-6);
	assert_float_equal(pf->time_ns, 399e6, 1);
	assert_float_equal(sc->time_ns, 119.98e6, 1);
	/* the page-fault micro carries 2 multicalls and 1 mmu_update per fault: none left */
	assert_float_equal(part(t, "batched hypercalls")->events, 0, 1e-9);
	assert_float_equal(part(t, "batched hypercalls")->carried, 160000, 1e-6);
	assert_float_equal(part(t, "page-table hypercalls")->events, 0, 1e-9);
	assert_float_equal(t->explained, 518.98 / 600, 1e-6);
	assert_float_equal(t->unexplained_ns, 600e6 - 518.98e6, 1);
	/* the strongest slowdown is a micro priced by itself */
	const struct xtarget *s = target(&f, "testbed:pv", "null_syscall");
	assert_true(part(s, "system calls")->circular);
	assert_float_equal(s->explained, 1, 1e-9);
	unload(&f);
}

/* HVM search: most of 200 ms unexplained; no syscall counts there: no data, never 0. */
static void test_hvm_unexplained_and_no_data(void **state)
{
	struct fx f;
	(void)state;
	load(&f);
	const struct xtarget *t = target(&f, "testbed:hvm", "search");
	assert_true(t->explained < 0.1);
	assert_float_equal(t->unexplained_ns, 200e6 - t->explained_ns, 1);
	const struct xpart *sc = part(t, "system calls");
	assert_false(sc->counted);
	assert_true(isnan(sc->time_ns));
	assert_true(isnan(sc->events));
	/* NPF priced from the trace: 5000 x 2000 ns */
	const struct xpart *npf = part(t, "NPF exits");
	assert_true(npf->from_trace);
	assert_float_equal(npf->time_ns, 10e6, 1);
	/* cpuid: 10 exits x (2050 - 50) ns; bare has no Xen, so 0 there */
	assert_float_equal(part(t, "cpuid exits")->time_ns, 20000, 1e-6);
	unload(&f);
}

static void test_render(void **state)
{
	struct fx f;
	struct sbuf md = SBUF_INIT, html = SBUF_INIT, js = SBUF_INIT;
	struct json *j = NULL;
	(void)state;
	load(&f);
	explain_md(&f.x, &md);
	explain_html(&f.x, &html);
	explain_json(&f.x, &js);
	assert_non_null(strstr(sbuf_str(&md), "testbed:pv: search (cpu) 1.60x slower than testbed:bare"));
	assert_non_null(strstr(sbuf_str(&md), "86.5% explained"));
	assert_non_null(strstr(sbuf_str(&md), "no data (not counted in testbed:hvm of search): system calls"));
	assert_non_null(strstr(sbuf_str(&html), "<svg"));
	assert_non_null(strstr(sbuf_str(&html), "<title>unexplained"));
	assert_int_equal(json_parse(js.buf, js.len, "explain", &j, NULL), 0);
	json_free(j);
	sbuf_free(&md);
	sbuf_free(&html);
	sbuf_free(&js);
	unload(&f);
}

static void test_no_baseline(void **state)
{
	const char *one = "{\"experiment\":\"x\",\"environment\":\"testbed:pv\",\"benchmark\":\"search\","
			  "\"kind\":\"cpu\",\"iteration\":1,\"value\":1,\"unit\":\"s\",\"better\":\"lower\","
			  "\"status\":\"ok\"}\n";
	struct result_set set = { 0 };
	struct model m;
	struct explanation x;
	struct err e = { 0, "" };
	(void)state;
	assert_int_equal(results_parse("one", one, strlen(one), false, &set, NULL, &e), 0);
	assert_int_equal(model_build(&m, &set, NULL, NULL, &e), 0);
	assert_int_equal(explain_build(&m, &x, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "baseline"));
	model_free(&m);
	results_free(&set);
}

/* The real HVM trace: 2614 cpuid exits of domain 1 (xenalyze says so too). */
static void test_xtcounts(void **state)
{
	struct xt_file *f;
	struct xt_summary *s;
	struct xt_meta m;
	struct err e = { 0, "" };
	struct sbuf o = SBUF_INIT;
	struct json *j = NULL;
	double n, ns;
	(void)state;
	assert_int_equal(xt_meta_load("data/xentrace_hvm_cpuid.bin", &m, &e), 0);
	assert_int_equal(xt_open("data/xentrace_hvm_cpuid.bin", &f, &e), 0);
	assert_int_equal(xt_summarize(f, XT_SVM, &s, &e), 0);
	xtcounts_json(s, m.domid, 1, 0, m.cpu_hz, &o);
	char *obj = NULL;
	xtcounts_merge(&obj, sbuf_str(&o));
	assert_int_equal(json_parse(obj, strlen(obj), "counts", &j, NULL), 0);
	const struct json *c = json_get(j, "xentrace:exit:cpuid");
	assert_non_null(c);
	assert_int_equal(json_get_num(c, "count", &n), 0);
	assert_float_equal(n, 2614, 0);
	assert_int_equal(json_get_num(c, "ns_each", &ns), 0);
	assert_float_equal(ns, 104232 / 2.596143, 100);   /* xenalyze's mean cycles at cpu_hz */
	assert_non_null(json_get(j, "xentrace:cpuid"));
	assert_null(json_get(json_get(j, "xentrace:cpuid"), "per_op"));
	json_free(j);
	/* merging into an existing counts object */
	char *old = xstrdup("{\"page-faults\":{\"count\":3}}");
	xtcounts_merge(&old, "\"xentrace:exits\":{\"count\":1}");
	assert_string_equal(old, "{\"page-faults\":{\"count\":3},\"xentrace:exits\":{\"count\":1}}");
	free(old);
	old = xstrdup("{}");
	xtcounts_merge(&old, "\"a\":{\"count\":1}");
	assert_string_equal(old, "{\"a\":{\"count\":1}}");
	free(old);
	free(obj);
	sbuf_free(&o);
	xt_summary_free(s);
	xt_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pv_kernel),
		cmocka_unit_test(test_hvm_unexplained_and_no_data),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_no_baseline),
		cmocka_unit_test(test_xtcounts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
