/*
 * cancel.c - timeouts and cancellation.
 *
 * aw_wait_for gives a task a deadline. When it passes, the task is
 * cancelled: the await it is suspended in returns AW_ECANCELLED. The task
 * cleans up and ends cancelled; wait_for then reports AW_ETIMEDOUT.
 */
#include "aw.h"

// ANCHOR: slow
static void *slow_query(void *arg)
{
    const char *name = arg;
    printf("  %s: connection opened\n", name);
    int rc = aw_sleep(5.0); /* the cancellation arrives here */
    printf("  %s: connection closed (aw_sleep returned %s)\n", name,
           rc == 0 ? "0" : aw_strerror(rc));
    if (rc != 0)
        return aw_raise(rc, aw_last_error()); /* pass it on */
    return "rows";
}
// ANCHOR_END: slow

// ANCHOR: caller
static void *caller(void *arg)
{
    double timeout = *(const double *)arg;
    aw_loop *loop = aw_running_loop();
    aw_task *query = aw_task_create(loop, slow_query, "query", "query");
    void *rows = NULL;
    int rc = aw_wait_for(aw_task_future(query), timeout, &rows);
    if (rc == 0)
        printf("  t=%.1f got %s\n", aw_loop_time(loop), (const char *)rows);
    else
        printf("  t=%.1f %s: %s\n", aw_loop_time(loop), aw_strerror(rc),
               aw_last_error());
    printf("  the query task is %s\n",
           aw_task_state_of(query) == AW_TASK_CANCELLED ? "cancelled" : "done");
    aw_task_release(query);
    return NULL;
}
// ANCHOR_END: caller

static void run_with_timeout(double timeout)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    aw_task *t = aw_task_create(loop, caller, &timeout, "caller");
    aw_loop_run_until_complete(loop, aw_task_future(t));
    aw_task_release(t);
    aw_loop_close(loop);
}

int main(void)
{
    printf("timeout 10 s:\n");
    run_with_timeout(10.0);
    printf("timeout 2 s:\n");
    run_with_timeout(2.0);
    return 0;
}
