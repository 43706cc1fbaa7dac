/* What the long-running server subcommands (web app, besim, serve) share:
 * a stop flag set by SIGINT and SIGTERM, and the line saying they listen. */
#ifndef VMLAB_CLI_STOP_H
#define VMLAB_CLI_STOP_H

#include <signal.h>

/* 1 once SIGINT or SIGTERM arrived after cli_stop_on_signals. */
extern volatile sig_atomic_t cli_stop;

/* Makes SIGINT and SIGTERM set cli_stop and ignores SIGPIPE, so a peer that
 * goes away is an error return of a write, not the end of the process. */
void cli_stop_on_signals(void);

/* A server's ready callback: prints "NAME listening on BOUND" to stdout,
 * NAME being the string arg, and flushes it. */
void cli_print_listening(void *arg, const char *bound);

#endif
