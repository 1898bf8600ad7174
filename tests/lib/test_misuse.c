/*
 * test_misuse.c - wrong uses of the library fail with AW_EMISUSE and a
 * message that says what was wrong, never with undefined behaviour.
 */
#include "runner.h"

#include "aw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Assert a misuse code and a message containing `part`. A macro, so that
 * a failure reports the line of the test, not of a helper. */
#define ck_assert_misuse(rc, part)                                             \
    do {                                                                       \
        ck_assert_int_eq((rc), AW_EMISUSE);                                    \
        ck_assert_msg(strstr(aw_last_error(), (part)) != NULL,                 \
                      "message \"%s\" lacks \"%s\"", aw_last_error(), (part)); \
    } while (0)

static void stop_loop(void *arg)
{
    aw_loop_stop(arg);
}

/* waiting outside a task ------------------------------------------------ */

START_TEST(waiting_outside_a_task_is_misuse)
{
    aw_loop *loop = aw_loop_new();
    aw_future *f = aw_future_new(loop);
    ck_assert_misuse(aw_await(f, NULL), "aw_await: called outside a task");
    ck_assert_misuse(aw_sleep(1.0), "aw_sleep: called outside a task");
    ck_assert_misuse(aw_wait_for(f, 1.0, NULL), "aw_wait_for: called outside");
    ck_assert_ptr_null(aw_raise(-EIO, "no"));
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "aw_raise: called outside"));
    ck_assert_ptr_null(aw_current_task());
    aw_future_release(f);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* A callback runs on the loop, not in a task: it cannot wait either. */
typedef struct {
    aw_loop *loop;
    aw_future *future;
    int rc;
    char message[160];
} callback_attempt;

static void await_in_callback(void *arg)
{
    callback_attempt *a = arg;
    a->rc = aw_await(a->future, NULL);
    snprintf(a->message, sizeof a->message, "%s", aw_last_error());
    aw_loop_stop(a->loop);
}

START_TEST(await_in_a_callback_is_misuse)
{
    callback_attempt a = {.loop = aw_loop_new(), .rc = 1};
    a.future = aw_future_new(a.loop);
    aw_call_soon(a.loop, await_in_callback, &a);
    ck_assert_int_eq(aw_loop_run_forever(a.loop), 0);
    ck_assert_int_eq(a.rc, AW_EMISUSE);
    ck_assert_ptr_nonnull(strstr(a.message, "outside a task"));
    aw_future_release(a.future);
    ck_assert_int_eq(aw_loop_close(a.loop), 0);
}
END_TEST

/* wrong futures --------------------------------------------------------- */

typedef struct {
    aw_future *future;
    int rc;
    char message[160];
} await_attempt;

static void *try_await(void *arg)
{
    await_attempt *a = arg;
    a->rc = aw_await(a->future, NULL);
    snprintf(a->message, sizeof a->message, "%s", aw_last_error());
    return NULL;
}

START_TEST(await_of_another_loops_future_is_misuse)
{
    aw_loop *loop = aw_loop_new();
    aw_loop *other = aw_loop_new();
    await_attempt a = {.future = aw_future_new(other), .rc = 1};
    aw_task *t = aw_task_create(loop, try_await, &a, "stranger");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    ck_assert_int_eq(a.rc, AW_EMISUSE);
    ck_assert_ptr_nonnull(strstr(a.message, "another loop"));
    ck_assert_ptr_nonnull(strstr(a.message, "'stranger'"));
    aw_future_release(a.future);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    ck_assert_int_eq(aw_loop_close(other), 0);
}
END_TEST

static void *await_myself(void *arg)
{
    await_attempt *a = arg;
    a->rc = aw_await(aw_task_future(aw_current_task()), NULL);
    snprintf(a->message, sizeof a->message, "%s", aw_last_error());
    return NULL;
}

START_TEST(task_awaiting_itself_is_misuse)
{
    aw_loop *loop = aw_loop_new();
    await_attempt a = {.rc = 1};
    aw_task *t = aw_task_create(loop, await_myself, &a, "ouroboros");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    ck_assert_int_eq(a.rc, AW_EMISUSE);
    ck_assert_ptr_nonnull(strstr(a.message, "'ouroboros' awaits itself"));
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(run_until_complete_of_a_foreign_future_is_misuse)
{
    aw_loop *loop = aw_loop_new();
    aw_loop *other = aw_loop_new();
    aw_future *f = aw_future_new(other);
    ck_assert_misuse(aw_loop_run_until_complete(loop, f), "another loop");
    ck_assert_misuse(aw_loop_run_until_complete(loop, NULL), "NULL");
    ck_assert_int_eq(aw_loop_state_of(loop), AW_LOOP_IDLE);
    aw_future_release(f);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    ck_assert_int_eq(aw_loop_close(other), 0);
}
END_TEST

/* running and closing at the wrong time ---------------------------------- */

typedef struct {
    aw_loop *loop, *other;
    aw_future *future;
    int forever_rc, until_rc, shutdown_rc, close_rc, other_rc;
    char close_message[160], other_message[160];
} reentry;

static void misuse_from_inside(void *arg)
{
    reentry *r = arg;
    r->forever_rc = aw_loop_run_forever(r->loop);
    r->until_rc = aw_loop_run_until_complete(r->loop, r->future);
    r->shutdown_rc = aw_loop_shutdown(r->loop);
    r->close_rc = aw_loop_close(r->loop);
    snprintf(r->close_message, sizeof r->close_message, "%s", aw_last_error());
    r->other_rc = aw_loop_run_forever(r->other);
    snprintf(r->other_message, sizeof r->other_message, "%s", aw_last_error());
    aw_loop_stop(r->loop);
}

START_TEST(running_or_closing_a_running_loop_is_misuse)
{
    reentry r = {.loop = aw_loop_new(), .other = aw_loop_new()};
    r.future = aw_future_new(r.loop);
    aw_call_soon(r.loop, misuse_from_inside, &r);
    ck_assert_int_eq(aw_loop_run_forever(r.loop), 0);
    ck_assert_int_eq(r.forever_rc, AW_EMISUSE);
    ck_assert_int_eq(r.until_rc, AW_EMISUSE);
    ck_assert_int_eq(r.shutdown_rc, AW_EMISUSE);
    ck_assert_int_eq(r.close_rc, AW_EMISUSE);
    ck_assert_ptr_nonnull(strstr(r.close_message, "cannot close a running"));
    ck_assert_int_eq(r.other_rc, AW_EMISUSE);
    ck_assert_ptr_nonnull(strstr(r.other_message, "another loop is running"));
    /* Nothing was damaged: the loop still runs and closes. */
    ck_assert_int_eq(aw_loop_state_of(r.loop), AW_LOOP_IDLE);
    aw_call_soon(r.loop, stop_loop, r.loop);
    ck_assert_int_eq(aw_loop_run_forever(r.loop), 0);
    aw_future_release(r.future);
    ck_assert_int_eq(aw_loop_close(r.loop), 0);
    ck_assert_int_eq(aw_loop_close(r.other), 0);
}
END_TEST

static void *sleep_long(void *arg)
{
    (void)arg;
    int rc = aw_sleep(1000.0);
    return rc ? aw_raise(rc, NULL) : NULL;
}

START_TEST(close_with_pending_tasks_names_them)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    int line = __LINE__ + 1;
    aw_task *t = aw_task_create(loop, sleep_long, NULL, "sleepyhead");
    aw_call_later(loop, 1.0, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    ck_assert_misuse(aw_loop_close(loop), "still pending");
    char origin[64];
    snprintf(origin, sizeof origin, "test_misuse.c:%d", line);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "'sleepyhead'"));
    ck_assert_ptr_nonnull(strstr(aw_last_error(), origin));
    /* The loop was left open: shutdown cancels the task and closes. */
    ck_assert_int_eq(aw_loop_state_of(loop), AW_LOOP_IDLE);
    ck_assert_int_eq(aw_loop_shutdown(loop), 0);
    ck_assert_int_eq(aw_task_state_of(t), AW_TASK_CANCELLED);
    aw_task_release(t);
}
END_TEST

/* bad arguments ---------------------------------------------------------- */

START_TEST(missing_arguments_are_misuse)
{
    aw_loop *loop = aw_loop_new();
    ck_assert_ptr_null(aw_task_create(loop, NULL, NULL, NULL));
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "aw_task_create"));
    ck_assert_uint_eq(aw_call_later(loop, 1.0, NULL, NULL), 0);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "aw_call_later"));
    ck_assert_misuse(aw_future_add_done_callback(NULL, NULL, NULL),
                     "aw_future_add_done_callback");
    ck_assert_misuse(aw_future_set_result(NULL, NULL), "future is NULL");
    ck_assert_misuse(aw_loop_run_forever(NULL), "loop is NULL");
    ck_assert_misuse(aw_loop_close(NULL), "loop is NULL");
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(unknown_backend_name_is_misuse)
{
    const char *saved = getenv("AW_BACKEND");
    char *copy = saved ? strdup(saved) : NULL;
    setenv("AW_BACKEND", "carrier-pigeon", 1);
    aw_loop *loop = aw_loop_new();
    char message[200];
    snprintf(message, sizeof message, "%s", aw_last_error());
    /* Restore before asserting: CK_FORK=no runs the next test here. */
    if (copy)
        setenv("AW_BACKEND", copy, 1);
    else
        unsetenv("AW_BACKEND");
    free(copy);
    ck_assert_ptr_null(loop);
    ck_assert_ptr_nonnull(strstr(message, "AW_BACKEND=carrier-pigeon"));
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("misuse");
    TCase *tc = tcase_create("misuse");
    tcase_add_test(tc, waiting_outside_a_task_is_misuse);
    tcase_add_test(tc, await_in_a_callback_is_misuse);
    tcase_add_test(tc, await_of_another_loops_future_is_misuse);
    tcase_add_test(tc, task_awaiting_itself_is_misuse);
    tcase_add_test(tc, run_until_complete_of_a_foreign_future_is_misuse);
    tcase_add_test(tc, running_or_closing_a_running_loop_is_misuse);
    tcase_add_test(tc, close_with_pending_tasks_names_them);
    tcase_add_test(tc, missing_arguments_are_misuse);
    tcase_add_test(tc, unknown_backend_name_is_misuse);
    suite_add_tcase(s, tc);
    return s;
}
