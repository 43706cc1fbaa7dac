/* Unit tests of src/guest/editlog.c: the edit record's format, refusal of
 * damaged records, and roll-back of an interrupted edit. */
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

#include "base/fileio.h"
#include "guest/editlog.h"

static void make(struct editlog *l, struct sbuf *out)
{
	unsigned char a[1024], b[1024];

	memset(l, 0, sizeof(*l));
	l->offset = 1048576;
	l->block_size = 1024;
	l->undo_path = xstrdup("d.img.p1.e2undo");
	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	editlog_add(l, 7, a, b);
	editlog_add(l, 9, b, a);
	editlog_serialize(l, out);
}

static void test_record_round_trip(void **state)
{
	struct editlog l, m;
	struct sbuf s = SBUF_INIT;
	struct err e = { 0 };

	make(&l, &s);
	assert_int_equal(editlog_parse("r", s.buf, s.len, &m, &e), 0);
	assert_int_equal(m.offset, 1048576);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.blk[1], 9);
	assert_string_equal(m.undo_path, "d.img.p1.e2undo");
	assert_memory_equal(m.after, l.after, 2048);
	editlog_free(&l);
	editlog_free(&m);
	sbuf_free(&s);
}

/* A torn or damaged record is refused naming the byte where it goes wrong. */
static void test_damaged_record_names_byte(void **state)
{
	struct editlog l, m;
	struct sbuf s = SBUF_INIT;
	struct err e = { 0 };

	make(&l, &s);
	assert_int_equal(editlog_parse("r", s.buf, s.len - 100, &m, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "r: byte "));
	assert_non_null(strstr(e.msg, "cut short"));
	s.buf[200] ^= 1;
	assert_int_equal(editlog_parse("r", s.buf, s.len, &m, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "checksum does not match"));
	assert_int_equal(editlog_parse("r", "VMLABED2", 8, &m, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "r: byte 0: not a vmlab edit record"));
	editlog_free(&l);
	sbuf_free(&s);
}

/* test_killed_edit_rolls_back, at the library's level: the image gets its
 * old blocks back, the undo file and the record go. */
static void test_killed_edit_rolls_back(void **state)
{
	char dir[] = "/tmp/vmlab-editlog.XXXXXX", img[64], log[80], undo[80];
	unsigned char disk[1048576 + 16 * 1024];
	struct sbuf s = SBUF_INIT, note = SBUF_INIT, got = SBUF_INIT;
	struct editlog l;
	struct err e = { 0 };

	assert_non_null(mkdtemp(dir));
	snprintf(img, sizeof(img), "%s/d.img", dir);
	snprintf(log, sizeof(log), "%s.vmlab-edit", img);
	snprintf(undo, sizeof(undo), "%s.p1.e2undo", img);
	memset(disk, 'b', sizeof(disk));
	assert_int_equal(file_write_atomic(img, disk, sizeof(disk), &e), 0);
	assert_int_equal(editlog_recover(img, log, &note, &e), 0);
	make(&l, &s);
	free(l.undo_path);
	l.undo_path = xstrdup(undo);
	assert_int_equal(editlog_write(log, &l, &e), 0);
	assert_int_equal(file_write_atomic(undo, "x", 1, &e), 0);
	assert_int_equal(editlog_recover(img, log, &note, &e), 1);
	assert_non_null(strstr(sbuf_str(&note), "rolled back"));
	assert_int_equal(access(log, F_OK), -1);
	assert_int_equal(access(undo, F_OK), -1);
	assert_int_equal(file_read(img, &got, &e), 0);
	assert_int_equal(got.len, sizeof(disk));
	assert_int_equal(got.buf[1048576 + 7 * 1024], 'a');
	assert_int_equal(got.buf[1048576 + 9 * 1024], 'b');
	assert_int_equal(got.buf[1048576 + 8 * 1024], 'b');
	/* a damaged record changes nothing */
	assert_int_equal(file_write_atomic(log, "VMLABED1 torn", 13, &e), 0);
	assert_int_equal(editlog_recover(img, log, &note, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "nothing changed"));
	assert_int_equal(access(log, F_OK), 0);
	unlink(log);
	unlink(img);
	rmdir(dir);
	editlog_free(&l);
	sbuf_free(&s);
	sbuf_free(&note);
	sbuf_free(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_damaged_record_names_byte),
		cmocka_unit_test(test_killed_edit_rolls_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
