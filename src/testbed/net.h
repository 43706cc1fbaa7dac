/* Shared nets of testbeds: testbeds started with the same --net NAME get a
 * second NIC on one virtual Ethernet (a QEMU multicast socket netdev on
 * 127.0.0.1, no host privileges), bridged onto xenbr0 in dom0, and distinct
 * addresses on it (testbed/tbconst.h). A testbed without a net keeps the
 * private TB_NET_PREFIX network. None of these prints. */
#ifndef VMLAB_TESTBED_NET_H
#define VMLAB_TESTBED_NET_H

#include <stddef.h>

#include "base/err.h"
#include "testbed/testbed.h"

/* Checks the argument of --net: a name as tb_name_valid takes. Returns 0 or
 * -EINVAL (e says which forms there are). */
int tb_net_check(const char *arg, struct err *e);

/* The multicast group "239.193.X.Y:PORT" of net in home (the VMLAB_HOME
 * folder): the same net name in another home is another net. */
void tb_net_group(const char *home, const char *net, char *buf, size_t n);

/* The MAC address of the NIC of the testbed with index k on its net. */
void tb_net_mac(int k, char *buf, size_t n);

/* The MAC address of the passthrough NIC (up --iommu) of the testbed with
 * index k on its net: never one tb_net_mac gives. */
void tb_net_pt_mac(int k, char *buf, size_t n);

/* The address (without prefix length, which is TB_SHARED_NET_BITS) the guest
 * holding the passthrough NIC of the testbed with index k gets on its net. */
void tb_net_pt_ip(int k, char *buf, size_t n);

/* Addresses of testbed s: dom0's (without prefix length), guest index i's,
 * and the prefix length of both: TB_DOM0_IP etc. when s has no net. */
void tb_net_dom0_ip(const struct tb_state *s, char *buf, size_t n);
void tb_net_guest_ip(const struct tb_state *s, int i, char *buf, size_t n);
int tb_net_bits(const struct tb_state *s);

/* The lowest index no running testbed of p's home on net has (testbed
 * p->name itself not counted). Returns it, or -ENOSPC when all are taken.
 * The caller holds tb_lock so that no other `up` chooses at the same time. */
int tb_net_pick(const struct tb_paths *p, const char *net, struct err *e);

/* Takes the home's lock (dir/up.lock) that `up` holds while it chooses a
 * testbed's name, port and index and starts its QEMU; waits for it. Returns
 * the descriptor to give to tb_unlock, or a negative errno. */
int tb_lock(const struct tb_paths *p, struct err *e);
void tb_unlock(int fd);

#endif
