/*
 * Hostile: writes 1 GiB into a temporary file that is already deleted
 * (tmpfile), where no one sees it. If the whole GiB could be written, it
 * behaves as the solution, so the exercise passes only without a limit
 * on the size of the files it writes.
 */
#include "aw.h"

#include <stdio.h>
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

static int wrote_a_gib(void)
{
    static char chunk[1 << 20];
    FILE *f = tmpfile();
    int ok = f != NULL;
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; ok && i < 1024; i++)
        ok = fwrite(chunk, 1, sizeof chunk, f) == sizeof chunk;
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    return ok;
}

int run_task(aw_task_fn fn, void *arg, void **result)
{
    static int done = -1;
    if (done < 0)
        done = wrote_a_gib();
    return done ? solve(fn, arg, result) : -1;
}
