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

/* A task that cancels itself is told so at its next real suspension: an
 * await on a future that is done already gives the result, as in asyncio
 * (tests/conformance/await_done_pending_cancel). */
typedef struct {
    bool cancel_returned;
    int done_rc, sleep_rc;
    void *value;
} self_cancel;

static void *cancel_myself(void *arg)
{
    self_cancel *s = arg;
    s->cancel_returned = aw_task_cancel(aw_current_task());
    aw_future *done = aw_future_new(aw_task_loop(aw_current_task()));
    aw_future_set_result(done, s);
    s->done_rc = aw_await(done, &s->value);
    aw_future_release(done);
    s->sleep_rc = aw_sleep(0);
    return aw_raise(s->sleep_rc, NULL);
}

START_TEST(self_cancel_is_delivered_at_the_next_suspension)
{
    aw_loop *loop = virtual_loop();
    self_cancel s = {false, 1, 1, NULL};
    aw_task *t = aw_task_create(loop, cancel_myself, &s, NULL);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)),
                     AW_ECANCELLED);
    ck_assert(s.cancel_returned);
    ck_assert_int_eq(s.done_rc, 0);
    ck_assert_ptr_eq(s.value, &s);
    ck_assert_int_eq(s.sleep_rc, AW_ECANCELLED);
    ck_assert_int_eq(aw_task_state_of(t), AW_TASK_CANCELLED);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* A task that returns with a cancellation still pending ends cancelled
 * (asyncio's Task.__step does the same). */
static void *cancel_myself_and_return(void *arg)
{
    aw_task_cancel(aw_current_task());
    return arg;
}

START_TEST(returning_with_a_cancel_pending_ends_cancelled)
{
    aw_loop *loop = virtual_loop();
    int value = 3;
    aw_task *t = aw_task_create(loop, cancel_myself_and_return, &value, NULL);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)),
                     AW_ECANCELLED);
    ck_assert_int_eq(aw_task_state_of(t), AW_TASK_CANCELLED);
    ck_assert_ptr_null(aw_task_result(t));
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* The task awaited swallows the cancellation and returns a value: the
 * awaiting task gets the value and is not cancelled
 * (tests/conformance/swallowed_cancel). */
typedef struct {
    aw_task *inner;
    int rc;
    void *value;
} swallow_outer;

static void *swallow_and_return(void *arg)
{
    if (aw_sleep(50.0) == AW_ECANCELLED)
        return arg;
    return NULL;
}

static void *await_swallower(void *arg)
{
    swallow_outer *o = arg;
    o->inner = aw_task_create(aw_task_loop(aw_current_task()),
                              swallow_and_return, o, "inner");
    o->rc = aw_await(aw_task_future(o->inner), &o->value);
    /* Delivered once: the next await works as usual. */
    TASK_ASSERT(aw_sleep(1.0) == 0, "the next sleep failed: %s",
                aw_last_error());
    return o->value;
}

START_TEST(outer_gets_the_value_of_a_task_that_swallowed_the_cancel)
{
    aw_loop *loop = virtual_loop();
    swallow_outer o = {NULL, 1, NULL};
    aw_task *outer = aw_task_create(loop, await_swallower, &o, "outer");
    aw_call_later(loop, 2.0, cancel_task, outer);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(outer)),
                     0);
    ck_assert_int_eq(o.rc, 0);
    ck_assert_ptr_eq(o.value, &o);
    ck_assert_int_eq(aw_task_state_of(outer), AW_TASK_DONE);
    ck_assert_int_eq(aw_task_state_of(o.inner), AW_TASK_DONE);
    ck_assert_double_eq_tol(aw_loop_time(loop), 3.0, 1e-9);
    aw_task_release(o.inner);
    aw_task_release(outer);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* Cancelled again while the awaited task cleans up after the first
 * request: the second request goes on to it too. */
typedef struct {
    int first_rc, cleanup_rc;
} stubborn_state;

static void *clean_up_slowly(void *arg)
{
    stubborn_state *s = arg;
    s->first_rc = aw_sleep(50.0);
    s->cleanup_rc = aw_sleep(10.0); /* clean-up that awaits */
    return aw_raise(AW_ECANCELLED, NULL);
}

static void *await_slow_cleaner(void *arg)
{
    aw_task *inner = aw_task_create(aw_task_loop(aw_current_task()),
                                    clean_up_slowly, arg, "inner");
    int rc = aw_await(aw_task_future(inner), NULL);
    aw_task_release(inner);
    return aw_raise(rc, NULL);
}

START_TEST(a_second_cancel_reaches_the_clean_up_of_the_awaited_task)
{
    aw_loop *loop = virtual_loop();
    stubborn_state s = {1, 1};
    aw_task *outer = aw_task_create(loop, await_slow_cleaner, &s, "outer");
    aw_call_later(loop, 1.0, cancel_task, outer);
    aw_call_later(loop, 2.0, cancel_task, outer);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(outer)),
                     AW_ECANCELLED);
    ck_assert_int_eq(s.first_rc, AW_ECANCELLED);
    ck_assert_int_eq(s.cleanup_rc, AW_ECANCELLED);
    ck_assert_double_eq_tol(aw_loop_time(loop), 2.0, 1e-9);
    aw_task_release(outer);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* A cancellation pending when a task awaits a pending task goes on to
 * that task, and the await waits for it to finish. */
typedef struct {
    aw_task *inner;
    sleep_report inner_report;
    int rc;
    double resumed_at;
} pending_then_await;

static void *cancel_myself_then_await(void *arg)
{
    pending_then_await *p = arg;
    p->inner = aw_task_create(aw_task_loop(aw_current_task()), sleep_and_report,
                              &p->inner_report, "inner");
    aw_task_cancel(aw_current_task());
    p->rc = aw_await(aw_task_future(p->inner), NULL);
    p->resumed_at = aw_loop_time(aw_task_loop(aw_current_task()));
    return aw_raise(p->rc, NULL);
}

START_TEST(a_pending_cancel_goes_on_to_the_task_awaited_next)
{
    aw_loop *loop = virtual_loop();
    pending_then_await p = {.inner_report = {.seconds = 5.0, .rc = 1}, .rc = 1};
    aw_task *t = aw_task_create(loop, cancel_myself_then_await, &p, "outer");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)),
                     AW_ECANCELLED);
    ck_assert_int_eq(p.rc, AW_ECANCELLED);
    /* inner was cancelled before it started: its function never ran. */
    ck_assert(!p.inner_report.started);
    ck_assert_int_eq(aw_task_state_of(p.inner), AW_TASK_CANCELLED);
    ck_assert_double_eq_tol(p.resumed_at, 0.0, 1e-9);
    aw_task_release(p.inner);
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
    tcase_add_test(tc, self_cancel_is_delivered_at_the_next_suspension);
    tcase_add_test(tc, returning_with_a_cancel_pending_ends_cancelled);
    tcase_add_test(tc,
                   outer_gets_the_value_of_a_task_that_swallowed_the_cancel);
    tcase_add_test(tc,
                   a_second_cancel_reaches_the_clean_up_of_the_awaited_task);
    tcase_add_test(tc, a_pending_cancel_goes_on_to_the_task_awaited_next);
    tcase_add_test(tc, cancel_reaches_a_task_that_only_yields);
    suite_add_tcase(s, tc);
    return s;
}
