/*
 * test_shield.c - aw_shield: a cancellation that stops at the shield.
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
    double seconds;
    int error;
    bool cancelled;
} work;

static void *do_work(void *arg)
{
    work *w = arg;
    int rc = aw_sleep(w->seconds);
    w->cancelled = rc == AW_ECANCELLED;
    if (rc)
        return aw_raise(rc, NULL);
    return w->error ? aw_raise(w->error, "work failed") : w;
}

typedef struct {
    aw_task *inner;
    int rc;
    void *value;
} shielded;

static void *await_shielded(void *arg)
{
    shielded *s = arg;
    aw_future *shield = aw_shield(aw_task_future(s->inner));
    s->rc = aw_await(shield, &s->value);
    aw_future_release(shield);
    return NULL;
}

static void cancel_task(void *arg)
{
    aw_task_cancel(arg);
}

START_TEST(cancelling_the_waiter_leaves_the_inner_work_running)
{
    aw_loop *loop = virtual_loop();
    work w = {3.0, 0, false};
    aw_task *inner = aw_task_create(loop, do_work, &w, "inner");
    shielded s = {inner, 1, NULL};
    aw_task *waiter = aw_task_create(loop, await_shielded, &s, "waiter");
    aw_call_later(loop, 1.0, cancel_task, waiter);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(waiter)),
                     0);
    ck_assert_int_eq(s.rc, AW_ECANCELLED);
    ck_assert_double_eq_tol(aw_loop_time(loop), 1.0, 1e-9);
    ck_assert_int_eq(aw_task_state_of(inner), AW_TASK_PENDING);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(inner)),
                     0);
    ck_assert(!w.cancelled);
    ck_assert_ptr_eq(aw_task_result(inner), &w);
    ck_assert_double_eq_tol(aw_loop_time(loop), 3.0, 1e-9);
    aw_task_release(waiter);
    aw_task_release(inner);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(the_shield_passes_on_a_result_or_an_error)
{
    aw_loop *loop = virtual_loop();
    work ok = {1.0, 0, false}, bad = {1.0, -EIO, false};
    aw_task *t1 = aw_task_create(loop, do_work, &ok, NULL);
    aw_task *t2 = aw_task_create(loop, do_work, &bad, NULL);
    shielded s1 = {t1, 1, NULL}, s2 = {t2, 1, NULL};
    aw_task *w1 = aw_task_create(loop, await_shielded, &s1, NULL);
    aw_task *w2 = aw_task_create(loop, await_shielded, &s2, NULL);
    aw_loop_run_until_complete(loop, aw_task_future(w1));
    aw_loop_run_until_complete(loop, aw_task_future(w2));
    ck_assert_int_eq(s1.rc, 0);
    ck_assert_ptr_eq(s1.value, &ok);
    ck_assert_int_eq(s2.rc, -EIO);
    /* A future that is done already is its own shield. */
    aw_future *again = aw_shield(aw_task_future(t1));
    ck_assert_ptr_eq(again, aw_task_future(t1));
    aw_future_release(again);
    ck_assert_ptr_null(aw_shield(NULL));
    aw_task *all[4] = {t1, t2, w1, w2};
    for (int i = 0; i < 4; i++)
        aw_task_release(all[i]);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("shield");
    TCase *tc = tcase_create("shield");
    tcase_add_test(tc, cancelling_the_waiter_leaves_the_inner_work_running);
    tcase_add_test(tc, the_shield_passes_on_a_result_or_an_error);
    suite_add_tcase(s, tc);
    return s;
}
