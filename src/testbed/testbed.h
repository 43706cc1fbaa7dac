/* The testbed: real Xen 4.17 and its dom0 booted in QEMU on this machine.
 * Where its files live, the state of a running one (the one struct
 * tb_state), the host's accelerator, port and memory, and the ssh command
 * lines that reach dom0 and its guests. Booting is in testbed/boot.h,
 * guests in testbed/guest.h, commands and files in testbed/exec.h, the
 * fixed facts in testbed/tbconst.h. */
#ifndef VMLAB_TESTBED_TESTBED_H
#define VMLAB_TESTBED_TESTBED_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "base/sshargv.h"

#define TB_NAME_MAX 15            /* longest testbed (and net) name */
#define TB_DEFAULT_NAME "a"       /* the testbed commands use without --name */
#define TB_CPUS_DEFAULT 2         /* pCPUs Xen sees unless --cpus says otherwise */
#define TB_GUEST_VCPUS_DEFAULT 1  /* a guest's vCPUs unless told; also the CPUs of the bare baseline */
#define TB_CPUS_MAX 16
#define TB_XEN_ARGS_MAX 255       /* longest --xen-args */

struct tb_paths {
	char home[PATH_MAX];     /* $VMLAB_HOME, default ~/.cache/vmlab */
	char dir[PATH_MAX];      /* home/testbed: the shared images and key; testbed a's own files */
	char data[PATH_MAX];     /* the folder holding build.sh (see tb_paths_get) */
	char name[TB_NAME_MAX + 1]; /* which testbed: TB_DEFAULT_NAME or a name tb_name_valid takes */
	char run[PATH_MAX];      /* that testbed's own files (state, console log, vg0.img, guests):
	                          * dir for testbed a, dir/beds/NAME for the others */
};

/* Fills p for the default testbed (TB_DEFAULT_NAME): home from $VMLAB_HOME
 * (else $HOME/.cache/vmlab), data from $VMLAB_DATADIR/testbed (else the
 * source tree's testbed/ compiled in, else PREFIX/share/vmlab/testbed).
 * Returns 0, or -ENOENT (e names what is missing) when no folder holds
 * build.sh. Creates nothing. */
int tb_paths_get(struct tb_paths *p, struct err *e);

/* Same for testbed name (NULL: TB_DEFAULT_NAME). Returns -EINVAL when
 * tb_name_valid refuses name, else as tb_paths_get. */
int tb_paths_named(struct tb_paths *p, const char *name, struct err *e);

/* p->run, or p->dir when p was filled by hand without run. */
const char *tb_own_dir(const struct tb_paths *p);

/* 1 when n names a testbed or a testbed net: 1..TB_NAME_MAX of a-z, 0-9
 * and '-', starting with a letter or digit. */
int tb_name_valid(const char *n);

/* The names of the testbeds of p's home that have a state file (running or
 * left behind), TB_DEFAULT_NAME first, into names[0..max). Returns how many. */
int tb_names(const struct tb_paths *p, char (*names)[TB_NAME_MAX + 1], int max);

/* A running testbed as `up` recorded it in run/state. */
struct tb_state {
	pid_t pid;               /* QEMU */
	int port;                /* loopback port forwarded to dom0's ssh */
	char mode[8];            /* "xen" or "bare" */
	char accel[8];           /* "kvm" or "tcg" */
	char log[PATH_MAX];      /* QEMU's serial console: Xen and dom0 messages */
	char name[TB_NAME_MAX + 1]; /* the testbed's name ("" in a state from before names: a) */
	int cpus;                /* pCPUs of the machine (QEMU -smp) */
	char xen_args[TB_XEN_ARGS_MAX + 1]; /* added to Xen's command line ("": none) */
	char net[TB_NAME_MAX + 1];  /* the shared net it joined ("": none) */
	int net_index;           /* its place k on that net: dom0 has TB_SHARED_NET k.1 */
	char net_group[32];      /* the net's multicast group on 127.0.0.1, "ADDR:PORT" */
	int iommu;               /* 1: up with --iommu (intel-iommu, the passthrough NIC TB_PT_BDF) */
};

/* Parses the KEY=VALUE lines of a state file, text[0..len) (name labels
 * messages "NAME:LINE:COL: ..."). Unknown keys are ignored; pid and port
 * are required; cpus defaults to TB_CPUS_DEFAULT, iommu (0 or 1) to 0. Returns 0 or -EBADMSG
 * (s is then unspecified). */
int tb_state_parse(const char *text, size_t len, const char *name, struct tb_state *s, struct err *e);

/* Reads run/state. Returns 0, -ENOENT when there is none, -EBADMSG when it
 * is damaged (e says where). */
int tb_state_load(const struct tb_paths *p, struct tb_state *s, struct err *e);
int tb_state_save(const struct tb_paths *p, const struct tb_state *s, struct err *e);
void tb_state_remove(const struct tb_paths *p);

/* True when s->pid is a live QEMU process. */
int tb_state_alive(const struct tb_state *s);

/* Decides between KVM and TCG: 1 for KVM (when /dev/kvm creates a VM and
 * the CPU has svm, which the nested Xen needs), 0 for TCG with the reason in
 * why. $VMLAB_TESTBED_ACCEL=kvm|tcg forces a choice. */
int tb_kvm_usable(char *why, size_t n);

/* The first loopback TCP port >= start that can be bound now (tries 200).
 * Returns the port or -EADDRINUSE. */
int tb_free_port(int start, struct err *e);

/* QEMU's RAM in MiB for this host: a third of MemAvailable, clamped to
 * [2048, 4096]. Returns -ENOMEM (e says why) when the host cannot spare 2 GiB. */
int tb_ram_mib(struct err *e);

/* 1 when m is one of xl's tsc_mode values: "native" (the testbed's
 * default, TB_TSC_MODE_DEFAULT), "default", "always_emulate", "native_paravirt". */
int tb_tsc_mode_valid(const char *m);

/* Appends the options every ssh to the testbed uses (its key, BatchMode,
 * no host key checks, timeouts) to the argv *av of length *n (argv_add). */
void tb_ssh_opts(const struct tb_paths *p, char ***av, size_t *n);

/* A NULL-terminated argv (caller frees with argv_free, base/sshargv.h) of ssh reaching
 * dom0 (guest_ip NULL) or a guest through dom0, running cmd (NULL: a login
 * shell; tty asks for a terminal). Every word of cmd is quoted for the
 * remote shell with shquote. */
char **tb_ssh_argv(const struct tb_paths *p, const struct tb_state *s, const char *guest_ip,
		   int tty, char *const cmd[]);
/* Same with a remote command line already written for sh (the caller quoted
 * what it inserted). */
char **tb_ssh_argv_sh(const struct tb_paths *p, const struct tb_state *s, const char *guest_ip,
		      const char *sh);

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t tb_now_ms(void);

#endif
