/* The subcommands of `vmlab cfg`, one per src/cli/cfg_*.c, dispatched by
 * cmd_cfg.c (contract in cli/subcmd.h: argv[0] is the subcommand name). */
#ifndef VMLAB_CLI_CFG_H
#define VMLAB_CLI_CFG_H

int cfg_check_main(int argc, char **argv);
int cfg_get_main(int argc, char **argv);
int cfg_set_main(int argc, char **argv);
int cfg_del_main(int argc, char **argv);
int cfg_fmt_main(int argc, char **argv);
int cfg_dump_main(int argc, char **argv);
int cfg_convert_main(int argc, char **argv);

#endif
