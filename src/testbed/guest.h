/* Guests of the testbed's Xen: their host-side records (dir/guests/NAME),
 * the choice of index, address and name, their xl.cfg (written through the
 * xl.cfg engine, src/xen/xlcfg.h), and creating and destroying them in dom0.
 * Each call returns 0 or a negative errno with e filled; none prints. */
#ifndef VMLAB_TESTBED_GUEST_H
#define VMLAB_TESTBED_GUEST_H

#include "base/sbuf.h"
#include "testbed/boot.h"
#include "testbed/tbconst.h"

struct tb_guest {
	char name[64];
	char type[8];            /* "pv", "pvh" or "hvm" */
	char ip[32];             /* TB_NET_PREFIX (TB_GUEST_HOST_BASE + index), or on a shared net
	                          * what tb_net_guest_ip gives */
	int index;               /* 1..TB_MAX_GUESTS-1, unique among the running guests */
	int host;                /* its testbed's index on a shared net (0 without one) */
	int bits;                /* prefix length of ip; 0: TB_NET_BITS */
	char gw[32];             /* its dom0's address; "": TB_DOM0_IP */
	int resets;              /* tb_guest_up: boots that ended in a reset before the ready marker */
	int pci;                 /* 1: it holds the testbed's passthrough NIC TB_PT_BDF */
};

/* What `guest up` asks for; zero memory_mib/timeout_s take the type's
 * default (tb_guest_defaults), NULL tsc_mode TB_TSC_MODE_DEFAULT. */
struct tb_guest_opts {
	const char *type;
	const char *name;        /* NULL or "": TYPE followed by the index */
	long memory_mib;
	long vcpus;
	long timeout_s;          /* until the guest's ready marker */
	const char *extra;       /* more kernel options; no quotes, backslashes or newlines */
	const char *tsc_mode;
	int pci;                 /* pass the passthrough NIC through (pv or hvm; testbed up --iommu) */
};

/* 1 when n is a usable guest name: 1..40 letters, digits, - and _,
 * starting with a letter or digit. */
int tb_guest_name_valid(const char *n);

/* 1 when t is "pv", "pvh" or "hvm". */
int tb_guest_type_valid(const char *t);

/* Fills the zero fields of o with the defaults of o->type (memory 256 MiB
 * for hvm, else 128; timeout 600 s for hvm, else 120; 1 vCPU; tsc_mode). */
void tb_guest_defaults(struct tb_guest_opts *o);

/* Reads the record of guest name. Returns 0 or -ENOENT. */
int tb_guest_load(const struct tb_paths *p, const char *name, struct tb_guest *g);

/* The records in directory order; returns how many (at most max). */
int tb_guest_list(const struct tb_paths *p, struct tb_guest *gs, int max);

/* Removes every guest record (the testbed went down or came up). */
void tb_guests_clear(const struct tb_paths *p);

/* Chooses g for a new guest among the n existing gs: the lowest free index,
 * its address (on the private network), name (o->name or TYPE+index) and
 * o->pci. Returns 0, -ENOSPC when every index is taken, -EEXIST when the
 * name is. */
int tb_guest_alloc(const struct tb_guest *gs, int n, const struct tb_guest_opts *o, struct tb_guest *g,
		   struct err *e);

/* The xl.cfg text of guest g with options o (defaults filled), appended to
 * out; written with the xl.cfg engine and parsed back before it is given.
 * A g->pci guest gets pci = [ TB_PT_BDF ] and, on its kernel command line,
 * vmlab.ptip=ADDR/N vmlab.ptmac=MAC (tb_net_pt_ip, tb_net_pt_mac of its
 * testbed g->host) for testbed/guest/rc. Returns 0 or -EINVAL (e says why:
 * a bad extra or tsc_mode, or a PVH guest with pci, which libxl refuses). */
int tb_guest_cfg(const struct tb_guest *g, const struct tb_guest_opts *o, struct sbuf *out, struct err *e);

/* Moves g onto the network of testbed s: address, prefix, gateway and the
 * host part of its MAC address (nothing changes for a testbed without a net). */
void tb_guest_place(const struct tb_state *s, struct tb_guest *g);

/* Checks that a guest of type with o->pci can be made now on testbed s,
 * whose n guests are gs: 0, or -EINVAL when s is not up with --iommu or type
 * is pvh, -EBUSY when a guest of gs holds the NIC (e names it). */
int tb_guest_pci_check(const struct tb_state *s, const struct tb_guest *gs, int n, const char *type,
		       struct err *e);

/* Creates the guest in dom0 of the running testbed s, waits until its ready
 * marker and its ssh answers, records it. g gets the guest; *took_ms how
 * long it took. With o->pci the NIC TB_PT_BDF is first made assignable
 * (xl pci-assignable-add, unless xl pci-assignable-list lists it) and after
 * boot xl pci-list must list it. Errors: -EPERM the testbed is bare, -ENOSPC
 * / -EEXIST from tb_guest_alloc, -EINVAL / -EBUSY from tb_guest_pci_check,
 * -EIO the guest did not come up (diag, when non-NULL, gets what dom0 said:
 * xl's messages and the guest's console tail) or the NIC could not be made
 * assignable or is not listed for the guest (which is then left up and
 * recorded), -EHOSTUNREACH it booted but its ssh does not answer. An HVM or
 * PVH guest whose domain is gone before its ready marker (a reset at boot:
 * under TCG's emulated SVM such a guest now and then triple-faults early in
 * its kernel's boot) is booted once more, up to TB_GUEST_MAX_RESETS times;
 * g->resets counts them. */
#define TB_GUEST_MAX_RESETS 2
int tb_guest_up(const struct tb_paths *p, const struct tb_state *s, const struct tb_guest_opts *o,
		struct tb_guest *g, uint64_t *took_ms, struct sbuf *diag, struct err *e);

/* Shuts guest g down (xl shutdown -w, destroy after 60 s) and forgets it.
 * Returns 0, or -EIO when it is still there. */
int tb_guest_down(const struct tb_paths *p, const struct tb_state *s, const struct tb_guest *g,
		  struct err *e);

#endif
