/* Test oracle: Xen's own libxlutil/libxl parse of device specs.
 * usage: xlu_spec_oracle FILE   parses FILE as xl does and runs every disk=
 *                               item through xlu_disk_parse and every pci=
 *                               item through xlu_pci_parse_spec_string;
 *                               prints one line per item, exit 1 if any fails
 *        xlu_spec_oracle -disk  reads one disk spec per line from stdin and
 *                               prints tests/unit/data/diskspec_*.txt lines */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxl.h>
#include <libxlutil.h>

static int disk(XLU_Config *cfg, const char *spec, int fixture)
{
	libxl_device_disk d;
	const char *specs[1] = { spec };
	int rc;

	libxl_device_disk_init(&d);
	rc = xlu_disk_parse(cfg, 1, specs, &d);
	if (fixture) {
		printf("[%s] => ", spec);
		if (rc)
			printf("ERR\n");
		else
			printf("target=%s format=%d vdev=%s rw=%d cdrom=%d removable=%d script=%s "
			       "backend=%d bdom=%s dio=%d discard=%s spec=%d\n",
			       d.pdev_path ? d.pdev_path : "(null)", d.format, d.vdev, d.readwrite,
			       d.is_cdrom, d.removable, d.script ? d.script : "(null)", d.backend,
			       d.backend_domname ? d.backend_domname : "(null)", d.direct_io_safe,
			       libxl_defbool_is_default(d.discard_enable) ? "def" :
			       libxl_defbool_val(d.discard_enable) ? "1" : "0", d.specification);
	} else {
		printf("disk %s: %s\n", rc ? "error" : "ok", spec);
	}
	libxl_device_disk_dispose(&d);
	return rc;
}

int main(int argc, char **argv)
{
	FILE *devnull = fopen("/dev/null", "w");
	XLU_Config *cfg;
	XLU_ConfigList *list;
	const char *item;
	char line[8192];
	int n, bad = 0;

	if (argc != 2 || !devnull) {
		fprintf(stderr, "usage: xlu_spec_oracle FILE | -disk\n");
		return 2;
	}
	cfg = xlu_cfg_init(getenv("XLU_ORACLE_VERBOSE") ? stderr : devnull,
			   strcmp(argv[1], "-disk") ? argv[1] : "stdin");
	if (!cfg)
		return 2;
	if (!strcmp(argv[1], "-disk")) {
		while (fgets(line, sizeof(line), stdin)) {
			line[strcspn(line, "\n")] = 0;
			disk(cfg, line, 1);
		}
		xlu_cfg_destroy(cfg);
		return 0;
	}
	if (xlu_cfg_readfile(cfg, argv[1])) {
		printf("parse error\n");
		return 1;
	}
	if (!xlu_cfg_get_list(cfg, "disk", &list, &n, 0))
		for (int i = 0; (item = xlu_cfg_get_listitem(list, i)); i++)
			bad |= disk(cfg, item, 0) != 0;
	if (!xlu_cfg_get_list(cfg, "pci", &list, &n, 0))
		for (int i = 0; (item = xlu_cfg_get_listitem(list, i)); i++) {
			libxl_device_pci p;
			int rc;

			libxl_device_pci_init(&p);
			rc = xlu_pci_parse_spec_string(cfg, &p, item);
			printf("pci %s: %s\n", rc ? "error" : "ok", item);
			bad |= rc != 0;
			libxl_device_pci_dispose(&p);
		}
	xlu_cfg_destroy(cfg);
	return bad;
}
