/* vmlab qos apply SETTING [--persist] GUEST...: applies a scheduling
 * setting live (check, read back, restore) and, with --persist, writes it
 * into the guests' xl.cfg files, the cpupool configs and a boot unit, each
 * file with a backup; --undo puts the files back as they were before the
 * persists since the last undo. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/qos_cli.h"
#include "cli/subcmd.h"

struct apply_opts {
	const char *host;
	bool persist, undo;
	const char *cfg_dir;
	const char *pool_cpus;
	int pool_sched;
};

static const char *const pool_scheds[] = { "credit2", "credit", NULL };

#define F(x) offsetof(struct apply_opts, x)
static const struct opt tab[] = {
	{ "host", 0, OPT_STRING, F(host), .def = "testbed", .metavar = "HOST",
	  .help = "the Xen host: testbed[:NAME], local (this dom0) or ssh:USER@HOST[:PORT]" },
	{ "persist", 0, OPT_FLAG, F(persist),
	  .help = "also write the setting into the guests' xl.cfg files, the cpupool configs and a boot unit" },
	{ "undo", 0, OPT_FLAG, F(undo), .help = "put back the files as they were before the persists since the last undo (no SETTING)" },
	{ "cfg-dir", 0, OPT_STRING, F(cfg_dir), .def = PERSIST_CFG_DIR, .metavar = "DIR",
	  .help = "the folder on the host of GUEST.cfg and the cpupool configs" },
	{ "pool-cpus", 0, OPT_STRING, F(pool_cpus), .metavar = "CPUS",
	  .help = "create the setting's pool=POOL on these CPUs (taken from Pool-0) when it does not exist" },
	{ "pool-sched", 0, OPT_ENUM, F(pool_sched), .def = "credit2", .words = pool_scheds, .metavar = "SCHED",
	  .help = "the scheduler of a pool --pool-cpus creates: credit2 or credit" },
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab qos apply SETTING [--persist] [--host H] [--cfg-dir DIR]\n"
	"                       [--pool-cpus CPUS [--pool-sched S]] GUEST...\n"
	"       vmlab qos apply --undo [--host H] [--cfg-dir DIR]\n"
	"Applies SETTING (as vmlab sched set takes it: weight=, cap=, cpus=, cpus_soft=,\n"
	"pool=, tslice_ms=, ratelimit_us=) to each GUEST live, reads it back, and with\n"
	"--persist writes cpu_weight, cap, cpus, cpus_soft and pool into DIR/GUEST.cfg,\n"
	"the pools into DIR/cpupool-POOL.cfg, and a boot unit that recreates the pools;\n"
	"each changed file keeps its previous bytes in FILE.vmlab-bak. Everything is\n"
	"checked before anything changes; a failure half-way puts the previous\n"
	"settings and files back. It says what it could not persist.\n\n",
	tab,
	"\nExit status: 0 applied (and persisted), 1 the host failed (restored), 2 bad\n"
	"usage, a bad setting, an unknown guest or a missing config (nothing changed).\n",
};

int qos_open(const char *sub, const char *spec, struct host *h, struct sched_runner *r)
{
	struct err e = { 0 };
	char name[32];

	snprintf(name, sizeof(name), "qos %s", sub);
	if (host_open(h, spec, NULL, &e) < 0) {
		fprintf(stderr, "vmlab %s: %s\n", name, e.msg);
		return 2;
	}
	persist_runner(r, h);
	return 0;
}

int qos_guests(const char *sub, const struct sched_runner *r, char **names, int n, struct qos_guest *g)
{
	struct err e = { 0 };
	char name[32];

	snprintf(name, sizeof(name), "qos %s", sub);
	if (n > QOS_MAX_GUESTS)
		return cli_usage_error(name, "at most %d guests", QOS_MAX_GUESTS);
	for (int k = 0; k < n; k++) {
		g[k].name = names[k];
		g[k].t = (struct sched_target){ r, NULL, names[k] };
		g[k].st = xcalloc(1, sizeof(*g[k].st));
		if (!(g[k].ops = sched_xl_for_domain(r, names[k], &e)) || g[k].ops->get(&g[k].t, g[k].st, &e) < 0) {
			fprintf(stderr, "vmlab %s: guest %s: %s\n", name, names[k], e.msg);
			return err_exit_status(e.code ? e.code : -ENOENT);
		}
	}
	return 0;
}

void qos_guests_free(struct qos_guest *g, int n)
{
	for (int k = 0; k < n; k++)
		free(g[k].st);
}

/* What a persist writes, collected before anything changes. */
struct plan {
	int create;                           /* the pool is to be made */
	struct persist_pool pool;             /* the setting's pool (create or persist) */
	struct persist_file f[QOS_MAX_GUESTS + PERSIST_MAX_POOLS + 4];
	int nf;
	enum persist_boot boot;
	char manifest[600];
	struct sbuf notes;                    /* "not persisted: ..." lines */
};

/* Adds file path with bytes data to p (loaded from h first). */
static int plan_file(struct host *h, struct plan *p, const char *path, const struct sbuf *data, bool exec,
		     struct err *e)
{
	struct persist_file *f = &p->f[p->nf];
	int rc;

	if (p->nf >= (int)(sizeof(p->f) / sizeof(p->f[0])))
		return err_set(e, -E2BIG, "too many files to persist");
	memset(f, 0, sizeof(*f));
	if ((rc = persist_file_load(h, path, f, e)))
		return rc;
	f->exec = exec;
	sbuf_add(&f->new, data->buf ? data->buf : "", data->len);
	p->nf++;
	return 0;
}

/* The guests' xl.cfg files with the setting's keys. */
static int plan_cfgs(struct host *h, const struct apply_opts *o, const struct sched_setting *s,
		     const struct qos_guest *g, int n, struct plan *p, struct err *e)
{
	char path[600], gname[80];
	int rc = 0;

	for (int k = 0; k < n && !rc; k++) {
		struct persist_file *f = &p->f[p->nf];
		struct xlcfg *c = NULL;

		snprintf(gname, sizeof(gname), "%s.cfg", g[k].name);
		if ((rc = persist_path(path, sizeof(path), o->cfg_dir, gname, e)) ||
		    (rc = plan_file(h, p, path, &(struct sbuf)SBUF_INIT, false, e)))
			break;
		if (!f->exists) {
			rc = err_set(e, -ENOENT, "guest %s: no config file %s on %s (give its folder with --cfg-dir)",
				     g[k].name, path, h->spec);
			break;
		}
		if (!(rc = xlcfg_parse(path, f->old.buf ? f->old.buf : "", f->old.len, &c, e)) &&
		    !(rc = persist_cfg_put(c, s, e)))
			xlcfg_write(c, &f->new);
		xlcfg_free(c);
	}
	return rc;
}

/* The pool configs (the ones there plus the setting's) and the boot unit. */
static int plan_pools(struct host *h, const struct apply_opts *o, const struct sched_setting *s, struct plan *p,
		      struct err *e)
{
	struct persist_pool pools[PERSIST_MAX_POOLS + 1];
	struct sbuf t = SBUF_INIT, u = SBUF_INIT;
	char path[600], fname[96], script[600];
	int np, rc, k;

	if ((rc = persist_pools_load(h, o->cfg_dir, pools, &np, e)))
		return rc;
	if ((s->set & SCHED_K_POOL) && strcmp(s->pool, "Pool-0")) {
		for (k = 0; k < np && strcmp(pools[k].name, p->pool.name); k++)
			;
		pools[k] = p->pool;
		np += k == np;
		snprintf(fname, sizeof(fname), "cpupool-%s.cfg", p->pool.name);
		if ((rc = persist_path(path, sizeof(path), o->cfg_dir, fname, e)) ||
		    (rc = sched_xl_pool_cfg(p->pool.name, p->pool.sched, p->pool.cpus, &t, e)) ||
		    (rc = plan_file(h, p, path, &t, false, e)))
			goto out;
	}
	if (!np)
		goto out;
	if ((rc = persist_boot_kind(h, &p->boot, e)))
		goto out;
	persist_boot_script(pools, np, o->cfg_dir, &u);
	if (p->boot == PERSIST_BOOT_RC) {
		rc = plan_file(h, p, PERSIST_BOOT_D "/" PERSIST_UNIT, &u, true, e);
	} else if (p->boot == PERSIST_BOOT_SYSTEMD) {
		if ((rc = persist_path(script, sizeof(script), o->cfg_dir, PERSIST_UNIT ".sh", e)) ||
		    (rc = plan_file(h, p, script, &u, true, e)))
			goto out;
		sbuf_reset(&t);
		persist_systemd_unit(script, &t);
		rc = plan_file(h, p, PERSIST_SYSTEMD_DIR "/" PERSIST_UNIT ".service", &t, false, e);
	} else {
		sbuf_printf(&p->notes, "not persisted: the cpupools: %s runs neither systemd nor vmlab's testbed rc, "
				       "so nothing recreates them at boot (run %s/cpupool-*.cfg through xl "
				       "cpupool-create)\n", h->spec, o->cfg_dir);
	}
out:
	sbuf_free(&t);
	sbuf_free(&u);
	return rc;
}

/* Notes on what no file can hold. */
static void plan_notes(const struct sched_setting *s, const struct qos_guest *g, int n, struct plan *p)
{
	if (s->set & (SCHED_K_TSLICE | SCHED_K_RATELIMIT))
		sbuf_puts(&p->notes, "not persisted: tslice_ms / ratelimit_us (a pool's parameters, live only)\n");
	for (int k = 0; k < n; k++) {
		const char *pool = (s->set & SCHED_K_POOL) ? s->pool : g[k].st->s.pool;

		if (!strcmp(pool, "Pool-0") && !strcmp(g[k].st->scheduler, "credit")) {
			sbuf_puts(&p->notes, "not persisted: Pool-0 runs credit, which only Xen's command line sets "
					     "(sched=credit): the testbed takes it from 'vmlab testbed up --xen-args "
					     "sched=credit', a GRUB host from GRUB_CMDLINE_XEN_DEFAULT\n");
			break;
		}
	}
}

/* Everything a persist needs, checked; nothing changes. */
static int plan_make(struct host *h, const struct apply_opts *o, const struct sched_setting *s,
		     const struct qos_guest *g, int n, struct plan *p, struct err *e)
{
	int rc;

	if (!o->persist)
		return 0;
	if ((rc = persist_path(p->manifest, sizeof(p->manifest), o->cfg_dir, PERSIST_MANIFEST, e)) ||
	    (rc = plan_cfgs(h, o, s, g, n, p, e)) || (rc = plan_pools(h, o, s, p, e)))
		return rc;
	plan_notes(s, g, n, p);
	return 0;
}

/* The pool the setting names: to create (from the options) or as it is. */
static int pool_plan(const struct apply_opts *o, const struct sched_setting *s, const struct qos_guest *g,
		     struct plan *p, struct err *e)
{
	int rc;

	if (!(s->set & SCHED_K_POOL))
		return 0;
	if ((rc = persist_pool_check(g[0].st, s->pool, o->pool_cpus, &p->create, e)))
		return rc;
	snprintf(p->pool.name, sizeof(p->pool.name), "%s", s->pool);
	if (p->create) {
		snprintf(p->pool.sched, sizeof(p->pool.sched), "%s", pool_scheds[o->pool_sched]);
		snprintf(p->pool.cpus, sizeof(p->pool.cpus), "%s", o->pool_cpus);
		return 0;
	}
	for (int k = 0; k < g[0].st->npools; k++)
		if (!strcmp(g[0].st->pools[k].name, s->pool)) {
			snprintf(p->pool.sched, sizeof(p->pool.sched), "%s", g[0].st->pools[k].sched);
			snprintf(p->pool.cpus, sizeof(p->pool.cpus), "%s", g[0].st->pools[k].cpus);
		}
	return 0;
}

/* Checks s against each guest (a pool still to make is left out). */
static int check_all(const struct sched_setting *s, const struct plan *p, const struct qos_guest *g, int n,
		     struct err *e)
{
	struct sched_setting sc = *s;
	int rc;

	if (p->create)
		sc.set &= ~SCHED_K_POOL;
	for (int k = 0; k < n; k++)
		if ((rc = g[k].ops->check(&g[k].t, g[k].st, &sc, e)) < 0) {
			char msg[sizeof(e->msg)];

			memcpy(msg, e->msg, sizeof(msg));
			return err_set(e, rc, "guest %s: %s", g[k].name, msg);
		}
	return 0;
}

/* Puts guests g[0..n) back as they were, then the pool made. */
static void live_undo(const struct sched_runner *r, const struct qos_guest *g, int n, const struct plan *p,
		      struct err *e)
{
	char msg[sizeof(e->msg)];
	struct err e2 = { 0 };
	int bad = 0;

	memcpy(msg, e->msg, sizeof(msg));
	for (int k = 0; k < n; k++) {
		unsigned set = g[k].ops->knobs & (SCHED_K_WEIGHT | SCHED_K_CAP | SCHED_K_CPUS | SCHED_K_SOFT |
						  SCHED_K_POOL);

		bad |= g[k].ops->restore(&g[k].t, g[k].st, set, &e2) < 0;
	}
	if (p->create)
		bad |= sched_xl_pool_destroy(r, p->pool.name, &e2) < 0;
	err_set(e, e->code, "%s; %s", msg,
		bad ? "putting the previous live settings back failed too" : "the previous live settings are back");
}

/* Applies live: the pool, then each guest (sched_apply restores that one). */
static int live_apply(const struct sched_runner *r, const struct sched_setting *s, struct qos_guest *g, int n,
		      const struct plan *p, struct err *e)
{
	struct sched_state *after = xcalloc(1, sizeof(*after));
	struct sbuf out = SBUF_INIT;
	int rc = 0, k;

	if (p->create && (rc = sched_xl_pool_create(r, p->pool.name, p->pool.sched, p->pool.cpus, e)))
		goto out;
	if (p->create)
		sbuf_printf(&out, "pool %s created on CPUs %s (%s)\n", p->pool.name, p->pool.cpus, p->pool.sched);
	for (k = 0; k < n; k++) {
		if ((rc = sched_apply(g[k].ops, &g[k].t, s, after, e)) < 0) {
			char msg[sizeof(e->msg)];

			memcpy(msg, e->msg, sizeof(msg));
			err_set(e, rc, "guest %s: %s", g[k].name, msg);
			live_undo(r, g, k, p, e);
			goto out;
		}
		sbuf_printf(&out, "%s on %s (%s): read back ", g[k].name, r->where, after->scheduler);
		sched_setting_format(&after->s, &out);
		sbuf_putc(&out, '\n');
	}
	fputs(sbuf_str(&out), stdout);
out:
	sbuf_free(&out);
	free(after);
	return rc;
}

/* systemd learns of the unit and starts it at boot. */
static int enable_unit(struct host *h, struct err *e)
{
	int rc = host_run_ok(h, (char *[]){ "systemctl", "daemon-reload", NULL }, 60000, NULL, e);

	if (!rc)
		rc = host_run_ok(h, (char *[]){ "systemctl", "enable", PERSIST_UNIT ".service", NULL }, 60000, NULL,
				 e);
	return rc;
}

static void print_persisted(const struct plan *p)
{
	for (int k = 0; k < p->nf; k++) {
		const struct persist_file *f = &p->f[k];
		bool same = f->exists && f->old.len == f->new.len && !memcmp(f->old.buf, f->new.buf, f->new.len);

		if (same)
			printf("persisted: %s (unchanged)\n", f->path);
		else if (f->exists)
			printf("persisted: %s (previous in %s" PERSIST_BAK ")\n", f->path, f->path);
		else
			printf("persisted: %s (new)\n", f->path);
	}
	fputs(sbuf_str(&p->notes), stdout);
}

static int undo_main(const struct apply_opts *o)
{
	struct host h = { 0 };
	struct sched_runner r;
	struct sbuf out = SBUF_INIT;
	struct err e = { 0 };
	char man[600];
	int st;

	if (persist_path(man, sizeof(man), o->cfg_dir, PERSIST_MANIFEST, &e) < 0)
		return cli_fail("qos apply", &e);
	if ((st = qos_open("apply", o->host, &h, &r)))
		return st;
	if (persist_undo(&h, man, &out, &e) < 0)
		st = cli_fail("qos apply", &e);
	fputs(sbuf_str(&out), stdout);
	if (!st)
		printf("undone: the live settings are as they are now (apply the previous setting to change them)\n");
	sbuf_free(&out);
	host_close(&h);
	return st;
}

/* Checks, plans, applies live, writes the files; restores on failure. */
static int apply_run(struct host *h, const struct sched_runner *r, const struct apply_opts *o,
		     const struct sched_setting *s, struct qos_guest *g, int n)
{
	struct plan *p = xcalloc(1, sizeof(*p));
	struct err e = { 0 };
	int st = 0;

	if (pool_plan(o, s, g, p, &e) || check_all(s, p, g, n, &e) || plan_make(h, o, s, g, n, p, &e)) {
		st = cli_fail("qos apply", &e);
		goto out;
	}
	if (live_apply(r, s, g, n, p, &e) < 0) {
		cli_fail("qos apply", &e);
		st = 1;
		goto out;
	}
	if (o->persist && p->nf && persist_files_commit(h, p->f, p->nf, p->manifest, &e) < 0) {
		live_undo(r, g, n, p, &e);
		cli_fail("qos apply", &e);
		st = 1;
		goto out;
	}
	if (o->persist && p->boot == PERSIST_BOOT_SYSTEMD && enable_unit(h, &e) < 0)
		sbuf_printf(&p->notes, "not persisted: the boot unit is written but not enabled: %s\n", e.msg);
	if (o->persist)
		print_persisted(p);
out:
	for (int k = 0; k < p->nf; k++)
		persist_file_free(&p->f[k]);
	sbuf_free(&p->notes);
	free(p);
	return st;
}

int qos_apply_main(int argc, char **argv)
{
	struct apply_opts o = { 0 };
	struct opt_res res;
	struct sched_setting s;
	struct qos_guest g[QOS_MAX_GUESTS] = { 0 };
	struct host h = { 0 };
	struct sched_runner r;
	struct err e = { 0 };
	int st, n;

	if ((st = cli_opts("qos apply", &help, &o, argc, argv, &res)) != CLI_GO)
		return st;
	if (o.undo) {
		if (res.npos || o.persist || o.pool_cpus)
			return cli_usage_error("qos apply", "--undo takes no SETTING, GUEST, --persist or --pool-cpus");
		return undo_main(&o);
	}
	if (res.npos < 2)
		return cli_usage_error("qos apply", "expected SETTING GUEST... (e.g. weight=512,cap=50 g1)");
	if (sched_setting_parse(res.pos[0], "SETTING", &s, &e) < 0)
		return cli_fail("qos apply", &e);
	if (o.pool_cpus && !(s.set & SCHED_K_POOL))
		return cli_usage_error("qos apply", "--pool-cpus: SETTING names no pool=POOL");
	if ((n = res.npos - 1) > QOS_MAX_GUESTS)
		return cli_usage_error("qos apply", "at most %d guests", QOS_MAX_GUESTS);
	if ((st = qos_open("apply", o.host, &h, &r)))
		return st;
	if (!(st = qos_guests("apply", &r, res.pos + 1, n, g)))
		st = apply_run(&h, &r, &o, &s, g, n);
	qos_guests_free(g, n);
	host_close(&h);
	return st;
}
