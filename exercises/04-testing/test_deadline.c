/*
 * Exercise (write the tests): a deadline for an async operation.
 *
 * This time you write no implementation: you write the tests. The
 * function under test is
 *
 *   int call_with_deadline(aw_task_fn op, void *arg, double timeout,
 *                          void **result);
 *
 * Called from inside a task, it runs op(arg) in a task of its own and
 * waits at most `timeout` seconds of loop time:
 *   - op finished in time: its result goes to *result; returns 0, as
 *     soon as op has finished (not later);
 *   - op failed (`return aw_raise(code, ...)`): returns that code;
 *   - op took too long: op is cancelled, call_with_deadline waits until
 *     op has really finished (its cleanup included), then returns
 *     AW_ETIMEDOUT. Nothing of op is left running.
 *
 * The grader runs every test in deadline_tests[] against a correct
 * call_with_deadline and against several broken ones. You pass when all
 * your tests pass on the correct one, and every broken one fails at
 * least one of your tests. (The broken ones make mistakes people make:
 * think about what could go wrong with time, errors and cancellation.)
 *
 * A test returns 1 (pass) or 0 (fail). Write each as an async test body
 * run by aw_test_evaluate on the virtual clock, as the example does: the
 * virtual clock makes times exact (`aw_loop_time` after a 5 s timeout is
 * exactly 5.0), and aw_test_evaluate fails a test that leaves a task,
 * timer or descriptor behind. Fail with `return aw_test_fail(...)`, not
 * with ck_assert: your tests run inside the grader's own Check tests.
 *
 * The types below are fixed: the grader uses them as they are.
 *
 * See chapter 4, sections "A test is a task" and "Time, made exact: the
 * virtual clock".
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

/* ---- operations to test with (add your own) --------------------------- */

static void *quick_op(void *arg)
{
    (void)arg;
    return "quick";
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

static void *quick_result_body(aw_test *t)
{
    const deadline_impl *impl = aw_test_data(t);
    void *result = NULL;
    int rc = impl->call_with_deadline(quick_op, NULL, 5, &result);
    if (rc != 0)
        return aw_test_fail("a quick op: expected 0, got %d (%s)", rc,
                            aw_strerror(rc));
    if (!result || strcmp(result, "quick") != 0)
        return aw_test_fail("a quick op: wrong result");
    return NULL;
}

static int test_quick_result(const deadline_impl *impl)
{
    return run_test(quick_result_body, impl);
}

const deadline_test deadline_tests[] = {
    {"quick_result", test_quick_result},
    /* Add your tests here. */
    {NULL, NULL},
};
