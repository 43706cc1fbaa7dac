/* Fuzz target: host specs (host_check, host_ssh_split) and the host probe's
 * parser and judge (host_probe_parse, host_facts_judge), and the vmlab.ip=
 * scan of xl list -l's output (guest_ip_scan). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/check.h"
#include "host/guest.h"
#include "host/host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *dest = NULL, *port = NULL, ip[32];
	struct host_probe p;
	struct host_fact f[HOST_NFACTS];
	struct err e;

	memcpy(s, data, size);
	s[size] = 0;
	(void)host_check(s, &e);
	if (host_ssh_split(s, &dest, &port) == 0 && (!dest || strchr(dest, ':') || (port && !port[0])))
		__builtin_trap();
	free(dest);
	free(port);
	if (host_probe_parse((const char *)data, size, "probe", &p, &e) == 0) {
		if (!p.hostname || !p.xl_info || !p.pciback || !p.bridges)
			__builtin_trap();
		(void)host_facts_judge(&p, f);
		host_probe_free(&p);
	}
	if (guest_ip_scan((const char *)data, size, ip) == 0 && (strlen(ip) < 7 || strlen(ip) > 15))
		__builtin_trap();
	free(s);
	return 0;
}
