/* Unit tests of src/xen/convert: disk renaming in every spec style, the
 * kernel search, and refusals. */
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

#include "base/sbuf.h"
#include "xen/convert.h"
#include "xen/xlcfg.h"

/* Converts src to type to; returns the resulting file text (caller frees)
 * or NULL when the conversion fails (*e says why). */
static char *conv(const char *src, enum guest_type to, struct sbuf *changes, struct err *e)
{
	struct xlcfg *c = NULL;
	struct convert_opts o = { .to = to, .kernel = "/k", .ramdisk = "/r", .root_partition = 1 };
	struct convert_result res = { 0 };
	struct sbuf out = SBUF_INIT;
	int rc;

	assert_int_equal(xlcfg_parse("t", src, strlen(src), &c, e), 0);
	rc = convert_config(c, &o, &res, e);
	if (!rc)
		xlcfg_write(c, &out);
	if (changes)
		sbuf_puts(changes, sbuf_str(&res.changes));
	sbuf_free(&res.changes);
	sbuf_free(&res.commands);
	xlcfg_free(c);
	if (rc) {
		sbuf_free(&out);
		return NULL;
	}
	return sbuf_take(&out);
}

static void has(const char *text, const char *want)
{
	if (!strstr(text, want)) {
		fprintf(stderr, "lacks `%s':\n%s\n", want, text);
		fail();
	}
}

static void test_disk_styles(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "'phy:/dev/vg/a,hda,w'", "'phy:/dev/vg/a,xvda,w'" },
		{ "'/dev/vg/a,raw,hdb,rw'", "'/dev/vg/a,raw,xvdb,rw'" },
		{ "'format=raw, vdev=hda, access=rw, target=/dev/vg/a'",
		  "'format=raw, vdev=xvda, access=rw, target=/dev/vg/a'" },
		{ "'raw:/dev/vg/a,sdb:disk,w'", "'raw:/dev/vg/a,xvdb:disk,w'" },
		{ "'vdev=hda,target=/dev/hda,x'", "'vdev=xvda,target=/dev/hda,x'" },
		{ "'/dev/vg/a,,hda1'", "'/dev/vg/a,,xvda1'" },
		{ "'/dev/vg/a,,xvda'", "'/dev/vg/a,,xvda'" },
	};
	char src[512], want[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct err e;
		char *out;

		snprintf(src, sizeof(src), "type='hvm'\nname='g'\ndisk = [ %s ]\n", cases[i].in);
		snprintf(want, sizeof(want), "disk = [ %s ]", cases[i].out);
		out = conv(src, GUEST_PV, NULL, &e);
		assert_non_null(out);
		has(out, want);
		free(out);
	}
}

static void test_hvm_to_pv(void **state)
{
	struct sbuf ch = SBUF_INIT;
	struct err e;
	char *out = conv("# keep me\ntype = 'hvm'\nname = 'g'\nvcpus = 2 # two\nviridian = 1\n"
			 "disk = [ '/dev/a,,hda', ',hdc:cdrom,r' ]\nvif = [ 'type=ioemu' ]\n",
			 GUEST_PV, &ch, &e);

	assert_non_null(out);
	has(out, "# keep me\ntype = 'pv'\nname = 'g-pv'\nvcpus = 2 # two\n");
	has(out, "disk = [ '/dev/a,,xvda' ]");
	has(out, "vif = [ '' ]");
	has(out, "root = '/dev/xvda1 ro'");
	has(out, "kernel = '/k'");
	has(out, "ramdisk = '/r'");
	assert_null(strstr(out, "viridian"));
	has(sbuf_str(&ch), "disk: hda -> xvda: pv guests see only PV block devices");
	has(sbuf_str(&ch), "disk: hdc (CD-ROM empty) dropped");
	has(sbuf_str(&ch), "viridian: removed");
	free(out);
	sbuf_free(&ch);
}

/* PV -> HVM: read-only disks cannot be emulated IDE disks, so they move to
 * xvde on; CD-ROMs keep an IDE slot. */
static void test_pv_to_hvm_slots(void **state)
{
	struct sbuf ch = SBUF_INIT;
	struct err e;
	char *out = conv("name='g'\nkernel='/k'\nroot='/dev/xvda ro'\n"
			 "disk=[ '/dev/vg/root,,xvda,r', '/dev/vg/data,,xvdb', ',hdc:cdrom,r' ]\n",
			 GUEST_HVM, &ch, &e);

	assert_non_null(out);
	has(out, "disk=[ 'format=raw,vdev=xvda,access=rw,target=/dev/vg/root-boot', "
		 "',xvdb:cdrom,r', '/dev/vg/data,,xvdc', '/dev/vg/root,,xvde,r' ]");
	has(sbuf_str(&ch), "mount / from /dev/xvde");
	has(out, "type = 'hvm'\n");
	free(out);
	sbuf_free(&ch);
}

static void test_refusals(void **state)
{
	struct err e;

	assert_null(conv("name='g'\nkernel='/k'\n", GUEST_PV, NULL, &e));
	has(e.msg, "already a pv guest");
	/* hda and xvda would be the same device after renaming */
	assert_null(conv("type='hvm'\nname='g'\ndisk=[ '/a,,hda', '/b,,xvda' ]\n", GUEST_PV, NULL,
			 &e));
	has(e.msg, "cannot rename hda to xvda");
	assert_null(conv("type='hvm'\nname='g'\n", GUEST_PV, NULL, &e));
	has(e.msg, "no disk");
}

static void test_find_kernel(void **state)
{
	char dir[] = "/tmp/vmlab-convert-XXXXXX";
	static const char *const files[] = { "vmlinuz-5.10.0-9-amd64", "initrd.img-5.10.0-9-amd64",
					     "vmlinuz-5.10.0-10-amd64", "initrd.img-5.10.0-10-amd64",
					     "vmlinuz-6.1.0-1-amd64", "config-6.1.0-1-amd64" };
	char path[256], *k, *r;
	struct err e;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(convert_find_kernel(dir, &k, &r, &e), -ENOENT);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		f = fopen(path, "w");
		assert_non_null(f);
		fclose(f);
	}
	assert_int_equal(convert_find_kernel(dir, &k, &r, &e), 0);
	snprintf(path, sizeof(path), "%s/vmlinuz-5.10.0-10-amd64", dir);
	assert_string_equal(k, path);
	snprintf(path, sizeof(path), "%s/initrd.img-5.10.0-10-amd64", dir);
	assert_string_equal(r, path);
	free(k);
	free(r);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* The boot volume script, byte for byte: one vmlab image mkboot command,
 * every argument quoted, no --initrd without a ramdisk. */
static void test_boot_script_file_volume(void **state)
{
	struct sbuf sh = SBUF_INIT;

	(void)state;
	convert_boot_script(&sh, "/img/my boot", "64M", "/b/vmlinuz-6", NULL, "/img/pv root");
	assert_string_equal(sbuf_str(&sh),
		"#!/bin/sh\n# Creates the boot volume /img/my boot: an MBR, one bootable partition with ext2 /boot\n"
		"# (the kernel, grub.cfg with root=UUID= of /img/pv root) and GRUB for BIOS.\nset -e\n"
		"vmlab image mkboot '/img/my boot' --root '/img/pv root' --size 64M --kernel /b/vmlinuz-6\n");
	sbuf_reset(&sh);
	convert_boot_script(&sh, "/dev/vg0/pv1-boot", "256M", "/k", "/b/initrd.img-6", "/dev/vg0/pv1");
	assert_non_null(strstr(sbuf_str(&sh),
		"\nvmlab image mkboot /dev/vg0/pv1-boot --root /dev/vg0/pv1 --size 256M --kernel /k --initrd /b/initrd.img-6\n"));
	sbuf_free(&sh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disk_styles),
		cmocka_unit_test(test_hvm_to_pv),
		cmocka_unit_test(test_pv_to_hvm_slots),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_find_kernel),
		cmocka_unit_test(test_boot_script_file_volume),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
