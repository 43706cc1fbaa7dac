/* vmlab testbed: build, boot and use real Xen 4.17 with a dom0 and guests in QEMU.
 * Argument handling only: the testbed is the library in src/testbed. */
#include "cli/cmd.h"
#include "cli/subcmd.h"

/* Subcommands, each in its own file (src/cli/testbed_*.c). */
extern int testbed_build_main(int argc, char **argv);
extern int testbed_up_main(int argc, char **argv);
extern int testbed_down_main(int argc, char **argv);
extern int testbed_status_main(int argc, char **argv);
extern int testbed_exec_main(int argc, char **argv);
extern int testbed_ssh_main(int argc, char **argv);
extern int testbed_cp_main(int argc, char **argv);
extern int testbed_guest_main(int argc, char **argv);

static const char usage[] =
	"usage: vmlab testbed SUBCOMMAND [ARGS...]\n"
	"Real Xen 4.17 with a real dom0 and PV, PVH and HVM guests, assembled from\n"
	"Debian 12 packages and booted in QEMU on this machine. Mechanisms are real;\n"
	"times are those of emulated hardware, not of a Xen host.\n\n"
	"  build [--rebuild]                  download the packages, assemble dom0 and guest images\n"
	"  up [--name N] [--bare] [--cpus N] [--xen-args ARGS] [--net NET] [--timeout S]\n"
	"                                     boot Xen and dom0 (--bare: the same kernel without Xen)\n"
	"  down [--name N | --all] [--timeout S]\n"
	"                                     shut down cleanly, kill after the timeout\n"
	"  status [--name N]                  the testbeds that run; Xen version, scheduler, guests\n"
	"  exec [--name N] [--timeout S] -- CMD...\n"
	"                                     run CMD in dom0; its exit status is passed through\n"
	"  ssh [--name N] [-- CMD...]         a shell (or CMD) in dom0 on this terminal\n"
	"  cp [--name N] SRC DEST             copy one file; the dom0 side is written dom0:PATH\n"
	"  guest up pv|pvh|hvm [--testbed T] [--name N] [--memory MB] [--vcpus N] [--timeout S]\n"
	"                      [--extra ARGS] [--tsc-mode native|default|always_emulate|native_paravirt]\n"
	"                                     create a guest, wait until its ssh answers, print its name\n"
	"  guest exec NAME [--testbed T] [--timeout S] -- CMD...\n"
	"                                     run CMD in the guest; its exit status is passed through\n"
	"  guest down NAME [--testbed T]      shut the guest down (destroy after 60 s)\n\n"
	"Several testbeds can run at once, each with its --name (default a); those\n"
	"started with the same --net NET share one virtual Ethernet: testbed K there\n"
	"has dom0 10.0.K.1/16 and guests 10.0.K.(10+I).\n"
	"Files live in $VMLAB_HOME/testbed (default ~/.cache/vmlab/testbed; a testbed\n"
	"other than a keeps its state, disk and logs in beds/NAME there); the\n"
	"assembly scripts in $VMLAB_DATADIR/testbed (default: compiled in).\n"
	"See vmlab-testbed(1).\n";

static const struct subcmd subs[] = {
	{ "build", testbed_build_main, 1 },
	{ "up", testbed_up_main, 1 },
	{ "down", testbed_down_main, 1 },
	{ "status", testbed_status_main, 1 },
	{ "exec", testbed_exec_main },
	{ "ssh", testbed_ssh_main },
	{ "cp", testbed_cp_main },
	{ "guest", testbed_guest_main, 1 },
	{ 0 },
};

const struct cmd cmd_testbed = { "testbed", "real Xen 4.17 with dom0 and guests, booted in QEMU", usage, NULL, subs };
