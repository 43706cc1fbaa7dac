/* Building, booting and shutting down the testbed machine; its console log. */
#include "testbed/boot.h"

#include "base/fileio.h"
#include "base/proc.h"
#include "testbed/guest.h"
#include "testbed/tbconst.h"
#include "testbed/wait.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DOM0_MEM_MIB 1024
#define VG0_BYTES (8ULL << 30)

void tb_say(const struct tb_progress *pr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!pr || !pr->say)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pr->say(pr->ctx, buf);
}

int tb_build(const struct tb_paths *p, int rebuild, struct sbuf *log, struct err *e)
{
	char script[PATH_MAX + 16], env[PATH_MAX + 16];
	char *av[10];
	struct sbuf sb = SBUF_INIT;
	int n = 0, st = -1, rc;

	snprintf(script, sizeof(script), "%s/build.sh", p->data);
	snprintf(env, sizeof(env), "%s/testbed.env", p->dir);
	tb_const_env(&sb);
	rc = file_mkdirs(p->dir, 0755, e);
	if (rc == 0)
		rc = file_write_atomic(env, sb.buf, sb.len, e);
	sbuf_free(&sb);
	if (rc < 0)
		return rc;
	av[n++] = "bash";
	av[n++] = script;
	av[n++] = "--out";
	av[n++] = (char *)p->dir;
	av[n++] = "--vmlab";
	av[n++] = (char *)proc_self_exe();
	av[n++] = "--env";
	av[n++] = env;
	if (rebuild)
		av[n++] = "--rebuild";
	av[n] = NULL;
	{
		struct proc_opts o = { .out = log, .errout = log };

		if ((rc = proc_run(av, &o, &st, e)) < 0)
			return rc;
	}
	if (st != 0 && log) {
		const char *t = sbuf_str(log), *l;
		size_t len = log->len;

		while (len && t[len - 1] == '\n')
			len--;
		l = memrchr(t, '\n', len);
		l = l ? l + 1 : t;
		return err_set(e, -EIO, "%.*s", (int)(t + len - l), l);
	}
	if (st != 0) {
		e->code = -EIO;
		e->msg[0] = 0;    /* build.sh said why */
		return -EIO;
	}
	return 0;
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
	same = file_read(proc_self_exe(), &a, &e) == 0 && file_read(f, &b, &e) == 0 && a.len == b.len &&
	       !memcmp(a.buf, b.buf, a.len);
	sbuf_free(&a);
	sbuf_free(&b);
	return same;
}

char **tb_qemu_argv(const struct tb_boot_opts *o)
{
	char mem[16], fwd[96], append[256];
	char **av = NULL;
	size_t n = 0;
	static const char *const fixed[] = {
		"-cpu", "qemu64,+svm,+npt,+rdrand", "-smp", "2", "-display", "none", "-monitor", "none",
		"-no-reboot", "-serial", "file:console.log", "-daemonize", "-pidfile", "qemu.pid", NULL,
	};

	snprintf(mem, sizeof(mem), "%d", o->ram_mib);
	snprintf(fwd, sizeof(fwd), "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:22", o->port);
	argv_add(&av, &n, "qemu-system-x86_64");
	argv_add(&av, &n, "-name");
	argv_add(&av, &n, "vmlab-testbed");
	argv_add(&av, &n, "-machine");
	argv_add(&av, &n, "q35");
	argv_add(&av, &n, "-accel");
	argv_add(&av, &n, o->kvm ? "kvm" : "tcg");
	for (size_t k = 0; k < 2; k++)
		argv_add(&av, &n, fixed[k]);
	argv_add(&av, &n, "-m");
	argv_add(&av, &n, mem);
	for (size_t k = 2; fixed[k]; k++)
		argv_add(&av, &n, fixed[k]);
	argv_add(&av, &n, "-netdev");
	argv_add(&av, &n, fwd);
	argv_add(&av, &n, "-device");
	argv_add(&av, &n, "virtio-net-pci,netdev=n0");
	argv_add(&av, &n, "-drive");
	argv_add(&av, &n, "file=vg0.img,if=virtio,format=raw,cache=unsafe");
	argv_add(&av, &n, "-kernel");
	if (o->bare) {
		argv_add(&av, &n, "vmlinuz");
		argv_add(&av, &n, "-append");
		argv_add(&av, &n, "console=ttyS0 quiet " TB_KERNEL_OPTS);
		argv_add(&av, &n, "-initrd");
		argv_add(&av, &n, "dom0-initrd.cpio");
	} else {
		snprintf(append, sizeof(append),
			 "console=com1 com1=115200,8n1 dom0_mem=%dM,max:%dM dom0_max_vcpus=2 bootscrub=0 noreboot",
			 DOM0_MEM_MIB, DOM0_MEM_MIB);
		argv_add(&av, &n, "xen.elf");
		argv_add(&av, &n, "-append");
		argv_add(&av, &n, append);
		argv_add(&av, &n, "-initrd");
		argv_add(&av, &n, "vmlinuz console=hvc0 quiet " TB_KERNEL_OPTS ",dom0-initrd.cpio");
	}
	return av;
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

static int file_in(const struct tb_paths *p, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%.*s/%s", (int)(n - strlen(name) - 2), p->dir, name);
	return access(buf, R_OK) == 0;
}

/* Checks the images, rebuilds them for this binary when needed, makes
 * vg0.img: everything QEMU needs before it starts. */
static int prepare(const struct tb_paths *p, const struct tb_up_opts *o, const struct tb_progress *pr,
		   struct err *e)
{
	char xen[PATH_MAX], kern[PATH_MAX], initrd[PATH_MAX], key[PATH_MAX], vg[PATH_MAX];
	int rc, fd;

	if (!file_in(p, "xen.elf", xen, sizeof(xen)) || !file_in(p, "vmlinuz", kern, sizeof(kern)) ||
	    !file_in(p, "dom0-initrd.cpio", initrd, sizeof(initrd)) || !file_in(p, "id_ed25519", key, sizeof(key)))
		return err_set(e, -ENOENT, "the testbed is not built in %s: run 'vmlab testbed build'", p->dir);
	/* dom0 and the guests run the vmlab that runs `up` */
	if (!images_carry_self(p)) {
		tb_say(pr, "this vmlab differs from the one in the testbed images: reassembling them");
		if ((rc = tb_build(p, 0, o->build_log, e)) < 0)
			return rc;
	}
	if (!proc_have("qemu-system-x86_64"))
		return err_set(e, -ENOEXEC, "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)");
	if (file_in(p, "vg0.img", vg, sizeof(vg)))
		return 0;
	fd = open(vg, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)VG0_BYTES) < 0) {
		rc = err_set(e, -errno, "%s: %s", vg, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	close(fd);
	return 0;
}

/* Starts QEMU daemonized on a free port from start_port; fills s->pid and
 * s->port. */
static int start_qemu(const struct tb_paths *p, struct tb_boot_opts *bo, int start_port, struct tb_state *s,
		      struct err *e)
{
	char pidf[PATH_MAX];
	struct sbuf pb = SBUF_INIT;
	int rc, st = -1;

	snprintf(pidf, sizeof(pidf), "%.*s/qemu.pid", (int)sizeof(pidf) - 10, p->dir);
	(void)unlink(pidf);
	for (int attempt = 0; attempt < 5; attempt++) {
		struct sbuf er = SBUF_INIT;
		struct proc_opts o = { .errout = &er, .timeout_ms = 120000, .cwd = p->dir };
		char **av;

		if ((bo->port = tb_free_port(start_port, e)) < 0)
			return bo->port;
		av = tb_qemu_argv(bo);
		rc = proc_run(av, &o, &st, e);
		argv_free(av);
		if (rc == 0 && st != 0 && (strstr(sbuf_str(&er), "hostfwd") || strstr(sbuf_str(&er), "host forwarding"))) {
			start_port = bo->port + 1;  /* taken between our probe and QEMU's bind */
			sbuf_free(&er);
			continue;
		}
		if (rc == 0 && st != 0) {
			sbuf_chomp(&er);
			rc = err_set(e, -EIO, "QEMU failed to start (exit %d): %s", st, sbuf_str(&er));
		}
		sbuf_free(&er);
		if (rc < 0)
			return rc;
		break;
	}
	if ((rc = file_read(pidf, &pb, e)) == 0)
		s->pid = (pid_t)atol(sbuf_str(&pb));
	sbuf_free(&pb);
	s->port = bo->port;
	return rc;
}

/* Waits for the ready marker on s's console; stops QEMU when it does not come. */
static int wait_ready(const struct tb_paths *p, const struct tb_state *s, long timeout_s, uint64_t t0,
		      struct err *e)
{
	off_t off = 0;

	while (!tb_log_has(s->log, TB_READY_MARKER, &off)) {
		if (!tb_state_alive(s)) {
			tb_state_remove(p);
			return err_set(e, -ECHILD, "QEMU (pid %ld) exited while booting; its log: %s", (long)s->pid,
				       s->log);
		}
		if (tb_now_ms() - t0 > (uint64_t)timeout_s * 1000) {
			kill_qemu(s->pid, 3000);
			tb_state_remove(p);
			return err_set(e, -ETIMEDOUT, "dom0 was not ready within %ld s; QEMU stopped; its log: %s",
				       timeout_s, s->log);
		}
		usleep(250000);
	}
	return 0;
}

int tb_up(const struct tb_paths *p, const struct tb_up_opts *o, const struct tb_progress *pr,
	  struct tb_state *s, int *already, struct err *e)
{
	struct tb_boot_opts bo = { .bare = o->bare };
	char why[256];
	uint64_t t0 = tb_now_ms();
	int rc;

	*already = 0;
	if (tb_state_load(p, s, e) == 0 && tb_state_alive(s)) {
		if (strcmp(s->mode, o->bare ? "bare" : "xen"))
			return err_set(e, -EBUSY, "the testbed is up in %s mode; 'vmlab testbed down' first", s->mode);
		*already = 1;
		return 0;
	}
	memset(s, 0, sizeof(*s));
	tb_state_remove(p);
	if ((rc = prepare(p, o, pr, e)) < 0)
		return rc;
	if ((bo.ram_mib = tb_ram_mib(e)) < 0)
		return bo.ram_mib;
	bo.kvm = tb_kvm_usable(why, sizeof(why));
	snprintf(s->log, sizeof(s->log), "%.*s/console.log", (int)sizeof(s->log) - 13, p->dir);
	if ((rc = start_qemu(p, &bo, o->start_port, s, e)) < 0)
		return rc;
	snprintf(s->mode, sizeof(s->mode), "%s", o->bare ? "bare" : "xen");
	snprintf(s->accel, sizeof(s->accel), "%s", bo.kvm ? "kvm" : "tcg");
	if ((rc = tb_state_save(p, s, e)) < 0) {
		kill_qemu(s->pid, 2000);
		return rc;
	}
	tb_guests_clear(p);
	tb_say(pr, "booting %s in QEMU (accel %s: %s), %d MiB, ssh port %d, log %s",
	       o->bare ? "Linux without Xen" : "Xen 4.17 and dom0", s->accel, why, bo.ram_mib, s->port, s->log);
	if ((rc = wait_ready(p, s, o->timeout_s, t0, e)) < 0)
		return rc;
	if (!tb_ssh_answers(p, s, NULL, 10))
		return err_set(e, -EHOSTUNREACH, "dom0 booted but its ssh does not answer on port %d; log: %s",
			       s->port, s->log);
	return 0;
}

int tb_down(const struct tb_paths *p, long timeout_s, struct tb_state *s, int *how, struct err *e)
{
	uint64_t t0 = tb_now_ms();
	int rc = tb_state_load(p, s, e), st;

	*how = 0;
	if (rc == -ENOENT || (rc == 0 && !tb_state_alive(s))) {
		tb_state_remove(p);
		tb_guests_clear(p);
		return 0;
	}
	if (rc < 0)
		return rc;
	if (timeout_s > 0) {
		char *cmd[] = { "poweroff", NULL };
		char **av = tb_ssh_argv(p, s, NULL, 0, cmd);
		struct sbuf out = SBUF_INIT, er = SBUF_INIT;
		struct proc_opts o = { .out = &out, .errout = &er, .timeout_ms = 30000 };
		struct err ignored = { 0 };

		(void)proc_run(av, &o, &st, &ignored);
		argv_free(av);
		sbuf_free(&out);
		sbuf_free(&er);
	}
	while (tb_state_alive(s) && tb_now_ms() - t0 < (uint64_t)timeout_s * 1000)
		usleep(200000);
	*how = 1;
	if (tb_state_alive(s)) {
		kill_qemu(s->pid, 5000);
		*how = 2;
	}
	tb_state_remove(p);
	tb_guests_clear(p);
	return 0;
}
