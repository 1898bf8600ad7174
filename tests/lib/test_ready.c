/*
 * test_ready.c - the ready queue: aw_call_soon order and the one-pass rule.
 *
 * asyncio's _run_once runs the callbacks that were ready when the pass
 * began, and only those: what they schedule waits for the next pass.
 */
#include "runner.h"

#include "aw.h"

#include <string.h>

/* A log of one-letter events, so an order can be compared as a string. */
typedef struct {
    aw_loop *loop;
    char text[128];
} event_log;

static void log_event(event_log *log, char c)
{
    size_t len = strlen(log->text);
    if (len + 1 < sizeof log->text)
        log->text[len] = c;
}

/* A callback's argument: which log, and which letter to write. */
typedef struct {
    event_log *log;
    char letter;
} step;

static void write_letter(void *arg)
{
    step *s = arg;
    log_event(s->log, s->letter);
}

static void write_letter_and_stop(void *arg)
{
    step *s = arg;
    log_event(s->log, s->letter);
    aw_loop_stop(s->log->loop);
}

START_TEST(call_soon_runs_callbacks_in_fifo_order)
{
    event_log log = {.loop = aw_loop_new()};
    ck_assert_ptr_nonnull(log.loop);
    step steps[5];
    for (int i = 0; i < 5; i++) {
        steps[i] = (step){&log, (char)('a' + i)};
        aw_callback fn = i == 4 ? write_letter_and_stop : write_letter;
        ck_assert_int_eq(aw_call_soon(log.loop, fn, &steps[i]), 0);
    }
    ck_assert_int_eq(aw_loop_run_forever(log.loop), 0);
    ck_assert_str_eq(log.text, "abcde");
    ck_assert_int_eq(aw_loop_close(log.loop), 0);
}
END_TEST

/* 'a' schedules 'b' and stops the loop; 'c' was queued before the pass. */
static step later_b;

static void a_schedules_b_and_stops(void *arg)
{
    step *s = arg;
    log_event(s->log, 'a');
    later_b = (step){s->log, 'b'};
    aw_call_soon(s->log->loop, write_letter, &later_b);
    aw_loop_stop(s->log->loop);
}

START_TEST(callback_scheduled_during_a_pass_runs_on_the_next)
{
    event_log log = {.loop = aw_loop_new()};
    step a = {&log, 'a'}, c = {&log, 'c'}, stop = {&log, 's'};
    aw_call_soon(log.loop, a_schedules_b_and_stops, &a);
    aw_call_soon(log.loop, write_letter, &c);
    ck_assert_int_eq(aw_loop_run_forever(log.loop), 0);
    /* stop ends the loop after the current pass: 'b' has not run. */
    ck_assert_str_eq(log.text, "ac");
    aw_call_soon(log.loop, write_letter_and_stop, &stop);
    ck_assert_int_eq(aw_loop_run_forever(log.loop), 0);
    ck_assert_str_eq(log.text, "acbs");
    ck_assert_int_eq(aw_loop_close(log.loop), 0);
}
END_TEST

/* Value v schedules 2v+1 and 2v+2: a FIFO queue visits 0, 1, 2, ... in
 * order (breadth first), while the ring wraps around and grows. */
enum { TREE_SIZE = 3000 };

typedef struct {
    aw_loop *loop;
    int order[TREE_SIZE];
    int count;
} tree_walk;

static tree_walk *walk;

static void visit(void *arg)
{
    int v = (int)(intptr_t)arg;
    if (walk->count < TREE_SIZE)
        walk->order[walk->count] = v;
    walk->count++;
    for (int child = 2 * v + 1; child <= 2 * v + 2; child++)
        if (child < TREE_SIZE)
            aw_call_soon(walk->loop, visit, (void *)(intptr_t)child);
    if (walk->count == TREE_SIZE)
        aw_loop_stop(walk->loop);
}

START_TEST(ready_queue_keeps_fifo_order_while_growing)
{
    static tree_walk w;
    memset(&w, 0, sizeof w);
    walk = &w;
    w.loop = aw_loop_new();
    aw_call_soon(w.loop, visit, (void *)(intptr_t)0);
    ck_assert_int_eq(aw_loop_run_forever(w.loop), 0);
    ck_assert_int_eq(w.count, TREE_SIZE);
    for (int i = 0; i < TREE_SIZE; i++)
        ck_assert_msg(w.order[i] == i, "callback %d ran at position %d",
                      w.order[i], i);
    ck_assert_int_eq(aw_loop_close(w.loop), 0);
}
END_TEST

/* A callback that schedules itself forever must not starve timers: the
 * timer is due at once, so it must fire within a few passes. */
typedef struct {
    aw_loop *loop;
    int spins;
    bool timer_fired;
} spinner;

static void spin(void *arg)
{
    spinner *s = arg;
    s->spins++;
    if (!s->timer_fired)
        aw_call_soon(s->loop, spin, s);
}

static void timer_stops_loop(void *arg)
{
    spinner *s = arg;
    s->timer_fired = true;
    aw_loop_stop(s->loop);
}

START_TEST(self_rescheduling_callback_does_not_starve_timers)
{
    spinner s = {.loop = aw_loop_new()};
    aw_call_soon(s.loop, spin, &s);
    ck_assert_uint_ne(aw_call_later(s.loop, 0, timer_stops_loop, &s), 0);
    ck_assert_int_eq(aw_loop_run_forever(s.loop), 0);
    ck_assert(s.timer_fired);
    ck_assert_int_ge(s.spins, 1);
    ck_assert_int_eq(aw_loop_close(s.loop), 0);
}
END_TEST

START_TEST(call_soon_with_null_callback_is_misuse)
{
    aw_loop *loop = aw_loop_new();
    ck_assert_int_eq(aw_call_soon(loop, NULL, NULL), AW_EMISUSE);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "aw_call_soon"));
    ck_assert_int_eq(aw_call_soon(NULL, write_letter, NULL), AW_EMISUSE);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("ready");
    TCase *tc = tcase_create("ready");
    tcase_add_test(tc, call_soon_runs_callbacks_in_fifo_order);
    tcase_add_test(tc, callback_scheduled_during_a_pass_runs_on_the_next);
    tcase_add_test(tc, ready_queue_keeps_fifo_order_while_growing);
    tcase_add_test(tc, self_rescheduling_callback_does_not_starve_timers);
    tcase_add_test(tc, call_soon_with_null_callback_is_misuse);
    suite_add_tcase(s, tc);
    return s;
}
