/*
 * Grader for 02-event-loop/gather_all: run_all starts tasks, gathers
 * them, sums their results, and after a failure or a cancellation leaves
 * no task behind.
 */
// grade-exports: run_all
#include "check_main.h"

#include "aw.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

int run_all(aw_task_fn fn, void *const *args, size_t n, long *total, char *why,
            size_t why_size);

/* ---- the jobs the tasks run --------------------------------------------- */

typedef struct {
    double delay;        /* work for this long (loop time) */
    long value;          /* then return this */
    int fail;            /* or, if non-zero, fail with this code */
    const char *message; /* and this message */
    bool started, finished, cancelled;
    bool ended; /* its function has returned */
} job;

static void *do_job(void *arg)
{
    job *j = arg;
    j->started = true;
    int rc = aw_sleep(j->delay);
    j->ended = true;
    if (rc != 0) {
        j->cancelled = rc == AW_ECANCELLED;
        return aw_raise(rc, aw_last_error());
    }
    j->finished = true;
    if (j->fail)
        return aw_raise(j->fail, j->message);
    return (void *)(intptr_t)j->value;
}

/* ---- the task that calls run_all ---------------------------------------- */

typedef struct {
    job *jobs;
    size_t n;
    long total;
    char why[128];
    int rc;
    double returned_at; /* loop time when run_all returned */
    bool returned;
    size_t still_running; /* jobs not ended when run_all returned */
} call;

static void *caller(void *arg)
{
    call *c = arg;
    void *args[16];
    for (size_t i = 0; i < c->n; i++)
        args[i] = &c->jobs[i];
    c->rc = run_all(do_job, args, c->n, &c->total, c->why, sizeof c->why);
    c->returned_at = aw_loop_time(aw_running_loop());
    c->returned = true;
    for (size_t i = 0; i < c->n; i++)
        if (c->jobs[i].started && !c->jobs[i].ended)
            c->still_running++;
    return NULL;
}

static void cancel_task(void *task)
{
    aw_task_cancel(task);
}

/* Run caller(c) on a virtual-clock loop; if cancel_at > 0, cancel the
 * calling task at that time. Checks that nothing is left running. */
static void run_call(call *c, double cancel_at)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with: %s", aw_last_error());
    c->total = -1;
    strcpy(c->why, "(untouched)");
    aw_task *t = aw_task_create(loop, caller, c, "caller");
    if (cancel_at > 0)
        aw_call_later(loop, cancel_at, cancel_task, t);
    aw_loop_run_until_complete(loop, aw_task_future(t));
    aw_task_release(t);
    ck_assert_msg(c->returned, "run_all never returned");
    ck_assert_msg(c->still_running == 0,
                  "when run_all returned, %zu job(s) were still running: "
                  "cancel them and await each one before returning",
                  c->still_running);
    int rc = aw_loop_close(loop);
    if (rc != 0) {
        /* Let the shutdown end the leftovers, then report them. */
        aw_loop_shutdown(loop);
        ck_abort_msg("after run_all returned, tasks were still pending: "
                     "cancel them and await each one before returning");
    }
}

static bool near(double a, double b)
{
    return fabs(a - b) < 1e-6;
}

START_TEST(sums_the_results)
{
    job jobs[] = {{.delay = 3, .value = 100},
                  {.delay = 1, .value = 20},
                  {.delay = 2, .value = 3}};
    call c = {.jobs = jobs, .n = 3};
    run_call(&c, 0);
    ck_assert_msg(c.rc == 0, "run_all returned %d, expected 0 (%s)", c.rc,
                  c.why);
    ck_assert_msg(c.total == 123, "*total is %ld, expected 123", c.total);
    ck_assert_msg(near(c.returned_at, 3.0),
                  "run_all returned at t=%.3f, expected 3.000: the jobs "
                  "should run at the same time",
                  c.returned_at);
}
END_TEST

START_TEST(no_jobs)
{
    call c = {.jobs = NULL, .n = 0};
    run_call(&c, 0);
    ck_assert_msg(c.rc == 0, "run_all with no jobs returned %d", c.rc);
    ck_assert_msg(c.total == 0, "*total is %ld for no jobs, expected 0",
                  c.total);
}
END_TEST

START_TEST(first_error_wins)
{
    job jobs[] = {{.delay = 5, .value = 1},
                  {.delay = 1, .fail = -EIO, .message = "disk full"},
                  {.delay = 3, .value = 2},
                  {.delay = 2, .fail = -EPIPE, .message = "pipe broke"}};
    call c = {.jobs = jobs, .n = 4};
    run_call(&c, 0);
    ck_assert_msg(c.rc == -EIO,
                  "run_all returned %d, expected -EIO (%d), the error of "
                  "the first job to fail",
                  c.rc, -EIO);
    ck_assert_msg(strcmp(c.why, "disk full") == 0,
                  "why is \"%s\", expected the failed job's message \"disk "
                  "full\" (copy it before you clean up)",
                  c.why);
    ck_assert_msg(c.total == -1, "*total was changed after a failure");
    ck_assert_msg(near(c.returned_at, 1.0),
                  "run_all returned at t=%.3f, expected 1.000: return as "
                  "soon as one job fails, without waiting for the others "
                  "to finish their work",
                  c.returned_at);
    size_t others[] = {0, 2, 3};
    for (size_t k = 0; k < 3; k++) {
        job *j = &jobs[others[k]];
        ck_assert_msg(j->cancelled && !j->finished,
                      "job %zu was not cancelled after job 1 failed",
                      others[k]);
    }
}
END_TEST

START_TEST(caller_cancelled)
{
    job jobs[] = {{.delay = 5, .value = 1}, {.delay = 8, .value = 2}};
    call c = {.jobs = jobs, .n = 2};
    run_call(&c, 2.0);
    ck_assert_msg(c.rc == AW_ECANCELLED,
                  "the calling task was cancelled at t=2: run_all returned "
                  "%d, expected AW_ECANCELLED (%d)",
                  c.rc, AW_ECANCELLED);
    ck_assert_msg(near(c.returned_at, 2.0),
                  "run_all returned at t=%.3f, expected 2.000", c.returned_at);
    for (size_t i = 0; i < 2; i++)
        ck_assert_msg(jobs[i].cancelled && !jobs[i].finished,
                      "job %zu was not cancelled with its caller", i);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("02-event-loop/gather_all");
    TCase *tc = tcase_create("run_all");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, sums_the_results);
    tcase_add_test(tc, no_jobs);
    tcase_add_test(tc, first_error_wins);
    tcase_add_test(tc, caller_cancelled);
    suite_add_tcase(s, tc);
    return s;
}
