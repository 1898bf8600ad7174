/*
 * misuse.c - what the library says when it is used the wrong way.
 *
 * Each mistake returns an error code and leaves a message that names
 * the call and the way out. Nothing crashes, and nothing hangs.
 */
#include "aw.h"

static void show(const char *what, int rc)
{
    printf("%s\n  -> %d (%s)\n  -> %s\n", what, rc, aw_strerror(rc),
           aw_last_error());
}

// ANCHOR: cycle
static aw_task *first, *second;

static void *await_second(void *arg)
{
    (void)arg;
    int rc = aw_await(aw_task_future(second), NULL);
    return rc == 0 ? NULL : aw_raise(rc, aw_last_error());
}

static void *await_first(void *arg)
{
    (void)arg;
    int rc = aw_await(aw_task_future(first), NULL);
    return rc == 0 ? NULL : aw_raise(rc, aw_last_error());
}
// ANCHOR_END: cycle

int main(void)
{
    aw_loop *loop = aw_loop_new();
    aw_future *never = aw_future_new(loop);

    // ANCHOR: outside
    /* 1. Awaiting outside a task: main is not a coroutine. */
    show("aw_await in main()", aw_await(never, NULL));
    // ANCHOR_END: outside

    // ANCHOR: deadlock
    /* 2. Two tasks that wait for each other: nothing can ever wake them. */
    first = aw_task_create(loop, await_second, NULL, "first");
    second = aw_task_create(loop, await_first, NULL, "second");
    show("run_until_complete on tasks that await each other",
         aw_loop_run_until_complete(loop, aw_task_future(first)));
    // ANCHOR_END: deadlock

    // ANCHOR: close
    /* 3. Closing a loop that still has tasks. */
    show("aw_loop_close with pending tasks", aw_loop_close(loop));
    // ANCHOR_END: close

    show("aw_loop_shutdown", aw_loop_shutdown(loop));
    aw_task_release(first);
    aw_task_release(second);
    aw_future_release(never);
    return 0;
}
