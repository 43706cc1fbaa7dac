/* Unit tests of src/xen/diskspec: Xen's equivalence table, a fixture of
 * libxlutil 4.17 results, vdev decoding and the formatter's round trip. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/sbuf.h"
#include "xen/diskspec.h"

/* One line in the fixture's format: "[SPEC] => fields" or "[SPEC] => ERR". */
static void describe(const char *spec, struct sbuf *o)
{
	struct diskspec d;
	struct err e;
	int col;

	sbuf_printf(o, "[%s] => ", spec);
	if (diskspec_parse(spec, &d, &col, &e)) {
		assert_true(col >= 1 && (size_t)col <= strlen(spec) + 1);
		sbuf_puts(o, "ERR");
		return;
	}
	sbuf_printf(o, "target=%s format=%d vdev=%s rw=%d cdrom=%d removable=%d script=%s "
		    "backend=%d bdom=%s dio=%d discard=%s spec=%d",
		    d.target ? d.target : "(null)", d.format, d.vdev, d.readwrite, d.is_cdrom,
		    d.removable, d.script ? d.script : "(null)", d.backend,
		    d.backend_domname ? d.backend_domname : "(null)", d.direct_io_safe,
		    d.discard < 0 ? "def" : d.discard ? "1" : "0", d.specification);
	diskspec_free(&d);
}

/* Every spec of tests/unit/data/diskspec_libxlutil417.txt (recorded with
 * xlu_disk_parse of Debian's libxlutil 4.17) gives the recorded result. */
static void test_fixture(void **state)
{
	FILE *f = fopen("data/diskspec_libxlutil417.txt", "r");
	char line[8192];
	int n = 0, bad = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *arrow = strstr(line, "] => ");
		struct sbuf got = SBUF_INIT;
		char *spec;

		line[strcspn(line, "\n")] = 0;
		assert_non_null(arrow);
		spec = strndup(line + 1, (size_t)(arrow - line - 1));
		describe(spec, &got);
		if (strcmp(sbuf_str(&got), line)) {
			fprintf(stderr, "want: %s\ngot:  %s\n", line, sbuf_str(&got));
			bad++;
		}
		sbuf_free(&got);
		free(spec);
		n++;
	}
	fclose(f);
	assert_true(n > 500);
	assert_int_equal(bad, 0);
}

static void same(const char *a, const char *b)
{
	struct sbuf x = SBUF_INIT, y = SBUF_INIT;

	describe(a, &x);
	describe(b, &y);
	assert_string_equal(strstr(sbuf_str(&x), "=>"), strstr(sbuf_str(&y), "=>"));
	assert_null(strstr(sbuf_str(&x), "ERR"));
	sbuf_free(&x);
	sbuf_free(&y);
}

/* The equivalence classes of Xen's tools/xl/check-xl-disk-parse. */
static void test_xen_equivalences(void **state)
{
	same("/dev/vg/guest-volume,,hda", "/dev/vg/guest-volume,raw,hda,rw");
	same("/dev/vg/guest-volume,,hda", "format=raw, vdev=hda, access=rw, target=/dev/vg/guest-volume");
	same("/dev/vg/guest-volume,,hda", "raw:/dev/vg/guest-volume,hda,w");
	same("/root/image.iso,,hdc,cdrom", "/root/image.iso,raw,hdc,devtype=cdrom");
	same("/root/image.iso,,hdc,cdrom", "raw:/root/image.iso,hdc:cdrom,ro");
	same(",hdc:cdrom,r", "vdev=hdc,access=r,devtype=cdrom,target=");
	same("phy:/dev/vg/lv,xvda,w", "/dev/vg/lv,raw,xvda,rw");
}

static void test_errors(void **state)
{
	struct diskspec d;
	struct err e;
	int col;

	assert_int_equal(diskspec_parse("/dev/vg/lv,xvda,w", &d, &col, &e), -EINVAL);
	assert_int_equal(col, 12);
	assert_string_equal(e.msg, "unknown value for format: near `xvda'");
	assert_int_equal(diskspec_parse("foo:/dev/x,xvda", &d, &col, &e), -EINVAL);
	assert_int_equal(col, 1);
	assert_string_equal(e.msg, "unknown deprecated disk prefix: near `foo:'");
	assert_int_equal(diskspec_parse("/dev/x,,xvda,access=x", &d, &col, &e), -EINVAL);
	assert_int_equal(col, 21);
	assert_int_equal(diskspec_parse("/dev/x,,xvda,rw,more", &d, &col, &e), -EINVAL);
	assert_string_equal(e.msg, "too many positional parameters: near `more'");
	assert_int_equal(diskspec_parse("/dev/x", &d, &col, &e), -EINVAL);
	assert_string_equal(e.msg, "no vdev specified");
	/* target= eats the rest, commas included */
	assert_int_equal(diskspec_parse("vdev=xvda,target=/a,b", &d, &col, &e), 0);
	assert_string_equal(d.target, "/a,b");
	diskspec_free(&d);
	/* prefixes */
	assert_int_equal(diskspec_parse("iscsi:iqn.x,xvdb,r", &d, &col, &e), 0);
	assert_string_equal(d.script, "block-iscsi");
	assert_false(d.readwrite);
	diskspec_free(&d);
	assert_int_equal(diskspec_parse("vg/lv,,xvda", &d, &col, &e), 0);
	char *p = diskspec_path(&d);
	assert_string_equal(p, "/dev/vg/lv");
	free(p);
	diskspec_free(&d);
}

/* The keys with a fixed set of values (format, backendtype, specification)
 * share one lookup; each keeps its own wording, backendtype's "backend
 * respecified" included. */
static void test_choice_keys_keep_their_messages(void **state)
{
	static const char *const cases[][2] = {
		{ "format=raw,format=qcow2,vdev=xvda,target=/x", "format respecified: near `qcow2'" },
		{ "format=bogus,vdev=xvda,target=/x", "unknown value for format: near `bogus'" },
		{ "backendtype=phy,backendtype=tap,vdev=xvda,target=/x",
		  "backend respecified: near `tap'" },
		{ "backendtype=nbd,vdev=xvda,target=/x", "unknown value for backendtype: near `nbd'" },
		{ "specification=xen,specification=virtio,vdev=xvda,target=/x",
		  "specification respecified: near `virtio'" },
		{ "specification=scsi,vdev=xvda,target=/x",
		  "unknown value for specification: near `scsi'" },
	};
	struct diskspec d;
	struct err e;
	int col;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(diskspec_parse(cases[i][0], &d, &col, &e), -EINVAL);
		assert_string_equal(e.msg, cases[i][1]);
	}
	assert_int_equal(diskspec_parse("format=qcow2,format=qcow2,backendtype=qdisk,"
					"specification=virtio,vdev=xvda,target=/x", &d, &col, &e), 0);
	assert_int_equal(d.format, DISK_FMT_QCOW2);
	assert_int_equal(d.backend, DISK_BACKEND_QDISK);
	assert_int_equal(d.specification, DISK_SPEC_VIRTIO);
	diskspec_free(&d);
}

static void test_vdev(void **state)
{
	static const struct { const char *name; int kind, disk, part, devnum; } ok[] = {
		{ "xvda", VDEV_XVD, 0, 0, 51712 },
		{ "xvda1", VDEV_XVD, 0, 1, 51713 },
		{ "xvdb", VDEV_XVD, 1, 0, 51728 },
		{ "xvdp15", VDEV_XVD, 15, 15, 51967 },
		{ "xvdq", VDEV_XVD, 16, 0, (1 << 28) | (16 << 8) },
		{ "xvda16", VDEV_XVD, 0, 16, (1 << 28) | 16 },
		{ "xvdaa", VDEV_XVD, 26, 0, (1 << 28) | (26 << 8) },
		{ "xvdba", VDEV_XVD, 52, 0, (1 << 28) | (52 << 8) },
		{ "d0p0", VDEV_XVD, 0, 0, 51712 },
		{ "d3p2", VDEV_XVD, 3, 2, (202 << 8) | (3 << 4) | 2 },
		{ "hda", VDEV_HD, 0, 0, 768 },
		{ "hdb1", VDEV_HD, 1, 1, 768 + 64 + 1 },
		{ "hdc", VDEV_HD, 2, 0, 5632 },
		{ "hdd63", VDEV_HD, 3, 63, 5632 + 64 + 63 },
		{ "sda", VDEV_SD, 0, 0, 2048 },
		{ "sdb2", VDEV_SD, 1, 2, 2048 + 16 + 2 },
		{ "51712", VDEV_NUMBER, -1, 0, 51712 },
	};
	static const char *const bad[] = { "xvd", "xvda0", "xvdA", "hde", "hda64", "sdq",
					   "sda16", "vda", "", "xvda01", "d1", "d1p" };
	struct vdev v;
	struct err e;
	char name[32];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(vdev_decode(ok[i].name, &v, &e), 0);
		assert_int_equal(v.kind, ok[i].kind);
		assert_int_equal(v.disk, ok[i].disk);
		assert_int_equal(v.partition, ok[i].part);
		assert_int_equal(v.devnum, ok[i].devnum);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vdev_decode(bad[i], &v, &e), -EINVAL);
	vdev_name("xvd", 0, 0, name, sizeof(name));
	assert_string_equal(name, "xvda");
	vdev_name("xvd", 26, 2, name, sizeof(name));
	assert_string_equal(name, "xvdaa2");
	vdev_name("xvd", 701, 0, name, sizeof(name));
	assert_string_equal(name, "xvdzz");
	vdev_name("hd", 2, 0, name, sizeof(name));
	assert_string_equal(name, "hdc");
}

/* Formatting then parsing gives the same disk, for awkward targets too. */
static void test_format_roundtrip(void **state)
{
	static const char *const specs[] = {
		"phy:/dev/vg/lv,xvda,w", "vdev=xvda,target=/a,b=c", "cdrom,vdev=hdc,target=",
		"/x,qcow2,xvdb,r,discard,backendtype=qdisk,backend=dd", "nbd:host:1234,xvda,w",
		"vdev=xvdc,target=cdrom", "vdev=xvdc,target=phy:/x", "vdev=xvdc,target= lead",
	};
	size_t i;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct diskspec a, b;
		struct sbuf o = SBUF_INIT, x = SBUF_INIT, y = SBUF_INIT;
		struct err e;
		int col;

		assert_int_equal(diskspec_parse(specs[i], &a, &col, &e), 0);
		diskspec_format(&a, &o);
		assert_int_equal(diskspec_parse(sbuf_str(&o), &b, &col, &e), 0);
		describe(specs[i], &x);
		describe(sbuf_str(&o), &y);
		assert_string_equal(strstr(sbuf_str(&x), "=>"), strstr(sbuf_str(&y), "=>"));
		diskspec_free(&a);
		diskspec_free(&b);
		sbuf_free(&o);
		sbuf_free(&x);
		sbuf_free(&y);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_xen_equivalences),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_choice_keys_keep_their_messages),
		cmocka_unit_test(test_vdev),
		cmocka_unit_test(test_format_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
