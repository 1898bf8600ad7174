/*
 * aw_test.h - testing async code with Check, like Python's
 * unittest.IsolatedAsyncioTestCase.
 *
 *   unittest                              aw_test
 *   class T(IsolatedAsyncioTestCase)      aw_test_case tc = {...}
 *   async def asyncSetUp(self)            .setup = fn
 *   async def test_x(self)                .body = fn
 *   async def asyncTearDown(self)         .teardown = fn
 *   self.addAsyncCleanup(fn, arg)         aw_test_add_cleanup(t, fn, arg)
 *   self.fail("...")                      return aw_test_fail("...");
 *   (run by unittest.main)                aw_test_run(&tc) in START_TEST
 *   trio.testing.MockClock(autojump...)   .loop.virtual_clock = true
 *
 * Each aw_test_run makes a fresh loop for that one test, in debug mode,
 * and runs setup, body, teardown and the cleanups on it, each as a task:
 * they may await, sleep and do I/O. Afterwards it checks that the test
 * left nothing behind, and fails the Check test, naming each leftover
 * and where it came from, if
 *   - a task is still pending (its name, where it was created, what it
 *     awaits), a callback is still queued or a timer still scheduled;
 *   - a file descriptor opened during the test is still open (its
 *     number and what it is: "socket:[81234]", "/tmp/data.txt");
 *   - the loop cannot be closed.
 * Then the loop is shut down and closed, so one test never leaks into
 * the next.
 *
 * Failing. In a step, a Check assertion (ck_assert_int_eq...) fails the
 * test and ends the forked test process at once: teardown and cleanups
 * do not run (the process is gone; the kernel closes its descriptors).
 * `return aw_test_fail("why %d", x);` fails the test too, but lets
 * teardown and cleanups run and the clean-state check report.
 *
 * Check's fork mode (the default) is what isolates tests; its timeouts
 * (tcase_set_timeout) still apply. With CK_FORK=no, an assertion that
 * fails inside a task jumps out of the loop, and the next test reports
 * that a loop was left running.
 *
 * This header needs Check; aw.h does not include it, so programs that do
 * not test need neither. aw_test_evaluate works without Check (it only
 * reports), for programs and for tests of tests.
 */
#ifndef AW_TEST_H
#define AW_TEST_H

#include <check.h>

#include "aw.h"

/* The error code of aw_test_fail; outside aw.h's range of codes. */
enum { AW_TEST_EFAILED = -5100 };

typedef struct aw_test aw_test;

/* A step of a test: runs in a task on the test's loop. Return NULL, or
 * fail with `return aw_test_fail(...)` or a Check assertion. */
typedef void *(*aw_test_step)(aw_test *t);

/* ANCHOR: case */
typedef struct {
    const char *name;      /* for messages; NULL: "async test" */
    aw_test_step setup;    /* asyncSetUp; NULL for none */
    aw_test_step body;     /* the test itself; required */
    aw_test_step teardown; /* asyncTearDown; runs if setup succeeded */
    void *data;            /* the fixture: aw_test_data(t) returns it */
    /* How to make the loop: backend, virtual_clock, stack_size. Debug
     * mode is always on. */
    aw_loop_options loop;
    /* The body must finish within this many seconds of loop time, or it
     * is cancelled and the test fails; 0 for no limit. With the virtual
     * clock, "30 seconds" pass in an instant, and always the same way. */
    double timeout;
    /* Where the test is: the origin of its tasks in reports. aw_test_run
     * fills these in; NULL means this file. */
    const char *file;
    int line;
} aw_test_case;
/* ANCHOR_END: case */

/* Run the case as one Check test: fail it, at the caller's line, with a
 * report of what went wrong or was left behind. The macro exists only to
 * capture the caller's __FILE__ and __LINE__ for that report. */
#define aw_test_run(tc) aw_test_run_at((tc), __FILE__, __LINE__)
void aw_test_run_at(const aw_test_case *tc, const char *file, int line);

/* Run the case and report instead of failing: 0 if every step passed and
 * nothing was left behind; otherwise a negative code (the first failing
 * step's, or AW_ESTATE for leftovers) with the report, one problem per
 * line, in report (may be NULL). Needs no Check. */
int aw_test_evaluate(const aw_test_case *tc, char *report, size_t len);

/* --- Inside a step ---------------------------------------------------- */

aw_loop *aw_test_loop(const aw_test *t); /* the test's own loop */
void *aw_test_data(const aw_test *t);    /* the case's .data */

/* Run fn(arg) in a task after teardown, even if the body failed; the
 * last added runs first (unittest's addAsyncCleanup). 0 or -ENOMEM. */
int aw_test_add_cleanup(aw_test *t, aw_task_fn fn, void *arg);

/* End the step with a failure: `return aw_test_fail("got %d", n);`.
 * Only inside a step's task. Always returns NULL. */
void *aw_test_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
