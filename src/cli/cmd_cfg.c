/* vmlab cfg: read, check, edit and convert xl.cfg files. */
#include "cli/cmd.h"
#include "cli/subcmd.h"

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
	{ "check", cfg_check_main, 1 },
	{ "get", cfg_get_main, 1 },
	{ "set", cfg_set_main, 1 },
	{ "del", cfg_del_main, 1 },
	{ "fmt", cfg_fmt_main, 1 },
	{ "dump", cfg_dump_main, 1 },
	{ "convert", cfg_convert_main, 1 },
	{ 0 },
};

const struct cmd cmd_cfg = { "cfg", "read, check, edit and convert xl.cfg files", usage, NULL, subs };
