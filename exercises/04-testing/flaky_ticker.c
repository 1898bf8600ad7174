/*
 * Exercise (write the tests): make a slow, flaky test exact.
 *
 * The function under test runs a ticker:
 *
 *   int run_ticker(double period, int n, tick_fn on_tick, void *arg);
 *
 * Called from inside a task, it calls on_tick(i, arg) for i = 1, 2, ... n,
 * tick i at loop time start + i * period (start: when run_ticker was
 * called). The ticks keep to that schedule even when on_tick itself
 * takes time (awaits) - less than a period - so they never drift. After
 * the n-th tick it returns 0. If its task is cancelled, it ticks no more
 * and returns AW_ECANCELLED.
 *
 * The test below was written with the real clock. It takes a quarter of
 * a second for each run, it allows 40% either way because the machine
 * may be busy - and even so, on a loaded machine it sometimes fails for
 * no reason. Worse, it lets most broken tickers through.
 *
 * Rewrite it, and add more, on the virtual clock: then a 10-minute
 * schedule takes no real time, and every tick time is exact, so you can
 * compare with == and allow nothing. The grader runs every test in
 * ticker_tests[] against a correct run_ticker and several broken ones:
 * you pass when all your tests pass on the correct one and each broken
 * one fails at least one of your tests. Think about when each tick
 * happens, how many there are, what a slow on_tick does to the ones
 * after it, and what a cancellation must stop.
 *
 * A test returns 1 (pass) or 0 (fail). Fail with aw_test_fail, not
 * ck_assert (your tests run inside the grader's own Check tests).
 * The types below are fixed: the grader uses them.
 *
 * See chapter 4, section "Time, made exact: the virtual clock".
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

/* ---- the slow, flaky test --------------------------------------------- */

static void *five_ticks_body(aw_test *t)
{
    const ticker_impl *impl = aw_test_data(t);
    tick_log log = {.loop = aw_test_loop(t)};
    double start = aw_loop_time(log.loop);
    int rc = impl->run_ticker(0.05, 5, record_tick, &log);
    double took = aw_loop_time(log.loop) - start;
    if (rc != 0 || log.count != 5)
        return aw_test_fail("rc %d, %d ticks", rc, log.count);
    /* Real time on a busy machine: allow 40% either way. */
    if (took < 0.25 * 0.6 || took > 0.25 * 1.4)
        return aw_test_fail("5 ticks took %.3f s", took);
    return NULL;
}

static int test_five_ticks(const ticker_impl *impl)
{
    aw_test_case tc = {.body = five_ticks_body, .data = (void *)impl};
    char report[1000];
    if (aw_test_evaluate(&tc, report, sizeof report) == 0)
        return 1;
    printf("[%s] %s\n", impl->name, report);
    return 0;
}

const ticker_test ticker_tests[] = {
    {"five_ticks", test_five_ticks},
    {NULL, NULL},
};
