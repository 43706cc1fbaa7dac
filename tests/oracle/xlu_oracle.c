/* Test oracle: reads an xl.cfg file with Xen's own libxlutil and prints, for
 * each key named on the command line, what its getters return (canon.h).
 * usage: xlu_oracle FILE KEY... */
#include <stdio.h>
#include <stdlib.h>
#include <libxlutil.h>

#include "canon.h"

static void put_list(const XLU_Config *cfg, XLU_ConfigList *l, int n)
{
	printf("[");
	for (int k = 0; k < n; k++) {
		XLU_ConfigValue *v = xlu_cfg_get_listitem2(l, k);
		printf(k ? ", " : " ");
		if (xlu_cfg_value_type(v) == XLU_STRING) {
			char *s;
			xlu_cfg_value_get_string(cfg, v, &s, 1);
			canon_str(s);
		} else {
			XLU_ConfigList *sub;
			int m = 0;
			xlu_cfg_value_get_list(cfg, v, &sub, 1);
			while (xlu_cfg_get_listitem2(sub, m))
				m++;
			put_list(cfg, sub, m);
		}
	}
	printf(n ? " ]" : "]");
}

int main(int argc, char **argv)
{
	FILE *devnull = fopen("/dev/null", "w");
	XLU_Config *cfg;
	int rc;

	if (argc < 2 || !devnull) {
		fprintf(stderr, "usage: xlu_oracle FILE KEY...\n");
		return 2;
	}
	cfg = xlu_cfg_init(getenv("XLU_ORACLE_VERBOSE") ? stderr : devnull, argv[1]);
	if (!cfg)
		return 1;
	rc = xlu_cfg_readfile(cfg, argv[1]);
	if (rc) {
		printf("parse error\n");
		xlu_cfg_destroy(cfg);
		return 0;
	}
	printf("parse ok\n");
	for (int k = 2; k < argc; k++) {
		const char *s;
		long l;
		XLU_ConfigList *list;
		int n, e;

		printf("%s string ", argv[k]);
		if ((e = xlu_cfg_get_string(cfg, argv[k], &s, 1)))
			printf("%s", canon_errno(e));
		else
			canon_str(s);
		printf("\n%s long ", argv[k]);
		if ((e = xlu_cfg_get_long(cfg, argv[k], &l, 1)))
			printf("%s", canon_errno(e));
		else
			printf("%ld", l);
		printf("\n%s list ", argv[k]);
		if ((e = xlu_cfg_get_list(cfg, argv[k], &list, &n, 1)))
			printf("%s", canon_errno(e));
		else
			put_list(cfg, list, n);
		printf("\n");
	}
	xlu_cfg_destroy(cfg);
	return 0;
}
