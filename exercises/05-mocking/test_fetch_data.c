/*
 * Exercise (write the tests): fetch_data, with its service mocked.
 *
 * fetch_data gets data from an external service. In production the
 * service talks to the network; in a test it must not. So fetch_data
 * takes the service as a parameter (dependency injection), and a test
 * hands it a fake backed by an aw_mock, Python's AsyncMock:
 *
 *   int fetch_data(data_service *svc, const char *host, const char *path,
 *                  char **data);
 *
 * Called from inside a task, it
 *   - builds the URL "https://<host>/<path>";
 *   - calls svc->get_data(svc, url), which returns a future of the body,
 *     and awaits it;
 *   - on success stores the body in *data and returns 0;
 *   - if the service answers -EAGAIN (busy), asks once more, with the
 *     same URL; if it is busy again, returns -EAGAIN;
 *   - on any other error returns that error at once, with *data = NULL.
 *
 * Write tests that pin this down. The grader runs every test in
 * fetch_tests[] against a correct fetch_data and several broken ones;
 * you pass when all your tests pass on the correct one, and each broken
 * one fails at least one of your tests. The example below is the
 * notebook's AsyncMock test, in C: it catches a few. The rest need the
 * mock's side effects (a queue of outcomes: aw_mock_then_fail,
 * aw_mock_then_return) and its call checks (aw_mock_called_times,
 * aw_mock_has_calls, aw_mock_awaited_once...).
 *
 * A test returns 1 (pass) or 0 (fail). Fail with aw_test_fail, not
 * ck_assert (your tests run inside the grader's own Check tests).
 * The types below are fixed: the grader uses them.
 *
 * See chapter 5, sections "A mock for async functions" and "Side effects:
 * answers in order".
 */
#include "aw_mock.h"
#include "aw_test.h"

#include <stdio.h>
#include <string.h>

typedef struct data_service {
    /* Fetch url: a future of the body (a char * the service owns), which
     * the caller must release; NULL on failure to start. */
    aw_future *(*get_data)(struct data_service *self, const char *url);
} data_service;

typedef struct {
    const char *name; /* "correct", or what is broken */
    int (*fetch_data)(data_service *svc, const char *host, const char *path,
                      char **data);
} fetcher_impl;

typedef struct {
    const char *name;
    int (*run)(const fetcher_impl *impl); /* 1 if impl passes */
} fetch_test;

/* ---- a fake service, backed by a mock --------------------------------- */

typedef struct {
    data_service service; /* first: a mock_service is a data_service */
    aw_mock *get_data;
} mock_service;

static aw_future *mock_get_data(data_service *self, const char *url)
{
    mock_service *m = (mock_service *)self;
    aw_mock_value args[] = {aw_mock_str(url)};
    return aw_mock_call(m->get_data, args, 1);
}

/* A test's fixture: the fake service and the implementation under test. */
typedef struct {
    mock_service svc;
    const fetcher_impl *impl;
} fixture;

/* Run body as an async test with a fresh fixture: 1 if it passed and left
 * nothing behind. */
static int run_test(aw_test_step body, const fetcher_impl *impl)
{
    fixture f = {.svc = {{mock_get_data}, aw_mock_new("get_data")},
                 .impl = impl};
    aw_test_case tc = {.body = body, .data = &f, .loop.virtual_clock = true};
    char report[2000];
    int rc = aw_test_evaluate(&tc, report, sizeof report);
    if (rc != 0)
        printf("[%s] %s\n", impl->name, report);
    aw_mock_free(f.svc.get_data);
    return rc == 0;
}

/* ---- the tests -------------------------------------------------------- */

/* The notebook's test: the service returns "Mocked Data" once. */
static void *returns_the_data_body(aw_test *t)
{
    fixture *f = aw_test_data(t);
    aw_mock_return(f->svc.get_data, "Mocked Data");
    char *data = NULL;
    int rc = f->impl->fetch_data(&f->svc.service, "example.com", "data", &data);
    if (rc != 0)
        return aw_test_fail("expected 0, got %d (%s)", rc, aw_strerror(rc));
    aw_mock_value url[] = {aw_mock_str("https://example.com/data")};
    if (!aw_mock_called_once_with(f->svc.get_data, url, 1))
        return aw_test_fail("%s", aw_mock_message(f->svc.get_data));
    if (!data || strcmp(data, "Mocked Data") != 0)
        return aw_test_fail("wrong data");
    return NULL;
}

static int test_returns_the_data(const fetcher_impl *impl)
{
    return run_test(returns_the_data_body, impl);
}

const fetch_test fetch_tests[] = {
    {"returns_the_data", test_returns_the_data},
    /* Add your tests here. */
    {NULL, NULL},
};
