/* Unit tests of src/base/sshargv: the one ssh argv builder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/sshargv.h"

static void test_ssh_argv_quotes_remote_words(void **state)
{
	char *opts[] = { "-p", "2222", "-oBatchMode=yes", NULL };
	char *cmd[] = { ".cache/vmlab/vmlab", "run", "it's here", NULL };
	char **av = ssh_argv(opts, "u@h", cmd, NULL);

	assert_string_equal(av[0], "ssh");
	assert_string_equal(av[1], "-p");
	assert_string_equal(av[2], "2222");
	assert_string_equal(av[3], "-oBatchMode=yes");
	assert_string_equal(av[4], "u@h");
	assert_string_equal(av[5], "--");
	assert_string_equal(av[6], ".cache/vmlab/vmlab run 'it'\\''s here'");
	assert_null(av[7]);
	argv_free(av);
}

static void test_ssh_argv_sh_and_none(void **state)
{
	char **av = ssh_argv(NULL, "h", NULL, "cat > 'a b'");

	assert_string_equal(av[1], "h");
	assert_string_equal(av[2], "--");
	assert_string_equal(av[3], "cat > 'a b'");
	assert_null(av[4]);
	argv_free(av);

	char *ctl[] = { "-O", "exit", NULL };
	av = ssh_argv(ctl, "h", NULL, NULL);
	assert_string_equal(av[3], "h");
	assert_null(av[4]);
	argv_free(av);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ssh_argv_quotes_remote_words),
		cmocka_unit_test(test_ssh_argv_sh_and_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
