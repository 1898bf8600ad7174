/*
 * Grader for 02-event-loop/with_timeout: a worker that cleans up when it
 * is cancelled, and a caller that gives up after a timeout.
 */
// grade-exports: fetch_or_default worker
#include "check_main.h"

#include "aw.h"

#include <math.h>
#include <stdint.h>

typedef struct {
    double work_time;
    long answer;
    int *open_connections;
} job;

void *worker(void *arg);
int fetch_or_default(job *j, double timeout, long fallback, long *answer);

static aw_loop *virtual_loop(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with: %s", aw_last_error());
    return loop;
}

static bool near(double a, double b)
{
    return fabs(a - b) < 1e-6;
}

static void cancel_task(void *task)
{
    aw_task_cancel(task);
}

/* ---- the worker alone -----------------------------------------------------
 */

START_TEST(worker_finishes)
{
    aw_loop *loop = virtual_loop();
    int open = 0;
    job j = {.work_time = 2, .answer = 7, .open_connections = &open};
    aw_task *t = aw_task_create(loop, worker, &j, "worker");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));
    ck_assert_msg(rc == 0, "the worker failed with %d (%s)", rc,
                  aw_last_error());
    ck_assert_msg((intptr_t)aw_task_result(t) == 7,
                  "the worker's result is %ld, expected 7: return "
                  "(void *)(intptr_t)j->answer",
                  (long)(intptr_t)aw_task_result(t));
    ck_assert_msg(near(aw_loop_time(loop), 2.0),
                  "the worker finished at t=%.3f, expected 2.000 (sleep "
                  "j->work_time seconds)",
                  aw_loop_time(loop));
    ck_assert_msg(open == 0, "%d connection(s) left open", open);
    aw_task_release(t);
    aw_loop_close(loop);
}
END_TEST

static void *observe_open(void *arg)
{
    int *open = arg;
    aw_sleep(0.5);
    return (void *)(intptr_t)*open;
}

START_TEST(worker_cancelled)
{
    aw_loop *loop = virtual_loop();
    int open = 0;
    job j = {.work_time = 10, .answer = 7, .open_connections = &open};
    aw_task *t = aw_task_create(loop, worker, &j, "worker");
    aw_task *probe = aw_task_create(loop, observe_open, &open, "probe");
    aw_call_later(loop, 1.0, cancel_task, t);
    aw_loop_run_until_complete(loop, aw_task_future(t));
    ck_assert_msg((intptr_t)aw_task_result(probe) == 1,
                  "while the worker worked, %ld connection(s) were open, "
                  "expected 1",
                  (long)(intptr_t)aw_task_result(probe));
    ck_assert_msg(open == 0,
                  "the worker was cancelled and left %d connection(s) "
                  "open: close it when aw_sleep fails too",
                  open);
    ck_assert_msg(aw_task_state_of(t) == AW_TASK_CANCELLED,
                  "the cancelled worker ended %s, not cancelled: pass the "
                  "cancellation on with return aw_raise(rc, ...)",
                  aw_task_state_of(t) == AW_TASK_DONE ? "done" : "pending");
    aw_task_release(t);
    aw_task_release(probe);
    aw_loop_close(loop);
}
END_TEST

/* ---- fetch_or_default -----------------------------------------------------
 */

typedef struct {
    job j;
    double timeout;
    long fallback;
    long answer;
    int rc;
    double returned_at;
    int open_at_return; /* connections open when fetch_or_default returned */
} fetch;

static void *fetcher(void *arg)
{
    fetch *f = arg;
    f->answer = -1;
    f->rc = fetch_or_default(&f->j, f->timeout, f->fallback, &f->answer);
    f->returned_at = aw_loop_time(aw_running_loop());
    f->open_at_return = *f->j.open_connections;
    return NULL;
}

/* Run fetchers concurrently; cancel the first at cancel_at if > 0. */
static void run_fetches(fetch *f, size_t n, double cancel_at)
{
    aw_loop *loop = virtual_loop();
    aw_task *tasks[8];
    for (size_t i = 0; i < n; i++)
        tasks[i] = aw_task_create(loop, fetcher, &f[i], "fetcher");
    if (cancel_at > 0)
        aw_call_later(loop, cancel_at, cancel_task, tasks[0]);
    for (size_t i = 0; i < n; i++) {
        aw_loop_run_until_complete(loop, aw_task_future(tasks[i]));
        aw_task_release(tasks[i]);
    }
    int rc = aw_loop_close(loop);
    if (rc != 0) {
        aw_loop_shutdown(loop);
        ck_abort_msg("tasks were left pending after fetch_or_default "
                     "returned: %s",
                     aw_last_error());
    }
}

START_TEST(in_time)
{
    int open = 0;
    fetch f = {.j = {1.0, 42, &open}, .timeout = 5.0, .fallback = -7};
    run_fetches(&f, 1, 0);
    ck_assert_msg(f.rc == 0, "fetch_or_default returned %d, expected 0", f.rc);
    ck_assert_msg(f.answer == 42, "*answer is %ld, expected the worker's 42",
                  f.answer);
    ck_assert_msg(near(f.returned_at, 1.0),
                  "returned at t=%.3f, expected 1.000 when the worker "
                  "finished",
                  f.returned_at);
}
END_TEST

START_TEST(too_slow)
{
    int open = 0;
    fetch f = {.j = {10.0, 42, &open}, .timeout = 2.0, .fallback = -7};
    run_fetches(&f, 1, 0);
    ck_assert_msg(f.rc == 0,
                  "fetch_or_default returned %d after a timeout, expected "
                  "0 (and the fallback)",
                  f.rc);
    ck_assert_msg(f.answer == -7,
                  "*answer is %ld after a timeout, expected the fallback -7",
                  f.answer);
    ck_assert_msg(near(f.returned_at, 2.0),
                  "returned at t=%.3f, expected 2.000 when the timeout "
                  "expired",
                  f.returned_at);
    ck_assert_msg(f.open_at_return == 0,
                  "when fetch_or_default returned, the worker's connection "
                  "was still open");
}
END_TEST

START_TEST(several_at_once)
{
    int open = 0;
    fetch f[] = {{.j = {3.0, 1, &open}, .timeout = 4.0, .fallback = -1},
                 {.j = {6.0, 2, &open}, .timeout = 4.0, .fallback = -2},
                 {.j = {1.0, 3, &open}, .timeout = 0.5, .fallback = -3},
                 {.j = {2.0, 4, &open}, .timeout = 2.5, .fallback = -4}};
    long want[] = {1, -2, -3, 4};
    double when[] = {3.0, 4.0, 0.5, 2.0};
    run_fetches(f, 4, 0);
    for (size_t i = 0; i < 4; i++) {
        ck_assert_msg(f[i].rc == 0 && f[i].answer == want[i],
                      "fetch %zu (work %.1f s, timeout %.1f s) gave rc=%d, "
                      "answer %ld; expected 0 and %ld",
                      i, f[i].j.work_time, f[i].timeout, f[i].rc, f[i].answer,
                      want[i]);
        ck_assert_msg(near(f[i].returned_at, when[i]),
                      "fetch %zu returned at t=%.3f, expected %.3f", i,
                      f[i].returned_at, when[i]);
    }
    ck_assert_msg(open == 0, "%d connection(s) left open", open);
}
END_TEST

START_TEST(caller_cancelled)
{
    int open = 0;
    fetch f = {.j = {10.0, 42, &open}, .timeout = 5.0, .fallback = -7};
    run_fetches(&f, 1, 1.0);
    ck_assert_msg(f.rc == AW_ECANCELLED,
                  "the task calling fetch_or_default was cancelled at t=1: "
                  "expected AW_ECANCELLED (%d), got %d",
                  AW_ECANCELLED, f.rc);
    ck_assert_msg(f.answer == -1, "*answer was changed although the call "
                                  "was cancelled");
    ck_assert_msg(f.open_at_return == 0,
                  "the worker's connection was still open when "
                  "fetch_or_default returned");
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("02-event-loop/with_timeout");
    TCase *tc = tcase_create("worker");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, worker_finishes);
    tcase_add_test(tc, worker_cancelled);
    suite_add_tcase(s, tc);
    tc = tcase_create("fetch_or_default");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, in_time);
    tcase_add_test(tc, too_slow);
    tcase_add_test(tc, several_at_once);
    tcase_add_test(tc, caller_cancelled);
    suite_add_tcase(s, tc);
    return s;
}
