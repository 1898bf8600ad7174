/*
 * timers_uv.c - the same as timers_aw.c on libuv: each timer is a
 * malloc'd uv_timer_t (libuv leaves timers' memory to the caller), and
 * cancelling is uv_timer_stop.
 *
 *   timers_uv [N]   (default 1000000)
 */
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

static long fired, expected;

static void on_timer(uv_timer_t *timer)
{
    if (++fired == expected)
        uv_stop(timer->loop);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    uv_loop_t *loop = uv_default_loop();
    uv_timer_t **timers = malloc((size_t)n * sizeof *timers);
    if (!timers)
        return 1;
    bench_touch(timers, (size_t)n * sizeof *timers);
    long rss_before = bench_rss_bytes();
    double start = bench_now();
    for (long i = 0; i < n; i++) {
        timers[i] = malloc(sizeof *timers[i]);
        if (!timers[i])
            return 1;
        uv_timer_init(loop, timers[i]);
        /* libuv counts in whole milliseconds. */
        uint64_t ms = (uint64_t)(bench_delay(i) * 1000 + 0.5);
        uv_timer_start(timers[i], on_timer, ms, 0);
    }
    double created = bench_now();
    long rss_after = bench_rss_bytes();
    for (long i = 0; i < n; i += 2)
        uv_timer_stop(timers[i]);
    double cancelled = bench_now();
    expected = n / 2;
    uv_run(loop, UV_RUN_DEFAULT);
    double ran = bench_now();
    if (fired != expected) {
        fprintf(stderr, "fired %ld of %ld\n", fired, expected);
        return 1;
    }
    printf("create_s=%.6f cancel_s=%.6f run_s=%.6f bytes_per_timer=%.1f\n",
           created - start, cancelled - created, ran - cancelled,
           (double)(rss_after - rss_before) / (double)n);
    return 0;
}
