/*
 * test_lock.c - aw_lock: mutual exclusion, FIFO order, no lost wake-up.
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

/* Tasks that take the lock, hold it for `hold` seconds, and write down
 * the order they got it in, and whether two ever held it at once. */
typedef struct {
    aw_lock *lock;
    int order[8];
    int n;
    int inside; /* tasks inside the critical section now */
    int max_inside;
} shared;

typedef struct {
    shared *s;
    int id;
    double hold;
    int rc;
} worker;

static void *take_and_hold(void *arg)
{
    worker *w = arg;
    w->rc = aw_lock_acquire(w->s->lock);
    if (w->rc != 0)
        return aw_raise(w->rc, NULL);
    w->s->order[w->s->n++] = w->id;
    if (++w->s->inside > w->s->max_inside)
        w->s->max_inside = w->s->inside;
    int rc = aw_sleep(w->hold);
    w->s->inside--;
    aw_lock_release(w->s->lock);
    return rc ? aw_raise(rc, NULL) : NULL;
}

static void run_all(aw_loop *loop, aw_task **t, int n)
{
    for (int i = 0; i < n; i++) {
        aw_loop_run_until_complete(loop, aw_task_future(t[i]));
        aw_task_release(t[i]);
    }
}

START_TEST(one_holder_at_a_time_in_arrival_order)
{
    aw_loop *loop = virtual_loop();
    shared s = {.lock = aw_lock_new(loop, "db")};
    worker w[4];
    aw_task *t[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){&s, i, 1.0, 1};
        t[i] = aw_task_create(loop, take_and_hold, &w[i], NULL);
    }
    run_all(loop, t, 4);
    ck_assert_int_eq(s.n, 4);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(w[i].rc, 0);
        ck_assert_int_eq(s.order[i], i);
    }
    ck_assert_int_eq(s.max_inside, 1);
    ck_assert_double_eq_tol(aw_loop_time(loop), 4.0, 1e-9);
    ck_assert(!aw_lock_locked(s.lock));
    ck_assert_int_eq(aw_lock_free(s.lock), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* The classic lost wake-up. The holder releases the lock, which wakes
 * the first waiter, and in the same step cancels that waiter, before it
 * could run. The wake-up must go on to the second waiter; if it were
 * lost, nobody would ever take the lock again. */
typedef struct {
    shared *s;
    aw_task *first_waiter;
} releaser;

static void *release_then_cancel_the_woken(void *arg)
{
    releaser *r = arg;
    TASK_ASSERT(aw_lock_acquire(r->s->lock) == 0, "acquire: %s",
                aw_last_error());
    aw_sleep(1.0); /* the others queue up */
    aw_lock_release(r->s->lock);
    aw_task_cancel(r->first_waiter); /* woken, not yet run */
    return NULL;
}

START_TEST(a_woken_waiter_cancelled_passes_the_lock_on)
{
    aw_loop *loop = virtual_loop();
    shared s = {.lock = aw_lock_new(loop, "db")};
    worker w[2] = {{&s, 1, 1.0, 1}, {&s, 2, 1.0, 1}};
    releaser r = {&s, NULL};
    aw_task *holder =
        aw_task_create(loop, release_then_cancel_the_woken, &r, "holder");
    aw_task *t[2];
    for (int i = 0; i < 2; i++)
        t[i] = aw_task_create(loop, take_and_hold, &w[i], NULL);
    r.first_waiter = t[0];
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t[1])), 0);
    ck_assert_int_eq(w[0].rc, AW_ECANCELLED);
    ck_assert_int_eq(w[1].rc, 0);
    ck_assert_int_eq(s.n, 1);
    ck_assert_int_eq(s.order[0], 2);
    ck_assert_double_eq_tol(aw_loop_time(loop), 2.0, 1e-9);
    ck_assert(!aw_lock_locked(s.lock));
    run_all(loop, t, 2);
    aw_task_release(holder);
    ck_assert_int_eq(aw_lock_free(s.lock), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* A waiter cancelled while it waits leaves the queue; the one behind it
 * moves up. */
static void cancel_task(void *arg)
{
    aw_task_cancel(arg);
}

START_TEST(a_cancelled_waiter_leaves_the_queue)
{
    aw_loop *loop = virtual_loop();
    shared s = {.lock = aw_lock_new(loop, "db")};
    worker w[3] = {{&s, 0, 2.0, 1}, {&s, 1, 1.0, 1}, {&s, 2, 1.0, 1}};
    aw_task *t[3];
    for (int i = 0; i < 3; i++)
        t[i] = aw_task_create(loop, take_and_hold, &w[i], NULL);
    aw_call_later(loop, 1.0, cancel_task, t[1]);
    run_all(loop, t, 3);
    ck_assert_int_eq(w[1].rc, AW_ECANCELLED);
    ck_assert_int_eq(s.n, 2);
    ck_assert_int_eq(s.order[0], 0);
    ck_assert_int_eq(s.order[1], 2);
    ck_assert_double_eq_tol(aw_loop_time(loop), 3.0, 1e-9);
    ck_assert_int_eq(aw_lock_free(s.lock), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* A task that releases and at once acquires again does not overtake the
 * waiter it just woke. */
typedef struct {
    aw_lock *lock;
    char log[16];
    int n;
} relock_state;

static void *release_and_relock(void *arg)
{
    relock_state *r = arg;
    TASK_ASSERT(aw_lock_acquire(r->lock) == 0, "%s", aw_last_error());
    aw_sleep(1.0);
    aw_lock_release(r->lock);
    TASK_ASSERT(aw_lock_acquire(r->lock) == 0, "%s", aw_last_error());
    r->log[r->n++] = 'A';
    aw_lock_release(r->lock);
    return NULL;
}

static void *wait_once(void *arg)
{
    relock_state *r = arg;
    TASK_ASSERT(aw_lock_acquire(r->lock) == 0, "%s", aw_last_error());
    r->log[r->n++] = 'B';
    aw_sleep(1.0);
    aw_lock_release(r->lock);
    return NULL;
}

START_TEST(a_newcomer_queues_behind_a_woken_waiter)
{
    aw_loop *loop = virtual_loop();
    relock_state r = {.lock = aw_lock_new(loop, "db")};
    aw_task *t[2] = {aw_task_create(loop, release_and_relock, &r, "A"),
                     aw_task_create(loop, wait_once, &r, "B")};
    run_all(loop, t, 2);
    ck_assert_str_eq(r.log, "BA");
    ck_assert_int_eq(aw_lock_free(r.lock), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* Misuse: releasing a free lock, acquiring outside a task, freeing a
 * lock that tasks wait on. */
static void *hold_forever(void *arg)
{
    TASK_ASSERT(aw_lock_acquire(arg) == 0, "%s", aw_last_error());
    int rc = aw_sleep(100.0);
    aw_lock_release(arg);
    return rc ? aw_raise(rc, NULL) : NULL;
}

static void *wait_for_lock(void *arg)
{
    int rc = aw_lock_acquire(arg);
    if (rc == 0)
        aw_lock_release(arg);
    return rc ? aw_raise(rc, NULL) : NULL;
}

static void complete(void *future)
{
    aw_future_set_result(future, NULL);
}

START_TEST(misuse_is_refused_with_a_message)
{
    aw_loop *loop = virtual_loop();
    aw_lock *lock = aw_lock_new(loop, "db");
    ck_assert_int_eq(aw_lock_release(lock), AW_ESTATE);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "'db' is not held"));
    ck_assert_int_eq(aw_lock_acquire(lock), AW_EMISUSE);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "outside a task"));
    aw_task *holder = aw_task_create(loop, hold_forever, lock, "holder");
    aw_task *waiter = aw_task_create(loop, wait_for_lock, lock, "waiter");
    aw_future *later = aw_future_new(loop);
    aw_call_later(loop, 1.0, complete, later);
    aw_loop_run_until_complete(loop, later);
    ck_assert(aw_lock_locked(lock));
    ck_assert_ptr_eq(aw_lock_owner(lock), holder);
    ck_assert_int_eq(aw_lock_free(lock), AW_EMISUSE);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "1 task(s) wait"));
    aw_task_cancel(holder);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(waiter)),
                     0);
    aw_task_release(holder);
    aw_task_release(waiter);
    aw_future_release(later);
    ck_assert_int_eq(aw_lock_free(lock), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* Introspection names the lock and its holder, and follows the holder
 * in the await graph. */
START_TEST(a_waiter_is_shown_waiting_for_the_holder)
{
    aw_loop *loop = virtual_loop();
    aw_lock *lock = aw_lock_new(loop, "db");
    aw_task *holder = aw_task_create(loop, hold_forever, lock, "holder");
    aw_task *waiter = aw_task_create(loop, wait_for_lock, lock, "waiter");
    aw_future *later = aw_future_new(loop);
    aw_call_later(loop, 1.0, complete, later);
    aw_loop_run_until_complete(loop, later);
    char what[200];
    aw_task_describe_awaiting(waiter, what, sizeof what);
    ck_assert_str_eq(what, "lock 'db' held by task 'holder' (#1)");
    aw_task *awaited[2] = {NULL, NULL};
    ck_assert_uint_eq(aw_task_awaited_tasks(waiter, awaited, 2), 1);
    ck_assert_ptr_eq(awaited[0], holder);
    ck_assert_int_eq(aw_loop_shutdown(loop), 0);
    aw_task_release(holder);
    aw_task_release(waiter);
    aw_future_release(later);
    ck_assert_int_eq(aw_lock_free(lock), 0);
}
END_TEST

/* Two tasks take two locks in opposite orders: the deadlock report
 * names the cycle and the locks. */
typedef struct {
    aw_lock *first, *second;
} two_locks;

static void *take_both(void *arg)
{
    two_locks *l = arg;
    int rc = aw_lock_acquire(l->first);
    if (rc)
        return aw_raise(rc, NULL);
    rc = aw_sleep(1.0);
    if (rc == 0)
        rc = aw_lock_acquire(l->second);
    if (rc == 0)
        aw_lock_release(l->second);
    aw_lock_release(l->first);
    return rc ? aw_raise(rc, NULL) : NULL;
}

START_TEST(a_lock_cycle_is_reported_as_a_deadlock)
{
    aw_loop *loop = virtual_loop();
    aw_lock *one = aw_lock_new(loop, "one"), *two = aw_lock_new(loop, "two");
    two_locks ab = {one, two}, ba = {two, one};
    aw_task *a = aw_task_create(loop, take_both, &ab, "A");
    aw_task *b = aw_task_create(loop, take_both, &ba, "B");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(a)),
                     AW_EDEADLOCK);
    const char *msg = aw_last_error();
    ck_assert_msg(strstr(msg, "cycle: 'A' (#1) -> 'B' (#2) -> 'A' (#1)") ||
                      strstr(msg, "cycle: 'B' (#2) -> 'A' (#1) -> 'B' (#2)"),
                  "no cycle in: %s", msg);
    ck_assert_msg(strstr(msg, "lock 'two' held by task 'B' (#2)"),
                  "lock not named in: %s", msg);
    ck_assert_int_eq(aw_loop_shutdown(loop), 0);
    aw_task_release(a);
    aw_task_release(b);
    ck_assert_int_eq(aw_lock_free(one), 0);
    ck_assert_int_eq(aw_lock_free(two), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("lock");
    TCase *tc = tcase_create("lock");
    tcase_add_test(tc, one_holder_at_a_time_in_arrival_order);
    tcase_add_test(tc, a_woken_waiter_cancelled_passes_the_lock_on);
    tcase_add_test(tc, a_cancelled_waiter_leaves_the_queue);
    tcase_add_test(tc, a_newcomer_queues_behind_a_woken_waiter);
    tcase_add_test(tc, misuse_is_refused_with_a_message);
    tcase_add_test(tc, a_waiter_is_shown_waiting_for_the_holder);
    tcase_add_test(tc, a_lock_cycle_is_reported_as_a_deadlock);
    suite_add_tcase(s, tc);
    return s;
}
