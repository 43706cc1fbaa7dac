/* Running commands and copying files in the testbed's dom0 (or its bare
 * machine) and in its guests, over ssh. Each call returns 0 or a negative
 * errno with e filled; none prints. */
#ifndef VMLAB_TESTBED_EXEC_H
#define VMLAB_TESTBED_EXEC_H

#include <stdint.h>

#include "base/sbuf.h"
#include "testbed/testbed.h"

/* Runs cmd (its words quoted for the remote shell) in dom0 (guest_ip NULL)
 * or the guest at guest_ip. out/errout capture (NULL: inherited);
 * timeout_ms 0: none. Returns 0 with the exit status in *status (255: ssh
 * itself failed), -ETIMEDOUT (e says "the command timed out"). */
int tb_exec(const struct tb_paths *p, const struct tb_state *s, const char *guest_ip, char *const cmd[],
	    uint64_t timeout_ms, struct sbuf *out, struct sbuf *errout, int *status, struct err *e);

/* Copies local file src to path dst in dom0 (guest_ip NULL) or the guest
 * at guest_ip, or that machine's src to local dst (written atomically).
 * Returns 0, the -errno of a local file, or -EIO with the remote message. */
int tb_cp_to(const struct tb_paths *p, const struct tb_state *s, const char *guest_ip, const char *src,
	     const char *dst, struct err *e);
int tb_cp_from(const struct tb_paths *p, const struct tb_state *s, const char *guest_ip, const char *src,
	       const char *dst, struct err *e);

/* The output of xl info, xl list and xl sched-credit (when Xen runs the
 * credit scheduler, as --xen-args sched=credit asks) or else xl
 * sched-credit2 in dom0, each into
 * its buffer. Returns 0, -EIO when xl failed (e has its words) or its
 * output is not three parts. */
int tb_xl_views(const struct tb_paths *p, const struct tb_state *s, struct sbuf *info, struct sbuf *list,
		struct sbuf *sched, struct err *e);

#endif
