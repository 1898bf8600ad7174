/*
 * test_semaphore.c - aw_semaphore: n at a time, FIFO, no lost unit.
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
    aw_semaphore *sem;
    int inside, max_inside;
    int order[8], n;
} shared;

typedef struct {
    shared *s;
    int id;
    int rc;
} worker;

static void *use_one_unit(void *arg)
{
    worker *w = arg;
    w->rc = aw_semaphore_acquire(w->s->sem);
    if (w->rc)
        return aw_raise(w->rc, NULL);
    w->s->order[w->s->n++] = w->id;
    if (++w->s->inside > w->s->max_inside)
        w->s->max_inside = w->s->inside;
    int rc = aw_sleep(1.0);
    w->s->inside--;
    aw_semaphore_release(w->s->sem);
    return rc ? aw_raise(rc, NULL) : NULL;
}

START_TEST(at_most_value_tasks_at_once_in_arrival_order)
{
    aw_loop *loop = virtual_loop();
    shared s = {.sem = aw_semaphore_new(loop, "pool", 2)};
    worker w[5];
    aw_task *t[5];
    for (int i = 0; i < 5; i++) {
        w[i] = (worker){&s, i, 1};
        t[i] = aw_task_create(loop, use_one_unit, &w[i], NULL);
    }
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t[i])),
                         0);
        aw_task_release(t[i]);
        ck_assert_int_eq(s.order[i], i);
    }
    ck_assert_int_eq(s.max_inside, 2);
    ck_assert_double_eq_tol(aw_loop_time(loop), 3.0, 1e-9);
    ck_assert_int_eq(aw_semaphore_value(s.sem), 2);
    ck_assert(!aw_semaphore_locked(s.sem));
    ck_assert_int_eq(aw_semaphore_free(s.sem), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* The unit handed to a woken waiter that is cancelled before it runs
 * goes on to the next waiter (asyncio's Semaphore lost it once). */
typedef struct {
    shared *s;
    aw_task *victim;
} releaser;

static void *release_then_cancel_the_woken(void *arg)
{
    releaser *r = arg;
    TASK_ASSERT(aw_semaphore_acquire(r->s->sem) == 0, "%s", aw_last_error());
    aw_sleep(1.0);
    aw_semaphore_release(r->s->sem);
    aw_task_cancel(r->victim);
    return NULL;
}

START_TEST(a_woken_waiter_cancelled_passes_its_unit_on)
{
    aw_loop *loop = virtual_loop();
    shared s = {.sem = aw_semaphore_new(loop, "pool", 1)};
    worker w[2] = {{&s, 1, 1}, {&s, 2, 1}};
    releaser r = {&s, NULL};
    aw_task *first =
        aw_task_create(loop, release_then_cancel_the_woken, &r, NULL);
    aw_task *t[2];
    for (int i = 0; i < 2; i++)
        t[i] = aw_task_create(loop, use_one_unit, &w[i], NULL);
    r.victim = t[0];
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t[1])), 0);
    ck_assert_int_eq(w[0].rc, AW_ECANCELLED);
    ck_assert_int_eq(w[1].rc, 0);
    ck_assert_double_eq_tol(aw_loop_time(loop), 2.0, 1e-9);
    ck_assert_int_eq(aw_semaphore_value(s.sem), 1);
    aw_loop_run_until_complete(loop, aw_task_future(t[0]));
    aw_task_release(t[0]);
    aw_task_release(t[1]);
    aw_task_release(first);
    ck_assert_int_eq(aw_semaphore_free(s.sem), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(a_bounded_semaphore_refuses_one_release_too_many)
{
    aw_loop *loop = virtual_loop();
    aw_semaphore *sem = aw_bounded_semaphore_new(loop, "pool", 1);
    ck_assert_int_eq(aw_semaphore_release(sem), AW_ESTATE);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "too many"));
    aw_semaphore *plain = aw_semaphore_new(loop, "plain", 1);
    ck_assert_int_eq(aw_semaphore_release(plain), 0);
    ck_assert_int_eq(aw_semaphore_value(plain), 2);
    ck_assert_ptr_null(aw_semaphore_new(loop, "negative", -1));
    ck_assert_int_eq(aw_semaphore_free(sem), 0);
    ck_assert_int_eq(aw_semaphore_free(plain), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("semaphore");
    TCase *tc = tcase_create("semaphore");
    tcase_add_test(tc, at_most_value_tasks_at_once_in_arrival_order);
    tcase_add_test(tc, a_woken_waiter_cancelled_passes_its_unit_on);
    tcase_add_test(tc, a_bounded_semaphore_refuses_one_release_too_many);
    suite_add_tcase(s, tc);
    return s;
}
