/*
 * timeout_nested.c - twin of timeout_nested.py: nested timeout scopes,
 * where only the one that expired reports a timeout, and a rescheduled
 * deadline.
 */
#include "twin.h"

static void *main_task(void *arg)
{
    (void)arg;
    aw_future *never = aw_future_new(aw_running_loop());
    aw_timeout *outer = aw_timeout_new(0.05);
    aw_timeout *inner = aw_timeout_new(10);
    int rc = aw_await(never, NULL);
    rc = aw_timeout_end(inner, rc);
    if (rc == AW_ECANCELLED)
        printf("inner: cancelled, not timed out\n");
    if (aw_timeout_end(outer, rc) == AW_ETIMEDOUT)
        printf("outer: timed out\n");
    aw_future_release(never);
    printf("main: cancelling() is %d\n", aw_task_cancelling(aw_current_task()));
    aw_timeout *scope = aw_timeout_new(10);
    aw_timeout_reschedule(scope, aw_loop_time(aw_running_loop()) + 0.01);
    rc = aw_sleep(1);
    if (rc == AW_ECANCELLED)
        printf("rescheduled: the sleep was cancelled\n");
    if (aw_timeout_end(scope, rc) == AW_ETIMEDOUT)
        printf("main: the rescheduled scope timed out\n");
    else
        printf("unreachable\n");
    return NULL;
}

int main(void)
{
    return run_twin(main_task, NULL, false);
}
