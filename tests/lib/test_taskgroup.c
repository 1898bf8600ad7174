/*
 * test_taskgroup.c - aw_task_group: children that live and die together.
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

/* A child: sleep, then succeed or fail; when cancelled, clean up for
 * `cleanup` seconds (awaiting), then end cancelled, or fail with
 * cleanup_error. */
typedef struct {
    double seconds;
    int error;
    double cleanup;
    int cleanup_error;
    bool cancelled;
    double ended_at;
} child;

static void *run_child(void *arg)
{
    child *c = arg;
    int rc = aw_sleep(c->seconds);
    if (rc == AW_ECANCELLED) {
        c->cancelled = true;
        aw_sleep(c->cleanup); /* delivered once: this sleep works */
        c->ended_at = aw_loop_time(aw_running_loop());
        return aw_raise(c->cleanup_error ? c->cleanup_error : rc, "clean-up");
    }
    c->ended_at = aw_loop_time(aw_running_loop());
    return c->error ? aw_raise(c->error, "failed") : c;
}

/* The parent: a group of children, a body that sleeps `body` seconds,
 * and what aw_task_group_wait said. */
typedef struct {
    child *children;
    int n;
    double body;
    int body_rc, wait_rc;
    double waited_until;
    int failed[4]; /* the error of each child that failed */
    size_t nfailed;
    int cancelling_after;
    int later_sleep_rc;
} parent;

static void *run_parent(void *arg)
{
    parent *p = arg;
    aw_task_group *g = aw_task_group_new();
    TASK_ASSERT(g != NULL, "%s", aw_last_error());
    for (int i = 0; i < p->n; i++)
        TASK_ASSERT(aw_task_group_create(g, run_child, &p->children[i], NULL),
                    "%s", aw_last_error());
    p->body_rc = aw_sleep(p->body);
    p->wait_rc = aw_task_group_wait(g, p->body_rc);
    p->waited_until = aw_loop_time(aw_running_loop());
    aw_task *failed[4];
    p->nfailed = aw_task_group_errors(g, failed, 4);
    for (size_t i = 0; i < p->nfailed && i < 4; i++)
        p->failed[i] = aw_task_error(failed[i]);
    TASK_ASSERT(aw_task_group_create(g, run_child, &p->children[0], NULL) ==
                    NULL,
                "a finished group made a child");
    TASK_ASSERT(aw_task_group_free(g) == 0, "%s", aw_last_error());
    p->cancelling_after = aw_task_cancelling(aw_current_task());
    p->later_sleep_rc = aw_sleep(1.0);
    return p->wait_rc ? aw_raise(p->wait_rc, NULL) : NULL;
}

START_TEST(all_children_finish_and_the_group_waits_for_them)
{
    aw_loop *loop = virtual_loop();
    child c[3] = {{.seconds = 1}, {.seconds = 3}, {.seconds = 2}};
    parent p = {.children = c, .n = 3, .body = 0.5};
    aw_task *t = aw_task_create(loop, run_parent, &p, "parent");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    ck_assert_int_eq(p.body_rc, 0);
    ck_assert_int_eq(p.wait_rc, 0);
    ck_assert_double_eq_tol(p.waited_until, 3.0, 1e-9);
    ck_assert_uint_eq(p.nfailed, 0);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* The first failure cancels the siblings and the body; the group waits
 * for their clean-up, collects every failure, and takes its own
 * cancellation of the parent back. */
START_TEST(the_first_error_cancels_the_rest_and_every_error_is_kept)
{
    aw_loop *loop = virtual_loop();
    child c[3] = {{.seconds = 1, .error = -EIO},
                  {.seconds = 10, .cleanup = 1, .cleanup_error = -EPIPE},
                  {.seconds = 10, .cleanup = 0.5}};
    parent p = {.children = c, .n = 3, .body = 100};
    aw_task *t = aw_task_create(loop, run_parent, &p, "parent");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), -EIO);
    ck_assert_int_eq(p.body_rc, AW_ECANCELLED); /* the body was stopped */
    ck_assert_int_eq(p.wait_rc, -EIO);
    ck_assert_double_eq_tol(p.waited_until, 2.0, 1e-9); /* after clean-up */
    ck_assert(c[1].cancelled && c[2].cancelled);
    ck_assert_double_eq_tol(c[1].ended_at, 2.0, 1e-9);
    ck_assert_double_eq_tol(c[2].ended_at, 1.5, 1e-9);
    ck_assert_uint_eq(p.nfailed, 2);
    ck_assert_int_eq(p.failed[0], -EIO);
    ck_assert_int_eq(p.failed[1], -EPIPE);
    /* The group took its cancellation back: the parent goes on. */
    ck_assert_int_eq(p.cancelling_after, 0);
    ck_assert_int_eq(p.later_sleep_rc, 0);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* A cancellation from outside is not the group's: it stays, and the
 * group reports it after the children have ended. */
static void cancel_task(void *arg)
{
    aw_task_cancel(arg);
}

START_TEST(an_outside_cancel_in_the_body_is_passed_on)
{
    aw_loop *loop = virtual_loop();
    child c[2] = {{.seconds = 10, .cleanup = 1}, {.seconds = 10}};
    parent p = {.children = c, .n = 2, .body = 100};
    aw_task *t = aw_task_create(loop, run_parent, &p, "parent");
    aw_call_later(loop, 1.0, cancel_task, t);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)),
                     AW_ECANCELLED);
    ck_assert_int_eq(p.wait_rc, AW_ECANCELLED);
    ck_assert_double_eq_tol(p.waited_until, 2.0, 1e-9);
    ck_assert(c[0].cancelled && c[1].cancelled);
    ck_assert_uint_eq(p.nfailed, 0);
    ck_assert_int_eq(p.cancelling_after, 1);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(an_outside_cancel_while_waiting_is_passed_on)
{
    aw_loop *loop = virtual_loop();
    child c[2] = {{.seconds = 5, .cleanup = 1}, {.seconds = 10}};
    parent p = {.children = c, .n = 2, .body = 0};
    aw_task *t = aw_task_create(loop, run_parent, &p, "parent");
    aw_call_later(loop, 1.0, cancel_task, t);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)),
                     AW_ECANCELLED);
    ck_assert_int_eq(p.body_rc, 0);
    ck_assert_int_eq(p.wait_rc, AW_ECANCELLED);
    ck_assert_double_eq_tol(p.waited_until, 2.0, 1e-9);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* A child fails and someone cancels the parent too: the error wins, as
 * in asyncio, but the outside request is still counted. */
START_TEST(an_error_wins_over_an_outside_cancel)
{
    aw_loop *loop = virtual_loop();
    child c[2] = {{.seconds = 1, .error = -EIO}, {.seconds = 10, .cleanup = 2}};
    parent p = {.children = c, .n = 2, .body = 100};
    aw_task *t = aw_task_create(loop, run_parent, &p, "parent");
    aw_call_later(loop, 2.0, cancel_task, t); /* during the clean-up */
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), -EIO);
    ck_assert_int_eq(p.wait_rc, -EIO);
    ck_assert_double_eq_tol(p.waited_until, 3.0, 1e-9);
    ck_assert_int_eq(p.cancelling_after, 1);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

static void *make_group_outside_a_task(void)
{
    return aw_task_group_new();
}

START_TEST(misuse_is_refused)
{
    ck_assert_ptr_null(make_group_outside_a_task());
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "outside a task"));
    ck_assert_int_eq(aw_task_group_free(NULL), AW_EMISUSE);
    ck_assert_int_eq(aw_task_group_wait(NULL, 0), AW_EMISUSE);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("taskgroup");
    TCase *tc = tcase_create("taskgroup");
    tcase_add_test(tc, all_children_finish_and_the_group_waits_for_them);
    tcase_add_test(tc,
                   the_first_error_cancels_the_rest_and_every_error_is_kept);
    tcase_add_test(tc, an_outside_cancel_in_the_body_is_passed_on);
    tcase_add_test(tc, an_outside_cancel_while_waiting_is_passed_on);
    tcase_add_test(tc, an_error_wins_over_an_outside_cancel);
    tcase_add_test(tc, misuse_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
