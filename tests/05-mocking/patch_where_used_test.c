/*
 * Grader for 05-mocking/patch_where_used: after patch_weather, advice_for
 * must use the fake, never the real service; after unpatch_weather,
 * everything must be as it was.
 */
// grade-exports: patch_weather unpatch_weather
// grade-sources: tests/05-mocking/weather.c tests/05-mocking/advice.c
// grade-cflags: -Itests/05-mocking
// grade-headers: tests/05-mocking/weather.h
#include "check_main.h"

#include "aw.h"
#include "aw_mock.h"
#include "weather.h"

#include <string.h>

void patch_weather(void);
void unpatch_weather(void);

aw_mock *fake_weather; /* the learner's fake answers from this */

static const double FREEZING = -3.0, WARM = 24.0;

typedef struct {
    const char *city;
    char advice[32];
} question;

static void *ask(void *arg)
{
    question *q = arg;
    int rc = advice_for(q->city, q->advice, sizeof q->advice);
    return rc ? aw_raise(rc, "advice_for failed") : NULL;
}

/* advice_for(city) in a task on a loop of its own: its error code. */
static int advice(const char *city, char *out, size_t cap)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    question q = {.city = city};
    aw_task *t = aw_task_create(loop, ask, &q, "advice");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));
    aw_task_release(t);
    aw_loop_close(loop);
    snprintf(out, cap, "%s", q.advice);
    return rc;
}

static void setup(void)
{
    fake_weather = aw_mock_new("fake weather");
    weather_real_calls = 0;
    advice_init(); /* advice is set up first, as a module is imported */
}

static void teardown(void)
{
    aw_mock_free(fake_weather);
}

static void ask_with_the_fake(const char *city, const double *celsius,
                              const char *expected)
{
    char got[32];
    aw_mock_reset(fake_weather);
    aw_mock_return(fake_weather, (void *)celsius);
    int rc = advice(city, got, sizeof got);
    ck_assert_msg(weather_real_calls == 0,
                  "the real weather service ran (it would have gone to the "
                  "network), so the fake was not used. advice_for calls "
                  "advice_current, advice's own copy taken by advice_init: "
                  "is that what patch_weather replaced?");
    ck_assert_msg(rc == 0, "advice_for failed: %d (%s)", rc, aw_strerror(rc));
    aw_mock_value args[] = {aw_mock_str(city)};
    ck_assert_msg(aw_mock_called_once_with(fake_weather, args, 1), "%s",
                  aw_mock_message(fake_weather));
    ck_assert_msg(strcmp(got, expected) == 0,
                  "at %g degrees advice_for said \"%s\", expected \"%s\"",
                  *celsius, got, expected);
}

START_TEST(the_patch_reaches_advice)
{
    patch_weather();
    ask_with_the_fake("Oslo", &FREEZING, "coat");
    ask_with_the_fake("Lisbon", &WARM, "t-shirt");
    unpatch_weather();
}
END_TEST

START_TEST(unpatch_puts_everything_back)
{
    current_fn real = weather.current;
    current_fn used = advice_current;
    patch_weather();
    unpatch_weather();
    ck_assert_msg(weather.current == real,
                  "after unpatch_weather, weather.current is not the real "
                  "function any more");
    ck_assert_msg(advice_current == used,
                  "after unpatch_weather, advice_current is not what it "
                  "was before patch_weather: a patch must be undone, or "
                  "the next test runs with it");
    ck_assert_int_eq(weather_real_calls, 0);
}
END_TEST

START_TEST(patch_twice_in_a_row)
{
    current_fn used = advice_current;
    for (int i = 0; i < 2; i++) {
        patch_weather();
        ask_with_the_fake("Oslo", &FREEZING, "coat");
        unpatch_weather();
    }
    ck_assert_msg(advice_current == used, "the second unpatch_weather did "
                                          "not restore advice_current");
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("patch_where_used");
    TCase *tc = tcase_create("patch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, the_patch_reaches_advice);
    tcase_add_test(tc, unpatch_puts_everything_back);
    tcase_add_test(tc, patch_twice_in_a_row);
    suite_add_tcase(s, tc);
    return s;
}
