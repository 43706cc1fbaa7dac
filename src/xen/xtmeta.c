/* FILE.meta beside a trace, and the event mask of class names. */
#include "xen/xtmeta.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/json.h"

void xt_meta_path(const char *trace, char *buf, size_t n)
{
	snprintf(buf, n, "%s.meta", trace);
}

static void copy_str(const struct json *j, const char *key, char *dst, size_t n)
{
	const char *s = json_get_str(j, key);

	if (s)
		snprintf(dst, n, "%s", s);
}

int xt_meta_parse(const char *text, size_t len, const char *name, struct xt_meta *m, struct err *e)
{
	struct json *j;
	const char *v;
	double d;
	int rc;

	memset(m, 0, sizeof(*m));
	m->domid = -1;
	if ((rc = json_parse(text, len, name, &j, e)))
		return rc;
	if (j->type != JSON_OBJ) {
		json_free(j);
		return err_at(e, -EBADMSG, name, 1, 1, "not a JSON object");
	}
	if (!json_get_num(j, "cpu_hz", &d) && d > 0 && d < 1e12)
		m->cpu_hz = d;
	if ((v = json_get_str(j, "exit_names"))) {
		m->have_vendor = !strcmp(v, "svm") || !strcmp(v, "vmx");
		m->vendor = strcmp(v, "vmx") ? XT_SVM : XT_VMX;
	}
	if (!json_get_num(j, "mask", &d) && d >= 0 && d < 4294967296.0)
		m->mask = (unsigned)d;
	if (!json_get_num(j, "domid", &d) && d >= 0 && d < 32768)
		m->domid = (int)d;
	if (!json_get_num(j, "status", &d) && d >= 0 && d < 256)
		m->status = (int)d;
	copy_str(j, "classes", m->classes, sizeof(m->classes));
	copy_str(j, "domain", m->domain, sizeof(m->domain));
	copy_str(j, "xen_version", m->xen_version, sizeof(m->xen_version));
	json_free(j);
	return 0;
}

int xt_meta_load(const char *trace, struct xt_meta *m, struct err *e)
{
	char path[4096];
	struct sbuf b = SBUF_INIT;
	int rc;

	xt_meta_path(trace, path, sizeof(path));
	memset(m, 0, sizeof(*m));
	m->domid = -1;
	if ((rc = file_read(path, &b, e))) {
		sbuf_free(&b);
		return rc == -ENOENT ? 1 : rc;
	}
	rc = xt_meta_parse(b.buf ? b.buf : "", b.len, path, m, e);
	sbuf_free(&b);
	return rc;
}

void xt_meta_json(const struct xt_meta *m, struct sbuf *out)
{
	sbuf_puts(out, "{\"cpu_hz\":");
	json_put_num(out, m->cpu_hz);
	sbuf_printf(out, ",\"exit_names\":\"%s\",\"mask\":%u,\"classes\":", m->vendor == XT_VMX ? "vmx" : "svm",
		    m->mask);
	json_put_str(out, m->classes);
	sbuf_puts(out, ",\"domain\":");
	json_put_str(out, m->domain);
	sbuf_printf(out, ",\"domid\":%d,\"status\":%d,\"xen_version\":", m->domid, m->status);
	json_put_str(out, m->xen_version);
	sbuf_puts(out, "}\n");
}

static const struct {
	const char *name;
	unsigned mask;
} classes[] = {
	{ "gen", 0x0001f000u }, { "sched", 0x0002f000u }, { "dom0op", 0x0004f000u },
	{ "hvm", 0x0008f000u }, { "mem", 0x0010f000u }, { "pv", 0x0020f000u },
	{ "shadow", 0x0040f000u }, { "hw", 0x0080f000u }, { "all", 0x0ffff000u },
};

int xt_mask_parse(const char *list, unsigned *mask, struct err *e)
{
	unsigned m = 0;
	const char *p = list;

	if (!*list)
		return err_set(e, -EINVAL, "'': no event class (hvm, sched, pv, all...)");
	while (*p) {
		size_t n = strcspn(p, ",");
		size_t k;
		for (k = 0; k < sizeof(classes) / sizeof(classes[0]); k++)
			if (strlen(classes[k].name) == n && !strncmp(p, classes[k].name, n))
				break;
		if (k < sizeof(classes) / sizeof(classes[0])) {
			m |= classes[k].mask;
		} else if (n > 2 && n <= 10 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
			char buf[16], *end;
			memcpy(buf, p, n);
			buf[n] = 0;
			unsigned long v = strtoul(buf + 2, &end, 16);
			if (*end || !v || v > 0x0fffffffUL)
				return err_set(e, -EINVAL, "'%.*s': not a mask (0x1..0x0fffffff)", (int)n, p);
			m |= (unsigned)v;
		} else {
			return err_set(e, -EINVAL, "'%.*s': not an event class (gen, sched, dom0op, hvm, mem, "
				       "pv, shadow, hw, all or 0xMASK)", (int)n, p);
		}
		p += n;
		if (*p == ',') {
			p++;
			if (!*p)
				return err_set(e, -EINVAL, "'%s': ends with ','", list);
		}
	}
	*mask = m;
	return 0;
}
