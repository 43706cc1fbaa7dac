/* vmlab testbed: build, boot and use real Xen 4.17 with a dom0 and guests in QEMU. */
#include "cli/cmd.h"

#include "base/fileio.h"
#include "base/proc.h"
#include "base/sbuf.h"
#include "base/shquote.h"
#include "testbed/testbed.h"
#include "xen/xl.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME "testbed"
#define DEFAULT_PORT 10022
#define DOM0_MEM_MIB 1024
#define VG0_BYTES (8ULL << 30)
/* Kernel options for dom0, the bare baseline and the guests: trust the
 * (emulated) RDRAND so ssh need not wait for entropy, skip the crypto
 * self-tests that are slow under emulation. */
#define GUEST_KERNEL_OPTS "random.trust_cpu=on cryptomgr.notests"

static const char usage[] =
	"usage: vmlab testbed SUBCOMMAND [ARGS...]\n"
	"Real Xen 4.17 with a real dom0 and PV, PVH and HVM guests, assembled from\n"
	"Debian 12 packages and booted in QEMU on this machine. Mechanisms are real;\n"
	"times are those of emulated hardware, not of a Xen host.\n\n"
	"  build [--rebuild]                  download the packages, assemble dom0 and guest images\n"
	"  up [--bare] [--timeout S]          boot Xen and dom0 (--bare: the same kernel without Xen)\n"
	"  down [--timeout S]                 shut down cleanly, kill after the timeout\n"
	"  status                             up or not, Xen version, scheduler, guests\n"
	"  exec [--timeout S] -- CMD...       run CMD in dom0; its exit status is passed through\n"
	"  ssh [-- CMD...]                    a shell (or CMD) in dom0 on this terminal\n"
	"  cp SRC DEST                        copy one file; the dom0 side is written dom0:PATH\n"
	"  guest up pv|pvh|hvm [--name N] [--memory MB] [--vcpus N] [--timeout S] [--extra ARGS]\n"
	"                      [--tsc-mode native|default|always_emulate|native_paravirt]\n"
	"                                     create a guest, wait until its ssh answers, print its name\n"
	"  guest exec NAME [--timeout S] -- CMD...\n"
	"                                     run CMD in the guest; its exit status is passed through\n"
	"  guest down NAME                    shut the guest down (destroy after 60 s)\n\n"
	"Files live in $VMLAB_HOME/testbed (default ~/.cache/vmlab/testbed); the\n"
	"assembly scripts in $VMLAB_DATADIR/testbed (default: compiled in).\n"
	"See vmlab-testbed(1).\n";

static int fail(const struct err *e)
{
	return cli_fail(NAME, e);
}

static int paths(struct tb_paths *p)
{
	struct err e = { 0 };

	if (tb_paths_get(p, &e) < 0)
		return fail(&e);
	return 0;
}

static int parse_uint(const char *opt, const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s ? s : "", &end, 10);
	if (!s || !*s || *end || errno || v < lo || v > hi)
		return cli_usage_error(NAME, "%s wants a whole number in %ld..%ld, not '%s'", opt, lo, hi,
				       s ? s : "");
	*out = v;
	return 0;
}

/* Loads the state of a running testbed into s. Returns 0 when one is up;
 * else prints why and returns 1. */
static int need_up(const struct tb_paths *p, struct tb_state *s)
{
	struct err e = { 0 };
	int rc = tb_state_load(p, s, &e);

	if (rc == -ENOENT || (rc == 0 && !tb_state_alive(s))) {
		fprintf(stderr, "vmlab %s: the testbed is not up (start it with 'vmlab testbed up')\n", NAME);
		return 1;
	}
	if (rc < 0)
		return fail(&e);
	return 0;
}

static int run_status(char *const argv[], const struct proc_opts *o, const char *what)
{
	struct err e = { 0 };
	int st = 0, rc = proc_run(argv, o, &st, &e);

	if (rc == -ETIMEDOUT) {
		fprintf(stderr, "vmlab %s: %s timed out\n", NAME, what);
		return 124;
	}
	if (rc < 0)
		return fail(&e);
	return st;
}

/* ---- build ---- */

/* Runs build.sh for this vmlab binary: exit 0 when the images are built and
 * carry it, 1 (after build.sh's own message) when not. */
static int build_images(const struct tb_paths *p, int rebuild)
{
	char script[PATH_MAX + 16];
	char *exe = (char *)proc_self_exe(), *av[8];
	int n = 0, st;

	snprintf(script, sizeof(script), "%s/build.sh", p->data);
	av[n++] = "bash";
	av[n++] = script;
	av[n++] = "--out";
	av[n++] = (char *)p->dir;
	av[n++] = "--vmlab";
	av[n++] = exe;
	if (rebuild)
		av[n++] = "--rebuild";
	av[n] = NULL;
	st = run_status(av, NULL, "build");
	return st != 0;
}

/* 1 when the images carry exactly this vmlab binary (build.sh keeps a copy of
 * the one it put in as vmlab.bin), 0 when not or when it cannot tell. */
static int images_carry_self(const struct tb_paths *p)
{
	struct sbuf a = SBUF_INIT, b = SBUF_INIT;
	struct err e = { 0 };
	char f[PATH_MAX + 16];
	int same;

	snprintf(f, sizeof(f), "%s/vmlab.bin", p->dir);
	same = file_read("/proc/self/exe", &a, &e) == 0 && file_read(f, &b, &e) == 0 && a.len == b.len &&
	       !memcmp(a.buf, b.buf, a.len);
	sbuf_free(&a);
	sbuf_free(&b);
	return same;
}

static int do_build(int argc, char **argv)
{
	struct tb_paths p;
	int rebuild = 0, st;
	uint64_t t0 = tb_now_ms();

	for (int k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--rebuild"))
			rebuild = 1;
		else
			return cli_usage_error(NAME, "build: unknown argument '%s'", argv[k]);
	}
	if ((st = paths(&p)))
		return st;
	if (build_images(&p, rebuild))
		return 1;
	printf("testbed built in %.1f s: %s\n", (double)(tb_now_ms() - t0) / 1000.0, p.dir);
	return 0;
}

/* ---- up ---- */

static int file_in(const struct tb_paths *p, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%.*s/%s", (int)(n - strlen(name) - 2), p->dir, name);
	return access(buf, R_OK) == 0;
}

/* Scans the log from *off for marker; returns 1 when found. */
static int log_has(const char *log, const char *marker, off_t *off)
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

static void print_log_tail(const char *log, int lines)
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
	fprintf(stderr, "--- last lines of %s ---\n%s\n---\n", log, start);
	sbuf_free(&sb);
}

static void clear_guests(const struct tb_paths *p)
{
	char dir[PATH_MAX + 8], f[2 * PATH_MAX];
	DIR *d;
	struct dirent *de;

	snprintf(dir, sizeof(dir), "%s/guests", p->dir);
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(f, sizeof(f), "%s/%s", dir, de->d_name);
			(void)unlink(f);
		}
	closedir(d);
}

static void kill_qemu(pid_t pid, int grace_ms)
{
	struct tb_state s = { .pid = pid };
	uint64_t t0;

	kill(pid, SIGTERM);
	for (t0 = tb_now_ms(); tb_now_ms() - t0 < (uint64_t)grace_ms && tb_state_alive(&s);)
		usleep(100000);
	if (tb_state_alive(&s))
		kill(pid, SIGKILL);
}

static int ssh_ok(const struct tb_paths *p, const struct tb_state *s, const char *ip, int tries)
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

static int do_up(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s = { 0 };
	struct err e = { 0 };
	char xen[PATH_MAX], kern[PATH_MAX], initrd[PATH_MAX], key[PATH_MAX], vg[PATH_MAX], pidf[PATH_MAX];
	char why[256], mem[16], fwd[96], append[256], mods[256], vgdrive[64];
	int bare = 0, kvm, ram, port = 0, st, start_port = DEFAULT_PORT;
	long timeout_s = 300;
	const char *env;
	off_t off = 0;
	uint64_t t0 = tb_now_ms();

	for (int k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--bare"))
			bare = 1;
		else if (!strcmp(argv[k], "--timeout") && k + 1 < argc) {
			if ((st = parse_uint("--timeout", argv[++k], 1, 86400, &timeout_s)))
				return st;
		} else
			return cli_usage_error(NAME, "up: unknown argument '%s'", argv[k]);
	}
	if ((st = paths(&p)))
		return st;
	if (tb_state_load(&p, &s, &e) == 0 && tb_state_alive(&s)) {
		if (strcmp(s.mode, bare ? "bare" : "xen")) {
			fprintf(stderr, "vmlab %s: the testbed is up in %s mode; 'vmlab testbed down' first\n", NAME,
				s.mode);
			return 1;
		}
		printf("testbed already up: %s, accel %s, ssh 127.0.0.1:%d, pid %ld, log %s\n", s.mode, s.accel,
		       s.port, (long)s.pid, s.log);
		return 0;
	}
	tb_state_remove(&p);
	if (!file_in(&p, "xen.elf", xen, sizeof(xen)) || !file_in(&p, "vmlinuz", kern, sizeof(kern)) ||
	    !file_in(&p, "dom0-initrd.cpio", initrd, sizeof(initrd)) ||
	    !file_in(&p, "id_ed25519", key, sizeof(key))) {
		fprintf(stderr, "vmlab %s: the testbed is not built in %s: run 'vmlab testbed build'\n", NAME, p.dir);
		return 1;
	}
	/* dom0 and the guests run the vmlab that runs `up` */
	if (!images_carry_self(&p)) {
		fprintf(stderr, "vmlab %s: this vmlab differs from the one in the testbed images: reassembling them\n",
			NAME);
		if (build_images(&p, 0))
			return 1;
	}
	if (!proc_have("qemu-system-x86_64")) {
		fprintf(stderr, "vmlab %s: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)\n",
			NAME);
		return 1;
	}
	if (!file_in(&p, "vg0.img", vg, sizeof(vg))) {
		int fd = open(vg, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (fd < 0 || ftruncate(fd, (off_t)VG0_BYTES) < 0) {
			fprintf(stderr, "vmlab %s: %s: %s\n", NAME, vg, strerror(errno));
			if (fd >= 0)
				close(fd);
			return 1;
		}
		close(fd);
	}
	if ((ram = tb_ram_mib(&e)) < 0)
		return fail(&e);
	kvm = tb_kvm_usable(why, sizeof(why));
	if ((env = getenv("VMLAB_TESTBED_PORT")) && *env) {
		long v;

		if ((st = parse_uint("VMLAB_TESTBED_PORT", env, 1024, 65535, &v)))
			return st;
		start_port = (int)v;
	}
	snprintf(pidf, sizeof(pidf), "%.*s/qemu.pid", (int)sizeof(pidf) - 10, p.dir);
	snprintf(s.log, sizeof(s.log), "%.*s/console.log", (int)sizeof(s.log) - 13, p.dir);
	snprintf(mem, sizeof(mem), "%d", ram);
	snprintf(vgdrive, sizeof(vgdrive), "file=vg0.img,if=virtio,format=raw,cache=unsafe");
	(void)unlink(pidf);

	for (int attempt = 0; attempt < 5; attempt++) {
		struct sbuf er = SBUF_INIT;
		struct proc_opts o = { .errout = &er, .timeout_ms = 120000, .cwd = p.dir };
		char logarg[PATH_MAX + 16], pidarg[PATH_MAX];
		char *av[64];
		int n = 0;

		if ((port = tb_free_port(start_port, &e)) < 0)
			return fail(&e);
		snprintf(fwd, sizeof(fwd), "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:22", port);
		snprintf(logarg, sizeof(logarg), "file:%s", "console.log");
		snprintf(pidarg, sizeof(pidarg), "%s", "qemu.pid");
		av[n++] = "qemu-system-x86_64";
		av[n++] = "-name";
		av[n++] = "vmlab-testbed";
		av[n++] = "-machine";
		av[n++] = "q35";
		av[n++] = "-accel";
		av[n++] = kvm ? "kvm" : "tcg";
		av[n++] = "-cpu";
		av[n++] = "qemu64,+svm,+npt,+rdrand";
		av[n++] = "-m";
		av[n++] = mem;
		av[n++] = "-smp";
		av[n++] = "2";
		av[n++] = "-display";
		av[n++] = "none";
		av[n++] = "-monitor";
		av[n++] = "none";
		av[n++] = "-no-reboot";
		av[n++] = "-serial";
		av[n++] = logarg;
		av[n++] = "-daemonize";
		av[n++] = "-pidfile";
		av[n++] = pidarg;
		av[n++] = "-netdev";
		av[n++] = fwd;
		av[n++] = "-device";
		av[n++] = "virtio-net-pci,netdev=n0";
		av[n++] = "-drive";
		av[n++] = vgdrive;
		if (bare) {
			av[n++] = "-kernel";
			av[n++] = "vmlinuz";
			av[n++] = "-append";
			av[n++] = "console=ttyS0 quiet " GUEST_KERNEL_OPTS;
			av[n++] = "-initrd";
			av[n++] = "dom0-initrd.cpio";
		} else {
			snprintf(append, sizeof(append),
				 "console=com1 com1=115200,8n1 dom0_mem=%dM,max:%dM dom0_max_vcpus=2 bootscrub=0 noreboot",
				 DOM0_MEM_MIB, DOM0_MEM_MIB);
			snprintf(mods, sizeof(mods), "vmlinuz console=hvc0 quiet " GUEST_KERNEL_OPTS ",dom0-initrd.cpio");
			av[n++] = "-kernel";
			av[n++] = "xen.elf";
			av[n++] = "-append";
			av[n++] = append;
			av[n++] = "-initrd";
			av[n++] = mods;
		}
		av[n] = NULL;
		st = -1;
		if (proc_run(av, &o, &st, &e) < 0) {
			sbuf_free(&er);
			return fail(&e);
		}
		if (st == 0) {
			sbuf_free(&er);
			break;
		}
		if (strstr(sbuf_str(&er), "hostfwd") || strstr(sbuf_str(&er), "host forwarding")) {
			start_port = port + 1;  /* taken between our probe and QEMU's bind */
			sbuf_free(&er);
			continue;
		}
		fprintf(stderr, "vmlab %s: QEMU failed to start (exit %d): %s", NAME, st, sbuf_str(&er));
		sbuf_free(&er);
		return 1;
	}
	{
		struct sbuf pb = SBUF_INIT;

		if (file_read(pidf, &pb, &e) < 0) {
			sbuf_free(&pb);
			return fail(&e);
		}
		s.pid = (pid_t)atol(sbuf_str(&pb));
		sbuf_free(&pb);
	}
	s.port = port;
	snprintf(s.mode, sizeof(s.mode), "%s", bare ? "bare" : "xen");
	snprintf(s.accel, sizeof(s.accel), "%s", kvm ? "kvm" : "tcg");
	if (tb_state_save(&p, &s, &e) < 0) {
		kill_qemu(s.pid, 2000);
		return fail(&e);
	}
	clear_guests(&p);
	fprintf(stderr, "vmlab %s: booting %s in QEMU (accel %s: %s), %d MiB, ssh port %d, log %s\n", NAME,
		bare ? "Linux without Xen" : "Xen 4.17 and dom0", kvm ? "kvm" : "tcg", why, ram, port, s.log);
	while (!log_has(s.log, "vmlab-testbed: ready", &off)) {
		if (!tb_state_alive(&s)) {
			fprintf(stderr, "vmlab %s: QEMU (pid %ld) exited while booting; its log: %s\n", NAME,
				(long)s.pid, s.log);
			print_log_tail(s.log, 30);
			tb_state_remove(&p);
			return 1;
		}
		if (tb_now_ms() - t0 > (uint64_t)timeout_s * 1000) {
			fprintf(stderr, "vmlab %s: dom0 was not ready within %ld s; QEMU stopped; its log: %s\n", NAME,
				timeout_s, s.log);
			print_log_tail(s.log, 30);
			kill_qemu(s.pid, 3000);
			tb_state_remove(&p);
			return 1;
		}
		usleep(250000);
	}
	if (!ssh_ok(&p, &s, NULL, 10)) {
		fprintf(stderr, "vmlab %s: dom0 booted but its ssh does not answer on port %d; log: %s\n", NAME, port,
			s.log);
		return 1;
	}
	printf("testbed up: %s, accel %s, ssh 127.0.0.1:%d, pid %ld, ready in %.1f s, log %s\n", s.mode, s.accel,
	       s.port, (long)s.pid, (double)(tb_now_ms() - t0) / 1000.0, s.log);
	return 0;
}

/* ---- down ---- */

static int do_down(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	struct err e = { 0 };
	long timeout_s = 60;
	int st, rc;
	uint64_t t0 = tb_now_ms();

	for (int k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--timeout") && k + 1 < argc) {
			if ((st = parse_uint("--timeout", argv[++k], 0, 86400, &timeout_s)))
				return st;
		} else
			return cli_usage_error(NAME, "down: unknown argument '%s'", argv[k]);
	}
	if ((st = paths(&p)))
		return st;
	rc = tb_state_load(&p, &s, &e);
	if (rc == -ENOENT || (rc == 0 && !tb_state_alive(&s))) {
		tb_state_remove(&p);
		clear_guests(&p);
		printf("testbed is not up\n");
		return 0;
	}
	if (rc < 0)
		return fail(&e);
	if (timeout_s > 0) {
		char *cmd[] = { "poweroff", NULL };
		char **av = tb_ssh_argv(&p, &s, NULL, 0, cmd);
		struct sbuf out = SBUF_INIT, er = SBUF_INIT;
		struct proc_opts o = { .out = &out, .errout = &er, .timeout_ms = 30000 };

		(void)proc_run(av, &o, &st, &e);
		argv_free(av);
		sbuf_free(&out);
		sbuf_free(&er);
	}
	while (tb_state_alive(&s) && tb_now_ms() - t0 < (uint64_t)timeout_s * 1000)
		usleep(200000);
	if (tb_state_alive(&s)) {
		kill_qemu(s.pid, 5000);
		printf("testbed down: QEMU (pid %ld) killed after %ld s without a clean shutdown\n", (long)s.pid,
		       timeout_s);
	} else {
		printf("testbed down: clean shutdown in %.1f s\n", (double)(tb_now_ms() - t0) / 1000.0);
	}
	tb_state_remove(&p);
	clear_guests(&p);
	return 0;
}

/* ---- exec, ssh, cp ---- */

/* Finds "--" in argv[from..); returns the index after it, or -1. */
static int after_dashes(int argc, char **argv, int from)
{
	for (int k = from; k < argc; k++)
		if (!strcmp(argv[k], "--"))
			return k + 1;
	return -1;
}

static int exec_in(const struct tb_paths *p, const struct tb_state *s, const char *ip, char *const cmd[],
		   long timeout_s)
{
	char **av = tb_ssh_argv(p, s, ip, 0, cmd);
	struct proc_opts o = { .timeout_ms = (uint64_t)timeout_s * 1000 };
	int st = run_status(av, &o, "the command");

	argv_free(av);
	return st;
}

static int do_exec(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	long timeout_s = 0;
	int st, k, cmd = after_dashes(argc, argv, 1);

	for (k = 1; k < (cmd < 0 ? argc : cmd - 1); k++) {
		if (!strcmp(argv[k], "--timeout") && k + 1 < argc) {
			if ((st = parse_uint("--timeout", argv[++k], 1, 86400, &timeout_s)))
				return st;
		} else
			return cli_usage_error(NAME, "exec: unknown argument '%s' (the command follows '--')", argv[k]);
	}
	if (cmd < 0 || cmd >= argc)
		return cli_usage_error(NAME, "exec: no command (write 'vmlab testbed exec -- CMD...')");
	if ((st = paths(&p)) || (st = need_up(&p, &s)))
		return st;
	return exec_in(&p, &s, NULL, argv + cmd, timeout_s);
}

static int do_ssh(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	char **av;
	int st, cmd = after_dashes(argc, argv, 1);

	if (argc > 1 && cmd != 2)
		return cli_usage_error(NAME, "ssh: unknown argument '%s'", argv[1]);
	if ((st = paths(&p)) || (st = need_up(&p, &s)))
		return st;
	av = tb_ssh_argv(&p, &s, NULL, isatty(0), cmd > 0 && cmd < argc ? argv + cmd : NULL);
	fflush(stdout);
	execvp(av[0], av);
	fprintf(stderr, "vmlab %s: ssh: %s\n", NAME, strerror(errno));
	argv_free(av);
	return 1;
}

static const char *remote_path(const char *arg)
{
	return !strncmp(arg, "dom0:", 5) ? arg + 5 : NULL;
}

static int do_cp(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	struct err e = { 0 };
	struct sbuf data = SBUF_INIT, er = SBUF_INIT, sh = SBUF_INIT;
	const char *rsrc, *rdst;
	char *q, **av;
	int st;

	if (argc != 3)
		return cli_usage_error(NAME, "cp wants SRC DEST, one of them dom0:PATH");
	rsrc = remote_path(argv[1]);
	rdst = remote_path(argv[2]);
	if (!!rsrc == !!rdst || (rsrc && !*rsrc) || (rdst && !*rdst))
		return cli_usage_error(NAME, "cp: exactly one of SRC and DEST must be dom0:PATH");
	if ((st = paths(&p)) || (st = need_up(&p, &s)))
		return st;
	if (rdst) {
		if (file_read(argv[1], &data, &e) < 0) {
			sbuf_free(&data);
			return fail(&e);
		}
		q = shquote(rdst);
		sbuf_printf(&sh, "cat > %s", q);
	} else {
		q = shquote(rsrc);
		sbuf_printf(&sh, "cat %s", q);
	}
	free(q);
	av = tb_ssh_argv_sh(&p, &s, NULL, sbuf_str(&sh));
	{
		struct sbuf out = SBUF_INIT;
		struct proc_opts o = { .stdin_data = rdst ? sbuf_str(&data) : NULL, .stdin_len = data.len,
				       .out = &out, .errout = &er, .timeout_ms = 600000 };

		st = run_status(av, &o, "cp");
		if (st == 0 && rsrc && file_write_atomic(argv[2], out.buf ? out.buf : "", out.len, &e) < 0)
			st = fail(&e);
		else if (st != 0)
			fprintf(stderr, "vmlab %s: cp failed: %s", NAME, sbuf_str(&er));
		sbuf_free(&out);
	}
	argv_free(av);
	sbuf_free(&data);
	sbuf_free(&er);
	sbuf_free(&sh);
	return st ? 1 : 0;
}

/* ---- guests ---- */

struct guest {
	char name[64];
	char type[8];
	char ip[32];
	int index;
};

static int valid_name(const char *n)
{
	size_t l = strlen(n);

	if (!l || l > 40 || !isalnum((unsigned char)n[0]))
		return 0;
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && *n != '-' && *n != '_')
			return 0;
	return 1;
}

static void guest_file(const struct tb_paths *p, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%.*s/guests/%s", (int)(n - strlen(name) - 9), p->dir, name);
}

/* Reads the host-side record of guest name. Returns 0 or -ENOENT. */
static int guest_load(const struct tb_paths *p, const char *name, struct guest *g)
{
	char f[PATH_MAX];
	FILE *fp;
	char line[128];

	memset(g, 0, sizeof(*g));
	if (!valid_name(name))
		return -ENOENT;
	guest_file(p, name, f, sizeof(f));
	if (!(fp = fopen(f, "re")))
		return -ENOENT;
	snprintf(g->name, sizeof(g->name), "%s", name);
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "type=", 5))
			snprintf(g->type, sizeof(g->type), "%.7s", line + 5);
		else if (!strncmp(line, "ip=", 3))
			snprintf(g->ip, sizeof(g->ip), "%.31s", line + 3);
		else if (!strncmp(line, "index=", 6))
			g->index = atoi(line + 6);
	}
	fclose(fp);
	return g->ip[0] ? 0 : -ENOENT;
}

/* The guest records, in directory order; returns how many (at most max). */
static int guest_list(const struct tb_paths *p, struct guest *gs, int max)
{
	char dir[PATH_MAX + 8];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/guests", p->dir);
	if (!(d = opendir(dir)))
		return 0;
	while ((de = readdir(d)) && n < max)
		if (de->d_name[0] != '.' && guest_load(p, de->d_name, &gs[n]) == 0)
			n++;
	closedir(d);
	return n;
}

static int guest_up(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	struct err e = { 0 };
	struct guest gs[200], g = { 0 };
	struct sbuf cfg = SBUF_INIT, sh = SBUF_INIT, out = SBUF_INIT, er = SBUF_INIT, rec = SBUF_INIT;
	const char *type, *extra = "", *tsc = "native";
	long mem = 0, vcpus = 1, timeout_s = 0;
	int st, ng, hvm;
	char f[PATH_MAX], dir[PATH_MAX + 8], *qn, **av;
	uint64_t t0;

	if (argc < 2)
		return cli_usage_error(NAME, "guest up wants a type: pv, pvh or hvm");
	type = argv[1];
	if (strcmp(type, "pv") && strcmp(type, "pvh") && strcmp(type, "hvm"))
		return cli_usage_error(NAME, "guest up: type '%s' is not pv, pvh or hvm", type);
	hvm = !strcmp(type, "hvm");
	for (int k = 2; k < argc; k++) {
		const char *o = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;

		if (!v)
			return cli_usage_error(NAME, "guest up: %s wants a value", o);
		k++;
		if (!strcmp(o, "--name")) {
			if (!valid_name(v))
				return cli_usage_error(NAME, "guest up: name '%s': use letters, digits, - and _", v);
			snprintf(g.name, sizeof(g.name), "%s", v);
		} else if (!strcmp(o, "--memory")) {
			if ((st = parse_uint("--memory", v, 32, 65536, &mem)))
				return st;
		} else if (!strcmp(o, "--vcpus")) {
			if ((st = parse_uint("--vcpus", v, 1, 64, &vcpus)))
				return st;
		} else if (!strcmp(o, "--timeout")) {
			if ((st = parse_uint("--timeout", v, 1, 86400, &timeout_s)))
				return st;
		} else if (!strcmp(o, "--extra")) {
			if (strpbrk(v, "\"'\\\n"))
				return cli_usage_error(NAME, "guest up: --extra may not hold quotes, backslashes or newlines");
			extra = v;
		} else if (!strcmp(o, "--tsc-mode")) {
			if (!tb_tsc_mode_valid(v))
				return cli_usage_error(NAME, "guest up: --tsc-mode '%s': expected native, default, "
						       "always_emulate or native_paravirt", v);
			tsc = v;
		} else
			return cli_usage_error(NAME, "guest up: unknown argument '%s'", o);
	}
	if (!mem)
		mem = hvm ? 256 : 128;
	if (!timeout_s)
		timeout_s = hvm ? 600 : 120;
	if ((st = paths(&p)) || (st = need_up(&p, &s)))
		return st;
	if (strcmp(s.mode, "xen")) {
		fprintf(stderr, "vmlab %s: the testbed is up without Xen (--bare): no guests there\n", NAME);
		return 1;
	}
	ng = guest_list(&p, gs, 200);
	for (int idx = 1; idx < 200 && !g.index; idx++) {
		int used = 0;

		for (int k = 0; k < ng; k++)
			used |= gs[k].index == idx;
		if (!used)
			g.index = idx;
	}
	if (!g.index) {
		fprintf(stderr, "vmlab %s: too many guests\n", NAME);
		return 1;
	}
	if (!g.name[0])
		snprintf(g.name, sizeof(g.name), "%s%d", type, g.index);
	for (int k = 0; k < ng; k++)
		if (!strcmp(gs[k].name, g.name)) {
			fprintf(stderr, "vmlab %s: guest %s exists already\n", NAME, g.name);
			return 1;
		}
	snprintf(g.type, sizeof(g.type), "%s", type);
	snprintf(g.ip, sizeof(g.ip), "10.0.0.%d", 10 + g.index);

	sbuf_printf(&cfg, "# written by vmlab testbed guest up\nname = \"%s\"\ntype = \"%s\"\n", g.name, type);
	/* PV and PVH load the ELF kernel; HVM's device model boots the bzImage. */
	sbuf_printf(&cfg, "kernel = \"/var/lib/vmlab/%s\"\nramdisk = \"/var/lib/vmlab/guest-initrd.gz\"\n",
		    hvm ? "vmlinuz" : "vmlinux");
	sbuf_printf(&cfg, "extra = \"console=%s quiet " GUEST_KERNEL_OPTS " vmlab.ip=%s/24 vmlab.name=%s%s%s\"\n", hvm ? "ttyS0" : "hvc0",
		    g.ip, g.name, *extra ? " " : "", extra);
	sbuf_printf(&cfg, "memory = %ld\nvcpus = %ld\n", mem, vcpus);
	/* The emulated CPU has no invariant TSC, so Xen's default mode traps
	 * every RDTSC, and Linux 6.1 runs one on each return to user mode
	 * (kernel stack offset randomization): every system call and page
	 * fault would exit to Xen. Hosts with an invariant TSC run it natively;
	 * "native" does that here too. */
	sbuf_printf(&cfg, "tsc_mode = \"%s\"\n", tsc);
	/* HVM gets the PV NIC only (type=vif): an emulated NIC brings its iPXE
	 * option ROM, which SeaBIOS runs for over 20 minutes under TCG. The
	 * guest is still HVM: firmware, serial port and platform device come
	 * from qemu-system-xen, and Linux uses netfront as a PVHVM guest does. */
	sbuf_printf(&cfg, "vif = [ \"%sbridge=xenbr0,mac=00:16:3e:00:00:%02x\" ]\n", hvm ? "type=vif," : "",
		    g.index);
	if (hvm)
		sbuf_printf(&cfg, "nographic = 1\nvnc = 0\nsdl = 0\nserial = \"file:/var/log/xen/console/%s-serial.log\"\n",
			    g.name);
	sbuf_printf(&cfg, "on_poweroff = \"destroy\"\non_reboot = \"destroy\"\non_crash = \"destroy\"\n");

	qn = shquote(g.name);
	sbuf_printf(&sh,
		    "mkdir -p /etc/xen/vmlab && cat > /etc/xen/vmlab/%s.cfg && "
		    "rm -f /var/log/xen/console/guest-%s.log /var/log/xen/console/%s-serial.log && "
		    "xl create /etc/xen/vmlab/%s.cfg && "
		    "{ vmlab-guest-wait %s %ld || { xl destroy %s >/dev/null 2>&1; exit 3; }; }",
		    qn, qn, qn, qn, qn, timeout_s, qn);
	free(qn);
	av = tb_ssh_argv_sh(&p, &s, NULL, sbuf_str(&sh));
	{
		struct proc_opts o = { .stdin_data = sbuf_str(&cfg), .stdin_len = cfg.len, .out = &out,
				       .errout = &er, .timeout_ms = (uint64_t)(timeout_s + 120) * 1000 };

		t0 = tb_now_ms();
		st = run_status(av, &o, "guest up");
	}
	argv_free(av);
	if (st == 0) {
		snprintf(dir, sizeof(dir), "%s/guests", p.dir);
		guest_file(&p, g.name, f, sizeof(f));
		sbuf_printf(&rec, "type=%s\nip=%s\nindex=%d\n", g.type, g.ip, g.index);
		if (file_mkdirs(dir, 0755, &e) < 0 || file_write_atomic(f, rec.buf, rec.len, &e) < 0)
			st = fail(&e);
		else if (!ssh_ok(&p, &s, g.ip, 5)) {
			fprintf(stderr, "vmlab %s: guest %s booted but its ssh (%s) does not answer\n", NAME, g.name,
				g.ip);
			st = 1;
		}
	} else {
		fprintf(stderr, "vmlab %s: guest %s (%s) did not come up:\n%s%s", NAME, g.name, type,
			sbuf_str(&er), sbuf_str(&out));
		st = 1;
	}
	if (st == 0) {
		fprintf(stderr, "vmlab %s: guest %s (%s, %ld MiB, %ld vCPU) answers on %s after %.1f s\n", NAME,
			g.name, type, mem, vcpus, g.ip, (double)(tb_now_ms() - t0) / 1000.0);
		printf("%s\n", g.name);
	}
	sbuf_free(&cfg);
	sbuf_free(&sh);
	sbuf_free(&out);
	sbuf_free(&er);
	sbuf_free(&rec);
	return st;
}

static int guest_exec(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	struct guest g;
	long timeout_s = 0;
	int st, k, cmd = after_dashes(argc, argv, 2);

	if (argc < 2)
		return cli_usage_error(NAME, "guest exec wants NAME -- CMD...");
	for (k = 2; k < (cmd < 0 ? argc : cmd - 1); k++) {
		if (!strcmp(argv[k], "--timeout") && k + 1 < argc) {
			if ((st = parse_uint("--timeout", argv[++k], 1, 86400, &timeout_s)))
				return st;
		} else
			return cli_usage_error(NAME, "guest exec: unknown argument '%s'", argv[k]);
	}
	if (cmd < 0 || cmd >= argc)
		return cli_usage_error(NAME, "guest exec: no command (write 'guest exec NAME -- CMD...')");
	if ((st = paths(&p)) || (st = need_up(&p, &s)))
		return st;
	if (guest_load(&p, argv[1], &g) < 0) {
		fprintf(stderr, "vmlab %s: no guest '%s' (see 'vmlab testbed status')\n", NAME, argv[1]);
		return 1;
	}
	return exec_in(&p, &s, g.ip, argv + cmd, timeout_s);
}

static int guest_down(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	struct guest g;
	struct sbuf sh = SBUF_INIT;
	char f[PATH_MAX], *qn, **av;
	int st;

	if (argc != 2)
		return cli_usage_error(NAME, "guest down wants NAME");
	if ((st = paths(&p)) || (st = need_up(&p, &s)))
		return st;
	if (guest_load(&p, argv[1], &g) < 0) {
		fprintf(stderr, "vmlab %s: no guest '%s' (see 'vmlab testbed status')\n", NAME, argv[1]);
		return 1;
	}
	qn = shquote(g.name);
	/* xl shutdown -w returns once the guest is down; the domain is then
	 * destroyed here rather than left to xl's background monitor. */
	sbuf_printf(&sh,
		    "timeout 60 xl shutdown -w %s >/dev/null 2>&1; xl destroy %s >/dev/null 2>&1; "
		    "! xl domid %s >/dev/null 2>&1",
		    qn, qn, qn);
	free(qn);
	av = tb_ssh_argv_sh(&p, &s, NULL, sbuf_str(&sh));
	{
		struct proc_opts o = { .timeout_ms = 120000 };

		st = run_status(av, &o, "guest down");
	}
	argv_free(av);
	sbuf_free(&sh);
	guest_file(&p, g.name, f, sizeof(f));
	(void)unlink(f);
	if (st != 0) {
		fprintf(stderr, "vmlab %s: guest %s: xl shutdown and destroy failed\n", NAME, g.name);
		return 1;
	}
	printf("guest %s down\n", g.name);
	return 0;
}

static int do_guest(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(NAME, "guest wants up, exec or down");
	if (!strcmp(argv[1], "up"))
		return guest_up(argc - 1, argv + 1);
	if (!strcmp(argv[1], "exec"))
		return guest_exec(argc - 1, argv + 1);
	if (!strcmp(argv[1], "down"))
		return guest_down(argc - 1, argv + 1);
	return cli_usage_error(NAME, "guest: unknown subcommand '%s'", argv[1]);
}

/* ---- status ---- */

static const char *info_or(const struct xl_info *i, const char *key)
{
	const char *v = xl_info_get(i, key);

	return v && *v ? v : "?";
}

/* Prints the dom0 view: xl info, xl list and xl sched-credit2, each parsed
 * by vmlab's xl parsers (src/xen/xl.h). Returns the exit status. */
static int print_xen(const struct tb_paths *p, char *info, char *list, char *sched)
{
	struct xl_info xi = { 0 };
	struct xl_domains xd = { 0 };
	struct xl_sched xs = { 0 };
	struct err e = { 0 };
	struct guest gs[200];
	int ng, rc = 0;

	if (xl_parse_info(info, strlen(info), "xl info", &xi, &e) < 0 ||
	    xl_parse_list(list, strlen(list), "xl list", &xd, &e) < 0 ||
	    xl_parse_sched(sched, strlen(sched), "xl sched-credit2", &xs, &e) < 0) {
		rc = fail(&e);
		goto out;
	}
	printf("xen: %s, scheduler %s, %s CPUs, memory %s MiB (%s free), virt_caps %s\n",
	       info_or(&xi, "xen_version"), info_or(&xi, "xen_scheduler"), info_or(&xi, "nr_cpus"),
	       info_or(&xi, "total_memory"), info_or(&xi, "free_memory"), info_or(&xi, "virt_caps"));
	printf("dom0: Linux %s\n", info_or(&xi, "release"));
	ng = guest_list(p, gs, 200);
	printf("%-16s %5s %6s %5s %-6s %9s %-7s %6s %4s %-5s %s\n", "domain", "id", "MiB", "vcpus", "state",
	       "cpu_s", "pool", "weight", "cap", "type", "ip");
	for (size_t k = 0; k < xd.n; k++) {
		const struct xl_domain *d = &xd.d[k];
		const char *type = "", *ip = "", *pool = "-";
		int weight = -1, cap = -1;

		for (size_t a = 0; a < xs.npools; a++)
			for (size_t b = 0; b < xs.pools[a].ndoms; b++)
				if (xs.pools[a].doms[b].domid == d->domid) {
					pool = xs.pools[a].pool;
					weight = xs.pools[a].doms[b].weight;
					cap = xs.pools[a].doms[b].cap;
				}
		for (int g = 0; g < ng; g++)
			if (!strcmp(gs[g].name, d->name)) {
				type = gs[g].type;
				ip = gs[g].ip;
			}
		if (d->domid == 0) {
			type = "dom0";
			ip = "10.0.0.1";
		}
		printf("%-16s %5d %6lu %5d %-6s %9.1f %-7s %6d %4d %-5s %s\n", d->name, d->domid, d->mem_mib,
		       d->vcpus, d->state, d->cpu_s, pool, weight, cap, type, ip);
	}
out:
	xl_info_free(&xi);
	xl_domains_free(&xd);
	xl_sched_free(&xs);
	return rc;
}

static int do_status(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	struct err e = { 0 };
	struct sbuf out = SBUF_INIT, er = SBUF_INIT;
	char **av, *info, *list, *sched;
	int st;

	if (argc > 1)
		return cli_usage_error(NAME, "status: unknown argument '%s'", argv[1]);
	if ((st = paths(&p)))
		return st;
	st = tb_state_load(&p, &s, &e);
	if (st == -ENOENT || (st == 0 && !tb_state_alive(&s))) {
		printf("testbed: down\n");
		return 1;
	}
	if (st < 0)
		return fail(&e);
	printf("testbed: up (%s, accel %s), ssh 127.0.0.1:%d, pid %ld, log %s\n", s.mode, s.accel, s.port,
	       (long)s.pid, s.log);
	fflush(stdout);
	if (strcmp(s.mode, "xen")) {
		char *cmd[] = { "uname", "-r", NULL };

		return exec_in(&p, &s, NULL, cmd, 60) ? 1 : 0;
	}
	av = tb_ssh_argv_sh(&p, &s, NULL, "xl info && echo @@vmlab@@ && xl list && echo @@vmlab@@ && xl sched-credit2");
	{
		struct proc_opts o = { .out = &out, .errout = &er, .timeout_ms = 120000 };

		st = run_status(av, &o, "status");
	}
	argv_free(av);
	if (st != 0) {
		fprintf(stderr, "vmlab %s: xl in dom0 failed: %s", NAME, sbuf_str(&er));
		st = 1;
		goto out;
	}
	info = out.buf;
	list = strstr(info, "@@vmlab@@\n");
	if (!list || !(sched = strstr(list + 10, "@@vmlab@@\n"))) {
		fprintf(stderr, "vmlab %s: unexpected output from xl in dom0\n", NAME);
		st = 1;
		goto out;
	}
	*list = 0;
	list += 10;
	*sched = 0;
	sched += 10;
	st = print_xen(&p, info, list, sched);
out:
	sbuf_free(&out);
	sbuf_free(&er);
	return st;
}

static int run(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} subs[] = {
		{ "build", do_build }, { "up", do_up },	  { "down", do_down }, { "status", do_status },
		{ "exec", do_exec },   { "ssh", do_ssh }, { "cp", do_cp },     { "guest", do_guest },
	};

	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	for (size_t k = 0; k < sizeof(subs) / sizeof(subs[0]); k++)
		if (!strcmp(argv[1], subs[k].name))
			return subs[k].fn(argc - 1, argv + 1);
	return cli_usage_error(NAME, "unknown subcommand '%s'", argv[1]);
}

const struct cmd cmd_testbed = { "testbed", "real Xen 4.17 with dom0 and guests, booted in QEMU", usage, run };
