/*
 * Hostile: a run_task that works but leaks its loop and task, and
 * LeakSanitizer's own hook __lsan_default_suppressions (hiding run_task)
 * so that the leak is never reported.
 */
#include "aw.h"

int run_task(aw_task_fn fn, void *arg, void **result)
{
    aw_loop *loop = aw_loop_new();
    if (!loop)
        return -ENOMEM;
    aw_task *task = aw_task_create(loop, fn, arg, "leaky");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(task));
    if (rc == 0)
        *result = aw_task_result(task);
    return rc; /* the task and the loop are never released */
}

const char *__lsan_default_suppressions(void);

const char *__lsan_default_suppressions(void)
{
    return "leak:run_task\nleak:aw_\n";
}
