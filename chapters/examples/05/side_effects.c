/*
 * side_effects.c - a mock's answers in order: AsyncMock's side_effect.
 *
 * A client that asks again when the service says "busy" (-EAGAIN), at
 * most three times, half a second apart. The mock is busy twice, then
 * answers; on the virtual clock, the waits are exact and instant.
 */
#include "aw_mock.h"

#include <stdio.h>

// ANCHOR: retry
/* Ask up to three times while the service is busy. */
static int get_with_retry(aw_mock *service, const char *key, void **value)
{
    aw_mock_value args[] = {aw_mock_str(key)};
    int rc = -EAGAIN;
    for (int attempt = 1; attempt <= 3 && rc == -EAGAIN; attempt++) {
        if (attempt > 1)
            aw_sleep(0.5);
        rc = aw_mock_await(service, args, 1, value);
        printf("t=%.1f  attempt %d: %s\n", aw_loop_time(aw_running_loop()),
               attempt, rc ? aw_last_error() : (const char *)*value);
    }
    return rc;
}
// ANCHOR_END: retry

static void *test_retry(void *arg)
{
    aw_mock *service = arg;
    // ANCHOR: script
    aw_mock_then_fail(service, -EAGAIN, "busy");
    aw_mock_then_fail(service, -EAGAIN, "still busy");
    aw_mock_then_return(service, "42");
    // ANCHOR_END: script
    void *value;
    int rc = get_with_retry(service, "answer", &value);
    printf("result: %d, called %zu times\n", rc, aw_mock_call_count(service));
    // ANCHOR: checks
    aw_mock_value key[] = {aw_mock_str("answer")};
    aw_mock_args three_times[] = {{key, 1}, {key, 1}, {key, 1}};
    printf("three calls with the same key: %s\n",
           aw_mock_has_calls(service, three_times, 3, false) ? "yes" : "no");
    printf("called once? %s\n",
           aw_mock_called_once(service) ? "yes" : aw_mock_message(service));
    // ANCHOR_END: checks
    return NULL;
}

int main(void)
{
    aw_mock *service = aw_mock_new("service.get");
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    aw_task *t = aw_task_create(loop, test_retry, service, "test");
    aw_loop_run_until_complete(loop, aw_task_future(t));
    aw_task_release(t);
    aw_mock_free(service);
    aw_loop_close(loop);
    return 0;
}
