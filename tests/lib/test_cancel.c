/*
 * test_cancel.c - cancelling tasks: delivered at the await point.
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

static void cancel_task(void *arg)
{
    aw_task_cancel(arg);
}

/* What a sleeping task saw when its sleep ended. */
typedef struct {
    double seconds;
    int rc;
    char message[128];
    double woke_at;
    bool started;
} sleep_report;

static void *sleep_and_report(void *arg)
{
    sleep_report *r = arg;
    r->started = true;
    r->rc = aw_sleep(r->seconds);
    snprintf(r->message, sizeof r->message, "%s", aw_last_error());
    r->woke_at = aw_loop_time(aw_task_loop(aw_current_task()));
    return r->rc ? aw_raise(r->rc, r->message) : NULL;
}

START_TEST(cancel_is_delivered_at_the_await_point)
{
    aw_loop *loop = virtual_loop();
    sleep_report r = {.seconds = 10.0, .rc = 1};
    aw_task *t = aw_task_create(loop, sleep_and_report, &r, "sleeper");
    aw_call_later(loop, 1.0, cancel_task, t);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)),
                     AW_ECANCELLED);
    ck_assert_int_eq(r.rc, AW_ECANCELLED);
    ck_assert_ptr_nonnull(strstr(r.message, "'sleeper' was cancelled"));
    /* Woken at the cancel, not at the end of the sleep: the sleep's timer
     * went with it. */
    ck_assert_double_eq_tol(r.woke_at, 1.0, 1e-9);
    ck_assert_int_eq(aw_task_state_of(t), AW_TASK_CANCELLED);
    ck_assert(aw_future_cancelled(aw_task_future(t)));
    ck_assert_int_eq(aw_task_error(t), AW_ECANCELLED);
    ck_assert_int_eq(aw_loop_run_forever(loop), AW_EDEADLOCK); /* no timer */
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(cancel_before_start_never_runs_the_function)
{
    aw_loop *loop = virtual_loop();
    sleep_report r = {.seconds = 1.0};
    aw_task *t = aw_task_create(loop, sleep_and_report, &r, NULL);
    ck_assert(aw_task_cancel(t));
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)),
                     AW_ECANCELLED);
    ck_assert(!r.started);
    ck_assert_int_eq(aw_task_state_of(t), AW_TASK_CANCELLED);
    ck_assert(!aw_task_cancel(t)); /* already over */
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(cancel_of_a_finished_task_does_nothing)
{
    aw_loop *loop = virtual_loop();
    sleep_report r = {.seconds = 1.0, .rc = 1};
    aw_task *t = aw_task_create(loop, sleep_and_report, &r, NULL);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    ck_assert(!aw_task_cancel(t));
    ck_assert(!aw_future_cancel(aw_task_future(t)));
    ck_assert_int_eq(aw_task_state_of(t), AW_TASK_DONE);
    ck_assert_int_eq(r.rc, 0);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* outer awaits inner; cancelling outer cancels inner, and outer ends
 * only once inner has. */
typedef struct {
    aw_task *inner;
    sleep_report inner_report;
    int rc;
} outer_state;

static void *await_inner(void *arg)
{
    outer_state *o = arg;
    o->inner = aw_task_create(aw_task_loop(aw_current_task()), sleep_and_report,
                              &o->inner_report, "inner");
    o->rc = aw_await(aw_task_future(o->inner), NULL);
    return o->rc ? aw_raise(o->rc, NULL) : NULL;
}

START_TEST(cancelling_a_task_cancels_the_task_it_awaits)
{
    aw_loop *loop = virtual_loop();
    outer_state o = {.inner_report = {.seconds = 50.0}, .rc = 1};
    aw_task *outer = aw_task_create(loop, await_inner, &o, "outer");
    aw_call_later(loop, 2.0, cancel_task, outer);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(outer)),
                     AW_ECANCELLED);
    ck_assert_int_eq(o.rc, AW_ECANCELLED);
    ck_assert_int_eq(o.inner_report.rc, AW_ECANCELLED);
    ck_assert_double_eq_tol(o.inner_report.woke_at, 2.0, 1e-9);
    ck_assert_int_eq(aw_task_state_of(o.inner), AW_TASK_CANCELLED);
    ck_assert_int_eq(aw_task_state_of(outer), AW_TASK_CANCELLED);
    aw_task_release(o.inner);
    aw_task_release(outer);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* A task may take the cancellation and carry on: it is then not
 * cancelled, and its next await works as usual. */
typedef struct {
    int first_rc, second_rc;
    double finished_at;
} swallower_state;

static void *swallow_cancel(void *arg)
{
    swallower_state *s = arg;
    s->first_rc = aw_sleep(100.0);
    s->second_rc = aw_sleep(1.0);
    s->finished_at = aw_loop_time(aw_task_loop(aw_current_task()));
    return s;
}

START_TEST(task_may_swallow_a_cancellation)
{
    aw_loop *loop = virtual_loop();
    swallower_state s = {1, 1, 0};
    aw_task *t = aw_task_create(loop, swallow_cancel, &s, NULL);
    aw_call_later(loop, 3.0, cancel_task, t);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    ck_assert_int_eq(s.first_rc, AW_ECANCELLED);
    ck_assert_int_eq(s.second_rc, 0);
    ck_assert_double_eq_tol(s.finished_at, 4.0, 1e-9);
    ck_assert_int_eq(aw_task_state_of(t), AW_TASK_DONE);
    ck_assert_ptr_eq(aw_task_result(t), &s);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* A task that cancels itself is told so at its next await, even one on
 * a future that is done already. */
typedef struct {
    bool cancel_returned;
    int rc;
} self_cancel;

static void *cancel_myself(void *arg)
{
    self_cancel *s = arg;
    s->cancel_returned = aw_task_cancel(aw_current_task());
    aw_future *done = aw_future_new(aw_task_loop(aw_current_task()));
    aw_future_set_result(done, NULL);
    s->rc = aw_await(done, NULL);
    aw_future_release(done);
    return aw_raise(s->rc, NULL);
}

START_TEST(self_cancel_is_delivered_at_the_next_await)
{
    aw_loop *loop = virtual_loop();
    self_cancel s = {false, 1};
    aw_task *t = aw_task_create(loop, cancel_myself, &s, NULL);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)),
                     AW_ECANCELLED);
    ck_assert(s.cancel_returned);
    ck_assert_int_eq(s.rc, AW_ECANCELLED);
    ck_assert_int_eq(aw_task_state_of(t), AW_TASK_CANCELLED);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* A task yielding with aw_sleep(0) is cancelled there too. */
static void *yield_forever(void *arg)
{
    int *yields = arg;
    int rc;
    while ((rc = aw_sleep(0)) == 0)
        (*yields)++;
    return aw_raise(rc, NULL);
}

START_TEST(cancel_reaches_a_task_that_only_yields)
{
    aw_loop *loop = virtual_loop();
    int yields = 0;
    aw_task *t = aw_task_create(loop, yield_forever, &yields, NULL);
    aw_call_soon(loop, cancel_task, t); /* while it yields */
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)),
                     AW_ECANCELLED);
    ck_assert_int_eq(yields, 0); /* cancelled in its first yield */
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("cancel");
    TCase *tc = tcase_create("cancel");
    tcase_add_test(tc, cancel_is_delivered_at_the_await_point);
    tcase_add_test(tc, cancel_before_start_never_runs_the_function);
    tcase_add_test(tc, cancel_of_a_finished_task_does_nothing);
    tcase_add_test(tc, cancelling_a_task_cancels_the_task_it_awaits);
    tcase_add_test(tc, task_may_swallow_a_cancellation);
    tcase_add_test(tc, self_cancel_is_delivered_at_the_next_await);
    tcase_add_test(tc, cancel_reaches_a_task_that_only_yields);
    suite_add_tcase(s, tc);
    return s;
}
