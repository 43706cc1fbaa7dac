/* A window cut out of a load's timeline (see window.h). */
#include "web/window.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/text.h"
#include "measure/clock.h"
#include "measure/stats.h"
#include "run/record.h"

/* A count field: a whole number >= 0 below 2^53. */
static int count_of(const struct json *j, const char *key, uint64_t *v)
{
	double d;

	if (json_get_num(j, key, &d) || !(d >= 0) || d > 9007199254740992.0 || d != floor(d))
		return -1;
	*v = (uint64_t)d;
	return 0;
}

/* A time in ms of a line, or null (NaN); -1 when neither. */
static int ms_of(const struct json *j, const char *key, double *v)
{
	const struct json *x = json_get(j, key);

	if (x && x->type == JSON_NULL) {
		*v = NAN;
		return 0;
	}
	return json_get_num(j, key, v) || !(*v >= 0) || *v > 1e9 ? -1 : 0;
}

static int line_of(const struct json *j, struct web_tl_line *l, const char **bad)
{
	const char *wl = json_get_str(j, "workload");
	uint64_t it, ss;

	*bad = "workload";
	if (!wl || strlen(wl) >= sizeof(l->workload))
		return -1;
	snprintf(l->workload, sizeof(l->workload), "%s", wl);
	if ((*bad = "iteration", count_of(j, "iteration", &it)) || it > 1000000 ||
	    (*bad = "sessions", count_of(j, "sessions", &ss)) || ss > 1000000 ||
	    (*bad = "t_s", json_get_num(j, "t_s", &l->t_s)) || !(l->t_s >= 0) ||
	    (*bad = "epoch_s", json_get_num(j, "epoch_s", &l->epoch_s)) || !isfinite(l->epoch_s) ||
	    (*bad = "responses", count_of(j, "responses", &l->responses)) ||
	    (*bad = "errors", count_of(j, "errors", &l->errors)) ||
	    (*bad = "pages", count_of(j, "pages", &l->pages)) ||
	    (*bad = "pages_good", count_of(j, "pages_good", &l->good)) || l->good > l->pages ||
	    (*bad = "pages_tolerable", count_of(j, "pages_tolerable", &l->tolerable)) ||
	    l->tolerable > l->pages ||
	    (*bad = "pages_failed", count_of(j, "pages_failed", &l->failed)) || l->failed > l->pages ||
	    (*bad = "first_ms", ms_of(j, "first_ms", &l->first_ms)) ||
	    (*bad = "last_ms", ms_of(j, "last_ms", &l->last_ms)) ||
	    isnan(l->first_ms) != isnan(l->last_ms) || isnan(l->first_ms) != !l->responses ||
	    (!isnan(l->first_ms) && l->last_ms < l->first_ms) ||
	    (*bad = "gap_ms", ms_of(j, "gap_ms", &l->gap_ms)) || isnan(l->gap_ms))
		return -1;
	l->iteration = (unsigned)it;
	l->sessions = (unsigned)ss;
	return 0;
}

int web_tl_parse(const char *text, size_t len, const char *name, struct web_tl_line **out, size_t *n,
		 struct err *e)
{
	struct web_tl_line *v = NULL;
	size_t k = 0, cap = 0, pos = 0, ll;
	const char *p;
	int line = 0;

	while (text_next_line(text, len, &pos, &p, &ll)) {
		struct json *j = NULL;
		const char *kind, *bad;
		char where[300];
		size_t i = 0;

		line++;
		while (i < ll && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
			i++;
		snprintf(where, sizeof(where), "%s:%d", name, line);
		if (i < ll && json_parse(p, ll, where, &j, e)) {
			free(v);
			return -EBADMSG;
		}
		kind = j && j->type == JSON_OBJ ? json_get_str(j, "kind") : NULL;
		if (j && (j->type != JSON_OBJ || !kind)) {
			json_free(j);
			free(v);
			return err_set(e, -EBADMSG, "%s: not a record (an object with a \"kind\")", where);
		}
		if (kind && !strcmp(kind, "web-timeline")) {
			if (k == cap)
				v = xrealloc(v, (cap = cap ? 2 * cap : 64) * sizeof(*v));
			if (line_of(j, &v[k], &bad)) {
				json_free(j);
				free(v);
				return err_set(e, -EBADMSG, "%s: web-timeline: %s missing or out of range", where, bad);
			}
			v[k++].line = line;
		}
		json_free(j);
	}
	*out = v;
	*n = k;
	return 0;
}

/* Adds the gaps of line l (covering [s, s + 1) s) to w, after the response
 * at *prev (wall clock s). */
static void gaps_of(const struct web_tl_line *l, double s, double *prev, struct web_window *w)
{
	double f = s + l->first_ms / 1e3, last = s + l->last_ms / 1e3;

	if ((f - *prev) * 1e3 > w->gap_ms) {
		w->gap_ms = (f - *prev) * 1e3;
		w->gap_at = *prev;
	}
	if (l->gap_ms > w->gap_ms) {
		w->gap_ms = l->gap_ms;
		w->gap_at = s;   /* somewhere inside this second */
	}
	*prev = last;
}

int web_window_eval(const struct web_tl_line *l, size_t n, double from, double to, struct web_window *w)
{
	double *before = xcalloc(n + 1, sizeof(*before)), prev = NAN;
	size_t nb = 0;
	const struct web_tl_line *first = NULL;

	memset(w, 0, sizeof(*w));
	w->from = from;
	w->to = to;
	for (size_t k = 0; k < n; k++) {
		double s = l[k].epoch_s;

		if (!(s < to && s + 1 > from))
			continue;
		if (!first) {
			first = &l[k];
			w->covered_from = prev = s;
			snprintf(w->workload, sizeof(w->workload), "%s", l[k].workload);
			w->sessions = l[k].sessions;
		}
		w->covered_to = s + 1;
		w->seconds++;
		w->responses += l[k].responses;
		w->errors += l[k].errors;
		w->pages += l[k].pages;
		w->good += l[k].good;
		w->tolerable += l[k].tolerable;
		w->failed += l[k].failed;
		if (l[k].responses)
			gaps_of(&l[k], s, &prev, w);
	}
	if (!first) {
		free(before);
		return -ENOENT;
	}
	if ((w->covered_to - prev) * 1e3 > w->gap_ms) {
		w->gap_ms = (w->covered_to - prev) * 1e3;
		w->gap_at = prev;
	}
	for (size_t k = 0; k < n; k++)
		if (l[k].iteration == first->iteration && l[k].sessions == first->sessions &&
		    l[k].epoch_s < first->epoch_s && l[k].epoch_s > first->epoch_s - 3600)
			before[nb++] = (double)l[k].responses;
	w->rate = (double)w->responses / (w->covered_to - w->covered_from);
	w->rate_before = nb ? stats_median(before, nb) : NAN;
	w->good_pct = w->pages ? 100.0 * (double)w->good / (double)w->pages : NAN;
	w->tolerable_pct = w->pages ? 100.0 * (double)w->tolerable / (double)w->pages : NAN;
	free(before);
	return 0;
}

void web_window_json(const struct web_window *w, const char *env, const char *label, struct sbuf *o)
{
	struct record r;
	char ts[32], bench[64];

	clock_iso8601(clock_real_ns(), ts);
	snprintf(bench, sizeof(bench), "web-%s-window", w->workload);
	record_init(&r);
	r.kind = "web-window";
	r.timestamp = ts;
	r.environment = (char *)env;
	r.label = (char *)label;
	r.benchmark = bench;
	r.iteration = 1;
	r.status = "ok";
	r.value = round(w->gap_ms * 1e3) / 1e3;   /* to the us: the epochs' doubles carry noise below */
	r.unit = "ms";
	r.better = "lower";
	r.metric_name = "largest_gap";
	r.sessions = w->sessions;
	record_add_num(&r, "from_s", w->from);
	record_add_num(&r, "to_s", w->to);
	record_add_num(&r, "covered_from_s", w->covered_from);
	record_add_num(&r, "covered_to_s", w->covered_to);
	record_add_num(&r, "gap_at_s", round(w->gap_at * 1e6) / 1e6);
	record_add_fmt(&r, "responses", "%" PRIu64, w->responses);
	record_add_num(&r, "responses_per_s", w->rate);
	record_add_num(&r, "responses_per_s_before", w->rate_before);
	record_add_fmt(&r, "pages", "%" PRIu64, w->pages);
	record_add_fmt(&r, "pages_good", "%" PRIu64, w->good);
	record_add_fmt(&r, "pages_tolerable", "%" PRIu64, w->tolerable);
	record_add_fmt(&r, "pages_failed", "%" PRIu64, w->failed);
	record_add_num(&r, "good_pct", w->good_pct);
	record_add_num(&r, "tolerable_pct", w->tolerable_pct);
	record_add_fmt(&r, "errors", "%" PRIu64, w->errors);
	record_to_json(&r, o);
	record_free_extras(&r);
}
