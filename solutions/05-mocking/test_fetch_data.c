/*
 * Solution: tests for fetch_data, with an AsyncMock-like service.
 *
 * Each test scripts the service's answers (side effects, in order) and
 * then checks both what fetch_data returned and how it used the service:
 * how often, with which URL, and whether it awaited the call.
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

/* Call fetch_data for example.com/data: its code, and the data in *data.
 * *data starts as something else than NULL, so that a fetch_data which
 * forgets to clear it on an error is seen. */
static int fetch(fixture *f, char **data)
{
    *data = "(not set by fetch_data)";
    return f->impl->fetch_data(&f->svc.service, "example.com", "data", data);
}

static aw_mock_value URL[] = {
    {.type = AW_MOCK_STR, .p = "https://example.com/data"}};

/* The notebook's test, and the await: one call, the right URL. */
static void *returns_the_data_body(aw_test *t)
{
    fixture *f = aw_test_data(t);
    aw_mock_return(f->svc.get_data, "Mocked Data");
    char *data;
    int rc = fetch(f, &data);
    if (rc != 0)
        return aw_test_fail("expected 0, got %d (%s)", rc, aw_strerror(rc));
    if (!aw_mock_called_once_with(f->svc.get_data, URL, 1) ||
        !aw_mock_awaited_once(f->svc.get_data))
        return aw_test_fail("%s", aw_mock_message(f->svc.get_data));
    if (!data || strcmp(data, "Mocked Data") != 0)
        return aw_test_fail("wrong data");
    return NULL;
}

/* Busy once, then the answer: asked twice, the same URL both times. */
static void *busy_once_body(aw_test *t)
{
    fixture *f = aw_test_data(t);
    aw_mock_then_fail(f->svc.get_data, -EAGAIN, "busy");
    aw_mock_then_return(f->svc.get_data, "second try");
    char *data;
    int rc = fetch(f, &data);
    if (rc != 0 || !data || strcmp(data, "second try") != 0)
        return aw_test_fail("busy once: got %d (%s)", rc, aw_strerror(rc));
    aw_mock_args twice[] = {{URL, 1}, {URL, 1}};
    if (!aw_mock_called_times(f->svc.get_data, 2) ||
        !aw_mock_has_calls(f->svc.get_data, twice, 2, false))
        return aw_test_fail("%s", aw_mock_message(f->svc.get_data));
    return NULL;
}

/* Busy every time: two calls, then -EAGAIN. */
static void *busy_twice_body(aw_test *t)
{
    fixture *f = aw_test_data(t);
    for (int i = 0; i < 3; i++)
        aw_mock_then_fail(f->svc.get_data, -EAGAIN, "busy");
    aw_mock_return(f->svc.get_data, "too late");
    char *data;
    int rc = fetch(f, &data);
    if (rc != -EAGAIN || data)
        return aw_test_fail("busy twice: got %d, expected -EAGAIN", rc);
    if (!aw_mock_called_times(f->svc.get_data, 2))
        return aw_test_fail("%s", aw_mock_message(f->svc.get_data));
    return NULL;
}

/* Another error: returned at once, no second call. */
static void *refused_body(aw_test *t)
{
    fixture *f = aw_test_data(t);
    aw_mock_then_fail(f->svc.get_data, -ECONNREFUSED, "refused");
    aw_mock_return(f->svc.get_data, "should not be asked");
    char *data;
    int rc = fetch(f, &data);
    if (rc != -ECONNREFUSED || data)
        return aw_test_fail("refused: got %d, expected -ECONNREFUSED", rc);
    if (!aw_mock_called_once(f->svc.get_data))
        return aw_test_fail("%s", aw_mock_message(f->svc.get_data));
    return NULL;
}

static int test_returns_the_data(const fetcher_impl *impl)
{
    return run_test(returns_the_data_body, impl);
}

static int test_busy_once(const fetcher_impl *impl)
{
    return run_test(busy_once_body, impl);
}

static int test_busy_twice(const fetcher_impl *impl)
{
    return run_test(busy_twice_body, impl);
}

static int test_refused(const fetcher_impl *impl)
{
    return run_test(refused_body, impl);
}

const fetch_test fetch_tests[] = {
    {"returns_the_data", test_returns_the_data},
    {"busy_once", test_busy_once},
    {"busy_twice", test_busy_twice},
    {"refused", test_refused},
    {NULL, NULL},
};
