/*
 * Grader for 01-coroutines/non_blocking_wait: tasks that sleep together
 * take as long as the longest sleep, on a loop with a virtual clock.
 */
// grade-exports: run_concurrently
#include "check_main.h"

#include "aw.h"

#include <math.h>
#include <stdlib.h>

int run_concurrently(aw_task_fn fn, void *const *args, size_t n,
                     double *elapsed);

typedef struct {
    double delay;   /* how long to sleep */
    double started; /* loop time when the task began */
    double woke;    /* loop time when its sleep ended */
    int rc;         /* what aw_sleep returned */
    bool ran;
} sleeper;

static void *sleep_a_while(void *arg)
{
    sleeper *s = arg;
    aw_loop *loop = aw_running_loop();
    s->ran = true;
    s->started = aw_loop_time(loop);
    s->rc = aw_sleep(s->delay);
    s->woke = aw_loop_time(loop);
    return NULL;
}

/* Times on the virtual clock are exact sums of the delays; allow only
 * for the rounding of seconds to nanoseconds. */
static bool same_time(double a, double b)
{
    return fabs(a - b) < 1e-6;
}

static void check_sleepers(sleeper *s, size_t n)
{
    void **args = calloc(n, sizeof *args);
    double longest = 0;
    for (size_t i = 0; i < n; i++) {
        args[i] = &s[i];
        longest = fmax(longest, s[i].delay);
    }
    double elapsed = -1;
    int rc = run_concurrently(sleep_a_while, args, n, &elapsed);
    free(args);
    ck_assert_msg(rc == 0, "run_concurrently returned %d, expected 0 (%s)", rc,
                  aw_last_error());
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(s[i].ran, "task %zu never ran", i);
        ck_assert_msg(i > 0 || s[i].started < 1.0,
                      "the first task started at loop time %.3f: a loop made "
                      "with aw_loop_options.virtual_clock = true starts at 0",
                      s[i].started);
        ck_assert_msg(same_time(s[i].started, s[0].started),
                      "task %zu started at t=%.3f, after others had waited: "
                      "create all the tasks before you run the loop",
                      i, s[i].started);
        ck_assert_msg(s[i].rc == 0, "task %zu: aw_sleep returned %d (%s)", i,
                      s[i].rc, aw_last_error());
        ck_assert_msg(same_time(s[i].woke, s[i].delay),
                      "task %zu slept %.3f s but woke at t=%.3f", i, s[i].delay,
                      s[i].woke);
    }
    ck_assert_msg(same_time(elapsed, longest),
                  "*elapsed is %.3f, expected %.3f: the time from before "
                  "the first task started until the last one finished",
                  elapsed, longest);
}

START_TEST(three_short_sleeps)
{
    sleeper s[] = {{.delay = 0.3}, {.delay = 0.1}, {.delay = 0.2}};
    check_sleepers(s, 3);
}
END_TEST

START_TEST(a_hundred_long_sleeps)
{
    /* Hours of waiting: only a virtual clock gets through this in time. */
    enum { N = 100 };
    sleeper s[N] = {{0}};
    for (int i = 0; i < N; i++)
        s[i].delay = 60.0 * ((i * 37) % N + 1);
    check_sleepers(s, N);
}
END_TEST

START_TEST(equal_sleeps)
{
    sleeper s[] = {{.delay = 2}, {.delay = 2}, {.delay = 2}, {.delay = 2}};
    check_sleepers(s, 4);
}
END_TEST

/* Sleeps, then fails with the code in `rc` (0: succeeds). */
static void *sleep_then_fail(void *arg)
{
    sleeper *s = arg;
    int fail = s->rc;
    s->ran = true;
    s->rc = aw_sleep(s->delay);
    s->woke = aw_loop_time(aw_running_loop());
    if (s->rc == 0 && fail != 0)
        return aw_raise(fail, "failed on purpose");
    return s->rc ? aw_raise(s->rc, aw_last_error()) : NULL;
}

START_TEST(failures_wait_for_all)
{
    /* Task 1 fails first, task 2 later; task 3 is the last to finish. */
    sleeper s[] = {{.delay = 0.3},
                   {.delay = 0.1, .rc = -EIO},
                   {.delay = 0.2, .rc = -EPIPE},
                   {.delay = 0.4}};
    void *args[] = {&s[0], &s[1], &s[2], &s[3]};
    double elapsed = -1;
    int rc = run_concurrently(sleep_then_fail, args, 4, &elapsed);
    ck_assert_msg(rc == -EIO,
                  "tasks 1 (-EIO) and 2 (-EPIPE) failed: run_concurrently "
                  "returned %d (%s), expected the first failed task's code, "
                  "-EIO",
                  rc, aw_strerror(rc));
    ck_assert_msg(s[3].ran && same_time(s[3].woke, 0.4),
                  "task 3 (0.4 s) had not finished when run_concurrently "
                  "returned: after a failure, still wait for every task");
    ck_assert_msg(same_time(elapsed, 0.4),
                  "*elapsed is %.3f, expected 0.400: the time until the last "
                  "task finished, failed ones included",
                  elapsed);
}
END_TEST

START_TEST(no_tasks)
{
    double elapsed = -1;
    int rc = run_concurrently(sleep_a_while, NULL, 0, &elapsed);
    ck_assert_msg(rc == 0, "run_concurrently with no tasks returned %d", rc);
    ck_assert_msg(same_time(elapsed, 0), "no tasks took %g s, expected 0",
                  elapsed);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("01-coroutines/non_blocking_wait");
    TCase *tc = tcase_create("run_concurrently");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, three_short_sleeps);
    tcase_add_test(tc, a_hundred_long_sleeps);
    tcase_add_test(tc, equal_sleeps);
    tcase_add_test(tc, failures_wait_for_all);
    tcase_add_test(tc, no_tasks);
    suite_add_tcase(s, tc);
    return s;
}
