/* The stop flag and ready line of the server subcommands. */
#include "cli/stop.h"

#include <stdio.h>
#include <string.h>

volatile sig_atomic_t cli_stop;

static void on_signal(int sig)
{
	(void)sig;
	cli_stop = 1;
}

void cli_stop_on_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void cli_print_listening(void *arg, const char *bound)
{
	printf("%s listening on %s\n", (const char *)arg, bound);
	fflush(stdout);
}
