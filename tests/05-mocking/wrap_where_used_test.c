/*
 * Grader for 05-mocking/wrap_where_used: with http_get and
 * station_celsius wrapped at link time, frost_warning must use the fake
 * and never the real http_get.
 */
// ANCHOR: directives
// grade-exports: __wrap_http_get __wrap_station_celsius
// grade-sources: tests/05-mocking/station.c tests/05-mocking/frost.c
// grade-cflags: -Itests/05-mocking
// grade-headers: tests/05-mocking/station.h
// grade-ldflags: -Wl,--wrap=http_get -Wl,--wrap=station_celsius
// ANCHOR_END: directives
#include "check_main.h"

#include "aw.h"
#include "aw_mock.h"
#include "station.h"

#include <string.h>

aw_mock *fake_station; /* the learner's fake answers from this */

static const double FREEZING = -3.0, MILD = 12.0;

typedef struct {
    const char *city;
    char msg[32];
} question;

static void *ask(void *arg)
{
    question *q = arg;
    int rc = frost_warning(q->city, q->msg, sizeof q->msg);
    return rc ? aw_raise(rc, "frost_warning failed") : NULL;
}

/* frost_warning(city) in a task on a loop of its own: its error code. */
static int warning(const char *city, char *out, size_t cap)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    question q = {.city = city};
    aw_task *t = aw_task_create(loop, ask, &q, "frost");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));
    aw_task_release(t);
    aw_loop_close(loop);
    snprintf(out, cap, "%s", q.msg);
    return rc;
}

static void setup(void)
{
    fake_station = aw_mock_new("fake station");
    station_http_calls = 0;
}

static void teardown(void)
{
    aw_mock_free(fake_station);
}

static void ask_with_the_fake(const char *city, const double *celsius,
                              const char *expected)
{
    char got[32];
    aw_mock_reset(fake_station);
    aw_mock_return(fake_station, (void *)celsius);
    int rc = warning(city, got, sizeof got);
    ck_assert_msg(station_http_calls == 0,
                  "the real http_get ran: the fake was never called. "
                  "--wrap=http_get redirects only calls made from files "
                  "where http_get is not defined. Which file calls it?");
    ck_assert_msg(rc == 0, "frost_warning failed: %d (%s)", rc,
                  aw_strerror(rc));
    aw_mock_value args[] = {aw_mock_str(city)};
    ck_assert_msg(aw_mock_called_once_with(fake_station, args, 1),
                  "%s (the fake should be asked about the city)",
                  aw_mock_message(fake_station));
    ck_assert_msg(strcmp(got, expected) == 0,
                  "at %g degrees frost_warning said \"%s\", expected \"%s\"",
                  *celsius, got, expected);
}

START_TEST(the_fake_answers_for_oslo)
{
    ask_with_the_fake("Oslo", &FREEZING, "frost");
}
END_TEST

START_TEST(the_fake_answers_for_lisbon)
{
    ask_with_the_fake("Lisbon", &MILD, "no frost");
}
END_TEST

START_TEST(a_failing_fake_fails_the_warning)
{
    char got[32];
    aw_mock_then_fail(fake_station, -ETIMEDOUT, "the station is down");
    int rc = warning("Oslo", got, sizeof got);
    ck_assert_msg(station_http_calls == 0, "the real http_get ran");
    ck_assert_msg(rc == -ETIMEDOUT,
                  "the fake failed with -ETIMEDOUT, frost_warning returned "
                  "%d: pass the fake's error on",
                  rc);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("wrap_where_used");
    TCase *tc = tcase_create("wrap");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, the_fake_answers_for_oslo);
    tcase_add_test(tc, the_fake_answers_for_lisbon);
    tcase_add_test(tc, a_failing_fake_fails_the_warning);
    suite_add_tcase(s, tc);
    return s;
}
