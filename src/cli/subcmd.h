/* Command families whose subcommands live in several files (cfg, web): each
 * subcommand file defines one `int NAME_main(int argc, char **argv)` where
 * argv[0] is the subcommand name, and the family's cmd_*.c dispatches
 * through a table of them. */
#ifndef VMLAB_CLI_SUBCMD_H
#define VMLAB_CLI_SUBCMD_H

struct subcmd {
	const char *name;
	int (*run)(int argc, char **argv);
	int own_help;          /* run handles -h/--help itself; else usage is shown */
	const char *usage;     /* the subcommand's usage text; NULL: the family's */
};

/* Runs the subcommand argv[1] of family (argv[0] is the family name).
 * Prints the family usage for no subcommand (exit 2), an unknown one (2).
 * -h/--help after a subcommand without own_help prints its usage (or the
 * family's when it has none) and returns 0. */
int subcmd_dispatch(const char *family, const char *usage, const struct subcmd *tab, int argc,
		    char **argv);

/* vmlab cfg (src/cli/cfg_*.c) */
/* check FILE...: parse and check the keys that matter */
int cfg_check_main(int argc, char **argv);
/* get FILE KEY: print KEY's final value */
int cfg_get_main(int argc, char **argv);
/* set FILE KEY=VALUE...: set keys */
int cfg_set_main(int argc, char **argv);
/* del FILE KEY...: delete keys */
int cfg_del_main(int argc, char **argv);
/* fmt FILE: rewrite in canonical layout */
int cfg_fmt_main(int argc, char **argv);
/* dump --json FILE: every key's final value as JSON */
int cfg_dump_main(int argc, char **argv);
/* convert FILE --to TYPE: convert between guest types */
int cfg_convert_main(int argc, char **argv);

/* vmlab web (src/cli/web_*.c) */
/* serve: start nginx, the application and BeSim */
int web_serve_main(int argc, char **argv);
/* fileset: write the deterministic static file set */
int web_fileset_main(int argc, char **argv);
/* besim: run the backend simulator alone */
int web_besim_main(int argc, char **argv);
/* app: run the FastCGI application alone */
int web_app_main(int argc, char **argv);
/* bench: raw load, wrk/wrk2-style */
int web_bench_main(int argc, char **argv);
/* load: run simulated user sessions against a server */
int web_load_main(int argc, char **argv);
/* run: one QoS run at a session count, pass or fail */
int web_run_main(int argc, char **argv);
/* search: the largest session count that passes QoS */
int web_search_main(int argc, char **argv);
/* window: what the clients saw in a window of a load's timeline */
int web_window_main(int argc, char **argv);

/* vmlab qos (src/cli/qos_*.c) */
/* apply SETTING [--persist] GUEST...: apply live, persist into configs */
int qos_apply_main(int argc, char **argv);
/* show GUEST...: live against persisted */
int qos_show_main(int argc, char **argv);

/* vmlab xentrace (src/cli/xentrace_*.c) */
/* record -- CMD...: trace Xen around a command */
int xentrace_record_main(int argc, char **argv);
/* summary FILE: summarize a trace */
int xentrace_summary_main(int argc, char **argv);

/* vmlab qos (src/cli/qos_*.c) */
/* measure --protect A --against B: fractions of native and solo, start skew */
int qos_measure_main(int argc, char **argv);
/* tune --protect A --against B --sla F: the least intrusive setting that holds */
int qos_tune_main(int argc, char **argv);

#endif
