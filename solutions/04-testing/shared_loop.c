/*
 * Solution: tests that share a loop.
 *
 * Two bugs. tear_down closed the shared loop, which frees it, but
 * get_event_loop kept handing out the freed pointer: the next test used
 * freed memory. And aw_loop_close refuses while a task is pending: after
 * test_heartbeat it failed, unchecked, and the loop stayed open. Each
 * test now gets a loop of its own, and tear_down shuts it down.
 */
#include "aw.h"

#include <string.h>

/* ---- the code under test (correct) ------------------------------------ */

static void *async_task(void *arg)
{
    (void)arg;
    aw_sleep(1);
    return "completed";
}

/* A background service: beats once a second until cancelled. */
static void *heartbeat(void *arg)
{
    int *beats = arg;
    int rc;
    while ((rc = aw_sleep(1)) == 0)
        (*beats)++;
    return aw_raise(rc, "heartbeat stopped");
}

/* ---- the fixture ------------------------------------------------------ */

static aw_loop *loop; /* the loop the current test runs on */

/* One loop per test: made in set_up, ended in tear_down. */
void set_up(void)
{
    aw_loop_options options = {.virtual_clock = true};
    loop = aw_loop_new_with(&options);
}

/* A test may leave tasks running (test_heartbeat does): aw_loop_close
 * would refuse, so cancel them and close, as IsolatedAsyncioTestCase
 * does. Then forget the loop: it is freed. */
void tear_down(void)
{
    aw_loop_shutdown(loop);
    loop = NULL;
}

/* ---- the tests (correct): 1 if the test passed, 0 if it failed -------- */

static void stop(void *arg)
{
    aw_loop_stop(arg);
}

/* Run the loop for `seconds` of loop time. */
static int run_for(double seconds)
{
    aw_call_later(loop, seconds, stop, loop);
    return aw_loop_run_forever(loop);
}

static size_t pending_tasks(void)
{
    aw_loop_stats stats;
    aw_loop_get_stats(loop, &stats);
    return stats.tasks;
}

int test_async_task(void)
{
    aw_task *task = aw_task_create(loop, async_task, NULL, "async_task");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(task));
    int ok = rc == 0 && aw_task_state_of(task) == AW_TASK_DONE &&
             strcmp(aw_task_result(task), "completed") == 0;
    aw_task_release(task);
    return ok && pending_tasks() == 0;
}

int test_heartbeat(void)
{
    static int beats; /* static: the heartbeat outlives this call */
    beats = 0;
    aw_task *beat = aw_task_create(loop, heartbeat, &beats, "heartbeat");
    aw_task_release(beat); /* it runs on in the background */
    int rc = run_for(3.5);
    return rc == 0 && beats == 3 && pending_tasks() == 1;
}

int test_no_pending_tasks(void)
{
    return pending_tasks() == 0 && aw_loop_time(loop) == 0.0;
}
