/* Web topologies: where each role of a web run is placed (server = nginx
 * and the application, besim, clients) and on which CPUs, in xl.cfg syntax
 * (src/xen/xlcfg.h):
 *   server = "xen:pvh@testbed"
 *   besim = "xen:pvh@testbed"      (default: with the server)
 *   clients = [ "xen:pvh@testbed" ]
 *   server_cpus = "1"  clients_cpus = "0"  besim_cpus = "0"  dom0_cpus = "0"
 *   guest_memory = 512
 * Roles that name the same environment share it (one guest); native roles
 * run on this machine, each pinned to its own CPUs. */
#ifndef VMLAB_WEB_TOPOLOGY_H
#define VMLAB_WEB_TOPOLOGY_H

#include <stddef.h>

#include "base/err.h"

enum web_role { WEB_ROLE_SERVER, WEB_ROLE_BESIM, WEB_ROLE_CLIENTS, WEB_ROLE_DOM0, WEB_NROLES };

/* Where a value stood in the file, for messages. */
struct web_topo_pos {
	int line, col;
};

/* One place: an environment name (env.h) and its CPUs (xl CPULIST, NULL:
 * unpinned). */
struct web_topo_place {
	char *env;
	char *cpus;
	struct web_topo_pos env_at, cpus_at;
};

struct web_topology {
	char *file;                    /* the name given to parse, for messages */
	char *name;                    /* name = "..."; default: the file name without folder and extension */
	struct web_topo_place server;
	struct web_topo_place besim;   /* env is the server's when the file names none */
	struct web_topo_place *clients;
	size_t nclients;
	char *dom0_cpus;               /* dom0's vCPUs' hard affinity on each Xen host of a role */
	struct web_topo_pos dom0_at;
	long guest_memory_mb;          /* 0: the guests' default */
};

/* The role's name ("server", "besim", "clients", "dom0"). */
const char *web_role_name(enum web_role r);

/* Parses a topology from text[0..len); file names it in messages. Refused
 * with -EINVAL and "FILE:LINE:COL: ..." in e (t left empty): syntax errors,
 * unknown keys and roles, a role without environment, an unknown or
 * unsuitable environment, native roles mixed with others (the others could
 * not reach them), CPU lists that do not parse, CPUs this host lacks for
 * native roles, dom0_cpus without a Xen host, two CPU lists for one shared
 * guest (native roles are pinned one by one). */
int web_topology_parse(const char *file, const char *text, size_t len, struct web_topology *t,
		       struct err *e);
/* Reads path and parses it. */
int web_topology_load(const char *path, struct web_topology *t, struct err *e);
void web_topology_free(struct web_topology *t);

/* 1 when env is native (every role then runs on this machine). */
int web_topology_native(const char *env);

/* The Xen host spec of environment env (host.h: "testbed", "local",
 * "ssh:..."), malloc'd into *spec; NULL when env is no guest on a Xen host. */
int web_topology_xen_host(const char *env, char **spec, struct err *e);

/* Checks the CPU list cpus (at pos) of role against a host of ncpus CPUs:
 * -EINVAL "FILE:LINE:COL: ROLE_cpus: CPU N: HOST has CPUs 0-M" or 0. */
int web_topology_check_cpus(const struct web_topology *t, const char *cpus, struct web_topo_pos pos,
			    enum web_role role, const char *host, int ncpus, struct err *e);

#endif
