/*
 * test_mock.c - aw_mock: calls recorded, outcomes in order, delays in
 * virtual time, and checks that say what was expected and what happened.
 */
#include "runner.h"

#include "aw_mock.h"
#include "aw_test.h"

#include <string.h>

static void assert_contains(const char *text, const char *part)
{
    ck_assert_msg(strstr(text, part) != NULL,
                  "expected the message to mention \"%s\"; it says: %s", part,
                  text);
}

/* ---- the code under test: fetch_data, with its service injected ------- */

// ANCHOR: service
/* What fetch_data needs from the outside world: one async call. */
typedef struct {
    int (*get_data)(void *self, const char *url, char **data);
    void *self;
} data_service;

/* The code under test: fetch one URL through the service. */
static int fetch_data(const data_service *svc, const char *url, char **data)
{
    return svc->get_data(svc->self, url, data);
}
// ANCHOR_END: service

// ANCHOR: fake
/* The fake: the real signature, forwarding to the mock. */
static int fake_get_data(void *mock, const char *url, char **data)
{
    aw_mock_value args[] = {aw_mock_str(url)};
    return aw_mock_await(mock, args, 1, (void **)data);
}
// ANCHOR_END: fake

// ANCHOR: fetch_test
static void *fetch_returns_the_services_data(aw_test *t)
{
    aw_mock *get_data = aw_test_data(t);
    aw_mock_return(get_data, "Mocked Data");
    data_service svc = {fake_get_data, get_data};

    char *data = NULL;
    ck_assert_int_eq(fetch_data(&svc, "https://example.com/data", &data), 0);
    ck_assert_str_eq(data, "Mocked Data");

    aw_mock_value url[] = {aw_mock_str("https://example.com/data")};
    aw_mock_assert_called_once_with(get_data, url, 1);
    aw_mock_assert_awaited_once(get_data);
    return NULL;
}

START_TEST(fetch_data_with_a_mocked_service)
{
    aw_mock *get_data = aw_mock_new("get_data");
    aw_test_case tc = {.body = fetch_returns_the_services_data,
                       .data = get_data};
    aw_test_run(&tc);
    aw_mock_free(get_data);
}
END_TEST
// ANCHOR_END: fetch_test

/* ---- a small harness: run a body as a task on a fresh virtual loop ---- */

typedef void *(*body_fn)(aw_mock *m);

typedef struct {
    body_fn body;
    aw_mock *mock;
} body_arg;

static void *run_body(aw_test *t)
{
    body_arg *b = aw_test_data(t);
    return b->body(b->mock);
}

/* Run body(m) as an async test; fail the Check test if it fails. */
static void run_with_mock(body_fn body, aw_mock *m)
{
    body_arg arg = {body, m};
    aw_test_case tc = {
        .body = run_body, .data = &arg, .loop.virtual_clock = true};
    aw_test_run(&tc);
}

/* ---- recording -------------------------------------------------------- */

static void *calls_with_a_buffer_then_changes_it(aw_mock *m)
{
    char url[32] = "first";
    aw_mock_value args[] = {aw_mock_str(url), aw_mock_int(7),
                            aw_mock_double(0.5), aw_mock_ptr(m)};
    ck_assert_int_eq(aw_mock_await(m, args, 4, NULL), 0);
    strcpy(url, "changed");
    return NULL;
}

START_TEST(arguments_are_recorded_as_copies)
{
    aw_mock *m = aw_mock_new("send");
    run_with_mock(calls_with_a_buffer_then_changes_it, m);
    size_t n;
    const aw_mock_value *args = aw_mock_call_args(m, 0, &n);
    ck_assert_int_eq(n, 4);
    ck_assert_str_eq(args[0].p, "first");
    ck_assert_int_eq(args[1].i, 7);
    ck_assert_double_eq(args[2].d, 0.5);
    ck_assert_ptr_eq(args[3].p, m);
    ck_assert_ptr_null(aw_mock_call_args(m, 1, &n));
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(aw_mock_call_count(m), 1);
    ck_assert_int_eq(aw_mock_await_count(m), 1);
    aw_mock_free(m);
}
END_TEST

/* ---- outcomes in order ------------------------------------------------ */

// ANCHOR: side_effects
static void *three_calls(aw_mock *m)
{
    void *result;
    ck_assert_int_eq(aw_mock_await(m, NULL, 0, &result), 0);
    ck_assert_str_eq(result, "first");
    ck_assert_int_eq(aw_mock_await(m, NULL, 0, &result), -ECONNRESET);
    ck_assert_str_eq(aw_last_error(), "server went away");
    ck_assert_ptr_null(result);
    ck_assert_int_eq(aw_mock_await(m, NULL, 0, &result), 0);
    ck_assert_str_eq(result, "default");
    ck_assert_int_eq(aw_mock_await(m, NULL, 0, &result), 0);
    ck_assert_str_eq(result, "default");
    return NULL;
}

START_TEST(outcomes_come_in_order_then_the_default)
{
    aw_mock *m = aw_mock_new("get");
    aw_mock_then_return(m, "first");
    aw_mock_then_fail(m, -ECONNRESET, "server went away");
    aw_mock_return(m, "default");
    run_with_mock(three_calls, m);
    aw_mock_assert_called_times(m, 4);
    aw_mock_free(m);
}
END_TEST
// ANCHOR_END: side_effects

static void *fails_without_message(aw_mock *m)
{
    ck_assert_int_eq(aw_mock_await(m, NULL, 0, NULL), -ETIMEDOUT);
    ck_assert_str_eq(aw_last_error(), aw_strerror(-ETIMEDOUT));
    return NULL;
}

START_TEST(an_error_without_a_message_uses_the_codes_name)
{
    aw_mock *m = aw_mock_new("get");
    aw_mock_then_fail(m, -ETIMEDOUT, NULL);
    run_with_mock(fails_without_message, m);
    aw_mock_free(m);
}
END_TEST

/* ---- awaited or only called ------------------------------------------- */

static void *calls_without_awaiting(aw_mock *m)
{
    aw_future *forgotten = aw_mock_call(m, NULL, 0);
    ck_assert_ptr_nonnull(forgotten);
    ck_assert(aw_mock_called_once(m));
    ck_assert(!aw_mock_awaited_once(m));
    assert_contains(aw_mock_message(m), "awaited 0 times (called 1 time)");
    ck_assert(aw_mock_not_awaited(m));
    ck_assert_int_eq(aw_await(forgotten, NULL), 0);
    ck_assert(aw_mock_awaited_once(m));
    ck_assert_str_eq(aw_mock_message(m), "");
    aw_future_release(forgotten);
    return NULL;
}

START_TEST(a_call_counts_as_awaited_once_its_future_is)
{
    aw_mock *m = aw_mock_new("notify");
    run_with_mock(calls_without_awaiting, m);
    aw_mock_free(m);
}
END_TEST

/* ---- the checks and their messages ------------------------------------ */

static void *calls_a_then_b(aw_mock *m)
{
    aw_mock_value a[] = {aw_mock_str("a"), aw_mock_int(1)};
    aw_mock_value b[] = {aw_mock_str("b"), aw_mock_int(2)};
    aw_mock_await(m, a, 2, NULL);
    aw_mock_await(m, b, 2, NULL);
    return NULL;
}

START_TEST(call_count_checks_say_what_happened)
{
    aw_mock *m = aw_mock_new("get");
    ck_assert(aw_mock_not_called(m));
    ck_assert(!aw_mock_called(m));
    assert_contains(aw_mock_message(m), "expected get to be called; it was "
                                        "never called");
    run_with_mock(calls_a_then_b, m);
    ck_assert(aw_mock_called(m));
    ck_assert(aw_mock_called_times(m, 2));
    ck_assert(!aw_mock_called_once(m));
    assert_contains(aw_mock_message(m),
                    "expected get to be called 1 time; there were 2 calls: "
                    "get(\"a\", 1), get(\"b\", 2)");
    ck_assert(!aw_mock_not_called(m));
    assert_contains(aw_mock_message(m), "to be called 0 times");
    aw_mock_free(m);
}
END_TEST

START_TEST(argument_checks_compare_values_and_say_how_they_differ)
{
    aw_mock *m = aw_mock_new("get");
    run_with_mock(calls_a_then_b, m);
    aw_mock_value b[] = {aw_mock_str("b"), aw_mock_int(2)};
    aw_mock_value a[] = {aw_mock_str("a"), aw_mock_int(1)};
    aw_mock_value a_any[] = {aw_mock_str("a"), aw_mock_any()};
    aw_mock_value a_wrong[] = {aw_mock_str("a"), aw_mock_int(9)};
    aw_mock_value a_double[] = {aw_mock_str("a"), aw_mock_double(1)};

    ck_assert(aw_mock_called_with(m, b, 2)); /* the last call */
    ck_assert(!aw_mock_called_with(m, a, 2));
    assert_contains(aw_mock_message(m), "expected the last call to be "
                                        "get(\"a\", 1); it was get(\"b\", 2)");
    ck_assert(aw_mock_any_call(m, a, 2));
    ck_assert(aw_mock_any_call(m, a_any, 2));
    ck_assert(!aw_mock_any_call(m, a_wrong, 2));
    assert_contains(aw_mock_message(m), "expected a call get(\"a\", 9)");
    ck_assert(!aw_mock_any_call(m, a_double, 2)); /* 1.0 is not 1 */
    ck_assert(!aw_mock_any_call(m, a, 1));        /* arity counts */
    ck_assert(!aw_mock_called_once_with(m, a, 2));
    assert_contains(aw_mock_message(m), "expected one call get(\"a\", 1); "
                                        "there were 2 calls");
    aw_mock_free(m);
}
END_TEST

static void *calls_three_times(aw_mock *m)
{
    const char *names[] = {"x", "y", "z"};
    for (int i = 0; i < 3; i++) {
        aw_mock_value args[] = {aw_mock_str(names[i])};
        aw_mock_await(m, args, 1, NULL);
    }
    return NULL;
}

START_TEST(has_calls_in_sequence_or_in_any_order)
{
    aw_mock *m = aw_mock_new("log");
    run_with_mock(calls_three_times, m);
    aw_mock_value x[] = {aw_mock_str("x")}, y[] = {aw_mock_str("y")},
                  z[] = {aw_mock_str("z")};
    aw_mock_args yz[] = {{y, 1}, {z, 1}};
    aw_mock_args zy[] = {{z, 1}, {y, 1}};
    aw_mock_args xz[] = {{x, 1}, {z, 1}};
    aw_mock_args xx[] = {{x, 1}, {x, 1}};
    ck_assert(aw_mock_has_calls(m, yz, 2, false));
    ck_assert(!aw_mock_has_calls(m, zy, 2, false));
    assert_contains(aw_mock_message(m),
                    "expected the calls log(\"z\"), log(\"y\"), one after "
                    "another; there were 3 calls: log(\"x\"), log(\"y\"), "
                    "log(\"z\")");
    ck_assert(!aw_mock_has_calls(m, xz, 2, false)); /* y is between them */
    ck_assert(aw_mock_has_calls(m, zy, 2, true));
    ck_assert(aw_mock_has_calls(m, xz, 2, true));
    ck_assert(!aw_mock_has_calls(m, xx, 2, true)); /* only one x call */
    assert_contains(aw_mock_message(m), "(in any order)");
    aw_mock_assert_has_calls(m, zy, 2, true);
    aw_mock_free(m);
}
END_TEST

static void *sends_bytes(aw_mock *m)
{
    const char frame[] = {'O', 'K', '\r', '\n', 0};
    aw_mock_value args[] = {aw_mock_bytes(frame, sizeof frame)};
    aw_mock_await(m, args, 1, NULL);
    return NULL;
}

START_TEST(bytes_are_compared_by_content_and_shown_escaped)
{
    aw_mock *m = aw_mock_new("send");
    run_with_mock(sends_bytes, m);
    aw_mock_value same[] = {aw_mock_bytes("OK\r\n", 5)};
    aw_mock_value other[] = {aw_mock_bytes("OK\n", 4)};
    ck_assert(aw_mock_called_once_with(m, same, 1));
    ck_assert(!aw_mock_called_once_with(m, other, 1));
    assert_contains(aw_mock_message(m),
                    "send(b\"OK\\x0d\\x0a\\x00\" (5 bytes))");
    aw_mock_free(m);
}
END_TEST

START_TEST(reset_forgets_calls_and_keeps_the_configuration)
{
    aw_mock *m = aw_mock_new("get");
    aw_mock_return(m, "default");
    run_with_mock(calls_a_then_b, m);
    aw_mock_reset(m);
    ck_assert_int_eq(aw_mock_call_count(m), 0);
    ck_assert(aw_mock_not_called(m));
    run_with_mock(calls_a_then_b, m);
    ck_assert_int_eq(aw_mock_call_count(m), 2);
    aw_mock_free(m);
}
END_TEST

/* ---- delays, in virtual time ------------------------------------------ */

static void *slow_reply(aw_mock *m)
{
    aw_loop *loop = aw_running_loop();
    void *result;
    ck_assert_int_eq(aw_mock_await(m, NULL, 0, &result), 0);
    ck_assert_str_eq(result, "late");
    ck_assert_double_eq_tol(aw_loop_time(loop), 2.5, 1e-9);
    return NULL;
}

START_TEST(a_delayed_outcome_arrives_after_its_delay)
{
    aw_mock *m = aw_mock_new("get");
    aw_mock_then(m, (aw_mock_outcome){.result = "late", .delay = 2.5});
    run_with_mock(slow_reply, m);
    aw_mock_free(m);
}
END_TEST

// ANCHOR: timeout_mock
static void *times_out_then_succeeds(aw_mock *m)
{
    aw_loop *loop = aw_running_loop();
    aw_future *call = aw_mock_call(m, NULL, 0);
    ck_assert_int_eq(aw_wait_for(call, 5, NULL), AW_ETIMEDOUT);
    ck_assert_double_eq_tol(aw_loop_time(loop), 5.0, 1e-9);
    aw_future_release(call);

    void *result;
    ck_assert_int_eq(aw_mock_await(m, NULL, 0, &result), 0);
    ck_assert_str_eq(result, "second try");
    return NULL;
}

START_TEST(a_service_that_hangs_is_cut_off_by_a_timeout)
{
    aw_mock *m = aw_mock_new("get");
    aw_mock_then(m, (aw_mock_outcome){.delay = AW_MOCK_FOREVER});
    aw_mock_then_return(m, "second try");
    run_with_mock(times_out_then_succeeds, m);
    aw_mock_free(m);
}
END_TEST
// ANCHOR_END: timeout_mock

static size_t timers_of_running_loop(void)
{
    aw_loop_stats st;
    aw_loop_get_stats(aw_running_loop(), &st);
    return st.timers;
}

static void *cancels_a_delayed_call(aw_mock *m)
{
    size_t before = timers_of_running_loop();
    aw_future *call = aw_mock_call(m, NULL, 0);
    ck_assert_uint_eq(timers_of_running_loop(), before + 1);
    ck_assert_int_eq(aw_wait_for(call, 1, NULL), AW_ETIMEDOUT);
    aw_future_release(call);
    /* The cancelled call's timer is gone with it (the clean-state check
     * does not see a mock's timers: they are not the test's own). */
    ck_assert_uint_eq(timers_of_running_loop(), before);
    return NULL;
}

START_TEST(cancelling_a_delayed_call_removes_its_timer)
{
    aw_mock *m = aw_mock_new("get");
    aw_mock_set_default(m, (aw_mock_outcome){.delay = 60});
    run_with_mock(cancels_a_delayed_call, m);
    aw_mock_free(m);
}
END_TEST

static void *leaves_a_delayed_call(aw_mock *m)
{
    aw_future *call = aw_mock_call(m, NULL, 0);
    aw_future_release(call);
    aw_mock_free(m); /* while the loop is open: its timer goes too */
    return NULL;
}

START_TEST(freeing_a_mock_takes_its_pending_timers_away)
{
    aw_mock *m = aw_mock_new("get");
    aw_mock_set_default(m, (aw_mock_outcome){.delay = 60});
    run_with_mock(leaves_a_delayed_call, m);
}
END_TEST

/* ---- misuse ----------------------------------------------------------- */

START_TEST(misuse_is_reported_not_undefined)
{
    aw_mock *m = aw_mock_new(NULL);
    ck_assert_str_eq(aw_mock_name(m), "mock");
    ck_assert_ptr_null(aw_mock_call(m, NULL, 0));
    assert_contains(aw_last_error(), "outside a running loop");
    ck_assert_int_eq(aw_mock_await(m, NULL, 0, NULL), AW_EMISUSE);
    assert_contains(aw_last_error(), "outside a task");
    ck_assert_ptr_null(aw_mock_call(m, NULL, 2));
    ck_assert_int_eq(aw_mock_then_fail(m, 5, "positive"), AW_EMISUSE);
    ck_assert_int_eq(aw_mock_then(m, (aw_mock_outcome){.delay = -3}),
                     AW_EMISUSE);
    ck_assert_int_eq(aw_mock_then(NULL, (aw_mock_outcome){0}), AW_EMISUSE);
    ck_assert(!aw_mock_called(NULL));
    ck_assert(!aw_mock_has_calls(m, NULL, 1, false));
    ck_assert_int_eq(aw_mock_call_count(m), 0);
    aw_mock_free(m);
    aw_mock_free(NULL);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("mock");
    TCase *use = tcase_create("use");
    tcase_add_test(use, fetch_data_with_a_mocked_service);
    tcase_add_test(use, arguments_are_recorded_as_copies);
    tcase_add_test(use, outcomes_come_in_order_then_the_default);
    tcase_add_test(use, an_error_without_a_message_uses_the_codes_name);
    tcase_add_test(use, a_call_counts_as_awaited_once_its_future_is);
    tcase_add_test(use, reset_forgets_calls_and_keeps_the_configuration);
    suite_add_tcase(s, use);

    TCase *checks = tcase_create("checks");
    tcase_add_test(checks, call_count_checks_say_what_happened);
    tcase_add_test(checks,
                   argument_checks_compare_values_and_say_how_they_differ);
    tcase_add_test(checks, has_calls_in_sequence_or_in_any_order);
    tcase_add_test(checks, bytes_are_compared_by_content_and_shown_escaped);
    suite_add_tcase(s, checks);

    TCase *time = tcase_create("time");
    tcase_add_test(time, a_delayed_outcome_arrives_after_its_delay);
    tcase_add_test(time, a_service_that_hangs_is_cut_off_by_a_timeout);
    tcase_add_test(time, cancelling_a_delayed_call_removes_its_timer);
    tcase_add_test(time, freeing_a_mock_takes_its_pending_timers_away);
    suite_add_tcase(s, time);

    TCase *misuse = tcase_create("misuse");
    tcase_add_test(misuse, misuse_is_reported_not_undefined);
    suite_add_tcase(s, misuse);
    return s;
}
