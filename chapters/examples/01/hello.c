/*
 * hello.c - the smallest coroutine: a task that pauses once and returns.
 *
 * The loop runs the task's first step, the task pauses at aw_sleep(0),
 * the loop comes back to it, and the task returns its result.
 */
#include "aw.h"

// ANCHOR: task
/* A coroutine is an ordinary C function with the task signature. */
static void *greet(void *arg)
{
    const char *name = arg;
    printf("task: hello, %s\n", name);
    aw_sleep(0); /* pause here; the loop resumes us on a later pass */
    printf("task: resumed, goodbye\n");
    return "greeted"; /* the task's result */
}
// ANCHOR_END: task

int main(void)
{
    // ANCHOR: main
    aw_loop *loop = aw_loop_new();
    if (!loop) {
        fprintf(stderr, "aw_loop_new: %s\n", aw_last_error());
        return 1;
    }
    aw_task *task = aw_task_create(loop, greet, "world", "greeter");
    printf("main: created '%s'; it has not run yet\n", aw_task_name(task));

    int rc = aw_loop_run_until_complete(loop, aw_task_future(task));
    printf("main: the loop returned %d; the result is \"%s\"\n", rc,
           (const char *)aw_task_result(task));

    aw_task_release(task); /* we no longer need its result */
    aw_loop_close(loop);
    // ANCHOR_END: main
    return rc == 0 ? 0 : 1;
}
