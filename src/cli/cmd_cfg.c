/* vmlab cfg: read, check, edit and convert xl.cfg files. */
#include "cli/cmd.h"
#include "cli/subcmd.h"

/* Subcommands, each in its own file (src/cli/cfg_*.c). */
extern int cfg_check_main(int argc, char **argv);
extern int cfg_get_main(int argc, char **argv);
extern int cfg_set_main(int argc, char **argv);
extern int cfg_del_main(int argc, char **argv);
extern int cfg_fmt_main(int argc, char **argv);
extern int cfg_dump_main(int argc, char **argv);
extern int cfg_convert_main(int argc, char **argv);

static const char usage[] =
	"usage: vmlab cfg SUBCOMMAND [ARGS...]\n"
	"Reads, checks, edits and converts xl.cfg(5) files with the grammar Xen's\n"
	"libxlutil accepts. Edits keep every byte they do not change.\n\n"
	"  check FILE...                      parse and check the keys that matter\n"
	"  get FILE KEY                       print KEY's final value\n"
	"  set FILE KEY=VALUE...              set keys (VALUE in xl.cfg syntax)\n"
	"  del FILE KEY...                    delete keys\n"
	"  fmt FILE                           rewrite in canonical layout\n"
	"  dump --json FILE                   every key's final value as JSON\n"
	"  convert FILE --to pv|pvh|hvm [-o OUT] [--dry-run]\n"
	"                                     convert between guest types\n\n"
	"Bad input: FILE:LINE:COL: message, exit status 2, nothing written.\n"
	"See vmlab-cfg(1).\n";

static const struct subcmd subs[] = {
	{ "check", "parse and check", cfg_check_main, 1 },
	{ "get", "print a value", cfg_get_main, 1 },
	{ "set", "set values", cfg_set_main, 1 },
	{ "del", "delete keys", cfg_del_main, 1 },
	{ "fmt", "canonical layout", cfg_fmt_main, 1 },
	{ "dump", "all values as JSON", cfg_dump_main, 1 },
	{ "convert", "convert guest type", cfg_convert_main, 1 },
	{ 0 },
};

static int run(int argc, char **argv)
{
	return subcmd_dispatch("cfg", usage, subs, argc, argv);
}

const struct cmd cmd_cfg = { "cfg", "read, check, edit and convert xl.cfg files", usage, run, 1 };
