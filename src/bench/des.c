/* des: discrete-event simulation of a closed queueing network with a binary
 * heap of events and a small allocation per event and per message, like
 * 520.omnetpp_r. */
#include "bench/rng.h"
#include "bench/suite.h"
#include "base/sbuf.h"

#include <stdlib.h>
#include <string.h>

struct des_size {
	uint32_t queues, jobs;
	uint64_t events;
};

static const struct des_size sizes[BENCH_NSIZES] = {
	{ 64, 500, 20000 },
	{ 2048, 30000, 850000 },
	{ 4096, 60000, 3000000 },
	{ 8192, 100000, 12000000 },
};

struct msg {
	uint32_t len;
	uint32_t hops;
	unsigned char body[];
};

struct job {
	uint32_t id;
	uint64_t arrived;
	struct msg *msg;
	struct job *next;        /* in a queue's FIFO */
};

enum { EV_ARRIVE, EV_DEPART };

struct event {
	uint64_t time, seq;
	int kind;
	uint32_t queue;
	struct job *job;
};

struct station {
	struct job *head, *tail;
	struct job *serving;
	uint32_t mean_service;
	uint64_t served, waited;
};

struct des {
	const struct des_size *s;
	struct rng r;
	struct station *st;
	struct job *jobs;
	struct event **heap;
	size_t len, cap;
	uint64_t seq, now;
};

static void push(struct des *d, struct event *ev)
{
	size_t i;

	if (d->len == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 1024;
		d->heap = xrealloc(d->heap, d->cap * sizeof(*d->heap));
	}
	for (i = d->len++; i > 0; i = (i - 1) / 2) {
		struct event *up = d->heap[(i - 1) / 2];

		if (up->time < ev->time || (up->time == ev->time && up->seq < ev->seq))
			break;
		d->heap[i] = up;
	}
	d->heap[i] = ev;
}

static struct event *pop(struct des *d)
{
	struct event *top = d->heap[0], *last = d->heap[--d->len];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= d->len)
			break;
		if (c + 1 < d->len && (d->heap[c + 1]->time < d->heap[c]->time ||
				       (d->heap[c + 1]->time == d->heap[c]->time &&
					d->heap[c + 1]->seq < d->heap[c]->seq)))
			c++;
		if (last->time < d->heap[c]->time ||
		    (last->time == d->heap[c]->time && last->seq < d->heap[c]->seq))
			break;
		d->heap[i] = d->heap[c];
		i = c;
	}
	if (d->len)
		d->heap[i] = last;
	return top;
}

static void schedule(struct des *d, uint64_t at, int kind, uint32_t q, struct job *j)
{
	struct event *ev = xmalloc(sizeof(*ev));

	ev->time = at, ev->seq = d->seq++, ev->kind = kind, ev->queue = q, ev->job = j;
	push(d, ev);
}

/* A new message derived from the old one (which is freed): the payload is
 * rewritten at every hop, as a protocol stack would. */
static struct msg *forward(struct des *d, struct msg *old)
{
	uint32_t len = 8 + rng_below(&d->r, 120);
	struct msg *m = xmalloc(sizeof(*m) + len);

	m->len = len;
	m->hops = old ? old->hops + 1 : 0;
	for (uint32_t k = 0; k < len; k++)
		m->body[k] = (unsigned char)((old ? old->body[k % old->len] : 0) + k + m->hops);
	free(old);
	return m;
}

static void des_free(void *state)
{
	struct des *d = state;

	if (!d)
		return;
	for (size_t k = 0; k < d->len; k++)
		free(d->heap[k]);
	for (uint32_t k = 0; k < d->s->jobs; k++)
		free(d->jobs[k].msg);
	free(d->heap), free(d->jobs), free(d->st), free(d);
}

static int des_setup(const struct bench_params *p, void **state, struct err *e)
{
	struct des *d = xcalloc(1, sizeof(*d));

	d->s = &sizes[p->size];
	rng_seed(&d->r, p->seed);
	d->st = xcalloc(d->s->queues, sizeof(*d->st));
	d->jobs = xcalloc(d->s->jobs, sizeof(*d->jobs));
	for (uint32_t q = 0; q < d->s->queues; q++)
		d->st[q].mean_service = 5 + rng_below(&d->r, 60);
	for (uint32_t j = 0; j < d->s->jobs; j++)
		d->jobs[j].id = j;
	*state = d;
	(void)e;
	return 0;
}

static void start_service(struct des *d, uint32_t q)
{
	struct station *s = &d->st[q];
	struct job *j = s->head;

	s->head = j->next;
	if (!s->head)
		s->tail = NULL;
	s->serving = j;
	s->waited += d->now - j->arrived;
	schedule(d, d->now + 1 + rng_below(&d->r, 2 * s->mean_service), EV_DEPART, q, NULL);
}

static int des_run(void *state, struct bench_result *r)
{
	struct des *d = state;
	uint64_t h = 0, done = 0;

	for (uint32_t j = 0; j < d->s->jobs; j++) {
		uint32_t at = rng_below(&d->r, 1000), q = rng_below(&d->r, d->s->queues);

		schedule(d, at, EV_ARRIVE, q, &d->jobs[j]);
	}
	while (done < d->s->events && d->len) {
		struct event *ev = pop(d);
		struct station *s = &d->st[ev->queue];

		d->now = ev->time;
		if (ev->kind == EV_ARRIVE) {
			struct job *j = ev->job;

			j->msg = forward(d, j->msg);
			j->arrived = d->now;
			j->next = NULL;
			if (s->tail)
				s->tail->next = j;
			else
				s->head = j;
			s->tail = j;
			if (!s->serving)
				start_service(d, ev->queue);
		} else {
			struct job *j = s->serving;
			uint32_t hop = rng_below(&d->r, 7), far = rng_below(&d->r, 3);
			uint32_t nq = (ev->queue + 1 + hop * far) % d->s->queues;

			s->serving = NULL;
			s->served++;
			h = bench_mix(h, j->msg->body[j->msg->len - 1] + ((uint64_t)j->id << 8));
			schedule(d, d->now + 10 + rng_below(&d->r, 40), EV_ARRIVE, nq, j);
			if (s->head)
				start_service(d, ev->queue);
		}
		free(ev);
		done++;
	}
	for (uint32_t q = 0; q < d->s->queues; q++)
		h = bench_mix(bench_mix(h, d->st[q].served), d->st[q].waited);
	r->checksum = bench_mix(h, d->now);
	r->verified = done == d->s->events;
	return 0;
}

BENCH_KERNEL(des, des,
	     "discrete-event simulation of a queueing network (heap, small allocations)", "520.omnetpp_r",
	     0x832f95b4aacbe155ull, 0x5118ee2ac69f5674ull, 0xc2c9150f59b3d973ull, 0x1e44e06e8fd18cbbull);
