/*
 * to_thread.c - a blocking call moved off the loop: the job blocks a
 * worker thread, and the heartbeat in the loop goes on beating.
 *
 * The job waits until the heartbeat has beaten three times, so the
 * output is the same on every run: were the job blocking the loop
 * itself, the heartbeat could never beat and the program would hang.
 */
#include "aw.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static atomic_int beats;

// ANCHOR: job
/* A blocking function, as a library without an async interface has:
 * it polls a flag and sleeps in between, stopping its whole thread. */
static int blocking_job(void *arg, void **result)
{
    (void)arg;
    struct timespec ms = {0, 1000000};
    while (atomic_load(&beats) < 3)
        nanosleep(&ms, NULL);
    *result = (void *)(intptr_t)42;
    return 0;
}

static void *main_task(void *arg)
{
    (void)arg;
    aw_loop *loop = aw_running_loop();
    aw_future *job = aw_to_thread(loop, blocking_job, NULL);
    printf("job started in a worker thread\n");
    while (!aw_future_done(job)) {
        aw_sleep(0.02); /* the loop stays free to run this */
        if (atomic_load(&beats) < 3)
            printf("heartbeat %d\n", atomic_fetch_add(&beats, 1) + 1);
    }
    void *result;
    int rc = aw_await(job, &result);
    printf("job done: %s, result %d\n", aw_strerror(rc), (int)(intptr_t)result);
    aw_future_release(job);
    return NULL;
}
// ANCHOR_END: job

int main(void)
{
    aw_loop *loop = aw_loop_new();
    aw_task *t = aw_task_create(loop, main_task, NULL, "main");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));
    aw_task_release(t);
    aw_loop_close(loop);
    return rc == 0 ? 0 : 1;
}
