/*
 * async_mock.c - the notebook's AsyncMock example, in C.
 *
 * fetch_data calls an external service. The service is a parameter
 * (dependency injection), so the test hands in a fake whose get_data is
 * an aw_mock: it answers "Mocked Data" and records how it was used.
 */
#include "aw_mock.h"

#include <stdio.h>

// ANCHOR: code
/* What fetch_data needs from outside: one async call, through a table. */
typedef struct service {
    /* A future of the body of url; the caller releases it. */
    aw_future *(*get_data)(struct service *self, const char *url);
} service;

/* The code under test. */
static int fetch_data(service *svc, const char *url, char **data)
{
    aw_future *reply = svc->get_data(svc, url);
    if (!reply)
        return AW_EMISUSE;
    int rc = aw_await(reply, (void **)data);
    aw_future_release(reply);
    return rc;
}
// ANCHOR_END: code

// ANCHOR: fake
/* The fake service: same table, answering from a mock. */
typedef struct {
    service svc; /* first: a fake_service is a service */
    aw_mock *get_data;
} fake_service;

static aw_future *fake_get_data(service *self, const char *url)
{
    fake_service *fake = (fake_service *)self;
    aw_mock_value args[] = {aw_mock_str(url)};
    return aw_mock_call(fake->get_data, args, 1);
}
// ANCHOR_END: fake

// ANCHOR: test
static void *test_fetch_data(void *arg)
{
    fake_service *fake = arg;
    aw_mock_return(fake->get_data, "Mocked Data");

    char *data = NULL;
    int rc = fetch_data(&fake->svc, "https://example.com/data", &data);
    printf("fetch_data returned %d, data \"%s\"\n", rc, data);

    aw_mock_value url[] = {aw_mock_str("https://example.com/data")};
    aw_mock_value other[] = {aw_mock_str("https://example.com/other")};
    printf("called once with the url: %s\n",
           aw_mock_called_once_with(fake->get_data, url, 1) ? "yes" : "no");
    printf("awaited once: %s\n",
           aw_mock_awaited_once(fake->get_data) ? "yes" : "no");
    if (!aw_mock_called_once_with(fake->get_data, other, 1))
        printf("a wrong expectation says: %s\n",
               aw_mock_message(fake->get_data));
    return NULL;
}
// ANCHOR_END: test

int main(void)
{
    fake_service fake = {{fake_get_data}, aw_mock_new("get_data")};
    aw_loop *loop = aw_loop_new();
    aw_task *t = aw_task_create(loop, test_fetch_data, &fake, "test");
    aw_loop_run_until_complete(loop, aw_task_future(t));
    aw_task_release(t);
    aw_mock_free(fake.get_data);
    aw_loop_close(loop);
    return 0;
}
