/* Unit tests of src/xen/domdisks.c: the disks of a config against the
 * domains of a recorded `xl list -l` (tests/fixtures/xl/list-l.json). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/fileio.h"
#include "xen/domdisks.h"

static struct xl_dominfos running(void)
{
	struct sbuf b = SBUF_INIT;
	struct err e = { 0 };
	struct xl_dominfos l;

	assert_int_equal(file_read("../fixtures/xl/list-l.json", &b, &e), 0);
	assert_int_equal(xl_parse_list_json(b.buf, b.len, "list-l.json", &l, &e), 0);
	sbuf_free(&b);
	return l;
}

static void test_conflict(void **state)
{
	static const char cfg[] = "name = 'pv1'\ntype = 'pv'\n"
				  "disk = [ 'format=raw, vdev=xvda, access=rw, target=/srv/xen/debian.img',\n"
				  "         ',raw,xvdc,cdrom' ]\n";
	struct xl_dominfos l = running();
	struct xlcfg *c;
	struct cfg_disk *d;
	size_t n;
	struct err e = { 0 };
	struct sbuf msg = SBUF_INIT;

	assert_int_equal(xlcfg_parse("pv1.cfg", cfg, strlen(cfg), &c, &e), 0);
	assert_int_equal(cfg_disks(c, &d, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(d[0].path, "/srv/xen/debian.img");
	assert_string_equal(d[0].vdev, "xvda");
	assert_int_equal(d[0].line, 3);
	assert_null(d[1].path);
	assert_int_equal(disks_in_use("pv1.cfg", d, n, &l, &msg), 1);
	assert_string_equal(sbuf_str(&msg),
			    "pv1.cfg:3: disk xvda (/srv/xen/debian.img) is in use by domain hvm1 (domain 3, disk hda)\n");
	cfg_disks_free(d, n);
	xlcfg_free(c);
	sbuf_free(&msg);
	xl_dominfos_free(&l);
}

static void test_free_and_bad(void **state)
{
	static const char ok[] = "disk = [ 'phy:vg0/other,xvda,w' ]\n";
	static const char bad[] = "name='x'\ndisk = [ 'x.img,raw,xvda,w,extra' ]\n";
	static const char none[] = "name='x'\n";
	struct xl_dominfos l = running();
	struct xlcfg *c;
	struct cfg_disk *d;
	size_t n;
	struct err e = { 0 };
	struct sbuf msg = SBUF_INIT;

	assert_int_equal(xlcfg_parse("ok.cfg", ok, strlen(ok), &c, &e), 0);
	assert_int_equal(cfg_disks(c, &d, &n, &e), 0);
	assert_string_equal(d[0].path, "/dev/vg0/other");
	assert_int_equal(disks_in_use("ok.cfg", d, n, &l, &msg), 0);
	assert_int_equal(msg.len, 0);
	cfg_disks_free(d, n);
	xlcfg_free(c);

	assert_int_equal(xlcfg_parse("bad.cfg", bad, strlen(bad), &c, &e), 0);
	assert_int_equal(cfg_disks(c, &d, &n, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "bad.cfg:2:"));
	assert_non_null(strstr(e.msg, "x.img,raw,xvda,w,extra"));
	xlcfg_free(c);

	assert_int_equal(xlcfg_parse("none.cfg", none, strlen(none), &c, &e), 0);
	assert_int_equal(cfg_disks(c, &d, &n, &e), 0);
	assert_int_equal(n, 0);
	cfg_disks_free(d, n);
	xlcfg_free(c);
	xl_dominfos_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conflict),
		cmocka_unit_test(test_free_and_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
