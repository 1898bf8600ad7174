/*
 * Solution: the ticker's tests, on the virtual clock.
 *
 * Every time is exact, so the tests compare with == and allow nothing:
 * the schedule (first tick one period in, then one per period, n in
 * all), no drift when on_tick awaits, and no tick after a cancellation.
 * They take no real time at all.
 */
#include "aw_test.h"

#include <stdio.h>

typedef void (*tick_fn)(int i, void *arg);

typedef struct {
    const char *name; /* "correct", or what is broken */
    int (*run_ticker)(double period, int n, tick_fn on_tick, void *arg);
} ticker_impl;

typedef struct {
    const char *name;
    int (*run)(const ticker_impl *impl); /* 1 if impl passes */
} ticker_test;

/* ---- a tick recorder -------------------------------------------------- */

enum { MAX_TICKS = 32 };

typedef struct {
    aw_loop *loop;
    int count;
    double at[MAX_TICKS]; /* loop time of each tick */
} tick_log;

static void record_tick(int i, void *arg)
{
    tick_log *log = arg;
    (void)i;
    if (log->count < MAX_TICKS)
        log->at[log->count] = aw_loop_time(log->loop);
    log->count++;
}

/* An on_tick that takes 0.75 s of loop time (less than a period of 1). */
static void slow_tick(int i, void *arg)
{
    record_tick(i, arg);
    aw_sleep(0.75);
}

/* Run body as an async test on the virtual clock: 1 if it passed and
 * left nothing behind. */
static int run_test(aw_test_step body, const ticker_impl *impl)
{
    aw_test_case tc = {
        .body = body,
        .data = (void *)impl,
        .loop.virtual_clock = true,
    };
    char report[1000];
    if (aw_test_evaluate(&tc, report, sizeof report) == 0)
        return 1;
    printf("[%s] %s\n", impl->name, report);
    return 0;
}

/* Check the log: exactly n ticks, tick i at start + i * period. */
static void *check_schedule(const tick_log *log, double start, double period,
                            int n)
{
    if (log->count != n)
        return aw_test_fail("%d ticks, expected %d", log->count, n);
    for (int i = 1; i <= n; i++)
        if (log->at[i - 1] - start != i * period)
            return aw_test_fail("tick %d at %g s, expected %g s", i,
                                log->at[i - 1] - start, i * period);
    return NULL;
}

static void *schedule_body(aw_test *t)
{
    const ticker_impl *impl = aw_test_data(t);
    tick_log log = {.loop = aw_test_loop(t)};
    double start = aw_loop_time(log.loop);
    int rc = impl->run_ticker(2.0, 5, record_tick, &log);
    if (rc != 0)
        return aw_test_fail("run_ticker returned %d", rc);
    if (aw_loop_time(log.loop) - start != 10.0)
        return aw_test_fail("returned at %g s, expected 10 s",
                            aw_loop_time(log.loop) - start);
    return check_schedule(&log, start, 2.0, 5);
}

static void *no_drift_body(aw_test *t)
{
    const ticker_impl *impl = aw_test_data(t);
    tick_log log = {.loop = aw_test_loop(t)};
    double start = aw_loop_time(log.loop);
    int rc = impl->run_ticker(1.0, 4, slow_tick, &log);
    if (rc != 0)
        return aw_test_fail("run_ticker returned %d", rc);
    return check_schedule(&log, start, 1.0, 4);
}

typedef struct {
    const ticker_impl *impl;
    tick_log *log;
} ticker_args;

static void *ticker_task(void *arg)
{
    ticker_args *a = arg;
    int rc = a->impl->run_ticker(1.0, 10, record_tick, a->log);
    return rc ? aw_raise(rc, "the ticker stopped") : NULL;
}

static void *cancel_body(aw_test *t)
{
    static tick_log log; /* static: a broken ticker may outlive the body */
    log = (tick_log){.loop = aw_test_loop(t)};
    ticker_args args = {aw_test_data(t), &log};
    aw_task *ticker = aw_task_create(log.loop, ticker_task, &args, "ticker");
    aw_sleep(2.5);
    aw_task_cancel(ticker);
    int rc = aw_await(aw_task_future(ticker), NULL);
    aw_task_release(ticker);
    if (rc != AW_ECANCELLED)
        return aw_test_fail("the cancelled ticker ended with %d", rc);
    aw_sleep(10); /* any tick still coming would come now */
    if (log.count != 2)
        return aw_test_fail("%d ticks, expected 2 before the cancel",
                            log.count);
    return NULL;
}

static int test_schedule(const ticker_impl *impl)
{
    return run_test(schedule_body, impl);
}

static int test_no_drift(const ticker_impl *impl)
{
    return run_test(no_drift_body, impl);
}

static int test_cancel(const ticker_impl *impl)
{
    return run_test(cancel_body, impl);
}

const ticker_test ticker_tests[] = {
    {"schedule", test_schedule},
    {"no_drift", test_no_drift},
    {"cancel", test_cancel},
    {NULL, NULL},
};
