/* vmlab cfg convert FILE --to pv|pvh|hvm: convert an xl.cfg between guest types. */
#include <errno.h>
#include <getopt.h>
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

static const char usage[] =
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
	"                 prints (or with --script S writes) the sh commands that create it\n"
	"OUT defaults to FILE with \"-TYPE\" before \".cfg\". Written atomically;\n"
	"--dry-run writes nothing and prints the resulting config.\n"
	"Bad input (or a config vmlab cfg check rejects): exit 2, nothing written.\n";

static int parse_type(const char *s, enum guest_type *t)
{
	if (!strcmp(s, "pv"))
		*t = GUEST_PV;
	else if (!strcmp(s, "pvh"))
		*t = GUEST_PVH;
	else if (!strcmp(s, "hvm"))
		*t = GUEST_HVM;
	else
		return -1;
	return 0;
}

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
	enum { O_TO = 1000, O_DRY, O_KERNEL, O_RAMDISK, O_BOOTDIR, O_ROOTPART, O_NAME, O_BOOTVOL,
	       O_BOOTSIZE, O_SCRIPT };
	static const struct option lopts[] = {
		{ "to", required_argument, NULL, O_TO },
		{ "output", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "kernel", required_argument, NULL, O_KERNEL },
		{ "ramdisk", required_argument, NULL, O_RAMDISK },
		{ "boot-dir", required_argument, NULL, O_BOOTDIR },
		{ "root-partition", required_argument, NULL, O_ROOTPART },
		{ "name", required_argument, NULL, O_NAME },
		{ "boot-volume", required_argument, NULL, O_BOOTVOL },
		{ "boot-size", required_argument, NULL, O_BOOTSIZE },
		{ "script", required_argument, NULL, O_SCRIPT },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct convert_opts o = { .to = GUEST_PV };
	struct convert_result res = { 0 };
	struct cfg_report rep = { 0 };
	struct sbuf text = SBUF_INIT;
	struct xlcfg *c = NULL, *back = NULL;
	struct err e = { 0 };
	const char *in, *out_arg = NULL, *script = NULL;
	char *out = NULL, *end;
	int opt, have_to = 0, dry = 0, status = 0;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		switch (opt) {
		case O_TO:
			if (parse_type(optarg, &o.to))
				return cli_usage_error("cfg convert", "--to: pv, pvh or hvm, not `%s'",
						       optarg);
			have_to = 1;
			break;
		case 'o':
			out_arg = optarg;
			break;
		case O_DRY:
			dry = 1;
			break;
		case O_KERNEL:
			o.kernel = optarg;
			break;
		case O_RAMDISK:
			o.ramdisk = optarg;
			break;
		case O_BOOTDIR:
			o.boot_dir = optarg;
			break;
		case O_ROOTPART:
			o.root_partition = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || o.root_partition < 1 || o.root_partition > 255)
				return cli_usage_error("cfg convert", "--root-partition: a number "
						       "1..255, not `%s'", optarg);
			break;
		case O_NAME:
			o.name = optarg;
			break;
		case O_BOOTVOL:
			o.boot_volume = optarg;
			break;
		case O_BOOTSIZE:
			o.boot_size = optarg;
			break;
		case O_SCRIPT:
			script = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cli_usage_error("cfg convert", "unknown or incomplete option %s",
					       argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("cfg convert", "expected one FILE");
	if (!have_to)
		return cli_usage_error("cfg convert", "--to pv|pvh|hvm is required");
	in = argv[optind];
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
