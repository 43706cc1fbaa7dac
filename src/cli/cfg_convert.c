/* vmlab cfg convert FILE --to pv|pvh|hvm: convert an xl.cfg between guest types. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/sbuf.h"
#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "xen/cfgcheck.h"
#include "xen/convert.h"
#include "xen/xlcfg.h"

struct conv_args {
	struct convert_opts o;
	int to;                    /* enum guest_type */
	const char *out, *script;
	bool dry;
};

static const char *const types[] = { "pv", "pvh", "hvm", NULL };

#define F(x) offsetof(struct conv_args, x)
static const struct opt opts[] = {
	{ "to", 0, OPT_ENUM, F(to), .words = types,
	  .help = "the guest type to convert to (required)" },
	{ "output", 'o', OPT_STRING, F(out), .metavar = "OUT",
	  .help = "where to write the result (default FILE with \"-TYPE\" before \".cfg\")" },
	{ "dry-run", 0, OPT_FLAG, F(dry), .help = "write nothing; print the resulting config" },
	{ "kernel", 0, OPT_STRING, F(o.kernel), .metavar = "K",
	  .help = "the PV/PVH kernel (default: the newest vmlinuz-V in --boot-dir)" },
	{ "ramdisk", 0, OPT_STRING, F(o.ramdisk), .metavar = "R",
	  .help = "its initrd (default: initrd.img-V of that kernel)" },
	{ "boot-dir", 0, OPT_STRING, F(o.boot_dir), .metavar = "DIR",
	  .help = "where dom0's kernels are (default /boot)" },
	{ "root-partition", 0, OPT_INT, F(o.root_partition), .min = 1, .max = 255,
	  .help = "the root file system's partition (default: the first Linux partition, "
		  "else 1)" },
	{ "name", 0, OPT_STRING, F(o.name), .metavar = "NAME",
	  .help = "the new guest's name (default NAME-TYPE)" },
	{ "boot-volume", 0, OPT_STRING, F(o.boot_volume), .metavar = "PATH",
	  .help = "pv|pvh -> hvm: the new boot volume (default ROOTVOL-boot)" },
	{ "boot-size", 0, OPT_STRING, F(o.boot_size), .metavar = "SIZE",
	  .help = "its size (default 64M)" },
	{ "script", 0, OPT_STRING, F(script), .metavar = "S",
	  .help = "write the commands that create the boot volume to S" },
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab cfg convert FILE --to pv|pvh|hvm [-o OUT] [--dry-run]\n"
	"           [--kernel K] [--ramdisk R] [--boot-dir DIR] [--root-partition N]\n"
	"           [--name NAME] [--boot-volume PATH] [--boot-size SIZE] [--script S]\n"
	"Converts FILE between guest types, editing only what must change (comments and\n"
	"layout survive), and prints one line per change with the reason.\n"
	"  hvm -> pv|pvh  same disk: dom0's kernel (newest vmlinuz-V with initrd.img-V\n"
	"                 in --boot-dir, default /boot), root from the disk's partition\n"
	"                 table (first Linux partition) or --root-partition N (default 1),\n"
	"                 console=hvc0, disks renamed to xvd*, HVM-only keys dropped\n"
	"  pv <-> pvh     type and disk names only\n"
	"  pv|pvh -> hvm  a new boot volume (--boot-volume, default ROOTVOL-boot) with a\n"
	"                 partition table, /boot and GRUB; the PV volume stays / as xvdb;\n"
	"                 prints (or with --script S writes) the `vmlab image mkboot`\n"
	"                 command that creates it\n"
	"OUT defaults to FILE with \"-TYPE\" before \".cfg\". Written atomically;\n"
	"--dry-run writes nothing and prints the resulting config.\n"
	"Bad input (or a config vmlab cfg check rejects): exit 2, nothing written.\n\n",
	opts,
};

static char *default_out(const char *in, enum guest_type t)
{
	struct sbuf b = SBUF_INIT;
	size_t n = strlen(in);

	if (n > 4 && !strcmp(in + n - 4, ".cfg"))
		sbuf_printf(&b, "%.*s-%s.cfg", (int)(n - 4), in, guest_type_name(t));
	else
		sbuf_printf(&b, "%s-%s.cfg", in, guest_type_name(t));
	return sbuf_take(&b);
}

int cfg_convert_main(int argc, char **argv)
{
	struct conv_args a = { .to = -1 };
	struct convert_result res = { 0 };
	struct cfg_report rep = { 0 };
	struct sbuf text = SBUF_INIT;
	struct xlcfg *c = NULL, *back = NULL;
	struct err e = { 0 };
	struct opt_res r;
	struct convert_opts o;
	const char *in, *out_arg, *script;
	char *out = NULL;
	int dry, status = cli_opts_npos("cfg convert", &help, &a, argc, argv, &r, 1, 1,
						 "expected one FILE", "expected one FILE");

	if (status != CLI_GO)
		return status;
	status = 0;
	if (a.to < 0)
		return cli_usage_error("cfg convert", "--to pv|pvh|hvm is required");
	a.o.to = (enum guest_type)a.to;
	o = a.o;
	out_arg = a.out, script = a.script, dry = a.dry;
	in = r.pos[0];
	if (xlcfg_load(in, &c, &e))
		return cli_fail("cfg convert", &e);
	cfgcheck_run(c, &rep);
	if (rep.nerrors) {
		struct sbuf msg = SBUF_INIT;

		cfg_report_text(&rep, in, &msg);
		fputs(sbuf_str(&msg), stderr);
		fprintf(stderr, "vmlab cfg convert: %s has errors; fix them first (nothing "
			"written)\n", in);
		sbuf_free(&msg);
		status = 2;
		goto out;
	}
	if (convert_config(c, &o, &res, &e)) {
		status = cli_fail("cfg convert", &e);
		if (status != 2 && e.code == -EINVAL)
			status = 2;
		goto out;
	}
	xlcfg_write(c, &text);
	/* the result must parse and pass the checks before it is written */
	if (xlcfg_parse(in, text.buf, text.len, &back, &e)) {
		fprintf(stderr, "vmlab cfg convert: internal error, result does not parse: %s\n",
			e.msg);
		status = 1;
		goto out;
	}
	cfg_report_free(&rep);
	cfgcheck_run(back, &rep);
	if (rep.nerrors) {
		struct sbuf msg = SBUF_INIT;

		cfg_report_text(&rep, "result", &msg);
		fprintf(stderr, "vmlab cfg convert: the converted config fails its checks:\n%s",
			sbuf_str(&msg));
		sbuf_free(&msg);
		status = 1;
		goto out;
	}
	out = out_arg ? strdup(out_arg) : default_out(in, o.to);
	fputs(sbuf_str(&res.changes), stdout);
	if (res.commands.len && !script) {
		printf("\n# Run on dom0 to create the boot volume:\n%s", sbuf_str(&res.commands));
	}
	if (dry) {
		printf("\n# %s (dry run, not written):\n%s", out, sbuf_str(&text));
		goto out;
	}
	if (script && res.commands.len &&
	    file_write_atomic(script, res.commands.buf, res.commands.len, &e)) {
		status = cli_fail("cfg convert", &e);
		goto out;
	}
	if (file_write_atomic(out, text.buf, text.len, &e)) {
		status = cli_fail("cfg convert", &e);
		goto out;
	}
	printf("wrote %s%s%s\n", out, script && res.commands.len ? " and " : "",
	       script && res.commands.len ? script : "");
out:
	free(out);
	sbuf_free(&text);
	sbuf_free(&res.changes);
	sbuf_free(&res.commands);
	cfg_report_free(&rep);
	xlcfg_free(back);
	xlcfg_free(c);
	return status;
}
