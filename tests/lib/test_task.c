/*
 * test_task.c - tasks: identity, results and errors, awaiting, sleeping.
 */
#include "runner.h"

#include "aw.h"

#include <stdio.h>
#include <string.h>

static aw_loop *virtual_loop(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with: %s", aw_last_error());
    return loop;
}

/* Run a task to its end; return run_until_complete's code. */
static int run_task(aw_loop *loop, aw_task *t)
{
    return aw_loop_run_until_complete(loop, aw_task_future(t));
}

/* identity ------------------------------------------------------------- */

static void *return_arg(void *arg)
{
    return arg;
}

START_TEST(task_runs_and_keeps_its_result)
{
    aw_loop *loop = aw_loop_new();
    int value = 42;
    aw_task *t = aw_task_create(loop, return_arg, &value, "answer");
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(aw_task_state_of(t), AW_TASK_PENDING);
    ck_assert_ptr_eq(aw_task_loop(t), loop);
    ck_assert_int_eq(run_task(loop, t), 0);
    ck_assert_int_eq(aw_task_state_of(t), AW_TASK_DONE);
    ck_assert_ptr_eq(aw_task_result(t), &value);
    ck_assert_int_eq(aw_task_error(t), 0);
    ck_assert_ptr_eq(aw_future_task(aw_task_future(t)), t);
    ck_assert(aw_future_done(aw_task_future(t)));
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(tasks_are_named_and_numbered)
{
    aw_loop *loop = aw_loop_new();
    aw_task *a = aw_task_create(loop, return_arg, NULL, NULL);
    aw_task *b = aw_task_create(loop, return_arg, NULL, "worker");
    aw_task *c = aw_task_create(loop, return_arg, NULL, NULL);
    ck_assert_str_eq(aw_task_name(a), "Task-1");
    ck_assert_str_eq(aw_task_name(b), "worker");
    ck_assert_str_eq(aw_task_name(c), "Task-3");
    ck_assert_uint_eq(aw_task_id(a), 1);
    ck_assert_uint_eq(aw_task_id(b), 2);
    ck_assert_uint_eq(aw_task_id(c), 3);
    ck_assert_int_eq(run_task(loop, c), 0);
    aw_task_release(a);
    aw_task_release(b);
    aw_task_release(c);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(task_remembers_where_it_was_created)
{
    aw_loop *loop = aw_loop_new();
    int line = __LINE__ + 1;
    aw_task *t = aw_task_create(loop, return_arg, NULL, NULL);
    char expected[64];
    snprintf(expected, sizeof expected, "test_task.c:%d", line);
    ck_assert_str_eq(aw_task_origin(t), expected);
    ck_assert_int_eq(run_task(loop, t), 0);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* The loop holds its own reference: a task runs to its end even if its
 * creator let go at once. */
static void *set_flag(void *arg)
{
    *(bool *)arg = true;
    return NULL;
}

static void stop_loop(void *arg)
{
    aw_loop_stop(arg);
}

START_TEST(task_runs_after_its_creator_releases_it)
{
    aw_loop *loop = aw_loop_new();
    bool ran = false;
    aw_task_release(aw_task_create(loop, set_flag, &ran, NULL));
    aw_call_soon(loop, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    ck_assert(ran);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* errors ---------------------------------------------------------------- */

static void *fail_with_eio(void *arg)
{
    (void)arg;
    return aw_raise(-EIO, "the disk is on fire");
}

static void *fail_without_message(void *arg)
{
    (void)arg;
    return aw_raise(-ENOENT, NULL);
}

static void *fail_with_positive_code(void *arg)
{
    (void)arg;
    return aw_raise(7, "seven");
}

START_TEST(raise_ends_the_task_with_an_error)
{
    aw_loop *loop = aw_loop_new();
    aw_task *t = aw_task_create(loop, fail_with_eio, NULL, NULL);
    ck_assert_int_eq(run_task(loop, t), -EIO);
    ck_assert_str_eq(aw_last_error(), "the disk is on fire");
    ck_assert_int_eq(aw_task_state_of(t), AW_TASK_DONE);
    ck_assert_int_eq(aw_task_error(t), -EIO);
    ck_assert_str_eq(aw_task_message(t), "the disk is on fire");
    ck_assert_ptr_null(aw_task_result(t));

    aw_task *u = aw_task_create(loop, fail_without_message, NULL, NULL);
    ck_assert_int_eq(run_task(loop, u), -ENOENT);
    ck_assert_str_eq(aw_task_message(u), aw_strerror(-ENOENT));

    /* An error must be an error: a positive code becomes misuse. */
    aw_task *v = aw_task_create(loop, fail_with_positive_code, NULL, NULL);
    ck_assert_int_eq(run_task(loop, v), AW_EMISUSE);
    aw_task_release(t);
    aw_task_release(u);
    aw_task_release(v);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* awaiting --------------------------------------------------------------- */

/* Letters written by interleaved tasks show who ran when. */
static char order[32];

static void note(char c)
{
    size_t len = strlen(order);
    if (len + 1 < sizeof order)
        order[len] = c;
}

static void *await_done_future(void *arg)
{
    note('a');
    void *result = NULL;
    int rc = aw_await(arg, &result);
    note(rc == 0 && result == arg ? 'A' : '!');
    return NULL;
}

static void *note_b(void *arg)
{
    (void)arg;
    note('b');
    return NULL;
}

START_TEST(await_of_a_done_future_does_not_yield)
{
    aw_loop *loop = aw_loop_new();
    memset(order, 0, sizeof order);
    aw_future *f = aw_future_new(loop);
    aw_future_set_result(f, f);
    aw_task *a = aw_task_create(loop, await_done_future, f, "a");
    aw_task *b = aw_task_create(loop, note_b, NULL, "b");
    ck_assert_int_eq(run_task(loop, b), 0);
    ck_assert_int_eq(aw_task_state_of(a), AW_TASK_DONE);
    ck_assert_str_eq(order, "aAb");
    aw_future_release(f);
    aw_task_release(a);
    aw_task_release(b);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

static void *yield_thrice(void *arg)
{
    char letter = *(char *)arg;
    for (int i = 0; i < 3; i++) {
        note(letter);
        if (aw_sleep(0) != 0)
            note('!');
    }
    return NULL;
}

START_TEST(sleep_zero_yields_to_the_others)
{
    aw_loop *loop = virtual_loop();
    memset(order, 0, sizeof order);
    char x = 'x', y = 'y';
    aw_task *a = aw_task_create(loop, yield_thrice, &x, NULL);
    aw_task *b = aw_task_create(loop, yield_thrice, &y, NULL);
    ck_assert_int_eq(run_task(loop, b), 0);
    ck_assert_str_eq(order, "xyxyxy");
    ck_assert_double_eq_tol(aw_loop_time(loop), 0.0, 1e-9); /* no time */
    aw_task_release(a);
    aw_task_release(b);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

typedef struct {
    double seconds;
    char letter;
    double woke_at;
} sleeper;

static void *sleep_then_note(void *arg)
{
    sleeper *s = arg;
    int rc = aw_sleep(s->seconds);
    s->woke_at = aw_loop_time(aw_task_loop(aw_current_task()));
    note(s->letter);
    return rc ? aw_raise(rc, NULL) : NULL;
}

START_TEST(sleepers_wake_in_deadline_order)
{
    aw_loop *loop = virtual_loop();
    memset(order, 0, sizeof order);
    sleeper s[4] = {{3.0, 'c', 0}, {1.0, 'a', 0}, {2.0, 'b', 0}, {1.0, 'A', 0}};
    aw_task *t[4];
    for (int i = 0; i < 4; i++)
        t[i] = aw_task_create(loop, sleep_then_note, &s[i], NULL);
    ck_assert_int_eq(run_task(loop, t[0]), 0);
    ck_assert_str_eq(order, "aAbc");
    for (int i = 0; i < 4; i++) {
        ck_assert_double_eq_tol(s[i].woke_at, s[i].seconds, 1e-9);
        aw_task_release(t[i]);
    }
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* What a task sees of itself while it runs and while it waits. */
typedef struct {
    aw_future *gate;
    aw_task *current;
    aw_task_state state;
    void *got;
} introspection;

static void *look_at_myself(void *arg)
{
    introspection *in = arg;
    in->current = aw_current_task();
    in->state = aw_task_state_of(in->current);
    int rc = aw_await(in->gate, &in->got);
    return rc ? aw_raise(rc, NULL) : in->got;
}

typedef struct {
    aw_task *task;
    aw_future *awaiting;
    aw_task_state state;
    aw_future *gate;
} outside_view;

static void look_and_open(void *arg)
{
    outside_view *v = arg;
    v->awaiting = aw_task_awaiting(v->task);
    v->state = aw_task_state_of(v->task);
    aw_future_set_result(v->gate, v);
}

START_TEST(task_knows_itself_and_what_it_awaits)
{
    aw_loop *loop = virtual_loop();
    introspection in = {.gate = aw_future_new(loop)};
    aw_task *t = aw_task_create(loop, look_at_myself, &in, NULL);
    outside_view v = {.task = t, .gate = in.gate};
    aw_call_later(loop, 1.0, look_and_open, &v);
    ck_assert_ptr_null(aw_current_task());
    ck_assert_int_eq(run_task(loop, t), 0);
    ck_assert_ptr_eq(in.current, t);
    ck_assert_int_eq(in.state, AW_TASK_RUNNING);
    ck_assert_ptr_eq(v.awaiting, in.gate);
    ck_assert_int_eq(v.state, AW_TASK_PENDING);
    ck_assert_ptr_eq(aw_task_result(t), &v);
    ck_assert_ptr_null(aw_task_awaiting(t));
    aw_future_release(in.gate);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

static void *sleep_and_return(void *arg)
{
    aw_sleep(2.0);
    return arg;
}

static void *await_a_task(void *arg)
{
    aw_task *inner = aw_task_create(aw_task_loop(aw_current_task()),
                                    sleep_and_return, arg, "inner");
    void *result = NULL;
    int rc = aw_await(aw_task_future(inner), &result);
    aw_task_release(inner);
    return rc ? aw_raise(rc, NULL) : result;
}

static void *await_a_failing_task(void *arg)
{
    (void)arg;
    aw_task *inner = aw_task_create(aw_task_loop(aw_current_task()),
                                    fail_with_eio, NULL, "inner");
    int rc = aw_await(aw_task_future(inner), NULL);
    aw_task_release(inner);
    return aw_raise(rc, aw_last_error());
}

START_TEST(task_awaits_another_task)
{
    aw_loop *loop = virtual_loop();
    int value = 1;
    aw_task *t = aw_task_create(loop, await_a_task, &value, NULL);
    ck_assert_int_eq(run_task(loop, t), 0);
    ck_assert_ptr_eq(aw_task_result(t), &value);
    ck_assert_double_eq_tol(aw_loop_time(loop), 2.0, 1e-9);
    aw_task *u = aw_task_create(loop, await_a_failing_task, NULL, NULL);
    ck_assert_int_eq(run_task(loop, u), -EIO);
    ck_assert_str_eq(aw_task_message(u), "the disk is on fire");
    aw_task_release(t);
    aw_task_release(u);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* Many tasks at once: stacks come from a pool, so more tasks than the
 * pool holds must still each get their own. */
static void *sleep_and_count(void *arg)
{
    aw_sleep(1.0);
    (*(int *)arg)++;
    return NULL;
}

START_TEST(many_tasks_run_to_completion)
{
    aw_loop *loop = virtual_loop();
    int finished = 0;
    for (int i = 0; i < 200; i++)
        aw_task_release(aw_task_create(loop, sleep_and_count, &finished, NULL));
    aw_call_later(loop, 2.0, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    ck_assert_int_eq(finished, 200);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("task");
    TCase *identity = tcase_create("identity");
    tcase_add_test(identity, task_runs_and_keeps_its_result);
    tcase_add_test(identity, tasks_are_named_and_numbered);
    tcase_add_test(identity, task_remembers_where_it_was_created);
    tcase_add_test(identity, task_runs_after_its_creator_releases_it);
    tcase_add_test(identity, raise_ends_the_task_with_an_error);
    suite_add_tcase(s, identity);
    TCase *awaiting = tcase_create("awaiting");
    tcase_add_test(awaiting, await_of_a_done_future_does_not_yield);
    tcase_add_test(awaiting, sleep_zero_yields_to_the_others);
    tcase_add_test(awaiting, sleepers_wake_in_deadline_order);
    tcase_add_test(awaiting, task_knows_itself_and_what_it_awaits);
    tcase_add_test(awaiting, task_awaits_another_task);
    tcase_add_test(awaiting, many_tasks_run_to_completion);
    suite_add_tcase(s, awaiting);
    return s;
}
