/*
 * Grader for 02-event-loop/my_run_until_complete: run_until_complete
 * rebuilt from a done callback, aw_loop_stop and aw_loop_run_forever.
 */
// grade-exports: my_run_until_complete
#include "check_main.h"

#include "aw.h"

#include <math.h>

int my_run_until_complete(aw_loop *loop, aw_future *f);

static aw_loop *virtual_loop(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with: %s", aw_last_error());
    return loop;
}

static bool at(aw_loop *loop, double t)
{
    return fabs(aw_loop_time(loop) - t) < 1e-6;
}

/* ---- helpers the tests schedule ---------------------------------------- */

static void *answer_later(void *arg)
{
    aw_sleep(3.0);
    return arg;
}

static void *fail_later(void *arg)
{
    (void)arg;
    aw_sleep(1.0);
    return aw_raise(-ECONNRESET, "the peer hung up");
}

static void complete(void *f)
{
    aw_future_set_result(f, "done");
}

static void cancel(void *f)
{
    aw_future_cancel(f);
}

static void stop(void *loop)
{
    aw_loop_stop(loop);
}

/* Completes the future, then drops the only reference the test had. */
static void complete_and_let_go(void *f)
{
    aw_future_set_result(f, "done");
    aw_future_release(f);
}

START_TEST(task_result)
{
    aw_loop *loop = virtual_loop();
    int answer = 42;
    aw_task *t = aw_task_create(loop, answer_later, &answer, "answer");
    int rc = my_run_until_complete(loop, aw_task_future(t));
    ck_assert_msg(rc == 0, "returned %d for a task that succeeded (%s)", rc,
                  aw_last_error());
    ck_assert_msg(aw_task_state_of(t) == AW_TASK_DONE,
                  "returned before the task was done");
    ck_assert_msg(at(loop, 3.0),
                  "returned at loop time %.3f, expected 3.000 when the task "
                  "finished",
                  aw_loop_time(loop));
    ck_assert_msg(aw_task_result(t) == &answer, "the task's result changed");
    aw_task_release(t);
    ck_assert_msg(aw_loop_close(loop) == 0, "aw_loop_close: %s",
                  aw_last_error());
}
END_TEST

START_TEST(task_error)
{
    aw_loop *loop = virtual_loop();
    aw_task *t = aw_task_create(loop, fail_later, NULL, "fail");
    int rc = my_run_until_complete(loop, aw_task_future(t));
    ck_assert_msg(rc == -ECONNRESET,
                  "returned %d for a task that failed with -ECONNRESET (%d): "
                  "return the future's error code (aw_future_error)",
                  rc, -ECONNRESET);
    aw_task_release(t);
    aw_loop_close(loop);
}
END_TEST

START_TEST(cancelled_future)
{
    aw_loop *loop = virtual_loop();
    aw_future *f = aw_future_new(loop);
    aw_call_later(loop, 2.0, cancel, f);
    int rc = my_run_until_complete(loop, f);
    ck_assert_msg(rc == AW_ECANCELLED,
                  "returned %d for a cancelled future, expected AW_ECANCELLED "
                  "(%d)",
                  rc, AW_ECANCELLED);
    aw_future_release(f);
    aw_loop_close(loop);
}
END_TEST

START_TEST(already_done)
{
    aw_loop *loop = virtual_loop();
    aw_future *f = aw_future_new(loop);
    aw_future_set_result(f, "early");
    aw_call_later(loop, 10.0, stop, loop); /* in case it waits anyway */
    int rc = my_run_until_complete(loop, f);
    ck_assert_msg(rc == 0, "returned %d for a future that was already done",
                  rc);
    ck_assert_msg(at(loop, 0.0),
                  "a future that is already done should return at once, "
                  "but the loop ran until t=%.3f",
                  aw_loop_time(loop));
    aw_future_release(f);
    aw_loop_close(loop);
}
END_TEST

START_TEST(stopped_early_then_reused)
{
    aw_loop *loop = virtual_loop();
    aw_future *slow = aw_future_new(loop);
    aw_call_later(loop, 5.0, complete, slow);
    aw_call_later(loop, 1.0, stop, loop); /* someone else stops the loop */
    int rc = my_run_until_complete(loop, slow);
    ck_assert_msg(rc == AW_ESTATE,
                  "the loop was stopped at t=1 while the future was still "
                  "pending: expected AW_ESTATE (%d), got %d",
                  AW_ESTATE, rc);
    ck_assert_msg(at(loop, 1.0), "returned at t=%.3f, expected 1.000",
                  aw_loop_time(loop));

    /* The next run waits for another future, due at t=10. `slow`
     * completes at t=5 on the way: a done callback left on it from the
     * first run would stop this one there. */
    aw_future *later = aw_future_new(loop);
    aw_call_later(loop, 9.0, complete, later);
    rc = my_run_until_complete(loop, later);
    ck_assert_msg(rc == 0 && at(loop, 10.0),
                  "the second run returned %d at t=%.3f, expected 0 at "
                  "t=10.000: did a done callback left on the first future "
                  "stop it? Remove yours before returning",
                  rc, aw_loop_time(loop));
    aw_future_release(slow);
    aw_future_release(later);
    aw_loop_close(loop);
}
END_TEST

START_TEST(owner_lets_go)
{
    aw_loop *loop = virtual_loop();
    aw_future *f = aw_future_new(loop);
    /* The callback drops the test's only reference while the loop runs;
     * only my_run_until_complete's own reference keeps f alive. */
    aw_call_later(loop, 1.0, complete_and_let_go, f);
    int rc = my_run_until_complete(loop, f);
    ck_assert_msg(rc == 0, "returned %d, expected 0", rc);
    aw_loop_close(loop);
}
END_TEST

START_TEST(nothing_can_complete_it)
{
    aw_loop *loop = virtual_loop();
    aw_future *f = aw_future_new(loop);
    int rc = my_run_until_complete(loop, f);
    ck_assert_msg(rc == AW_EDEADLOCK,
                  "nothing can ever complete the future, so "
                  "aw_loop_run_forever fails with AW_EDEADLOCK (%d); "
                  "my_run_until_complete returned %d",
                  AW_EDEADLOCK, rc);
    aw_future_release(f);
    aw_loop_close(loop);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("02-event-loop/my_run_until_complete");
    TCase *tc = tcase_create("my_run_until_complete");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, task_result);
    tcase_add_test(tc, task_error);
    tcase_add_test(tc, cancelled_future);
    tcase_add_test(tc, already_done);
    tcase_add_test(tc, stopped_early_then_reused);
    tcase_add_test(tc, owner_lets_go);
    tcase_add_test(tc, nothing_can_complete_it);
    suite_add_tcase(s, tc);
    return s;
}
