/* Waiting for the testbed: markers in console logs, ssh that answers. */
#include "testbed/wait.h"

#include "base/fileio.h"
#include "base/proc.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int tb_log_has(const char *log, const char *marker, off_t *off)
{
	char buf[65536 + 1];
	int fd = open(log, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	int found = 0;
	size_t ml = strlen(marker);

	if (fd < 0)
		return 0;
	while ((n = pread(fd, buf, sizeof(buf) - 1, *off)) > 0) {
		buf[n] = 0;
		for (ssize_t k = 0; k + (ssize_t)ml <= n; k++)
			if (!memcmp(buf + k, marker, ml))
				found = 1;
		if (found)
			break;
		*off += n > (ssize_t)ml ? n - (ssize_t)ml : n;
		if (n < (ssize_t)sizeof(buf) - 1)
			break;
	}
	close(fd);
	return found;
}

void tb_log_tail(const char *log, int lines, struct sbuf *out)
{
	struct sbuf sb = SBUF_INIT;
	struct err e = { 0 };
	const char *s, *start;
	int seen = 0;

	if (file_read(log, &sb, &e) < 0 || !sb.len) {
		sbuf_free(&sb);
		return;
	}
	s = sbuf_str(&sb);
	start = s + sb.len;
	while (start > s && seen <= lines)
		if (*--start == '\n')
			seen++;
	sbuf_puts(out, start);
	sbuf_free(&sb);
}

int tb_ssh_answers(const struct tb_paths *p, const struct tb_state *s, const char *ip, int tries)
{
	char *cmd[] = { "true", NULL };
	char **av = tb_ssh_argv(p, s, ip, 0, cmd);
	struct sbuf out = SBUF_INIT, er = SBUF_INIT;
	struct proc_opts o = { .out = &out, .errout = &er, .timeout_ms = 60000 };
	struct err e = { 0 };
	int st = -1;

	for (int k = 0; k < tries; k++) {
		if (proc_run(av, &o, &st, &e) == 0 && st == 0)
			break;
		st = -1;
		sleep(1);
	}
	argv_free(av);
	sbuf_free(&out);
	sbuf_free(&er);
	return st == 0;
}
