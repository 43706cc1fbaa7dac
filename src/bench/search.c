/* search: alpha-beta game-tree search of connect-four positions on bitboards
 * with a transposition table and iterative deepening, like 531.deepsjeng_r. */
#include "bench/rng.h"
#include "bench/suite.h"
#include "base/sbuf.h"

#include <stdlib.h>

#define W 7
#define H 6
#define TT_BITS 20
#define WIN 10000

struct search_size {
	uint32_t positions, depth;
};

static const struct search_size sizes[BENCH_NSIZES] = {
	{ 2, 7 },
	{ 8, 13 },
	{ 36, 14 },
	{ 72, 15 },
};

struct tt_entry {
	uint64_t key;
	int16_t score;
	int8_t depth, flag, best;
};

enum { TT_EXACT = 1, TT_LOWER, TT_UPPER };

struct search {
	const struct search_size *s;
	uint64_t (*start)[2];        /* per position: current player's stones, all stones */
	int *played;
	struct tt_entry *tt;
	uint64_t nodes;
};

static const uint64_t board = 0x0040810204081ull * 0x3f;     /* the 6 playable rows */
static const int order[W] = { 3, 2, 4, 1, 5, 0, 6 };

static uint64_t col_bottom(int c) { return 1ull << (c * (H + 1)); }
static uint64_t col_top(int c) { return 1ull << (H - 1 + c * (H + 1)); }

static int aligned(uint64_t p)
{
	uint64_t m;

	m = p & (p >> (H + 1));
	if (m & (m >> (2 * (H + 1))))
		return 1;
	m = p & (p >> H);
	if (m & (m >> (2 * H)))
		return 1;
	m = p & (p >> (H + 2));
	if (m & (m >> (2 * (H + 2))))
		return 1;
	m = p & (p >> 1);
	return (m & (m >> 2)) != 0;
}

/* Empty cells that would complete four for the owner of p. */
static uint64_t threats(uint64_t p, uint64_t mask)
{
	uint64_t r = (p << 1) & (p << 2) & (p << 3), q;

	for (int s = H; s <= H + 2; s++) {
		q = (p << s) & (p << 2 * s);
		r |= q & (p << 3 * s);
		r |= q & (p >> s);
		q = (p >> s) & (p >> 2 * s);
		r |= q & (p << s);
		r |= q & (p >> 3 * s);
	}
	return r & (board ^ mask);
}

static int popcount(uint64_t x)
{
	int n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

static int negamax(struct search *S, uint64_t pos, uint64_t mask, int played, int depth, int alpha,
		   int beta)
{
	uint64_t key = pos + mask;
	struct tt_entry *t = &S->tt[(key * 0x9e3779b97f4a7c15ull) >> (64 - TT_BITS)];
	int best = -1, a0 = alpha, bestscore = -WIN * 2;

	S->nodes++;
	if (played == W * H)
		return 0;
	for (int c = 0; c < W; c++)
		if (!(mask & col_top(c)) && aligned(pos | ((mask + col_bottom(c)) & (0x3full << c * (H + 1)))))
			return WIN - played;
	if (depth == 0)
		return popcount(threats(pos, mask)) - popcount(threats(pos ^ mask, mask));
	if (t->key == key) {
		if (t->depth >= depth) {
			if (t->flag == TT_EXACT)
				return t->score;
			if (t->flag == TT_LOWER && t->score >= beta)
				return t->score;
			if (t->flag == TT_UPPER && t->score <= alpha)
				return t->score;
		}
		best = t->best;
	}
	for (int k = -1; k < W; k++) {
		int c = k < 0 ? best : order[k];

		if (c < 0 || (k >= 0 && c == best) || (mask & col_top(c)))
			continue;
		uint64_t nmask = mask | (mask + col_bottom(c));
		int sc = -negamax(S, pos ^ mask, nmask, played + 1, depth - 1, -beta, -alpha);

		if (sc > bestscore)
			bestscore = sc, best = c;
		if (sc > alpha)
			alpha = sc;
		if (alpha >= beta)
			break;
	}
	t->key = key;
	t->score = (int16_t)bestscore;
	t->depth = (int8_t)depth;
	t->best = (int8_t)best;
	t->flag = bestscore <= a0 ? TT_UPPER : bestscore >= beta ? TT_LOWER : TT_EXACT;
	return bestscore;
}

static void search_free(void *state)
{
	struct search *S = state;

	if (!S)
		return;
	free(S->start), free(S->played), free(S->tt), free(S);
}

/* Openings: 6 to 10 random moves that leave nobody a win in one. */
static int search_setup(const struct bench_params *p, void **state, struct err *e)
{
	BENCH_STATE(struct search, S, r, p);

	S->start = xcalloc(S->s->positions, sizeof(*S->start));
	S->played = xcalloc(S->s->positions, sizeof(int));
	S->tt = xcalloc(1u << TT_BITS, sizeof(*S->tt));
	bench_prefault(S->tt, (1u << TT_BITS) * sizeof(*S->tt));
	for (uint32_t k = 0; k < S->s->positions; k++) {
		uint64_t pos, mask;
		int n, want;

	again:
		pos = mask = 0;
		want = 6 + (int)rng_below(&r, 5);
		for (n = 0; n < want; n++) {
			int c = (int)rng_below(&r, W);

			if (mask & col_top(c))
				goto again;
			pos ^= mask;
			mask |= mask + col_bottom(c);
			if (aligned(pos ^ mask) || threats(pos, mask) || threats(pos ^ mask, mask))
				goto again;
		}
		S->start[k][0] = pos, S->start[k][1] = mask, S->played[k] = n;
	}
	*state = S;
	(void)e;
	return 0;
}

static int search_run(void *state, struct bench_result *r)
{
	struct search *S = state;
	uint64_t h = 0;

	for (uint32_t k = 0; k < S->s->positions; k++) {
		int score = 0;

		for (uint32_t d = 1; d <= S->s->depth; d++) {
			score = negamax(S, S->start[k][0], S->start[k][1], S->played[k], (int)d, -WIN * 2,
					WIN * 2);
			h = bench_mix(h, (uint64_t)(int64_t)score);
		}
		if (score > WIN || score < -WIN)
			r->verified = 0;
	}
	r->checksum = bench_mix(h, S->nodes);
	return 0;
}

BENCH_KERNEL(search, search,
	     "alpha-beta connect-four search with a transposition table", "531.deepsjeng_r",
	     0x12b508aa019623d6ull, 0x6552c1754710809bull, 0xa410510812282beeull, 0x2943009e5c589898ull);
