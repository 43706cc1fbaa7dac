/* Unit tests of src/guest/image.c: IMG[:PART]:/PATH references and undo
 * file names, loading images. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "guest/image.h"

static void test_refs(void **state)
{
	const char *img, *path;
	char *buf;
	int part;
	struct err e = { 0 };

	assert_int_equal(image_parse_ref("disk.img:/etc/fstab", &buf, &img, &part, &path, &e), 0);
	assert_string_equal(img, "disk.img");
	assert_int_equal(part, -1);
	assert_string_equal(path, "/etc/fstab");
	free(buf);
	assert_int_equal(image_parse_ref("a:b.img:5:/etc", &buf, &img, &part, &path, &e), 0);
	assert_string_equal(img, "a:b.img");
	assert_int_equal(part, 5);
	assert_string_equal(path, "/etc");
	free(buf);
	assert_int_equal(image_parse_ref("/dev/sdb:2:/", &buf, &img, &part, &path, &e), 0);
	assert_string_equal(img, "/dev/sdb");
	assert_int_equal(part, 2);
	assert_string_equal(path, "/");
	free(buf);
	assert_int_equal(image_parse_ref("disk.img", &buf, &img, &part, &path, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "disk.img: expected IMG[:PART]:/PATH"));
	assert_int_equal(image_parse_ref(":/etc", &buf, &img, &part, &path, &e), -EINVAL);
	assert_int_equal(image_parse_ref("d.img:129:/etc", &buf, &img, &part, &path, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "d.img:129:/etc: partition number must be 1..128"));
	assert_int_equal(image_parse_ref("d.img:x:/etc", &buf, &img, &part, &path, &e), 0);
	assert_string_equal(img, "d.img:x");
	free(buf);
}

static void test_undo_names(void **state)
{
	char dir[] = "/tmp/vmlab-undo.XXXXXX";
	char img[64], taken[96];
	char *n;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(img, sizeof(img), "%s/d.img", dir);
	n = image_undo_name(img, 1);
	snprintf(taken, sizeof(taken), "%s.p1.e2undo", img);
	assert_string_equal(n, taken);
	free(n);
	assert_non_null(f = fopen(taken, "w"));
	fclose(f);
	n = image_undo_name(img, 1);
	snprintf(taken, sizeof(taken), "%s.p1.2.e2undo", img);
	assert_string_equal(n, taken);
	free(n);
	n = image_undo_name(img, 0);
	snprintf(taken, sizeof(taken), "%s.e2undo", img);
	assert_string_equal(n, taken);
	free(n);
	snprintf(taken, sizeof(taken), "%s.p1.e2undo", img);
	unlink(taken);
	rmdir(dir);
}

/* An empty file, or one shorter than a sector, is not a disk image: an
 * error naming it, not an empty disk. */
static void test_empty_image_is_an_error(void **state)
{
	char dir[] = "/tmp/vmlab-empty.XXXXXX";
	char img[64];
	struct image im;
	struct err e = { 0 };
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(img, sizeof(img), "%s/empty.img", dir);
	assert_non_null(f = fopen(img, "w"));
	fclose(f);
	assert_int_equal(image_load(img, &im, &e), -EINVAL);
	assert_non_null(strstr(e.msg, img));
	assert_non_null(strstr(e.msg, "empty"));
	assert_non_null(f = fopen(img, "w"));
	fputs("short", f);
	fclose(f);
	assert_int_equal(image_load(img, &im, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "5 bytes"));
	assert_int_equal(truncate(img, 512), 0);
	assert_int_equal(image_load(img, &im, &e), 0);
	image_free(&im);
	unlink(img);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refs),
		cmocka_unit_test(test_undo_names),
		cmocka_unit_test(test_empty_image_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
