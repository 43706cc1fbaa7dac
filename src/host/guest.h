/* Guests on a Xen host (src/host/host.h): their xl.cfg (a vmlab guest from
 * the testbed's guest images, or the user's own file) with a shape written
 * in through the xl.cfg engine, created with `xl create`, read back with
 * `xl vcpu-list`, `xl sched-credit*` and `xl cpupool-list`, destroyed.
 * Every call returns 0 or a negative errno with e filled; none prints. */
#ifndef VMLAB_HOST_GUEST_H
#define VMLAB_HOST_GUEST_H

#include "base/sbuf.h"
#include "host/host.h"
#include "xen/xlcfg.h"

/* What a guest is given; 0 / NULL (cap: -1) leave the config's. */
struct guest_shape {
	long vcpus;
	long memory_mib;
	const char *cpus;        /* hard affinity, xl CPULIST */
	const char *cpus_soft;   /* soft affinity */
	long weight;             /* cpu_weight, 1..65535 */
	long cap;                /* 0..(vcpus * 100) */
	const char *pool;        /* cpupool name */
};

/* Sets the keys of s in c (vcpus, memory, cpus, cpus_soft, cpu_weight, cap, pool). */
int guest_shape_apply(struct xlcfg *c, const struct guest_shape *s, struct err *e);

/* The xl.cfg of a vmlab guest of type ("pv", "pvh", "hvm") named name on h:
 * the testbed's guest kernel and root (/var/lib/vmlab on the host), an
 * address TB_NET_PREFIX N with N free among the vmlab guests running there,
 * tsc_mode (NULL: TB_TSC_MODE_DEFAULT), shape s; into cfg, its address into
 * ip. */
int guest_vmlab_cfg(struct host *h, const char *type, const char *name, const char *tsc_mode,
		    const struct guest_shape *s, struct sbuf *cfg, char ip[32], struct err *e);

/* Makes sure h has the vmlab guest's kernel and root in /var/lib/vmlab:
 * copies the missing ones from this machine's testbed build (read back
 * after); -ENOENT (e says what to do) when neither has them. */
int guest_vmlab_files(struct host *h, const char *local_dir, struct err *e);

/* The user's config file, checked as `vmlab cfg check` does (its errors:
 * -EINVAL with "FILE:LINE:COL: ..."), its disks, kernel and ramdisk present
 * on h (-ENOENT "FILE:LINE:COL: disk 0: /x does not exist on HOST"),
 * shape s applied; into cfg. name gets its name=, type its type, ip the
 * address: address when non-NULL, else "vmlab.ip=A.B.C.D" in its extra=
 * (-EINVAL when neither says). */
int guest_user_cfg(struct host *h, const char *file, const char *address, const struct guest_shape *s,
		   struct sbuf *cfg, char name[64], char type[8], char ip[32], struct err *e);

/* The first "vmlab.ip=A.B.C.D" in text[0..len) (a kernel command line, xl
 * list -l's JSON), its address into ip; -ENOENT when there is none. */
int guest_ip_scan(const char *text, size_t len, char ip[32]);

/* The vmlab.ip= address of running domain name on h, however it was made
 * (its kernel command line, read with xl list -l); -ENOENT (e says which)
 * when no such domain runs or its command line has none. */
int guest_live_ip(struct host *h, const char *name, char ip[32], struct err *e);

/* Writes cfg to /tmp/vmlab-NAME.cfg on h and runs `xl create` on it. */
int guest_create(struct host *h, const char *name, const struct sbuf *cfg, struct err *e);

/* Runs `xl create` once more on the config guest_create wrote for name. */
int guest_recreate(struct host *h, const char *name, struct err *e);

/* Reads guest name's shape back (xl vcpu-list, xl sched-SCHED, xl
 * cpupool-list) into shape as "vcpus=N memory=M cpus=H cpus_soft=S
 * weight=W cap=C pool=P"; -EIO when a key of want differs from what xl
 * reports (e names it). */
int guest_readback(struct host *h, const char *name, const char *sched, const struct guest_shape *want,
		   struct sbuf *shape, struct err *e);

/* Destroys guest name on h (when it runs) and removes its config file. */
void guest_destroy(struct host *h, const char *name);

/* 1 while domain name exists on h. */
int guest_exists(struct host *h, const char *name);

#endif
