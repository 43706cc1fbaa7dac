/* Fuzz target: the testbed's state file parser (tb_state_parse). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "testbed/testbed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tb_state s;
	struct err e;

	if (tb_state_parse((const char *)data, size, "state", &s, &e) == 0 &&
	    (s.pid <= 0 || s.port <= 0 || s.port > 65535 || strlen(s.mode) >= sizeof(s.mode) || s.cpus < 1 ||
	     s.cpus > TB_CPUS_MAX || s.net_index < 0 || s.net_index > 254 ||
	     (s.name[0] && !tb_name_valid(s.name)) || (s.net[0] && !tb_name_valid(s.net)) ||
	     strlen(s.xen_args) > TB_XEN_ARGS_MAX))
		__builtin_trap();
	return 0;
}
