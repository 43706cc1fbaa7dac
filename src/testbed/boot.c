/* Building, booting and shutting down the testbed machine; its console log. */
#include "testbed/boot.h"

#include "base/fileio.h"
#include "base/proc.h"
#include "testbed/exec.h"
#include "testbed/guest.h"
#include "testbed/net.h"
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

/* Where QEMU (running in dir) finds testbed o->name's own files: "" for the
 * default testbed, "beds/NAME/" for the others. */
static void own_prefix(const struct tb_boot_opts *o, char *buf, size_t n)
{
	if (!o->name || !o->name[0] || !strcmp(o->name, TB_DEFAULT_NAME))
		buf[0] = 0;
	else
		snprintf(buf, n, "beds/%.*s/", TB_NAME_MAX, o->name);
}

/* Adds "-NAME VALUE" with VALUE formatted. */
static void add_fmt(char ***av, size_t *n, const char *opt, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add_fmt(char ***av, size_t *n, const char *opt, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	argv_add(av, n, opt);
	argv_add(av, n, buf);
}

/* The kernel options that tell dom0 (or the bare machine) its place on a
 * shared net (testbed/dom0/rc reads them), or "" without a net. */
static void net_kernel_opts(const struct tb_boot_opts *o, char *buf, size_t n)
{
	char mac[32];

	buf[0] = 0;
	if (!o->net_group)
		return;
	tb_net_mac(o->net_index, mac, sizeof(mac));
	snprintf(buf, n, " vmlab.ip=" TB_SHARED_NET_PREFIX "%d.1/%d vmlab.netmac=%s", o->net_index,
		 TB_SHARED_NET_BITS, mac);
}

/* The passthrough NIC of o (up --iommu): an e1000e, not virtio (virtio
 * devices bypass QEMU's IOMMU), at TB_PT_QEMU_ADDR, without the iPXE option
 * ROM that an HVM guest's SeaBIOS would run for minutes under TCG. */
static void add_pt_nic(const struct tb_boot_opts *o, char ***av, size_t *n)
{
	char mac[32];

	tb_net_pt_mac(o->net_index, mac, sizeof(mac));
	add_fmt(av, n, "-netdev", "socket,id=pt0,mcast=%s,localaddr=127.0.0.1", o->net_group);
	add_fmt(av, n, "-device", "e1000e,netdev=pt0,mac=%s,addr=" TB_PT_QEMU_ADDR ",romfile=", mac);
}

char **tb_qemu_argv(const struct tb_boot_opts *o)
{
	char own[TB_NAME_MAX + 8], netopts[128], mac[32];
	char **av = NULL;
	size_t n = 0;
	int cpus = o->cpus > 0 ? o->cpus : TB_CPUS_DEFAULT;
	const char *xa = o->xen_args ? o->xen_args : "";

	own_prefix(o, own, sizeof(own));
	net_kernel_opts(o, netopts, sizeof(netopts));
	argv_add(&av, &n, "qemu-system-x86_64");
	add_fmt(&av, &n, "-name", "vmlab-testbed%s%s", own[0] ? "-" : "", own[0] ? o->name : "");
	/* KVM's in-kernel irqchip cannot do interrupt remapping (TCG has no such check) */
	add_fmt(&av, &n, "-machine", "q35%s", o->iommu && o->kvm ? ",kernel-irqchip=split" : "");
	add_fmt(&av, &n, "-accel", "%s", o->kvm ? "kvm" : "tcg");
	add_fmt(&av, &n, "-cpu", "qemu64,+svm,+npt,+rdrand");
	add_fmt(&av, &n, "-m", "%d", o->ram_mib);
	add_fmt(&av, &n, "-smp", "%d", cpus);
	add_fmt(&av, &n, "-display", "none");
	add_fmt(&av, &n, "-monitor", "none");
	argv_add(&av, &n, "-no-reboot");
	add_fmt(&av, &n, "-serial", "file:%sconsole.log", own);
	argv_add(&av, &n, "-daemonize");
	add_fmt(&av, &n, "-pidfile", "%sqemu.pid", own);
	if (o->iommu)
		add_fmt(&av, &n, "-device", "intel-iommu,intremap=on");  /* before every other device */
	add_fmt(&av, &n, "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:22", o->port);
	add_fmt(&av, &n, "-device", "virtio-net-pci,netdev=n0");
	if (o->net_group) {
		tb_net_mac(o->net_index, mac, sizeof(mac));
		add_fmt(&av, &n, "-netdev", "socket,id=n1,mcast=%s,localaddr=127.0.0.1", o->net_group);
		add_fmt(&av, &n, "-device", "virtio-net-pci,netdev=n1,mac=%s", mac);
		if (o->iommu)
			add_pt_nic(o, &av, &n);
	}
	add_fmt(&av, &n, "-drive", "file=%svg0.img,if=virtio,format=raw,cache=unsafe", own);
	if (o->bare) {
		add_fmt(&av, &n, "-kernel", "vmlinuz");
		add_fmt(&av, &n, "-append", "console=ttyS0 quiet " TB_KERNEL_OPTS "%s", netopts);
		add_fmt(&av, &n, "-initrd", "dom0-initrd.cpio");
	} else {
		add_fmt(&av, &n, "-kernel", "xen.elf");
		/* later options win in Xen's parser: xen_args may override these */
		add_fmt(&av, &n, "-append",
			"console=com1 com1=115200,8n1 dom0_mem=%dM,max:%dM dom0_max_vcpus=%d bootscrub=0 noreboot%s%s",
			DOM0_MEM_MIB, DOM0_MEM_MIB, cpus < 2 ? cpus : 2, xa[0] ? " " : "", xa);
		add_fmt(&av, &n, "-initrd", "vmlinuz console=hvc0 quiet " TB_KERNEL_OPTS "%s,dom0-initrd.cpio",
			netopts);
	}
	return av;
}

int tb_xen_args_check(const char *a, struct err *e)
{
	size_t len = strlen(a);

	if (len > TB_XEN_ARGS_MAX)
		return err_set(e, -EINVAL, "--xen-args: %zu bytes, at most %d", len, TB_XEN_ARGS_MAX);
	for (size_t k = 0; k < len; k++)
		if ((unsigned char)a[k] < 0x20 || (unsigned char)a[k] > 0x7e)
			return err_set(e, -EINVAL, "--xen-args: byte %zu (0x%02x) is not printable ASCII", k,
				       (unsigned char)a[k]);
	return 0;
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
	if ((rc = file_mkdirs(tb_own_dir(p), 0755, e)) < 0)
		return rc;
	snprintf(vg, sizeof(vg), "%.*s/vg0.img", (int)sizeof(vg) - 9, tb_own_dir(p));
	if (access(vg, R_OK) == 0)
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

	snprintf(pidf, sizeof(pidf), "%.*s/qemu.pid", (int)sizeof(pidf) - 10, tb_own_dir(p));
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

/* Keeps what dom0 runs (ps, over ssh: dropbear starts before Xen's daemons
 * and the LVM steps) in WHERE/dom0-ps.txt, for a boot that did not get
 * ready; returns 1 when it did. */
static int dom0_ps(const struct tb_paths *p, const struct tb_state *s, char *where, size_t n)
{
	char *ps[] = { "ps", NULL };
	struct sbuf out = SBUF_INIT, er = SBUF_INIT;
	struct err e2 = { 0 };
	int st = -1, ok;

	snprintf(where, n, "%.*s/dom0-ps.txt", (int)n - 16, tb_own_dir(p));
	ok = tb_exec(p, s, NULL, ps, 15000, &out, &er, &st, &e2) == 0 && st == 0 &&
	     file_write_atomic(where, sbuf_str(&out), out.len, &e2) == 0;
	sbuf_free(&out);
	sbuf_free(&er);
	return ok;
}

/* Waits for the ready marker on s's console; stops QEMU when it does not
 * come (keeping dom0's processes then, when ssh answers). */
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
			char ps[PATH_MAX];
			int have_ps = dom0_ps(p, s, ps, sizeof(ps));

			kill_qemu(s->pid, 3000);
			tb_state_remove(p);
			return err_set(e, -ETIMEDOUT, "dom0 was not ready within %ld s; QEMU stopped; its log: %s%s%s",
				       timeout_s, s->log, have_ps ? "; what dom0 ran then: " : " (ssh did not answer)",
				       have_ps ? ps : "");
		}
		usleep(250000);
	}
	return 0;
}

/* p's testbed name (p may be filled by hand, without one). */
static const char *name_of(const struct tb_paths *p)
{
	return p->name[0] ? p->name : TB_DEFAULT_NAME;
}

/* 1 when the running s is what o asks for on p. */
static int same_setup(const struct tb_state *s, const struct tb_up_opts *o)
{
	int cpus = o->cpus > 0 ? o->cpus : TB_CPUS_DEFAULT;

	return !strcmp(s->mode, o->bare ? "bare" : "xen") && s->cpus == cpus &&
	       !strcmp(s->xen_args, o->xen_args ? o->xen_args : "") && !strcmp(s->net, o->net ? o->net : "") &&
	       s->iommu == !!o->iommu;
}

/* Checks what o asks for. */
static int check_opts(const struct tb_up_opts *o, struct err *e)
{
	int rc;

	if (o->cpus < 0 || o->cpus > TB_CPUS_MAX)
		return err_set(e, -EINVAL, "--cpus %d: expected 1..%d", o->cpus, TB_CPUS_MAX);
	if (o->xen_args && (rc = tb_xen_args_check(o->xen_args, e)) < 0)
		return rc;
	if (o->xen_args && o->xen_args[0] && o->bare)
		return err_set(e, -EINVAL, "--xen-args: a --bare testbed runs no Xen");
	if (o->net && (rc = tb_net_check(o->net, e)) < 0)
		return rc;
	if (o->iommu && (!o->net || !o->net[0]))
		return err_set(e, -EINVAL, "--iommu needs --net NET: the passthrough NIC joins that net");
	if (o->iommu && o->bare)
		return err_set(e, -EINVAL, "--iommu: a --bare testbed runs no Xen to pass the NIC through");
	return 0;
}

/* Under the home's lock: checks that p's testbed is free, prepares and
 * starts its QEMU and records it in s. */
static int start_locked(const struct tb_paths *p, const struct tb_up_opts *o, const struct tb_progress *pr,
			struct tb_state *s, int *already, char *why, size_t whyn, int *ram_mib, struct err *e)
{
	struct tb_boot_opts bo = { .bare = o->bare, .name = name_of(p), .cpus = o->cpus, .xen_args = o->xen_args,
				   .iommu = !!o->iommu };
	int rc;

	if (tb_state_load(p, s, e) == 0 && tb_state_alive(s)) {
		if (!same_setup(s, o))
			return err_set(e, -EBUSY, "testbed %s is in use: up in %s mode, %d CPUs, net %s, %s, "
				       "xen-args '%s'; 'vmlab testbed down --name %s' first, or choose another --name",
				       name_of(p), s->mode, s->cpus, s->net[0] ? s->net : "none",
				       s->iommu ? "iommu" : "no iommu", s->xen_args, name_of(p));
		*already = 1;
		return 0;
	}
	memset(s, 0, sizeof(*s));
	tb_state_remove(p);
	if ((rc = prepare(p, o, pr, e)) < 0)
		return rc;
	if ((*ram_mib = bo.ram_mib = tb_ram_mib(e)) < 0)
		return bo.ram_mib;
	if (o->net && o->net[0]) {
		if ((rc = tb_net_pick(p, o->net, e)) < 0)
			return rc;
		s->net_index = bo.net_index = rc;
		snprintf(s->net, sizeof(s->net), "%s", o->net);
		tb_net_group(p->home, o->net, s->net_group, sizeof(s->net_group));
		bo.net_group = s->net_group;
	}
	bo.kvm = tb_kvm_usable(why, whyn);
	snprintf(s->log, sizeof(s->log), "%.*s/console.log", (int)sizeof(s->log) - 13, tb_own_dir(p));
	snprintf(s->name, sizeof(s->name), "%s", name_of(p));
	s->cpus = o->cpus > 0 ? o->cpus : TB_CPUS_DEFAULT;
	snprintf(s->xen_args, sizeof(s->xen_args), "%s", o->xen_args ? o->xen_args : "");
	s->iommu = bo.iommu;
	if ((rc = start_qemu(p, &bo, o->start_port, s, e)) < 0)
		return rc;
	snprintf(s->mode, sizeof(s->mode), "%s", o->bare ? "bare" : "xen");
	snprintf(s->accel, sizeof(s->accel), "%s", bo.kvm ? "kvm" : "tcg");
	if ((rc = tb_state_save(p, s, e)) < 0) {
		kill_qemu(s->pid, 2000);
		return rc;
	}
	return 0;
}

int tb_up(const struct tb_paths *p, const struct tb_up_opts *o, const struct tb_progress *pr,
	  struct tb_state *s, int *already, struct err *e)
{
	char why[256], dom0[32];
	uint64_t t0 = tb_now_ms();
	int rc, lock, ram_mib = 0, named = strcmp(name_of(p), TB_DEFAULT_NAME) != 0;

	*already = 0;
	memset(s, 0, sizeof(*s));
	if ((rc = check_opts(o, e)) < 0)
		return rc;
	if ((lock = tb_lock(p, e)) < 0)
		return lock;
	rc = start_locked(p, o, pr, s, already, why, sizeof(why), &ram_mib, e);
	tb_unlock(lock);
	if (rc < 0 || *already)
		return rc;
	tb_guests_clear(p);
	tb_net_dom0_ip(s, dom0, sizeof(dom0));
	tb_say(pr, "booting %s%s%s in QEMU (accel %s: %s), %d MiB, %d CPUs, ssh port %d, dom0 %s%s%s%s, log %s",
	       o->bare ? "Linux without Xen" : "Xen 4.17 and dom0", named ? " as testbed " : "",
	       named ? p->name : "", s->accel, why, ram_mib, s->cpus, s->port, dom0,
	       s->net[0] ? " on net " : "", s->net, s->iommu ? ", intel-iommu and passthrough NIC " TB_PT_BDF : "",
	       s->log);
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
