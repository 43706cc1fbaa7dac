/* Running Xen's `xl` (argv only) and parsing what it prints: `xl list`,
 * `xl list -l` (JSON), `xl info`, `xl sched-credit`, `xl sched-credit2`,
 * `xl vcpu-list`, `xl cpupool-list [-c]` and `xl pci-list`, in the formats of
 * tools/xl (Xen 4.17). */
#ifndef VMLAB_XEN_XL_H
#define VMLAB_XEN_XL_H

#include <stddef.h>

#include "base/err.h"
#include "base/sbuf.h"

/* Every parser takes text[0..len) of one command's standard output; name
 * labels messages ("NAME:LINE:COL: ..."). On failure it returns -EBADMSG,
 * fills e and leaves *out untouched. Results are owned by the caller and
 * released with the matching *_free. */

/* One row of `xl list`. */
struct xl_domain {
	char *name;
	int domid;
	unsigned long mem_mib;   /* current + outstanding, MiB */
	int vcpus;               /* online vCPUs */
	char state[7];           /* "r-----": r b p s <reason> d */
	double cpu_s;            /* CPU time, seconds */
};

struct xl_domains {
	size_t n;
	struct xl_domain *d;
};

int xl_parse_list(const char *text, size_t len, const char *name, struct xl_domains *out,
		  struct err *e);
void xl_domains_free(struct xl_domains *l);

/* A disk of a domain as `xl list -l` reports it (config.disks[]). */
struct xl_disk {
	char *pdev_path;         /* target: file, device or "" (e.g. empty CD-ROM) */
	char *vdev;              /* "xvda", "hda", ... or "" */
};

/* One element of the `xl list -l` JSON array. */
struct xl_dominfo {
	int domid;               /* -1 when "domid" is null */
	char *name;              /* config.c_info.name, "" when absent */
	char *type;              /* config.c_info.type ("pv", "pvh", "hvm"), "" when absent */
	size_t ndisks;
	struct xl_disk *disks;
	long long memory_kib;    /* config.b_info.max_memkb (else target_memkb), -1 when absent */
	size_t npci;             /* config.pcidevs[]: devices passed through */
	size_t nnics;
	char **bridges;          /* config.nics[].bridge, "" when a NIC names none */
};

struct xl_dominfos {
	size_t n;
	struct xl_dominfo *d;
};

/* Empty output (no domain could be described) is an empty list. */
int xl_parse_list_json(const char *text, size_t len, const char *name, struct xl_dominfos *out,
		       struct err *e);
void xl_dominfos_free(struct xl_dominfos *l);

/* `xl info`: "key : value" lines, in order. Values keep inner spaces;
 * virt_caps may be empty. */
struct xl_info {
	size_t n;
	char **keys;
	char **values;
};

int xl_parse_info(const char *text, size_t len, const char *name, struct xl_info *out,
		  struct err *e);
/* The value of key, or NULL. Owned by i. */
const char *xl_info_get(const struct xl_info *i, const char *key);
void xl_info_free(struct xl_info *i);

/* `xl sched-credit` and `xl sched-credit2`: one block per cpupool. */
struct xl_sched_dom {
	char *name;
	int domid;
	int weight;
	int cap;
};

struct xl_sched_pool {
	char *pool;              /* "Pool-0" */
	/* -1 when not printed ("[sched params unavailable]"; credit2 has
	 * only ratelimit) */
	int tslice_ms;           /* credit only */
	int ratelimit_us;
	int migration_delay_us;  /* credit only; -1 for credit2 */
	size_t ndoms;
	struct xl_sched_dom *doms;
};

struct xl_sched {
	size_t npools;
	struct xl_sched_pool *pools;
};

int xl_parse_sched(const char *text, size_t len, const char *name, struct xl_sched *out,
		   struct err *e);
void xl_sched_free(struct xl_sched *s);

/* One row of `xl vcpu-list`. */
struct xl_vcpu {
	char *name;
	int domid;
	int vcpu;
	int cpu;                 /* -1 when shown as '-' (offline) */
	char state[4];           /* "r--", "-b-", "--p" */
	double cpu_s;
	char *hard;              /* hard affinity: "all", "none", "0-3,5" */
	char *soft;              /* soft affinity */
};

struct xl_vcpus {
	size_t n;
	struct xl_vcpu *v;
};

int xl_parse_vcpu_list(const char *text, size_t len, const char *name, struct xl_vcpus *out,
		       struct err *e);
void xl_vcpus_free(struct xl_vcpus *l);

/* One row of `xl cpupool-list` ("Name CPUs Sched Active Domain count") or
 * of `xl cpupool-list -c` ("Name CPU list"). */
struct xl_cpupool {
	char *name;
	int ncpus;               /* -1 from -c */
	char sched[16];          /* "credit2", ...; "" from -c */
	int active;              /* 1 for 'y', 0 for 'n'; -1 from -c */
	int ndoms;               /* -1 from -c */
	char *cpus;              /* "0,1" from -c ("" for none), NULL without -c */
};

struct xl_cpupools {
	size_t n;
	struct xl_cpupool *p;
};

/* Either form, told apart by the header. */
int xl_parse_cpupool_list(const char *text, size_t len, const char *name, struct xl_cpupools *out,
			  struct err *e);
void xl_cpupools_free(struct xl_cpupools *l);

/* One row of `xl pci-list DOMAIN` ("%02x.%01x %04x:%02x:%02x.%01x" under the
 * header "Vdev Device", tools/xl/xl_pci.c): a device passed through. */
struct xl_pcidev {
	unsigned vslot, vfunc;            /* where the guest sees it (00.0 for a PV guest) */
	unsigned domain, bus, dev, func;  /* the host's (dom0's) BDF */
};

struct xl_pcidevs {
	size_t n;
	struct xl_pcidev *d;
};

/* xl prints nothing, not even the header, for a domain without devices:
 * empty (or blank) text is an empty list. */
int xl_parse_pci_list(const char *text, size_t len, const char *name, struct xl_pcidevs *out,
		      struct err *e);
void xl_pcidevs_free(struct xl_pcidevs *l);

/* 1 when l holds the host device bdf ("DDDD:BB:DD.F", hex, any case), else
 * 0 (also for a bdf that is not of that form). */
int xl_pcidevs_has(const struct xl_pcidevs *l, const char *bdf);

/* Runs `xl ARGS...` (args[0] is the first argument after "xl"; NULL
 * terminated) with a timeout, capturing stdout into out. A non-zero exit
 * status is -EIO with xl's first line of stderr in e. -ENOENT when xl is
 * not installed. */
int xl_run(char *const args[], struct sbuf *out, struct err *e);

/* 0 when `xl` is installed and can talk to a hypervisor (`xl info` works),
 * else a negative errno with the reason in e. */
int xl_usable(struct err *e);

/* Domains (by name) whose disks use path: a disk's pdev_path names the same
 * file or device as path (same device and inode when both exist, else the
 * same text). *users gets a malloc'd NULL-terminated array of
 * "NAME (domain ID, disk VDEV)" strings, caller frees each and the array. */
int xl_disk_users(const struct xl_dominfos *l, const char *path, char ***users);

#endif
