/*
 * Grader for 04-testing/flaky_ticker: the learner's tests must pass on a
 * correct run_ticker and catch every broken one (mutants.h).
 */
// grade-exports: ticker_tests
// grade-sources: tests/04-testing/mutants.c
#include "check_main.h"

#include "aw.h"
#include "mutants.h"

typedef void (*tick_fn)(int i, void *arg);

typedef struct {
    const char *name;
    int (*run_ticker)(double period, int n, tick_fn on_tick, void *arg);
} ticker_impl;

typedef struct {
    const char *name;
    int (*run)(const ticker_impl *impl);
} ticker_test;

extern const ticker_test ticker_tests[];

enum { TEST_SECONDS = 10 }; /* real time one test may take on one impl */

/* ---- the correct implementation, and the broken ones ------------------ */

/* The ticker, with each way of breaking it behind a switch. */
typedef struct {
    bool drift;         /* sleep a period after each tick */
    bool first_at_once; /* tick 1 at start, not start + period */
    int extra_ticks;    /* ticks after the n-th */
    double stretch;     /* the period actually used, times this */
    bool deaf;          /* ignore cancellation */
    bool swallow;       /* stop when cancelled, but return 0 */
} flaws;

static int ticker(double period, int n, tick_fn on_tick, void *arg,
                  const flaws *f)
{
    aw_loop *loop = aw_running_loop();
    double start = aw_loop_time(loop);
    if (f->stretch)
        period *= f->stretch;
    for (int i = 1; i <= n + f->extra_ticks; i++) {
        int k = f->first_at_once ? i - 1 : i;
        double wait =
            f->drift ? period : start + k * period - aw_loop_time(loop);
        int rc = aw_sleep(wait > 0 ? wait : 0);
        if (rc != 0 && !f->deaf)
            return f->swallow ? 0 : rc;
        on_tick(i, arg);
    }
    return 0;
}

static int correct(double period, int n, tick_fn on_tick, void *arg)
{
    return ticker(period, n, on_tick, arg, &(flaws){0});
}

static int drifts(double period, int n, tick_fn on_tick, void *arg)
{
    return ticker(period, n, on_tick, arg, &(flaws){.drift = true});
}

static int first_at_once(double period, int n, tick_fn on_tick, void *arg)
{
    return ticker(period, n, on_tick, arg, &(flaws){.first_at_once = true});
}

static int one_too_many(double period, int n, tick_fn on_tick, void *arg)
{
    return ticker(period, n, on_tick, arg, &(flaws){.extra_ticks = 1});
}

static int period_too_long(double period, int n, tick_fn on_tick, void *arg)
{
    return ticker(period, n, on_tick, arg, &(flaws){.stretch = 1.1});
}

static int deaf_to_cancel(double period, int n, tick_fn on_tick, void *arg)
{
    return ticker(period, n, on_tick, arg, &(flaws){.deaf = true});
}

static int swallows_cancel(double period, int n, tick_fn on_tick, void *arg)
{
    return ticker(period, n, on_tick, arg, &(flaws){.swallow = true});
}

static const ticker_impl CORRECT = {"correct", correct};

typedef struct {
    ticker_impl impl;
    const char *hint;
} mutant;

static const mutant MUTANTS[] = {
    {{"drifts: sleeps a whole period after each tick", drifts},
     "let on_tick take time (await in it), and check when the next ticks "
     "happen"},
    {{"ticks once at the start", first_at_once},
     "check the loop time of the first tick, exactly"},
    {{"ticks one time too many", one_too_many}, "count the ticks"},
    {{"uses a period 10% too long", period_too_long},
     "compare tick times with ==: on the virtual clock they are exact"},
    {{"keeps ticking after it was cancelled", deaf_to_cancel},
     "run the ticker in a task of its own, cancel it between two ticks, "
     "and check no tick comes after"},
    {{"stops when cancelled, but returns 0 instead of AW_ECANCELLED",
      swallows_cancel},
     "after cancelling the ticker, check what run_ticker returned"},
};

enum { NMUTANTS = sizeof MUTANTS / sizeof MUTANTS[0] };

/* ---- running the learner's tests -------------------------------------- */

typedef struct {
    const ticker_test *test;
    const ticker_impl *impl;
} one_run;

static int run_one(void *arg)
{
    one_run *r = arg;
    return r->test->run(r->impl);
}

static run_outcome run(const ticker_test *test, const ticker_impl *impl)
{
    one_run r = {test, impl};
    return run_isolated(run_one, &r, TEST_SECONDS);
}

START_TEST(there_are_tests)
{
    ck_assert_msg(ticker_tests[0].run != NULL,
                  "ticker_tests[] is empty: add your tests to it");
}
END_TEST

START_TEST(accepts_the_correct_implementation)
{
    for (const ticker_test *t = ticker_tests; t->run; t++) {
        run_outcome o = run(t, &CORRECT);
        ck_assert_msg(o == RUN_PASSED,
                      "your test '%s' %s on the correct run_ticker: a test "
                      "must pass on a correct implementation, every time",
                      t->name ? t->name : "?", run_outcome_name(o));
    }
}
END_TEST

START_TEST(catches_each_broken_implementation)
{
    const mutant *m = &MUTANTS[_i];
    for (const ticker_test *t = ticker_tests; t->run; t++)
        if (run(t, &m->impl) != RUN_PASSED)
            return; /* caught */
    ck_abort_msg("every test passes on a run_ticker that %s. Hint: %s",
                 m->impl.name, m->hint);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("flaky_ticker");
    TCase *tc = tcase_create("tests");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, there_are_tests);
    tcase_add_test(tc, accepts_the_correct_implementation);
    tcase_add_loop_test(tc, catches_each_broken_implementation, 0, NMUTANTS);
    suite_add_tcase(s, tc);
    return s;
}
