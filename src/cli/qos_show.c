/* vmlab qos show GUEST...: what is live (xl sched-credit*, vcpu-list,
 * cpupool-list) next to what is persisted (the guests' xl.cfg, the cpupool
 * configs, the boot unit), every difference flagged. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/qos_cli.h"
#include "cli/subcmd.h"

struct show_opts {
	const char *host;
	const char *cfg_dir;
};

#define F(x) offsetof(struct show_opts, x)
static const struct opt tab[] = {
	{ "host", 0, OPT_STRING, F(host), .def = "testbed", .metavar = "HOST",
	  .help = "the Xen host: testbed[:NAME], local (this dom0) or ssh:USER@HOST[:PORT]" },
	{ "cfg-dir", 0, OPT_STRING, F(cfg_dir), .def = PERSIST_CFG_DIR, .metavar = "DIR",
	  .help = "the folder on the host of GUEST.cfg and the cpupool configs" },
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab qos show [--host H] [--cfg-dir DIR] GUEST...\n"
	"Shows each GUEST's live weight, cap, hard / soft affinity (every vCPU's) and\n"
	"pool next to what DIR/GUEST.cfg persists (an absent key is Xen's default),\n"
	"the live cpupools next to DIR/cpupool-*.cfg, and whether the boot unit that\n"
	"recreates them is installed as vmlab writes it; every difference is flagged\n"
	"DIFFERS.\n\n",
	tab,
	"\nExit status: 0 live == persisted, 1 they differ (or the host failed), 2 bad\n"
	"usage, an unknown guest or a config file that does not parse.\n",
};

/* One guest: its file against its live state; differences or -exit status. */
static int show_guest(struct host *h, const struct show_opts *o, const struct qos_guest *g, struct sbuf *out)
{
	struct persist_file f = { 0 };
	struct sched_setting s;
	struct xlcfg *c = NULL;
	struct err e = { 0 };
	char path[600], name[80];
	int rc;

	snprintf(name, sizeof(name), "%s.cfg", g->name);
	if ((rc = persist_path(path, sizeof(path), o->cfg_dir, name, &e)) ||
	    (rc = persist_file_load(h, path, &f, &e)))
		goto fail;
	sbuf_printf(out, "guest %s (%s, pool %s): %s\n", g->name, g->st->scheduler, g->st->s.pool, path);
	if (!f.exists) {
		sbuf_printf(out, "  config    missing: nothing persists  DIFFERS\n");
		persist_file_free(&f);
		return 1;
	}
	if ((rc = xlcfg_parse(path, f.old.buf ? f.old.buf : "", f.old.len, &c, &e)) ||
	    (rc = persist_cfg_get(c, &s, &e)))
		goto fail;
	rc = persist_diff(&s, g->st, out);
	xlcfg_free(c);
	persist_file_free(&f);
	return rc;
fail:
	xlcfg_free(c);
	persist_file_free(&f);
	return -cli_fail("qos show", &e);
}

static bool same_cpus(const char *a, const char *b, int ncpus)
{
	bool sa[1024], sb[1024];

	if (ncpus < 1 || ncpus > 1024)
		return !strcmp(a, b);
	return !sched_cpuset(a, ncpus, sa) && !sched_cpuset(b, ncpus, sb) &&
	       !memcmp(sa, sb, (size_t)ncpus * sizeof(bool));
}

/* Live pools (of st) against the pool files; the number that differ. */
static int show_pools(const struct sched_state *st, const struct persist_pool *pp, int np, struct sbuf *out)
{
	int nd = 0, k, j;

	for (k = 0; k < st->npools; k++) {
		const struct sched_pool *l = &st->pools[k];

		if (!strcmp(l->name, "Pool-0"))
			continue;
		for (j = 0; j < np && strcmp(pp[j].name, l->name); j++)
			;
		if (j == np) {
			sbuf_printf(out, "pool %s: live %s on CPUs %s, persisted nowhere  DIFFERS\n", l->name, l->sched,
				    l->cpus);
			nd++;
			continue;
		}
		bool same = !strcmp(l->sched, pp[j].sched) && same_cpus(l->cpus, pp[j].cpus, st->nr_cpus);

		sbuf_printf(out, "pool %s: live %s on CPUs %s, persisted %s on CPUs %s%s\n", l->name, l->sched, l->cpus,
			    pp[j].sched, pp[j].cpus, same ? "" : "  DIFFERS");
		nd += !same;
	}
	for (j = 0; j < np; j++) {
		for (k = 0; k < st->npools && strcmp(pp[j].name, st->pools[k].name); k++)
			;
		if (k == st->npools) {
			sbuf_printf(out, "pool %s: persisted %s on CPUs %s, not live  DIFFERS\n", pp[j].name,
				    pp[j].sched, pp[j].cpus);
			nd++;
		}
	}
	return nd;
}

/* File path on h holds exactly want: prints its line; 1 when not. */
static int show_file(struct host *h, const char *what, const char *path, const struct sbuf *want,
		     struct sbuf *out, struct err *e)
{
	struct persist_file f = { 0 };
	int rc = persist_file_load(h, path, &f, e), same;

	if (rc) {
		persist_file_free(&f);
		return rc;
	}
	same = f.exists && f.old.len == want->len && !memcmp(f.old.buf, want->buf, want->len);
	sbuf_printf(out, "%s %s: %s%s\n", what, path,
		    !f.exists ? "missing" : same ? "installed" : "differs from what vmlab writes",
		    same ? "" : "  DIFFERS");
	persist_file_free(&f);
	return !same;
}

/* The boot unit for the pool files: 1 when it is not as vmlab writes it. */
static int show_boot(struct host *h, const struct show_opts *o, const struct persist_pool *pp, int np,
		     struct sbuf *out, struct err *e)
{
	struct sbuf want = SBUF_INIT, unit = SBUF_INIT;
	enum persist_boot kind;
	char script[600];
	int rc, nd = 0;

	if (!np)
		return 0;
	if ((rc = persist_boot_kind(h, &kind, e)))
		return rc;
	persist_boot_script(pp, np, o->cfg_dir, &want);
	if (kind == PERSIST_BOOT_RC) {
		rc = show_file(h, "boot unit", PERSIST_BOOT_D "/" PERSIST_UNIT, &want, out, e);
	} else if (kind == PERSIST_BOOT_SYSTEMD) {
		if (!(rc = persist_path(script, sizeof(script), o->cfg_dir, PERSIST_UNIT ".sh", e)) &&
		    (rc = show_file(h, "boot script", script, &want, out, e)) >= 0) {
			nd = rc;
			persist_systemd_unit(script, &unit);
			rc = show_file(h, "boot unit", PERSIST_SYSTEMD_DIR "/" PERSIST_UNIT ".service", &unit, out, e);
		}
	} else {
		sbuf_printf(out, "boot unit: %s has neither systemd nor vmlab's testbed rc: the pools do not come "
				 "back at boot  DIFFERS\n", h->spec);
		rc = 1;
	}
	sbuf_free(&want);
	sbuf_free(&unit);
	return rc < 0 ? rc : rc + nd;
}

static int show_run(struct host *h, const struct show_opts *o, const struct qos_guest *g, int n)
{
	struct persist_pool pp[PERSIST_MAX_POOLS];
	struct sbuf out = SBUF_INIT;
	struct err e = { 0 };
	int nd = 0, np, r, st = 0;

	for (int k = 0; k < n; k++) {
		if ((r = show_guest(h, o, &g[k], &out)) < 0) {
			st = -r;
			goto out;
		}
		nd += r;
	}
	if (persist_pools_load(h, o->cfg_dir, pp, &np, &e) < 0) {
		st = cli_fail("qos show", &e);
		goto out;
	}
	nd += show_pools(g[0].st, pp, np, &out);
	if ((r = show_boot(h, o, pp, np, &out, &e)) < 0) {
		st = cli_fail("qos show", &e);
		goto out;
	}
	nd += r;
	if (nd)
		sbuf_printf(&out, "%d difference%s between live and persisted\n", nd, nd == 1 ? "" : "s");
	else
		sbuf_puts(&out, "live == persisted\n");
	st = nd ? 1 : 0;
out:
	fputs(sbuf_str(&out), stdout);
	sbuf_free(&out);
	return st;
}

int qos_show_main(int argc, char **argv)
{
	struct show_opts o = { 0 };
	struct opt_res res;
	struct qos_guest g[QOS_MAX_GUESTS] = { 0 };
	struct host h = { 0 };
	struct sched_runner r;
	int st, n;

	if ((st = cli_opts_npos("qos show", &help, &o, argc, argv, &res, 1, QOS_MAX_GUESTS,
				"expected GUEST... (the guests whose settings to compare)", NULL)) != CLI_GO)
		return st;
	n = res.npos;
	if ((st = qos_open("show", o.host, &h, &r)))
		return st;
	if (!(st = qos_guests("show", &r, res.pos, n, g)))
		st = show_run(&h, &o, g, n);
	qos_guests_free(g, n);
	host_close(&h);
	return st;
}
