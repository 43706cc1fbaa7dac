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

struct tb_paths {
	char home[PATH_MAX];     /* $VMLAB_HOME, default ~/.cache/vmlab */
	char dir[PATH_MAX];      /* home/testbed: images, key, state, logs */
	char data[PATH_MAX];     /* the folder holding build.sh (see tb_paths_get) */
};

/* Fills p: home from $VMLAB_HOME (else $HOME/.cache/vmlab), data from
 * $VMLAB_DATADIR/testbed (else the source tree's testbed/ compiled in, else
 * PREFIX/share/vmlab/testbed). Returns 0, or -ENOENT (e names what is
 * missing) when no folder holds build.sh. Creates nothing. */
int tb_paths_get(struct tb_paths *p, struct err *e);

/* A running testbed as `up` recorded it in dir/state. */
struct tb_state {
	pid_t pid;               /* QEMU */
	int port;                /* loopback port forwarded to dom0's ssh */
	char mode[8];            /* "xen" or "bare" */
	char accel[8];           /* "kvm" or "tcg" */
	char log[PATH_MAX];      /* QEMU's serial console: Xen and dom0 messages */
};

/* Parses the KEY=VALUE lines of a state file, text[0..len) (name labels
 * messages "NAME:LINE:COL: ..."). Unknown keys are ignored; pid and port
 * are required. Returns 0 or -EBADMSG (s is then unspecified). */
int tb_state_parse(const char *text, size_t len, const char *name, struct tb_state *s, struct err *e);

/* Reads dir/state. Returns 0, -ENOENT when there is none, -EBADMSG when it
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
