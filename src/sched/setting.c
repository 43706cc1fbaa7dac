/* The text form of a scheduling setting, its checks and its comparison
 * with a read-back state. */
#include "sched/sched.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/opt.h"
#include "run/record.h"
#include "xen/cpulist.h"

static const char *const knob_names[] = { "weight", "cap", "cpus", "cpus_soft", "pool", "tslice_ms",
					  "ratelimit_us" };
#define NKNOBS (sizeof(knob_names) / sizeof(knob_names[0]))

const char *sched_knob_name(unsigned knob)
{
	for (unsigned k = 0; k < NKNOBS; k++)
		if (knob == 1u << k)
			return knob_names[k];
	return "?";
}

/* Whole decimal number v[0..n) in lo..hi into *out (base/opt.h's
 * checks); -1 when it is not one. */
static int number(const char *v, size_t n, long lo, long hi, int *out)
{
	const struct opt o = { "knob", 0, OPT_INT, .min = (double)lo, .max = (double)hi };
	char buf[16];
	struct err e;

	if (!n || n >= sizeof(buf) || !isdigit((unsigned char)v[0]))
		return -1;
	memcpy(buf, v, n);
	buf[n] = 0;
	return opt_value(&o, buf, out, &e) < 0 ? -1 : 0;
}

static int pool_name_ok(const char *v, size_t n)
{
	if (!n || n > 63)
		return 0;
	for (size_t k = 0; k < n; k++)
		if (!isalnum((unsigned char)v[k]) && !strchr("_.-", v[k]))
			return 0;
	return 1;
}

/* Stores value v[0..n) of knob k (col: column of v in the text). */
static int put_knob(struct sched_setting *s, unsigned k, const char *v, size_t n, const char *what, int col,
		    struct err *e)
{
	const char *kn = knob_names[k];
	static const long lo[] = { 1, 0, 0, 0, 0, 1, 100 }, hi[] = { 65535, 65535, 0, 0, 0, 1000, 500000 };
	int *dst[] = { &s->weight, &s->cap, NULL, NULL, NULL, &s->tslice_ms, &s->ratelimit_us };

	if (s->set & (1u << k))
		return err_at(e, -EINVAL, what, 1, col, "%s: given twice", kn);
	s->set |= 1u << k;
	if (dst[k]) {
		if (number(v, n, lo[k], hi[k], dst[k]))
			return err_at(e, -EINVAL, what, 1, col, "%s=%.*s: not a whole number in %ld..%ld", kn,
				      (int)n, v, lo[k], hi[k]);
		return 0;
	}
	if (k == 4) {
		if (!pool_name_ok(v, n))
			return err_at(e, -EINVAL, what, 1, col,
				      "pool=%.*s: a pool name is 1..63 letters, digits, '_', '.', '-'", (int)n, v);
		memcpy(s->pool, v, n);
		s->pool[n] = 0;
		return 0;
	}
	char *dstc = k == 2 ? s->cpus : s->cpus_soft;
	struct cpulist l;
	struct err e2;
	int c = 0;

	if (!n || n >= SCHED_CPUS_MAX)
		return err_at(e, -EINVAL, what, 1, col, "%s: a CPU list of 1..%d characters", kn,
			      SCHED_CPUS_MAX - 1);
	memcpy(dstc, v, n);
	dstc[n] = 0;
	if (cpulist_parse(dstc, &l, &c, &e2) < 0)
		return err_at(e, -EINVAL, what, 1, col + (c > 0 ? c - 1 : 0), "%s=%s: %s", kn, dstc, e2.msg);
	cpulist_free(&l);
	return 0;
}

int sched_setting_parse(const char *text, const char *what, struct sched_setting *s, struct err *e)
{
	size_t len = strlen(text), pos = 0;
	int r;

	memset(s, 0, sizeof(*s));
	if (!len)
		return err_at(e, -EINVAL, what, 1, 1, "empty setting (write e.g. weight=512,cap=50,cpus=0-1)");
	while (pos <= len) {
		const char *key = text + pos, *eq = strchr(key, '='), *end;
		unsigned k;

		if (!eq)
			return err_at(e, -EINVAL, what, 1, (int)pos + 1, "expected KNOB=VALUE");
		for (k = 0; k < NKNOBS; k++)
			if (strlen(knob_names[k]) == (size_t)(eq - key) && !memcmp(key, knob_names[k], eq - key))
				break;
		if (k == NKNOBS)
			return err_at(e, -EINVAL, what, 1, (int)pos + 1,
				      "unknown knob '%.*s' (weight, cap, cpus, cpus_soft, pool, tslice_ms, "
				      "ratelimit_us)", (int)(eq - key), key);
		/* the value ends at the next ",KNOB=" (a CPU list holds commas) */
		end = eq + 1;
		for (;;) {
			const char *c = strchr(end, ',');
			const char *q;

			if (!c) {
				end = text + len;
				break;
			}
			q = c + 1;
			while (*q && (islower((unsigned char)*q) || *q == '_'))
				q++;
			if (*q == '=' || (k != 2 && k != 3)) {
				end = c;
				break;
			}
			end = c + 1;
		}
		if ((r = put_knob(s, k, eq + 1, (size_t)(end - eq - 1), what, (int)(eq + 1 - text) + 1, e)))
			return r;
		pos = (size_t)(end - text) + 1;
		if (end == text + len)
			break;
	}
	if ((s->set & SCHED_K_TSLICE) && (s->set & SCHED_K_RATELIMIT) && s->ratelimit_us >= s->tslice_ms * 1000)
		return err_at(e, -EINVAL, what, 1, 1, "ratelimit_us=%d: must be less than tslice_ms=%d (in us)",
			      s->ratelimit_us, s->tslice_ms);
	return 0;
}

/* The value of knob k of s as text. */
static void knob_value(const struct sched_setting *s, unsigned k, struct sbuf *out, bool json)
{
	const int *num[] = { &s->weight, &s->cap, NULL, NULL, NULL, &s->tslice_ms, &s->ratelimit_us };
	const char *str[] = { NULL, NULL, s->cpus, s->cpus_soft, s->pool, NULL, NULL };

	if (num[k])
		sbuf_printf(out, "%d", *num[k]);
	else if (json)
		json_put_str(out, str[k]);
	else
		sbuf_puts(out, str[k]);
}

void sched_setting_format(const struct sched_setting *s, struct sbuf *out)
{
	int first = 1;

	for (unsigned k = 0; k < NKNOBS; k++) {
		if (!(s->set & (1u << k)))
			continue;
		sbuf_printf(out, "%s%s=", first ? "" : ",", knob_names[k]);
		knob_value(s, k, out, false);
		first = 0;
	}
}

void sched_setting_json(const struct sched_setting *s, struct sbuf *out)
{
	int first = 1;

	sbuf_putc(out, '{');
	for (unsigned k = 0; k < NKNOBS; k++) {
		if (!(s->set & (1u << k)))
			continue;
		sbuf_printf(out, "%s\"%s\":", first ? "" : ",", knob_names[k]);
		knob_value(s, k, out, true);
		first = 0;
	}
	sbuf_putc(out, '}');
}

int sched_cpuset(const char *list, int ncpus, bool *set)
{
	struct cpulist l;
	struct err e;
	int col;

	memset(set, 0, (size_t)ncpus * sizeof(bool));
	if (!*list || !strcmp(list, "none"))
		return 0;
	if (cpulist_parse(list, &l, &col, &e) < 0)
		return -1;
	cpulist_apply(&l, ncpus, NULL, set);
	cpulist_free(&l);
	return 0;
}

static int same_cpus(const char *a, const char *b, int ncpus)
{
	bool sa[1024], sb[1024];

	if (ncpus < 1 || ncpus > 1024)
		return !strcmp(a, b);
	if (sched_cpuset(a, ncpus, sa) || sched_cpuset(b, ncpus, sb))
		return 0;
	return !memcmp(sa, sb, (size_t)ncpus * sizeof(bool));
}

/* Compares as sched_compare does; when ws is given, CPU lists vCPU by vCPU
 * with its own. */
static int compare(const struct sched_setting *want, const struct sched_state *ws, unsigned set,
		   const struct sched_state *st, struct err *e)
{
	const struct sched_setting *got = &st->s;

	for (unsigned k = 0; k < NKNOBS; k++) {
		unsigned bit = 1u << k;
		struct sbuf w = SBUF_INIT, g = SBUF_INIT;
		int ok = 1;

		if (!(set & bit))
			continue;
		if (!(got->set & bit))
			ok = 0;
		else if (bit == SCHED_K_CPUS || bit == SCHED_K_SOFT) {
			const char *wl = bit == SCHED_K_CPUS ? want->cpus : want->cpus_soft;

			if (ws && ws->nvcpus != st->nvcpus)
				ok = 0;
			for (int v = 0; v < (st->nvcpus ? st->nvcpus : 1) && ok; v++) {
				if (ws && st->nvcpus)
					wl = bit == SCHED_K_CPUS ? ws->hard[v] : ws->soft[v];
				const char *gl = !st->nvcpus ? (bit == SCHED_K_CPUS ? got->cpus : got->cpus_soft)
							     : (bit == SCHED_K_CPUS ? st->hard[v] : st->soft[v]);

				ok = same_cpus(wl, gl, st->nr_cpus);
			}
		} else if (bit == SCHED_K_POOL)
			ok = !strcmp(want->pool, got->pool);
		else {
			knob_value(want, k, &w, false);
			knob_value(got, k, &g, false);
			ok = !strcmp(sbuf_str(&w), sbuf_str(&g));
		}
		if (!ok) {
			sbuf_reset(&w);
			sbuf_reset(&g);
			knob_value(want, k, &w, false);
			if (got->set & bit)
				knob_value(got, k, &g, false);
			else
				sbuf_puts(&g, "nothing");
			err_set(e, -EIO, "%s: set %s, read back %s", knob_names[k], sbuf_str(&w), sbuf_str(&g));
		}
		sbuf_free(&w);
		sbuf_free(&g);
		if (!ok)
			return -EIO;
	}
	return 0;
}

int sched_compare(const struct sched_setting *want, unsigned set, const struct sched_state *st, struct err *e)
{
	return compare(want, NULL, set, st, e);
}

int sched_compare_state(const struct sched_state *want, unsigned set, const struct sched_state *st,
			struct err *e)
{
	return compare(&want->s, want, set & want->s.set, st, e);
}

void sched_state_json(const struct sched_state *st, struct sbuf *out)
{
	sbuf_puts(out, "{\"scheduler\":");
	json_put_str(out, st->scheduler);
	sbuf_puts(out, ",\"setting\":");
	sched_setting_json(&st->s, out);
	if (st->nvcpus) {
		sbuf_puts(out, ",\"vcpus\":[");
		for (int v = 0; v < st->nvcpus; v++) {
			sbuf_printf(out, "%s{\"vcpu\":%d,\"hard\":", v ? "," : "", v);
			json_put_str(out, st->hard[v]);
			sbuf_puts(out, ",\"soft\":");
			json_put_str(out, st->soft[v]);
			sbuf_putc(out, '}');
		}
		sbuf_putc(out, ']');
	}
	sbuf_putc(out, '}');
}

void sched_record_state(struct record *r, const struct sched_state *st)
{
	struct sbuf j = SBUF_INIT;

	sched_state_json(st, &j);
	record_add_raw(r, "sched", sbuf_str(&j));
	sbuf_free(&j);
}
