/* Live migration of a domain between two Xen hosts (host/host.h) with `xl
 * migrate`: what Xen cannot do is refused before anything is tried, the
 * transfer runs in the source's dom0 over a transport the target's dom0
 * accepts, a probe (`vmlab probe`, 1 ms ICMP echoes from the target's dom0)
 * measures the guest's downtime while it moves, and where the guest runs
 * afterwards is read back from both hosts. None of these prints. */
#ifndef VMLAB_HOST_MIGRATE_H
#define VMLAB_HOST_MIGRATE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/sbuf.h"
#include "host/host.h"
#include "xen/xl.h"

/* What migrate_check found: the domain, and how xl reaches the target. */
struct migrate_plan {
	char name[64];
	char type[8];              /* "pv", "pvh", "hvm" */
	int domid;                 /* on the source */
	long long memory_mib;      /* its maximum memory */
	bool local;                /* source and target are one host (xl's localhost migration) */
	char dest[128];            /* xl migrate's host argument: "root@10.0.1.1", or the receiver's
	                            * command for a local migration */
	char transport[256];       /* xl migrate -s: the command before "DEST xl migrate-receive";
	                            * "" for a local migration; NULL-like "" with ssh_default */
	bool ssh_default;          /* no -s: xl's own "ssh" */
	char key_path[64];         /* the testbed key put in the source's dom0 for dbclient, or "" */
	unsigned listen_port;      /* non-zero: migrate_run starts a one-shot receiver on the target
	                            * (nc -l -p PORT -e xl migrate-receive), dest is "nc IP PORT"
	                            * and transport "" (xl runs dest as the command) */
	char ip[32];               /* the guest's vmlab.ip= address, "" when it has none (no probe) */
	char src_xen[32], dst_xen[32];
	long long dst_free_mib;
};

/* The judgement of migrate_check on facts already read: domain name among
 * src_doms (xl list -l of the source) and not among dst_doms (unless
 * local); src's xl info must offer shadow paging (virt_caps "shadow") for
 * a PV domain, whose log-dirty mode needs it; no device passed through;
 * bridge_missing[k] true for NIC k whose bridge the target lacks; the
 * target's free memory (xl info free_memory) at least the domain's; its
 * Xen not older than the source's. Fills p's name, type, domid,
 * memory_mib, src_xen, dst_xen, dst_free_mib. Returns 0, -ENOENT (no such
 * domain on the source), -EEXIST (one of that name on the target) or
 * -EPERM for what Xen cannot do, e saying which and why. */
int migrate_judge(const char *name, const struct xl_dominfos *src_doms, const struct xl_info *src_info,
		  const struct xl_dominfos *dst_doms, const struct xl_info *dst_info, bool local,
		  const bool *bridge_missing, struct migrate_plan *p, struct err *e);

/* Reads the facts from both hosts (xl list -l, xl info, the bridges of the
 * domain's NICs on the target) and judges them; then chooses the
 * transport: between two testbeds on one shared net a plain TCP stream
 * (nc) to a one-shot receiver on the target dom0's address there (the
 * testbeds' private net; dbclient over it moved 0.4-0.8 MB/s under TCG,
 * nc about 0.85; the testbed key is still put into the source's dom0,
 * mode 0600, for a --transport "dbclient -y -y -i KEY");
 * to an ssh:USER@HOST target xl's own ssh to USER@HOST
 * (the source's dom0 must reach it); dest_override / transport_override
 * (NULL: none) replace what is chosen. dst_spec is the target's host spec
 * (local migration when it equals src's). Changes nothing on either host
 * except the key file. */
int migrate_check(struct host *src, struct host *dst, const char *dst_spec, const char *name,
		  const char *dest_override, const char *transport_override, struct migrate_plan *p,
		  struct err *e);

/* What one migration gave. */
struct migrate_result {
	bool ok;                   /* xl said "Migration successful." and the read-back agrees */
	int xl_status;             /* xl migrate's exit status */
	double total_s;            /* xl migrate's wall time in the source's dom0 */
	double start_epoch_s, end_epoch_s;   /* this host's wall clock around xl migrate
	                                      * (its ssh to the source included) */
	bool on_src, on_dst;       /* where a domain of that name runs afterwards */
	int dst_domid;             /* its domid on the target, -1 when not there */
	struct sbuf xl_out;        /* xl migrate's output (stdout and stderr) */
	bool probed;               /* a probe ran; its JSON summary in probe_json */
	struct sbuf probe_json;
	char probe_error[256];     /* why there is no probe summary, "" when there is */
};

/* Migrates as p says: when probe_host is non-NULL and p->ip is set, runs
 * `vmlab probe IP --interval INTERVAL --stop-file F --json` there from
 * lead_ms before xl migrate until tail_ms after it; with p->listen_port
 * starts the receiver on dst (and stops it if it is still there after a
 * failure); then xl migrate in the source's dom0 (timeout_s at most),
 * then reads back where the domain runs. Returns 0 when xl migrate ran (whatever its outcome: r says),
 * else a negative errno (e). r is migrate_result_free'd by the caller. */
int migrate_run(struct host *src, struct host *dst, struct host *probe_host, const struct migrate_plan *p,
		uint64_t interval_ns, uint64_t lead_ms, uint64_t tail_ms, long timeout_s,
		struct migrate_result *r, struct err *e);

void migrate_result_free(struct migrate_result *r);

#endif
