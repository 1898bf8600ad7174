/*
 * swallowed_cancel.c - twin of swallowed_cancel.py: the awaited task
 * swallows the cancellation and returns a value; the task that awaits it
 * gets that value.
 */
#include "twin.h"

static int answer = 42;

static void *inner(void *arg)
{
    (void)arg;
    if (aw_sleep(10) == AW_ECANCELLED) {
        printf("inner: cancelled, returns 42 instead\n");
        return &answer;
    }
    return NULL;
}

static void *outer(void *arg)
{
    (void)arg;
    aw_task *inner_task =
        aw_task_create(aw_running_loop(), inner, NULL, "inner");
    void *value = NULL;
    int rc = aw_await(aw_task_future(inner_task), &value);
    aw_task_release(inner_task);
    if (rc == AW_ECANCELLED) {
        printf("outer: cancelled\n");
        return aw_raise(rc, NULL);
    }
    printf("outer: got %d\n", value ? *(int *)value : -1);
    return value;
}

static void *main_task(void *arg)
{
    (void)arg;
    aw_task *task = aw_task_create(aw_running_loop(), outer, NULL, "outer");
    aw_sleep(0); /* outer starts inner and awaits it */
    aw_sleep(0); /* inner starts its sleep */
    printf("main: cancel outer -> %s\n", py_bool(aw_task_cancel(task)));
    void *value = NULL;
    if (aw_await(aw_task_future(task), &value) == 0)
        printf("main: outer returned %d\n", *(int *)value);
    else
        printf("main: outer was cancelled\n");
    printf("main: outer cancelled() is %s\n",
           py_bool(aw_future_cancelled(aw_task_future(task))));
    aw_task_release(task);
    return NULL;
}

int main(void)
{
    return run_twin(main_task, NULL, false);
}
