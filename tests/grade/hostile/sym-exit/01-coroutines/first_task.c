/*
 * Hostile: a run_task that works but leaks its loop and task, and an exit
 * of its own that skips the atexit handlers, LeakSanitizer's among them.
 * Check ends each forked test with exit(), so no leak is ever reported.
 */
#include "aw.h"

#include <unistd.h>

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

void exit(int status)
{
    _exit(status);
}
