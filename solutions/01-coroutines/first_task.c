/*
 * Solution: run a coroutine and collect its result.
 * See chapter 1, sections "Running a coroutine on a loop" and
 * "Returning values and errors".
 */
#include "aw.h"

int run_task(aw_task_fn fn, void *arg, void **result)
{
    aw_loop *loop = aw_loop_new();
    if (!loop)
        return -ENOMEM; /* aw_last_error() says why */
    aw_task *task = aw_task_create(loop, fn, arg, "first");
    if (!task) {
        aw_loop_close(loop);
        return AW_EMISUSE;
    }
    int rc = aw_loop_run_until_complete(loop, aw_task_future(task));
    if (rc == 0)
        *result = aw_task_result(task);
    aw_task_release(task);
    aw_loop_close(loop);
    return rc;
}
