/* libFuzzer target: every parser of xl output never crashes on any bytes. */
#include <stddef.h>
#include <stdint.h>

#include "xen/xl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = (const char *)data;
	struct err e;
	struct xl_domains l;
	struct xl_dominfos j;
	struct xl_info i;
	struct xl_sched s;
	struct xl_vcpus v;
	struct xl_cpupools c;
	struct xl_pcidevs pd;

	if (xl_parse_list(t, size, "f", &l, &e) == 0)
		xl_domains_free(&l);
	if (xl_parse_list_json(t, size, "f", &j, &e) == 0)
		xl_dominfos_free(&j);
	if (xl_parse_info(t, size, "f", &i, &e) == 0)
		xl_info_free(&i);
	if (xl_parse_sched(t, size, "f", &s, &e) == 0)
		xl_sched_free(&s);
	if (xl_parse_vcpu_list(t, size, "f", &v, &e) == 0)
		xl_vcpus_free(&v);
	if (xl_parse_cpupool_list(t, size, "f", &c, &e) == 0)
		xl_cpupools_free(&c);
	if (xl_parse_pci_list(t, size, "f", &pd, &e) == 0) {
		(void)xl_pcidevs_has(&pd, "0000:00:05.0");
		xl_pcidevs_free(&pd);
	}
	return 0;
}
