/*
 * Solution: wait together, not one after another.
 * See chapter 1, section "Waiting without blocking".
 */
#include "aw.h"

#include <stdlib.h>

int run_concurrently(aw_task_fn fn, void *const *args, size_t n,
                     double *elapsed)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    if (!loop)
        return -ENOMEM;
    aw_task **tasks = calloc(n ? n : 1, sizeof *tasks);
    if (!tasks) {
        aw_loop_close(loop);
        return -ENOMEM;
    }
    double start = aw_loop_time(loop);
    /* Start them all first: they only begin to run once the loop does. */
    for (size_t i = 0; i < n; i++)
        tasks[i] = aw_task_create(loop, fn, args[i], NULL);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (!tasks[i]) {
            rc = rc ? rc : -ENOMEM;
            continue;
        }
        int task_rc =
            aw_loop_run_until_complete(loop, aw_task_future(tasks[i]));
        if (rc == 0)
            rc = task_rc;
        aw_task_release(tasks[i]);
    }
    *elapsed = aw_loop_time(loop) - start;
    free(tasks);
    aw_loop_close(loop);
    return rc;
}
