/*
 * Exercise (find the bug): tests that share a loop.
 *
 * Below is a small test module, written the way many asyncio tests were
 * written before IsolatedAsyncioTestCase existed:
 *
 *     def setUp(self):    self.loop = asyncio.get_event_loop()
 *     def tearDown(self): self.loop.close()
 *
 * The grader runs it the way unittest would, all in one process:
 *
 *     set_up(); test_async_task();       tear_down();
 *     set_up(); test_heartbeat();        tear_down();
 *     set_up(); test_no_pending_tasks(); tear_down();
 *
 * (and in other orders). Each test is fine when it runs on a loop of its
 * own. Together they crash, or fail in an order-dependent way, and even
 * test_heartbeat alone leaves a loop open behind it. Find out why, and
 * fix set_up and tear_down (get_event_loop too, if you want it gone) so
 * that:
 *   - every test starts on a fresh loop with the virtual clock on,
 *     whatever ran before it;
 *   - after tear_down nothing is left: no loop, no descriptor, no
 *     memory, even when a test left a task running (test_heartbeat
 *     leaves its heartbeat running, as a test of a service would).
 *
 * The code under test and the three tests are correct: leave them as
 * they are. The grader calls set_up, tear_down and the test_ functions.
 *
 * See chapter 4, section "One loop per test".
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

/* ---- the fixture (this is where the trouble is) ----------------------- */

static aw_loop *shared;

/* Like asyncio.get_event_loop(): one loop, made on first use. */
static aw_loop *get_event_loop(void)
{
    if (!shared) {
        aw_loop_options options = {.virtual_clock = true};
        shared = aw_loop_new_with(&options);
    }
    return shared;
}

static aw_loop *loop; /* the loop the current test runs on */

void set_up(void)
{
    loop = get_event_loop();
}

void tear_down(void)
{
    aw_loop_close(loop);
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
