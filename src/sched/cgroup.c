/* The native baseline's back end: a Linux cgroup v2 that vmlab creates
 * under the cgroup2 mount's vmlab.slice; weight is cpu.weight, cap is
 * cpu.max (QUOTA of a 100 ms period), cpus is cpuset.cpus. */
#include "sched/sched.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/text.h"
#include "xen/cpulist.h"

#define PERIOD_US 100000

/* The mount point of the cgroup2 file system into mnt, from mountinfo. */
static int cgroup2_mount(char *mnt, size_t n, struct err *e)
{
	struct sbuf mi = SBUF_INIT;
	size_t pos = 0, len;
	const char *line;
	int rc;

	if ((rc = file_read("/proc/self/mountinfo", &mi, e)))
		return rc;
	rc = -ENOTSUP;
	while (text_next_line(sbuf_str(&mi), mi.len, &pos, &line, &len)) {
		char buf[4096], *sep, *f[6];
		int k = 0;

		if (len >= sizeof(buf))
			continue;
		memcpy(buf, line, len);
		buf[len] = 0;
		/* "ID PARENT MAJ:MIN ROOT MOUNT OPTS ... - FSTYPE SOURCE SUPER" */
		if (!(sep = strstr(buf, " - ")) || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		for (char *p = strtok(buf, " "); p && k < 6; p = strtok(NULL, " "))
			f[k++] = p;
		if (k < 5)
			continue;
		snprintf(mnt, n, "%s", f[4]);
		rc = 0;
		break;
	}
	sbuf_free(&mi);
	if (rc)
		err_set(e, rc, "no cgroup v2 file system is mounted (/proc/self/mountinfo)");
	return rc;
}

/* 1 when the words of file path hold word. */
static int file_has_word(const char *path, const char *word)
{
	struct sbuf s = SBUF_INIT;
	struct err e;
	int found = 0;

	if (file_read(path, &s, &e) == 0)
		for (char *p = strtok(s.buf ? s.buf : "", " \n"); p && !found; p = strtok(NULL, " \n"))
			found = !strcmp(p, word);
	sbuf_free(&s);
	return found;
}

int sched_cgroup_root(char *root, size_t n, struct err *e)
{
	char mnt[PATH_MAX], path[PATH_MAX + 32];
	int rc;

	if ((rc = cgroup2_mount(mnt, sizeof(mnt), e)))
		return rc;
	snprintf(path, sizeof(path), "%s/cgroup.controllers", mnt);
	for (const char *const *c = (const char *const[]){ "cpu", "cpuset", NULL }; *c; c++)
		if (!file_has_word(path, *c))
			return err_set(e, -ENOTSUP,
				       "cgroup v2 at %s offers no %s controller (a cgroup v1 hierarchy may hold it); "
				       "see %s", mnt, *c, path);
	if (access(mnt, W_OK))
		return err_set(e, -EACCES, "cgroup v2 at %s is not writable here", mnt);
	snprintf(root, n, "%s/vmlab.slice", mnt);
	return 0;
}

/* Writes text to root/name/file (name NULL: root/file) in one write; an
 * empty text is written as "\n" (which empties cpuset.cpus). */
static int put_file(const char *root, const char *name, const char *file, const char *text, struct err *e)
{
	char path[PATH_MAX * 2];
	const char *t = *text ? text : "\n";
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s%s%s/%s", root, name ? "/" : "", name ? name : "", file);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	if (write(fd, t, strlen(t)) != (ssize_t)strlen(t))
		rc = -errno;
	close(fd);
	if (rc)
		return err_set(e, rc, "%s: writing \"%s\": %s", path, text, strerror(-rc));
	return 0;
}

/* Reads root/name/file, trailing newline dropped, into out. */
static int get_file(const char *root, const char *name, const char *file, struct sbuf *out, struct err *e)
{
	char path[PATH_MAX * 2];
	int rc;

	snprintf(path, sizeof(path), "%s/%s/%s", root, name, file);
	sbuf_reset(out);
	if ((rc = file_read(path, out, e)))
		return rc;
	sbuf_chomp(out);
	return 0;
}

static int name_ok(const char *n)
{
	if (!*n || strlen(n) > 63 || !strcmp(n, ".") || !strcmp(n, ".."))
		return 0;
	for (const char *p = n; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return 0;
	return 1;
}

int sched_cgroup_create(const char *root, const char *name, struct err *e)
{
	char path[PATH_MAX * 2], parent[PATH_MAX];
	const char *slash = strrchr(root, '/');
	int rc;

	if (!name_ok(name))
		return err_set(e, -EINVAL, "cgroup name '%s': 1..63 letters, digits, '_', '.', '-'", name);
	if (!slash)
		return err_set(e, -EINVAL, "%s: not a cgroup folder", root);
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - root), root);
	if (mkdir(root, 0755) && errno != EEXIST)
		return err_set(e, -errno, "%s: %s", root, strerror(errno));
	/* the controllers must be enabled on the way down */
	if ((rc = put_file(parent, NULL, "cgroup.subtree_control", "+cpu +cpuset", e)) ||
	    (rc = put_file(root, NULL, "cgroup.subtree_control", "+cpu +cpuset", e)))
		return rc;
	snprintf(path, sizeof(path), "%s/%s", root, name);
	if (mkdir(path, 0755))
		return err_set(e, -errno, "%s: %s", path, errno == EEXIST ? "the cgroup exists" : strerror(errno));
	return 0;
}

int sched_cgroup_remove(const char *root, const char *name, struct err *e)
{
	char path[PATH_MAX * 2];

	if (!name_ok(name))
		return err_set(e, -EINVAL, "cgroup name '%s': 1..63 letters, digits, '_', '.', '-'", name);
	snprintf(path, sizeof(path), "%s/%s", root, name);
	if (rmdir(path))
		return err_set(e, -errno, "%s: %s", path,
			       errno == EBUSY ? "processes still run in it" : strerror(errno));
	return 0;
}

int sched_cgroup_enter(const char *root, const char *name, long pid, struct err *e)
{
	char p[32];

	snprintf(p, sizeof(p), "%ld", pid);
	return put_file(root, name, "cgroup.procs", p, e);
}

int sched_cgroup_parse_max(const char *text, int *cap, struct err *e)
{
	char q[32];
	long long quota, period;
	int n = 0;

	if (sscanf(text, "%31s %lld%n", q, &period, &n) != 2 || text[n + strspn(text + n, " \n")] || period < 1000 ||
	    period > 1000000)
		return err_set(e, -EBADMSG, "cpu.max \"%s\": expected \"max PERIOD\" or \"QUOTA PERIOD\"", text);
	if (!strcmp(q, "max")) {
		*cap = 0;
		return 0;
	}
	char *end;

	quota = strtoll(q, &end, 10);
	if (*end || quota < 1000 || quota > 1000000LL * 1024)
		return err_set(e, -EBADMSG, "cpu.max \"%s\": quota is not a number of microseconds", text);
	*cap = (int)((quota * 100 + period / 2) / period);
	return 0;
}

static int cg_get(const struct sched_target *t, struct sched_state *st, struct err *e)
{
	struct sbuf v = SBUF_INIT;
	char *end;
	long w;
	int rc;

	memset(st, 0, sizeof(*st));
	snprintf(st->scheduler, sizeof(st->scheduler), "cgroup");
	st->nr_cpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	if ((rc = get_file(t->root, t->name, "cpu.weight", &v, e)))
		goto out;
	w = strtol(sbuf_str(&v), &end, 10);
	if (*end || w < 1 || w > 10000) {
		rc = err_set(e, -EBADMSG, "%s/%s/cpu.weight: \"%s\" is no weight", t->root, t->name, sbuf_str(&v));
		goto out;
	}
	st->s.weight = (int)w;
	if ((rc = get_file(t->root, t->name, "cpu.max", &v, e)) ||
	    (rc = sched_cgroup_parse_max(sbuf_str(&v), &st->s.cap, e)) ||
	    (rc = get_file(t->root, t->name, "cpuset.cpus", &v, e)))
		goto out;
	if (v.len >= SCHED_CPUS_MAX) {
		rc = err_set(e, -E2BIG, "%s/%s/cpuset.cpus: too long", t->root, t->name);
		goto out;
	}
	snprintf(st->s.cpus, sizeof(st->s.cpus), "%s", sbuf_str(&v));
	st->s.set = SCHED_K_WEIGHT | SCHED_K_CAP | SCHED_K_CPUS;
out:
	sbuf_free(&v);
	return rc;
}

static int cg_check(const struct sched_target *t, const struct sched_state *cur, const struct sched_setting *s,
		    struct err *e)
{
	struct sbuf eff = SBUF_INIT;
	struct err e2;
	struct cpulist l, pl;
	bool want[1024] = { false }, in[1024] = { false };
	int col, rc = 0, n = cur->nr_cpus > 1024 ? 1024 : cur->nr_cpus;

	if ((s->set & SCHED_K_WEIGHT) && s->weight > 10000)
		return err_set(e, -EINVAL, "weight=%d: a cgroup's cpu.weight is 1..10000", s->weight);
	if ((s->set & SCHED_K_CAP) && s->cap > 100 * cur->nr_cpus)
		return err_set(e, -EINVAL, "cap=%d: this host has %d CPUs, so cap is 0..%d", s->cap, cur->nr_cpus,
			       100 * cur->nr_cpus);
	if (!(s->set & SCHED_K_CPUS))
		return 0;
	if (cpulist_parse(s->cpus, &l, &col, &e2) < 0)
		return err_set(e, -EINVAL, "cpus=%s: %s", s->cpus, e2.msg);
	if (cpulist_max(&l, false) >= n) {
		cpulist_free(&l);
		return err_set(e, -EINVAL, "cpus=%s: the host has CPUs 0..%d only", s->cpus, n - 1);
	}
	cpulist_apply(&l, n, NULL, want);
	cpulist_free(&l);
	/* the parent's cpuset bounds the child's */
	if (get_file(t->root, ".", "cpuset.cpus.effective", &eff, &e2) == 0 &&
	    cpulist_parse(sbuf_str(&eff), &pl, &col, &e2) == 0) {
		cpulist_apply(&pl, n, NULL, in);
		cpulist_free(&pl);
		for (int c = 0; c < n && !rc; c++)
			if (want[c] && !in[c])
				rc = err_set(e, -EINVAL, "cpus=%s: CPU %d is not in %s's cpuset (%s)", s->cpus, c,
					     t->root, sbuf_str(&eff));
	}
	sbuf_free(&eff);
	return rc;
}

/* Writes the knobs of s that set names. */
static int cg_write(const struct sched_target *t, const struct sched_setting *s, unsigned set, struct err *e)
{
	char v[64];
	int rc;

	if (set & SCHED_K_WEIGHT) {
		snprintf(v, sizeof(v), "%d", s->weight);
		if ((rc = put_file(t->root, t->name, "cpu.weight", v, e)))
			return rc;
	}
	if (set & SCHED_K_CAP) {
		if (s->cap)
			snprintf(v, sizeof(v), "%lld %d", (long long)s->cap * PERIOD_US / 100, PERIOD_US);
		else
			snprintf(v, sizeof(v), "max %d", PERIOD_US);
		if ((rc = put_file(t->root, t->name, "cpu.max", v, e)))
			return rc;
	}
	if (set & SCHED_K_CPUS)
		return put_file(t->root, t->name, "cpuset.cpus", s->cpus, e);
	return 0;
}

static int cg_put(const struct sched_target *t, const struct sched_state *cur, const struct sched_setting *s,
		  struct err *e)
{
	return cg_write(t, s, s->set, e);
}

static int cg_restore(const struct sched_target *t, const struct sched_state *prev, unsigned set, struct err *e)
{
	return cg_write(t, &prev->s, set, e);
}

const struct sched_ops sched_cgroup = { "cgroup", SCHED_K_WEIGHT | SCHED_K_CAP | SCHED_K_CPUS, cg_get, cg_check,
					cg_put, cg_restore };
