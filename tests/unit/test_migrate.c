/* Unit tests of migrate_judge (src/host/migrate.c): what vmlab migrate
 * refuses before trying, on the testbed's recorded xl info (no shadow
 * paging) and xl list -l in xl's own format (tests/fixtures/xl/). */
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
#include "host/migrate.h"

static struct sbuf fixture(const char *path)
{
	struct sbuf b = SBUF_INIT;
	struct err e = { 0 };

	assert_int_equal(file_read(path, &b, &e), 0);
	return b;
}

struct facts {
	struct xl_dominfos src, none;
	struct xl_info tb, big;
};

static void load(struct facts *f)
{
	struct sbuf l = fixture("../fixtures/xl/list-l.json"), i = fixture("../fixtures/xl-testbed/info.txt");
	static const char big[] = "xen_major              : 4\nxen_minor              : 18\n"
				  "virt_caps              : pv hvm hap shadow\nfree_memory            : 8192\n";
	struct err e = { 0 };

	memset(f, 0, sizeof(*f));
	assert_int_equal(xl_parse_list_json(l.buf, l.len, "list-l.json", &f->src, &e), 0);
	assert_int_equal(xl_parse_info(i.buf, i.len, "info.txt", &f->tb, &e), 0);
	assert_int_equal(xl_parse_info(big, strlen(big), "big", &f->big, &e), 0);
	sbuf_free(&l);
	sbuf_free(&i);
}

static void unload(struct facts *f)
{
	xl_dominfos_free(&f->src);
	xl_info_free(&f->tb);
	xl_info_free(&f->big);
}

static void test_accepts(void **state)
{
	struct facts f;
	struct migrate_plan p = { 0 };
	struct err e = { 0 };
	bool ok[1] = { false };

	(void)state;
	load(&f);
	/* hvm1: 1 GiB, xenbr0, onto a target with 2900 MiB free */
	assert_int_equal(migrate_judge("hvm1", &f.src, &f.tb, &f.none, &f.tb, false, ok, &p, &e), 0);
	assert_string_equal(p.type, "hvm");
	assert_int_equal(p.domid, 3);
	assert_int_equal(p.memory_mib, 1024);
	assert_int_equal(p.dst_free_mib, 2900);
	assert_string_equal(p.src_xen, "4.17.7");
	/* a PV guest where the source has shadow paging */
	assert_int_equal(migrate_judge("pv-guest", &f.src, &f.big, &f.none, &f.big, false, NULL, &p, &e), 0);
	unload(&f);
}

static void test_refuses(void **state)
{
	struct facts f;
	struct migrate_plan p = { 0 };
	struct err e = { 0 };
	bool missing[1] = { true };

	(void)state;
	load(&f);
	assert_int_equal(migrate_judge("pv-guest", &f.src, &f.tb, &f.none, &f.tb, false, NULL, &p, &e), -EPERM);
	assert_non_null(strstr(e.msg, "PV guest and the source's Xen has no shadow paging"));
	assert_int_equal(migrate_judge("pv-guest", &f.src, &f.tb, &f.none, &f.tb, true, NULL, &p, &e), -EPERM);
	assert_int_equal(migrate_judge("nosuch", &f.src, &f.tb, &f.none, &f.tb, false, NULL, &p, &e), -ENOENT);
	assert_int_equal(migrate_judge("Domain-0", &f.src, &f.tb, &f.none, &f.tb, false, NULL, &p, &e), -ENOENT);
	assert_int_equal(migrate_judge("hvm1", &f.src, &f.tb, &f.src, &f.tb, false, NULL, &p, &e), -EEXIST);
	/* a local migration finds itself on the target: that is fine */
	assert_int_equal(migrate_judge("hvm1", &f.src, &f.tb, &f.src, &f.tb, true, NULL, &p, &e), 0);
	assert_int_equal(migrate_judge("hvm1", &f.src, &f.tb, &f.none, &f.tb, false, missing, &p, &e), -EPERM);
	assert_non_null(strstr(e.msg, "bridge xenbr0, which the target lacks"));
	/* the target is older than the source */
	assert_int_equal(migrate_judge("hvm1", &f.src, &f.big, &f.none, &f.tb, false, NULL, &p, &e), -EPERM);
	assert_non_null(strstr(e.msg, "older than the source's"));
	/* not enough memory on the target */
	f.src.d[1].memory_kib = 4096LL * 1024;
	assert_int_equal(migrate_judge("hvm1", &f.src, &f.tb, &f.none, &f.tb, false, NULL, &p, &e), -EPERM);
	assert_non_null(strstr(e.msg, "4096 MiB; the target has 2900 MiB free"));
	/* a passed-through device */
	f.src.d[1].memory_kib = 1024LL * 1024;
	f.src.d[1].npci = 1;
	assert_int_equal(migrate_judge("hvm1", &f.src, &f.tb, &f.none, &f.tb, false, NULL, &p, &e), -EPERM);
	assert_non_null(strstr(e.msg, "1 PCI device passed through"));
	unload(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
