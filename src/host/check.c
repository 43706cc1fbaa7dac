/* The host probe (one fixed script run there), its parser and the judge. */
#include "host/check.h"

#include "base/json.h"
#include "base/text.h"
#include "xen/xl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBE_TIMEOUT_MS 120000

static char probe_script[] =
	"echo @@hostname; uname -n\n"
	"echo @@xl_info; xl info 2>&1; echo \"@@rc $?\"\n"
	"echo @@pci; xl pci-assignable-list 2>&1; echo \"@@rc $?\"\n"
	"echo @@pciback\n"
	"if [ -d /sys/bus/pci/drivers/pciback ]; then echo driver\n"
	"elif modinfo xen-pciback >/dev/null 2>&1 || find /lib/modules/$(uname -r) -name 'xen-pciback.ko*' "
	"2>/dev/null | grep -q .; then echo module\n"
	"else echo no; fi\n"
	"echo @@xentrace; command -v xentrace || echo no\n"
	"echo @@vgs; vgs --noheadings --units m --nosuffix -o vg_name,vg_free 2>&1; echo \"@@rc $?\"\n"
	"echo @@bridges; for b in /sys/class/net/*/bridge; do [ -d \"$b\" ] && basename \"${b%/bridge}\"; done\n"
	"echo @@end\n";

char *const host_probe_argv[] = { "sh", "-c", probe_script, NULL };

static const char *const keys[] = { "hostname", "xl_info", "pci", "pciback", "xentrace", "vgs", "bridges" };
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* Where each section's text and status go in p. */
static void slots(struct host_probe *p, char **txt[NKEYS], int *rc[NKEYS])
{
	char **t[NKEYS] = { &p->hostname, &p->xl_info, &p->pci, &p->pciback, &p->xentrace, &p->vgs, &p->bridges };
	int *r[NKEYS] = { NULL, &p->xl_info_rc, &p->pci_rc, NULL, NULL, &p->vgs_rc, NULL };

	memcpy(txt, t, sizeof(t));
	memcpy(rc, r, sizeof(r));
}

/* Stores the collected section body (cut at the last newline) in *slot. */
static void put(char **slot, struct sbuf *body)
{
	sbuf_chomp(body);
	*slot = xstrdup(sbuf_str(body));
	sbuf_reset(body);
}

static int parse_rc(const char *l, size_t n, int *rc)
{
	int v = 0;

	if (n < 6 || n > 8)
		return -1;
	for (size_t k = 5; k < n; k++) {
		if (l[k] < '0' || l[k] > '9')
			return -1;
		v = v * 10 + (l[k] - '0');
	}
	*rc = v;
	return v <= 255 ? 0 : -1;
}

int host_probe_parse(const char *text, size_t len, const char *name, struct host_probe *p, struct err *e)
{
	char **txt[NKEYS];
	int *rcs[NKEYS], cur = -1, lineno = 0, ended = 0, rc = 0;
	struct sbuf body = SBUF_INIT;
	size_t pos = 0, n;
	const char *l;

	memset(p, 0, sizeof(*p));
	slots(p, txt, rcs);
	while (!rc && !ended && text_next_line(text, len, &pos, &l, &n)) {
		lineno++;
		if (n >= 2 && !memcmp(l, "@@", 2)) {
			if (n >= 5 && !memcmp(l, "@@rc ", 5) && cur >= 0 && rcs[cur] && !*txt[cur]) {
				if (parse_rc(l, n, rcs[cur]))
					rc = err_at(e, -EBADMSG, name, lineno, 6, "exit status is not 0..255");
				else
					put(txt[cur], &body);
				continue;
			}
			if (cur >= 0 && !*txt[cur] && !rcs[cur])
				put(txt[cur], &body);
			else if (cur >= 0 && !*txt[cur]) {
				rc = err_at(e, -EBADMSG, name, lineno, 1, "section @@%s has no @@rc line", keys[cur]);
				break;
			}
			if (n == 5 && !memcmp(l, "@@end", 5)) {
				ended = 1;
				break;
			}
			cur = -1;
			for (size_t k = 0; k < NKEYS; k++)
				if (n - 2 == strlen(keys[k]) && !memcmp(l + 2, keys[k], n - 2))
					cur = (int)k;
			if (cur < 0 || *txt[cur])
				rc = err_at(e, -EBADMSG, name, lineno, 1, cur < 0 ? "unknown section '%.*s'"
					    : "section '%.*s' repeated", (int)(n > 40 ? 40 : n), l);
			continue;
		}
		if (cur < 0)
			rc = err_at(e, -EBADMSG, name, lineno, 1, "text before the first section");
		else {
			sbuf_add(&body, l, n);
			sbuf_putc(&body, '\n');
		}
	}
	for (size_t k = 0; !rc && k < NKEYS; k++)
		if (!*txt[k])
			rc = err_at(e, -EBADMSG, name, lineno ? lineno : 1, 1, "no section @@%s%s", keys[k],
				    ended ? "" : " (the probe did not finish: no @@end)");
	if (!rc && !ended)
		rc = err_at(e, -EBADMSG, name, lineno ? lineno : 1, 1, "no @@end: the probe did not finish");
	sbuf_free(&body);
	if (rc)
		host_probe_free(p);
	return rc;
}

void host_probe_free(struct host_probe *p)
{
	char **txt[NKEYS];
	int *rcs[NKEYS];

	slots(p, txt, rcs);
	for (size_t k = 0; k < NKEYS; k++)
		free(*txt[k]);
	memset(p, 0, sizeof(*p));
}

int host_probe_run(struct host *h, struct host_probe *p, struct err *e)
{
	struct sbuf out = SBUF_INIT;
	int rc = host_run_ok(h, host_probe_argv, PROBE_TIMEOUT_MS, &out, e);

	if (rc == 0)
		rc = host_probe_parse(sbuf_str(&out), out.len, h->spec, p, e);
	sbuf_free(&out);
	return rc;
}

/* Fills f and returns it for chaining. */
static void fact(struct host_fact *f, const char *name, int ok, const char *need, const char *todo,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void fact(struct host_fact *f, const char *name, int ok, const char *need, const char *todo,
		 const char *fmt, ...)
{
	va_list ap;

	f->name = name;
	f->ok = ok;
	f->need = need;
	f->todo = todo;
	va_start(ap, fmt);
	vsnprintf(f->value, sizeof(f->value), fmt, ap);
	va_end(ap);
}

/* 1 when word w is one of the space-separated words of list. */
static int has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; p && (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
			return 1;
	return 0;
}

/* The first line of s (for a failed command's message), into buf. */
static const char *first_line(const char *s, char *buf, size_t n)
{
	snprintf(buf, n, "%.*s", (int)strcspn(s ? s : "", "\n"), s ? s : "");
	return buf;
}

/* One line's item for join_lines into out[0..n): 1, or 0 when the line is none. */
typedef int (*line_item)(const char *l, size_t ln, char *out, size_t n);

/* A non-empty line, trimmed. */
static int word_item(const char *l, size_t ln, char *out, size_t n)
{
	while (ln && (*l == ' ' || *l == '\t')) {
		l++;
		ln--;
	}
	snprintf(out, n, "%.*s", (int)ln, l);
	return ln > 0;
}

/* A device of `xl pci-assignable-list` ("%04x:%02x:%02x.%01x ..."; libxl's
 * warnings are not). */
static int pci_item(const char *l, size_t ln, char *out, size_t n)
{
	unsigned dom, bus, dev, fn;
	char line[64];
	int used = 0;

	snprintf(line, sizeof(line), "%.*s", (int)(ln < 63 ? ln : 63), l);
	if (sscanf(line, "%4x:%2x:%2x.%1u%n", &dom, &bus, &dev, &fn, &used) != 4 || used != 12 ||
	    (line[12] && line[12] != ' ' && line[12] != '\t'))
		return 0;
	snprintf(out, n, "%.12s", line);
	return 1;
}

/* A volume group of `vgs --noheadings --units m --nosuffix -o vg_name,vg_free`
 * ("  vg0 7688.00") as "vg0 (7688 MiB free)". */
static int vg_item(const char *l, size_t ln, char *out, size_t n)
{
	char name[128], line[256];
	double mib;

	snprintf(line, sizeof(line), "%.*s", (int)(ln < 255 ? ln : 255), l);
	if (sscanf(line, " %127s %lf", name, &mib) != 2)
		return 0;
	snprintf(out, n, "%s (%.0f MiB free)", name, mib);
	return 1;
}

/* Joins the items of the lines of s with ", " into buf[0..n); returns their number. */
static int join_lines(const char *s, line_item item, char *buf, size_t n)
{
	size_t pos = 0, len = strlen(s), ln;
	const char *l;
	int count = 0;

	buf[0] = 0;
	while (text_next_line(s, len, &pos, &l, &ln)) {
		char one[256];
		size_t u = strlen(buf);

		if (!item(l, ln, one, sizeof(one)))
			continue;
		snprintf(buf + u, n - u, "%s%s", count ? ", " : "", one);
		count++;
	}
	return count;
}

/* The facts from xl info (xen false: it failed, why says how). */
static void judge_xen(const char *why, const struct xl_info *xi, int xen, struct host_fact *f)
{
	const char *ver = xen ? xl_info_get(xi, "xen_version") : NULL;
	const char *sch = xen ? xl_info_get(xi, "xen_scheduler") : NULL;
	const char *caps = xen ? xl_info_get(xi, "virt_caps") : NULL;
	const char *mem = xen ? xl_info_get(xi, "free_memory") : NULL;
	const char *cpus = xen ? xl_info_get(xi, "nr_cpus") : NULL;
	if (xen)
		fact(&f[0], "xen", 1, "every task", NULL, "Xen %s", ver ? ver : "?");
	else
		fact(&f[0], "xen", 0, "every task",
		     "boot the host with Xen and run vmlab in dom0 (or use the testbed)", "xl info: %s", why);
	fact(&f[1], "scheduler", sch && (!strcmp(sch, "credit2") || !strcmp(sch, "credit")),
	     "task 3 (weight, cap)", "boot Xen with sched=credit2 or sched=credit", "%s", sch ? sch : "unknown");
	fact(&f[2], "hvm", caps && has_word(caps, "hvm"), "tasks 1, 2, 4 (HVM guests)",
	     "enable VT-x or AMD-V in the firmware (nested: a CPU with vmx or svm)", "virt_caps %s",
	     caps ? caps : "unknown");
	fact(&f[3], "hap", caps && has_word(caps, "hap"), "tasks 2, 4 (HVM and PVH guests: this Xen has no shadow paging)",
	     "enable EPT or NPT (nested: QEMU -cpu ...,+npt)", "%s", caps && has_word(caps, "hap") ? "hap" : "no hap");
	fact(&f[4], "iommu", caps && (has_word(caps, "hvm_directio") || has_word(caps, "iommu_hap_pt_share")),
	     "task 4 (PCI passthrough)", "enable VT-d or AMD-Vi in the firmware and boot Xen with iommu=1", "%s",
	     caps && has_word(caps, "hvm_directio") ? "hvm_directio" : "no IOMMU in virt_caps");
	fact(&f[8], "memory", mem && atol(mem) >= 1024, "tasks 3, 4 (two or more guests at once)",
	     "free memory: give dom0 less (dom0_mem=) or stop guests", "%s MiB free", mem ? mem : "?");
	fact(&f[9], "cpus", cpus && atol(cpus) >= 2, "tasks 3, 4 (two guests, dom0 pinned apart)",
	     "a host with 2 or more CPUs", "%s CPUs", cpus ? cpus : "?");
}

int host_facts_judge(const struct host_probe *p, struct host_fact f[HOST_NFACTS])
{
	struct xl_info xi = { 0 };
	struct err e = { 0 };
	char buf[256];
	int xen, n, missing = 0;

	xen = p->xl_info_rc == 0 && p->xl_info &&
	      xl_parse_info(p->xl_info, strlen(p->xl_info), "xl info", &xi, &e) == 0;
	judge_xen(p->xl_info_rc ? first_line(p->xl_info, buf, sizeof(buf)) : e.msg, &xi, xen, f);
	n = p->pci_rc == 0 ? join_lines(p->pci, pci_item, buf, sizeof(buf)) : 0;
	fact(&f[5], "pci-assignable", n > 0, "task 4 (PCI passthrough)",
	     "bind a device to pciback: xl pci-assignable-add BDF", "%s",
	     n ? buf : p->pci[0] ? first_line(p->pci, buf, sizeof(buf)) : "no device assignable");
	fact(&f[6], "pciback", strcmp(p->pciback, "no") != 0, "task 4 (PCI passthrough)",
	     "a dom0 kernel with xen-pciback (CONFIG_XEN_PCIDEV_BACKEND)", "%s",
	     !strcmp(p->pciback, "driver") ? "loaded" : !strcmp(p->pciback, "module") ? "module (modprobe xen-pciback)"
	     : "absent");
	fact(&f[7], "xentrace", strcmp(p->xentrace, "no") != 0, "task 2 (where native performance went)",
	     "install xentrace (Debian: xen-utils-common)", "%s", strcmp(p->xentrace, "no") ? p->xentrace : "absent");
	n = p->vgs_rc == 0 ? join_lines(p->vgs, vg_item, buf, sizeof(buf)) : 0;
	fact(&f[10], "lvm", n > 0, "task 1 (guest disks on LVM volumes)",
	     p->vgs_rc == 127 ? "install lvm2" : "create a volume group: pvcreate DEV && vgcreate vg0 DEV", "%s",
	     n ? buf : p->vgs_rc == 127 ? "no vgs" : "no volume group");
	n = join_lines(p->bridges, word_item, buf, sizeof(buf));
	fact(&f[11], "bridge", n > 0, "tasks 2, 3, 4 (guest networking; vmlab guests use xenbr0)",
	     "create one: ip link add xenbr0 type bridge && ip addr add 10.0.0.1/24 dev xenbr0", "%s",
	     n ? buf : "none");
	for (int k = 0; k < HOST_NFACTS; k++)
		missing += !f[k].ok;
	xl_info_free(&xi);
	return missing;
}

void host_facts_text(const struct host_fact *f, size_t n, struct sbuf *out)
{
	for (size_t k = 0; k < n; k++) {
		sbuf_printf(out, "%-7s %-14s %s", f[k].ok ? "OK" : "MISSING", f[k].name, f[k].value);
		if (!f[k].ok)
			sbuf_printf(out, ": %s (needed by %s)", f[k].todo, f[k].need);
		sbuf_putc(out, '\n');
	}
}

void host_facts_json_out(const char *spec, const char *hostname, int testbed, const struct host_fact *f,
			 size_t n, struct sbuf *out)
{
	int missing = 0;

	for (size_t k = 0; k < n; k++)
		missing += !f[k].ok;
	sbuf_puts(out, "{\"host\":");
	json_put_str(out, spec);
	sbuf_puts(out, ",\"hostname\":");
	json_put_str(out, hostname ? hostname : "");
	sbuf_printf(out, ",\"testbed\":%s,\"missing\":%d,\"facts\":[", testbed ? "true" : "false", missing);
	for (size_t k = 0; k < n; k++) {
		sbuf_printf(out, "%s{\"name\":", k ? "," : "");
		json_put_str(out, f[k].name);
		sbuf_printf(out, ",\"ok\":%s,\"value\":", f[k].ok ? "true" : "false");
		json_put_str(out, f[k].value);
		sbuf_puts(out, ",\"need\":");
		json_put_str(out, f[k].need);
		if (!f[k].ok) {
			sbuf_puts(out, ",\"todo\":");
			json_put_str(out, f[k].todo);
		}
		sbuf_putc(out, '}');
	}
	sbuf_puts(out, "]}\n");
}
