/* flow: min-cost flow on a large sparse random network by the primal network
 * simplex (block-search pricing, strongly feasible spanning trees kept as
 * parent pointers and child lists): integer, pointer chasing up and down a
 * tree spread over memory, TLB heavy, like 505.mcf_r. */
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
	{ 200000, 5, 1, 100, 1 },
	{ 300000, 5, 1, 100, 4 },
};

struct ns;

struct flow {
	uint32_t n, m, src, sink;      /* nodes incl. source and sink; arcs (each with its reverse) */
	uint32_t *first;               /* generated adjacency: first arc out of a node, UINT32_MAX for none */
	uint32_t *next, *to;           /* per arc: next arc of the same tail, head */
	int64_t *cap, *cap0, *cost;    /* generated capacity, per-round template, cost */
	uint32_t *term;                /* per round: terminals source arcs, then terminals sink arcs */
	uint32_t rounds, terminals;
	int64_t supply;
	int64_t want;                  /* total supply of a round */
	struct ns *ns;                 /* the network simplex's view of the same network */
};

static struct ns *ns_alloc(const struct flow *f);
static void ns_free(struct ns *s);

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
	ns_free(f->ns);
	free(f);
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
	for (uint32_t v = 0; v < n; v++)
		f->first[v] = UINT32_MAX;
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
	f->ns = ns_alloc(f);
	*state = f;
	(void)e;
	return 0;
}


/* ---- network simplex ---- */

enum { NS_UP = 1, NS_DOWN = -1, NS_LOWER = 1, NS_TREE = 0, NS_UPPER = -1 };

struct ns {
	uint32_t n, m;                 /* nodes without the root; arcs without the artificial ones */
	uint32_t root;
	uint32_t *tail, *head;         /* m + n arcs: real ones, then one artificial arc per node */
	int64_t *cap, *cost, *flow;
	int8_t *state;
	uint32_t *parent, *pred, *depth, *child, *next_sib, *prev_sib, *stack;
	int8_t *dir;
	int64_t *pi, *supply, *bal;
	uint32_t cursor, block;
	uint64_t pivots;
};

static void ns_detach(struct ns *s, uint32_t u)
{
	uint32_t p = s->parent[u];

	if (s->prev_sib[u] != UINT32_MAX)
		s->next_sib[s->prev_sib[u]] = s->next_sib[u];
	else
		s->child[p] = s->next_sib[u];
	if (s->next_sib[u] != UINT32_MAX)
		s->prev_sib[s->next_sib[u]] = s->prev_sib[u];
}

static void ns_attach(struct ns *s, uint32_t u, uint32_t p)
{
	s->parent[u] = p;
	s->prev_sib[u] = UINT32_MAX;
	s->next_sib[u] = s->child[p];
	if (s->child[p] != UINT32_MAX)
		s->prev_sib[s->child[p]] = u;
	s->child[p] = u;
}

/* The initial strongly feasible tree: every node hangs from the root by an
 * artificial arc of cost big carrying its supply. */
static void ns_init(struct ns *s, int64_t big)
{
	for (uint32_t v = 0; v <= s->n; v++)
		s->child[v] = UINT32_MAX;
	s->pi[s->root] = 0;
	s->depth[s->root] = 0;
	for (uint32_t a = 0; a < s->m; a++)
		s->flow[a] = 0, s->state[a] = NS_LOWER;
	for (uint32_t v = s->n; v-- > 0;) {
		uint32_t a = s->m + v;

		s->cost[a] = big;
		s->cap[a] = INT64_MAX / 4;
		s->state[a] = NS_TREE;
		if (s->supply[v] >= 0) {
			s->tail[a] = v, s->head[a] = s->root, s->flow[a] = s->supply[v];
			s->dir[v] = NS_UP, s->pi[v] = -big;
		} else {
			s->tail[a] = s->root, s->head[a] = v, s->flow[a] = -s->supply[v];
			s->dir[v] = NS_DOWN, s->pi[v] = big;
		}
		s->pred[v] = a;
		s->depth[v] = 1;
		ns_attach(s, v, s->root);
	}
}

/* Block search pricing: the most violating arc of the first block holding
 * one, or UINT32_MAX when every arc satisfies the optimality conditions. */
static uint32_t ns_price(struct ns *s)
{
	int64_t best = 0;
	uint32_t in = UINT32_MAX, cnt = 0;

	for (uint32_t k = 0; k < s->m; k++) {
		uint32_t a = s->cursor;
		int64_t c = s->state[a] * (s->cost[a] + s->pi[s->tail[a]] - s->pi[s->head[a]]);

		if (c < best)
			best = c, in = a;
		if (++s->cursor == s->m)
			s->cursor = 0;
		if (++cnt == s->block) {
			if (in != UINT32_MAX)
				return in;
			cnt = 0;
		}
	}
	return in;
}

/* One pivot on entering arc in. */
static void ns_pivot(struct ns *s, uint32_t in)
{
	uint32_t first, second, u, v, join, u_out = UINT32_MAX;
	int64_t delta = s->cap[in];
	int result = 0;

	if (s->state[in] == NS_LOWER)
		first = s->tail[in], second = s->head[in];
	else
		first = s->head[in], second = s->tail[in];
	for (u = first, v = second; u != v;) {
		if (s->depth[u] >= s->depth[v])
			u = s->parent[u];
		else
			v = s->parent[v];
	}
	join = u;
	/* Leaving arc: the last blocking one along the cycle (strongly feasible). */
	for (u = first; u != join; u = s->parent[u]) {
		uint32_t e = s->pred[u];
		int64_t d = s->dir[u] == NS_DOWN ? s->cap[e] - s->flow[e] : s->flow[e];

		if (d < delta)
			delta = d, u_out = u, result = 1;
	}
	for (u = second; u != join; u = s->parent[u]) {
		uint32_t e = s->pred[u];
		int64_t d = s->dir[u] == NS_UP ? s->cap[e] - s->flow[e] : s->flow[e];

		if (d <= delta)
			delta = d, u_out = u, result = 2;
	}
	if (delta) {
		s->flow[in] += s->state[in] == NS_LOWER ? delta : -delta;
		for (u = first; u != join; u = s->parent[u])
			s->flow[s->pred[u]] += s->dir[u] == NS_DOWN ? delta : -delta;
		for (u = second; u != join; u = s->parent[u])
			s->flow[s->pred[u]] += s->dir[u] == NS_UP ? delta : -delta;
	}
	s->pivots++;
	if (!result) {
		s->state[in] = -s->state[in];
		return;
	}
	uint32_t u_in = result == 1 ? first : second, v_in = result == 1 ? second : first;
	uint32_t out = s->pred[u_out], np = v_in, na = in;
	int8_t nd = s->tail[in] == u_in ? NS_UP : NS_DOWN;

	s->state[out] = s->flow[out] == 0 ? NS_LOWER : NS_UPPER;
	s->state[in] = NS_TREE;
	/* Re-hang the cut subtree from u_in, reversing the path u_in..u_out. */
	for (u = u_in;;) {
		uint32_t op = s->parent[u], oa = s->pred[u];
		int8_t od = s->dir[u];

		ns_detach(s, u);
		ns_attach(s, u, np);
		s->pred[u] = na, s->dir[u] = nd;
		if (u == u_out)
			break;
		np = u, na = oa, nd = (int8_t)-od, u = op;
	}
	/* Potentials and depths of the moved subtree. */
	size_t sp = 0;

	s->stack[sp++] = u_in;
	while (sp) {
		uint32_t c = s->stack[--sp], p = s->parent[c];

		s->pi[c] = s->dir[c] == NS_UP ? s->pi[p] - s->cost[s->pred[c]] : s->pi[p] + s->cost[s->pred[c]];
		s->depth[c] = s->depth[p] + 1;
		for (uint32_t k = s->child[c]; k != UINT32_MAX; k = s->next_sib[k])
			s->stack[sp++] = k;
	}
}

/* The network simplex arrays for f's network (forward arcs only). */
static struct ns *ns_alloc(const struct flow *f)
{
	struct ns *s = xcalloc(1, sizeof(*s));
	uint32_t n = f->n, m = f->m / 2, t = m + n, b = 1;

	s->n = n, s->m = m, s->root = n;
	s->tail = xmalloc(t * sizeof(uint32_t));
	s->head = xmalloc(t * sizeof(uint32_t));
	s->cap = xmalloc(t * sizeof(int64_t));
	s->cost = xmalloc(t * sizeof(int64_t));
	s->flow = xmalloc(t * sizeof(int64_t));
	s->state = xmalloc(t);
	s->parent = xmalloc((n + 1) * sizeof(uint32_t));
	s->pred = xmalloc((n + 1) * sizeof(uint32_t));
	s->depth = xmalloc((n + 1) * sizeof(uint32_t));
	s->child = xmalloc((n + 1) * sizeof(uint32_t));
	s->next_sib = xmalloc((n + 1) * sizeof(uint32_t));
	s->prev_sib = xmalloc((n + 1) * sizeof(uint32_t));
	s->stack = xmalloc((n + 1) * sizeof(uint32_t));
	s->dir = xmalloc(n + 1);
	s->pi = xmalloc((n + 1) * sizeof(int64_t));
	s->supply = xmalloc((n + 1) * sizeof(int64_t));
	s->bal = xmalloc((n + 1) * sizeof(int64_t));
	for (uint32_t k = 0; k < m; k++)
		s->tail[k] = f->to[2 * k + 1], s->head[k] = f->to[2 * k], s->cost[k] = f->cost[2 * k];
	while ((uint64_t)b * b < m)
		b++;
	s->block = b < 10 ? 10 : b;
	return s;
}

static void ns_free(struct ns *s)
{
	if (!s)
		return;
	free(s->tail), free(s->head), free(s->cap), free(s->cost), free(s->flow), free(s->state);
	free(s->parent), free(s->pred), free(s->depth), free(s->child), free(s->next_sib);
	free(s->prev_sib), free(s->stack), free(s->dir), free(s->pi), free(s->supply), free(s->bal);
	free(s);
}

/* One round: min-cost flow of the round's terminals by the primal network
 * simplex from the original capacities; mixes flow, cost and pivot count
 * into *h. Returns 1 when the self-check passes: every arc within its
 * bounds and in the state its flow says, no artificial flow (feasible),
 * conservation at every node, tree arcs at reduced cost 0 and no other arc
 * violating optimality. */
static int flow_round(struct flow *f, uint32_t round, uint64_t *h)
{
	struct ns *s = f->ns;
	int64_t cost = 0;
	uint32_t in;
	int ok = 1;

	for (uint32_t k = 0; k < s->m; k++)
		s->cap[k] = f->cap0[2 * k];
	for (uint32_t t = 0; t < 2 * f->terminals; t++)
		s->cap[f->term[2 * f->terminals * round + t] / 2] = f->supply;
	memset(s->supply, 0, (s->n + 1) * sizeof(int64_t));
	s->supply[f->src] = f->want;
	s->supply[f->sink] = -f->want;
	s->cursor = 0;
	s->pivots = 0;
	ns_init(s, 2000 * ((int64_t)s->n + 1));
	while ((in = ns_price(s)) != UINT32_MAX)
		ns_pivot(s, in);
	memset(s->bal, 0, (s->n + 1) * sizeof(int64_t));
	for (uint32_t a = 0; a < s->m + s->n; a++) {
		int64_t rc = s->cost[a] + s->pi[s->tail[a]] - s->pi[s->head[a]];

		if (s->flow[a] < 0 || s->flow[a] > s->cap[a])
			ok = 0;
		s->bal[s->tail[a]] += s->flow[a];
		s->bal[s->head[a]] -= s->flow[a];
		/* (Artificial arcs out of the tree are never priced.) */
		if (s->state[a] == NS_TREE ? rc != 0 :
		    s->state[a] == NS_LOWER ? s->flow[a] != 0 || (rc < 0 && a < s->m) :
		    s->flow[a] != s->cap[a] || rc > 0)
			ok = 0;
		if (a >= s->m && s->flow[a])
			ok = 0;
		if (a < s->m)
			cost += s->flow[a] * s->cost[a];
	}
	for (uint32_t v = 0; v < s->n; v++)
		if (s->bal[v] != s->supply[v])
			ok = 0;
	*h = bench_mix(bench_mix(bench_mix(*h, (uint64_t)f->want), (uint64_t)cost), s->pivots);
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

BENCH_KERNEL(flow, flow,
	     "network simplex min-cost flow on a large sparse random network", "505.mcf_r",
	     0x812b2e4122de6d91ull, 0xc881069ff77b8a4full, 0x1ba2f709860289a3ull, 0x5459197336f6c9e0ull);
