/*
 * test_timers.c - aw_call_later, aw_call_at and aw_timer_cancel.
 *
 * Timers sit on a min-heap ordered by (deadline, schedule order). The
 * loops here use the virtual clock: time jumps to the next deadline when
 * nothing else can run, so the tests wait for no real time at all.
 */
#include "runner.h"

#include "aw.h"

#include <stdlib.h>
#include <string.h>

static aw_loop *virtual_loop(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with: %s", aw_last_error());
    return loop;
}

/* What a fired timer records: who it was and when it fired. */
typedef struct firing_log firing_log;

typedef struct {
    firing_log *log;
    int index;
} timer_arg;

struct firing_log {
    aw_loop *loop;
    int fired[4096];
    double at[4096];
    int count;
};

static void record_firing(void *arg)
{
    timer_arg *t = arg;
    firing_log *log = t->log;
    if (log->count < 4096) {
        log->fired[log->count] = t->index;
        log->at[log->count] = aw_loop_time(log->loop);
    }
    log->count++;
}

static void stop_loop(void *arg)
{
    aw_loop_stop(arg);
}

START_TEST(call_later_fires_in_deadline_order)
{
    static firing_log log;
    memset(&log, 0, sizeof log);
    log.loop = virtual_loop();
    double delays[3] = {3.0, 1.0, 2.0};
    timer_arg args[3];
    for (int i = 0; i < 3; i++) {
        args[i] = (timer_arg){&log, i};
        ck_assert_uint_ne(
            aw_call_later(log.loop, delays[i], record_firing, &args[i]), 0);
    }
    aw_call_later(log.loop, 10.0, stop_loop, log.loop);
    ck_assert_int_eq(aw_loop_run_forever(log.loop), 0);
    ck_assert_int_eq(log.count, 3);
    int expected[3] = {1, 2, 0};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(log.fired[i], expected[i]);
        ck_assert_double_eq_tol(log.at[i], delays[expected[i]], 1e-9);
    }
    ck_assert_double_eq_tol(aw_loop_time(log.loop), 10.0, 1e-9);
    ck_assert_int_eq(aw_loop_close(log.loop), 0);
}
END_TEST

START_TEST(equal_deadlines_fire_in_schedule_order)
{
    static firing_log log;
    memset(&log, 0, sizeof log);
    log.loop = virtual_loop();
    timer_arg args[20];
    for (int i = 0; i < 20; i++) {
        args[i] = (timer_arg){&log, i};
        aw_call_at(log.loop, 5.0, record_firing, &args[i]);
    }
    aw_call_at(log.loop, 5.0, stop_loop, log.loop);
    ck_assert_int_eq(aw_loop_run_forever(log.loop), 0);
    ck_assert_int_eq(log.count, 20);
    for (int i = 0; i < 20; i++) {
        ck_assert_int_eq(log.fired[i], i);
        ck_assert_double_eq_tol(log.at[i], 5.0, 1e-9);
    }
    ck_assert_int_eq(aw_loop_close(log.loop), 0);
}
END_TEST

START_TEST(call_at_uses_the_loop_clock)
{
    static firing_log log;
    memset(&log, 0, sizeof log);
    log.loop = virtual_loop();
    ck_assert_double_eq_tol(aw_loop_time(log.loop), 0.0, 1e-9);
    timer_arg arg = {&log, 7};
    aw_call_at(log.loop, 2.5, record_firing, &arg);
    aw_call_at(log.loop, 2.5, stop_loop, log.loop);
    ck_assert_int_eq(aw_loop_run_forever(log.loop), 0);
    ck_assert_int_eq(log.count, 1);
    ck_assert_int_eq(log.fired[0], 7);
    ck_assert_double_eq_tol(log.at[0], 2.5, 1e-9);
    ck_assert_int_eq(aw_loop_close(log.loop), 0);
}
END_TEST

START_TEST(cancelled_timer_never_fires)
{
    static firing_log log;
    memset(&log, 0, sizeof log);
    log.loop = virtual_loop();
    timer_arg a = {&log, 1}, b = {&log, 2};
    uint64_t ida = aw_call_later(log.loop, 1.0, record_firing, &a);
    uint64_t idb = aw_call_later(log.loop, 2.0, record_firing, &b);
    ck_assert_uint_ne(ida, idb);
    ck_assert_int_eq(aw_timer_cancel(log.loop, ida), 0);
    /* A second cancel finds nothing to cancel. */
    ck_assert_int_eq(aw_timer_cancel(log.loop, ida), AW_ESTATE);
    aw_call_later(log.loop, 3.0, stop_loop, log.loop);
    ck_assert_int_eq(aw_loop_run_forever(log.loop), 0);
    ck_assert_int_eq(log.count, 1);
    ck_assert_int_eq(log.fired[0], 2);
    ck_assert_int_eq(aw_loop_close(log.loop), 0);
}
END_TEST

START_TEST(cancel_after_firing_is_a_state_error)
{
    static firing_log log;
    memset(&log, 0, sizeof log);
    log.loop = virtual_loop();
    timer_arg a = {&log, 1};
    uint64_t id = aw_call_later(log.loop, 1.0, record_firing, &a);
    aw_call_later(log.loop, 2.0, stop_loop, log.loop);
    ck_assert_int_eq(aw_loop_run_forever(log.loop), 0);
    ck_assert_int_eq(log.count, 1);
    ck_assert_int_eq(aw_timer_cancel(log.loop, id), AW_ESTATE);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "already fired"));
    ck_assert_int_eq(aw_loop_close(log.loop), 0);
}
END_TEST

/* Two timers due in the same pass: the first cancels the second, which
 * has not fired yet, so the cancel must work and the second never run. */
typedef struct {
    aw_loop *loop;
    uint64_t victim;
    int cancel_rc;
    int victim_runs;
} same_pass;

static void cancel_the_victim(void *arg)
{
    same_pass *p = arg;
    p->cancel_rc = aw_timer_cancel(p->loop, p->victim);
}

static void victim(void *arg)
{
    same_pass *p = arg;
    p->victim_runs++;
}

START_TEST(timer_cancelled_by_a_timer_due_in_the_same_pass_never_fires)
{
    same_pass p = {.loop = virtual_loop(), .cancel_rc = 1};
    aw_call_at(p.loop, 1.0, cancel_the_victim, &p);
    p.victim = aw_call_at(p.loop, 1.0, victim, &p);
    aw_call_at(p.loop, 2.0, stop_loop, p.loop);
    ck_assert_int_eq(aw_loop_run_forever(p.loop), 0);
    ck_assert_msg(p.cancel_rc == 0, "aw_timer_cancel returned %d (%s)",
                  p.cancel_rc, aw_last_error());
    ck_assert_int_eq(p.victim_runs, 0);
    ck_assert_int_eq(aw_loop_close(p.loop), 0);
}
END_TEST

/* A timer scheduled with delay 0 from a callback is not due until the
 * next pass, like a call_soon: the current pass ends first. */
typedef struct {
    aw_loop *loop;
    bool fired;
    bool fired_before_stop;
} zero_delay;

static void zero_delay_fired(void *arg)
{
    zero_delay *z = arg;
    z->fired = true;
}

static void schedule_zero_delay_and_stop(void *arg)
{
    zero_delay *z = arg;
    aw_call_later(z->loop, 0, zero_delay_fired, z);
    aw_loop_stop(z->loop);
}

START_TEST(zero_delay_timer_waits_for_the_next_pass)
{
    zero_delay z = {.loop = virtual_loop()};
    aw_call_soon(z.loop, schedule_zero_delay_and_stop, &z);
    ck_assert_int_eq(aw_loop_run_forever(z.loop), 0);
    ck_assert(!z.fired);
    aw_call_later(z.loop, 1.0, stop_loop, z.loop);
    ck_assert_int_eq(aw_loop_run_forever(z.loop), 0);
    ck_assert(z.fired);
    ck_assert_int_eq(aw_loop_close(z.loop), 0);
}
END_TEST

/* Many timers in random order, some cancelled: the survivors fire sorted
 * by deadline, ties in schedule order, which only a correct heap gives. */
enum { MANY = 3000 };

START_TEST(many_random_timers_fire_sorted)
{
    static firing_log log;
    static timer_arg args[MANY];
    static double when[MANY];
    static uint64_t ids[MANY];
    static bool cancelled[MANY];
    memset(&log, 0, sizeof log);
    log.loop = virtual_loop();
    srand(12345);
    for (int i = 0; i < MANY; i++) {
        /* Half-second steps over 100 s: many equal deadlines. */
        when[i] = (rand() % 200) * 0.5;
        args[i] = (timer_arg){&log, i};
        ids[i] = aw_call_at(log.loop, when[i], record_firing, &args[i]);
        ck_assert_uint_ne(ids[i], 0);
    }
    int survivors = MANY;
    for (int i = 0; i < MANY; i++) {
        cancelled[i] = rand() % 5 == 0;
        if (cancelled[i]) {
            ck_assert_int_eq(aw_timer_cancel(log.loop, ids[i]), 0);
            survivors--;
        }
    }
    aw_call_at(log.loop, 1000.0, stop_loop, log.loop);
    ck_assert_int_eq(aw_loop_run_forever(log.loop), 0);
    ck_assert_int_eq(log.count, survivors);
    for (int k = 0; k < log.count; k++) {
        int i = log.fired[k];
        ck_assert_msg(!cancelled[i], "cancelled timer %d fired", i);
        ck_assert_double_eq_tol(log.at[k], when[i], 1e-9);
        if (k > 0) {
            int prev = log.fired[k - 1];
            ck_assert_msg(when[prev] < when[i] ||
                              (when[prev] == when[i] && prev < i),
                          "timer %d (at %g) fired after %d (at %g)", i, when[i],
                          prev, when[prev]);
        }
    }
    ck_assert_int_eq(aw_loop_close(log.loop), 0);
}
END_TEST

/* Closing a loop with timers still pending frees them (the leak checkers
 * of the sanitizer and valgrind runs would report it otherwise). */
START_TEST(close_frees_pending_timers)
{
    aw_loop *loop = virtual_loop();
    for (int i = 0; i < 100; i++)
        ck_assert_uint_ne(aw_call_later(loop, i + 1.0, stop_loop, loop), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("timers");
    TCase *tc = tcase_create("timers");
    tcase_add_test(tc, call_later_fires_in_deadline_order);
    tcase_add_test(tc, equal_deadlines_fire_in_schedule_order);
    tcase_add_test(tc, call_at_uses_the_loop_clock);
    tcase_add_test(tc, cancelled_timer_never_fires);
    tcase_add_test(tc, cancel_after_firing_is_a_state_error);
    tcase_add_test(tc,
                   timer_cancelled_by_a_timer_due_in_the_same_pass_never_fires);
    tcase_add_test(tc, zero_delay_timer_waits_for_the_next_pass);
    tcase_add_test(tc, many_random_timers_fire_sorted);
    tcase_add_test(tc, close_frees_pending_timers);
    suite_add_tcase(s, tc);
    return s;
}
