/* Report entry points: format names and dispatch to the renderers. */
#include "report/report.h"
#include "report/model.h"

#include <errno.h>
#include <string.h>

int report_parse_format(const char *s, enum report_format *f)
{
	static const struct { const char *name; enum report_format f; } tab[] = {
		{ "md", REPORT_MD }, { "html", REPORT_HTML }, { "csv", REPORT_CSV },
		{ "json", REPORT_JSON },
	};

	for (size_t k = 0; k < sizeof(tab) / sizeof(tab[0]); k++)
		if (!strcmp(s, tab[k].name)) {
			*f = tab[k].f;
			return 0;
		}
	return -EINVAL;
}

int report_render(const struct result_set *set, const struct report_opts *o, struct sbuf *out,
		  struct sbuf *warn, struct err *e)
{
	struct model m;
	struct sbuf title = SBUF_INIT;
	int rc = model_build(&m, set, o->baseline, warn, e);

	if (rc)
		return rc;
	if (o->title) {
		sbuf_puts(&title, o->title);
	} else {
		sbuf_puts(&title, "vmlab report");
		for (size_t k = 0; k < m.nexp; k++)
			sbuf_printf(&title, "%s%s", k ? ", " : ": ", m.experiments[k]);
	}
	switch (o->format) {
	case REPORT_MD: render_md(&m, sbuf_str(&title), out); break;
	case REPORT_HTML: render_html(&m, sbuf_str(&title), out); break;
	case REPORT_CSV: render_csv(&m, out); break;
	case REPORT_JSON: render_json(&m, sbuf_str(&title), out); break;
	}
	sbuf_free(&title);
	model_free(&m);
	return 0;
}
