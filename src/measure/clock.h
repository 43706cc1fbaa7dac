/* Clocks for timing runs. */
#ifndef VMLAB_MEASURE_CLOCK_H
#define VMLAB_MEASURE_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t clock_mono_ns(void);
/* CLOCK_REALTIME in nanoseconds since the epoch. */
uint64_t clock_real_ns(void);
/* User and system CPU time of this process and its waited-for children
 * (RUSAGE_SELF + RUSAGE_CHILDREN), in nanoseconds. */
void clock_cpu_ns(uint64_t *user_ns, uint64_t *sys_ns);
/* ISO 8601 UTC timestamp "2026-11-25T19:00:00.123Z" for ns since the epoch. */
void clock_iso8601(uint64_t real_ns, char buf[32]);

#endif
