/* Clocks for timing runs. */
#include "measure/clock.h"

#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

uint64_t clock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t clock_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000ull + (uint64_t)tv.tv_usec * 1000ull;
}

void clock_cpu_ns(uint64_t *user_ns, uint64_t *sys_ns)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	*user_ns = tv_ns(self.ru_utime) + tv_ns(kids.ru_utime);
	*sys_ns = tv_ns(self.ru_stime) + tv_ns(kids.ru_stime);
}

void clock_iso8601(uint64_t real_ns, char buf[32])
{
	time_t t = (time_t)(real_ns / 1000000000ull);
	struct tm tm;

	gmtime_r(&t, &tm);
	char base[24];

	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, 32, "%.19s.%03uZ", base, (unsigned)((real_ns / 1000000ull) % 1000));
}
