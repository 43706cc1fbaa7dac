/* Unit tests of src/xen/xentrace (the reader), xtsum (the summary) and
 * xtmeta: framing checks on small buffers built to the format, and the
 * summary of real traces from the testbed against xenalyze's output on
 * the same files. data/xentrace_hvm_cpuid.bin and xentrace_pv_fork_exit.bin
 * (with their .meta) were recorded by tests/testbed/test_xentrace.sh
 * (VMLAB_XENTRACE_KEEP) on Xen 4.17.7 in the testbed; the .xenalyze files
 * are Debian's xenalyze 4.17 (xen-utils-4.17) `--svm-mode --cpu-hz=HZ -s`
 * on them, HZ the meta file's cpu_hz. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/fileio.h"
#include "xen/xentrace.h"
#include "xen/xtmeta.h"
#include "xen/xtsum.h"

/* A trace under construction: words appended in host order. */
struct tb {
	uint32_t w[256];
	size_t n;
	size_t win;              /* index of the open window's size word */
};

static void put(struct tb *t, uint32_t v)
{
	t->w[t->n++] = v;
}

static void window(struct tb *t, int cpu)
{
	put(t, XT_CPU_CHANGE_HDR);
	put(t, (uint32_t)cpu);
	t->win = t->n;
	put(t, 0);
}

/* A record of event ev with TSC tsc (0: none) and n extra words. */
static void rec(struct tb *t, uint32_t ev, uint64_t tsc, int n, const uint32_t *x)
{
	size_t start = t->n;

	put(t, ev | (uint32_t)n << 28 | (tsc ? 1u << 31 : 0));
	if (tsc) {
		put(t, (uint32_t)tsc);
		put(t, (uint32_t)(tsc >> 32));
	}
	for (int k = 0; k < n; k++)
		put(t, x[k]);
	t->w[t->win] += (uint32_t)(4 * (t->n - start));
}

static int open_tb(const struct tb *t, size_t bytes, struct xt_file **f, struct err *e)
{
	return xt_open_mem(t->w, bytes, "t.bin", f, e);
}

static void test_bad_files(void **state)
{
	struct tb t = { 0 };
	struct xt_file *f;
	struct err e = { 0 };
	uint32_t x[3] = { 1, 2, 3 };

	assert_int_equal(open_tb(&t, 0, &f, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "t.bin: byte offset 0: empty file"));
	window(&t, 0);
	rec(&t, 0x00081102u, 100, 3, x);
	rec(&t, 0x00081001u, 150, 0, NULL);
	assert_int_equal(open_tb(&t, 4 * t.n, &f, &e), 0);
	xt_close(f);
	/* cut inside the window: truncated, at the window's header */
	assert_int_equal(open_tb(&t, 4 * t.n - 4, &f, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "byte offset 0: truncated: CPU 0's window of 36 bytes"));
	/* cut inside the CPU-change record */
	assert_int_equal(open_tb(&t, 8, &f, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "byte offset 0: truncated: 8 bytes of a 12-byte"));
	/* a second header that is not one */
	put(&t, 0xdeadbeefu);
	put(&t, 0);
	put(&t, 0);
	assert_int_equal(open_tb(&t, 4 * t.n, &f, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "byte offset 48: not a CPU-change record (header 0xdeadbeef"));
	/* a window whose last record runs past its end */
	t.n -= 3;
	t.w[2] -= 4;
	assert_int_equal(open_tb(&t, 4 * t.n - 4, &f, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "byte offset 36: record 0x80081001 of 12 bytes crosses the end of "
				       "CPU 0's window at byte offset 44"));
	/* a CPU number out of range */
	t.w[2] += 4;
	t.w[1] = 300;
	assert_int_equal(open_tb(&t, 4 * t.n, &f, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "byte offset 4: CPU number 300 out of range"));
}

struct seen {
	uint64_t tsc[16];
	int cpu[16];
	bool second[16];
	int n;
};

static int note(const struct xt_rec *r, bool second, void *arg)
{
	struct seen *s = arg;

	s->tsc[s->n] = r->tsc;
	s->cpu[s->n] = r->cpu;
	s->second[s->n++] = second;
	return 0;
}

static void test_order(void **state)
{
	struct tb t = { 0 };
	struct xt_file *f;
	struct err e = { 0 };
	struct seen s = { 0 };
	struct xt_info i;
	uint32_t lost[4] = { 5, 0, 150, 0 };   /* 5 lost, first at TSC 150 */

	window(&t, 1);
	rec(&t, 0x00021011u, 200, 1, lost);
	rec(&t, 0x00028004u, 0, 0, NULL);      /* no TSC: takes 200 */
	rec(&t, 0x00021011u, 400, 1, lost);
	window(&t, 0);
	rec(&t, 0x00021011u, 100, 1, lost);
	rec(&t, XT_LOST_RECORDS, 300, 4, lost);
	window(&t, 1);
	rec(&t, 0x00021011u, 500, 1, lost);
	assert_int_equal(open_tb(&t, 4 * t.n, &f, &e), 0);
	xt_info(f, &i);
	assert_int_equal(i.ncpus, 2);
	assert_int_equal(i.windows, 3);
	assert_int_equal(i.records, 6);
	assert_int_equal(xt_walk(f, note, &s), 0);
	/* cpu0 100, the lost record at its first_tsc 150, cpu1 200 and its
	 * TSC-less record, the lost record again at 300, then 400, 500 */
	static const uint64_t want[] = { 100, 300, 200, 200, 300, 400, 500 };
	static const int wcpu[] = { 0, 0, 1, 1, 0, 1, 1 };
	assert_int_equal(s.n, 7);
	for (int k = 0; k < 7; k++) {
		assert_int_equal(s.tsc[k], want[k]);
		assert_int_equal(s.cpu[k], wcpu[k]);
		assert_int_equal(s.second[k], k == 4);
	}
	xt_close(f);
}

/* Exits on one vCPU: counted when they close at the next VM entry, or
 * when the vCPU becomes runnable; none before the first schedule. */
static void test_summary_exits(void **state)
{
	struct tb t = { 0 };
	struct xt_file *f;
	struct xt_summary *s;
	struct err e = { 0 };
	uint32_t d1v0 = 1u << 16 | 0, cpuid[3] = { 114, 0x1000, 0 }, hlt[3] = { 120, 0x1004, 0 };

	window(&t, 0);
	rec(&t, 0x00081102u, 50, 3, cpuid);    /* before any schedule: the default domain's */
	rec(&t, 0x00081001u, 60, 0, NULL);
	rec(&t, 0x00021000u | 1 << 8 | 0 << 4 | 1, 100, 1, &d1v0);  /* runnable -> running */
	rec(&t, 0x00081102u, 110, 3, cpuid);
	rec(&t, 0x0008200eu, 0, 0, NULL);       /* TRC_HVM_CPUID */
	rec(&t, 0x00081001u, 140, 0, NULL);
	rec(&t, 0x00081102u, 150, 3, cpuid);
	rec(&t, 0x00081001u, 170, 0, NULL);
	rec(&t, 0x00081102u, 200, 3, hlt);
	rec(&t, 0x00021000u | 0 << 8 | 1 << 4 | 1, 260, 1, &d1v0);  /* running -> runnable */
	rec(&t, 0x00081001u, 300, 0, NULL);     /* no exit open any more */
	assert_int_equal(open_tb(&t, 4 * t.n, &f, &e), 0);
	assert_int_equal(xt_summarize(f, XT_SVM, &s, &e), 0);
	assert_int_equal(s->ndomains, 1);
	assert_int_equal(s->domains[0].domid, 1);
	const struct xt_vcpu *v = s->domains[0].vcpu[0];
	assert_non_null(v);
	assert_true(v->hvm);
	assert_int_equal(v->exit[114].count, 2);
	assert_int_equal(v->exit[114].cycles, 30 + 20);
	assert_int_equal(v->exit[120].count, 1);
	assert_int_equal(v->exit[120].cycles, 60);
	assert_int_equal(v->handler[XT_H_CPUID], 1);
	assert_int_equal(v->runstate[XT_RS_RUNNING].cycles, 160);
	assert_string_equal(xt_exit_name(XT_SVM, 114), "VMEXIT_CPUID");
	xt_summary_free(s);
	xt_close(f);
}

static void test_names(void **state)
{
	assert_string_equal(xt_exit_name(XT_SVM, 0), "VMEXIT_CR0_READ");
	assert_string_equal(xt_exit_name(XT_SVM, 31), "VMEXIT_CR15_WRITE");
	assert_string_equal(xt_exit_name(XT_SVM, 55), "VMEXIT_DR7_WRITE");
	assert_string_equal(xt_exit_name(XT_SVM, 78), "VMEXIT_EXCEPTION_PF");
	assert_string_equal(xt_exit_name(XT_SVM, 79), "VMEXIT_EXCEPTION_15");
	assert_string_equal(xt_exit_name(XT_SVM, 95), "VMEXIT_EXCEPTION_31");
	assert_string_equal(xt_exit_name(XT_SVM, 96), "VMEXIT_INTR");
	assert_string_equal(xt_exit_name(XT_SVM, 120), "VMEXIT_HLT");
	assert_string_equal(xt_exit_name(XT_SVM, 123), "VMEXIT_IOIO");
	assert_string_equal(xt_exit_name(XT_SVM, 129), "VMEXIT_VMMCALL");
	assert_string_equal(xt_exit_name(XT_SVM, 140), "VMEXIT_MWAIT_CONDITIONAL");
	assert_null(xt_exit_name(XT_SVM, 141));
	assert_string_equal(xt_exit_name(XT_SVM, 1024), "VMEXIT_NPF");
	assert_string_equal(xt_exit_name(XT_VMX, 10), "CPUID");
	assert_string_equal(xt_exit_name(XT_VMX, 48), "EPT_VIOLATION");
	assert_null(xt_exit_name(XT_VMX, 35));
	assert_string_equal(xt_hypercall_name(1), "mmu_update");
	assert_string_equal(xt_hypercall_name(26), "mmuext_op");
}

static void test_mask_meta(void **state)
{
	unsigned m;
	struct err e;
	struct xt_meta meta;
	static const char good[] = "{\"cpu_hz\":2695950000,\"exit_names\":\"svm\",\"mask\":716800,"
				   "\"classes\":\"hvm,sched\",\"domain\":\"g\",\"domid\":3,\"status\":0}";

	assert_int_equal(xt_mask_parse("hvm,sched", &m, &e), 0);
	assert_int_equal(m, 0x000af000u);
	assert_int_equal(xt_mask_parse("all", &m, &e), 0);
	assert_int_equal(m, 0x0ffff000u);
	assert_int_equal(xt_mask_parse("pv,0x1f000", &m, &e), 0);
	assert_int_equal(m, 0x0021f000u);
	assert_int_equal(xt_mask_parse("hvm,bogus", &m, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "'bogus': not an event class"));
	assert_int_equal(xt_mask_parse("hvm,", &m, &e), -EINVAL);
	assert_int_equal(xt_meta_parse(good, strlen(good), "t.meta", &meta, &e), 0);
	assert_true(meta.cpu_hz == 2695950000.0);
	assert_int_equal(meta.domid, 3);
	assert_true(meta.have_vendor);
	assert_string_equal(meta.domain, "g");
	assert_int_equal(xt_meta_parse("{\"cpu_hz\":", 10, "t.meta", &meta, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "t.meta:1:"));
}

/* Sums exit counts per domain and reason ("Exit reasons:" rows) and PV
 * hypercalls per domain and number ("PV events:" rows "NAME [NN]: N") of
 * each domain's vCPUs in xenalyze --summary text into a small table. */
struct exits {
	int dom[256];
	char name[256][32];
	uint64_t count[256];
	int n;
};

static void exits_add(struct exits *x, int dom, const char *name, uint64_t c)
{
	int k;

	for (k = 0; k < x->n; k++)
		if (x->dom[k] == dom && !strcmp(x->name[k], name))
			break;
	if (k == x->n) {
		assert_true(x->n < 256);
		x->dom[k] = dom;
		snprintf(x->name[k], sizeof(x->name[k]), "%s", name);
		x->count[k] = 0;
		x->n++;
	}
	x->count[k] += c;
}

static void xenalyze_exits(const char *path, struct exits *x)
{
	struct sbuf b = SBUF_INIT;
	struct err e;
	int dom = -1, in = 0, in_pv = 0;
	char *line, *save = NULL;

	assert_int_equal(file_read(path, &b, &e), 0);
	for (line = strtok_r(b.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		unsigned long long c;
		double secs;
		if (sscanf(line, "|-- Domain %d --|", &dom) == 1 || !strncmp(line, "-- v", 4) ||
		    !strncmp(line, "Emulate eip list", 16)) {
			in = in_pv = 0;
			continue;
		}
		if (!strncmp(line, "Exit reasons:", 13) || !strncmp(line, "PV events:", 10)) {
			in = line[0] == 'E';
			in_pv = !in;
			continue;
		}
		char *br = strstr(line, "[");
		int op;
		if (in_pv && br && sscanf(br, "[%d]: %llu", &op, &c) == 2) {
			snprintf(name, sizeof(name), "hypercall %d", op);
			exits_add(x, dom, name, c);   /* a "PV events:" row */
			continue;
		}
		if (!strncmp(line, "Guest interrupt counts:", 23))
			in = 0;
		if (in && line[0] == ' ' && line[1] != ' ' &&
		    sscanf(line, " %63s %llu %lfs", name, &c, &secs) == 3)
			exits_add(x, dom, name, c);
		else if (in && sscanf(line, " %63[0-9] %llu %lfs", name, &c, &secs) == 3)
			exits_add(x, dom, name, c);
	}
	sbuf_free(&b);
}

/* vmlab's summary of a real testbed trace has xenalyze's exit counts
 * and PV hypercall counts on the same file, domain by domain, reason by
 * reason, hypercall by hypercall. */
static void check_fixture(const char *trace, const char *xenalyze_out, int min_cpuid_dom)
{
	struct xt_file *f;
	struct xt_summary *s;
	struct exits want = { .n = 0 }, got = { .n = 0 };
	struct err e = { 0 };
	char buf[32];

	xenalyze_exits(xenalyze_out, &want);
	assert_true(want.n > 0);
	if (xt_open(trace, &f, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(xt_summarize(f, XT_SVM, &s, &e), 0);
	for (int i = 0; i < s->ndomains; i++)
		for (int k = 0; k < s->domains[i].nvcpus; k++) {
			const struct xt_vcpu *v = s->domains[i].vcpu[k];
			for (unsigned r = 0; v && r < XT_EXIT_MAX; r++)
				if (v->exit[r].count) {
					const char *n = xt_exit_name(XT_SVM, r);
					snprintf(buf, sizeof(buf), "%u", r);
					exits_add(&got, s->domains[i].domid, n ? n : buf, v->exit[r].count);
				}
			for (unsigned op = 0; v && op < XT_HYPERCALL_MAX; op++)
				if (v->hypercall[op]) {
					snprintf(buf, sizeof(buf), "hypercall %u", op);
					exits_add(&got, s->domains[i].domid, buf, v->hypercall[op]);
				}
		}
	assert_int_equal(got.n, want.n);
	for (int k = 0; k < want.n; k++) {
		int j;
		for (j = 0; j < got.n; j++)
			if (got.dom[j] == want.dom[k] && !strcmp(got.name[j], want.name[k]))
				break;
		if (j == got.n || got.count[j] != want.count[k])
			fail_msg("d%d %s: xenalyze %llu, vmlab %llu", want.dom[k], want.name[k],
				 (unsigned long long)want.count[k],
				 j == got.n ? 0ull : (unsigned long long)got.count[j]);
		if (min_cpuid_dom == want.dom[k] && !strcmp(want.name[k], "VMEXIT_CPUID"))
			min_cpuid_dom = -1;
	}
	assert_int_equal(min_cpuid_dom, -1);   /* the HVM guest's cpuid exits are there */
	assert_int_equal(s->lost, 0);
	xt_summary_free(s);
	xt_close(f);
}

static void test_fixture_hvm(void **state)
{
	struct xt_meta m;
	struct err e;

	assert_int_equal(xt_meta_load("data/xentrace_hvm_cpuid.bin", &m, &e), 0);
	assert_true(m.domid > 0);
	assert_true(m.cpu_hz > 1e9);
	check_fixture("data/xentrace_hvm_cpuid.bin", "data/xentrace_hvm_cpuid.xenalyze", m.domid);
}

static void test_fixture_pv(void **state)
{
	check_fixture("data/xentrace_pv_fork_exit.bin", "data/xentrace_pv_fork_exit.xenalyze", -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_summary_exits),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_mask_meta),
		cmocka_unit_test(test_fixture_hvm),
		cmocka_unit_test(test_fixture_pv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
