/*
 * test_condition.c - aw_condition: wait with a lock, notify in order.
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
    aw_condition *cond;
    char woke[8];
    int n;
} shared;

typedef struct {
    shared *s;
    char id;
    int rc;
    bool held_after; /* the lock was held when wait returned */
} waiter;

static void *wait_for_notify(void *arg)
{
    waiter *w = arg;
    aw_lock *lock = aw_condition_lock(w->s->cond);
    TASK_ASSERT(aw_lock_acquire(lock) == 0, "%s", aw_last_error());
    w->rc = aw_condition_wait(w->s->cond);
    w->held_after = aw_lock_owner(lock) == aw_current_task();
    if (w->rc == 0)
        w->s->woke[w->s->n++] = w->id;
    aw_lock_release(lock);
    return w->rc ? aw_raise(w->rc, NULL) : NULL;
}

typedef struct {
    shared *s;
    int counts[3];   /* notify(1), notify(1), notify_all, a second apart */
    aw_task *victim; /* cancelled right after the first notify, or NULL */
} notifier;

static void *notify_in_steps(void *arg)
{
    notifier *n = arg;
    aw_lock *lock = aw_condition_lock(n->s->cond);
    for (int i = 0; i < 3; i++) {
        aw_sleep(1.0);
        TASK_ASSERT(aw_lock_acquire(lock) == 0, "%s", aw_last_error());
        if (n->counts[i] < 0)
            aw_condition_notify_all(n->s->cond);
        else
            aw_condition_notify(n->s->cond, n->counts[i]);
        if (i == 0 && n->victim)
            aw_task_cancel(n->victim); /* notified, not yet run */
        aw_lock_release(lock);
    }
    return NULL;
}

static void run(aw_loop *loop, shared *s, notifier *n, waiter *w, int count)
{
    aw_task *t[5];
    for (int i = 0; i < count; i++) {
        w[i] = (waiter){s, (char)('a' + i), 1, false};
        t[i] = aw_task_create(loop, wait_for_notify, &w[i], NULL);
    }
    if (n->victim)
        n->victim = t[0];
    aw_task *nt = aw_task_create(loop, notify_in_steps, n, "notifier");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(nt)), 0);
    for (int i = 0; i < count; i++) {
        aw_loop_run_until_complete(loop, aw_task_future(t[i]));
        aw_task_release(t[i]);
    }
    aw_task_release(nt);
}

START_TEST(notify_wakes_waiters_in_order_with_the_lock_held)
{
    aw_loop *loop = virtual_loop();
    shared s = {.cond = aw_condition_new(loop, "changed", NULL)};
    notifier n = {&s, {1, 1, -1}, NULL};
    waiter w[4];
    run(loop, &s, &n, w, 4);
    ck_assert_str_eq(s.woke, "abcd");
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(w[i].rc, 0);
        ck_assert(w[i].held_after);
    }
    ck_assert_int_eq(aw_condition_free(s.cond), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* Notified, then cancelled before it ran: the notification goes on to
 * the next waiter, and the cancelled one still returns with the lock. */
START_TEST(a_notified_waiter_cancelled_passes_the_notification_on)
{
    aw_loop *loop = virtual_loop();
    shared s = {.cond = aw_condition_new(loop, "changed", NULL)};
    notifier n = {&s, {1, 0, 0}, (aw_task *)1};
    waiter w[3];
    run(loop, &s, &n, w, 3);
    ck_assert_int_eq(w[0].rc, AW_ECANCELLED);
    ck_assert(w[0].held_after);
    ck_assert_str_eq(s.woke, "b"); /* c was never notified */
    ck_assert_int_eq(aw_loop_shutdown(loop), 0);
    ck_assert_int_eq(w[2].rc, AW_ECANCELLED);
    ck_assert_int_eq(aw_condition_free(s.cond), 0);
}
END_TEST

static void *wait_without_lock(void *arg)
{
    int rc = aw_condition_wait(arg);
    TASK_ASSERT(rc == AW_ESTATE, "wait without the lock gave %d", rc);
    rc = aw_condition_notify(arg, 1);
    TASK_ASSERT(rc == AW_ESTATE, "notify without the lock gave %d", rc);
    return NULL;
}

START_TEST(waiting_or_notifying_without_the_lock_is_refused)
{
    aw_loop *loop = virtual_loop();
    aw_condition *c = aw_condition_new(loop, "changed", NULL);
    aw_task *t = aw_task_create(loop, wait_without_lock, c, NULL);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    aw_task_release(t);
    ck_assert_int_eq(aw_condition_free(c), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("condition");
    TCase *tc = tcase_create("condition");
    tcase_add_test(tc, notify_wakes_waiters_in_order_with_the_lock_held);
    tcase_add_test(tc, a_notified_waiter_cancelled_passes_the_notification_on);
    tcase_add_test(tc, waiting_or_notifying_without_the_lock_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
