/*
 * test_future.c - futures: states, outcomes, done callbacks, references.
 */
#include "runner.h"

#include "aw.h"

#include <string.h>

static void stop_loop(void *arg)
{
    aw_loop_stop(arg);
}

/* Run the loop for exactly one pass. */
static void run_one_pass(aw_loop *loop)
{
    aw_call_soon(loop, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
}

START_TEST(new_future_is_pending)
{
    aw_loop *loop = aw_loop_new();
    aw_future *f = aw_future_new(loop);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(aw_future_state_of(f), AW_PENDING);
    ck_assert(!aw_future_done(f));
    ck_assert(!aw_future_cancelled(f));
    ck_assert_ptr_eq(aw_future_loop(f), loop);
    ck_assert_ptr_null(aw_future_task(f));
    ck_assert_int_eq(aw_future_error(f), AW_ESTATE);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "pending"));
    ck_assert_ptr_null(aw_future_result(f));
    aw_future_release(f);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(set_result_completes_the_future)
{
    aw_loop *loop = aw_loop_new();
    aw_future *f = aw_future_new(loop);
    int value = 5;
    ck_assert_int_eq(aw_future_set_result(f, &value), 0);
    ck_assert_int_eq(aw_future_state_of(f), AW_DONE);
    ck_assert(aw_future_done(f));
    ck_assert_ptr_eq(aw_future_result(f), &value);
    ck_assert_int_eq(aw_future_error(f), 0);
    ck_assert_str_eq(aw_future_message(f), "");
    aw_future_release(f);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(set_error_keeps_code_and_message)
{
    aw_loop *loop = aw_loop_new();
    aw_future *f = aw_future_new(loop);
    ck_assert_int_eq(aw_future_set_error(f, -EPIPE, "the pipe broke"), 0);
    ck_assert_int_eq(aw_future_state_of(f), AW_DONE);
    ck_assert_int_eq(aw_future_error(f), -EPIPE);
    ck_assert_str_eq(aw_future_message(f), "the pipe broke");
    ck_assert_ptr_null(aw_future_result(f));
    /* Without a message, the code's name is used. */
    aw_future *g = aw_future_new(loop);
    ck_assert_int_eq(aw_future_set_error(g, AW_ETIMEDOUT, NULL), 0);
    ck_assert_str_eq(aw_future_message(g), aw_strerror(AW_ETIMEDOUT));
    aw_future_release(f);
    aw_future_release(g);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(set_error_needs_a_negative_code)
{
    aw_loop *loop = aw_loop_new();
    aw_future *f = aw_future_new(loop);
    ck_assert_int_eq(aw_future_set_error(f, 3, "three"), AW_EMISUSE);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "negative"));
    ck_assert_int_eq(aw_future_state_of(f), AW_PENDING);
    aw_future_release(f);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(completing_twice_is_a_state_error)
{
    aw_loop *loop = aw_loop_new();
    aw_future *f = aw_future_new(loop);
    int first = 1, second = 2;
    ck_assert_int_eq(aw_future_set_result(f, &first), 0);
    ck_assert_int_eq(aw_future_set_result(f, &second), AW_ESTATE);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "already done"));
    ck_assert_int_eq(aw_future_set_error(f, -EIO, "late"), AW_ESTATE);
    ck_assert(!aw_future_cancel(f));
    ck_assert_ptr_eq(aw_future_result(f), &first);
    ck_assert_int_eq(aw_future_error(f), 0);
    aw_future_release(f);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(cancel_a_pending_future)
{
    aw_loop *loop = aw_loop_new();
    aw_future *f = aw_future_new(loop);
    ck_assert(aw_future_cancel(f));
    ck_assert_int_eq(aw_future_state_of(f), AW_CANCELLED);
    ck_assert(aw_future_cancelled(f));
    ck_assert(aw_future_done(f));
    ck_assert_int_eq(aw_future_error(f), AW_ECANCELLED);
    ck_assert(!aw_future_cancel(f)); /* only once */
    ck_assert_int_eq(aw_future_set_result(f, NULL), AW_ESTATE);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "already cancelled"));
    aw_future_release(f);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* done callbacks ------------------------------------------------------- */

typedef struct {
    char text[32];
    aw_future *seen_future;
    void *seen_result;
} callback_log;

typedef struct {
    callback_log *log;
    char letter;
} tagged;

static void record_callback(aw_future *f, void *arg)
{
    tagged *t = arg;
    size_t len = strlen(t->log->text);
    if (len + 1 < sizeof t->log->text)
        t->log->text[len] = t->letter;
    t->log->seen_future = f;
    t->log->seen_result = aw_future_result(f);
}

START_TEST(done_callbacks_run_through_the_loop_in_order)
{
    aw_loop *loop = aw_loop_new();
    aw_future *f = aw_future_new(loop);
    callback_log log = {0};
    tagged tags[4] = {{&log, 'a'}, {&log, 'b'}, {&log, 'c'}, {&log, 'd'}};
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(
            aw_future_add_done_callback(f, record_callback, &tags[i]), 0);
    aw_future_set_result(f, &log);
    ck_assert_str_eq(log.text, ""); /* never inline */
    run_one_pass(loop);
    ck_assert_str_eq(log.text, "abcd");
    ck_assert_ptr_eq(log.seen_future, f);
    ck_assert_ptr_eq(log.seen_result, &log);
    aw_future_release(f);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(callback_added_after_done_is_still_scheduled)
{
    aw_loop *loop = aw_loop_new();
    aw_future *f = aw_future_new(loop);
    aw_future_set_result(f, NULL);
    callback_log log = {0};
    tagged t = {&log, 'x'};
    ck_assert_int_eq(aw_future_add_done_callback(f, record_callback, &t), 0);
    ck_assert_str_eq(log.text, ""); /* not inline either */
    run_one_pass(loop);
    ck_assert_str_eq(log.text, "x");
    aw_future_release(f);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(remove_done_callback_removes_every_registration)
{
    aw_loop *loop = aw_loop_new();
    aw_future *f = aw_future_new(loop);
    callback_log log = {0};
    tagged a = {&log, 'a'}, b = {&log, 'b'}, c = {&log, 'c'}, d = {&log, 'd'};
    aw_future_add_done_callback(f, record_callback, &a);
    aw_future_add_done_callback(f, record_callback, &c);
    aw_future_add_done_callback(f, record_callback, &b);
    aw_future_add_done_callback(f, record_callback, &c);
    ck_assert_int_eq(aw_future_remove_done_callback(f, record_callback, &c), 2);
    ck_assert_int_eq(aw_future_remove_done_callback(f, record_callback, &c), 0);
    /* Removing the last one must leave the list's tail usable. */
    aw_future_add_done_callback(f, record_callback, &d);
    aw_future_set_result(f, NULL);
    run_one_pass(loop);
    ck_assert_str_eq(log.text, "abd");
    aw_future_release(f);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(cancel_runs_the_callbacks)
{
    aw_loop *loop = aw_loop_new();
    aw_future *f = aw_future_new(loop);
    callback_log log = {0};
    tagged t = {&log, 'c'};
    aw_future_add_done_callback(f, record_callback, &t);
    aw_future_cancel(f);
    run_one_pass(loop);
    ck_assert_str_eq(log.text, "c");
    aw_future_release(f);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* references ------------------------------------------------------------ */

/* A scheduled callback keeps its future alive: the owner may let go
 * first (ASan reports a use after free if it does not). */
START_TEST(scheduled_callback_keeps_the_future_alive)
{
    aw_loop *loop = aw_loop_new();
    aw_future *f = aw_future_new(loop);
    callback_log log = {0};
    tagged t = {&log, 'k'};
    int value = 9;
    aw_future_add_done_callback(f, record_callback, &t);
    aw_future_set_result(f, &value);
    aw_future_release(f);
    run_one_pass(loop);
    ck_assert_str_eq(log.text, "k");
    ck_assert_ptr_eq(log.seen_result, &value);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* The future is freed when the last reference goes, not before: the leak
 * checkers catch a missing free, ASan an early one. */
START_TEST(retain_and_release_balance)
{
    aw_loop *loop = aw_loop_new();
    aw_future *f = aw_future_new(loop);
    ck_assert_ptr_eq(aw_future_retain(f), f);
    ck_assert_ptr_eq(aw_future_retain(f), f);
    aw_future_release(f);
    aw_future_release(f);
    aw_future_set_error(f, -EIO, "still alive");
    ck_assert_str_eq(aw_future_message(f), "still alive");
    aw_future_release(f);
    aw_future_release(NULL); /* harmless */
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("future");
    TCase *states = tcase_create("states");
    tcase_add_test(states, new_future_is_pending);
    tcase_add_test(states, set_result_completes_the_future);
    tcase_add_test(states, set_error_keeps_code_and_message);
    tcase_add_test(states, set_error_needs_a_negative_code);
    tcase_add_test(states, completing_twice_is_a_state_error);
    tcase_add_test(states, cancel_a_pending_future);
    suite_add_tcase(s, states);
    TCase *callbacks = tcase_create("callbacks");
    tcase_add_test(callbacks, done_callbacks_run_through_the_loop_in_order);
    tcase_add_test(callbacks, callback_added_after_done_is_still_scheduled);
    tcase_add_test(callbacks, remove_done_callback_removes_every_registration);
    tcase_add_test(callbacks, cancel_runs_the_callbacks);
    suite_add_tcase(s, callbacks);
    TCase *refs = tcase_create("references");
    tcase_add_test(refs, scheduled_callback_keeps_the_future_alive);
    tcase_add_test(refs, retain_and_release_balance);
    suite_add_tcase(s, refs);
    return s;
}
