/* The same report as xlu_oracle.c, from vmlab's xl.cfg engine: what
 * xlcfg's getters return for each key named on the command line.
 * usage: xlcfg_probe FILE KEY... */
#include <stdio.h>
#include <stdlib.h>

#include "xen/xlcfg.h"
#include "canon.h"

static void put_list(const struct xlcfg_value *l)
{
	printf("[");
	for (size_t k = 0; k < l->nitems; k++) {
		const struct xlcfg_value *v = l->items[k];
		printf(k ? ", " : " ");
		if (v->kind == XLCFG_LIST)
			put_list(v);
		else
			canon_str(v->str);
	}
	printf(l->nitems ? " ]" : "]");
}

int main(int argc, char **argv)
{
	struct xlcfg *c;
	struct err e = { 0 };

	if (argc < 2) {
		fprintf(stderr, "usage: xlcfg_probe FILE KEY...\n");
		return 2;
	}
	if (xlcfg_load(argv[1], &c, &e)) {
		if (getenv("XLU_ORACLE_VERBOSE"))
			fprintf(stderr, "%s\n", e.msg);
		printf("parse error\n");
		return 0;
	}
	printf("parse ok\n");
	for (int k = 2; k < argc; k++) {
		const char *s;
		long l;
		const struct xlcfg_value *list;
		int rc;

		printf("%s string ", argv[k]);
		if ((rc = xlcfg_get_string(c, argv[k], &s, NULL)))
			printf("%s", canon_errno(rc == -ENOENT ? ESRCH : -rc));
		else
			canon_str(s);
		printf("\n%s long ", argv[k]);
		if ((rc = xlcfg_get_long(c, argv[k], &l, NULL)))
			printf("%s", canon_errno(rc == -ENOENT ? ESRCH : -rc));
		else
			printf("%ld", l);
		printf("\n%s list ", argv[k]);
		if ((rc = xlcfg_get_list(c, argv[k], &list, NULL)))
			printf("%s", canon_errno(rc == -ENOENT ? ESRCH : -rc));
		else
			put_list(list);
		printf("\n");
	}
	xlcfg_free(c);
	return 0;
}
