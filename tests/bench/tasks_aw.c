/*
 * tasks_aw.c - what a sleeping task costs: N tasks that each sleep for
 * an hour on one loop. Once all have started (and so sit in aw_sleep),
 * the growth of the resident set divided by N is printed, then every
 * task is cancelled and the loop shut down.
 *
 *   tasks_aw N   prints: tasks=N bytes_per_task=... mappings=...
 */
#include "aw.h"
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>

static long started, wanted;
static aw_loop *loop;

static void *sleeper(void *arg)
{
    (void)arg;
    if (++started == wanted)
        aw_loop_stop(loop);
    aw_sleep(3600);
    return NULL;
}

static long count_mappings(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    long lines = 0;
    if (!f)
        return -1;
    for (int c; (c = getc(f)) != EOF;)
        lines += c == '\n';
    fclose(f);
    return lines;
}

int main(int argc, char **argv)
{
    wanted = argc > 1 ? atol(argv[1]) : 10000;
    loop = aw_loop_new();
    if (!loop) {
        fprintf(stderr, "aw_loop_new: %s\n", aw_last_error());
        return 1;
    }
    long before = bench_rss_bytes();
    for (long i = 0; i < wanted; i++) {
        aw_task *t = aw_task_create(loop, sleeper, NULL, NULL);
        if (!t) {
            fprintf(stderr, "task %ld: %s\n", i, aw_last_error());
            return 1;
        }
        aw_task_release(t); /* the loop keeps it until it ends */
    }
    if (aw_loop_run_forever(loop) != 0 || started != wanted) {
        fprintf(stderr, "run: %s (%ld of %ld started)\n", aw_last_error(),
                started, wanted);
        return 1;
    }
    long after = bench_rss_bytes();
    printf("tasks=%ld bytes_per_task=%.1f mappings=%ld\n", wanted,
           (double)(after - before) / (double)wanted, count_mappings());
    fflush(stdout);
    return aw_loop_shutdown(loop) == 0 ? 0 : 1;
}
