/*
 * test_deadlock.c - when every task waits and nothing can wake them, the
 * loop stops with AW_EDEADLOCK and names the stuck tasks and the cycle,
 * instead of blocking forever.
 */
// lib-test-backends: epoll poll select
#include "runner.h"

#include "aw.h"

#include <stdint.h>
#include <string.h>

static aw_loop *new_loop(bool debug)
{
    aw_loop_options options = {.debug = debug};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with: %s", aw_last_error());
    return loop;
}

/* Each task awaits the task partner_of[its index]. */
static aw_task *partner_of[4];

static void *await_partner(void *arg)
{
    int me = (int)(intptr_t)arg;
    int rc = aw_await(aw_task_future(partner_of[me]), NULL);
    return rc == 0 ? arg : aw_raise(rc, NULL);
}

static void *await_future(void *arg)
{
    int rc = aw_await(arg, NULL);
    return rc == 0 ? arg : aw_raise(rc, NULL);
}

START_TEST(two_tasks_awaiting_each_other_stop_the_loop)
{
    aw_loop *loop = new_loop(false);
    aw_task *ping = aw_task_create(loop, await_partner, (void *)0, "ping");
    aw_task *pong = aw_task_create(loop, await_partner, (void *)1, "pong");
    partner_of[0] = pong;
    partner_of[1] = ping;
    int rc = aw_loop_run_until_complete(loop, aw_task_future(ping));
    ck_assert_msg(rc == AW_EDEADLOCK, "expected AW_EDEADLOCK, got %d (%s)", rc,
                  aw_strerror(rc));
    const char *msg = aw_last_error();
    ck_assert_msg(strstr(msg, "deadlock: all 2 tasks are asleep and nothing "
                              "can wake them") == msg,
                  "%s", msg);
    ck_assert_msg(strstr(msg, "cycle: 'ping' (#1) -> 'pong' (#2) -> 'ping' "
                              "(#1)"),
                  "the message should name the cycle: %s", msg);
    ck_assert_msg(strstr(msg, "stuck: 'ping' (#1) awaits task 'pong' (#2), "
                              "'pong' (#2) awaits task 'ping' (#1)"),
                  "the message should list the stuck tasks: %s", msg);
    ck_assert_int_eq(aw_loop_state_of(loop), AW_LOOP_IDLE);

    /* The way out: cancel them. The cancellation breaks the cycle. */
    ck_assert_int_eq(aw_loop_shutdown(loop), 0);
    ck_assert_int_eq(aw_task_state_of(ping), AW_TASK_CANCELLED);
    ck_assert_int_eq(aw_task_state_of(pong), AW_TASK_CANCELLED);
    aw_task_release(ping);
    aw_task_release(pong);
}
END_TEST

START_TEST(a_task_waiting_on_a_future_nobody_completes_is_stuck)
{
    aw_loop *loop = new_loop(false);
    aw_future *never = aw_future_new(loop);
    aw_task *t = aw_task_create(loop, await_future, never, "waiter");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)),
                     AW_EDEADLOCK);
    char expected[120];
    snprintf(expected, sizeof expected, "stuck: 'waiter' (#1) awaits future %p",
             (void *)never);
    ck_assert_msg(strstr(aw_last_error(), expected), "expected '%s' in: %s",
                  expected, aw_last_error());
    ck_assert_msg(!strstr(aw_last_error(), "cycle"),
                  "there is no cycle here: %s", aw_last_error());
    /* Completing the future unblocks it: the loop can run again. */
    aw_future_set_result(never, NULL);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    aw_task_release(t);
    aw_future_release(never);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

static void *await_gather_of_partner(void *arg)
{
    int me = (int)(intptr_t)arg;
    aw_future *inputs[1] = {aw_task_future(partner_of[me])};
    aw_future *all = aw_gather(aw_running_loop(), inputs, 1);
    int rc = aw_await(all, NULL);
    aw_future_release(all);
    return rc == 0 ? arg : aw_raise(rc, NULL);
}

START_TEST(a_cycle_through_a_gather_is_named)
{
    aw_loop *loop = new_loop(false);
    aw_task *boss =
        aw_task_create(loop, await_gather_of_partner, (void *)0, "boss");
    aw_task *worker = aw_task_create(loop, await_partner, (void *)1, "worker");
    partner_of[0] = worker;
    partner_of[1] = boss;
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(boss)),
                     AW_EDEADLOCK);
    ck_assert_msg(strstr(aw_last_error(), "cycle: 'boss' (#1) -> 'worker' "
                                          "(#2) -> 'boss' (#1)") &&
                      strstr(aw_last_error(), "'boss' (#1) awaits gather: #2"),
                  "%s", aw_last_error());
    ck_assert(aw_task_cancel(boss));
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(worker)),
                     AW_ECANCELLED);
    aw_task_release(boss);
    aw_task_release(worker);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(debug_mode_prints_the_whole_report)
{
    FILE *out = tmpfile();
    aw_debug_set_output(out);
    aw_loop *loop = new_loop(true);
    aw_task *a = aw_task_create(loop, await_partner, (void *)0, "left");
    aw_task *b = aw_task_create(loop, await_partner, (void *)1, "right");
    partner_of[0] = b;
    partner_of[1] = a;
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(a)),
                     AW_EDEADLOCK);
    char text[4096];
    fflush(out);
    rewind(out);
    text[fread(text, 1, sizeof text - 1, out)] = '\0';
    ck_assert_msg(
        strstr(text, "aw: all tasks are asleep - deadlock!\n") == text &&
            strstr(text, "left   pending") && strstr(text, "right  pending") &&
            strstr(text, "(T) #1 left (cycle: back to #1 above)"),
        "got:\n%s", text);
    ck_assert_msg(strstr(text, "The tasks await each other in a cycle: "
                               "'left' (#1) -> 'right' (#2) -> 'left' (#1)\n"),
                  "got:\n%s", text);
    ck_assert_int_eq(aw_loop_shutdown(loop), 0);
    aw_task_release(a);
    aw_task_release(b);
    aw_debug_set_output(NULL);
    fclose(out);
}
END_TEST

START_TEST(a_long_list_is_cut_to_fit_the_message)
{
    aw_loop *loop = new_loop(false);
    aw_future *never = aw_future_new(loop);
    aw_task *t[40];
    char name[40];
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof name, "a-task-with-a-long-name-%02d", i);
        t[i] = aw_task_create(loop, await_future, never, name);
    }
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t[0])),
                     AW_EDEADLOCK);
    const char *msg = aw_last_error();
    ck_assert_msg(strstr(msg, "deadlock: all 40 tasks are asleep") == msg &&
                      strstr(msg, " more"),
                  "%s", msg);
    ck_assert_uint_lt(strlen(msg), 511);
    ck_assert_int_eq(aw_loop_shutdown(loop), 0);
    for (int i = 0; i < 40; i++)
        aw_task_release(t[i]);
    aw_future_release(never);
}
END_TEST

static void *nap(void *arg)
{
    (void)arg;
    aw_sleep(0.01);
    return NULL;
}

START_TEST(a_sleeping_task_is_not_a_deadlock)
{
    aw_loop *loop = new_loop(false);
    aw_task *t = aw_task_create(loop, nap, NULL, "napper");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(an_empty_loop_has_nothing_to_wait_for)
{
    aw_loop *loop = new_loop(false);
    ck_assert_int_eq(aw_loop_run_forever(loop), AW_EDEADLOCK);
    ck_assert_str_eq(aw_last_error(), "the loop has nothing to run and nothing "
                                      "to wait for (0 tasks pending)");
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("deadlock");
    TCase *tc = tcase_create("deadlock");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, two_tasks_awaiting_each_other_stop_the_loop);
    tcase_add_test(tc, a_task_waiting_on_a_future_nobody_completes_is_stuck);
    tcase_add_test(tc, a_cycle_through_a_gather_is_named);
    tcase_add_test(tc, debug_mode_prints_the_whole_report);
    tcase_add_test(tc, a_long_list_is_cut_to_fit_the_message);
    tcase_add_test(tc, a_sleeping_task_is_not_a_deadlock);
    tcase_add_test(tc, an_empty_loop_has_nothing_to_wait_for);
    suite_add_tcase(s, tc);
    return s;
}
