/* A scheduling setting made to last across guest and host restarts: the
 * keys of the guests' xl.cfg files (cpu_weight, cap, cpus, cpus_soft,
 * pool), cpupool config files (xl cpupool-create format) and a boot unit
 * that recreates the pools; and the comparison of what persists with what
 * is live. The text functions here touch no host; persist_host.c moves
 * files on a host with backups and puts them back on failure. */
#ifndef VMLAB_SCHED_PERSIST_H
#define VMLAB_SCHED_PERSIST_H

#include <stdbool.h>

#include "base/err.h"
#include "base/sbuf.h"
#include "sched/sched.h"
#include "xen/xlcfg.h"

struct host;

#define PERSIST_CFG_DIR "/etc/xen/vmlab"        /* default: GUEST.cfg, cpupool-POOL.cfg */
#define PERSIST_BOOT_D "/etc/vmlab/boot.d"      /* the testbed dom0's rc runs these at boot */
#define PERSIST_UNIT "vmlab-cpupools"           /* the boot unit's name */
#define PERSIST_SYSTEMD_DIR "/etc/systemd/system"
#define PERSIST_BAK ".vmlab-bak"                /* suffix of a backup */
#define PERSIST_MANIFEST "qos-persist.list"     /* in the cfg folder: what the last persist wrote */
#define PERSIST_MAX_POOLS 16

/* The knobs an xl.cfg holds. */
#define PERSIST_KNOBS (SCHED_K_WEIGHT | SCHED_K_CAP | SCHED_K_CPUS | SCHED_K_SOFT | SCHED_K_POOL)

/* Sets the keys of the knobs of s that PERSIST_KNOBS names in c
 * (cpu_weight, cap as numbers; cpus, cpus_soft, pool as strings), each in
 * place (xlcfg_set). Other knobs are left out. 0 or -EINVAL. */
int persist_cfg_put(struct xlcfg *c, const struct sched_setting *s, struct err *e);

/* Reads the keys persist_cfg_put writes from c into *s (s->set names the
 * keys present). A key of the wrong kind (cap = "x", a per-vCPU list for
 * cpus) is -EINVAL with FILE:LINE:COL; values out of range too. */
int persist_cfg_get(const struct xlcfg *c, struct sched_setting *s, struct err *e);

/* A cpupool as it persists. */
struct persist_pool {
	char name[64];
	char sched[16];               /* credit, credit2 */
	char cpus[SCHED_CPUS_MAX];    /* CPULIST */
};

/* Parses a cpupool config (name, sched, cpus as a string or a list of
 * numbers) of len bytes; what labels messages (its path). -EINVAL with
 * WHAT:LINE:COL when it does not parse or a key is missing or bad. */
int persist_pool_parse(const char *what, const char *text, size_t len, struct persist_pool *p, struct err *e);

/* Decides what pool=NAME of a setting needs on a host in state cur (any
 * domain's: its pools and nr_cpus): *create 0 when pool name exists (cpus,
 * when non-NULL, must then name exactly its CPUs), 1 when it does not and
 * cpus (required then) can make it: CPUs the host has, all in Pool-0, and
 * Pool-0 keeps one. -EINVAL naming the CPU and the pool it overlaps
 * otherwise; nothing is changed. */
int persist_pool_check(const struct sched_state *cur, const char *name, const char *cpus, int *create,
		       struct err *e);

/* The boot unit's script (sh): for each pool, moves its CPUs out of
 * Pool-0 and creates it from cfg_dir/cpupool-NAME.cfg, so it exists
 * before any guest starts. The same pools give the same bytes. */
void persist_boot_script(const struct persist_pool *pools, int n, const char *cfg_dir, struct sbuf *out);

/* A systemd unit that runs script once at boot, after xencommons and
 * before xendomains. */
void persist_systemd_unit(const char *script, struct sbuf *out);

/* The path of file name in dir into out (size n): "DIR/NAME". -ENAMETOOLONG
 * when it does not fit. */
int persist_path(char *out, size_t n, const char *dir, const char *name, struct err *e);

/* Compares what guest's xl.cfg persists (file: persist_cfg_get's; a key
 * absent means Xen's default: weight 256, cap 0, cpus and cpus_soft all,
 * pool Pool-0) with its live state, knob by knob (CPU lists as sets, every
 * vCPU's own). Appends one line per knob to out, "  KNOB live X persisted
 * Y", ending " DIFFERS" where they differ. Returns how many differ. */
int persist_diff(const struct sched_setting *file, const struct sched_state *live, struct sbuf *out);

/* A manifest: the files the last persist wrote, one "STATE\tPATH" a line,
 * STATE new (there was no file: undo removes it), changed (the previous
 * bytes are in PATH.vmlab-bak) or same (left as it was). */
enum persist_fstate { PERSIST_NEW, PERSIST_CHANGED, PERSIST_SAME };

struct persist_manifest {
	int n;
	struct persist_entry {
		enum persist_fstate state;
		char path[512];
	} e[64];
};

/* Parses a manifest of len bytes; what labels messages. -EINVAL with
 * WHAT:LINE:COL for a line that is not STATE TAB /ABSOLUTE/PATH (no
 * control bytes), too many lines or too long a path. */
int persist_manifest_parse(const char *what, const char *text, size_t len, struct persist_manifest *m,
			   struct err *e);

/* Appends m in the form persist_manifest_parse reads. */
void persist_manifest_format(const struct persist_manifest *m, struct sbuf *out);

/* ---- files on a host (persist_host.c) ---- */

/* A file to replace on a host: old is what is there now (exists false:
 * nothing), new what goes there. */
struct persist_file {
	char path[512];
	bool exists;
	bool exec;                    /* mode 0755 rather than 0644 */
	bool earlier;                 /* an earlier persist, not undone, holds its first state */
	struct sbuf old, new;
};

/* Reads path on h into f->old (f->exists false when there is no such
 * file), sets f->path. 0 or a negative errno (-EIO: it could not be read). */
int persist_file_load(struct host *h, const char *path, struct persist_file *f, struct err *e);
void persist_file_free(struct persist_file *f);

/* Writes the files f[0..n) whose new bytes differ from old: the old bytes
 * first to PATH.vmlab-bak, then the new ones, each read back; then the
 * manifest to manifest_path. A manifest there already (an earlier persist
 * not undone) is merged: a file it lists as new or changed keeps that
 * state and its backup, so one undo puts back what was there before the
 * first of them. On any failure every file written is put back as it was
 * (this commit's backups removed, the manifest as it was) and the error
 * says whether that worked. */
int persist_files_commit(struct host *h, struct persist_file *f, int n, const char *manifest_path,
			 struct err *e);

/* Undoes the last commit recorded in manifest_path: changed files get
 * their backup back, new ones are removed, then the manifest. Appends one
 * line per file to out. -ENOENT when there is no manifest. */
int persist_undo(struct host *h, const char *manifest_path, struct sbuf *out, struct err *e);

/* How h starts things at boot. */
enum persist_boot { PERSIST_BOOT_NONE, PERSIST_BOOT_RC, PERSIST_BOOT_SYSTEMD };

/* PERSIST_BOOT_RC for a vmlab testbed's dom0 (its /etc/vmlab/rc runs
 * /etc/vmlab/boot.d), SYSTEMD when systemd runs there, else NONE. */
int persist_boot_kind(struct host *h, enum persist_boot *kind, struct err *e);

/* The cpupool configs cfg_dir/cpupool-*.cfg on h, parsed, into
 * pools[0..*n) (at most PERSIST_MAX_POOLS), sorted by name. */
int persist_pools_load(struct host *h, const char *cfg_dir, struct persist_pool *pools, int *n, struct err *e);

/* A runner (sched.h) that runs argvs on h (60 s each); h must outlive it. */
void persist_runner(struct sched_runner *r, struct host *h);

#endif
