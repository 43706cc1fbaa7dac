/* Statistics over repeated measurements: Welford running moments, median,
 * quantiles, a distribution-free 95% interval for the median, geometric mean. */
#ifndef VMLAB_MEASURE_STATS_H
#define VMLAB_MEASURE_STATS_H

#include <stddef.h>
#include <stdint.h>

struct welford {
	uint64_t n;
	double mean, m2, min, max;
};

void welford_add(struct welford *w, double x);
/* Sample standard deviation (n-1); 0 when n < 2. */
double welford_stddev(const struct welford *w);

/* Median of v[0..n) (v is not modified); NaN for n == 0. */
double stats_median(const double *v, size_t n);
/* Quantile q in [0,1] with linear interpolation between order statistics
 * (type 7, as R and numpy default); NaN for n == 0. */
double stats_quantile(const double *v, size_t n, double q);
/* 95% confidence interval for the median from order statistics (binomial,
 * distribution-free). For n < 6 no such interval exists: lo/hi are the min
 * and max and the function returns 1; else 0. */
int stats_median_ci95(const double *v, size_t n, double *lo, double *hi);
/* Geometric mean of positive values; NaN if any value <= 0 or n == 0. */
double stats_geomean(const double *v, size_t n);

#endif
