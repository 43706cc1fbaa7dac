/* Unit tests of src/guest/part.c on tables written by sfdisk(8), and on
 * hand-made damaged ones. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/proc.h"
#include "guest/part.h"

static char img[64];

static void make_image(const char *script, uint64_t bytes)
{
	struct proc_opts o = { 0 };
	struct sbuf out = SBUF_INIT, eout = SBUF_INIT;
	struct err e = { 0 };
	int fd, st = -1;

	strcpy(img, "/tmp/vmlab-part.XXXXXX");
	fd = mkstemp(img);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)bytes), 0);
	close(fd);
	char *argv[] = { "sfdisk", "--no-reread", "--no-tell-kernel", "-q", img, NULL };
	o.stdin_data = script;
	o.stdin_len = strlen(script);
	o.out = &out;
	o.errout = &eout;
	assert_int_equal(proc_run(argv, &o, &st, &e), 0);
	if (st)
		fprintf(stderr, "sfdisk: %s\n", sbuf_str(&eout));
	assert_int_equal(st, 0);
	sbuf_free(&out);
	sbuf_free(&eout);
}

static void poke(uint64_t off, const void *p, size_t n)
{
	int fd = open(img, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, p, n, (off_t)off), (ssize_t)n);
	close(fd);
}

static int skip_without_sfdisk(void)
{
	if (!proc_have("sfdisk")) {
		fprintf(stderr, "SKIP: sfdisk is not installed\n");
		return 1;
	}
	return 0;
}

static void test_mbr_logical(void **state)
{
	struct part_table t;
	struct err e = { 0 };

	if (skip_without_sfdisk())
		skip();
	make_image("label: dos\n"
		   "start=2048, size=4096, type=83, bootable\n"
		   "start=6144, size=2048, type=82\n"
		   "start=8192, size=20480, type=5\n"
		   "start=10240, size=4096, type=83\n"
		   "start=16384, size=4096, type=83\n",
		   32u << 20);
	assert_int_equal(part_read(img, &t, &e), 0);
	assert_int_equal(t.scheme, PART_MBR);
	assert_int_equal(t.nparts, 5);
	assert_true(t.disk_bytes == 32u << 20);
	const struct part *p = part_find(&t, 1);
	assert_non_null(p);
	assert_true(p->start_bytes == 2048 * 512ull && p->size_bytes == 4096 * 512ull);
	assert_int_equal(p->mbr_type, 0x83);
	assert_int_equal(p->bootable, 1);
	assert_int_equal(part_find(&t, 2)->mbr_type, 0x82);
	assert_int_equal(part_find(&t, 3)->mbr_type, 0x05);
	assert_true(part_find(&t, 5)->start_bytes == 10240 * 512ull);
	assert_true(part_find(&t, 6)->start_bytes == 16384 * 512ull);
	assert_true(part_find(&t, 6)->size_bytes == 4096 * 512ull);
	assert_null(part_find(&t, 7));
	assert_null(part_find(&t, 4));

	/* Make the second EBR's link point back to the first: a loop. */
	unsigned char first_ebr_rel[4] = { 0, 0, 0, 0 };
	unsigned char ext[16] = { 0 };
	ext[4] = 0x05;
	memcpy(ext + 8, first_ebr_rel, 4);
	ext[12] = 1;
	/* The second EBR sits 2048 sectors before logical 6 (sfdisk's default). */
	uint64_t ebr2 = 0;
	{
		unsigned char s[512];
		int fd = open(img, O_RDONLY);
		assert_int_equal(pread(fd, s, 512, 8192 * 512), 512);
		close(fd);
		uint32_t rel = (uint32_t)s[446 + 16 + 8] | (uint32_t)s[446 + 16 + 9] << 8 |
			       (uint32_t)s[446 + 16 + 10] << 16 | (uint32_t)s[446 + 16 + 11] << 24;
		ebr2 = 8192 + rel;
	}
	poke(ebr2 * 512 + 446 + 16, ext, 16);
	assert_int_equal(part_read(img, &t, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "loops"));
	assert_non_null(strstr(e.msg, img));
	unlink(img);
}

static void test_mbr_beyond_disk(void **state)
{
	struct part_table t;
	struct err e = { 0 };

	if (skip_without_sfdisk())
		skip();
	make_image("label: dos\nstart=2048, size=4096, type=83\nstart=6144, size=4096, type=83\n",
		   8u << 20);
	unsigned char big[4] = { 0x00, 0x00, 0x01, 0x00 }; /* 65536 sectors */
	poke(446 + 16 + 12, big, 4);
	assert_int_equal(part_read(img, &t, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "partition 2 (MBR entry 2)"));
	assert_non_null(strstr(e.msg, "beyond the end"));
	assert_int_equal(t.nparts, 0);
	unlink(img);
}

static void test_gpt(void **state)
{
	struct part_table t;
	struct err e = { 0 };

	if (skip_without_sfdisk())
		skip();
	make_image("label: gpt\n"
		   "start=2048, size=2048, type=21686148-6449-6E6F-744E-656564454649, name=bios\n"
		   "start=4096, size=8192, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=\"root\", attrs=LegacyBIOSBootable\n",
		   16u << 20);
	assert_int_equal(part_read(img, &t, &e), 0);
	assert_int_equal(t.scheme, PART_GPT);
	assert_int_equal(t.nparts, 2);
	const struct part *p = part_find(&t, 2);
	assert_non_null(p);
	assert_true(p->start_bytes == 4096 * 512ull && p->size_bytes == 8192 * 512ull);
	assert_string_equal(p->type_guid, "0fc63daf-8483-4772-8e79-3d69d8477de4");
	assert_string_equal(p->name, "root");
	assert_int_equal(p->bootable, 1);
	assert_int_equal(p->mbr_type, 0);
	assert_string_equal(part_find(&t, 1)->name, "bios");

	/* One flipped byte in the entry array: the array CRC catches it. */
	unsigned char x = 'X';
	poke(2 * 512 + 128 + 56, &x, 1);
	assert_int_equal(part_read(img, &t, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "entry array CRC32"));
	/* One flipped byte in the header: the header CRC catches it. */
	poke(512 + 40, &x, 1);
	assert_int_equal(part_read(img, &t, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "header CRC32"));
	unlink(img);
}

static void test_no_table(void **state)
{
	struct part_table t;
	struct err e = { 0 };
	char path[] = "/tmp/vmlab-part.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	close(fd);
	assert_int_equal(part_read(path, &t, &e), 0);
	assert_int_equal(t.scheme, PART_NONE);
	assert_int_equal(t.nparts, 0);
	unlink(path);
	assert_int_equal(part_read("/nonexistent/disk.img", &t, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "/nonexistent/disk.img"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mbr_logical),
		cmocka_unit_test(test_mbr_beyond_disk),
		cmocka_unit_test(test_gpt),
		cmocka_unit_test(test_no_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
