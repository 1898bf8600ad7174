/*
 * timers_aw.c - a million timers on aw: create N, cancel every other one,
 * run the rest. Prints one line of key=value pairs for million_timers.py:
 *
 *   create_s=... cancel_s=... run_s=... bytes_per_timer=...
 *
 * bytes_per_timer is the growth of the resident set while the N timers
 * were created, divided by N: the library's own heap, slots and timers.
 *
 *   timers_aw [N]   (default 1000000)
 */
#include "aw.h"
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>

static long fired, expected;
static aw_loop *loop;

static void on_timer(void *arg)
{
    (void)arg;
    if (++fired == expected)
        aw_loop_stop(loop);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    loop = aw_loop_new();
    if (!loop) {
        fprintf(stderr, "aw_loop_new: %s\n", aw_last_error());
        return 1;
    }
    uint64_t *ids = malloc((size_t)n * sizeof *ids);
    if (!ids)
        return 1;
    bench_touch(ids, (size_t)n * sizeof *ids); /* not counted as timers */
    long rss_before = bench_rss_bytes();
    double start = bench_now();
    for (long i = 0; i < n; i++) {
        ids[i] = aw_call_later(loop, bench_delay(i), on_timer, NULL);
        if (!ids[i]) {
            fprintf(stderr, "aw_call_later: %s\n", aw_last_error());
            return 1;
        }
    }
    double created = bench_now();
    long rss_after = bench_rss_bytes();
    for (long i = 0; i < n; i += 2)
        if (aw_timer_cancel(loop, ids[i]) != 0) {
            fprintf(stderr, "aw_timer_cancel: %s\n", aw_last_error());
            return 1;
        }
    double cancelled = bench_now();
    expected = n / 2;
    if (aw_loop_run_forever(loop) != 0 || fired != expected) {
        fprintf(stderr, "run: %s (fired %ld of %ld)\n", aw_last_error(), fired,
                expected);
        return 1;
    }
    double ran = bench_now();
    printf("create_s=%.6f cancel_s=%.6f run_s=%.6f bytes_per_timer=%.1f\n",
           created - start, cancelled - created, ran - cancelled,
           (double)(rss_after - rss_before) / (double)n);
    free(ids);
    aw_loop_close(loop);
    return 0;
}
