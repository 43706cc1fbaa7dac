/* flow: min-cost flow on a large sparse random network (successive shortest
 * paths with Dijkstra and node potentials over linked residual arcs spread
 * across memory): integer, pointer chasing, TLB heavy, like 505.mcf_r. */
#include "bench/rng.h"
#include "bench/suite.h"
#include "base/sbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Each round solves one problem (terminals sources and sinks of supply
 * units each) on the same network, from the original capacities. */
struct flow_size {
	uint32_t nodes, degree, terminals, supply, rounds;
};

static const struct flow_size sizes[BENCH_NSIZES] = {
	{ 3000, 4, 2, 300, 2 },
	{ 100000, 5, 1, 100, 1 },
	{ 200000, 5, 1, 100, 3 },
	{ 300000, 5, 1, 100, 8 },
};

struct flow {
	uint32_t n, m, src, sink;      /* nodes incl. source and sink; arcs (each with its reverse) */
	uint32_t *first;               /* first arc out of a node, UINT32_MAX for none */
	uint32_t *next, *to;           /* per arc: next arc of the same tail, head */
	int64_t *cap, *cap0, *cost;    /* residual capacity, original capacity, cost */
	uint32_t *term;                /* per round: terminals source arcs, then terminals sink arcs */
	uint32_t rounds, terminals;
	int64_t supply;
	int64_t *pi, *dist;
	uint32_t *pred;                /* arc into a node on the shortest path tree */
	uint32_t *seen;                /* nodes whose dist is finite */
	struct hent { int64_t d; uint32_t v; } *heap;
	size_t heap_cap;
	int64_t want;                  /* total supply of a round */
};

static void add_arc(struct flow *f, uint32_t u, uint32_t v, int64_t cap, int64_t cost)
{
	uint32_t a = f->m++;

	f->to[a] = v, f->cap[a] = cap, f->cost[a] = cost, f->next[a] = f->first[u], f->first[u] = a;
	a = f->m++;
	f->to[a] = u, f->cap[a] = 0, f->cost[a] = -cost, f->next[a] = f->first[v], f->first[v] = a;
}

static void flow_free(void *state)
{
	struct flow *f = state;

	if (!f)
		return;
	free(f->first), free(f->next), free(f->to), free(f->cap), free(f->cap0), free(f->cost), free(f->term);
	free(f->pi), free(f->dist), free(f->pred), free(f->seen), free(f->heap), free(f);
}

static int flow_setup(const struct bench_params *p, void **state, struct err *e)
{
	const struct flow_size *s = &sizes[p->size];
	struct flow *f = xcalloc(1, sizeof(*f));
	struct rng r;
	uint32_t n = s->nodes + 2, maxm = 2 * (s->nodes * (s->degree + 1) + 2 * s->terminals * s->rounds);

	rng_seed(&r, p->seed);
	f->n = n, f->src = s->nodes, f->sink = s->nodes + 1;
	f->first = xmalloc(n * sizeof(*f->first));
	f->next = xmalloc(maxm * sizeof(uint32_t));
	f->to = xmalloc(maxm * sizeof(uint32_t));
	f->cap = xmalloc(maxm * sizeof(int64_t));
	f->cost = xmalloc(maxm * sizeof(int64_t));
	f->pi = xcalloc(n, sizeof(int64_t));
	f->dist = xmalloc(n * sizeof(int64_t));
	f->pred = xmalloc(n * sizeof(uint32_t));
	f->seen = xmalloc(n * sizeof(uint32_t));
	f->heap_cap = maxm + n;
	f->heap = xmalloc(f->heap_cap * sizeof(*f->heap));
	for (uint32_t v = 0; v < n; v++)
		f->first[v] = UINT32_MAX, f->dist[v] = INT64_MAX / 4;
	/* A ring keeps the network connected; random arcs make it an expander. */
	/* (Each draw is its own statement: argument evaluation order differs
	 * between compilers.) */
	for (uint32_t v = 0; v < s->nodes; v++) {
		uint32_t cap = 200 + rng_below(&r, 800), cost = 500 + rng_below(&r, 1000);

		add_arc(f, v, (v + 1) % s->nodes, cap, cost);
		for (uint32_t d = 0; d < s->degree; d++) {
			uint32_t w = rng_below(&r, s->nodes);

			cap = 50 + rng_below(&r, 950);
			cost = 1 + rng_below(&r, 1000);
			add_arc(f, v, w, cap, cost);
		}
	}
	f->term = xmalloc((size_t)s->rounds * 2 * s->terminals * sizeof(uint32_t));
	for (uint32_t t = 0; t < s->rounds * s->terminals; t++) {
		uint32_t a = rng_below(&r, s->nodes), b = rng_below(&r, s->nodes);

		f->term[2 * t] = f->m;
		add_arc(f, f->src, a, 0, 0);
		f->term[2 * t + 1] = f->m;
		add_arc(f, b, f->sink, 0, 0);
	}
	f->cap0 = xmalloc(f->m * sizeof(int64_t));
	memcpy(f->cap0, f->cap, f->m * sizeof(int64_t));
	f->rounds = s->rounds, f->terminals = s->terminals, f->supply = s->supply;
	f->want = (int64_t)s->terminals * s->supply;
	*state = f;
	(void)e;
	return 0;
}

static void heap_push(struct flow *f, size_t *len, int64_t d, uint32_t v)
{
	size_t i = (*len)++;

	while (i > 0) {
		size_t up = (i - 1) / 2;

		if (f->heap[up].d < d || (f->heap[up].d == d && f->heap[up].v <= v))
			break;
		f->heap[i] = f->heap[up];
		i = up;
	}
	f->heap[i].d = d, f->heap[i].v = v;
}

static struct hent heap_pop(struct flow *f, size_t *len)
{
	struct hent top = f->heap[0], last = f->heap[--*len];
	size_t i = 0, n = *len;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && (f->heap[c + 1].d < f->heap[c].d ||
				  (f->heap[c + 1].d == f->heap[c].d && f->heap[c + 1].v < f->heap[c].v)))
			c++;
		if (last.d < f->heap[c].d || (last.d == f->heap[c].d && last.v <= f->heap[c].v))
			break;
		f->heap[i] = f->heap[c];
		i = c;
	}
	if (n)
		f->heap[i] = last;
	return top;
}

/* Dijkstra on reduced costs from src, stopping when sink is settled, then
 * the potentials update pi(v) -= max(0, d(sink) - d(v)) (the usual
 * min(d(v), d(sink)) shifted by a constant, so only visited nodes change).
 * Returns 0 when sink is reachable. */
static int shortest_path(struct flow *f)
{
	size_t len = 0, nseen = 0;
	const int64_t inf = INT64_MAX / 4;

	f->dist[f->src] = 0;
	f->seen[nseen++] = f->src;
	heap_push(f, &len, 0, f->src);
	while (len) {
		struct hent h = heap_pop(f, &len);

		if (h.d != f->dist[h.v])
			continue;
		if (h.v == f->sink)
			break;
		for (uint32_t a = f->first[h.v]; a != UINT32_MAX; a = f->next[a]) {
			uint32_t w = f->to[a];
			int64_t nd;

			if (!f->cap[a])
				continue;
			nd = h.d + f->cost[a] + f->pi[h.v] - f->pi[w];
			if (nd < f->dist[w]) {
				if (f->dist[w] == inf)
					f->seen[nseen++] = w;
				f->dist[w] = nd;
				f->pred[w] = a;
				if (len < f->heap_cap)
					heap_push(f, &len, nd, w);
			}
		}
	}
	int64_t dt = f->dist[f->sink];

	for (size_t k = 0; k < nseen; k++) {
		uint32_t v = f->seen[k];

		if (dt < inf && f->dist[v] < dt)
			f->pi[v] -= dt - f->dist[v];
		f->dist[v] = inf;
	}
	return dt < inf ? 0 : -1;
}

/* One round: min-cost flow of the round's terminals from the original
 * capacities; mixes flow, cost and path count into *h. Returns 1 when the
 * self-check passes: conservation at every inner node and no residual arc
 * of negative reduced cost (optimality). */
static int flow_round(struct flow *f, uint32_t round, uint64_t *h)
{
	int64_t flow = 0, cost = 0;
	uint64_t paths = 0;
	int ok = 1;

	memcpy(f->cap, f->cap0, f->m * sizeof(int64_t));
	memset(f->pi, 0, f->n * sizeof(int64_t));
	for (uint32_t t = 0; t < 2 * f->terminals; t++)
		f->cap[f->term[2 * f->terminals * round + t]] = f->supply;
	while (flow < f->want && shortest_path(f) == 0) {
		int64_t push = f->want - flow;

		for (uint32_t v = f->sink; v != f->src; v = f->to[f->pred[v] ^ 1])
			if (f->cap[f->pred[v]] < push)
				push = f->cap[f->pred[v]];
		for (uint32_t v = f->sink; v != f->src; v = f->to[f->pred[v] ^ 1]) {
			f->cap[f->pred[v]] -= push;
			f->cap[f->pred[v] ^ 1] += push;
			cost += push * f->cost[f->pred[v]];
		}
		flow += push;
		paths++;
	}
	for (uint32_t v = 0; v < f->n; v++) {
		int64_t bal = 0;

		for (uint32_t a = f->first[v]; a != UINT32_MAX; a = f->next[a]) {
			bal += (a & 1) ? f->cap[a] : -f->cap[a ^ 1];
			if (f->cap[a] && f->cost[a] + f->pi[v] - f->pi[f->to[a]] < 0)
				ok = 0;
		}
		if (v != f->src && v != f->sink && bal != 0)
			ok = 0;
	}
	*h = bench_mix(bench_mix(bench_mix(*h, (uint64_t)flow), (uint64_t)cost), paths);
	return ok;
}

static int flow_run(void *state, struct bench_result *r)
{
	struct flow *f = state;
	uint64_t h = 0;

	for (uint32_t k = 0; k < f->rounds; k++)
		if (!flow_round(f, k, &h))
			r->verified = 0;
	r->checksum = h;
	return 0;
}

const struct bench_ops bench_flow = {
	.name = "flow",
	.summary = "min-cost flow on a sparse random network (successive shortest paths)",
	.like = "505.mcf_r",
	.setup = flow_setup,
	.run = flow_run,
	.teardown = flow_free,
	.checksum = {
		0x8db9bbdfa134b8aeull, 0xc837f39ff3480ff4ull,
		0x5001077cf56fbbd8ull, 0x5f851b2549e90b50ull,
	},
};
