/* Statistics over repeated measurements. */
#include "measure/stats.h"
#include "base/sbuf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void welford_add(struct welford *w, double x)
{
	double d;

	if (w->n == 0 || x < w->min)
		w->min = x;
	if (w->n == 0 || x > w->max)
		w->max = x;
	w->n++;
	d = x - w->mean;
	w->mean += d / (double)w->n;
	w->m2 += d * (x - w->mean);
}

double welford_stddev(const struct welford *w)
{
	return w->n < 2 ? 0 : sqrt(w->m2 / (double)(w->n - 1));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double *sorted_copy(const double *v, size_t n)
{
	double *s = xmalloc(n * sizeof(*s));

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

double stats_quantile(const double *v, size_t n, double q)
{
	double *s, h, r;
	size_t lo;

	if (n == 0)
		return NAN;
	s = sorted_copy(v, n);
	if (q <= 0)
		q = 0;
	if (q >= 1)
		q = 1;
	h = (double)(n - 1) * q;
	lo = (size_t)floor(h);
	r = lo + 1 < n ? s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]) : s[lo];
	free(s);
	return r;
}

double stats_median(const double *v, size_t n)
{
	return stats_quantile(v, n, 0.5);
}

/* P(X <= k) for X ~ Binomial(n, 1/2). */
static double binom_cdf_half(size_t n, size_t k)
{
	double sum = 0, logc = 0;

	for (size_t i = 0; i <= k; i++) {
		if (i > 0)
			logc += log((double)(n - i + 1)) - log((double)i);
		sum += exp(logc - (double)n * log(2.0));
	}
	return sum;
}

int stats_median_ci95(const double *v, size_t n, double *lo, double *hi)
{
	double *s;
	size_t k = 0;

	if (n == 0) {
		*lo = *hi = NAN;
		return 1;
	}
	s = sorted_copy(v, n);
	/* Largest k with P(X <= k-1) <= 0.025: the interval [s[k-1], s[n-k]]
	 * (1-based order statistics k and n-k+1) covers the median with >= 95%. */
	while (k + 1 <= n / 2 && binom_cdf_half(n, k) <= 0.025)
		k++;
	if (k == 0) {
		*lo = s[0];
		*hi = s[n - 1];
		free(s);
		return 1;
	}
	*lo = s[k - 1];
	*hi = s[n - k];
	free(s);
	return 0;
}

double stats_geomean(const double *v, size_t n)
{
	double sum = 0;

	if (n == 0)
		return NAN;
	for (size_t i = 0; i < n; i++) {
		if (!(v[i] > 0))
			return NAN;
		sum += log(v[i]);
	}
	return exp(sum / (double)n);
}
