/*
 * never_awaited.c - a task fails, and nobody ever looks: its error would
 * vanish. Debug mode reports it when the task is freed, as asyncio says
 * "Task exception was never retrieved".
 */
#include "aw.h"

static void *send_email(void *arg)
{
    aw_sleep(0.1);
    return aw_raise(-ECONNREFUSED, arg);
}

// ANCHOR: bug
static void *signup(void *arg)
{
    (void)arg;
    /* Fire and forget: the task is created, its handle dropped, and its
     * result, an error, is never awaited. */
    aw_task_release(aw_task_create(aw_running_loop(), send_email,
                                   "smtp server refused the connection",
                                   "send-welcome-email"));
    aw_sleep(0.5);
    printf("signup: done, and no error seen\n");
    return NULL;
}
// ANCHOR_END: bug

int main(void)
{
    aw_debug_set_output(stdout);
    aw_loop_options options = {.debug = true, .virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    aw_task *t = aw_task_create(loop, signup, NULL, "signup");
    aw_loop_run_until_complete(loop, aw_task_future(t));
    aw_task_release(t);
    return aw_loop_close(loop);
}
