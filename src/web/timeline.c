/* A load's counts over time (see timeline.h). */
#include "web/timeline.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

void web_timeline_init(struct web_timeline *t, uint64_t start_ns, uint64_t real_ns, uint64_t span_ns)
{
	t->start_ns = start_ns;
	t->start_real_ns = real_ns;
	t->bucket_ns = WEB_TL_BUCKET_NS;
	t->n = (size_t)(span_ns / t->bucket_ns) + 1;
	t->b = xcalloc(t->n, sizeof(*t->b));
}

void web_timeline_free(struct web_timeline *t)
{
	free(t->b);
	memset(t, 0, sizeof(*t));
}

struct web_tl_bucket *web_timeline_at(struct web_timeline *t, uint64_t now_ns)
{
	uint64_t k = now_ns > t->start_ns ? (now_ns - t->start_ns) / t->bucket_ns : 0;

	return &t->b[k < t->n ? k : t->n - 1];
}

void web_timeline_response(struct web_timeline *t, uint64_t now_ns)
{
	struct web_tl_bucket *b = web_timeline_at(t, now_ns);
	uint64_t base = t->start_ns + (uint64_t)(b - t->b) * t->bucket_ns;
	uint32_t off = now_ns > base ? (uint32_t)(now_ns - base < t->bucket_ns ? now_ns - base
						  : t->bucket_ns - 1) : 0;

	if (!b->responses || off < b->first)
		b->first = off;
	if (!b->responses || off > b->last)
		b->last = off;
	b->responses++;
}

void web_timeline_merge(struct web_timeline *dst, const struct web_timeline *src)
{
	if (dst->n != src->n || dst->start_ns != src->start_ns)
		return;
	for (size_t k = 0; k < dst->n; k++) {
		struct web_tl_bucket *d = &dst->b[k];
		const struct web_tl_bucket *s = &src->b[k];

		if (s->responses) {
			d->first = d->responses && d->first < s->first ? d->first : s->first;
			d->last = d->responses && d->last > s->last ? d->last : s->last;
		}
		d->responses += s->responses;
		d->errors += s->errors;
		d->pages += s->pages;
		d->good += s->good;
		d->tolerable += s->tolerable;
		d->failed += s->failed;
	}
}

uint64_t web_timeline_gap(const struct web_timeline *t, uint64_t from, uint64_t to, uint64_t *at)
{
	uint64_t prev = from, gap = 0, bw = t->bucket_ns;

	*at = from;
	for (size_t k = (size_t)(from / bw); k < t->n && k * bw < to; k++) {
		const struct web_tl_bucket *b = &t->b[k];
		uint64_t first = k * bw + b->first, last = k * bw + b->last;

		if (!b->responses || last < from)
			continue;
		if (first < from)
			first = from;
		if (first > to)
			break;
		if (first - prev > gap) {
			gap = first - prev;
			*at = prev;
		}
		prev = last < to ? last : to;
	}
	if (to > prev && to - prev > gap) {
		gap = to - prev;
		*at = prev;
	}
	return gap;
}

/* The first and last response in [from, to) (ns since the start); 0 when none. */
static int span_of(const struct web_timeline *t, uint64_t from, uint64_t to, uint64_t *first, uint64_t *last)
{
	int any = 0;

	for (size_t k = (size_t)(from / t->bucket_ns); k < t->n && k * t->bucket_ns < to; k++) {
		if (!t->b[k].responses)
			continue;
		if (!any)
			*first = k * t->bucket_ns + t->b[k].first;
		*last = k * t->bucket_ns + t->b[k].last;
		any = 1;
	}
	return any;
}

static void put_ms(struct sbuf *o, uint64_t ns)
{
	json_put_num(o, (double)(ns / 1000) / 1e3);
}

void web_timeline_json(const struct web_timeline *t, uint64_t every_ns, const char *workload,
		       unsigned iteration, unsigned sessions, struct sbuf *o)
{
	size_t per = every_ns > t->bucket_ns ? (size_t)(every_ns / t->bucket_ns) : 1;

	for (size_t k0 = 0; k0 < t->n; k0 += per) {
		struct web_tl_bucket s = { 0 };
		uint64_t from = k0 * t->bucket_ns, to = (k0 + per) * t->bucket_ns, first, last, at;
		int any = span_of(t, from, to, &first, &last);

		for (size_t k = k0; k < k0 + per && k < t->n; k++) {
			s.responses += t->b[k].responses;
			s.errors += t->b[k].errors;
			s.pages += t->b[k].pages;
			s.good += t->b[k].good;
			s.tolerable += t->b[k].tolerable;
			s.failed += t->b[k].failed;
		}
		sbuf_puts(o, "{\"kind\":\"web-timeline\",\"workload\":");
		json_put_str(o, workload);
		sbuf_printf(o, ",\"iteration\":%u,\"sessions\":%u,\"t_s\":", iteration, sessions);
		json_put_num(o, (double)from / 1e9);
		sbuf_puts(o, ",\"epoch_s\":");
		json_put_num(o, (double)((t->start_real_ns + from) / 1000000) / 1e3);
		sbuf_printf(o, ",\"responses\":%" PRIu32 ",\"errors\":%" PRIu32 ",\"pages\":%" PRIu32
			    ",\"pages_good\":%" PRIu32 ",\"pages_tolerable\":%" PRIu32
			    ",\"pages_failed\":%" PRIu32 ",\"first_ms\":",
			    s.responses, s.errors, s.pages, s.good, s.tolerable, s.failed);
		if (any)
			put_ms(o, first - from);
		else
			sbuf_puts(o, "null");
		sbuf_puts(o, ",\"last_ms\":");
		if (any)
			put_ms(o, last - from);
		else
			sbuf_puts(o, "null");
		sbuf_puts(o, ",\"gap_ms\":");
		put_ms(o, any && last > first ? web_timeline_gap(t, first, last, &at) : 0);
		sbuf_puts(o, "}\n");
	}
}
