/*
 * test_as_completed.c - aw_as_completed: futures in finishing order.
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

static void *sleep_for(void *arg)
{
    double *seconds = arg;
    int rc = aw_sleep(*seconds);
    return rc ? aw_raise(rc, NULL) : arg;
}

typedef struct {
    aw_future *fs[3];
    double timeout;
    double order[3]; /* each one's sleep, in the order handed out */
    int n;
    int last_rc;
} reader;

static void *read_in_order(void *arg)
{
    reader *r = arg;
    aw_as_completed *it = aw_as_completed_new(r->fs, 3, r->timeout);
    TASK_ASSERT(it, "%s", aw_last_error());
    aw_future *f;
    while ((r->last_rc = aw_as_completed_next(it, &f)) == 0)
        r->order[r->n++] = *(double *)aw_future_result(f);
    if (r->last_rc == AW_ETIMEDOUT) /* let the rest finish, then free */
        aw_sleep(10);
    TASK_ASSERT(aw_as_completed_free(it) == 0, "%s", aw_last_error());
    return NULL;
}

static void run(reader *r, double *sleeps)
{
    aw_loop *loop = virtual_loop();
    aw_task *t[3];
    for (int i = 0; i < 3; i++) {
        t[i] = aw_task_create(loop, sleep_for, &sleeps[i], NULL);
        r->fs[i] = aw_task_future(t[i]);
    }
    aw_task *rt = aw_task_create(loop, read_in_order, r, "reader");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(rt)), 0);
    for (int i = 0; i < 3; i++)
        aw_task_release(t[i]);
    aw_task_release(rt);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}

START_TEST(futures_come_out_in_the_order_they_finish)
{
    double sleeps[3] = {3, 1, 2};
    reader r = {.timeout = -1};
    run(&r, sleeps);
    ck_assert_int_eq(r.n, 3);
    ck_assert_double_eq(r.order[0], 1);
    ck_assert_double_eq(r.order[1], 2);
    ck_assert_double_eq(r.order[2], 3);
    ck_assert_int_eq(r.last_rc, -ENOENT);
}
END_TEST

START_TEST(the_timeout_ends_the_iteration)
{
    double sleeps[3] = {3, 1, 2};
    reader r = {.timeout = 2.5};
    run(&r, sleeps);
    ck_assert_int_eq(r.n, 2);
    ck_assert_int_eq(r.last_rc, AW_ETIMEDOUT);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("as_completed");
    TCase *tc = tcase_create("as_completed");
    tcase_add_test(tc, futures_come_out_in_the_order_they_finish);
    tcase_add_test(tc, the_timeout_ends_the_iteration);
    suite_add_tcase(s, tc);
    return s;
}
