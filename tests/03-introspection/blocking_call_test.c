/*
 * Grader for 03-introspection/blocking_call: the worker and the
 * heartbeat must take turns, and the pauses must stay 0.3 s long.
 *
 * The loop runs on the virtual clock, so the order of events is exact;
 * debug mode's report is shown only to help find the bug, and no
 * assertion depends on how long anything took in real time.
 */
// grade-exports: run_jobs
#include "check_main.h"

#include "aw.h"

#include <string.h>

int run_jobs(aw_loop *loop, int njobs, char *log, size_t len);

static char report[1200];

static int run_with_report(aw_loop *loop, int njobs, char *log, size_t len)
{
    FILE *out = tmpfile();
    ck_assert_ptr_nonnull(out);
    aw_debug_set_output(out);
    int rc = run_jobs(loop, njobs, log, len);
    aw_debug_set_output(NULL);
    fflush(out);
    rewind(out);
    report[fread(report, 1, sizeof report - 1, out)] = '\0';
    fclose(out);
    return rc;
}

static aw_loop *debug_loop(void)
{
    aw_loop_options options = {.debug = true, .virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with: %s", aw_last_error());
    /* Steps here take microseconds; a blocked loop takes 0.3 s or more. */
    aw_loop_set_slow_callback_duration(loop, 0.2);
    return loop;
}

static void check_log(int njobs, const char *want)
{
    aw_loop *loop = debug_loop();
    char log[128];
    int rc = run_with_report(loop, njobs, log, sizeof log);
    ck_assert_msg(rc == 0, "run_jobs returned %d (%s)", rc, aw_strerror(rc));
    if (strcmp(log, want) != 0 && report[0])
        printf("Debug mode reported:\n%s", report);
    ck_assert_msg(strcmp(log, want) == 0,
                  "with %d jobs the log is \"%s\", expected \"%s\": the "
                  "heartbeat should beat while the worker pauses",
                  njobs, log, want);
    double expected_time = 0.3 * (njobs - 1);
    double t = aw_loop_time(loop);
    ck_assert_msg(t > expected_time - 1e-9 && t < expected_time + 0.2,
                  "the run took %.3f s of loop time, expected %.3f s: keep "
                  "the 0.3 s pauses between jobs",
                  t, expected_time);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}

START_TEST(four_jobs_take_turns_with_the_heartbeat)
{
    check_log(4, "JhhJhhJhhhJ");
}
END_TEST

START_TEST(two_jobs)
{
    check_log(2, "JhhJ");
}
END_TEST

START_TEST(one_job_needs_no_pause)
{
    check_log(1, "J");
}
END_TEST

START_TEST(the_pauses_are_loop_time)
{
    aw_loop *loop = debug_loop();
    char log[128];
    ck_assert_int_eq(run_with_report(loop, 3, log, sizeof log), 0);
    double t = aw_loop_time(loop);
    ck_assert_msg(t > 0.6 - 1e-9 && t < 0.6 + 0.2,
                  "3 jobs should take 0.6 s of loop time (two pauses), took "
                  "%.3f s",
                  t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("03-introspection/blocking_call");
    TCase *tc = tcase_create("run_jobs");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, four_jobs_take_turns_with_the_heartbeat);
    tcase_add_test(tc, two_jobs);
    tcase_add_test(tc, one_job_needs_no_pause);
    tcase_add_test(tc, the_pauses_are_loop_time);
    suite_add_tcase(s, tc);
    return s;
}
