/*
 * test_gather.c - aw_gather: one future for many.
 */
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

/* A task's work: sleep, then return a value or fail. */
typedef struct {
    double seconds;
    int error; /* 0: succeed */
    const char *message;
} job;

static void *do_job(void *arg)
{
    job *j = arg;
    int rc = aw_sleep(j->seconds);
    if (rc)
        return aw_raise(rc, NULL);
    if (j->error)
        return aw_raise(j->error, j->message);
    return j;
}

START_TEST(gather_waits_for_all_and_keeps_each_result)
{
    aw_loop *loop = virtual_loop();
    job jobs[3] = {{3.0, 0, NULL}, {1.0, 0, NULL}, {2.0, 0, NULL}};
    aw_task *t[3];
    aw_future *inputs[3];
    for (int i = 0; i < 3; i++) {
        t[i] = aw_task_create(loop, do_job, &jobs[i], NULL);
        inputs[i] = aw_task_future(t[i]);
    }
    aw_future *all = aw_gather(loop, inputs, 3);
    ck_assert_ptr_nonnull(all);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, all), 0);
    ck_assert_double_eq_tol(aw_loop_time(loop), 3.0, 1e-9);
    ck_assert_ptr_null(aw_future_result(all));
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(aw_task_state_of(t[i]), AW_TASK_DONE);
        ck_assert_ptr_eq(aw_task_result(t[i]), &jobs[i]);
        aw_task_release(t[i]);
    }
    aw_future_release(all);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(gather_passes_on_the_first_error_while_the_rest_run)
{
    aw_loop *loop = virtual_loop();
    job jobs[3] = {{3.0, 0, NULL}, {1.0, -EIO, "first"}, {2.0, -EPIPE, "2nd"}};
    aw_task *t[3];
    aw_future *inputs[3];
    for (int i = 0; i < 3; i++) {
        t[i] = aw_task_create(loop, do_job, &jobs[i], NULL);
        inputs[i] = aw_task_future(t[i]);
    }
    aw_future *all = aw_gather(loop, inputs, 3);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, all), -EIO);
    ck_assert_str_eq(aw_future_message(all), "first");
    ck_assert_double_eq_tol(aw_loop_time(loop), 1.0, 1e-9);
    /* The others were not stopped: they finish in their own time. */
    ck_assert_int_eq(aw_task_state_of(t[0]), AW_TASK_PENDING);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, inputs[0]), 0);
    ck_assert_int_eq(aw_task_error(t[2]), -EPIPE);
    for (int i = 0; i < 3; i++)
        aw_task_release(t[i]);
    aw_future_release(all);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(gather_of_nothing_is_done_at_once)
{
    aw_loop *loop = aw_loop_new();
    aw_future *all = aw_gather(loop, NULL, 0);
    ck_assert_ptr_nonnull(all);
    ck_assert(aw_future_done(all));
    ck_assert_int_eq(aw_future_error(all), 0);
    ck_assert_ptr_null(aw_future_result(all));
    aw_future_release(all);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* Cancelling a gather asks its inputs to stop; it completes when one
 * has, done (not cancelled) with AW_ECANCELLED, as asyncio's does
 * (tests/conformance/gather_cancel_waits). */
START_TEST(cancelling_gather_cancels_its_inputs)
{
    aw_loop *loop = virtual_loop();
    job slow = {100.0, 0, NULL};
    aw_task *t = aw_task_create(loop, do_job, &slow, NULL);
    aw_future *plain = aw_future_new(loop);
    aw_future *inputs[2] = {aw_task_future(t), plain};
    aw_future *all = aw_gather(loop, inputs, 2);
    ck_assert(aw_future_cancel(all));
    ck_assert(!aw_future_done(all)); /* the inputs have not ended yet */
    ck_assert(aw_future_cancelled(plain));
    ck_assert_int_eq(aw_loop_run_until_complete(loop, all), AW_ECANCELLED);
    ck_assert(!aw_future_cancelled(all));
    ck_assert_int_eq(aw_future_error(all), AW_ECANCELLED);
    /* The task is asked to stop; it stops at its next await. */
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)),
                     AW_ECANCELLED);
    ck_assert_int_eq(aw_task_state_of(t), AW_TASK_CANCELLED);
    ck_assert_double_eq_tol(aw_loop_time(loop), 0.0, 1e-9);
    aw_task_release(t);
    aw_future_release(plain);
    aw_future_release(all);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

static void cancel_future(void *arg)
{
    aw_future_cancel(arg);
}

/* Every input swallows the request: the gather still ends with
 * AW_ECANCELLED, once all have finished. */
static void *swallow_cancel(void *arg)
{
    job *j = arg;
    aw_sleep(100.0);
    aw_sleep(j->seconds); /* clean-up; the request was delivered once */
    return j;
}

START_TEST(a_cancelled_gather_ends_cancelled_even_if_all_inputs_swallow)
{
    aw_loop *loop = virtual_loop();
    job jobs[2] = {{1.0, 0, NULL}, {2.0, 0, NULL}};
    aw_task *t[2];
    aw_future *inputs[2];
    for (int i = 0; i < 2; i++) {
        t[i] = aw_task_create(loop, swallow_cancel, &jobs[i], NULL);
        inputs[i] = aw_task_future(t[i]);
    }
    aw_future *all = aw_gather(loop, inputs, 2);
    aw_call_later(loop, 1.0, cancel_future, all);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, all), AW_ECANCELLED);
    ck_assert_double_eq_tol(aw_loop_time(loop), 3.0, 1e-9);
    for (int i = 0; i < 2; i++) {
        ck_assert_ptr_eq(aw_task_result(t[i]), &jobs[i]);
        aw_task_release(t[i]);
    }
    ck_assert(!aw_future_cancelled(all));
    aw_future_release(all);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* An input that ends cancelled is an error like another: the gather is
 * done, not cancelled (tests/conformance/gather_child_cancelled). */
START_TEST(an_input_cancelled_leaves_the_gather_done_with_the_error)
{
    aw_loop *loop = virtual_loop();
    aw_future *inputs[2] = {aw_future_new(loop), aw_future_new(loop)};
    aw_future *all = aw_gather(loop, inputs, 2);
    ck_assert(aw_future_cancel(inputs[0]));
    ck_assert_int_eq(aw_loop_run_until_complete(loop, all), AW_ECANCELLED);
    ck_assert_int_eq(aw_future_state_of(all), AW_DONE);
    ck_assert_int_eq(aw_future_error(all), AW_ECANCELLED);
    ck_assert(!aw_future_done(inputs[1])); /* the other goes on */
    aw_future_set_result(inputs[1], NULL);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, inputs[1]), 0);
    for (int i = 0; i < 2; i++)
        aw_future_release(inputs[i]);
    aw_future_release(all);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* A task awaiting a gather is woken once, when everything is done. */
typedef struct {
    aw_future *inputs[2];
    double woke_at;
} gather_waiter;

static void *await_gather(void *arg)
{
    gather_waiter *w = arg;
    aw_loop *loop = aw_task_loop(aw_current_task());
    aw_future *all = aw_gather(loop, w->inputs, 2);
    int rc = aw_await(all, NULL);
    w->woke_at = aw_loop_time(loop);
    aw_future_release(all);
    return rc ? aw_raise(rc, NULL) : NULL;
}

static void complete_future(void *arg)
{
    aw_future_set_result(arg, NULL);
}

START_TEST(task_awaits_a_gather)
{
    aw_loop *loop = virtual_loop();
    gather_waiter w = {{aw_future_new(loop), aw_future_new(loop)}, 0};
    aw_call_later(loop, 2.0, complete_future, w.inputs[0]);
    aw_call_later(loop, 5.0, complete_future, w.inputs[1]);
    aw_task *t = aw_task_create(loop, await_gather, &w, NULL);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    ck_assert_double_eq_tol(w.woke_at, 5.0, 1e-9);
    aw_task_release(t);
    aw_future_release(w.inputs[0]);
    aw_future_release(w.inputs[1]);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(gather_of_another_loops_future_is_misuse)
{
    aw_loop *loop = aw_loop_new();
    aw_loop *other = aw_loop_new();
    aw_future *mine = aw_future_new(loop);
    aw_future *theirs = aw_future_new(other);
    aw_future *inputs[2] = {mine, theirs};
    ck_assert_ptr_null(aw_gather(loop, inputs, 2));
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "another loop"));
    aw_future_release(mine);
    aw_future_release(theirs);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    ck_assert_int_eq(aw_loop_close(other), 0);
}
END_TEST

/* Two errors: the gather passes on the first, and counts the second as
 * retrieved, so debug mode does not report it as lost; a lone task's
 * error is (tests/conformance/gather_second_error). */
static size_t lost_error_reports(FILE *log)
{
    size_t n = 0;
    char line[512];
    fflush(log);
    rewind(log);
    while (fgets(line, sizeof line, log))
        n += strstr(line, "never retrieved") != NULL;
    return n;
}

START_TEST(a_second_error_in_a_gather_is_not_reported_lost)
{
    FILE *log = tmpfile();
    ck_assert_ptr_nonnull(log);
    aw_debug_set_output(log);
    aw_loop_options options = {.virtual_clock = true, .debug = true};
    aw_loop *loop = aw_loop_new_with(&options);
    job jobs[3] = {
        {1.0, -EIO, "first"}, {2.0, -EPIPE, "second"}, {1.0, -EIO, "alone"}};
    aw_task *t[3];
    for (int i = 0; i < 3; i++)
        t[i] = aw_task_create(loop, do_job, &jobs[i], NULL);
    aw_future *inputs[2] = {aw_task_future(t[0]), aw_task_future(t[1])};
    aw_future *all = aw_gather(loop, inputs, 2);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, all), -EIO);
    /* Run until all three have failed, without looking at them. */
    aw_future *later = aw_future_new(loop);
    aw_call_later(loop, 3.0, complete_future, later);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, later), 0);
    aw_future_release(later);
    ck_assert_int_eq(aw_task_state_of(t[1]), AW_TASK_DONE);
    aw_future_release(all);
    aw_task_release(t[0]);
    aw_task_release(t[1]);
    ck_assert_uint_eq(lost_error_reports(log), 0);
    aw_task_release(t[2]); /* failed, and nobody looked */
    ck_assert_uint_eq(lost_error_reports(log), 1);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    aw_debug_set_output(NULL);
    fclose(log);
}
END_TEST

/* return_exceptions: errors settle nothing; the gather waits for all,
 * and each error stays on its input, counted as retrieved. */
START_TEST(with_return_exceptions_errors_wait_for_the_rest)
{
    aw_loop *loop = virtual_loop();
    job jobs[3] = {{1.0, -EIO, "first"}, {3.0, 0, NULL}, {2.0, -EPIPE, "2nd"}};
    aw_task *t[3];
    aw_future *inputs[3];
    for (int i = 0; i < 3; i++) {
        t[i] = aw_task_create(loop, do_job, &jobs[i], NULL);
        inputs[i] = aw_task_future(t[i]);
    }
    aw_future *all = aw_gather_with(loop, inputs, 3, true);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, all), 0);
    ck_assert_double_eq_tol(aw_loop_time(loop), 3.0, 1e-9);
    ck_assert_int_eq(aw_task_error(t[0]), -EIO);
    ck_assert_ptr_eq(aw_task_result(t[1]), &jobs[1]);
    ck_assert_int_eq(aw_task_error(t[2]), -EPIPE);
    for (int i = 0; i < 3; i++)
        aw_task_release(t[i]);
    aw_future_release(all);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("gather");
    TCase *tc = tcase_create("gather");
    tcase_add_test(tc, gather_waits_for_all_and_keeps_each_result);
    tcase_add_test(tc, gather_passes_on_the_first_error_while_the_rest_run);
    tcase_add_test(tc, gather_of_nothing_is_done_at_once);
    tcase_add_test(tc, cancelling_gather_cancels_its_inputs);
    tcase_add_test(
        tc, a_cancelled_gather_ends_cancelled_even_if_all_inputs_swallow);
    tcase_add_test(tc,
                   an_input_cancelled_leaves_the_gather_done_with_the_error);
    tcase_add_test(tc, a_second_error_in_a_gather_is_not_reported_lost);
    tcase_add_test(tc, with_return_exceptions_errors_wait_for_the_rest);
    tcase_add_test(tc, task_awaits_a_gather);
    tcase_add_test(tc, gather_of_another_loops_future_is_misuse);
    suite_add_tcase(s, tc);
    return s;
}
