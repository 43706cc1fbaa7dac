/* Summaries of a xentrace file (xen/xentrace.h) as xenalyze --summary
 * accounts them: per domain and vCPU the VM exits by reason (an exit is
 * counted when it closes: at the next VM entry or when its vCPU becomes
 * runnable), HVM handler events, PV hypercalls by number, runstate time,
 * scheduler switches and lost records. The vCPU a record belongs to is the
 * one its physical CPU runs, known from the runstate-change records. */
#ifndef VMLAB_XEN_XTSUM_H
#define VMLAB_XEN_XTSUM_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/sbuf.h"
#include "xen/xentrace.h"

/* How exit codes are named: SVM's VMEXIT_* (AMD) or VMX's basic exit
 * reasons (Intel). Xen 4.17 writes both with the same event IDs. */
enum xt_vendor { XT_SVM, XT_VMX };

#define XT_EXIT_MAX 1025          /* SVM: VMEXIT_NPF is 1024 */
#define XT_HYPERCALL_MAX 64
#define XT_IDLE_DOMAIN 32767

/* The name of exit code reason, or NULL when it has none (xenalyze
 * prints the number then). */
const char *xt_exit_name(enum xt_vendor v, unsigned reason);

/* The name of PV hypercall op ("mmu_update"), or NULL. */
const char *xt_hypercall_name(unsigned op);

/* HVM handler events (TRC_HVM_HANDLER), counted per vCPU. */
enum xt_handler {
	XT_H_CPUID, XT_H_MSR_READ, XT_H_MSR_WRITE, XT_H_IO_READ, XT_H_IO_WRITE, XT_H_MMIO_READ,
	XT_H_MMIO_WRITE, XT_H_NPF, XT_H_PF_XEN, XT_H_HLT, XT_H_INTR, XT_H_INTR_WINDOW, XT_H_VMMCALL,
	XT_H_INJ_EXC, XT_H_INJ_VIRQ, XT_H_CR_READ, XT_H_CR_WRITE, XT_H_INVLPG, XT_H_RDTSC, XT_H_N
};
/* "cpuid", "msr_read", ... */
const char *xt_handler_name(enum xt_handler h);

/* Runstates as Xen's (0..3) and the time xenalyze cannot place. */
enum xt_runstate { XT_RS_RUNNING, XT_RS_RUNNABLE, XT_RS_BLOCKED, XT_RS_OFFLINE, XT_RS_LOST, XT_RS_N };
const char *xt_runstate_name(enum xt_runstate s);

/* A count and the cycles it took. */
struct xt_cyc {
	uint64_t count;
	uint64_t cycles;
};

struct xt_vcpu {
	int vcpu;
	bool hvm, pv;                        /* which records it had */
	struct xt_cyc exit[XT_EXIT_MAX];
	uint64_t handler[XT_H_N];
	uint64_t hypercall[XT_HYPERCALL_MAX];
	uint64_t hypercall_other;            /* op >= XT_HYPERCALL_MAX */
	struct xt_cyc runstate[XT_RS_N];
	uint64_t switches_in;                /* TRC_SCHED_SWITCH with it as next */
};

struct xt_domain {
	int domid;
	int nvcpus;                          /* highest vCPU id + 1 */
	struct xt_vcpu **vcpu;               /* [nvcpus], NULL where never seen */
};

struct xt_summary {
	enum xt_vendor vendor;
	uint64_t records;                    /* records walked (CPU changes excluded) */
	uint64_t lost_events;                /* TRC_LOST_RECORDS records */
	uint64_t lost;                       /* records they say were lost */
	uint64_t switches;                   /* TRC_SCHED_SWITCH records */
	uint64_t first_tsc, last_tsc;
	int ncpus;
	int ndomains;
	struct xt_domain *domains;           /* by domid, the default domain left out */
};

/* Walks f and fills *out (xt_summary_free it). Returns 0; the file was
 * checked when it was opened. */
int xt_summarize(const struct xt_file *f, enum xt_vendor v, struct xt_summary **out, struct err *e);
void xt_summary_free(struct xt_summary *s);

/* Total cycles of vCPU v's runstates: the time it was seen. */
uint64_t xt_vcpu_cycles(const struct xt_vcpu *v);

/* s as one JSON object (cpu_hz turns cycles into seconds):
 * {"cpu_hz":…, "records":…, "lost":…, "domains":[{"domid":…, "vcpus":[{"vcpu":…,
 * "exits":{"NAME":{"count":…,"cycles":…}}, "runstates":{"running":{"count":…,
 * "cycles":…}, …}, "handlers":{…}, "hypercalls":{…}, "switches_in":…}]}]}. */
void xt_summary_json(const struct xt_summary *s, double cpu_hz, struct sbuf *out);

/* s as text tables, one block per domain and vCPU. */
void xt_summary_text(const struct xt_summary *s, double cpu_hz, struct sbuf *out);

#endif
