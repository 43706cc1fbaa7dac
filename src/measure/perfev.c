/* perf_event_open counting: event lists, tracefs ids, open/read. */
#include "measure/perfev.h"
#include "base/fileio.h"
#include "base/json.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fnmatch.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The generic events: perf's names (and aliases) for its software events
 * and generalized hardware counters. */
static const struct generic {
	const char *name, *alias;
	enum perfev_kind kind;
	uint32_t type;
	uint64_t config;
} generics[] = {
	{ "task-clock", NULL, PERFEV_SOFTWARE, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "context-switches", "cs", PERFEV_SOFTWARE, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", "migrations", PERFEV_SOFTWARE, PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "page-faults", "faults", PERFEV_SOFTWARE, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "minor-faults", NULL, PERFEV_SOFTWARE, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "major-faults", NULL, PERFEV_SOFTWARE, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "cpu-clock", NULL, PERFEV_SOFTWARE, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
	{ "cycles", "cpu-cycles", PERFEV_HARDWARE, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", NULL, PERFEV_HARDWARE, PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "branches", "branch-instructions", PERFEV_HARDWARE, PERF_TYPE_HARDWARE,
	  PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "branch-misses", NULL, PERFEV_HARDWARE, PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
	{ "cache-references", NULL, PERFEV_HARDWARE, PERF_TYPE_HARDWARE,
	  PERF_COUNT_HW_CACHE_REFERENCES },
	{ "cache-misses", NULL, PERFEV_HARDWARE, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
};

#define NGENERICS (sizeof(generics) / sizeof(generics[0]))

/* ---- event lists ---- */

static bool item_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("_.-*?[]!", c) != NULL);
}

/* Checks the item text[b..end); errors name offsets in text. */
static int check_item(const char *text, size_t b, size_t end, struct err *e)
{
	size_t colon = 0;
	bool in_set = false;
	size_t set_at = 0;

	if (b == end)
		return err_set(e, -EINVAL, "byte %zu: empty event name", b);
	for (size_t k = b; k < end; k++) {
		char c = text[k];

		if (c == ':') {
			if (colon)
				return err_set(e, -EINVAL, "byte %zu: a second ':' (events are SUBSYS:NAME; "
					       "modifiers such as :u are not supported)", k);
			if (in_set)
				return err_set(e, -EINVAL, "byte %zu: ':' inside [...]", k);
			if (k == b)
				return err_set(e, -EINVAL, "byte %zu: empty subsystem before ':'", k);
			colon = k + 1;
			if (colon == end)
				return err_set(e, -EINVAL, "byte %zu: empty event name after ':'", colon);
			continue;
		}
		if (!item_byte(c) && ((unsigned char)c <= 0x20 || (unsigned char)c >= 0x7f))
			return err_set(e, -EINVAL, "byte %zu: byte 0x%02x cannot be part of an event name",
				       k, (unsigned char)c);
		if (!item_byte(c))
			return err_set(e, -EINVAL, "byte %zu: '%c' cannot be part of an event name", k, c);
		if (c == '[' && !in_set) {
			in_set = true;
			set_at = k;
		} else if (c == ']' && in_set && k > set_at + 1) {
			in_set = false;
		}
	}
	if (in_set)
		return err_set(e, -EINVAL, "byte %zu: '[' without its ']'", set_at);
	return 0;
}

int perfev_spec_add(struct perfev_spec *s, const char *text, size_t len, struct err *e)
{
	size_t n0 = s->n, b = 0;
	int rc;

	for (size_t k = 0; k <= len; k++) {
		if (k < len && text[k] != ',')
			continue;
		if ((rc = check_item(text, b, k, e)) < 0) {
			while (s->n > n0)
				free(s->items[--s->n]);
			if (!n0) {
				free(s->items);
				s->items = NULL;
			}
			return rc;
		}
		s->items = xrealloc(s->items, (s->n + 1) * sizeof(*s->items));
		s->items[s->n++] = xstrndup(text + b, k - b);
		b = k + 1;
	}
	return 0;
}

void perfev_spec_free(struct perfev_spec *s)
{
	for (size_t k = 0; k < s->n; k++)
		free(s->items[k]);
	free(s->items);
	s->items = NULL;
	s->n = 0;
}

/* ---- tracefs ---- */

/* A decimal number at text[*k..len) into *id, at most 2^63. */
static int parse_num(const char *text, size_t len, size_t *k, uint64_t *id, struct err *e)
{
	uint64_t v = 0;
	size_t b = *k;

	for (; *k < len && text[*k] >= '0' && text[*k] <= '9'; (*k)++) {
		if (v > (UINT64_C(1) << 63) / 10)
			return err_set(e, -EBADMSG, "byte %zu: id too large", b);
		v = v * 10 + (uint64_t)(text[*k] - '0');
	}
	if (*k == b)
		return err_set(e, -EBADMSG, "byte %zu: expected a decimal id", b);
	*id = v;
	return 0;
}

int perfev_parse_id(const char *text, size_t len, uint64_t *id, struct err *e)
{
	size_t k = 0;
	int rc;

	if ((rc = parse_num(text, len, &k, id, e)) < 0)
		return rc;
	if (k < len && text[k] == '\n')
		k++;
	if (k < len)
		return err_set(e, -EBADMSG, "byte %zu: unexpected text after the id", k);
	return 0;
}

int perfev_parse_format(const char *text, size_t len, uint64_t *id, struct err *e)
{
	for (size_t k = 0; k < len;) {
		const char *nl = memchr(text + k, '\n', len - k);
		size_t end = nl ? (size_t)(nl - text) : len;

		if (end - k >= 3 && !memcmp(text + k, "ID:", 3)) {
			size_t p = k + 3;
			int rc;

			while (p < end && text[p] == ' ')
				p++;
			if ((rc = parse_num(text, end, &p, id, e)) < 0)
				return rc;
			if (p < end)
				return err_set(e, -EBADMSG, "byte %zu: unexpected text after the id", p);
			return 0;
		}
		k = end + 1;
	}
	return err_set(e, -EBADMSG, "byte %zu: no \"ID:\" line", len);
}

static bool has_events(const char *dir)
{
	char p[4200];

	snprintf(p, sizeof(p), "%s/events", dir);
	return access(p, R_OK | X_OK) == 0;
}

int perfev_tracefs(char *path, size_t size, struct err *e)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

	const char *denied = NULL;

	for (size_t k = 0; k < 2; k++) {
		if (has_events(dirs[k])) {
			snprintf(path, size, "%s", dirs[k]);
			return 0;
		}
		if ((errno == EACCES || errno == EPERM) && !denied)
			denied = dirs[k];
	}
	if (denied)
		return err_set(e, -EPERM, "no permission to read %s/events (tracefs is root's: run as root, "
			       "or give this user read access to it)", denied);
	if (mount("tracefs", dirs[0], "tracefs", 0, NULL) == 0 && has_events(dirs[0])) {
		snprintf(path, size, "%s", dirs[0]);
		return 0;
	}
	if (errno == EPERM || errno == EACCES)
		return err_set(e, -EPERM, "tracefs is not mounted and mounting it needs root "
			       "(mount -t tracefs tracefs %s)", dirs[0]);
	return err_set(e, -ENOENT, "no tracefs: %s and %s have no events/, and mount -t tracefs at %s "
		       "failed: %s", dirs[0], dirs[1], dirs[0], strerror(errno));
}

/* ---- sets ---- */

static struct perfev *add_event(struct perfev_set *set, const char *name, enum perfev_kind kind)
{
	for (size_t k = 0; k < set->n; k++)
		if (!strcmp(set->v[k].name, name))
			return NULL;
	set->v = xrealloc(set->v, (set->n + 1) * sizeof(*set->v));
	struct perfev *ev = &set->v[set->n++];

	memset(ev, 0, sizeof(*ev));
	ev->name = xstrdup(name);
	ev->kind = kind;
	ev->fd = -1;
	return ev;
}

static void unsupported(struct perfev *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void unsupported(struct perfev *ev, const char *fmt, ...)
{
	struct sbuf b = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(ev->reason);
	ev->reason = sbuf_take(&b);
	ev->state = PERFEV_UNSUPPORTED;
}

static const struct generic *find_generic(const char *name)
{
	for (size_t k = 0; k < NGENERICS; k++)
		if (!strcmp(generics[k].name, name) ||
		    (generics[k].alias && !strcmp(generics[k].alias, name)))
			return &generics[k];
	return NULL;
}

static bool is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the directories in dir matching glob, sorted. */
static size_t match_dirs(const char *dir, const char *glob, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	*out = NULL;
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char p[4200];
		struct stat st;

		if (de->d_name[0] == '.' || fnmatch(glob, de->d_name, 0))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (stat(p, &st) || !S_ISDIR(st.st_mode))
			continue;
		*out = xrealloc(*out, (n + 1) * sizeof(**out));
		(*out)[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(*out, n, sizeof(**out), cmp_str);
	return n;
}

static void free_names(char **v, size_t n)
{
	for (size_t k = 0; k < n; k++)
		free(v[k]);
	free(v);
}

/* Reads the id of tracepoint SUB:NAME under root into ev (or its reason);
 * a malformed id file is -EBADMSG (e) when strict. */
static int read_tp(const char *root, const char *sub, const char *name, struct perfev *ev,
		   bool strict, struct err *e)
{
	char p[4200];
	struct sbuf t = SBUF_INIT;
	struct err fe = { 0, "" };
	uint64_t id;
	int rc;

	bool fmt = false;

	snprintf(p, sizeof(p), "%s/events/%s/%s/id", root, sub, name);
	ev->kind = PERFEV_TRACEPOINT;
	ev->type = PERF_TYPE_TRACEPOINT;
	if (file_read(p, &t, &fe) == -ENOENT) {
		/* a tracefs without id files still has the format's "ID:" line */
		snprintf(p, sizeof(p), "%s/events/%s/%s/format", root, sub, name);
		fe.code = 0;
		fmt = true;
		sbuf_reset(&t);
		(void)file_read(p, &t, &fe);
	}
	if (fe.code < 0) {
		if (fe.code == -EACCES || fe.code == -EPERM)
			unsupported(ev, "no permission to read %s (tracefs ids need root, or read "
				    "access to %s)", p, root);
		else
			unsupported(ev, "no such event in this kernel (%s: %s)", p, strerror(-fe.code));
		sbuf_free(&t);
		return 0;
	}
	rc = fmt ? perfev_parse_format(t.buf, t.len, &id, &fe) : perfev_parse_id(t.buf, t.len, &id, &fe);
	sbuf_free(&t);
	if (rc < 0) {
		if (strict)
			return err_set(e, rc, "%s: %s", p, fe.msg);
		unsupported(ev, "%s: %s", p, fe.msg);
		return 0;
	}
	ev->config = id;
	return 0;
}

/* Adds the tracepoints of item SUB:NAME (globs allowed). */
static int add_tracepoints(struct perfev_set *set, const char *root, const char *tfs_err,
			   const char *item, bool strict, struct err *e)
{
	const char *colon = strchr(item, ':');
	char *sub = xstrndup(item, (size_t)(colon - item)), **subs = NULL, **evs = NULL;
	const char *name = colon + 1;
	size_t nsub = 0, found = 0;
	char dir[4200];
	int rc = 0;

	if (tfs_err) {
		struct perfev *ev = add_event(set, item, PERFEV_TRACEPOINT);

		if (ev)
			unsupported(ev, "%s", tfs_err);
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s/events", root);
	nsub = is_glob(sub) ? match_dirs(dir, sub, &subs) : 0;
	if (!is_glob(sub)) {
		subs = xcalloc(1, sizeof(*subs));
		subs[nsub++] = xstrdup(sub);
	}
	for (size_t s = 0; s < nsub && !rc; s++) {
		size_t nev = 0;
		char sdir[4400];

		snprintf(sdir, sizeof(sdir), "%s/%s", dir, subs[s]);
		if (is_glob(name)) {
			nev = match_dirs(sdir, name, &evs);
		} else {
			char p[4600];

			snprintf(p, sizeof(p), "%s/%s", sdir, name);
			if (access(p, F_OK) == 0) {
				evs = xcalloc(1, sizeof(*evs));
				evs[nev++] = xstrdup(name);
			}
		}
		for (size_t k = 0; k < nev && !rc; k++) {
			char full[512];
			struct perfev *ev;

			snprintf(full, sizeof(full), "%s:%s", subs[s], evs[k]);
			found++;
			if ((ev = add_event(set, full, PERFEV_TRACEPOINT)))
				rc = read_tp(root, subs[s], evs[k], ev, strict, e);
		}
		free_names(evs, nev);
		evs = NULL;
	}
	if (!rc && !found) {
		if (strict) {
			rc = err_set(e, -EINVAL, "'%s': %s in this kernel (see 'vmlab trace list')", item,
				     is_glob(item) ? "no event matches" : "no such event");
		} else {
			struct perfev *ev = add_event(set, item, PERFEV_TRACEPOINT);

			if (ev)
				unsupported(ev, "%s in this kernel (%s/events)",
					    is_glob(item) ? "no event matches" : "no such event", root);
		}
	}
out:
	free_names(subs, nsub);
	free(sub);
	return rc;
}

/* Adds the generic events named or matched by item. */
static int add_generics(struct perfev_set *set, const char *item, bool strict, struct err *e)
{
	const struct generic *g = find_generic(item);
	size_t found = 0;

	for (size_t k = 0; k < NGENERICS; k++) {
		if (g ? &generics[k] != g : fnmatch(item, generics[k].name, 0) != 0)
			continue;
		struct perfev *ev = add_event(set, generics[k].name, generics[k].kind);

		found++;
		if (ev) {
			ev->type = generics[k].type;
			ev->config = generics[k].config;
		}
	}
	if (found)
		return 0;
	if (strict)
		return err_set(e, -EINVAL, "'%s': %s (tracepoints are SUBSYS:NAME; see 'vmlab trace list')",
			       item, is_glob(item) ? "no event matches" : "no such event");
	struct perfev *ev = add_event(set, item, PERFEV_SOFTWARE);

	if (ev)
		unsupported(ev, "no such event");
	return 0;
}

const char *perfev_xen_reason(const char *gt)
{
	size_t n;

	if (!gt)
		return "not a Xen guest (no /sys/hypervisor/guest_type): xen: tracepoints fire only in "
		       "Xen PV guests and a PV dom0";
	n = strcspn(gt, "\n");
	if (n == 2 && !strncmp(gt, "PV", 2))
		return NULL;
	if (n == 3 && !strncmp(gt, "PVH", 3))
		return "a Xen PVH guest (/sys/hypervisor/guest_type): xen: tracepoints fire only in PV "
		       "guests, whose page-table updates and multicalls are hypercalls";
	if (n == 3 && !strncmp(gt, "HVM", 3))
		return "a Xen HVM guest (/sys/hypervisor/guest_type): xen: tracepoints fire only in PV "
		       "guests, whose page-table updates and multicalls are hypercalls";
	return "not a Xen PV guest (/sys/hypervisor/guest_type is not \"PV\"): xen: tracepoints fire "
	       "only in PV guests";
}

/* Marks the xen: tracepoints of set unsupported where they cannot fire. */
static void xen_only_pv(struct perfev_set *set, const char *guest_type)
{
	struct sbuf t = SBUF_INIT;
	struct err fe = { 0, "" };
	const char *why;

	if (!guest_type)
		guest_type = file_read("/sys/hypervisor/guest_type", &t, &fe) == 0 ? sbuf_str(&t) : NULL;
	why = perfev_xen_reason(guest_type);
	for (size_t k = 0; why && k < set->n; k++)
		if (set->v[k].kind == PERFEV_TRACEPOINT && !strncmp(set->v[k].name, "xen:", 4) &&
		    set->v[k].state == PERFEV_COUNTED)
			unsupported(&set->v[k], "%s", why);
	sbuf_free(&t);
}

int perfev_resolve(const struct perfev_spec *s, const char *root, const char *guest_type,
		   bool strict, struct perfev_set *set, struct err *e)
{
	char tfs[4096];
	struct err te = { 0, "" };
	const char *tfs_err = NULL;
	int rc = 0;

	memset(set, 0, sizeof(*set));
	for (size_t k = 0; k < s->n; k++)
		if (strchr(s->items[k], ':') && !root) {
			if (perfev_tracefs(tfs, sizeof(tfs), &te) < 0)
				tfs_err = te.msg;
			root = tfs;
			break;
		}
	for (size_t k = 0; k < s->n && !rc; k++)
		rc = strchr(s->items[k], ':')
			     ? add_tracepoints(set, root, tfs_err, s->items[k], strict, e)
			     : add_generics(set, s->items[k], strict, e);
	if (rc) {
		perfev_free(set);
		return rc;
	}
	xen_only_pv(set, guest_type);
	return 0;
}

const char *perfev_kind_name(enum perfev_kind k)
{
	return k == PERFEV_TRACEPOINT ? "Tracepoint event" :
	       k == PERFEV_HARDWARE ? "Hardware event" : "Software event";
}

int perfev_list(const char *root, const char *glob, struct perfev_set *set, char **note,
		struct err *e)
{
	char tfs[4096], dir[4200], **subs = NULL;
	struct err te = { 0, "" };
	size_t nsub;

	(void)e;
	memset(set, 0, sizeof(*set));
	*note = NULL;
	for (size_t k = 0; k < NGENERICS; k++)
		if (!glob || !fnmatch(glob, generics[k].name, 0)) {
			struct perfev *ev = add_event(set, generics[k].name, generics[k].kind);

			ev->type = generics[k].type;
			ev->config = generics[k].config;
		}
	perfev_open(set, 0, false);
	perfev_close(set);
	if (!root) {
		if (perfev_tracefs(tfs, sizeof(tfs), &te) < 0) {
			*note = xstrdup(te.msg);
			return 0;
		}
		root = tfs;
	}
	snprintf(dir, sizeof(dir), "%s/events", root);
	nsub = match_dirs(dir, "*", &subs);
	for (size_t s = 0; s < nsub; s++) {
		char sdir[4400], **evs;
		size_t nev;

		snprintf(sdir, sizeof(sdir), "%s/%s", dir, subs[s]);
		nev = match_dirs(sdir, "*", &evs);
		for (size_t k = 0; k < nev; k++) {
			char full[512];

			snprintf(full, sizeof(full), "%s:%s", subs[s], evs[k]);
			if (!glob || !fnmatch(glob, full, 0))
				add_event(set, full, PERFEV_TRACEPOINT);
		}
		free_names(evs, nev);
	}
	free_names(subs, nsub);
	return 0;
}

/* kernel.perf_event_paranoid, or -100 when it cannot be read. */
static int paranoid(void)
{
	struct sbuf t = SBUF_INIT;
	struct err fe = { 0, "" };
	int v = -100;

	if (file_read("/proc/sys/kernel/perf_event_paranoid", &t, &fe) == 0)
		v = atoi(sbuf_str(&t));
	sbuf_free(&t);
	return v;
}

/* The reason for perf_event_open's errno err on ev. */
static void open_failed(struct perfev *ev, int err)
{
	if (err == EACCES || err == EPERM)
		unsupported(ev, "no permission (kernel.perf_event_paranoid = %d: run as root or with "
			    "CAP_PERFMON, or lower it: sysctl kernel.perf_event_paranoid=-1)", paranoid());
	else if (err == ENOSYS)
		unsupported(ev, "this kernel has no perf_event_open (CONFIG_PERF_EVENTS is off)");
	else if (ev->kind == PERFEV_HARDWARE && (err == ENOENT || err == EOPNOTSUPP || err == ENODEV ||
						   err == EINVAL))
		unsupported(ev, "no such hardware counter on this machine (perf_event_open: %s)",
			    strerror(err));
	else if (err == ENOENT || err == EINVAL)
		unsupported(ev, "no such event in this kernel (perf_event_open: %s)", strerror(err));
	else if (err == EMFILE || err == ENFILE)
		unsupported(ev, "too many open files for one counter per event (ulimit -n)");
	else
		unsupported(ev, "perf_event_open: %s", strerror(err));
}

size_t perfev_open(struct perfev_set *set, pid_t pid, bool on_exec)
{
	size_t n = 0;

	for (size_t k = 0; k < set->n; k++) {
		struct perfev *ev = &set->v[k];
		struct perf_event_attr a;
		long fd;

		if (ev->state == PERFEV_UNSUPPORTED || ev->fd >= 0)
			continue;
		ev->state = PERFEV_COUNTED;
		free(ev->reason);
		ev->reason = NULL;
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.type = ev->type;
		a.config = ev->config;
		a.disabled = 1;
		a.inherit = 1;
		a.enable_on_exec = on_exec;
		a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
		fd = syscall(SYS_perf_event_open, &a, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			open_failed(ev, errno);
			continue;
		}
		ev->fd = (int)fd;
		n++;
	}
	return n;
}

void perfev_enable(struct perfev_set *set)
{
	for (size_t k = 0; k < set->n; k++)
		if (set->v[k].fd >= 0)
			(void)ioctl(set->v[k].fd, PERF_EVENT_IOC_ENABLE, 0);
}

void perfev_disable(struct perfev_set *set)
{
	for (size_t k = 0; k < set->n; k++)
		if (set->v[k].fd >= 0)
			(void)ioctl(set->v[k].fd, PERF_EVENT_IOC_DISABLE, 0);
}

void perfev_read(struct perfev_set *set)
{
	for (size_t k = 0; k < set->n; k++) {
		struct perfev *ev = &set->v[k];
		uint64_t v[3];

		if (ev->fd < 0)
			continue;
		if (read(ev->fd, v, sizeof(v)) != (ssize_t)sizeof(v)) {
			ev->state = PERFEV_NOT_COUNTED;
			free(ev->reason);
			ev->reason = xstrdup("the counter could not be read");
			continue;
		}
		if (!v[1] || !v[2]) {
			ev->state = PERFEV_NOT_COUNTED;
			free(ev->reason);
			ev->reason = xstrdup(v[1] ? "the counter never got a hardware slot (multiplexed out)"
						  : "the counter was never enabled (the command did not run)");
			ev->value = 0;
			ev->running = 0;
			continue;
		}
		ev->state = PERFEV_COUNTED;
		ev->running = (double)v[2] / (double)v[1];
		ev->value = v[2] < v[1] ? (double)v[0] * (double)v[1] / (double)v[2] : (double)v[0];
	}
}

void perfev_close(struct perfev_set *set)
{
	for (size_t k = 0; k < set->n; k++)
		if (set->v[k].fd >= 0) {
			close(set->v[k].fd);
			set->v[k].fd = -1;
		}
}

void perfev_free(struct perfev_set *set)
{
	perfev_close(set);
	for (size_t k = 0; k < set->n; k++) {
		free(set->v[k].name);
		free(set->v[k].reason);
	}
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

void perfev_to_json(const struct perfev_set *set, double div, double per_ops, struct sbuf *o)
{
	sbuf_putc(o, '{');
	for (size_t k = 0; k < set->n; k++) {
		const struct perfev *ev = &set->v[k];

		if (k)
			sbuf_putc(o, ',');
		json_put_str(o, ev->name);
		if (ev->state == PERFEV_COUNTED) {
			double c = div > 0 ? ev->value / div : ev->value;

			sbuf_puts(o, ":{\"count\":");
			json_put_num(o, c);
			if (per_ops > 0) {
				sbuf_puts(o, ",\"per_op\":");
				json_put_num(o, c / per_ops);
			}
			sbuf_putc(o, '}');
		} else {
			sbuf_printf(o, ":{\"status\":\"%s\",\"reason\":",
				    ev->state == PERFEV_UNSUPPORTED ? "unsupported" : "not counted");
			json_put_str(o, ev->reason ? ev->reason : "");
			sbuf_putc(o, '}');
		}
	}
	sbuf_putc(o, '}');
}
