/* Unit tests of src/xen/cpulist and src/xen/pcispec. */
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

#include "xen/cpulist.h"
#include "xen/pcispec.h"

static int count(const char *s, int ncpus, const int *nodes, bool *set)
{
	struct cpulist l;
	struct err e;
	int col, n;

	memset(set, 0, (size_t)ncpus * sizeof(*set));
	if (cpulist_parse(s, &l, &col, &e))
		return -1;
	n = cpulist_apply(&l, ncpus, nodes, set);
	cpulist_free(&l);
	return n;
}

static void test_cpulist(void **state)
{
	static const int nodes[8] = { 0, 0, 0, 0, 1, 1, 1, 1 };
	bool set[8];
	struct cpulist l;
	struct err e;
	int col;

	assert_int_equal(count("0-3", 8, NULL, set), 4);
	assert_int_equal(count("0-7,^2", 8, NULL, set), 7);
	assert_false(set[2]);
	assert_int_equal(count("all,^0-1", 8, NULL, set), 6);
	assert_int_equal(count("node:1", 8, nodes, set), 4);
	assert_true(set[4] && !set[3]);
	assert_int_equal(count("nodes:0-1,^node:0", 8, nodes, set), 4);
	assert_int_equal(count("nodes:all", 8, nodes, set), 8);
	assert_int_equal(count("3", 8, NULL, set), 1);
	assert_int_equal(count("0, 2", 8, NULL, set), 2);      /* strtoul skips blanks */
	assert_int_equal(count("1,,2,", 8, NULL, set), 2);     /* strtok skips empty items */
	assert_int_equal(count("", 8, NULL, set), 0);
	assert_int_equal(count("^all", 8, NULL, set), -1);
	assert_int_equal(count("3-1", 8, NULL, set), -1);
	assert_int_equal(count("1-", 8, NULL, set), -1);
	assert_int_equal(count("x", 8, NULL, set), -1);
	assert_int_equal(count("1 ", 8, NULL, set), -1);
	assert_int_equal(count("-1", 8, NULL, set), -1);
	assert_int_equal(count("node:", 8, NULL, set), -1);
	assert_int_equal(count("all2", 8, NULL, set), -1);
	assert_int_equal(cpulist_parse("0-3,^all", &l, &col, &e), -EINVAL);
	assert_int_equal(col, 5);
	assert_non_null(strstr(e.msg, "^"));
	assert_int_equal(cpulist_parse("0-3,node:2,9", &l, &col, &e), 0);
	assert_int_equal(cpulist_max(&l, false), 9);
	assert_int_equal(cpulist_max(&l, true), 2);
	cpulist_free(&l);
}

/* Every spec of data/pcispec_libxlutil417.txt (recorded with Debian's
 * libxlutil 4.17 xlu_pci_parse_spec_string) gives the recorded result. */
static void test_pci_fixture(void **state)
{
	FILE *f = fopen("data/pcispec_libxlutil417.txt", "r");
	char line[1024], got[1024];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *end = strstr(line, "] ");
		char spec[512];
		struct pcispec p;
		struct err e;
		int col, r;

		line[strcspn(line, "\n")] = 0;
		snprintf(spec, sizeof(spec), "%.*s", (int)(end - line - 1), line + 1);
		r = pcispec_parse(spec, &p, &col, &e);
		if (r)
			snprintf(got, sizeof(got), "[%s] ERR", spec);
		else
			snprintf(got, sizeof(got), "[%s] OK %04x:%02x:%02x.%x vdevfn=%x name=%s perm=%d",
				 spec, p.domain, p.bus, p.dev, p.func, p.vslot << 3,
				 p.name[0] ? p.name : "-", p.permissive < 0 ? 0 : p.permissive);
		assert_string_equal(got, line);
		n++;
	}
	fclose(f);
	assert_true(n >= 20);
}

static void test_pci_errors(void **state)
{
	struct pcispec p;
	struct err e;
	int col;

	assert_int_equal(pcispec_parse("03:00.0,foo=1", &p, &col, &e), -EINVAL);
	assert_int_equal(col, 9);
	assert_int_equal(pcispec_parse("03:00.0@20", &p, &col, &e), -EINVAL);
	assert_int_equal(col, 9);
	assert_int_equal(pcispec_parse("03:00.*", &p, &col, &e), 0);
	assert_true(p.all_funcs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test(test_pci_fixture),
		cmocka_unit_test(test_pci_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
