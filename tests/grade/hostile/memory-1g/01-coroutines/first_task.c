/*
 * Hostile: allocates and touches 1 GiB of memory. If it could, it behaves
 * as the solution, so the exercise passes only without a memory limit.
 */
#include "aw.h"

#include <stdlib.h>
#include <string.h>

/* The reference behaviour, used only when the attack worked. */
static int solve(aw_task_fn fn, void *arg, void **result)
{
    aw_loop *loop = aw_loop_new();
    if (!loop)
        return -ENOMEM;
    aw_task *task = aw_task_create(loop, fn, arg, "first");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(task));
    if (rc == 0)
        *result = aw_task_result(task);
    aw_task_release(task);
    aw_loop_close(loop);
    return rc;
}

int run_task(aw_task_fn fn, void *arg, void **result)
{
    size_t gib = (size_t)1 << 30;
    char *big = malloc(gib);
    if (big == NULL)
        return -1;
    memset(big, 'x', gib);
    free(big);
    return solve(fn, arg, result);
}
