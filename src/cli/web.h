/* The subcommands of `vmlab web`, one per src/cli/web_*.c, dispatched by
 * cmd_web.c (contract in cli/subcmd.h: argv[0] is the subcommand name). */
#ifndef VMLAB_CLI_WEB_H
#define VMLAB_CLI_WEB_H

int web_serve_main(int argc, char **argv);
int web_fileset_main(int argc, char **argv);
int web_besim_main(int argc, char **argv);
int web_app_main(int argc, char **argv);
int web_bench_main(int argc, char **argv);
int web_load_main(int argc, char **argv);
int web_run_main(int argc, char **argv);
int web_search_main(int argc, char **argv);

#endif
