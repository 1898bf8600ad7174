/*
 * testing.c - an async test: a fresh loop, steps run as tasks, and a
 * check that the test left nothing behind (see aw_test.h).
 *
 *   aw_test_evaluate
 *     snapshot open descriptors
 *     new loop (debug mode) ----------------------------------------+
 *     run the driver task:                                          |
 *         setup --ok--> body (within .timeout) --> teardown         |
 *           |                                         |             |
 *           +--------------> cleanups, last first <---+             |
 *     leftovers: pending tasks, queued callbacks, timers (leftovers.c)
 *     shut the loop down and close it <-----------------------------+
 *     descriptors open now that were not before (leftovers.c)
 *
 * Every step is its own task, so it can await, and so a report names it
 * ("body", "teardown") like any other task.
 */
#include "aw_test.h"
#include "internal.h"
#include "leftovers.h"

#include <stdlib.h>
#include <string.h>

struct cleanup {
    aw_task_fn fn;
    void *arg;
};

struct aw_test {
    const aw_test_case *tc;
    aw_loop *loop;
    const char *file;
    int line;
    struct cleanup *cleanups;
    size_t ncleanups, cap;
    aw__report *report;
    int first_error;    /* the first failing step's code, 0 if none */
    bool shutting_down; /* the loop failed: steps are being cancelled */
};

aw_loop *aw_test_loop(const aw_test *t)
{
    if (!t) {
        aw__fail(AW_EMISUSE, "aw_test_loop: test is NULL");
        return NULL;
    }
    return t->loop;
}

void *aw_test_data(const aw_test *t)
{
    if (!t) {
        aw__fail(AW_EMISUSE, "aw_test_data: test is NULL");
        return NULL;
    }
    return t->tc->data;
}

int aw_test_add_cleanup(aw_test *t, aw_task_fn fn, void *arg)
{
    if (!t || !fn)
        return aw__fail(AW_EMISUSE, "aw_test_add_cleanup: test and function "
                                    "are required");
    if (t->ncleanups == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        struct cleanup *c = realloc(t->cleanups, cap * sizeof *c);
        if (!c)
            return aw__fail(-ENOMEM, "aw_test_add_cleanup: out of memory");
        t->cleanups = c;
        t->cap = cap;
    }
    t->cleanups[t->ncleanups++] = (struct cleanup){fn, arg};
    return 0;
}

void *aw_test_fail(const char *fmt, ...)
{
    if (!fmt)
        fmt = "aw_test_fail: (no message given)";
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return aw_raise(AW_TEST_EFAILED, message);
}

/* ---- the steps -------------------------------------------------------- */

/* A step's task: the step function and the test it belongs to. */
struct step {
    aw_test *t;
    aw_test_step fn;
};

static void *step_entry(void *arg)
{
    struct step *s = arg;
    return s->fn(s->t);
}

/* The body's time limit: a timer that cancels it when the time is up.
 * Not aw_wait_for: a body that swallows the cancellation would then
 * count as finished in time. */
struct deadline {
    aw_task *task;
    bool passed;
};

static void deadline_passed(void *arg)
{
    struct deadline *d = arg;
    d->passed = true;
    aw_task_cancel(d->task);
}

/* Say in the report how a step ended, if it failed. */
static void note_failure(aw_test *t, const char *what, aw_task *task, int rc,
                         double timeout, bool timed_out)
{
    if (timed_out)
        aw__report_add(t->report,
                       "%s did not finish within %g s of loop time, "
                       "and was cancelled",
                       what, timeout);
    else if (rc == AW_TEST_EFAILED)
        aw__report_add(t->report, "%s failed: %s", what, aw_task_message(task));
    else if (rc == AW_ECANCELLED)
        aw__report_add(t->report, "%s was cancelled", what);
    else if (rc != 0)
        aw__report_add(t->report, "%s failed with %s: %s", what,
                       aw_strerror(rc), aw_task_message(task));
}

/* Run fn(arg) in a task named `what` and wait for it (at most timeout
 * seconds of loop time, if > 0). Returns its error code, and notes in
 * the report how it failed. Once the loop has failed (shutting_down),
 * steps are neither started nor reported: the loop's message says it. */
static int run_in_task(aw_test *t, const char *what, aw_task_fn fn, void *arg,
                       double timeout)
{
    if (t->shutting_down)
        return AW_ECANCELLED;
    aw_task *task = aw_task_create_at(t->loop, fn, arg, what, t->file, t->line);
    if (!task) {
        aw__report_add(t->report, "%s: could not start its task: %s", what,
                       aw_last_error());
        return AW_EMISUSE;
    }
    struct deadline d = {.task = task};
    uint64_t timer =
        timeout > 0 ? aw_call_later(t->loop, timeout, deadline_passed, &d) : 0;
    int rc = aw_await(aw_task_future(task), NULL);
    if (timer && !d.passed)
        aw_timer_cancel(t->loop, timer);
    if (d.passed)
        rc = AW_ETIMEDOUT;
    if (!t->shutting_down) {
        note_failure(t, what, task, rc, timeout, d.passed);
        if (rc != 0 && t->first_error == 0)
            t->first_error = rc;
    }
    aw_task_release(task);
    return rc;
}

static int run_step(aw_test *t, const char *what, aw_test_step fn,
                    double timeout)
{
    struct step s = {t, fn}; /* lives until the step's task is done */
    return run_in_task(t, what, step_entry, &s, timeout);
}

/* The driver: unittest's order. Teardown only after a good setup;
 * cleanups always, the last added first. */
static void *drive(void *arg)
{
    aw_test *t = arg;
    const aw_test_case *tc = t->tc;
    int rc = tc->setup ? run_step(t, "setup", tc->setup, 0) : 0;
    if (rc == 0) {
        run_step(t, "body", tc->body, tc->timeout);
        if (tc->teardown)
            run_step(t, "teardown", tc->teardown, 0);
    }
    while (t->ncleanups > 0) {
        struct cleanup c = t->cleanups[--t->ncleanups];
        run_in_task(t, "cleanup", c.fn, c.arg, 0);
    }
    return NULL;
}

/* ---- running a case --------------------------------------------------- */

static int misuse(const aw_test_case *tc, aw__report *r)
{
    if (!tc || !tc->body) {
        aw__report_add(r, "aw_test: the case needs a body");
        return aw__fail(AW_EMISUSE, "aw_test_evaluate: the case needs a body");
    }
    if (aw_running_loop()) {
        /* Only way here: an assertion jumped out of a task (CK_FORK=no). */
        aw__report_add(r, "aw_test: a loop is still running in this thread "
                          "(did an assertion fail inside a task with "
                          "CK_FORK=no? run tests in fork mode)");
        return AW_EMISUSE;
    }
    return 0;
}

int aw_test_evaluate(const aw_test_case *tc, char *out, size_t len)
{
    aw__report report;
    aw__report_init(&report, out, len, tc && tc->name ? tc->name : NULL);
    int rc = misuse(tc, &report);
    if (rc)
        return rc;

    aw__fd_set before;
    bool fds_known = aw__fd_snapshot(&before) == 0;
    aw_loop_options options = tc->loop;
    options.debug = true;
    aw_test t = {
        .tc = tc,
        .file = tc->file ? tc->file : __FILE__,
        .line = tc->file ? tc->line : __LINE__,
        .report = &report,
    };
    t.loop = aw_loop_new_with(&options);
    if (!t.loop) {
        aw__report_add(&report, "could not create the loop: %s",
                       aw_last_error());
        aw__fd_set_free(&before);
        return AW_EMISUSE;
    }

    aw_task *driver =
        aw_task_create_at(t.loop, drive, &t, "aw_test", t.file, t.line);
    rc = driver ? aw_loop_run_until_complete(t.loop, aw_task_future(driver))
                : aw__fail(AW_EMISUSE, "%s", aw_last_error());
    bool clean = true;
    if (rc != 0) {
        /* A deadlock, most likely: the message names the stuck tasks. */
        aw__report_add(&report, "the loop stopped: %s", aw_last_error());
        t.shutting_down = true;
    } else {
        clean = aw__report_leftovers(&report, t.loop);
    }
    aw_task_release(driver);
    if (aw_loop_shutdown(t.loop) != 0) {
        aw__report_add(&report, "the loop could not be closed: %s",
                       aw_last_error());
        clean = false;
    }
    free(t.cleanups);

    if (fds_known) {
        aw__fd_set after;
        if (aw__fd_snapshot(&after) == 0) {
            clean &= aw__report_new_fds(&report, &before, &after);
            aw__fd_set_free(&after);
        }
        aw__fd_set_free(&before);
    }

    if (rc)
        return rc;
    if (t.first_error)
        return t.first_error;
    return clean ? 0 : AW_ESTATE;
}
