/*
 * test_debug.c - debug mode: slow callbacks with their names, errors
 * nobody retrieved, and tasks still pending when the loop closes.
 *
 * Reports go to a temporary file (aw_debug_set_output) that each test
 * reads back. The slow callbacks busy-wait 20 ms against a 1 ms
 * threshold: they are slow by construction, whatever the machine's load.
 */
#include "runner.h"

#include "aw.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static FILE *reports;

static void capture_reports(void)
{
    reports = tmpfile();
    ck_assert_ptr_nonnull(reports);
    aw_debug_set_output(reports);
}

/* Everything debug mode reported so far. */
static const char *reported(void)
{
    static char text[16384];
    fflush(reports);
    rewind(reports);
    size_t n = fread(text, 1, sizeof text - 1, reports);
    text[n] = '\0';
    return text;
}

static void stop_capturing(void)
{
    aw_debug_set_output(NULL);
    fclose(reports);
}

static aw_loop *debug_loop(void)
{
    aw_loop_options options = {.debug = true};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with: %s", aw_last_error());
    return loop;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Burn CPU for 20 ms: the loop can do nothing else meanwhile. */
static void busy_wait(void)
{
    double until = now() + 0.020;
    while (now() < until)
        ;
}

/* Not static: named by the program's symbol table either way, but a
 * learner's callbacks often are global. */
void busy_callback(void *arg);
void busy_callback(void *arg)
{
    (void)arg;
    busy_wait();
}

static void stop_loop(void *loop)
{
    aw_loop_stop(loop);
}

static void quick_callback(void *arg)
{
    (void)arg;
}

/* ---- slow callbacks -------------------------------------------------------
 */

START_TEST(a_slow_callback_is_reported_by_name)
{
    capture_reports();
    aw_loop *loop = debug_loop();
    ck_assert_int_eq(aw_loop_set_slow_callback_duration(loop, 0.001), 0);
    ck_assert_double_eq(aw_loop_slow_callback_duration(loop), 0.001);
    aw_call_soon(loop, busy_callback, NULL);
    aw_call_soon(loop, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    const char *text = reported();
    ck_assert_msg(strstr(text, "aw debug: callback busy_callback took 0.0") &&
                      strstr(text, "(slow callback threshold 0.001 s)"),
                  "expected a report naming busy_callback, got:\n%s", text);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    stop_capturing();
}
END_TEST

static void busy_static_callback(void *arg)
{
    (void)arg;
    busy_wait();
}

START_TEST(static_functions_are_named_too)
{
    capture_reports();
    aw_loop *loop = debug_loop();
    aw_loop_set_slow_callback_duration(loop, 0.001);
    aw_call_later(loop, 0.0, busy_static_callback, NULL);
    aw_call_later(loop, 0.0, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    ck_assert_msg(strstr(reported(), "callback busy_static_callback took"),
                  "a timer's callback should be named too, got:\n%s",
                  reported());
    ck_assert_int_eq(aw_loop_close(loop), 0);
    stop_capturing();
}
END_TEST

static void *blocking_task(void *arg)
{
    (void)arg;
    aw_sleep(0);
    busy_wait(); /* a blocking call inside a task */
    return NULL;
}

START_TEST(a_slow_task_step_names_the_task_and_where_it_was_made)
{
    capture_reports();
    aw_loop *loop = debug_loop();
    aw_loop_set_slow_callback_duration(loop, 0.001);
    int line = __LINE__ + 1;
    aw_task *t = aw_task_create(loop, blocking_task, NULL, "blocker");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    char expected[160];
    snprintf(expected, sizeof expected,
             "aw debug: task 'blocker' (#1), created at test_debug.c:%d, "
             "ran 0.0",
             line);
    const char *text = reported();
    ck_assert_msg(strstr(text, expected) &&
                      strstr(text, "is there a blocking call inside it?"),
                  "expected '%s...', got:\n%s", expected, text);
    ck_assert_msg(strstr(text, "aw debug: callback") == NULL,
                  "the step should be named as the task, not as a callback:"
                  "\n%s",
                  text);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    stop_capturing();
}
END_TEST

static void slow_done(aw_future *f, void *arg)
{
    (void)f;
    (void)arg;
    busy_wait();
}

START_TEST(a_slow_done_callback_is_named)
{
    capture_reports();
    aw_loop *loop = debug_loop();
    aw_loop_set_slow_callback_duration(loop, 0.001);
    aw_future *f = aw_future_new(loop);
    aw_future_add_done_callback(f, slow_done, NULL);
    aw_future_set_result(f, NULL);
    aw_call_soon(loop, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    ck_assert_msg(strstr(reported(), "callback done callback slow_done took"),
                  "got:\n%s", reported());
    aw_future_release(f);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    stop_capturing();
}
END_TEST

START_TEST(fast_callbacks_and_debug_off_report_nothing)
{
    capture_reports();
    aw_loop *loop = debug_loop();
    aw_loop_set_slow_callback_duration(loop, 60.0);
    aw_call_soon(loop, busy_callback, NULL);
    aw_call_soon(loop, quick_callback, NULL);
    aw_call_soon(loop, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    ck_assert_str_eq(reported(), "");

    ck_assert_int_eq(aw_loop_set_debug(loop, false), 0);
    ck_assert(!aw_loop_debug(loop));
    aw_loop_set_slow_callback_duration(loop, 0.001);
    aw_call_soon(loop, busy_callback, NULL);
    aw_call_soon(loop, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    ck_assert_msg(strcmp(reported(), "") == 0, "debug mode is off, yet:\n%s",
                  reported());
    ck_assert_int_eq(aw_loop_close(loop), 0);
    stop_capturing();
}
END_TEST

/* ---- switching debug mode on
 * ------------------------------------------------------ */

START_TEST(aw_debug_in_the_environment_turns_it_on)
{
    setenv("AW_DEBUG", "1", 1);
    aw_loop *on = aw_loop_new();
    setenv("AW_DEBUG", "0", 1);
    aw_loop *off = aw_loop_new();
    unsetenv("AW_DEBUG");
    aw_loop *plain = aw_loop_new();
    ck_assert_msg(aw_loop_debug(on), "AW_DEBUG=1 should turn debug mode on");
    ck_assert_msg(!aw_loop_debug(off), "AW_DEBUG=0 should leave it off");
    ck_assert(!aw_loop_debug(plain));
    ck_assert_int_eq(aw_loop_set_debug(plain, true), 0);
    ck_assert(aw_loop_debug(plain));
    ck_assert_double_eq(aw_loop_slow_callback_duration(plain), 0.1);
    ck_assert_int_eq(aw_loop_set_slow_callback_duration(plain, -1), AW_EMISUSE);
    ck_assert_int_eq(aw_loop_close(on), 0);
    ck_assert_int_eq(aw_loop_close(off), 0);
    ck_assert_int_eq(aw_loop_close(plain), 0);
}
END_TEST

/* ---- errors nobody retrieved
 * ---------------------------------------------------------- */

static void *fail_on_disk(void *arg)
{
    (void)arg;
    return aw_raise(-EIO, "disk on fire");
}

static void *run_a_failing_child(void *arg)
{
    int await_it = *(int *)arg;
    aw_task *child =
        aw_task_create(aw_running_loop(), fail_on_disk, NULL, "child");
    if (await_it)
        aw_await(aw_task_future(child), NULL);
    else
        aw_sleep(0); /* fire and forget: the error is lost */
    aw_task_release(child);
    aw_sleep(0); /* the child has finished by now */
    return NULL;
}

START_TEST(an_error_never_retrieved_is_reported)
{
    capture_reports();
    aw_loop *loop = debug_loop();
    int await_it = 0;
    aw_task *t = aw_task_create(loop, run_a_failing_child, &await_it, "main");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    const char *text = reported();
    ck_assert_msg(strstr(text, "aw debug: task 'child' (#2, created at "
                               "test_debug.c:") &&
                      strstr(text, "failed and its error was never retrieved: "
                                   "disk on fire (Input/output error)"),
                  "got:\n%s", text);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    stop_capturing();
}
END_TEST

START_TEST(an_awaited_error_is_not_reported)
{
    capture_reports();
    aw_loop *loop = debug_loop();
    int await_it = 1;
    aw_task *t = aw_task_create(loop, run_a_failing_child, &await_it, "main");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    ck_assert_msg(strcmp(reported(), "") == 0, "nothing was lost, yet:\n%s",
                  reported());
    stop_capturing();
}
END_TEST

START_TEST(an_error_read_with_aw_task_error_is_not_reported)
{
    capture_reports();
    aw_loop *loop = debug_loop();
    aw_task *t = aw_task_create(loop, fail_on_disk, NULL, "checked");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), -EIO);
    ck_assert_int_eq(aw_task_error(t), -EIO);
    aw_task_release(t);
    aw_task *u = aw_task_create(loop, fail_on_disk, NULL, "read");
    aw_future *never = aw_future_new(loop);
    aw_future_cancel(never); /* a cancellation is not a lost error */
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(u)), -EIO);
    aw_task_release(u);
    aw_future_release(never);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    ck_assert_msg(strcmp(reported(), "") == 0, "nothing was lost, yet:\n%s",
                  reported());
    stop_capturing();
}
END_TEST

START_TEST(a_plain_future_with_a_lost_error_is_reported)
{
    capture_reports();
    aw_loop *loop = debug_loop();
    aw_future *f = aw_future_new(loop);
    aw_future_set_error(f, -ECONNRESET, "peer went away");
    aw_future_release(f);
    ck_assert_msg(strstr(reported(), "was freed with an error that was never "
                                     "retrieved: peer went away"),
                  "got:\n%s", reported());
    ck_assert_int_eq(aw_loop_close(loop), 0);
    stop_capturing();
}
END_TEST

START_TEST(without_debug_mode_lost_errors_are_silent)
{
    capture_reports();
    aw_loop *loop = aw_loop_new();
    aw_future *f = aw_future_new(loop);
    aw_future_set_error(f, -ECONNRESET, "peer went away");
    aw_future_release(f);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    ck_assert_str_eq(reported(), "");
    stop_capturing();
}
END_TEST

/* ---- pending tasks at the end
 * ------------------------------------------------------------ */

static void *wait_forever(void *arg)
{
    return aw_await(arg, NULL) == 0 ? arg : NULL;
}

START_TEST(closing_with_pending_tasks_lists_them)
{
    capture_reports();
    aw_loop *loop = debug_loop();
    aw_future *never = aw_future_new(loop);
    aw_task *a = aw_task_create(loop, wait_forever, never, "stuck-a");
    aw_task *b = aw_task_create(loop, wait_forever, never, "stuck-b");
    aw_call_soon(loop, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    ck_assert_int_eq(aw_loop_close(loop), AW_EMISUSE);
    const char *text = reported();
    ck_assert_msg(strstr(text, "aw debug: aw_loop_close refused: 2 task(s) "
                               "still pending") &&
                      strstr(text, "stuck-a  pending") &&
                      strstr(text, "stuck-b  pending"),
                  "got:\n%s", text);
    ck_assert_int_eq(aw_loop_shutdown(loop), 0);
    aw_task_release(a);
    aw_task_release(b);
    aw_future_release(never);
    stop_capturing();
}
END_TEST

START_TEST(a_pending_task_released_too_often_survives_and_is_reported)
{
    capture_reports();
    aw_loop *loop = debug_loop();
    aw_future *gate = aw_future_new(loop);
    aw_task *t = aw_task_create(loop, wait_forever, gate, "overreleased");
    aw_call_soon(loop, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    aw_task_release(t);
    aw_task_release(t); /* the bug: this reference was the loop's */
    ck_assert_msg(strstr(reported(), "task 'overreleased' (#1, created at "
                                     "test_debug.c:") &&
                      strstr(reported(), "was destroyed but it is pending"),
                  "got:\n%s", reported());
    /* Kept alive: it still runs to the end, then is freed (the
     * sanitizers check both). */
    aw_future_set_result(gate, NULL);
    aw_call_soon(loop, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    aw_loop_stats s;
    aw_loop_get_stats(loop, &s);
    ck_assert_uint_eq(s.tasks, 0);
    aw_future_release(gate);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    stop_capturing();
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("debug");
    TCase *tc = tcase_create("debug");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, a_slow_callback_is_reported_by_name);
    tcase_add_test(tc, static_functions_are_named_too);
    tcase_add_test(tc, a_slow_task_step_names_the_task_and_where_it_was_made);
    tcase_add_test(tc, a_slow_done_callback_is_named);
    tcase_add_test(tc, fast_callbacks_and_debug_off_report_nothing);
    tcase_add_test(tc, aw_debug_in_the_environment_turns_it_on);
    tcase_add_test(tc, an_error_never_retrieved_is_reported);
    tcase_add_test(tc, an_awaited_error_is_not_reported);
    tcase_add_test(tc, an_error_read_with_aw_task_error_is_not_reported);
    tcase_add_test(tc, a_plain_future_with_a_lost_error_is_reported);
    tcase_add_test(tc, without_debug_mode_lost_errors_are_silent);
    tcase_add_test(tc, closing_with_pending_tasks_lists_them);
    tcase_add_test(tc,
                   a_pending_task_released_too_often_survives_and_is_reported);
    suite_add_tcase(s, tc);
    return s;
}
