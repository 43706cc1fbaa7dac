/* The host side of a persisted setting: files replaced with a backup and
 * read back, put back on failure, undone from the manifest; how the host
 * boots; its cpupool configs; a sched runner over a host. */
#include "sched/persist.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"

#define FILE_TIMEOUT_MS 60000

int persist_file_load(struct host *h, const char *path, struct persist_file *f, struct err *e)
{
	/* exit 3: no such file; the path is a word, the script fixed text */
	char *argv[] = { "sh", "-c", "if [ -e \"$1\" ]; then exec cat -- \"$1\"; else exit 3; fi", "sh",
			 (char *)path, NULL };
	struct sbuf er = SBUF_INIT;
	struct proc_opts o = { .out = &f->old, .errout = &er, .timeout_ms = FILE_TIMEOUT_MS };
	int st = -1, rc;

	if ((size_t)snprintf(f->path, sizeof(f->path), "%s", path) >= sizeof(f->path))
		return err_set(e, -ENAMETOOLONG, "%s: path too long", path);
	sbuf_reset(&f->old);
	rc = host_run(h, argv, &o, &st, e);
	if (!rc && st == 3)
		f->exists = false;
	else if (!rc && st == 0)
		f->exists = true;
	else if (!rc) {
		sbuf_chomp(&er);
		rc = err_set(e, -EIO, "%s: %s: cannot read it: %s", h->spec, path, sbuf_str(&er));
	}
	sbuf_free(&er);
	return rc;
}

void persist_file_free(struct persist_file *f)
{
	sbuf_free(&f->old);
	sbuf_free(&f->new);
}

static int rm(struct host *h, const char *path, struct err *e)
{
	return host_run_ok(h, (char *[]){ "rm", "-f", "--", (char *)path, NULL }, FILE_TIMEOUT_MS, NULL, e);
}

/* Writes data to path and reads it back. */
static int put_checked(struct host *h, const struct sbuf *data, const char *path, bool exec, struct err *e)
{
	struct persist_file back = { 0 };
	int rc;

	if ((rc = host_put(h, data->len ? data->buf : "", data->len, path, exec, e)))
		return rc;
	if ((rc = persist_file_load(h, path, &back, e)) == 0 &&
	    (!back.exists || back.old.len != data->len || memcmp(back.old.buf ? back.old.buf : "",
								  data->buf ? data->buf : "", data->len)))
		rc = err_set(e, -EIO, "%s: %s: read back %zu bytes that differ from the %zu written", h->spec, path,
			     back.old.len, data->len);
	persist_file_free(&back);
	return rc;
}

static bool unchanged(const struct persist_file *f)
{
	return f->exists && f->old.len == f->new.len &&
	       !memcmp(f->old.buf ? f->old.buf : "", f->new.buf ? f->new.buf : "", f->new.len);
}

/* Puts f[0..n) back as they were (their backups go); 0 when all did. */
static int put_back(struct host *h, const struct persist_file *f, int n)
{
	char bak[600];
	int bad = 0;

	for (int k = 0; k < n; k++) {
		struct err e2;

		if (unchanged(&f[k]))
			continue;
		snprintf(bak, sizeof(bak), "%s" PERSIST_BAK, f[k].path);
		if (f[k].exists)
			bad |= put_checked(h, &f[k].old, f[k].path, f[k].exec, &e2) || (!f[k].earlier && rm(h, bak, &e2));
		else
			bad |= rm(h, f[k].path, &e2) != 0;
	}
	return bad ? -EIO : 0;
}

/* Fails with e's message, adding how the put back went. */
static int failed(struct host *h, const struct persist_file *f, int n, int rc, struct err *e)
{
	char msg[sizeof(e->msg)];

	memcpy(msg, e->msg, sizeof(msg));
	if (put_back(h, f, n) == 0)
		return err_set(e, rc, "%s; the previous files are back", msg);
	return err_set(e, rc, "%s; putting the previous files back failed too", msg);
}

/* The entry of path in m (new or changed: an earlier persist's), or NULL. */
static struct persist_entry *earlier_entry(struct persist_manifest *m, const char *path)
{
	for (int i = 0; i < m->n; i++)
		if (m->e[i].state != PERSIST_SAME && !strcmp(m->e[i].path, path))
			return &m->e[i];
	return NULL;
}

/* The manifest at path into m (empty when there is none) and its bytes into
 * f (to put back on failure). */
static int manifest_load(struct host *h, const char *path, struct persist_file *f, struct persist_manifest *m,
			 struct err *e)
{
	int rc = persist_file_load(h, path, f, e);

	if (!rc && f->exists)
		rc = persist_manifest_parse(path, sbuf_str(&f->old), f->old.len, m, e);
	return rc;
}

int persist_files_commit(struct host *h, struct persist_file *f, int n, const char *manifest_path,
			 struct err *e)
{
	struct persist_manifest *m = xcalloc(1, sizeof(*m));
	struct persist_file mf = { 0 };
	struct sbuf ms = SBUF_INIT;
	char bak[600];
	int k, rc;

	if ((rc = manifest_load(h, manifest_path, &mf, m, e)))
		goto out;
	for (k = 0; k < n; k++) {
		struct persist_entry *x = earlier_entry(m, f[k].path);

		f[k].earlier = x != NULL;
		if (!x) {
			for (int i = 0; i < m->n; i++)  /* an earlier "same" entry: this one decides */
				if (!strcmp(m->e[i].path, f[k].path))
					x = &m->e[i];
			if (!x && m->n >= (int)(sizeof(m->e) / sizeof(m->e[0]))) {
				rc = failed(h, f, k, err_set(e, -E2BIG, "%s: too many files", manifest_path), e);
				goto out;
			}
			x = x ? x : &m->e[m->n++];
			x->state = unchanged(&f[k]) ? PERSIST_SAME : f[k].exists ? PERSIST_CHANGED : PERSIST_NEW;
			snprintf(x->path, sizeof(x->path), "%s", f[k].path);
		}
		if (unchanged(&f[k]))
			continue;
		snprintf(bak, sizeof(bak), "%s" PERSIST_BAK, f[k].path);
		if ((f[k].exists && !f[k].earlier && (rc = put_checked(h, &f[k].old, bak, false, e))) ||
		    (rc = put_checked(h, &f[k].new, f[k].path, f[k].exec, e))) {
			rc = failed(h, f, k + 1, rc, e);
			goto out;
		}
	}
	persist_manifest_format(m, &ms);
	if ((rc = put_checked(h, &ms, manifest_path, false, e))) {
		struct err e2;

		if (mf.exists)
			(void)put_checked(h, &mf.old, manifest_path, false, &e2);
		rc = failed(h, f, n, rc, e);
	}
out:
	persist_file_free(&mf);
	sbuf_free(&ms);
	free(m);
	return rc;
}

int persist_undo(struct host *h, const char *manifest_path, struct sbuf *out, struct err *e)
{
	struct persist_file mf = { 0 };
	struct persist_manifest *m = xcalloc(1, sizeof(*m));
	char bak[600];
	int rc;

	if ((rc = persist_file_load(h, manifest_path, &mf, e)))
		goto out;
	if (!mf.exists) {
		rc = err_set(e, -ENOENT, "%s: %s: no manifest: nothing was persisted there (or it was undone)",
			     h->spec, manifest_path);
		goto out;
	}
	if ((rc = persist_manifest_parse(manifest_path, sbuf_str(&mf.old), mf.old.len, m, e)))
		goto out;
	for (int k = 0; k < m->n && !rc; k++) {
		struct persist_file b = { 0 };

		snprintf(bak, sizeof(bak), "%s" PERSIST_BAK, m->e[k].path);
		if (m->e[k].state == PERSIST_NEW) {
			rc = rm(h, m->e[k].path, e);
			sbuf_printf(out, "removed %s\n", m->e[k].path);
		} else if (m->e[k].state == PERSIST_CHANGED) {
			if (!(rc = persist_file_load(h, bak, &b, e)) && !b.exists)
				rc = err_set(e, -ENOENT, "%s: %s: the backup is gone", h->spec, bak);
			/* an executable (the boot unit) stays one */
			if (!rc && !(rc = put_checked(h, &b.old, m->e[k].path, strstr(m->e[k].path, PERSIST_UNIT) != NULL,
						       e)))
				rc = rm(h, bak, e);
			sbuf_printf(out, "restored %s from %s\n", m->e[k].path, bak);
		}
		persist_file_free(&b);
	}
	if (!rc)
		rc = rm(h, manifest_path, e);
out:
	persist_file_free(&mf);
	free(m);
	return rc;
}

int persist_boot_kind(struct host *h, enum persist_boot *kind, struct err *e)
{
	char *argv[] = { "sh", "-c",
			 "if [ -x /etc/vmlab/rc ] && [ -d " PERSIST_BOOT_D " ]; then echo rc; "
			 "elif [ -d /run/systemd/system ]; then echo systemd; else echo none; fi",
			 NULL };
	struct sbuf o = SBUF_INIT;
	int rc = host_run_ok(h, argv, FILE_TIMEOUT_MS, &o, e);

	sbuf_chomp(&o);
	*kind = !strcmp(sbuf_str(&o), "rc") ? PERSIST_BOOT_RC
		: !strcmp(sbuf_str(&o), "systemd") ? PERSIST_BOOT_SYSTEMD : PERSIST_BOOT_NONE;
	sbuf_free(&o);
	return rc;
}

static int pool_cmp(const void *a, const void *b)
{
	return strcmp(((const struct persist_pool *)a)->name, ((const struct persist_pool *)b)->name);
}

int persist_pools_load(struct host *h, const char *cfg_dir, struct persist_pool *pools, int *n, struct err *e)
{
	char *argv[] = { "sh", "-c", "cd \"$1\" 2>/dev/null || exit 0; for f in cpupool-*.cfg; do "
				     "[ -f \"$f\" ] && echo \"$f\"; done; exit 0",
			 "sh", (char *)cfg_dir, NULL };
	struct sbuf o = SBUF_INIT;
	char path[600];
	int rc;

	*n = 0;
	if ((rc = host_run_ok(h, argv, FILE_TIMEOUT_MS, &o, e)))
		goto out;
	for (char *l = o.buf, *nl; l && *l && !rc; l = nl ? nl + 1 : NULL) {
		struct persist_file f = { 0 };

		if ((nl = strchr(l, '\n')))
			*nl = 0;
		if (*n >= PERSIST_MAX_POOLS) {
			rc = err_set(e, -E2BIG, "%s: %s: more than %d cpupool configs", h->spec, cfg_dir,
				     PERSIST_MAX_POOLS);
			break;
		}
		if (!(rc = persist_path(path, sizeof(path), cfg_dir, l, e)) &&
		    !(rc = persist_file_load(h, path, &f, e)) && f.exists &&
		    !(rc = persist_pool_parse(path, sbuf_str(&f.old), f.old.len, &pools[*n], e)))
			(*n)++;
		persist_file_free(&f);
	}
	qsort(pools, (size_t)*n, sizeof(*pools), pool_cmp);
out:
	sbuf_free(&o);
	return rc;
}

static int run_host(void *ctx, char *const argv[], struct sbuf *out, struct sbuf *errout, int *status,
		    struct err *e)
{
	struct sbuf o = SBUF_INIT, er = SBUF_INIT;
	struct proc_opts po = { .out = out ? out : &o, .errout = errout ? errout : &er,
				.timeout_ms = FILE_TIMEOUT_MS };
	int r = host_run(ctx, argv, &po, status, e);

	sbuf_free(&o);
	sbuf_free(&er);
	return r;
}

void persist_runner(struct sched_runner *r, struct host *h)
{
	r->where = h->spec;
	r->run = run_host;
	r->ctx = h;
}
