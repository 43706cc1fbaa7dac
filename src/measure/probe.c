/* The downtime probe (measure/probe.h): ICMP echo requests on an absolute
 * schedule, replies matched to them, and the summary of the gaps. */
#include "measure/probe.h"

#include "base/json.h"
#include "measure/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- the summary ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile q of the sorted s[0..n), n > 0, as stats_quantile computes it
 * (without its copy: s may be millions of RTTs). */
static double sorted_quantile(const double *s, size_t n, double q)
{
	double h = (double)(n - 1) * q;
	size_t lo = (size_t)floor(h);

	return lo + 1 < n ? s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]) : s[lo];
}

/* The unanswered requests of v[0..n) sent within [from, to]. */
static uint64_t lost_within(const struct probe_sample *v, size_t n, uint64_t from, uint64_t to)
{
	uint64_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += !v[i].recv_ns && v[i].sent_ns >= from && v[i].sent_ns <= to;
	return k;
}

/* The largest gap among the sorted reply times rx[0..nr), with the first
 * and last request as its ends: its length and start, in ns. */
static void largest_gap(const uint64_t *rx, size_t nr, uint64_t first, uint64_t last, uint64_t *gap,
			uint64_t *from)
{
	*from = first;
	if (!nr) {
		*gap = last - first;
		return;
	}
	*gap = rx[0] > first ? rx[0] - first : 0;
	for (size_t k = 1; k < nr; k++)
		if (rx[k] - rx[k - 1] > *gap) {
			*gap = rx[k] - rx[k - 1];
			*from = rx[k - 1];
		}
	if (last > rx[nr - 1] && last - rx[nr - 1] > *gap) {
		*gap = last - rx[nr - 1];
		*from = rx[nr - 1];
	}
}

void probe_summarize(const struct probe_sample *v, size_t n, uint64_t interval_ns,
		     struct probe_summary *s)
{
	uint64_t first, last, gap, from, *rx;
	double *rtt;
	size_t nr = 0;

	memset(s, 0, sizeof(*s));
	s->interval_ms = (double)interval_ns / 1e6;
	s->largest_gap_ms = s->gap_start_s = NAN;
	s->rtt_median_ms = s->rtt_p99_ms = s->rtt_max_ms = NAN;
	s->sent = n;
	if (!n)
		return;
	rx = xmalloc(n * sizeof(*rx));
	rtt = xmalloc(n * sizeof(*rtt));
	first = last = v[0].sent_ns;
	for (size_t k = 0; k < n; k++) {
		first = v[k].sent_ns < first ? v[k].sent_ns : first;
		last = v[k].sent_ns > last ? v[k].sent_ns : last;
		if (!v[k].recv_ns)
			continue;
		rx[nr] = v[k].recv_ns;
		rtt[nr] = v[k].recv_ns > v[k].sent_ns ? (double)(v[k].recv_ns - v[k].sent_ns) / 1e6 : 0;
		nr++;
	}
	s->received = nr;
	s->lost = n - nr;
	s->duration_s = (double)(last - first) / 1e9;
	qsort(rx, nr, sizeof(*rx), cmp_u64);
	largest_gap(rx, nr, first, last, &gap, &from);
	s->largest_gap_ms = (double)gap / 1e6;
	s->gap_start_s = (double)(int64_t)(from - first) / 1e9;
	s->lost_in_gap = lost_within(v, n, from, from + gap);
	if (nr) {
		qsort(rtt, nr, sizeof(*rtt), cmp_double);
		s->rtt_median_ms = sorted_quantile(rtt, nr, 0.5);
		s->rtt_p99_ms = sorted_quantile(rtt, nr, 0.99);
		s->rtt_max_ms = rtt[nr - 1];
	}
	free(rx);
	free(rtt);
}

/* ---- the prober ---- */

#define ECHO_LEN 24   /* ICMP header 8, token 8, request index 8 (for packet captures) */
#define STOP_CHECK_NS 10000000ull   /* the stop flag and file: every 10 ms at least */
#define DRAIN_MIN_NS 20000000ull
#define DRAIN_MAX_NS 1000000000ull

struct prober {
	int fd;
	bool dgram;                /* a ping socket: no IP header, the kernel sets the id */
	uint16_t id;
	uint64_t token;            /* in every request's payload: replies to others are not ours */
	uint64_t interval_ns;
	struct probe_sample *v;
	size_t n, cap, max;
	uint64_t max_rtt_ns, next_check_ns;
	uint64_t late, errors;
	char first_error[128];
	bool truncated;
};

/* Counts an error; the first one's text is kept in printable ASCII (the
 * summary's strings are). */
static void note_error(struct prober *p, const char *what, int err)
{
	if (p->errors++)
		return;
	snprintf(p->first_error, sizeof(p->first_error), "%s: %s", what, strerror(err));
	for (char *c = p->first_error; *c; c++)
		*c = *c >= 0x20 && *c < 0x7f ? *c : '?';
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* A raw ICMP socket, else a ping socket, connected to addr (so that only
 * its packets arrive); non-blocking. */
static int open_socket(struct prober *p, const char *addr, const struct sockaddr_in *to, struct err *e)
{
	int rcvbuf = 1 << 20, err;

	p->fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (p->fd < 0 && (errno == EPERM || errno == EACCES)) {
		p->dgram = true;
		p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
		if (p->fd < 0 && (errno == EPERM || errno == EACCES))
			return err_set(e, -EPERM, "probe: neither a raw ICMP socket (CAP_NET_RAW) nor a ping "
				       "socket (group %u is outside net.ipv4.ping_group_range) is permitted: "
				       "run it as root or widen ping_group_range", (unsigned)getegid());
	}
	if (p->fd < 0) {
		err = errno;
		return err_set(e, -err, "probe: %s: %s%s", p->dgram ? "ping socket" : "raw ICMP socket",
			       strerror(err), p->dgram ? " (and a raw one is not permitted: run it as root)" : "");
	}
	if (setsockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)   /* root only */
		(void)setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (connect(p->fd, (const struct sockaddr *)to, sizeof(*to)) < 0) {
		err = errno;
		close(p->fd);
		p->fd = -1;
		return err_set(e, -err, "probe: %s: %s", addr, strerror(err));
	}
	return 0;
}

static uint16_t checksum(const uint8_t *b, size_t n)
{
	uint32_t sum = 0;

	for (size_t k = 0; k + 1 < n; k += 2)
		sum += (uint32_t)b[k] << 8 | b[k + 1];
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Sends request number p->n, due at due_ns (now or before). */
static void send_one(struct prober *p, uint64_t due_ns)
{
	uint8_t pkt[ECHO_LEN] = { 8, 0 };   /* echo request, code 0 */
	uint64_t k = p->n, now;
	uint16_t seq = (uint16_t)k, sum;

	if (p->n == p->cap) {
		p->cap = p->cap ? (p->cap * 2 < p->max ? p->cap * 2 : p->max) : (p->max < 4096 ? p->max : 4096);
		p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	pkt[4] = (uint8_t)(p->id >> 8);
	pkt[5] = (uint8_t)p->id;
	pkt[6] = (uint8_t)(seq >> 8);
	pkt[7] = (uint8_t)seq;
	memcpy(pkt + 8, &p->token, 8);
	memcpy(pkt + 16, &k, 8);
	sum = checksum(pkt, sizeof(pkt));
	pkt[2] = (uint8_t)(sum >> 8);
	pkt[3] = (uint8_t)sum;
	now = clock_mono_ns();
	p->v[p->n].sent_ns = now;
	p->v[p->n].recv_ns = 0;
	p->n++;
	if (now - due_ns > p->interval_ns / 2)
		p->late++;
	if (send(p->fd, pkt, sizeof(pkt), 0) < 0)
		note_error(p, "send", errno);
}

/* Takes packet b[0..len), received at now, as the reply to the newest
 * request with its sequence number when it is one of ours. */
static void take_reply(struct prober *p, const uint8_t *b, size_t len, uint64_t now)
{
	size_t off = 0;
	uint64_t token, last, back;
	uint16_t id, seq;
	struct probe_sample *r;

	if (!p->dgram) {
		if (len < 20 || b[0] >> 4 != 4)
			return;
		off = (size_t)(b[0] & 15) * 4;
	}
	if (len < off + ECHO_LEN || b[off] != 0 || b[off + 1] != 0 || !p->n)   /* echo reply, code 0 */
		return;
	id = (uint16_t)(b[off + 4] << 8 | b[off + 5]);
	seq = (uint16_t)(b[off + 6] << 8 | b[off + 7]);
	memcpy(&token, b + off + 8, 8);
	if ((!p->dgram && id != p->id) || token != p->token)
		return;
	last = p->n - 1;
	back = (last - seq) & 0xffff;
	if (back > last)
		return;
	r = &p->v[last - back];
	if (r->recv_ns)
		return;
	r->recv_ns = now > r->sent_ns ? now : r->sent_ns + 1;
	if (r->recv_ns - r->sent_ns > p->max_rtt_ns)
		p->max_rtt_ns = r->recv_ns - r->sent_ns;
}

/* Reads what has come, up to 256 packets (then the schedule goes first). */
static void receive(struct prober *p)
{
	uint8_t buf[1500];
	ssize_t len;

	for (int k = 0; k < 256; k++) {
		if ((len = recv(p->fd, buf, sizeof(buf), 0)) < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				note_error(p, "receive", errno);
			return;
		}
		take_reply(p, buf, (size_t)len, clock_mono_ns());
	}
}

/* Waits up to ns (at most STOP_CHECK_NS) and reads the replies that came. */
static void wait_for(struct prober *p, uint64_t ns)
{
	struct pollfd pfd = { p->fd, POLLIN, 0 };
	struct timespec ts;
	int r;

	ns = ns < STOP_CHECK_NS ? ns : STOP_CHECK_NS;
	ts.tv_sec = (time_t)(ns / 1000000000u);
	ts.tv_nsec = (long)(ns % 1000000000u);
	r = ppoll(&pfd, 1, &ts, NULL);
	if (r > 0)
		receive(p);
	else if (r < 0 && errno != EINTR)
		note_error(p, "poll", errno);
}

static bool told_to_stop(struct prober *p, const struct probe_opts *o, volatile sig_atomic_t *stop,
			 uint64_t now)
{
	if (stop && *stop)
		return true;
	if (!o->stop_file || now < p->next_check_ns)
		return false;
	p->next_check_ns = now + STOP_CHECK_NS;
	return access(o->stop_file, F_OK) == 0;
}

/* Sends request k at start + k x interval until told to stop, the
 * duration is over or the samples are at their limit. */
static void run_schedule(struct prober *p, const struct probe_opts *o, volatile sig_atomic_t *stop)
{
	uint64_t start = clock_mono_ns(), k = 0, now, due;

	for (;;) {
		now = clock_mono_ns();
		if (told_to_stop(p, o, stop, now))
			return;
		if (o->duration_ns && k * o->interval_ns >= o->duration_ns)
			return;
		due = start + k * o->interval_ns;
		if (now < due) {
			wait_for(p, due - now);
			continue;
		}
		if (p->n == p->max) {
			p->truncated = true;
			return;
		}
		send_one(p, due);
		k++;
	}
}

/* Reads the replies still on their way: until the last request has its
 * reply, or for 4 x the largest RTT seen (between 20 ms and 1 s). */
static void drain(struct prober *p)
{
	uint64_t grace = 4 * p->max_rtt_ns, now, end;

	grace = grace < DRAIN_MIN_NS ? DRAIN_MIN_NS : grace > DRAIN_MAX_NS ? DRAIN_MAX_NS : grace;
	end = clock_mono_ns() + grace;
	while (p->n && !p->v[p->n - 1].recv_ns && (now = clock_mono_ns()) < end)
		wait_for(p, end - now);
}

int probe_run(const struct probe_opts *o, volatile sig_atomic_t *stop, struct probe_summary *s,
	      struct err *e)
{
	struct prober p = { .fd = -1 };
	struct sockaddr_in to = { .sin_family = AF_INET };
	int rc, slack;

	memset(s, 0, sizeof(*s));
	if (!o->addr || inet_pton(AF_INET, o->addr, &to.sin_addr) != 1)
		return err_set(e, -EINVAL, "probe: %s: not an IPv4 address", o->addr ? o->addr : "(none)");
	if (!o->interval_ns)
		return err_set(e, -EINVAL, "probe: the interval must be above 0");
	if ((rc = open_socket(&p, o->addr, &to, e)))
		return rc;
	p.interval_ns = o->interval_ns;
	p.max = PROBE_MAX_SPAN_NS / o->interval_ns ? PROBE_MAX_SPAN_NS / o->interval_ns : 1;
	p.token = mix64(clock_real_ns() ^ (uint64_t)getpid() << 40 ^ clock_mono_ns());
	p.id = (uint16_t)(p.token >> 48);
	slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	(void)prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);   /* wake-ups 1 us after a deadline, not 50 */
	run_schedule(&p, o, stop);
	drain(&p);
	if (slack > 0)
		(void)prctl(PR_SET_TIMERSLACK, (unsigned long)slack, 0, 0, 0);
	close(p.fd);
	probe_summarize(p.v, p.n, o->interval_ns, s);
	free(p.v);
	snprintf(s->addr, sizeof(s->addr), "%s", o->addr);
	snprintf(s->socket, sizeof(s->socket), "%s", p.dgram ? "dgram" : "raw");
	s->late = p.late;
	s->errors = p.errors;
	memcpy(s->first_error, p.first_error, sizeof(s->first_error));
	s->truncated = p.truncated;
	return 0;
}

/* ---- JSON ---- */

enum ftype { F_STR, F_COUNT, F_NUM, F_BOOL };

/* The summary's fields in JSON order; F_NUM may be null (NaN). */
static const struct field {
	const char *name;
	enum ftype type;
	size_t off, size;
} fields[] = {
#define S(x) offsetof(struct probe_summary, x), sizeof(((struct probe_summary *)0)->x)
	{ "addr", F_STR, S(addr) },
	{ "socket", F_STR, S(socket) },
	{ "sent", F_COUNT, S(sent) },
	{ "received", F_COUNT, S(received) },
	{ "lost", F_COUNT, S(lost) },
	{ "interval_ms", F_NUM, S(interval_ms) },
	{ "duration_s", F_NUM, S(duration_s) },
	{ "largest_gap_ms", F_NUM, S(largest_gap_ms) },
	{ "gap_start_s", F_NUM, S(gap_start_s) },
	{ "lost_in_gap", F_COUNT, S(lost_in_gap) },
	{ "rtt_median_ms", F_NUM, S(rtt_median_ms) },
	{ "rtt_p99_ms", F_NUM, S(rtt_p99_ms) },
	{ "rtt_max_ms", F_NUM, S(rtt_max_ms) },
	{ "late", F_COUNT, S(late) },
	{ "errors", F_COUNT, S(errors) },
	{ "first_error", F_STR, S(first_error) },
	{ "truncated", F_BOOL, S(truncated) },
#undef S
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))
#define COUNT_MAX 9007199254740992.0   /* 2^53: every count below is exact in JSON */

void probe_summary_json(const struct probe_summary *s, struct sbuf *out)
{
	const char *base = (const char *)s;

	sbuf_puts(out, "{\"kind\":\"probe\"");
	for (size_t k = 0; k < NFIELDS; k++) {
		const struct field *f = &fields[k];
		const void *at = base + f->off;

		sbuf_printf(out, ",\"%s\":", f->name);
		if (f->type == F_STR)
			json_put_str(out, at);
		else if (f->type == F_COUNT)
			sbuf_printf(out, "%" PRIu64, *(const uint64_t *)at);
		else if (f->type == F_NUM)
			json_put_num(out, *(const double *)at);
		else
			sbuf_puts(out, *(const bool *)at ? "true" : "false");
	}
	sbuf_putc(out, '}');
}

static bool printable(const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (s[k] < 0x20 || s[k] >= 0x7f)
			return false;
	return true;
}

/* Stores j's value of field f into s. */
static int read_field(const struct json *j, const struct field *f, const char *where,
		      struct probe_summary *s, struct err *e)
{
	const struct json *x = json_get(j, f->name);
	char *at = (char *)s + f->off;

	switch (f->type) {
	case F_STR:
		if (!x || x->type != JSON_STR || x->len >= f->size || !printable(x->str, x->len))
			return err_set(e, -EBADMSG, "%s: %s: expected a string of at most %zu printable "
				       "ASCII characters", where, f->name, f->size - 1);
		memcpy(at, x->str, x->len + 1);
		return 0;
	case F_COUNT:
		if (!x || x->type != JSON_NUM || !(x->num >= 0 && x->num <= COUNT_MAX) || x->num != floor(x->num))
			return err_set(e, -EBADMSG, "%s: %s: expected a whole number from 0 to 2^53", where,
				       f->name);
		*(uint64_t *)at = (uint64_t)x->num;
		return 0;
	case F_NUM:
		if (x && x->type == JSON_NULL) {
			*(double *)at = NAN;
			return 0;
		}
		if (!x || x->type != JSON_NUM || !(isfinite(x->num) && x->num >= 0))
			return err_set(e, -EBADMSG, "%s: %s: expected a number >= 0 or null", where, f->name);
		*(double *)at = x->num;
		return 0;
	case F_BOOL:
		if (!x || x->type != JSON_BOOL)
			return err_set(e, -EBADMSG, "%s: %s: expected true or false", where, f->name);
		*(bool *)at = x->b;
		return 0;
	}
	return -EBADMSG;
}

/* The byte offset json_parse's message ":LINE:COL: what" points at in
 * text[0..n); *what: the rest of the message. */
static size_t json_error_offset(const char *text, size_t n, const char *msg, const char **what)
{
	int line, col, used = 0;
	size_t off = 0;

	*what = msg;
	if (sscanf(msg, ":%d:%d: %n", &line, &col, &used) != 2 || used <= 0 || col < 1)
		return 0;
	*what = msg + used;
	for (int l = 1; l < line && off < n; off++)
		if (text[off] == '\n')
			l++;
	return off + (size_t)(col - 1);
}

int probe_summary_parse(const char *text, size_t n, const char *where, struct probe_summary *s,
			struct err *e)
{
	struct json *j = NULL;
	struct err je = { 0 };
	const char *what, *kind;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	if (json_parse(text, n, "", &j, &je)) {
		size_t off = json_error_offset(text, n, je.msg, &what);

		return err_set(e, -EBADMSG, "%s: byte %zu: %s", where, off, what);
	}
	if (j->type != JSON_OBJ)
		rc = err_set(e, -EBADMSG, "%s: byte 0: expected a JSON object", where);
	else if (!(kind = json_get_str(j, "kind")) || strcmp(kind, "probe"))
		rc = err_set(e, -EBADMSG, "%s: kind: expected \"probe\"", where);
	for (size_t k = 0; k < NFIELDS && !rc; k++)
		rc = read_field(j, &fields[k], where, s, e);
	json_free(j);
	if (!rc && s->received + s->lost != s->sent)
		rc = err_set(e, -EBADMSG, "%s: received + lost: must equal sent", where);
	if (!rc && s->lost_in_gap > s->lost)
		rc = err_set(e, -EBADMSG, "%s: lost_in_gap: more than lost", where);
	return rc;
}
