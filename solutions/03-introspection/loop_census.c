/*
 * Solution: take a census of a running loop.
 * See exercises/03-introspection/loop_census.c for the task.
 */
#include "aw.h"

#include <stdlib.h>

typedef struct {
    size_t tasks, running, sleeping, on_tasks, on_futures;
    size_t ready, timers, fds;
    bool quiet;
} census;

int take_census(aw_loop *loop, census *c)
{
    if (!loop || !c)
        return AW_EMISUSE;
    aw_loop_stats s;
    int rc = aw_loop_get_stats(loop, &s);
    if (rc)
        return rc;
    /* Ask how many there are first, then fetch them all. */
    size_t n = aw_loop_tasks(loop, NULL, 0);
    aw_task **tasks = malloc((n + 1) * sizeof *tasks);
    if (!tasks)
        return -ENOMEM;
    aw_loop_tasks(loop, tasks, n);

    *c = (census){
        .tasks = n, .ready = s.ready, .timers = s.timers, .fds = s.watched_fds};
    for (size_t i = 0; i < n; i++) {
        if (aw_task_state_of(tasks[i]) == AW_TASK_RUNNING)
            c->running++;
        switch (aw_task_await_kind(tasks[i])) {
        case AW_AWAITS_SLEEP:
            c->sleeping++;
            break;
        case AW_AWAITS_TASK:
        case AW_AWAITS_GATHER:
            c->on_tasks++;
            break;
        case AW_AWAITS_FUTURE:
            c->on_futures++;
            break;
        case AW_AWAITS_NOTHING:
            break;
        }
    }
    free(tasks);
    c->quiet = n == 0 && s.ready == 0 && s.timers == 0 && s.watched_fds == 0;
    return 0;
}
