/* The testbed's fixed facts, defined once. The C side uses these macros; the
 * shell side (testbed/dom0/rc, testbed/guest/rc, testbed/dom0/guest-wait)
 * reads the same values from /etc/vmlab/testbed.env, which tb_const_env
 * writes and testbed/build.sh copies into both images. */
#ifndef VMLAB_TESTBED_TBCONST_H
#define VMLAB_TESTBED_TBCONST_H

#include "base/sbuf.h"

#define TB_NET_PREFIX "10.0.0."           /* the guests' network behind dom0's bridge */
#define TB_NET_BITS 24
#define TB_DOM0_IP TB_NET_PREFIX "1"       /* dom0 on the bridge: the guests' gateway */
#define TB_GUEST_HOST_BASE 10              /* guest index i has TB_NET_PREFIX (BASE + i) */
#define TB_MAX_GUESTS 200                  /* guest indexes are 1..TB_MAX_GUESTS-1 */
#define TB_BRIDGE "xenbr0"
/* Testbeds on one shared net (testbed/net.h) share one flat network: the
 * testbed with index k there has dom0 TB_SHARED_NET_PREFIX k ".1" and guests
 * TB_SHARED_NET_PREFIX k "." (TB_GUEST_HOST_BASE + i), all /TB_SHARED_NET_BITS. */
#define TB_SHARED_NET_PREFIX "10.0."
#define TB_SHARED_NET_BITS 16
#define TB_SHARED_NET_HOSTS 200            /* indexes k are 0..TB_SHARED_NET_HOSTS-1 */
/* PCI passthrough (testbed up --iommu, guest up --pci): the NIC meant for it
 * is an e1000e at this BDF in dom0 (QEMU addr=TB_PT_QEMU_ADDR on bus 0: never
 * 00:02.0, which qemu-xen takes for Intel graphics in an HVM guest). Its wire
 * is the testbed's shared net, where the guest holding it has
 * TB_SHARED_NET_PREFIX k "." TB_PT_GUEST_HOST /TB_SHARED_NET_BITS (above every
 * TB_GUEST_HOST_BASE + i). */
#define TB_PT_BDF "0000:00:05.0"
#define TB_PT_QEMU_ADDR "0x5"
#define TB_PT_GUEST_HOST 250
#define TB_READY_MARKER "vmlab-testbed: ready"   /* dom0's (or bare's) console when ssh answers */
#define TB_GUEST_READY_MARKER "vmlab-guest: ready" /* a guest's console when its ssh answers */
/* The emulated CPU has no invariant TSC, so Xen's default mode traps every
 * RDTSC, and Linux 6.1 runs one on each return to user mode (kernel stack
 * offset randomization): every system call and page fault would exit to Xen.
 * Hosts with an invariant TSC run it natively; "native" does that here too. */
#define TB_TSC_MODE_DEFAULT "native"
/* Kernel options for dom0, the bare baseline and the guests: trust the
 * (emulated) RDRAND so ssh need not wait for entropy, skip the crypto
 * self-tests that are slow under emulation. */
#define TB_KERNEL_OPTS "random.trust_cpu=on cryptomgr.notests"

/* Appends the shell side's copy of these facts to out: KEY=VALUE lines that
 * sh can source (values quoted with shquote). */
void tb_const_env(struct sbuf *out);

#endif
