/*
 * test_wait_for.c - aw_wait_for: await with a deadline.
 *
 * The virtual clock makes the 30-second timeouts below take no real time.
 */
#include "runner.h"

#include "aw.h"

#include <string.h>

static aw_loop *virtual_loop(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with: %s", aw_last_error());
    return loop;
}

/* The waiting task: wait_for(target, timeout), noting what came back. */
typedef struct {
    aw_future *target;
    double timeout;
    int rc;
    void *result;
    char message[128];
    double returned_at;
} waiter;

static void *wait_for_target(void *arg)
{
    waiter *w = arg;
    w->rc = aw_wait_for(w->target, w->timeout, &w->result);
    snprintf(w->message, sizeof w->message, "%s", aw_last_error());
    w->returned_at = aw_loop_time(aw_task_loop(aw_current_task()));
    return NULL;
}

static void complete_future(void *arg)
{
    aw_future_set_result(arg, arg);
}

START_TEST(wait_for_returns_the_result_in_time)
{
    aw_loop *loop = virtual_loop();
    waiter w = {.target = aw_future_new(loop), .timeout = 30.0, .rc = 1};
    aw_call_later(loop, 1.0, complete_future, w.target);
    aw_task *t = aw_task_create(loop, wait_for_target, &w, NULL);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    ck_assert_int_eq(w.rc, 0);
    ck_assert_ptr_eq(w.result, w.target);
    ck_assert_double_eq_tol(w.returned_at, 1.0, 1e-9);
    /* The deadline timer is gone: nothing is left to wait for. */
    ck_assert_int_eq(aw_loop_run_forever(loop), AW_EDEADLOCK);
    aw_future_release(w.target);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

static void *sleep_for(void *arg)
{
    int rc = aw_sleep(*(double *)arg);
    return rc ? aw_raise(rc, NULL) : arg;
}

START_TEST(wait_for_times_out_and_cancels_the_task)
{
    aw_loop *loop = virtual_loop();
    double minute = 60.0;
    aw_task *slow = aw_task_create(loop, sleep_for, &minute, "slow");
    waiter w = {.target = aw_task_future(slow), .timeout = 30.0, .rc = 1};
    aw_task *t = aw_task_create(loop, wait_for_target, &w, NULL);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    ck_assert_int_eq(w.rc, AW_ETIMEDOUT);
    ck_assert_ptr_nonnull(strstr(w.message, "no result after 30 s"));
    ck_assert_ptr_null(w.result);
    ck_assert_double_eq_tol(w.returned_at, 30.0, 1e-9);
    ck_assert_int_eq(aw_task_state_of(slow), AW_TASK_CANCELLED);
    aw_task_release(slow);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(wait_for_a_plain_future_times_out)
{
    aw_loop *loop = virtual_loop();
    waiter w = {.target = aw_future_new(loop), .timeout = 2.5, .rc = 1};
    aw_task *t = aw_task_create(loop, wait_for_target, &w, NULL);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    ck_assert_int_eq(w.rc, AW_ETIMEDOUT);
    ck_assert_double_eq_tol(w.returned_at, 2.5, 1e-9);
    ck_assert(aw_future_cancelled(w.target));
    aw_future_release(w.target);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(wait_for_a_done_future_returns_at_once)
{
    aw_loop *loop = virtual_loop();
    waiter w = {.target = aw_future_new(loop), .timeout = 5.0, .rc = 1};
    aw_future_set_result(w.target, &w);
    aw_task *t = aw_task_create(loop, wait_for_target, &w, NULL);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    ck_assert_int_eq(w.rc, 0);
    ck_assert_ptr_eq(w.result, &w);
    ck_assert_double_eq_tol(w.returned_at, 0.0, 1e-9);
    aw_future_release(w.target);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

static void cancel_task(void *arg)
{
    aw_task_cancel(arg);
}

START_TEST(cancelling_the_waiter_cancels_the_awaited_task)
{
    aw_loop *loop = virtual_loop();
    double minute = 60.0;
    aw_task *slow = aw_task_create(loop, sleep_for, &minute, "slow");
    waiter w = {.target = aw_task_future(slow), .timeout = 30.0, .rc = 1};
    aw_task *t = aw_task_create(loop, wait_for_target, &w, NULL);
    aw_call_later(loop, 5.0, cancel_task, t);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    ck_assert_int_eq(w.rc, AW_ECANCELLED);
    ck_assert_double_eq_tol(w.returned_at, 5.0, 1e-9);
    ck_assert_int_eq(aw_task_state_of(slow), AW_TASK_CANCELLED);
    aw_task_release(slow);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* An awaited task that takes the cancellation and returns a value anyway:
 * wait_for returns that value, as asyncio does. */
static void *finish_despite_cancel(void *arg)
{
    aw_sleep(60.0); /* cancelled at the deadline; ignored */
    return arg;
}

START_TEST(wait_for_returns_a_value_given_despite_the_timeout)
{
    aw_loop *loop = virtual_loop();
    int value = 3;
    aw_task *stubborn =
        aw_task_create(loop, finish_despite_cancel, &value, "stubborn");
    waiter w = {.target = aw_task_future(stubborn), .timeout = 1.0, .rc = 1};
    aw_task *t = aw_task_create(loop, wait_for_target, &w, NULL);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    ck_assert_int_eq(w.rc, 0);
    ck_assert_ptr_eq(w.result, &value);
    ck_assert_int_eq(aw_task_state_of(stubborn), AW_TASK_DONE);
    aw_task_release(stubborn);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/*
 * The deadline timer lives in aw_wait_for's stack frame. Here it falls
 * due in the very pass in which the waiter resumes (its wakeup is queued
 * first): wait_for must take the timer back before it returns, or the
 * timer's callback runs later in that pass on a dead frame and a freed
 * future.
 *
 *   pass 1: the waiter starts wait_for; `finish` completes the future,
 *           then lets the deadline pass
 *   pass 2: the wakeup resumes the waiter, which returns and frees the
 *           future; the deadline is due in this same pass
 *
 * Real clock: finish waits until the deadline has passed, however long
 * that takes, so the order does not depend on the machine's speed.
 */
typedef struct {
    aw_loop *loop;
    aw_future *target;
    int rc;
} racer;

static void scribble_stack(void)
{
    /* Overwrite the dead wait_for frame, as later calls would. */
    volatile unsigned char junk[8192];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = 0xA5;
}

static void *wait_then_release(void *arg)
{
    racer *r = arg;
    r->rc = aw_wait_for(r->target, 0.1, NULL);
    scribble_stack();
    aw_future_release(r->target); /* the last reference */
    return NULL;
}

static void stop_loop(void *arg)
{
    aw_loop_stop(arg);
}

static void finish(void *arg)
{
    racer *r = arg;
    /* Later than wait_for's own deadline, which was set before. */
    double deadline = aw_loop_time(r->loop) + 0.1;
    aw_future_set_result(r->target, NULL);
    while (aw_loop_time(r->loop) <= deadline)
        ;
}

START_TEST(deadline_due_as_the_waiter_resumes_is_taken_back)
{
    racer r = {.loop = aw_loop_new(), .rc = 1};
    r.target = aw_future_new(r.loop);
    aw_task *t = aw_task_create(r.loop, wait_then_release, &r, NULL);
    aw_call_soon(r.loop, finish, &r);
    ck_assert_int_eq(aw_loop_run_until_complete(r.loop, aw_task_future(t)), 0);
    ck_assert_int_eq(r.rc, 0);
    /* Run a few passes more: a stale deadline callback would run here. */
    aw_call_later(r.loop, 0.01, stop_loop, r.loop);
    ck_assert_int_eq(aw_loop_run_forever(r.loop), 0);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(r.loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("wait_for");
    TCase *tc = tcase_create("wait_for");
    tcase_add_test(tc, wait_for_returns_the_result_in_time);
    tcase_add_test(tc, wait_for_times_out_and_cancels_the_task);
    tcase_add_test(tc, wait_for_a_plain_future_times_out);
    tcase_add_test(tc, wait_for_a_done_future_returns_at_once);
    tcase_add_test(tc, cancelling_the_waiter_cancels_the_awaited_task);
    tcase_add_test(tc, wait_for_returns_a_value_given_despite_the_timeout);
    tcase_add_test(tc, deadline_due_as_the_waiter_resumes_is_taken_back);
    suite_add_tcase(s, tc);
    return s;
}
