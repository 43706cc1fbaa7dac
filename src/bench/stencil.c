/* stencil: a D2Q9 lattice-Boltzmann flow (BGK collision, pull streaming,
 * bounce-back obstacles, periodic edges) over a large double grid, like
 * 519.lbm_r. Plain IEEE double arithmetic in a fixed order. */
#include "bench/rng.h"
#include "bench/suite.h"
#include "base/sbuf.h"

#include <stdlib.h>
#include <string.h>

struct stencil_size {
	uint32_t nx, ny, steps;
};

static const struct stencil_size sizes[BENCH_NSIZES] = {
	{ 64, 48, 10 },
	{ 512, 512, 16 },
	{ 768, 768, 36 },
	{ 768, 768, 144 },
};

static const int cx[9] = { 0, 1, 0, -1, 0, 1, -1, -1, 1 };
static const int cy[9] = { 0, 0, 1, 0, -1, 1, 1, -1, -1 };
static const int opp[9] = { 0, 3, 4, 1, 2, 7, 8, 5, 6 };
static const double wt[9] = { 4.0 / 9, 1.0 / 9, 1.0 / 9, 1.0 / 9, 1.0 / 9,
			      1.0 / 36, 1.0 / 36, 1.0 / 36, 1.0 / 36 };

struct lbm {
	const struct stencil_size *s;
	double *f[2];            /* 9 planes of nx*ny each */
	unsigned char *solid;
};

static void lbm_free(void *state)
{
	struct lbm *L = state;

	if (L)
		free(L->f[0]), free(L->f[1]), free(L->solid), free(L);
}

static void equilibrium(double rho, double ux, double uy, double *feq)
{
	double usq = 1.5 * (ux * ux + uy * uy);

	for (int i = 0; i < 9; i++) {
		double cu = 3.0 * (cx[i] * ux + cy[i] * uy);

		feq[i] = wt[i] * rho * (1.0 + cu + 0.5 * cu * cu - usq);
	}
}

static int lbm_setup(const struct bench_params *p, void **state, struct err *e)
{
	struct lbm *L = xcalloc(1, sizeof(*L));
	size_t n;
	struct rng r;

	L->s = &sizes[p->size];
	n = (size_t)L->s->nx * L->s->ny;
	rng_seed(&r, p->seed);
	L->f[0] = xmalloc(9 * n * sizeof(double));
	L->f[1] = xmalloc(9 * n * sizeof(double));
	L->solid = xcalloc(n, 1);
	bench_prefault(L->f[1], 9 * n * sizeof(double));
	for (int k = 0; k < 24; k++) {
		int ox = (int)rng_below(&r, L->s->nx), oy = (int)rng_below(&r, L->s->ny);
		int rad = 2 + (int)rng_below(&r, L->s->ny / 16 + 1);

		for (int y = -rad; y <= rad; y++)
			for (int x = -rad; x <= rad; x++)
				if (x * x + y * y <= rad * rad)
					L->solid[(size_t)((oy + y + (int)L->s->ny) % (int)L->s->ny) * L->s->nx +
						 (size_t)((ox + x + (int)L->s->nx) % (int)L->s->nx)] = 1;
	}
	for (size_t c = 0; c < n; c++) {
		double feq[9], rho = 1.0 + 0.01 * (rng_double(&r) - 0.5);
		double ux = 0.05 + 0.01 * rng_double(&r);
		double uy = 0.01 * (rng_double(&r) - 0.5);

		equilibrium(rho, ux, uy, feq);
		for (int i = 0; i < 9; i++)
			L->f[0][i * n + c] = feq[i];
	}
	*state = L;
	(void)e;
	return 0;
}

static int lbm_run(void *state, struct bench_result *r)
{
	struct lbm *L = state;
	const int nx = (int)L->s->nx, ny = (int)L->s->ny;
	const size_t n = (size_t)nx * ny;
	const double omega = 1.7;
	double mass = 0;
	uint64_t h = 0;
	int cur = 0;

	for (uint32_t t = 0; t < L->s->steps; t++, cur ^= 1) {
		const double *src = L->f[cur];
		double *dst = L->f[cur ^ 1];

		for (int y = 0; y < ny; y++) {
			for (int x = 0; x < nx; x++) {
				size_t c = (size_t)y * nx + x;
				double fin[9], feq[9], rho = 0, ux = 0, uy = 0;

				for (int i = 0; i < 9; i++) {
					int sx = x - cx[i], sy = y - cy[i];

					sx = sx < 0 ? sx + nx : sx >= nx ? sx - nx : sx;
					sy = sy < 0 ? sy + ny : sy >= ny ? sy - ny : sy;
					fin[i] = src[i * n + (size_t)sy * nx + sx];
				}
				if (L->solid[c]) {
					for (int i = 0; i < 9; i++)
						dst[opp[i] * n + c] = fin[i];
					continue;
				}
				for (int i = 0; i < 9; i++) {
					rho += fin[i];
					ux += cx[i] * fin[i];
					uy += cy[i] * fin[i];
				}
				ux /= rho;
				uy /= rho;
				equilibrium(rho, ux, uy, feq);
				for (int i = 0; i < 9; i++)
					dst[i * n + c] = fin[i] - omega * (fin[i] - feq[i]);
			}
		}
	}
	for (size_t c = 0; c < 9 * n; c++) {
		mass += L->f[cur][c];
		if (c % 7 == 0)
			h = bench_mix_double(h, L->f[cur][c]);
	}
	r->checksum = bench_mix_double(h, mass);
	r->verified = mass > 0.99 * (double)n && mass < 1.01 * (double)n;
	return 0;
}

BENCH_KERNEL(stencil, lbm,
	     "D2Q9 lattice-Boltzmann flow over a large double grid", "519.lbm_r",
	     0x8991d224b1dd16b1ull, 0x0f9a24f4f4d4fefbull, 0x01a495cc570d92c0ull, 0xfcc6f68878d1024aull);
