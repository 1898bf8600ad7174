/*
 * Grader for 05-mocking/test_fetch_data: the learner's tests must pass on
 * a correct fetch_data and catch every broken one (tests/04-testing/
 * mutants.h).
 */
// grade-exports: fetch_tests
// grade-sources: tests/04-testing/mutants.c
// grade-cflags: -Itests/04-testing
#include "check_main.h"

#include "aw.h"
#include "mutants.h"

#include <stdio.h>

typedef struct data_service {
    aw_future *(*get_data)(struct data_service *self, const char *url);
} data_service;

typedef struct {
    const char *name;
    int (*fetch_data)(data_service *svc, const char *host, const char *path,
                      char **data);
} fetcher_impl;

typedef struct {
    const char *name;
    int (*run)(const fetcher_impl *impl);
} fetch_test;

extern const fetch_test fetch_tests[];

enum { TEST_SECONDS = 10 }; /* real time one test may take on one impl */

/* ---- the correct fetch_data, and the broken ones ---------------------- */

typedef struct {
    bool call_again; /* calls the service again after a success */
    bool no_slash;   /* "https://hostpath" */
    bool swallow;    /* an error becomes success with NULL data */
    bool retry_any;  /* retries every error, not only -EAGAIN */
    int attempts;    /* how many tries for -EAGAIN; 0: the right 2 */
    bool host_only;  /* the retry asks for "https://host/" */
    bool no_await;   /* reads the future's outcome without awaiting */
    bool keep_data;  /* leaves *data as it was after an error */
} flaws;

/* One call to the service: its error code, the body in *body. */
static int ask(data_service *svc, const char *url, void **body, const flaws *f)
{
    aw_future *fut = svc->get_data(svc, url);
    if (!fut)
        return AW_EMISUSE;
    int rc;
    if (f->no_await) {
        /* Peeks instead of awaiting: right only if the answer is there
         * already, and the error code is lost. */
        *body = aw_future_result(fut);
        rc = *body ? 0 : -EIO;
    } else {
        rc = aw_await(fut, body);
    }
    aw_future_release(fut);
    return rc;
}

static int fetch(data_service *svc, const char *host, const char *path,
                 char **data, const flaws *f)
{
    char url[300];
    snprintf(url, sizeof url, f->no_slash ? "https://%s%s" : "https://%s/%s",
             host, path);
    if (!f->keep_data)
        *data = NULL;
    int attempts = f->attempts ? f->attempts : 2;
    int rc = AW_EMISUSE;
    for (int i = 0; i < attempts; i++) {
        if (i > 0 && f->host_only)
            snprintf(url, sizeof url, "https://%s/", host);
        void *body = NULL;
        rc = ask(svc, url, &body, f);
        if (rc == 0) {
            if (f->call_again)
                ask(svc, url, &body, f);
            *data = body;
            return 0;
        }
        if (f->swallow)
            return 0;
        if (rc != -EAGAIN && !f->retry_any)
            return rc;
    }
    return rc;
}

static int correct(data_service *svc, const char *host, const char *path,
                   char **data)
{
    return fetch(svc, host, path, data, &(flaws){0});
}

static int calls_again(data_service *svc, const char *host, const char *path,
                       char **data)
{
    return fetch(svc, host, path, data, &(flaws){.call_again = true});
}

static int no_slash(data_service *svc, const char *host, const char *path,
                    char **data)
{
    return fetch(svc, host, path, data, &(flaws){.no_slash = true});
}

static int swallows_errors(data_service *svc, const char *host,
                           const char *path, char **data)
{
    return fetch(svc, host, path, data, &(flaws){.swallow = true});
}

static int retries_any_error(data_service *svc, const char *host,
                             const char *path, char **data)
{
    return fetch(svc, host, path, data, &(flaws){.retry_any = true});
}

static int never_retries(data_service *svc, const char *host, const char *path,
                         char **data)
{
    return fetch(svc, host, path, data, &(flaws){.attempts = 1});
}

static int retries_forever(data_service *svc, const char *host,
                           const char *path, char **data)
{
    return fetch(svc, host, path, data, &(flaws){.attempts = 100});
}

static int retries_another_url(data_service *svc, const char *host,
                               const char *path, char **data)
{
    return fetch(svc, host, path, data, &(flaws){.host_only = true});
}

static int never_awaits(data_service *svc, const char *host, const char *path,
                        char **data)
{
    return fetch(svc, host, path, data, &(flaws){.no_await = true});
}

static int keeps_stale_data(data_service *svc, const char *host,
                            const char *path, char **data)
{
    return fetch(svc, host, path, data, &(flaws){.keep_data = true});
}

static const fetcher_impl CORRECT = {"correct", correct};

typedef struct {
    fetcher_impl impl;
    const char *hint;
} mutant;

static const mutant MUTANTS[] = {
    {{"calls the service again after a success", calls_again},
     "how many times was get_data called? (aw_mock_called_once)"},
    {{"builds the URL without the '/' between host and path", no_slash},
     "check the URL the service got (aw_mock_called_once_with)"},
    {{"turns an error into success", swallows_errors},
     "make the service fail (aw_mock_then_fail) and check the code"},
    {{"asks again after any error, not only -EAGAIN", retries_any_error},
     "fail once with -ECONNREFUSED, then succeed: it must not ask again"},
    {{"never asks again after -EAGAIN", never_retries},
     "be busy once (-EAGAIN), then answer: two calls, and the data"},
    {{"asks again and again while the service is busy", retries_forever},
     "be busy three times, then answer: only two calls, and -EAGAIN"},
    {{"asks for another URL the second time", retries_another_url},
     "after a -EAGAIN, check both calls had the same URL "
     "(aw_mock_has_calls)"},
    {{"reads the result without awaiting the call", never_awaits},
     "was the call awaited? (aw_mock_awaited_once) Or let the answer take "
     "a moment (an outcome with a delay)"},
    {{"leaves *data as it was after an error", keeps_stale_data},
     "before a call that fails, point data at something else than NULL, "
     "and check that fetch_data set it to NULL"},
};

enum { NMUTANTS = sizeof MUTANTS / sizeof MUTANTS[0] };

/* ---- running the learner's tests -------------------------------------- */

typedef struct {
    const fetch_test *test;
    const fetcher_impl *impl;
} one_run;

static int run_one(void *arg)
{
    one_run *r = arg;
    return r->test->run(r->impl);
}

static run_outcome run(const fetch_test *test, const fetcher_impl *impl)
{
    one_run r = {test, impl};
    return run_isolated(run_one, &r, TEST_SECONDS);
}

START_TEST(there_are_tests)
{
    ck_assert_msg(fetch_tests[0].run != NULL,
                  "fetch_tests[] is empty: add your tests to it");
}
END_TEST

START_TEST(accepts_the_correct_implementation)
{
    for (const fetch_test *t = fetch_tests; t->run; t++) {
        run_outcome o = run(t, &CORRECT);
        ck_assert_msg(o == RUN_PASSED,
                      "your test '%s' %s on the correct fetch_data: a test "
                      "must pass on a correct implementation",
                      t->name ? t->name : "?", run_outcome_name(o));
    }
}
END_TEST

START_TEST(catches_each_broken_implementation)
{
    const mutant *m = &MUTANTS[_i];
    for (const fetch_test *t = fetch_tests; t->run; t++)
        if (run(t, &m->impl) != RUN_PASSED)
            return; /* caught */
    ck_abort_msg("every test passes on a fetch_data that %s. Hint: %s",
                 m->impl.name, m->hint);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("test_fetch_data");
    TCase *tc = tcase_create("tests");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, there_are_tests);
    tcase_add_test(tc, accepts_the_correct_implementation);
    tcase_add_loop_test(tc, catches_each_broken_implementation, 0, NMUTANTS);
    suite_add_tcase(s, tc);
    return s;
}
