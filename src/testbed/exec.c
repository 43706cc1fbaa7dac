/* Commands and files in dom0 and the guests. */
#include "testbed/exec.h"

#include "base/fileio.h"
#include "base/proc.h"
#include "base/shquote.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int tb_exec(const struct tb_paths *p, const struct tb_state *s, const char *guest_ip, char *const cmd[],
	    uint64_t timeout_ms, struct sbuf *out, struct sbuf *errout, int *status, struct err *e)
{
	char **av = tb_ssh_argv(p, s, guest_ip, 0, cmd);
	struct proc_opts o = { .out = out, .errout = errout, .timeout_ms = timeout_ms };
	int rc = proc_run(av, &o, status, e);

	argv_free(av);
	if (rc == -ETIMEDOUT)
		return err_set(e, rc, "the command timed out");
	return rc;
}

/* Runs sh in dom0 or the guest with stdin in (may be NULL), stdout into out. */
static int remote_cat(const struct tb_paths *p, const struct tb_state *s, const char *ip, const char *sh,
		      const struct sbuf *in, struct sbuf *out, struct err *e)
{
	char **av = tb_ssh_argv_sh(p, s, ip, sh);
	struct sbuf er = SBUF_INIT;
	struct proc_opts o = { .stdin_data = in ? sbuf_str(in) : NULL, .stdin_len = in ? in->len : 0,
			       .out = out, .errout = &er, .timeout_ms = 600000 };
	int st = -1, rc = proc_run(av, &o, &st, e);

	argv_free(av);
	if (rc == -ETIMEDOUT)
		rc = err_set(e, rc, "cp timed out");
	else if (rc == 0 && st != 0) {
		sbuf_chomp(&er);
		rc = err_set(e, -EIO, "cp failed: %s", sbuf_str(&er));
	}
	sbuf_free(&er);
	return rc;
}

int tb_cp_to(const struct tb_paths *p, const struct tb_state *s, const char *guest_ip, const char *src,
	     const char *dst, struct err *e)
{
	struct sbuf data = SBUF_INIT, sh = SBUF_INIT, out = SBUF_INIT;
	char *q;
	int rc;

	if ((rc = file_read(src, &data, e)) == 0) {
		q = shquote(dst);
		sbuf_printf(&sh, "cat > %s", q);
		free(q);
		rc = remote_cat(p, s, guest_ip, sbuf_str(&sh), &data, &out, e);
	}
	sbuf_free(&data);
	sbuf_free(&sh);
	sbuf_free(&out);
	return rc;
}

int tb_cp_from(const struct tb_paths *p, const struct tb_state *s, const char *guest_ip, const char *src,
	       const char *dst, struct err *e)
{
	struct sbuf sh = SBUF_INIT, out = SBUF_INIT;
	char *q = shquote(src);
	int rc;

	sbuf_printf(&sh, "cat %s", q);
	free(q);
	rc = remote_cat(p, s, guest_ip, sbuf_str(&sh), NULL, &out, e);
	if (rc == 0)
		rc = file_write_atomic(dst, out.buf ? out.buf : "", out.len, e);
	sbuf_free(&sh);
	sbuf_free(&out);
	return rc;
}

int tb_xl_views(const struct tb_paths *p, const struct tb_state *s, struct sbuf *info, struct sbuf *list,
		struct sbuf *sched, struct err *e)
{
	static const char sep[] = "@@vmlab@@\n";
	char **av = tb_ssh_argv_sh(p, s, NULL,
				   "i=$(xl info) && echo \"$i\" && echo @@vmlab@@ && xl list && echo @@vmlab@@ && "
				   "case $(echo \"$i\" | sed -n 's/^xen_scheduler *: *//p') in "
				   "credit) xl sched-credit ;; *) xl sched-credit2 ;; esac");
	struct sbuf out = SBUF_INIT, er = SBUF_INIT;
	struct proc_opts o = { .out = &out, .errout = &er, .timeout_ms = 120000 };
	const char *a, *b;
	int st = -1, rc = proc_run(av, &o, &st, e);

	argv_free(av);
	if (rc == -ETIMEDOUT)
		rc = err_set(e, rc, "status timed out");
	else if (rc == 0 && st != 0)
		{
		sbuf_chomp(&er);
		rc = err_set(e, -EIO, "xl in dom0 failed: %s", sbuf_str(&er));
	}
	else if (rc == 0) {
		a = strstr(sbuf_str(&out), sep);
		b = a ? strstr(a + strlen(sep), sep) : NULL;
		if (!b)
			rc = err_set(e, -EIO, "unexpected output from xl in dom0");
		else {
			sbuf_add(info, out.buf, (size_t)(a - out.buf));
			sbuf_add(list, a + strlen(sep), (size_t)(b - a - strlen(sep)));
			sbuf_puts(sched, b + strlen(sep));
		}
	}
	sbuf_free(&out);
	sbuf_free(&er);
	return rc;
}
