/* The environment registry and host facts shared by every back end. */
#include "run/env.h"
#include "base/json.h"
#include "base/proc.h"

#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/utsname.h>
#include <unistd.h>

static const struct env_ops *const registry[] = {
	&env_native_ops,
	&env_null_ops,
	&env_ssh_ops,
	&env_testbed_ops,
	&env_xen_ops,
};

#define NREG (sizeof(registry) / sizeof(registry[0]))

static const struct env_ops *lookup(const char *name, const char **arg)
{
	const char *c = strchr(name, ':');
	size_t n = c ? (size_t)(c - name) : strlen(name);

	*arg = c ? c + 1 : NULL;
	for (size_t k = 0; k < NREG; k++)
		if (strlen(registry[k]->kind) == n && !strncmp(registry[k]->kind, name, n))
			return registry[k];
	return NULL;
}

int env_check(const char *name, struct err *e)
{
	const char *arg;
	const struct env_ops *ops = lookup(name, &arg);

	if (!ops)
		return err_set(e, -EINVAL, "unknown environment '%s' (native, ssh:USER@HOST[:PORT], "
			       "testbed:bare|pv|pvh|hvm, xen:pv|pvh|hvm|FILE.cfg[@HOST], null)", name);
	return ops->check(arg, e);
}

int env_check_cpus(const char *name, const bool *set, int ncpus, struct err *e)
{
	const char *arg;
	const struct env_ops *ops = lookup(name, &arg);
	cpu_set_t allowed;

	if (ops != &env_native_ops && ops != &env_null_ops)
		return 0;
	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		return 0;
	for (int c = 0; c < ncpus && c < CPU_SETSIZE; c++)
		if (set[c] && !CPU_ISSET(c, &allowed))
			return err_set(e, -EINVAL, "CPU %d is not one this host lets vmlab run on "
				       "(see nproc and taskset -p), needed by environment '%s'", c, name);
	return 0;
}

int env_init(struct env *v, const char *name, struct err *e)
{
	int rc = env_check(name, e);

	if (rc)
		return rc;
	memset(v, 0, sizeof(*v));
	v->name = xstrdup(name);
	v->ops = lookup(v->name, &v->arg);
	v->connect_timeout_ms = 10000;
	v->guest_cap = -1;
	return 0;
}

void env_release(struct env *v)
{
	free(v->name);
	free(v->label);
	host_facts_clear(&v->facts);
	memset(v, 0, sizeof(*v));
}

static char *trim_dup(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return xstrndup(s, n);
}

/* The value of "key : value" lines (cpuinfo, xl info); caller frees; NULL if absent. */
static char *colon_field(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *eol = strchr(p, '\n'), *c;
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		if (n < kl || strncmp(p, key, kl))
			continue;
		c = p + kl;
		while (c < p + n && (*c == ' ' || *c == '\t'))
			c++;
		if (c < p + n && *c == ':')
			return trim_dup(c + 1, (size_t)(p + n - c - 1));
	}
	return NULL;
}

void host_facts_from_cpuinfo(struct host_facts *f, const char *text)
{
	char *v = colon_field(text, "model name");

	if (v) {
		free(f->cpu_model);
		f->cpu_model = v;
	}
}

void host_facts_from_xl_info(struct host_facts *f, const char *text)
{
	static const struct {
		const char *key;
		size_t off;
	} fields[] = {
		{ "xen_version", offsetof(struct host_facts, xen_version) },
		{ "xen_scheduler", offsetof(struct host_facts, xen_scheduler) },
		{ "virt_caps", offsetof(struct host_facts, virt_caps) },
		{ "nr_cpus", offsetof(struct host_facts, xen_cpus) },
		{ "xen_commandline", offsetof(struct host_facts, xen_cmdline) },
	};

	for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
		char **dst = (char **)((char *)f + fields[k].off), *v = colon_field(text, fields[k].key);

		if (v) {
			free(*dst);
			*dst = v;
		}
	}
}

static char *read_small(const char *path)
{
	FILE *fp = fopen(path, "r");
	char buf[4096];
	size_t n;

	if (!fp)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = 0;
	return trim_dup(buf, n);
}

void env_finish_all(void)
{
	for (size_t k = 0; k < NREG; k++)
		if (registry[k]->finish)
			registry[k]->finish();
}

/* 1 when pid descends from this process (its parent chain reaches us). */
static int is_descendant(long pid)
{
	long self = (long)getpid();

	for (int depth = 0; pid > 1 && depth < 64; depth++) {
		char path[64], buf[512], *p;
		FILE *fp;
		long ppid = 0;

		if (pid == self)
			return 1;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		if (!(fp = fopen(path, "r")))
			return 0;
		p = fgets(buf, sizeof(buf), fp) ? strrchr(buf, ')') : NULL;
		fclose(fp);
		if (!p || sscanf(p + 1, " %*c %ld", &ppid) != 1)
			return 0;
		pid = ppid;
	}
	return 0;
}

int host_concurrent_vms(struct sbuf *out)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[300], *comm;
		long pid = strtol(de->d_name, NULL, 10);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
		if (!(comm = read_small(path)))
			continue;
		if (!strncmp(comm, "qemu-system", 11) && !is_descendant(pid)) {
			/* comm is cut at 15 bytes: the name is argv[0]'s last part */
			char *argv0, *base;

			snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
			argv0 = read_small(path);
			base = argv0 && strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;
			/* no command line: it has exited (a zombie not yet reaped) */
			if (base && base[0]) {
				sbuf_printf(out, "%s%s pid %ld", n ? ", " : "",
					    !strncmp(base, "qemu-system", 11) ? base : comm, pid);
				n++;
			}
			free(argv0);
		}
		free(comm);
	}
	closedir(d);
	return n;
}

/* The selected word of a sysfs choice file ("always [madvise] never" ->
 * "madvise"), or the whole text; NULL when the file is absent. Caller frees. */
static char *sysfs_choice(const char *path)
{
	char *t = read_small(path), *a, *b;

	if (t && (a = strchr(t, '[')) && (b = strchr(a, ']'))) {
		char *w = trim_dup(a + 1, (size_t)(b - a - 1));

		free(t);
		return w;
	}
	return t;
}

/* host_facts.machine of this machine: transparent huge pages, clock source,
 * memory and online CPUs, the settings that make one machine's CPU kernel
 * times differ from another's with the same CPU. Caller frees. */
static char *machine_facts(void)
{
	char *thp = sysfs_choice("/sys/kernel/mm/transparent_hugepage/enabled");
	char *cs = read_small("/sys/devices/system/clocksource/clocksource0/current_clocksource");
	FILE *fp = fopen("/proc/meminfo", "r");
	char line[256], buf[256];
	long kb = -1;

	while (fp && fgets(line, sizeof(line), fp))
		if (sscanf(line, "MemTotal: %ld kB", &kb) == 1)
			break;
	if (fp)
		fclose(fp);
	snprintf(buf, sizeof(buf), "thp=%s clocksource=%s mem_mib=%ld cpus=%ld",
		 thp && *thp ? thp : "unsupported", cs && *cs ? cs : "unknown", kb < 0 ? -1 : kb / 1024,
		 sysconf(_SC_NPROCESSORS_ONLN));
	free(thp);
	free(cs);
	return xstrdup(buf);
}

void host_facts_probe(struct host_facts *f)
{
	struct utsname u;
	char host[256] = "";
	struct sbuf cpu = SBUF_INIT;
	FILE *fp;
	char *hv, *caps;

	memset(f, 0, sizeof(*f));
	if (gethostname(host, sizeof(host) - 1) == 0)
		f->hostname = xstrdup(host);
	if (uname(&u) == 0)
		f->kernel = xstrdup(u.release);
	f->machine = machine_facts();
	if ((fp = fopen("/proc/cpuinfo", "r"))) {
		char buf[4096];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
			sbuf_add(&cpu, buf, n);
		fclose(fp);
		host_facts_from_cpuinfo(f, sbuf_str(&cpu));
		sbuf_free(&cpu);
	}
	hv = read_small("/sys/hypervisor/type");
	if (hv && !strcmp(hv, "xen")) {
		caps = read_small("/proc/xen/capabilities");
		if (caps && strstr(caps, "control_d")) {
			f->guest_type = xstrdup("dom0");
		} else {
			char *gt = read_small("/sys/hypervisor/guest_type");
			if (gt)
				for (char *p = gt; *p; p++)
					*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
			f->guest_type = gt;
		}
		free(caps);
		if (f->guest_type && !strcmp(f->guest_type, "dom0") && proc_have("xl")) {
			char *argv[] = { "xl", "info", NULL };
			struct sbuf out = SBUF_INIT, eo = SBUF_INIT;
			struct proc_opts o = { .out = &out, .errout = &eo, .timeout_ms = 10000 };
			int st = -1;
			if (proc_run(argv, &o, &st, NULL) == 0 && st == 0)
				host_facts_from_xl_info(f, sbuf_str(&out));
			sbuf_free(&out);
			sbuf_free(&eo);
		}
	}
	free(hv);
}

void host_facts_json(const struct host_facts *f, struct sbuf *out)
{
	host_facts_to_json(f, out);
	sbuf_putc(out, '\n');
}

int host_facts_parse(const char *text, size_t n, struct host_facts *f, struct err *e)
{
	struct json *j = NULL;
	const char *nl;
	int rc;

	/* the last non-empty line: anything a login banner printed comes before */
	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		n--;
	nl = memrchr(text, '\n', n);
	if (nl) {
		n -= (size_t)(nl + 1 - text);
		text = nl + 1;
	}
	rc = json_parse(text, n, "facts", &j, e);
	if (rc)
		return rc;
	if (j->type != JSON_OBJ) {
		json_free(j);
		return err_set(e, -EBADMSG, "facts: not a JSON object");
	}
#define F(x) f->x = json_get_str(j, #x) ? xstrdup(json_get_str(j, #x)) : NULL
	F(hostname);
	F(cpu_model);
	F(kernel);
	F(xen_version);
	F(xen_scheduler);
	F(virt_caps);
	F(xen_cpus);
	F(xen_cmdline);
	F(guest_type);
	F(tsc_mode);
	F(concurrent);
	F(xen_host);
	F(host_kind);
	F(shape);
	F(machine);
#undef F
	json_free(j);
	return 0;
}
