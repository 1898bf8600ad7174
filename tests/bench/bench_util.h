/*
 * bench_util.h - small helpers shared by the timer and task benchmarks:
 * a monotonic clock in seconds, the resident set size, and the delays
 * the timer benchmarks use (the same in C and in Python).
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Resident bytes of this process, from /proc/self/statm. */
static inline long bench_rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

/* Touch an array's pages, so that they count before a measurement. Not
 * memset(p, 0, len): the compiler may turn malloc + memset into calloc,
 * which leaves fresh pages untouched. */
static inline void bench_touch(void *p, size_t len)
{
    volatile char *c = p;
    for (size_t i = 0; i < len; i += 4096)
        c[i] = 1;
}

/* Timer i's delay: 1000 deadlines spread over 100 ms, interleaved, so
 * the heap is exercised and many deadlines tie. */
static inline double bench_delay(long i)
{
    return (double)(i % 1000) * 0.0001 + 0.001;
}

#endif
