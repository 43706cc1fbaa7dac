/* align: Smith-Waterman local alignment with affine gaps (Gotoh) of query
 * sequences against a generated protein database, integer dynamic
 * programming like 456.hmmer (Viterbi) in SPEC CPU. */
#include "bench/rng.h"
#include "bench/suite.h"
#include "base/sbuf.h"

#include <stdlib.h>

struct align_size {
	uint32_t queries, qlen, seqs, slen;
};

static const struct align_size sizes[BENCH_NSIZES] = {
	{ 2, 60, 20, 200 },
	{ 8, 300, 150, 400 },
	{ 13, 400, 300, 500 },
	{ 24, 500, 400, 600 },
};

#define ALPHA 20
#define GAP_OPEN 11
#define GAP_EXT 1

struct align {
	const struct align_size *s;
	unsigned char *q, *db;     /* queries, database: residues 0..19 */
	uint32_t *dblen;
	int score[ALPHA][ALPHA];
	int *H, *E;
};

static void align_free(void *state)
{
	struct align *A = state;

	if (A)
		free(A->q), free(A->db), free(A->dblen), free(A->H), free(A->E), free(A);
}

static int align_setup(const struct bench_params *p, void **state, struct err *e)
{
	struct align *A = xcalloc(1, sizeof(*A));
	struct rng r;
	const struct align_size *s = &sizes[p->size];

	A->s = s;
	rng_seed(&r, p->seed);
	for (int a = 0; a < ALPHA; a++)
		for (int b = 0; b <= a; b++)
			A->score[a][b] = A->score[b][a] =
				a == b ? 4 + (int)rng_below(&r, 8) : (int)rng_below(&r, 7) - 4;
	A->q = xmalloc((size_t)s->queries * s->qlen);
	A->db = xmalloc((size_t)s->seqs * s->slen);
	A->dblen = xmalloc(s->seqs * sizeof(uint32_t));
	for (size_t k = 0; k < (size_t)s->queries * s->qlen; k++)
		A->q[k] = (unsigned char)rng_below(&r, ALPHA);
	/* Database sequences: random, some carrying a mutated copy of a query piece. */
	for (uint32_t k = 0; k < s->seqs; k++) {
		unsigned char *d = A->db + (size_t)k * s->slen;

		A->dblen[k] = s->slen / 2 + rng_below(&r, s->slen / 2 + 1);
		for (uint32_t i = 0; i < A->dblen[k]; i++)
			d[i] = (unsigned char)rng_below(&r, ALPHA);
		if (rng_below(&r, 3) == 0) {
			const unsigned char *src = A->q + (size_t)rng_below(&r, s->queries) * s->qlen;
			uint32_t len = s->qlen / 4, at = rng_below(&r, A->dblen[k] - len);

			for (uint32_t i = 0; i < len; i++)
				d[at + i] = rng_below(&r, 5) ? src[i] : (unsigned char)rng_below(&r, ALPHA);
		}
	}
	A->H = xmalloc((s->slen + 1) * sizeof(int));
	A->E = xmalloc((s->slen + 1) * sizeof(int));
	*state = A;
	(void)e;
	return 0;
}

/* Best local score of q[0..m) against d[0..n); *end gets its position. */
static int sw(struct align *A, const unsigned char *q, uint32_t m, const unsigned char *d,
	      uint32_t n, uint32_t *end)
{
	int *H = A->H, *E = A->E, best = 0;

	for (uint32_t j = 0; j <= n; j++)
		H[j] = 0, E[j] = -GAP_OPEN;
	*end = 0;
	for (uint32_t i = 1; i <= m; i++) {
		const int *row = A->score[q[i - 1]];
		int diag = 0, F = -GAP_OPEN, left = 0;

		for (uint32_t j = 1; j <= n; j++) {
			int e = E[j] - GAP_EXT, eo = H[j] - GAP_OPEN;
			int f = F - GAP_EXT, fo = left - GAP_OPEN;
			int h = diag + row[d[j - 1]];

			e = e > eo ? e : eo;
			f = f > fo ? f : fo;
			E[j] = e, F = f;
			h = h > e ? h : e;
			h = h > f ? h : f;
			h = h > 0 ? h : 0;
			diag = H[j];
			H[j] = left = h;
			if (h > best)
				best = h, *end = i << 16 | j;
		}
	}
	return best;
}

static int align_run(void *state, struct bench_result *r)
{
	struct align *A = state;
	uint64_t h = 0;

	for (uint32_t q = 0; q < A->s->queries; q++) {
		for (uint32_t k = 0; k < A->s->seqs; k++) {
			uint32_t end;
			int sc = sw(A, A->q + (size_t)q * A->s->qlen, A->s->qlen, A->db + (size_t)k * A->s->slen,
				    A->dblen[k], &end);

			if (sc < 0)
				r->verified = 0;
			h = bench_mix(h, (uint64_t)sc << 32 | end);
		}
	}
	r->checksum = h;
	return 0;
}

BENCH_KERNEL(align, align,
	     "Smith-Waterman alignment with affine gaps against a protein database", "456.hmmer",
	     0x38bd0a247eec002dull, 0x2f0af3fa5de45506ull, 0x913a7c48acb48f80ull, 0xb7f9f8a0534bbb9dull);
