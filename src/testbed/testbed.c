/* The testbed's files, state, accelerator choice and ssh command lines. */
#include "testbed/testbed.h"

#include "base/fileio.h"
#include "base/sbuf.h"
#include "base/shquote.h"
#include "base/sshargv.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef VMLAB_TESTBED_SRCDIR
#define VMLAB_TESTBED_SRCDIR ""
#endif
#ifndef VMLAB_TESTBED_DATADIR
#define VMLAB_TESTBED_DATADIR "/usr/local/share/vmlab/testbed"
#endif

uint64_t tb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int has_build_sh(const char *dir)
{
	char f[PATH_MAX];

	if (!dir[0] || snprintf(f, sizeof(f), "%s/build.sh", dir) >= (int)sizeof(f))
		return 0;
	return access(f, R_OK) == 0;
}

int tb_paths_get(struct tb_paths *p, struct err *e)
{
	const char *h = getenv("VMLAB_HOME"), *d = getenv("VMLAB_DATADIR");
	const char *home = getenv("HOME");
	int n;

	memset(p, 0, sizeof(*p));
	if (h && h[0])
		n = snprintf(p->home, sizeof(p->home), "%s", h);
	else
		n = snprintf(p->home, sizeof(p->home), "%s/.cache/vmlab", home && home[0] ? home : "/tmp");
	if (n >= (int)sizeof(p->home))
		return err_set(e, -ENAMETOOLONG, "VMLAB_HOME: path too long");
	snprintf(p->dir, sizeof(p->dir), "%.*s/testbed", (int)sizeof(p->dir) - 9, p->home);
	snprintf(p->name, sizeof(p->name), "%s", TB_DEFAULT_NAME);
	snprintf(p->run, sizeof(p->run), "%s", p->dir);
	if (d && d[0]) {
		snprintf(p->data, sizeof(p->data), "%.*s/testbed", (int)sizeof(p->data) - 9, d);
		if (!has_build_sh(p->data))
			return err_set(e, -ENOENT, "VMLAB_DATADIR=%s: no testbed/build.sh there", d);
		return 0;
	}
	snprintf(p->data, sizeof(p->data), "%s", VMLAB_TESTBED_SRCDIR);
	if (has_build_sh(p->data))
		return 0;
	snprintf(p->data, sizeof(p->data), "%s", VMLAB_TESTBED_DATADIR);
	if (has_build_sh(p->data))
		return 0;
	return err_set(e, -ENOENT,
		       "no testbed scripts in %s or %s: set VMLAB_DATADIR to the folder holding testbed/build.sh",
		       VMLAB_TESTBED_SRCDIR, VMLAB_TESTBED_DATADIR);
}

int tb_name_valid(const char *n)
{
	size_t l = n ? strlen(n) : 0;

	if (!l || l > TB_NAME_MAX || !isalnum((unsigned char)n[0]))
		return 0;
	for (; *n; n++)
		if (!islower((unsigned char)*n) && !isdigit((unsigned char)*n) && *n != '-')
			return 0;
	return 1;
}

/* Where testbed name keeps its own files: dir itself for the default one. */
static void run_dir(const char *dir, const char *name, char *buf, size_t n)
{
	if (!strcmp(name, TB_DEFAULT_NAME))
		snprintf(buf, n, "%s", dir);
	else
		snprintf(buf, n, "%.*s/beds/%s", (int)(n - TB_NAME_MAX - 7), dir, name);
}

int tb_paths_named(struct tb_paths *p, const char *name, struct err *e)
{
	int rc;

	if (!name)
		name = TB_DEFAULT_NAME;
	if (!tb_name_valid(name))
		return err_set(e, -EINVAL, "testbed name '%s': use 1..%d of a-z, 0-9 and '-', starting with a "
			       "letter or digit", name, TB_NAME_MAX);
	if ((rc = tb_paths_get(p, e)) < 0)
		return rc;
	snprintf(p->name, sizeof(p->name), "%s", name);
	run_dir(p->dir, name, p->run, sizeof(p->run));
	return 0;
}

const char *tb_own_dir(const struct tb_paths *p)
{
	return p->run[0] ? p->run : p->dir;
}

static void state_path(const struct tb_paths *p, char *buf, size_t n)
{
	snprintf(buf, n, "%.*s/state", (int)n - 7, tb_own_dir(p));
}

static int has_state(const char *dir, const char *name)
{
	char d[PATH_MAX], f[PATH_MAX + 8];

	run_dir(dir, name, d, sizeof(d));
	snprintf(f, sizeof(f), "%s/state", d);
	return access(f, F_OK) == 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

int tb_names(const struct tb_paths *p, char (*names)[TB_NAME_MAX + 1], int max)
{
	char beds[PATH_MAX + 8];
	struct dirent *de;
	DIR *d;
	int n = 0, first;

	if (max > 0 && has_state(p->dir, TB_DEFAULT_NAME))
		snprintf(names[n++], TB_NAME_MAX + 1, "%s", TB_DEFAULT_NAME);
	first = n;
	snprintf(beds, sizeof(beds), "%s/beds", p->dir);
	if (!(d = opendir(beds)))
		return n;
	while ((de = readdir(d)) && n < max)
		if (tb_name_valid(de->d_name) && strcmp(de->d_name, TB_DEFAULT_NAME) && has_state(p->dir, de->d_name))
			snprintf(names[n++], TB_NAME_MAX + 1, "%.*s", TB_NAME_MAX, de->d_name);
	closedir(d);
	qsort(names + first, (size_t)(n - first), sizeof(names[0]), by_name);
	return n;
}

int tb_state_parse(const char *text, size_t len, const char *name, struct tb_state *s, struct err *e)
{
	size_t pos = 0;
	int lineno = 0;

	memset(s, 0, sizeof(*s));
	s->cpus = TB_CPUS_DEFAULT;
	while (pos < len) {
		const char *l = text + pos, *nl = memchr(l, '\n', len - pos), *eq;
		size_t n = nl ? (size_t)(nl - l) : len - pos, kl;
		char val[PATH_MAX];
		long v;
		char *end;

		pos += n + (nl ? 1 : 0);
		lineno++;
		if (!n)
			continue;
		if (!(eq = memchr(l, '=', n)))
			return err_at(e, -EBADMSG, name, lineno, 1, "expected KEY=VALUE");
		kl = (size_t)(eq - l);
		if (n - kl - 1 >= sizeof(val) || memchr(eq + 1, 0, n - kl - 1))
			return err_at(e, -EBADMSG, name, lineno, (int)kl + 2, "value too long or holds NUL");
		memcpy(val, eq + 1, n - kl - 1);
		val[n - kl - 1] = 0;
#define KEY(k) (kl == strlen(k) && !memcmp(l, k, kl))
#define BAD(what) err_at(e, -EBADMSG, name, lineno, (int)kl + 2, "'%s' is not a valid %s", val, what)
		if (KEY("pid") || KEY("port") || KEY("cpus") || KEY("net_index") || KEY("iommu")) {
			long lo = KEY("net_index") || KEY("iommu") ? 0 : 1;
			long hi = KEY("port") ? 65535 : KEY("cpus") ? TB_CPUS_MAX : KEY("net_index") ? 254 :
				  KEY("iommu") ? 1 : INT_MAX;

			errno = 0;
			v = strtol(val, &end, 10);
			if (!val[0] || *end || errno || v < lo || v > hi)
				return err_at(e, -EBADMSG, name, lineno, (int)kl + 2, "'%s' is not a valid %.*s", val,
					      (int)kl, l);
			if (KEY("pid"))
				s->pid = (pid_t)v;
			else if (KEY("port"))
				s->port = (int)v;
			else if (KEY("cpus"))
				s->cpus = (int)v;
			else if (KEY("iommu"))
				s->iommu = (int)v;
			else
				s->net_index = (int)v;
		} else if (KEY("mode") || KEY("accel")) {
			if (strlen(val) >= sizeof(s->mode))
				return err_at(e, -EBADMSG, name, lineno, (int)kl + 2, "'%s' is too long", val);
			strcpy(KEY("mode") ? s->mode : s->accel, val);
		} else if (KEY("log")) {
			snprintf(s->log, sizeof(s->log), "%s", val);
		} else if (KEY("name") || KEY("net")) {
			if (val[0] && !tb_name_valid(val))
				return BAD(KEY("name") ? "testbed name" : "net name");
			strcpy(KEY("name") ? s->name : s->net, val);
		} else if (KEY("xen_args")) {
			if (strlen(val) > TB_XEN_ARGS_MAX)
				return err_at(e, -EBADMSG, name, lineno, (int)kl + 2, "longer than %d bytes",
					      TB_XEN_ARGS_MAX);
			strcpy(s->xen_args, val);
		} else if (KEY("net_group")) {
			if (strlen(val) >= sizeof(s->net_group) || strspn(val, "0123456789.:") != strlen(val))
				return BAD("multicast ADDR:PORT");
			strcpy(s->net_group, val);
		}
#undef BAD
#undef KEY
	}
	if (s->pid <= 0 || s->port <= 0)
		return err_at(e, -EBADMSG, name, lineno, 0, "no pid or no port");
	return 0;
}

int tb_state_load(const struct tb_paths *p, struct tb_state *s, struct err *e)
{
	char path[PATH_MAX];
	struct sbuf sb = SBUF_INIT;
	int rc;

	memset(s, 0, sizeof(*s));
	state_path(p, path, sizeof(path));
	if (access(path, F_OK) != 0)
		return -ENOENT;
	rc = file_read(path, &sb, e);
	if (rc == 0)
		rc = tb_state_parse(sbuf_str(&sb), sb.len, path, s, e);
	sbuf_free(&sb);
	return rc;
}

int tb_state_save(const struct tb_paths *p, const struct tb_state *s, struct err *e)
{
	char path[PATH_MAX];
	struct sbuf sb = SBUF_INIT;
	int rc;

	state_path(p, path, sizeof(path));
	if ((rc = file_mkdirs(tb_own_dir(p), 0755, e)) < 0)
		return rc;
	sbuf_printf(&sb, "pid=%ld\nport=%d\nmode=%s\naccel=%s\nlog=%s\nname=%s\ncpus=%d\nxen_args=%s\n",
		    (long)s->pid, s->port, s->mode, s->accel, s->log, s->name[0] ? s->name : p->name[0] ? p->name : TB_DEFAULT_NAME,
		    s->cpus > 0 ? s->cpus : TB_CPUS_DEFAULT,
		    s->xen_args);
	if (s->net[0])
		sbuf_printf(&sb, "net=%s\nnet_index=%d\nnet_group=%s\n", s->net, s->net_index, s->net_group);
	if (s->iommu)
		sbuf_puts(&sb, "iommu=1\n");
	rc = file_write_atomic(path, sb.buf, sb.len, e);
	sbuf_free(&sb);
	return rc;
}

void tb_state_remove(const struct tb_paths *p)
{
	char path[PATH_MAX];

	state_path(p, path, sizeof(path));
	(void)unlink(path);
}

int tb_state_alive(const struct tb_state *s)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	if (s->pid <= 0 || kill(s->pid, 0) != 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)s->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strstr(buf, "qemu-system") != NULL;
}

static int cpu_has_flag(const char *flag)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[8192];
	int found = 0;
	size_t n = strlen(flag);

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p;

		if (strncmp(line, "flags", 5))
			continue;
		for (p = strstr(line, flag); p; p = strstr(p + 1, flag))
			if (p[-1] == ' ' && (p[n] == ' ' || p[n] == '\n' || !p[n]))
				found = 1;
		break;
	}
	fclose(f);
	return found;
}

int tb_kvm_usable(char *why, size_t n)
{
	const char *force = getenv("VMLAB_TESTBED_ACCEL");
	int fd, vm;

	if (force && !strcmp(force, "tcg")) {
		snprintf(why, n, "VMLAB_TESTBED_ACCEL=tcg");
		return 0;
	}
	if (force && !strcmp(force, "kvm")) {
		snprintf(why, n, "VMLAB_TESTBED_ACCEL=kvm");
		return 1;
	}
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, n, "/dev/kvm: %s", strerror(errno));
		return 0;
	}
	if (ioctl(fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		snprintf(why, n, "/dev/kvm: unexpected API version");
		close(fd);
		return 0;
	}
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm < 0) {
		snprintf(why, n, "/dev/kvm cannot create a VM: %s", strerror(errno));
		close(fd);
		return 0;
	}
	close(vm);
	close(fd);
	if (!cpu_has_flag("svm")) {
		snprintf(why, n, "the CPU has no svm flag, so KVM cannot give the nested Xen AMD-V");
		return 0;
	}
	snprintf(why, n, "/dev/kvm works and the CPU has svm");
	return 1;
}

int tb_free_port(int start, struct err *e)
{
	for (int port = start; port < start + 200 && port < 65536; port++) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

		if (fd < 0)
			return err_set(e, -errno, "socket: %s", strerror(errno));
		ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
		close(fd);
		if (ok)
			return port;
	}
	return err_set(e, -EADDRINUSE, "no free loopback port in %d..%d", start, start + 199);
}

int tb_ram_mib(struct err *e)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	long kb = -1, mib;

	if (!f)
		return err_set(e, -errno, "/proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	fclose(f);
	if (kb < 0)
		return err_set(e, -EIO, "/proc/meminfo: no MemAvailable");
	mib = kb / 1024 / 3;
	if (kb / 1024 < 2560)
		return err_set(e, -ENOMEM, "the host has only %ld MiB available; the testbed needs 2048 MiB and room to spare",
			       kb / 1024);
	if (mib < 2048)
		mib = 2048;
	if (mib > 4096)
		mib = 4096;
	return (int)mib;
}

void tb_ssh_opts(const struct tb_paths *p, char ***av, size_t *n)
{
	static const char *const o[] = { "IdentitiesOnly=yes", "BatchMode=yes", "StrictHostKeyChecking=no",
					 "UserKnownHostsFile=/dev/null", "LogLevel=ERROR", "ConnectTimeout=30",
					 "ServerAliveInterval=15" };
	char key[PATH_MAX + 8];

	snprintf(key, sizeof(key), "%.*s/id_ed25519", PATH_MAX - 12, p->dir);
	argv_add(av, n, "-i");
	argv_add(av, n, key);
	for (size_t k = 0; k < sizeof(o) / sizeof(o[0]); k++) {
		argv_add(av, n, "-o");
		argv_add(av, n, o[k]);
	}
}

static char **tb_ssh(const struct tb_paths *p, const struct tb_state *s, const char *guest_ip, int tty,
		     char *const cmd[], const char *sh)
{
	char **opts = NULL, **av, port[16], dest[64];
	size_t n = 0;

	snprintf(port, sizeof(port), "%d", s->port);
	tb_ssh_opts(p, &opts, &n);
	argv_add(&opts, &n, tty ? "-t" : "-T");
	if (guest_ip) {
		/* ProxyCommand is run by the local shell: every word quoted. */
		char **j = NULL, *line;
		size_t nj = 0;
		struct sbuf sb = SBUF_INIT;

		tb_ssh_opts(p, &j, &nj);
		argv_add(&j, &nj, "-p");
		argv_add(&j, &nj, port);
		argv_add(&j, &nj, "-W");
		argv_add(&j, &nj, "%h:%p");
		av = ssh_argv(j, "root@127.0.0.1", NULL, NULL);
		line = shquote_argv(av);
		argv_free(av);
		argv_free(j);
		sbuf_printf(&sb, "ProxyCommand=%s", line);
		free(line);
		argv_add(&opts, &n, "-o");
		argv_add(&opts, &n, sbuf_str(&sb));
		sbuf_free(&sb);
		snprintf(dest, sizeof(dest), "root@%.40s", guest_ip);
	} else {
		argv_add(&opts, &n, "-p");
		argv_add(&opts, &n, port);
		snprintf(dest, sizeof(dest), "root@127.0.0.1");
	}
	av = ssh_argv(opts, dest, cmd && cmd[0] ? cmd : NULL, sh);
	argv_free(opts);
	return av;
}

char **tb_ssh_argv(const struct tb_paths *p, const struct tb_state *s, const char *guest_ip, int tty,
		   char *const cmd[])
{
	return tb_ssh(p, s, guest_ip, tty, cmd, NULL);
}

char **tb_ssh_argv_sh(const struct tb_paths *p, const struct tb_state *s, const char *guest_ip,
		      const char *sh)
{
	return tb_ssh(p, s, guest_ip, 0, NULL, sh);
}

int tb_tsc_mode_valid(const char *m)
{
	static const char *const modes[] = { "native", "default", "always_emulate", "native_paravirt" };

	for (size_t k = 0; k < sizeof(modes) / sizeof(modes[0]); k++)
		if (!strcmp(m, modes[k]))
			return 1;
	return 0;
}
