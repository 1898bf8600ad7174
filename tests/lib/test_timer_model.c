/*
 * test_timer_model.c - timers against a model, in random rounds.
 *
 * The model is a plain list of live timers; what fires is the list's
 * entries with a deadline up to the stop time, sorted by (deadline,
 * schedule order). Each round schedules timers (few distinct deadlines,
 * so many ties), cancels live ones by id, cancels ids whose timers are
 * gone (their slots are being reused: the id must still be refused), and
 * runs the loop to a random time on the virtual clock. Any broken heap
 * order, lost timer, or id that cancels the wrong timer shows up as a
 * difference. The seed is fixed: a failure repeats.
 */
#include "runner.h"

#include "aw.h"

#include <stdlib.h>
#include <string.h>

enum { MAX_TIMERS = 20000, ROUNDS = 60 };

typedef struct {
    double when;
    uint64_t id;
    int order; /* schedule order, the tie-break */
    bool live;
    bool fired;
} model_timer;

static model_timer timers[MAX_TIMERS];
static int timer_count;
static int fired_log[MAX_TIMERS];
static int fired_count;
static aw_loop *loop;

static void record(void *arg)
{
    int i = (int)(intptr_t)arg;
    timers[i].fired = true;
    fired_log[fired_count++] = i;
}

static void stop(void *arg)
{
    aw_loop_stop(arg);
}

static int by_deadline(const void *a, const void *b)
{
    const model_timer *x = &timers[*(const int *)a];
    const model_timer *y = &timers[*(const int *)b];
    if (x->when != y->when)
        return x->when < y->when ? -1 : 1;
    return x->order - y->order;
}

/* A random live timer's index, or -1. */
static int random_live(void)
{
    for (int tries = 0; tries < 50; tries++) {
        int i = rand() % timer_count;
        if (timers[i].live)
            return i;
    }
    return -1;
}

/* Times are whole tenths of a second, kept as integers: a double sum
 * such as 1.1 + 2.1 would not compare equal to 3.2 in the model. */
static void schedule_some(int now_tenths)
{
    int n = rand() % 300;
    for (int k = 0; k < n && timer_count < MAX_TIMERS; k++) {
        int i = timer_count++;
        /* Whole tenths within 5 s: ties are common. */
        double when = (now_tenths + rand() % 50) / 10.0;
        timers[i] = (model_timer){.when = when, .order = i, .live = true};
        timers[i].id = aw_call_at(loop, when, record, (void *)(intptr_t)i);
        ck_assert_msg(timers[i].id != 0, "aw_call_at: %s", aw_last_error());
    }
}

static void cancel_some(void)
{
    int n = timer_count ? rand() % 100 : 0;
    for (int k = 0; k < n; k++) {
        int i = rand() % timer_count;
        int rc = aw_timer_cancel(loop, timers[i].id);
        if (timers[i].live) {
            ck_assert_msg(rc == 0, "cancel of live timer %d: %s", i,
                          aw_last_error());
            timers[i].live = false;
        } else {
            /* Fired or cancelled already: its slot may hold another
             * timer now, which this id must not reach. */
            ck_assert_int_eq(rc, AW_ESTATE);
        }
    }
}

/* Run to `until`; check that exactly the model's due timers fired, in
 * the model's order. */
static void run_until(double until)
{
    int due[MAX_TIMERS], ndue = 0;
    for (int i = 0; i < timer_count; i++)
        if (timers[i].live && timers[i].when <= until)
            due[ndue++] = i;
    qsort(due, (size_t)ndue, sizeof due[0], by_deadline);

    fired_count = 0;
    ck_assert_uint_ne(aw_call_at(loop, until, stop, loop), 0);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);

    ck_assert_int_eq(fired_count, ndue);
    for (int k = 0; k < ndue; k++) {
        ck_assert_msg(fired_log[k] == due[k],
                      "firing %d: timer %d (at %g) fired, model says %d (at "
                      "%g)",
                      k, fired_log[k], timers[fired_log[k]].when, due[k],
                      timers[due[k]].when);
        timers[due[k]].live = false;
    }
}

START_TEST(timers_match_the_model_in_random_rounds)
{
    aw_loop_options options = {.virtual_clock = true};
    loop = aw_loop_new_with(&options);
    ck_assert_ptr_nonnull(loop);
    srand(20261204);
    timer_count = 0;
    int now_tenths = 0;
    for (int round = 0; round < ROUNDS; round++) {
        schedule_some(now_tenths);
        cancel_some();
        /* Sometimes cancel the next one to fire: the heap's root. */
        int i = random_live();
        if (i >= 0 && rand() % 2) {
            ck_assert_int_eq(aw_timer_cancel(loop, timers[i].id), 0);
            timers[i].live = false;
        }
        now_tenths += rand() % 30;
        run_until(now_tenths / 10.0);
    }
    for (int i = 0; i < timer_count; i++)
        ck_assert(!(timers[i].fired && timers[i].live));
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* An id is its timer's, even after the slot it names is reused. */
START_TEST(stale_id_does_not_cancel_the_slot_s_next_timer)
{
    aw_loop_options options = {.virtual_clock = true};
    loop = aw_loop_new_with(&options);
    fired_count = 0;
    timers[0] = (model_timer){.when = 1.0, .live = true};
    timers[1] = (model_timer){.when = 2.0, .live = true};
    uint64_t first = aw_call_at(loop, 1.0, record, (void *)(intptr_t)0);
    ck_assert_int_eq(aw_timer_cancel(loop, first), 0);
    uint64_t second = aw_call_at(loop, 2.0, record, (void *)(intptr_t)1);
    ck_assert_uint_ne(first, second);
    ck_assert_int_eq(aw_timer_cancel(loop, first), AW_ESTATE);
    ck_assert_uint_ne(aw_call_at(loop, 3.0, stop, loop), 0);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    ck_assert_int_eq(fired_count, 1);
    ck_assert_int_eq(fired_log[0], 1);
    ck_assert_int_eq(aw_timer_cancel(loop, 0), AW_ESTATE);
    ck_assert_int_eq(aw_timer_cancel(loop, ~(uint64_t)0), AW_ESTATE);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("timer_model");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, timers_match_the_model_in_random_rounds);
    tcase_add_test(tc, stale_id_does_not_cancel_the_slot_s_next_timer);
    suite_add_tcase(s, tc);
    return s;
}
