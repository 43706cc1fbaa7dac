/* The disks a domain config names, and which running domains already use
 * them (the handout's "do not boot both simultaneously"). */
#ifndef VMLAB_XEN_DOMDISKS_H
#define VMLAB_XEN_DOMDISKS_H

#include <stddef.h>

#include "base/err.h"
#include "base/sbuf.h"
#include "xen/xl.h"
#include "xen/xlcfg.h"

struct cfg_disk {
	char *spec;            /* as written in disk=[ ... ] */
	char *path;            /* what the backend opens; NULL for an empty drive */
	char *vdev;
	int line, col;         /* of the spec in the config */
};

/* The disks of c's disk=[ ... ] list, parsed as libxlutil does. No disk key
 * is 0 disks. A malformed spec is -EINVAL naming FILE:LINE:COL and the
 * spec. Caller frees with cfg_disks_free. */
int cfg_disks(const struct xlcfg *c, struct cfg_disk **out, size_t *n, struct err *e);
void cfg_disks_free(struct cfg_disk *d, size_t n);

/* Appends one line per disk of d[0..n) that a domain in l uses:
 * "FILE:LINE: disk VDEV (PATH) is in use by domain NAME (domain ID, disk
 * VDEV)". Returns the number of such disks. */
int disks_in_use(const char *cfgname, const struct cfg_disk *d, size_t n, const struct xl_dominfos *l,
		 struct sbuf *msg);

/* Splits l by the domain states of `xl list` (rows s): *live gets the
 * domains that run, block or are paused, *going those that have shut down
 * or are dying (state 's' or 'd'; they hold their disks until destroyed);
 * a domain s no longer lists (destroyed between the two calls) is in
 * neither. s NULL: every domain
 * is live. Both are views of l's elements: free only their arrays
 * (free(live->d), free(going->d)); they are valid while l is. */
void doms_split_by_state(const struct xl_dominfos *l, const struct xl_domains *s, struct xl_dominfos *live,
			 struct xl_dominfos *going);

/* "shut down", "dying" or "gone" for domain domid per s (NULL: "running"). */
const char *dom_state_word(const struct xl_domains *s, int domid);

#endif
