/*
 * Solution: tests for call_with_deadline.
 *
 * One test per promise of the contract, each with an op built to make a
 * broken implementation show itself: a quick op (no time may pass), a
 * 1 s op under a 5 s deadline (units), a failing op (errors), a slow op
 * (timeout, exactly at 5 s, nothing left running) and a slow op whose
 * cleanup itself takes time (wait for the cancelled op to finish).
 */
#include "aw_test.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name; /* "correct", or what is broken */
    int (*call_with_deadline)(aw_task_fn op, void *arg, double timeout,
                              void **result);
} deadline_impl;

typedef struct {
    const char *name;
    int (*run)(const deadline_impl *impl); /* 1 if impl passes */
} deadline_test;

/* ---- operations to test with ------------------------------------------ */

static void *quick_op(void *arg)
{
    (void)arg;
    return "quick";
}

static void *one_second_op(void *arg)
{
    (void)arg;
    int rc = aw_sleep(1);
    return rc ? aw_raise(rc, "cancelled") : "done";
}

static void *failing_op(void *arg)
{
    (void)arg;
    aw_sleep(0.5);
    return aw_raise(-ECONNREFUSED, "the service said no");
}

/* Sleeps for a minute. When cancelled, it takes another 0.5 s to clean
 * up, then records that it has, and ends cancelled. */
static void *slow_op(void *arg)
{
    bool *cleaned_up = arg;
    int rc = aw_sleep(60);
    if (rc == 0)
        return "too late";
    aw_sleep(0.5); /* the cleanup: an await after the cancellation */
    if (cleaned_up)
        *cleaned_up = true;
    return aw_raise(rc, "cancelled");
}

/* ---- running a test body ---------------------------------------------- */

/* Run body as an async test, on the virtual clock, with impl as its data:
 * 1 if it passed and left nothing behind. Prints why not, otherwise. */
static int run_test(aw_test_step body, const deadline_impl *impl)
{
    aw_test_case tc = {
        .body = body,
        .data = (void *)impl,
        .loop.virtual_clock = true,
    };
    char report[2000];
    if (aw_test_evaluate(&tc, report, sizeof report) == 0)
        return 1;
    printf("[%s] %s\n", impl->name, report);
    return 0;
}

/* ---- the tests -------------------------------------------------------- */

static double now(aw_test *t)
{
    return aw_loop_time(aw_test_loop(t));
}

/* A quick op: its result, at once. */
static void *quick_result_body(aw_test *t)
{
    const deadline_impl *impl = aw_test_data(t);
    void *result = NULL;
    double start = now(t);
    int rc = impl->call_with_deadline(quick_op, NULL, 5, &result);
    if (rc != 0)
        return aw_test_fail("a quick op: expected 0, got %d (%s)", rc,
                            aw_strerror(rc));
    if (!result || strcmp(result, "quick") != 0)
        return aw_test_fail("a quick op: wrong result");
    if (now(t) != start)
        return aw_test_fail("a quick op took %g s of loop time",
                            now(t) - start);
    return NULL;
}

/* A 1 s op under a 5 s deadline finishes, after exactly 1 s. */
static void *in_time_body(aw_test *t)
{
    const deadline_impl *impl = aw_test_data(t);
    void *result = NULL;
    double start = now(t);
    int rc = impl->call_with_deadline(one_second_op, NULL, 5, &result);
    if (rc != 0 || !result || strcmp(result, "done") != 0)
        return aw_test_fail("a 1 s op with a 5 s deadline: got %d (%s)", rc,
                            aw_strerror(rc));
    if (now(t) - start != 1.0)
        return aw_test_fail("a 1 s op returned after %g s", now(t) - start);
    return NULL;
}

/* op's error comes back as it is. */
static void *error_body(aw_test *t)
{
    const deadline_impl *impl = aw_test_data(t);
    void *result = NULL;
    int rc = impl->call_with_deadline(failing_op, NULL, 5, &result);
    if (rc != -ECONNREFUSED)
        return aw_test_fail("a failing op: expected -ECONNREFUSED, got %d", rc);
    return NULL;
}

/* A slow op: AW_ETIMEDOUT after exactly 5 s plus its cleanup, which is
 * over by then. aw_test_evaluate checks that nothing is left running. */
static void *timeout_body(aw_test *t)
{
    const deadline_impl *impl = aw_test_data(t);
    /* static: a broken implementation may leave op running after this
     * body has returned, and op must not write into a dead frame. */
    static bool cleaned_up;
    cleaned_up = false;
    void *result = NULL;
    double start = now(t);
    int rc = impl->call_with_deadline(slow_op, &cleaned_up, 5, &result);
    if (rc != AW_ETIMEDOUT)
        return aw_test_fail("a slow op: expected AW_ETIMEDOUT, got %d (%s)", rc,
                            aw_strerror(rc));
    if (!cleaned_up)
        return aw_test_fail("returned before the cancelled op had finished");
    if (now(t) - start != 5.5)
        return aw_test_fail("timed out after %g s, expected 5 s (+0.5 s of "
                            "cleanup)",
                            now(t) - start);
    return NULL;
}

static int test_quick_result(const deadline_impl *impl)
{
    return run_test(quick_result_body, impl);
}

static int test_in_time(const deadline_impl *impl)
{
    return run_test(in_time_body, impl);
}

static int test_error(const deadline_impl *impl)
{
    return run_test(error_body, impl);
}

static int test_timeout(const deadline_impl *impl)
{
    return run_test(timeout_body, impl);
}

const deadline_test deadline_tests[] = {
    {"quick_result", test_quick_result},
    {"in_time", test_in_time},
    {"error", test_error},
    {"timeout", test_timeout},
    {NULL, NULL},
};
