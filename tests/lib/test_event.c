/*
 * test_event.c - aw_event: one flag, many waiters.
 */
// lib-test-backends: epoll poll select io_uring
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

typedef struct {
    aw_event *event;
    int rc;
    double woke_at;
} waiter;

static void *wait_for_it(void *arg)
{
    waiter *w = arg;
    w->rc = aw_event_wait(w->event);
    w->woke_at = aw_loop_time(aw_running_loop());
    return w->rc ? aw_raise(w->rc, NULL) : NULL;
}

static void set_event(void *arg)
{
    aw_event_set(arg);
}

static void cancel_task(void *arg)
{
    aw_task_cancel(arg);
}

START_TEST(set_wakes_every_waiter_but_the_cancelled_one)
{
    aw_loop *loop = virtual_loop();
    aw_event *e = aw_event_new(loop, "ready");
    waiter w[3];
    aw_task *t[3];
    for (int i = 0; i < 3; i++) {
        w[i] = (waiter){e, 1, -1};
        t[i] = aw_task_create(loop, wait_for_it, &w[i], NULL);
    }
    aw_call_later(loop, 1.0, cancel_task, t[1]);
    aw_call_later(loop, 2.0, set_event, e);
    for (int i = 0; i < 3; i++)
        aw_loop_run_until_complete(loop, aw_task_future(t[i]));
    ck_assert_int_eq(w[0].rc, 0);
    ck_assert_int_eq(w[1].rc, AW_ECANCELLED);
    ck_assert_int_eq(w[2].rc, 0);
    ck_assert_double_eq_tol(w[0].woke_at, 2.0, 1e-9);
    ck_assert_double_eq_tol(w[1].woke_at, 1.0, 1e-9);
    ck_assert_double_eq_tol(w[2].woke_at, 2.0, 1e-9);
    ck_assert(aw_event_is_set(e));
    for (int i = 0; i < 3; i++)
        aw_task_release(t[i]);
    ck_assert_int_eq(aw_event_free(e), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(a_set_event_does_not_wait_until_cleared)
{
    aw_loop *loop = virtual_loop();
    aw_event *e = aw_event_new(loop, "ready");
    aw_event_set(e);
    waiter w = {e, 1, -1};
    aw_task *t = aw_task_create(loop, wait_for_it, &w, NULL);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    aw_task_release(t);
    aw_event_clear(e);
    ck_assert(!aw_event_is_set(e));
    w = (waiter){e, 1, -1};
    t = aw_task_create(loop, wait_for_it, &w, "stuck");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)),
                     AW_EDEADLOCK);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "awaits event 'ready'"));
    ck_assert_int_eq(aw_event_free(e), AW_EMISUSE);
    aw_event_set(e);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    aw_task_release(t);
    ck_assert_int_eq(aw_event_free(e), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("event");
    TCase *tc = tcase_create("event");
    tcase_add_test(tc, set_wakes_every_waiter_but_the_cancelled_one);
    tcase_add_test(tc, a_set_event_does_not_wait_until_cleared);
    suite_add_tcase(s, tc);
    return s;
}
