/* xentrace around a command, in dom0 here or over an ops table. */
#include "xen/xtrecord.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "xen/xentrace.h"
#include "xen/xl.h"

/* Starts xentrace in the background, in a session of its own (it stops
 * on SIGHUP): $1 pages, $2 mask, $3 -T seconds or "", $4 the trace; its
 * pid goes to $4.pid, its messages to $4.log. Exits 0 once the trace file
 * exists, 1 when another xentrace runs or this one died first (the reason
 * on stdout), 127 when there is no xentrace. */
static const char start_sh[] =
	"PATH=$PATH:/usr/sbin:/sbin:/usr/lib/xen-4.17/bin\n"
	"command -v xentrace >/dev/null || { echo 'xentrace: not found in dom0 (install xen-utils)'; exit 127; }\n"
	"for d in /proc/[0-9]*; do [ \"$(cat $d/comm 2>/dev/null)\" = xentrace ] &&\n"
	"  { echo \"xentrace already runs in dom0 (pid ${d#/proc/}); Xen's trace buffers have one reader\"; exit 1; }\n"
	"done\n"
	"s=; command -v setsid >/dev/null && s=setsid\n"
	"rm -f \"$4\"\n"
	"if [ -n \"$3\" ]; then $s xentrace -D -S \"$1\" -e \"$2\" -T \"$3\" \"$4\" >\"$4.log\" 2>&1 </dev/null &\n"
	"else $s xentrace -D -S \"$1\" -e \"$2\" \"$4\" >\"$4.log\" 2>&1 </dev/null & fi\n"
	"echo $! >\"$4.pid\"\n"
	"i=0\n"
	"while [ ! -e \"$4\" ]; do\n"
	"  kill -0 $(cat \"$4.pid\") 2>/dev/null || { cat \"$4.log\"; rm -f \"$4.pid\" \"$4.log\"; exit 1; }\n"
	"  i=$((i+1)); [ $i -gt 100 ] && { cat \"$4.log\"; exit 1; }\n"
	"  sleep 0.1\n"
	"done\n"
	"sleep 0.5\n";

/* Stops the xentrace of trace $1 with SIGINT (it writes out what its
 * buffers hold), SIGKILL after 30 s; prints its messages. */
static const char stop_sh[] =
	"p=$(cat \"$1.pid\" 2>/dev/null) || exit 0\n"
	"kill -INT \"$p\" 2>/dev/null\n"
	"i=0\n"
	"while kill -0 \"$p\" 2>/dev/null; do\n"
	"  i=$((i+1)); [ $i -gt 300 ] && kill -KILL \"$p\"\n"
	"  sleep 0.1\n"
	"done\n"
	"cat \"$1.log\" 2>/dev/null; rm -f \"$1.pid\" \"$1.log\"\n";

void xt_meta_from_host(const char *xlinfo, size_t len, const char *cpuinfo, struct xt_meta *m)
{
	struct xl_info i;
	struct err e;

	if (!xl_parse_info(xlinfo, len, "xl info", &i, &e)) {
		const char *v = xl_info_get(&i, "cpu_mhz");
		const char *maj = xl_info_get(&i, "xen_major"), *min = xl_info_get(&i, "xen_minor");
		const char *ext = xl_info_get(&i, "xen_extra");
		if (v && atof(v) > 0)
			m->cpu_hz = atof(v) * 1e6;
		if (maj && min)
			snprintf(m->xen_version, sizeof(m->xen_version), "%s.%s%s", maj, min, ext ? ext : "");
		xl_info_free(&i);
	}
	m->have_vendor = cpuinfo && (strstr(cpuinfo, "AuthenticAMD") || strstr(cpuinfo, "GenuineIntel"));
	m->vendor = cpuinfo && strstr(cpuinfo, "GenuineIntel") ? XT_VMX : XT_SVM;
}

static int facts(const struct xt_dom0_ops *ops, void *ctx, const struct xt_record_opts *o,
		 struct xt_meta *m, struct err *e)
{
	char *xl[] = { "xl", "info", NULL }, *cpu[] = { "cat", "/proc/cpuinfo", NULL };
	struct sbuf info = SBUF_INIT, ci = SBUF_INIT, eo = SBUF_INIT;
	int st, rc;

	if ((rc = ops->exec(ctx, xl, &info, &eo, &st, e)))
		goto out;
	if (st) {
		rc = err_set(e, -ENOENT, "xl info in dom0 (%s) failed, exit %d: %.400s", ops->name, st,
			     sbuf_str(&eo));
		goto out;
	}
	if ((rc = ops->exec(ctx, cpu, &ci, NULL, &st, e)))
		goto out;
	xt_meta_from_host(sbuf_str(&info), info.len, sbuf_str(&ci), m);
	if (o->domain) {
		char *dom[] = { "xl", "domid", (char *)o->domain, NULL };
		sbuf_reset(&info);
		if ((rc = ops->exec(ctx, dom, &info, NULL, &st, e)))
			goto out;
		if (st || atoi(sbuf_str(&info)) <= 0) {
			rc = err_set(e, -ENOENT, "%s: no such domain in dom0 (xl domid)", o->domain);
			goto out;
		}
		m->domid = atoi(sbuf_str(&info));
		snprintf(m->domain, sizeof(m->domain), "%s", o->domain);
	}
out:
	sbuf_free(&info);
	sbuf_free(&ci);
	sbuf_free(&eo);
	return rc;
}

static int stop(const struct xt_dom0_ops *ops, void *ctx, const char *trace, struct sbuf *log, struct err *e)
{
	char *argv[] = { "sh", "-c", (char *)stop_sh, "sh", (char *)trace, NULL };
	int st, rc = ops->exec(ctx, argv, log, NULL, &st, e);

	if (!rc && st)
		rc = err_set(e, -EIO, "stopping xentrace failed (exit %d): %.400s", st, sbuf_str(log));
	return rc;
}

int xt_record(const struct xt_dom0_ops *ops, void *ctx, const struct xt_record_opts *o, int *status,
	      struct xt_meta *m, struct err *e)
{
	char remote[128], pages[16], mask[16], secs[16], mpath[4096];
	const char *trace = o->output;
	struct sbuf log = SBUF_INIT, meta = SBUF_INIT;
	struct xt_file *f;
	int st, rc;

	memset(m, 0, sizeof(*m));
	m->domid = o->domain ? -1 : 0;
	m->mask = o->mask;
	snprintf(m->classes, sizeof(m->classes), "%s", o->classes ? o->classes : "");
	if ((rc = facts(ops, ctx, o, m, e)))
		return rc;
	if (ops->fetch) {
		snprintf(remote, sizeof(remote), "/tmp/vmlab-xentrace-%ld.bin", (long)getpid());
		trace = remote;
	}
	snprintf(pages, sizeof(pages), "%u", o->buf_pages);
	snprintf(mask, sizeof(mask), "0x%08x", o->mask);
	secs[0] = 0;
	if (o->duration_s)
		snprintf(secs, sizeof(secs), "%u", o->duration_s);
	char *start[] = { "sh", "-c", (char *)start_sh, "sh", pages, mask, secs, (char *)trace, NULL };
	if ((rc = ops->exec(ctx, start, &log, NULL, &st, e)))
		goto out;
	if (st) {
		rc = err_set(e, st == 127 ? -ENOENT : -EIO, "xentrace did not start in dom0 (%s): %.600s",
			     ops->name, sbuf_str(&log));
		goto out;
	}
	rc = ops->run(ctx, o->cmd, status, e);
	sbuf_reset(&log);
	int rs = stop(ops, ctx, trace, &log, rc ? NULL : e);
	if (rc || (rc = rs))
		goto out;
	if (ops->fetch) {
		char *rm[] = { "rm", "-f", remote, NULL };
		rc = ops->fetch(ctx, remote, o->output, e);
		(void)ops->exec(ctx, rm, NULL, NULL, &st, NULL);
		if (rc)
			goto out;
	}
	if ((rc = xt_open(o->output, &f, e)))
		goto out;
	xt_close(f);
	m->status = *status;
	xt_meta_json(m, &meta);
	xt_meta_path(o->output, mpath, sizeof(mpath));
	rc = file_write_atomic(mpath, meta.buf, meta.len, e);
out:
	sbuf_free(&log);
	sbuf_free(&meta);
	return rc;
}
