/* The "local" host: vmlab runs in dom0 itself; argvs run here. */
#include "host/host.h"

#include <errno.h>
#include <unistd.h>

/* What the testbed's images carry (testbed/build.sh): a dom0 with it is a testbed's. */
#define TESTBED_MARK "/etc/vmlab/testbed.env"

static int local_check(const char *arg, struct err *e)
{
	if (arg)
		return err_set(e, -EINVAL, "local takes no argument");
	return 0;
}

static int local_open(struct host *h, struct err *e)
{
	h->testbed = access(TESTBED_MARK, F_OK) == 0;
	return 0;
}

static int local_run(struct host *h, char *const argv[], const struct proc_opts *o, int *status, struct err *e)
{
	return proc_run(argv, o, status, e);
}

static void local_close(struct host *h)
{
}

const struct host_ops host_local_ops = {
	"local", "local", local_check, local_open, local_run, NULL, local_close, 0,
};
