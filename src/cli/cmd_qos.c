/* vmlab qos: task 3's SLA: measure one guest's share beside another, search
 * the scheduler settings that keep it, apply one live and persistently, and
 * compare what is live with what is persisted (src/cli/qos_*.c). */
#include "cli/cmd.h"
#include "cli/subcmd.h"

#include <stddef.h>

static const char usage[] =
	"usage: vmlab qos SUBCOMMAND [ARGS...]\n"
	"One guest (A, protected) keeps a share of its native or solo jbb throughput\n"
	"while another (B) runs beside it, on Xen.\n\n"
	"  measure    native, each guest alone, both at one barrier: A's fractions, start skew\n"
	"  tune       search settings least to most intrusive until one holds the SLA\n"
	"  apply      apply a setting to guests; --persist writes it into their configs\n"
	"  show       what is live next to what is persisted, differences flagged\n\n"
	"See vmlab-qos(1).\n";

static const struct subcmd subs[] = {
	{ "measure", qos_measure_main, 1 },
	{ "tune", qos_tune_main, 1 },
	{ "apply", qos_apply_main, 1 },
	{ "show", qos_show_main, 1 },
	{ 0 },
};

const struct cmd cmd_qos = { "qos", "QoS of one guest beside another: measure, tune, apply, show", usage, NULL,
			     subs };
