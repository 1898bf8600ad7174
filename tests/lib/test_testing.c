/*
 * test_testing.c - the async test toolkit (aw_test.h): steps in order,
 * failures reported, leftovers caught, and the virtual clock.
 *
 * Most tests run a case with aw_test_evaluate, which reports instead of
 * failing, so a test can check that a broken case IS caught and what the
 * report says. aw_test_run, the Check form, runs the passing cases.
 */
#include "runner.h"

#include "aw_test.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { REPORT = 4000 };

static void assert_contains(const char *report, const char *part)
{
    ck_assert_msg(strstr(report, part) != NULL,
                  "expected the report to mention \"%s\"; it says:\n%s", part,
                  report);
}

/* ---- a passing test, the Check way ------------------------------------ */

// ANCHOR: first_test
static void *sleeps_then_checks(aw_test *t)
{
    aw_loop *loop = aw_test_loop(t);
    double start = aw_loop_time(loop);
    ck_assert_int_eq(aw_sleep(0.1), 0);
    ck_assert_double_ge(aw_loop_time(loop) - start, 0.1);
    return NULL;
}

START_TEST(a_body_runs_as_a_task_in_a_fresh_loop)
{
    aw_test_case tc = {.body = sleeps_then_checks};
    aw_test_run(&tc);
}
END_TEST
// ANCHOR_END: first_test

static void *sees_its_own_loop(aw_test *t)
{
    ck_assert_ptr_nonnull(aw_current_task());
    ck_assert_ptr_eq(aw_running_loop(), aw_test_loop(t));
    ck_assert_msg(aw_loop_debug(aw_test_loop(t)), "debug mode is on");
    ck_assert_str_eq(aw_task_name(aw_current_task()), "body");
    return NULL;
}

START_TEST(the_body_runs_in_debug_mode_on_the_tests_loop)
{
    aw_test_case tc = {.body = sees_its_own_loop};
    aw_test_run(&tc);
    ck_assert_ptr_null(aw_running_loop());
}
END_TEST

// ANCHOR: state_asserts
static void *answer_later(void *arg)
{
    int rc = aw_sleep(*(double *)arg);
    return rc ? aw_raise(rc, "cancelled") : "42";
}

static void *refuse(void *arg)
{
    (void)arg;
    return aw_raise(-ECONNREFUSED, "no");
}

static void *checks_task_and_loop_state(aw_test *t)
{
    aw_loop *loop = aw_test_loop(t);
    double delay = 2;
    aw_task *worker = aw_task_create(loop, answer_later, &delay, "worker");
    ck_assert_int_eq(aw_task_state_of(worker), AW_TASK_PENDING);

    aw_sleep(1); /* the worker is asleep now: one timer is its own */
    aw_loop_stats stats;
    aw_loop_get_stats(loop, &stats);
    ck_assert_int_eq(stats.state, AW_LOOP_RUNNING);
    ck_assert_int_eq(stats.timers, 1);
    ck_assert_int_eq(aw_task_await_kind(worker), AW_AWAITS_SLEEP);

    ck_assert_int_eq(aw_await(aw_task_future(worker), NULL), 0);
    ck_assert_int_eq(aw_task_state_of(worker), AW_TASK_DONE);
    ck_assert_str_eq(aw_task_result(worker), "42");
    aw_task_release(worker);

    aw_task *failing = aw_task_create(loop, refuse, NULL, "failing");
    ck_assert_int_eq(aw_await(aw_task_future(failing), NULL), -ECONNREFUSED);
    ck_assert_int_eq(aw_task_error(failing), -ECONNREFUSED);
    ck_assert_str_eq(aw_task_message(failing), "no");
    aw_task_release(failing);

    aw_task *slow = aw_task_create(loop, answer_later, &delay, "slow");
    aw_sleep(0);
    aw_task_cancel(slow);
    ck_assert_int_eq(aw_await(aw_task_future(slow), NULL), AW_ECANCELLED);
    ck_assert_int_eq(aw_task_state_of(slow), AW_TASK_CANCELLED);
    aw_task_release(slow);
    return NULL;
}

START_TEST(assertions_on_task_and_loop_state)
{
    aw_test_case tc = {.body = checks_task_and_loop_state,
                       .loop.virtual_clock = true};
    aw_test_run(&tc);
}
END_TEST
// ANCHOR_END: state_asserts

/* ---- steps, in order -------------------------------------------------- */

typedef struct {
    char log[200];
    bool fail_setup, fail_body;
} journal;

static void note(journal *j, const char *what)
{
    strncat(j->log, what, sizeof j->log - strlen(j->log) - 1);
    strncat(j->log, " ", sizeof j->log - strlen(j->log) - 1);
}

static void *cleanup_one(void *arg)
{
    note(arg, "cleanup1");
    return NULL;
}

static void *cleanup_two(void *arg)
{
    aw_sleep(0.01); /* a cleanup is a task: it may await */
    note(arg, "cleanup2");
    return NULL;
}

static void *journal_setup(aw_test *t)
{
    journal *j = aw_test_data(t);
    note(j, "setup");
    aw_test_add_cleanup(t, cleanup_one, j);
    if (j->fail_setup)
        return aw_test_fail("setup could not connect");
    return NULL;
}

static void *journal_body(aw_test *t)
{
    journal *j = aw_test_data(t);
    aw_test_add_cleanup(t, cleanup_two, j);
    note(j, "body");
    if (j->fail_body)
        return aw_test_fail("expected %d, got %d", 42, 41);
    return NULL;
}

static void *journal_teardown(aw_test *t)
{
    note(aw_test_data(t), "teardown");
    return NULL;
}

static int run_journal(journal *j, char *report)
{
    aw_test_case tc = {
        .name = "journal",
        .setup = journal_setup,
        .body = journal_body,
        .teardown = journal_teardown,
        .data = j,
    };
    return aw_test_evaluate(&tc, report, REPORT);
}

START_TEST(steps_run_in_unittest_order)
{
    journal j = {0};
    char report[REPORT];
    ck_assert_int_eq(run_journal(&j, report), 0);
    ck_assert_str_eq(j.log, "setup body teardown cleanup2 cleanup1 ");
    ck_assert_str_eq(report, "");
}
END_TEST

START_TEST(a_failing_body_still_gets_teardown_and_cleanups)
{
    journal j = {.fail_body = true};
    char report[REPORT];
    ck_assert_int_eq(run_journal(&j, report), AW_TEST_EFAILED);
    ck_assert_str_eq(j.log, "setup body teardown cleanup2 cleanup1 ");
    assert_contains(report, "async test 'journal' failed:");
    assert_contains(report, "body failed: expected 42, got 41");
}
END_TEST

START_TEST(a_failing_setup_skips_body_and_teardown_not_cleanups)
{
    journal j = {.fail_setup = true};
    char report[REPORT];
    ck_assert_int_eq(run_journal(&j, report), AW_TEST_EFAILED);
    ck_assert_str_eq(j.log, "setup cleanup1 ");
    assert_contains(report, "setup failed: setup could not connect");
}
END_TEST

static void *raises_reset(aw_test *t)
{
    (void)t;
    return aw_raise(-ECONNRESET, "the server hung up");
}

START_TEST(a_step_that_raises_is_reported_with_its_error)
{
    char report[REPORT];
    aw_test_case tc = {.body = raises_reset};
    ck_assert_int_eq(aw_test_evaluate(&tc, report, sizeof report), -ECONNRESET);
    assert_contains(report, "body failed with Connection reset by peer");
    assert_contains(report, "the server hung up");
}
END_TEST

/* ---- leftovers: each one caught and named ----------------------------- */

static void *sleep_an_hour(void *arg)
{
    (void)arg;
    aw_sleep(3600);
    return NULL;
}

static int leaked_task_line;

// ANCHOR: leaky_body
static void *leaks_a_task(aw_test *t)
{
    /* Started and forgotten: nobody awaits or cancels it. */
    aw_loop *loop = aw_test_loop(t);
    leaked_task_line = __LINE__ + 1;
    aw_task *sleeper = aw_task_create(loop, sleep_an_hour, NULL, "sleeper");
    aw_task_release(sleeper);
    return NULL;
}
// ANCHOR_END: leaky_body

START_TEST(a_leaked_task_is_caught_with_where_it_was_created)
{
    char report[REPORT], origin[64];
    aw_test_case tc = {.body = leaks_a_task, .loop.virtual_clock = true};
    ck_assert_int_eq(aw_test_evaluate(&tc, report, sizeof report), AW_ESTATE);
    snprintf(origin, sizeof origin, "created at test_testing.c:%d",
             leaked_task_line);
    assert_contains(report, "task 'sleeper'");
    assert_contains(report, origin);
    assert_contains(report, "awaiting sleep, 3600.000 s left");
}
END_TEST

static void on_timer(void *arg)
{
    (void)arg;
}

static void *leaks_a_timer(aw_test *t)
{
    aw_call_later(aw_test_loop(t), 30, on_timer, NULL);
    return NULL;
}

START_TEST(a_leaked_timer_is_caught_with_its_callback)
{
    char report[REPORT];
    aw_test_case tc = {.body = leaks_a_timer, .loop.virtual_clock = true};
    ck_assert_int_eq(aw_test_evaluate(&tc, report, sizeof report), AW_ESTATE);
    assert_contains(report, "is still scheduled: due in 30.000 s");
    assert_contains(report, "it would call on_timer");
}
END_TEST

static void *cancels_its_timer(aw_test *t)
{
    uint64_t id = aw_call_later(aw_test_loop(t), 30, on_timer, NULL);
    ck_assert_int_eq(aw_timer_cancel(aw_test_loop(t), id), 0);
    return NULL;
}

START_TEST(a_cancelled_timer_is_not_a_leftover)
{
    char report[REPORT];
    aw_test_case tc = {.body = cancels_its_timer};
    ck_assert_int_eq(aw_test_evaluate(&tc, report, sizeof report), 0);
}
END_TEST

static int leaked_pipe[2] = {-1, -1};

static void *leaks_a_descriptor(aw_test *t)
{
    (void)t;
    ck_assert_int_eq(pipe(leaked_pipe), 0);
    close(leaked_pipe[1]); /* one end closed, the other forgotten */
    leaked_pipe[1] = -1;
    return NULL;
}

START_TEST(a_leaked_descriptor_is_caught_with_what_it_is)
{
    char report[REPORT], expected[64];
    aw_test_case tc = {.body = leaks_a_descriptor};
    int rc = aw_test_evaluate(&tc, report, sizeof report);
    ck_assert_int_ge(leaked_pipe[0], 0);
    snprintf(expected, sizeof expected, "descriptor %d (pipe:[",
             leaked_pipe[0]);
    close(leaked_pipe[0]);
    ck_assert_int_eq(rc, AW_ESTATE);
    assert_contains(report, expected);
    assert_contains(report, "was opened during the test and is still open");
}
END_TEST

static void *closes_what_it_opens(aw_test *t)
{
    (void)t;
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    close(fds[0]);
    close(fds[1]);
    return NULL;
}

START_TEST(descriptors_open_before_the_test_are_not_blamed)
{
    int before[2];
    char report[REPORT];
    ck_assert_int_eq(pipe(before), 0);
    aw_test_case tc = {.body = closes_what_it_opens};
    int rc = aw_test_evaluate(&tc, report, sizeof report);
    close(before[0]);
    close(before[1]);
    ck_assert_msg(rc == 0, "expected a clean test, got:\n%s", report);
}
END_TEST

/* A callback that schedules itself again forever: one is always queued. */
static void spin(void *arg)
{
    aw_call_soon(arg, spin, arg);
}

static void *leaves_a_callback_spinning(aw_test *t)
{
    aw_call_soon(aw_test_loop(t), spin, aw_test_loop(t));
    return NULL;
}

START_TEST(a_queued_callback_is_caught_by_name)
{
    char report[REPORT];
    aw_test_case tc = {.body = leaves_a_callback_spinning};
    ck_assert_int_eq(aw_test_evaluate(&tc, report, sizeof report), AW_ESTATE);
    assert_contains(report, "callback spin is still queued");
}
END_TEST

static aw_loop *forgotten;

static void *opens_a_second_loop(aw_test *t)
{
    (void)t;
    forgotten =
        aw_loop_new_with(&(aw_loop_options){.backend = AW_BACKEND_EPOLL});
    ck_assert_ptr_nonnull(forgotten);
    return NULL;
}

START_TEST(a_forgotten_loop_shows_up_as_its_descriptor)
{
    char report[REPORT];
    aw_test_case tc = {.body = opens_a_second_loop};
    int rc = aw_test_evaluate(&tc, report, sizeof report);
    ck_assert_int_eq(aw_loop_close(forgotten), 0);
    ck_assert_int_eq(rc, AW_ESTATE);
    assert_contains(report, "anon_inode:[eventpoll]");
}
END_TEST

/* ---- time ------------------------------------------------------------- */

// ANCHOR: timeout_test
static void *waits_for_a_slow_reply(aw_test *t)
{
    /* A reply that never comes: the 30 s timeout must fire. */
    aw_future *reply = aw_future_new(aw_test_loop(t));
    double start = aw_loop_time(aw_test_loop(t));
    int rc = aw_wait_for(reply, 30, NULL);
    double waited = aw_loop_time(aw_test_loop(t)) - start;
    aw_future_release(reply);
    ck_assert_int_eq(rc, AW_ETIMEDOUT);
    ck_assert_double_eq_tol(waited, 30.0, 1e-9);
    return NULL;
}

START_TEST(a_30_second_timeout_in_virtual_time)
{
    aw_test_case tc = {
        .body = waits_for_a_slow_reply,
        .loop.virtual_clock = true, /* time jumps when all tasks wait */
    };
    aw_test_run(&tc);
}
END_TEST
// ANCHOR_END: timeout_test

static void *sleeps_a_minute(aw_test *t)
{
    (void)t;
    aw_sleep(60);
    return NULL;
}

START_TEST(a_body_over_its_time_limit_fails)
{
    char report[REPORT];
    aw_test_case tc = {
        .body = sleeps_a_minute, .timeout = 30, .loop.virtual_clock = true};
    ck_assert_int_eq(aw_test_evaluate(&tc, report, sizeof report),
                     AW_ETIMEDOUT);
    assert_contains(report, "body did not finish within 30 s of loop time");
}
END_TEST

static void *sleeps_29_seconds(aw_test *t)
{
    ck_assert_int_eq(aw_sleep(29), 0);
    ck_assert_double_eq_tol(aw_loop_time(aw_test_loop(t)), 29.0, 1e-9);
    return NULL;
}

START_TEST(a_body_within_its_time_limit_passes)
{
    aw_test_case tc = {
        .body = sleeps_29_seconds, .timeout = 30, .loop.virtual_clock = true};
    aw_test_run(&tc);
}
END_TEST

static void *awaits_forever(aw_test *t)
{
    aw_future *never = aw_future_new(aw_test_loop(t));
    aw_await(never, NULL);
    aw_future_release(never);
    return NULL;
}

START_TEST(a_deadlocked_body_is_reported_not_hung)
{
    char report[REPORT];
    aw_test_case tc = {.body = awaits_forever};
    ck_assert_int_eq(aw_test_evaluate(&tc, report, sizeof report),
                     AW_EDEADLOCK);
    assert_contains(report, "the loop stopped:");
    assert_contains(report, "deadlock");
    assert_contains(report, "body");
}
END_TEST

/* The virtual clock moves only when nothing can run, straight to the
 * next deadline: wakeups come in deadline order at exact times. */
typedef struct {
    aw_loop *loop;
    double woke[3];
    int n;
} alarm_log;

typedef struct {
    alarm_log *log;
    double delay;
} sleeper_arg;

static void *sleep_and_log(void *arg)
{
    sleeper_arg *s = arg;
    aw_sleep(s->delay);
    s->log->woke[s->log->n++] = aw_loop_time(s->log->loop);
    return NULL;
}

static void *three_sleepers(aw_test *t)
{
    alarm_log log = {.loop = aw_test_loop(t)};
    sleeper_arg args[3] = {{&log, 20}, {&log, 5}, {&log, 12.5}};
    aw_future *done[3];
    for (int i = 0; i < 3; i++)
        done[i] = aw_task_future(
            aw_task_create(log.loop, sleep_and_log, &args[i], NULL));
    aw_future *all = aw_gather(log.loop, done, 3);
    ck_assert_int_eq(aw_await(all, NULL), 0);
    aw_future_release(all);
    for (int i = 0; i < 3; i++)
        aw_future_release(done[i]);
    ck_assert_int_eq(log.n, 3);
    ck_assert_double_eq_tol(log.woke[0], 5.0, 1e-9);
    ck_assert_double_eq_tol(log.woke[1], 12.5, 1e-9);
    ck_assert_double_eq_tol(log.woke[2], 20.0, 1e-9);
    return NULL;
}

START_TEST(virtual_time_jumps_to_each_deadline_in_order)
{
    aw_test_case tc = {.body = three_sleepers, .loop.virtual_clock = true};
    aw_test_run(&tc);
}
END_TEST

typedef struct {
    aw_loop *loop;
    int left;
    double first, last;
} busy;

static void busy_step(void *arg)
{
    busy *b = arg;
    b->last = aw_loop_time(b->loop);
    if (--b->left > 0)
        aw_call_soon(b->loop, busy_step, b);
}

static void *runs_while_a_timer_waits(aw_test *t)
{
    busy b = {.loop = aw_test_loop(t), .left = 1000};
    b.first = aw_loop_time(b.loop);
    aw_call_soon(b.loop, busy_step, &b);
    aw_sleep(1); /* a timer is due in 1 s, but callbacks are ready */
    ck_assert_int_eq(b.left, 0);
    ck_assert_double_eq(b.last, b.first); /* time stood still meanwhile */
    ck_assert_double_eq_tol(aw_loop_time(b.loop) - b.first, 1.0, 1e-9);
    return NULL;
}

START_TEST(virtual_time_stands_still_while_anything_can_run)
{
    aw_test_case tc = {.body = runs_while_a_timer_waits,
                       .loop.virtual_clock = true};
    aw_test_run(&tc);
}
END_TEST

/* ---- misuse ----------------------------------------------------------- */

START_TEST(a_case_without_a_body_is_misuse)
{
    char report[REPORT];
    aw_test_case tc = {.name = "empty"};
    ck_assert_int_eq(aw_test_evaluate(&tc, report, sizeof report), AW_EMISUSE);
    assert_contains(report, "needs a body");
    ck_assert_int_eq(aw_test_evaluate(NULL, NULL, 0), AW_EMISUSE);
    ck_assert_int_eq(aw_test_add_cleanup(NULL, cleanup_one, NULL), AW_EMISUSE);
}
END_TEST

START_TEST(aw_test_fail_outside_a_task_is_misuse)
{
    ck_assert_ptr_null(aw_test_fail("no task here"));
    assert_contains(aw_last_error(), "outside a task");
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("testing");
    TCase *run = tcase_create("run");
    tcase_add_test(run, a_body_runs_as_a_task_in_a_fresh_loop);
    tcase_add_test(run, the_body_runs_in_debug_mode_on_the_tests_loop);
    tcase_add_test(run, assertions_on_task_and_loop_state);
    tcase_add_test(run, steps_run_in_unittest_order);
    tcase_add_test(run, a_failing_body_still_gets_teardown_and_cleanups);
    tcase_add_test(run, a_failing_setup_skips_body_and_teardown_not_cleanups);
    tcase_add_test(run, a_step_that_raises_is_reported_with_its_error);
    suite_add_tcase(s, run);

    TCase *leftovers = tcase_create("leftovers");
    tcase_add_test(leftovers,
                   a_leaked_task_is_caught_with_where_it_was_created);
    tcase_add_test(leftovers, a_leaked_timer_is_caught_with_its_callback);
    tcase_add_test(leftovers, a_cancelled_timer_is_not_a_leftover);
    tcase_add_test(leftovers, a_leaked_descriptor_is_caught_with_what_it_is);
    tcase_add_test(leftovers, descriptors_open_before_the_test_are_not_blamed);
    tcase_add_test(leftovers, a_queued_callback_is_caught_by_name);
    tcase_add_test(leftovers, a_forgotten_loop_shows_up_as_its_descriptor);
    suite_add_tcase(s, leftovers);

    TCase *time = tcase_create("time");
    tcase_add_test(time, a_30_second_timeout_in_virtual_time);
    tcase_add_test(time, a_body_over_its_time_limit_fails);
    tcase_add_test(time, a_body_within_its_time_limit_passes);
    tcase_add_test(time, a_deadlocked_body_is_reported_not_hung);
    tcase_add_test(time, virtual_time_jumps_to_each_deadline_in_order);
    tcase_add_test(time, virtual_time_stands_still_while_anything_can_run);
    suite_add_tcase(s, time);

    TCase *misuse = tcase_create("misuse");
    tcase_add_test(misuse, a_case_without_a_body_is_misuse);
    tcase_add_test(misuse, aw_test_fail_outside_a_task_is_misuse);
    suite_add_tcase(s, misuse);
    return s;
}
