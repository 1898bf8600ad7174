/*
 * virtual_clock.c - a 30-second timeout that takes no time at all.
 *
 * A client asks a service that never answers, with a 30 s timeout. On
 * the real clock this program would take 30 s. On the virtual clock the
 * loop sees that every task is waiting and nothing else can happen, and
 * jumps straight to the next timer: the timeout fires at once, at
 * exactly 30.000 s of loop time, every run.
 */
#include "aw.h"

#include <stdio.h>

// ANCHOR: client
static void *client(void *arg)
{
    aw_loop *loop = arg;
    aw_future *reply = aw_future_new(loop); /* nobody will ever answer */
    printf("t=%6.3f  asking, with a 30 s timeout\n", aw_loop_time(loop));
    int rc = aw_wait_for(reply, 30, NULL);
    printf("t=%6.3f  %s\n", aw_loop_time(loop), aw_strerror(rc));
    aw_future_release(reply);
    return NULL;
}

static void *heartbeat(void *arg)
{
    aw_loop *loop = arg;
    for (int i = 0; i < 3; i++) {
        aw_sleep(10);
        printf("t=%6.3f  heartbeat\n", aw_loop_time(loop));
    }
    return NULL;
}
// ANCHOR_END: client

int main(void)
{
    // ANCHOR: main
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    aw_task *beat = aw_task_create(loop, heartbeat, loop, "heartbeat");
    aw_task *ask = aw_task_create(loop, client, loop, "client");
    aw_loop_run_until_complete(loop, aw_task_future(ask));
    aw_loop_run_until_complete(loop, aw_task_future(beat));
    // ANCHOR_END: main
    aw_task_release(ask);
    aw_task_release(beat);
    aw_loop_close(loop);
    return 0;
}
