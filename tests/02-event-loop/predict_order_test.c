/*
 * Grader for 02-event-loop/predict_order: the learner predicts the order
 * in which the story below runs its callbacks; the grader runs the story
 * and compares. The story is shown in chapter 2, next to the exercise.
 */
// grade-exports: predicted_order
#include "check_main.h"

#include "aw.h"

#include <string.h>

const char *predicted_order(void);

static char trace[64];

static void record(const char *letter)
{
    size_t len = strlen(trace);
    if (len + 1 < sizeof trace) {
        trace[len] = letter[0];
        trace[len + 1] = '\0';
    }
}

// ANCHOR: story
/* Every callback appends its letter to the trace when it runs. */
static void say(void *letter)
{
    record(letter);
}

static void b_schedules_more(void *arg)
{
    aw_loop *loop = arg;
    record("B");
    aw_call_later(loop, 0, say, "C");
    aw_call_soon(loop, say, "D");
}

static void say_when_done(aw_future *f, void *letter)
{
    (void)f;
    record(letter);
}

static void h_adds_another(aw_future *f, void *arg)
{
    (void)arg;
    record("H");
    aw_future_add_done_callback(f, say_when_done, "I"); /* f is done */
}

static void j_completes(void *arg)
{
    record("J");
    aw_future_set_result(arg, NULL);
}

static void k_stops(void *arg)
{
    record("K");
    aw_loop_stop(arg);
}

static void tell_story(aw_loop *loop, aw_future *f) /* virtual clock */
{
    aw_call_later(loop, 1.0, say, "A");
    aw_call_soon(loop, b_schedules_more, loop);
    uint64_t e = aw_call_later(loop, 0.5, say, "E");
    aw_call_at(loop, 1.0, say, "F");
    aw_call_soon(loop, say, "G");
    aw_future_add_done_callback(f, h_adds_another, NULL);
    aw_call_soon(loop, j_completes, f);
    aw_timer_cancel(loop, e);
    aw_call_later(loop, 2.0, k_stops, loop);
    aw_loop_run_forever(loop);
}
// ANCHOR_END: story

/* The order the story really runs in, computed by running it. */
static const char *run_story(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with: %s", aw_last_error());
    aw_future *f = aw_future_new(loop);
    trace[0] = '\0';
    tell_story(loop, f);
    aw_future_release(f);
    aw_loop_close(loop);
    return trace;
}

START_TEST(prediction_is_well_formed)
{
    const char *p = predicted_order();
    ck_assert_msg(p != NULL, "predicted_order() returned NULL");
    ck_assert_msg(*p != '\0', "predicted_order() returned \"\": write your "
                              "prediction, e.g. \"ABC...\"");
    for (const char *c = p; *c; c++) {
        ck_assert_msg(*c >= 'A' && *c <= 'K',
                      "your prediction \"%s\" holds '%c': use only the "
                      "story's capital letters A to K",
                      p, *c);
        ck_assert_msg(strchr(c + 1, *c) == NULL,
                      "your prediction \"%s\" holds '%c' twice: each "
                      "callback runs at most once",
                      p, *c);
    }
}
END_TEST

START_TEST(prediction_matches_the_loop)
{
    const char *p = predicted_order();
    ck_assert_msg(p != NULL, "predicted_order() returned NULL");
    const char *actual = run_story();
    size_t right = 0;
    while (p[right] && p[right] == actual[right])
        right++;
    if (strcmp(p, actual) == 0)
        return;
    ck_assert_msg(strlen(p) == strlen(actual),
                  "your prediction \"%s\" has %zu letters, but the story "
                  "runs a different number of callbacks: which ones never "
                  "run?",
                  p, strlen(p));
    ck_assert_msg(0,
                  "your prediction \"%s\" is right for the first %zu "
                  "callback(s) and wrong from number %zu on: check the "
                  "rules of the pass, of timers and of done callbacks",
                  p, right, right + 1);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("02-event-loop/predict_order");
    TCase *tc = tcase_create("predict");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, prediction_is_well_formed);
    tcase_add_test(tc, prediction_matches_the_loop);
    suite_add_tcase(s, tc);
    return s;
}
