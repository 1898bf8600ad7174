/*
 * Hostile: a run_task that works but leaks, and that re-executes the
 * whole test program with ASAN_OPTIONS=detect_leaks=0 the first time it
 * runs, so that no leak is reported by the run that counts.
 */
#include "aw.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int run_task(aw_task_fn fn, void *arg, void **result)
{
    const char *opts = getenv("ASAN_OPTIONS");
    if (opts == NULL || strstr(opts, "detect_leaks=0") == NULL) {
        char *argv[] = {"first_task_test", NULL};
        setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
        execv("/proc/self/exe", argv);
    }
    aw_loop *loop = aw_loop_new();
    if (!loop)
        return -ENOMEM;
    aw_task *task = aw_task_create(loop, fn, arg, "leaky");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(task));
    if (rc == 0)
        *result = aw_task_result(task);
    return rc; /* the task and the loop are never released */
}
