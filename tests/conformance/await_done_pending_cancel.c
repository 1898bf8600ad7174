/*
 * await_done_pending_cancel.c - twin of await_done_pending_cancel.py: a
 * task with a cancellation pending awaits a future that is already done;
 * it gets the result, and the cancellation arrives at its next real
 * suspension.
 */
#include "twin.h"

static int seven = 7;

static void *worker(void *arg)
{
    (void)arg;
    aw_future *done = aw_future_new(aw_running_loop());
    aw_future_set_result(done, &seven);
    printf("worker: cancel myself -> %s\n",
           py_bool(aw_task_cancel(aw_current_task())));
    void *value = NULL;
    int rc = aw_await(done, &value);
    aw_future_release(done);
    if (rc == 0) {
        printf("worker: awaiting a done future gave %d\n", *(int *)value);
        rc = aw_sleep(0);
    }
    if (rc == AW_ECANCELLED) {
        printf("worker: cancelled\n");
        return aw_raise(rc, NULL);
    }
    printf("worker: sleep(0) returned\n");
    return NULL;
}

static void *main_task(void *arg)
{
    (void)arg;
    aw_task *task = aw_task_create(aw_running_loop(), worker, NULL, "worker");
    aw_await(aw_task_future(task), NULL);
    printf("main: worker cancelled() is %s\n",
           py_bool(aw_future_cancelled(aw_task_future(task))));
    aw_task_release(task);
    return NULL;
}

int main(void)
{
    return run_twin(main_task, NULL, false);
}
