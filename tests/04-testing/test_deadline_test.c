/*
 * Grader for 04-testing/test_deadline: the learner's tests must pass on a
 * correct call_with_deadline and catch every broken one (mutants.h).
 */
// grade-exports: deadline_tests
// grade-sources: tests/04-testing/mutants.c
#include "check_main.h"

#include "aw.h"
#include "mutants.h"

#include <stdio.h>

typedef struct {
    const char *name;
    int (*call_with_deadline)(aw_task_fn op, void *arg, double timeout,
                              void **result);
} deadline_impl;

typedef struct {
    const char *name;
    int (*run)(const deadline_impl *impl);
} deadline_test;

extern const deadline_test deadline_tests[];

enum { TEST_SECONDS = 10 }; /* real time one test may take on one impl */

/* ---- the correct implementation --------------------------------------- */

static int correct(aw_task_fn op, void *arg, double timeout, void **result)
{
    aw_task *t = aw_task_create(aw_running_loop(), op, arg, "op");
    if (!t)
        return AW_EMISUSE;
    int rc = aw_wait_for(aw_task_future(t), timeout, result);
    aw_task_release(t);
    return rc;
}

/* ---- helpers for the broken ones -------------------------------------- */

/* Completes `signal` (if still pending) and lets go of the reference the
 * timer or the done callback held. */
static void signal_once(aw_future *signal)
{
    if (!aw_future_done(signal))
        aw_future_set_result(signal, NULL);
    aw_future_release(signal);
}

static void on_timer(void *signal)
{
    signal_once(signal);
}

static void on_done(aw_future *f, void *signal)
{
    (void)f;
    signal_once(signal);
}

/* Wait until t is done or timeout has passed, cancelling nothing. True if
 * t is done. */
static bool done_within(aw_task *t, double timeout)
{
    aw_loop *loop = aw_running_loop();
    aw_future *done = aw_task_future(t);
    aw_future *signal = aw_future_new(loop);
    aw_future_add_done_callback(done, on_done, aw_future_retain(signal));
    uint64_t timer =
        aw_call_later(loop, timeout, on_timer, aw_future_retain(signal));
    aw_await(signal, NULL);
    if (aw_future_remove_done_callback(done, on_done, signal) == 1)
        aw_future_release(signal);
    if (aw_timer_cancel(loop, timer) == 0)
        aw_future_release(signal);
    aw_future_release(signal);
    return aw_future_done(done);
}

/* The outcome of a finished task, as call_with_deadline reports it. */
static int outcome(aw_task *t, void **result)
{
    int rc = aw_await(aw_task_future(t), result);
    aw_task_release(t);
    return rc;
}

/* ---- the broken ones -------------------------------------------------- */

static int never_cancels(aw_task_fn op, void *arg, double timeout,
                         void **result)
{
    aw_task *t = aw_task_create(aw_running_loop(), op, arg, "op");
    if (!done_within(t, timeout)) {
        aw_task_release(t); /* ...and it runs on */
        return AW_ETIMEDOUT;
    }
    return outcome(t, result);
}

static int returns_before_op_finished(aw_task_fn op, void *arg, double timeout,
                                      void **result)
{
    aw_task *t = aw_task_create(aw_running_loop(), op, arg, "op");
    if (!done_within(t, timeout)) {
        aw_task_cancel(t); /* asked to stop, but not waited for */
        aw_task_release(t);
        return AW_ETIMEDOUT;
    }
    return outcome(t, result);
}

static int waits_the_whole_timeout(aw_task_fn op, void *arg, double timeout,
                                   void **result)
{
    aw_task *t = aw_task_create(aw_running_loop(), op, arg, "op");
    aw_sleep(timeout);
    if (aw_future_done(aw_task_future(t)))
        return outcome(t, result);
    aw_task_cancel(t);
    while (!aw_future_done(aw_task_future(t)))
        aw_await(aw_task_future(t), NULL);
    aw_task_release(t);
    return AW_ETIMEDOUT;
}

static int timeout_in_milliseconds(aw_task_fn op, void *arg, double timeout,
                                   void **result)
{
    return correct(op, arg, timeout / 1000, result);
}

static int loses_the_error(aw_task_fn op, void *arg, double timeout,
                           void **result)
{
    int rc = correct(op, arg, timeout, result);
    return rc == AW_ETIMEDOUT ? rc : 0;
}

static int timeout_reported_as_success(aw_task_fn op, void *arg, double timeout,
                                       void **result)
{
    int rc = correct(op, arg, timeout, result);
    return rc == AW_ETIMEDOUT ? 0 : rc;
}

static int forgets_the_result(aw_task_fn op, void *arg, double timeout,
                              void **result)
{
    void *ignored = NULL;
    (void)result;
    return correct(op, arg, timeout, &ignored);
}

static const deadline_impl CORRECT = {"correct", correct};

typedef struct {
    deadline_impl impl;
    const char *hint;
} mutant;

static const mutant MUTANTS[] = {
    {{"never cancels a slow op", never_cancels},
     "after a timeout, is anything of op still running? aw_test_evaluate "
     "reports leftover tasks"},
    {{"returns before the cancelled op has finished",
      returns_before_op_finished},
     "give op some cleanup that takes time (an await after it was "
     "cancelled), and check it is over when call_with_deadline returns"},
    {{"waits the whole timeout even when op is quick", waits_the_whole_timeout},
     "check how much loop time a quick op takes"},
    {{"reads the timeout as milliseconds", timeout_in_milliseconds},
     "an op that takes 1 s must succeed with a 5 s timeout"},
    {{"loses op's error", loses_the_error},
     "an op that fails: does its error come back?"},
    {{"reports a timeout as success", timeout_reported_as_success},
     "a slow op must give AW_ETIMEDOUT"},
    {{"never stores op's result", forgets_the_result},
     "check the result op returned (in *result), not only the code"},
};

enum { NMUTANTS = sizeof MUTANTS / sizeof MUTANTS[0] };

/* ---- running the learner's tests -------------------------------------- */

typedef struct {
    const deadline_test *test;
    const deadline_impl *impl;
} one_run;

static int run_one(void *arg)
{
    one_run *r = arg;
    return r->test->run(r->impl);
}

static run_outcome run(const deadline_test *test, const deadline_impl *impl)
{
    one_run r = {test, impl};
    return run_isolated(run_one, &r, TEST_SECONDS);
}

START_TEST(there_are_tests)
{
    ck_assert_msg(deadline_tests[0].run != NULL,
                  "deadline_tests[] is empty: add your tests to it");
}
END_TEST

START_TEST(accepts_the_correct_implementation)
{
    for (const deadline_test *t = deadline_tests; t->run; t++) {
        run_outcome o = run(t, &CORRECT);
        ck_assert_msg(o == RUN_PASSED,
                      "your test '%s' %s on the correct call_with_deadline: "
                      "a test must pass on a correct implementation",
                      t->name ? t->name : "?", run_outcome_name(o));
    }
}
END_TEST

START_TEST(catches_each_broken_implementation)
{
    const mutant *m = &MUTANTS[_i];
    for (const deadline_test *t = deadline_tests; t->run; t++)
        if (run(t, &m->impl) != RUN_PASSED)
            return; /* caught */
    ck_abort_msg("every test passes on a call_with_deadline that %s. "
                 "Hint: %s",
                 m->impl.name, m->hint);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("test_deadline");
    TCase *tc = tcase_create("tests");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, there_are_tests);
    tcase_add_test(tc, accepts_the_correct_implementation);
    tcase_add_loop_test(tc, catches_each_broken_implementation, 0, NMUTANTS);
    suite_add_tcase(s, tc);
    return s;
}
