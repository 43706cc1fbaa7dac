/* Names of exit codes (SVM VMCB exit codes, VMX basic exit reasons),
 * PV hypercalls, HVM handler events and runstates, spelled as xenalyze
 * spells them. */
#include <stdio.h>

#include "xen/xtsum.h"

/* SVM exit codes 96..140 (AMD APM vol. 2, appendix C). */
static const char *const svm_named[] = {
	"VMEXIT_INTR", "VMEXIT_NMI", "VMEXIT_SMI", "VMEXIT_INIT", "VMEXIT_VINTR",
	"VMEXIT_CR0_SEL_WRITE", "VMEXIT_IDTR_READ", "VMEXIT_GDTR_READ", "VMEXIT_LDTR_READ",
	"VMEXIT_TR_READ", "VMEXIT_IDTR_WRITE", "VMEXIT_GDTR_WRITE", "VMEXIT_LDTR_WRITE",
	"VMEXIT_TR_WRITE", "VMEXIT_RDTSC", "VMEXIT_RDPMC", "VMEXIT_PUSHF", "VMEXIT_POPF",
	"VMEXIT_CPUID", "VMEXIT_RSM", "VMEXIT_IRET", "VMEXIT_SWINT", "VMEXIT_INVD", "VMEXIT_PAUSE",
	"VMEXIT_HLT", "VMEXIT_INVLPG", "VMEXIT_INVLPGA", "VMEXIT_IOIO", "VMEXIT_MSR",
	"VMEXIT_TASK_SWITCH", "VMEXIT_FERR_FREEZE", "VMEXIT_SHUTDOWN", "VMEXIT_VMRUN",
	"VMEXIT_VMMCALL", "VMEXIT_VMLOAD", "VMEXIT_VMSAVE", "VMEXIT_STGI", "VMEXIT_CLGI",
	"VMEXIT_SKINIT", "VMEXIT_RDTSCP", "VMEXIT_ICEBP", "VMEXIT_WBINVD", "VMEXIT_MONITOR",
	"VMEXIT_MWAIT", "VMEXIT_MWAIT_CONDITIONAL",
};

/* Exceptions 0..19 by mnemonic; 15 and 20..31 by number. */
static const char *const svm_exc[] = {
	"DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "09", "TS", "NP", "SS", "GP", "PF",
	"15", "MF", "AC", "MC", "XF",
};

/* Generated names of the regular ranges 0..95, built once. */
static char svm_gen[96][24];

static const char *svm_name(unsigned r)
{
	if (r < 96) {
		char *b = svm_gen[r];
		if (!b[0]) {
			if (r < 64)
				snprintf(b, sizeof(svm_gen[r]), "VMEXIT_%s%u_%s", r < 32 ? "CR" : "DR", r % 16,
					 (r % 32) < 16 ? "READ" : "WRITE");
			else if (r - 64 < sizeof(svm_exc) / sizeof(svm_exc[0]))
				snprintf(b, sizeof(svm_gen[r]), "VMEXIT_EXCEPTION_%s", svm_exc[r - 64]);
			else
				snprintf(b, sizeof(svm_gen[r]), "VMEXIT_EXCEPTION_%u", r - 64);
		}
		return b;
	}
	if (r - 96 < sizeof(svm_named) / sizeof(svm_named[0]))
		return svm_named[r - 96];
	return r == 1024 ? "VMEXIT_NPF" : NULL;
}

/* VMX basic exit reasons (Intel SDM vol. 3, appendix C). */
static const char *const vmx_names[] = {
	[0] = "EXCEPTION_NMI", [1] = "EXTERNAL_INTERRUPT", [2] = "TRIPLE_FAULT", [3] = "INIT",
	[4] = "SIPI", [5] = "IO_SMI", [6] = "OTHER_SMI", [7] = "PENDING_INTERRUPT",
	[8] = "PENDING_VIRT_NMI", [9] = "TASK_SWITCH", [10] = "CPUID", [11] = "GETSEC", [12] = "HLT",
	[13] = "INVD", [14] = "INVLPG", [15] = "RDPMC", [16] = "RDTSC", [17] = "RSM", [18] = "VMCALL",
	[19] = "VMCLEAR", [20] = "VMLAUNCH", [21] = "VMPTRLD", [22] = "VMPTRST", [23] = "VMREAD",
	[24] = "VMRESUME", [25] = "VMWRITE", [26] = "VMOFF", [27] = "VMON", [28] = "CR_ACCESS",
	[29] = "DR_ACCESS", [30] = "IO_INSTRUCTION", [31] = "MSR_READ", [32] = "MSR_WRITE",
	[33] = "INVALID_GUEST_STATE", [34] = "MSR_LOADING", [36] = "MWAIT_INSTRUCTION",
	[37] = "MONITOR_TRAP_FLAG", [39] = "MONITOR_INSTRUCTION", [40] = "PAUSE_INSTRUCTION",
	[41] = "MACHINE_CHECK", [43] = "TPR_BELOW_THRESHOLD", [44] = "APIC_ACCESS",
	[48] = "EPT_VIOLATION", [49] = "EPT_MISCONFIG", [50] = "INVEPT", [51] = "RDTSCP",
	[52] = "VMX_PREEMPTION_TIMER_EXPIRED", [53] = "INVVPID", [54] = "WBINVD", [55] = "XSETBV",
};

const char *xt_exit_name(enum xt_vendor v, unsigned reason)
{
	if (v == XT_SVM)
		return svm_name(reason);
	return reason < sizeof(vmx_names) / sizeof(vmx_names[0]) ? vmx_names[reason] : NULL;
}

/* Hypercall numbers of xen/include/public/xen.h. */
static const char *const hc_names[] = {
	[0] = "set_trap_table", [1] = "mmu_update", [2] = "set_gdt", [3] = "stack_switch",
	[4] = "set_callbacks", [5] = "fpu_taskswitch", [6] = "sched_op(compat)", [7] = "platform_op",
	[8] = "set_debugreg", [9] = "get_debugreg", [10] = "update_descriptor", [12] = "memory_op",
	[13] = "multicall", [14] = "update_va_mapping", [15] = "set_timer_op",
	[16] = "evtchn_op(compat)", [17] = "xen_version", [18] = "console_io",
	[19] = "physdev_op(compat)", [20] = "grant_table_op", [21] = "vm_assist",
	[22] = "update_va_mapping_otherdomain", [23] = "iret", [24] = "vcpu_op",
	[25] = "set_segment_base", [26] = "mmuext_op", [27] = "xsm_op", [28] = "nmi_op",
	[29] = "sched_op", [30] = "callback_op", [31] = "xenoprof_op", [32] = "evtchn_op",
	[33] = "physdev_op", [34] = "hvm_op", [35] = "sysctl", [36] = "domctl", [37] = "kexec_op",
	[38] = "tmem_op", [39] = "argo_op", [40] = "xenpmu_op", [41] = "dm_op",
	[42] = "hypfs_op",
};

const char *xt_hypercall_name(unsigned op)
{
	return op < sizeof(hc_names) / sizeof(hc_names[0]) ? hc_names[op] : NULL;
}

static const char *const handler_names[XT_H_N] = {
	[XT_H_CPUID] = "cpuid", [XT_H_MSR_READ] = "msr_read", [XT_H_MSR_WRITE] = "msr_write",
	[XT_H_IO_READ] = "io_read", [XT_H_IO_WRITE] = "io_write", [XT_H_MMIO_READ] = "mmio_read",
	[XT_H_MMIO_WRITE] = "mmio_write", [XT_H_NPF] = "npf", [XT_H_PF_XEN] = "pf_xen",
	[XT_H_HLT] = "hlt", [XT_H_INTR] = "intr", [XT_H_INTR_WINDOW] = "intr_window",
	[XT_H_VMMCALL] = "vmcall", [XT_H_INJ_EXC] = "inj_exc", [XT_H_INJ_VIRQ] = "inj_virq",
	[XT_H_CR_READ] = "cr_read", [XT_H_CR_WRITE] = "cr_write", [XT_H_INVLPG] = "invlpg",
	[XT_H_RDTSC] = "rdtsc",
};

const char *xt_handler_name(enum xt_handler h)
{
	return handler_names[h];
}

static const char *const rs_names[XT_RS_N] = { "running", "runnable", "blocked", "offline", "lost" };

const char *xt_runstate_name(enum xt_runstate s)
{
	return rs_names[s];
}
