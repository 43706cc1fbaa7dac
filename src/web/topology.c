/* Web topology files: roles placed on environments and CPUs. */
#include "web/topology.h"

#include "base/fileio.h"
#include "base/sbuf.h"
#include "run/env.h"
#include "xen/cpulist.h"
#include "xen/xlcfg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[WEB_NROLES] = { "server", "besim", "clients", "dom0" };
static const char KEYS[] = "name, server, besim, clients, server_cpus, besim_cpus, clients_cpus, "
			   "dom0_cpus, guest_memory";

const char *web_role_name(enum web_role r)
{
	return r < WEB_NROLES ? role_names[r] : "?";
}

int web_topology_native(const char *env)
{
	return !strcmp(env, "native");
}

int web_topology_xen_host(const char *env, char **spec, struct err *e)
{
	*spec = NULL;
	if (strncmp(env, "xen:", 4))
		return 0;
	return env_xen_host_spec(env + 4, spec, e);
}

static int at(const struct web_topology *t, struct web_topo_pos p, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* -EINVAL at p with the formatted message. */
static int at(const struct web_topology *t, struct web_topo_pos p, struct err *e, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_at(e, -EINVAL, t->file, p.line ? p.line : 1, p.col ? p.col : 1, "%s", msg);
}

static struct web_topo_pos pos_of(const struct xlcfg_value *v)
{
	return (struct web_topo_pos){ v->line, v->col };
}

/* A string value without control characters into *out (malloc'd). */
static int take_str(const struct web_topology *t, const char *key, const struct xlcfg_value *v,
		    char **out, struct err *e)
{
	if (v->kind != XLCFG_STRING)
		return at(t, pos_of(v), e, "%s: expected a string", key);
	if (!v->str[0])
		return at(t, pos_of(v), e, "%s: empty", key);
	for (const char *p = v->str; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return at(t, pos_of(v), e, "%s: control character", key);
	*out = xstrdup(v->str);
	return 0;
}

/* Every key must be known: a KEY_cpus of no role is an unknown role. */
static int check_keys(const struct web_topology *t, const struct xlcfg *c, struct err *e)
{
	for (size_t i = 0; i < xlcfg_nkeys(c); i++) {
		const char *k = xlcfg_key(c, i);
		size_t n = strlen(k);
		struct web_topo_pos p = { xlcfg_line(c, k), 1 };
		char pat[64];

		snprintf(pat, sizeof(pat), ", %s,", k);
		if (strstr(", name, server, besim, clients, server_cpus, besim_cpus, clients_cpus, "
			   "dom0_cpus, guest_memory,", pat))
			continue;
		if (n > 5 && !strcmp(k + n - 5, "_cpus"))
			return at(t, p, e, "%s: unknown role '%.*s' (roles: server, besim, clients, dom0)", k,
				  (int)(n - 5), k);
		return at(t, p, e, "unknown role or key '%s' (roles: server, besim, clients; keys: %s)", k,
			  KEYS);
	}
	return 0;
}

/* The environment of a role must be one that holds a role. */
static int check_env(const struct web_topology *t, const char *key, const struct web_topo_place *pl,
		     struct err *e)
{
	struct err sub = { 0, "" };

	if (env_check(pl->env, &sub))
		return at(t, pl->env_at, e, "%s: %s", key, sub.msg);
	if (!web_topology_native(pl->env) && strncmp(pl->env, "xen:", 4))
		return at(t, pl->env_at, e, "%s: '%s' cannot hold a role (native, or a guest "
			  "xen:pv|pvh|hvm|FILE.cfg[@HOST]; testbed:TYPE is xen:TYPE@testbed here)", key,
			  pl->env);
	return 0;
}

/* The places of server, besim and clients. */
static int get_places(struct web_topology *t, const struct xlcfg *c, struct err *e)
{
	const struct xlcfg_value *v = xlcfg_get(c, "server"), *b = xlcfg_get(c, "besim"),
				 *l = xlcfg_get(c, "clients");
	int rc;

	if (!v)
		return at(t, (struct web_topo_pos){ 1, 1 }, e, "server: the role has no environment "
			  "(server = \"xen:pvh@testbed\", or \"native\")");
	if ((rc = take_str(t, "server", v, &t->server.env, e)))
		return rc;
	t->server.env_at = pos_of(v);
	if (b) {
		if ((rc = take_str(t, "besim", b, &t->besim.env, e)))
			return rc;
		t->besim.env_at = pos_of(b);
	} else {
		t->besim.env = xstrdup(t->server.env);
		t->besim.env_at = t->server.env_at;
	}
	if (!l || (l->kind == XLCFG_LIST && l->nitems == 0))
		return at(t, l ? pos_of(l) : (struct web_topo_pos){ 1, 1 }, e, "clients: the role has no "
			  "environment (clients = [ \"xen:pvh@testbed\" ])");
	if (l->kind != XLCFG_LIST) {
		t->clients = xcalloc(1, sizeof(*t->clients));
		t->nclients = 1;
		if ((rc = take_str(t, "clients", l, &t->clients[0].env, e)))
			return rc;
		t->clients[0].env_at = pos_of(l);
		return 0;
	}
	t->clients = xcalloc(l->nitems, sizeof(*t->clients));
	for (size_t i = 0; i < l->nitems; i++) {
		if ((rc = take_str(t, "clients", l->items[i], &t->clients[i].env, e)))
			return rc;
		t->nclients++;
		t->clients[i].env_at = pos_of(l->items[i]);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(t->clients[j].env, t->clients[i].env))
				return at(t, t->clients[i].env_at, e, "clients: '%s' is listed twice (roles "
					  "naming one environment share it)", t->clients[i].env);
	}
	return 0;
}

/* The CPU list of key into *out at *pos: parsed as xl does; for native
 * roles every CPU must be one this process may use. */
static int get_cpus(struct web_topology *t, const struct xlcfg *c, const char *key, const char *env,
		    char **out, struct web_topo_pos *pos, struct err *e)
{
	const struct xlcfg_value *v = xlcfg_get(c, key);
	struct cpulist cl = { 0 };
	struct err sub = { 0, "" };
	int col = 1, rc;
	long max;

	if (!v)
		return 0;
	if ((rc = take_str(t, key, v, out, e)))
		return rc;
	*pos = pos_of(v);
	if (cpulist_parse(*out, &cl, &col, &sub))
		return at(t, (struct web_topo_pos){ v->line, v->col + col }, e, "%s: %s", key, sub.msg);
	max = cpulist_max(&cl, false);
	for (size_t i = 0; i < cl.n; i++)
		if (cl.items[i].nodes)
			max = -2;
	cpulist_free(&cl);
	if (max == -2)
		return at(t, *pos, e, "%s: NUMA node lists are not taken here; name the CPUs", key);
	if (env && web_topology_native(env) && max >= 0) {
		bool *set = xcalloc((size_t)max + 1, sizeof(*set));

		rc = cpulist_parse(*out, &cl, &col, &sub);
		if (rc == 0) {
			cpulist_apply(&cl, (int)max + 1, NULL, set);
			cpulist_free(&cl);
			rc = env_check_cpus(env, set, (int)max + 1, &sub);
		}
		free(set);
		if (rc)
			return at(t, *pos, e, "%s: %s", key, sub.msg);
	}
	return 0;
}

/* Native roles cannot be mixed with guests (they listen on loopback); a
 * shared guest takes one CPU list (native roles are pinned each); dom0_cpus needs a Xen host. */
static int check_relations(struct web_topology *t, struct err *e)
{
	struct web_topo_place *pl[2 + 64];
	const char *key[2 + 64];
	size_t n = 0, nat = 0, xen = 0;

	pl[n] = &t->server, key[n++] = "server";
	pl[n] = &t->besim, key[n++] = "besim";
	for (size_t i = 0; i < t->nclients && n < 66; i++)
		pl[n] = &t->clients[i], key[n++] = "clients";
	if (t->nclients > 64)
		return at(t, t->clients[64].env_at, e, "clients: at most 64");
	for (size_t i = 0; i < n; i++) {
		nat += web_topology_native(pl[i]->env) != 0;
		xen += !strncmp(pl[i]->env, "xen:", 4);
	}
	for (size_t i = 0; nat && nat < n && i < n; i++)
		if (web_topology_native(pl[i]->env))
			return at(t, pl[i]->env_at, e, "%s: a native role listens on this machine's "
				  "loopback, which the roles in guests cannot reach: place all roles "
				  "natively or all in guests", key[i]);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(pl[i]->env, pl[j]->env) && !web_topology_native(pl[i]->env) &&
			    pl[i]->cpus && pl[j]->cpus &&
			    strcmp(pl[i]->cpus, pl[j]->cpus))
				return at(t, pl[i]->cpus_at, e, "%s_cpus: '%s' shares its environment %s "
					  "with %s, pinned to '%s' (one guest takes one CPU list)", key[i],
					  pl[i]->cpus, pl[i]->env, key[j], pl[j]->cpus);
	if (t->dom0_cpus && !xen)
		return at(t, t->dom0_at, e, "dom0_cpus: no role runs in a guest on a Xen host");
	return 0;
}

static int parse_cfg(struct web_topology *t, const struct xlcfg *c, struct err *e)
{
	const struct xlcfg_value *v;
	char *clients_cpus = NULL;
	struct web_topo_pos cat = { 0 };
	int rc;

	if ((rc = check_keys(t, c, e)) || (rc = get_places(t, c, e)))
		return rc;
	if ((v = xlcfg_get(c, "name"))) {
		free(t->name);
		t->name = NULL;
		if ((rc = take_str(t, "name", v, &t->name, e)))
			return rc;
	}
	if ((rc = check_env(t, "server", &t->server, e)) || (rc = check_env(t, "besim", &t->besim, e)))
		return rc;
	for (size_t i = 0; i < t->nclients; i++)
		if ((rc = check_env(t, "clients", &t->clients[i], e)))
			return rc;
	if ((rc = get_cpus(t, c, "server_cpus", t->server.env, &t->server.cpus, &t->server.cpus_at, e)) ||
	    (rc = get_cpus(t, c, "besim_cpus", t->besim.env, &t->besim.cpus, &t->besim.cpus_at, e)) ||
	    (rc = get_cpus(t, c, "clients_cpus", t->clients[0].env, &clients_cpus, &cat, e)) ||
	    (rc = get_cpus(t, c, "dom0_cpus", NULL, &t->dom0_cpus, &t->dom0_at, e))) {
		free(clients_cpus);
		return rc;
	}
	for (size_t i = 0; clients_cpus && i < t->nclients; i++) {
		t->clients[i].cpus = xstrdup(clients_cpus);
		t->clients[i].cpus_at = cat;
	}
	free(clients_cpus);
	if ((v = xlcfg_get(c, "guest_memory"))) {
		if (v->kind != XLCFG_NUMBER || !xlcfg_number_value(v, &t->guest_memory_mb) ||
		    t->guest_memory_mb < 32 || t->guest_memory_mb > 65536)
			return at(t, pos_of(v), e, "guest_memory: expected MiB from 32 to 65536");
	}
	return check_relations(t, e);
}

/* The default name: file without folder and extension. */
static char *base_name(const char *file)
{
	const char *b = strrchr(file, '/'), *dot;

	b = b ? b + 1 : file;
	dot = strrchr(b, '.');
	return dot && dot > b ? xstrndup(b, (size_t)(dot - b)) : xstrdup(b);
}

int web_topology_parse(const char *file, const char *text, size_t len, struct web_topology *t,
		       struct err *e)
{
	struct xlcfg *c = NULL;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = xlcfg_parse(file, text, len, &c, e)))
		return rc;
	t->file = xstrdup(file);
	t->name = base_name(file);
	rc = parse_cfg(t, c, e);
	xlcfg_free(c);
	if (rc)
		web_topology_free(t);
	return rc;
}

int web_topology_load(const char *path, struct web_topology *t, struct err *e)
{
	struct sbuf b = SBUF_INIT;
	int rc = file_read(path, &b, e);

	memset(t, 0, sizeof(*t));
	if (rc == 0)
		rc = web_topology_parse(path, b.buf ? b.buf : "", b.len, t, e);
	sbuf_free(&b);
	return rc;
}

static void place_free(struct web_topo_place *p)
{
	free(p->env);
	free(p->cpus);
}

void web_topology_free(struct web_topology *t)
{
	place_free(&t->server);
	place_free(&t->besim);
	for (size_t i = 0; i < t->nclients; i++)
		place_free(&t->clients[i]);
	free(t->clients);
	free(t->dom0_cpus);
	free(t->name);
	free(t->file);
	memset(t, 0, sizeof(*t));
}

int web_topology_check_cpus(const struct web_topology *t, const char *cpus, struct web_topo_pos pos,
			    enum web_role role, const char *host, int ncpus, struct err *e)
{
	struct cpulist cl = { 0 };
	struct err sub = { 0, "" };
	int col = 1;
	long max;

	if (!cpus)
		return 0;
	if (cpulist_parse(cpus, &cl, &col, &sub))
		return at(t, pos, e, "%s_cpus: %s", web_role_name(role), sub.msg);
	max = cpulist_max(&cl, false);
	cpulist_free(&cl);
	if (max >= ncpus)
		return at(t, pos, e, "%s_cpus: CPU %ld: %s has CPUs 0-%d", web_role_name(role), max, host,
			  ncpus - 1);
	return 0;
}
