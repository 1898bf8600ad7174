/*
 * test_timeout.c - aw_timeout: deadlines as scopes.
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

/* A block of two sleeps under a limit; what the scope said, and whether
 * the task is still fine afterwards. */
typedef struct {
    double limit, first, second;
    double reschedule_to; /* after the first sleep, if >= -1 */
    int rc;
    double ended_at;
    int cancelling_after, next_sleep_rc;
} scoped;

static void *run_scoped(void *arg)
{
    scoped *s = arg;
    aw_timeout *scope = aw_timeout_new(s->limit);
    TASK_ASSERT(scope, "%s", aw_last_error());
    int rc = aw_sleep(s->first);
    if (rc == 0 && s->reschedule_to >= -1)
        aw_timeout_reschedule(scope, s->reschedule_to);
    if (rc == 0)
        rc = aw_sleep(s->second);
    s->rc = aw_timeout_end(scope, rc);
    s->ended_at = aw_loop_time(aw_running_loop());
    s->cancelling_after = aw_task_cancelling(aw_current_task());
    s->next_sleep_rc = aw_sleep(1.0);
    return NULL;
}

static scoped run(aw_loop *loop, scoped s)
{
    aw_task *t = aw_task_create(loop, run_scoped, &s, "scoped");
    aw_loop_run_until_complete(loop, aw_task_future(t));
    aw_task_release(t);
    return s;
}

START_TEST(the_limit_applies_to_every_await_inside)
{
    aw_loop *loop = virtual_loop();
    scoped s = {.limit = 3, .first = 2, .second = 2, .reschedule_to = -2};
    s = run(loop, s);
    ck_assert_int_eq(s.rc, AW_ETIMEDOUT);
    ck_assert_double_eq_tol(s.ended_at, 3.0, 1e-9);
    /* The scope took its cancellation back: the task goes on. */
    ck_assert_int_eq(s.cancelling_after, 0);
    ck_assert_int_eq(s.next_sleep_rc, 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(a_block_in_time_leaves_no_timer_behind)
{
    aw_loop *loop = virtual_loop();
    scoped s = {.limit = 10, .first = 1, .second = 1, .reschedule_to = -2};
    s = run(loop, s);
    ck_assert_int_eq(s.rc, 0);
    ck_assert_double_eq_tol(s.ended_at, 2.0, 1e-9);
    aw_loop_stats stats;
    aw_loop_get_stats(loop, &stats);
    ck_assert_uint_eq(stats.timers, 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(a_deadline_can_be_moved_or_dropped)
{
    aw_loop *loop = virtual_loop();
    scoped later = {.limit = 2, .first = 1, .second = 5, .reschedule_to = 4};
    later = run(loop, later);
    ck_assert_int_eq(later.rc, AW_ETIMEDOUT);
    ck_assert_double_eq_tol(later.ended_at, 4.0, 1e-9);
    double start = aw_loop_time(loop);
    scoped never = {.limit = 2, .first = 1, .second = 5, .reschedule_to = -1};
    never = run(loop, never);
    ck_assert_int_eq(never.rc, 0);
    ck_assert_double_eq_tol(never.ended_at - start, 6.0, 1e-9);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* Nested scopes: the outer one expires first; the inner one must not
 * claim the expiry. */
typedef struct {
    int inner_rc, outer_rc;
} nested;

static void *run_nested(void *arg)
{
    nested *n = arg;
    aw_timeout *outer = aw_timeout_new(1);
    aw_timeout *inner = aw_timeout_new(2);
    int rc = aw_sleep(10);
    n->inner_rc = aw_timeout_end(inner, rc);
    n->outer_rc = aw_timeout_end(outer, n->inner_rc);
    return NULL;
}

START_TEST(only_the_scope_that_expired_reports_a_timeout)
{
    aw_loop *loop = virtual_loop();
    nested n = {1, 1};
    aw_task *t = aw_task_create(loop, run_nested, &n, NULL);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    ck_assert_int_eq(n.inner_rc, AW_ECANCELLED);
    ck_assert_int_eq(n.outer_rc, AW_ETIMEDOUT);
    ck_assert_double_eq_tol(aw_loop_time(loop), 1.0, 1e-9);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* A cancellation from outside is not a timeout, even when the scope
 * expires too. */
static void cancel_task(void *arg)
{
    aw_task_cancel(arg);
}

typedef struct {
    double limit;
    int rc;
} cancelled_scope;

static void *sleep_under_limit(void *arg)
{
    cancelled_scope *c = arg;
    aw_timeout *scope = aw_timeout_new(c->limit);
    int rc = aw_sleep(10);
    if (rc == AW_ECANCELLED)
        rc = aw_sleep(1); /* clean-up, during which the limit expires */
    c->rc = aw_timeout_end(scope, rc ? rc : AW_ECANCELLED);
    return NULL;
}

START_TEST(an_outside_cancel_is_not_a_timeout)
{
    aw_loop *loop = virtual_loop();
    cancelled_scope c = {1.5, 1};
    aw_task *t = aw_task_create(loop, sleep_under_limit, &c, NULL);
    aw_call_later(loop, 1.0, cancel_task, t);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    ck_assert_int_eq(c.rc, AW_ECANCELLED);
    ck_assert_int_eq(aw_task_cancelling(t), 1);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(outside_a_task_there_is_no_scope)
{
    ck_assert_ptr_null(aw_timeout_new(1));
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "outside a task"));
    ck_assert_int_eq(aw_timeout_end(NULL, 0), AW_EMISUSE);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("timeout");
    TCase *tc = tcase_create("timeout");
    tcase_add_test(tc, the_limit_applies_to_every_await_inside);
    tcase_add_test(tc, a_block_in_time_leaves_no_timer_behind);
    tcase_add_test(tc, a_deadline_can_be_moved_or_dropped);
    tcase_add_test(tc, only_the_scope_that_expired_reports_a_timeout);
    tcase_add_test(tc, an_outside_cancel_is_not_a_timeout);
    tcase_add_test(tc, outside_a_task_there_is_no_scope);
    suite_add_tcase(s, tc);
    return s;
}
