/* nbody: gravitational n-body integration (all pairs, softened, leapfrog)
 * in IEEE double with a fixed operation order, like 544.nab_r and
 * 508.namd_r. */
#include "bench/rng.h"
#include "bench/suite.h"
#include "base/sbuf.h"

#include <math.h>
#include <stdlib.h>

struct nbody_size {
	uint32_t bodies, steps;
};

static const struct nbody_size sizes[BENCH_NSIZES] = {
	{ 64, 10 },
	{ 1000, 55 },
	{ 1500, 144 },
	{ 2000, 320 },
};

struct body {
	double x, y, z, vx, vy, vz, m;
};

struct nbody {
	const struct nbody_size *s;
	struct body *b;
	double *ax, *ay, *az;
};

static void nbody_free(void *state)
{
	struct nbody *N = state;

	if (N)
		free(N->b), free(N->ax), free(N->ay), free(N->az), free(N);
}

static int nbody_setup(const struct bench_params *p, void **state, struct err *e)
{
	BENCH_STATE(struct nbody, N, r, p);

	N->b = xcalloc(N->s->bodies, sizeof(*N->b));
	N->ax = xcalloc(N->s->bodies, sizeof(double));
	N->ay = xcalloc(N->s->bodies, sizeof(double));
	N->az = xcalloc(N->s->bodies, sizeof(double));
	for (uint32_t k = 0; k < N->s->bodies; k++) {
		struct body *b = &N->b[k];

		b->x = rng_double(&r) * 2 - 1, b->y = rng_double(&r) * 2 - 1, b->z = rng_double(&r) * 2 - 1;
		b->vx = 0.1 * (rng_double(&r) - 0.5), b->vy = 0.1 * (rng_double(&r) - 0.5);
		b->vz = 0.1 * (rng_double(&r) - 0.5);
		b->m = (0.5 + rng_double(&r)) / N->s->bodies;
	}
	*state = N;
	(void)e;
	return 0;
}

static void accel(struct nbody *N)
{
	const uint32_t n = N->s->bodies;
	const double eps2 = 1e-4;

	for (uint32_t i = 0; i < n; i++)
		N->ax[i] = N->ay[i] = N->az[i] = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct body *bi = &N->b[i];

		for (uint32_t j = i + 1; j < n; j++) {
			const struct body *bj = &N->b[j];
			double dx = bj->x - bi->x, dy = bj->y - bi->y, dz = bj->z - bi->z;
			double d2 = dx * dx + dy * dy + dz * dz + eps2;
			double inv = 1.0 / (d2 * sqrt(d2));

			N->ax[i] += dx * (bj->m * inv);
			N->ay[i] += dy * (bj->m * inv);
			N->az[i] += dz * (bj->m * inv);
			N->ax[j] -= dx * (bi->m * inv);
			N->ay[j] -= dy * (bi->m * inv);
			N->az[j] -= dz * (bi->m * inv);
		}
	}
}

static double energy(const struct nbody *N)
{
	double ek = 0, ep = 0;

	for (uint32_t i = 0; i < N->s->bodies; i++) {
		const struct body *bi = &N->b[i];

		ek += 0.5 * bi->m * (bi->vx * bi->vx + bi->vy * bi->vy + bi->vz * bi->vz);
		for (uint32_t j = i + 1; j < N->s->bodies; j++) {
			const struct body *bj = &N->b[j];
			double dx = bj->x - bi->x, dy = bj->y - bi->y, dz = bj->z - bi->z;

			ep -= bi->m * bj->m / sqrt(dx * dx + dy * dy + dz * dz + 1e-4);
		}
	}
	return ek + ep;
}

static int nbody_run(void *state, struct bench_result *r)
{
	struct nbody *N = state;
	const double dt = 1e-3;
	double e0 = energy(N), e1;
	uint64_t h = 0;

	accel(N);
	for (uint32_t t = 0; t < N->s->steps; t++) {
		for (uint32_t i = 0; i < N->s->bodies; i++) {
			struct body *b = &N->b[i];

			b->vx += 0.5 * dt * N->ax[i], b->vy += 0.5 * dt * N->ay[i], b->vz += 0.5 * dt * N->az[i];
			b->x += dt * b->vx, b->y += dt * b->vy, b->z += dt * b->vz;
		}
		accel(N);
		for (uint32_t i = 0; i < N->s->bodies; i++) {
			struct body *b = &N->b[i];

			b->vx += 0.5 * dt * N->ax[i], b->vy += 0.5 * dt * N->ay[i], b->vz += 0.5 * dt * N->az[i];
		}
	}
	e1 = energy(N);
	for (uint32_t i = 0; i < N->s->bodies; i++)
		h = bench_mix_double(bench_mix_double(bench_mix_double(h, N->b[i].x), N->b[i].y), N->b[i].z);
	r->checksum = bench_mix_double(h, e1);
	/* Leapfrog conserves energy closely: a large drift means a broken kernel. */
	r->verified = fabs(e1 - e0) < 0.05 * fabs(e0);
	return 0;
}

BENCH_KERNEL(nbody, nbody,
	     "all-pairs gravitational n-body integration (leapfrog)", "544.nab_r",
	     0xa7c405bb77c1016full, 0x79432d907a748f88ull, 0x203016a68ffd36ccull, 0x44838b88f494883cull);
