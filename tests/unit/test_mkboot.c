/* Unit tests of src/guest/grubpc.c (the embedding of GRUB's core image after
 * the MBR) and of the checks of src/guest/mkboot.c: a boot volume too small,
 * a root that is not ext, a disk in use (recorded `xl list -l`); each refused
 * with nothing changed. Disks are made with sfdisk and mke2fs; the GRUB
 * parts need Debian's grub-pc-bin (skipped without it). */
#include <errno.h>
#include <fcntl.h>
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

#include "base/fileio.h"
#include "base/proc.h"
#include "guest/grubpc.h"
#include "guest/mkboot.h"

static char dir[64];

static void path_in(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void run_ok(char *const argv[], const char *in)
{
	struct sbuf out = SBUF_INIT;
	struct proc_opts o = { .stdin_data = in, .stdin_len = in ? strlen(in) : 0, .out = &out, .errout = &out };
	struct err e = { 0 };
	int st = -1;

	assert_int_equal(proc_run(argv, &o, &st, &e), 0);
	if (st)
		fprintf(stderr, "%s: %s\n", argv[0], sbuf_str(&out));
	assert_int_equal(st, 0);
	sbuf_free(&out);
}

/* A file of n bytes, each byte k holding k * 7 + seed. */
static void make_file(const char *path, size_t n, int seed)
{
	char *b = malloc(n);
	struct err e;

	for (size_t k = 0; k < n; k++)
		b[k] = (char)(k * 7 + (size_t)seed);
	assert_int_equal(file_write_atomic(path, b, n, &e), 0);
	free(b);
}

static void make_ext4(const char *path, const char *size)
{
	char *argv[] = { "mke2fs", "-q", "-F", "-t", "ext4", (char *)path, (char *)size, NULL };

	run_ok(argv, NULL);
}

static char *sum_of(const char *path)
{
	struct sbuf b = SBUF_INIT;
	struct err e;
	uint64_t h = 1469598103934665603ull;
	char *s = malloc(32);

	if (file_read(path, &b, &e) < 0) {
		snprintf(s, 32, "absent");
	} else {
		for (size_t k = 0; k < b.len; k++)
			h = (h ^ (unsigned char)b.buf[k]) * 1099511628211ull;
		snprintf(s, 32, "%016llx", (unsigned long long)h);
	}
	sbuf_free(&b);
	return s;
}

static int have_grub(void)
{
	return access(GRUBPC_DIR "/boot.img", R_OK) == 0 && proc_have("grub-mkimage") && proc_have("mke2fs") &&
	       proc_have("sfdisk");
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/vmlab-mkboot.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char *argv[] = { "rm", "-rf", dir, NULL };

	(void)state;
	run_ok(argv, NULL);
	return 0;
}

/* A synthetic core image of n sectors: the block list says n - 1 more. */
static unsigned char *fake_core(size_t sectors)
{
	unsigned char *c = calloc(sectors, 512);

	memset(c, 0xc5, sectors * 512);
	memset(c + 500, 0, 12);
	c[500] = 2;
	c[508] = (unsigned char)((sectors - 1) & 0xff);
	c[509] = (unsigned char)((sectors - 1) >> 8);
	c[510] = 0x20;
	c[511] = 0x08;
	return c;
}

static void fake_boot(unsigned char b[512])
{
	memset(b, 0xb0, 512);
	b[510] = 0x55;
	b[511] = 0xaa;
}

static void test_embed_layout(void **state)
{
	unsigned char boot[512], head[64 * 512], *core = fake_core(10);
	struct err e = { 0 };

	(void)state;
	fake_boot(boot);
	memset(head, 0, sizeof(head));
	memset(head + 0x1b8, 0x11, 0x1fe - 0x1b8);
	head[510] = 0x55;
	head[511] = 0xaa;
	head[10] = 0x42; /* a BPB byte: kept */
	assert_int_equal(grubpc_embed(head, sizeof(head), boot, 512, core, 10 * 512, "d", &e), 0);
	assert_int_equal(head[10], 0x42);
	assert_int_equal(head[0], 0xb0);
	assert_int_equal(head[0x5c], 1);
	for (int k = 1; k < 8; k++)
		assert_int_equal(head[0x5c + k], 0);
	assert_int_equal(head[0x66], 0x90);
	assert_int_equal(head[0x67], 0x90);
	assert_int_equal(head[0x1b8], 0x11);  /* partition table kept */
	assert_int_equal(head[0x1fd], 0x11);
	assert_memory_equal(head + 512 + 512, core + 512, 9 * 512);
	assert_int_equal(head[512 + 500], 2);
	/* the same again: already this GRUB, accepted */
	assert_int_equal(grubpc_embed(head, sizeof(head), boot, 512, core, 10 * 512, "d", &e), 0);
	free(core);
}

static void test_embed_refusals(void **state)
{
	unsigned char boot[512], head[16 * 512], before[sizeof(head)], *core = fake_core(20);
	struct err e = { 0 };

	(void)state;
	fake_boot(boot);
	memset(head, 0, sizeof(head));
	head[510] = 0x55;
	head[511] = 0xaa;
	memcpy(before, head, sizeof(head));
	/* 20 sectors do not fit before a partition at sector 16 */
	assert_int_equal(grubpc_embed(head, sizeof(head), boot, 512, core, 20 * 512, "d.img", &e), -ENOSPC);
	assert_non_null(strstr(e.msg, "needs 10752 bytes before the first partition, there are 8192"));
	assert_memory_equal(head, before, sizeof(head));
	free(core);
	core = fake_core(8);
	/* the gap holds data */
	head[3 * 512 + 7] = 1;
	memcpy(before, head, sizeof(head));
	assert_int_equal(grubpc_embed(head, sizeof(head), boot, 512, core, 8 * 512, "d.img", &e), -EBUSY);
	assert_non_null(strstr(e.msg, "hold data"));
	assert_memory_equal(head, before, sizeof(head));
	head[3 * 512 + 7] = 0;
	/* another boot loader's code in sector 0 */
	head[0x70] = 0xea;
	memcpy(before, head, sizeof(head));
	assert_int_equal(grubpc_embed(head, sizeof(head), boot, 512, core, 8 * 512, "d.img", &e), -EBUSY);
	assert_memory_equal(head, before, sizeof(head));
	head[0x70] = 0;
	/* no MBR signature; a core whose block list does not match; a short boot.img */
	head[511] = 0;
	assert_int_equal(grubpc_embed(head, sizeof(head), boot, 512, core, 8 * 512, "d.img", &e), -EINVAL);
	head[511] = 0xaa;
	assert_int_equal(grubpc_embed(head, sizeof(head), boot, 512, core, 5 * 512, "d.img", &e), -EINVAL);
	assert_int_equal(grubpc_embed(head, sizeof(head), boot, 500, core, 8 * 512, "d.img", &e), -EINVAL);
	free(core);
}

/* A request for a new boot volume BOOT for ROOT with a kernel of kbytes. */
static void request(struct mkboot_req *q, char *boot, char *root, char *kern, char *initrd, size_t kbytes)
{
	path_in(kern, 200, "vmlinuz-6.1.0-1-amd64");
	path_in(initrd, 200, "initrd.img-6.1.0-1-amd64");
	make_file(kern, kbytes, 1);
	make_file(initrd, 300000, 2);
	memset(q, 0, sizeof(*q));
	q->boot = boot, q->root = root, q->kernel = kern, q->initrd = initrd;
	q->boot_part = q->root_part = -1;
}

static void test_too_small(void **state)
{
	char boot[200], root[200], kern[200], initrd[200], *s;
	struct mkboot_req q;
	struct sbuf log = SBUF_INIT;
	struct err e = { 0 };

	(void)state;
	if (!have_grub())
		skip();
	path_in(boot, sizeof(boot), "boot.img");
	path_in(root, sizeof(root), "root.img");
	make_ext4(root, "8M");
	request(&q, boot, root, kern, initrd, 3000000);
	s = sum_of(root);
	/* the bytes alone do not fit */
	q.size_bytes = 4 << 20;
	assert_int_equal(mkboot_run(&q, &log, &e), -E2BIG);
	assert_non_null(strstr(e.msg, "too small: 4194304 bytes hold less than"));
	assert_int_equal(access(boot, F_OK), -1);
	/* the bytes fit, the file system's blocks do not */
	q.size_bytes = 4500 << 10;
	assert_int_equal(mkboot_run(&q, &log, &e), -E2BIG);
	assert_non_null(strstr(e.msg, "boot.img:1: too small: kernel + initrd + grub.cfg need"));
	assert_int_equal(access(boot, F_OK), -1);
	char *s2 = sum_of(root);
	assert_string_equal(s, s2);
	/* room enough */
	q.size_bytes = 8 << 20;
	assert_int_equal(mkboot_run(&q, &log, &e), 0);
	assert_int_equal(access(boot, F_OK), 0);
	free(s2);
	s2 = sum_of(root);
	assert_string_equal(s, s2);
	free(s);
	free(s2);
	sbuf_free(&log);
}

static void test_not_ext(void **state)
{
	char boot[200], root[200], kern[200], initrd[200];
	struct mkboot_req q;
	struct sbuf log = SBUF_INIT;
	struct err e = { 0 };

	(void)state;
	path_in(boot, sizeof(boot), "boot2.img");
	path_in(root, sizeof(root), "notext.img");
	make_file(root, 2 << 20, 9);
	request(&q, boot, root, kern, initrd, 100000);
	assert_int_equal(mkboot_run(&q, &log, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "not an ext2/3/4 file system (no known signature); nothing changed"));
	assert_int_equal(access(boot, F_OK), -1);
	sbuf_free(&log);
}

static void test_in_use(void **state)
{
	char boot[200], root[200], kern[200], initrd[200], json[200], text[600], *s;
	struct mkboot_req q;
	struct sbuf log = SBUF_INIT;
	struct err e = { 0 };

	(void)state;
	if (!proc_have("mke2fs"))
		skip();
	path_in(boot, sizeof(boot), "boot3.img");
	path_in(root, sizeof(root), "busy.img");
	path_in(json, sizeof(json), "xl.json");
	make_ext4(root, "4M");
	request(&q, boot, root, kern, initrd, 100000);
	snprintf(text, sizeof(text),
		 "[{\"domid\": 9, \"config\": {\"c_info\": {\"type\": \"pv\", \"name\": \"guest9\"}, "
		 "\"disks\": [{\"pdev_path\": \"%s\", \"vdev\": \"xvda\"}]}}]\n", root);
	assert_int_equal(file_write_atomic(json, text, strlen(text), &e), 0);
	q.xl_json = json;
	s = sum_of(root);
	assert_int_equal(mkboot_run(&q, &log, &e), -EBUSY);
	assert_non_null(strstr(e.msg, "running Xen domain guest9"));
	assert_int_equal(access(boot, F_OK), -1);
	/* in place, the disk itself in use */
	q.root = NULL;
	q.boot = root;
	q.undo = "unused.e2undo";
	assert_int_equal(mkboot_run(&q, &log, &e), -EBUSY);
	char *s2 = sum_of(root);
	assert_string_equal(s, s2);
	free(s);
	free(s2);
	sbuf_free(&log);
}

static void test_grub_cfg(void **state)
{
	struct sbuf c = SBUF_INIT;

	(void)state;
	mkboot_grub_cfg(&c, "Linux", "/boot/vmlinuz-1", "/boot/initrd.img-1", "UUID=abc", "ttyS0", "quiet");
	assert_non_null(strstr(sbuf_str(&c), "serial --unit=0 --speed=115200\n"));
	assert_non_null(strstr(sbuf_str(&c), "\tlinux /boot/vmlinuz-1 root=UUID=abc ro console=ttyS0,115200 quiet\n"));
	assert_non_null(strstr(sbuf_str(&c), "\tinitrd /boot/initrd.img-1\n}\n"));
	sbuf_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_embed_layout),
		cmocka_unit_test(test_embed_refusals),
		cmocka_unit_test(test_grub_cfg),
		cmocka_unit_test_setup_teardown(test_too_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_ext, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_use, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
