/*
 * leftovers.c - what the clean-state check of aw_test reports.
 *
 * Three small async tests, run with aw_test_evaluate, which reports
 * instead of failing a Check test (so this program needs no Check): one
 * tidy, one that forgets a task, one that forgets a timer.
 */
#include "aw_test.h"

#include <stdio.h>

static void *sleep_an_hour(void *arg)
{
    (void)arg;
    aw_sleep(3600);
    return NULL;
}

static void on_timeout(void *arg)
{
    (void)arg;
}

// ANCHOR: bodies
static void *tidy(aw_test *t)
{
    aw_task *helper =
        aw_task_create(aw_test_loop(t), sleep_an_hour, NULL, "helper");
    aw_sleep(1);
    aw_task_cancel(helper);                 /* done with it: stop it, */
    aw_await(aw_task_future(helper), NULL); /* and wait until it has */
    aw_task_release(helper);
    return NULL;
}

static void *forgets_a_task(aw_test *t)
{
    aw_task *helper =
        aw_task_create(aw_test_loop(t), sleep_an_hour, NULL, "helper");
    aw_sleep(1);
    aw_task_release(helper); /* let go of it, but it still runs */
    return NULL;
}

static void *forgets_a_timer(aw_test *t)
{
    aw_call_later(aw_test_loop(t), 30, on_timeout, NULL);
    return NULL;
}
// ANCHOR_END: bodies

static void run(const char *name, aw_test_step body)
{
    aw_test_case tc = {.name = name, .body = body, .loop.virtual_clock = true};
    char report[1000];
    if (aw_test_evaluate(&tc, report, sizeof report) == 0)
        printf("%s: ok\n", name);
    else
        printf("%s\n", report);
}

int main(void)
{
    run("tidy", tidy);
    run("forgets_a_task", forgets_a_task);
    run("forgets_a_timer", forgets_a_timer);
    return 0;
}
