/* Unit tests of src/guest/fixes.c: inittab and fstab edits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "guest/fixes.h"

static const char inittab[] = "id:2:initdefault:\n"
			      "# 0:06:respawn:/sbin/getty 38400 tty0\n"
			      "1:2345:respawn:/sbin/getty 38400 tty1\n"
			      "2:23:respawn:/sbin/getty 38400 tty2\n"
			      "3:23:respawn:/sbin/getty 38400 tty3\n"
			      "T0:23:respawn:/sbin/getty -L ttyS0 9600 vt100\n";

static void test_inittab_tty2(void **state)
{
	struct sbuf out = SBUF_INIT, ch = SBUF_INIT, g = SBUF_INIT;
	struct err e = { 0 };

	assert_int_equal(fix_inittab("/etc/inittab", inittab, strlen(inittab), "hvc0", &out, &ch, &e), 1);
	assert_non_null(strstr(sbuf_str(&out), "\n2:23:respawn:/sbin/getty 38400 hvc0\n"));
	assert_null(strstr(sbuf_str(&out), "tty2"));
	assert_int_equal(out.len, strlen(inittab));
	assert_string_equal(sbuf_str(&ch), "/etc/inittab:4: - 2:23:respawn:/sbin/getty 38400 tty2\n"
					   "/etc/inittab:4: + 2:23:respawn:/sbin/getty 38400 hvc0\n");
	inittab_gettys(inittab, strlen(inittab), &g);
	assert_string_equal(sbuf_str(&g), "tty1 tty2 tty3 ttyS0");

	/* Once done, nothing more to do. */
	struct sbuf again = SBUF_INIT, ch2 = SBUF_INIT;
	assert_int_equal(fix_inittab("/etc/inittab", out.buf, out.len, "hvc0", &again, &ch2, &e), 0);
	assert_string_equal(sbuf_str(&again), sbuf_str(&out));
	sbuf_free(&again);
	sbuf_free(&ch2);
	sbuf_free(&out);
	sbuf_free(&ch);
	sbuf_free(&g);
}

static void test_inittab_copy_first(void **state)
{
	static const char t[] = "1:2345:respawn:/sbin/agetty --noclear tty1 linux\nca::ctrlaltdel:/sbin/shutdown -r now";
	struct sbuf out = SBUF_INIT, ch = SBUF_INIT;
	struct err e = { 0 };

	assert_int_equal(fix_inittab("inittab", t, strlen(t), "hvc0", &out, &ch, &e), 1);
	assert_string_equal(sbuf_str(&out), "1:2345:respawn:/sbin/agetty --noclear tty1 linux\n"
					    "hvc:2345:respawn:/sbin/agetty --noclear hvc0 linux\n"
					    "ca::ctrlaltdel:/sbin/shutdown -r now");
	assert_string_equal(sbuf_str(&ch), "inittab:2: + hvc:2345:respawn:/sbin/agetty --noclear hvc0 linux\n");
	sbuf_free(&out);
	sbuf_free(&ch);

	static const char none[] = "id:2:initdefault:\n";
	assert_int_equal(fix_inittab("inittab", none, strlen(none), "hvc0", &out, &ch, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "no getty line"));
	sbuf_free(&out);
	sbuf_free(&ch);
}

static const char *uuid_of(int n, void *priv)
{
	(void)priv;
	return n == 1 ? "11111111-2222-3333-4444-555555555555" : n == 5 ? "ABCD-0123" : NULL;
}

static void test_fstab(void **state)
{
	static const char t[] = "# comment /dev/sda1\n"
				"/dev/sda1\t/\text4\terrors=remount-ro 0 1\n"
				"  /dev/xvda5 /boot/efi vfat umask=0077 0 1\n"
				"/dev/hda2 none swap sw 0 0\n"
				"/dev/sdb1 /data ext4 defaults 0 2\n"
				"/dev/sda10 /x ext4 defaults 0 2\n"
				"UUID=abc /y ext4 defaults 0 2";
	struct sbuf out = SBUF_INIT, ch = SBUF_INIT, root = SBUF_INIT;
	struct err e = { 0 };

	assert_int_equal(fix_fstab("fstab", t, strlen(t), uuid_of, NULL, &out, &ch, &e), 2);
	assert_string_equal(sbuf_str(&out), "# comment /dev/sda1\n"
					    "UUID=11111111-2222-3333-4444-555555555555\t/\text4\terrors=remount-ro 0 1\n"
					    "  UUID=ABCD-0123 /boot/efi vfat umask=0077 0 1\n"
					    "/dev/hda2 none swap sw 0 0\n"
					    "/dev/sdb1 /data ext4 defaults 0 2\n"
					    "/dev/sda10 /x ext4 defaults 0 2\n"
					    "UUID=abc /y ext4 defaults 0 2");
	assert_non_null(strstr(sbuf_str(&ch), "fstab:4: kept /dev/hda2: the image has no file system with a UUID on partition 2"));
	assert_non_null(strstr(sbuf_str(&ch), "fstab:5: kept /dev/sdb1: names another disk"));
	assert_non_null(strstr(sbuf_str(&ch), "fstab:6: kept /dev/sda10"));
	static const char huge[] = "/dev/sda99999999999999999999999 / ext4 defaults 0 1\n";
	struct sbuf o2 = SBUF_INIT, c2 = SBUF_INIT;
	assert_int_equal(fix_fstab("fstab", huge, strlen(huge), uuid_of, NULL, &o2, &c2, &e), 0);
	assert_string_equal(sbuf_str(&o2), huge);
	assert_int_equal(c2.len, 0);
	sbuf_free(&o2);
	sbuf_free(&c2);
	assert_int_equal(fstab_root(t, strlen(t), &root), 0);
	assert_string_equal(sbuf_str(&root), "/dev/sda1\t/\text4\terrors=remount-ro 0 1");
	sbuf_reset(&root);
	assert_int_equal(fstab_root("proc /proc proc 0 0\n", 20, &root), -ENOENT);
	sbuf_free(&out);
	sbuf_free(&ch);
	sbuf_free(&root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inittab_tty2),
		cmocka_unit_test(test_inittab_copy_first),
		cmocka_unit_test(test_fstab),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
