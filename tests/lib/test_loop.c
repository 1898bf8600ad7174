/*
 * test_loop.c - running, stopping, closing and shutting down a loop.
 */
#include "runner.h"

#include "aw.h"

#include <stdlib.h>
#include <string.h>

static aw_loop *virtual_loop(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with: %s", aw_last_error());
    return loop;
}

static void stop_loop(void *arg)
{
    aw_loop_stop(arg);
}

/* What a callback saw of the loop while it ran. */
typedef struct {
    aw_loop *loop;
    aw_loop_state state_before_stop, state_after_stop;
    aw_loop *running;
    int calls;
} observer;

static void observe_and_stop(void *arg)
{
    observer *o = arg;
    o->calls++;
    o->running = aw_running_loop();
    o->state_before_stop = aw_loop_state_of(o->loop);
    aw_loop_stop(o->loop);
    o->state_after_stop = aw_loop_state_of(o->loop);
}

START_TEST(run_forever_runs_until_stop)
{
    observer o = {.loop = aw_loop_new()};
    ck_assert_int_eq(aw_loop_state_of(o.loop), AW_LOOP_IDLE);
    const char *chosen = getenv("AW_BACKEND"); /* run.sh sets it */
    ck_assert_str_eq(aw_loop_backend_name(o.loop),
                     chosen && *chosen ? chosen : "epoll");
    ck_assert_ptr_null(aw_running_loop());
    aw_call_soon(o.loop, observe_and_stop, &o);
    ck_assert_int_eq(aw_loop_run_forever(o.loop), 0);
    ck_assert_int_eq(o.calls, 1);
    ck_assert_ptr_eq(o.running, o.loop);
    ck_assert_int_eq(o.state_before_stop, AW_LOOP_RUNNING);
    ck_assert_int_eq(o.state_after_stop, AW_LOOP_STOPPING);
    ck_assert_int_eq(aw_loop_state_of(o.loop), AW_LOOP_IDLE);
    ck_assert_ptr_null(aw_running_loop());
    ck_assert_int_eq(aw_loop_close(o.loop), 0);
}
END_TEST

/* As in asyncio: stop before run_forever makes it run exactly one pass. */
static void count_call(void *arg)
{
    (*(int *)arg)++;
}

typedef struct {
    aw_loop *loop;
    int calls;
} repeater;

static void count_and_reschedule(void *arg)
{
    repeater *r = arg;
    r->calls++;
    aw_call_soon(r->loop, count_and_reschedule, r);
}

START_TEST(stop_before_run_forever_runs_one_pass)
{
    repeater r = {.loop = aw_loop_new()};
    int once = 0;
    aw_call_soon(r.loop, count_and_reschedule, &r);
    aw_call_soon(r.loop, count_call, &once);
    ck_assert_int_eq(aw_loop_stop(r.loop), 0);
    ck_assert_int_eq(aw_loop_run_forever(r.loop), 0);
    ck_assert_int_eq(r.calls, 1);
    ck_assert_int_eq(once, 1);
    /* The stop request was used up: the next run needs another stop. */
    aw_call_soon(r.loop, stop_loop, r.loop);
    ck_assert_int_eq(aw_loop_run_forever(r.loop), 0);
    ck_assert_int_eq(r.calls, 2);
    ck_assert_int_eq(aw_loop_close(r.loop), 0);
}
END_TEST

START_TEST(run_forever_with_nothing_to_wait_for_is_a_deadlock)
{
    aw_loop *loop = aw_loop_new();
    ck_assert_int_eq(aw_loop_run_forever(loop), AW_EDEADLOCK);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "nothing to run"));
    ck_assert_int_eq(aw_loop_state_of(loop), AW_LOOP_IDLE);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* run_until_complete ------------------------------------------------------ */

typedef struct {
    aw_future *future;
    int code;
    const char *message;
} completion;

static void complete(void *arg)
{
    completion *c = arg;
    if (c->code)
        aw_future_set_error(c->future, c->code, c->message);
    else
        aw_future_set_result(c->future, c);
}

START_TEST(run_until_complete_returns_when_the_future_is_done)
{
    aw_loop *loop = virtual_loop();
    completion c = {.future = aw_future_new(loop)};
    aw_call_later(loop, 3.0, complete, &c);
    /* A later timer must not keep run_until_complete running. */
    aw_call_later(loop, 100.0, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, c.future), 0);
    ck_assert_ptr_eq(aw_future_result(c.future), &c);
    ck_assert_double_eq_tol(aw_loop_time(loop), 3.0, 1e-9);
    aw_future_release(c.future);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(run_until_complete_returns_the_future_error)
{
    aw_loop *loop = virtual_loop();
    completion c = {aw_future_new(loop), -ECONNRESET, "peer went away"};
    aw_call_later(loop, 1.0, complete, &c);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, c.future), -ECONNRESET);
    ck_assert_str_eq(aw_last_error(), "peer went away");
    aw_future_release(c.future);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(run_until_complete_of_a_done_future_returns_at_once)
{
    aw_loop *loop = aw_loop_new();
    aw_future *f = aw_future_new(loop);
    aw_future_set_result(f, f);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, f), 0);
    ck_assert_ptr_eq(aw_future_result(f), f);
    aw_future_release(f);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(run_until_complete_stopped_early_is_a_state_error)
{
    aw_loop *loop = virtual_loop();
    aw_future *f = aw_future_new(loop);
    aw_call_later(loop, 1.0, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, f), AW_ESTATE);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "stopped before"));
    ck_assert_int_eq(aw_future_state_of(f), AW_PENDING);
    /* The loop can run again, and the future finish then. */
    completion c = {.future = f};
    aw_call_later(loop, 1.0, complete, &c);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, f), 0);
    aw_future_release(f);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* closing and shutting down ----------------------------------------------- */

static void note_done(aw_future *f, void *arg)
{
    (void)f;
    (*(int *)arg)++;
}

/* Callbacks still queued at close are dropped, and the future references
 * they hold given back (the leak checkers watch this one). */
START_TEST(close_drops_queued_callbacks_and_their_references)
{
    aw_loop *loop = aw_loop_new();
    aw_future *f = aw_future_new(loop);
    int calls = 0;
    aw_future_add_done_callback(f, note_done, &calls);
    aw_future_set_result(f, NULL);
    aw_future_release(f); /* the queued callback still holds f */
    ck_assert_int_eq(aw_loop_close(loop), 0);
    ck_assert_int_eq(calls, 0);
}
END_TEST

static void *sleep_forever(void *arg)
{
    (void)arg;
    int rc = aw_sleep(1e6);
    return aw_raise(rc, "sleep was interrupted");
}

/* A task that takes the cancellation and finishes its work instead. */
static void *finish_anyway(void *arg)
{
    int rc = aw_sleep(1e6);
    *(int *)arg = rc;
    return (void *)(intptr_t)42;
}

START_TEST(shutdown_cancels_pending_tasks_then_closes)
{
    aw_loop *loop = virtual_loop();
    int seen = 0;
    aw_task *a = aw_task_create(loop, sleep_forever, NULL, "a");
    aw_task *b = aw_task_create(loop, finish_anyway, &seen, "b");
    aw_call_later(loop, 1.0, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    ck_assert_int_eq(aw_task_state_of(a), AW_TASK_PENDING);
    ck_assert_int_eq(aw_loop_shutdown(loop), 0); /* frees the loop */
    ck_assert_int_eq(aw_task_state_of(a), AW_TASK_CANCELLED);
    ck_assert_int_eq(aw_task_error(a), AW_ECANCELLED);
    ck_assert_int_eq(seen, AW_ECANCELLED);
    ck_assert_int_eq(aw_task_state_of(b), AW_TASK_DONE);
    ck_assert_ptr_eq(aw_task_result(b), (void *)(intptr_t)42);
    aw_task_release(a);
    aw_task_release(b);
}
END_TEST

START_TEST(shutdown_of_an_idle_loop_just_closes)
{
    aw_loop *loop = aw_loop_new();
    ck_assert_int_eq(aw_loop_shutdown(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("loop");
    TCase *tc = tcase_create("loop");
    tcase_add_test(tc, run_forever_runs_until_stop);
    tcase_add_test(tc, stop_before_run_forever_runs_one_pass);
    tcase_add_test(tc, run_forever_with_nothing_to_wait_for_is_a_deadlock);
    tcase_add_test(tc, run_until_complete_returns_when_the_future_is_done);
    tcase_add_test(tc, run_until_complete_returns_the_future_error);
    tcase_add_test(tc, run_until_complete_of_a_done_future_returns_at_once);
    tcase_add_test(tc, run_until_complete_stopped_early_is_a_state_error);
    tcase_add_test(tc, close_drops_queued_callbacks_and_their_references);
    tcase_add_test(tc, shutdown_cancels_pending_tasks_then_closes);
    tcase_add_test(tc, shutdown_of_an_idle_loop_just_closes);
    suite_add_tcase(s, tc);
    return s;
}
