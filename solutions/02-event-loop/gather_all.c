/*
 * Solution: start many tasks, gather them, and clean up after a failure.
 * See chapter 2, sections "Tasks" and "Waiting for many: gather".
 */
#include "aw.h"

#include <stdint.h>
#include <stdlib.h>

/* Cancel every task that is still running and wait until each is done:
 * afterwards nothing we started is left on the loop. */
static void cancel_and_wait(aw_task **tasks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        aw_task_cancel(tasks[i]);
    for (size_t i = 0; i < n; i++)
        while (!aw_future_done(aw_task_future(tasks[i])))
            aw_await(aw_task_future(tasks[i]), NULL);
}

int run_all(aw_task_fn fn, void *const *args, size_t n, long *total, char *why,
            size_t why_size)
{
    aw_loop *loop = aw_running_loop();
    if (!aw_current_task())
        return AW_EMISUSE; /* only a task can wait */
    aw_task **tasks = calloc(n ? n : 1, sizeof *tasks);
    aw_future **futures = calloc(n ? n : 1, sizeof *futures);
    if (!tasks || !futures) {
        free(tasks);
        free(futures);
        return -ENOMEM;
    }
    size_t started = 0;
    int rc = 0;
    for (; started < n; started++) {
        tasks[started] = aw_task_create(loop, fn, args[started], NULL);
        if (!tasks[started]) {
            rc = -ENOMEM;
            break;
        }
        futures[started] = aw_task_future(tasks[started]);
    }
    aw_future *all = rc == 0 ? aw_gather(loop, futures, n) : NULL;
    if (rc == 0 && !all)
        rc = -ENOMEM;
    if (rc == 0)
        rc = aw_await(all, NULL);
    if (rc == 0) {
        long sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += (long)(intptr_t)aw_task_result(tasks[i]);
        *total = sum;
    } else {
        snprintf(why, why_size, "%s", aw_last_error());
        cancel_and_wait(tasks, started);
    }
    aw_future_release(all);
    for (size_t i = 0; i < started; i++)
        aw_task_release(tasks[i]);
    free(tasks);
    free(futures);
    return rc;
}
