/*
 * gather_cancel_waits.c - twin of gather_cancel_waits.py: cancelling a
 * gather completes it only once a child has finished its clean-up.
 */
#include "twin.h"

static void *child(void *arg)
{
    (void)arg;
    int rc = aw_sleep(10);
    if (rc == AW_ECANCELLED) {
        printf("child: cancelled, cleaning up\n");
        aw_sleep(0.01); /* clean-up may await */
        printf("child: clean-up done\n");
    }
    return rc ? aw_raise(rc, NULL) : NULL;
}

static void *waiter(void *gathered)
{
    if (aw_await(gathered, NULL) == AW_ECANCELLED)
        printf("waiter: gather raised CancelledError\n");
    else
        printf("waiter: gather finished\n");
    return NULL;
}

static void *main_task(void *arg)
{
    (void)arg;
    aw_loop *loop = aw_running_loop();
    aw_task *task = aw_task_create(loop, child, NULL, "child");
    aw_future *inputs[1] = {aw_task_future(task)};
    aw_future *gathered = aw_gather(loop, inputs, 1);
    aw_task *waiting = aw_task_create(loop, waiter, gathered, "waiter");
    aw_sleep(0); /* child and waiter start */
    printf("main: cancel gather -> %s\n", py_bool(aw_future_cancel(gathered)));
    printf("main: gather done() right after cancel is %s\n",
           py_bool(aw_future_done(gathered)));
    aw_await(aw_task_future(waiting), NULL);
    printf("main: child cancelled() is %s\n",
           py_bool(aw_future_cancelled(aw_task_future(task))));
    printf("main: gather cancelled() is %s\n",
           py_bool(aw_future_cancelled(gathered)));
    aw_task_release(waiting);
    aw_task_release(task);
    aw_future_release(gathered);
    return NULL;
}

int main(void)
{
    return run_twin(main_task, NULL, false);
}
