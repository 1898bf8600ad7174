/*
 * Exercise: take a census of a running loop.
 *
 * Before you can test that a program cleaned up after itself, or find
 * out why it hangs, you need to count what the loop holds. Write
 * take_census(loop, &c), which fills in a census from the introspection
 * API (aw_loop_get_stats, aw_loop_tasks, aw_task_state_of,
 * aw_task_await_kind):
 *
 *   tasks       pending tasks (created, not finished)
 *   running     of those, the ones running right now (0, or 1 when
 *               take_census is called from inside a task)
 *   sleeping    of those, the ones suspended in aw_sleep
 *   on_tasks    of those, the ones awaiting another task or a gather
 *   on_futures  of those, the ones awaiting any other future
 *   ready       callbacks queued for the loop's next pass
 *   timers      timers scheduled, sleeping tasks' timers included
 *   fds         descriptors the loop watches
 *   quiet       true when the loop holds nothing at all: no pending task,
 *               no ready callback, no timer and no watched descriptor
 *               (chapter 4 checks exactly this after every test)
 *
 * Return 0, or AW_EMISUSE if loop or c is NULL (set nothing then).
 * Count every pending task, however many there are.
 *
 * See chapter 3, sections "Monitoring the loop" and "Task states".
 */
#include "aw.h"

typedef struct {
    size_t tasks, running, sleeping, on_tasks, on_futures;
    size_t ready, timers, fds;
    bool quiet;
} census;

int take_census(aw_loop *loop, census *c)
{
    (void)loop;
    (void)c;
    return -1;
}
