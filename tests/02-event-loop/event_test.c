/*
 * Grader for 02-event-loop/event: an asyncio.Event built on futures.
 * Every waiter must wake when the event is set, in order, and a
 * cancelled waiter must not disturb the others.
 */
// grade-exports: event_clear event_free event_is_set event_new event_set
// grade-exports: event_wait
#include "check_main.h"

#include "aw.h"

#include <math.h>

typedef struct event event;
event *event_new(aw_loop *loop);
void event_free(event *e);
bool event_is_set(const event *e);
void event_set(event *e);
void event_clear(event *e);
int event_wait(event *e);

static aw_loop *virtual_loop(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with: %s", aw_last_error());
    return loop;
}

static bool near(double a, double b)
{
    return fabs(a - b) < 1e-6;
}

static event *new_event(aw_loop *loop)
{
    event *e = event_new(loop);
    ck_assert_msg(e != NULL, "event_new returned NULL");
    return e;
}

/* ---- waiters --------------------------------------------------------------
 */

enum { MAX_WAITERS = 8 };

typedef struct {
    event *e;
    int wake_order[MAX_WAITERS]; /* waiter ids, in the order they woke */
    int woken;
} shared;

typedef struct {
    shared *s;
    int id;
    int rc;
    double woke_at;
    bool returned;
} waiter;

static void *wait_for_event(void *arg)
{
    waiter *w = arg;
    w->rc = event_wait(w->s->e);
    w->woke_at = aw_loop_time(aw_running_loop());
    w->returned = true;
    if (w->rc == 0 && w->s->woken < MAX_WAITERS)
        w->s->wake_order[w->s->woken++] = w->id;
    return NULL;
}

static void set_event(void *e)
{
    event_set(e);
}

static void cancel_task(void *task)
{
    aw_task_cancel(task);
}

/* Keeps the loop running until a given time, whatever the waiters do. */
static void *sleep_until(void *arg)
{
    double *t = arg;
    aw_sleep(*t);
    return NULL;
}

/* Start n waiters; set the event at set_at; cancel waiter `victim` (or
 * none: -1) at 1.0. Runs until the event is set and all have returned. */
static void run_waiters(waiter *w, int n, double set_at, int victim)
{
    aw_loop *loop = virtual_loop();
    shared s = {.e = new_event(loop)};
    aw_task *tasks[MAX_WAITERS];
    for (int i = 0; i < n; i++) {
        w[i] = (waiter){.s = &s, .id = i, .rc = 1};
        tasks[i] = aw_task_create(loop, wait_for_event, &w[i], NULL);
    }
    aw_call_later(loop, set_at, set_event, s.e);
    if (victim >= 0)
        aw_call_later(loop, 1.0, cancel_task, tasks[victim]);
    double end = set_at + 0.5;
    aw_task *clock = aw_task_create(loop, sleep_until, &end, "clock");
    aw_loop_run_until_complete(loop, aw_task_future(clock));
    aw_task_release(clock);
    for (int i = 0; i < n; i++) {
        int rc = aw_loop_run_until_complete(loop, aw_task_future(tasks[i]));
        if (rc == AW_EDEADLOCK) {
            aw_loop_shutdown(loop);
            ck_abort_msg("waiter %d never woke up, although the event was "
                         "set at t=%.1f",
                         i, set_at);
        }
    }
    for (int i = 0; i < n; i++) {
        ck_assert_msg(w[i].returned, "waiter %d never returned", i);
        aw_task_release(tasks[i]);
    }
    ck_assert_msg(event_is_set(s.e), "event_is_set is false after event_set");
    event_free(s.e);
    ck_assert_msg(aw_loop_close(loop) == 0, "aw_loop_close: %s",
                  aw_last_error());
    for (int i = 0; i < n; i++) {
        ck_assert_msg(i == victim || w[i].rc == 0,
                      "waiter %d: event_wait returned %d, expected 0%s", i,
                      w[i].rc,
                      victim >= 0 ? ", although only another waiter was "
                                    "cancelled: give each waiter a future "
                                    "of its own"
                                  : "");
    }
    for (int i = 0, k = 0; i < n; i++) {
        if (i == victim)
            continue;
        ck_assert_msg(s.wake_order[k] == i,
                      "the waiters woke in the order %d %d %d ..., expected "
                      "the order in which they started to wait",
                      s.wake_order[0], s.wake_order[1], s.wake_order[2]);
        k++;
    }
}

START_TEST(one_waiter)
{
    waiter w[1];
    run_waiters(w, 1, 3.0, -1);
    ck_assert_msg(w[0].rc == 0, "event_wait returned %d, expected 0", w[0].rc);
    ck_assert_msg(near(w[0].woke_at, 3.0),
                  "event_wait returned at t=%.3f, expected 3.000 when the "
                  "event was set: it must wait until then",
                  w[0].woke_at);
}
END_TEST

START_TEST(many_waiters)
{
    waiter w[5];
    run_waiters(w, 5, 2.0, -1);
    for (int i = 0; i < 5; i++) {
        ck_assert_msg(w[i].rc == 0, "waiter %d: event_wait returned %d", i,
                      w[i].rc);
        ck_assert_msg(near(w[i].woke_at, 2.0),
                      "waiter %d woke at t=%.3f, expected 2.000", i,
                      w[i].woke_at);
    }
}
END_TEST

START_TEST(a_cancelled_waiter_leaves_alone)
{
    waiter w[4];
    run_waiters(w, 4, 5.0, 1); /* waiter 1 is cancelled at t=1 */
    ck_assert_msg(w[1].rc == AW_ECANCELLED,
                  "the cancelled waiter's event_wait returned %d, expected "
                  "AW_ECANCELLED (%d)",
                  w[1].rc, AW_ECANCELLED);
    ck_assert_msg(near(w[1].woke_at, 1.0),
                  "the cancelled waiter returned at t=%.3f, expected 1.000",
                  w[1].woke_at);
    for (int i = 0; i < 4; i++) {
        if (i == 1)
            continue;
        ck_assert_msg(near(w[i].woke_at, 5.0),
                      "waiter %d woke at t=%.3f, expected 5.000", i,
                      w[i].woke_at);
    }
}
END_TEST

/* ---- set, clear, wait again ---------------------------------------------- */

typedef struct {
    event *e;
    double times[3];
    int rcs[3];
} sequence;

static void clear_event(void *e)
{
    event_clear(e);
}

static void *wait_three_times(void *arg)
{
    sequence *q = arg;
    for (int i = 0; i < 3; i++) {
        q->rcs[i] = event_wait(q->e);
        q->times[i] = aw_loop_time(aw_running_loop());
        aw_sleep(1.0);
    }
    return NULL;
}

START_TEST(set_clear_set)
{
    aw_loop *loop = virtual_loop();
    sequence q = {.e = new_event(loop)};
    ck_assert_msg(!event_is_set(q.e), "a new event is already set");
    aw_task *t = aw_task_create(loop, wait_three_times, &q, "waiter");
    aw_call_later(loop, 2.0, set_event, q.e);   /* 1st wait ends at 2 */
    aw_call_later(loop, 2.0, set_event, q.e);   /* setting twice: no-op */
                                                /* 2nd wait at 3: still set */
    aw_call_later(loop, 3.5, clear_event, q.e); /* 3rd wait at 4 waits */
    aw_call_later(loop, 6.0, set_event, q.e);   /* ... until 6 */
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));
    if (rc == AW_EDEADLOCK) {
        aw_loop_shutdown(loop);
        ck_abort_msg("a waiter never woke up");
    }
    double want[] = {2.0, 3.0, 6.0};
    const char *why[] = {"when the event was set",
                         "at once: the event was still set",
                         "when the cleared event was set again"};
    for (int i = 0; i < 3; i++) {
        ck_assert_msg(q.rcs[i] == 0, "wait %d returned %d", i + 1, q.rcs[i]);
        ck_assert_msg(near(q.times[i], want[i]),
                      "wait %d returned at t=%.3f, expected %.3f, %s", i + 1,
                      q.times[i], want[i], why[i]);
    }
    aw_task_release(t);
    event_free(q.e);
    aw_loop_close(loop);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("02-event-loop/event");
    TCase *tc = tcase_create("event");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, one_waiter);
    tcase_add_test(tc, many_waiters);
    tcase_add_test(tc, a_cancelled_waiter_leaves_alone);
    tcase_add_test(tc, set_clear_set);
    suite_add_tcase(s, tc);
    return s;
}
