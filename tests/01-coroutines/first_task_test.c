/*
 * Grader for 01-coroutines/first_task: run_task runs a function as a
 * task on a loop of its own, to the end, and hands back its result.
 */
// grade-exports: run_task
#include "check_main.h"

#include "aw.h"

#include <string.h>

int run_task(aw_task_fn fn, void *arg, void **result);

/* What a task function saw while it ran. */
typedef struct {
    int calls;       /* how many times the function was entered */
    int steps;       /* how many of its steps completed */
    bool in_task;    /* aw_current_task() was set: it ran as a task */
    bool loop_alive; /* the loop was running while it ran */
} record;

static void *answer(void *arg)
{
    record *r = arg;
    r->calls++;
    r->in_task = aw_current_task() != NULL;
    r->loop_alive = aw_running_loop() != NULL;
    r->steps = 1;
    return r; /* a result the grader can recognise */
}

static void *three_steps(void *arg)
{
    record *r = arg;
    r->calls++;
    r->in_task = aw_current_task() != NULL;
    for (int i = 0; i < 3; i++) {
        r->steps++;
        aw_sleep(0); /* pause: only a running loop brings us back */
    }
    r->steps++;
    return "finished";
}

static void *failing(void *arg)
{
    record *r = arg;
    r->calls++;
    aw_sleep(0);
    return aw_raise(-EIO, "the disk is on fire");
}

START_TEST(returns_the_result)
{
    record r = {0};
    void *result = NULL;
    int rc = run_task(answer, &r, &result);
    ck_assert_msg(rc == 0, "run_task returned %d, expected 0 (%s)", rc,
                  aw_last_error());
    ck_assert_msg(r.calls == 1,
                  "the task function ran %d times, expected once: create "
                  "one task with aw_task_create",
                  r.calls);
    ck_assert_msg(r.in_task,
                  "the function ran, but not as a task: do not call fn "
                  "yourself, give it to aw_task_create");
    ck_assert_msg(result == &r,
                  "*result is %p, expected %p, what the function "
                  "returned: read it with aw_task_result",
                  result, (void *)&r);
}
END_TEST

START_TEST(runs_every_step)
{
    record r = {0};
    void *result = NULL;
    int rc = run_task(three_steps, &r, &result);
    ck_assert_msg(rc == 0, "run_task returned %d, expected 0 (%s)", rc,
                  aw_last_error());
    ck_assert_msg(r.in_task, "the function did not run as a task");
    ck_assert_msg(r.steps == 4,
                  "the task paused 3 times and should have completed 4 "
                  "steps, but completed %d: run the loop until the task "
                  "is done (aw_loop_run_until_complete), not for one pass",
                  r.steps);
    ck_assert_msg(result != NULL && strcmp(result, "finished") == 0,
                  "*result is not the task's result \"finished\"");
}
END_TEST

START_TEST(reports_the_error)
{
    record r = {0};
    void *result = &r; /* must be left alone */
    int rc = run_task(failing, &r, &result);
    ck_assert_msg(r.calls == 1, "the task function ran %d times, expected 1",
                  r.calls);
    ck_assert_msg(rc == -EIO,
                  "the task failed with -EIO (%d), but run_task returned "
                  "%d: return the error code that aw_loop_run_until_complete "
                  "gives back",
                  -EIO, rc);
    ck_assert_msg(result == &r, "*result was changed although the task failed");
}
END_TEST

START_TEST(leaves_no_loop_running)
{
    record r = {0};
    void *result = NULL;
    for (int i = 0; i < 3; i++) {
        int rc = run_task(answer, &r, &result);
        ck_assert_msg(rc == 0, "call %d: run_task returned %d (%s)", i + 1, rc,
                      aw_last_error());
        ck_assert_msg(aw_running_loop() == NULL,
                      "after run_task returns, a loop is still marked as "
                      "running in this thread");
    }
    ck_assert_msg(r.calls == 3, "3 calls ran the function %d times", r.calls);
    ck_assert_msg(r.loop_alive, "the function ran without a running loop");
    /* Leaks of the loop or the task are reported by LeakSanitizer. */
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("01-coroutines/first_task");
    TCase *tc = tcase_create("run_task");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, returns_the_result);
    tcase_add_test(tc, runs_every_step);
    tcase_add_test(tc, reports_the_error);
    tcase_add_test(tc, leaves_no_loop_running);
    suite_add_tcase(s, tc);
    return s;
}
