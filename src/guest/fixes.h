/* Text edits that let one guest image boot as HVM and as PV: a getty on the
 * Xen console in /etc/inittab, and /etc/fstab naming partitions by UUID. */
#ifndef VMLAB_GUEST_FIXES_H
#define VMLAB_GUEST_FIXES_H

#include <stddef.h>

#include "base/err.h"
#include "base/sbuf.h"

/* Edits an inittab (text[0..len), named name in messages) so a getty runs
 * on console ("hvc0"): the getty line on tty2 gets console in place of tty2
 * (as the Xen lab handout does); without one, a copy of the first getty
 * line on console is added after it. The new text is appended to out, one
 * "NAME:LINE: - old" / "NAME:LINE: + new" pair per change to changes.
 * Returns the number of changes (0 when a getty already runs on console;
 * out then holds the text unchanged), or -ENOENT when there is no getty. */
int fix_inittab(const char *name, const char *text, size_t len, const char *console, struct sbuf *out,
		struct sbuf *changes, struct err *e);

/* The terminals inittab's getty lines run on, space-separated, to out
 * ("tty1 tty2 hvc0"); "" when none. */
void inittab_gettys(const char *text, size_t len, struct sbuf *out);

/* Gives the UUID of the file system on partition n of the guest's first
 * disk, or NULL when there is none. */
typedef const char *(*fix_uuid_fn)(int n, void *priv);

/* Edits an fstab: entries whose device is /dev/sdaN, /dev/hdaN, /dev/xvdaN
 * or /dev/vdaN become UUID=... of partition N; the rest of each line is
 * kept byte for byte. Entries of partitions without a UUID are kept and
 * reported as such in changes ("NAME:LINE: kept ..."). Returns the number of
 * changed lines. */
int fix_fstab(const char *name, const char *text, size_t len, fix_uuid_fn uuid, void *priv, struct sbuf *out,
	      struct sbuf *changes, struct err *e);

/* The fstab line mounting "/" (without newline) to out; 0 when found,
 * -ENOENT when none. */
int fstab_root(const char *text, size_t len, struct sbuf *out);

#endif
