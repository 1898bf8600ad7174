/*
 * test_wait.c - aw_wait: FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED.
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
} job;

static void *do_job(void *arg)
{
    job *j = arg;
    int rc = aw_sleep(j->seconds);
    if (rc)
        return aw_raise(rc, NULL);
    return j->error ? aw_raise(j->error, "failed") : j;
}

typedef struct {
    aw_future *fs[3];
    aw_return_when when;
    double timeout;
    bool done[3];
    int rc;
    double returned_at;
} waiter;

static void *wait_some(void *arg)
{
    waiter *w = arg;
    w->rc = aw_wait(w->fs, 3, w->when, w->timeout, w->done);
    w->returned_at = aw_loop_time(aw_running_loop());
    return NULL;
}

/* Jobs ending at 1 (fails), 2 and 3 seconds; returns when the waiter
 * returned and which were done, as "t:ddd". */
static void run(aw_return_when when, double timeout, char *out)
{
    aw_loop *loop = virtual_loop();
    job jobs[3] = {{2.0, 0}, {1.0, -EIO}, {3.0, 0}};
    aw_task *t[3];
    waiter w = {.when = when, .timeout = timeout, .rc = 1};
    for (int i = 0; i < 3; i++) {
        t[i] = aw_task_create(loop, do_job, &jobs[i], NULL);
        w.fs[i] = aw_task_future(t[i]);
    }
    aw_task *wt = aw_task_create(loop, wait_some, &w, "waiter");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(wt)), 0);
    ck_assert_int_eq(w.rc, 0);
    sprintf(out, "%g:%d%d%d", w.returned_at, w.done[0], w.done[1], w.done[2]);
    for (int i = 0; i < 3; i++) {
        aw_loop_run_until_complete(loop, aw_task_future(t[i]));
        aw_task_release(t[i]);
    }
    aw_task_release(wt);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}

START_TEST(each_condition_returns_at_its_moment)
{
    char out[32];
    run(AW_FIRST_COMPLETED, -1, out);
    ck_assert_str_eq(out, "1:010");
    run(AW_FIRST_EXCEPTION, -1, out);
    ck_assert_str_eq(out, "1:010");
    run(AW_ALL_COMPLETED, -1, out);
    ck_assert_str_eq(out, "3:111");
    run(AW_ALL_COMPLETED, 2.5, out); /* the timeout is no error */
    ck_assert_str_eq(out, "2.5:110");
}
END_TEST

/* FIRST_EXCEPTION ignores inputs that succeed. */
START_TEST(first_exception_waits_past_successes)
{
    aw_loop *loop = virtual_loop();
    job jobs[3] = {{1.0, 0}, {2.0, -EPIPE}, {3.0, 0}};
    aw_task *t[3];
    waiter w = {.when = AW_FIRST_EXCEPTION, .timeout = -1, .rc = 1};
    for (int i = 0; i < 3; i++) {
        t[i] = aw_task_create(loop, do_job, &jobs[i], NULL);
        w.fs[i] = aw_task_future(t[i]);
    }
    aw_task *wt = aw_task_create(loop, wait_some, &w, "waiter");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(wt)), 0);
    ck_assert_double_eq_tol(w.returned_at, 2.0, 1e-9);
    ck_assert(w.done[0] && w.done[1] && !w.done[2]);
    for (int i = 0; i < 3; i++) {
        aw_loop_run_until_complete(loop, aw_task_future(t[i]));
        aw_task_release(t[i]);
    }
    aw_task_release(wt);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(misuse_is_refused)
{
    bool done[1];
    ck_assert_int_eq(aw_wait(NULL, 0, AW_ALL_COMPLETED, -1, done), AW_EMISUSE);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "outside a task"));
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("wait");
    TCase *tc = tcase_create("wait");
    tcase_add_test(tc, each_condition_returns_at_its_moment);
    tcase_add_test(tc, first_exception_waits_past_successes);
    tcase_add_test(tc, misuse_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
