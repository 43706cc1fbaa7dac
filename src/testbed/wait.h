/* Waiting for the testbed machine and its guests: the ready markers
 * (testbed/tbconst.h) in a console log, an ssh that answers. None prints. */
#ifndef VMLAB_TESTBED_WAIT_H
#define VMLAB_TESTBED_WAIT_H

#include <sys/types.h>

#include "base/sbuf.h"
#include "testbed/testbed.h"

/* 1 when marker occurs in file log at or after *off; *off advances past
 * what was searched (minus an overlap), so repeated calls scan new text. */
int tb_log_has(const char *log, const char *marker, off_t *off);

/* The last lines of log (at most lines+1 newlines' worth) into out. */
void tb_log_tail(const char *log, int lines, struct sbuf *out);

/* 1 when ssh into dom0 (guest_ip NULL) or the guest answers within tries
 * attempts a second apart. */
int tb_ssh_answers(const struct tb_paths *p, const struct tb_state *s, const char *guest_ip, int tries);

#endif
