/*
 * Grader for 03-introspection/loop_census: take_census counts the
 * pending tasks by what they await, and the loop's callbacks, timers
 * and descriptors.
 */
// grade-exports: take_census
#include "check_main.h"

#include "aw.h"

#include <string.h>
#include <unistd.h>

typedef struct {
    size_t tasks, running, sleeping, on_tasks, on_futures;
    size_t ready, timers, fds;
    bool quiet;
} census;

int take_census(aw_loop *loop, census *c);

static aw_loop *virtual_loop(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with: %s", aw_last_error());
    return loop;
}

static void stop_loop(void *loop)
{
    aw_loop_stop(loop);
}

static void nothing(void *arg)
{
    (void)arg;
}

static void *sleep_long(void *arg)
{
    (void)arg;
    aw_sleep(100);
    return NULL;
}

static void *await_future(void *arg)
{
    aw_await(arg, NULL);
    return NULL;
}

static void *await_task(void *arg)
{
    aw_await(aw_task_future(arg), NULL);
    return NULL;
}

static void *await_gather(void *arg)
{
    aw_task **two = arg;
    aw_future *fs[2] = {aw_task_future(two[0]), aw_task_future(two[1])};
    aw_future *all = aw_gather(aw_running_loop(), fs, 2);
    aw_await(all, NULL);
    aw_future_release(all);
    return NULL;
}

/* Cancel whatever is pending, let it all finish, close the loop. */
static void finish(aw_loop *loop)
{
    aw_task *tasks[128];
    size_t n = aw_loop_tasks(loop, tasks, 128);
    ck_assert_uint_le(n, 128);
    for (size_t i = 0; i < n; i++) {
        aw_task_retain(tasks[i]);
        aw_task_cancel(tasks[i]);
    }
    for (size_t i = 0; i < n; i++) {
        aw_loop_run_until_complete(loop, aw_task_future(tasks[i]));
        aw_task_release(tasks[i]);
    }
    aw_call_soon(loop, stop_loop, loop); /* one more pass: done callbacks */
    aw_loop_run_forever(loop);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}

static void expect(const census *got, const census *want, const char *when)
{
    ck_assert_msg(got->tasks == want->tasks, "%s: tasks = %zu, expected %zu",
                  when, got->tasks, want->tasks);
    ck_assert_msg(got->running == want->running,
                  "%s: running = %zu, expected %zu", when, got->running,
                  want->running);
    ck_assert_msg(got->sleeping == want->sleeping,
                  "%s: sleeping = %zu, expected %zu", when, got->sleeping,
                  want->sleeping);
    ck_assert_msg(got->on_tasks == want->on_tasks,
                  "%s: on_tasks = %zu, expected %zu", when, got->on_tasks,
                  want->on_tasks);
    ck_assert_msg(got->on_futures == want->on_futures,
                  "%s: on_futures = %zu, expected %zu", when, got->on_futures,
                  want->on_futures);
    ck_assert_msg(got->ready == want->ready, "%s: ready = %zu, expected %zu",
                  when, got->ready, want->ready);
    ck_assert_msg(got->timers == want->timers, "%s: timers = %zu, expected %zu",
                  when, got->timers, want->timers);
    ck_assert_msg(got->fds == want->fds, "%s: fds = %zu, expected %zu", when,
                  got->fds, want->fds);
    ck_assert_msg(got->quiet == want->quiet, "%s: quiet = %s, expected %s",
                  when, got->quiet ? "true" : "false",
                  want->quiet ? "true" : "false");
}

START_TEST(a_new_loop_is_quiet)
{
    aw_loop *loop = virtual_loop();
    census c;
    memset(&c, 0xff, sizeof c);
    ck_assert_int_eq(take_census(loop, &c), 0);
    expect(&c, &(census){.quiet = true}, "a new loop");
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(counts_every_kind_of_wait)
{
    aw_loop *loop = virtual_loop();
    aw_future *never = aw_future_new(loop);
    aw_task *s1 = aw_task_create(loop, sleep_long, NULL, "s1");
    aw_task *s2 = aw_task_create(loop, sleep_long, NULL, "s2");
    aw_task *both[2] = {s1, s2};
    aw_task *t1 = aw_task_create(loop, await_task, s1, "on-task");
    aw_task *t2 = aw_task_create(loop, await_gather, both, "on-gather");
    aw_task *f1 = aw_task_create(loop, await_future, never, "on-future");
    aw_call_later(loop, 1.0, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);

    census c;
    ck_assert_int_eq(take_census(loop, &c), 0);
    expect(&c,
           &(census){.tasks = 5,
                     .sleeping = 2,
                     .on_tasks = 2,
                     .on_futures = 1,
                     .timers = 2},
           "five tasks waiting");

    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    aw_add_reader(loop, fds[0], nothing, NULL);
    aw_call_soon(loop, nothing, NULL);
    aw_call_soon(loop, nothing, NULL);
    aw_call_later(loop, 5.0, nothing, NULL);
    ck_assert_int_eq(take_census(loop, &c), 0);
    expect(&c,
           &(census){.tasks = 5,
                     .sleeping = 2,
                     .on_tasks = 2,
                     .on_futures = 1,
                     .ready = 2,
                     .timers = 3,
                     .fds = 1},
           "with two callbacks, one more timer and a reader");
    aw_remove_reader(loop, fds[0]);
    close(fds[0]);
    close(fds[1]);

    aw_task *all[] = {s1, s2, t1, t2, f1};
    for (int i = 0; i < 5; i++)
        aw_task_release(all[i]);
    finish(loop);
    aw_future_release(never);
}
END_TEST

static void *census_from_inside(void *arg)
{
    census *c = arg;
    take_census(aw_running_loop(), c);
    return NULL;
}

START_TEST(inside_a_task_one_is_running)
{
    aw_loop *loop = virtual_loop();
    aw_task *s = aw_task_create(loop, sleep_long, NULL, "sleeper");
    census c;
    memset(&c, 0, sizeof c);
    aw_task *t = aw_task_create(loop, census_from_inside, &c, "counter");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    expect(&c, &(census){.tasks = 2, .running = 1, .sleeping = 1, .timers = 1},
           "from inside a task, with one other task asleep");
    aw_task_release(s);
    aw_task_release(t);
    finish(loop);
}
END_TEST

static void *ready_task(void *arg)
{
    return arg;
}

START_TEST(a_task_not_yet_started_is_pending_and_ready)
{
    aw_loop *loop = virtual_loop();
    aw_task *t = aw_task_create(loop, ready_task, NULL, "fresh");
    census c;
    ck_assert_int_eq(take_census(loop, &c), 0);
    expect(&c, &(census){.tasks = 1, .ready = 1},
           "one task created, not yet run");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    aw_task_release(t);
    ck_assert_int_eq(take_census(loop, &c), 0);
    expect(&c, &(census){.quiet = true}, "after the task finished");
    aw_call_later(loop, 1.0, nothing, NULL);
    ck_assert_int_eq(take_census(loop, &c), 0);
    expect(&c, &(census){.timers = 1},
           "a timer alone is enough to make the loop not quiet");
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(many_tasks_are_all_counted)
{
    aw_loop *loop = virtual_loop();
    aw_task *t[100];
    for (int i = 0; i < 100; i++)
        t[i] = aw_task_create(loop, sleep_long, NULL, NULL);
    aw_call_later(loop, 1.0, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    census c;
    ck_assert_int_eq(take_census(loop, &c), 0);
    expect(&c, &(census){.tasks = 100, .sleeping = 100, .timers = 100},
           "a hundred sleeping tasks");
    for (int i = 0; i < 100; i++)
        aw_task_release(t[i]);
    finish(loop);
}
END_TEST

START_TEST(null_arguments_are_misuse)
{
    aw_loop *loop = virtual_loop();
    census c, untouched;
    memset(&c, 0x5a, sizeof c);
    untouched = c;
    ck_assert_msg(take_census(NULL, &c) == AW_EMISUSE,
                  "take_census(NULL, &c) should return AW_EMISUSE");
    ck_assert_msg(memcmp(&c, &untouched, sizeof c) == 0,
                  "take_census(NULL, &c) changed c: on misuse, return "
                  "AW_EMISUSE before writing anything");
    ck_assert_msg(take_census(loop, NULL) == AW_EMISUSE,
                  "take_census(loop, NULL) should return AW_EMISUSE");
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("03-introspection/loop_census");
    TCase *tc = tcase_create("take_census");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, a_new_loop_is_quiet);
    tcase_add_test(tc, counts_every_kind_of_wait);
    tcase_add_test(tc, inside_a_task_one_is_running);
    tcase_add_test(tc, a_task_not_yet_started_is_pending_and_ready);
    tcase_add_test(tc, many_tasks_are_all_counted);
    tcase_add_test(tc, null_arguments_are_misuse);
    suite_add_tcase(s, tc);
    return s;
}
